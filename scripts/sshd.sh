#!/usr/bin/env bash
# A loopback sshd for ComposeDeploy@1's SSH tests: Debian 12's openssh-server (the suite this machine
# runs, so it matches its libraries; libwrap0 beside it), unpacked with scripts/debian-suite.sh into
# the test bed's cache, never installed. The test starts it on a high 127.0.0.1 port with keys it
# generates (test/support/sshd.ts) and stops it when done.
#
#   scripts/sshd.sh install   unpack it once and print the path of sshd; prepares what sshd needs as
#                             root (its privilege-separation user `sshd` and /run/sshd, as the package would)
#   scripts/sshd.sh path      print the path of sshd (nothing is installed)
set -euo pipefail

CACHE=${OUTERLOOP_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/outerloop-testbed}
DIR="$CACHE/openssh-server"
SUITE=bookworm
PACKAGES=(openssh-server libwrap0)
SCRIPTS_DIR=$(cd "$(dirname "$0")" && pwd)

die() { printf 'sshd: %s\n' "$*" >&2; exit 1; }

install() {
  if [ "$(cat "$DIR/.unpacked" 2>/dev/null)" != "${PACKAGES[*]}" ]; then
    rm -rf "$DIR"
    OUTERLOOP_DEBIAN_SUITE=$SUITE "$SCRIPTS_DIR/debian-suite.sh" extract "$DIR" "${PACKAGES[@]}" || die "could not unpack ${PACKAGES[*]}"
    echo "${PACKAGES[*]}" >"$DIR/.unpacked"
  fi
  if [ "$(id -u)" = 0 ]; then
    getent passwd sshd >/dev/null || useradd --system --no-create-home --home-dir /run/sshd --shell /usr/sbin/nologin sshd
    mkdir -p /run/sshd && chmod 755 /run/sshd
  fi
  echo "$DIR/usr/sbin/sshd"
}

case "${1:-}" in
  install) install ;;
  path) echo "$DIR/usr/sbin/sshd" ;;
  *) echo "usage: $0 install|path" >&2; exit 2 ;;
esac
