#!/usr/bin/env bash
# install_and_build.sh - dsr1 as a user gets it: install the build tree to a
# fresh prefix, build examples/host-app against it with find_package(dsr1),
# compile CLIP with the installed dsr1-compile, and run both example programs
# (artifact on cpu and cuda-emu, the C API, and the .onnx compiled in
# process) from another folder, checking every output against the stored
# reference outputs (rtol 1e-4, atol 1e-5).
#
#   install_and_build.sh BUILD_DIR SOURCE_DIR [PYTHON]
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
python=${3:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/dsr1-api-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
model=$source/test/models/onnx/clip
data=$model/test_data_set_0
tensors="$python $source/test/api/tensors.py"

step() { echo "== $*"; }

step "install to $prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
for file in bin/dsr1-compile bin/dsr1-run bin/dsr1-opt bin/dsr1-import \
            lib/libdsr1.so include/dsr1/dsr1.hpp include/dsr1/dsr1.h \
            lib/cmake/dsr1/dsr1Config.cmake lib/cmake/dsr1/dsr1ConfigVersion.cmake; do
  [[ -e $prefix/$file ]] || { echo "not installed: $file"; exit 1; }
done

step "build examples/host-app with find_package(dsr1)"
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
cmake -S "$source/examples/host-app" -B "$work/app" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release -Ddsr1_DIR="$prefix/lib/cmake/dsr1" > "$work/configure.log"
cmake --build "$work/app" > "$work/build.log" || { cat "$work/build.log"; exit 1; }

# Everything below runs from elsewhere, with the installed files only.
cd "$work"
step "installed dsr1-compile: CLIP for cpu and sm_80"
"$prefix/bin/dsr1-compile" "$model/model.onnx" -o clip.dsr1 --target cpu,sm_80 \
  --inputs "$data" --quiet
"$prefix/bin/dsr1-run" clip.dsr1 --describe > /dev/null
$tensors to-bin "$data" inputs

step "host-app-cpp: the artifact on cpu"
"$work/app/host-app-cpp" clip.dsr1 --inputs inputs --outputs "$(mkdir -p cpu && echo cpu)"
$tensors compare cpu "$data"

step "host-app-cpp: the artifact on cuda-emu"
"$work/app/host-app-cpp" clip.dsr1 --device cuda-emu --inputs inputs \
  --outputs "$(mkdir -p emu && echo emu)"
$tensors compare emu "$data"

step "host-app-cpp: the .onnx compiled in process"
"$work/app/host-app-cpp" "$model/model.onnx" --inputs inputs \
  --outputs "$(mkdir -p jit && echo jit)"
$tensors compare jit "$data"

step "host-app-c: the artifact through the C API"
"$work/app/host-app-c" clip.dsr1 inputs "$(mkdir -p c && echo c)"
$tensors compare c "$data"

step "host-app-cpp: synthetic inputs; a missing file fails with its name"
"$work/app/host-app-cpp" clip.dsr1 > /dev/null
if "$work/app/host-app-cpp" missing.dsr1 2> err.txt; then
  echo "a missing artifact did not fail"; exit 1
fi
grep -q "missing.dsr1" err.txt || { cat err.txt; exit 1; }
step "all passed"
