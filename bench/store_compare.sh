#!/usr/bin/env bash
# Compares store_load binaries (e.g. one built from main and one from a branch) on a shared,
# noisy machine: the runs are interleaved (every binary once per round, SQLite then PostgreSQL,
# at 1 and 64 threads) and each prints the CPU time the process used per first turn (perf stat
# task-clock), which moves less with the machine's load than turns per second.
#   bench/store_compare.sh SECONDS ROUNDS STORE_LOAD...
# PostgreSQL is a throwaway local server (tests/support/postgres_server.sh, fsync on), one
# database per binary, since a newer binary may migrate the schema past what an older one opens.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=$1 rounds=$2
shift 2
command -v perf >/dev/null || { echo "store_compare.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
work=$(mktemp -d)
cleanup() {
  sh tests/support/postgres_server.sh stop "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
pg=$(sh tests/support/postgres_server.sh start "$work")
n=0
for bin in "$@"; do
  n=$((n + 1))
  sh tests/support/postgres_server.sh createdb "$work" "bench$n"
done
echo "# $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for threads in 1 64; do
    n=0
    for bin in "$@"; do
      n=$((n + 1))
      for store in sqlite postgresql; do
        if [ "$store" = sqlite ]; then
          target=$work/run.db
        else
          target="host=127.0.0.1 port=$pg dbname=bench$n user=postgres"
        fi
        line=$(perf stat -x, -e task-clock -o "$work/perf" "$bin" "$store" "$target" "$threads" \
          "$seconds" 2>/dev/null | grep '^{' || true)
        cpu_ms=$(grep task-clock "$work/perf" | cut -d, -f1)
        turns=$(printf '%s' "$line" | sed -n 's/.*"turns":\([0-9]*\).*/\1/p')
        per_turn=$(awk -v ms="$cpu_ms" -v t="${turns:-0}" 'BEGIN { printf "%.0f", t ? ms * 1000 / t : 0 }')
        echo "round $round $(basename "$bin") $line cpu_us_per_turn=$per_turn load=$(cut -d' ' -f1 /proc/loadavg)"
        rm -f "$work"/run.db*
      done
    done
  done
done
