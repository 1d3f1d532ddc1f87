# shellcheck shell=bash disable=SC2154
# A training pod that cannot be scheduled shows in its FineTuneJob (issue 11, defect 5), in the
# real scheduler's words: the model's claim does not exist, so the pod is Unschedulable; the job
# stays Pending with Running=False, reason Unschedulable, a message naming the pod and the claim,
# and a Warning Event. Creating the claim is enough: the job starts without a spec change.

bound_claims datasets runs
kubectl -n "$NS" apply -f - <<'EOF2' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: noclaim
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  resources: {gpusPerNode: 1}
  template:
    annotations: {fake.kubetune.io/run-seconds: "3600"}
EOF2

condition() { jp finetunejob/noclaim "{.status.conditions[?(@.type==\"Running\")].$1}"; }
unschedulable() { [[ "$(condition reason)" == Unschedulable ]]; }
wait_until 60 "Running=False, reason Unschedulable" unschedulable
expect_match "$(condition message)" '^pod noclaim-0-[a-z0-9]+: .*persistentvolumeclaim "models" not found' \
  "Running message"
expect_eq "$(jp finetunejob/noclaim '{.status.phase}') $(jp finetunejob/noclaim '{.status.reason}')" \
  "Pending Unschedulable" "phase and reason"
warning() { k get events --field-selector involvedObject.name=noclaim,type=Warning -o 'jsonpath={range .items[*]}{.reason}{"\n"}{end}' | grep -qx Unschedulable; }
wait_until 30 "a Warning event Unschedulable" warning
step "kubectl get ftj:"
k get finetunejobs | sed 's/^/      /'

bound_claims models
wait_until 90 "with the claim there, the job runs" jp_is finetunejob/noclaim '{.status.phase}' Running
expect_eq "$(jp finetunejob/noclaim '{.metadata.generation}')" 1 "generation (no spec change)"
