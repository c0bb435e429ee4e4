#!/usr/bin/env bash
# Configures (once) and builds a CMake preset: debug, release or ci; an optional
# second argument builds only that target (the Docker image: messenger-server).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/messenger-ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-2G}
# Relative paths in the cache key, so fresh clones elsewhere hit the cache too.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
[ -f "build/$preset/build.ninja" ] || cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" ${2:+--target "$2"}
