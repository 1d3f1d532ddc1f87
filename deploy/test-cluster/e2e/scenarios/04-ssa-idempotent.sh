# Server-side apply and idempotent reconciling. Two jobs reach a steady state: "steady" trains
# for an hour (Running), "served" has finished and serves (Succeeded, ModelServe Ready). Then, for
# 15 s, no owned object and no FineTuneJob/ModelServe may change (resourceVersions stay put:
# nothing is rewritten, the status only when it changes); every object carries the operator's
# field manager with operation Apply; and the operator logged no conflict.

bound_claims models datasets runs
kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: steady
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  resources: {nodes: 2, gpusPerNode: 2}
  template:
    annotations: {fake.kubetune.io/run-seconds: "3600"}
---
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: served
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  resources: {nodes: 1, gpusPerNode: 1}
  template:
    annotations: {fake.kubetune.io/run-seconds: "1"}
  serve:
    resources: {gpus: 0, cpu: "1"}
    autoscaling: {minReplicas: 1, maxReplicas: 2}
EOF

wait_until 60 "steady: phase Running" jp_is finetunejob/steady '{.status.phase}' Running
wait_until 60 "steady: 2 pods ready" jp_is job/steady '{.status.ready}' 2
wait_until 60 "served: phase Succeeded" jp_is finetunejob/served '{.status.phase}' Succeeded
wait_until 60 "served: Serving=True" jp_is finetunejob/served '{.status.conditions[?(@.type=="Serving")].status}' True

owned=(configmap/steady-config service/steady-workers job/steady
  configmap/served-config service/served-workers job/served
  modelserve/served deployment/served service/served horizontalpodautoscaler/served)
primaries=(finetunejob/steady finetunejob/served)
versions() {
  k get "${owned[@]}" "${primaries[@]}" -o \
    'jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}'
}
before="$(versions)"
log_from=$(wc -l <"$OP_LOG")
step "resourceVersions at steady state: $(tr '\n' ' ' <<<"$before")"
unchanged() { [[ "$(versions)" == "$before" ]]; }
holds 15 "no owned object, FineTuneJob or ModelServe changed" unchanged

# The operator's field managers: JOSDK names them after the controllers.
for obj in "${owned[@]}"; do
  case "$obj" in
    deployment/* | service/served | horizontalpodautoscaler/*) manager=modelserve ;;
    *) manager=finetunejob ;;
  esac
  managers="$(k get "$obj" --show-managed-fields -o \
    'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation}/{.subresource} {end}')"
  expect_match "$managers" "(^| )$manager/Apply/ " "$obj field managers"
done
for obj in "${primaries[@]}" modelserve/served; do
  manager="${obj%%/*}"
  managers="$(k get "$obj" --show-managed-fields -o \
    'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation}/{.subresource} {end}')"
  expect_match "$managers" "(^| )$manager/Apply/status " "$obj status field manager"
done
step "kubectl get job steady --show-managed-fields (managers):"
k get job/steady --show-managed-fields -o \
  'jsonpath={range .metadata.managedFields[*]}    {.manager} {.operation} {.subresource} {.time}{"\n"}{end}'

conflicts="$(tail -n "+$((SCENARIO_LOG_LINE + 1))" "$OP_LOG" | grep -iE 'conflict|409' || true)"
expect_eq "$conflicts" "" "conflicts in the operator log during this scenario"
# nothing reconciled into a change during the quiet window: no status patch, no apply
writes="$(tail -n "+$((log_from + 1))" "$OP_LOG" | grep -F "$NS" | grep -iE 'error|warn' || true)"
expect_eq "$writes" "" "operator warnings/errors about $NS during the quiet window"
