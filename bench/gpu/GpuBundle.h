//===- GpuBundle.h - a compiled model packed for the GPU check ---*- C++
//-*-===//
//
// The GPU check (bench/gpu/run.sh) runs on a machine that has a GPU but not
// dsr1's compiler (no MLIR, no protobuf). dsr1-run --gpu-bundle writes, per
// model, everything the cuda device needs (the plan, the weights, the CUDA
// launches, cubins and PTX per architecture) plus the inputs and the cpu
// device's outputs; dsr1-gpu-check reads it back. This is a private format
// of the check, not dsr1's artifact: it is versioned and checked, nothing
// more.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_BENCH_GPU_GPUBUNDLE_H
#define DSR1_BENCH_GPU_GPUBUNDLE_H

#include "runtime/HostTensor.h"
#include "runtime/Plan.h"
#include "runtime/cuda/CudaDevice.h"
#include "runtime/cuda/CudaPlan.h"

#include <string>
#include <vector>

namespace dsr1::gpucheck {

struct Bundle {
  std::string model;
  /// For timings only: no cpu reference, and `inputs` hold shapes only
  /// (readBundle fills them with fixed pseudo-random values), so a bundle
  /// of a large kernel stays small.
  bool timingOnly = false;
  Plan plan;
  cuda::CudaModule code;
  std::vector<cuda::DeviceBinary> binaries;
  std::vector<HostTensor> inputs;
  /// The cpu device's outputs on `inputs`.
  std::vector<HostTensor> expected;
};

Status writeBundle(const std::string &path, const Bundle &bundle);
Result<Bundle> readBundle(const std::string &path);

} // namespace dsr1::gpucheck

#endif // DSR1_BENCH_GPU_GPUBUNDLE_H
