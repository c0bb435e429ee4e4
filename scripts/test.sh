#!/usr/bin/env bash
# Installs what is missing, builds the ci preset, starts a throwaway
# PostgreSQL, runs ctest (extra arguments go to ctest) and returns its status.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/install-deps.sh test
bash scripts/build.sh ci
eval "$(bash scripts/start-postgres.sh)"
trap 'bash scripts/start-postgres.sh stop "$MESSENGER_PG_DIR"' EXIT
status=0
ctest --test-dir build/ci --output-on-failure -j2 --timeout 600 "$@" || status=$?
echo "scripts/test.sh finished in $(( $(date +%s) - start )) s with status $status"
exit $status
