//===- ArtifactDevices.h - an artifact's code bound to a device -*- C++ -*-===//
//
// What each device makes of a loaded artifact: the cpu runs its shared
// object, cuda-emu compiles its CUDA source with the host compiler (through
// the kernel cache), cuda loads the cubin for the GPU found. An artifact
// without code for the device asked for is refused, saying what it holds.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_ARTIFACTDEVICES_H
#define DSR1_RUNTIME_ARTIFACTDEVICES_H

#include "runtime/Artifact.h"
#include "runtime/HostSession.h"
#include "runtime/cuda/CudaDevice.h"
#include "runtime/cudaemu/CudaEmu.h"

#include <memory>
#include <string>

namespace dsr1 {

/// The cpu kernels of `artifact`, after checking this CPU has the features
/// they were compiled for.
Result<std::shared_ptr<const KernelLibrary>>
loadCpuKernels(const Artifact &artifact);

/// The cuda-emu kernels of `artifact`, compiled through the cache in
/// `cacheDir` (empty: the default kernel cache's cuda-emu folder).
Result<std::shared_ptr<const KernelLibrary>>
loadEmuKernels(const Artifact &artifact, const std::string &cacheDir,
               const cudaemu::LaunchOptions &options);

/// A session of `artifact` on the GPU of `driver`.
Result<std::unique_ptr<cuda::CudaSession>>
createCudaSession(std::shared_ptr<cuda::CudaDriver> driver,
                  const Artifact &artifact);

} // namespace dsr1

#endif // DSR1_RUNTIME_ARTIFACTDEVICES_H
