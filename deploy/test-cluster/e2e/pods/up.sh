#!/usr/bin/env bash
# Starts (or reuses) the real-pod test cluster: a kind cluster from the offline node image
# (deploy/kind/node-image/build.sh), the trainer and operator images loaded with `kind load`, the
# operator installed from deploy/operator by deploy/kind/up.sh, as a user installs it. Progress on
# stderr; the kubeconfig path on stdout (KUBECONFIG="$(deploy/test-cluster/e2e/pods/up.sh)").
#
# Reuse: a running cluster made from the current node image is kept (seconds); one made from an
# older image, or whose node is not running or not ready, is deleted and created again. A new
# operator image (a different image id than the last install) restarts the operator's pods.
#
# Environment: KUBETUNE_CACHE (default $HOME/.cache/kubetune), KUBETUNE_KIND_CLUSTER (default
# kubetune-pods), KUBETUNE_RECREATE=1 (delete and create the cluster even when it is healthy).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../../.." && pwd)"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
CLUSTER="${KUBETUNE_KIND_CLUSTER:-kubetune-pods}"
KC="$CACHE_ROOT/kubeconfig-kind-$CLUSTER"
STATE="$CACHE_ROOT/kind/$CLUSTER.operator-image"
export PATH="$CACHE_ROOT/kind/bin:$PATH"

t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { echo "pods/up.sh: [$(since "$t0")] $*" >&2; }

mkdir -p "$CACHE_ROOT/kind"
exec 9>"$CACHE_ROOT/kind/.lock-$CLUSTER"
flock 9

t=$(date +%s.%N)
"$REPO/deploy/image/build-trainer.sh" 9>&-
"$REPO/deploy/image/build-operator.sh" 9>&-
say "trainer and operator images: $(since "$t")"
t=$(date +%s.%N)
node_image="$("$REPO/deploy/kind/node-image/build.sh" 9>&- | tail -n 1)"
say "node image $node_image: $(since "$t")"

node="$CLUSTER-control-plane"
recreate="${KUBETUNE_RECREATE:-0}"
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  if [[ "$(docker inspect -f '{{.Image}}' "$node" 2>/dev/null)" != "$(docker image inspect -f '{{.Id}}' "$node_image")" ]]; then
    say "cluster $CLUSTER was made from another node image: recreating it"
    recreate=1
  elif [[ "$(docker inspect -f '{{.State.Running}}' "$node" 2>/dev/null)" != true ]] ||
    ! KUBECONFIG="$KC" kubectl --request-timeout=5s get --raw /readyz >/dev/null 2>&1; then
    say "cluster $CLUSTER is not running or not ready: recreating it"
    recreate=1
  fi
fi

# the operator image `kind load` is about to load (read first: the tag may move meanwhile)
operator_id="$(docker image inspect -f '{{.Id}}' kubetune/operator:0.1.0)"
t=$(date +%s.%N)
KIND_CLUSTER="$CLUSTER" KIND_CONFIG="$HERE/kind-config.yaml" KIND_NODE_IMAGE="$node_image" \
  KIND_RECREATE="$recreate" KUBECONFIG="$KC" "$REPO/deploy/kind/up.sh" 9>&- >&2
say "cluster and operator: $(since "$t")"

if [[ -f $STATE && "$(cat "$STATE")" != "$operator_id" && $recreate != 1 ]]; then
  say "the operator image changed since the last install: restarting its pods"
  KUBECONFIG="$KC" kubectl -n kubetune-system rollout restart deployment/kubetune-operator >&2
  KUBECONFIG="$KC" kubectl -n kubetune-system rollout status deployment/kubetune-operator --timeout=300s >&2
fi
echo "$operator_id" >"$STATE"
say "ready; KUBECONFIG=$KC"
echo "$KC"
