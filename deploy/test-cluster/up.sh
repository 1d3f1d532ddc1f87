#!/usr/bin/env bash
# Starts (or reuses) the kubetune e2e cluster: a real etcd + kube-apiserver +
# kube-controller-manager + kube-scheduler, with kwok simulating the nodes and
# their pods (see stages.yaml). Nothing is downloaded: all binaries come from
# build.sh. Progress goes to stderr; the last (only) line on stdout is the
# kubeconfig path, so `export KUBECONFIG="$(deploy/test-cluster/up.sh)"` works.
#
# Environment:
#   KUBETUNE_CACHE         cache root (default $HOME/.cache/kubetune)
#   KUBETUNE_CLUSTER       kwokctl cluster name (default kubetune-e2e)
#   KUBETUNE_GPU_NODES     number of fake GPU nodes (default 2)
#   KUBETUNE_GPUS_PER_NODE nvidia.com/gpu per GPU node (default 8)
#   KUBETUNE_GPU_TAINT     1 (default): taint GPU nodes nvidia.com/gpu=present:NoSchedule; 0: no taint
#   KUBETUNE_RECREATE=1    delete and recreate the cluster even if it is healthy
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
CLUSTER="${KUBETUNE_CLUSTER:-kubetune-e2e}"
GPU_NODES="${KUBETUNE_GPU_NODES:-2}"
GPUS_PER_NODE="${KUBETUNE_GPUS_PER_NODE:-8}"
GPU_TAINT="${KUBETUNE_GPU_TAINT:-1}"
STAGES="$HERE/stages.yaml"
KWOKCTL_CONFIG="$HERE/kwokctl.yaml"

# kwokctl keeps its clusters under $KWOK_WORKDIR/clusters/<name>; keep ours
# away from ~/.kwok so nothing else on the machine collides with it.
export KWOK_WORKDIR="$CACHE_ROOT/kwok"
CLUSTER_DIR="$KWOK_WORKDIR/clusters/$CLUSTER"
KUBECONFIG_OUT="$CACHE_ROOT/kubeconfig-$CLUSTER"
STATE_FILE="$CACHE_ROOT/$CLUSTER.state"

mkdir -p "$CACHE_ROOT"
# Serialise up.sh/down.sh runs for this cluster.
if [[ "${KUBETUNE_CLUSTER_LOCKED:-}" != "$CLUSTER" ]]; then
  exec 9>"$CACHE_ROOT/.lock-$CLUSTER"
  flock 9
  export KUBETUNE_CLUSTER_LOCKED="$CLUSTER"
fi

t0=$(date +%s)
log() { echo "up.sh: [$(( $(date +%s) - t0 ))s] $*" >&2; }

BIN_DIR="$("$HERE/build.sh" | tail -n 1)"
[[ -x "$BIN_DIR/kwokctl" ]] || { echo "up.sh: build.sh did not produce $BIN_DIR/kwokctl" >&2; exit 1; }
KWOKCTL="$BIN_DIR/kwokctl"
KUBECTL="$BIN_DIR/kubectl"
log "binaries ready in $BIN_DIR"

nodes_yaml() {
  local i taint=""
  if [[ "$GPU_TAINT" == 1 ]]; then
    taint='  taints:
  - key: nvidia.com/gpu
    value: present
    effect: NoSchedule'
  fi
  for (( i = 0; i < GPU_NODES; i++ )); do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kubetune-gpu-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kubetune-gpu-$i
    node.kubernetes.io/instance-type: fake-gpu
    nvidia.com/gpu.present: "true"
    nvidia.com/gpu.count: "$GPUS_PER_NODE"
    nvidia.com/gpu.product: Fake-GPU-80GB
    nvidia.com/gpu.memory: "81920"
spec:
$taint
status:
  addresses:
  - type: InternalIP
    address: 10.10.0.$(( 10 + i ))
  capacity:
    cpu: "96"
    memory: 1Ti
    ephemeral-storage: 2Ti
    pods: "110"
    nvidia.com/gpu: "$GPUS_PER_NODE"
  allocatable:
    cpu: "96"
    memory: 1Ti
    ephemeral-storage: 2Ti
    pods: "110"
    nvidia.com/gpu: "$GPUS_PER_NODE"
EOF
  done
  cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kubetune-cpu-0
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kubetune-cpu-0
    node.kubernetes.io/instance-type: fake-cpu
spec: {}
status:
  addresses:
  - type: InternalIP
    address: 10.10.1.10
  capacity:
    cpu: "32"
    memory: 128Gi
    ephemeral-storage: 1Ti
    pods: "110"
  allocatable:
    cpu: "32"
    memory: 128Gi
    ephemeral-storage: 1Ti
    pods: "110"
EOF
}

# What the running cluster must match to be reused.
want_state="$({
  echo "bin=$BIN_DIR"
  cat "$STAGES" "$KWOKCTL_CONFIG" | sha256sum | cut -d' ' -f1
  nodes_yaml | sha256sum | cut -d' ' -f1
} | sha256sum | cut -d' ' -f1)"

# Every component kwokctl started still runs (a control plane whose controller-manager has exited
# answers /readyz but makes no ServiceAccounts or pods), and the API server is ready.
components_alive() {
  local pidfile
  for pidfile in "$CLUSTER_DIR"/pids/*.pid; do
    [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null || return 1
  done
}
healthy() {
  [[ -f "$KUBECONFIG_OUT" ]] && components_alive &&
    "$KUBECTL" --kubeconfig "$KUBECONFIG_OUT" --request-timeout=5s get --raw /readyz >/dev/null 2>&1
}

reuse=0
if [[ -d "$CLUSTER_DIR" ]]; then
  if [[ "${KUBETUNE_RECREATE:-0}" != 1 && -f "$STATE_FILE" && "$(cat "$STATE_FILE")" == "$want_state" ]] && healthy; then
    reuse=1
    log "cluster $CLUSTER is up and current: reusing it"
  else
    log "cluster $CLUSTER exists but is stale, unhealthy or KUBETUNE_RECREATE=1: deleting it"
    "$HERE/down.sh" >&2
  fi
fi

if [[ "$reuse" == 0 ]]; then
  rm -f "$STATE_FILE" "$KUBECONFIG_OUT"
  mkdir -p "$KWOK_WORKDIR"
  log "creating cluster $CLUSTER (kwokctl --runtime binary)"
  # KWOK_KUBECTL_BINARY: kwokctl would otherwise fetch kubectl from dl.k8s.io
  # for `kwokctl kubectl`. --kubeconfig "": do not touch ~/.kube/config.
  # No metrics-server/prometheus/jaeger/dashboard: they are off unless enabled.
  KWOK_KUBECTL_BINARY="$KUBECTL" \
  KWOK_KUBE_VERSION="$("$BIN_DIR/kube-apiserver" --version | awk '{print $2}')" \
  "$KWOKCTL" create cluster \
    --name "$CLUSTER" \
    --runtime binary \
    --config "$KWOKCTL_CONFIG" \
    --config "$STAGES" \
    --kube-apiserver-binary "$BIN_DIR/kube-apiserver" \
    --kube-controller-manager-binary "$BIN_DIR/kube-controller-manager" \
    --kube-scheduler-binary "$BIN_DIR/kube-scheduler" \
    --kwok-controller-binary "$BIN_DIR/kwok" \
    --etcd-binary "$BIN_DIR/etcd" \
    --disable-qps-limits \
    --quiet-pull \
    --kubeconfig "" \
    --timeout 5m \
    --wait 3m >&2 9>&- # the daemons must not inherit the lock fd
  tmp_kc="$(mktemp "$CACHE_ROOT/.kubeconfig.XXXXXX")"
  cp "$CLUSTER_DIR/kubeconfig.yaml" "$tmp_kc"
  mv "$tmp_kc" "$KUBECONFIG_OUT"
  echo "BIN_DIR=$BIN_DIR" > "$CACHE_ROOT/$CLUSTER.bin"
  log "control plane started"
fi

k() { "$KUBECTL" --kubeconfig "$KUBECONFIG_OUT" "$@"; }

# API server health (kwokctl --wait already checked; cheap to confirm).
for (( i = 0; i < 120; i++ )); do
  healthy && break
  sleep 1
done
healthy || { echo "up.sh: kube-apiserver of $CLUSTER is not healthy; logs: $CLUSTER_DIR/logs" >&2; exit 1; }

nodes_yaml | k apply -f - >&2
all_nodes=(kubetune-cpu-0)
for (( i = 0; i < GPU_NODES; i++ )); do all_nodes+=("kubetune-gpu-$i"); done
if ! k wait --for=condition=Ready --timeout=120s "${all_nodes[@]/#/node/}" >&2; then
  echo "up.sh: nodes did not become Ready; kwok-controller log: $CLUSTER_DIR/logs/kwok-controller.log" >&2
  k get nodes -o wide >&2 || true
  exit 1
fi
# The controller manager must be working too: it creates this service account.
for (( i = 0; i < 120; i++ )); do
  k -n default get serviceaccount default >/dev/null 2>&1 && break
  sleep 1
done
k -n default get serviceaccount default >/dev/null || { echo "up.sh: kube-controller-manager did not create serviceaccount default" >&2; exit 1; }

echo "$want_state" > "$STATE_FILE"
k get nodes -L node.kubernetes.io/instance-type >&2
log "cluster $CLUSTER ready; KUBECONFIG=$KUBECONFIG_OUT"
echo "$KUBECONFIG_OUT"
