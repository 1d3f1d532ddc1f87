#!/usr/bin/env bash
# The official openai client (npm `openai`) against `kubetune serve` on the qwen2 fixture model,
# with an API key configured and a small batch/queue so that 429 can be provoked; then image_url
# parts against the tiny LLaVA fixture:
#   trainer-image/src/test/openai/run.sh
# Installs the locked client (npm ci), starts the server on a free port, runs `node --test`,
# stops the server. Server log: trainer-image/target/openai-test/server.log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../scripts/serve-fixture.sh
source "$here/../scripts/serve-fixture.sh"
out="$KUBETUNE_ROOT/trainer-image/target/openai-test"
LLAVA_FIXTURE=trainer-image/src/test/resources/fixtures/llava

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

export KUBETUNE_API_KEY="sk-kubetune-openai-suite-$RANDOM$RANDOM"
start_server "$out/server.log" --model "$KUBETUNE_FIXTURES/qwen2" \
  --max-batch 2 --max-queue 1 --max-tokens 16 --temperature 0
export KUBETUNE_MODEL=qwen2
cd "$here"
# one file at a time: both use the one server (2 slots, a queue of 1)
node --test --test-reporter=spec --test-concurrency=1 suite.test.mjs robustness.test.mjs

# images (image_url parts with data: URLs) on the tiny LLaVA fixture
stop_server
start_server "$out/llava-server.log" --model "$KUBETUNE_ROOT/$LLAVA_FIXTURE/model" \
  --served-model-name llava --max-tokens 16 --temperature 0
export KUBETUNE_MODEL=llava KUBETUNE_IMAGES="$KUBETUNE_ROOT/$LLAVA_FIXTURE/images"
node --test --test-reporter=spec image.test.mjs
