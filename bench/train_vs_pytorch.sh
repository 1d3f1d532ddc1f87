#!/usr/bin/env bash
# Training tokens/s and peak RSS, LoRA and full fine-tuning: kubetune's Java loop vs a plain
# PyTorch + transformers + PEFT loop, same model, batch shape and optimizer, one after the other
# on this machine. Two rows per method:
#   full rows      like for like: both train on the same kind of rows, 4 x 256 tokens of one
#                  sample each (data_rows.jsonl: every sample longer than a row, cut to it), full
#                  causal attention, no padding. Its ratio measures the runtimes. The script fails
#                  when the two sides did not train on the same number of tokens per step.
#   as configured  kubetune packs the short samples of data.jsonl several to a row, each attending
#                  only to itself, rows ending in padding (tokens/s counts real tokens); PyTorch
#                  cuts full rows from one token stream, samples running into each other. What a
#                  user gets from each setup, not a runtime comparison.
# Env: STEPS (20), THREADS (nproc), METHODS ("lora full"), ROWS ("full rows" and "as configured";
# "full" for the like-for-like rows only), BEFORE_JAR: another build's trainer jar (e.g. the
# parent commit's, copied aside) that trains each row too, just before this tree's, so that a
# change's before/after ratios come from one run.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
out="$bench/out/train-bench"
steps="${STEPS:-20}"
threads="${THREADS:-$(nproc)}"
python="$("$bench/pyenv.sh")"
cp="$("$bench/classpath.sh")"
[[ -f "$out/model/config.json" && -f "$out/data_rows.jsonl" ]] ||
  "$python" "$bench/make_train_bench.py" "$out" >/dev/null 2>&1
echo "model: 6 layers, hidden 512, vocab 960; rows of 256 x micro-batch 4; $steps steps (3 warm-up); threads $threads"
# shellcheck source=values.sh
source "$bench/values.sh"
ours() { OMP_NUM_THREADS="$threads" java -Xmx2g -cp "$cp" "$bench/java/TrainSpeed.java" "$out" "$1" "$steps" "$2" 2>/dev/null | tail -1; }
before() {
  local cp # ours reads it
  cp="$(BENCH_JAR="$BEFORE_JAR" "$bench/classpath.sh")"
  ours "$@"
}
rows=("full rows" "as configured")
[[ "${ROWS:-}" == full ]] && rows=("full rows")
theirs() { "$python" "$bench/pytorch_train_speed.py" "$out" "$1" "$steps" "$threads" "$2" 2>/dev/null | tail -1; }
for method in ${METHODS:-lora full}; do
  for row in "${rows[@]}"; do
    data=data.jsonl layout=stream
    [[ "$row" == "full rows" ]] && data=data_rows.jsonl layout=rows
    [[ -n "${BEFORE_JAR:-}" ]] && z="$(before "$method" "$data")"
    a="$(ours "$method" "$data")"
    b="$(theirs "$method" "$layout")"
    if [[ -n "${BEFORE_JAR:-}" ]]; then
      printf '%-5s %-13s before:      %s\n' "$method" "$row" "$z"
      awk -v a="$(value tokens_per_s "$z")" -v b="$(value tokens_per_s "$b")" -v m="$method" -v r="$row" \
        'BEGIN { printf "%-5s %-13s tokens/s before/pytorch = %.2f\n", m, r, a / b }'
    fi
    printf '%-5s %-13s kubetune:    %s\n' "$method" "$row" "$a"
    printf '%-5s %-13s pytorch+hf:  %s\n' "$method" "$row" "$b"
    ta="$(value tokens_per_step "$a")"
    tb="$(value tokens_per_step "$b")"
    if [[ "$row" == "full rows" && "$ta" != "$tb" ]]; then
      echo "bench: '$row' is not like for like: kubetune trained on $ta tokens per step, pytorch on $tb" >&2
      exit 1
    fi
    awk -v a="$(value tokens_per_s "$a")" -v b="$(value tokens_per_s "$b")" \
      -v ra="$(value peak_rss_mb "$a")" -v rb="$(value peak_rss_mb "$b")" -v m="$method" -v r="$row" \
      -v ta="$ta" -v tb="$tb" \
      'BEGIN { printf "%-5s %-13s tokens/s kubetune/pytorch = %.2f   peak RSS kubetune/pytorch = %.2f   tokens per step %s vs %s\n", m, r, a / b, ra / rb, ta, tb }'
  done
done
