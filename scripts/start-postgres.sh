#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on a free loopback port, as an
# unprivileged user, and prints `export` lines for the tests.
# Stop and remove it with: scripts/start-postgres.sh stop DIR
# Take it down and bring it back (an outage, for fault tests):
#   scripts/start-postgres.sh pause DIR; scripts/start-postgres.sh resume DIR
# `scripts/start-postgres.sh durable` keeps synchronous_commit on, so a crash
# (pause stops it the way a crash would) loses no acknowledged commit; the
# default trades that for speed (fsync and synchronous_commit off).
# `scripts/start-postgres.sh defaults` keeps PostgreSQL's own durability
# settings (fsync, synchronous_commit, full_page_writes on), as production
# runs it: for benchmarks.
# `scripts/start-postgres.sh tls` also serves TLS (ssl=on) with a certificate
# for localhost and 127.0.0.1 signed by a throwaway CA whose file it prints as
# MESSENGER_PG_CA.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
start_cluster() { # dir port
  sync=off
  [ -e "$1/durable" ] && sync=on
  durability="-c fsync=off -c synchronous_commit=$sync -c full_page_writes=off"
  [ -e "$1/defaults" ] && durability=""
  [ -e "$1/server.crt" ] && durability="$durability -c ssl=on -c ssl_cert_file=$1/server.crt -c ssl_key_file=$1/server.key"
  su_cmd "$bin/pg_ctl -D '$1/data' -l '$1/server.log' -w -o \"-p $2 -k $1 -c listen_addresses=127.0.0.1 $durability -c max_connections=300\" start" >/dev/null
}
if [ "${1:-}" = stop ] || [ "${1:-}" = pause ] || [ "${1:-}" = resume ]; then
  dir=$2
  runas=$(stat -c %U "$dir")
  su_cmd() { if [ "$(id -u)" -eq 0 ]; then su "$runas" -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
  case "$1" in
    stop)
      su_cmd "$bin/pg_ctl -D '$dir/data' stop -m immediate" >/dev/null 2>&1 || true
      rm -rf "$dir" ;;
    pause) su_cmd "$bin/pg_ctl -D '$dir/data' stop -m immediate" >/dev/null 2>&1 ;;
    resume) start_cluster "$dir" "$(cat "$dir/port")" ;;
  esac
  exit 0
fi
dir=$(mktemp -d /tmp/messenger-pg.XXXXXX)
runas=$(id -un)
if [ "$(id -u)" -eq 0 ]; then runas=postgres; chown postgres "$dir"; fi
su_cmd() { if [ "$(id -u)" -eq 0 ]; then su "$runas" -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
su_cmd "$bin/initdb -D '$dir/data' -A trust -U messenger_admin --no-sync" >"$dir/initdb.log" 2>&1
echo "$port" >"$dir/port"
[ "${1:-}" = durable ] && touch "$dir/durable"
[ "${1:-}" = defaults ] && touch "$dir/defaults"
if [ "${1:-}" = tls ]; then
  ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
  openssl req -x509 $ec -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 7 -subj "/CN=messenger test CA" 2>/dev/null
  openssl req $ec -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 7 -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null
  chmod 600 "$dir/server.key"
  if [ "$(id -u)" -eq 0 ]; then chown "$runas" "$dir/server.key" "$dir/server.crt"; fi
fi
start_cluster "$dir" "$port"
if [ -e "$dir/ca.crt" ]; then echo "export MESSENGER_PG_CA=$dir/ca.crt"; fi
echo "export MESSENGER_TEST_POSTGRES_URL=postgres://messenger_admin@127.0.0.1:$port/postgres"
echo "export MESSENGER_PG_DIR=$dir"
