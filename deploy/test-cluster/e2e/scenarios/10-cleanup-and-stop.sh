# shellcheck shell=bash disable=SC2154
# Namespace deletion finishes while the operator runs, even with training pods still running in
# them; the operator stops on SIGTERM well within a pod's termination grace period (30 s), and its
# log over the whole run has no conflict, no ERROR line, no exception, and nothing about the
# deleted namespaces.

# While the operator still runs: the namespaces of the earlier scenarios (deleted when each ended,
# with whatever still ran in them) are gone.
others=()
for ns in "${NAMESPACES[@]}"; do
  [[ "$ns" == "$NS" ]] || others+=("$ns")
done
namespaces_gone() {
  local left
  left="$(kubectl get namespaces "${others[@]}" --ignore-not-found -o name)" || return 1
  [[ -z "$left" ]]
}
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
# whose every failed API call ("Failure executing: VERB at: URL ...") was refused because its
# object or its namespace was gone or going, AND the harness had deleted that object or namespace
# before the record was written ($E2E_DELETIONS: the runner notes every scenario namespace it
# deletes, scenarios note the objects they delete with note_deletion): the operator may still
# write to an object the garbage collector just removed (404 NotFound) or re-create one in a
# terminating namespace (403 NamespaceTerminating). A NotFound for anything nobody deleted (a
# status patch of an object that never existed, a missing Secret in a live namespace), 403
# Forbidden by RBAC, 409 conflicts, 422 invalid objects, an NPE: all count. Since the operator takes
# an object or namespace being deleted quietly (issue 11, defect 7), the expected ones must not
# occur either, nor any line about a namespace being terminated.
records_with_exceptions() { # 1: the expected ones, 0: the others
  awk -v expected="$1" '
    FNR == NR {
      # deletions: DATE TIME NAMESPACE NAME ("*": the whole namespace)
      n_del++; del_time[n_del] = $1 " " $2; del_ns[n_del] = $3; del_name[n_del] = $4
      next
    }
    function deleted(ns, name, at,    i) {
      for (i = 1; i <= n_del; i++) {
        if (del_ns[i] != ns || del_time[i] > at) continue
        if (del_name[i] == "*" || name == del_name[i] || index(name, del_name[i] "-") == 1) return 1
      }
      return 0
    }
    function flush() {
      if (rec ~ /Exception/) {
        ok = calls > 0 && calls == waived
        if (ok == expected) print first
      }
    }
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
      flush(); rec = $0; first = substr($0, 1, 300); at = substr($0, 1, 23); calls = 0; waived = 0
    }
    !/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { rec = rec "\n" $0 }
    /Failure executing:/ {
      calls++
      if ($0 !~ /reason=NotFound, status=Failure|reason=NamespaceTerminating/) next
      # the URL: .../namespaces/NS[/RESOURCE[/NAME]]...
      if (!match($0, /\/namespaces\/[^\/?. ]+(\/[^\/? ]+(\/[^\/? .]+)?)?/)) next
      split(substr($0, RSTART + 12, RLENGTH - 12), part, "/")
      if (deleted(part[1], (3 in part) ? part[3] : "", at)) waived++
      delete part
    }
    END { flush() }' "$E2E_DELETIONS" "$OP_LOG"
}
step "deletions noted by the harness: $(wc -l <"$E2E_DELETIONS")"
expect_eq "$(records_with_exceptions 1 | head -n 20)" "" \
  "records whose calls met objects or namespaces the scenarios had deleted"
expect_eq "$(grep -E 'being terminated|NamespaceTerminating' "$OP_LOG" | head -n 20 || true)" "" \
  "log lines about namespaces being terminated"
expect_eq "$(records_with_exceptions 0 | head -n 20)" "" "other exceptions in the operator log"
