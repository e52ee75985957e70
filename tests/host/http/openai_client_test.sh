#!/usr/bin/env bash
# Runs the official openai npm client (tests/node_modules, installed by the test command) against
# a host serving the default agents, then against one with authentication, a rate limit and a
# token budget, whose refusals must raise the SDK's error classes.
set -euo pipefail
host=$1 src=$2
source "$(dirname "$0")/../../support/start_host.sh"
work=$(mktemp -d)
stop_host() {
  [ -n "${HOST_PID:-}" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null
  HOST_PID=
}
cleanup() {
  stop_host
  rm -rf "$work"
}
trap cleanup EXIT
if [ ! -d "$src/tests/node_modules/openai" ]; then
  echo "tests/node_modules/openai is missing: run 'npm ci --prefix tests' (the test command does)"
  exit 1
fi
start_host "$work/host.log" "$host" --config "$src/config/host.json" --bind 127.0.0.1 \
  --store-path "$work/agent-host.db"
node "$src/tests/host/http/openai_client_test.mjs" "http://127.0.0.1:$HOST_PORT/v1"
stop_host

user_key=$("$host" hash-key --generate | sed -n 's/^key: *//p')
no_role_key=$("$host" hash-key --generate | sed -n 's/^key: *//p')
hash() { printf %s "$1" | "$host" hash-key; }
cat >"$work/limited.json" <<JSON
{
  "agents_dir": "$src/config/agents",
  "auth": {"api_keys": [
    {"id": "user", "hash": "$(hash "$user_key")", "subject": "u", "tenant": "t", "roles": ["user"]},
    {"id": "none", "hash": "$(hash "$no_role_key")", "subject": "n", "tenant": "t", "roles": []}
  ]},
  "limits": {"rate": [{"name": "models", "route": "GET /v1/models", "requests": 1, "per_s": 3600}],
             "token_budgets": {"per_agent": {"tokens": 1, "period_s": 3600}}}
}
JSON
start_host "$work/limited.log" "$host" --config "$work/limited.json" --bind 127.0.0.1 \
  --store-path "$work/limited.db"
node "$src/tests/host/http/openai_client_errors_test.mjs" "http://127.0.0.1:$HOST_PORT/v1" \
  "$user_key" "$no_role_key"
