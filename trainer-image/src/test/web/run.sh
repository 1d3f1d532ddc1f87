#!/usr/bin/env bash
# The web chat page in headless Chromium (Debian's chromium, driven by playwright-core):
#   trainer-image/src/test/web/run.sh
# Installs chromium with apt when it is missing, the locked playwright-core (npm ci), starts
# `kubetune serve` on the qwen2 fixture with an API key, runs `node --test`, stops the server.
# Then a picture attached on the page, against the tiny LLaVA fixture.
# Artifacts: trainer-image/target/web-test/chat.png, chat-image.png (screenshots), server logs.
# KUBETUNE_WEB_MODEL=DIR serves another model (e.g. ./kubetune-quickstart/run/hf for a demo).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../scripts/serve-fixture.sh
source "$here/../scripts/serve-fixture.sh"
out="$KUBETUNE_ROOT/trainer-image/target/web-test"
mkdir -p "$out"

if ! command -v chromium >/dev/null; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

export KUBETUNE_API_KEY="sk-kubetune-web-suite-$RANDOM$RANDOM"
start_server "$out/server.log" --model "${KUBETUNE_WEB_MODEL:-$KUBETUNE_FIXTURES/qwen2}" \
  --max-tokens 48 --temperature 0
export CHROMIUM="$(command -v chromium)" KUBETUNE_WEB_OUT="$out"
cd "$here"
node --test --test-reporter=spec chat.test.mjs

# attaching a picture, on the tiny LLaVA fixture
llava="$KUBETUNE_ROOT/trainer-image/src/test/resources/fixtures/llava"
stop_server
start_server "$out/llava-server.log" --model "$llava/model" --max-tokens 16 --temperature 0
export KUBETUNE_IMAGES="$llava/images"
node --test --test-reporter=spec image.test.mjs
