# shellcheck shell=bash
# selftest: expect fail
# A command that fails inside a command substitution passed as an argument: bash ignores that
# status, the harness must not (the ERR trap in the subshell leaves its marker).
expect_eq "$(k get configmap selftest-does-not-exist -o name)" "" "a missing ConfigMap's name"
