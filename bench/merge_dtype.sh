#!/usr/bin/env bash
# What output.mergeDtype costs and buys: a LoRA trained by kubetune on a bf16-stored base (the qwen2
# fixture, or MODEL=dir), exported once with the default (hf/ in the base's dtype) and once with
# mergeDtype: fp32, then compared by transformers + PEFT: how much of the adapter's effect on the
# logits the bf16 rounding of the merged weights loses, and the size of each hf/.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$bench/.." && pwd)"
out="$bench/out/merge-dtype"
model="${MODEL:-$root/trainer-image/src/test/resources/fixtures/models/qwen2}"
steps="${STEPS:-60}"
python="$("$bench/pyenv.sh")"
rm -rf "$out" && mkdir -p "$out"
job() { # $1 = output folder, $2 = extra output fields
  cat <<YAML
model: {source: "file://$model"}
datasets: [{source: "file://$root/trainer-image/src/main/resources/quickstart/identity.jsonl", format: openai, template: qwen_chat}]
method: {type: lora, lora: {r: 16, alpha: 32, dropout: 0.0}}
training: {maxSteps: $steps, microBatchSize: 4, learningRate: 0.0002, maxLength: 256, seed: 1}
checkpoint: {everySteps: $steps, keep: 1}
output: {path: "file://$1"$2}
YAML
}
job "$out/fp32" ", mergeDtype: fp32" > "$out/fp32.yaml"
job "$out/base" "" > "$out/base.yaml"
"$root/kubetune" train -f "$out/fp32.yaml" > "$out/train.log" 2>&1
"$root/kubetune" export -f "$out/base.yaml" --checkpoint "$(ls -d "$out"/fp32/checkpoints/*/ | tail -1)" \
  >> "$out/train.log" 2>&1
"$python" "$bench/merge_dtype.py" "$model" "$out/fp32/adapter" "$out/base/hf" "$out/fp32/hf"
