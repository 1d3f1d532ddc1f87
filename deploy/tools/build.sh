#!/usr/bin/env bash
# Builds one of the Go tools the tests use from its wrapper module under deploy/tools/NAME
# (module proxy only: no GitHub release, no container registry) into a content-addressed cache:
#
#   ${KUBETUNE_CACHE:-$HOME/.cache/kubetune}/tools/NAME/<key>/bin
#
#   deploy/tools/build.sh helm      # helm (helm.sh/helm/v4)
#   deploy/tools/build.sh s3        # versitygw, a real S3-compatible server (posix backend)
#   deploy/tools/build.sh gitops    # gitops-health: Argo CD's Lua runtime and Flux's kstatus
#
# NAME/packages lists the main packages, one a line ("PACKAGE" or "PACKAGE BINARY_NAME"); an
# optional NAME/ldflags adds linker flags (e.g. the version a binary reports). <key> = hash of
# NAME's go.mod, go.sum, its own .go files, packages, ldflags, this recipe and the Go version, so
# a changed pin rebuilds. The bin directory is printed on the last line of stdout.
#
# Environment: KUBETUNE_CACHE, GO (default go), FORCE_BUILD=1 (rebuild even when cached).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME="${1:?usage: deploy/tools/build.sh NAME (one of: $(cd "$HERE" && ls -d */ | tr -d / | tr '\n' ' '))}"
MOD_DIR="$HERE/$NAME"
[[ -f "$MOD_DIR/go.mod" && -f "$MOD_DIR/packages" ]] || { echo "build.sh: no tool '$NAME' in $HERE" >&2; exit 64; }
GO="${GO:-go}"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
RECIPE="CGO_ENABLED=0 go build -trimpath -ldflags=-s -w"

command -v "$GO" >/dev/null || { echo "build.sh: '$GO' not found (need Go >= 1.26)" >&2; exit 1; }
GO_VERSION="$("$GO" env GOVERSION)"

key="$({
  cd "$MOD_DIR"
  cat go.mod go.sum packages
  cat ldflags 2>/dev/null || true
  find . -name '*.go' -not -name '*_test.go' | LC_ALL=C sort | xargs cat
  printf '%s\n%s\n' "$RECIPE" "$GO_VERSION"
} | sha256sum | cut -c1-16)"
OUT_DIR="$CACHE_ROOT/tools/$NAME/$key"
BIN_DIR="$OUT_DIR/bin"
start=$(date +%s)

if [[ "${FORCE_BUILD:-0}" != 1 && -f "$OUT_DIR/.complete" ]]; then
  echo "build.sh: cached $NAME in $BIN_DIR" >&2
  echo "$BIN_DIR"
  exit 0
fi

# One build per key at a time (parallel callers wait, then reuse the result).
mkdir -p "$CACHE_ROOT/tools/$NAME"
exec 8>"$CACHE_ROOT/tools/$NAME/.lock-$key"
flock 8
if [[ "${FORCE_BUILD:-0}" != 1 && -f "$OUT_DIR/.complete" ]]; then
  echo "build.sh: cached $NAME (built by a concurrent run) in $BIN_DIR" >&2
  echo "$BIN_DIR"
  exit 0
fi

echo "build.sh: building $NAME ($GO_VERSION, key $key)" >&2
tmp="$(mktemp -d "$CACHE_ROOT/tools/$NAME/.build-$key.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
while read -r pkg bin; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  bin="${bin:-$(basename "$pkg")}"
  (
    cd "$MOD_DIR"
    export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--mod=readonly}"
    "$GO" build -trimpath -ldflags="-s -w $(cat ldflags 2>/dev/null)" -o "$tmp/bin/$bin" "$pkg"
  )
  [[ -x "$tmp/bin/$bin" ]] || { echo "build.sh: $bin missing after build" >&2; exit 1; }
done <"$MOD_DIR/packages"
printf 'key=%s\ngo_version=%s\nbuilt=%s\nseconds=%s\n' "$key" "$GO_VERSION" \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(($(date +%s) - start))" >"$tmp/BUILD_INFO"
touch "$tmp/.complete"
rm -rf "$OUT_DIR"
mv "$tmp" "$OUT_DIR"
trap - EXIT
echo "build.sh: built $NAME in $(($(date +%s) - start))s -> $BIN_DIR" >&2
echo "$BIN_DIR"
