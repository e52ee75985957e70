#!/usr/bin/env bash
# The API keys never leak: the real agent-host binary, at its most verbose log level (trace),
# with keys from the environment, drives the openai and anthropic plugins against the fake
# upstream through successes, retries (429, 500, 529), rejected keys (a second secret holding a
# WRONG key), a cut connection, malformed data, timeouts, streaming, fallback and /v1. Then
# everything the host logged and every HTTP response it sent (heads and bodies) is searched for
# both keys: nothing. The log must show the retries and the rejected key, so the search looked at
# a log that saw the faults.
# With "json" as third argument the host logs JSON lines (--log-format json): then every line must
# also parse as JSON, and the lines of one request carry its request id (the access line and the
# upstream call of the plugin's HTTP client).
#   api_key_leak_test.sh <agent-host binary> <source dir> [text|json]
#   (KEEP=1 keeps the log and responses)
set -uo pipefail
host=$1 src=$2 log_format=${3:-text}
source "$src/tests/support/start_host.sh"

KEY="sk-fake-test-key-DO-NOT-LOG-1234"
WRONG="sk-wrong-key-MUST-NOT-LOG-5678"
work=$(mktemp -d)
fake_pid=
cleanup() {
  [ -n "${HOST_PID:-}" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The fake upstream, knowing only the right key.
node "$src/tests/fake_upstream/server.js" --port 0 --api-key "$KEY" >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!
fake_port=
for _ in $(seq 100); do
  fake_port=$(sed -n 's/^LISTENING \([0-9]*\)$/\1/p' "$work/fake.out")
  [ -n "$fake_port" ] && break
  sleep 0.1
done
if [ -z "$fake_port" ]; then
  echo "the fake upstream did not start:"
  cat "$work/fake.err"
  exit 1
fi
fake="http://127.0.0.1:$fake_port"

# Keys only in the environment; the config names the variables.
mkdir -p "$work/agents" "$work/responses"
cat >"$work/host.json" <<'EOF'
{
  "http": {"bind": "127.0.0.1", "port": 0, "io_timeout_ms": 5000},
  "agents_dir": "agents",
  "secrets": {
    "openai_api_key": {"env": "LEAK_TEST_OPENAI_KEY"},
    "anthropic_api_key": {"env": "LEAK_TEST_ANTHROPIC_KEY"},
    "wrong_key": {"env": "LEAK_TEST_WRONG_KEY"}
  }
}
EOF
retry='{"max_attempts": 3, "initial_backoff_ms": 50, "max_backoff_ms": 200}'
# agent <id> <provider json> [fallback providers json]
agent() {
  cat >"$work/agents/$1.json" <<EOF
{"id": "$1", "display_name": "$1", "description": "leak test", "personality": "analytical",
 "domain": "technical_support", "provider": $2, "fallback_providers": ${3:-[]}}
EOF
}
# openai|anthropic [more config keys, after a comma]
openai() {
  echo "{\"id\": \"openai\", \"config\": {\"base_url\": \"$fake/v1\", \"model\": \"gpt-test\",
    \"retry\": $retry ${1:-}}}"
}
anthropic() {
  echo "{\"id\": \"anthropic\", \"config\": {\"base_url\": \"$fake\", \"model\": \"claude-test\",
    \"retry\": $retry ${1:-}}}"
}
short=', "first_byte_timeout_ms": 500, "idle_timeout_ms": 500'
agent oa "$(openai)"
agent oa_plain "$(openai ', "stream": false')"
agent oa_wrong "$(openai ', "api_key_secret": "wrong_key"')"
agent oa_short "$(openai "$short")"
agent claude "$(anthropic)"
agent claude_wrong "$(anthropic ', "api_key_secret": "wrong_key"')"
agent claude_short "$(anthropic "$short")"
agent oa_chain "$(openai)" "[$(anthropic)]"

export LEAK_TEST_OPENAI_KEY=$KEY LEAK_TEST_ANTHROPIC_KEY=$KEY LEAK_TEST_WRONG_KEY=$WRONG
if ! start_host "$work/host.log" "$host" --config "$work/host.json" --log-level trace \
  --log-format "$log_format"; then
  exit 1
fi
base="http://127.0.0.1:$HOST_PORT"
unset LEAK_TEST_OPENAI_KEY LEAK_TEST_ANTHROPIC_KEY LEAK_TEST_WRONG_KEY

# request <wanted status> <method> <path> [json body]: keeps the whole response (head and body).
n=0
request() {
  local want=$1 method=$2 path=$3 body=${4:-}
  n=$((n + 1))
  local out="$work/responses/$n.txt"
  local args=(-sS -i --max-time 20 -X "$method" "$base$path")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  curl "${args[@]}" >"$out" 2>&1
  local status
  status=$(head -1 "$out" | awk '{print $2}')
  if [ "$status" != "$want" ]; then
    fail "$method $path $body: status ${status:-none}, wanted $want"
    head -c 2000 "$out"
    echo
  fi
}
# chat <wanted status> <agent> <message> [stream]
chat() {
  local stream=false
  [ "${4:-}" = stream ] && stream=true
  request "$1" POST "/agents/$2/chat" \
    "{\"user_id\": \"u1\", \"message\": \"$3\", \"stream\": $stream}"
}
# A streamed turn that fails answers 200 and an error event with the status it maps to.
stream_error() {
  chat 200 "$2" "$3" stream
  grep -q "\"status\":$1" "$work/responses/$n.txt" || fail "stream of '$3' has no $1 error event"
}

chat 200 oa "hello"
chat 200 oa "hello streamed" stream
chat 200 oa_plain "hello in one body"
chat 200 claude "hello claude"
chat 200 claude "hello claude streamed" stream
chat 200 oa "[[status:429]][[times:1]][[retry_after:0]] rate limited once"
chat 200 oa "[[status:500]][[times:2]] broken twice"
chat 502 oa "[[status:500]] broken for good"
chat 200 claude "[[status:529]][[times:1]] overloaded once"
chat 200 claude "[[status:429]][[times:1]][[retry_after:0]] claude rate limited once"
chat 502 oa_wrong "with the wrong key"
chat 502 claude_wrong "with the wrong key"
stream_error 502 oa_wrong "wrong key, streamed"
chat 502 oa "[[cut]] a b c d e"
stream_error 502 oa "[[cut]] f g h i j"
chat 502 oa_plain "[[cut]] half a body"
chat 502 oa "[[malformed]] garbled"
chat 502 oa_plain "[[malformed]] garbled body"
chat 502 claude "[[malformed]] garbled claude"
chat 504 oa_short "[[delay:5000]] slow first byte"
chat 504 oa_short "[[stall]] stalled"
stream_error 504 claude_short "[[stall]] stalled claude"
chat 502 claude "[[stream_error:overloaded_error]] claude errs mid-stream"
chat 200 oa_chain "[[status:503]][[times:3]][[retry_after:0]] fall back to claude"
grep -q '"provider":"anthropic"' "$work/responses/$n.txt" || fail "the fallback did not answer"
request 200 POST /v1/chat/completions \
  '{"model": "oa", "messages": [{"role": "user", "content": "via v1"}]}'
request 200 POST /v1/chat/completions \
  '{"model": "claude", "stream": true, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "via v1 streamed"}]}'
request 200 POST /v1/chat/completions \
  '{"model": "oa", "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}], "messages": [{"role": "user", "content": "[[tool:f:{\"x\":1}]] call f"}]}'
request 502 POST /v1/chat/completions \
  '{"model": "oa_wrong", "messages": [{"role": "user", "content": "v1 with the wrong key"}]}'
request 502 POST /v1/chat/completions \
  '{"model": "claude_wrong", "stream": true, "messages": [{"role": "user", "content": "v1 streamed, wrong key"}]}'
for path in /health /agents /agents/oa /agents/claude_wrong /plugins /v1/models; do
  request 200 GET "$path"
done

# The keys really were in use: the fake received both.
curl -sS --max-time 10 "$fake/_requests" >"$work/upstream_requests.json"
grep -qF -- "$KEY" "$work/upstream_requests.json" || fail "the fake never received the right key"
grep -qF -- "$WRONG" "$work/upstream_requests.json" || fail "the fake never received the wrong key"

# Stop the host, so the log is complete (shutdown lines included).
kill -TERM "$HOST_PID"
wait "$HOST_PID" || fail "the host did not exit cleanly"
HOST_PID=

# The log saw the faults.
debug_line=" debug "
[ "$log_format" = json ] && debug_line='"level":"debug"'
for text in "retrying in" "(HTTP 429)" "(HTTP 500)" "(HTTP 529)" "rejected the API key" \
  "first-byte timeout" "idle timeout" "trying provider 'anthropic'" "$debug_line" "host: stopped"; do
  grep -qF -- "$text" "$work/host.log" || fail "the log has no \"$text\""
done

# Neither key, nor a distinctive piece of one, anywhere.
for secret in "$KEY" "$WRONG" "DO-NOT-LOG" "MUST-NOT-LOG"; do
  if grep -rnF -- "$secret" "$work/host.log" "$work/responses"; then
    fail "\"$secret\" leaked (above)"
  fi
done

if [ "$log_format" = json ]; then
  # The first chat's request id, from its response head.
  first_id=$(tr -d '\r' <"$work/responses/1.txt" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: //p' | head -1)
  node -e '
    const [file, id] = process.argv.slice(1);
    const lines = require("fs").readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
    let mine = [];
    lines.forEach((line, i) => {
      let entry;
      try { entry = JSON.parse(line); } catch (e) { console.log(`line ${i + 1} is not JSON: ${line}`); process.exit(1); }
      for (const key of ["time", "level", "logger", "request_id", "message"]) {
        if (!(key in entry)) { console.log(`line ${i + 1} has no ${key}: ${line}`); process.exit(1); }
      }
      if (entry.request_id === id) mine.push(entry.message);
    });
    const access = mine.some((m) => m.includes("POST /agents/oa/chat 200"));
    const upstream = mine.some((m) => m.includes("/v1/chat/completions -> 200"));
    if (!access || !upstream) { console.log(`request ${id}: access ${access}, upstream ${upstream}:`, mine); process.exit(1); }
  ' "$work/host.log" "$first_id" || fail "the JSON log lines are not all JSON or lack the request id"
fi

lines=$(wc -l <"$work/host.log")
echo "checked $lines log lines and $n responses"
[ "$failures" -eq 0 ] && echo "api key leak: all checks passed" || {
  echo "api key leak: $failures failed"
  exit 1
}
