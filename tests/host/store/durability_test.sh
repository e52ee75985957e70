#!/usr/bin/env bash
# No acknowledged message is lost: concurrent chat turns run against a real agent-host, the host
# is killed with SIGKILL in the middle of them, restarted on the same store, and every turn that
# got a 2xx must be there (both messages, in its conversation).
#   durability_test.sh <agent-host> <source dir> sqlite|postgresql
set -euo pipefail
host=$1 src=$2 backend=$3
source "$src/tests/support/start_host.sh"
work=$(mktemp -d)
pg=
cleanup() {
  [ -n "${HOST_PID:-}" ] && kill -9 "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null || true
  [ -n "$pg" ] && sh "$src/tests/support/postgres_server.sh" stop "$work" || true
  rm -rf "$work"
}
trap cleanup EXIT

case $backend in
sqlite) store='{"type": "sqlite", "path": "data/agent-host.db"}' ;;
postgresql)
  pg=$(sh "$src/tests/support/postgres_server.sh" start "$work")
  sh "$src/tests/support/postgres_server.sh" createdb "$work" durability
  store="{\"type\": \"postgresql\", \"connection\": \"host=127.0.0.1 port=$pg dbname=durability user=postgres\"}"
  ;;
*) echo "unknown backend $backend"; exit 2 ;;
esac
cat >"$work/host.json" <<JSON
{"agents_dir": "$src/config/agents", "log_level": "info", "store": $store}
JSON

start_host "$work/host1.log" "$host" --config "$work/host.json"
url=http://127.0.0.1:$HOST_PORT

# Each worker runs one conversation and appends "<conversation> <turn text>" to its own file for
# every 2xx; it stops at the first failure (the host is gone).
worker() {
  local n=$1 conversation="" body answer
  for turn in $(seq 1 100000); do
    local text="worker $n turn $turn"
    if [ -z "$conversation" ]; then
      body="{\"user_id\": \"u$n\", \"message\": \"$text\"}"
    else
      body="{\"user_id\": \"u$n\", \"message\": \"$text\", \"conversation_id\": \"$conversation\"}"
    fi
    answer=$(curl -sf --max-time 10 -H 'Content-Type: application/json' -d "$body" \
      "$url/agents/agent_alpha/chat") || return 0
    conversation=$(printf '%s' "$answer" | sed -n 's/.*"conversation_id":"\([^"]*\)".*/\1/p')
    echo "$conversation $text" >>"$work/acked.$n"
  done
}
for n in 1 2 3 4 5 6 7 8; do worker "$n" & done
# Kill once turns are flowing on every worker.
for _ in $(seq 200); do
  [ "$(cat "$work"/acked.* 2>/dev/null | wc -l)" -ge 80 ] && break
  sleep 0.05
done
kill -9 "$HOST_PID"
wait "$HOST_PID" 2>/dev/null || true
wait $(jobs -p) 2>/dev/null || true
acked=$(cat "$work"/acked.* | wc -l)
echo "acknowledged turns before SIGKILL: $acked"
[ "$acked" -ge 8 ] || { echo "too few turns were acknowledged to test anything"; cat "$work/host1.log"; exit 1; }

start_host "$work/host2.log" "$host" --config "$work/host.json"
url=http://127.0.0.1:$HOST_PORT
missing=0
for conversation in $(cat "$work"/acked.* | cut -d' ' -f1 | sort -u); do
  stored=$(curl -sf "$url/conversations/$conversation?limit=1000") || {
    echo "conversation $conversation is gone"; missing=$((missing + 1)); continue; }
  while read -r id text; do
    [ "$id" = "$conversation" ] || continue
    printf '%s' "$stored" | grep -qF "\"content\":\"$text\"" ||
      { echo "lost: $conversation $text"; missing=$((missing + 1)); }
  done < <(cat "$work"/acked.*)
  count=$(printf '%s' "$stored" | sed -n 's/.*"message_count":\([0-9]*\).*/\1/p')
  roles=$(printf '%s' "$stored" | grep -o '"role":"[a-z]*"' | wc -l)
  [ "$count" = "$roles" ] || { echo "conversation $conversation counts $count messages, holds $roles"; missing=$((missing + 1)); }
  [ $((count % 2)) = 0 ] || { echo "conversation $conversation holds half a turn"; missing=$((missing + 1)); }
done
[ "$missing" = 0 ] || { echo "$missing acknowledged turns or counts are wrong"; exit 1; }
echo "every acknowledged turn survived SIGKILL ($backend)"
