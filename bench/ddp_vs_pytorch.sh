#!/usr/bin/env bash
# Two-rank data-parallel full fine-tuning on this machine, side by side: kubetune (ZeRO stage 0
# against PyTorch DDP, ZeRO stage 3 against PyTorch FSDP FULL_SHARD), both over Gloo on CPU, one
# thread per rank; same model (bench/make_train_bench.py: 6 layers, hidden 512), packed rows of
# 256 x micro-batch 4 per rank, AdamW, clipping. Prints tokens/s of the job and peak RSS per rank,
# and the ratios kubetune / PyTorch.
#
# usage: bench/ddp_vs_pytorch.sh [STEPS]   (run alone: /work/wt/heavy --exclusive ...)
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$bench")"
out="$bench/out/train-bench"
steps="${1:-15}"
python="$("$bench/pyenv.sh")"
cp="$("$bench/classpath.sh")"
"$root/trainer-image/src/main/native/build.sh" >/dev/null
[[ -f "$out/model/config.json" ]] || "$python" "$bench/make_train_bench.py" "$out" >/dev/null 2>&1
value() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }
ours() { # stage -> "rank=0 ...\nrank=1 ..."
  local port pids=() r
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])')
  rm -rf "$out/dist-run-s$1"
  for r in 0 1; do
    MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=$r LOCAL_RANK=$r OMP_NUM_THREADS=1 \
      java -Xmx2g -cp "$cp" "$bench/java/DistTrainSpeed.java" "$out" "$1" "$steps" \
      >"$out/ours-s$1-r$r.log" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  rm -rf "$out/dist-run-s$1"
  grep -h '^rank=' "$out"/ours-s"$1"-r*.log | sort
}
theirs() { # ddp|fsdp
  OMP_NUM_THREADS=1 "$python" -m torch.distributed.run --standalone --nproc-per-node 2 \
    "$bench/pytorch_dist_train_speed.py" "$out" "$1" "$steps" 2>"$out/pytorch-$1.err" | grep '^rank=' | sort
}
echo "model: 6 layers, hidden 512, vocab 960; 2 ranks x packed 256 x micro-batch 4; $steps steps (3 warm-up); 1 thread per rank"
for pair in "0 ddp" "3 fsdp"; do
  read -r stage mode <<<"$pair"
  a="$(ours "$stage")"
  b="$(theirs "$mode")"
  printf 'kubetune ZeRO-%s:\n%s\npytorch %s:\n%s\n' "$stage" "$a" "$mode" "$b"
  awk -v a="$(value tokens_per_s "$(head -1 <<<"$a")")" -v b="$(value tokens_per_s "$(head -1 <<<"$b")")" \
      -v ra="$(grep -o 'peak_rss_mb=[0-9]*' <<<"$a" | cut -d= -f2 | sort -n | tail -1)" \
      -v rb="$(grep -o 'peak_rss_mb=[0-9]*' <<<"$b" | cut -d= -f2 | sort -n | tail -1)" \
      -v s="$stage" -v m="$mode" \
    'BEGIN { printf "ZeRO-%s vs %s: tokens/s kubetune/pytorch = %.2f   peak RSS per rank kubetune/pytorch = %.2f\n", s, m, a / b, ra / rb }'
done
