#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on a free loopback port, as an
# unprivileged user, and prints `export` lines for the tests.
# Stop and remove it with: scripts/start-postgres.sh stop DIR
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
if [ "${1:-}" = stop ]; then
  dir=$2
  runas=$(stat -c %U "$dir")
  su_cmd() { if [ "$(id -u)" -eq 0 ]; then su "$runas" -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
  su_cmd "$bin/pg_ctl -D '$dir/data' stop -m immediate" >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
dir=$(mktemp -d /tmp/messenger-pg.XXXXXX)
runas=$(id -un)
if [ "$(id -u)" -eq 0 ]; then runas=postgres; chown postgres "$dir"; fi
su_cmd() { if [ "$(id -u)" -eq 0 ]; then su "$runas" -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
su_cmd "$bin/initdb -D '$dir/data' -A trust -U messenger_admin --no-sync" >"$dir/initdb.log" 2>&1
su_cmd "$bin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start" >/dev/null
echo "export MESSENGER_TEST_POSTGRES_URL=postgres://messenger_admin@127.0.0.1:$port/postgres"
echo "export MESSENGER_PG_DIR=$dir"
