#!/usr/bin/env bash
# Builds dsr1-thread-test with ThreadSanitizer (clang-22) into build-tsan and runs it on an
# artifact that the main build's dsr1-compile writes: one model shared by sessions on 8 threads.
# Any data race TSan sees in the runtime, or any output differing from a single thread's, fails.
# Usage: scripts/tsan.sh [--build-only]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${TSAN_BUILD_DIR:-build-tsan}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  mkdir -p "$BUILD_DIR"
  CC=clang-22 CXX=clang++-22 cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDSR1_SANITIZE_THREADS=ON \
    -DDSR1_ENABLE_TORCH=OFF > "$BUILD_DIR/configure.log" 2>&1 ||
    { cat "$BUILD_DIR/configure.log"; exit 1; }
fi
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target dsr1-thread-test
[ "${1:-}" = "--build-only" ] && exit 0

compiler=${DSR1_COMPILE:-build/bin/dsr1-compile}
[ -x "$compiler" ] || { echo "tsan: $compiler is missing (build dsr1 first)"; exit 1; }
artifact="$BUILD_DIR/threads.dsr1"
"$compiler" test/models/onnx/bert/model.onnx --inputs test/models/onnx/bert/test_data_set_0 \
  --target cpu --quiet -o "$artifact"
# OpenBLAS is not instrumented and synchronises its own threads in ways TSan cannot see: one
# BLAS thread per caller keeps its work on the calling (instrumented) thread.
export OPENBLAS_NUM_THREADS=1
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
"$BUILD_DIR/bin/dsr1-thread-test" "$artifact" 8 20
