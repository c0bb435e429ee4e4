#!/usr/bin/env bash
# Runs the standard benchmark set: builds the release preset, starts a
# throwaway PostgreSQL and one messenger-server on it (or SQLite with --sqlite),
# then messenger-bench with the server's pid. Other arguments go to
# messenger-bench (e.g. `scripts/bench.sh rest-send --seconds 20`, `--json`).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=postgres
args=()
for arg in "$@"; do
  if [ "$arg" = --sqlite ]; then backend=sqlite; else args+=("$arg"); fi
done
bash scripts/install-deps.sh test >&2
bash scripts/build.sh release >&2
work=$(mktemp -d /tmp/messenger-bench.XXXXXX)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "${MESSENGER_PG_DIR:-}" ] && bash scripts/start-postgres.sh stop "$MESSENGER_PG_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$backend" = postgres ]; then
  eval "$(bash scripts/start-postgres.sh)"
  database_url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path="/messenger_bench").geturl())' "$MESSENGER_TEST_POSTGRES_URL")
  psql "$MESSENGER_TEST_POSTGRES_URL" -qc "CREATE DATABASE messenger_bench" >/dev/null
else
  database_url="sqlite://$work/bench.db"
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Sockets per user and open files are raised for idle-connections.
ulimit -n "$(ulimit -Hn)" || true
DATABASE_URL="$database_url" SECRET_KEY=bench-secret LOG_LEVEL=warning \
  build/release/server/messenger-server --host 127.0.0.1 --port "$port" --data-dir "$work" \
  --ws-max-connections-per-user 10000 &
server_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
echo >&2 "messenger-server ($backend) pid $server_pid on port $port; $(nproc) cores"
build/release/bench/messenger-bench --url "http://127.0.0.1:$port" --server-pid "$server_pid" "${args[@]}"
