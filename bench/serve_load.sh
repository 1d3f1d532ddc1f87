#!/usr/bin/env bash
# Load on `kubetune serve`: streamed chat requests from concurrent clients (bench/java/ServeLoad.java):
# 1 client x 16 requests, 8 clients x 4 requests each, then 16 clients x 20 requests. Prints
# statuses, p50/p99 time to first token, tokens/s, and the throughput at concurrency 8 over
# concurrency 1 (continuous batching should put it well above 1). Fails on any 5xx.
#   bench/serve_load.sh [MODEL_DIR | quickstart-base]
# Default model: the qwen2 test fixture (2 layers, hidden 64). `quickstart-base` writes and serves
# the quickstart's tiny Qwen2 (4 layers, hidden 256, context 1024). Env: MAX_TOKENS (64),
# MAX_BATCH (8), MAX_QUEUE (64).
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../trainer-image/src/test/scripts/serve-fixture.sh
source "$bench/../trainer-image/src/test/scripts/serve-fixture.sh"
cp="$("$bench/classpath.sh")"
model="${1:-$KUBETUNE_FIXTURES/qwen2}"
if [[ "$model" == quickstart-base ]]; then
  model="$bench/out/quickstart-base"
  java -cp "$cp" "$bench/java/WriteQuickstartBase.java" "$model"
fi
max_tokens="${MAX_TOKENS:-64}"
start_server "$bench/out/serve_load/server.log" --model "$model" --temperature 0 \
  --max-batch "${MAX_BATCH:-8}" --max-queue "${MAX_QUEUE:-64}"
echo "model: $model  max_tokens: $max_tokens  max-batch: ${MAX_BATCH:-8}  cores: $(nproc)"
java -cp "$cp" "$bench/java/ServeLoad.java" "$KUBETUNE_URL" "$(basename "$model")" "$max_tokens"
