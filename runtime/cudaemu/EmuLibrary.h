//===- EmuLibrary.h - generated CUDA kernels run by cuda-emu -----*- C++
//-*-===//
//
// The cuda-emu device's kernel library: the source of a CudaModule compiled
// by the host compiler against cuda_emu.h, each plan kernel bound to its
// grid launches. Buffers are host memory, so a HostSession runs it as it runs
// cpu kernels.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_CUDAEMU_EMULIBRARY_H
#define DSR1_RUNTIME_CUDAEMU_EMULIBRARY_H

#include "runtime/HostSession.h"
#include "runtime/cuda/CudaPlan.h"
#include "runtime/cudaemu/CudaEmu.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dsr1::cudaemu {

class EmuKernelLibrary : public KernelLibrary {
public:
  /// Compiles `code` (through the cache in `cacheDir`) with `headers` (the
  /// device headers, by file name) beside it. `label` names the model in
  /// messages.
  static Result<std::shared_ptr<const EmuKernelLibrary>>
  create(const cuda::CudaModule &code,
         const std::vector<std::pair<std::string, std::string>> &headers,
         const std::string &cacheDir, const LaunchOptions &options,
         const std::string &label);

  KernelFn bind(const std::string &symbol) const override;

  /// True when the host compiler was not run (a cached object).
  bool fromCache() const { return module_->fromCache(); }

private:
  EmuKernelLibrary(std::shared_ptr<EmuModule> module, cuda::CudaModule code,
                   LaunchOptions options)
      : module_(std::move(module)), code_(std::move(code)), options_(options) {}

  std::shared_ptr<EmuModule> module_;
  cuda::CudaModule code_;
  LaunchOptions options_;
};

} // namespace dsr1::cudaemu

#endif // DSR1_RUNTIME_CUDAEMU_EMULIBRARY_H
