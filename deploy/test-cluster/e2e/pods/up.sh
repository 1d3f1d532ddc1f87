#!/usr/bin/env bash
# Starts (or reuses) the real-pod test cluster: a kind cluster from the offline node image
# (deploy/kind/node-image/build.sh), the trainer and operator images loaded with `kind load`
# (deploy/kind/up.sh), and the operator installed with the Helm chart deploy/helm/kubetune as a
# user installs it (release kubetune in kubetune-system: two replicas, leader election, the
# least-privilege RBAC). Progress on stderr; the kubeconfig path on stdout
# (KUBECONFIG="$(deploy/test-cluster/e2e/pods/up.sh)").
#
# Reuse: a running cluster made from the current node image is kept (seconds); one made from an
# older image, or whose node is not running or not ready, is deleted and created again. A new
# operator image (a different image id than the running release's) restarts the operator's pods:
# the id is a pod annotation, so `helm upgrade` rolls the Deployment when it changes. An operator
# installed by an older up.sh with `kubectl apply -k deploy/operator` is replaced by the release.
#
# Environment: KUBETUNE_CACHE (default $HOME/.cache/kubetune), KUBETUNE_KIND_CLUSTER (default
# kubetune-pods), KUBETUNE_RECREATE=1 (delete and create the cluster even when it is healthy).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../../.." && pwd)"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
CLUSTER="${KUBETUNE_KIND_CLUSTER:-kubetune-pods}"
KC="$CACHE_ROOT/kubeconfig-kind-$CLUSTER"
OP_NS=kubetune-system
RELEASE=kubetune # objects named kubetune-operator, the names the scenarios and the Lease use
CHART="$REPO/deploy/helm/kubetune"
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
t=$(date +%s.%N)
HELM="$("$REPO/deploy/tools/build.sh" helm 9>&- | tail -n 1)/helm"
# helm's own files (repositories, plugins, cache) beside the kubeconfig, not in $HOME; the
# release itself lives in the cluster (a Secret in kubetune-system)
export HELM_CACHE_HOME="$CACHE_ROOT/kind/helm-home/cache" \
  HELM_CONFIG_HOME="$CACHE_ROOT/kind/helm-home/config" HELM_DATA_HOME="$CACHE_ROOT/kind/helm-home/data"
say "helm $("$HELM" version --template '{{.Version}}'): $(since "$t")"

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
  KIND_RECREATE="$recreate" KIND_OPERATOR=none KUBECONFIG="$KC" "$REPO/deploy/kind/up.sh" 9>&- >&2
say "cluster and images: $(since "$t")"

export KUBECONFIG="$KC"
t=$(date +%s.%N)
# The CRDs first, with kubectl, from the chart's crds/ (the generated ones: deploy/helm/test.sh):
# helm installs crds/ only when it installs a release and never upgrades them, so on a reused
# cluster a changed schema would otherwise stay old. helm gets --skip-crds.
kubectl apply -f "$CHART/crds/" >&2
kubectl wait --for=condition=Established --timeout=60s \
  crd/finetunejobs.kubetune.io crd/modelserves.kubetune.io >&2
# The namespace as the kustomization makes it (the restricted Pod Security label, which the
# operator's pods must meet); `helm --create-namespace` would make one without the label.
kubectl apply -f "$REPO/deploy/operator/namespace.yaml" >&2

# An operator installed by `kubectl apply -k deploy/operator` (up.sh before the chart): helm
# refuses to take over objects without its ownership labels, and the Deployment's selector (the
# chart adds app.kubernetes.io/instance) cannot change in place. Delete those objects once,
# waiting for the old pods to go (the scenarios count the operator's pods); CRDs, namespace and
# everything in other namespaces stay.
managed_by="$(kubectl -n "$OP_NS" get deployment kubetune-operator --ignore-not-found \
  -o 'jsonpath={.metadata.labels.app\.kubernetes\.io/managed-by}|')"
if [[ -n $managed_by && $managed_by != "Helm|" ]]; then
  say "the operator was installed with kubectl apply -k: deleting its objects for the Helm release"
  old=()
  for f in deployment service serviceaccount clusterrole clusterrolebinding \
    leader-election-role leader-election-rolebinding; do
    old+=(-f "$REPO/deploy/operator/$f.yaml")
  done
  kubectl delete --ignore-not-found --cascade=foreground --wait --timeout=180s "${old[@]}" >&2
fi

# The image values are the tags deploy/kind/up.sh loaded (set here although they are the chart's
# defaults: the test depends on them); IfNotPresent, as nothing can be pulled.
"$HELM" upgrade --install "$RELEASE" "$CHART" -n "$OP_NS" --skip-crds \
  --set image.repository=kubetune/operator --set image.tag=0.1.0 --set image.pullPolicy=IfNotPresent \
  --set trainer.image=kubetune/trainer:0.1.0 --set replicaCount=2 \
  --set-string "podAnnotations.kubetune\.io/operator-image-id=$operator_id" \
  --wait --timeout 300s >&2
kubectl -n "$OP_NS" rollout status deployment/kubetune-operator --timeout=300s >&2
# after a roll the old pods may still be terminating: wait until only the two new ones are left
for ((i = 0; ; i++)); do
  n="$(kubectl -n "$OP_NS" get pods -l app.kubernetes.io/name=kubetune-operator -o name | wc -l)"
  ((n == 2)) && break
  ((i < 120)) || { echo "pods/up.sh: $n operator pods after 120 s, not 2" >&2; exit 1; }
  sleep 1
done
"$HELM" list -n "$OP_NS" >&2
release="$("$HELM" list -n "$OP_NS" -o json | jq -r --arg r "$RELEASE" '.[] | select(.name == $r) | [.status, .revision, .chart] | @tsv')"
read -r state revision chart <<<"$release"
[[ ${state:-} == deployed ]] || { echo "pods/up.sh: helm release $RELEASE is '${state:-missing}', not deployed" >&2; exit 1; }
kubectl -n "$OP_NS" get pods -o wide >&2
say "operator: helm release $RELEASE $state, revision $revision, chart $chart: $(since "$t")"
say "ready; KUBECONFIG=$KC"
echo "$KC"
