#!/usr/bin/env bash
# `make bench`: terraform plan with 1, 10, 100 and 400 data sources spread
# over the clouds, against the emulator, at -parallelism=10; prints a table
# of wall time, the provider's peak memory, logins per cloud and requests
# against the minimum (see BENCHMARKS.md). Then the Go benchmarks.
# Settings: BENCH_N (default "1,10,100,400"), BENCH_ROUNDS (default 3).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TF=$(terraform_bin)
if ! command -v time >/dev/null 2>&1 && [ ! -x /usr/bin/time ]; then
  log "installing GNU time (for the provider's peak memory)"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends time >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/bin/terraform-provider-cloudauth" .

echo "== terraform plan against the emulator =="
go run ./internal/benchplan -terraform "$TF" -provider-dir "$work/bin" \
  -n "${BENCH_N:-1,10,100,400}" -rounds "${BENCH_ROUNDS:-3}"

echo
echo "== Go benchmarks (decoders and read paths) =="
go test -run '^$' -bench . -benchmem -benchtime "${BENCH_TIME:-1s}" ./internal/... | grep -E '^(Benchmark|ok|PASS|FAIL|goos|cpu)' 
