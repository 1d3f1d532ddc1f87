#!/usr/bin/env bash
# Deletes the kubetune e2e cluster created by up.sh: stops its etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler and kwok-controller
# processes and removes its state. Harmless when no cluster exists.
# Keeps the binary cache (build.sh output).
set -euo pipefail

CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
CLUSTER="${KUBETUNE_CLUSTER:-kubetune-e2e}"
export KWOK_WORKDIR="$CACHE_ROOT/kwok"
CLUSTER_DIR="$KWOK_WORKDIR/clusters/$CLUSTER"

mkdir -p "$CACHE_ROOT"
if [[ "${KUBETUNE_CLUSTER_LOCKED:-}" != "$CLUSTER" ]]; then
  exec 9>"$CACHE_ROOT/.lock-$CLUSTER"
  flock 9
fi

t0=$(date +%s)
rm -f "$CACHE_ROOT/$CLUSTER.state" "$CACHE_ROOT/kubeconfig-$CLUSTER"

if [[ ! -d "$CLUSTER_DIR" ]]; then
  rm -f "$CACHE_ROOT/$CLUSTER.bin"
  echo "down.sh: no cluster $CLUSTER" >&2
  exit 0
fi

BIN_DIR=""
if [[ -f "$CACHE_ROOT/$CLUSTER.bin" ]]; then
  BIN_DIR="$(sed -n 's/^BIN_DIR=//p' "$CACHE_ROOT/$CLUSTER.bin")"
fi

if [[ -n "$BIN_DIR" && -x "$BIN_DIR/kwokctl" ]]; then
  # --kubeconfig: kwokctl removes its context from that file; point it at a
  # file of its own (it rejects "") so ~/.kube/config is never touched.
  "$BIN_DIR/kwokctl" delete cluster --name "$CLUSTER" --kubeconfig "$KWOK_WORKDIR/kubeconfig.unused" >&2 || true
fi

# Fallback (no kwokctl, or it failed): stop the processes listed in the pid
# files, but only those whose command line points into this cluster's dir
# (a stale pid file must not kill an unrelated process).
ours() { [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF "$CLUSTER_DIR"; }
stop_all() {
  local sig="$1" f pid
  for f in "$CLUSTER_DIR"/pids/*.pid; do
    [[ -f "$f" ]] || continue
    pid="$(tr -dc '0-9' < "$f")"
    if [[ -n "$pid" ]] && ours "$pid"; then kill "-$sig" "$pid" 2>/dev/null || true; fi
  done
}
if [[ -d "$CLUSTER_DIR/pids" ]]; then
  stop_all TERM
  sleep 1
  stop_all KILL
fi
rm -rf "$CLUSTER_DIR"
rm -f "$CACHE_ROOT/$CLUSTER.bin"
echo "down.sh: cluster $CLUSTER deleted ($(( $(date +%s) - t0 ))s)" >&2
