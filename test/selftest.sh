#!/usr/bin/env bash
# Tests of the test harnesses' shell rules (test/run.sh's `selftest` stage; a few seconds):
#  - test/stages.sh (the stages of .ci/run and test/run.sh): a stage whose middle command fails
#    fails, even when its last command succeeds; the summary lists the stages after it as
#    "not run"; the script exits non-zero.
#  - .ci/run's toolchain stage fails when a tool is missing.
# The e2e runner checks its own scenario rules against the cluster (deploy/test-cluster/e2e/run.sh,
# stage "harness self-test").
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failures=0
check() { # WHAT CONDITION...
  local what="$1"
  shift
  if "$@"; then
    echo "ok: $what"
  else
    echo "FAIL: $what" >&2
    failures=$((failures + 1))
  fi
}
contains() { grep -qE -- "$2" <<<"$1"; }
lacks() { ! contains "$@"; }
indent() { sed 's/^/    | /' >&2; }

# A script with three stages; the second runs a function whose middle command fails.
cat >"$scratch/stages.sh" <<EOF
set -euo pipefail
source "$repo/test/stages.sh"
middle_fails() { echo before; false; echo "after the failing command"; }
stage_plan first second third
stage_run first true
stage_run second middle_fails
stage_run third true
EOF
rc=0
out="$(bash "$scratch/stages.sh" 2>&1)" || rc=$?
check "a stage whose middle command fails ends the script non-zero (exit $rc)" test "$rc" -ne 0
check "it does not go on after the failing command" lacks "$out" "after the failing command"
check "the summary shows the first stage ok" contains "$out" '^  first +[0-9]+s +ok$'
check "the summary shows the failed stage with its status" contains "$out" '^  second +[0-9]+s +FAILED \(exit 1\)$'
check "the summary lists the stage that never ran as not run" contains "$out" '^  third +not run$'
check "the counts" contains "$out" '^stages: 1 passed, 1 failed, 1 not run$'
((rc == 0)) || [[ $failures == 0 ]] || indent <<<"$out"

# All stages pass: exit 0, every stage ok.
cat >"$scratch/stages-ok.sh" <<EOF
set -euo pipefail
source "$repo/test/stages.sh"
stage_plan one two
stage_run one true
stage_run two echo done
EOF
rc=0
out="$(bash "$scratch/stages-ok.sh" 2>&1)" || rc=$?
check "stages that all pass exit 0" test "$rc" -eq 0
check "and are all reported ok" contains "$out" '^stages: 2 passed, 0 failed, 0 not run$'

# .ci/run's toolchain stage with `go` missing from PATH (the tools checked before it, and what
# sourcing .ci/run needs, still there).
mkdir -p "$scratch/bin"
for tool in bash dirname sed java mvn; do
  ln -s "$(command -v "$tool")" "$scratch/bin/$tool"
done
rc=0
out="$(PATH="$scratch/bin" bash -c 'set -euo pipefail; source "$1/.ci/run"; stage_plan toolchain; stage_run toolchain toolchain' \
  _ "$repo" 2>&1)" || rc=$?
check ".ci/run's toolchain stage fails without go (exit $rc)" test "$rc" -ne 0
check "and names the missing tool" contains "$out" "'go' is not on PATH"
check "and the summary shows it FAILED" contains "$out" '^  toolchain +[0-9]+s +FAILED'
((rc != 0)) || indent <<<"$out"

echo "selftest: $failures failure(s)"
((failures == 0))
