#!/usr/bin/env bash
# The project's test command (`make test`): go vet, then the unit tests and
# the acceptance tests against the built-in emulator, with the race
# detector on. Acceptance tests drive a real Terraform CLI (>= 1.10; OpenTofu
# is built when none is installed).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TF=$(terraform_bin)
acc_env "$TF"

log "go vet ./..."
go vet ./...

log "unit and acceptance tests (-race)"
go test -race -count=1 -timeout 40m -parallel "${TEST_PARALLEL:-6}" ./... "$@"
