# shellcheck shell=bash
# Shared helpers for the project's scripts. Source it; it sets ROOT.
#
# Everything a script needs is installed here on first use, into .tools/
# (git-ignored), so a fresh clone needs only Go and, for the real-Keystone
# tests, Debian's apt:
#   - Terraform: the one on PATH when it is 1.10 or newer, else OpenTofu
#     built from the Go module proxy (tools/tofu/go.mod, ~9 min the first time);
#   - tfplugindocs and golangci-lint from tools/go.mod.

set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_BIN="$ROOT/.tools/bin"
mkdir -p "$TOOLS_BIN"
export CHECKPOINT_DISABLE=1

log() { printf '[%s %(%H:%M:%S)T] %s\n' "$(basename "$0")" -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is needed (https://go.dev/dl); it is not on PATH"

# version_ge A B: true when version A >= B (numeric, dotted).
version_ge() {
  local lowest
  lowest=$(printf '%s\n%s\n' "$2" "$1" | sort -V)
  [ "${lowest%%$'\n'*}" = "$2" ]
}

# tofu_bin prints the path of an OpenTofu built from tools/tofu/go.mod.
tofu_bin() {
  local bin="$TOOLS_BIN/tofu"
  local stamp="$TOOLS_BIN/.tofu.stamp"
  local want
  want=$(sha256sum "$ROOT/tools/tofu/go.mod" "$ROOT/tools/tofu/go.sum" | sha256sum | cut -c1-16)
  if [ ! -x "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "building OpenTofu from the Go module proxy (about 9 minutes on 2 cores the first time)"
    (cd "$ROOT/tools/tofu" && go build -trimpath \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
      -o "$bin" github.com/opentofu/opentofu/cmd/tofu) >&2
    echo "$want" > "$stamp"
  fi
  echo "$bin"
}

# terraform_bin prints a Terraform CLI >= 1.10 (ephemeral resources need
# it): TERRAFORM if set, the terraform on PATH if new enough, else OpenTofu.
terraform_bin() {
  if [ -n "${TERRAFORM:-}" ]; then
    echo "$TERRAFORM"; return
  fi
  local tf v
  if tf=$(command -v terraform 2>/dev/null); then
    # Read the whole output before parsing it: with pipefail, a reader that
    # stops early (head, grep -q) can kill the CLI with SIGPIPE mid-write.
    v=$("$tf" version -json 2>/dev/null || true)
    v=$(sed -n 's/.*"terraform_version": *"\([0-9.]*\).*/\1/p' <<<"$v")
    v=${v%%$'\n'*}
    if [ -n "$v" ] && version_ge "$v" 1.10.0; then
      echo "$tf"; return
    fi
    log "terraform ${v:-of unknown version} on PATH is older than 1.10; using OpenTofu instead"
  else
    log "no terraform on PATH; using OpenTofu instead"
  fi
  tofu_bin
}

# tool_bin NAME PACKAGE: build a tool listed in tools/go.mod once.
tool_bin() {
  local name=$1 pkg=$2 bin="$TOOLS_BIN/$1"
  local stamp="$TOOLS_BIN/.$name.stamp" want
  want=$(sha256sum "$ROOT/tools/go.mod" "$ROOT/tools/go.sum" | sha256sum | cut -c1-16)
  if [ ! -x "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "building $name from tools/go.mod"
    (cd "$ROOT/tools" && go build -trimpath -o "$bin" "$pkg") >&2
    echo "$want" > "$stamp"
  fi
  echo "$bin"
}

# cli_config writes a Terraform CLI configuration that never reaches the
# network (no checkpoint; providers only from dev_overrides or reattach)
# and prints its path. $1: directory; $2: optional dev_overrides directory.
cli_config() {
  local dir=$1 overrides=${2:-}
  mkdir -p "$dir"
  {
    echo 'disable_checkpoint = true'
    if [ -n "$overrides" ]; then
      cat <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudauth/cloudauth" = "$overrides"
    "registry.opentofu.org/cloudauth/cloudauth" = "$overrides"
  }
  direct {}
}
EOF
    fi
  } > "$dir/cli.tfrc"
  echo "$dir/cli.tfrc"
}

# Every Terraform call uses the project's own CLI configuration, never the
# user's ~/.terraformrc (which may point at mirrors or credentials).
TF_CLI_CONFIG_FILE=$(cli_config "$ROOT/.tools/cli")
export TF_CLI_CONFIG_FILE

# acc_env TF: export what terraform-plugin-testing needs to drive TF.
acc_env() {
  local tf=$1
  export TF_ACC=1
  export TF_ACC_TERRAFORM_PATH="$tf"
  TF_CLI_CONFIG_FILE=$(cli_config "$ROOT/.tools/acc")
  export TF_CLI_CONFIG_FILE
  # OpenTofu resolves provider names on its own registry host. The version
  # text is read whole first: `tf version | grep -q` under pipefail fails
  # whenever grep's early exit kills the CLI with SIGPIPE (about 1 in 10).
  local version
  version=$("$tf" version 2>/dev/null) || die "$tf version failed"
  case $version in
    *OpenTofu*) export TF_ACC_PROVIDER_HOST=registry.opentofu.org ;;
  esac
  log "acceptance tests use ${version%%$'\n'*} ($tf)"
}
