# shellcheck shell=bash disable=SC2154
# The API server refuses an object the operator creates (issue 11, defect 4), for reasons no CRD
# schema can know: a cluster's admission policy and a namespace's ResourceQuota.
# - A ValidatingAdmissionPolicy allows claims of at most 50Gi: a FineTuneJob whose claimTemplate
#   asks for 100Gi fails at once (phase Failed, reason FailedCreate, the API server's message,
#   an Event), and its Job is never created: there is no claim for it.
# - The same policy refuses server Deployments with GPUs: the ModelServe fails the same way.
# - A ResourceQuota allows no Jobs: the FineTuneJob stays Pending with Created=False, reason
#   FailedCreate and the quota's message; once the quota is deleted the Job is created and the
#   condition clears, without touching the FineTuneJob.

bound_claims models datasets runs
policy="e2e-refuse-$NS"
kubectl apply -f - <<EOF | sed 's/^/    /'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: $policy
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: [v1]
        operations: [CREATE]
        resources: [persistentvolumeclaims]
      - apiGroups: [apps]
        apiVersions: [v1]
        operations: [CREATE]
        resources: [deployments]
  validations:
    - expression: >-
        object.kind != 'PersistentVolumeClaim' ||
        quantity(object.spec.resources.requests.storage).compareTo(quantity('50Gi')) <= 0
      message: claims may request at most 50Gi in this namespace
      reason: Invalid
    - expression: >-
        object.kind != 'Deployment' || !object.spec.template.spec.containers.exists(c,
        has(c.resources.limits) && 'nvidia.com/gpu' in c.resources.limits)
      message: no GPU servers in this namespace
      reason: Invalid
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: $policy
spec:
  policyName: $policy
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: $NS}
EOF
remove_policy() { kubectl delete validatingadmissionpolicybinding,validatingadmissionpolicy "$policy" --ignore-not-found >/dev/null 2>&1 || true; }
trap remove_policy EXIT
refused_by_policy() {
  ! kubectl -n "$NS" create --dry-run=server -f - >/dev/null 2>&1 <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: probe}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 100Gi}}
EOF
}
wait_until 30 "the admission policy is in force" refused_by_policy

kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: big
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage:
    claimTemplate: {size: 100Gi}
---
apiVersion: kubetune.io/v1alpha1
kind: ModelServe
metadata:
  name: gpu-chat
spec:
  model: pvc://runs/qwen/hf
  resources: {gpus: 1}
EOF

condition() { jp "$1" "{.status.conditions[?(@.type==\"$2\")].$3}"; }
wait_until 60 "big: phase Failed" jp_is finetunejob/big '{.status.phase}' Failed
expect_eq "$(condition finetunejob/big Failed reason)" FailedCreate "big: Failed reason"
expect_match "$(condition finetunejob/big Failed message)" \
  '^PersistentVolumeClaim big-storage: .*claims may request at most 50Gi' "big: Failed message"
expect_eq "$(condition finetunejob/big Created reason)" FailedCreate "big: Created reason"
event_reasons() { k get events --field-selector "involvedObject.name=$1" -o 'jsonpath={range .items[*]}{.reason}: {.message}{"\n"}{end}'; }
has_event() { event_reasons "$1" | grep -q "^$2: $3"; }
wait_until 30 "big: event FailedCreate with the policy's message" has_event big FailedCreate 'PersistentVolumeClaim big-storage: .*at most 50Gi'
nothing_for_big() { [[ "$(count jobs kubetune.io/finetunejob=big) $(count pvc kubetune.io/finetunejob=big)" == "0 0" ]]; }
holds 5 "no Job and no claim for big" nothing_for_big

wait_until 60 "gpu-chat: phase Failed" jp_is modelserve/gpu-chat '{.status.phase}' Failed
expect_eq "$(condition modelserve/gpu-chat Ready reason)" FailedCreate "gpu-chat: Ready reason"
expect_match "$(condition modelserve/gpu-chat Ready message)" '^Deployment gpu-chat: .*no GPU servers' \
  "gpu-chat: Ready message"
wait_until 30 "gpu-chat: event FailedCreate" has_event gpu-chat FailedCreate 'Deployment gpu-chat'
remove_policy
trap - EXIT

# A quota: refused now, allowed later. Nothing but the quota changes.
kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: v1
kind: ResourceQuota
metadata:
  name: no-jobs
spec:
  hard: {count/jobs.batch: "0"}
EOF
wait_until 30 "the quota is counted" jp_set resourcequota/no-jobs '{.status.hard}'
kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: waits
spec:
  model: {source: pvc://models/qwen2-0.5b}
  datasets: [{source: pvc://datasets/identity.jsonl}]
  storage: {claimName: runs}
  template:
    annotations: {fake.kubetune.io/run-seconds: "3600"}
EOF
refused() { [[ "$(condition finetunejob/waits Created reason)" == FailedCreate ]]; }
wait_until 60 "waits: Created=False, reason FailedCreate" refused
expect_match "$(condition finetunejob/waits Created message)" '^Job waits: .*exceeded quota' \
  "waits: Created message"
expect_eq "$(jp finetunejob/waits '{.status.phase}')" Pending "waits: phase while refused"
wait_until 30 "waits: event FailedCreate" has_event waits FailedCreate 'Job waits: .*exceeded quota'
generation="$(jp finetunejob/waits '{.metadata.generation}')"
k delete resourcequota no-jobs | sed 's/^/    /'
wait_until 120 "waits: the Job is created once the quota is gone" jp_set job/waits '{.metadata.uid}'
wait_until 60 "waits: phase Running" jp_is finetunejob/waits '{.status.phase}' Running
expect_eq "$(condition finetunejob/waits Created status)" True "waits: Created"
expect_eq "$(jp finetunejob/waits '{.metadata.generation}')" "$generation" "waits: generation (untouched)"
