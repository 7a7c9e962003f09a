# A Keystone token of this resource's own (one more login), revoked when
# Terraform closes the resource at the end of the run. The token the
# provider's data sources share is not affected.
ephemeral "cloudauth_token" "short_lived" {
  cloud           = "keystone"
  revoke_on_close = true
}
