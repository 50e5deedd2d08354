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

#define GEN_PASS_DECL
#include "compiler/passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/passes/Passes.h.inc"

} // namespace dsr1

#endif // DSR1_PASSES_PASSES_H
