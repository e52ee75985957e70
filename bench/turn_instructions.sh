#!/usr/bin/env bash
# Instructions the host executes per chat turn on the upstream path, counted by callgrind: a
# figure that does not move with the machine's load, unlike wall-clock latencies.
#   bench/turn_instructions.sh [turns] [agent...]   (default 200 turns, bench_openai_plain and
#                                                    bench_openai)
# Runs the release host (or $HOST_BINARY, e.g. a build of another commit, with its plugins in
# its own tree; BENCH_HOST_ENV adds NAME=VALUE words to its environment) under valgrind --tool=callgrind against the fake OpenAI upstream with
# bench/upstream_host.json, warms each agent with 20 turns, zeroes the counters
# (callgrind_control -z), sends `turns` first turns one at a time with curl, and prints the
# host's instructions per turn (all threads), with the inclusive cost of every function in
# $work/callgrind.<agent>.txt (printed path).
set -euo pipefail
cd "$(dirname "$0")/.."
turns=${1:-200}
shift || true
agents=("$@")
[ ${#agents[@]} -gt 0 ] || agents=(bench_openai_plain bench_openai)
command -v valgrind >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq valgrind; }
host_binary=${HOST_BINARY:-build/release/bin/agent-host}
[ -n "${HOST_BINARY:-}" ] || { cmake --preset release >/dev/null && cmake --build --preset release >/dev/null; }

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
node tests/fake_upstream/server.js --port 18090 >"$work/fake.out" 2>&1 &
pids+=($!)
# The plugins next to the binary's tree (build/<preset>/plugins), the agents of the bench config.
plugin_dir=$(cd "$(dirname "$host_binary")/../plugins" && pwd)
jq --arg p "$plugin_dir" '.plugins_dir = $p' bench/upstream_host.json >"$work/host.json"
cp -r bench/agents "$work/agents"
# shellcheck disable=SC2086  # BENCH_HOST_ENV is a list of NAME=VALUE words
env ${BENCH_HOST_ENV:-} valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" --separate-threads=no \
  "$host_binary" --config "$work/host.json" >"$work/host.log" 2>&1 &
host_pid=$!
pids+=("$host_pid")
for _ in $(seq 300); do
  curl -fsS http://127.0.0.1:18081/health >/dev/null 2>&1 && break
  sleep 0.2
done
message='How should I balance risk and return in a long-term portfolio with index funds and bonds? [[words:50]]'
body=$(jq -cn --arg m "$message" '{user_id: "bench-user", message: $m}')
chat() { for _ in $(seq "$2"); do
  curl -fsS "http://127.0.0.1:18081/agents/$1/chat" -H 'Content-Type: application/json' \
    -d "$body" >/dev/null
done; }
for agent in "${agents[@]}"; do
  chat "$agent" 20
  callgrind_control -z "$host_pid" >/dev/null 2>&1
  chat "$agent" "$turns"
  callgrind_control -d "$host_pid" >/dev/null 2>&1
  dump=$(ls -t "$work"/callgrind.out* | head -1)
  total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  callgrind_annotate --inclusive=yes "$dump" >"$work/callgrind.$agent.txt" 2>/dev/null
  echo "$agent: $((total / turns)) instructions per turn ($turns turns; $work/callgrind.$agent.txt)"
  callgrind_control -z "$host_pid" >/dev/null 2>&1
done
trap - EXIT
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
