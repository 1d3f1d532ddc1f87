# shellcheck shell=bash
# selftest: expect fail
# A condition that never comes true times out.
wait_until 1 "a ConfigMap that nobody creates exists" k get configmap selftest-never
