#!/usr/bin/env bash
# Training tokens/s and peak RSS, LoRA and full fine-tuning: kubetune's Java loop vs a plain
# PyTorch + transformers + PEFT loop, same model, data, batch shape and optimizer, one after the
# other on this machine.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
out="$bench/out/train-bench"
steps="${STEPS:-20}"
threads="${THREADS:-$(nproc)}"
python="$("$bench/pyenv.sh")"
cp="$("$bench/classpath.sh")"
[[ -f "$out/model/config.json" ]] || "$python" "$bench/make_train_bench.py" "$out" >/dev/null 2>&1
echo "model: 6 layers, hidden 512, vocab 960; packing 256 x micro-batch 4; $steps steps (3 warm-up); threads $threads"
value() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }
for method in lora full; do
  ours=$(OMP_NUM_THREADS="$threads" java -Xmx2g -cp "$cp" "$bench/java/TrainSpeed.java" "$out" "$method" "$steps" 2>/dev/null | tail -1)
  theirs=$("$python" "$bench/pytorch_train_speed.py" "$out" "$method" "$steps" "$threads" 2>/dev/null | tail -1)
  printf '%-5s kubetune:    %s\n' "$method" "$ours"
  printf '%-5s pytorch+hf:  %s\n' "$method" "$theirs"
  awk -v a="$(value tokens_per_s "$ours")" -v b="$(value tokens_per_s "$theirs")" \
      -v ra="$(value peak_rss_mb "$ours")" -v rb="$(value peak_rss_mb "$theirs")" -v m="$method" \
    'BEGIN { printf "%-5s tokens/s kubetune/pytorch = %.2f   peak RSS kubetune/pytorch = %.2f\n", m, a / b, ra / rb }'
done
