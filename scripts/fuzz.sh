#!/usr/bin/env bash
# Builds the fuzzers (clang, libFuzzer, AddressSanitizer) into build-fuzz and
# runs one for a bounded time from a seed corpus of real inputs:
#   onnx      the ONNX importer, seeded with the lit inputs, the model set and node tests
#   artifact  the .dsr1 artifact loader, seeded with artifacts that build/bin/dsr1-compile
#             writes for a few models of the set
# Usage: scripts/fuzz.sh [SECONDS | --build-only] [onnx | artifact]   (default 60 s, onnx).
# Exits non-zero on any crash, leaving the crashing input in build-fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
TARGET=${2:-onnx}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  mkdir -p "$BUILD_DIR"
  CC=clang-22 CXX=clang++-22 cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDSR1_BUILD_FUZZERS=ON \
    -DDSR1_ENABLE_TORCH=OFF > "$BUILD_DIR/configure.log" 2>&1 ||
    { cat "$BUILD_DIR/configure.log"; exit 1; }
fi
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target onnx-import-fuzzer artifact-load-fuzzer
[ "$SECONDS_TO_RUN" = "--build-only" ] && exit 0

# Debian's libMLIR is not instrumented, but LLVM's allocator headers compiled
# into the fuzzer are: they poison slab space that the library then fills,
# which ASan would report as use-after-poison. Manual poisoning is ignored;
# real heap errors are still found by ASan's own red zones.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allow_user_poisoning=0}
mkdir -p "$BUILD_DIR/crashes"

case "$TARGET" in
onnx)
  fuzzer="$BUILD_DIR/bin/onnx-import-fuzzer"
  corpus="$BUILD_DIR/corpus"
  mkdir -p "$corpus"
  find test/lit test/models test/fuzz/regressions -name '*.onnx' -size -512k \
    -exec cp {} "$corpus/" \; 2>/dev/null || true
  if [ -d build/node-tests ]; then
    find build/node-tests -name model.onnx | awk 'NR % 8 == 0' | while read -r m; do
      cp "$m" "$corpus/$(basename "$(dirname "$m")").onnx"
    done
  fi
  regressions=(test/fuzz/regressions/*.onnx)
  max_len=65536
  ;;
artifact)
  fuzzer="$BUILD_DIR/bin/artifact-load-fuzzer"
  corpus="$BUILD_DIR/artifact-corpus"
  mkdir -p "$corpus"
  compiler=${DSR1_COMPILE:-build/bin/dsr1-compile}
  [ -x "$compiler" ] || { echo "fuzz: $compiler is missing (build dsr1 first)"; exit 1; }
  # One seed with CUDA sections (sm_80), the rest cpu-only to stay small.
  for m in lstm:cpu,sm_80 gru:cpu bert:cpu resnet:cpu; do
    d=test/models/onnx/${m%%:*}
    [ -f "$corpus/${m%%:*}.dsr1" ] || "$compiler" "$d/model.onnx" --inputs "$d/test_data_set_0" \
      --target "${m#*:}" -o "$corpus/${m%%:*}.dsr1" --quiet
  done
  regressions=(test/fuzz/regressions/*.dsr1)
  max_len=$(( $(ls -S "$corpus" | head -1 | xargs -I{} stat -c %s "$corpus/{}") + 4096 ))
  ;;
*)
  echo "fuzz: unknown target '$TARGET' (onnx, artifact)"
  exit 2
  ;;
esac

# Regression inputs first: each must load or be refused, never crash.
for f in "${regressions[@]}"; do
  [ -e "$f" ] && "$fuzzer" "$f" > /dev/null 2>&1 ||
    { [ -e "$f" ] && echo "fuzz: regression input $f crashes" && exit 1; }
done

echo "fuzz: running $(basename "$fuzzer") for ${SECONDS_TO_RUN}s on $(ls "$corpus" | wc -l) seeds"
"$fuzzer" "$corpus" \
  -max_total_time="$SECONDS_TO_RUN" -max_len="$max_len" -rss_limit_mb=4096 \
  -artifact_prefix="$BUILD_DIR/crashes/" -print_final_stats=1 2>&1 |
  grep -E "^#|stat::|ERROR|SUMMARY|crash|Done" | tail -n 25
status=${PIPESTATUS[0]}
exit "$status"
