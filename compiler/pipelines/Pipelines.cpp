//===- Pipelines.cpp - the named dsr1 pass pipelines ----------------------===//
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

void dsr1::buildCleanupPipeline(OpPassManager &pm,
                                const OptimizeOptions &options) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createFoldPass());
  func.addPass(createCSEPass());
  if (!options.fuse)
    return;
  FuseAttentionPassOptions attention;
  attention.modality.assign(options.modalities.begin(),
                            options.modalities.end());
  pm.addPass(createFuseAttentionPass(attention));
  // The masks the fused blocks combined may fold with each other.
  OpPassManager &after = pm.nest<func::FuncOp>();
  after.addPass(createFoldPass());
  after.addPass(createCSEPass());
}

void dsr1::buildOptimizePipeline(OpPassManager &pm,
                                 const OptimizeOptions &options) {
  buildCleanupPipeline(pm, options);
  const PrecisionOptions &precision = options.precision;
  if (precision.mode != "fp32" || precision.explain) {
    AssignPrecisionPassOptions assign;
    assign.mode = precision.mode;
    assign.bf16 = precision.bf16;
    assign.allowTf32 = precision.allowTf32;
    assign.demoteLimit = precision.demoteLimit;
    assign.keepRanks.assign(precision.keepRanks.begin(),
                            precision.keepRanks.end());
    assign.rangeHeadroom = precision.rangeHeadroom;
    assign.explain = precision.explain;
    pm.addNestedPass<func::FuncOp>(createAssignPrecisionPass(assign));
  }
  if (options.fuse)
    pm.addNestedPass<func::FuncOp>(createFuseElementwisePass());
}

void dsr1::buildMemoryPipeline(OpPassManager &pm,
                               const MemoryOptions &options) {
  if (!options.budget.empty() || !options.scheduleJson.empty()) {
    InsertRecomputePassOptions recompute;
    recompute.memoryBudget = options.budget;
    recompute.strategy = options.strategy;
    recompute.recomputeExpensive = options.recomputeExpensive;
    recompute.scheduleJson = options.scheduleJson;
    pm.addPass(createInsertRecomputePass(recompute));
  }
  pm.addPass(createPlanMemoryPass());
}

namespace {
struct OptimizePipelineOptions : PassPipelineOptions<OptimizePipelineOptions> {
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Fuse attention blocks and elementwise "
                                   "work (false: every op its own kernel)"),
                    llvm::cl::init(true)};
  ListOption<std::string> modality{
      *this, "modality",
      llvm::cl::desc("NAME=text|image|audio: a graph input's modality")};
  Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("fp32, tf32, fp16, bf16 or auto (-dsr1-assign-precision "
                     "with its defaults)"),
      llvm::cl::init("fp32")};
};
} // namespace

void dsr1::registerPipelines() {
  PassPipelineRegistration<OptimizePipelineOptions>(
      "dsr1-optimize-pipeline",
      "Graph-level optimisation of a dsr1 module (-dsr1-fold, CSE, fusion, "
      "precision)",
      [](OpPassManager &pm, const OptimizePipelineOptions &pipelineOptions) {
        OptimizeOptions options;
        options.fuse = pipelineOptions.fuse;
        options.modalities.assign(pipelineOptions.modality.begin(),
                                  pipelineOptions.modality.end());
        options.precision.mode = pipelineOptions.precision;
        buildOptimizePipeline(pm, options);
      });
}
