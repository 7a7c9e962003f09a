#!/usr/bin/env bash
# `make generate`: format the examples and render docs/ with tfplugindocs
# from templates/ and examples/. With --check (`make docs-check`, CI) it
# fails when that would change anything, i.e. when docs/ was not
# regenerated after a schema or example change.
#
# The provider schema is taken with whichever CLI terraform_bin picks
# (Terraform or OpenTofu) and handed to tfplugindocs, which then never
# looks for or downloads a Terraform of its own.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

check=false
[ "${1:-}" = "--check" ] && check=true

TF=$(terraform_bin)
DOCS=$(tool_bin tfplugindocs github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if $check; then
  git diff --quiet -- docs examples || die "docs/ or examples/ have uncommitted changes; commit them before checking"
fi

log "fmt examples/"
"$TF" fmt -recursive examples >/dev/null

log "provider schema"
go build -o "$work/bin/terraform-provider-cloudauth" .
mkdir -p "$work/schema"
cat > "$work/schema/main.tf" <<'TF'
terraform {
  required_providers {
    cloudauth = { source = "registry.terraform.io/hashicorp/cloudauth" }
  }
}
TF
cat > "$work/cli.tfrc" <<TF
disable_checkpoint = true
provider_installation {
  dev_overrides { "registry.terraform.io/hashicorp/cloudauth" = "$work/bin" }
  direct {}
}
TF
TF_CLI_CONFIG_FILE="$work/cli.tfrc" "$TF" -chdir="$work/schema" providers schema -json > "$work/schema.json"

log "tfplugindocs generate"
"$DOCS" generate --provider-name cloudauth --rendered-provider-name cloudauth \
  --providers-schema "$work/schema.json" >"$work/tfplugindocs.log" 2>&1 || { cat "$work/tfplugindocs.log" >&2; die "tfplugindocs failed"; }

if $check; then
  if ! git diff --quiet -- docs examples || [ -n "$(git ls-files --others --exclude-standard -- docs examples)" ]; then
    git --no-pager diff --stat -- docs examples >&2
    git ls-files --others --exclude-standard -- docs examples >&2
    die "docs/ or examples/ are out of date: run 'make generate' and commit the result"
  fi
  log "docs/ and examples/ are up to date"
fi
