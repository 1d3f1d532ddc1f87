#!/usr/bin/env bash
# Where a step's time goes: runs one benchmark workload under async-profiler (its jar and native
# library from Maven Central, tools.profiler:async-profiler) and prints the split that
# bench/profile_split.py makes of it (libtorch kernels, dispatch, allocation, OpenMP waits, our
# Java, DJL, JNA, JVM; then the model thread's time by our component).
#   bench/profile.sh decode|prefill [MODEL_DIR]   RuntimeSpeed's measured decode loops / prompt passes
#   bench/profile.sh train-lora|train-full         TrainSpeed on bench/train_vs_pytorch.sh's model
#                                                  and full rows (STEPS, 20), the whole run
# The collapsed stacks are kept in bench/out/profile/WORKLOAD.collapsed (for flame graphs).
# PROFILE_TOOL=torch uses libtorch's own profiler (through DJL) instead: time and calls per ATen
# op, and the share of the step spent between ops (bench/torch_profile_split.py; the Chrome trace
# is kept in bench/out/profile/WORKLOAD.trace.json for chrome://tracing).
# Env: PROFILE_EVENT (cpu; itimer where perf events are not allowed), PROFILE_INTERVAL (1ms),
# PROMPT_TOKENS (512), NEW_TOKENS (128), THREADS (nproc).
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
workload="${1:?usage: bench/profile.sh decode|prefill|train-lora|train-full [MODEL_DIR]}"
version=4.0
jar="$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar"
[[ -f "$jar" ]] || mvn -B -q -ntp dependency:get -Dartifact="tools.profiler:async-profiler:$version" >&2
lib="$bench/out/async-profiler/$version/libasyncProfiler.so"
if [[ ! -f "$lib" ]]; then
  mkdir -p "$(dirname "$lib")"
  unzip -o -q -j "$jar" linux-x64/libasyncProfiler.so -d "$(dirname "$lib")"
fi
tool="${PROFILE_TOOL:-async}"
out="$bench/out/profile/$workload.collapsed"
[[ "$tool" == torch ]] && out="$bench/out/profile/$workload.trace.json"
mkdir -p "$(dirname "$out")"
rm -f "$out"
cp="$("$bench/classpath.sh"):$jar"
threads="${THREADS:-$(nproc)}"
export KUBETUNE_PROFILE_TOOL="$tool" KUBETUNE_PROFILE_LIB="$lib" KUBETUNE_PROFILE_OUT="$out" KUBETUNE_PROFILE_PHASE="$workload"
export KUBETUNE_PROFILE_ARGS="event=${PROFILE_EVENT:-cpu},interval=${PROFILE_INTERVAL:-1ms},threads,cstack=dwarf"
case "$workload" in
  decode | prefill)
    model="${2:-$bench/out/llama-8x512-32k}"
    [[ -f "$model/config.json" ]] || "$("$bench/pyenv.sh")" "$bench/make_random_llama.py" "$model"
    OMP_NUM_THREADS="$threads" java -cp "$cp" "$bench/java/RuntimeSpeed.java" "$model" \
      "${PROMPT_TOKENS:-512}" "${NEW_TOKENS:-128}" | tail -1
    driver=main
    steps="${NEW_TOKENS:-128}"
    [[ "$workload" == prefill ]] && steps=1
    ;;
  train-lora | train-full)
    # the whole TrainSpeed run (model load and warm-up steps included) under async-profiler as an
    # agent; the timed steps are most of it
    [[ "$tool" == torch ]] && { echo "bench/profile.sh: $workload: async-profiler only" >&2; exit 64; }
    data="$bench/out/train-bench"
    [[ -f "$data/model/config.json" && -f "$data/data_rows.jsonl" ]] ||
      "$("$bench/pyenv.sh")" "$bench/make_train_bench.py" "$data" >/dev/null 2>&1
    OMP_NUM_THREADS="$threads" java -Xmx2g \
      "-agentpath:$lib=start,${KUBETUNE_PROFILE_ARGS},collapsed,file=$out" \
      -cp "$cp" "$bench/java/TrainSpeed.java" "$data" "${workload#train-}" "${STEPS:-20}" data_rows.jsonl |
      tail -1
    driver=DestroyJavaVM # the main thread's name once the JVM ends, when the agent dumps
    ;;
  *)
    echo "bench/profile.sh: unknown workload $workload" >&2
    exit 64
    ;;
esac
if [[ "$tool" == torch ]]; then
  python3 "$bench/torch_profile_split.py" "$out" "$steps"
else
  python3 "$bench/profile_split.py" "$out" "$driver"
fi
