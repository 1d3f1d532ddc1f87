#!/usr/bin/env bash
# Prefill and decode tokens/s: kubetune's Java runtime vs transformers, same random model, same
# loop (prompt pass + greedy KV-cache steps), same thread count, run one after the other here.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
out="$bench/out"
prompt="${PROMPT_TOKENS:-512}"
new="${NEW_TOKENS:-128}"
threads="${THREADS:-$(nproc)}"
python="$("$bench/pyenv.sh")"
cp="$("$bench/classpath.sh")"
model="$out/llama-8x512-32k"
[[ -f "$model/config.json" ]] || "$python" "$bench/make_random_llama.py" "$model"

echo "model: $model  prompt: $prompt tokens  new: $new tokens  threads: $threads"
ours=$(OMP_NUM_THREADS="$threads" java -cp "$cp" "$bench/java/RuntimeSpeed.java" "$model" "$prompt" "$new" 2>/dev/null | tail -1)
theirs=$("$python" "$bench/transformers_speed.py" "$model" "$prompt" "$new" "$threads" 2>/dev/null | tail -1)
echo "kubetune:     $ours"
echo "transformers: $theirs"
value() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }
for metric in prefill_tok_s decode_tok_s; do
  awk -v a="$(value $metric "$ours")" -v b="$(value $metric "$theirs")" -v m="$metric" \
    'BEGIN { printf "%-14s kubetune/transformers = %.2f\n", m, a / b }'
done
