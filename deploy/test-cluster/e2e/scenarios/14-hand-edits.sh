# shellcheck shell=bash disable=SC2154
# Hand edits of the objects the operator owns converge back to what the spec wants (issue 11,
# defect 6), on the real API server with server-side apply: every owned kind is edited with
# kubectl (a field the operator sets, then the managed-by label that the operator's informers
# select on), and each comes back within 30 s as the same object (same UID). The training Job's
# parallelism set to 0 comes back to 1; a Job without the label is taken back, not duplicated.

bound_claims models datasets runs
bound_claims --for edits-storage
kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: edits
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage:
    claimTemplate: {size: 10Gi}
  resources: {gpusPerNode: 1}
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
  resources: {gpusPerNode: 1}
  template:
    annotations: {fake.kubetune.io/run-seconds: "1"}
  serve:
    resources: {gpus: 0, cpu: "1"}
    autoscaling: {maxReplicas: 3}
EOF
wait_until 60 "edits: phase Running" jp_is finetunejob/edits '{.status.phase}' Running
wait_until 60 "served: Serving=True" \
  jp_is finetunejob/served '{.status.conditions[?(@.type=="Serving")].status}' True
wait_until 30 "the HPA exists" jp_set horizontalpodautoscaler/served '{.metadata.uid}'

LABEL=app.kubernetes.io/managed-by
# Edits OBJ by hand with EDIT; CHECK must come back true within 30 s, and OBJ keep its UID.
converges() { # OBJ WHAT CHECK... -- EDIT...
  local obj="$1" what="$2" uid
  shift 2
  local -a check=()
  while [[ "$1" != -- ]]; do
    check+=("$1")
    shift
  done
  shift
  uid="$(jp "$obj" '{.metadata.uid}')"
  [[ -n "$uid" ]] || fail "$obj does not exist"
  "$@" >/dev/null
  wait_until 30 "$obj: $what comes back" "${check[@]}"
  expect_eq "$(jp "$obj" '{.metadata.uid}')" "$uid" "$obj UID (the same object)"
}
label_back() { jp_is "$1" '{.metadata.labels.app\.kubernetes\.io/managed-by}' kubetune-operator; }
unlabel() { k label "$1" "$LABEL-"; }
field_has() { [[ "$(jp "$1" "$2")" == *"$3"* ]]; } # OBJ JSONPATH TEXT
field_unset() { [[ -z "$(jp "$1" "$2")" ]]; }       # OBJ JSONPATH

converges job/edits "parallelism 1" jp_is job/edits '{.spec.parallelism}' 1 -- \
  k patch job/edits --type=merge -p '{"spec":{"parallelism":0}}'
converges job/edits "the managed-by label" label_back job/edits -- unlabel job/edits
expect_eq "$(count jobs kubetune.io/finetunejob=edits)" 1 "Jobs of edits"
converges configmap/edits-config "job.yaml" \
  field_has configmap/edits-config '{.data.job\.yaml}' pvc://models/qwen2-0.5b -- \
  k patch configmap/edits-config --type=merge -p '{"data":{"job.yaml":"edited by hand"}}'
converges configmap/edits-config "the managed-by label" label_back configmap/edits-config -- \
  unlabel configmap/edits-config
converges service/edits-workers "port 29500" jp_is service/edits-workers '{.spec.ports[0].port}' 29500 -- \
  k patch service/edits-workers --type=json -p '[{"op":"replace","path":"/spec/ports/0/port","value":1234}]'
converges service/edits-workers "the managed-by label" label_back service/edits-workers -- \
  unlabel service/edits-workers
converges pvc/edits-storage "the managed-by label" label_back pvc/edits-storage -- \
  unlabel pvc/edits-storage

converges modelserve/served "spec.generation removed" field_unset modelserve/served '{.spec.generation}' -- \
  k patch modelserve/served --type=merge -p '{"spec":{"generation":{"maxTokens":7}}}'
converges modelserve/served "the managed-by label" label_back modelserve/served -- \
  unlabel modelserve/served
converges deployment/served "the server's --port" \
  field_has deployment/served '{.spec.template.spec.containers[0].args}' 8000 -- \
  k patch deployment/served --type=json \
  -p '[{"op":"replace","path":"/spec/template/spec/containers/0/args","value":["serve","--model","/elsewhere"]}]'
converges deployment/served "the managed-by label" label_back deployment/served -- \
  unlabel deployment/served
converges service/served "port 80" jp_is service/served '{.spec.ports[0].port}' 80 -- \
  k patch service/served --type=json -p '[{"op":"replace","path":"/spec/ports/0/port","value":81}]'
converges service/served "the managed-by label" label_back service/served -- unlabel service/served
converges horizontalpodautoscaler/served "maxReplicas 3" \
  jp_is horizontalpodautoscaler/served '{.spec.maxReplicas}' 3 -- \
  k patch horizontalpodautoscaler/served --type=merge -p '{"spec":{"maxReplicas":9}}'
converges horizontalpodautoscaler/served "the managed-by label" \
  label_back horizontalpodautoscaler/served -- unlabel horizontalpodautoscaler/served

expect_eq "$(jp finetunejob/edits '{.status.phase}') $(jp finetunejob/served '{.status.phase}')" \
  "Running Succeeded" "phases after the edits"
expect_eq "$(count jobs kubetune.io/finetunejob=edits) $(count deployments kubetune.io/modelserve=served)" \
  "1 1" "Jobs of edits, Deployments of served"
