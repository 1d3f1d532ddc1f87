# shellcheck shell=bash
# selftest: expect fail
# A check that does not hold.
expect_eq "$(k get configmap kube-root-ca.crt -o name)" "configmap/something-else" "the ConfigMap's name"
