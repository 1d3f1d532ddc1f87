# shellcheck shell=bash disable=SC2154
# What Argo CD and Flux say of kubetune objects, computed from the live objects by the real code:
# Argo CD's health Lua (deploy/gitops/argocd, run by gopher-lua as Argo CD runs it) and kstatus
# (sigs.k8s.io/cli-utils, what Flux's health checks use), both in deploy/tools/gitops. A training
# job is Progressing / InProgress, a suspended one Suspended / Current, a failed one Degraded /
# Failed, a trained one with its ModelServe ready Healthy / Current, and the ModelServe Healthy.
# E2E_RECORD_GITOPS=DIR writes the objects there (deploy/gitops/testdata is such a recording,
# checked by `go test` in deploy/tools/gitops).

GITOPS_HEALTH="$("$REPO/deploy/tools/build.sh" gitops | tail -n 1)/gitops-health"
bound_claims models datasets runs
kubectl -n "$NS" apply -f - <<'YAML' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata: {name: training}
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  template: {annotations: {fake.kubetune.io/run-seconds: "3600"}}
---
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata: {name: paused}
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  suspend: true
---
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata: {name: broken}
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  template: {annotations: {fake.kubetune.io/exit-code: "78", fake.kubetune.io/run-seconds: "1"}}
---
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata: {name: trained}
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  template: {annotations: {fake.kubetune.io/run-seconds: "2"}}
  serve: {replicas: 1}
YAML

wait_until 60 "training Running" jp_is finetunejob/training '{.status.phase}' Running
wait_until 60 "paused Suspended" jp_is finetunejob/paused '{.status.phase}' Suspended
wait_until 60 "broken Failed" jp_is finetunejob/broken '{.status.phase}' Failed
wait_until 90 "trained Succeeded" jp_is finetunejob/trained '{.status.phase}' Succeeded
wait_until 90 "ModelServe trained Ready" jp_is modelserve/trained '{.status.phase}' Ready
wait_until 30 "trained shows its ModelServe ready" jp_is finetunejob/trained \
  '{.status.conditions[?(@.type=="Serving")].status}' True

health() { # KIND NAME -> "argocd=X kstatus=Y"
  k get "$1" "$2" -o yaml | "$GITOPS_HEALTH" -lua "$REPO/deploy/gitops/argocd" - |
    awk -F'\t' '{print $2, $4}'
}
expect_health() { # KIND NAME ARGO KSTATUS
  local got
  got="$(health "$1" "$2")"
  step "$1/$2: $got"
  expect_eq "$got" "argocd=$3 kstatus=$4" "$1/$2 health"
}
expect_health finetunejob training Progressing InProgress
expect_health finetunejob paused Suspended Current
expect_health finetunejob broken Degraded Failed
expect_health finetunejob trained Healthy Current
expect_health modelserve trained Healthy Current

if [[ -n "${E2E_RECORD_GITOPS:-}" ]]; then
  mkdir -p "$E2E_RECORD_GITOPS"
  for obj in finetunejob/training finetunejob/paused finetunejob/broken finetunejob/trained \
    modelserve/trained; do
    # without the fields that change from run to run and say nothing about health
    k get "$obj" -o json | python3 -c '
import json, sys, yaml
o = json.load(sys.stdin)
for f in ("managedFields", "uid", "resourceVersion", "creationTimestamp", "namespace", "ownerReferences", "labels", "annotations"):
    o["metadata"].pop(f, None)
print(yaml.safe_dump(o, sort_keys=True), end="")' >"$E2E_RECORD_GITOPS/${obj%%/*}-${obj##*/}.yaml"
  done
  step "recorded the objects in $E2E_RECORD_GITOPS"
fi
