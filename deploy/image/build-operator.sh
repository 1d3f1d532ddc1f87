#!/usr/bin/env bash
# Builds the operator image (default kubetune/operator:0.1.0) from
# operator/src/main/docker/Dockerfile.jvm on top of kubetune/base:bookworm (base.sh), from the
# Quarkus fast-jar in operator/target/quarkus-app (the Maven package build runs first when it is
# absent). The context is staged under ${KUBETUNE_CACHE:-$HOME/.cache/kubetune}/build/operator/
# with our own jars apart from the third-party ones (layer caching).
#
# Environment:
#   KUBETUNE_CACHE   cache root (default $HOME/.cache/kubetune)
#   OPERATOR_IMAGE   image name (default kubetune/operator:0.1.0)
#   BASE_IMAGE       base image (default kubetune/base:bookworm)
#   MVN_BUILD=1      run the Maven package build even when quarkus-app exists
#   NO_CACHE=1       docker build --no-cache
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
IMAGE="${OPERATOR_IMAGE:-kubetune/operator:0.1.0}"
BASE="${BASE_IMAGE:-kubetune/base:bookworm}"
APP="$REPO/operator/target/quarkus-app"
CTX="$CACHE_ROOT/build/operator"

t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { echo "build-operator.sh: $*" >&2; }
# shellcheck source=lib.sh
source "$HERE/lib.sh"

BASE_IMAGE="$BASE" "$HERE/base.sh"

if [[ ${MVN_BUILD:-0} == 1 || ! -f $APP/quarkus-run.jar ]]; then
  maven_package operator
fi

t=$(date +%s.%N)
rm -rf "$CTX"
mkdir -p "$CTX/own"
cp -r "$APP/lib" "$APP/app" "$APP/quarkus" "$APP/quarkus-run.jar" "$CTX/"
find "$CTX/lib/main" -maxdepth 1 -name 'io.kubetune.*.jar' -exec mv {} "$CTX/own/" \;
say "context staged in $CTX ($(du -sh "$CTX" | cut -f1)): $(since "$t")"

docker_build "$REPO/operator/src/main/docker/Dockerfile.jvm" "$IMAGE" "$CTX" operator "$BASE"
say "total $(since "$t0")"
