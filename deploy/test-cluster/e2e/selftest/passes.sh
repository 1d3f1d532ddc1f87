# shellcheck shell=bash
# selftest: expect pass
# The helpers pass when their checks hold, and predicates may fail while they are polled.
kubectl -n "$NS" create configmap selftest --from-literal=key=value >/dev/null
wait_until 10 "the ConfigMap exists" k get configmap selftest
expect_eq "$(jp configmap/selftest '{.data.key}')" value "the ConfigMap's key"
expect_eq "$(jp configmap/absent '{.data.key}')" "" "jp of a missing object"
expect_eq "$(count configmaps app=none)" 0 "ConfigMaps with a label nobody set"
expect_match "$(k get configmap selftest -o name)" '^configmap/selftest$' "kubectl get -o name"
missing() { ! k get configmap selftest-absent >/dev/null 2>&1; }
holds 1 "a ConfigMap that nobody creates stays absent" missing
if k get configmap selftest-absent >/dev/null 2>&1; then
  fail "an absent ConfigMap was found"
fi
