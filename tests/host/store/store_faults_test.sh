#!/usr/bin/env bash
# Store faults against a real agent-host, each with a clear error and nothing lost or corrupted:
#   store_faults_test.sh <agent-host> <source dir> postgres-restart|unwritable|disk-full
# postgres-restart: PostgreSQL stopped while the host serves -> 503 store_unavailable with
#   Retry-After (a cached conversation stays readable); restarted -> served again, no restart.
# unwritable: the data directory is not writable -> the host refuses to start, naming it.
# disk-full: a file-size limit (prlimit --fsize) stands for a full disk -> 507 store_full; every
#   acknowledged turn is kept and PRAGMA integrity_check passes.
set -euo pipefail
host=$1 src=$2 fault=$3
source "$src/tests/support/start_host.sh"
work=$(mktemp -d)
pg=
cleanup() {
  [ -n "${HOST_PID:-}" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null || true
  [ -n "$pg" ] && sh "$src/tests/support/postgres_server.sh" stop "$work" || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$work/host.log" ] && tail -n 20 "$work/host.log"; exit 1; }

chat() {  # chat BODY -> prints "STATUS BODY"
  curl -s -o "$work/answer" -D "$work/headers" -w '%{http_code}' --max-time 20 \
    -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:$HOST_PORT/agents/agent_alpha/chat"
}
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$work/answer"; }
config() {
  cat >"$work/host.json" <<JSON
{"agents_dir": "$src/config/agents", "log_level": "info", "store": $1}
JSON
}

case $fault in
postgres-restart)
  pg=$(sh "$src/tests/support/postgres_server.sh" start "$work")
  sh "$src/tests/support/postgres_server.sh" createdb "$work" faults
  config "{\"type\": \"postgresql\", \"connection\": \"host=127.0.0.1 port=$pg dbname=faults user=postgres connect_timeout=2\", \"acquire_timeout_ms\": 2000}"
  start_host "$work/host.log" "$host" --config "$work/host.json"
  [ "$(chat '{"user_id": "u", "message": "first"}')" = 200 ] || fail "the first turn failed"
  conversation=$(field conversation_id)
  sh "$src/tests/support/postgres_server.sh" stop "$work"
  status=$(chat "{\"user_id\": \"u\", \"message\": \"while down\", \"conversation_id\": \"$conversation\"}")
  [ "$status" = 503 ] || fail "with PostgreSQL down a turn answered $status, not 503"
  grep -q '"code":"store_unavailable"' "$work/answer" || fail "no store_unavailable code: $(cat "$work/answer")"
  grep -qi '^Retry-After: ' "$work/headers" || fail "no Retry-After on 503"
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HOST_PORT/conversations/$conversation")
  # The conversation is in the host's context cache, so it stays readable (issue 5: "reads from
  # cache where possible").
  [ "$status" = 200 ] || fail "reading a cached conversation with PostgreSQL down answered $status"
  new_port=$(sh "$src/tests/support/postgres_server.sh" start "$work")
  [ "$new_port" = "$pg" ] || { echo "SKIP-like: PostgreSQL came back on another port"; exit 1; }
  recovered=
  for _ in $(seq 50); do
    status=$(chat "{\"user_id\": \"u\", \"message\": \"after\", \"conversation_id\": \"$conversation\"}")
    [ "$status" = 200 ] && { recovered=1; break; }
    sleep 0.2
  done
  [ -n "$recovered" ] || fail "the host did not recover after PostgreSQL came back ($status)"
  curl -s "http://127.0.0.1:$HOST_PORT/conversations/$conversation" >"$work/stored"
  grep -q '"message_count":4' "$work/stored" || fail "expected 4 messages: $(cat "$work/stored")"
  grep -q '"content":"while down"' "$work/stored" && fail "a refused turn was stored"
  echo "PostgreSQL down: 503 store_unavailable; back: served again without a restart"
  ;;
unwritable)
  mkdir -p "$work/data"
  config '{"type": "sqlite", "path": "data/agent-host.db"}'
  if [ "$(id -u)" = 0 ]; then
    # Root writes anywhere: run the host as nobody, who cannot write the root-owned folder.
    chmod 755 "$work" "$work/data"
    run=(setpriv --reuid=nobody --regid=nogroup --clear-groups "$host")
  else
    chmod 555 "$work/data"
    run=("$host")
  fi
  set +e
  "${run[@]}" --config "$work/host.json" --port 0 >"$work/host.log" 2>&1
  code=$?
  set -e
  [ "$code" = 1 ] || fail "the host exited with $code, not 1"
  grep -q "agent-host.db" "$work/host.log" || fail "the error does not name the database file"
  grep -qi "readonly\|read-only\|unable to open\|permission\|cannot" "$work/host.log" ||
    fail "the error does not say why"
  echo "not writable: refused to start: $(grep -i 'agent-host:' "$work/host.log" | tail -n 1)"
  ;;
disk-full)
  config '{"type": "sqlite", "path": "data/agent-host.db"}'
  # A 2 MiB file-size limit for the host: the database (or its WAL) hits it after some turns.
  # Set once the host serves (prlimit on the running process), since at start-up the host copies
  # each plugin into its content-addressed cache, and a plugin is larger than 2 MiB.
  start_host "$work/host.log" "$host" --config "$work/host.json"
  prlimit --pid "$HOST_PID" --fsize=$((2 * 1024 * 1024)) || fail "prlimit failed"
  long=$(head -c 3000 /dev/zero | tr '\0' 'x')
  acked=0 full=0 conversation=
  for turn in $(seq 1 3000); do
    body="{\"user_id\": \"u\", \"message\": \"$turn $long\"}"
    [ -n "$conversation" ] && body="{\"user_id\": \"u\", \"message\": \"$turn $long\", \"conversation_id\": \"$conversation\"}"
    status=$(chat "$body")
    if [ "$status" = 200 ]; then
      acked=$((acked + 1))
      conversation=$(field conversation_id)
    elif [ "$status" = 507 ]; then
      grep -q '"code":"store_full"' "$work/answer" || fail "507 without store_full"
      full=1
      break
    else
      fail "turn $turn answered $status: $(cat "$work/answer")"
    fi
  done
  [ "$full" = 1 ] || fail "the file-size limit was never reached"
  echo "507 store_full after $acked turns: $(cat "$work/answer")"
  # Still serving reads.
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HOST_PORT/conversations/$conversation?limit=1000")
  [ "$status" = 200 ] || fail "reads failed after the disk filled ($status)"
  kill "$HOST_PID"; wait "$HOST_PID" 2>/dev/null || true; HOST_PID=
  check=$(sqlite3 "$work/data/agent-host.db" 'PRAGMA integrity_check')
  [ "$check" = ok ] || fail "integrity_check: $check"
  # Without the limit, everything acknowledged is there and the host stores turns again.
  start_host "$work/host.log" "$host" --config "$work/host.json"
  curl -s "http://127.0.0.1:$HOST_PORT/conversations/$conversation?limit=1000" >"$work/stored"
  grep -q "\"message_count\":$((acked * 2))" "$work/stored" ||
    fail "expected $((acked * 2)) messages: $(head -c 300 "$work/stored")"
  [ "$(chat "{\"user_id\": \"u\", \"message\": \"again\", \"conversation_id\": \"$conversation\"}")" = 200 ] ||
    fail "no turn stored after the limit went away"
  echo "disk full: 507, integrity ok, all $acked acknowledged turns kept"
  ;;
*) echo "unknown fault $fault"; exit 2 ;;
esac
