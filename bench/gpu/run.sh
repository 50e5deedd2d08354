#!/usr/bin/env bash
# bench/gpu/run.sh [BUNDLE_DIR]: the GPU check, in one go and well inside ten minutes.
#
# Runs the generated CUDA kernels on the machine's GPU (the cuda device, through the driver
# API): the generated model set, every kernel family at ragged shapes, a 768^3 GEMM, attention
# over 512 tokens and a full-width BERT-base layer; then the tensor-core kernels at full size
# (GEMM 4096^3, BERT and ViT shapes, attention 8x16x2048x128, a decoding step, ResNet-50
# convolutions) against cuBLAS, torch's flash SDPA and cuDNN, and whole models against
# onnxruntime's CUDA EP (bench/gpu/tensor_cores.py; peers not installed are skipped). Every model's outputs are compared with the
# cpu device's (rtol 1e-4; atol 1e-5 of the output's largest magnitude, as f32 GEMMs over a
# long K round in another order on the GPU than in BLAS), with the run as a CUDA graph and
# with plain launches; then whole runs are timed both ways (the CUDA Graph speedup per model)
# and every kernel (CUDA events).
#
# With dsr1's build dependencies (scripts/setup.sh) it first builds dsr1-run and dsr1-gpu-check
# and packs the models into BUNDLE_DIR (bench/gpu/make_bundles.py: NVRTC for sm_80 and sm_90a).
# On a GPU machine without them, hand it a BUNDLE_DIR packed elsewhere and a dsr1-gpu-check
# binary ($DSR1_GPU_CHECK; it needs only libc and the CUDA driver).
set -euo pipefail
cd "$(dirname "$0")/../.."
bundles=${1:-build/gpu-bundles}
check=${DSR1_GPU_CHECK:-build/bin/dsr1-gpu-check}

if ! ls "$bundles"/*.bundle >/dev/null 2>&1; then
  echo "== building dsr1 and packing the models into $bundles"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C build dsr1-run dsr1-gpu-check
  python3 bench/gpu/make_bundles.py --runner build/bin/dsr1-run --out "$bundles" \
    ${TORCH_PYTHON:+--torch-python "$TORCH_PYTHON"}
fi

tc=${TC_BUNDLES:-build/gpu-bundles-tc}
if ! ls "$tc"/*.bundle >/dev/null 2>&1; then
  echo "== packing the tensor-core kernels into $tc (timing only)"
  python3 bench/gpu/make_bundles.py --runner build/bin/dsr1-run --out "$tc" --tensor-cores
fi

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "== models on the cuda device against the cpu device, then timed (CUDA graph and plain)"
status=0
timeout 300 "$check" "$bundles"/*.bundle --iterations "${ITERATIONS:-50}" \
  --json "$bundles/results.json" || status=$?
echo "== tensor-core kernels at full size (timing only)"
timeout 120 "$check" "$tc"/*.bundle --iterations "${ITERATIONS:-50}" \
  --json "$tc/results.json" || status=$?
echo "== against cuBLAS, torch SDPA (flash), cuDNN and onnxruntime's CUDA EP where installed"
timeout 240 python3 bench/gpu/tensor_cores.py --results "$tc/results.json" "$bundles/results.json" \
  --cases "$tc/tc_cases.json" --models test/models/onnx --iterations "${ITERATIONS:-50}" || true
exit $status
