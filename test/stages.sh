# shellcheck shell=bash
# Stages with timings, for .ci/run and test/run.sh (sourced; the caller runs with set -euo pipefail).
#
#   stage_plan NAME...     the stages, in order: the summary lists every one of them, those that
#                          never ran as "not run". Sets the EXIT trap that prints the summary.
#   stage_run NAME CMD...  runs CMD in this shell (a stage may export what later ones need) with
#                          errexit on: CMD's first failing command fails the stage and ends the
#                          script, whose EXIT trap reports it FAILED with its exit status.
#
# Never call stage_run as a condition (`if stage_run`, `stage_run ... || x`): bash switches errexit
# off for everything inside a condition, so a failing command in CMD would go unnoticed.

_STAGE_NAMES=()
declare -A _STAGE_RESULT=() _STAGE_SECONDS=()
_STAGE_CURRENT=""
_STAGE_T0=0

stage_plan() {
  _STAGE_NAMES=("$@")
  trap _stage_exit EXIT
}

stage_run() { # NAME CMD...
  _STAGE_CURRENT="$1"
  shift
  [[ " ${_STAGE_NAMES[*]} " == *" $_STAGE_CURRENT "* ]] || _STAGE_NAMES+=("$_STAGE_CURRENT")
  echo "::: stage: $_STAGE_CURRENT"
  _STAGE_T0=$SECONDS
  "$@"
  _STAGE_RESULT[$_STAGE_CURRENT]=ok
  _STAGE_SECONDS[$_STAGE_CURRENT]=$((SECONDS - _STAGE_T0))
  _STAGE_CURRENT=""
}

# The summary: every planned stage with its time and ok / FAILED (exit N) / not run.
stage_report() {
  local name passed=0 failed=0 skipped=0
  echo "::: stage timings"
  for name in "${_STAGE_NAMES[@]}"; do
    case "${_STAGE_RESULT[$name]:-not run}" in
      ok) passed=$((passed + 1)) ;;
      "not run") skipped=$((skipped + 1)) ;;
      *) failed=$((failed + 1)) ;;
    esac
    printf '  %-24s %6s  %s\n' "$name" "${_STAGE_SECONDS[$name]:+${_STAGE_SECONDS[$name]}s}" \
      "${_STAGE_RESULT[$name]:-not run}"
  done
  echo "stages: $passed passed, $failed failed, $skipped not run"
}

_stage_exit() {
  local rc=$?
  if [[ -n "$_STAGE_CURRENT" ]]; then
    ((rc != 0)) || rc=1
    _STAGE_RESULT[$_STAGE_CURRENT]="FAILED (exit $rc)"
    _STAGE_SECONDS[$_STAGE_CURRENT]=$((SECONDS - _STAGE_T0))
  fi
  stage_report
  exit "$rc"
}
