#!/usr/bin/env bash
# Per-rank training state (parameters, gradients, AdamW moments) and peak RSS of full fine-tuning
# at ZeRO stages 0-3 on 1, 2 and 4 ranks of this machine (kubetune train --nproc N), on a
# Qwen2-0.5B-shaped model (494M parameters, random bf16 weights written first; fp32 master
# weights, so the state is 16 bytes per parameter on one rank). Each rank logs what it holds and
# its peak RSS (VmHWM); a configuration whose estimated memory exceeds what the machine has
# available is not started, and the table says so.
#
# usage: bench/zero_memory.sh [STEPS]   (run alone: /work/wt/heavy --exclusive bench/zero_memory.sh)
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$bench")"
out="$bench/out/zero-memory"
model="$out/qwen2-0.5b-shaped"
steps="${1:-2}"
cp="$("$bench/classpath.sh")"
"$root/trainer-image/src/main/native/build.sh" >/dev/null
mkdir -p "$out"
if [[ ! -f "$model/model.safetensors" && ! -f "$model/model.safetensors.index.json" ]]; then
  java -Xmx2g -cp "$cp" "$bench/java/WriteRandomModel.java" "$model" qwen2-0.5b 2>/dev/null
  cp "$root/trainer-image/src/main/resources/quickstart/tokenizer.json" \
     "$root/trainer-image/src/main/resources/quickstart/tokenizer_config.json" "$model/"
fi
data="$out/data.jsonl"
[[ -f $data ]] || for i in $(seq 1 64); do
  printf '{"text": "kubetune shards the training state of sample %d across the ranks of a job"}\n' "$i"
done >"$data"

params=494032768   # Qwen2-0.5B: 24 layers, hidden 896, vocab 151936, tied embeddings
gb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1073741824 }'; }
# bytes per parameter a rank holds at stage s with n ranks: parameters 4 (4/n at stage 3),
# gradients 4 (4/n from stage 2), moments 8 (8/n from stage 1)
state_bytes() { awk -v s="$1" -v n="$2" -v p="$params" 'BEGIN {
  w = (s >= 3) ? 4 / n : 4; g = (s >= 2) ? 4 / n : 4; o = (s >= 1) ? 8 / n : 8;
  printf "%.0f", p * (w + g + o) }'; }
available=$(awk '/MemAvailable/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
printf 'model: Qwen2-0.5B shape, %d parameters, full fine-tuning in fp32; %s steps of 1 x 64 tokens per rank; %s GB available\n' \
  "$params" "$steps" "$(gb "$available")"
printf '%-6s %-6s %10s %10s %10s %10s %12s  %s\n' ranks stage "params GB" "grads GB" "optim GB" \
  "state GB" "peak RSS GB" "state / 1 rank"
one_rank_state=""
for n in 1 2 4; do
  for stage in 0 1 2 3; do
    if [[ $n == 1 && $stage != 0 ]]; then continue; fi  # one rank holds everything at any stage
    # per rank, from the peaks measured here: its state plus 3 GB (the JVM, libtorch, the mapped
    # bf16 file, AdamW's temporaries); from stage 2, 8 bytes per parameter plus 2 GB instead
    # (every rank loads the whole model in fp32 before it keeps its range, and the allocator
    # keeps the freed layer-sized buffers of the per-layer gathers and reduce-scatters)
    need=$(awk -v s="$(state_bytes "$stage" "$n")" -v p="$params" -v n="$n" -v st="$stage" \
      'BEGIN { printf "%.0f", n * (s + (st >= 2 ? 8 * p + 2e9 : 3e9)) }')
    if ((need > available)); then
      printf '%-6s %-6s does not fit: about %s GB needed for %d ranks, %s GB available\n' \
        "$n" "$stage" "$(gb "$need")" "$n" "$(gb "$available")"
      continue
    fi
    run="$out/run-n$n-s$stage"
    rm -rf "$run"
    cat >"$run.yaml" <<YAML
model: {source: "file://$model"}
datasets:
  - {source: "file://$data", format: text}
method: {type: full}
training: {maxSteps: $steps, microBatchSize: 1, gradientAccumulation: 1, maxLength: 64,
           packing: true, learningRate: 1e-5, warmupRatio: 0}
checkpoint: {everySteps: 0, keep: 1}
distributed: {zeroStage: $stage, timeoutSeconds: 1800}
output: {path: "file://$run"}
YAML
    log="$run.log"
    KUBETUNE_JAVA_OPTS="-Xmx2g" OMP_NUM_THREADS=$((n >= 2 ? 1 : 2)) \
      "$root/kubetune" train -f "$run.yaml" --nproc "$n" >"$log" 2>&1 \
      || { echo "n=$n stage=$stage failed, see $log"; tail -5 "$log"; continue; }
    # "rank R of N (ZeRO stage S): state X MB (parameters P MB, gradients G MB, optimizer O MB), peak RSS M MB"
    read -r p g o s peak < <(grep -h 'state .* MB (parameters' "$log" | sed -E \
      's/.*state ([0-9]+) MB \(parameters ([0-9]+) MB, gradients ([0-9]+) MB, optimizer ([0-9]+) MB\), peak RSS ([0-9]+) MB.*/\2 \3 \4 \1 \5/' \
      | sort -k4,4n -k5,5n | tail -1)
    [[ -z $one_rank_state ]] && one_rank_state=$s
    printf '%-6s %-6s %10s %10s %10s %10s %12s  %.2f\n' "$n" "$stage" \
      "$(gb $((p << 20)))" "$(gb $((g << 20)))" "$(gb $((o << 20)))" "$(gb $((s << 20)))" \
      "$(gb $((peak << 20)))" "$(awk -v a="$s" -v b="$one_rank_state" 'BEGIN { print a / b }')"
    rm -rf "$run"
  done
done
echo "(per rank, the largest over the ranks; peak RSS includes loading the whole model in fp32 on every rank)"
