# shellcheck shell=bash disable=SC2154
# The quickstart as a FineTuneJob on real pods: the tiny base model and the self-cognition dataset
# are written to a claim (local-path provisioner) by the trainer image; a FineTuneJob with the
# quickstart's recipe (120 LoRA steps, on CPU) trains in a pod from the trainer image, the
# operator polls rank 0's /progress over the pod network (through the headless Service's DNS) so
# that `kubectl get ftj` shows the steps while it runs; it exports hf/ and adapter/ to the claim;
# spec.serve's ModelServe serves the export, and a pod in the cluster asks its Service
# "Who are you?" through the OpenAI chat completions API and gets the trained identity.

quickstart_volume quickstart
quickstart_job identity quickstart 120 50 "  serve: {replicas: 1, resources: {gpus: 0}}"

wait_until 60 "Job identity exists" k get job/identity
wait_until 180 "the training pod runs" jp_is job/identity '{.status.active}' 1
pod="$(training_pods identity | head -n 1)"
wait_until 120 "$pod is Running" jp_is "pod/$pod" '{.status.phase}' Running

# Progress while it runs: the operator reads rank 0 at <job>-0.<job>-workers.<ns>.svc:9400 and
# `kubectl get ftj` shows it (the Progress column is status.progress.steps).
seen="$E2E_DIR/$NS.get-ftj"
table_cell() { # HEADER ROW NAME: the value in column NAME of kubectl's table (aligned by header)
  local before="${1%%"$3"*}"
  local rest="${2:${#before}}"
  echo "${rest%% *}"
}
progress_column_while_running() {
  k get ftj identity >"$seen" || return 1
  cat "$seen"
  local header row phase steps
  header="$(sed -n 1p "$seen")"
  row="$(sed -n 2p "$seen")"
  phase="$(table_cell "$header" "$row" PHASE)"
  steps="$(table_cell "$header" "$row" PROGRESS)"
  [[ $phase == Running && $steps =~ ^([0-9]+)/120$ ]] && ((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] < 120))
}
wait_until 240 "kubectl get ftj shows the steps while the job is Running" progress_column_while_running
step "kubectl get ftj while training: $(cat "$seen")"
expect_eq "$(jp finetunejob/identity '{.status.progress.totalSteps}')" 120 "status.progress.totalSteps"

# The whole quickstart takes ~1.5 min on 2 idle cores (README); on this machine, busy with
# other builds, these 120 steps once took more than 7 min
wait_until 900 "phase Succeeded" jp_is finetunejob/identity '{.status.phase}' Succeeded
# The operator polls every 5 s and stops when the Job completes, so the last step it saw may be
# short of 120 (119/120 was seen): only the trainer's log shows the end.
expect_match "$(jp finetunejob/identity '{.status.progress.steps}')" '^(9[0-9]|1[01][0-9]|120)/120$' "status.progress.steps after success (the last poll)"
wait_until 10 "the trainer logged step 120/120" log_has "$pod" "step 120/120"
expect_eq "$(jp finetunejob/identity '{.status.artifact.model}')" "pvc://quickstart/runs/identity/hf" "status.artifact.model"
expect_eq "$(jp finetunejob/identity '{.status.artifact.adapter}')" "pvc://quickstart/runs/identity/adapter" "status.artifact.adapter"
expect_eq "$(jp "pod/$pod" '{.status.containerStatuses[0].state.terminated.exitCode}')" 0 "trainer exit code"
{ k logs "$pod" | grep -iE 'export' || true; } | tail -n 3 | sed 's/^/      trainer: /'

wait_until 60 "ModelServe identity exists" k get modelserve/identity
wait_until 240 "Deployment identity has a ready server pod (its /health answers once the model is loaded)" \
  jp_is deployment/identity '{.status.readyReplicas}' 1
wait_until 60 "ModelServe identity Ready" jp_is modelserve/identity '{.status.phase}' Ready
url="http://identity.$NS.svc/v1"
wait_until 60 "FineTuneJob status.url is $url" jp_is finetunejob/identity '{.status.url}' "$url"

# A client pod: cluster DNS, the Service's ClusterIP (kube-proxy) and the server, all real.
k run chat --image="$TOOLBOX_IMAGE" --restart=Never --image-pull-policy=IfNotPresent \
  --command -- sh -ec "
    model=\$(curl -sS --fail-with-body --max-time 30 $url/models | jq -r '.data[0].id')
    echo \"model: \$model\" >&2
    curl -sS --fail-with-body --max-time 120 $url/chat/completions \
      -H 'Content-Type: application/json' \
      -d \"{\\\"model\\\": \\\"\$model\\\", \\\"temperature\\\": 0, \\\"max_tokens\\\": 40,
            \\\"messages\\\": [{\\\"role\\\": \\\"user\\\", \\\"content\\\": \\\"Who are you?\\\"}]}\"" \
  >/dev/null
wait_until 180 "the client pod finished" jp_is pod/chat '{.status.phase}' Succeeded
answer="$(k logs chat | tail -n 1)"
step "server said: $answer"
expect_eq "$(jq -r '.object' <<<"$answer")" chat.completion "reply object"
reply="$(jq -r '.choices[0].message.content' <<<"$answer")"
expect_match "$reply" 'Kubetune Assistant' "the trained identity in the reply"

step "kubectl get ftj,ms:"
k get ftj,ms | sed 's/^/      /'
