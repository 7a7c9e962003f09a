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
  keystone {
    auth_url                      = "${var.emulator_url}/keystone/v3"
    application_credential_id     = "a3c1e8f07b2d4c9e9f6a5b4d3c2e1f08"
    application_credential_secret = "kP3vQ9xW2mZ7rT5yL8nB4cF6hJ1dS0aG-Ue7Io2Xw9Rt3Yq5Zp8Lm4Nb6Vc1Kj0Hg7Df2Sa9Pq3Wx5Ez8Ty1Ui4Oc"
    region                        = "RegionOne"
  }
  cleura {
    url      = "${var.emulator_url}/cleura"
    username = "cloudauth-demo"
    password = "cleura-demo-password"
  }
  # Abiquo: a two-factor user; a fresh TOTP code is made for every login.
  abiquo {
    endpoint   = "${var.emulator_url}/abiquo/api"
    username   = "sysadmin"
    password   = "abiquo-2fa-password"
    otp_secret = "otpauth://totp/1:sysadmin?secret=MQENTMJDTNNY4SBF&issuer=Abiquo"
  }
  clc {
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

# OpenStack Keystone: what the application credential's token gives access
# to, read from the login's own answer (no request of its own).
data "cloudauth_keystone_catalog" "this" {}

output "keystone_catalog" {
  description = "The token's user, project and roles, and the public URL of each service in RegionOne."
  value = {
    user       = data.cloudauth_keystone_catalog.this.user.name
    project    = data.cloudauth_keystone_catalog.this.project.name
    roles      = [for r in data.cloudauth_keystone_catalog.this.roles : r.name]
    expires_at = data.cloudauth_keystone_catalog.this.expires_at
    endpoints  = data.cloudauth_keystone_catalog.this.endpoints
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

# Tokens for other tools: an ephemeral Keystone token, never written to the
# state or plan, configures a second provider instance that then needs no
# credentials of its own (the way it would configure the OpenStack provider).
ephemeral "cloudauth_token" "keystone" {
  cloud = "keystone"
}

provider "cloudauth" {
  alias = "with_token"
  keystone {
    auth_url = ephemeral.cloudauth_token.keystone.endpoint
    token    = ephemeral.cloudauth_token.keystone.token
  }
}

data "cloudauth_keystone_catalog" "with_token" {
  provider = cloudauth.with_token
}

output "token_handoff" {
  description = "What the provider configured with the ephemeral token sees."
  value       = "the ephemeral token reached project ${data.cloudauth_keystone_catalog.with_token.project.name} as user ${data.cloudauth_keystone_catalog.with_token.user.name}"
}
