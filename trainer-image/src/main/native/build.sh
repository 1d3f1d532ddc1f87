#!/usr/bin/env bash
# Builds libkubetune_c10d.so, kubetune's collective layer (kubetune_c10d.cpp: a C ABI over
# libtorch's c10d TCPStore and ProcessGroupGloo), against the very libtorch_cpu.so that DJL loads.
# Only distributed training needs it; single-process training and the quickstart never do.
#
# Inputs, fetched once and cached under $KUBETUNE_CACHE/c10d (never at run time):
#   torch-2.7.1/include  the C++ headers of PyPI's torch==2.7.1 wheel (the wheel is 821 MB; only
#                        torch/include, 52 MB, is kept)
#   gloo/usr/include     Debian bookworm's libgloo-dev headers (the wheel ships none)
# libtorch_cpu.so and libc10.so to link against come from DJL's pytorch-native-cpu jar in the
# local Maven repository (or $LIBTORCH_DIR). The built library is cached too, keyed by the hash
# of its source and of this script, so a warm build is a copy.
#
# Output: trainer-image/target/native/libkubetune_c10d.so (or $1). Prints where it is.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../../.." && pwd)"
CACHE="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}/c10d"
OUT="${1:-$REPO/trainer-image/target/native/libkubetune_c10d.so}"
TORCH_VERSION=2.7.1
LIBTORCH_JAR="${LIBTORCH_JAR:-$HOME/.m2/repository/ai/djl/pytorch/pytorch-native-cpu/$TORCH_VERSION/pytorch-native-cpu-$TORCH_VERSION-linux-x86_64.jar}"
say() { echo "native/build.sh: $*" >&2; }
t0=$SECONDS
mkdir -p "$CACHE"
exec {lock}>"$CACHE/.lock"
flock "$lock"

headers="$CACHE/torch-$TORCH_VERSION/include"
if [[ ! -f $headers/torch/csrc/distributed/c10d/ProcessGroupGloo.hpp ]]; then
  tmp="$(mktemp -d "$CACHE/wheel.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  say "downloading PyPI's torch==$TORCH_VERSION wheel (821 MB, once) for its C++ headers ..."
  t=$SECONDS
  python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
    --python-version 3.11 --implementation cp "torch==$TORCH_VERSION" -d "$tmp"
  say "download: $((SECONDS - t)) s"
  unzip -q "$tmp"/torch-"$TORCH_VERSION"-*.whl 'torch/include/*' -d "$tmp/x"
  rm -rf "$CACHE/torch-$TORCH_VERSION"
  mkdir -p "$CACHE/torch-$TORCH_VERSION"
  mv "$tmp/x/torch/include" "$headers"
  rm -rf "$tmp"
  trap - EXIT
  say "headers in $headers ($(du -sh "$headers" | cut -f1))"
fi

gloo="$CACHE/gloo/usr/include"
if [[ ! -f $gloo/gloo/config.h ]]; then
  tmp="$(mktemp -d "$CACHE/gloo.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  say "fetching Debian's libgloo-dev for the gloo headers ..."
  (cd "$tmp" && { apt-get download -q libgloo-dev >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get download -q libgloo-dev >/dev/null; }; })
  rm -rf "$CACHE/gloo"
  dpkg-deb -x "$tmp"/libgloo-dev_*.deb "$CACHE/gloo"
  rm -rf "$tmp"
  trap - EXIT
fi

key="$(cat "$HERE/kubetune_c10d.cpp" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)"
built="$CACHE/lib/libkubetune_c10d-$key.so"
if [[ ! -f $built ]]; then
  libs="$(mktemp -d "$CACHE/link.XXXXXX")"
  trap 'rm -rf "$libs"' EXIT
  if [[ -n ${LIBTORCH_DIR:-} ]]; then
    ln -s "$LIBTORCH_DIR"/libtorch_cpu.so "$LIBTORCH_DIR"/libc10.so "$libs/"
  else
    [[ -f $LIBTORCH_JAR ]] || { say "missing $LIBTORCH_JAR: run the Maven build first (or set LIBTORCH_DIR)"; exit 66; }
    unzip -q -j "$LIBTORCH_JAR" 'pytorch/cpu/linux-x86_64/libtorch_cpu.so' 'pytorch/cpu/linux-x86_64/libc10.so' -d "$libs"
  fi
  say "compiling kubetune_c10d.cpp (about a minute on 2 cores) ..."
  t=$SECONDS
  mkdir -p "$CACHE/lib"
  # C++11 ABI and C++17 as libtorch 2.7.1 was built; DT_NEEDED by soname, so that at run time the
  # library binds to the libtorch DJL has already loaded (one libtorch per process)
  g++ -O2 -std=c++17 -fPIC -shared -D_GLIBCXX_USE_CXX11_ABI=1 -DUSE_C10D_GLOO=1 \
    -fvisibility=hidden -Wall -Wno-unused-parameter \
    -isystem "$headers" -isystem "$headers/torch/csrc/api/include" -isystem "$gloo" \
    "$HERE/kubetune_c10d.cpp" -o "$built.tmp" \
    -L"$libs" -Wl,--no-as-needed -ltorch_cpu -lc10 -Wl,--as-needed -Wl,-z,defs
  mv "$built.tmp" "$built"
  rm -rf "$libs"
  trap - EXIT
  say "compiled in $((SECONDS - t)) s"
  find "$CACHE/lib" -name 'libkubetune_c10d-*.so' ! -name "$(basename "$built")" -delete
fi
mkdir -p "$(dirname "$OUT")"
cp "$built" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
say "$OUT ($((SECONDS - t0)) s)"
echo "$OUT"
