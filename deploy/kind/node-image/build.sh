#!/usr/bin/env bash
# Builds the kind node image kubetune/kind-node:v1.36.3 with no container registry and no GitHub
# download: everything comes from the Debian mirror, the Go module proxy and this repository.
#
#   1. Go: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd
#      (deploy/test-cluster/build.sh, the binaries the kwok tier already uses), kubelet, kubeadm,
#      kube-proxy (build.sh node), kind, crictl, CoreDNS and the local-path provisioner (gobin/);
#      pause from the C source in the Kubernetes module (build/pause/linux/pause.c), with gcc.
#   2. The images kubeadm v1.36 expects, under the names it asks for
#      (`kubeadm config images list`): registry.k8s.io/kube-apiserver:v1.36.3, ...,
#      etcd:3.6.8-0, coredns/coredns:v1.14.2, pause:3.10.2; plus the local-path provisioner, its
#      helper, kubetune-cni (manifests/cni.yaml) and a toolbox for tests. Static binaries go on
#      a bare root (passwd, CA certificates, /tmp); kube-proxy, kubetune-cni, the helper and the
#      toolbox share one Debian image (iptables, conntrack, iproute2, curl, jq, kubectl).
#   3. The node: Containerfile (Debian systemd, containerd, runc, CNI plugins; kind's entrypoint
#      and units from the kind module; our kubelet, kubeadm, kubectl), then the images above are
#      imported into its containerd (docker run, ctr import, docker commit: what
#      `kind build node-image` does, which would pull them from registries instead).
#
# Cached: the image carries a label with the hash of every input (binaries' build keys, this
# directory, base image); when it matches, nothing is done (< 1 s). Binaries are cached under
# $KUBETUNE_CACHE/k8s and $KUBETUNE_CACHE/kind/gobin-<key>; $KUBETUNE_CACHE/kind/bin has links to
# the kind and kubectl binaries for the host. Prints the image name on stdout.
#
# Environment: KUBETUNE_CACHE (default $HOME/.cache/kubetune), KIND_NODE_IMAGE (default
# kubetune/kind-node:v1.36.3), BASE_IMAGE (default kubetune/base:bookworm), FORCE_BUILD=1
# (rebuild the images even when the label matches; binaries stay cached), NO_CACHE=1 (docker
# build --no-cache: apt again, for cold timings).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
KUBE_VERSION=v1.36.3 # = deploy/test-cluster/build.sh
NODE_IMAGE="${KIND_NODE_IMAGE:-kubetune/kind-node:$KUBE_VERSION}"
BASE="${BASE_IMAGE:-kubetune/base:bookworm}"
GOBIN_MOD="$HERE/gobin"
CTX="$CACHE_ROOT/build/kind-node"

t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { echo "node-image/build.sh: $*" >&2; }
timed() { # timed WHAT CMD...: runs CMD, says how long it took
  local what="$1" t
  shift
  t=$(date +%s.%N)
  "$@"
  say "$what: $(since "$t")"
}

# --- 1. binaries ----------------------------------------------------------------------------
BASE_IMAGE="$BASE" "$REPO/deploy/image/base.sh"
CP_BIN="$(timed "control-plane binaries" "$REPO/deploy/test-cluster/build.sh" kwok | tail -n 1)"
NODE_BIN="$(timed "node binaries" "$REPO/deploy/test-cluster/build.sh" node | tail -n 1)"

gobin_key="$({
  cat "$GOBIN_MOD/go.mod" "$GOBIN_MOD/go.sum" "$GOBIN_MOD/tools.go" "$GOBIN_MOD/cmd/coredns/main.go"
  go env GOVERSION
} | sha256sum | cut -c1-16)"
GOBIN_DIR="$CACHE_ROOT/kind/gobin-$gobin_key"
build_gobin() {
  mkdir -p "$CACHE_ROOT/kind"
  exec 7>"$CACHE_ROOT/kind/.lock-gobin"
  flock 7
  if [[ ! -f $GOBIN_DIR/.complete ]]; then
    say "building kind, crictl, coredns, local-path-provisioner (cold: ~3 min on 2 cores)"
    local tmp
    tmp="$(mktemp -d "$CACHE_ROOT/kind/.gobin.XXXXXX")"
    # two builds: the provisioner imports logrus by its old name (github.com/Sirupsen/logrus),
    # crictl by the new one, and one build refuses both ("case-insensitive import collision")
    (cd "$GOBIN_MOD" && export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly &&
      go build -trimpath -ldflags="-s -w" -o "$tmp/" \
        ./cmd/coredns sigs.k8s.io/kind sigs.k8s.io/cri-tools/cmd/crictl &&
      go build -trimpath -ldflags="-s -w" -o "$tmp/" github.com/rancher/local-path-provisioner)
    # pause: the Kubernetes module's C source, built as its Makefile does (static, -Os)
    gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION" -o "$tmp/pause" \
      "$(go_mod_dir "$REPO/deploy/test-cluster/k8sbin" k8s.io/kubernetes)/build/pause/linux/pause.c"
    touch "$tmp/.complete"
    rm -rf "$GOBIN_DIR"
    mv "$tmp" "$GOBIN_DIR"
  fi
  exec 7>&-
}
# go_mod_dir MODULE_DIR PATH: where the Go module cache holds PATH as MODULE_DIR requires it
go_mod_dir() {
  (cd "$1" && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' "$2")
}

# Versions kubeadm asks for; checked against `kubeadm config images list` below.
PAUSE_VERSION=3.10.2
ETCD_TAG=3.6.8-0
COREDNS_TAG=v1.14.2
LOCAL_PATH_VERSION="$(cd "$GOBIN_MOD" && go list -m -f '{{.Version}}' github.com/rancher/local-path-provisioner)"
timed "kind, crictl, coredns, local-path-provisioner, pause" build_gobin
# the host's kind and kubectl (deploy/test-cluster/e2e/pods/up.sh puts this folder on PATH)
mkdir -p "$CACHE_ROOT/kind/bin"
ln -sfn "$GOBIN_DIR/kind" "$CACHE_ROOT/kind/bin/kind"
ln -sfn "$CP_BIN/kubectl" "$CACHE_ROOT/kind/bin/kubectl"

REG=registry.k8s.io
STATIC_IMAGES=( # image binary entrypoint user
  "$REG/kube-apiserver:$KUBE_VERSION kube-apiserver - 0"
  "$REG/kube-controller-manager:$KUBE_VERSION kube-controller-manager - 0"
  "$REG/kube-scheduler:$KUBE_VERSION kube-scheduler - 0"
  "$REG/etcd:$ETCD_TAG etcd - 0"
  "$REG/coredns/coredns:$COREDNS_TAG coredns /coredns 0"
  "$REG/pause:$PAUSE_VERSION pause /pause 65535"
  "docker.io/kubetune/local-path-provisioner:$LOCAL_PATH_VERSION local-path-provisioner - 0"
)
TOOLS_IMAGE="$REG/kube-proxy:$KUBE_VERSION"                  # kube-proxy + the tools below
CNI_IMAGE="docker.io/kubetune/kind-cni:$KUBE_VERSION"         # same image, kubetune-cni's name
HELPER_IMAGE="docker.io/kubetune/local-path-helper:$KUBE_VERSION" # same image, the helper's name
TOOLBOX_IMAGE="docker.io/kubetune/kind-toolbox:$KUBE_VERSION" # same image: curl, jq for tests

key="$({
  echo "$CP_BIN $NODE_BIN $GOBIN_DIR $NODE_IMAGE"
  docker image inspect --format '{{.Id}}' "$BASE"
  find "$HERE" \( -path "$GOBIN_MOD" -o -name README.md \) -prune -o -type f -print0 | sort -z | xargs -0 cat
  printf '%s\n' "${STATIC_IMAGES[@]}" "$TOOLS_IMAGE" "$CNI_IMAGE" "$HELPER_IMAGE" "$TOOLBOX_IMAGE"
} | sha256sum | cut -c1-16)"
have="$(docker image inspect --format '{{ index .Config.Labels "io.kubetune.kind-node.key" }}' "$NODE_IMAGE" 2>/dev/null || true)"
if [[ $have == "$key" && ${FORCE_BUILD:-0} != 1 ]]; then
  say "$NODE_IMAGE is up to date (key $key); $(since "$t0")"
  echo "$NODE_IMAGE"
  exit 0
fi

# kubeadm must ask for exactly these images, or the cluster would try to pull
want_images="$("$NODE_BIN/kubeadm" config images list --kubernetes-version "$KUBE_VERSION" | sort)"
have_images="$(printf '%s\n' "${STATIC_IMAGES[@]%% *}" "$TOOLS_IMAGE" | grep '^registry.k8s.io/' | sort)"
if [[ "$want_images" != "$have_images" ]]; then
  say "kubeadm $KUBE_VERSION asks for other images than this script builds:"
  diff <(echo "$want_images") <(echo "$have_images") >&2 || true
  exit 1
fi

# --- 2. component images ----------------------------------------------------------------------
rm -rf "$CTX"
mkdir -p "$CTX/bin" "$CTX/rootfs/etc/ssl/certs" "$CTX/rootfs/tmp" "$CTX/manifests" "$CTX/tools"
chmod 1777 "$CTX/rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$CTX/rootfs/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$CTX/rootfs/etc/group"
echo 'hosts: files dns' >"$CTX/rootfs/etc/nsswitch.conf"
cp /etc/ssl/certs/ca-certificates.crt "$CTX/rootfs/etc/ssl/certs/"
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd; do cp "$CP_BIN/$b" "$CTX/bin/"; done
for b in kubelet kubeadm kube-proxy; do cp "$NODE_BIN/$b" "$CTX/bin/"; done
for b in coredns local-path-provisioner pause crictl; do cp "$GOBIN_DIR/$b" "$CTX/bin/"; done

NO_CACHE_ARG=()
[[ ${NO_CACHE:-0} == 1 ]] && NO_CACHE_ARG=(--no-cache)
build_image() { # build_image TAG < Containerfile text
  local tag="$1" log="$CTX/build-${1//[\/:]/_}.log"
  if ! DOCKER_BUILDKIT=0 docker build "${NO_CACHE_ARG[@]}" --force-rm -t "$tag" -f - "$CTX" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "docker build of $tag failed (log $log)"
    exit 1
  fi
}

t=$(date +%s.%N)
# One scratch image per static binary, as the upstream ones (distroless) are: a bare root and
# the binary on PATH; kubeadm's manifests name the command, CoreDNS and pause use the entrypoint.
for spec in "${STATIC_IMAGES[@]}"; do
  read -r tag binary entrypoint user <<<"$spec"
  [[ $entrypoint == - ]] && entrypoint="/usr/local/bin/$binary"
  [[ $binary == coredns || $binary == pause ]] && dest="/$binary" || dest="/usr/local/bin/$binary"
  build_image "$tag" <<EOF
FROM scratch
COPY rootfs/ /
COPY bin/$binary $dest
ENV PATH=/usr/local/bin:/usr/bin:/bin
USER $user
ENTRYPOINT ["$entrypoint"]
LABEL io.kubetune.kind-node.component="$binary"
EOF
done
cp "$HERE/kubetune-cni" "$CTX/tools/kubetune-cni"
# kube-proxy needs iptables and conntrack (iptables mode); kubetune-cni needs ip and kubectl;
# the local-path helper needs sh, mkdir, rm; curl and jq are for tests that talk to Services from
# inside the cluster (kind-toolbox). Debian's iptables uses the nf_tables backend, as the
# node's does (kind's entrypoint picks the backend the host uses; docker here uses nf_tables).
build_image "$TOOLS_IMAGE" <<EOF
FROM $BASE
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      iptables conntrack iproute2 curl jq \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/*.log /var/log/apt/*
COPY bin/kube-proxy bin/kubectl /usr/local/bin/
COPY tools/kubetune-cni /usr/local/bin/kubetune-cni
LABEL io.kubetune.kind-node.component="kube-proxy"
EOF
docker tag "$TOOLS_IMAGE" "$CNI_IMAGE"
docker tag "$TOOLS_IMAGE" "$HELPER_IMAGE"
docker tag "$TOOLS_IMAGE" "$TOOLBOX_IMAGE"
say "component images: $(since "$t")"

# --- 3. manifests kind applies at cluster creation ----------------------------------------------
sed -e "s|@CNI_IMAGE@|$CNI_IMAGE|" "$HERE/manifests/cni.yaml" >"$CTX/manifests/default-cni.yaml"
# local-path provisioner: the release's own manifest (in its module), with our image names and
# its StorageClass made the default (PVCs without storageClassName use it, as in stock kind)
lp_manifest="$(go_mod_dir "$GOBIN_MOD" github.com/rancher/local-path-provisioner)/deploy/local-path-storage.yaml"
sed -e "s|image: rancher/local-path-provisioner:.*|image: docker.io/kubetune/local-path-provisioner:$LOCAL_PATH_VERSION|" \
    -e "s|image: busybox|image: $HELPER_IMAGE|" \
    -e "s|^  name: local-path$|  name: local-path\n  annotations:\n    storageclass.kubernetes.io/is-default-class: \"true\"|" \
    "$lp_manifest" >"$CTX/manifests/default-storage.yaml"
for want in "docker.io/kubetune/local-path-provisioner:" "$HELPER_IMAGE" "is-default-class"; do
  grep -q "$want" "$CTX/manifests/default-storage.yaml" ||
    { say "the local-path manifest ($lp_manifest) changed shape: '$want' not set"; exit 1; }
done

# --- 4. the node ------------------------------------------------------------------------------
kind_dir="$(go_mod_dir "$GOBIN_MOD" sigs.k8s.io/kind)"
cp -r "$kind_dir/images/base/files" "$CTX/kind-files"
chmod -R u+w "$CTX/kind-files"
t=$(date +%s.%N)
log="$CTX/build-node.log"
if ! DOCKER_BUILDKIT=0 docker build "${NO_CACHE_ARG[@]}" --force-rm -t "$NODE_IMAGE-stage" -f "$HERE/Containerfile" \
  --build-arg "BASE_IMAGE=$BASE" --build-arg "KUBE_VERSION=$KUBE_VERSION" \
  --build-arg "PAUSE_IMAGE=$REG/pause:$PAUSE_VERSION" "$CTX" >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  say "docker build of the node failed (log $log)"
  exit 1
fi
say "node image (packages, kind files, binaries): $(since "$t")"

# Preload: containerd in a build container imports the images, then the container is committed.
t=$(date +%s.%N)
builder="kubetune-kind-node-build-$$"
docker rm -f "$builder" >/dev/null 2>&1 || true
trap 'docker rm -f "$builder" >/dev/null 2>&1 || true' EXIT
docker run -d --init --name "$builder" --privileged --entrypoint sleep "$NODE_IMAGE-stage" infinity >/dev/null
docker exec "$builder" bash -c 'nohup containerd >/tmp/containerd.log 2>&1 & echo $! >/tmp/containerd.pid
  for i in $(seq 100); do [[ -S /run/containerd/containerd.sock ]] && ctr version >/dev/null 2>&1 && exit 0; sleep 0.1; done
  cat /tmp/containerd.log; exit 1'
images=("${STATIC_IMAGES[@]%% *}" "$TOOLS_IMAGE" "$CNI_IMAGE" "$HELPER_IMAGE" "$TOOLBOX_IMAGE")
# pinned: the kubelet's image garbage collection must never remove them (nothing can pull them)
docker save "${images[@]}" | docker exec -i "$builder" \
  ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack -
imported="$(docker exec "$builder" ctr --namespace=k8s.io images list -q)"
for image in "${images[@]}"; do
  grep -qx "$image" <<<"$imported" || { say "$image is missing from the node's containerd"; exit 1; }
done
docker exec "$builder" bash -c 'pid=$(cat /tmp/containerd.pid); kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; rm -f /tmp/containerd.*'
docker commit \
  --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' --change 'CMD []' \
  --change "LABEL io.kubetune.kind-node.key=$key" \
  "$builder" "$NODE_IMAGE" >/dev/null
docker rm -f "$builder" >/dev/null
trap - EXIT
docker rmi "$NODE_IMAGE-stage" >/dev/null 2>&1 || true
say "images preloaded: $(since "$t")"
say "$NODE_IMAGE: $(docker image inspect --format '{{.Size}}' "$NODE_IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }'), key $key; total $(since "$t0")"
echo "$NODE_IMAGE"
