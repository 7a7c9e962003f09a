#!/usr/bin/env bash
# `make bench`: terraform plan with N data sources spread over the clouds,
# against the emulator, at -parallelism=10; prints a table of wall time, the
# provider's peak memory, logins per cloud and requests against the minimum
# (see BENCHMARKS.md). Each round also plans N cloudauth_token lookups (the
# cached-token floor), N hashicorp/http GETs of one emulator URL (a peer
# provider, built from tools/httppeer/go.mod) and N cloudauth_request reads
# of that same URL, and a second table gives the ratios and the requests
# the cloudauth_request reads cost. Then the Go benchmarks.
# Settings: BENCH_N (default "1,10,100,400,1000"), BENCH_ROUNDS (default 3),
# BENCH_TIME (go test -benchtime, default 1s), BENCH_GO=0 to skip the Go
# benchmarks.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# http_mirror prints a filesystem mirror that holds hashicorp/http 1.2.0,
# built once from the Go module proxy (tools/httppeer/go.mod).
http_mirror() {
  local mirror="$ROOT/.tools/httpmirror" version=1.2.0
  local stamp="$TOOLS_BIN/.httppeer.stamp" want os arch bin
  want=$(sha256sum "$ROOT/tools/httppeer/go.mod" "$ROOT/tools/httppeer/go.sum" | sha256sum | cut -c1-16)
  os=$(go env GOOS) arch=$(go env GOARCH)
  bin="$TOOLS_BIN/terraform-provider-http_v$version"
  if [ ! -x "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "building hashicorp/http $version from the Go module proxy (tools/httppeer)"
    (cd "$ROOT/tools/httppeer" && go build -trimpath -ldflags "-s -w" -o "$bin" \
      github.com/terraform-providers/terraform-provider-http) >&2
    echo "$want" > "$stamp"
  fi
  local host
  for host in registry.terraform.io registry.opentofu.org; do
    mkdir -p "$mirror/$host/hashicorp/http/$version/${os}_$arch"
    cp "$bin" "$mirror/$host/hashicorp/http/$version/${os}_$arch/terraform-provider-http_v$version"
  done
  echo "$mirror"
}

TF=$(terraform_bin)
if ! command -v time >/dev/null 2>&1 && [ ! -x /usr/bin/time ]; then
  log "installing GNU time (for the provider's peak memory)"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends time >/dev/null
fi
MIRROR=$(http_mirror)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/bin/terraform-provider-cloudauth" .

echo "== terraform plan against the emulator =="
go run ./internal/benchplan -terraform "$TF" -provider-dir "$work/bin" \
  -n "${BENCH_N:-1,10,100,400,1000}" -rounds "${BENCH_ROUNDS:-3}" \
  -compare -http-provider-dir "$MIRROR"

if [ "${BENCH_GO:-1}" != 0 ]; then
  echo
  echo "== Go benchmarks (decoders and read paths) =="
  go test -run '^$' -bench . -benchmem -benchtime "${BENCH_TIME:-1s}" ./internal/... | grep -E '^(Benchmark|ok|PASS|FAIL|goos|cpu)'
fi
