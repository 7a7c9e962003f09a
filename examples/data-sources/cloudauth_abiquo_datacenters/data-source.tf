# Every datacenter the user may see, read page by page.
data "cloudauth_abiquo_datacenters" "all" {}

# Only the datacenter with this exact name.
data "cloudauth_abiquo_datacenters" "barcelona" {
  name = "Barcelona"
}

output "datacenter_names" {
  value = [for dc in data.cloudauth_abiquo_datacenters.all.datacenters : dc.name]
}

output "barcelona_id" {
  value = one(data.cloudauth_abiquo_datacenters.barcelona.datacenters[*].id)
}
