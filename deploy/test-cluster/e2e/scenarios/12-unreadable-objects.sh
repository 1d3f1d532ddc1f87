# shellcheck shell=bash disable=SC2154
# Objects the operator cannot read never stop it (issue 11, defects 1 and 3). The API server keeps
# objects that an older, looser schema admitted: a FineTuneJob with training.maxSteps 3000000000
# (beyond the Java int the operator reads it into) and a FineTuneJob and a ModelServe with no spec.
# Today's CRDs refuse them, so the test loosens the installed CRDs for a while (the int bound and
# the required spec removed, as before the bounds existed), creates the objects, and puts the CRDs
# back once they are reported: what stays is what a cluster upgraded from the older schema holds.
# Each bad object gets phase Failed, a Failed condition naming the field and an InvalidSpec
# Event, and nothing is created for it; a control job is reconciled all along; liveness and
# readiness stay up; and a restarted operator starts and reconciles with the objects present.

bound_claims models datasets runs
saved="$E2E_DIR/crds-$NS"
mkdir -p "$saved"
kubectl get crd finetunejobs.kubetune.io -o json >"$saved/finetunejobs.json"
kubectl get crd modelserves.kubetune.io -o json >"$saved/modelserves.json"

# The schema before bounds: no int32 bound on training.maxSteps, spec not required.
loosen() { # CRD JSON on stdin -> the same, looser, on stdout
  python3 -c '
import json, sys
crd = json.load(sys.stdin)
for k in ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"):
    crd["metadata"].pop(k, None)
crd.pop("status", None)
for v in crd["spec"]["versions"]:
    root = v["schema"]["openAPIV3Schema"]
    root["required"] = [r for r in root.get("required", []) if r != "spec"]
    if not root["required"]:
        del root["required"]
    root["x-kubernetes-validations"] = [
        r for r in root.get("x-kubernetes-validations", []) if "has(self.spec)" not in r["rule"]]
    if not root["x-kubernetes-validations"]:
        del root["x-kubernetes-validations"]
    training = root["properties"]["spec"]["properties"].get("training")
    if training:
        for bound in ("maximum", "minimum"):
            training["properties"]["maxSteps"].pop(bound, None)
json.dump(crd, sys.stdout)'
}
restore() {
  local f
  for f in "$saved"/*.json; do
    python3 -c '
import json, sys
crd = json.load(open(sys.argv[1]))
for k in ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"):
    crd["metadata"].pop(k, None)
crd.pop("status", None)
json.dump(crd, sys.stdout)' "$f" | kubectl replace -f - >/dev/null
  done
}
trap restore EXIT

loosen <"$saved/finetunejobs.json" | kubectl replace -f - >/dev/null
loosen <"$saved/modelserves.json" | kubectl replace -f - >/dev/null
step "CRDs loosened (no int32 bound on training.maxSteps, spec not required)"
created_with_old_schema() {
  kubectl -n "$NS" apply -f - <<'EOF'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: overflow
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  training: {maxSteps: 3000000000}
---
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: nospec
---
apiVersion: kubetune.io/v1alpha1
kind: ModelServe
metadata:
  name: nospec-ms
EOF
}
# the API server may take a moment to serve the new schema
wait_until 30 "the loosened CRDs admit the old objects" created_with_old_schema

control() { # NAME: a job that trains for an hour
  kubectl -n "$NS" apply -f - <<EOF | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: $1
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  resources: {gpusPerNode: 1}
  template:
    annotations: {fake.kubetune.io/run-seconds: "3600"}
EOF
}
control control
wait_until 60 "the control job runs" jp_is finetunejob/control '{.status.phase}' Running

reported() { # KIND NAME CONDITION TEXT: phase Failed, the condition's message names TEXT
  jp_is "$1/$2" '{.status.phase}' Failed &&
    [[ "$(jp "$1/$2" "{.status.conditions[?(@.type==\"$3\")].message}")" == *"$4"* ]]
}
wait_until 60 "overflow: Failed, naming spec.training.maxSteps" \
  reported finetunejob overflow Failed "spec.training.maxSteps: cannot be read by the operator"
expect_eq "$(jp finetunejob/overflow '{.status.conditions[?(@.type=="Failed")].reason}')" \
  InvalidSpec "overflow: Failed reason"
wait_until 60 "nospec: Failed, spec must be set" reported finetunejob nospec Failed "spec: must be set"
wait_until 60 "nospec-ms: Failed, spec must be set" reported modelserve nospec-ms Ready "spec: must be set"
invalid_spec_event() { k get events --field-selector "involvedObject.name=$1" -o 'jsonpath={range .items[*]}{.reason}{"\n"}{end}' | grep -qx InvalidSpec; }
for name in overflow nospec nospec-ms; do
  wait_until 30 "$name: event InvalidSpec" invalid_spec_event "$name"
done
# the statuses are written: today's schema again (an upgrade that added the bounds)
restore
trap - EXIT
step "CRDs restored"
expect_eq "$(count configmaps kubetune.io/finetunejob=overflow) $(count jobs kubetune.io/finetunejob=overflow) $(count configmaps kubetune.io/finetunejob=nospec) $(count services kubetune.io/modelserve=nospec-ms)" \
  "0 0 0 0" "objects created for the unreadable ones"

health() { # PATH: 200 from the operator's health endpoint
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(cat "$E2E_DIR/operator.port")$1")" == 200 ]]
}
wait_until 10 "liveness up" health /q/health/live
wait_until 10 "readiness up" health /q/health/ready

# A new operator lists every FineTuneJob and ModelServe at start-up, the unreadable ones included
# (before the fix it failed to start: a crash loop). SIGKILL, as a crash: the new process takes
# the Lease once the old one's expires.
operator_kill KILL
operator_start 90 | sed 's/^/    /'
step "ok: the operator restarted with the unreadable objects stored"
control control-after-restart
wait_until 60 "a job created after the restart runs" \
  jp_is finetunejob/control-after-restart '{.status.phase}' Running
wait_until 10 "liveness up after the restart" health /q/health/live
wait_until 10 "readiness up after the restart" health /q/health/ready
expect_eq "$(jp finetunejob/control '{.status.phase}')" Running "the control job's phase"
stopped="$(tail -n "+$((SCENARIO_LOG_LINE + 1))" "$OP_LOG" | grep -E 'will stop|Cannot deserialize|Fatal error in informer' || true)"
expect_eq "$stopped" "" "informer failures in the operator log"
