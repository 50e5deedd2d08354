#!/usr/bin/env bash
# Builds the ONNX importer fuzzer (clang, libFuzzer, AddressSanitizer) into
# build-fuzz and runs it for a bounded time from a seed corpus of real models.
# Usage: scripts/fuzz.sh [SECONDS | --build-only]   (default 60 s). Exits
# non-zero on any crash, leaving the crashing input in build-fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  mkdir -p "$BUILD_DIR"
  CC=clang-22 CXX=clang++-22 cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDSR1_BUILD_FUZZERS=ON \
    -DDSR1_ENABLE_TORCH=OFF > "$BUILD_DIR/configure.log" 2>&1 ||
    { cat "$BUILD_DIR/configure.log"; exit 1; }
fi
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target onnx-import-fuzzer
[ "$SECONDS_TO_RUN" = "--build-only" ] && exit 0

# Seeds: the lit inputs, the generated model set, and a sample of node tests.
corpus="$BUILD_DIR/corpus"
mkdir -p "$corpus" "$BUILD_DIR/crashes"
find test/lit test/models test/fuzz/regressions -name '*.onnx' -size -512k \
  -exec cp {} "$corpus/" \; 2>/dev/null || true
if [ -d build/node-tests ]; then
  find build/node-tests -name model.onnx | awk 'NR % 8 == 0' | while read -r m; do
    cp "$m" "$corpus/$(basename "$(dirname "$m")").onnx"
  done
fi

# Debian's libMLIR is not instrumented, but LLVM's allocator headers compiled
# into the fuzzer are: they poison slab space that the library then fills,
# which ASan would report as use-after-poison. Manual poisoning is ignored;
# real heap errors are still found by ASan's own red zones.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allow_user_poisoning=0}

# Regression inputs first: each must import or be refused, never crash.
for f in test/fuzz/regressions/*.onnx; do
  [ -e "$f" ] && "$BUILD_DIR/bin/onnx-import-fuzzer" "$f" > /dev/null 2>&1 ||
    { [ -e "$f" ] && echo "fuzz: regression input $f crashes" && exit 1; }
done

echo "fuzz: running onnx-import-fuzzer for ${SECONDS_TO_RUN}s on $(ls "$corpus" | wc -l) seeds"
"$BUILD_DIR/bin/onnx-import-fuzzer" "$corpus" \
  -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -rss_limit_mb=4096 \
  -artifact_prefix="$BUILD_DIR/crashes/" -print_final_stats=1 2>&1 |
  grep -E "^#|stat::|ERROR|SUMMARY|crash|Done" | tail -n 25
status=${PIPESTATUS[0]}
exit "$status"
