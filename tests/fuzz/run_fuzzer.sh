#!/usr/bin/env bash
# run_fuzzer.sh <fuzzer> <seed dir> <seconds>: one bounded libFuzzer run. New inputs go to a
# scratch corpus beside the binary (never into the seeds in the source tree); a crash leaves
# its input in <binary dir>/artifacts/ and fails the test with libFuzzer's report.
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3
work="$(dirname "$fuzzer")/work/$(basename "$fuzzer")"
mkdir -p "$work/corpus" "$work/artifacts"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds"
