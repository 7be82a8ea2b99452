#!/usr/bin/env bash
# The browser the tab's tests drive: Debian's chromium package, never a downloaded one.
#
#   scripts/browser.sh install   install chromium when /usr/bin/chromium is missing (needs root)
#   scripts/browser.sh path      print the executable the tests use
set -euo pipefail

CHROMIUM=${OUTERLOOP_CHROMIUM:-/usr/bin/chromium}

install_chromium() {
  [ -x "$CHROMIUM" ] && return 0
  [ "$(id -u)" = 0 ] || { echo "browser: $CHROMIUM is missing and installing chromium needs root" >&2; exit 1; }
  echo "browser: installing chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
}

case "${1:-}" in
  install) install_chromium ;;
  path) echo "$CHROMIUM" ;;
  *) echo "usage: $0 install|path" >&2; exit 2 ;;
esac
