# shellcheck shell=bash
# The e2e suite's small assertion library (sourced by run.sh; scenarios use it).
#
#   k ARGS...                  kubectl (the test cluster's v1.36.3) in the scenario's namespace
#   step "text"                a progress line, with the seconds since the scenario started
#   fail "why"                 prints FAIL, then what a person needs to see (objects as YAML,
#                              events, operator log excerpts); ends the scenario. Called inside a
#                              command substitution or pipeline (a subshell whose status the
#                              scenario may never look at), it still fails the scenario: it leaves
#                              $SCENARIO_FAILED behind, which run.sh and the next step check
#   wait_until SECS "what" CMD...   runs CMD every 0.5 s until it succeeds; fails after SECS
#   holds SECS "what" CMD...   CMD must keep succeeding for SECS (a "stays put" check)
#   jp OBJ JSONPATH            a field of an object ('' when it or the object is absent; any
#                              other kubectl error, e.g. a bad JSONPATH, is a failure)
#   jp_is OBJ JSONPATH VALUE   predicate: that field equals VALUE
#   jp_set OBJ JSONPATH        predicate: that field is not empty
#   expect_eq ACTUAL EXPECTED "what" / expect_match ACTUAL REGEX "what"
#   count KIND SELECTOR        number of objects of KIND with the label selector (a kubectl error
#                              is a failure, not 0)
#
#   note_deletion NAME         records that this scenario deletes NAME (an object, with what it
#                              owns: NAME and NAME-*) from now on; the operator log check of
#                              10-cleanup-and-stop waives NotFound only for deleted objects
#
# NS (the scenario's namespace), SCENARIO, SCENARIO_PID, SCENARIO_OUT (the scenario's output fd),
# SCENARIO_FAILED (a marker file) and OP_LOG (the operator's log) are set by run.sh.

k() { kubectl -n "$NS" "$@"; }

now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

step() {
  # a check that failed in a subshell (e.g. inside "$(...)") ends the scenario at the next step
  if [[ -n "${SCENARIO_FAILED:-}" && -e "$SCENARIO_FAILED" && "$BASHPID" == "${SCENARIO_PID:-}" ]]; then
    fail "a command or check failed inside a subshell (see its FAIL line above)"
  fi
  echo "  [$SCENARIO +$(elapsed "$SCENARIO_T0")s] $*"
}

jp() { # OBJ JSONPATH
  local out rc=0 err="$E2E_DIR/.jp-$BASHPID.err"
  out="$(k get "$1" -o "jsonpath=$2" 2>"$err")" || rc=$?
  if ((rc != 0)) && ! grep -q '(NotFound)' "$err"; then
    echo "jp $1 '$2': $(cat "$err")" >&2
    rm -f "$err"
    return 1
  fi
  rm -f "$err"
  printf '%s' "$out"
}
jp_is() { [[ "$(jp "$1" "$2")" == "$3" ]]; }
jp_set() { [[ -n "$(jp "$1" "$2")" ]]; }

count() { # KIND SELECTOR
  local out
  out="$(k get "$1" -l "$2" -o name)" || return 1
  grep -c . <<<"$out" || true
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
  {
    echo "  [$SCENARIO +$(elapsed "$SCENARIO_T0")s] FAIL: $*"
    # diagnostics from the scenario's own shell only (a subshell's failure reaches it at the
    # failed command's status, the next step or the scenario's end)
    if [[ "$BASHPID" == "${SCENARIO_PID:-$BASHPID}" ]]; then
      diagnostics
    fi
  } >&"${SCENARIO_OUT:-1}"
  [[ -z "${SCENARIO_FAILED:-}" ]] || : >>"$SCENARIO_FAILED"
  exit 1
}

# Waiver for the end-of-run operator log check: the operator may meet NAME (and what it owns,
# NAME-*) gone from now on. Lines: timestamp in the operator log's format, namespace, name.
note_deletion() { # NAME
  echo "$(date '+%Y-%m-%d %H:%M:%S,%3N') $NS $1" >>"$E2E_DELETIONS"
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
