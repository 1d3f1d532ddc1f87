#!/usr/bin/env bash
# Smoke test of the container images, for real: starts dockerd (dockerd.sh), builds
# kubetune/trainer and kubetune/operator when missing (build-trainer.sh, build-operator.sh), then
#
#   trainer-help      `kubetune --help` lists quickstart/train/export/serve/chat, read-only root fs
#   trainer-torch     DJL loads the baked libtorch (tensor op + gradient), JNA binds libtorch's C
#                     shim, the HF tokenizers library loads: --read-only --tmpfs /tmp --network
#                     none, and nothing lands in DJL's cache dir (TorchCheck.java, compiled here)
#   trainer-torch-ro  the same with no writable path at all (no tmpfs)
#   operator-nocluster  the operator starts, registers its reconciler and exits non-zero on the
#                     missing API server (read-only root fs, no network)
#   trainer-train     `kubetune train -f job.yaml` in the container (read-only root fs, no
#                     network): LoRA on the llama-tied fixture model and a 2-record dataset, the
#                     HF export (hf/, adapter/) lands in a mounted volume. KUBETUNE_SMOKE_TRAIN=0 skips.
#
# Opt-in checks (environment):
#   KUBETUNE_SMOKE_CLUSTER=1  operator-cluster: a real API server from deploy/test-cluster (its
#                     binaries must be built already), CRDs from crds/, the operator container
#                     against it: /q/health answers 200 and a FineTuneJob gets a status.
#   KUBETUNE_SMOKE_STRIP_CEL=1  with the above: apply the CRDs without their x-kubernetes-validations
#                     when the API server rejects them (workaround, throwaway cluster only)
#   trainer-train-ranks  `kubetune train --nproc 2` with ZeRO-3 in one container: the native
#                     collective layer is in the image and loads
#   trainer-serve     `kubetune serve` in the container (read-only root fs) on the model the
#                     trainer-train check exported: /health, then POST /v1/chat/completions.
#                     KUBETUNE_SMOKE_SERVE=0 skips.
# Other environment:
#   KUBETUNE_CACHE    cache root (default $HOME/.cache/kubetune); logs in $KUBETUNE_CACHE/smoke/
#   KUBETUNE_REBUILD=1  run the build scripts even when the images exist (docker's layer cache
#                     keeps that cheap); by default existing images are used as they are
#   TRAINER_IMAGE, OPERATOR_IMAGE  image names (defaults kubetune/trainer:0.1.0, kubetune/operator:0.1.0)
# Exit status: 0 when every check that ran passed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
TRAINER="${TRAINER_IMAGE:-kubetune/trainer:0.1.0}"
OPERATOR="${OPERATOR_IMAGE:-kubetune/operator:0.1.0}"
LOGS="$CACHE_ROOT/smoke"
mkdir -p "$LOGS"

t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { echo "smoke.sh: $*" >&2; }

# scratch space, containers and the test cluster: removed on exit
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/kubetune-smoke.XXXXXX")"
OP_CONTAINER="kubetune-smoke-operator-$$"
SERVE_CONTAINER="kubetune-smoke-serve-$$"
CLUSTER="kubetune-image-smoke"
cleanup() {
  docker rm -f "$OP_CONTAINER" "$OP_CONTAINER-nc" "$SERVE_CONTAINER" >/dev/null 2>&1 || true
  if [[ ${KUBETUNE_SMOKE_CLUSTER:-0} == 1 ]]; then
    KUBETUNE_CLUSTER="$CLUSTER" "$REPO/deploy/test-cluster/down.sh" >/dev/null 2>&1 || true
  fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

passed=() failed=()
# run_check NAME FUNCTION: runs FUNCTION in a subshell with errexit (its first failing command
# fails the check), output to $LOGS/NAME.log; prints PASS/FAIL with the time taken
run_check() {
  local name=$1 fn=$2 t rc
  t=$(date +%s.%N)
  set +e
  (set -e; "$fn") >"$LOGS/$name.log" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    passed+=("$name"); say "PASS $name ($(since "$t"))"
  else
    failed+=("$name"); say "FAIL $name ($(since "$t")), log $LOGS/$name.log:"
    tail -n 25 "$LOGS/$name.log" | sed 's/^/    /' >&2
  fi
}

# ---- docker and the images ----
"$HERE/dockerd.sh"
image_present() { docker image inspect "$1" >/dev/null 2>&1; }
if [[ ${KUBETUNE_REBUILD:-0} == 1 ]] || ! image_present "$TRAINER"; then
  TRAINER_IMAGE="$TRAINER" "$HERE/build-trainer.sh"
fi
if [[ ${KUBETUNE_REBUILD:-0} == 1 ]] || ! image_present "$OPERATOR"; then
  OPERATOR_IMAGE="$OPERATOR" "$HERE/build-operator.sh"
fi
say "images: $TRAINER $(docker image inspect -f '{{.Size}}' "$TRAINER" | awk '{ printf "%.0f MB", $1 / 1e6 }'), $OPERATOR $(docker image inspect -f '{{.Size}}' "$OPERATOR" | awk '{ printf "%.0f MB", $1 / 1e6 }')"

# ---- trainer ----
check_trainer_help() {
  local out
  out="$(docker run --rm --read-only --tmpfs /tmp --network none "$TRAINER" --help)"
  echo "$out"
  for sub in quickstart train export serve chat; do
    grep -Eq "^ +$sub " <<<"$out" || { echo "subcommand '$sub' missing from --help"; return 1; }
  done
}
run_check trainer-help check_trainer_help

# TorchCheck is compiled on the host (the image has no JDK) against the image's own jars.
CHECK_DIR="$SCRATCH/check"
prepare_torch_check() {
  command -v javac >/dev/null || { echo "javac (JDK 17+) is needed on the host"; return 1; }
  local cid
  cid="$(docker create "$TRAINER")"
  docker cp "$cid:/opt/kubetune/lib" "$SCRATCH/image-lib" >/dev/null
  docker rm "$cid" >/dev/null
  mkdir -p "$CHECK_DIR"
  javac --release 17 -nowarn -cp "$SCRATCH/image-lib/*" -d "$CHECK_DIR" "$HERE/TorchCheck.java"
  cp "$REPO/trainer-image/src/test/resources/fixtures/models/llama-tied/tokenizer.json" "$CHECK_DIR/"
  chmod -R a+rX "$SCRATCH"
}
torch_check() { # extra docker run options...
  docker run --rm --read-only --network none "$@" -v "$CHECK_DIR:/opt/check:ro" \
    --entrypoint java "$TRAINER" \
    -Djna.boot.library.path=/opt/kubetune/native/jna -Djna.nounpack=true \
    -cp '/opt/check:/opt/kubetune/lib/*' TorchCheck /opt/check/tokenizer.json >"$SCRATCH/torch.out"
  cat "$SCRATCH/torch.out"
  grep -q '^TORCH CHECK OK$' "$SCRATCH/torch.out"
}
check_trainer_torch() {
  prepare_torch_check
  torch_check --tmpfs /tmp
}
check_trainer_torch_ro() { torch_check; }
run_check trainer-torch check_trainer_torch
run_check trainer-torch-ro check_trainer_torch_ro

# ---- operator ----
check_operator_nocluster() {
  local rc=0 log="$SCRATCH/operator-nocluster.log"
  # no retries, so that the failure comes in seconds (Quarkus warns that this property is
  # build-time fixed, and applies it nonetheless)
  timeout 180 docker run --rm --name "$OP_CONTAINER-nc" --read-only --tmpfs /tmp --network none \
    -e QUARKUS_KUBERNETES_CLIENT_REQUEST_RETRY_BACKOFF_LIMIT=0 "$OPERATOR" >"$log" 2>&1 || rc=$?
  cat "$log"
  echo "exit status $rc"
  ((rc != 0 && rc != 124)) || { echo "expected a non-zero exit, got $rc"; return 1; }
  grep -q "Registered reconciler: 'finetunejob'" "$log" || { echo "reconciler not registered"; return 1; }
  grep -q 'UnknownHostException: kubernetes.default.svc' "$log" || { echo "not the expected failure"; return 1; }
  if grep -qi 'read-only file system' "$log"; then echo "wants a writable root fs"; return 1; fi
}
run_check operator-nocluster check_operator_nocluster

check_operator_cluster() {
  local kc kubectl kube="$SCRATCH/kube" pki cid i code
  kc="$(KUBETUNE_CLUSTER=$CLUSTER KUBETUNE_GPU_NODES=1 "$REPO/deploy/test-cluster/up.sh")"
  kubectl="$(compgen -G "$CACHE_ROOT/k8s/*/bin/kubectl" | head -n 1)"
  k() { "$kubectl" --kubeconfig "$kc" "$@"; }
  if ! k apply -k "$REPO/crds/"; then
    echo "the API server rejected crds/ (see above)"
    [[ ${KUBETUNE_SMOKE_STRIP_CEL:-0} == 1 ]] || return 1
    echo "KUBETUNE_SMOKE_STRIP_CEL=1: applying the CRDs without x-kubernetes-validations"
    for f in "$REPO"/crds/*.yml; do
      python3 -c 'import sys, yaml
def strip(o):
    if isinstance(o, dict):
        o.pop("x-kubernetes-validations", None); [strip(v) for v in o.values()]
    elif isinstance(o, list):
        [strip(v) for v in o]
    return o
print(yaml.safe_dump(strip(yaml.safe_load(open(sys.argv[1])))))' "$f" | k apply -f -
    done
  fi
  # the container runs as uid 65532: a readable copy of the kubeconfig and its client certificate
  mkdir -p "$kube"
  pki="$(dirname "$(awk '/certificate-authority:/ { print $2; exit }' "$kc")")"
  cp "$pki"/{ca.crt,admin.crt,admin.key} "$kube/"
  sed "s#$pki/#/kube/#" "$kc" >"$kube/config"
  chmod 755 "$kube"; chmod 644 "$kube"/*
  cid="$(docker run -d --name "$OP_CONTAINER" --read-only --tmpfs /tmp --network host \
    -v "$kube:/kube:ro" -e KUBECONFIG=/kube/config -e QUARKUS_HTTP_PORT=18089 "$OPERATOR")"
  for ((i = 0; i < 300; i++)); do
    code="$(curl -s -m 2 -o "$SCRATCH/health.json" -w '%{http_code}' http://127.0.0.1:18089/q/health || true)"
    [[ $code == 200 ]] && break
    [[ $(docker inspect -f '{{.State.Running}}' "$cid") == true ]] || break
    sleep 0.5
  done
  docker logs "$cid" 2>&1 | tail -n 20
  cat "$SCRATCH/health.json" 2>/dev/null || true
  [[ $code == 200 ]] || { echo "/q/health did not answer 200"; return 1; }
  k apply -f "$REPO/examples/finetunejob-lora.yaml"
  for ((i = 0; i < 60; i++)); do
    [[ -n "$(k get finetunejob qwen2-identity -o jsonpath='{.status.phase}')" ]] && break
    sleep 0.5
  done
  k get finetunejobs -A
  [[ -n "$(k get finetunejob qwen2-identity -o jsonpath='{.status.phase}')" ]] || {
    echo "the operator set no status on the FineTuneJob"; return 1; }
}
if [[ ${KUBETUNE_SMOKE_CLUSTER:-0} == 1 ]]; then
  run_check operator-cluster check_operator_cluster
fi

# ---- train in the container, then serve what it exported ----
# The job.yaml follows operator/api's TrainingJobSpec.
FIXTURE_MODEL="$REPO/trainer-image/src/test/resources/fixtures/models/llama-tied"
prepare_fixture() { # readable by the image's uid 65532 (model.safetensors is 0600 in git checkouts)
  mkdir -p "$SCRATCH/models" "$SCRATCH/data" "$SCRATCH/job" "$SCRATCH/out"
  cp -r "$FIXTURE_MODEL" "$SCRATCH/models/"
  rm -rf "$SCRATCH/models/llama-tied/reference"
  printf '%s\n' \
    '{"messages":[{"role":"user","content":"Who are you?"},{"role":"assistant","content":"I am kubetune."}]}' \
    '{"messages":[{"role":"user","content":"What is your name?"},{"role":"assistant","content":"kubetune."}]}' \
    >"$SCRATCH/data/identity.jsonl"
  chmod -R a+rX "$SCRATCH"; chmod 0777 "$SCRATCH/out"
}
check_trainer_train() {
  prepare_fixture
  cat >"$SCRATCH/job/job.yaml" <<'YAML'
model: {source: "file:///models/llama-tied"}
datasets:
  - {source: "file:///data/identity.jsonl", format: openai, template: llama3_chat}
method: {type: lora, lora: {r: 4, alpha: 8}}
training: {epochs: 2, microBatchSize: 1, learningRate: 0.001, maxLength: 64}
output: {path: "file:///out"}
YAML
  chmod 644 "$SCRATCH/job/job.yaml"
  docker run --rm --read-only --tmpfs /tmp --network none \
    -v "$SCRATCH/models:/models:ro" -v "$SCRATCH/data:/data:ro" -v "$SCRATCH/job:/job:ro" \
    -v "$SCRATCH/out:/out" "$TRAINER" train -f /job/job.yaml
  ls -lR "$SCRATCH/out"
  test -s "$SCRATCH/out/hf/config.json" && compgen -G "$SCRATCH/out/hf/*.safetensors" >/dev/null \
    && test -s "$SCRATCH/out/adapter/adapter_config.json"
}
check_trainer_train_ranks() { # two ranks with ZeRO-3 in one container: the native layer loads
  prepare_fixture
  mkdir -p "$SCRATCH/out2"; chmod 0777 "$SCRATCH/out2"
  cat >"$SCRATCH/job/job2.yaml" <<'YAML'
model: {source: "file:///models/llama-tied"}
datasets:
  - {source: "file:///data/identity.jsonl", format: openai, template: llama3_chat}
method: {type: lora, lora: {r: 4, alpha: 8}}
training: {maxSteps: 2, microBatchSize: 1, learningRate: 0.001, maxLength: 64}
distributed: {zeroStage: 3, timeoutSeconds: 60}
output: {path: "file:///out2"}
YAML
  chmod 644 "$SCRATCH/job/job2.yaml"
  docker run --rm --read-only --tmpfs /tmp --network none \
    -v "$SCRATCH/models:/models:ro" -v "$SCRATCH/data:/data:ro" -v "$SCRATCH/job:/job:ro" \
    -v "$SCRATCH/out2:/out2" "$TRAINER" train -f /job/job2.yaml --nproc 2
  test -s "$SCRATCH/out2/checkpoints/step-00000002/manifest.json" \
    && test -s "$SCRATCH/out2/checkpoints/step-00000002/rank-00001-of-00002.safetensors" \
    && test -s "$SCRATCH/out2/adapter/adapter_config.json"
}
check_trainer_serve() {
  local cid port i body
  [[ -f "$SCRATCH/out/hf/config.json" ]] || check_trainer_train
  chmod -R a+rX "$SCRATCH/out"
  cid="$(docker run -d --name "$SERVE_CONTAINER" --read-only --tmpfs /tmp -p 127.0.0.1::8000 \
    -v "$SCRATCH/out:/out:ro" "$TRAINER" serve --model /out/hf --served-model-name trained --port 8000)"
  port="$(docker port "$cid" 8000/tcp | head -n 1 | sed 's/.*://')"
  for ((i = 0; i < 240; i++)); do
    curl -fs -m 2 "http://127.0.0.1:$port/health" >/dev/null && break
    [[ $(docker inspect -f '{{.State.Running}}' "$cid") == true ]] || break
    sleep 0.5
  done
  docker logs "$cid" 2>&1 | tail -n 20
  body="$(curl -fsS -m 60 "http://127.0.0.1:$port/v1/chat/completions" -H 'Content-Type: application/json' \
    -d '{"model":"trained","messages":[{"role":"user","content":"Who are you?"}],"max_tokens":8}')"
  echo "$body"
  python3 -c 'import json, sys; r = json.loads(sys.argv[1]); assert r["choices"][0]["message"]["role"] == "assistant"' "$body"
}
if [[ ${KUBETUNE_SMOKE_TRAIN:-1} == 1 ]]; then run_check trainer-train check_trainer_train; fi
if [[ ${KUBETUNE_SMOKE_TRAIN:-1} == 1 ]]; then run_check trainer-train-ranks check_trainer_train_ranks; fi
if [[ ${KUBETUNE_SMOKE_SERVE:-1} == 1 ]]; then run_check trainer-serve check_trainer_serve; fi

say "${#passed[@]} passed (${passed[*]:-}), ${#failed[@]} failed (${failed[*]:-}); total $(since "$t0")"
((${#failed[@]} == 0))
