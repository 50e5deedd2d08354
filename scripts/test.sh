#!/usr/bin/env bash
# Sets up, builds and runs every dsr1 test (lit and unit) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# The importer fuzzer's own build (clang + ASan); ctest runs it for a while.
bash scripts/fuzz.sh --build-only
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "${JOBS:-2}"
