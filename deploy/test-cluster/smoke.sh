#!/usr/bin/env bash
# Self-check of the cluster started by up.sh. Runs in a fresh namespace and
# deletes it at the end. Exits non-zero with a message on the first failure.
#   1. a Job (2 completions, nvidia.com/gpu: 4 each, with the GPU toleration)
#      runs on the GPU nodes and completes;
#   2. a Job whose pod is annotated fake.kubetune.io/exit-code: "3" fails,
#      the container terminated with exit code 3;
#   3. a Job pod annotated fake.kubetune.io/run-seconds: "8" is still running
#      after 4 s and then succeeds;
#   4. a Deployment with 1 replica becomes Available (pod Running, podIP set);
#   5. with the GPU taint on: a GPU pod without the toleration stays Pending;
#   6. deleting the namespace completes.
#
# Environment: KUBETUNE_CACHE, KUBETUNE_CLUSTER as for up.sh;
#   KUBETUNE_KUBECONFIG overrides the kubeconfig (default: the one up.sh wrote).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
CLUSTER="${KUBETUNE_CLUSTER:-kubetune-e2e}"
KC="${KUBETUNE_KUBECONFIG:-$CACHE_ROOT/kubeconfig-$CLUSTER}"
[[ -f "$KC" ]] || { echo "smoke.sh: FAIL: no kubeconfig at $KC; run $HERE/up.sh first" >&2; exit 1; }

BIN_DIR=""
[[ -f "$CACHE_ROOT/$CLUSTER.bin" ]] && BIN_DIR="$(sed -n 's/^BIN_DIR=//p' "$CACHE_ROOT/$CLUSTER.bin")"
[[ -x "$BIN_DIR/kubectl" ]] || BIN_DIR="$("$HERE/build.sh" | tail -n 1)"
KUBECTL="$BIN_DIR/kubectl"

NS="kubetune-smoke-$(date +%s)-$$"
t0=$(date +%s)
log() { echo "smoke.sh: [$(( $(date +%s) - t0 ))s] $*"; }
k() { "$KUBECTL" --kubeconfig "$KC" "$@"; }
fail() {
  echo "smoke.sh: FAIL: $*" >&2
  k -n "$NS" get jobs,deployments,pods -o wide >&2 2>/dev/null || true
  k delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
  exit 1
}

k get --raw /readyz >/dev/null 2>&1 || fail "API server not reachable with $KC (run up.sh)"
gpu_tainted=0
if [[ -n "$(k get nodes -l nvidia.com/gpu.present=true -o jsonpath='{range .items[*].spec.taints[?(@.key=="nvidia.com/gpu")]}x{end}')" ]]; then
  gpu_tainted=1
fi

k create namespace "$NS" >/dev/null
for (( i = 0; i < 60; i++ )); do
  k -n "$NS" get serviceaccount default >/dev/null 2>&1 && break
  sleep 0.5
done
k -n "$NS" get serviceaccount default >/dev/null 2>&1 || fail "serviceaccount default not created in $NS"
log "namespace $NS"

job() { # name completions gpus annotations-yaml(indented 8)
  cat <<EOF
---
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
spec:
  completions: $2
  parallelism: $2
  backoffLimit: 0
  template:
    metadata:
      annotations:
        kubetune.io/smoke: "true"
$4
    spec:
      restartPolicy: Never
      tolerations:
      - key: nvidia.com/gpu
        operator: Exists
        effect: NoSchedule
      containers:
      - name: main
        image: fake.invalid/kubetune/trainer:smoke
        resources:
          limits:
            nvidia.com/gpu: "$3"
EOF
}

{
  job gpu-job 2 4 ""
  job exit3-job 1 1 '        fake.kubetune.io/exit-code: "3"'
  job slow-job 1 1 '        fake.kubetune.io/run-seconds: "8"'
  cat <<EOF
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: fake.invalid/kubetune/web:smoke
        resources:
          requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: Pod
metadata:
  name: gpu-no-toleration
spec:
  containers:
  - name: main
    image: fake.invalid/kubetune/trainer:smoke
    resources:
      limits:
        nvidia.com/gpu: "1"
EOF
} | k -n "$NS" apply -f - >/dev/null
log "applied 3 Jobs, 1 Deployment, 1 Pod"

# 3 (first, because it is timing-sensitive): still running after 4 s.
sleep 4
phase="$(k -n "$NS" get pods -l job-name=slow-job -o jsonpath='{.items[*].status.phase}')"
[[ "$phase" == "Running" ]] || fail "slow-job pod (run-seconds 8) should be Running after 4s, is '$phase'"
log "ok: run-seconds pod still Running after 4s"

# 1. GPU job completes, pods on GPU nodes.
k -n "$NS" wait --for=condition=Complete job/gpu-job --timeout=90s >/dev/null || fail "gpu-job did not complete"
nodes="$(k -n "$NS" get pods -l job-name=gpu-job -o jsonpath='{range .items[*]}{.spec.nodeName}{" "}{end}')"
codes="$(k -n "$NS" get pods -l job-name=gpu-job -o jsonpath='{range .items[*]}{.status.containerStatuses[0].state.terminated.exitCode}{" "}{end}')"
for n in $nodes; do [[ "$n" == kubetune-gpu-* ]] || fail "gpu-job pod ran on non-GPU node '$n'"; done
[[ "$(wc -w <<<"$nodes")" -eq 2 ]] || fail "gpu-job: expected 2 pods, got nodes '$nodes'"
[[ "$codes" == "0 0 " ]] || fail "gpu-job: expected exit codes 0 0, got '$codes'"
log "ok: gpu-job complete, pods on: $nodes exit codes: $codes"

# 2. exit-code 3 job fails.
k -n "$NS" wait --for=condition=Failed job/exit3-job --timeout=90s >/dev/null || fail "exit3-job did not fail"
code="$(k -n "$NS" get pods -l job-name=exit3-job -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.exitCode}')"
phase="$(k -n "$NS" get pods -l job-name=exit3-job -o jsonpath='{.items[0].status.phase}')"
[[ "$code" == 3 && "$phase" == Failed ]] || fail "exit3-job pod: expected Failed/exit 3, got $phase/$code"
log "ok: exit3-job Failed, pod phase $phase, exit code $code"

# 3 (end). run-seconds job succeeds.
k -n "$NS" wait --for=condition=Complete job/slow-job --timeout=90s >/dev/null || fail "slow-job did not complete"
log "ok: slow-job complete"

# 4. Deployment available.
k -n "$NS" wait --for=condition=Available deployment/web --timeout=90s >/dev/null || fail "deployment web not Available"
read -r phase ip node < <(k -n "$NS" get pods -l app=web -o jsonpath='{.items[0].status.phase} {.items[0].status.podIP} {.items[0].spec.nodeName}{"\n"}') || true
[[ "$phase" == Running && -n "$ip" ]] || fail "web pod: expected Running with a podIP, got '$phase' '$ip'"
log "ok: deployment web Available, pod Running on $node, podIP $ip"

# 5. Taint keeps GPU pods without toleration off the GPU nodes.
if [[ "$gpu_tainted" == 1 ]]; then
  reason="$(k -n "$NS" get pod gpu-no-toleration -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}')"
  [[ "$reason" == Unschedulable ]] || fail "gpu-no-toleration: expected Unschedulable, got '$reason'"
  log "ok: GPU pod without toleration is Unschedulable (GPU nodes tainted)"
else
  k -n "$NS" wait --for=condition=Ready pod/gpu-no-toleration --timeout=60s >/dev/null || fail "gpu-no-toleration not Ready (GPU nodes untainted)"
  log "ok: GPU pod without toleration Running (GPU nodes untainted)"
fi

# 6. Namespace deletion finishes.
k delete namespace "$NS" --timeout=120s >/dev/null || fail "namespace $NS deletion did not finish"
log "ok: namespace $NS deleted"
log "PASS"
