#!/usr/bin/env bash
# npm run demo: the example app's two-stage pipeline (examples/outer-loop.yml) end to end on this
# machine. Builds the tasks and the CLI, starts the test bed when it is not up (a Docker engine and
# registries on 127.0.0.1), runs the pipeline with `outerloop run` against the open registry
# 127.0.0.1:5000, then says where the digest file and the pinned manifests are.
#
#   npm run demo                                   render the manifests (no cluster)
#   npm run demo -- --var kubeconfig=$HOME/.kube/config   deploy to that cluster instead
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'demo: %s\n' "$*"; }

say "building the tasks and the CLI"
node scripts/build.mjs

status=$(scripts/test-infra.sh status 2>/dev/null || true)
if ! grep -q '^dockerd .*running' <<<"$status" || ! grep -q '^open-registry running' <<<"$status"; then
  say "starting the test bed (scripts/test-infra.sh up)"
  scripts/test-infra.sh up
fi
eval "$(scripts/test-infra.sh env)"

say "running examples/outer-loop.yml against the registry $OUTERLOOP_TEST_REGISTRY"
code=0
# --sources pins the work tree to this folder, so the run keeps its results in ./.outerloop/
# whatever git work tree (if any) holds it.
node bin/outerloop.js run examples/outer-loop.yml --sources . --var "registry=$OUTERLOOP_TEST_REGISTRY" "$@" || code=$?

digests=$(find .outerloop/artifacts/image-digests -type f -name '*.json' 2>/dev/null | sort || true)
manifests=$(find .outerloop/artifacts/k8s-manifests -type f 2>/dev/null | sort || true)
echo
if [ -n "$digests" ]; then
  say "digest file (PushDigest): $digests"
else
  say "no digest file: the run did not get as far as PushDigest (see the summary above)."
fi
if [ -n "$manifests" ]; then
  say "Kubernetes manifests pinned by digest (ComposeToK8s):"
  while IFS= read -r file; do printf '  %s\n' "$file"; done <<<"$manifests"
else
  say "no rendered manifests: the run did not get as far as ComposeToK8s (see the summary above)."
fi
exit "$code"
