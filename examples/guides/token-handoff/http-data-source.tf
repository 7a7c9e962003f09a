# The http data source cannot take an ephemeral value: its request_headers
# are stored in the state. This uses the cloudauth_token data source, whose
# token is stored in the state too (marked sensitive, in clear in the file).
# Use it only where the state is kept as safely as the credentials.
data "cloudauth_token" "clc" {
  cloud = "clc"
}

data "cloudauth_clc_root_group" "home" {}

data "http" "billing" {
  url = "${data.cloudauth_token.clc.endpoint}/v2/groups/${data.cloudauth_clc_root_group.home.account_alias}/${data.cloudauth_clc_root_group.home.id}/billing"
  request_headers = merge(data.cloudauth_token.clc.headers, {
    Accept = "application/json"
  })
}

output "billing" {
  value = jsondecode(data.http.billing.response_body)
}
