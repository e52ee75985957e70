#!/usr/bin/env bash
# deb_package_test.sh <build dir>: builds the .deb packages from this build tree with CPack, checks
# what they hold and declare, then runs the host from the unpacked agent-host package (its own
# plugins and config, nothing from the build tree) and has it answer a chat turn.
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/start_host.sh"
work=$(mktemp -d)
trap 'kill "$HOST_PID" 2>/dev/null; wait "$HOST_PID" 2>/dev/null; rm -rf "$work"' EXIT
HOST_PID=

prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; exit 1; }
host_deb=$(ls "$work"/out/agent-host_*.deb)
sdk_deb=$(ls "$work"/out/agent-host-sdk_*.deb)

fail() { echo "FAIL: $*"; exit 1; }
listing=$(dpkg-deb -c "$host_deb")
for path in "$prefix/bin/agent-host" "$prefix/lib/agent-host/plugins/provider_offline.so" \
            "$prefix/etc/agent-host/host.json" "$prefix/etc/agent-host/agents/agent_alpha.json" \
            "$prefix/lib/systemd/system/agent-host.service"; do
  # /usr/etc is /etc for a /usr prefix (GNUInstallDirs); check the path the host compiled in.
  [ "$prefix" = /usr ] && path=${path/#\/usr\/etc/\/etc}
  grep -q " \.$path\$" <<<"$listing" || fail "$host_deb lacks $path"
done
# Listings are read whole before grep: grep -q stopping early would kill dpkg-deb (pipefail).
sdk_listing=$(dpkg-deb -c "$sdk_deb")
grep -q "include/agent_sdk/agent_plugin.h$" <<<"$sdk_listing" || fail "the SDK package lacks agent_plugin.h"
depends=$(dpkg-deb -f "$host_deb" Depends)
for library in libpoconet libpocodatasqlite libpocodatapostgresql libhiredis libspdlog libboost-program-options; do
  grep -q "$library" <<<"$depends" || fail "Depends lacks $library: $depends"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$host_deb" | tar -xO ./conffiles)
grep -q "/agent-host/host.json$" <<<"$conffiles" || fail "host.json is not a conffile"
unit=$(dpkg-deb --fsys-tarfile "$host_deb" | tar -xO ".$prefix/lib/systemd/system/agent-host.service")
grep -q "^ExecStart=$prefix/bin/agent-host " <<<"$unit" || fail "the unit's ExecStart: $unit"

# The unpacked package serves the default agents on its own.
dpkg-deb -x "$host_deb" "$work/root"
etc="$work/root$prefix/etc/agent-host"
[ "$prefix" = /usr ] && etc="$work/root/etc/agent-host"
start_host "$work/host.log" "$work/root$prefix/bin/agent-host" --config "$etc/host.json" \
  --plugins-dir "$work/root$prefix/lib/agent-host/plugins" --store-path "$work/data/host.db"
answer=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"user_id":"deb","message":"What is diversification?"}' \
  "http://127.0.0.1:$HOST_PORT/agents/agent_alpha/chat")
grep -q '"conversation_id"' <<<"$answer" || fail "no chat answer from the packaged host: $answer"
[ -s "$work/data/host.db" ] || fail "the packaged host did not store the turn in --store-path"
echo "ok: $(basename "$host_deb") and $(basename "$sdk_deb")"
