#!/usr/bin/env bash
# ZeRO stages 0-3 on 4 ranks against 1 rank on the same global batch (full fine-tuning and LoRA):
# the test suite's ZeroEquivalenceTest (which runs 2 ranks in make test) with 4 ranks. Prints the
# test report: per-step losses, trained weights and AdamW moments within 1e-5 relative.
#
# usage: bench/zero_equivalence.sh [RANKS]   (default 4)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/trainer-image/src/main/native/build.sh" >/dev/null
cd "$root"
mvn -B -ntp -pl trainer-image -am test -Dspotless.check.skip=true -Dgroups=distributed \
  -Dkubetune.test.excludedGroups= -Dkubetune.dist.required=true -Dtest=ZeroEquivalenceTest \
  -Dsurefire.failIfNoSpecifiedTests=false -Dkubetune.dist.ranks="${1:-4}" \
  | grep -E 'Tests run|FAIL|ERROR|beyond'
