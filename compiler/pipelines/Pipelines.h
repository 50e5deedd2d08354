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

/// -dsr1-assign-precision's options (see Passes.td).
struct PrecisionOptions {
  /// fp32 (the pass does not run), tf32, fp16, bf16 or auto.
  std::string mode = "fp32";
  /// Every target has bf16 (sm_80 and newer, the cpu device).
  bool bf16 = true;
  bool allowTf32 = false;
  /// auto: demote only the first this many ranked ops (-1: all), and not
  /// those of the ranks in keepRanks.
  int64_t demoteLimit = -1;
  std::vector<int64_t> keepRanks;
  /// The ranges and the choice above are final: the driver does not
  /// calibrate or search again (a try of its own search).
  bool decided = false;
  double rangeHeadroom = 2.0;
  /// Set dsr1.precision_reason on every float op, for the report.
  bool explain = false;
};

/// What the optimise pipeline does beyond cleaning up.
struct OptimizeOptions {
  /// Fuse attention blocks and elementwise work into larger kernels (false:
  /// every op its own kernel, the baseline fusion is measured against).
  bool fuse = true;
  /// NAME=text|image|audio: the modality of a graph input, over what its name
  /// and type suggest (-dsr1-fuse-attention's `modality` option).
  std::vector<std::string> modalities;
  /// The precision of each op, chosen after attention fusion and before
  /// elementwise fusion (so that the casts fuse).
  PrecisionOptions precision;
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

/// Graph-level optimisation of a dsr1 module: canonicalisation and CSE,
/// attention fusion, precision, then elementwise fusion. Memory planning
/// appends to it.
void buildOptimizePipeline(mlir::OpPassManager &pm,
                           const OptimizeOptions &options = {});

/// The part of the optimise pipeline before precision: canonicalisation and
/// CSE, and attention fusion. The graph it leaves is the one calibration
/// observes (the optimise pipeline leaves such a graph as it is).
void buildCleanupPipeline(mlir::OpPassManager &pm,
                          const OptimizeOptions &options = {});

/// Memory for an outlined module: recomputation to fit a budget (when one
/// is given), then the arena's offsets.
void buildMemoryPipeline(mlir::OpPassManager &pm,
                         const MemoryOptions &options = {});

/// Registers every dsr1 pipeline with the global registry (for dsr1-opt).
void registerPipelines();

} // namespace dsr1

#endif // DSR1_PIPELINES_PIPELINES_H
