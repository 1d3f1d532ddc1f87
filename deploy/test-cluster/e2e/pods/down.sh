#!/usr/bin/env bash
# Deletes the real-pod test cluster (images and caches stay). KUBETUNE_KIND_CLUSTER as for up.sh.
set -euo pipefail
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
CLUSTER="${KUBETUNE_KIND_CLUSTER:-kubetune-pods}"
export PATH="$CACHE_ROOT/kind/bin:$PATH"
kind delete cluster --name "$CLUSTER" --kubeconfig "$CACHE_ROOT/kubeconfig-kind-$CLUSTER"
rm -f "$CACHE_ROOT/kubeconfig-kind-$CLUSTER"
