//===- CompileArtifact.h - a model compiled ahead of time -------*- C++ -*-===//
//
// What dsr1-compile -o and dsr1::Compiler run: the whole pipeline for every
// target at once (the cpu's shared object, a cubin and PTX per GPU
// architecture), into the contents of a .dsr1 artifact. Code generation is
// cached on disk (NVRTC's output per architecture, the cpu object per
// lowered module), so compiling the same model again compiles nothing.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DRIVER_COMPILEARTIFACT_H
#define DSR1_DRIVER_COMPILEARTIFACT_H

#include "compiler/driver/CompileModel.h"
#include "runtime/Artifact.h"

#include <memory>
#include <string>
#include <vector>

namespace dsr1 {

struct ArtifactOptions {
  /// "cpu" and GPU architectures ("sm_80", "sm_90a"), in order.
  std::vector<std::string> targets = {"cpu"};
  /// The kernel cache (empty: cuda::KernelCache::defaultDir()).
  std::string cacheDir;
  /// false: compile everything, read and write no cache.
  bool useCache = true;
};

/// An artifact's contents and the bytes they point at.
struct CompiledArtifact {
  ArtifactContents contents;
  std::string cpuObject;
  /// Code generation found in the cache / compiled, over all targets.
  int cacheHits = 0, cacheMisses = 0;
};

/// Checks a --target list: "cpu" or sm_<N>[a], each at most once. The error
/// says which entry is wrong and what is accepted.
Status checkTargets(const std::vector<std::string> &targets);

/// Compiles an imported module (changed in place, as compileModule does)
/// for every target. `modelPath` is recorded in the artifact. Stage times
/// are appended to contents.stages (and to options.stageTimes' vector, if
/// set, which this replaces). Errors are diagnostics on the module's
/// context.
mlir::FailureOr<std::unique_ptr<CompiledArtifact>>
compileArtifact(mlir::ModuleOp module, const CompileOptions &options,
                const ArtifactOptions &artifactOptions,
                llvm::StringRef modelPath);

} // namespace dsr1

#endif // DSR1_DRIVER_COMPILEARTIFACT_H
