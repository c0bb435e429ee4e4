#!/usr/bin/env bash
# docker/ built and run for real, without a Docker engine or a registry:
# podman and buildah with runc, base images made from the Debian archive
# (mmdebstrap) and imported under the names the Dockerfile and the compose
# file use.
#  1. The image (docker/Dockerfile, --format docker so HEALTHCHECK is kept),
#     run alone on SQLite: its health check passes, two users chat (REST in,
#     WebSocket out), `podman stop` closes the socket with 1001 and the
#     container exits 0.
#  2. docker/docker-compose.yml with podman-compose: stand-in postgres:15 and
#     nginx images (tests/ops/container/), two instances; a client on each
#     instance, messages crossing both ways.
# Everything the test starts is removed at the end, also on failure; images
# stay as a cache (a cold run makes them in about 10 minutes).
# Usage: container.sh SOURCE_DIR. Exit 77 (skipped) when a tool is missing:
# scripts/install-deps.sh container installs them.
set -euo pipefail
source=$(realpath "$1")
here=$(dirname "$(realpath "$0")")

for tool in podman buildah runc mmdebstrap podman-compose curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (bash scripts/install-deps.sh container)"
    exit 77
  fi
done
if ! /usr/bin/python3 -c 'import websockets' 2>/dev/null; then
  echo "SKIP: python3-websockets is not installed (bash scripts/install-deps.sh container)"
  exit 77
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $* ($(( SECONDS )) s)"; }
# N distinct free ports on 127.0.0.1 (all held open while chosen).
free_ports() {
  /usr/bin/python3 -c 'import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))' "$1"
}

work=$(mktemp -d)
# runc: crun refuses this kind of machine's hybrid cgroups. Podman's default
# ulimits (1048576 open files) are above what the machine allows. Nothing on
# the host is configured: every podman below reads this file.
cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"

[network]
network_backend = "netavark"
EOF
export CONTAINERS_CONF=$work/containers.conf

# Names carry this shell's PID: parallel runs do not meet, and what a killed
# run left behind is recognised (its PID is gone) and removed by the next.
prefix=messenger-test
name=$prefix-$$
single=$name-single
project=$name
compose=(podman-compose -p "$project" -f "$source/docker/docker-compose.yml" -f "$work/override.yml")

# The compose project's containers with their anonymous volumes (the image's
# /data: podman-compose down would leave them), its network and named volumes.
remove_project() {
  local project=$1
  podman ps -aq --filter "label=io.podman.compose.project=$project" | xargs -r podman rm -f -v -t 0 >/dev/null
  podman network ls -q --filter "label=io.podman.compose.project=$project" | xargs -r podman network rm -f >/dev/null
  podman volume ls -q --filter "label=io.podman.compose.project=$project" | xargs -r podman volume rm -f >/dev/null
}
remove_leftovers_of_dead_runs() {
  local container project pid
  for container in $(podman ps -a --format '{{.Names}}' | grep -E "^$prefix-[0-9]+-single$" || true); do
    pid=${container#"$prefix"-}
    pid=${pid%-single}
    kill -0 "$pid" 2>/dev/null || podman rm -f -v -t 0 "$container" >/dev/null
  done
  # A project by its containers' label or by its network's and volumes' names
  # (podman-compose names them PROJECT_NAME).
  for project in $({ podman ps -a --format '{{index .Labels "io.podman.compose.project"}}'
                     podman network ls --format '{{.Name}}' | sed 's/_[^_]*$//'
                     podman volume ls --format '{{.Name}}' | sed 's/_[^_]*$//'
                   } | grep -E "^$prefix-[0-9]+$" | sort -u || true); do
    kill -0 "${project#"$prefix"-}" 2>/dev/null || remove_project "$project"
  done
}
show_logs() {
  local container
  for container in $(podman ps -a --format '{{.Names}}' \
                     | grep -E "^($single|${project}_.*)$" || true); do
    echo "=== podman logs $container (last 40 lines)"
    podman logs --tail 40 "$container" 2>&1 || true
  done
}
cleanup() {
  local status=$?
  [ "$status" -eq 0 ] || show_logs
  podman rm -f -v -t 0 "$single" >/dev/null 2>&1 || true
  remove_project "$project" 2>/dev/null
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
remove_leftovers_of_dead_runs

# The host's Debian sources as one-line entries (mmdebstrap's mirrors): the
# base images reach the same archive as this machine.
debian_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    sed -n -E 's/^deb (\[[^]]*\] )?([^ ]+) (bookworm(-updates|-security)?) (.*)$/deb \2 \3 \5/p' "$file"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk 'function flush(  n, m, i, j, u, s) {
           if (types ~ /(^| )deb( |$)/) {
             n = split(uris, u, " "); m = split(suites, s, " ")
             for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
               if (s[j] ~ /^bookworm(-updates|-security)?$/) print "deb " u[i] " " s[j] " " components
           }
           types = uris = suites = components = ""
         }
         /^[ \t]*$/ { flush(); next }
         /^#/ { next }
         /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
         /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
         /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
         /^Components:/ { sub(/^Components:[ \t]*/, ""); components = $0 }
         END { flush() }' "$file"
  done
}

# The Dockerfile's BASE_IMAGE default, made once and kept.
base_image=$(sed -n 's/^ARG BASE_IMAGE=//p' "$source/docker/Dockerfile")
[ -n "$base_image" ] || fail "docker/Dockerfile has no ARG BASE_IMAGE default"
if podman image exists "$base_image"; then
  step "base image $base_image: cached"
else
  step "base image $base_image: mmdebstrap bookworm from the machine's Debian sources"
  mapfile -t mirrors < <(debian_sources)
  [ ${#mirrors[@]} -gt 0 ] || fail "no Debian bookworm source in /etc/apt/sources.list{,.d/}"
  printf '  %s\n' "${mirrors[@]}"
  mmdebstrap --variant=minbase --quiet bookworm "$work/base.tar" "${mirrors[@]}" \
    || fail "mmdebstrap"
  # Short names are docker.io's library, as Docker reads them.
  podman import --quiet --change 'CMD ["bash"]' "$work/base.tar" "docker.io/library/$base_image" >/dev/null
  rm -f "$work/base.tar"
fi

step "podman build docker/Dockerfile (--format docker keeps HEALTHCHECK)"
podman build --format docker -f "$source/docker/Dockerfile" -t messenger-server:latest "$source" \
  >"$work/build.log" 2>&1 || { tail -60 "$work/build.log"; fail "podman build"; }
echo "  layers from cache: $(grep -c 'Using cache' "$work/build.log" || true)"
healthcheck=$(podman image inspect messenger-server:latest --format '{{json .HealthCheck}}')
grep -q '/health' <<<"$healthcheck" || fail "the image has no HEALTHCHECK: $healthcheck"

# Polls `podman healthcheck run` (no systemd here schedules it).
wait_healthy() {
  local container=$1 limit=$2 start=$SECONDS
  until podman healthcheck run "$container" >/dev/null 2>&1; do
    [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] \
      || fail "$container exited: $(podman logs --tail 20 "$container" 2>&1)"
    (( SECONDS - start < limit )) || fail "$container not healthy within $limit s"
    sleep 1
  done
  echo "  $container healthy after $(( SECONDS - start )) s"
}

step "the image alone: SQLite, published on 127.0.0.1"
port=$(free_ports 1)
podman run -d --name "$single" -p "127.0.0.1:$port:8000" \
  -e SECRET_KEY="$(openssl rand -hex 32)" messenger-server:latest >/dev/null 2>"$work/run.log" \
  || { cat "$work/run.log"; fail "podman run"; }
wait_healthy "$single" 60
/usr/bin/python3 "$here/container/chat.py" single "http://127.0.0.1:$port" \
  -- podman stop -t 30 "$single" || fail "chatting with the single container"
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$single")
[ "$exit_code" = 0 ] || fail "the container exited $exit_code after SIGTERM"
single_log=$(podman logs "$single" 2>&1)
grep -q '"message":"shutting down"' <<<"$single_log" \
  || fail "the server did not log its shutdown"
podman rm -v "$single" >/dev/null 2>&1

# Stand-ins for the official images the compose file names, built from Debian
# packages on the same base. A real image under that name is left alone.
stand_in() {
  local image=$1 folder=$2
  if podman image exists "$image" \
     && [ "$(podman image inspect --format '{{index .Labels "messenger.stand-in"}}' "$image")" != true ]; then
    echo "  $image: an image of that name exists and is not ours, used as it is"
    return
  fi
  podman build --format docker --label messenger.stand-in=true -t "docker.io/library/$image" \
    "$here/container/$folder" >"$work/build-$folder.log" 2>&1 \
    || { tail -40 "$work/build-$folder.log"; fail "podman build $folder"; }
}
postgres_image=$(sed -n 's/^    image: \(postgres:.*\)$/\1/p' "$source/docker/docker-compose.yml")
nginx_image=$(sed -n 's/^    image: \(nginx:.*\)$/\1/p' "$source/docker/docker-compose.yml")
[ -n "$postgres_image" ] && [ -n "$nginx_image" ] || fail "the compose file's postgres and nginx images not found"
step "stand-in images $postgres_image and $nginx_image"
stand_in "$postgres_image" postgres
stand_in "$nginx_image" nginx

step "podman-compose up: PostgreSQL, two instances, nginx"
# Each instance published on 127.0.0.1 too (the compose file publishes only
# nginx), so a client can be put on each.
read -r port1 port2 nginx_port <<<"$(free_ports 3)"
cat >"$work/override.yml" <<EOF
services:
  messenger1:
    ports: ["127.0.0.1:$port1:8000"]
  messenger2:
    ports: ["127.0.0.1:$port2:8000"]
EOF
export SECRET_KEY POSTGRES_PASSWORD MESSENGER_PUBLISH=127.0.0.1:$nginx_port
SECRET_KEY=$(openssl rand -hex 32)
POSTGRES_PASSWORD=$(openssl rand -hex 12)
"${compose[@]}" up -d --no-build >"$work/up.log" 2>&1 || { cat "$work/up.log"; fail "podman-compose up"; }
wait_healthy "${project}_postgres_1" 60
wait_healthy "${project}_messenger1_1" 90
wait_healthy "${project}_messenger2_1" 90
for _ in $(seq 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$nginx_port/health")" = 200 ] && break
  sleep 0.2
done
status=$(curl -s -o "$work/health.json" -w '%{http_code}' "http://127.0.0.1:$nginx_port/health")
[ "$status" = 200 ] || fail "nginx answered /health with $status: $(cat "$work/health.json")"
for instance_port in "$port1" "$port2"; do
  metrics=$(curl -s "http://127.0.0.1:$instance_port/metrics")
  grep -q '^messenger_build_info{.*backend="postgres"' <<<"$metrics" \
    || fail "the instance on $instance_port does not run on PostgreSQL"
done

step "a client on each instance, chatting live"
/usr/bin/python3 "$here/container/chat.py" pair "http://127.0.0.1:$nginx_port" \
  "http://127.0.0.1:$port1" "http://127.0.0.1:$port2" || fail "chatting across the instances"

# podman-compose 1.0.3 ignores stop_grace_period: -t gives the same 20 s.
step "podman-compose stop -t 20: the instances drain and exit 0"
"${compose[@]}" stop -t 20 >"$work/stop.log" 2>&1 || { cat "$work/stop.log"; fail "podman-compose stop"; }
for service in messenger1 messenger2; do
  exit_code=$(podman inspect --format '{{.State.ExitCode}}' "${project}_${service}_1")
  [ "$exit_code" = 0 ] || fail "$service exited $exit_code after SIGTERM"
done
echo "container: all checks passed in $SECONDS s"
