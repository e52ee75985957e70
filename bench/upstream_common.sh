# Shared by bench/upstream_latency.sh and bench/streams_in_flight.sh (sourced from the repository
# root): builds the release preset, starts the fake OpenAI upstream (tests/fake_upstream) on
# 127.0.0.1:18090 and the host on 127.0.0.1:18081, records the request the provider sends
# upstream, and stops what it started when the script exits.

for tool in wrk jq; do
  command -v $tool >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq $tool; }
done
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null

work=$(mktemp -d)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

# start_fake_and_host CONFIG HOST_LOG: sets fake_pid and host_pid; the host's environment gets
# BENCH_HOST_ENV (NAME=VALUE words) when set. Fails when either is not up within 10 s.
start_fake_and_host() {
  node tests/fake_upstream/server.js --port 18090 >"$work/fake.out" 2>"$work/fake.err" &
  fake_pid=$!
  pids+=("$fake_pid")
  # shellcheck disable=SC2086  # BENCH_HOST_ENV is a list of NAME=VALUE words
  env ${BENCH_HOST_ENV:-} build/release/bin/agent-host --config "$1" >"$2" 2>&1 &
  host_pid=$!
  pids+=("$host_pid")
  for _ in $(seq 100); do
    curl -fsS http://127.0.0.1:18081/health >/dev/null 2>&1 && grep -q LISTENING "$work/fake.out" &&
      return 0
    sleep 0.1
  done
  echo "the fake upstream or the host did not start; see $2 and $work/fake.err" >&2
  return 1
}

# record_upstream_request AGENT MESSAGE FILE: one chat turn through the host; the request body the
# provider sent to the fake goes to FILE (from the fake's /_requests log).
record_upstream_request() {
  curl -fsS -X POST http://127.0.0.1:18090/_reset >/dev/null
  curl -fsS "http://127.0.0.1:18081/agents/$1/chat" -H 'Content-Type: application/json' \
    -d "$(jq -cn --arg m "$2" '{user_id: "bench-user", message: $m}')" >/dev/null
  curl -fsS "http://127.0.0.1:18090/_requests?last=1" | jq -c '.[0].body' >"$3"
}
