#!/usr/bin/env bash
# A plugin built out of tree: install the SDK into a temp prefix, build a separate CMake project
# that only sees that prefix, put its plugins in a plugins folder, start the host and chat with an
# agent made of them.
#   out_of_tree_test.sh <source dir> <build dir> <out-of-tree project dir>
set -euo pipefail
source "$(dirname "$0")/../support/start_host.sh"
src=$1 build=$2 project=$3
work=$(mktemp -d)
cleanup() {
  [ -n "${HOST_PID:-}" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "--- host log:"; cat "$work/host.log" 2>/dev/null || true' ERR

echo "== install the SDK into $work/prefix"
cmake --install "$build" --component sdk --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/agent_sdk/agent_plugin.h"
test -f "$work/prefix/lib/cmake/AgentSDK/AgentSDKConfig.cmake"

echo "== build the third-party project against it"
cmake -S "$project" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release
cmake --build "$work/build"

echo "== check-plugin accepts both"
"$build/bin/agent-host" check-plugin "$work/build/pirate_personality.so" | grep -q '"id": "pirate"'
"$build/bin/agent-host" check-plugin "$work/build/open_domain.so" | grep -q '"kind": "domain"'

echo "== the host picks them up from its plugins folder"
mkdir -p "$work/plugins" "$work/agents"
cp "$build"/plugins/*.so "$work/build/pirate_personality.so" "$work/build/open_domain.so" "$work/plugins/"
cat >"$work/agents/buccaneer.json" <<'JSON'
{"id": "buccaneer", "personality": "pirate", "domain": "open", "provider": "offline"}
JSON
start_host "$work/host.log" "$build/bin/agent-host" --config "$src/config/host.json" \
  --plugins-dir "$work/plugins" --agents-dir "$work/agents" --store-path "$work/agent-host.db"
port=$HOST_PORT
curl -fsS "http://127.0.0.1:$port/plugins" | grep -q '"id":"pirate"'
reply=$(curl -fsS -X POST "http://127.0.0.1:$port/agents/buccaneer/chat" \
  -H 'Content-Type: application/json' -d '{"user_id":"u1","message":"Where is the treasure?"}')
echo "$reply"
echo "$reply" | grep -q '"agent_id":"buccaneer"'
echo "$reply" | grep -q 'salty'
echo "out-of-tree plugins: OK"
