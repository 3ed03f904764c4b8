#!/bin/sh
# A throwaway PostgreSQL 15 cluster for the test suite, on 127.0.0.1:5433.
#
#   sh scripts/pg-test-server.sh          start it (nothing to do if running)
#   sh scripts/pg-test-server.sh stop     stop it (the data stays for next time)
#   sh scripts/pg-test-server.sh status   exit 0 when it accepts connections
#   sh scripts/pg-test-server.sh destroy  stop it and delete its data
#
# The cluster lives in $EB_PG_DATA (default /tmp/eb-pg15), listens on
# loopback only (port $EB_PG_PORT, default 5433; its Unix socket in the data
# directory), trusts every loopback connection, and has a role `epibridge`
# (SUPERUSER LOGIN) so the tests can create a database per server:
#   EB_TEST_DB=postgres EB_PG_URL=postgres://epibridge@127.0.0.1:5433 node --test tests/api/
# PostgreSQL refuses to run as root, so as root the server programs run as
# the `postgres` user (created by Debian's postgresql package).  Never use
# this cluster for real data: there are no passwords.
set -eu
PGBIN=${EB_PGBIN:-/usr/lib/postgresql/15/bin}
DATA=${EB_PG_DATA:-/tmp/eb-pg15}
PORT=${EB_PG_PORT:-5433}
cmd=${1:-start}

[ -x "$PGBIN/pg_ctl" ] || { echo "pg-test-server: $PGBIN/pg_ctl not found (apt-get install postgresql-15)" >&2; exit 2; }

# as_pg CMD...: runs a server program as a user PostgreSQL accepts.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null; then
      runuser -u postgres -- "$@"
    else
      # su takes one command string: quote each argument
      q=""; for a in "$@"; do q="$q '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"; done
      su postgres -s /bin/sh -c "$q"
    fi
  else
    "$@"
  fi
}

ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 2; }
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }

ensure_role() {
  if [ "$(psql_admin -At -c "SELECT 1 FROM pg_roles WHERE rolname = 'epibridge'")" != 1 ]; then
    psql_admin -c "CREATE ROLE epibridge SUPERUSER LOGIN"
  fi
}

case "$cmd" in
start)
  if ready; then
    # Ours, or another server on the port: either way the tests need the role.
    if psql -X -At -h 127.0.0.1 -p "$PORT" -U epibridge -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
      echo "pg-test-server: already running on 127.0.0.1:$PORT"
      exit 0
    fi
    ensure_role
    echo "pg-test-server: running on 127.0.0.1:$PORT; role epibridge created"
    exit 0
  fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    chmod 700 "$DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
    as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$DATA/postgresql.conf" <<EOF
# scripts/pg-test-server.sh
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
max_connections = 200
EOF
  fi
  as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null || {
    echo "pg-test-server: PostgreSQL did not start; its log:" >&2
    tail -20 "$DATA/server.log" >&2
    exit 1
  }
  ensure_role
  echo "pg-test-server: started on 127.0.0.1:$PORT (data $DATA); EB_PG_URL=postgres://epibridge@127.0.0.1:$PORT"
  ;;
stop)
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
    echo "pg-test-server: stopped"
  else
    echo "pg-test-server: not running"
  fi
  ;;
status)
  if ready; then echo "pg-test-server: running on 127.0.0.1:$PORT"; else echo "pg-test-server: not running"; exit 1; fi
  ;;
destroy)
  [ -f "$DATA/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null
  rm -rf "$DATA"
  echo "pg-test-server: removed $DATA"
  ;;
*)
  echo "usage: $0 [start|stop|status|destroy]" >&2
  exit 2
  ;;
esac
