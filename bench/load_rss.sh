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
java -Xmx1g -cp "$cp" "$bench/java/LoadRss.java" "$model" 2>/dev/null | tail -1
