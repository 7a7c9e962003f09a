# Read any path of a cloud the provider block configures, with that cloud's
# login: the provider adds the token headers, logs in again on a 401, and
# makes identical reads once per run.

# Keystone: the path goes under the catalog endpoint of `service_type`
# (default identity, whose catalog URL usually ends in /v3).
data "cloudauth_request" "projects" {
  cloud = "keystone"
  path  = "auth/projects"
}

output "project_names" {
  value = [for p in jsondecode(data.cloudauth_request.projects.response_body).projects : p.name]
}

# Another service of the catalog, in the provider's region.
data "cloudauth_request" "flavors" {
  cloud        = "keystone"
  service_type = "compute"
  path         = "flavors?limit=5"
}

# Cleura Cloud: the path goes under the provider block's API URL.
data "cloudauth_request" "cleura_domains" {
  cloud = "cleura"
  path  = "accesscontrol/v1/openstack/domains"
}

# Abiquo wants its media types in Accept.
data "cloudauth_request" "datacenters" {
  cloud           = "abiquo"
  path            = "admin/datacenters?limit=25"
  request_headers = { Accept = "application/vnd.abiquo.datacenters+json" }
}

# CenturyLink Cloud: a 404 counts as an answer here, not an error.
data "cloudauth_request" "clc_datacenter" {
  cloud           = "clc"
  path            = "v2/datacenters/ACME/WA1"
  expected_status = [200, 404]
}

output "wa1_exists" {
  value = data.cloudauth_request.clc_datacenter.status_code == 200
}
