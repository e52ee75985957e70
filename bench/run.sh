#!/usr/bin/env bash
# Throughput and latency of the host on the offline provider, measured with wrk.
#   bench/run.sh [duration]      (default 10s per run)
# Builds the release preset, starts the host on 127.0.0.1:18080 with bench/host.json, runs wrk
# at 1 and 64 connections against POST /agents/agent_alpha/chat and GET /health, and stops the
# host. Record the figures in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk; }
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null

build/release/bin/agent-host --config bench/host.json >/tmp/agent-host-bench.log 2>&1 &
host=$!
trap 'kill $host 2>/dev/null; wait $host 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fsS http://127.0.0.1:18080/health >/dev/null 2>&1 && break; sleep 0.1; done

run() {
  echo "### $*"
  "$@"
  echo
}
chat=http://127.0.0.1:18080/agents/agent_alpha/chat
health=http://127.0.0.1:18080/health
run wrk -t1 -c1 -d"$duration" --latency -s bench/chat.lua "$chat"
run wrk -t2 -c64 -d"$duration" --latency -s bench/chat.lua "$chat"
run wrk -t1 -c1 -d"$duration" --latency "$health"
run wrk -t2 -c64 -d"$duration" --latency "$health"
echo "### host peak RSS: $(grep VmHWM /proc/$host/status)"
