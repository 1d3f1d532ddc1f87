# shellcheck shell=bash disable=SC2154
# Failures during a real training run. The quickstart recipe, 60 steps, a checkpoint every 10:
#   - once the operator reports a checkpoint (status.lastCheckpoint, read from rank 0), the
#     training pod is deleted (SIGTERM, as a node drain or an OOM kill would end it); the Job
#     makes a new pod, which resumes from the newest checkpoint on the volume (its log says
#     "resuming from .../checkpoints/step-N") and goes on to the end;
#   - while that pod trains, the operator's leader pod (the holder of the Lease) is deleted; the
#     other replica takes the Lease and carries the job to Succeeded;
#   - nothing is duplicated: the same Job, ConfigMap and Service (UIDs unchanged), one of each;
#     the Job counts one failed pod (the deleted one, gone once the Job controller has counted
#     it) and one succeeded, and the FineTuneJob one restart.

quickstart_volume quickstart
quickstart_job resume quickstart 60 10

wait_until 60 "Job resume exists" k get job/resume
uid_job="$(jp job/resume '{.metadata.uid}')"
uid_cm="$(jp configmap/resume-config '{.metadata.uid}')"
uid_svc="$(jp service/resume-workers '{.metadata.uid}')"
wait_until 180 "the training pod runs" jp_is job/resume '{.status.active}' 1
first="$(training_pods resume | head -n 1)"
wait_until 300 "the operator reports a checkpoint (status.lastCheckpoint)" \
  jp_set finetunejob/resume '{.status.lastCheckpoint}'
checkpoint="$(jp finetunejob/resume '{.status.lastCheckpoint}')"
step "status.lastCheckpoint: $checkpoint; progress $(jp finetunejob/resume '{.status.progress.steps}')"
expect_eq "$(jp finetunejob/resume '{.status.phase}')" Running "phase when the pod is killed"

k delete pod "$first" --wait=false >/dev/null
step "deleted training pod $first"
second_pod() { [[ "$(training_pods resume | grep -vx "$first" | head -n 1)" != "" ]]; }
wait_until 120 "the Job made a new training pod" second_pod
second="$(training_pods resume | grep -vx "$first" | head -n 1)"
wait_until 180 "$second resumes from the checkpoint (its log)" log_has "$second" "resuming from"
step "$second: $(k logs "$second" | grep -F 'resuming from' | head -n 1)"
expect_match "$(k logs "$second" | grep -F 'resuming from' | head -n 1)" 'checkpoints/step-[0-9]+' "the checkpoint it resumed from"
first_exit="$(jp "pod/$first" '{.status.containerStatuses[0].state.terminated.exitCode}')"
step "the killed pod's exit code: ${first_exit:-(pod gone)}"

# The operator's leader goes while the new pod trains.
leader="$(operator_leader)"
standby="$(kubectl -n "$OP_NS" get pods -o name | sed 's|^pod/||' | grep -vx "$leader" | head -n 1)"
expect_match "$leader" '^kubetune-operator-' "the Lease holder is an operator pod"
expect_eq "$(jp finetunejob/resume '{.status.phase}')" Running "phase when the leader is deleted"
kubectl -n "$OP_NS" delete pod "$leader" --wait=false >/dev/null
step "deleted the operator's leader pod $leader"
new_leader() { local l; l="$(operator_leader)"; echo "holder: $l"; [[ -n $l && $l != "$leader" ]]; }
wait_until 120 "another replica holds the Lease" new_leader
# Any candidate may win: the standby, or the Deployment's replacement pod if it starts before the
# old leader's Lease expires (the deleted leader does not release it: about 15 s).
if [[ "$(operator_leader)" == "$standby" ]]; then
  step "new leader: $(operator_leader), the replica that was standing by"
else
  step "new leader: $(operator_leader), the Deployment's replacement pod (the standby was $standby)"
fi

wait_until 900 "phase Succeeded" jp_is finetunejob/resume '{.status.phase}' Succeeded
expect_eq "$(jp "pod/$second" '{.status.containerStatuses[0].state.terminated.exitCode}')" 0 "the resumed pod's exit code"
expect_eq "$(jp finetunejob/resume '{.status.artifact.model}')" "pvc://quickstart/runs/resume/hf" "status.artifact.model"

expect_eq "$(jp job/resume '{.metadata.uid}')" "$uid_job" "Job UID"
expect_eq "$(jp configmap/resume-config '{.metadata.uid}')" "$uid_cm" "ConfigMap UID"
expect_eq "$(jp service/resume-workers '{.metadata.uid}')" "$uid_svc" "Service UID"
expect_eq "$(count jobs kubetune.io/finetunejob=resume)" 1 "Jobs of the FineTuneJob"
expect_eq "$(count configmaps kubetune.io/finetunejob=resume)" 1 "ConfigMaps of the FineTuneJob"
expect_eq "$(count services kubetune.io/finetunejob=resume)" 1 "Services of the FineTuneJob"
expect_eq "$(jp job/resume '{.status.failed} {.status.succeeded}')" "1 1" "the Job's failed and succeeded pods"
expect_eq "$(training_pods resume)" "$second" "the training pod left (the deleted one is gone)"
expect_eq "$(jp finetunejob/resume '{.status.restarts}')" 1 "status.restarts"
step "kubectl get ftj; events:"
k get ftj resume | sed 's/^/      /'
k get events --field-selector involvedObject.kind=FineTuneJob --sort-by=.lastTimestamp \
  -o 'custom-columns=REASON:.reason,MESSAGE:.message' | sed 's/^/      /'
