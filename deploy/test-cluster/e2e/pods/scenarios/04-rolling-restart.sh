# shellcheck shell=bash disable=SC2154
# Rolling a ModelServe's pods under steady load loses no request. A ModelServe with 2 replicas
# serves the quickstart's base model (written to a claim by the trainer image; an untrained model
# answers as well as a trained one for this). A client pod runs the official openai client (npm
# `openai`, its default retries) with rolling-load.mjs: 3 loops of chat completions, streamed and
# whole in turn, some long enough (~2 s) to be in progress at SIGTERM, through the Service (cluster
# DNS, kube-proxy). While it runs, every server pod is replaced twice: by `kubectl rollout
# restart`, then by a ModelServe spec change the operator rolls out (spec.generation). Each old
# pod gets its preStop sleep (the Service stops routing new connections to it), SIGTERM, and
# drains what it has in progress. The client must see no failed request after its own retries
# (how many retries happened, and why, is printed); every pod is replaced each time, and the
# operator neither undoes kubectl's restart nor rolls twice (one new revision per change).

quickstart_volume quickstart
k apply -f - >/dev/null <<YAML
apiVersion: kubetune.io/v1alpha1
kind: ModelServe
metadata:
  name: chat
spec:
  model: pvc://quickstart/base-model
  replicas: 2
  resources: {gpus: 0}
YAML
wait_until 60 "Deployment chat exists" k get deployment/chat
wait_until 300 "Deployment chat has 2 ready server pods" jp_is deployment/chat '{.status.readyReplicas}' 2
wait_until 60 "ModelServe chat Ready" jp_is modelserve/chat '{.status.phase}' Ready
step "strategy: $(jp deployment/chat '{.spec.strategy}'); grace $(jp deployment/chat '{.spec.template.spec.terminationGracePeriodSeconds}') s"

server_pods() { # every pod of the ModelServe, terminating ones too
  k get pods -l kubetune.io/modelserve=chat -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}'
}
ready_server_pods() { # not terminating, Ready
  k get pods -l kubetune.io/modelserve=chat \
    -o 'jsonpath={range .items[*]}{.metadata.name}|{.metadata.deletionTimestamp}|{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    awk -F '|' '$2 == "" && $3 == "True" { print $1 }'
}
# The client: node and the openai package (the serve stage's locked copy) copied into a pod of
# the toolbox image; it starts when /work/go appears.
openai_dir="$REPO/trainer-image/src/test/openai"
if [[ ! -f $openai_dir/node_modules/openai/package.json ]]; then
  (cd "$openai_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: load
spec:
  restartPolicy: Never
  containers:
    - name: client
      image: $TOOLBOX_IMAGE
      imagePullPolicy: IfNotPresent
      command: [sh, -c, 'until [ -f /work/go ]; do sleep 0.5; done; exec /work/node /work/rolling-load.mjs']
      env:
        - {name: KUBETUNE_URL, value: "http://chat.$NS.svc/v1"}
      volumeMounts:
        - {name: work, mountPath: /work}
  volumes:
    - {name: work, emptyDir: {}}
YAML
wait_until 120 "the client pod runs" jp_is pod/load '{.status.phase}' Running
t=$(now_s)
k exec load -- mkdir -p /work/node_modules
k cp "$(readlink -f "$(command -v node)")" load:/work/node
k cp "$openai_dir/node_modules/openai" load:/work/node_modules/openai
k cp "$HERE/rolling-load.mjs" load:/work/rolling-load.mjs
k exec load -- chmod 755 /work/node
step "node $(k exec load -- /work/node --version) and openai $(jq -r .version "$openai_dir/node_modules/openai/package.json") copied into the client pod ($(elapsed "$t") s)"
k exec load -- touch /work/go

# the client's latest progress line (a JSON object of counts), every 10 s
progress() { k logs load | grep -E '^[0-9.]+ s \{' | tail -n 1 | sed 's/^[0-9.]* s //'; }
warmed_up() { local p; p="$(progress)"; [[ -n $p ]] && (($(jq .ok <<<"$p") >= 10)); }
wait_until 120 "the client has 10 answered requests" warmed_up

# roll WHAT CMD...: CMD rolls the Deployment; waits until the rollout is complete and the old pods
# are gone (drained and exited), then checks that both pods were replaced, are Ready, and that the
# Deployment moved one revision on. The old pods' logs are followed while they live (their drain
# lines are printed). Each roll runs under the client's load.
log_pids=()
roll() {
  local what="$1" pod revision t
  shift
  mapfile -t old < <(server_pods)
  expect_eq "${#old[@]}" 2 "server pods before $what"
  for pod in "${old[@]}"; do
    k logs -f "$pod" >"$E2E_DIR/$NS.$pod.log" 2>&1 &
    log_pids+=($!)
  done
  revision="$(jp deployment/chat '{.metadata.annotations.deployment\.kubernetes\.io/revision}')"
  step "$what: client so far $(progress)"
  t=$(now_s)
  "$@" | sed 's/^/      /'
  wait_until 60 "$what: the Deployment has revision $((revision + 1))" \
    jp_is deployment/chat '{.metadata.annotations.deployment\.kubernetes\.io/revision}' "$((revision + 1))"
  k rollout status deployment/chat --timeout=600s | sed 's/^/      /'
  step "$what: rollout status complete after $(elapsed "$t") s"
  old_gone() { local p; for p in "${old[@]}"; do ! k get pod "$p" >/dev/null 2>&1 || return 1; done; }
  wait_until 120 "$what: the old pods ${old[*]} are gone (drained and exited)" old_gone
  step "$what: replaced in $(elapsed "$t") s (from the change to the old pods gone)"
  for pod in "${old[@]}"; do
    grep -E 'draining|drained|drain timeout|shutting down' "$E2E_DIR/$NS.$pod.log" | sed "s/^/      $pod: /" || true
  done
  mapfile -t now < <(server_pods)
  expect_eq "${#now[@]}" 2 "$what: server pods after"
  expect_eq "$(ready_server_pods | wc -l)" 2 "$what: ready server pods after"
  for pod in "${now[@]}"; do
    [[ " ${old[*]} " != *" $pod "* ]] || fail "$what: pod $pod was not replaced"
  done
  step "$what: ${old[*]} -> ${now[*]}"
  sleep 5 # some load on the new pods alone
  # one rollout: the operator does not undo kubectl's change, nor make another
  expect_eq "$(jp deployment/chat '{.metadata.annotations.deployment\.kubernetes\.io/revision}')" "$((revision + 1))" "$what: Deployment revision (was $revision)"
}

roll "kubectl rollout restart" k rollout restart deployment/chat
expect_match "$(jp deployment/chat '{.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}')" '^20' "the pod template's restartedAt (kept by the operator)"
# A spec change the operator turns into a new pod template (serve --temperature)
roll "ModelServe spec.generation change" k patch modelserve chat --type merge -p '{"spec": {"generation": {"temperature": 0.7}}}'
expect_match "$(jp deployment/chat '{.spec.template.spec.containers[0].args}')" '"--temperature","0.7"' "the server's arguments"

k exec load -- touch /work/stop
wait_until 120 "the client finished" jp_is pod/load '{.status.phase}' Succeeded
kill "${log_pids[@]}" 2>/dev/null || true # they ended with their pods, or end now
wait "${log_pids[@]}" 2>/dev/null || true
k logs load | grep -vE '^[0-9.]+ s \{' | sed 's/^/      client: /'
result="$(k logs load | sed -n 's/^RESULT //p')"

step "client: $(jq -c 'del(.failures)' <<<"$result")"
expect_eq "$(jq .failed <<<"$result")" 0 "requests failed after the client's retries"
expect_eq "$(jq '.ok == .requests' <<<"$result")" true "every request answered completely"
expect_match "$(jq .requests <<<"$result")" '^[1-9][0-9]+$' "requests sent (at least 10)"
step "retries by the client: $(jq .retries <<<"$result") ($(jq -c .retryCauses <<<"$result"))"
