#!/usr/bin/env bash
# kubetune's end-to-end tests on a real control plane (deploy/test-cluster: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler v1.36.3, kwok nodes). `make e2e` runs this.
#
# The steps are what a user types: the cluster's own kubectl, `kubectl apply -k deploy/operator`,
# `kubectl apply -f examples/...`, `kubectl get ftj`. kwok pods never run containers, so the
# operator's Deployment is installed as a user installs it (its pods are kwok fakes: checked to
# become Available, then scaled to 0 so that they are not mistaken for a running operator) and the
# REAL operator runs as a local process (operator.sh): the Quarkus fast-jar, production profile,
# authenticated with a token of the ServiceAccount that deploy/operator creates, so the
# least-privilege RBAC is exercised. Each scenario runs in a fresh namespace (scenarios/*.sh).
#
# Output: per-step lines, a FAIL block with YAML/events/operator log on failure, a timing table,
# and the last line "N passed, N failed". Exit status 0 only when every scenario passed.
#
# A scenario fails at its first failing command, as `set -e` promises: it runs in a subshell with
# errexit and an ERR trap, and that subshell is never the condition of an `if`, `&&` or `||`
# (bash ignores errexit and the ERR trap there, even when the subshell sets them itself): its
# status is captured, then tested. A stage function runs with errexit as well: its first failing
# command ends the run. The harness checks itself before the scenarios (stage "harness
# self-test"): the files in selftest/ run as scenarios and each must pass or fail as its
# "# selftest: expect ..." line says (they are not counted as scenarios).
#
# Environment:
#   E2E_SKIP_BUILD=1   use operator/target/quarkus-app as it is (default: mvn package first)
#   E2E_SCENARIOS=RE   run only the scenarios whose name matches the regex (the operator-free
#                      corpus scenario included only if it matches)
#   E2E_KEEP=1         keep the scenario namespaces (default: deleted at the end)
#   E2E_DOWN=1         stop the cluster at the end (default: leave it for the next run)
#   E2E_DIR            logs and the operator's kubeconfig (default target/e2e)
#   E2E_RECORD_GITOPS=DIR  scenario 16-gitops-health writes the objects it checked to DIR
#   KUBETUNE_CACHE, KUBETUNE_CLUSTER: as for deploy/test-cluster/up.sh
set -euo pipefail
shopt -s inherit_errexit # command substitutions fail with their first failing command too

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
E2E_DIR="${E2E_DIR:-$REPO/target/e2e}"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
CLUSTER="${KUBETUNE_CLUSTER:-kubetune-e2e}"
E2E_RUN="$(date +%H%M%S)"
export E2E_RUN REPO E2E_DIR

mkdir -p "$E2E_DIR" "$CACHE_ROOT"
# One run per cluster at a time: two local operators would share the cluster and the Lease.
# Long-lived children (a cluster that up.sh starts, the operator) must not inherit the lock's fd:
# every such command closes it with {E2E_LOCK_FD}>&-.
exec {E2E_LOCK_FD}>"$CACHE_ROOT/.lock-e2e-$CLUSTER"
if ! flock -n "$E2E_LOCK_FD"; then
  echo "e2e: another e2e run holds $CACHE_ROOT/.lock-e2e-$CLUSTER; waiting" >&2
  flock "$E2E_LOCK_FD"
fi

OP_LOG="$E2E_DIR/operator.log"
: >"$OP_LOG"
rm -f "$E2E_DIR/operator.starts"
# What the scenarios deleted, and when (lib.sh's note_deletion; namespaces: name "*"): the operator
# log check waives NotFound only for those.
E2E_DELETIONS="$E2E_DIR/deletions"
: >"$E2E_DELETIONS"
export OP_LOG E2E_DELETIONS
# shellcheck source=lib.sh
source "$HERE/lib.sh"
# shellcheck source=operator.sh
source "$HERE/operator.sh"

RUN_T0=$(now_s)
declare -a ROWS=()
PASSED=0
FAILED=0
NAMESPACES=()

row() { ROWS+=("$(printf '%-28s %7ss  %s' "$1" "$2" "$3")"); }

report() {
  echo
  echo "=== e2e timings (run $E2E_RUN, logs in $E2E_DIR)"
  printf '%s\n' "${ROWS[@]}"
  printf '%-28s %7ss\n' "total" "$(elapsed "$RUN_T0")"
  echo "$PASSED passed, $FAILED failed"
}

cleanup() {
  local rc=$?
  if [[ -n "${CURRENT_STAGE:-}" ]]; then
    row "$CURRENT_STAGE" "$(elapsed "$STAGE_T0")" "FAILED (exit $rc)"
    FAILED=$((FAILED + 1))
    echo "e2e: stage '$CURRENT_STAGE' failed (exit $rc); the remaining scenarios do not run" >&2
    report
    ((rc != 0)) || rc=1
  fi
  operator_kill TERM || true
  if [[ "${E2E_KEEP:-0}" != 1 ]] && ((${#NAMESPACES[@]})); then
    kubectl delete namespace "${NAMESPACES[@]}" --wait=false >/dev/null 2>&1 || true
    kubectl delete pv -l "kubetune.io/e2e=$E2E_RUN" --wait=false >/dev/null 2>&1 || true
  fi
  if [[ "${E2E_DOWN:-0}" == 1 ]]; then
    "$REPO/deploy/test-cluster/down.sh" {E2E_LOCK_FD}>&- || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A set-up stage: on failure the run stops (the scenarios after it cannot run). CMD runs in this
# shell (it may export what later stages need) with errexit on, so its first failing command ends
# the run; cleanup (the EXIT trap) reports the stage as failed.
CURRENT_STAGE=""
STAGE_T0=""
stage() { # NAME CMD...
  CURRENT_STAGE="$1"
  shift
  echo "::: $CURRENT_STAGE"
  STAGE_T0=$(now_s)
  "$@"
  row "$CURRENT_STAGE" "$(elapsed "$STAGE_T0")" "ok"
  CURRENT_STAGE=""
}

# Runs FILE as a scenario in a fresh namespace NS, in a subshell with errexit and an ERR trap;
# sets SCENARIO_RC (0: passed). Never call it as a condition (if/&&/||/!): bash would switch
# errexit off inside it.
SCENARIO_RC=0
run_scenario_file() { # NAME FILE NS
  local name="$1" file="$2" ns="$3" t0
  local marker="$E2E_DIR/$ns.failed"
  t0=$(now_s)
  rm -f "$marker"
  set +e
  (
    set -Eeuo pipefail
    NS="$ns"
    SCENARIO="$name"
    SCENARIO_T0="$t0"
    SCENARIO_PID=$BASHPID
    SCENARIO_FAILED="$marker"
    exec {SCENARIO_OUT}>&1
    SCENARIO_LOG_LINE=$(wc -l <"$OP_LOG")
    trap 'fail "command failed (exit $?): $BASH_COMMAND"' ERR
    kubectl create namespace "$NS" >/dev/null
    kubectl label namespace "$NS" "kubetune.io/e2e=$E2E_RUN" >/dev/null
    wait_until 30 "namespace $NS has its default ServiceAccount" k get serviceaccount default
    # shellcheck source=/dev/null
    source "$file"
    if [[ -e "$SCENARIO_FAILED" ]]; then
      fail "a command or check failed inside a subshell (see its FAIL line above)"
    fi
  )
  SCENARIO_RC=$?
  set -e
  if [[ -e "$marker" ]] && ((SCENARIO_RC == 0)); then
    SCENARIO_RC=1
  fi
  rm -f "$marker"
}

delete_namespace() { # NS
  if [[ "${E2E_KEEP:-0}" != 1 ]]; then
    echo "$(date '+%Y-%m-%d %H:%M:%S,%3N') $1 *" >>"$E2E_DELETIONS"
    kubectl delete namespace "$1" --wait=false >/dev/null 2>&1 || true
  fi
}

# A scenario: scenarios/NAME.sh, in a subshell, in a fresh namespace; a failure ends only it.
scenario() { # NAME
  local name="$1"
  if [[ -n "${E2E_SCENARIOS:-}" && ! "$name" =~ $E2E_SCENARIOS ]]; then
    return 0
  fi
  local ns="e2e-${name#*-}-$E2E_RUN"
  ns="${ns:0:63}"
  NAMESPACES+=("$ns")
  echo "::: scenario $name (namespace $ns)"
  local t0
  t0=$(now_s)
  run_scenario_file "$name" "$HERE/scenarios/$name.sh" "$ns"
  if ((SCENARIO_RC == 0)); then
    PASSED=$((PASSED + 1))
    row "$name" "$(elapsed "$t0")" "passed"
  else
    FAILED=$((FAILED + 1))
    row "$name" "$(elapsed "$t0")" "FAILED"
  fi
  delete_namespace "$ns"
}

# The harness's own test: every selftest/*.sh runs through run_scenario_file like a scenario and
# must end as its "# selftest: expect pass|fail" line says. A harness that lets a failing command
# pass (or fails everything) stops the run here.
harness_selftest() {
  local file name ns expect got log wrong=0 n=0
  mkdir -p "$E2E_DIR/selftest"
  for file in "$HERE"/selftest/*.sh; do
    name="selftest-$(basename "$file" .sh)"
    expect="$(sed -n 's/^# selftest: expect \(pass\|fail\)$/\1/p' "$file")"
    [[ -n "$expect" ]] || { echo "  $file: no '# selftest: expect pass|fail' line" >&2; return 1; }
    ns="e2e-$(basename "$file" .sh)-$E2E_RUN"
    ns="${ns:0:63}"
    NAMESPACES+=("$ns")
    log="$E2E_DIR/selftest/$name.log"
    run_scenario_file "$name" "$file" "$ns" >"$log" 2>&1
    got=pass
    ((SCENARIO_RC == 0)) || got=fail
    n=$((n + 1))
    if [[ "$got" == "$expect" ]]; then
      echo "  ok: $name: ${got}ed, as it must ($(grep -m1 -o 'FAIL: .*' "$log" | cut -c1-110 || true))"
    else
      wrong=$((wrong + 1))
      echo "  WRONG: $name ${got}ed, but it must $expect; its output ($log):" >&2
      sed 's/^/    | /' "$log" | tail -n 40 >&2
    fi
    delete_namespace "$ns"
  done
  echo "  $((n - wrong)) of $n self-test scenarios ended as they must"
  ((wrong == 0 && n > 0))
}

cluster_up() {
  local kc
  kc="$("$REPO/deploy/test-cluster/up.sh" {E2E_LOCK_FD}>&-)" || return 1
  export KUBECONFIG="$kc"
  local bin
  bin="$(sed -n 's/^BIN_DIR=//p' "$CACHE_ROOT/$CLUSTER.bin")"
  [[ -x "$bin/kubectl" ]] || { echo "no kubectl in '$bin'" >&2; return 1; }
  export PATH="$bin:$PATH"
  kubectl version | sed 's/^/  /'
  # leftovers of earlier runs (namespaces are deleted asynchronously at the end of a run)
  kubectl delete namespace -l kubetune.io/e2e --wait=false >/dev/null 2>&1 || true
  kubectl delete pv -l kubetune.io/e2e --wait=false >/dev/null 2>&1 || true
}

operator_build() {
  if [[ "${E2E_SKIP_BUILD:-0}" == 1 ]]; then
    echo "  E2E_SKIP_BUILD=1: using $(ls -l "$OP_JAR" 2>/dev/null || echo "(missing) $OP_JAR")"
    [[ -f "$OP_JAR" ]]
    return
  fi
  (cd "$REPO" && mvn -B -ntp -q -pl operator -am package -DskipTests) >"$E2E_DIR/build.log" 2>&1 ||
    { tail -n 40 "$E2E_DIR/build.log" >&2; return 1; }
  echo "  built $OP_JAR (log: $E2E_DIR/build.log)"
}

operator_install() {
  kubectl apply -k "$REPO/deploy/operator" | sed 's/^/  /'
  kubectl wait --for=condition=Established --timeout=60s \
    crd/finetunejobs.kubetune.io crd/modelserves.kubetune.io | sed 's/^/  /'
  # The Deployment's pods are admitted (restricted Pod Security, ServiceAccount, resources) and
  # scheduled; kwok marks them Ready but runs nothing, so they never take the Lease. Scale to 0
  # afterwards. (An earlier run left it at 0, which kubectl apply does not undo: the manifest's
  # 2 replicas again first, so that the check is not vacuous.)
  if [[ "$(kubectl -n "$OP_NS" get deployment kubetune-operator -o 'jsonpath={.spec.replicas}')" == 0 ]]; then
    kubectl -n "$OP_NS" scale deployment/kubetune-operator --replicas=2 | sed 's/^/  /'
  fi
  kubectl -n "$OP_NS" rollout status deployment/kubetune-operator --timeout=60s | sed 's/^/  /'
  kubectl -n "$OP_NS" wait --for=condition=Available --timeout=60s deployment/kubetune-operator | sed 's/^/  /'
  kubectl -n "$OP_NS" get pods -o wide | sed 's/^/  /'
  kubectl -n "$OP_NS" scale deployment/kubetune-operator --replicas=0 | sed 's/^/  /'
  OP_KUBECONFIG="$(operator_kubeconfig)"
  export OP_KUBECONFIG
  echo "  operator kubeconfig: $OP_KUBECONFIG (ServiceAccount $OP_NS/$OP_SA)"
}

echo "e2e: run $E2E_RUN, repository $REPO"
stage "cluster up" cluster_up
stage "harness self-test" harness_selftest
stage "operator build" operator_build
stage "operator install" operator_install
# The corpus needs no operator, and must not have one: its update cases write a status by hand.
scenario 01-invalid-corpus
stage "operator start" operator_start
scenario 02-examples
scenario 03-train-and-serve
scenario 04-ssa-idempotent
scenario 05-garbage-collection
scenario 06-suspend-resume
scenario 07-retry-exit-75
scenario 08-fail-exit-78
scenario 09-operator-restart
scenario 11-schema-bounds
scenario 12-unreadable-objects
scenario 13-refused-objects
scenario 14-hand-edits
scenario 15-pod-trouble
scenario 16-gitops-health
# last: it stops the operator and reads its whole log
scenario 10-cleanup-and-stop
report
((FAILED == 0))
