#!/usr/bin/env bash
# The project's test bed: a real Docker engine, two real registries and a Kubernetes control plane
# (scripts/cluster.sh), started as plain background processes (there is no systemd here); the
# browser (scripts/browser.sh) and the sshd (scripts/sshd.sh) the tests start themselves are
# installed too.
#
#   scripts/test-infra.sh up      install what is missing, start everything, build the base image
#   scripts/test-infra.sh down    stop everything and remove the state directory
#   scripts/test-infra.sh status  say what is running
#   scripts/test-infra.sh env     print the exports the tests use (eval "$(scripts/test-infra.sh env)")
#
# Everything listens on 127.0.0.1 only. dockerd runs with its own socket, data and exec dirs and
# with --iptables=false --ip-forward=false, so the host's network and any other engine are left alone.
#
# The toolchain is a hosted agent's: Docker Engine and CLI 26.1.5, the Compose v2 and buildx plugins
# in /usr/libexec/docker/cli-plugins (all from Debian 13, through scripts/debian-suite.sh, cached
# under ~/.cache/outerloop-testbed/docker-26), with Debian 12's containerd and runc. Debian 12's
# Compose v1 stays installed for the legacy path (scripts/without-plugins.sh hides the plugins for it).
# The tests run the 26.1.5 CLI: `env` puts its folder first on PATH, and test/support/testbed.ts does
# the same for every docker command and task the tests start.
set -euo pipefail

STATE_DIR=${OUTERLOOP_INFRA_DIR:-/tmp/outerloop-test-infra}
DOCKER_SOCK="$STATE_DIR/docker.sock"
OPEN_REGISTRY=127.0.0.1:5000
AUTH_REGISTRY=127.0.0.1:5001
AUTH_USER=outerloop
BASE_IMAGE=outerloop-test/busybox:latest
TLS_HOST=127.0.0.1:2376
PACKAGES=(containerd runc docker-registry docker-compose busybox-static apache2-utils openssl)
# Debian 13's packages, unpacked (never installed) into TOOLCHAIN_DIR.
TOOLCHAIN_PACKAGES=(docker.io docker-cli docker-compose docker-buildx)
TOOLCHAIN_DIR=${OUTERLOOP_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/outerloop-testbed}/docker-26
CLI_DIR="$TOOLCHAIN_DIR/cli"
PLUGIN_DIR=/usr/libexec/docker/cli-plugins
SCRIPTS_DIR=$(cd "$(dirname "$0")" && pwd)

log() { printf 'test-infra: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

docker_cmd() { DOCKER_HOST="unix://$DOCKER_SOCK" "$CLI_DIR/docker" "$@"; }

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "these packages are missing and installing them needs root: ${missing[*]}"
  # Package scripts must not start services: there is no init system to own them.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Unpacks Debian 13's engine, CLI and plugins once (a warm run finds the marker and does nothing),
# links the CLI alone into CLI_DIR (the package's usr/bin also holds a v2 `docker-compose`, which must
# not shadow v1), and copies the plugins where hosted agents keep them.
install_toolchain() {
  local marker="$TOOLCHAIN_DIR/.unpacked"
  if [ "$(cat "$marker" 2>/dev/null)" != "${TOOLCHAIN_PACKAGES[*]}" ]; then
    log "unpacking ${TOOLCHAIN_PACKAGES[*]} (Debian 13) into $TOOLCHAIN_DIR"
    rm -rf "$TOOLCHAIN_DIR"
    "$SCRIPTS_DIR/debian-suite.sh" extract "$TOOLCHAIN_DIR" "${TOOLCHAIN_PACKAGES[@]}" || die "could not unpack the Docker 26 toolchain"
    mkdir -p "$CLI_DIR"
    ln -sf "$TOOLCHAIN_DIR/usr/bin/docker" "$CLI_DIR/docker"
    echo "${TOOLCHAIN_PACKAGES[*]}" >"$marker"
  fi
  local p
  for p in docker-compose docker-buildx; do
    if ! cmp -s "$TOOLCHAIN_DIR/usr/libexec/docker/cli-plugins/$p" "$PLUGIN_DIR/$p"; then
      # scripts/without-plugins.sh mounts an empty read-only folder here for the legacy run: leave it so.
      if [ -d "$PLUGIN_DIR" ] && ! [ -w "$PLUGIN_DIR" ] && grep -q " $PLUGIN_DIR .* ro[, ]" /proc/mounts; then continue; fi
      [ "$(id -u)" = 0 ] || die "installing the $p plugin in $PLUGIN_DIR needs root"
      install -D -m 755 "$TOOLCHAIN_DIR/usr/libexec/docker/cli-plugins/$p" "$PLUGIN_DIR/$p"
    fi
  done
}

# A CA, a server certificate for 127.0.0.1 and a client certificate, for the --tlsverify listener.
write_tls_certs() {
  local dir="$STATE_DIR/tls"
  [ -s "$dir/key.pem" ] && return 0
  mkdir -p "$dir" && chmod 700 "$dir"
  (
    cd "$dir" && umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=outerloop-test-ca -keyout ca-key.pem -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 30 -extfile server.ext -out server-cert.pem
    openssl req -newkey rsa:2048 -nodes -subj /CN=outerloop-test-client -keyout key.pem -out client.csr
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 30 -extfile client.ext -out cert.pem
    rm -f ./*.csr ./*.ext ca.srl
  ) >/dev/null 2>&1 || die "could not generate the TLS certificates in $dir"
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  local i
  for ((i = 0; i < secs * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_dockerd() {
  if pid_alive "$STATE_DIR/dockerd.pid" && docker_cmd version >/dev/null 2>&1; then return 0; fi
  mkdir -p "$STATE_DIR/docker-data" "$STATE_DIR/docker-exec"
  local driver
  for driver in overlay2 vfs; do
    log "starting dockerd $("$TOOLCHAIN_DIR/usr/sbin/dockerd" --version | awk '{print $3}' | tr -d ,) (storage driver $driver)"
    # Its own folder first on PATH, for its docker-proxy; containerd and runc are Debian 12's.
    PATH="$TOOLCHAIN_DIR/usr/sbin:$PATH" "$TOOLCHAIN_DIR/usr/sbin/dockerd" --host "unix://$DOCKER_SOCK" \
      --host "tcp://$TLS_HOST" --tlsverify --tlscacert "$STATE_DIR/tls/ca.pem" \
      --tlscert "$STATE_DIR/tls/server-cert.pem" --tlskey "$STATE_DIR/tls/server-key.pem" \
      --data-root "$STATE_DIR/docker-data" --exec-root "$STATE_DIR/docker-exec" \
      --pidfile "$STATE_DIR/dockerd.pid" --storage-driver "$driver" \
      --iptables=false --ip-forward=false --ip-masq=false \
      >"$STATE_DIR/dockerd.log" 2>&1 &
    if wait_for 60 dockerd docker_cmd version && smoke_test_engine; then return 0; fi
    log "dockerd with $driver did not work; last log lines:"
    tail -n 5 "$STATE_DIR/dockerd.log" >&2 || true
    stop_pid "$STATE_DIR/dockerd.pid"
    unmount_under "$STATE_DIR/docker-data"
    rm -rf "$STATE_DIR/docker-data" && mkdir -p "$STATE_DIR/docker-data"
  done
  die "could not start dockerd; see $STATE_DIR/dockerd.log"
}

# An engine that starts but cannot unpack a layer (overlay on overlay) is no use: build a tiny image.
smoke_test_engine() {
  local ctx="$STATE_DIR/smoke"
  mkdir -p "$ctx" && printf 'FROM scratch\nCOPY f /f\n' >"$ctx/Dockerfile" && echo ok >"$ctx/f"
  docker_cmd build -q -t outerloop-test/smoke "$ctx" >/dev/null 2>&1 && docker_cmd rmi outerloop-test/smoke >/dev/null 2>&1
}

write_registry_config() { # NAME ADDR [auth]
  local name=$1 addr=$2 auth=${3:-}
  mkdir -p "$STATE_DIR/$name/data"
  {
    echo "version: 0.1"
    echo "log: {level: warn, accesslog: {disabled: true}}"
    echo "storage: {filesystem: {rootdirectory: $STATE_DIR/$name/data}, delete: {enabled: true}}"
    echo "http: {addr: $addr, secret: outerloop-test-$name}"
    if [ -n "$auth" ]; then
      echo "auth: {htpasswd: {realm: outerloop-test, path: $STATE_DIR/$name/htpasswd}}"
    fi
  } >"$STATE_DIR/$name/config.yml"
}

start_registry() { # NAME ADDR
  local name=$1 addr=$2
  if pid_alive "$STATE_DIR/$name.pid"; then return 0; fi
  log "starting registry $name on $addr"
  docker-registry serve "$STATE_DIR/$name/config.yml" >"$STATE_DIR/$name.log" 2>&1 &
  echo $! >"$STATE_DIR/$name.pid"
  wait_for 30 "$name" bash -c "exec 3<>/dev/tcp/${addr%:*}/${addr#*:}" || die "registry $name did not start; see $STATE_DIR/$name.log"
}

build_base_image() {
  if docker_cmd image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  log "building $BASE_IMAGE from scratch with busybox-static"
  local ctx="$STATE_DIR/base-image"
  mkdir -p "$ctx"
  cp /bin/busybox "$ctx/busybox"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
DOCKERFILE
  docker_cmd build -q -t "$BASE_IMAGE" "$ctx" >/dev/null
}

print_env() {
  echo "export DOCKER_HOST=unix://$DOCKER_SOCK"
  echo "export OUTERLOOP_TEST_DOCKER_CLI_DIR=$CLI_DIR"
  echo "export PATH=\"$CLI_DIR:\$PATH\""
  echo "export OUTERLOOP_TEST_DOCKER_PLUGIN_DIR=$TOOLCHAIN_DIR/usr/libexec/docker/cli-plugins"
  echo "export OUTERLOOP_TEST_DOCKER_TLS_HOST=tcp://$TLS_HOST"
  echo "export OUTERLOOP_TEST_DOCKER_CERT_PATH=$STATE_DIR/tls"
  echo "export OUTERLOOP_TEST_REGISTRY=$OPEN_REGISTRY"
  echo "export OUTERLOOP_TEST_AUTH_REGISTRY=$AUTH_REGISTRY"
  echo "export OUTERLOOP_TEST_AUTH_USER=$AUTH_USER"
  echo "export OUTERLOOP_TEST_AUTH_PASSWORD_FILE=$STATE_DIR/auth-registry/password"
  echo "export OUTERLOOP_TEST_BASE_IMAGE=$BASE_IMAGE"
  "$(dirname "$0")/cluster.sh" env
}

unmount_under() { # dockerd bind-mounts its data root; release that and anything below before rm -rf
  local mounts
  mounts=$(grep -o " $1[^ ]*" /proc/mounts 2>/dev/null | sort -r || true)
  for m in $mounts; do umount -l "$m" 2>/dev/null || true; done
}

stop_pid() {
  local pidfile=$1 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# The browser the Outer loop tab's tests drive (Debian's chromium), kept in its own script.
install_browser() {
  "$(dirname "$0")/browser.sh" install
}

# The sshd ComposeDeploy@1's SSH tests start on a loopback port (Debian's openssh-server, unpacked,
# never installed as a service), kept in its own script; the tests start and stop it themselves.
install_sshd() {
  "$(dirname "$0")/sshd.sh" install >/dev/null
}

up() {
  install_packages
  install_browser
  install_sshd
  command -v busybox >/dev/null || [ -x /bin/busybox ] || die "busybox-static is not installed"
  install_toolchain
  mkdir -p "$STATE_DIR"
  chmod 700 "$STATE_DIR"
  write_tls_certs
  start_dockerd
  write_registry_config open-registry "$OPEN_REGISTRY"
  if [ ! -s "$STATE_DIR/auth-registry/password" ]; then
    mkdir -p "$STATE_DIR/auth-registry"
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$STATE_DIR/auth-registry/password")
  fi
  htpasswd -Bbc "$STATE_DIR/auth-registry/htpasswd" "$AUTH_USER" "$(cat "$STATE_DIR/auth-registry/password")" >/dev/null 2>&1
  write_registry_config auth-registry "$AUTH_REGISTRY" auth
  start_registry open-registry "$OPEN_REGISTRY"
  start_registry auth-registry "$AUTH_REGISTRY"
  build_base_image
  "$(dirname "$0")/cluster.sh" up
  print_env >"$STATE_DIR/env"
  log "up: DOCKER_HOST=unix://$DOCKER_SOCK (and tcp://$TLS_HOST with TLS), registries $OPEN_REGISTRY (open) and $AUTH_REGISTRY (htpasswd)"
}

down() {
  if [ -S "$DOCKER_SOCK" ] && docker_cmd version >/dev/null 2>&1; then
    # Containers first, so their mounts are released before the engine goes.
    local ids
    ids=$(docker_cmd ps -aq 2>/dev/null || true)
    [ -n "$ids" ] && docker_cmd rm -f $ids >/dev/null 2>&1 || true
  fi
  "$(dirname "$0")/cluster.sh" down
  stop_pid "$STATE_DIR/open-registry.pid"
  stop_pid "$STATE_DIR/auth-registry.pid"
  stop_pid "$STATE_DIR/dockerd.pid"
  # dockerd's own containerd and shims go with it; unmount anything it left before removing the dir.
  if [ -d "$STATE_DIR" ]; then
    unmount_under "$STATE_DIR"
    rm -rf "$STATE_DIR" 2>/dev/null || log "could not remove all of $STATE_DIR"
  fi
  log "down"
}

status() {
  pid_alive "$STATE_DIR/dockerd.pid" && docker_cmd version --format 'dockerd {{.Server.Version}} running (CLI {{.Client.Version}})' || echo "dockerd not running"
  local p
  for p in compose buildx; do
    [ -x "$PLUGIN_DIR/docker-$p" ] && echo "docker $p plugin: $("$PLUGIN_DIR/docker-$p" version 2>/dev/null | head -n 1)" || echo "docker $p plugin not installed"
  done
  for r in open-registry auth-registry; do
    pid_alive "$STATE_DIR/$r.pid" && echo "$r running" || echo "$r not running"
  done
  "$(dirname "$0")/cluster.sh" status
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
