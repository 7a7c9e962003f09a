# A Keystone token that never reaches the state or the plan: it configures
# the OpenStack provider, which then needs no credentials of its own.
ephemeral "cloudauth_token" "openstack" {
  cloud = "keystone"
}

provider "openstack" {
  auth_url = ephemeral.cloudauth_token.openstack.endpoint
  token    = ephemeral.cloudauth_token.openstack.token
}

# A token of its own (one more login) that is revoked when the run ends
# (Keystone and Cleura can); the token above is not affected.
ephemeral "cloudauth_token" "short_lived" {
  cloud           = "keystone"
  revoke_on_close = true
}
