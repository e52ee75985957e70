#!/usr/bin/env bash
# Runs the official openai npm client (tests/node_modules, installed by the test command) against
# a host serving the embedded default agents.
set -euo pipefail
host=$1 src=$2
source "$(dirname "$0")/../../support/start_host.sh"
work=$(mktemp -d)
cleanup() {
  [ -n "${HOST_PID:-}" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null
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
