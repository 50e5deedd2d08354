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

struct MemoryOptions {
  /// The arena's budget (-dsr1-insert-recompute's `memory-budget`: bytes or
  /// a percentage); empty: no recomputation.
  std::string budget;
  /// dsr1 or sqrt.
  std::string strategy = "dsr1";
  bool recomputeExpensive = false;
  /// Where to write the schedule and the recomputations as JSON (empty:
  /// nowhere).
  std::string scheduleJson;
};

/// Graph-level optimisation of a dsr1 module: canonicalisation and CSE, then
/// attention fusion. Later stages (precision, memory planning) append to it.
void buildOptimizePipeline(mlir::OpPassManager &pm,
                           const OptimizeOptions &options = {});

/// Memory for an outlined module: recomputation to fit a budget (when one
/// is given), then the arena's offsets.
void buildMemoryPipeline(mlir::OpPassManager &pm,
                         const MemoryOptions &options = {});

/// Registers every dsr1 pipeline with the global registry (for dsr1-opt).
void registerPipelines();

} // namespace dsr1

#endif // DSR1_PIPELINES_PIPELINES_H
