#!/usr/bin/env bash
# Latency the host adds to an LLM call, measured with wrk at one connection.
#   bench/upstream_latency.sh [duration]      (default 10s per run)
# Builds the release preset, starts the fake OpenAI upstream (tests/fake_upstream/server.js) on
# 127.0.0.1:18090 and the host on 127.0.0.1:18081 with bench/upstream_host.json, whose agents
# (bench/agents/) use the openai provider pointed at the fake. For each agent, one turn through
# the host records the exact request the provider sends upstream (the fake's /_requests log); then
#   direct      wrk POSTs that same request straight to the fake's /v1/chat/completions,
#   chat        wrk POSTs a non-streamed first turn to the host's /agents/<id>/chat,
#   completions wrk POSTs the same message to the host's /v1/chat/completions (stateless),
# every run wrk -t1 -c1 --latency. bench_openai has the provider stream from the upstream (the
# default), bench_openai_plain asks for one JSON completion ("stream": false). Prints each run's
# p50/p90/p99, the CPU time the host and the fake spent per request (from /proc/<pid>/stat), and,
# per agent, host minus direct. Record the figures in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
# shellcheck source=bench/upstream_common.sh
. bench/upstream_common.sh
start_fake_and_host bench/upstream_host.json /tmp/agent-host-bench.log
host=$host_pid

# A first turn's message; [[words:50]] makes the fake answer 50 words (about 300 bytes).
message='How should I balance risk and return in a long-term portfolio with index funds and bonds? [[words:50]]'
fake=http://127.0.0.1:18090
host_url=http://127.0.0.1:18081
results=$work/results
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system time of a process
run() {  # label, body file, URL, Authorization header (optional)
  local label=$1 body=$2 url=$3 auth=${4:-}
  echo "### $label: wrk -t1 -c1 -d$duration --latency -s bench/post_body.lua $url" >&2
  local host_before fake_before
  host_before=$(cpu_ticks "$host")
  fake_before=$(cpu_ticks "$fake_pid")
  BENCH_BODY=$body BENCH_LABEL=$label BENCH_AUTH=$auth \
    wrk -t1 -c1 -d"$duration" --latency -s bench/post_body.lua "$url" >"$work/run"
  # CPU time each process spent per request during the run: the host's own cost, free of the
  # scheduling delays that other work on the machine adds to the latencies.
  local requests host_us fake_us
  requests=$(awk '/^RESULT/ {sub("requests=", "", $3); print $3}' "$work/run")
  host_us=$((($(cpu_ticks "$host") - host_before) * 1000000 / ticks / requests))
  fake_us=$((($(cpu_ticks "$fake_pid") - fake_before) * 1000000 / ticks / requests))
  sed "s|^RESULT .*|& host_cpu_us=$host_us fake_cpu_us=$fake_us|" "$work/run" |
    tee -a "$results" >&2
  echo >&2
}

for agent in bench_openai bench_openai_plain; do
  jq -n --arg m "$message" '{user_id: "bench-user", message: $m}' >"$work/chat-$agent.json"
  jq -n --arg m "$message" --arg a "$agent" '{model: $a, messages: [{role: "user", content: $m}]}' \
    >"$work/completions-$agent.json"
  record_upstream_request "$agent" "$message" "$work/upstream-$agent.json"
  # Warm both (Node's JIT, the host's pools and caches) before measuring.
  BENCH_BODY=$work/chat-$agent.json wrk -t1 -c1 -d3s -s bench/post_body.lua \
    "$host_url/agents/$agent/chat" >/dev/null
  run "$agent/direct" "$work/upstream-$agent.json" "$fake/v1/chat/completions" \
    "Bearer sk-fake-test-key"
  run "$agent/chat" "$work/chat-$agent.json" "$host_url/agents/$agent/chat"
  run "$agent/completions" "$work/completions-$agent.json" "$host_url/v1/chat/completions"
done

echo "### host peak RSS: $(grep VmHWM /proc/$host/status)"
echo
echo "| Agent | Target | Requests/s | p50 | p90 | p99 | Errors | Host CPU/request | Fake CPU/request |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
awk '/^RESULT/ { split($2, n, "/"); for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       printf "| %s | %s | %s | %d us | %d us | %d us | %s | %d us | %d us |\n", n[1], n[2],
              v["rps"], v["p50_us"], v["p90_us"], v["p99_us"], v["errors"], v["host_cpu_us"],
              v["fake_cpu_us"] }' "$results"
echo
echo "Added by the host (host minus direct, same agent):"
echo
echo "| Agent | Route | p50 | p90 | p99 |"
echo "| --- | --- | ---: | ---: | ---: |"
awk '/^RESULT/ { split($2, n, "/"); for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       if (n[2] == "direct") { d50 = v["p50_us"]; d90 = v["p90_us"]; d99 = v["p99_us"]; next }
       printf "| %s | %s | %+d us | %+d us | %+d us |\n", n[1], n[2], v["p50_us"] - d50,
              v["p90_us"] - d90, v["p99_us"] - d99 }' "$results"
