#!/usr/bin/env bash
# Sets up, builds and runs the main job: compile a cross-modal model (CLIP: a text tower and an
# image tower whose embeddings meet in one logit matrix) from ONNX, run it on the cpu device
# (the only device of this build; CUDA comes with the CUDA code generator), and compare its
# outputs with onnxruntime's, stored beside the model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
model=test/models/onnx/clip
set -x
"${BUILD_DIR:-build}"/bin/dsr1-run "$model/model.onnx" --device cpu \
  --inputs "$model/test_data_set_0" --compare "$model/test_data_set_0" --rtol 1e-4 --atol 1e-5
"${BUILD_DIR:-build}"/bin/dsr1-run "$model/model.onnx" --device cpu \
  --inputs "$model/test_data_set_0" --warmup 3 --iterations 20
