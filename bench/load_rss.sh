#!/usr/bin/env bash
# Memory of loading an InternLM2-1.8B-shaped bf16 model (random weights written first, in a
# separate process) and one forward pass of 16 tokens: resident memory over the JVM + libtorch
# baseline, how much of it is pages of the mapped safetensors files and how much anonymous
# memory, set against the weights the pass reads (all but the 92528 embedding rows no token looked
# up). bench/java/LoadRss.java says how each figure is read from /proc/self.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
model="$bench/out/internlm2-1.8b-shaped"
cp="$("$bench/classpath.sh")"
if [[ ! -f "$model/model.safetensors.index.json" && ! -f "$model/model.safetensors" ]]; then
  java -Xmx2g -cp "$cp" "$bench/java/WriteRandomModel.java" "$model" 2>/dev/null
fi
java -Xmx1g -cp "$cp" "$bench/java/LoadRss.java" "$model" 16 2>/dev/null | tail -1
