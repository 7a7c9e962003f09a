#!/usr/bin/env bash
# `make release-check`: validate .goreleaser.yml (the provider) and
# .goreleaser-cloudauth.yml (the cloudauth command) with the goreleaser from
# tools/go.mod (built once into .tools/, several minutes the first time), and
# check that cloudauth compiles for the systems it is released for, where a
# unix-only import would break it.
#
#   scripts/release-check.sh             goreleaser check + cross-compile
#   scripts/release-check.sh --snapshot  also build every archive into dist/
#                                        and dist-cloudauth/ (unsigned,
#                                        nothing published), and check that
#                                        each checksum file lists its own
#                                        archives and nothing else
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
GORELEASER=$(tool_bin goreleaser github.com/goreleaser/goreleaser/v2)

configs=(.goreleaser.yml .goreleaser-cloudauth.yml)
for config in "${configs[@]}"; do
  log "goreleaser check -f $config"
  "$GORELEASER" check -f "$config"
done

# The release workflow runs both configurations, signs with the imported
# key, and uses the goreleaser that was checked here.
workflow=.github/workflows/release.yml
pinned=$(awk '$1 == "github.com/goreleaser/goreleaser/v2" && $2 ~ /^v/ {print $2; exit}' tools/go.mod)
for config in "${configs[@]}"; do
  grep -q -- "args: release --clean$( [ "$config" = .goreleaser.yml ] || echo " -f $config")\$" "$workflow" ||
    die "$workflow does not release $config"
done
[ "$(grep -c "version: $pinned\$" "$workflow")" = "${#configs[@]}" ] ||
  die "$workflow does not use goreleaser $pinned (tools/go.mod) for every release step"
[ "$(grep -c 'GPG_FINGERPRINT: ${{ steps.import_gpg.outputs.fingerprint }}' "$workflow")" = "${#configs[@]}" ] ||
  die "$workflow does not give every release step the imported key's GPG_FINGERPRINT"
log "$workflow: both configurations, goreleaser $pinned, GPG_FINGERPRINT"

for target in windows/amd64 darwin/arm64; do
  log "cloudauth builds for $target"
  GOOS=${target%/*} GOARCH=${target#*/} CGO_ENABLED=0 go build -o /dev/null ./cmd/cloudauth
done

if [ "${1:-}" = "--snapshot" ]; then
  for config in "${configs[@]}"; do
    log "goreleaser release --snapshot -f $config"
    "$GORELEASER" release --snapshot --clean --skip=sign,publish -f "$config"
  done
  # Each checksum file names exactly its release's archives (and the
  # provider's, its registry manifest, uploaded from the repository under
  # the release's name), and the sums match the files.
  check_sums() {
    local dir=$1 pattern=$2 sums
    sums=$(ls "$dir"/*_SHA256SUMS)
    (cd "$dir" && sha256sum --quiet --ignore-missing -c "$(basename "$sums")") || die "$sums does not match the files"
    local manifest
    manifest=$(awk '/_manifest\.json$/ {print $1}' "$sums")
    if [ -n "$manifest" ] && [ "$manifest" != "$(sha256sum <terraform-registry-manifest.json | cut -d' ' -f1)" ]; then
      die "$sums: the manifest's sum is not that of terraform-registry-manifest.json"
    fi
    local listed archives
    listed=$(awk '{print $2}' "$sums" | grep -v '_manifest\.json$' | sort)
    archives=$(cd "$dir" && ls $pattern | sort)
    [ "$listed" = "$archives" ] || die "$sums lists:
$listed
but $dir holds:
$archives"
    log "$(basename "$sums"): $(wc -l <"$sums") files, all of them its own"
  }
  check_sums dist 'terraform-provider-cloudauth_*.zip'
  check_sums dist-cloudauth 'cloudauth_*.tar.gz cloudauth_*.zip'
fi
