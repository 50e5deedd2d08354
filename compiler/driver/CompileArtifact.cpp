//===- CompileArtifact.cpp - a model compiled ahead of time ---------------===//
//
// One optimised, planned module feeds every target: the cpu lowering and
// its shared object, and one CUDA source that NVRTC compiles per
// architecture. The cpu object is cached under a hash of the lowered
// module, the optimisation level and the host CPU, next to NVRTC's cache.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/CompileArtifact.h"
#include "codegen/cpu/CpuCodegen.h"
#include "codegen/cuda/DeviceHeaders.h"
#include "codegen/cuda/Nvrtc.h"
#include "compiler/driver/Progress.h"
#include "compiler/passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <unistd.h>

using namespace mlir;

namespace dsr1 {

Status checkTargets(const std::vector<std::string> &targets) {
  if (targets.empty())
    return Status::error("--target names no target (cpu, sm_80, sm_90a, ...)");
  for (size_t i = 0; i < targets.size(); ++i) {
    llvm::StringRef target = targets[i];
    llvm::StringRef digits = target;
    bool gpu = digits.consume_front("sm_");
    digits.consume_back("a");
    if (target != "cpu" && (!gpu || !llvm::all_of(digits, llvm::isDigit) ||
                            digits.size() < 2 || digits.size() > 3))
      return Status::error("--target: '" + targets[i] +
                           "' is not a target: give cpu or a GPU "
                           "architecture (sm_80, sm_86, sm_89, sm_90a)");
    for (size_t j = 0; j < i; ++j)
      if (targets[j] == targets[i])
        return Status::error("--target names '" + targets[i] + "' twice");
  }
  return Status::ok();
}

namespace {

/// The cpu object cache: <dir>/cpu/<sha256>.so and .cpu (the CPU's name,
/// then one feature per line).
class CpuObjectCache {
public:
  explicit CpuObjectCache(std::string dir) : dir(std::move(dir) + "/cpu") {}

  static std::string key(ModuleOp lowered, int optLevel) {
    llvm::SHA256 hash;
    std::string text;
    llvm::raw_string_ostream os(text);
    lowered.print(os, OpPrintingFlags().enableDebugInfo(false));
    hash.update(text);
    std::string host = "O" + std::to_string(optLevel) + " " +
                       llvm::sys::getHostCPUName().str() + " " + dsr1Version();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      host += " " + feature.getKey().str() + "=" +
              std::to_string(feature.getValue());
    hash.update(host);
    return llvm::toHex(hash.final(), /*LowerCase=*/true);
  }

  std::optional<cpu::CpuObject> lookup(const std::string &key) const {
    auto object = llvm::MemoryBuffer::getFile(dir + "/" + key + ".so");
    auto cpu = llvm::MemoryBuffer::getFile(dir + "/" + key + ".cpu");
    if (!object || !cpu)
      return std::nullopt;
    cpu::CpuObject found;
    found.sharedObject = (*object)->getBuffer().str();
    llvm::SmallVector<llvm::StringRef> lines;
    (*cpu)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
    if (lines.empty() || found.sharedObject.empty())
      return std::nullopt;
    found.cpuName = lines.front().str();
    for (llvm::StringRef line : llvm::drop_begin(lines))
      found.cpuFeatures.push_back(line.str());
    return found;
  }

  /// Best effort: a cache that cannot be written only costs time.
  void store(const std::string &key, const cpu::CpuObject &object) const {
    if (llvm::sys::fs::create_directories(dir))
      return;
    std::string lines = object.cpuName + "\n";
    for (const std::string &feature : object.cpuFeatures)
      lines += feature + "\n";
    // The .cpu file is written last: lookup needs both.
    write(key + ".so", object.sharedObject);
    write(key + ".cpu", lines);
  }

private:
  void write(const std::string &name, const std::string &bytes) const {
    std::string temporary =
        dir + "/." + name + ".tmp" + std::to_string(getpid());
    std::error_code error;
    {
      llvm::raw_fd_ostream out(temporary, error);
      if (error)
        return;
      out << bytes;
    }
    if (llvm::sys::fs::rename(temporary, dir + "/" + name))
      llvm::sys::fs::remove(temporary);
  }

  std::string dir;
};

/// The model's symbolic names of the graph inputs' axes.
std::vector<std::vector<std::string>> inputDimNames(ModuleOp module) {
  std::vector<std::vector<std::string>> names;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func->hasAttr(kKernelAttrName) || func.isExternal())
      continue;
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      std::vector<std::string> axes;
      if (auto dims = func.getArgAttrOfType<ArrayAttr>(i, "onnx.dim_params"))
        for (Attribute dim : dims)
          axes.push_back(cast<StringAttr>(dim).str());
      names.push_back(std::move(axes));
    }
  }
  return names;
}

} // namespace

FailureOr<std::unique_ptr<CompiledArtifact>>
compileArtifact(ModuleOp module, const CompileOptions &options,
                const ArtifactOptions &artifactOptions,
                llvm::StringRef modelPath) {
  if (Status s = checkTargets(artifactOptions.targets); !s)
    return emitError(module.getLoc()) << s.message();
  auto result = std::make_unique<CompiledArtifact>();
  ArtifactContents &contents = result->contents;
  contents.model = modelPath.str();
  contents.targets = artifactOptions.targets;
  // The symbolic names are read before optimisation can drop attributes.
  contents.inputDimNames = inputDimNames(module);

  CompileOptions effective = options;
  effective.stageTimes = &contents.stages;
  PrecisionReport precision;
  FailureOr<Plan> plan = optimizeAndPlan(module, effective, &precision);
  if (failed(plan))
    return failure();
  contents.plan = std::make_shared<const Plan>(std::move(*plan));
  {
    llvm::raw_string_ostream os(contents.precisionReport);
    precision.print(os);
  }
  if (contents.inputDimNames.size() != contents.plan->inputs.size())
    contents.inputDimNames.clear();

  std::string cacheDir = artifactOptions.cacheDir.empty()
                             ? cuda::KernelCache::defaultDir()
                             : artifactOptions.cacheDir;
  std::vector<std::string> archs;
  bool wantCpu = false;
  for (const std::string &target : artifactOptions.targets) {
    if (target == "cpu")
      wantCpu = true;
    else
      archs.push_back(target);
  }

  if (wantCpu) {
    OwningOpRef<ModuleOp> lowered = lowerCpuKernels(module, effective);
    if (!lowered)
      return failure();
    Progress progress(options.showProgress, &contents.stages);
    progress.stage("compiling the cpu object", "codegen");
    CpuObjectCache cache(cacheDir);
    std::string key;
    std::optional<cpu::CpuObject> object;
    if (artifactOptions.useCache) {
      key = CpuObjectCache::key(*lowered, options.optLevel);
      object = cache.lookup(key);
    }
    if (object) {
      ++result->cacheHits;
    } else {
      std::string error;
      object = cpu::emitCpuObject(*lowered, options.optLevel, error);
      if (!object)
        return emitError(module.getLoc())
               << "cannot compile the cpu object: " << error;
      ++result->cacheMisses;
      if (artifactOptions.useCache)
        cache.store(key, *object);
    }
    result->cpuObject = std::move(object->sharedObject);
    contents.cpu = CpuCode{result->cpuObject, std::move(object->cpuName),
                           std::move(object->cpuFeatures)};
  }

  if (!archs.empty()) {
    FailureOr<std::shared_ptr<const cuda::CudaModule>> code =
        generateCuda(module, effective);
    if (failed(code))
      return failure();
    CudaCode cuda;
    cuda.module = **code;
    cuda.headers = cuda::deviceHeaders();
    Result<std::shared_ptr<cuda::Nvrtc>> nvrtc = cuda::Nvrtc::load();
    if (!nvrtc)
      return emitError(module.getLoc()) << nvrtc.status().message();
    std::optional<cuda::KernelCache> cache;
    if (artifactOptions.useCache)
      cache.emplace(cacheDir);
    // One architecture at a time, so a terminal shows where a long compile
    // is (NVRTC takes seconds per architecture on a large model).
    Progress progress(options.showProgress, &contents.stages);
    for (size_t i = 0; i < archs.size(); ++i) {
      progress.stage(
          "NVRTC for " + archs[i] + " (architecture " + std::to_string(i + 1) +
              " of " + std::to_string(archs.size()) + ", " +
              std::to_string(cuda.module.kernels.size()) + " kernels)",
          "NVRTC");
      Result<std::vector<cuda::CompiledKernels>> compiled =
          cuda::compileForArchs(**nvrtc, cache ? &*cache : nullptr,
                                cuda.module.source, modelPath.str(), {archs[i]},
                                cuda.headers);
      if (!compiled)
        return emitError(module.getLoc()) << compiled.status().message();
      for (cuda::CompiledKernels &c : *compiled) {
        (c.fromCache ? result->cacheHits : result->cacheMisses) += 1;
        cuda.binaries.push_back({c.arch, std::move(c.cubin), std::move(c.ptx)});
      }
    }
    progress.finish();
    contents.cuda = std::move(cuda);
  }
  if (options.stageTimes)
    *options.stageTimes = contents.stages;
  return result;
}

} // namespace dsr1
