#!/usr/bin/env bash
# What sessions and the context cache in Redis cost per chat turn: POST
# /agents/agent_alpha/chat (offline provider, a fresh conversation per request, as bench/run.sh)
# with wrk at 1 and 64 connections, once with the in-process default and once with "redis"
# pointing at a local redis-server (loopback, no persistence).
#   bench/sessions.sh [duration] [preset]      (defaults: 10s, release)
# NO_BUILD=1 uses the preset's existing build. The host listens on 18081 and Redis on 16381, so
# bench/run.sh (18080) can run beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
preset=${2:-release}
port=18081
redis_port=16381
command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk; }
if [ "${NO_BUILD:-0}" != 1 ]; then
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly no \
  --logfile "$work/redis.log" &
pids+=($!)
agents=$(pwd)/config/agents
base='"http": {"bind": "127.0.0.1", "port": '"$port"', "max_threads": 4096, "max_queued": 4096},
  "agents_dir": "'"$agents"'", "log_level": "warn",
  "store": {"type": "memory", "max_conversations": 5000000}, "limits": {"rate": []}'
echo "{$base}" >"$work/memory.json"
echo "{$base, \"redis\": {\"url\": \"redis://127.0.0.1:$redis_port/0\"}}" >"$work/redis.json"

chat=http://127.0.0.1:$port/agents/agent_alpha/chat
for mode in memory redis; do
  "build/$preset/bin/agent-host" --config "$work/$mode.json" >"$work/$mode.log" 2>&1 &
  host=$!
  pids+=("$host")
  for _ in $(seq 50); do curl -fsS http://127.0.0.1:$port/health >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS http://127.0.0.1:$port/health; echo
  for connections in 1 64; do
    echo "### $mode, $connections connections"
    wrk -t"$(( connections > 1 ? 2 : 1 ))" -c"$connections" -d"$duration" --latency \
      -s bench/chat.lua "$chat"
    echo
  done
  echo "### $mode: host peak RSS: $(grep VmHWM /proc/$host/status)"
  kill "$host"; wait "$host" 2>/dev/null || true
done
echo "### redis keys after the run: $(redis-cli -p "$redis_port" dbsize)"
