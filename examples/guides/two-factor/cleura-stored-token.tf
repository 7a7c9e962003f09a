# A Cleura Cloud account with SMS two-factor authentication, after
# `cloudauth login cleura --username alice` stored a token: no password and
# no token here, so the provider reads the token stored for this URL and
# login from the credentials file.
provider "cloudauth" {
  cleura {
    username = "alice"
  }
}

data "cloudauth_cleura_domains" "provisioned" {
  status = "provisioned"
}
