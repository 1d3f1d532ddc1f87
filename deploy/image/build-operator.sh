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

BASE_IMAGE="$BASE" "$HERE/base.sh"

if [[ ${MVN_BUILD:-0} == 1 || ! -f $APP/quarkus-run.jar ]]; then
  t=$(date +%s.%N)
  say "building the operator with Maven"
  mkdir -p "$CACHE_ROOT/build"
  mvnlog="$CACHE_ROOT/build/operator-mvn.log"
  if ! (cd "$REPO" && mvn -B -ntp -pl operator -am package -DskipTests -Dspotless.check.skip=true) \
    >"$mvnlog" 2>&1; then
    tail -n 40 "$mvnlog" >&2
    say "maven failed (log $mvnlog)"
    exit 1
  fi
  say "maven: $(since "$t")"
fi

t=$(date +%s.%N)
rm -rf "$CTX"
mkdir -p "$CTX/own"
cp -r "$APP/lib" "$APP/app" "$APP/quarkus" "$APP/quarkus-run.jar" "$CTX/"
find "$CTX/lib/main" -maxdepth 1 -name 'io.kubetune.*.jar' -exec mv {} "$CTX/own/" \;
say "context staged in $CTX ($(du -sh "$CTX" | cut -f1)): $(since "$t")"

t=$(date +%s.%N)
args=(--force-rm -f "$REPO/operator/src/main/docker/Dockerfile.jvm" -t "$IMAGE" --build-arg "BASE_IMAGE=$BASE"
      --build-arg "VERSION=${IMAGE##*:}")
[[ ${NO_CACHE:-0} == 1 ]] && args+=(--no-cache)
log="$CACHE_ROOT/build/operator-build.log"
if ! DOCKER_BUILDKIT=0 docker build "${args[@]}" "$CTX" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  say "docker build failed (log $log)"
  exit 1
fi
cached=$(grep -c 'Using cache' "$log" || true)
say "docker build: $(since "$t") ($cached steps from cache; log $log)"
docker image prune -f --filter "label=org.opencontainers.image.title=kubetune operator" >/dev/null || true
size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
say "$IMAGE: $(awk -v s="$size" 'BEGIN { printf "%.0f MB", s / 1e6 }'); total $(since "$t0")"
