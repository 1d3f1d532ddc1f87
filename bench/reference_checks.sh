#!/usr/bin/env bash
# The checks against the reference implementation that need it installed (the virtualenv of
# bench/pyenv.sh: torch, transformers, peft from PyPI, xtuner 0.2.0 --no-deps). CI does not run
# them (it installs nothing from PyPI; the Java parity tests it runs compare with the committed
# fixtures instead); `test/run.sh reference` or this script does:
#   fixtures   make_fixtures.py --check: a fresh generation with the pinned reference versions is
#              the committed fixtures up to another CPU's float rounding (XTuner's own code
#              cross-checked)
#   layouts    make_layout_fixtures.py --check: the same for the published-layout fixtures
#              (layouts/, pickle/)
#   exports    for the qwen2 and llama fixtures (llama: a sharded checkpoint), a LoRA and a full
#              fine-tuning run of `kubetune train` (a few steps on the quickstart's chats), then
#              check_export.py: transformers loads hf/ and PEFT loads base + adapter/, and both
#              compute the logits our runtime computes, within 1e-4
#   llava      a pretrain run of the fixture LLaVA (projector only) and a LoRA finetune of its
#              export (4 steps each on 20 questions about the fixture's pictures), then
#              check_llava_export.py on each: transformers' LlavaProcessor gives our input ids and
#              pixel values, and transformers on hf/ (finetune: PEFT on the pretrain export +
#              adapter/ too) gives our logits, within 1e-4
# Work folder: target/reference-checks. Prints a stage summary; exits non-zero on any failure.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
# shellcheck source=../test/stages.sh
source test/stages.sh
python="$(bench/pyenv.sh)"
work="$repo/target/reference-checks"
fixtures="$repo/trainer-image/src/test/resources/fixtures/models"
chats="$repo/trainer-image/src/main/resources/quickstart/identity.jsonl"
rm -rf "$work"
mkdir -p "$work"

fixtures_check() { # SCRIPT
  (cd trainer-image/src/test/python && "$python" "$1" --check)
}

# MODEL METHOD: trains on the fixture MODEL, then checks its export with the reference
export_check() {
  local model="$1" method="$2" run="$work/$1-$2"
  local lora=""
  [[ "$method" == lora ]] && lora=", lora: {r: 8, alpha: 16, dropout: 0.0}"
  cat >"$run.yaml" <<EOF
model: {source: "file://$fixtures/$model"}
datasets: [{source: "file://$chats", format: openai, template: tokenizer}]
method: {type: $method$lora}
training: {maxSteps: 6, microBatchSize: 4, learningRate: 1e-3, maxLength: 256, packing: true}
output: {path: "file://$run"}
EOF
  ./kubetune train -f "$run.yaml" >"$run.log" 2>&1 || { tail -n 30 "$run.log"; return 1; }
  [[ -d "$run/hf" ]] || { echo "no $run/hf after training"; return 1; }
  if [[ "$method" == lora ]]; then
    [[ -f "$run/adapter/adapter_model.safetensors" ]] || { echo "no adapter in $run"; return 1; }
  fi
  "$python" trainer-image/src/test/python/check_export.py "$run" "$fixtures/$model"
}

# STAGE: a LLaVA run, pretrain on the fixture LLaVA or a LoRA finetune of the pretrain run's
# export, then check_llava_export.py on it with one of the fixture's pictures
llava_check() {
  local stage="$1" run="$work/llava-$1"
  local llava="$repo/trainer-image/src/test/resources/fixtures/llava"
  local source="$llava/model" method="{stage: pretrain}"
  if [[ "$stage" == finetune ]]; then
    source="$work/llava-pretrain/hf"
    method="{stage: finetune, type: lora, lora: {r: 8, alpha: 16, dropout: 0.0}}"
  fi
  "$python" - "$work/llava-data.json" <<'PY'
import json, sys
images = ["a.png", "b.png", "c_rgba.png", "d_gray.png", "e.jpg"]
turns = [("What is in the picture?", "A shape."), ("What colour is it?", "Red, mostly."),
         ("Describe the image.", "Some colours and a shape.")]
json.dump([{"id": str(i), "image": images[i % 5], "conversations": [
    {"from": "human", "value": "<image>\n" + turns[i % 3][0]},
    {"from": "gpt", "value": turns[i % 3][1]}]} for i in range(20)], open(sys.argv[1], "w"))
PY
  cat >"$run.yaml" <<EOF
model: {source: "file://$source"}
datasets: [{source: "file://$work/llava-data.json", format: llava, template: tokenizer,
            imageFolder: "file://$llava/images"}]
method: $method
training: {maxSteps: 4, microBatchSize: 4, learningRate: 1e-3, maxLength: 256}
output: {path: "file://$run"}
EOF
  ./kubetune train -f "$run.yaml" >"$run.log" 2>&1 || { tail -n 30 "$run.log"; return 1; }
  [[ -d "$run/hf" ]] || { echo "no $run/hf after training"; return 1; }
  if [[ "$stage" == finetune ]]; then
    [[ -f "$run/adapter/adapter_model.safetensors" ]] || { echo "no adapter in $run"; return 1; }
  fi
  "$python" trainer-image/src/test/python/check_llava_export.py "$run" "$llava/images/a.png"
}

stage_plan "fixtures" "layouts" "export qwen2 lora" "export qwen2 full" "export llama lora" \
  "export llama full" "llava pretrain" "llava finetune lora"
stage_run "fixtures" fixtures_check make_fixtures.py
stage_run "layouts" fixtures_check make_layout_fixtures.py
for model in qwen2 llama; do
  for method in lora full; do
    stage_run "export $model $method" export_check "$model" "$method"
  done
done
stage_run "llava pretrain" llava_check pretrain
stage_run "llava finetune lora" llava_check finetune
