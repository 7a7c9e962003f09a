# The demo that `make demo` applies against the built-in emulator. It reads
# through every cloud the provider supports and prints what came back.

terraform {
  required_providers {
    cloudauth = {
      source = "registry.terraform.io/cloudauth/cloudauth"
    }
  }
}

variable "emulator_url" {
  type        = string
  description = "Base URL of the cloudauth emulator; make demo passes it."
}

provider "cloudauth" {
  # The emulator's demo credentials; cloudauth-emulator prints them.
  # Abiquo: a two-factor user; a fresh TOTP code is made for every login.
  abiquo = {
    endpoint   = "${var.emulator_url}/abiquo/api"
    username   = "sysadmin"
    password   = "abiquo-2fa-password"
    otp_secret = "otpauth://totp/1:sysadmin?secret=MQENTMJDTNNY4SBF&issuer=Abiquo"
  }
  clc = {
    url      = "${var.emulator_url}/clc"
    username = "demo@cloudauth.test"
    password = "clc-demo-password"
  }
}

# CenturyLink Cloud: the root hardware group of the login's default data
# center and of an explicit one.
data "cloudauth_clc_root_group" "default" {}

data "cloudauth_clc_root_group" "va1" {
  data_center = "VA1"
}

output "clc_root_groups" {
  description = "Root hardware group of each data center, with its child groups."
  value = {
    for g in [data.cloudauth_clc_root_group.default, data.cloudauth_clc_root_group.va1] :
    g.data_center => {
      name     = g.name
      location = g.data_center_name
      children = [for c in g.groups : "${c.name} (${c.type}, ${c.servers_count} servers)"]
    }
  }
}

# Abiquo: every datacenter (three pages from the emulator, read once for
# both data sources) and one picked by name.
data "cloudauth_abiquo_datacenters" "all" {}

data "cloudauth_abiquo_datacenters" "madrid" {
  name = "Madrid 3"
}

output "abiquo_datacenters" {
  description = "How many datacenters Abiquo has, the first five, and one found by name."
  value = {
    total    = data.cloudauth_abiquo_datacenters.all.total
    first    = [for dc in slice(data.cloudauth_abiquo_datacenters.all.datacenters, 0, 5) : "${dc.id} ${dc.name} (${dc.location})"]
    madrid_3 = one(data.cloudauth_abiquo_datacenters.madrid.datacenters)
  }
}
