# shellcheck shell=bash
# selftest: expect fail
# A failing command inside a function the scenario calls ends it.
check_objects() {
  k get service selftest-does-not-exist -o name >/dev/null
  step "unreachable: the failed command inside a function was ignored"
}
check_objects
