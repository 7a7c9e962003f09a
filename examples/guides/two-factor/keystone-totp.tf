# A Keystone user whose multi-factor rules want a password and a TOTP code.
# OS_PASSWORD and OS_TOTP_SECRET come from the environment; the provider
# sends a fresh code with the password at every login.
provider "cloudauth" {
  keystone {
    auth_url         = "https://keystone.example.com:5000"
    user_name        = "alice"
    user_domain_name = "Default"
    project_name     = "web"
    default_domain   = "default" # the project's domain, as it is not named
  }
}

data "cloudauth_keystone_catalog" "this" {}
