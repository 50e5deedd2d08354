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

void dsr1::buildOptimizePipeline(OpPassManager &pm) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createFoldPass());
  func.addPass(createCSEPass());
}

void dsr1::registerPipelines() {
  PassPipelineRegistration<>(
      "dsr1-optimize-pipeline",
      "Graph-level optimisation of a dsr1 module (-dsr1-fold, CSE)",
      [](OpPassManager &pm) { buildOptimizePipeline(pm); });
}
