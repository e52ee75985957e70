# Sourced by shell tests: start_host LOG ARGS... starts agent-host on a free port (--port 0) with
# ARGS, waits until it listens, and sets HOST_PID and HOST_PORT. Returns 1 (log printed) if the
# host does not come up within 30 s (generous: the asan preset and a loaded machine are slow).
start_host() {
  local log=$1
  shift
  : >"$log"  # exists before the first look at it, even if the shell forks the host late
  "$@" --port 0 >>"$log" 2>&1 &
  HOST_PID=$!
  HOST_PORT=
  for _ in $(seq 300); do
    HOST_PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log")
    [ -n "$HOST_PORT" ] && return 0
    sleep 0.1
  done
  echo "the host did not start:"
  cat "$log"
  return 1
}
