#!/usr/bin/env bash
# Runs the standard benchmark set: builds the release preset, starts a
# throwaway PostgreSQL and messenger-server on it (or SQLite with --sqlite),
# then messenger-bench with the server's pid. `--instances N` starts N servers
# on the one PostgreSQL and spreads the clients over them; `--durable` keeps
# PostgreSQL's default durability (fsync, synchronous_commit). Other arguments go
# to messenger-bench (e.g. `scripts/bench.sh rest-send --seconds 20`, `--json`).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=postgres
instances=1
durable=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sqlite) backend=sqlite ;;
    --instances) instances=$2; shift ;;
    # PostgreSQL with its own durability (fsync, synchronous_commit on), as
    # production runs it; without it the throwaway cluster has both off.
    --durable) durable=defaults ;;
    *) args+=("$1") ;;
  esac
  shift
done
bash scripts/install-deps.sh test >&2
bash scripts/build.sh release >&2
work=$(mktemp -d /tmp/messenger-bench.XXXXXX)
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  [ -n "${MESSENGER_PG_DIR:-}" ] && bash scripts/start-postgres.sh stop "$MESSENGER_PG_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$backend" = postgres ]; then
  eval "$(bash scripts/start-postgres.sh $durable)"
  database_url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path="/messenger_bench").geturl())' "$MESSENGER_TEST_POSTGRES_URL")
  psql "$MESSENGER_TEST_POSTGRES_URL" -qc "CREATE DATABASE messenger_bench" >/dev/null
else
  database_url="sqlite://$work/bench.db"
  instances=1
fi
# Sockets per user and open files are raised for idle-connections.
ulimit -n "$(ulimit -Hn)" || true
urls=()
for i in $(seq "$instances"); do
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # The load generator is one address registering and sending far beyond
  # any person: rate limits and per-address caps off. EVENT_DISPATCHER (and
  # any other option) passes through from the environment.
  DATABASE_URL="$database_url" SECRET_KEY=bench-secret-key-of-at-least-32-bytes LOG_LEVEL=warning \
    LOGIN_RATE=off REGISTER_RATE=off MESSAGE_RATE=off CHAT_CHANGE_RATE=off WS_FRAME_RATE=off \
    WS_MAX_CONNECTIONS_PER_ADDRESS=1000000 HTTP_MAX_CONNECTIONS_PER_ADDRESS=1000000 \
    build/release/server/messenger-server --host 127.0.0.1 --port "$port" --data-dir "$work/$i" \
    --ws-max-connections-per-user 10000 >&2 &
  server_pids+=($!)
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  urls+=(--url "http://127.0.0.1:$port")
done
echo >&2 "$instances messenger-server ($backend), pids ${server_pids[*]}; $(nproc) cores"
bulk=()
[ "$backend" = postgres ] && bulk=(--bulk-database-url "$database_url")
build/release/bench/messenger-bench "${urls[@]}" --server-pid "${server_pids[0]}" "${bulk[@]}" "${args[@]}"
