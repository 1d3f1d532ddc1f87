#!/usr/bin/env bash
# Creates (or reuses) the kind cluster of kind-config.yaml, loads the two kubetune images into it
# and installs the operator the way the e2e tests do (deploy/test-cluster/e2e): `kubectl apply -k
# deploy/operator`, the CRDs Established, the Deployment rolled out. For machines with internet
# access (kind's node image comes from a registry); it cannot run where this project is built.
#
# Needs kind (>= 0.27), kubectl, docker, and the images kubetune/trainer:0.1.0 and
# kubetune/operator:0.1.0 in the local docker (deploy/image/build-trainer.sh,
# deploy/image/build-operator.sh). Environment: KIND_CLUSTER (default kubetune).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CLUSTER="${KIND_CLUSTER:-kubetune}"
IMAGES=(kubetune/trainer:0.1.0 kubetune/operator:0.1.0) # the names deploy/operator and the operator use
k() { kubectl --context "kind-$CLUSTER" "$@"; }

for image in "${IMAGES[@]}"; do
  docker image inspect "$image" >/dev/null 2>&1 ||
    { echo "up.sh: no image $image in docker: build it with deploy/image/build-*.sh" >&2; exit 1; }
done

if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  echo "up.sh: kind cluster $CLUSTER exists: reusing it"
else
  kind create cluster --name "$CLUSTER" --config "$HERE/kind-config.yaml"
fi
kind load docker-image --name "$CLUSTER" "${IMAGES[@]}"

k apply -k "$REPO/deploy/operator"
k wait --for=condition=Established --timeout=60s \
  crd/finetunejobs.kubetune.io crd/modelserves.kubetune.io
k -n kubetune-system rollout status deployment/kubetune-operator --timeout=300s
k -n kubetune-system get pods -o wide

cat <<MSG
up.sh: the operator runs in kind cluster $CLUSTER (kubectl context kind-$CLUSTER).
A FineTuneJob needs PersistentVolumeClaims holding its model and datasets (pvc://claim/path, see
examples/) and, on this GPU-less cluster, resources.gpusPerNode: 0. Then:
  kubectl apply -f my-finetunejob.yaml && kubectl get ftj -w
  kind delete cluster --name $CLUSTER      # when done
MSG
