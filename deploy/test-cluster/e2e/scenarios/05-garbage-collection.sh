# shellcheck shell=bash disable=SC2154
# Deleting a FineTuneJob garbage-collects everything it owned, through the real garbage collector:
# its ConfigMap, Service, claim made from spec.storage.claimTemplate, Job and pods, and the
# ModelServe with what that owned in turn (Deployment, ReplicaSet, pods, Service).

bound_claims models datasets
bound_claims --for gc-storage # a volume for the claim the operator makes from the template
kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: gc
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage:
    claimTemplate: {size: 10Gi}
  template:
    annotations: {fake.kubetune.io/run-seconds: "1"}
  serve: {}
EOF

wait_until 60 "claim gc-storage Bound" jp_is pvc/gc-storage '{.status.phase}' Bound
wait_until 60 "phase Succeeded" jp_is finetunejob/gc '{.status.phase}' Succeeded
wait_until 60 "Deployment gc has a ready pod" jp_is deployment/gc '{.status.readyReplicas}' 1

sel_job="kubetune.io/finetunejob=gc"
sel_serve="kubetune.io/modelserve=gc"
# Everything in the namespace but what the test made itself; fails when kubectl does.
inventory() {
  local all
  all="$(k get configmaps,services,persistentvolumeclaims,jobs,pods,modelserves,deployments,replicasets -o name)" || return 1
  grep -v -e '^configmap/kube-root-ca.crt$' -e '^persistentvolumeclaim/models$' \
    -e '^persistentvolumeclaim/datasets$' <<<"$all" || true
}
step "owned before the deletion: $(inventory | tr '\n' ' ')"
for obj in configmap/gc-config service/gc-workers persistentvolumeclaim/gc-storage job/gc \
  modelserve/gc deployment/gc service/gc; do
  expect_eq "$(jp "$obj" '{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}')" \
    "$(case "$obj" in deployment/* | service/gc) echo ModelServe/gc ;; *) echo FineTuneJob/gc ;; esac)" \
    "$obj owner"
done
expect_eq "$(count pods "$sel_job") $(count pods "$sel_serve")" "1 1" "training and server pods before"

note_deletion gc # the operator may meet gc and gc-* gone from now on
k delete finetunejob gc --wait=false | sed 's/^/    /'
step "right after the deletion: $(inventory | tr '\n' ' ')"
nothing_left() {
  local left
  left="$(inventory)" || return 1
  [[ -z "$left" ]]
}
wait_until 90 "everything the job owned is gone (garbage collector)" nothing_left
expect_eq "$(k get finetunejobs -o name)" "" "FineTuneJobs left"
