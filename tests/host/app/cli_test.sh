#!/usr/bin/env bash
# The agent-host command line: versions, help, check-plugin and clear failures with exit codes.
#   cli_test.sh <agent-host binary> <fixture plugin dir> <source dir>
set -uo pipefail
source "$(dirname "$0")/../../support/start_host.sh"
host=$1 fixtures=$2 src=$3
failures=0
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null' EXIT

# expect <name> <wanted exit code> <text the output must contain> -- <command...>
expect() {
  local name=$1 code=$2 text=$3
  shift 4
  local out status
  out=$(timeout 20 "$@" 2>&1)
  status=$?
  if [ "$status" -ne "$code" ] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL: $name (exit $status, wanted $code; wanted text: $text)"
    echo "$out" | head -20
    failures=$((failures + 1))
  else
    echo "ok: $name"
  fi
}

expect "--version names the host and ABI versions" 0 "(plugin ABI 1.1)" -- "$host" --version
expect "--help lists every option" 0 "--plugins-dir" -- "$host" --help
expect "--help mentions check-plugin" 0 "check-plugin FILE" -- "$host" --help
expect "an unknown option is a usage error" 2 "unrecognised option" -- "$host" --no-such-flag
expect "an unknown command is a usage error" 2 "unknown command" -- "$host" frobnicate
expect "check-plugin prints a good plugin's manifest" 0 '"id": "echo"' -- \
  "$host" check-plugin "$fixtures/echo_provider.so"
expect "check-plugin names the reason a file is refused" 1 "not a shared library" -- \
  "$host" check-plugin "$fixtures/not_a_library.so"
expect "check-plugin names both ABI versions" 1 "host implements ABI 1.1" -- \
  "$host" check-plugin "$fixtures/broken_abi_major_2.so"
echo '{"http": {"port": "eighty"}}' >"$work/bad.json"
expect "a bad config file is named with the field" 1 "http.port" -- "$host" --config "$work/bad.json"
echo '{"http": {"max_json_depth": 1000}}' >"$work/deep.json"
expect "an out-of-range request cap refuses to start, naming the key and its range" 1 \
  "http.max_json_depth must be an integer 1..256" -- \
  "$host" --config "$work/deep.json" --port 0 --agents-dir "$work" --store-path "$work/deep.db"
echo '{"http": {"max_header_fields": 500}}' >"$work/fields.json"
expect "a header field cap above Poco's parser limit refuses to start" 1 \
  "http.max_header_fields must be an integer 1..100" -- \
  "$host" --config "$work/fields.json" --port 0 --agents-dir "$work" --store-path "$work/fields.db"
expect "a missing config file is reported" 1 "cannot read config file" -- \
  "$host" --config "$work/missing.json"
expect "an unknown log level is refused" 1 "unknown log level" -- \
  "$host" --config "$src/config/host.json" --log-level loud --port 0

# sign-plugin writes a detached signature that a host with trusted keys accepts.
mkdir -p "$work/signed/plugins" "$work/signed/agents"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/private.pem" 2>/dev/null
openssl pkey -in "$work/private.pem" -pubout -out "$work/public.pem" 2>/dev/null
cp "$fixtures/echo_provider.so" "$fixtures/plain_c_personality.so" "$work/signed/plugins/"
expect "sign-plugin writes FILE.sig" 0 "echo_provider.so.sig" -- \
  "$host" sign-plugin --key "$work/private.pem" "$work/signed/plugins/echo_provider.so"
expect "sign-plugin without a readable key fails clearly" 1 "cannot read the key" -- \
  "$host" sign-plugin --key "$work/none.pem" "$work/signed/plugins/echo_provider.so"
expect "sign-plugin needs --key" 2 "wrong arguments" -- \
  "$host" sign-plugin "$work/signed/plugins/echo_provider.so"
echo "{\"plugins\": {\"trusted_keys\": [\"$work/public.pem\"]}}" >"$work/signed/host.json"
if start_host "$work/signed.log" "$host" --config "$work/signed/host.json" \
    --plugins-dir "$work/signed/plugins" --agents-dir "$work/signed/agents"; then
  plugins=$(curl -fsS "http://127.0.0.1:$HOST_PORT/plugins")
  if grep -q '"id":"echo"' <<<"$plugins" && grep -q 'unsigned' <<<"$plugins"; then
    echo "ok: with trusted keys the signed plugin loads and the unsigned one is refused"
  else
    echo "FAIL: signed plugins: $plugins"; failures=$((failures + 1))
  fi
  kill -TERM "$HOST_PID"; wait "$HOST_PID"
else
  failures=$((failures + 1))
fi

# hash-key: the key on stdin, the digest for auth.api_keys on stdout (README "Authentication").
key=0123456789abcdef0123456789abcdef
want="sha256:$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
expect "hash-key prints the sha256 digest of the key read on stdin" 0 "$want" -- \
  bash -c "echo '$key' | '$host' hash-key"
expect "hash-key refuses a short key" 1 "at least 32 characters" -- \
  bash -c "echo short | '$host' hash-key"
expect "hash-key --generate prints a new key and its hash" 0 "hash: sha256:" -- \
  "$host" hash-key --generate

# Secure by default: beyond loopback without auth the host refuses to start, --insecure serves.
expect "a non-loopback bind without auth refuses to start and names the fix" 1 "--insecure" -- \
  "$host" --config "$src/config/host.json" --bind 0.0.0.0 --port 0 --agents-dir "$work" \
    --store-path "$work/insecure.db"
if start_host "$work/insecure.log" "$host" --config "$src/config/host.json" --bind 0.0.0.0 \
    --insecure --agents-dir "$work" --store-path "$work/insecure.db"; then
  if curl -fsS "http://127.0.0.1:$HOST_PORT/health" >/dev/null &&
      grep -q "without authentication" "$work/insecure.log"; then
    echo "ok: --insecure serves a non-loopback bind without auth, with a warning"
  else
    echo "FAIL: --insecure host"; failures=$((failures + 1))
  fi
  kill -TERM "$HOST_PID"; wait "$HOST_PID"
else
  failures=$((failures + 1))
fi

# A port already in use: start one host, then a second on the same port.
if ! start_host "$work/first.log" "$host" --config "$src/config/host.json" --agents-dir "$work" \
    --store-path "$work/agent-host.db"; then
  failures=$((failures + 1))
else
  pid=$HOST_PID port=$HOST_PORT
  # A peer that hangs up must fail a write, not kill the host: main ignores SIGPIPE (the one
  # place that sets it; libraries leave signal dispositions alone). SIGPIPE is signal 13, bit 12
  # of the SigIgn mask.
  sigign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$pid/status")
  if (( (16#$sigign >> 12) & 1 )); then echo "ok: the host process ignores SIGPIPE"; else
    echo "FAIL: SIGPIPE is not ignored (SigIgn $sigign)"; failures=$((failures + 1)); fi
  expect "a port in use is a clear start-up error" 1 "in use" -- \
    "$host" --config "$src/config/host.json" --port "$port" --agents-dir "$work" \
      --store-path "$work/agent-host.db"
  # SIGTERM stops the host cleanly.
  kill -TERM "$pid"
  if wait "$pid"; then echo "ok: SIGTERM stops the host with exit 0"; else
    echo "FAIL: SIGTERM exit code $?"; failures=$((failures + 1)); fi
  grep -q "host: stopped" "$work/first.log" || { echo "FAIL: no stop log line"; failures=$((failures + 1)); }
  pid=
fi

[ "$failures" -eq 0 ] && echo "cli: all checks passed" || { echo "cli: $failures failed"; exit 1; }
