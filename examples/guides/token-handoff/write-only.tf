# A write-only argument (Terraform 1.11+, OpenTofu 1.11+) takes an ephemeral
# value and never stores it. Here the Cleura Cloud token goes into a
# Kubernetes secret for a job in the cluster; the provider writes the secret
# again only when data_wo_revision changes, so raise it to hand over a new
# token.
ephemeral "cloudauth_token" "cleura" {
  cloud = "cleura"
}

resource "kubernetes_secret_v1" "cleura" {
  metadata {
    name = "cleura-token"
  }
  data_wo = {
    login = ephemeral.cloudauth_token.cleura.principal
    token = ephemeral.cloudauth_token.cleura.token
  }
  data_wo_revision = 1
}
