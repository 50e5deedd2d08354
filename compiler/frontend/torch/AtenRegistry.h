//===- AtenRegistry.h - The table of aten lowerings (internal) -*- C++ -*-===//
//
// Shared by the files that fill the table (AtenScalarOps.cpp, AtenTensorOps
// .cpp, AtenNNOps.cpp) and the helpers they have in common.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_TORCH_ATENREGISTRY_H
#define DSR1_FRONTEND_TORCH_ATENREGISTRY_H

#include "compiler/frontend/torch/AtenOps.h"

#include "llvm/ADT/StringMap.h"

namespace dsr1::torch_frontend {

using AtenTable = llvm::StringMap<AtenLowering>;

void registerScalarOps(AtenTable &table);
void registerTensorOps(AtenTable &table);
void registerNNOps(AtenTable &table);

/// Appends `v` as a tensor result, failing when it is null (a build failed).
mlir::LogicalResult pushTensor(std::vector<AtenValue> &results, mlir::Value v);

/// The element type the operands of an elementwise op compute in, by
/// PyTorch's promotion: tensors with dims first, then zero-dim tensors,
/// then Python numbers, each moving up only to a higher category (bool,
/// integer, float); a Python float is the default dtype (f32), an int i64.
mlir::FailureOr<mlir::Type> promotedType(AtenOpContext &ctx,
                                         llvm::ArrayRef<AtenValue> operands);

/// The operands as tensors of `element`: Python numbers become rank-0
/// constants, tensors are cast where needed.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
operandsAs(AtenOpContext &ctx, llvm::ArrayRef<AtenValue> operands,
           mlir::Type element);

/// The constant values of `v` when it is a dsr1.constant with readable
/// elements (small tensors built at import time, scalars), as doubles.
std::optional<llvm::SmallVector<double>> constantValues(mlir::Value v);

/// Reshapes `v` to `shape` (no-op when it has it).
mlir::Value reshapeTo(AtenOpContext &ctx, mlir::Value v,
                      llvm::ArrayRef<int64_t> shape);

/// Evaluates the Python arithmetic `op` ("add", "floordiv", "lt", "neg",
/// ...) on ctx's numbers (or lists, for "add") at import time.
mlir::LogicalResult scalarArithmetic(AtenOpContext &ctx, llvm::StringRef op,
                                     std::vector<AtenValue> &results);

/// Whether `t` is a float element type.
inline bool isFloat(mlir::Type t) { return mlir::isa<mlir::FloatType>(t); }

} // namespace dsr1::torch_frontend

#endif // DSR1_FRONTEND_TORCH_ATENREGISTRY_H
