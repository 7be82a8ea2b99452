#!/usr/bin/env bash
# The test bed's Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager and
# kube-scheduler of one pinned release, and kwok's fake nodes, whose pods it marks Running and Ready,
# so that Deployments, StatefulSets and Jobs really roll out without a container runtime.
#
#   scripts/cluster.sh build    build (or find in the cache) the binaries; nothing is started
#   scripts/cluster.sh up       build, generate certificates, start everything on 127.0.0.1
#   scripts/cluster.sh down     stop everything and remove the state
#   scripts/cluster.sh status   say what is running
#   scripts/cluster.sh env      print the exports the tests use
#
# Called by scripts/test-infra.sh. The binaries are built once per machine from the published Go
# modules (scripts/cluster/go.mod: k8s.io/kubernetes with its staging modules mapped to their v0.x
# twins; kwok with `go install`) and Debian 13's etcd-server (scripts/debian-suite.sh), and cached
# outside the repository. Everything listens on 127.0.0.1 only; the API server serves TLS with
# certificates made at start-up, with RBAC on. Two kubeconfigs: an admin one, and one for the
# ServiceAccount outerloop-deployer, whose Role in the namespace outerloop-limited is the least
# privilege ComposeToK8s@1 needs (docs/tasks/compose-to-k8s.md).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
STATE_DIR=${OUTERLOOP_INFRA_DIR:-/tmp/outerloop-test-infra}
DIR="$STATE_DIR/cluster"
CACHE=${OUTERLOOP_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/outerloop-testbed}
K8S_VERSION=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$HERE/cluster/go.mod")
KWOK_VERSION=v0.7.0
ETCD_PACKAGE=etcd-server
BIN="$CACHE/cluster-$K8S_VERSION-kwok-$KWOK_VERSION"
ETCD_PORT=12379
ETCD_PEER_PORT=12380
APISERVER_PORT=16443
SERVER="https://127.0.0.1:$APISERVER_PORT"
LIMITED_NAMESPACE=outerloop-limited
LIMITED_ACCOUNT=outerloop-deployer
# The fake nodes: two small ones, so that a request larger than a node can hold never schedules.
NODES=(kwok-node-1 kwok-node-2)
NODE_CPU=4
NODE_MEMORY=8Gi
# No provisioner runs here: the default StorageClass "standard" is backed by a pool of hostPath
# PersistentVolumes (never mounted: kwok runs no containers) that kube-controller-manager binds,
# and a reclaimer makes the volumes of deleted claims Available again.
VOLUME_POOL=60

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # SECONDS COMMAND...
  local secs=$1 i; shift
  for ((i = 0; i < secs * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

kubectl_admin() { "$BIN/kubectl" --kubeconfig "$DIR/admin.kubeconfig" "$@"; }

# --- build -------------------------------------------------------------------------------------

build() {
  local want=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok) missing=() b
  for b in "${want[@]}"; do [ -x "$BIN/$b" ] || missing+=("$b"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v go >/dev/null || die "go is needed to build the control plane (${missing[*]}) and is not on PATH"
  mkdir -p "$BIN"
  local started=$SECONDS
  if [ ! -x "$BIN/etcd" ]; then
    local x
    x=$(mktemp -d)
    "$HERE/debian-suite.sh" extract "$x" "$ETCD_PACKAGE"
    install -m 755 "$x/usr/bin/etcd" "$BIN/etcd"
    rm -rf "$x"
  fi
  local cmds=() c
  for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    [ -x "$BIN/$c" ] || cmds+=("k8s.io/kubernetes/cmd/$c")
  done
  if [ ${#cmds[@]} -gt 0 ]; then
    log "building ${cmds[*]##*/} $K8S_VERSION with go build (once per machine; several minutes)"
    # The version is stamped as the release's own build does, so kubectl and the server report it.
    local minor ld p
    minor=$(echo "$K8S_VERSION" | cut -d. -f2)
    ld="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    done
    (cd "$HERE/cluster" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ld" -o "$BIN/" "${cmds[@]}") \
      || die "go build of the control plane failed (see above)"
  fi
  if [ ! -x "$BIN/kwok" ]; then
    log "building kwok $KWOK_VERSION with go install"
    GOBIN="$BIN" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" \
      || die "go install of kwok $KWOK_VERSION failed (see above)"
  fi
  log "built in $((SECONDS - started)) s into $BIN"
}

# --- certificates and kubeconfigs ----------------------------------------------------------------

# cert NAME CN [O] [SAN]: a key and a certificate signed by the test bed's CA.
cert() {
  local name=$1 cn=$2 org=${3:-} san=${4:-} subj
  subj="/CN=$cn"
  [ -n "$org" ] && subj="/O=$org$subj"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$DIR/pki/$name.key" -subj "$subj" -out "$DIR/pki/$name.csr" 2>/dev/null
  local ext="$DIR/pki/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san"; else echo "extendedKeyUsage=clientAuth"; fi
  } >"$ext"
  openssl x509 -req -in "$DIR/pki/$name.csr" -CA "$DIR/pki/ca.crt" -CAkey "$DIR/pki/ca.key" -CAcreateserial \
    -days 7 -sha256 -extfile "$ext" -out "$DIR/pki/$name.crt" 2>/dev/null
  rm -f "$DIR/pki/$name.csr" "$ext"
}

make_pki() {
  mkdir -p "$DIR/pki"
  (
    umask 077
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
      -subj "/CN=outerloop-test-ca" -keyout "$DIR/pki/ca.key" -out "$DIR/pki/ca.crt" 2>/dev/null
    cert apiserver kube-apiserver "" \
      "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    cert admin outerloop-admin system:masters
    cert controller-manager system:kube-controller-manager
    cert scheduler system:kube-scheduler
    cert kwok outerloop-kwok system:masters
    openssl genrsa -out "$DIR/pki/sa.key" 2048 2>/dev/null
    openssl rsa -in "$DIR/pki/sa.key" -pubout -out "$DIR/pki/sa.pub" 2>/dev/null
  )
}

b64() { base64 -w0 <"$1"; }

# kubeconfig FILE USER (client cert) | kubeconfig FILE USER token TOKEN-FILE [NAMESPACE]
kubeconfig() {
  local file=$1 user=$2 kind=${3:-cert} token_file=${4:-} namespace=${5:-default}
  (
    umask 077
    {
      echo "apiVersion: v1"
      echo "kind: Config"
      echo "clusters:"
      echo "- name: outerloop-test"
      echo "  cluster:"
      echo "    server: $SERVER"
      echo "    certificate-authority-data: $(b64 "$DIR/pki/ca.crt")"
      echo "users:"
      echo "- name: $user"
      echo "  user:"
      if [ "$kind" = token ]; then
        echo "    token: $(cat "$token_file")"
      else
        echo "    client-certificate-data: $(b64 "$DIR/pki/$user.crt")"
        echo "    client-key-data: $(b64 "$DIR/pki/$user.key")"
      fi
      echo "contexts:"
      echo "- name: outerloop-test"
      echo "  context:"
      echo "    cluster: outerloop-test"
      echo "    user: $user"
      echo "    namespace: $namespace"
      echo "current-context: outerloop-test"
    } >"$file"
  )
}

# --- processes ---------------------------------------------------------------------------------

start() { # NAME COMMAND...: a background process with its log and pid file
  local name=$1; shift
  "$@" >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

stop_pid() {
  local pidfile=$1 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -CONT "$pid" 2>/dev/null || true # a test may have paused it
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

start_etcd() {
  mkdir -p "$DIR/etcd"
  chmod 700 "$DIR/etcd"
  start etcd "$BIN/etcd" --name outerloop-test --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "outerloop-test=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls "" --quota-backend-bytes 1073741824 --unsafe-no-fsync --log-level warn
  wait_for 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$ETCD_PORT" || die "etcd did not start; see $DIR/etcd.log"
}

start_apiserver() {
  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --tls-cert-file "$DIR/pki/apiserver.crt" --tls-private-key-file "$DIR/pki/apiserver.key" \
    --client-ca-file "$DIR/pki/ca.crt" \
    --authorization-mode RBAC --anonymous-auth=false \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$DIR/pki/sa.pub" --service-account-signing-key-file "$DIR/pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --allow-privileged=true \
    --endpoint-reconciler-type none --profiling=false --v 0
}

apiserver_ready() { kubectl_admin get --raw /readyz >/dev/null 2>&1; }

start_control_plane() {
  start_apiserver
  wait_for 90 apiserver_ready || { tail -n 20 "$DIR/kube-apiserver.log" >&2; die "kube-apiserver did not become ready; see $DIR/kube-apiserver.log"; }
  # The node lifecycle controller lifts new nodes' not-ready taint; a day's grace keeps it from
  # marking the fake nodes NotReady when a busy machine (or a test that pauses the API server)
  # delays kwok's heartbeats.
  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$DIR/controller-manager.kubeconfig" --authorization-kubeconfig "$DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
    --use-service-account-credentials=true --service-account-private-key-file "$DIR/pki/sa.key" \
    --root-ca-file "$DIR/pki/ca.crt" --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route' \
    --concurrent-deployment-syncs 10 --concurrent-replicaset-syncs 10 --profiling=false \
    --node-monitor-grace-period 24h
  start kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig "$DIR/scheduler.kubeconfig" --authorization-kubeconfig "$DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --profiling=false
  start kwok "$BIN/kwok" --kubeconfig "$DIR/kwok.kubeconfig" \
    --manage-all-nodes=true --cidr 10.244.0.0/16 --node-ip 127.0.0.1
}

create_nodes() {
  local n manifest=""
  for n in "${NODES[@]}"; do
    manifest+="apiVersion: v1
kind: Node
metadata:
  name: $n
  labels: {kubernetes.io/hostname: $n, kubernetes.io/os: linux, kubernetes.io/arch: amd64, type: kwok}
  annotations: {kwok.x-k8s.io/node: fake}
status:
  allocatable: {cpu: \"$NODE_CPU\", memory: $NODE_MEMORY, pods: \"110\"}
  capacity: {cpu: \"$NODE_CPU\", memory: $NODE_MEMORY, pods: \"110\"}
---
"
  done
  printf '%s' "$manifest" | kubectl_admin apply -f - >/dev/null
  wait_for 60 kubectl_admin wait --for=condition=Ready node --all --timeout=1s || die "the kwok nodes did not become Ready; see $DIR/kwok.log"
  # New nodes carry the not-ready taint until the node lifecycle controller sees them Ready.
  wait_for 60 nodes_untainted || die "the kwok nodes kept their not-ready taint; see $DIR/kube-controller-manager.log"
}

nodes_untainted() { [ -z "$(kubectl_admin get nodes --output 'jsonpath={.items[*].spec.taints}')" ]; }

storage() {
  local i manifest="apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
reclaimPolicy: Retain
"
  for ((i = 1; i <= VOLUME_POOL; i++)); do
    manifest+="---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pool-$i}
spec:
  storageClassName: standard
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany, ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: /tmp/outerloop-kwok-volumes/pool-$i}
"
  done
  printf '%s' "$manifest" | kubectl_admin apply -f - >/dev/null
}

# A Released volume (its claim was deleted) goes back to the pool, as a provisioner would make a new one.
reclaim_volumes() {
  local pv
  while sleep 3; do
    for pv in $(kubectl_admin get pv --output 'jsonpath={range .items[?(@.status.phase=="Released")]}{.metadata.name}{" "}{end}' 2>/dev/null); do
      kubectl_admin patch pv "$pv" --type json --patch '[{"op": "remove", "path": "/spec/claimRef"}]' >/dev/null 2>&1 || true
    done
  done
}

# The default namespace's ServiceAccount must exist before pods can be created there.
wait_for_service_accounts() {
  wait_for 60 kubectl_admin get serviceaccount default --namespace default || die "kube-controller-manager made no ServiceAccounts; see $DIR/kube-controller-manager.log"
}

# The least privilege for ComposeToK8s@1 in one namespace (documented in docs/tasks/compose-to-k8s.md):
# server-side apply (create, patch), prune (list, delete), rollout status (watch), undo (list the
# revisions, patch), and the failing pod's events and logs.
limited_account() {
  kubectl_admin apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $LIMITED_NAMESPACE}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: $LIMITED_ACCOUNT, namespace: $LIMITED_NAMESPACE}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: outerloop-compose-to-k8s, namespace: $LIMITED_NAMESPACE}
rules:
- apiGroups: [""]
  resources: [configmaps, secrets, services, serviceaccounts, persistentvolumeclaims]
  verbs: [get, list, create, patch, delete]
- apiGroups: [apps]
  resources: [deployments, statefulsets, daemonsets]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, networkpolicies]
  verbs: [get, list, create, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, create, patch, delete]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, create, patch, delete]
- apiGroups: [apps]
  resources: [replicasets, controllerrevisions]
  verbs: [get, list]
- apiGroups: [""]
  resources: [pods, events]
  verbs: [get, list]
- apiGroups: [""]
  resources: [pods/log]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: outerloop-compose-to-k8s, namespace: $LIMITED_NAMESPACE}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: outerloop-compose-to-k8s}
subjects:
- {kind: ServiceAccount, name: $LIMITED_ACCOUNT, namespace: $LIMITED_NAMESPACE}
YAML
  (umask 077 && kubectl_admin create token "$LIMITED_ACCOUNT" --namespace "$LIMITED_NAMESPACE" --duration 24h >"$DIR/pki/limited.token")
  kubeconfig "$DIR/limited.kubeconfig" "$LIMITED_ACCOUNT" token "$DIR/pki/limited.token" "$LIMITED_NAMESPACE"
  rm -f "$DIR/pki/limited.token"
}

up() {
  build
  if pid_alive "$DIR/kube-apiserver.pid" && apiserver_ready; then return 0; fi
  down_quietly
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  local started=$SECONDS
  make_pki
  kubeconfig "$DIR/admin.kubeconfig" admin
  kubeconfig "$DIR/controller-manager.kubeconfig" controller-manager
  kubeconfig "$DIR/scheduler.kubeconfig" scheduler
  kubeconfig "$DIR/kwok.kubeconfig" kwok
  start_etcd
  start_control_plane
  create_nodes
  storage
  start volume-reclaimer reclaim_volumes
  wait_for_service_accounts
  limited_account
  log "up in $((SECONDS - started)) s: Kubernetes $K8S_VERSION at $SERVER (kwok nodes: ${NODES[*]})"
}

down_quietly() {
  local p
  for p in volume-reclaimer kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_pid "$DIR/$p.pid"; done
  rm -rf "$DIR"
}

down() {
  down_quietly
  log "down"
}

status() {
  local p
  for p in etcd kube-apiserver kube-controller-manager kube-scheduler kwok volume-reclaimer; do
    pid_alive "$DIR/$p.pid" && echo "$p running" || echo "$p not running"
  done
}

print_env() {
  echo "export OUTERLOOP_TEST_KUBECONFIG=$DIR/admin.kubeconfig"
  echo "export OUTERLOOP_TEST_KUBECONFIG_LIMITED=$DIR/limited.kubeconfig"
  echo "export OUTERLOOP_TEST_KUBE_NAMESPACE_LIMITED=$LIMITED_NAMESPACE"
  echo "export OUTERLOOP_TEST_KUBECTL_DIR=$BIN"
  echo "export OUTERLOOP_TEST_KUBE_APISERVER_PID_FILE=$DIR/kube-apiserver.pid"
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  down) down ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: $0 build|up|down|status|env" >&2; exit 2 ;;
esac
