#!/usr/bin/env bash
# Sets up, builds and runs the main job: parse, verify and optimise the example model with dsr1-opt.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
set -x
"${BUILD_DIR:-build}"/bin/dsr1-opt examples/attention-block.mlir --dsr1-optimize-pipeline
