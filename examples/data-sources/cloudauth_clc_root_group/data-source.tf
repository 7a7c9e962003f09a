# The root hardware group of the login's default data center.
data "cloudauth_clc_root_group" "home" {}

# An explicit data center, and the names of its child groups.
data "cloudauth_clc_root_group" "va1" {
  data_center = "VA1"
}

output "va1_groups" {
  value = [for g in data.cloudauth_clc_root_group.va1.groups : g.name]
}
