#!/usr/bin/env bash
# Builds the trainer image (default kubetune/trainer:0.1.0) from trainer-image/Containerfile on
# top of kubetune/base:bookworm (base.sh). Uses trainer-image/target/kubetune-trainer.jar and
# target/lib/*.jar, running the Maven package build first when they are absent, and
# libkubetune_c10d.so (trainer-image/src/main/native/build.sh, cached under $KUBETUNE_CACHE/c10d). The build context
# is staged under ${KUBETUNE_CACHE:-$HOME/.cache/kubetune}/build/trainer/ with third-party jars
# and our own jars apart, so that a code change only rebuilds the last small layers.
#
# Environment:
#   KUBETUNE_CACHE   cache root (default $HOME/.cache/kubetune)
#   TRAINER_IMAGE    image name (default kubetune/trainer:0.1.0)
#   BASE_IMAGE       base image (default kubetune/base:bookworm)
#   MVN_BUILD=1      run the Maven package build even when the jars exist
#   NO_CACHE=1       docker build --no-cache
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
IMAGE="${TRAINER_IMAGE:-kubetune/trainer:0.1.0}"
BASE="${BASE_IMAGE:-kubetune/base:bookworm}"
TARGET="$REPO/trainer-image/target"
CTX="$CACHE_ROOT/build/trainer"

t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { echo "build-trainer.sh: $*" >&2; }
# shellcheck source=lib.sh
source "$HERE/lib.sh"

BASE_IMAGE="$BASE" "$HERE/base.sh"

if [[ ${MVN_BUILD:-0} == 1 || ! -f $TARGET/kubetune-trainer.jar ]] \
   || ! compgen -G "$TARGET/lib/pytorch-native-cpu-*.jar" >/dev/null; then
  maven_package trainer-image
fi

t=$(date +%s.%N)
rm -rf "$CTX"
mkdir -p "$CTX/lib" "$CTX/app/lib"
for jar in "$TARGET"/lib/*.jar; do
  case "$(basename "$jar")" in
    kubetune-*) cp "$jar" "$CTX/app/lib/" ;;  # ours: changes with every commit
    *) cp "$jar" "$CTX/lib/" ;;
  esac
done
cp "$TARGET/kubetune-trainer.jar" "$CTX/app/"
# the native collective layer for multi-process training (its inputs are cached; a warm build copies)
mkdir -p "$CTX/native"
"$REPO/trainer-image/src/main/native/build.sh" "$CTX/native/libkubetune_c10d.so" >/dev/null
cp "$HERE/kubetune" "$CTX/kubetune"
say "context staged in $CTX ($(du -sh "$CTX" | cut -f1)): $(since "$t")"

docker_build "$REPO/trainer-image/Containerfile" "$IMAGE" "$CTX" trainer "$BASE"
say "total $(since "$t0")"
