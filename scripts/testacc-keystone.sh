#!/usr/bin/env bash
# `make testacc-keystone`: start a real Keystone (scripts/keystone-up.sh),
# run the TestAccKeystoneReal acceptance tests against it, and stop it by
# its PID whatever happens. Extra arguments go to `go test`.
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
scripts/keystone-up.sh "$dir"
up=$((SECONDS - up_start))

set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a

log "go test -run TestAccKeystoneReal against $KS_AUTH_URL"
test_start=$SECONDS
go test -count=1 -race -v -timeout 20m -run 'TestAccKeystoneReal' ./internal/provider/ "$@" 2>&1 | tee "$dir/test.log"
# A run where the tests skipped (no KS_AUTH_URL reached them) is a failure.
passed=$(grep -c '^--- PASS: TestAccKeystoneReal' "$dir/test.log" || true)
if grep -q '^--- SKIP: TestAccKeystoneReal' "$dir/test.log" || [ "$passed" -lt 4 ]; then
  die "expected every TestAccKeystoneReal test to run and pass; $passed passed"
fi
log "real Keystone: start ${up}s, tests $((SECONDS - test_start))s"
