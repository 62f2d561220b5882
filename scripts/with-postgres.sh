#!/usr/bin/env bash
# Run a command with OPENKAP_TEST_DATABASE_URL pointing at a PostgreSQL server: the one given,
# the one on 127.0.0.1:5432, or a throwaway server started for this run and removed after it.
set -euo pipefail

if [ -n "${OPENKAP_TEST_DATABASE_URL:-}" ]; then
  exec "$@"
fi
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  export OPENKAP_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
  exec "$@"
fi

bindir=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
datadir=$(mktemp -d /tmp/openkap-pg.XXXXXX)
port=55432
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root.
  chown postgres "$datadir"
  run_as=(runuser -u postgres --)
fi
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$datadir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$datadir"
}
trap cleanup EXIT
"${run_as[@]}" "$bindir/initdb" -D "$datadir/data" -U postgres --auth=trust >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/log" -w \
  -o "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
echo "Started a throwaway PostgreSQL server on 127.0.0.1:$port for this run."
export OPENKAP_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
"$@"
