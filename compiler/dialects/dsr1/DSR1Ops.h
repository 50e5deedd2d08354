//===- DSR1Ops.h - the dsr1 dialect, its attributes and ops -----*- C++ -*-===//
//
// Include this header to use the dsr1 dialect: it declares the dialect, its
// enums and attributes and every op.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DIALECTS_DSR1_DSR1OPS_H
#define DSR1_DIALECTS_DSR1_DSR1OPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "compiler/dialects/dsr1/DSR1Dialect.h.inc"
#include "compiler/dialects/dsr1/DSR1Enums.h.inc"
#include "compiler/dialects/dsr1/ShapeInference.h"

#define GET_ATTRDEF_CLASSES
#include "compiler/dialects/dsr1/DSR1Attrs.h.inc"

#define GET_OP_CLASSES
#include "compiler/dialects/dsr1/DSR1Ops.h.inc"

namespace dsr1 {
/// True for the 8- and 4-bit float types (f8E4M3FN, f8E4M3FNUZ, f8E5M2,
/// f8E5M2FNUZ, f8E8M0FNU, f4E2M1FN): dsr1 stores and casts them, no more.
inline bool isNarrowFloat(mlir::Type type) {
  return llvm::isa<mlir::Float8E4M3FNType, mlir::Float8E4M3FNUZType,
                   mlir::Float8E5M2Type, mlir::Float8E5M2FNUZType,
                   mlir::Float8E8M0FNUType, mlir::Float4E2M1FNType>(type);
}

/// For a binary elementwise op whose other operand is a splat of the op's
/// neutral element (x + -0.0, x - 0, x * 1, x / 1, x & true, x | 0, x ^ 0,
/// x << 0, x >> 0; the float ones exact, so x + 0.0 is not one), the operand
/// it passes through, else null. `operands` are the operands' constant values
/// (null where not constant). The result may still be a broadcast of it.
mlir::Value getNeutralOperand(mlir::Operation *op,
                              llvm::ArrayRef<mlir::Attribute> operands);
} // namespace dsr1

#endif // DSR1_DIALECTS_DSR1_DSR1OPS_H
