//===- CostModel.h - the work a kernel does, for the passes that trade it -===//
//
// Floating-point operation counts per dsr1 op and per kernel. They rank
// choices (which value to recompute, later which op to demote to f16); they
// are estimates of arithmetic, not of time: data movement counts zero.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_PASSES_COSTMODEL_H
#define DSR1_PASSES_COSTMODEL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>

namespace dsr1 {

/// The arithmetic one op does: 2·M·N·K for a matrix product, 2 per
/// multiply-accumulate for convolutions, attention and recurrent cells, a
/// handful per element for softmax and the norms, one per element for
/// elementwise ops and reductions, zero for data movement. Zero where a shape
/// is not static.
uint64_t estimateFlops(mlir::Operation *op);

/// The sum over the ops of a kernel function's body.
uint64_t estimateKernelFlops(mlir::func::FuncOp kernel);

/// True for the ops whose recomputation costs about as much as the model's
/// own work: matrix products, convolutions, attention and recurrent layers.
bool isExpensiveOp(mlir::Operation *op);

/// True when a kernel function's body holds an expensive op.
bool isExpensiveKernel(mlir::func::FuncOp kernel);

} // namespace dsr1

#endif // DSR1_PASSES_COSTMODEL_H
