# An Abiquo user whose second factor is an authenticator app: the provider
# makes a fresh one-time code from the TOTP secret for every login. The
# secret (ABQ_OTP_SECRET) and the password (ABQ_PASSWORD) come from the
# environment.
provider "cloudauth" {
  abiquo {
    endpoint = "https://abiquo.example.com/api"
    username = "alice"
  }
}

data "cloudauth_abiquo_datacenters" "all" {}
