#!/usr/bin/env bash
# The Debian packages as a user gets them (packaging/, README Operations):
# built with cpack from this build tree, inspected with dpkg-deb and lintian,
# the server package unpacked and run (check-config, /health, its PID file),
# the systemd unit verified, logrotate's file run against the running server,
# the desktop entry validated.
# Usage: packages.sh BUILD_DIR SOURCE_DIR. Exit 77 (skipped) when a tool is
# missing: scripts/install-deps.sh test installs them all.
set -euo pipefail
build=$(realpath "$1")
source=$(realpath "$2")

for tool in cpack dpkg-deb dpkg-shlibdeps lintian systemd-analyze desktop-file-validate logrotate curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (bash scripts/install-deps.sh test)"
    exit 77
  fi
done

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

step "cpack -G DEB"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 \
  || { cat "$work/cpack.log"; fail "cpack"; }
server_deb=$(ls "$work"/out/messenger-server_*.deb)
desktop_deb=$(ls "$work"/out/messenger-desktop_*.deb)

step "dpkg-deb -I"
server_info=$(dpkg-deb -I "$server_deb")
echo "$server_info" | grep -E '^ (Package|Version|Depends|Section):'
# dpkg-shlibdeps filled Depends with the libraries the binary links.
echo "$server_info" | grep -E '^ Depends:.*libqt6core6.*' >/dev/null || fail "server Depends lacks libqt6core6"
echo "$server_info" | grep -E '^ Depends:.*libsodium23' >/dev/null || fail "server Depends lacks libsodium23"
echo "$server_info" | grep -E '^ Depends:.*libqt6sql6-sqlite' >/dev/null || fail "server Depends lacks the SQLite driver"
echo "$server_info" | grep -E '^ Depends:.*adduser' >/dev/null || fail "server Depends lacks adduser"
conffiles=$(dpkg-deb -I "$server_deb" conffiles)
grep -qx /etc/messenger/server.env <<<"$conffiles" || fail "server.env is not a conffile: $conffiles"
grep -qx /etc/logrotate.d/messenger-server <<<"$conffiles" || fail "the logrotate file is not a conffile"
dpkg-deb -I "$server_deb" postinst | grep -q 'adduser --system --group --home /var/lib/messenger' \
  || fail "postinst does not create the messenger user"
desktop_info=$(dpkg-deb -I "$desktop_deb")
echo "$desktop_info" | grep -E '^ Depends:.*libqt6widgets6.*' >/dev/null || fail "desktop Depends lacks libqt6widgets6"
echo "$desktop_info" | grep -E '^ Depends:.*qt6-qpa-plugins' >/dev/null || fail "desktop Depends lacks the platform plugins"

step "dpkg-deb -c"
files_of() { dpkg-deb -c "$1" | awk '{print $6}' | grep -v '/$' | sort; }
expected_server=$(printf '%s\n' ./etc/logrotate.d/messenger-server ./etc/messenger/server.env \
  ./lib/systemd/system/messenger-server.service ./usr/bin/messenger-server \
  ./usr/share/doc/messenger-server/changelog.gz ./usr/share/doc/messenger-server/copyright | sort)
[ "$(files_of "$server_deb")" = "$expected_server" ] \
  || fail "server files differ: $(diff <(echo "$expected_server") <(files_of "$server_deb"))"
expected_desktop=$(printf '%s\n' ./usr/bin/messenger-cli ./usr/bin/messenger-desktop \
  ./usr/share/applications/messenger-desktop.desktop \
  ./usr/share/icons/hicolor/256x256/apps/messenger.png \
  ./usr/share/icons/hicolor/scalable/apps/messenger.svg \
  ./usr/share/doc/messenger-desktop/changelog.gz ./usr/share/doc/messenger-desktop/copyright | sort)
[ "$(files_of "$desktop_deb")" = "$expected_desktop" ] \
  || fail "desktop files differ: $(diff <(echo "$expected_desktop") <(files_of "$desktop_deb"))"

step "lintian (errors fail, warnings are shown)"
lintian --fail-on error --allow-root "$server_deb" "$desktop_deb" || fail "lintian found errors"

step "the unpacked server: --check-config, start, /health, PID file"
root=$work/root
dpkg-deb -x "$server_deb" "$root"
dpkg-deb -x "$desktop_deb" "$root"
server=$root/usr/bin/messenger-server
mkdir -p "$work/data" "$work/log" "$work/run"
export DATA_DIR=$work/data PID_FILE=$work/run/server.pid LOG_FILE=$work/log/server.log
"$server" --check-config --port 0 || fail "--check-config of the unpacked server"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$server" --port "$port" &
server_pid=$!
for _ in $(seq 200); do
  [ -s "$PID_FILE" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited: $(cat "$LOG_FILE")"
  sleep 0.1
done
[ "$(cat "$PID_FILE" 2>/dev/null)" = "$server_pid" ] || fail "PID_FILE does not hold $server_pid"
status=$(curl -s -o "$work/health.json" -w '%{http_code}' "http://127.0.0.1:$port/health")
[ "$status" = 200 ] || fail "GET /health answered $status: $(cat "$work/health.json")"

step "systemd-analyze verify"
# Offline: the unit as installed, but ExecStart on the unpacked binary (verify
# wants it to exist) and in a folder of its own.
mkdir -p "$work/units"
sed "s|^ExecStart=/usr/bin/messenger-server|ExecStart=$server|" \
  "$root/lib/systemd/system/messenger-server.service" >"$work/units/messenger-server.service"
verify_output=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
  "$work/units/messenger-server.service" 2>&1) || { echo "$verify_output"; fail "systemd-analyze verify"; }
if grep -i 'messenger-server.service' <<<"$verify_output"; then
  fail "systemd-analyze verify has remarks on the unit"
fi

step "logrotate -d, then a forced rotation the running server follows"
# The installed file with its paths moved to this test's folders and, where
# no messenger user exists, the current user in its place.
user=messenger
id messenger >/dev/null 2>&1 || user=$(id -un)
group=$(id -gn "$user")
sed -e "s|/var/log/messenger|$work/log|g" -e "s|/run/messenger/server.pid|$PID_FILE|g" \
  -e "s|messenger messenger|$user $group|g" "$root/etc/logrotate.d/messenger-server" >"$work/logrotate.conf"
chmod 0644 "$work/logrotate.conf"
logrotate -d -s "$work/logrotate.state" "$work/logrotate.conf" >"$work/logrotate-d.log" 2>&1 \
  || { cat "$work/logrotate-d.log"; fail "logrotate -d"; }
grep -q "rotating pattern: $work/log/\*.log" "$work/logrotate-d.log" || { cat "$work/logrotate-d.log"; fail "logrotate -d did not consider the log"; }
logrotate -f -s "$work/logrotate.state" "$work/logrotate.conf" || fail "logrotate -f"
[ -s "$work/log/server.log.1" ] || fail "server.log was not rotated"
# After SIGHUP the server writes to the new server.log: a request's line lands there.
for _ in $(seq 100); do
  curl -s -o /dev/null -H 'X-Request-Id: after-rotation' "http://127.0.0.1:$port/health"
  grep -q after-rotation "$work/log/server.log" 2>/dev/null && break
  sleep 0.1
done
grep -q after-rotation "$work/log/server.log" || fail "the server did not reopen its log after logrotate"
kill -TERM "$server_pid"
wait "$server_pid" || fail "the server did not stop cleanly on SIGTERM"
server_pid=
[ ! -e "$PID_FILE" ] || fail "PID_FILE is still there after the server stopped"

step "desktop-file-validate"
desktop_file=$root/usr/share/applications/messenger-desktop.desktop
desktop-file-validate "$desktop_file" || fail "desktop-file-validate"
icon=$(sed -n 's/^Icon=//p' "$desktop_file")
[ -f "$root/usr/share/icons/hicolor/scalable/apps/$icon.svg" ] || fail "no scalable icon named $icon"
file "$root/usr/share/icons/hicolor/256x256/apps/$icon.png" 2>/dev/null | grep -q '256 x 256' \
  || [ "$(od -An -tu1 -j16 -N8 "$root/usr/share/icons/hicolor/256x256/apps/$icon.png" | tr -s ' ')" = " 0 0 1 0 0 0 1 0" ] \
  || fail "the PNG icon is not 256x256"

echo "packages: all checks passed"
