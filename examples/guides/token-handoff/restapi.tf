# A provider that takes request headers in its configuration accepts the
# ephemeral token, and nothing of it reaches the state. Here the
# Mastercard/restapi provider (its uri and headers settings) is pointed at
# the Cleura Cloud REST API; its resources and data sources then send
# Cleura's two headers with every request.
terraform {
  required_providers {
    cloudauth = { source = "cloudauth/cloudauth" }
    restapi   = { source = "Mastercard/restapi" }
  }
}

ephemeral "cloudauth_token" "cleura" {
  cloud = "cleura"
}

provider "restapi" {
  uri     = ephemeral.cloudauth_token.cleura.endpoint
  headers = ephemeral.cloudauth_token.cleura.headers # X-AUTH-LOGIN and X-AUTH-TOKEN
}
