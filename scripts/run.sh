#!/usr/bin/env bash
# Installs what is missing, builds the release preset and starts the server on
# SQLite at 127.0.0.1:8000. Arguments are passed to messenger-server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
bash scripts/build.sh release
exec build/release/server/messenger-server --host 127.0.0.1 --port 8000 "$@"
