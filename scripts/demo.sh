#!/usr/bin/env bash
# npm run demo: the example app's two-stage pipeline (examples/outer-loop.yml) end to end on this
# machine. Builds the tasks and the CLI, starts the test bed when it is not up (a Docker engine,
# registries and a Kubernetes control plane on 127.0.0.1), runs the pipeline with `outerloop run`
# against the open registry 127.0.0.1:5000 and deploys to the test bed's cluster and, with Compose,
# to its engine's TLS listener as the "QA host", then shows what was deployed (pinned by digest)
# and says where the digest file and the manifests are.
#
#   npm run demo                                          deploy to the test bed's control plane
#   npm run demo -- --var kubeconfig=$HOME/.kube/config   deploy to that cluster instead
#   npm run demo -- --var kubeconfig=                     render the manifests only (no cluster)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'demo: %s\n' "$*"; }

say "building the tasks and the CLI"
node scripts/build.mjs

status=$(scripts/test-infra.sh status 2>/dev/null || true)
if ! grep -q '^dockerd .*running' <<<"$status" || ! grep -q '^open-registry running' <<<"$status" \
  || ! grep -q '^kube-apiserver running' <<<"$status"; then
  say "starting the test bed (scripts/test-infra.sh up)"
  scripts/test-infra.sh up
fi
eval "$(scripts/test-infra.sh env)"
# The kubectl of the test bed cluster's own release, first on PATH for the tasks.
export PATH="$OUTERLOOP_TEST_KUBECTL_DIR:$PATH"

say "running examples/outer-loop.yml against the registry $OUTERLOOP_TEST_REGISTRY"
code=0
# --sources pins the work tree to this folder, so the run keeps its results in ./.outerloop/
# whatever git work tree (if any) holds it.
# The test bed's cluster by default; a --var kubeconfig=… of the caller's comes later and wins.
# The QA host is the test bed's engine through its --tlsverify listener, as a Docker host service connection.
node bin/outerloop.js run examples/outer-loop.yml --sources . --var "registry=$OUTERLOOP_TEST_REGISTRY" \
  --var "kubeconfig=$OUTERLOOP_TEST_KUBECONFIG" \
  --var qaHost=qahost --endpoint "qahost=$OUTERLOOP_TEST_DOCKER_TLS_HOST,certs:$OUTERLOOP_TEST_DOCKER_CERT_PATH" "$@" || code=$?

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
# What the deploy stage left on the test bed's cluster (a kubeconfig of the caller's is theirs to query).
# The namespace is the pipeline's: outerloop-demo-<environment parameter>, outerloop-demo for prod.
kubeconfig=$OUTERLOOP_TEST_KUBECONFIG environment=local namespace= prev= imageNamespace=outerloop-demo qaHost=qahost
for arg in "$@"; do
  [ "$prev" = --var ] && case "$arg" in kubeconfig=*) kubeconfig=${arg#kubeconfig=} ;; namespace=*) namespace=${arg#namespace=} ;;
    imageNamespace=*) imageNamespace=${arg#imageNamespace=} ;; qaHost=*) qaHost=${arg#qaHost=} ;; esac
  [ "$prev" = --param ] && case "$arg" in environment=*) environment=${arg#environment=} ;; esac
  prev=$arg
done
[ -n "$namespace" ] || { [ "$environment" = prod ] && namespace=outerloop-demo || namespace=outerloop-demo-$environment; }
if [ "$code" = 0 ] && [ "$kubeconfig" = "$OUTERLOOP_TEST_KUBECONFIG" ]; then
  say "deployed to the test bed's cluster, namespace $namespace (kubectl get):"
  kubectl --kubeconfig "$kubeconfig" get deployments,statefulsets,jobs,services \
    --namespace "$namespace" --output wide | sed 's/^/  /'
fi
# What the QA host stage left on the test bed's engine (its TLS listener): the Compose project.
if [ "$code" = 0 ] && [ -n "$qaHost" ]; then
  say "deployed to the QA host ($OUTERLOOP_TEST_DOCKER_TLS_HOST), project $imageNamespace-qa (docker ps):"
  docker ps --filter "label=com.docker.compose.project=$imageNamespace-qa" --format 'table {{.Names}}\t{{.Status}}\t{{.Image}}' | sed 's/^/  /'
fi
exit "$code"
