#!/usr/bin/env bash
# The whole test suite, stage by stage, with the time each took (the README's test command runs
# this through `make test`). Stops at the first failing stage.
#   unit    mvn verify: formatter, unit and reference-parity tests, operator against the mock server
#   images  the trainer and operator images built with Docker and run (training in a container)
#   serve   kubetune serve driven by the official openai npm client, and its web page in Chromium
#   e2e     the operator on a real Kubernetes control plane with fake GPU nodes (kwok)
#   pods    real pods on a kind cluster built offline: train, progress, export, serve, chat;
#           a killed training pod resumes; the operator's leader fails over
# Run one stage: test/run.sh unit
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A commands=(
  [unit]="mvn -B -ntp verify"
  [images]="env KUBETUNE_REBUILD=1 deploy/image/smoke.sh"
  [serve]="trainer-image/src/test/openai/run.sh && trainer-image/src/test/web/run.sh"
  [e2e]="deploy/test-cluster/e2e/run.sh"
  [pods]="deploy/test-cluster/e2e/pods/run.sh"
)
order=(unit images serve e2e pods)
if [[ $# -gt 0 ]]; then
  order=("$@")
fi

declare -a summary=()
passed=0
failed=0
for stage in "${order[@]}"; do
  command="${commands[$stage]:-}"
  if [[ -z "$command" ]]; then
    echo "test/run.sh: unknown stage '$stage' (stages: ${!commands[*]})" >&2
    exit 64
  fi
  echo "=== stage $stage: $command"
  start=$SECONDS
  if bash -c "$command"; then
    passed=$((passed + 1))
    summary+=("$(printf '%-8s %5ds  ok' "$stage" $((SECONDS - start)))")
  else
    failed=$((failed + 1))
    summary+=("$(printf '%-8s %5ds  FAILED' "$stage" $((SECONDS - start)))")
    break
  fi
done
echo "=== stage timings"
printf '  %s\n' "${summary[@]}"
echo "stages: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
