# OAuth 1.0a credentials for an Abiquo user with two-factor authentication,
# made once by `cloudauth login abiquo --oauth`. Signed requests need no
# one-time code, and the credentials do not expire. Left out of the block,
# the four settings come from ABQ_CONSUMER_KEY, ABQ_CONSUMER_SECRET,
# ABQ_ACCESS_TOKEN and ABQ_ACCESS_TOKEN_SECRET, or else from the credentials
# file that the command wrote (for this endpoint and user).
variable "abiquo_oauth" {
  type = object({
    consumer_key        = string
    consumer_secret     = string
    access_token        = string
    access_token_secret = string
  })
  sensitive = true
  ephemeral = true
}

provider "cloudauth" {
  abiquo {
    endpoint            = "https://abiquo.example.com/api"
    username            = "alice"
    consumer_key        = var.abiquo_oauth.consumer_key
    consumer_secret     = var.abiquo_oauth.consumer_secret
    access_token        = var.abiquo_oauth.access_token
    access_token_secret = var.abiquo_oauth.access_token_secret
  }
}

data "cloudauth_abiquo_datacenters" "all" {}
