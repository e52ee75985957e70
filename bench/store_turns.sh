#!/usr/bin/env bash
# Persisted chat turns per second with the durable stores, offline provider, measured with wrk.
#   bench/store_turns.sh [duration] [preset]     (default 10s per run, release preset)
# For SQLite (a file in a temporary folder) and PostgreSQL (a throwaway local server started with
# tests/support/postgres_server.sh, fsync on), starts the host on 127.0.0.1:18081 and runs wrk at
# 1 and 64 connections against POST /agents/agent_alpha/chat (each request a new conversation:
# one conversation row and two messages committed before the 200). Then the store alone, without
# HTTP or the pipeline (bench/store_load.cpp), at 1 and 64 threads, so the two can be compared.
# Record the figures in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
preset=${2:-release}
command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk; }
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target store_load >/dev/null
src=$PWD
work=$(mktemp -d)
host=
cleanup() {
  [ -n "$host" ] && kill "$host" 2>/dev/null && wait "$host" 2>/dev/null
  sh tests/support/postgres_server.sh stop "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

measure() {  # measure NAME STORE_JSON
  cat >"$work/host.json" <<JSON
{"http": {"bind": "127.0.0.1", "port": 18081, "max_threads": 4096, "max_queued": 4096},
 "agents_dir": "$src/config/agents", "log_level": "warn", "store": $2,
 "limits": {"rate": []}}
JSON
  "build/$preset/bin/agent-host" --config "$work/host.json" >"$work/host-$1.log" 2>&1 &
  host=$!
  for _ in $(seq 100); do curl -fsS http://127.0.0.1:18081/health >/dev/null 2>&1 && break; sleep 0.1; done
  for connections in 1 64; do
    echo "### $1, $connections connections: wrk -t$(( connections > 1 ? 2 : 1 )) -c$connections -d$duration --latency -s bench/chat.lua"
    wrk -t$(( connections > 1 ? 2 : 1 )) -c"$connections" -d"$duration" --latency -s bench/chat.lua \
      http://127.0.0.1:18081/agents/agent_alpha/chat
    echo
  done
  kill "$host"; wait "$host" 2>/dev/null || true; host=
}

measure sqlite "{\"type\": \"sqlite\", \"path\": \"$work/bench.db\"}"
pg=$(sh tests/support/postgres_server.sh start "$work")
sh tests/support/postgres_server.sh createdb "$work" bench
measure postgresql "{\"type\": \"postgresql\", \"connection\": \"host=127.0.0.1 port=$pg dbname=bench user=postgres\", \"pool_size\": 64}"

seconds=${duration%s}
for threads in 1 64; do
  echo "### store alone, SQLite, $threads threads: build/$preset/bin/store_load sqlite <file> $threads $seconds"
  "build/$preset/bin/store_load" sqlite "$work/alone-$threads.db" "$threads" "$seconds" 2>/dev/null
  echo "### store alone, PostgreSQL, $threads threads"
  "build/$preset/bin/store_load" postgresql "host=127.0.0.1 port=$pg dbname=bench user=postgres" \
    "$threads" "$seconds" 2>/dev/null
done
