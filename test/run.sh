#!/usr/bin/env bash
# The whole test suite, stage by stage, with the time each took (the README's test command runs
# this through `make test`). Stops at the first failing stage; the summary lists every planned
# stage (those after a failure as "not run").
#   selftest   the test harnesses themselves (this script's stages, .ci/run, the e2e runner's
#              shell rules): a failing command must fail its stage (seconds)
#   unit       mvn verify: formatter, unit and reference-parity tests, operator against the mock server
#   deploy     the Helm chart against the kustomization (helm lint/template, helm built from the Go
#              module proxy); the Argo CD health Lua and kstatus on objects recorded from the e2e
#              cluster (deploy/tools/gitops/test.sh; test binary cached under $KUBETUNE_CACHE)
#   dist       the native collective layer built (inputs cached under $KUBETUNE_CACHE/c10d; the cold
#              path downloads PyPI's torch wheel once for its headers), then the tests that start
#              several trainer processes: ZeRO 0-3 equivalence, faults, re-sharding, network namespaces
#   images     the trainer and operator images built with Docker and run (training in a container)
#   serve      kubetune serve driven by the official openai npm client, and its web page in Chromium
#   e2e        the operator on a real Kubernetes control plane with fake GPU nodes (kwok)
#   pods       real pods on a kind cluster built offline, the operator installed with the Helm
#              chart (helm upgrade --install): train, progress, export, serve, chat;
#              a killed training pod resumes; the operator's leader fails over; a 2-node job's
#              ranks meet through the headless Service and equal one pod; a ModelServe of
#              2 replicas rolled twice under the openai client's load loses no request
# Not in the default run (it needs the reference Python environment from PyPI, which CI lacks):
#   reference  bench/reference_checks.sh: fixtures regenerated and compared, exports (text and
#              LLaVA) checked with transformers and PEFT
# Run some stages: test/run.sh unit e2e
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=stages.sh
source test/stages.sh

declare -A commands=(
  [selftest]="test/selftest.sh"
  [unit]="mvn -B -ntp verify"
  [deploy]="deploy/helm/test.sh && deploy/tools/gitops/test.sh"
  [dist]="trainer-image/src/main/native/build.sh && mvn -B -ntp -pl trainer-image -am test -Dspotless.check.skip=true -Dgroups=distributed -Dkubetune.test.excludedGroups= -Dkubetune.dist.required=true -Dsurefire.failIfNoSpecifiedTests=false"
  [images]="env KUBETUNE_REBUILD=1 deploy/image/smoke.sh"
  [serve]="trainer-image/src/test/openai/run.sh && trainer-image/src/test/web/run.sh"
  [e2e]="deploy/test-cluster/e2e/run.sh"
  [pods]="deploy/test-cluster/e2e/pods/run.sh"
  [reference]="bench/reference_checks.sh"
)
order=(selftest unit deploy dist images serve e2e pods)
if [[ $# -gt 0 ]]; then
  order=("$@")
fi
for stage in "${order[@]}"; do
  if [[ -z "${commands[$stage]:-}" ]]; then
    echo "test/run.sh: unknown stage '$stage' (stages: ${!commands[*]})" >&2
    exit 64
  fi
done

stage_plan "${order[@]}"
for stage in "${order[@]}"; do
  echo "=== $stage: ${commands[$stage]}"
  stage_run "$stage" bash -c "${commands[$stage]}"
done
