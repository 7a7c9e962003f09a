# The same read as the cloudauth_request data source, kept out of the plan
# and the state: for answers that hold secrets, used where Terraform takes
# ephemeral values (provider blocks, write-only arguments, other ephemeral
# resources). Terraform 1.10 or later, OpenTofu 1.11 or later.
ephemeral "cloudauth_request" "credentials" {
  cloud = "keystone"
  path  = "users/${var.user_id}/application_credentials"
}

variable "user_id" {
  type = string
}

locals {
  app_creds = jsondecode(ephemeral.cloudauth_request.credentials.response_body).application_credentials
}
