#!/usr/bin/env bash
# Start a real OpenStack Keystone (Debian's python3-keystone, Keystone 22
# "Zed" on Debian 12) on 127.0.0.1 for the real-Keystone acceptance tests.
#
#   scripts/keystone-up.sh DIR         start; writes DIR/env (KS_*), DIR/keystone.pid
#   scripts/keystone-up.sh --totp DIR  the same, plus multi-factor login (also KS_TOTP=1)
#   scripts/keystone-up.sh --stop DIR  stop the server started in DIR (by its PID)
#
# Everything lives in DIR: the configuration, a sqlite database, the fernet
# and credential keys, the logs. The server listens on a free port below
# 32768 (the ephemeral range above it can be taken by any client socket at
# any moment), or on KS_PORT. The catalog gets several services in two
# regions, and the admin user an application credential and the member
# role on the Default domain (bootstrap gives it the admin role on the
# project and the system), so that it can log in with each of the three
# scopes. DIR/env (mode 600) holds the secrets; what is printed has them
# masked. Debian's openstack CLI (python3-openstackclient) is installed
# too, for the tests that hand tokens over to it.
#
# With --totp (or KS_TOTP=1) the server also accepts the totp auth method,
# and a dedicated user (cloudauth-mfa, member of the admin project) gets a
# TOTP credential and the multi-factor rule [["password", "totp"]]: a
# password alone is answered 401 with an Openstack-Auth-Receipt header, a
# password with a current code (or the receipt with a code) gets a token.
# DIR/env then also has KS_TOTP_USER, KS_TOTP_USER_ID, KS_TOTP_PASSWORD and
# KS_TOTP_SECRET (base32, RFC 6238 defaults: SHA-1, 6 digits, 30 s).
#
# Needs root and Debian's apt the first time (about 2 minutes to install).
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3 # Debian's own: another python3 on PATH cannot import keystone
ADMIN_PASSWORD=${KS_ADMIN_PASSWORD:-ks-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}

stop() {
  local dir=$1 pid
  pid=$(cat "$dir/keystone.pid" 2>/dev/null) || return 0
  # Only a process we started: check its command line before signalling.
  if [ -n "$pid" ] && grep -qa keystone-wsgi "/proc/$pid/cmdline" 2>/dev/null; then
    log "stopping keystone (pid $pid)"
    kill "$pid" 2>/dev/null || true
    # wsgiref finishes its current request first; give it a few seconds.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$dir/keystone.pid"
}

if [ "${1:-}" = "--stop" ]; then
  [ -n "${2:-}" ] || die "usage: $0 --stop DIR"
  stop "$2"
  exit 0
fi
TOTP=${KS_TOTP:-0}
if [ "${1:-}" = "--totp" ]; then
  TOTP=1
  shift
fi
[ "$TOTP" = 0 ] || [ "$TOTP" = 1 ] || die "KS_TOTP is 1 (multi-factor login) or 0, not $TOTP"
DIR=${1:-}
[ -n "$DIR" ] || die "usage: $0 [--totp] DIR   (or --stop DIR)"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
start=$SECONDS

install_packages() {
  local want=()
  command -v keystone-manage >/dev/null 2>&1 || want+=(python3-keystone)
  # python3-keystone pulls it in today; asked for by name so that it
  # stays, whatever Debian's dependencies become.
  dpkg -s python3-openstackclient >/dev/null 2>&1 || want+=(python3-openstackclient)
  # Installing curl when present would upgrade it; only add what is missing.
  command -v curl >/dev/null 2>&1 || want+=(curl)
  [ ${#want[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || die "installing ${want[*]} needs root (apt-get); run as root or install them first"
  log "apt-get install ${want[*]} (about 2 minutes the first time)"
  export DEBIAN_FRONTEND=noninteractive
  # Other jobs on the machine may hold the dpkg lock for a while.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  # python3-keystone, not keystone: the latter adds debconf questions,
  # service units and a system-wide /etc/keystone.
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}

free_port() {
  local p
  for p in $(seq 15357 15457); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "no free port in 15357-15457 on 127.0.0.1"
}

install_packages
stop "$DIR" # a server left by an earlier run in the same DIR
rm -rf "$DIR/keystone.db" "$DIR/fernet-keys" "$DIR/credential-keys" "$DIR"/*.log "$DIR/env"

PORT=${KS_PORT:-$(free_port)}
[ "$PORT" -lt 32768 ] || die "KS_PORT=$PORT is in the ephemeral range; use a port below 32768"
URL="http://127.0.0.1:$PORT/v3"
log "configuring keystone in $DIR"

totp_conf=""
if [ "$TOTP" = 1 ]; then
  totp_conf="# The TOTP method reads the user's credentials at every login; served from
# the memory cache they come back already decrypted, and a user's second
# login fails with a 500 (KeyError: 'encrypted_blob').
caching = false

[auth]
# Keystone's default list, plus totp.
methods = external,password,token,oauth1,mapped,application_credential,totp"
fi

cat > "$DIR/keystone.conf" <<EOF
[DEFAULT]
log_dir = $DIR
log_file = keystone.log

[database]
connection = sqlite:///$DIR/keystone.db

[token]
provider = fernet
# One hour, Keystone's default and what the provider is written for.
expiration = 3600

[fernet_tokens]
key_repository = $DIR/fernet-keys/

[fernet_receipts]
key_repository = $DIR/fernet-keys/

[credential]
key_repository = $DIR/credential-keys/
$totp_conf

[identity]
# The fewest bcrypt rounds: this server is thrown away after the tests, and
# the default (12) costs a quarter of a second of CPU per login. It applies
# to hashes made after it is set, so before bootstrap.
password_hash_rounds = 4

[cache]
# Without it each token validation runs hundreds of SQL queries. It is
# per process, which is fine for the one wsgiref process.
enabled = true
backend = dogpile.cache.memory
EOF

export OS_KEYSTONE_CONFIG_FILES="$DIR/keystone.conf" # how the WSGI app finds it
manage() {
  # keystone-manage prints an eventlet traceback at every exit; keep it
  # out of the way and show it only when the step fails.
  keystone-manage --config-file "$DIR/keystone.conf" "$@" 2>>"$DIR/manage.log" >>"$DIR/manage.log" ||
    { tail -n 30 "$DIR/manage.log" >&2; die "keystone-manage $1 failed"; }
}
owner=(--keystone-user "$(id -un)" --keystone-group "$(id -gn)")
manage db_sync
manage fernet_setup "${owner[@]}"
manage credential_setup "${owner[@]}"
manage bootstrap --bootstrap-username admin --bootstrap-password "$ADMIN_PASSWORD" \
  --bootstrap-project-name admin --bootstrap-role-name admin \
  --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
  --bootstrap-admin-url "$URL" --bootstrap-internal-url "$URL" --bootstrap-public-url "$URL"

log "starting keystone on 127.0.0.1:$PORT"
setsid keystone-wsgi-public --host 127.0.0.1 --port "$PORT" >"$DIR/server.log" 2>&1 </dev/null &
echo $! >"$DIR/keystone.pid"
# From here on a failure must not leave the server running.
on_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] || stop "$DIR"
  exit "$rc"
}
trap on_exit EXIT

for _ in $(seq 1 120); do
  curl -fs -o /dev/null "$URL" && break
  kill -0 "$(cat "$DIR/keystone.pid")" 2>/dev/null || { tail -n 30 "$DIR/server.log" >&2; die "keystone exited"; }
  sleep 0.5
done
curl -fs -o /dev/null "$URL" || { tail -n 30 "$DIR/server.log" >&2; die "keystone did not answer $URL within 60 s"; }

# json PATH: print a field of the JSON on stdin ("token.user.id", "roles.0.id").
json() { "$PY" -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$1"; }

headers=$(mktemp)
body=$(curl -fsS -D "$headers" -H 'Content-Type: application/json' "$URL/auth/tokens" -d @- <<EOF
{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "domain": {"id": "default"}, "password": "$ADMIN_PASSWORD"}}},
          "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
EOF
)
TOKEN=$(tr -d '\r' <"$headers" | awk 'tolower($1) == "x-subject-token:" {print $2}')
rm -f "$headers"
USER_ID=$(json token.user.id <<<"$body")
PROJECT_ID=$(json token.project.id <<<"$body")

api() { # api METHOD PATH [JSON]: the answer's body; fails on an HTTP error
  curl -fsS -X "$1" -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"} "$URL$2"
}

log "catalog: compute, network, image and object-store in RegionOne and RegionTwo"
api POST /regions '{"region": {"id": "RegionTwo"}}' >/dev/null
add_service() { # TYPE NAME PORT PATH
  local id region itf
  id=$(api POST /services "{\"service\": {\"type\": \"$1\", \"name\": \"$2\", \"enabled\": true}}" | json service.id)
  for region in RegionOne RegionTwo; do
    for itf in public internal admin; do
      api POST /endpoints "{\"endpoint\": {\"service_id\": \"$id\", \"interface\": \"$itf\", \"region_id\": \"$region\",
        \"url\": \"http://$itf.${region,,}.$1.test:$3$4\"}}" >/dev/null
    done
  done
}
add_service compute nova 8774 /v2.1
add_service network neutron 9696 ""
add_service image glance 9292 ""
# Keystone puts each token's project into $(project_id)s.
# shellcheck disable=SC2016
add_service object-store swift 8080 '/v1/AUTH_$(project_id)s'

# bootstrap creates the reader, member and admin roles.
MEMBER=$(api GET '/roles?name=member' | json roles.0.id)
log "admin: member of the Default domain (for domain-scoped logins)"
api PUT "/domains/default/users/$USER_ID/roles/$MEMBER" >/dev/null

APPCRED_NAME=cloudauth-ci-$(date +%s)
ac=$(api POST "/users/$USER_ID/application_credentials" \
  "{\"application_credential\": {\"name\": \"$APPCRED_NAME\", \"description\": \"terraform-provider-cloudauth acceptance tests\"}}")
APPCRED_ID=$(json application_credential.id <<<"$ac")
APPCRED_SECRET=$(json application_credential.secret <<<"$ac")

totp_env=""
if [ "$TOTP" = 1 ]; then
  log "multi-factor user cloudauth-mfa: TOTP credential and the rule [[password, totp]]"
  MFA_PASSWORD=ks-mfa-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  # 20 random bytes are 32 base32 characters: no padding, which Keystone's
  # base64.b32decode would otherwise insist on.
  TOTP_SECRET=$("$PY" -c 'import base64,os; print(base64.b32encode(os.urandom(20)).decode())')
  MFA_ID=$(api POST /users "{\"user\": {\"name\": \"cloudauth-mfa\", \"domain_id\": \"default\", \"password\": \"$MFA_PASSWORD\", \"enabled\": true}}" | json user.id)
  api PUT "/projects/$PROJECT_ID/users/$MFA_ID/roles/$MEMBER" >/dev/null
  api POST /credentials "{\"credential\": {\"type\": \"totp\", \"user_id\": \"$MFA_ID\", \"blob\": \"$TOTP_SECRET\"}}" >/dev/null
  api PATCH "/users/$MFA_ID" '{"user": {"options": {"multi_factor_auth_rules": [["password", "totp"]], "multi_factor_auth_enabled": true}}}' >/dev/null
  # The rule must hold: a password alone gets 401 with a receipt.
  status=$(curl -sS -o /dev/null -D "$DIR/mfa-check.headers" -w '%{http_code}' -H 'Content-Type: application/json' "$URL/auth/tokens" -d @- <<EOF
{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "$MFA_ID", "password": "$MFA_PASSWORD"}}}}}
EOF
  )
  [ "$status" = 401 ] && grep -qi '^openstack-auth-receipt:' "$DIR/mfa-check.headers" ||
    die "the MFA rule does not hold: a password-only login of cloudauth-mfa got HTTP $status without a receipt"
  rm -f "$DIR/mfa-check.headers"
  totp_env="KS_TOTP_USER=cloudauth-mfa
KS_TOTP_USER_ID=$MFA_ID
KS_TOTP_PASSWORD=$MFA_PASSWORD
KS_TOTP_SECRET=$TOTP_SECRET"
fi

umask 077
cat >"$DIR/env" <<EOF
KS_AUTH_URL=$URL
KS_DIR=$DIR
KS_PID=$(cat "$DIR/keystone.pid")
KS_USER=admin
KS_USER_ID=$USER_ID
KS_PASSWORD=$ADMIN_PASSWORD
KS_USER_DOMAIN_NAME=Default
KS_PROJECT=admin
KS_PROJECT_ID=$PROJECT_ID
KS_PROJECT_DOMAIN_NAME=Default
KS_DOMAIN_ID=default
KS_REGION=RegionOne
KS_SERVICES=identity,compute,network,image,object-store
KS_APPCRED_ID=$APPCRED_ID
KS_APPCRED_NAME=$APPCRED_NAME
KS_APPCRED_SECRET=$APPCRED_SECRET
EOF
[ -z "$totp_env" ] || echo "$totp_env" >>"$DIR/env"
sed -E 's/^(KS_PASSWORD|KS_APPCRED_SECRET|KS_TOTP_PASSWORD|KS_TOTP_SECRET)=.*/\1=*** (in '"${DIR//\//\\/}"'\/env)/' "$DIR/env"
trap - EXIT
log "keystone ready at $URL (pid $(cat "$DIR/keystone.pid")) after $((SECONDS - start)) s"
