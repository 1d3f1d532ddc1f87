#!/usr/bin/env bash
# Creates (or reuses) a kind cluster, loads the two kubetune images into it and installs the
# operator the way a user does: `kubectl apply -k deploy/operator`, the CRDs Established, the
# Deployment (two replicas, leader election) rolled out.
#
# With a registry (kind pulls its node image kindest/node): kind >= 0.27, kubectl, docker and the
# images kubetune/trainer:0.1.0 and kubetune/operator:0.1.0 in the local docker
# (deploy/image/build-trainer.sh, deploy/image/build-operator.sh), then deploy/kind/up.sh.
# Without one: deploy/kind/node-image/build.sh makes a node image and a kind binary offline, and
# the real-pod tests (deploy/test-cluster/e2e/pods/up.sh) call this script with them.
#
# Environment:
#   KIND_CLUSTER     cluster name (default kubetune)
#   KIND_CONFIG      kind cluster configuration (default kind-config.yaml beside this script)
#   KIND_NODE_IMAGE  node image for `kind create cluster --image` (default: kind's own)
#   KIND             kind command (default kind)
#   KUBECONFIG       where kind writes the cluster's credentials (default ~/.kube/config)
#   KIND_RECREATE=1  delete the cluster first if it exists
#   KIND_OPERATOR    kustomize (default): install the operator with `kubectl apply -k`; none: only
#                    the cluster and the images (deploy/test-cluster/e2e/pods/up.sh installs the
#                    operator with the Helm chart instead)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CLUSTER="${KIND_CLUSTER:-kubetune}"
CONFIG="${KIND_CONFIG:-$HERE/kind-config.yaml}"
KIND="${KIND:-kind}"
OPERATOR="${KIND_OPERATOR:-kustomize}"
[[ $OPERATOR == kustomize || $OPERATOR == none ]] ||
  { echo "up.sh: KIND_OPERATOR must be kustomize or none, not '$OPERATOR'" >&2; exit 64; }
IMAGES=(kubetune/trainer:0.1.0 kubetune/operator:0.1.0) # the names deploy/operator and the operator use
k() { kubectl --context "kind-$CLUSTER" "$@"; }
t0=$(date +%s.%N)
say() { echo "up.sh: [$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }')] $*" >&2; }

for image in "${IMAGES[@]}"; do
  docker image inspect "$image" >/dev/null 2>&1 ||
    { echo "up.sh: no image $image in docker: build it with deploy/image/build-*.sh" >&2; exit 1; }
done

exists() { "$KIND" get clusters 2>/dev/null | grep -qx "$CLUSTER"; }
if exists && [[ ${KIND_RECREATE:-0} == 1 ]]; then
  say "deleting kind cluster $CLUSTER (KIND_RECREATE=1)"
  "$KIND" delete cluster --name "$CLUSTER"
fi
if exists; then
  say "kind cluster $CLUSTER exists: reusing it"
else
  create=(create cluster --name "$CLUSTER" --config "$CONFIG" --wait 180s)
  [[ -n ${KIND_NODE_IMAGE:-} ]] && create+=(--image "$KIND_NODE_IMAGE")
  # kubeadm init gives up when the API server comes up slowly (seen once on a loaded 2-core
  # machine: "could not bootstrap the admin user ... context deadline exceeded"); kind removes
  # the failed node, so a second attempt starts clean
  for attempt in 1 2; do
    if "$KIND" "${create[@]}"; then
      break
    fi
    ((attempt < 2)) || { say "kind create cluster failed twice"; exit 1; }
    say "kind create cluster failed (attempt $attempt); trying once more"
    "$KIND" delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  done
  say "kind cluster $CLUSTER created"
fi
# kind compares image ids and skips nodes that have the image already
"$KIND" load docker-image --name "$CLUSTER" "${IMAGES[@]}"
say "images loaded"

if [[ $OPERATOR == none ]]; then
  say "KIND_OPERATOR=none: the operator is not installed"
  exit 0
fi
k apply -k "$REPO/deploy/operator"
k wait --for=condition=Established --timeout=60s \
  crd/finetunejobs.kubetune.io crd/modelserves.kubetune.io
k -n kubetune-system rollout status deployment/kubetune-operator --timeout=300s
k -n kubetune-system get pods -o wide
say "operator installed"

cat <<MSG >&2
up.sh: the operator runs in kind cluster $CLUSTER (kubectl context kind-$CLUSTER).
A FineTuneJob needs PersistentVolumeClaims holding its model and datasets (pvc://claim/path, see
examples/) and, on this GPU-less cluster, resources.gpusPerNode: 0. Then:
  kubectl apply -f my-finetunejob.yaml && kubectl get ftj -w
  $KIND delete cluster --name $CLUSTER      # when done
MSG
