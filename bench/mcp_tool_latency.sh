#!/usr/bin/env bash
# Added latency of one MCP tool round-trip through the host's plugin path versus the official
# TypeScript SDK client calling the same server directly, over stdio and Streamable HTTP, against
# the reference server-everything (tests/node_modules). Each client runs in turn, never at once.
#   bench/mcp_tool_latency.sh [calls]     (default 2000)
# Builds the release preset (PRESET=dev uses the dev build, also -O2). Record the figures in
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-2000}
[ -d tests/node_modules/@modelcontextprotocol/server-everything ] ||
  npm ci --prefix tests --no-audit --no-fund >/dev/null
preset=${PRESET:-release}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target mcp_tool_latency tool_mcp >/dev/null
server=$PWD/tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js
bench_tool=build/$preset/bin/mcp_tool_latency
plugins=build/$preset/plugins

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$port node "$server" streamableHttp >/dev/null 2>&1 &
http_server=$!
trap 'kill $http_server 2>/dev/null; wait $http_server 2>/dev/null' EXIT
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  sleep 0.1
done
url=http://127.0.0.1:$port/mcp

# The direct client resolves the SDK from tests/node_modules (ESM ignores NODE_PATH).
ln -sf "$PWD/bench/mcp_direct_client.mjs" tests/.mcp_direct_client.mjs
trap 'rm -f tests/.mcp_direct_client.mjs; kill $http_server 2>/dev/null; wait $http_server 2>/dev/null' EXIT
for transport in stdio http; do
  target=$([ "$transport" = stdio ] && echo "$server" || echo "$url")
  node --preserve-symlinks-main tests/.mcp_direct_client.mjs "$calls" "$transport" "$target"
  "$bench_tool" "$plugins" "$calls" "$transport" "$target"
done
# The HTTP host path again with the keep-alive pool off: what connection reuse saves per call.
MCP_BENCH_NO_REUSE=1 "$bench_tool" "$plugins" "$calls" http "$url"
