#!/usr/bin/env bash
# `make lint`: golangci-lint v2 with .golangci.yml, built from tools/go.mod.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
LINT=$(tool_bin golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint)
log "golangci-lint run"
"$LINT" run ./...
