#!/usr/bin/env bash
# Installs every build and test dependency of dsr1 on Debian 12 (run as root); quick when all is there.
set -euo pipefail

APT_PACKAGES=(
  # LLVM/MLIR 22: headers, libMLIR.so/libLLVM.so, mlir-tblgen, lit and FileCheck.
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  # ONNX C++ library and its protobuf runtime and compiler.
  libonnx-dev libprotobuf-dev protobuf-compiler
  # BLAS for the cpu device's matrix products and convolutions.
  libopenblas-dev
  # The .dsr1 artifact: its index is a FlatBuffer, its checksums XXH3.
  flatbuffers-compiler libflatbuffers-dev libxxhash-dev
  # Build and test tooling.
  cmake ninja-build ccache g++ libgtest-dev python3 python3-pip clang-format
  # The importer fuzzer: clang with libFuzzer and AddressSanitizer.
  clang-22 libclang-rt-22-dev
  # The ILP solver that bench/memory/optimum.py measures recomputation against.
  coinor-cbc
)
# pulp drives CBC for bench/memory/optimum.py and its tests.
PIP_PACKAGES=(onnx onnxruntime numpy pulp)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import onnx, onnxruntime, numpy, pulp' 2>/dev/null; then
  echo "setup: installing Python packages ${PIP_PACKAGES[*]}"
  # Debian's own python3 is externally managed; a pyenv/venv python is not.
  "$PYTHON" -m pip install -q "${PIP_PACKAGES[@]}" 2>/dev/null ||
    "$PYTHON" -m pip install -q --break-system-packages "${PIP_PACKAGES[@]}"
fi
# libtorch for the TorchScript frontend, and torch itself for its tests: the pip package (the
# CUDA build, ~4 GB with its nvidia-* wheels; it runs without a GPU). DSR1_TORCH=0 skips it,
# and scripts/build.sh then configures without the frontend.
TORCH_VERSION=2.15.0
if [ "${DSR1_TORCH:-1}" != 0 ] &&
  ! "$PYTHON" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" \
    2>/dev/null; then
  echo "setup: installing torch==$TORCH_VERSION (for the TorchScript frontend)"
  "$PYTHON" -m pip install -q "torch==$TORCH_VERSION" 2>/dev/null ||
    "$PYTHON" -m pip install -q --break-system-packages "torch==$TORCH_VERSION"
fi
echo "setup: all dependencies present"
