#!/usr/bin/env bash
# The cost of the metrics registry on the request path: ns to record one request (counter by
# route/method/status, latency histogram, in-flight gauge) on 1 and 2 threads.
#   bench/metrics_cost.sh [requests per thread]     (default 2,000,000)
#   PRESET=dev bench/metrics_cost.sh               (dev is also -O2; no release build needed)
# Builds the preset's (release by default) metrics_cost tool. Record the figures in
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${PRESET:-release}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target metrics_cost >/dev/null
"build/$preset/bench/metrics_cost" "${1:-2000000}"
