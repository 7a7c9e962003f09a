#!/usr/bin/env bash
# `make fuzz`: run every Go fuzz target in the module for FUZZTIME (default
# 5s) each, starting from its seed corpus in testdata/fuzz, and report the
# executions. New interesting inputs are minimized for at most a second,
# so that a short run spends its time fuzzing. A crash fails the run and leaves the input under
# testdata/fuzz/<target>/ for `go test` to replay.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

FUZZTIME=${FUZZTIME:-5s}
total=0
targets=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 1s "$pkg" 2>&1) || {
      printf '%s\n' "$out" >&2
      die "$target in $pkg failed"
    }
    execs=$(printf '%s\n' "$out" | grep -o 'execs: [0-9]*' | tail -n1 | awk '{print $2}')
    execs=${execs:-0}
    printf '  %-28s %-60s %10s executions\n' "$target" "${pkg#github.com/cloudauth/terraform-provider-cloudauth/}" "$execs"
    total=$((total + execs))
    targets=$((targets + 1))
  done
done
log "$targets fuzz targets, $total executions in total ($FUZZTIME each)"
