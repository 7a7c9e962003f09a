# Every domain and area of the account, provisioned or not.
data "cloudauth_cleura_domains" "all" {}

# Only the regions the account can use now.
data "cloudauth_cleura_domains" "provisioned" {
  status = "provisioned"
}

# One area, by tag.
data "cloudauth_cleura_domains" "stockholm" {
  area_tag = "SE_STO2"
}

output "usable_regions" {
  value = [for r in data.cloudauth_cleura_domains.provisioned.regions : r.region]
}

output "areas_to_provision" {
  value = [for d in data.cloudauth_cleura_domains.all.domains : d.area.name if d.status == "available"]
}

output "stockholm_domain_id" {
  value = data.cloudauth_cleura_domains.stockholm.domains[0].id
}
