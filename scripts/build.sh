#!/usr/bin/env bash
# Configures and builds dsr1 into ./build (Ninja, ccache when present, -j2 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-2}
# Paths relative to the checkout, so that a fresh clone elsewhere (CI) still hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
# DSR1_TORCH=0: without the TorchScript frontend even where torch is installed.
TORCH=AUTO
if [ "${DSR1_TORCH:-1}" = 0 ]; then
  TORCH=OFF
fi
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} \
    -DDSR1_ENABLE_TORCH=$TORCH
fi
cmake --build "$BUILD_DIR" -j "$JOBS"
