#!/usr/bin/env bash
# `make testacc-keystone`: start a real Keystone (scripts/keystone-up.sh
# --totp, so that multi-factor logins are tested too), run the real-Keystone
# tests of the client and of `cloudauth token` (TestRealKeystone*; the
# latter hands tokens to Debian's openstack CLI, which keystone-up.sh
# installs) and the acceptance tests (TestAccKeystoneReal*) against it, and
# stop it by its PID whatever happens. Extra arguments go to `go test`.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TF=$(terraform_bin)
acc_env "$TF"

dir=$(mktemp -d)
cleanup() {
  "$ROOT/scripts/keystone-up.sh" --stop "$dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT

up_start=$SECONDS
scripts/keystone-up.sh --totp "$dir"
up=$((SECONDS - up_start))

set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a

log "go test -run 'TestRealKeystone|TestAccKeystoneReal' against $KS_AUTH_URL"
test_start=$SECONDS
go test -count=1 -race -v -timeout 20m -run 'TestRealKeystone|TestAccKeystoneReal' \
  ./internal/clients/keystone/ ./internal/provider/keystone/ ./cmd/cloudauth/ "$@" 2>&1 | tee "$dir/test.log"
# A run where tests skipped (the variables did not reach them) or failed
# is a failure.
want=$(grep -hc '^func Test\(RealKeystone\|AccKeystoneReal\)' internal/clients/keystone/*_test.go internal/provider/keystone/*_test.go cmd/cloudauth/*_test.go | awk '{s += $1} END {print s}')
passed=$(grep -c '^--- PASS: Test\(RealKeystone\|AccKeystoneReal\)' "$dir/test.log" || true)
if grep -q '^--- \(SKIP\|FAIL\): Test\(RealKeystone\|AccKeystoneReal\)' "$dir/test.log" || [ "$passed" -ne "$want" ]; then
  die "expected all $want real-Keystone tests to run and pass; $passed passed"
fi
log "real Keystone: start ${up}s, tests $((SECONDS - test_start))s"
