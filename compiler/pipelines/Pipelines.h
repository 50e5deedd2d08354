//===- Pipelines.h - The named dsr1 pass pipelines ------------*- C++ -*-===//
//
// The pipelines that dsr1-compile runs, registered in dsr1-opt as well.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_PIPELINES_PIPELINES_H
#define DSR1_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace dsr1 {

/// What the optimise pipeline does beyond cleaning up.
struct OptimizeOptions {
  /// Fuse attention blocks and elementwise work into larger kernels (false:
  /// every op its own kernel, the baseline fusion is measured against).
  bool fuse = true;
  /// NAME=text|image|audio: the modality of a graph input, over what its name
  /// and type suggest (-dsr1-fuse-attention's `modality` option).
  std::vector<std::string> modalities;
};

/// Graph-level optimisation of a dsr1 module: canonicalisation and CSE, then
/// attention fusion. Later stages (precision, memory planning) append to it.
void buildOptimizePipeline(mlir::OpPassManager &pm,
                           const OptimizeOptions &options = {});

/// Registers every dsr1 pipeline with the global registry (for dsr1-opt).
void registerPipelines();

} // namespace dsr1

#endif // DSR1_PIPELINES_PIPELINES_H
