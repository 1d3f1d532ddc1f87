# shellcheck shell=bash disable=SC2154
# A trainer pod that exits with the permanent code 78 (bad config) fails the job at once, within
# backoffLimit 3: the Job's podFailurePolicy (FailJob), phase Failed with reason ConfigError, an
# event Failed; the pod is not recreated and the operator does not recreate the Job.

bound_claims models datasets runs
kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: misconfigured
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  template:
    annotations:
      fake.kubetune.io/exit-code: "78"
      fake.kubetune.io/run-seconds: "1"
EOF

wait_until 60 "phase Failed" jp_is finetunejob/misconfigured '{.status.phase}' Failed
expect_eq "$(jp finetunejob/misconfigured '{.status.conditions[?(@.type=="Failed")].reason}')" \
  ConfigError "Failed condition reason"
message="$(jp finetunejob/misconfigured '{.status.conditions[?(@.type=="Failed")].message}')"
expect_match "$message" 'the job spec is invalid: .*exit code 78' "Failed condition message"
expect_eq "$(jp job/misconfigured '{.status.conditions[?(@.type=="Failed")].reason}')" \
  PodFailurePolicy "the Job's Failed reason"
events() { k get events --field-selector "involvedObject.kind=FineTuneJob,involvedObject.name=misconfigured" -o 'jsonpath={range .items[*]}{.reason}: {.message}{"\n"}{end}'; }
failed_event() { events | grep -q '^Failed: ConfigError'; }
wait_until 30 "event Failed naming ConfigError" failed_event

uid="$(jp job/misconfigured '{.metadata.uid}')"
one_failed_pod_same_job() {
  [[ "$(k get pods -l batch.kubernetes.io/job-name=misconfigured -o \
    'jsonpath={range .items[*]}{.status.containerStatuses[0].state.terminated.exitCode} {end}')" == "78 " ]] &&
    jp_is job/misconfigured '{.metadata.uid}' "$uid" &&
    jp_is finetunejob/misconfigured '{.status.phase}' Failed &&
    jp_is finetunejob/misconfigured '{.status.restarts}' 1
}
# The Job controller would replace a retryable failure after 10 s: watch for longer.
holds 12 "one pod (exit 78), the same Job, phase Failed, restarts 1: nothing recreated" one_failed_pod_same_job
