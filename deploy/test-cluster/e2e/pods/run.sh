#!/usr/bin/env bash
# The real-pod tier of the e2e suite: kubetune on a kind cluster whose node runs real containers
# (up.sh: offline node image, `kind load` of the trainer and operator images, the operator
# installed with the Helm chart deploy/helm/kubetune: two replicas and leader election).
# `test/run.sh pods` runs this.
#
# Each scenario (scenarios/NN-name.sh) runs in a fresh namespace, in a subshell with
# `set -Eeuo pipefail` and an ERR trap: any failing command fails the scenario. The scenario's
# status is tested after it ran (never as an `if` condition, where bash would switch errexit and
# the ERR trap off inside it). A scenario that exits 77 is skipped and says why.
#
# Output: per-step lines, a FAIL block with the namespace's objects, events, pod logs and the
# operator's log, a timing table, and the last line "N passed, N failed, N skipped".
#
# Environment:
#   E2E_SCENARIOS=RE   run only the scenarios whose name matches the regex
#   E2E_KEEP=1         keep the scenario namespaces (default: deleted at the end)
#   E2E_DOWN=1         delete the kind cluster at the end (default: leave it; the next run reuses
#                      it in seconds)
#   E2E_DIR            logs (default target/e2e-pods)
#   KUBETUNE_CACHE, KUBETUNE_KIND_CLUSTER, KUBETUNE_RECREATE: as for up.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../../.." && pwd)"
E2E_DIR="${E2E_DIR:-$REPO/target/e2e-pods}"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
CLUSTER="${KUBETUNE_KIND_CLUSTER:-kubetune-pods}"
E2E_RUN="$(date +%H%M%S)"
OP_NS=kubetune-system
TRAINER_IMAGE=kubetune/trainer:0.1.0
TOOLBOX_IMAGE=docker.io/kubetune/kind-toolbox:v1.36.3 # deploy/kind/node-image/build.sh
export E2E_RUN REPO E2E_DIR OP_NS TRAINER_IMAGE TOOLBOX_IMAGE
export PATH="$CACHE_ROOT/kind/bin:$PATH"

mkdir -p "$E2E_DIR" "$CACHE_ROOT"
exec {E2E_LOCK_FD}>"$CACHE_ROOT/.lock-e2e-pods-$CLUSTER"
if ! flock -n "$E2E_LOCK_FD"; then
  echo "e2e-pods: another run holds $CACHE_ROOT/.lock-e2e-pods-$CLUSTER; waiting" >&2
  flock "$E2E_LOCK_FD"
fi

OP_LOG="$E2E_DIR/operator.log" # lib.sh reads it; operator_log_excerpt below fills it
export OP_LOG
# shellcheck source=../lib.sh
source "$HERE/../lib.sh"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

# The operator runs in the cluster here: its log is what its pods print (the replicas, leader
# first, and the previous container of a restarted one).
operator_log_excerpt() {
  local pod
  echo "--- operator pods"
  kubectl -n "$OP_NS" get pods -o wide 2>&1 || true
  echo "--- Lease $OP_NS/kubetune-operator holder: $(kubectl -n "$OP_NS" get lease kubetune-operator -o 'jsonpath={.spec.holderIdentity}' 2>/dev/null)"
  for pod in $(kubectl -n "$OP_NS" get pods -o name 2>/dev/null); do
    echo "--- kubectl logs $pod, lines naming $NS (last 30), then its last 15 lines"
    kubectl -n "$OP_NS" logs "$pod" 2>/dev/null | grep -F -- "$NS" | tail -n 30 || true
    kubectl -n "$OP_NS" logs "$pod" --tail 15 2>/dev/null || true
  done
}
# Pods' own logs belong in a failure report when pods run for real.
eval "lib_$(declare -f diagnostics)"
diagnostics() {
  lib_diagnostics
  {
    local pod
    for pod in $(k get pods -o name 2>/dev/null); do
      echo "--- kubectl logs $pod (last 25 lines)"
      k logs "$pod" --all-containers --tail 25 2>&1 || true
    done
  } | sed 's/^/    | /'
}

RUN_T0=$(now_s)
declare -a ROWS=()
PASSED=0
FAILED=0
SKIPPED=0
NAMESPACES=()

row() { ROWS+=("$(printf '%-28s %7ss  %s' "$1" "$2" "$3")"); }

report() {
  echo
  echo "=== e2e-pods timings (run $E2E_RUN, cluster $CLUSTER, logs in $E2E_DIR)"
  printf '%s\n' "${ROWS[@]}"
  printf '%-28s %7ss\n' "total" "$(elapsed "$RUN_T0")"
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
}

cleanup() {
  local rc=$?
  if [[ "${E2E_KEEP:-0}" != 1 ]] && ((${#NAMESPACES[@]})); then
    kubectl delete namespace "${NAMESPACES[@]}" --wait=false >/dev/null 2>&1 || true
  fi
  if [[ "${E2E_DOWN:-0}" == 1 ]]; then
    "$HERE/down.sh" {E2E_LOCK_FD}>&- || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A set-up stage: on failure the run stops.
stage() { # NAME CMD...
  local name="$1" t0 rc
  shift
  echo "::: $name"
  t0=$(now_s)
  set +e
  "$@"
  rc=$?
  set -e
  if ((rc == 0)); then
    row "$name" "$(elapsed "$t0")" "ok"
  else
    row "$name" "$(elapsed "$t0")" "FAILED"
    FAILED=$((FAILED + 1))
    echo "e2e-pods: stage '$name' failed (exit $rc); the scenarios do not run" >&2
    report
    exit 1
  fi
}

scenario() { # NAME
  local name="$1" ns t0 rc
  if [[ -n "${E2E_SCENARIOS:-}" && ! "$name" =~ $E2E_SCENARIOS ]]; then
    return 0
  fi
  ns="pods-${name#*-}-$E2E_RUN"
  ns="${ns:0:63}"
  NAMESPACES+=("$ns")
  echo "::: scenario $name (namespace $ns)"
  t0=$(now_s)
  set +e
  (
    set -Eeuo pipefail
    NS="$ns"
    SCENARIO="$name"
    SCENARIO_T0="$t0"
    SCENARIO_LOG_LINE=0
    trap 'fail "command failed (exit $?): $BASH_COMMAND"' ERR
    kubectl create namespace "$NS" >/dev/null
    kubectl label namespace "$NS" "kubetune.io/e2e-pods=$E2E_RUN" >/dev/null
    wait_until 30 "namespace $NS has its default ServiceAccount" k get serviceaccount default
    # shellcheck source=/dev/null
    source "$HERE/scenarios/$name.sh"
  )
  rc=$?
  set -e
  case $rc in
    0) PASSED=$((PASSED + 1)); row "$name" "$(elapsed "$t0")" "passed" ;;
    77) SKIPPED=$((SKIPPED + 1)); row "$name" "$(elapsed "$t0")" "skipped" ;;
    *) FAILED=$((FAILED + 1)); row "$name" "$(elapsed "$t0")" "FAILED (exit $rc)" ;;
  esac
  if [[ "${E2E_KEEP:-0}" != 1 ]]; then
    kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  fi
}

cluster_up() {
  local kc
  kc="$("$HERE/up.sh" {E2E_LOCK_FD}>&-)" || return 1
  export KUBECONFIG="$kc"
  kubectl version | sed 's/^/  /'
  kubectl get nodes -o wide | sed 's/^/  /'
  kubectl -n "$OP_NS" get pods -o wide | sed 's/^/  /'
  # leftovers of earlier runs (namespaces are deleted asynchronously at the end of a run)
  kubectl delete namespace -l kubetune.io/e2e-pods --wait=false >/dev/null 2>&1 || true
}

# QuickstartData.java, compiled against the trainer image's own jars (the image has no javac).
quickstart_writer() {
  local out="$E2E_DIR/quickstart-writer" cid
  command -v javac >/dev/null || { echo "javac (JDK 17+) is needed on the host" >&2; return 1; }
  rm -rf "$out"
  mkdir -p "$out/classes"
  cid="$(docker create "$TRAINER_IMAGE")"
  docker cp "$cid:/opt/kubetune/lib" "$out/lib" >/dev/null
  docker cp "$cid:/opt/kubetune/kubetune-trainer.jar" "$out/lib/" >/dev/null
  docker rm "$cid" >/dev/null
  javac --release 17 -nowarn -cp "$out/lib/*" -d "$out/classes" "$HERE/QuickstartData.java"
  echo "  compiled $(basename "$QUICKSTART_CLASS") ($(stat -c %s "$QUICKSTART_CLASS") bytes)"
}
export QUICKSTART_CLASS="$E2E_DIR/quickstart-writer/classes/QuickstartData.class"

echo "e2e-pods: run $E2E_RUN, repository $REPO, cluster $CLUSTER"
stage "cluster up" cluster_up
stage "quickstart writer" quickstart_writer
scenario 01-train-and-serve
scenario 02-kill-pod-and-leader
scenario 03-two-node-job
scenario 04-rolling-restart
report
((FAILED == 0))
