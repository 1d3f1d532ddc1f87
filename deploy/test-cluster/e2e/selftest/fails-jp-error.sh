# shellcheck shell=bash
# selftest: expect fail
# jp gives '' for an absent object, but a kubectl error (here a malformed JSONPATH) is a failure,
# not an empty field that an `expect_eq ... ""` would accept.
expect_eq "$(jp configmap/kube-root-ca.crt '{.data[')" "" "a field read with a malformed JSONPATH"
