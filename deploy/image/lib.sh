# shellcheck shell=bash
# Shared steps of build-trainer.sh and build-operator.sh (sourced; they define say, since, REPO,
# CACHE_ROOT before sourcing).

# maven_package MODULE: `mvn package` of one module (and what it needs), log kept on failure.
maven_package() {
  local module="$1" t log
  t=$(date +%s.%N)
  say "building $module with Maven"
  mkdir -p "$CACHE_ROOT/build"
  log="$CACHE_ROOT/build/$module-mvn.log"
  if ! (cd "$REPO" && mvn -B -ntp -pl "$module" -am package -DskipTests -Dspotless.check.skip=true) \
    >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    say "maven failed (log $log)"
    exit 1
  fi
  say "maven: $(since "$t")"
}

# docker_build DOCKERFILE IMAGE CONTEXT NAME BASE: the legacy builder (no BuildKit here), then the
# dangling images of earlier builds of this image removed and the size reported.
docker_build() {
  local dockerfile="$1" image="$2" context="$3" name="$4" base="$5" t log cached size args
  t=$(date +%s.%N)
  args=(--force-rm -f "$dockerfile" -t "$image" --build-arg "BASE_IMAGE=$base"
        --build-arg "VERSION=${image##*:}")
  [[ ${NO_CACHE:-0} == 1 ]] && args+=(--no-cache)
  log="$CACHE_ROOT/build/$name-build.log"
  if ! DOCKER_BUILDKIT=0 docker build "${args[@]}" "$context" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    say "docker build failed (log $log)"
    exit 1
  fi
  cached=$(grep -c 'Using cache' "$log" || true)
  say "docker build: $(since "$t") ($cached steps from cache; log $log)"
  docker image prune -f --filter "label=org.opencontainers.image.title=kubetune $name" >/dev/null || true
  size=$(docker image inspect --format '{{.Size}}' "$image")
  say "$image: $(awk -v s="$size" 'BEGIN { printf "%.0f MB", s / 1e6 }')"
}
