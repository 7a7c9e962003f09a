#!/usr/bin/env bash
# The main job (`make demo`): build the provider, start the emulator on a
# free loopback port, and run `terraform apply` on examples/demo against it
# with a dev_overrides CLI configuration. Prints the outputs (never a token
# in clear) and the emulator's request counters, then stops the emulator.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TF=$(terraform_bin)
work=$(mktemp -d)
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ] && kill -0 "$emu_pid" 2>/dev/null; then
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

log "building the provider and the emulator"
go build -o "$work/bin/terraform-provider-cloudauth" .
go build -o "$work/cloudauth-emulator" ./cmd/cloudauth-emulator

"$work/cloudauth-emulator" -quiet -env-file "$work/emulator.env" > "$work/emulator.log" 2>&1 &
emu_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/emulator.env" ] && break
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; die "the emulator did not start"; }
  sleep 0.1
done
# shellcheck disable=SC1091
source "$work/emulator.env"
log "emulator at $EMULATOR_URL (pid $emu_pid)"

export TF_CLI_CONFIG_FILE
TF_CLI_CONFIG_FILE=$(cli_config "$work" "$work/bin")
export TF_IN_AUTOMATION=1
cp -r examples/demo "$work/demo"

log "$(basename "$TF") apply on examples/demo"
"$TF" -chdir="$work/demo" apply -auto-approve -input=false -no-color -compact-warnings \
  -var "emulator_url=$EMULATOR_URL"

echo
echo "== requests the emulator saw =="
"$work/cloudauth-emulator" -counters "$EMULATOR_URL"
