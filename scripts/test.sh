#!/usr/bin/env bash
# Installs what is missing, builds the ci preset, starts a throwaway
# PostgreSQL, runs ctest (extra arguments go to ctest) and returns its status.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/install-deps.sh test
# podman and its tools: the `container` test builds and runs docker/ with them.
bash scripts/install-deps.sh container
# Formatting before building: every tracked C++ source as clang-format (with
# the repo's .clang-format) would leave it; fix with clang-format -i.
format_status=0
violations=$(git ls-files -z -- '*.cpp' '*.h' | xargs -0 clang-format --dry-run --Werror 2>&1) || format_status=$?
if [ "$format_status" -ne 0 ]; then
  unformatted=$(printf '%s\n' "$violations" | sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
  echo "clang-format: these files are not formatted (clang-format -i them):" >&2
  printf '%s\n' "${unformatted:-$violations}" >&2
  exit 1
fi
# MESSENGER_TEST_PRESET=asan runs the suite under ASan and UBSan instead.
preset=${MESSENGER_TEST_PRESET:-ci}
if [ "$preset" = asan ]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
bash scripts/build.sh "$preset"
# The tools the docs and contract tests run (tests/package.json), installed
# exactly as locked when node_modules is missing or the lock changed since
# (the stamp is the lock the installation was made from).
if ! cmp -s tests/package-lock.json tests/node_modules/.installed-from-lock.json; then
  npm ci --prefix tests --prefer-offline --no-audit --no-fund
  cp tests/package-lock.json tests/node_modules/.installed-from-lock.json
fi
eval "$(bash scripts/start-postgres.sh)"
trap 'bash scripts/start-postgres.sh stop "$MESSENGER_PG_DIR"' EXIT
status=0
ctest --test-dir "build/$preset" --output-on-failure -j2 --timeout 600 "$@" || status=$?
echo "scripts/test.sh finished in $(( $(date +%s) - start )) s with status $status"
exit $status
