//===- Pipelines.h - The named dsr1 pass pipelines ------------*- C++ -*-===//
//
// The pipelines that dsr1-compile runs, registered in dsr1-opt as well.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_PIPELINES_PIPELINES_H
#define DSR1_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace dsr1 {

/// Graph-level optimisation of a dsr1 module: folding, canonicalisation and CSE
/// to a fixed point, then (with `fuse`) the fusion groups. Later stages
/// (precision, memory planning) append to it.
void buildOptimizePipeline(mlir::OpPassManager &pm, bool fuse = true);

/// Registers every dsr1 pipeline with the global registry (for dsr1-opt).
void registerPipelines();

} // namespace dsr1

#endif // DSR1_PIPELINES_PIPELINES_H
