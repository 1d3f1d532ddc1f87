# shellcheck shell=bash disable=SC2154
# A FineTuneJob on 1 node x 8 GPUs (a whole GPU node; the schema allows one node until multi-node
# training is built) becomes a ConfigMap, a headless Service and an Indexed Job whose pod is
# scheduled onto a (tainted) GPU node, and the server pod onto the other one; its phase goes Pending -> Running ->
# Succeeded as kwok runs the pods for 6 s (fake.kubetune.io/run-seconds through spec.template);
# then spec.serve's ModelServe is created, its Deployment's pod becomes ready and the
# FineTuneJob's status shows the URL. Printer columns of `kubectl get ftj` / `kubectl get ms`.

bound_claims models datasets runs

# Every phase the API server stores, as a watch sees it.
phases="$E2E_DIR/$NS.phases"
kubectl -n "$NS" get finetunejobs -w -o 'jsonpath={.metadata.name}={.status.phase}{"\n"}' \
  >"$phases" 2>/dev/null &
watcher=$!
trap 'kill $watcher 2>/dev/null || true' EXIT

kubectl -n "$NS" apply -f - <<'EOF' | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: support
spec:
  model:
    source: pvc://models/qwen2-1.5b-instruct
  datasets:
    - source: pvc://datasets/support-chats.jsonl
      format: openai
      template: qwen_chat
  storage:
    claimName: runs
  resources:
    nodes: 1
    gpusPerNode: 8
  template:
    annotations:
      fake.kubetune.io/run-seconds: "6"
  serve:
    replicas: 1
    resources:
      gpus: 1
EOF

wait_until 30 "ConfigMap support-config holds job.yaml" jp_set configmap/support-config '{.data.job\.yaml}'
expect_eq "$(jp service/support-workers '{.spec.clusterIP}')" None "Service support-workers clusterIP (headless)"
wait_until 30 "Job support exists" k get job/support
expect_eq "$(jp job/support '{.spec.completionMode} {.spec.completions} {.spec.parallelism}')" \
  "Indexed 1 1" "Job support completionMode, completions, parallelism"

running_pods() { [[ "$(k get pods -l batch.kubernetes.io/job-name=support --field-selector=status.phase=Running -o name | wc -l)" -eq 1 ]]; }
wait_until 60 "the training pod Running" running_pods
wait_until 30 "phase Running" jp_is finetunejob/support '{.status.phase}' Running
pods="$(k get pods -l batch.kubernetes.io/job-name=support -o \
  'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.spec.containers[0].resources.requests.nvidia\.com/gpu} {.spec.tolerations[?(@.key=="nvidia.com/gpu")].operator} {.metadata.annotations.batch\.kubernetes\.io/job-completion-index} {.metadata.annotations.fake\.kubetune\.io/run-seconds}{"\n"}{end}')"
sed 's/^/    pod node gpus toleration index run-seconds: /' <<<"$pods"
while read -r pod node gpus tol _index secs; do
  expect_match "$node" '^kubetune-gpu-[0-9]+$' "$pod nodeName"
  expect_eq "$gpus" 8 "$pod nvidia.com/gpu request"
  expect_eq "$tol" Exists "$pod toleration of nvidia.com/gpu"
  expect_eq "$secs" 6 "$pod annotation from spec.template"
done <<<"$pods"
expect_eq "$(awk '{print $5}' <<<"$pods" | sort | tr '\n' ' ')" "0 " "completion indexes"

wait_until 60 "phase Succeeded" jp_is finetunejob/support '{.status.phase}' Succeeded
expect_eq "$(jp finetunejob/support '{.status.artifact.model}')" "pvc://runs/support/hf" "status.artifact.model"

wait_until 30 "ModelServe support exists" k get modelserve/support
wait_until 60 "Deployment support has a ready pod" jp_is deployment/support '{.status.readyReplicas}' 1
node="$(k get pods -l kubetune.io/modelserve=support -o 'jsonpath={.items[0].spec.nodeName}')"
expect_match "$node" '^kubetune-gpu-[0-9]+$' "server pod nodeName"
wait_until 30 "ModelServe support Ready" jp_is modelserve/support '{.status.phase}' Ready
url="http://support.$NS.svc/v1"
wait_until 30 "FineTuneJob status.url is $url" jp_is finetunejob/support '{.status.url}' "$url"
expect_eq "$(jp finetunejob/support '{.status.conditions[?(@.type=="Serving")].status}')" True "Serving condition"

kill "$watcher" 2>/dev/null || true
seen="$(grep '^support=' "$phases" | cut -d= -f2 | grep . | uniq | tr '\n' ' ')"
step "phases seen by a watch: $seen"
expect_match "$seen" '^(Pending )+Running (Running )*Succeeded $' "phase sequence"

step "kubectl get ftj; kubectl get ms:"
ftj_table="$(k get finetunejobs)"
ms_table="$(k get modelserves)"
sed 's/^/    /' <<<"$ftj_table"$'\n'"$ms_table"
expect_match "$(head -n 1 <<<"$ftj_table")" '^NAME +PHASE +REASON +PROGRESS +LOSS +AGE$' "kubectl get ftj columns"
expect_match "$(sed -n 2p <<<"$ftj_table")" '^support +Succeeded +Exported ' "kubectl get ftj row"
expect_match "$(head -n 1 <<<"$ms_table")" '^NAME +PHASE +URL +READY +AGE$' "kubectl get ms columns"
expect_match "$(sed -n 2p <<<"$ms_table")" "^support +Ready +http://support\.$NS\.svc/v1 +1 " "kubectl get ms row"
