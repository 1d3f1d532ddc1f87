# shellcheck shell=bash disable=SC2154
# A trainer pod that exits with the retryable code 75 (lost peer, preemption) is replaced: the
# pod is recreated, status.restarts grows and an event Restarted is recorded, while the phase is
# not Failed. With backoffLimit: 1 the second failure ends the Job: phase Failed, reason
# BackoffLimitExceeded, restarts 2.

bound_claims models datasets runs
log="$E2E_DIR/$NS.restarts"
kubectl -n "$NS" get finetunejobs -w -o 'jsonpath={.status.restarts} {.status.phase}{"\n"}' \
  >"$log" 2>/dev/null &
watcher=$!
trap 'kill $watcher 2>/dev/null || true' EXIT

kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: flaky
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  backoffLimit: 1
  template:
    annotations:
      fake.kubetune.io/exit-code: "75"
      fake.kubetune.io/run-seconds: "1"
EOF

wait_until 60 "status.restarts is 1" jp_is finetunejob/flaky '{.status.restarts}' 1
phase="$(jp finetunejob/flaky '{.status.phase}')"
[[ "$phase" != Failed ]] || fail "phase is Failed after the first exit 75 (backoffLimit 1 allows a retry)"
step "ok: after the first failure the phase is $phase"
events() { k get events --field-selector "involvedObject.kind=FineTuneJob,involvedObject.name=flaky" -o 'jsonpath={range .items[*]}{.reason} {end}'; }
has_event() { [[ " $(events) " == *" $1 "* ]]; }
wait_until 30 "event Restarted recorded" has_event Restarted

pods_are() { [[ "$(k get pods -l batch.kubernetes.io/job-name=flaky -o name | wc -l | tr -d ' ')" == "$1" ]]; }
wait_until 60 "the pod was recreated (2 pods)" pods_are 2
wait_until 60 "phase Failed" jp_is finetunejob/flaky '{.status.phase}' Failed
expect_eq "$(jp finetunejob/flaky '{.status.conditions[?(@.type=="Failed")].reason}')" \
  BackoffLimitExceeded "Failed condition reason"
expect_eq "$(jp finetunejob/flaky '{.status.restarts}')" 2 "status.restarts"
expect_eq "$(k get pods -l batch.kubernetes.io/job-name=flaky -o \
  'jsonpath={range .items[*]}{.status.containerStatuses[0].state.terminated.exitCode} {end}')" \
  "75 75 " "exit codes of the two pods"
kill "$watcher" 2>/dev/null || true
step "restarts/phase seen by a watch: $(grep . "$log" | uniq | tr '\n' ',')"
expect_match "$(grep . "$log" | uniq | tr '\n' ',')" '1 (Pending|Running),.*2 Failed,$' "restarts grew before the failure"
