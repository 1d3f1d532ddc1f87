# shellcheck shell=bash disable=SC2154
# Server-side apply and idempotent reconciling. Two jobs reach a steady state: "steady" trains
# for an hour (Running), "served" has finished and serves (Succeeded, ModelServe Ready). Then, for
# 15 s, the operator changes nothing (resourceVersions stay put where only it writes; see below
# for the objects other controllers write too); every object carries the operator's field
# manager with operation Apply; and the operator logged no conflict.

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
  resources: {nodes: 1, gpusPerNode: 2}
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
wait_until 60 "steady: its pod ready" jp_is job/steady '{.status.ready}' 1
wait_until 60 "served: phase Succeeded" jp_is finetunejob/served '{.status.phase}' Succeeded
wait_until 60 "served: Serving=True" jp_is finetunejob/served '{.status.conditions[?(@.type=="Serving")].status}' True

# Objects only the operator writes keep their resourceVersion. Jobs, the Deployment and the HPA
# also get status writes from their controllers (the HPA controller's first sync may come
# during the window), so for them: the same generation (no spec change) and no new write by the
# operator's field managers (the times of its managedFields entries stay).
primaries=(finetunejob/steady finetunejob/served)
own=(configmap/steady-config service/steady-workers configmap/served-config service/served-workers
  service/served modelserve/served "${primaries[@]}")
shared=(job/steady job/served deployment/served horizontalpodautoscaler/served)
owned=("${own[@]:0:6}" "${shared[@]}")
snapshot() {
  k get "${own[@]}" -o \
    'jsonpath={range .items[*]}{.kind}/{.metadata.name} resourceVersion={.metadata.resourceVersion}{"\n"}{end}'
  k get "${shared[@]}" -o \
    'jsonpath={range .items[*]}{.kind}/{.metadata.name} generation={.metadata.generation} operator-writes={range .metadata.managedFields[?(@.manager=="finetunejob")]}{.operation}@{.time} {end}{range .metadata.managedFields[?(@.manager=="modelserve")]}{.operation}@{.time} {end}{"\n"}{end}'
}
shared_versions() {
  k get "${shared[@]}" -o \
    'jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}'
}
before="$(snapshot)"
shared_before="$(shared_versions)"
log_from=$(wc -l <"$OP_LOG")
step "at steady state:"
sed 's/^/      /' <<<"$before"
unchanged() {
  local now
  now="$(snapshot)"
  [[ "$now" == "$before" ]] || { diff <(echo "$before") <(echo "$now"); return 1; }
}
holds 15 "no owned object, FineTuneJob or ModelServe changed by the operator" unchanged
step "resourceVersions written meanwhile by other controllers (status): $(join -v 2 \
  <(tr ' ' '\n' <<<"$shared_before" | sort) <(shared_versions | tr ' ' '\n' | sort) | tr '\n' ' ')"

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

conflicts="$(tail -n "+$((SCENARIO_LOG_LINE + 1))" "$OP_LOG" | grep -E 'code=409|[Cc]onflict' || true)"
expect_eq "$conflicts" "" "conflicts in the operator log during this scenario"
# nothing reconciled into a change during the quiet window: no status patch, no apply
writes="$(tail -n "+$((log_from + 1))" "$OP_LOG" | grep -F "$NS" | grep -iE 'error|warn' || true)"
expect_eq "$writes" "" "operator warnings/errors about $NS during the quiet window"
