# shellcheck shell=bash
# The e2e suite's small assertion library (sourced by run.sh; scenarios use it).
#
#   k ARGS...                  kubectl (the test cluster's v1.36.3) in the scenario's namespace
#   step "text"                a progress line, with the seconds since the scenario started
#   fail "why"                 prints FAIL, then what a person needs to see (objects as YAML,
#                              events, operator log excerpts); ends the scenario
#   wait_until SECS "what" CMD...   runs CMD every 0.5 s until it succeeds; fails after SECS
#   holds SECS "what" CMD...   CMD must keep succeeding for SECS (a "stays put" check)
#   jp OBJ JSONPATH            a field of an object ('' when it or the object is absent)
#   jp_is OBJ JSONPATH VALUE   predicate: that field equals VALUE
#   jp_set OBJ JSONPATH        predicate: that field is not empty
#   expect_eq ACTUAL EXPECTED "what" / expect_match ACTUAL REGEX "what"
#   count KIND SELECTOR        number of objects of KIND with the label selector
#
# NS (the scenario's namespace), SCENARIO and OP_LOG (the operator's log) are set by run.sh.

k() { kubectl -n "$NS" "$@"; }

now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

step() { echo "  [$SCENARIO +$(elapsed "$SCENARIO_T0")s] $*"; }

jp() { k get "$1" -o "jsonpath=$2" 2>/dev/null || true; }
jp_is() { [[ "$(jp "$1" "$2")" == "$3" ]]; }
jp_set() { [[ -n "$(jp "$1" "$2")" ]]; }

count() { # KIND SELECTOR
  k get "$1" -l "$2" -o name 2>/dev/null | grep -c . || true
}

# What the operator logged during this scenario (all of it that names the namespace, then the
# last lines whatever they name).
operator_log_excerpt() {
  [[ -f "$OP_LOG" ]] || return 0
  local from=$((SCENARIO_LOG_LINE + 1))
  echo "--- operator log since the scenario started, lines naming $NS (last 40):"
  tail -n "+$from" "$OP_LOG" | grep -F -- "$NS" | tail -n 40 || true
  echo "--- operator log, last 25 lines:"
  tail -n 25 "$OP_LOG"
}

diagnostics() {
  {
    echo "--- kubectl -n $NS get finetunejobs,modelserves,jobs,pods,deployments,services,configmaps,pvc -o wide"
    k get finetunejobs,modelserves,jobs,pods,deployments,services,configmaps,pvc -o wide 2>&1 || true
    echo "--- kubectl -n $NS get finetunejobs,modelserves,jobs -o yaml (managedFields left out)"
    k get finetunejobs,modelserves,jobs -o yaml 2>&1 | awk '
      /^    managedFields:/ { skip = 1; next }
      skip && /^    [a-zA-Z]/ { skip = 0 }
      !skip' | head -n 400 || true
    echo "--- kubectl -n $NS get events --sort-by=.lastTimestamp (last 40)"
    k get events --sort-by=.lastTimestamp 2>&1 | tail -n 40 || true
    operator_log_excerpt
  } | sed 's/^/    | /'
}

fail() {
  trap - ERR
  echo "  [$SCENARIO +$(elapsed "$SCENARIO_T0")s] FAIL: $*"
  diagnostics
  exit 1
}

# What a failed check says when run once more (a predicate may explain itself on stdout/stderr).
last_words() {
  local out
  out="$("$@" 2>&1)" && return 0
  [[ -z "$out" ]] || printf '\n%s' "$(sed 's/^/      /' <<<"$out" | head -n 30)"
}

wait_until() { # SECS WHAT CMD...
  local secs="$1" what="$2"
  shift 2
  local deadline
  deadline=$(awk -v t="$(now_s)" -v s="$secs" 'BEGIN { printf "%.0f", t + s }')
  until "$@" >/dev/null 2>&1; do
    if (($(date +%s) >= deadline)); then
      fail "timed out after ${secs}s waiting until $what (check: $*)$(last_words "$@")"
    fi
    sleep 0.5
  done
  step "ok: $what"
}

holds() { # SECS WHAT CMD...
  local secs="$1" what="$2"
  shift 2
  local end=$(($(date +%s) + secs))
  while (($(date +%s) < end)); do
    "$@" >/dev/null 2>&1 || fail "no longer true within ${secs}s: $what (check: $*)$(last_words "$@")"
    sleep 1
  done
  step "ok: $what (held ${secs}s)"
}

expect_eq() { # ACTUAL EXPECTED WHAT
  [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"
  step "ok: $3 = '$2'"
}

expect_match() { # ACTUAL REGEX WHAT
  [[ "$1" =~ $2 ]] || fail "$3: expected to match /$2/, got '$1'"
  step "ok: $3 ('$1')"
}

# PersistentVolumeClaims bound to hostPath PersistentVolumes made for them, so that pods that
# mount pvc:// sources can be scheduled (the cluster has no storage provisioner; kwok never mounts
# anything). CLAIM...: claims to create. With --for NAME: only a PV pre-bound to the claim NAME
# that the operator will create (spec.storage.claimTemplate).
bound_claims() {
  local pv_only=0
  if [[ "$1" == --for ]]; then
    pv_only=1
    shift
  fi
  local claim
  for claim in "$@"; do
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $NS-$claim
  labels:
    kubetune.io/e2e: "$E2E_RUN"
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce, ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: /nonexistent/kubetune-e2e}
  claimRef: {namespace: $NS, name: $claim}
EOF
    ((pv_only)) && continue
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: $claim
  namespace: $NS
spec:
  accessModes: [ReadWriteMany]
  storageClassName: ""
  volumeName: $NS-$claim
  resources: {requests: {storage: 100Gi}}
EOF
  done | kubectl apply -f - >/dev/null
}
