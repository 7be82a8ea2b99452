#!/usr/bin/env bash
# Runs a command on the legacy toolchain: the same machine with the docker CLI plugins (Compose v2,
# buildx) out of sight. The command runs in a private mount namespace (unshare, so root) where an
# empty read-only folder is mounted over every folder docker finds plugins in; the mounts die with
# it and the host keeps its plugins. Nothing in the product is switched: the tasks detect what
# they find, as on an agent.
#
#   scripts/without-plugins.sh COMMAND [ARG...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
if [ -z "${OUTERLOOP_WITHOUT_PLUGINS:-}" ]; then
  # Re-run this script inside the new namespace (the marker stops a second round).
  exec env OUTERLOOP_WITHOUT_PLUGINS=1 unshare --mount --propagation private "$0" "$@"
fi
empty=$(mktemp -d "${TMPDIR:-/tmp}/outerloop-no-plugins-XXXXXX")
# docker/cli's plugin folders: the user's (DOCKER_CONFIG, else ~/.docker), then the system's.
for dir in "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins" /usr/local/lib/docker/cli-plugins \
  /usr/local/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins /usr/libexec/docker/cli-plugins; do
  [ -d "$dir" ] && mount --bind -o ro "$empty" "$dir"
done
unset OUTERLOOP_WITHOUT_PLUGINS
"$@" || status=$?
rmdir "$empty" 2>/dev/null || true
exit "${status:-0}"
