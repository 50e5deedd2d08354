//===- TuneCheck.h - tuner candidates checked on cuda-emu -------*- C++ -*-===//
//
// The tuner ranks candidates by a model; before one is chosen it runs here:
// the kernel at a small shape, generated under the candidate's parameters,
// executed on cuda-emu with race detection, against the problem's direct
// evaluation in double precision. With a GPU, candidates are also timed on it.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_COMPILER_DRIVER_TUNECHECK_H
#define DSR1_COMPILER_DRIVER_TUNECHECK_H

#include "codegen/cuda/Tuner.h"
#include "runtime/cuda/CudaDevice.h"

#include <memory>

#include <string>

namespace dsr1 {

/// A verifier for cuda::tune(): operands are multiples of 1/8 in [-2, 2]
/// (exact in f16, bf16 and TF32, so the kernel and the reference read the
/// same values); the result must match within the precision's tolerance
/// (f16: 4e-3, bf16: 3e-2, relative and absolute; tf32: 1e-4). Emulator
/// builds are cached in `cacheDir`.
cuda::TuneVerifier emuTuneVerifier(const std::string &cacheDir);

/// The check itself, for tests: ok, or what differs (the first element out
/// of tolerance, or the emulator's error).
Status checkOnEmu(const cuda::TuneProblem &problem,
                  const cuda::CudaParams &params, const std::string &cacheDir);

/// The seconds a run of `problem`'s kernel under `params` takes on the GPU
/// of `driver`: NVRTC for its architecture (through `cache`, may be null),
/// a session on a one-kernel plan, inputs from HostTensor::fillForTiming,
/// warm-up runs, then the mean of `iterations` runs timed by CUDA events.
Result<double> measureOnGpu(const cuda::TuneProblem &problem,
                            const cuda::CudaParams &params,
                            const std::shared_ptr<cuda::CudaDriver> &driver,
                            const cuda::Nvrtc &nvrtc,
                            const cuda::KernelCache *cache,
                            int iterations = 20);

} // namespace dsr1

#endif // DSR1_COMPILER_DRIVER_TUNECHECK_H
