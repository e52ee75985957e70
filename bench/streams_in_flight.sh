#!/usr/bin/env bash
# Concurrent streamed chats held by the host while the upstream takes 2 s to answer each.
#   bench/streams_in_flight.sh [N ...]        (default: 1000 10000)
#   BENCH_HOST_CONFIG=FILE bench/streams_in_flight.sh ...   (default bench/upstream_host.json)
#   BENCH_ANSWER_MS=30000 bench/streams_in_flight.sh ...      (default 2000: each answer's duration)
#   BENCH_HOST_ENV='MALLOC_ARENA_MAX=2' bench/streams_in_flight.sh ...  (the host's environment)
# Builds the release preset. For each N: starts the fake OpenAI upstream
# (tests/fake_upstream/server.js) on 127.0.0.1:18090 and a fresh host on 127.0.0.1:18081; one
# turn through the host records the request the provider sends upstream. Then bench/stream_load.js
#   1. sends that request N times at once straight to the fake (the baseline: what the fake and
#      the load tool themselves cost at this concurrency), then
#   2. opens N connections to the host at once, each ONE streamed chat to bench_openai whose
#      message makes the fake spread 4 words over 2 s ([[words:4]][[answer_ms:2000]]).
# Prints what the load tool saw (completed, errors by reason, latency; minus the answer's time,
# and minus the baseline), the host's peak RSS (VmHWM), its peak threads and open descriptors
# (sampled every 200 ms: threads - 4 is about the streams in flight), and the warnings and errors
# the host logged. Everything runs with this shell's open-file limit (ulimit -n, raised to the
# hard limit here); a proxied stream needs two sockets in the host.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 10000)
config=${BENCH_HOST_CONFIG:-bench/upstream_host.json}
answer_ms=${BENCH_ANSWER_MS:-2000}
timeout_ms=$((answer_ms + 90000))
ulimit -n "$(ulimit -Hn)"
# shellcheck source=bench/upstream_common.sh
. bench/upstream_common.sh

# The kernel's count of connections dropped because a listening socket's accept queue was full.
listen_overflows() { nstat -az TcpExtListenOverflows | awk '/ListenOverflows/ {print $2}'; }

message="[[words:4]][[answer_ms:$answer_ms]] How should I balance risk and return in a long-term portfolio?"
echo "open-file limit: $(ulimit -n); machine: $(nproc) cores; $(uptime)"
echo "host: build/release/bin/agent-host --config $config, environment: ${BENCH_HOST_ENV:-unchanged}"
for n in "${counts[@]}"; do
  start_fake_and_host "$config" "$work/host.log"
  host=$host_pid
  record_upstream_request bench_openai "$message" "$work/upstream.json"
  echo
  echo "### N=$n, baseline straight to the fake: node bench/stream_load.js --port 18090" \
       "--direct-body <the recorded upstream request> --connections $n --timeout-ms $timeout_ms"
  node bench/stream_load.js --port 18090 --direct-body "$work/upstream.json" --connections "$n" \
    --timeout-ms $timeout_ms | tee "$work/direct.json"
  sleep 2
  # Peak threads and descriptors of the host, sampled while the load runs.
  (
    threads=0 fds=0
    while kill -0 "$host" 2>/dev/null; do
      t=$(awk '/^Threads:/ {print $2}' "/proc/$host/status" 2>/dev/null || echo 0)
      f=$(ls "/proc/$host/fd" 2>/dev/null | wc -l)
      [ "${t:-0}" -gt "$threads" ] && threads=$t
      [ "$f" -gt "$fds" ] && fds=$f
      echo "$threads $fds" >"$work/peaks"
      sleep 0.2
    done
  ) &
  sampler=$!
  overflows_before=$(listen_overflows)
  echo "### N=$n through the host: node bench/stream_load.js --port 18081 --agent bench_openai" \
       "--connections $n --message '$message' --timeout-ms $timeout_ms"
  node bench/stream_load.js --port 18081 --agent bench_openai --connections "$n" \
    --message "$message" --timeout-ms $timeout_ms | tee "$work/load.json"
  sleep 0.5
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  read -r peak_threads peak_fds <"$work/peaks"
  echo "accept queue overflows on this machine during the run (handshakes dropped, retried by" \
       "the client): $(($(listen_overflows) - overflows_before))"
  echo "host: peak RSS $(awk '/^VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$host/status)," \
       "peak threads $peak_threads, peak open descriptors $peak_fds"
  jq -r --argjson answer "$answer_ms" '"completed \(.completed) / \(.connections), errors \(.errors) \(.error_reasons),
latency p50 \(.latency_ms.p50) ms, p99 \(.latency_ms.p99) ms, max \(.latency_ms.max) ms;
added latency (minus \($answer) ms) p50 \(if .latency_ms.p50 then .latency_ms.p50 - $answer else null end) ms,
p99 \(if .latency_ms.p99 then .latency_ms.p99 - $answer else null end) ms; wall \(.wall_ms) ms"' \
    "$work/load.json"
  jq -rs '"host minus the baseline: p50 \(.[1].latency_ms.p50 - .[0].latency_ms.p50) ms," +
          " p99 \(.[1].latency_ms.p99 - .[0].latency_ms.p99) ms"' "$work/direct.json" \
    "$work/load.json" 2>/dev/null || true
  echo "fake upstream: $(curl -fsS http://127.0.0.1:18090/_stats)"
  echo "host log: $(grep -c -E ' (warning|error|critical) ' "$work/host.log" || true) warnings/errors;" \
       "first lines:"
  grep -E ' (warning|error|critical) ' "$work/host.log" | head -5 || true
  cp "$work/host.log" "/tmp/agent-host-streams-$n.log"
  stop_all
  sleep 2  # let the sockets of this run close before the next one
done
