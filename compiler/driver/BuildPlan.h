//===- BuildPlan.h - from an outlined graph to a runtime plan ---*- C++ -*-===//
//
// Reads the schedule off a graph function after -dsr1-outline-kernels
// (weights, kernel calls, the return) and lays every intermediate out in one
// arena.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DRIVER_BUILDPLAN_H
#define DSR1_DRIVER_BUILDPLAN_H

#include "runtime/Plan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace dsr1 {

/// The plan of `graph`, whose body must be dsr1.constant ops, calls to
/// kernel functions and a return, all on statically shaped tensors. Errors
/// are emitted at the value or op at fault.
mlir::FailureOr<Plan> buildPlan(mlir::func::FuncOp graph);

/// The runtime dtype of an MLIR element type, if the runtime has one.
std::optional<DType> dtypeOf(mlir::Type elementType);

} // namespace dsr1

#endif // DSR1_DRIVER_BUILDPLAN_H
