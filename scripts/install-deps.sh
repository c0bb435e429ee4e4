#!/usr/bin/env bash
# The one list of Debian 12 packages the project needs (Docker reuses it).
# Usage: scripts/install-deps.sh [build|server|test|fuzz|runtime|container]. Installs only what is missing.
# server: what the server alone needs to build (the `server` preset, the container image).
# container: podman and what tests/ops/container.sh needs to build and run docker/ without a
# Docker engine (runc: crun refuses hybrid cgroups; netavark and aardvark-dns: the compose
# network and its service names; mmdebstrap: base images from the Debian archive).
set -euo pipefail
set_name=${1:-build}
build=(cmake ninja-build g++ ccache pkg-config qt6-base-dev qt6-httpserver-dev qt6-websockets-dev
       libqt6sql6-psql libqt6sql6-sqlite qt6-l10n-tools qt6-tools-dev qt6-svg-dev libsodium-dev libpq-dev qtkeychain-qt6-dev
       qt6-translations-l10n
       qt6-qpa-plugins)
server=(cmake ninja-build g++ ccache pkg-config qt6-base-dev qt6-httpserver-dev qt6-websockets-dev
        libsodium-dev libpq-dev)
test=("${build[@]}" postgresql postgresql-client python3 python3-jwt python3-websockets curl openssl
      nginx-light docker-compose chromium clang-format
      lintian desktop-file-utils logrotate systemd)
fuzz=("${build[@]}" clang-14 libclang-rt-14-dev)
container=(podman buildah runc conmon uidmap netavark aardvark-dns iptables mmdebstrap podman-compose
           python3-websockets curl)
runtime=(libqt6core6 libqt6gui6 libqt6network6 libqt6sql6 libqt6sql6-psql libqt6sql6-sqlite libqt6httpserver6
         libqt6websockets6 libqt6concurrent6 libsodium23 libpq5 ca-certificates curl)
case "$set_name" in
  build) packages=("${build[@]}") ;;
  server) packages=("${server[@]}") ;;
  test) packages=("${test[@]}") ;;
  fuzz) packages=("${fuzz[@]}") ;;
  runtime) packages=("${runtime[@]}") ;;
  container) packages=("${container[@]}") ;;
  *) echo "usage: $0 [build|server|test|fuzz|runtime|container]" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
