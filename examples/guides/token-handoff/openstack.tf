# The OpenStack provider configured with the cloudauth provider's Keystone
# token: it needs no credentials of its own, and the token is in no plan and
# no state.
terraform {
  required_providers {
    cloudauth = { source = "cloudauth/cloudauth" }
    openstack = { source = "terraform-provider-openstack/openstack" }
  }
}

# The credentials are in a clouds.yaml entry rather than in OS_* variables,
# which the OpenStack provider would read as well.
provider "cloudauth" {
  keystone {
    cloud = "ci"
  }
}

ephemeral "cloudauth_token" "keystone" {
  cloud = "keystone"
}

provider "openstack" {
  auth_url     = ephemeral.cloudauth_token.keystone.endpoint # ends in /v3
  token        = ephemeral.cloudauth_token.keystone.token
  region       = "RegionOne"
  allow_reauth = false # a token cannot log in again
}

resource "openstack_networking_network_v2" "app" {
  name = "app"
}
