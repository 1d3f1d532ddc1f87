# shellcheck shell=bash disable=SC2154
# spec.suspend: true removes the training pods (the Job is suspended, phase Suspended, event
# Suspended); false brings them back (phase Running, event Resumed).

bound_claims models datasets runs
kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: pausable
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  resources: {nodes: 1, gpusPerNode: 4}
  template:
    annotations: {fake.kubetune.io/run-seconds: "3600"}
EOF

pods() { k get pods -l batch.kubernetes.io/job-name=pausable -o name | wc -l | tr -d ' '; }
pods_are() { [[ "$(pods)" == "$1" ]]; }
ready_pods_are() { jp_is job/pausable '{.status.ready}' "$1"; }
wait_until 60 "phase Running" jp_is finetunejob/pausable '{.status.phase}' Running
wait_until 60 "the pod ready" ready_pods_are 1
uid="$(jp job/pausable '{.metadata.uid}')"
old_pods="$(k get pods -l batch.kubernetes.io/job-name=pausable -o name | tr '\n' ' ')"
step "pods before the suspension: $old_pods"

kubectl -n "$NS" patch finetunejob pausable --type=merge -p '{"spec":{"suspend":true}}' | sed 's/^/    /'
wait_until 30 "Job suspended" jp_is job/pausable '{.spec.suspend}' true
wait_until 60 "no training pods left" pods_are 0
wait_until 30 "phase Suspended" jp_is finetunejob/pausable '{.status.phase}' Suspended
events() { k get events --field-selector "involvedObject.kind=FineTuneJob,involvedObject.name=pausable" -o 'jsonpath={range .items[*]}{.reason} {end}'; }
has_event() { [[ " $(events) " == *" $1 "* ]]; }
wait_until 30 "event Suspended recorded" has_event Suspended

kubectl -n "$NS" patch finetunejob pausable --type=merge -p '{"spec":{"suspend":false}}' | sed 's/^/    /'
wait_until 30 "Job resumed" jp_is job/pausable '{.spec.suspend}' false
new_pods_running() {
  local running
  running="$(k get pods -l batch.kubernetes.io/job-name=pausable \
    --field-selector=status.phase=Running -o name)" || return 1
  [[ "$(grep -c . <<<"$running")" == 1 ]] && ! grep -qxF -f <(tr ' ' '\n' <<<"$old_pods" | grep .) <<<"$running"
}
wait_until 60 "a new pod Running (not the one from before the suspension)" new_pods_running
wait_until 30 "the Job counts 1 ready pod" ready_pods_are 1
wait_until 30 "phase Running" jp_is finetunejob/pausable '{.status.phase}' Running
wait_until 30 "event Resumed recorded" has_event Resumed
expect_eq "$(jp job/pausable '{.metadata.uid}')" "$uid" "the same Job (suspended and resumed, not replaced)"
expect_eq "$(jp finetunejob/pausable '{.status.restarts}')" 0 "status.restarts (pods removed by a suspension are no failures)"
step "events: $(events)"
# suspend and resume patch the Job as the operator's field manager (a merge patch: Update)
managers="$(k get job/pausable --show-managed-fields -o \
  'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation}/{.subresource} {end}')"
expect_match "$managers" '^((finetunejob/(Apply|Update)/|kube-controller-manager/Update/status) )+$' \
  "Job field managers after suspend and resume"
