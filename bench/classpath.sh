#!/usr/bin/env bash
# Builds trainer-image if needed and prints the runtime classpath for bench/java/*.java.
# BENCH_JAR=PATH puts another build's trainer jar in place of this tree's (same dependencies), so
# that a before/after comparison runs both builds in one invocation.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/trainer-image/target/kubetune-trainer.jar"
if [[ ! -f "$jar" ]]; then
  mvn -B -q -ntp -Dstyle.color=never -f "$root/pom.xml" -pl trainer-image -am package \
    -DskipTests -Dspotless.check.skip=true >&2
fi
echo "${BENCH_JAR:-$jar}:$root/trainer-image/target/lib/*"
