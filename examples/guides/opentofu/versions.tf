# The same source address works for both tools: Terraform reads it as
# registry.terraform.io/cloudauth/cloudauth, OpenTofu as
# registry.opentofu.org/cloudauth/cloudauth.
terraform {
  required_version = ">= 1.10" # the ephemeral resource needs Terraform 1.10

  required_providers {
    cloudauth = {
      source = "cloudauth/cloudauth"
    }
  }
}
