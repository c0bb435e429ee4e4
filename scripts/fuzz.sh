#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan, UBSan; the `fuzz` preset) and runs
# each for SECONDS (default 60), starting from the seed corpus in fuzz/corpus.
# The corpus grows in build/fuzz/corpus (the repo's seeds stay as they are);
# a crash stops its target and leaves the input in build/fuzz/findings/.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
bash scripts/install-deps.sh fuzz
bash scripts/build.sh fuzz
status=0
for pair in fuzz_requests:requests fuzz_ws_command:ws-commands; do
  target=${pair%%:*}
  corpus=${pair#*:}
  work=build/fuzz/corpus/$corpus
  findings=build/fuzz/findings/$target
  mkdir -p "$work" "$findings"
  echo "== $target, $seconds s"
  "build/fuzz/fuzz/$target" "$work" "fuzz/corpus/$corpus" -max_total_time="$seconds" \
    -artifact_prefix="$findings/" -print_final_stats=1 || status=$?
done
exit $status
