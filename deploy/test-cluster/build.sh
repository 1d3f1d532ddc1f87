#!/usr/bin/env bash
# Builds Kubernetes binaries from Go modules (module proxy only, no GitHub, no
# container registry) into a content-addressed cache directory:
#
#   build.sh [kwok]   kube-apiserver, kube-controller-manager, kube-scheduler,
#                     kubectl, etcd, kwok, kwokctl (the control plane of up.sh,
#                     also the control-plane images of the kind node image)
#                     -> ${KUBETUNE_CACHE:-$HOME/.cache/kubetune}/k8s/<key>/bin
#   build.sh node     kubelet, kubeadm, kube-proxy (what a real node adds; the
#                     kind node image of deploy/kind/node-image)
#                     -> ${KUBETUNE_CACHE:-$HOME/.cache/kubetune}/k8s/<key>-node/bin
#
# Both sets come from the one module k8sbin/, so the second build compiles only
# the packages the first did not (the Go build cache has the rest).
# <key> = hash of k8sbin/go.mod, go.sum, the etcd main and the set's build
# recipe below, plus the Go version. When that directory is complete the build
# is skipped. The bin directory path is printed on the last line of stdout.
#
# Environment:
#   KUBETUNE_CACHE   cache root (default $HOME/.cache/kubetune)
#   GO               go command to use (default: go)
#   BUILD_PARALLEL   go build -p (default: number of CPUs)
#   FORCE_BUILD=1    rebuild even when the cache is complete
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MOD_DIR="$HERE/k8sbin"
GO="${GO:-go}"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"

# Versions: keep in sync with k8sbin/go.mod.
KUBE_VERSION="v1.36.3"
KUBE_GIT_COMMIT="0000000000000000000000000000000000000000"

SET="${1:-kwok}"
case "$SET" in
  kwok)
    BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl)
    PACKAGES=(
      k8s.io/kubernetes/cmd/kube-apiserver
      k8s.io/kubernetes/cmd/kube-controller-manager
      k8s.io/kubernetes/cmd/kube-scheduler
      k8s.io/kubernetes/cmd/kubectl
      ./cmd/etcd
      sigs.k8s.io/kwok/cmd/kwok
      sigs.k8s.io/kwok/cmd/kwokctl
    )
    SUFFIX=""
    ;;
  node)
    BINARIES=(kubelet kubeadm kube-proxy)
    PACKAGES=(
      k8s.io/kubernetes/cmd/kubelet
      k8s.io/kubernetes/cmd/kubeadm
      k8s.io/kubernetes/cmd/kube-proxy
    )
    SUFFIX="-node"
    ;;
  *) echo "build.sh: unknown set '$SET' (kwok or node)" >&2; exit 64 ;;
esac

ver_nov="${KUBE_VERSION#v}"
KUBE_MAJOR="${ver_nov%%.*}"
rest="${ver_nov#*.}"
KUBE_MINOR="${rest%%.*}"
LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS+=" -X ${pkg}.gitVersion=${KUBE_VERSION}"
  LDFLAGS+=" -X ${pkg}.gitMajor=${KUBE_MAJOR}"
  LDFLAGS+=" -X ${pkg}.gitMinor=${KUBE_MINOR}"
  LDFLAGS+=" -X ${pkg}.gitCommit=${KUBE_GIT_COMMIT}"
  LDFLAGS+=" -X ${pkg}.gitTreeState=clean"
  LDFLAGS+=" -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
done
RECIPE="CGO_ENABLED=0 -trimpath -ldflags=${LDFLAGS} ${PACKAGES[*]}"

command -v "$GO" >/dev/null || { echo "build.sh: '$GO' not found (need Go >= 1.26)" >&2; exit 1; }
GO_VERSION="$("$GO" env GOVERSION)"

key="$({
  cat "$MOD_DIR/go.mod" "$MOD_DIR/go.sum" "$MOD_DIR/cmd/etcd/main.go"
  printf '%s\n%s\n' "$RECIPE" "$GO_VERSION"
} | sha256sum | cut -c1-16)$SUFFIX"
OUT_DIR="$CACHE_ROOT/k8s/$key"
BIN_DIR="$OUT_DIR/bin"

complete() {
  [[ -f "$OUT_DIR/.complete" ]] || return 1
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$BIN_DIR/$b" ]] || return 1; done
}

start=$(date +%s)
if [[ "${FORCE_BUILD:-0}" != 1 ]] && complete; then
  echo "build.sh: cached binaries ($KUBE_VERSION, $GO_VERSION) in $BIN_DIR ($(( $(date +%s) - start ))s)" >&2
  echo "$BIN_DIR"
  exit 0
fi

# One build per key at a time (parallel callers wait, then reuse the result).
mkdir -p "$CACHE_ROOT/k8s"
exec 8>"$CACHE_ROOT/k8s/.lock-$key"
if ! flock -n 8; then
  echo "build.sh: waiting for another build of $key" >&2
  flock 8
fi
if [[ "${FORCE_BUILD:-0}" != 1 ]] && complete; then
  echo "build.sh: cached binaries (built by a concurrent run) in $BIN_DIR" >&2
  echo "$BIN_DIR"
  exit 0
fi

echo "build.sh: building ${BINARIES[*]} ($KUBE_VERSION, $GO_VERSION, key $key); cold: ~8 min on 2 cores (kwok), ~4 more (node)" >&2
tmp="$(mktemp -d "$CACHE_ROOT/k8s/.build-$key.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"

(
  cd "$MOD_DIR"
  export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--mod=readonly}"
  "$GO" build -p "${BUILD_PARALLEL:-$(nproc)}" -trimpath -ldflags="$LDFLAGS" -o "$tmp/bin/" "${PACKAGES[@]}"
)
for b in "${BINARIES[@]}"; do
  [[ -x "$tmp/bin/$b" ]] || { echo "build.sh: $b missing after build" >&2; exit 1; }
done
"$tmp/bin/${BINARIES[0]}" --version >&2

{
  echo "key=$key"
  echo "kube_version=$KUBE_VERSION"
  echo "go_version=$GO_VERSION"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "seconds=$(( $(date +%s) - start ))"
} > "$tmp/BUILD_INFO"
touch "$tmp/.complete"
rm -rf "$OUT_DIR"
mv "$tmp" "$OUT_DIR"
trap - EXIT

echo "build.sh: built in $(( $(date +%s) - start ))s -> $BIN_DIR" >&2
echo "$BIN_DIR"
