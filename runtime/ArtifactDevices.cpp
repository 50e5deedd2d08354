//===- ArtifactDevices.cpp - an artifact's code bound to a device ---------===//

#include "runtime/ArtifactDevices.h"
#include "codegen/cuda/DeviceHeaders.h"
#include "codegen/cuda/Nvrtc.h"
#include "runtime/cpu/CpuObject.h"
#include "runtime/cudaemu/EmuLibrary.h"

namespace dsr1 {

namespace {

std::string targetsText(const Artifact &artifact) {
  std::string text;
  for (const std::string &target : artifact.targets)
    text += (text.empty() ? "" : ", ") + target;
  return text.empty() ? "no target" : text;
}

Status missing(const Artifact &artifact, const std::string &device,
               const std::string &target) {
  return Status::error(artifact.path + " was compiled for " +
                       targetsText(artifact) + " and holds no code for the " +
                       device + " device: compile it again with --target " +
                       target);
}

} // namespace

Result<std::shared_ptr<const KernelLibrary>>
loadCpuKernels(const Artifact &artifact) {
  if (!artifact.cpu || artifact.cpu->sharedObject.empty())
    return missing(artifact, "cpu", "cpu");
  if (Status s = checkCpuFeatures(artifact.cpu->cpuFeatures); !s)
    return Status::error(artifact.path + ": its cpu code was compiled for " +
                         artifact.cpu->cpuName +
                         " and cannot run here: " + s.message());
  Result<std::shared_ptr<const CpuKernelLibrary>> library = loadCpuObject(
      reinterpret_cast<const uint8_t *>(artifact.cpu->sharedObject.data()),
      artifact.cpu->sharedObject.size(), artifact.path);
  if (!library)
    return library.status();
  return std::shared_ptr<const KernelLibrary>(std::move(*library));
}

Result<std::shared_ptr<const KernelLibrary>>
loadEmuKernels(const Artifact &artifact, const std::string &cacheDir,
               const cudaemu::LaunchOptions &options) {
  if (!artifact.cuda)
    return missing(artifact, "cuda-emu", "sm_80 (any GPU architecture)");
  std::string dir = cacheDir.empty()
                        ? cuda::KernelCache::defaultDir() + "/cuda-emu"
                        : cacheDir;
  // The generated code and its device library come from the artifact; the
  // host implementation of CUDA's built-ins (cuda_emu.h) is this runtime's,
  // which must match the emulator it runs on: an artifact outlives emulator
  // versions.
  std::vector<std::pair<std::string, std::string>> headers =
      artifact.cuda->headers;
  for (auto &header : headers)
    if (header.first == "cuda_emu.h")
      for (const auto &[name, text] : cuda::deviceHeaders())
        if (name == header.first)
          header.second = text;
  Result<std::shared_ptr<const cudaemu::EmuKernelLibrary>> library =
      cudaemu::EmuKernelLibrary::create(artifact.cuda->module, headers, dir,
                                        options, artifact.path);
  if (!library)
    return library.status();
  return std::shared_ptr<const KernelLibrary>(std::move(*library));
}

Result<std::unique_ptr<cuda::CudaSession>>
createCudaSession(std::shared_ptr<cuda::CudaDriver> driver,
                  const Artifact &artifact) {
  if (!artifact.cuda || artifact.cuda->binaries.empty())
    return missing(artifact, "cuda", "sm_80,sm_90a");
  Result<std::unique_ptr<cuda::CudaSession>> session =
      cuda::CudaSession::create(driver, artifact.plan, artifact.cuda->module,
                                artifact.cuda->binaries);
  if (!session)
    return Status::error(artifact.path + ": " + session.status().message());
  return session;
}

} // namespace dsr1
