#!/usr/bin/env bash
# Prefill and decode tokens/s: kubetune's Java runtime vs transformers, same random model, same
# loop, same thread count, run one after the other here. Prefill is measured twice on each side:
# computing the logits of the last prompt position only (what generation needs; transformers'
# logits_to_keep=1) and of every position (transformers' default). Each side reports how many
# positions its prompt pass returned, read from its output; a ratio is printed only when both
# sides did the same work, and the script fails otherwise.
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
# shellcheck source=values.sh
source "$bench/values.sh"
for kind in last all; do
  a="$(value "prefill_${kind}_positions" "$ours")"
  b="$(value "prefill_${kind}_positions" "$theirs")"
  if [[ "$a" != "$b" ]]; then
    echo "bench: prefill_$kind is not like for like: kubetune computed logits for $a positions, transformers for $b" >&2
    exit 1
  fi
done
for metric in prefill_last_tok_s prefill_all_tok_s decode_tok_s; do
  awk -v a="$(value $metric "$ours")" -v b="$(value $metric "$theirs")" -v m="$metric" \
    'BEGIN { printf "%-18s kubetune/transformers = %.2f\n", m, a / b }'
done
