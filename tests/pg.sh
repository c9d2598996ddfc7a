#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests.
#
#   tests/pg.sh start DIR   creates (first time) and starts a server whose data,
#                           socket and log live in DIR; trusts connections from
#                           127.0.0.1 only, on a free loopback port; creates the
#                           database stats_test; prints its URI as the last line
#                           of stdout and writes it to DIR/uri.  Already running:
#                           just prints the URI.  Started again after a stop, it
#                           takes its previous port back if that is free.
#   tests/pg.sh stop DIR    stops it (nothing running: nothing to do).
#   tests/pg.sh restart DIR `pg_ctl restart -m fast`: ends every session, starts
#                           again on the same port; returns once it accepts
#                           connections.
#
# PostgreSQL refuses to run as root: when run as root, the server's commands
# run as the user `postgres`, who owns DIR.  Progress goes to stderr.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DB_NAME=stats_test

usage() { echo "usage: $0 start|stop|restart DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(realpath -m "$2")

# Runs a command as the server's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_running() {
  [ -f "$dir/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

# A loopback port nothing listens on (the server start retries if one gets taken meanwhile).
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  exit 1
}

# As root, DIR is made by and for `postgres`, who must also be able to reach it
# through its parent folders (mktemp makes them 0700): those get o+x (traverse only).
prepare_dir() {
  if [ "$(id -u)" -ne 0 ]; then
    mkdir -p "$dir"
    return
  fi
  mkdir -p "$(dirname "$dir")"
  local d
  d=$(dirname "$dir")
  while [ "$d" != / ]; do
    runuser -u postgres -- test -x "$d" || chmod o+x "$d"
    d=$(dirname "$d")
  done
  install -d -o postgres -g postgres -m 700 "$dir"
}

init_cluster() {
  echo "initialising a PostgreSQL cluster in $dir" >&2
  local out
  if ! out=$(as_owner "$PG_BIN/initdb" -D "$dir" -U postgres -E UTF8 --locale=C \
             --auth-local=trust --auth-host=trust 2>&1); then
    echo "$out" >&2
    exit 1
  fi
  # Trust the owner's socket and 127.0.0.1, nothing else.
  as_owner tee "$dir/pg_hba.conf" >/dev/null <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_owner tee -a "$dir/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
EOF
}

start_server() {
  local port previous=""
  [ -f "$dir/uri" ] && previous=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$dir/uri")
  for _ in 1 2 3; do
    port=${previous:-$(free_port)}
    previous=""
    if as_owner "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-p $port" start >/dev/null; then
      echo "postgresql://postgres@127.0.0.1:$port/$DB_NAME" | as_owner tee "$dir/uri" >/dev/null
      return
    fi
  done
  tail -n 20 "$dir/server.log" >&2
  exit 1
}

create_database() {
  local port
  port=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$dir/uri")
  local psql=("$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
  if [ -z "$(as_owner "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
    as_owner "${psql[@]}" -c "CREATE DATABASE $DB_NAME" >/dev/null
  fi
}

case $action in
start)
  if ! is_running; then
    prepare_dir
    [ -f "$dir/PG_VERSION" ] || init_cluster
    start_server
    create_database
    echo "PostgreSQL running on $(cat "$dir/uri")" >&2
  fi
  cat "$dir/uri"
  ;;
restart)
  is_running || { echo "no PostgreSQL running in $dir" >&2; exit 1; }
  as_owner "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -m fast -w restart >/dev/null
  ;;
stop)
  if is_running; then
    as_owner "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    echo "PostgreSQL in $dir stopped" >&2
  fi
  ;;
*)
  usage
  ;;
esac
