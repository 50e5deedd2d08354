//===- TuneCheck.h - tuner candidates checked on cuda-emu -------*- C++ -*-===//
//
// The tuner ranks candidates by a model; before one is chosen it runs here:
// the kernel at a small shape, generated under the candidate's parameters,
// executed on cuda-emu with race detection, against the problem's direct
// evaluation in double precision.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_COMPILER_DRIVER_TUNECHECK_H
#define DSR1_COMPILER_DRIVER_TUNECHECK_H

#include "codegen/cuda/Tuner.h"

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

} // namespace dsr1

#endif // DSR1_COMPILER_DRIVER_TUNECHECK_H
