//===- Pipelines.cpp - the named dsr1 pass pipelines
//--------------------------===//
//
// Builds and registers dsr1's pass pipelines.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipelines/Pipelines.h"
#include "compiler/passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void dsr1::buildOptimizePipeline(OpPassManager &pm, bool fuse) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
  if (fuse)
    func.addPass(createFuseElementwisePass());
}

namespace {
struct OptimizePipelineOptions
    : public PassPipelineOptions<OptimizePipelineOptions> {
  Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Form fusion groups (-dsr1-fuse-elementwise)"),
      llvm::cl::init(true)};
};
} // namespace

void dsr1::registerPipelines() {
  PassPipelineRegistration<OptimizePipelineOptions>(
      "dsr1-optimize-pipeline",
      "Graph-level optimisation of a dsr1 module (fold, canonicalize, CSE, "
      "fusion)",
      [](OpPassManager &pm, const OptimizePipelineOptions &options) {
        buildOptimizePipeline(pm, options.fuse);
      });
}
