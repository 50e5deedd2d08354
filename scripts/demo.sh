#!/usr/bin/env bash
# Sets up, builds and runs the main job: compile a cross-modal model (CLIP: a text tower and an
# image tower whose embeddings meet in one logit matrix) from ONNX ahead of time into a .dsr1
# artifact (cpu code, and cubins for sm_80 and sm_90a), load that artifact and run it on a GPU
# when one is there (the cuda device) and on the cpu device otherwise, and compare its outputs
# with onnxruntime's, stored beside the model. Then the artifact's CUDA kernels run on the CPU
# through cuda-emu against the cpu device, the model runs in auto precision (f16/bf16 per op
# within an accuracy budget), and the cpu device is timed. Last, the TorchScript version of the
# same CLIP (torch.jit.trace) runs against torch's outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
model=test/models/onnx/clip
device=cpu
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  device=cuda
fi
artifact="${BUILD_DIR:-build}/clip.dsr1"
set -x
"${BUILD_DIR:-build}"/bin/dsr1-compile "$model/model.onnx" --inputs "$model/test_data_set_0" \
  --target cpu,sm_80,sm_90a -o "$artifact"
"${BUILD_DIR:-build}"/bin/dsr1-run "$artifact" --describe
"${BUILD_DIR:-build}"/bin/dsr1-run "$artifact" --device "$device" \
  --inputs "$model/test_data_set_0" --compare "$model/test_data_set_0" --rtol 1e-4 --atol 1e-5
"${BUILD_DIR:-build}"/bin/dsr1-run "$artifact" --device cuda-emu --against-device cpu \
  --inputs "$model/test_data_set_0" --rtol 1e-4 --atol 1e-5
# Per-op precision: f16 where the value ranges allow, bf16 where not, as much as a 1e-2
# accuracy budget against f32 allows (calibrated on the inputs); the report says why per op.
"${BUILD_DIR:-build}"/bin/dsr1-run "$model/model.onnx" --device "$device" --precision auto \
  --inputs "$model/test_data_set_0" --compare "$model/test_data_set_0" --rtol 2e-2 --atol 1e-2 \
  --precision-report
"${BUILD_DIR:-build}"/bin/dsr1-run "$model/model.onnx" --device cpu \
  --inputs "$model/test_data_set_0" --warmup 3 --iterations 20
# The same CLIP from TorchScript (torch.jit.trace, no ONNX detour), against torch's own outputs.
if [ "${DSR1_TORCH:-1}" != 0 ]; then
  traced=test/models/torch/clip.trace
  "${BUILD_DIR:-build}"/bin/dsr1-run "$traced/model.pt" --device "$device" \
    --inputs "$traced/test_data_set_0" --compare "$traced/test_data_set_0" --rtol 1e-4 --atol 1e-5
fi
