#!/usr/bin/env bash
# `make release-check`: validate .goreleaser.yml with the goreleaser from
# tools/go.mod (built once into .tools/, several minutes the first time), and
# check that cloudauth compiles for the systems it is released for, where a
# unix-only import would break it.
#
#   scripts/release-check.sh             goreleaser check + cross-compile
#   scripts/release-check.sh --snapshot  also build every archive into dist/
#                                        (unsigned, nothing published)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
GORELEASER=$(tool_bin goreleaser github.com/goreleaser/goreleaser/v2)

log "goreleaser check"
"$GORELEASER" check

for target in windows/amd64 darwin/arm64; do
  log "cloudauth builds for $target"
  GOOS=${target%/*} GOARCH=${target#*/} CGO_ENABLED=0 go build -o /dev/null ./cmd/cloudauth
done

if [ "${1:-}" = "--snapshot" ]; then
  log "goreleaser release --snapshot (into dist/)"
  "$GORELEASER" release --snapshot --clean --skip=sign,publish
fi
