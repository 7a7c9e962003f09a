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
  cleura = {
    url      = "${var.emulator_url}/cleura"
    username = "cloudauth-demo"
    password = "cleura-demo-password"
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

# Cleura Cloud: the account's domains and the areas it could still
# provision; one login and one read serve both data sources.
data "cloudauth_cleura_domains" "all" {}

data "cloudauth_cleura_domains" "provisioned" {
  status = "provisioned"
}

output "cleura_regions" {
  description = "Cleura Cloud regions by area: usable now, and available to provision."
  value = {
    usable = [for r in data.cloudauth_cleura_domains.provisioned.regions : "${r.region} (${r.name}, area ${r.area_tag})"]
    available = [
      for d in data.cloudauth_cleura_domains.all.domains : "${d.area.name} (${d.area.tag})" if d.status == "available"
    ]
  }
}
