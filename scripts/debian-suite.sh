#!/usr/bin/env bash
# Binaries from another suite of the Debian archive this machine already uses (Debian 13, "trixie"),
# without adding that suite to the system's sources: a private apt configuration under the cache
# folder, `apt-get download`, then `dpkg-deb -x` into a folder of the caller's choosing.
#
#   scripts/debian-suite.sh extract DEST PACKAGE...   download each package and unpack it under DEST
#
# The archive's address is read from the machine's own apt configuration, never written here.
set -euo pipefail

SUITE=${OUTERLOOP_DEBIAN_SUITE:-trixie}
CACHE=${OUTERLOOP_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/outerloop-testbed}
APT_DIR="$CACHE/apt-$SUITE"
SYSTEM_SOURCES=/etc/apt/sources.list.d/debian.sources

log() { printf 'debian-suite: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

configure() {
  [ -r "$SYSTEM_SOURCES" ] || die "cannot read $SYSTEM_SOURCES to find the Debian archive"
  local uri key
  uri=$(awk '/^URIs:/ { print $2; exit }' "$SYSTEM_SOURCES")
  key=$(awk '/^Signed-By:/ { print $2; exit }' "$SYSTEM_SOURCES")
  [ -n "$uri" ] && [ -n "$key" ] || die "$SYSTEM_SOURCES names no URIs or Signed-By"
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/etc" "$APT_DIR/debs"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' "$uri" "$SUITE" "$key" \
    >"$APT_DIR/etc/suite.sources"
  # apt's sandbox user cannot read a private lists folder, hence APT::Sandbox::User.
  cat >"$APT_DIR/etc/apt.conf" <<CONF
Dir::Etc::sourcelist "$APT_DIR/etc/suite.sources";
Dir::Etc::sourceparts "-";
Dir::State::Lists "$APT_DIR/lists";
Dir::Cache "$APT_DIR/cache";
Debug::NoLocking "1";
APT::Sandbox::User "root";
CONF
}

apt_private() { APT_CONFIG="$APT_DIR/etc/apt.conf" "$@"; }

extract() { # DEST PACKAGE...
  local dest=$1; shift
  configure
  # Lists older than a day are refreshed; a fresh machine has none.
  if [ -z "$(find "$APT_DIR/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
    log "reading the $SUITE package lists"
    apt_private apt-get update -qq >/dev/null || die "apt-get update for $SUITE failed"
  fi
  mkdir -p "$dest"
  local p deb
  for p in "$@"; do
    deb=$(find "$APT_DIR/debs" -maxdepth 1 -name "${p}_*.deb" | head -n 1)
    if [ -z "$deb" ]; then
      log "downloading $p ($SUITE)"
      (cd "$APT_DIR/debs" && apt_private apt-get download -qq "$p" >/dev/null) || die "apt-get download $p ($SUITE) failed"
      deb=$(find "$APT_DIR/debs" -maxdepth 1 -name "${p}_*.deb" | head -n 1)
    fi
    [ -n "$deb" ] || die "no $p package was downloaded"
    dpkg-deb -x "$deb" "$dest"
  done
}

case "${1:-}" in
  extract) shift; [ $# -ge 2 ] || die "usage: $0 extract DEST PACKAGE..."; extract "$@" ;;
  *) echo "usage: $0 extract DEST PACKAGE..." >&2; exit 2 ;;
esac
