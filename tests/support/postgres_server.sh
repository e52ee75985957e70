#!/bin/sh
# A throwaway PostgreSQL cluster for tests, on loopback and a random free port, in a folder the
# caller removes afterwards.
#   postgres_server.sh start DIR     initdb into DIR/pg (first time) and start; prints the port
#   postgres_server.sh stop DIR      stop immediately (the cluster stays, start brings it back)
#   postgres_server.sh createdb DIR NAME
# PostgreSQL refuses to run as root: as root the cluster belongs to `nobody`.
set -eu
cmd=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres_server.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
  else
    "$@"
  fi
}
data=$dir/pg/data

case $cmd in
start)
  if [ ! -d "$data" ]; then
    mkdir -p "$dir/pg"
    if [ "$(id -u)" = 0 ]; then
      chown nobody:nogroup "$dir/pg"
      chmod o+x "$dir"
    fi
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --no-sync -E UTF8 \
      >"$dir/pg/initdb.log" 2>&1 || { cat "$dir/pg/initdb.log" >&2; exit 1; }
  fi
  # A restart keeps its port when it can (clients reconnect to the same address); otherwise a
  # random one, which another process may take first, so try a few.
  previous=$(cat "$dir/pg/port" 2>/dev/null || true)
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
    [ "$attempt" = 1 ] && [ -n "$previous" ] && port=$previous
    if as_owner "$bin/pg_ctl" -D "$data" -l "$dir/pg/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir/pg' \
            -c max_connections=200 -c fsync=on" >/dev/null 2>&1; then
      echo "$port" >"$dir/pg/port"
      echo "$port"
      exit 0
    fi
  done
  echo "postgres_server.sh: the server did not start:" >&2
  tail -n 20 "$dir/pg/server.log" >&2
  exit 1
  ;;
stop)
  [ -f "$data/postmaster.pid" ] || exit 0
  as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null
  ;;
createdb)
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$(cat "$dir/pg/port")" -U postgres "$3"
  ;;
*)
  echo "usage: postgres_server.sh start|stop DIR | createdb DIR NAME" >&2
  exit 2
  ;;
esac
