# shellcheck shell=bash disable=SC2154
# Namespace deletion finishes while the operator runs, even with training pods still running in
# them; the operator stops on SIGTERM well within a pod's termination grace period (30 s), and its
# log over the whole run has no conflict, no ERROR line and no exception.

# While the operator still runs: the namespaces of the earlier scenarios (deleted when each ended,
# with whatever still ran in them) are gone.
others=()
for ns in "${NAMESPACES[@]}"; do
  [[ "$ns" == "$NS" ]] || others+=("$ns")
done
namespaces_gone() { [[ -z "$(kubectl get namespaces "${others[@]}" --ignore-not-found -o name)" ]]; }
if ((${#others[@]})); then
  wait_until 120 "the ${#others[@]} namespaces of the earlier scenarios are deleted" namespaces_gone
fi

t0=$(now_s)
operator_kill TERM 20 || fail "the operator did not stop within 20 s of SIGTERM (SIGKILL needed)"
status="$(operator_exit_status)"
step "ok: operator stopped $(elapsed "$t0")s after SIGTERM, exit status $status"
expect_eq "$status" 143 "exit status after SIGTERM"

step "operator log: $OP_LOG ($(wc -l <"$OP_LOG") lines, $(grep -c '^=== start' "$OP_LOG") start(s))"
expect_eq "$(grep -E 'code=409|[Cc]onflict' "$OP_LOG" || true)" "" "conflicts in the operator log"
expect_eq "$(grep -E ' ERROR ' "$OP_LOG" | head -n 20 || true)" "" "ERROR lines in the operator log"
# One log record per line group (a record starts with a timestamp). Expected, and left out: records
# whose every failed API call ("Failure executing: ...") was refused because its object or its
# namespace was being deleted or gone: the scenarios delete FineTuneJobs and whole namespaces
# while the operator runs, so a reconciliation in flight may write to an object that the garbage
# collector just removed (404 NotFound) or re-create one in a terminating namespace (403
# NamespaceTerminating); the operator stops once the deletion reaches it. Anything else with an
# exception (403 Forbidden by RBAC, 409 conflicts, 422 invalid objects, an NPE) counts.
records_with_exceptions() { # 1: the expected ones, 0: the others
  awk -v expected="$1" '
    function flush() {
      if (rec ~ /Exception/) {
        ok = calls > 0 && calls == gone
        if (ok == expected) print first
      }
    }
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
      flush(); rec = $0; first = substr($0, 1, 300); calls = 0; gone = 0
    }
    !/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { rec = rec "\n" $0 }
    /Failure executing:/ {
      calls++
      if ($0 ~ /reason=NotFound, status=Failure|reason=NamespaceTerminating/) gone++
    }
    END { flush() }' "$OP_LOG"
}
step "left out: $(records_with_exceptions 1 | wc -l) record(s) whose calls met deleted objects or namespaces"
expect_eq "$(records_with_exceptions 0 | head -n 20)" "" "other exceptions in the operator log"
