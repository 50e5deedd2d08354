//===- EmuLibrary.cpp - generated CUDA kernels run by cuda-emu ------------===//
//
// A plan kernel is a sequence of grid launches; each runs through
// cudaemu::launch with the session's packed arguments, which already follow
// CUDA's kernelParams convention (args[i] points to the i-th argument).
//
//===----------------------------------------------------------------------===//

#include "runtime/cudaemu/EmuLibrary.h"

namespace dsr1::cudaemu {

Result<std::shared_ptr<const EmuKernelLibrary>> EmuKernelLibrary::create(
    const cuda::CudaModule &code,
    const std::vector<std::pair<std::string, std::string>> &headers,
    const std::string &cacheDir, const LaunchOptions &options,
    const std::string &label) {
  Result<std::unique_ptr<EmuModule>> module =
      EmuModule::build(code.source, headers, cacheDir, label);
  if (!module)
    return module.status();
  return std::shared_ptr<const EmuKernelLibrary>(new EmuKernelLibrary(
      std::shared_ptr<EmuModule>(std::move(*module)), code, options));
}

KernelFn EmuKernelLibrary::bind(const std::string &symbol) const {
  const cuda::CudaKernel *kernel = code_.find(symbol);
  if (!kernel)
    return nullptr;
  struct Bound {
    EmuEntry entry;
    std::string name;
    Dim3 grid, block;
    bool cooperative;
  };
  std::vector<Bound> launches;
  for (const cuda::GridLaunch &launch : kernel->launches) {
    EmuEntry entry = module_->lookup(launch.function);
    if (!entry)
      return nullptr;
    launches.push_back({entry, launch.function,
                        Dim3{launch.grid.x, launch.grid.y, launch.grid.z},
                        Dim3{launch.block.x, launch.block.y, launch.block.z},
                        launch.cooperative});
  }
  LaunchOptions options = options_;
  // The lambda keeps the shared object loaded while the kernel lives.
  return [module = module_, launches, options](void **args) -> Status {
    for (const Bound &bound : launches) {
      LaunchOptions these = options;
      these.cooperative = bound.cooperative;
      if (Status s = launch(bound.entry, bound.name, bound.grid, bound.block,
                            args, these);
          !s)
        return s;
    }
    return Status::ok();
  };
}

} // namespace dsr1::cudaemu
