# The provider's CenturyLink Cloud token with its headers. This data source
# stores the token in the state; prefer the ephemeral resource where the
# value can go into an ephemeral context.
data "cloudauth_token" "clc" {
  cloud = "clc"
}

# Call an endpoint that no provider covers, with the ready-made headers.
data "http" "servers" {
  url             = "${data.cloudauth_token.clc.endpoint}/v2/groups/ACME/${data.cloudauth_clc_root_group.home.id}"
  request_headers = merge(data.cloudauth_token.clc.headers, { Accept = "application/json" })
}

data "cloudauth_clc_root_group" "home" {}
