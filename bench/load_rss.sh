#!/usr/bin/env bash
# Memory of loading an InternLM2-1.8B-shaped bf16 model (random weights written first, in a
# separate process) and one forward pass of 16 tokens, from safetensors and from the same weights
# as sharded pytorch_model-*.bin pickles: resident memory over the JVM + libtorch baseline, how
# much of it is pages of the mapped weight files and how much anonymous memory, set against the
# weights the pass reads (all but the 92528 embedding rows no token looked up).
# bench/java/LoadRss.java says how each figure is read from /proc/self.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
model="$bench/out/internlm2-1.8b-shaped"
cp="$("$bench/classpath.sh")"
if [[ ! -f "$model/model.safetensors.index.json" && ! -f "$model/model.safetensors" ]]; then
  java -Xmx2g -cp "$cp" "$bench/java/WriteRandomModel.java" "$model" 2>/dev/null
fi
printf 'safetensors: '
java -Xmx1g -cp "$cp" "$bench/java/LoadRss.java" "$model" 16 2>/dev/null | tail -1

# The same weights as sharded PyTorch pickles (pytorch_model-*.bin + index, the older repositories'
# layout) with InternLM2-Chat-1.8B's remote-code config keys: storages are mapped in place too
bin="$bench/out/internlm2-1.8b-shaped-bin"
if [[ ! -f "$bin/pytorch_model.bin.index.json" ]]; then
  "$("$bench/pyenv.sh")" "$bench/make_torch_bin.py" "$model" "$bin" >&2
fi
printf 'pytorch_model.bin: '
java -Xmx1g -cp "$cp" "$bench/java/LoadRss.java" "$bin" 16 2>/dev/null | tail -1
