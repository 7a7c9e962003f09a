# When a secret has to come through a Terraform variable (TF_VAR_clc_password,
# or a -var-file the job writes), declare it ephemeral: Terraform then keeps
# it out of saved plan files, which store the values of other variables.
# Its empty default falls back to the provider's own CLC_PASSWORD, since an
# empty string in the block counts as unset.
variable "clc_password" {
  type      = string
  sensitive = true
  ephemeral = true # Terraform 1.10+, OpenTofu 1.11+
  default   = ""
}

provider "cloudauth" {
  clc {
    username = "ci-robot@example.com"
    password = var.clc_password
  }
}
