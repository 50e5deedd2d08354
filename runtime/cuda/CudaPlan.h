//===- CudaPlan.h - the generated CUDA code of a model ----------*- C++ -*-===//
//
// What the CUDA code generator hands the runtime: one source holding every
// `__global__` function, and for each plan kernel the grid launches that
// compute it. Every `__global__` function of a kernel takes the kernel's
// arguments as the cpu device does: the int32 status word, then the
// operand buffers, then the result buffers.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_CUDA_CUDAPLAN_H
#define DSR1_RUNTIME_CUDA_CUDAPLAN_H

#include <cstdint>
#include <string>
#include <vector>

namespace dsr1::cuda {

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
};

/// One `__global__` function over one grid.
struct GridLaunch {
  std::string function;
  Dim3 grid, block;
  /// True when the threads of a block cooperate (barriers, warp
  /// collectives, shared memory): cuda-emu then runs them as fibers.
  bool cooperative = false;
};

/// The launches of one plan kernel, in order.
struct CudaKernel {
  std::string symbol;
  /// The template it came from ("pointwise", "row", "gemm", "attention",
  /// "recurrent"), for reports.
  std::string family;
  std::vector<GridLaunch> launches;
  /// Bytes of scratch global memory the launches share (split-kv partial
  /// results, say): on a GPU the session's workspace buffer is passed after
  /// the kernel's buffers; under cuda-emu the thunk takes its own.
  uint64_t workspaceBytes = 0;
  /// The parameters came from a tuning cache (reports only: not stored in
  /// an artifact).
  bool tuned = false;
};

struct CudaModule {
  std::string source;
  std::vector<CudaKernel> kernels;

  /// The kernel generated for `symbol`, or null.
  const CudaKernel *find(const std::string &symbol) const {
    for (const CudaKernel &kernel : kernels)
      if (kernel.symbol == symbol)
        return &kernel;
    return nullptr;
  }
};

} // namespace dsr1::cuda

#endif // DSR1_RUNTIME_CUDA_CUDAPLAN_H
