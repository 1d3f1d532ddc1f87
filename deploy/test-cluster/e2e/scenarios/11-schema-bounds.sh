# shellcheck shell=bash disable=SC2154
# Every numeric field of both kinds, at and past its schema bound, against the real API server
# while the operator runs (issue 11: an out-of-range integer once stopped the operator's informer).
# The fields come from the installed CRDs, not from a list: schema_bounds.py walks each CRD's spec
# schema for every bounded integer and number (Kubernetes types inside it too) and writes objects
# with that one field at the bound (for an exclusive bound, just inside it) and one step past it.
# At the bound the API server accepts each and the operator reads each (it writes a phase); past it
# the API server refuses each, naming the field. Throughout, a control FineTuneJob is reconciled:
# its Job is made before, and a spec change after the storm is carried to its Job.

bound_claims runs
kubectl -n "$NS" apply -f - <<'YAML' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: control
spec:
  model: {source: pvc://runs/models/qwen2-0.5b}
  datasets: [{source: pvc://runs/datasets/identity.jsonl}]
  storage: {claimName: runs}
  resources: {gpusPerNode: 0}
  template:
    annotations: {fake.kubetune.io/run-seconds: "3600"}
YAML
wait_until 60 "control: Job made, phase Running" jp_is finetunejob/control '{.status.phase}' Running
control_uid="$(jp job/control '{.metadata.uid}')"
[[ -n "$control_uid" ]] || fail "control: no Job"

dir="$E2E_DIR/bounds"
rm -rf "$dir"
mkdir -p "$dir"
# Valid bases: suspended jobs (no pods), a ModelServe that waits for a job (no Deployment); a
# toleration and preferred scheduling terms of the shape pods need, whose numbers the fuzz sets.
scheduling='"tolerations": [{"key": "x", "operator": "Exists", "effect": "NoExecute"}],
  "affinity": {
    "nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
      {"weight": 1, "preference": {"matchExpressions": [{"key": "x", "operator": "Exists"}]}}]},
    "podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
      {"weight": 1, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname"}}]},
    "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
      {"weight": 1, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname"}}]}}'
cat >"$dir/finetunejob.json" <<JSON
{"apiVersion": "kubetune.io/v1alpha1", "kind": "FineTuneJob", "metadata": {"name": "x"},
 "spec": {"model": {"source": "pvc://runs/models/qwen2-0.5b"},
  "datasets": [{"source": "pvc://runs/datasets/identity.jsonl"}],
  "storage": {"claimName": "runs"}, "suspend": true,
  "resources": {$scheduling},
  "serve": {"resources": {"cpu": "1", $scheduling}}}}
JSON
cat >"$dir/modelserve.json" <<JSON
{"apiVersion": "kubetune.io/v1alpha1", "kind": "ModelServe", "metadata": {"name": "x"},
 "spec": {"fromFineTuneJob": "not-yet", "resources": {"cpu": "1", $scheduling}}}
JSON

accepted=0
refused=0
problems=()
for kind in finetunejob modelserve; do
  kubectl get crd "${kind}s.kubetune.io" -o json >"$dir/$kind.crd.json"
  python3 "$HERE/schema_bounds.py" "$dir/$kind.crd.json" "$dir/$kind.json" "${kind:0:3}-b" \
    "$dir/$kind.accepted.json" "$dir/$kind.refused.json" >"$dir/$kind.cases" ||
    fail "schema_bounds.py failed for $kind"
  n="$(grep -c '^at bound' "$dir/$kind.cases")"
  ((n > 0)) || fail "no bounded numeric field found in the $kind CRD"
  out="$(kubectl -n "$NS" apply -f "$dir/$kind.accepted.json" 2>&1)" ||
    fail "$kind objects at their bounds refused:$(printf '\n      %s' "$(grep -v ' created$' <<<"$out")")"
  expect_eq "$(grep -c ' created$' <<<"$out")" "$n" "$kind objects at a bound created"
  accepted=$((accepted + n))
  # past each bound: refused, the message naming the field
  expected_refused="$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' \
    "$dir/$kind.refused.json")" || fail "cannot read $dir/$kind.refused.json"
  refused_before=$refused
  while IFS=$'\t' read -r name field object; do
    if out="$(kubectl -n "$NS" apply -f - <<<"$object" 2>&1)"; then
      problems+=("$name: $field one past its bound was accepted")
    elif [[ "$out" != *"$field: Invalid value: "*"$field in body should be "* ]]; then
      problems+=("$name: $field refused without naming the bound: $out")
    fi
    refused=$((refused + 1))
  done < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    print(r["name"], r["field"], json.dumps(r["object"]), sep="\t")' "$dir/$kind.refused.json")
  # the loop reads a process substitution whose failure bash does not report: count what it saw
  expect_eq "$((refused - refused_before))" "$expected_refused" "$kind objects past a bound tried"
done
((${#problems[@]} == 0)) || fail "$(printf '\n      %s' "${problems[@]}")"
step "ok: $accepted objects at a bound accepted, $refused one past it refused naming the field ($(grep -h '^at bound' "$dir"/*.cases | awk '{print $4}' | sort -u | wc -l) fields)"

none_unread() { # every object at a bound is listed and has a phase: the operator read each
  local rows
  rows="$(k get finetunejobs,modelserves -o 'jsonpath={range .items[*]}{.metadata.name}={.status.phase}{"\n"}{end}')" ||
    return 1
  rows="$(grep -E '^(fin|mod)-b-[0-9]+=' <<<"$rows" || true)"
  [[ "$(grep -c . <<<"$rows")" == "$accepted" ]] && ! grep -qE '=$' <<<"$rows"
}
wait_until 180 "the operator read every object at a bound (each has a phase)" none_unread

expect_eq "$(jp job/control '{.metadata.uid}')" "$control_uid" "control: the same Job"
kubectl -n "$NS" patch finetunejob control --type=merge -p '{"spec":{"suspend":true}}' | sed 's/^/    /'
wait_until 30 "control: the spec change reached its Job (suspended)" jp_is job/control '{.spec.suspend}' true
wait_until 30 "control: phase Suspended" jp_is finetunejob/control '{.status.phase}' Suspended
operator_running || fail "the operator process is gone"
since="$(tail -n "+$((SCENARIO_LOG_LINE + 1))" "$OP_LOG")"
if grep -E 'Cannot deserialize|Overflow|out of range' <<<"$since" | head -n 5 | grep -q .; then
  fail "the operator could not read an object: $(grep -E 'Cannot deserialize|Overflow|out of range' <<<"$since" | head -n 3)"
fi
step "ok: the operator kept reconciling; no read failure in its log"
