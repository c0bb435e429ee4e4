#!/usr/bin/env bash
# Installs what is missing, builds the release preset and starts the server on
# SQLite at 127.0.0.1:8000 (data in ./data). When a display is present it also
# opens the desktop client (MESSENGER_NO_CLIENT=1 skips it); closing the client
# leaves the server running until Ctrl+C. Arguments are passed to messenger-server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
bash scripts/build.sh release
server=(build/release/server/messenger-server --host 127.0.0.1 --port 8000 "$@")
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "${MESSENGER_NO_CLIENT:-0}" = 1 ]; then
  exec "${server[@]}"
fi
"${server[@]}" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/8000) 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || exit 1
  sleep 0.1
done
build/release/client/messenger-desktop || true
echo "The desktop client closed; the server keeps running at http://127.0.0.1:8000 (Ctrl+C stops it)."
wait "$server_pid"
