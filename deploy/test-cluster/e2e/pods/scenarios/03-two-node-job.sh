# shellcheck shell=bash disable=SC2154
# A 2-node FineTuneJob on real pods: the quickstart recipe with resources.nodes 2 and ZeRO stage 2.
# The operator's Indexed Job starts two trainer pods (completion indexes 0 and 1); rank 1 finds
# rank 0 through the headless Service's DNS (<job>-0.<job>-workers, MASTER_ADDR) and both join one
# c10d group over the pod network (Gloo). Beside it, the same job on one pod with twice the
# gradient accumulation (the same global batch). Both write their checkpoints to the claim (one
# node here, so a ReadWriteOnce claim both pods mount will do; several nodes need ReadWriteMany);
# the losses of every step, read from the manifests, must agree to 1e-5 relative, and the two-rank
# checkpoint must say world 2, stage 2 and hold one shard per rank.

steps=6
quickstart_volume pairdata
NODES=2 MICRO_BATCH=4 ACCUMULATION=1 quickstart_job pair pairdata "$steps" "$steps" \
  "  distributed: {zeroStage: 2, timeoutSeconds: 300}"
NODES=1 MICRO_BATCH=4 ACCUMULATION=2 quickstart_job single pairdata "$steps" "$steps"

wait_until 60 "Job pair exists" k get job/pair
expect_eq "$(jp job/pair '{.spec.completionMode}')" Indexed "Job pair completion mode"
expect_eq "$(jp job/pair '{.spec.completions}')" 2 "Job pair completions"
two_pods() { [[ "$(training_pods pair | wc -l)" -eq 2 ]]; }
wait_until 180 "Job pair has two pods" two_pods
for index in 0 1; do
  pod="$(k get pods -l "batch.kubernetes.io/job-name=pair,batch.kubernetes.io/job-completion-index=$index" \
    -o 'jsonpath={.items[0].metadata.name}')"
  expect_match "$pod" '^pair-' "the pod of completion index $index"
  wait_until 240 "$pod (index $index) joined the c10d group as rank $index" \
    log_has "$pod" "rank $index of 2 joined the group"
  step "$pod: $(k logs "$pod" | grep -F 'joined the group' | head -n 1)"
  env_of() { jp "pod/$pod" "{.spec.containers[0].env[?(@.name==\"$1\")].value}"; }
  expect_eq "$(env_of WORLD_SIZE)" 2 "$pod WORLD_SIZE"
  expect_eq "$(env_of MASTER_ADDR)" "pair-0.pair-workers" "$pod MASTER_ADDR"
  eval "pod$index=\$pod"
done

wait_until 900 "FineTuneJob pair Succeeded" jp_is finetunejob/pair '{.status.phase}' Succeeded
wait_until 900 "FineTuneJob single Succeeded" jp_is finetunejob/single '{.status.phase}' Succeeded
for pod in "$pod0" "$pod1"; do
  expect_eq "$(jp "pod/$pod" '{.status.containerStatuses[0].state.terminated.exitCode}')" 0 "$pod exit code"
done
expect_eq "$(jp finetunejob/pair '{.status.artifact.model}')" "pvc://pairdata/runs/pair/hf" "pair status.artifact.model"

# What the two runs left on the claim, read by a pod that mounts it.
manifest() { echo "/data/runs/$1/checkpoints/step-$(printf %08d "$steps")/manifest.json"; }
k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: manifests
spec:
  restartPolicy: Never
  containers:
    - name: jq
      image: $TOOLBOX_IMAGE
      imagePullPolicy: IfNotPresent
      command: [sh, -ec, 'for m in $(manifest pair) $(manifest single); do
        jq -c "{world, zeroStage, shards: (.shards | length), losses: [.state.history[].loss]}" "\$m";
        done; ls /data/runs/pair/hf']
      volumeMounts: [{name: data, mountPath: /data, readOnly: true}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: pairdata}}]
YAML
wait_until 120 "the reader pod finished" jp_is pod/manifests '{.status.phase}' Succeeded
k logs manifests | sed 's/^/      /'
pair="$(k logs manifests | sed -n 1p)"
single="$(k logs manifests | sed -n 2p)"
expect_eq "$(jq -c '[.world, .zeroStage, .shards]' <<<"$pair")" "[2,2,2]" "the pair's checkpoint: world, stage, shards"
expect_eq "$(jq -c '[.world, .shards]' <<<"$single")" "[1,1]" "the single run's checkpoint: world, shards"
expect_eq "$(jq '.losses | length' <<<"$pair")" "$steps" "steps in the pair's loss history"
worst="$(jq -rn --argjson a "$(jq -c .losses <<<"$pair")" --argjson b "$(jq -c .losses <<<"$single")" \
  '[range($a | length) | ($a[.] - $b[.]) / $b[.] | if . < 0 then -. else . end] | max')"
step "largest relative loss difference, 2 ranks vs 1: $worst"
expect_eq "$(jq -rn --argjson w "$worst" '$w <= 1e-5')" true "losses equal to 1e-5 relative"
expect_match "$(k logs manifests | tail -n +3 | tr '\n' ' ')" 'config.json' "the pair's merged export"
