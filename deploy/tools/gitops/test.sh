#!/usr/bin/env bash
# The Argo CD health Lua (deploy/gitops/argocd) and kstatus on the objects recorded from the e2e
# cluster (deploy/gitops/testdata, scenario 16-gitops-health with E2E_RECORD_GITOPS) and on
# hand-written states: this module's `go test` (test stage `deploy`).
#
# The test binary is compiled once per content (go.mod, go.sum, the .go files, this script, the
# Go version)
# into ${KUBETUNE_CACHE:-$HOME/.cache/kubetune}/tools/gitops-test/<key>/, so a warm run compiles
# nothing; the cold run downloads the module's dependencies from the Go module proxy (the same
# ones `deploy/tools/build.sh gitops` uses) and compiles. The Lua and the recordings are read at
# run time, so changing them needs no rebuild. Arguments go to the test binary (-test.v,
# -test.run RE).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GO="${GO:-go}"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
cd "$HERE"
key="$({
  cat go.mod go.sum test.sh
  find . -name '*.go' | LC_ALL=C sort | xargs cat
  "$GO" env GOVERSION
} | sha256sum | cut -c1-16)"
dir="$CACHE_ROOT/tools/gitops-test/$key"
if [[ ! -x "$dir/gitops.test" ]]; then
  start=$(date +%s)
  mkdir -p "$dir"
  tmp="$(mktemp "$dir/.gitops.test.XXXXXX")"
  trap 'rm -f "$tmp"' EXIT
  # the flags of deploy/tools/build.sh, so that the e2e stage's build of gitops-health reuses the
  # packages compiled here (Go's build cache)
  CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--mod=readonly}" "$GO" test -trimpath -c -o "$tmp" .
  mv "$tmp" "$dir/gitops.test"
  trap - EXIT
  echo "gitops test.sh: compiled the tests in $(($(date +%s) - start))s -> $dir" >&2
else
  echo "gitops test.sh: cached test binary $dir/gitops.test" >&2
fi
"$dir/gitops.test" -test.count=1 "$@"
