# shellcheck shell=bash
# selftest: expect fail
# The first command of a pipeline fails (pipefail), the last one succeeds.
k get job selftest-does-not-exist -o name | sed 's/^/    /'
