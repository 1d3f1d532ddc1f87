# shellcheck shell=bash disable=SC2154
# The operator crashes (SIGKILL) while a job trains; the pods finish while it is down; a new
# operator process (another identity: it takes the Lease once the dead one's expires) carries the
# status on to Succeeded and creates the ModelServe, with no duplicate objects: the ConfigMap,
# Service and Job are the very ones created before the crash.

bound_claims models datasets runs
kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: resilient
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  resources: {nodes: 1, gpusPerNode: 2}
  template:
    annotations: {fake.kubetune.io/run-seconds: "8"}
  serve:
    resources: {gpus: 0, cpu: "1"}
EOF

wait_until 60 "phase Running" jp_is finetunejob/resilient '{.status.phase}' Running
uids() {
  k get configmap/resilient-config service/resilient-workers job/resilient -o \
    'jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.uid} {end}'
}
before="$(uids)"

operator_kill KILL
expect_eq "$(operator_exit_status)" 137 "exit status of the killed operator (SIGKILL)"
wait_until 60 "the Job completes while the operator is down" \
  jp_is job/resilient '{.status.conditions[?(@.type=="Complete")].status}' True
expect_eq "$(jp finetunejob/resilient '{.status.phase}')" Running "phase while no operator runs"

t0=$(now_s)
operator_start 90 | sed 's/^/    /'
step "ok: a new operator leads after $(elapsed "$t0")s (the killed one's Lease had to expire)"

wait_until 60 "phase Succeeded" jp_is finetunejob/resilient '{.status.phase}' Succeeded
wait_until 60 "Deployment resilient has a ready pod" jp_is deployment/resilient '{.status.readyReplicas}' 1
wait_until 30 "status.url set" jp_is finetunejob/resilient '{.status.url}' "http://resilient.$NS.svc/v1"

expect_eq "$(uids)" "$before" "ConfigMap, Service and Job UIDs (not recreated)"
sel=kubetune.io/finetunejob=resilient
expect_eq "$(count configmaps "$sel") $(count services "$sel") $(count jobs "$sel") $(count modelserves "$sel")" \
  "1 1 1 1" "ConfigMaps, Services, Jobs, ModelServes of the job"
expect_eq "$(count pods batch.kubernetes.io/job-name=resilient)" 1 "training pods"
expect_eq "$(count deployments kubetune.io/modelserve=resilient) $(count services kubetune.io/modelserve=resilient)" \
  "1 1" "Deployments, Services of the ModelServe"
