terraform {
  required_providers {
    cloudauth = {
      source = "cloudauth/cloudauth"
    }
  }
}

# Configure only the clouds you use; each logs in on first use.
provider "cloudauth" {
  clc {
    username = "user@example.com"
    password = var.clc_password
  }
}

variable "clc_password" {
  type      = string
  sensitive = true
}
