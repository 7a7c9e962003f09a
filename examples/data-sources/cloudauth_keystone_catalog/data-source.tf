# The provider's keystone block (or OS_* variables, or OS_CLOUD) says how to
# log in, for example with an application credential:
#
#   provider "cloudauth" {
#     keystone {
#       auth_url                      = "https://in-west3.controlcloud.app:5000"
#       application_credential_id     = var.app_cred_id
#       application_credential_secret = var.app_cred_secret
#       region                        = "in-west3"
#     }
#   }

# Every service of the token's catalog, public endpoints of the provider's
# region, and the user and project the token is for.
data "cloudauth_keystone_catalog" "this" {}

output "compute_url" {
  value = data.cloudauth_keystone_catalog.this.endpoints["compute"]
}

output "project" {
  value = data.cloudauth_keystone_catalog.this.project == null ? "(not project-scoped)" : data.cloudauth_keystone_catalog.this.project.name
}

# Only object storage, internal endpoints, in another region. A region no
# endpoint is in is an error that lists the catalog's regions; a service
# type the catalog lacks is a warning, and an empty list.
data "cloudauth_keystone_catalog" "swift" {
  service_type = "object-store"
  interface    = "internal"
  region       = "in-west2"
}

output "swift_internal_urls" {
  value = flatten([for s in data.cloudauth_keystone_catalog.swift.catalog : [for e in s.endpoints : "${e.region_id}: ${e.url}"]])
}
