#!/usr/bin/env bash
# Hot reload under load: time from a plugin file landing to the first request served by it, and
# failed requests while the plugin is replaced >= 100 times.
#   bench/reload.sh [reloads] [build-dir]      (defaults: 100, build/release)
# Starts the host on 127.0.0.1:18081 with a private copy of the bundled plugins and the reference
# agents, the folder watcher on (debounce 50 ms). wrk drives POST /agents/agent_alpha/chat (the
# offline provider) at 16 connections for the whole run while the offline provider is replaced
# `reloads` times by rename-into-place (alternating two builds that differ by a trailing byte, so
# each is a new generation with a new hash). For each replacement the script polls GET /plugins
# until the new sha256 is served, then sends one chat: landing -> that chat answered is the
# figure. Needs curl, wrk, jq and sha256sum.
set -euo pipefail
cd "$(dirname "$0")/.."
reloads=${1:-100}
build=${2:-build/release}
for tool in wrk jq curl; do
  command -v $tool >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq $tool; }
done
if [ "$build" = build/release ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release >/dev/null
fi

work=$(mktemp -d /tmp/agent-host-reload-bench-XXXXXX)
mkdir -p "$work/plugins" "$work/agents"
cp "$build"/plugins/*.so "$work/plugins/"
cp config/agents/*.json "$work/agents/"
cat >"$work/host.json" <<JSON
{"http": {"bind": "127.0.0.1", "port": 18081, "max_threads": 512},
 "plugins_dir": "plugins", "agents_dir": "agents", "log_level": "warn",
 "store": {"type": "memory", "max_conversations": 50000000},
 "reload": {"watch": true, "debounce_ms": 50, "cache_dir": "$work"},
 "limits": {"rate": []}}
JSON
# Two builds of the offline provider with different bytes (a trailing byte is ignored by the
# dynamic loader but changes the hash).
cp "$work/plugins/provider_offline.so" "$work/offline_a.so"
cp "$work/plugins/provider_offline.so" "$work/offline_b.so"
printf 'B' >>"$work/offline_b.so"

"$build"/bin/agent-host --config "$work/host.json" >"$work/host.log" 2>&1 &
host=$!
trap 'set +e; [ -n "$wrk_pid" ] && kill $wrk_pid; kill $host; wait $host; rm -rf "$work"' EXIT
wrk_pid=
for _ in $(seq 300); do curl -fsS http://127.0.0.1:18081/health >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS http://127.0.0.1:18081/health >/dev/null || { echo "the host did not start:" >&2; cat "$work/host.log" >&2; exit 1; }

chat=http://127.0.0.1:18081/agents/agent_alpha/chat
body='{"user_id":"bench","message":"How should I balance risk and return?"}'
wrk -t2 -c16 -d3600s --latency -s bench/chat.lua "$chat" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
sleep 1

now_ms() { date +%s%3N; }
latencies=()
failed_probes=0
for i in $(seq "$reloads"); do
  if [ $((i % 2)) -eq 1 ]; then src="$work/offline_b.so"; else src="$work/offline_a.so"; fi
  want=$(sha256sum "$src" | cut -d' ' -f1)
  cp "$src" "$work/plugins/.provider_offline.so.tmp"
  start=$(now_ms)
  mv "$work/plugins/.provider_offline.so.tmp" "$work/plugins/provider_offline.so"
  until curl -fsS http://127.0.0.1:18081/plugins |
      jq -e --arg h "$want" '.plugins[] | select(.id == "offline" and .state == "loaded" and .sha256 == $h)' \
      >/dev/null; do
    if [ $(($(now_ms) - start)) -gt 30000 ]; then echo "reload $i: not served after 30 s" >&2; tail -5 "$work/host.log" >&2; exit 1; fi
    sleep 0.005
  done
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$chat")
  [ "$code" = 200 ] || failed_probes=$((failed_probes + 1))
  latencies+=($(($(now_ms) - start)))
done
kill -INT $wrk_pid; wait $wrk_pid 2>/dev/null || true
wrk_pid=

sorted=$(printf '%s\n' "${latencies[@]}" | sort -n)
pct() { printf '%s\n' "$sorted" | awk -v p="$1" '{a[NR]=$1} END {i=int((NR*p+99)/100); if(i<1)i=1; print a[i]}'; }
echo "### reloads: $reloads (watcher, debounce 50 ms), wrk 16 connections on $chat"
echo "landing -> first request served by the new generation: p50 $(pct 50) ms, p95 $(pct 95) ms, max $(pct 100) ms"
echo "probe chats failed: $failed_probes"
echo "generation now: $(curl -fsS http://127.0.0.1:18081/plugins | jq '.plugins[] | select(.id == "offline" and .state == "loaded") | .generation')"
echo "### wrk during the reloads"
cat "$work/wrk.txt"
echo "### host peak RSS: $(grep VmHWM /proc/$host/status)"
