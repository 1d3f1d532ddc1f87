# shellcheck shell=bash
# selftest: expect fail
# A plain command that fails (an object that does not exist) ends the scenario, as set -e says.
k get configmap selftest-does-not-exist -o name >/dev/null
step "unreachable: the failed kubectl get did not end the scenario"
