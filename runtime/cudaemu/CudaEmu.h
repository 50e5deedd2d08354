//===- CudaEmu.h - running generated CUDA C++ on the host -------*- C++ -*-===//
//
// cuda-emu: the CUDA C++ dsr1 generates, compiled by the host compiler
// against cuda_emu.h into a shared object and run on the CPU, so the CUDA
// path is tested where there is no GPU. The threads of a block run as fibers
// on the calling OS thread; barriers and warp collectives switch between
// them, and a debug mode reports shared-memory races.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_CUDAEMU_CUDAEMU_H
#define DSR1_RUNTIME_CUDAEMU_CUDAEMU_H

#include "runtime/Result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dsr1::cudaemu {

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
};

/// The thunk generated source defines per __global__ function: params[i]
/// points to the value of the kernel's i-th argument (CUDA's kernelParams).
using EmuEntry = void (*)(void **params);

struct LaunchOptions {
  /// Run the threads of a block as fibers so __syncthreads and warp
  /// collectives hold. false: threads run one after the other to completion
  /// (the fast path for kernels that use neither); a barrier or collective
  /// reached in that mode is an error naming the kernel.
  bool cooperative = true;
  /// Debug mode: report shared-memory races (a thread reading or writing an
  /// element of a DSR1_SHARED array that another thread wrote, or writing
  /// one another thread read, in the same barrier interval) as an error
  /// naming the kernel, the array, the element, both threads and the kind.
  bool detectRaces = false;
};

/// A compiled module of generated source.
class EmuModule {
public:
  /// Compiles `source` with the host compiler ($DSR1_EMU_CXX, else c++) at
  /// -O2 with -DDSR1_CUDA_EMU into a shared object, writing `headers` (file
  /// name and content, e.g. {"dsr1_device.cuh", ...}, {"cuda_emu.h", ...})
  /// next to the source under `cacheDir`, and loads it. The object is cached
  /// under a hash of source, headers and compiler command: a second build of
  /// the same source compiles nothing. Several processes may share
  /// `cacheDir`. Errors hold the compiler's output, the command and the path
  /// of the source file; `label` names the module in messages.
  static Result<std::unique_ptr<EmuModule>>
  build(const std::string &source,
        const std::vector<std::pair<std::string, std::string>> &headers,
        const std::string &cacheDir, const std::string &label);

  EmuModule(const EmuModule &) = delete;
  EmuModule &operator=(const EmuModule &) = delete;
  ~EmuModule();

  /// The thunk of kernel `name` (its symbol with "__emu" appended), or null.
  EmuEntry lookup(const std::string &name) const;
  /// True when the build that made this module found it in the cache.
  bool fromCache() const { return fromCache_; }
  /// The shared object's path.
  const std::string &path() const { return path_; }

private:
  EmuModule() = default;

  void *handle_ = nullptr;
  bool fromCache_ = false;
  std::string path_;
};

/// Runs `entry` over `grid` x `block` with `params`, blocks in turn (x
/// fastest, then y, then z) on the calling thread. Launches on different
/// threads may run at once. Errors name `kernelName`: dimensions CUDA would
/// refuse (a block of more than 1024 threads, an empty grid, ...), a race
/// (detectRaces), a deadlock (a barrier or warp collective that can never
/// complete; threads that have exited count as arrived at __syncthreads), a
/// warp collective whose lanes disagree on the mask, a barrier or
/// collective in a non-cooperative launch.
Status launch(EmuEntry entry, const std::string &kernelName, Dim3 grid,
              Dim3 block, void **params, const LaunchOptions &options = {});

} // namespace dsr1::cudaemu

#endif // DSR1_RUNTIME_CUDAEMU_CUDAEMU_H
