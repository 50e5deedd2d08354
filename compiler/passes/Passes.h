//===- Passes.h - dsr1 graph passes -----------------------------*- C++ -*-===//
//
// Declarations and registration of the passes in Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_PASSES_PASSES_H
#define DSR1_PASSES_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace dsr1 {

/// The unit attribute that marks an outlined kernel function.
constexpr llvm::StringLiteral kKernelAttrName = "dsr1.kernel";
/// A kernel call's arena offsets, one per result (-1: not in the arena), set
/// by -dsr1-plan-memory.
constexpr llvm::StringLiteral kArenaOffsetsAttrName = "dsr1.arena_offsets";
/// A graph function's planned memory (arena_bytes, naive_bytes,
/// lower_bound_bytes), set by -dsr1-plan-memory.
constexpr llvm::StringLiteral kMemoryAttrName = "dsr1.memory";
/// A graph function's recomputation (budget_bytes, unconstrained_bytes,
/// strategy, recomputed, extra_flops, total_flops), set by
/// -dsr1-insert-recompute.
constexpr llvm::StringLiteral kRecomputationAttrName = "dsr1.recomputation";
/// The unit attribute on a call that computes a value again.
constexpr llvm::StringLiteral kRecomputeAttrName = "dsr1.recompute";

/// The graph functions of a module: every function that is neither a kernel
/// nor a declaration.
inline llvm::SmallVector<mlir::func::FuncOp>
graphFunctions(mlir::ModuleOp module) {
  llvm::SmallVector<mlir::func::FuncOp> graphs;
  for (auto func : module.getOps<mlir::func::FuncOp>())
    if (!func->hasAttr(kKernelAttrName) && !func.isExternal())
      graphs.push_back(func);
  return graphs;
}

#define GEN_PASS_DECL
#include "compiler/passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/passes/Passes.h.inc"

} // namespace dsr1

#endif // DSR1_PASSES_PASSES_H
