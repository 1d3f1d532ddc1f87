#!/usr/bin/env bash
# Peak RSS while loading an InternLM2-1.8B-shaped bf16 model (random weights written first, in a
# separate process). Loading maps the safetensors files, so RSS should stay near the weights'
# size, not twice it.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
model="$bench/out/internlm2-1.8b-shaped"
cp="$("$bench/classpath.sh")"
if [[ ! -f "$model/model.safetensors.index.json" && ! -f "$model/model.safetensors" ]]; then
  java -Xmx2g -cp "$cp" "$bench/java/WriteRandomModel.java" "$model" 2>/dev/null
fi
# RSS counts the mapped pages this process has touched (all of them after a forward pass)
printf 'safetensors: '
java -Xmx1g -cp "$cp" "$bench/java/LoadRss.java" "$model" 2>/dev/null | tail -1

# The same weights as sharded PyTorch pickles (pytorch_model-*.bin + index, the older repositories'
# layout) with InternLM2-Chat-1.8B's remote-code config keys: storages are mapped in place too
bin="$bench/out/internlm2-1.8b-shaped-bin"
if [[ ! -f "$bin/pytorch_model.bin.index.json" ]]; then
  "$("$bench/pyenv.sh")" "$bench/make_torch_bin.py" "$model" "$bin" >&2
fi
printf 'pytorch_model.bin: '
java -Xmx1g -cp "$cp" "$bench/java/LoadRss.java" "$bin" 2>/dev/null | tail -1
