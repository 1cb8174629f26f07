#!/usr/bin/env bash
# tests/support/pg_cluster.sh start|stop DIR [durable]: a throwaway PostgreSQL 15 cluster for the server tests (the
# ctest fixture "pg_cluster"; tests/support/server_backends.h). It lives in DIR (under /tmp: the postgres
# user needs no access to the checkout), listens only on the unix socket DIR/.s.PGSQL.5432, trusts local
# connections as "postgres" and runs without fsync (throwaway; "durable": with fsync and synchronous
# commits, as a real deployment, for the benchmark). initdb refuses to run as root, so as root
# the cluster runs as the postgres user. `stop` kills it (immediate) and removes DIR; `start` first stops a
# cluster an interrupted run left in DIR. Without PostgreSQL 15 installed, start says so and succeeds: the
# PostgreSQL tests then skip with that reason.
set -euo pipefail
cmd="${1:?start|stop}"; dir="${2:?DIR}"; mode="${3:-}"
bin=/usr/lib/postgresql/15/bin
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "$cmd" in
  start)
    if [ ! -x "$bin/initdb" ]; then
      echo "pg_cluster: PostgreSQL 15 is not installed ($bin/initdb); the PostgreSQL tests will skip"
      exit 0
    fi
    stop
    mkdir -m 700 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    opts="-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300"
    [ "$mode" = durable ] || opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -s -o "$opts" start || { cat "$dir/log" >&2; exit 1; }
    echo "pg_cluster: PostgreSQL 15 on $dir/.s.PGSQL.5432"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
