#!/usr/bin/env bash
# The tuner's estimates for the kernels that carry a model's FLOPs: the GEMM
# of the issue (4096^3), BERT-base's GEMMs, attention at FlashAttention's
# benchmark shape, and ResNet-50's convolutions. Each is tuned for sm_90a
# and sm_80 (NVRTC compiles every candidate; the best is checked on
# cuda-emu) and one line per kernel and target is printed:
#   kernel  target  estimate-us  fraction-of-peak  TFLOP/s  params
#
# Usage: bench/tuner/run.sh [BUILD_DIR]   (default: build)
# Needs the CUDA toolkit's NVRTC (/usr/local/cuda); no GPU.
set -euo pipefail
build=${1:-build}
compile="$build/bin/dsr1-compile"
[[ -x $compile ]] || { echo "run.sh: no $compile (build dsr1 first)" >&2; exit 1; }

# name | flag | shape | precision | extra
problems=(
  "gemm 4096^3|--tune-gemm|4096,4096,4096|fp16|"
  "BERT-base QKV/out 1024x768x768|--tune-gemm|1024,768,768|fp16|"
  "BERT-base FFN up 1024x3072x768|--tune-gemm|1024,3072,768|fp16|"
  "BERT-base FFN down 1024x768x3072|--tune-gemm|1024,768,3072|fp16|"
  "attention b8 h16 s2048 d128|--tune-attention|8,16,2048,2048,128|bf16|"
  "attention b8 h16 s2048 d128 causal|--tune-attention|8,16,2048,2048,128|bf16|--causal"
  "resnet50 conv2 3x3 64 56x56 n32|--tune-conv|32,64,56,56,64,3,3,1,1|fp16|"
  "resnet50 conv3 3x3 128 28x28 n32|--tune-conv|32,128,28,28,128,3,3,1,1|fp16|"
  "resnet50 conv3 3x3 128 28x28 n1|--tune-conv|1,128,28,28,128,3,3,1,1|fp16|"
  "resnet50 1x1 256->64 56x56 n32|--tune-conv|32,256,56,56,64,1,1|fp16|"
  "resnet50 stem 7x7/2 3->64 n32|--tune-conv|32,3,224,224,64,7,7,2,3|fp16|"
)
printf '%-38s %-7s %12s %7s %9s  %s\n' kernel target estimate-us peak TFLOP/s params
for entry in "${problems[@]}"; do
  IFS='|' read -r name flag shape precision extra <<<"$entry"
  for target in sm_90a sm_80; do
    # shellcheck disable=SC2086
    out=$("$compile" $flag "$shape" --precision "$precision" $extra --target "$target")
    best=$(grep '^best:' <<<"$out")
    params=$(sed -E 's/^best: ([^ ]+) .*/\1/' <<<"$best")
    us=$(sed -E 's/.*estimate ([0-9.]+) us.*/\1/' <<<"$best")
    frac=$(sed -E 's/.*, ([0-9.]+)% of peak.*/\1/' <<<"$best")
    peak=$(sed -nE 's/.* ([0-9]+) TFLOP\/s .*/\1/p' <<<"$out" | head -1)
    tflops=$(awk -v f="$frac" -v p="$peak" 'BEGIN { printf "%.0f", f * p / 100 }')
    printf '%-38s %-7s %12s %6s%% %9s  %s\n' "$name" "$target" "$us" "$frac" "$tflops" "$params"
  done
done
