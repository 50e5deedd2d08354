//===- Weights.h - Constant tensors the frontends build --------*- C++ -*-===//
//
// The helpers frontends share to build a module: naming its inputs and
// outputs, ending its main function, and its weights.
//
// Weights become dsr1.constant ops: small ones dense (readable, foldable),
// large ones resource blobs. Frontends that rearrange weights at import time
// (a transposed Linear weight, LSTM gates in ONNX order) read and write them
// as raw row-major bytes.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_WEIGHTS_H
#define DSR1_FRONTEND_WEIGHTS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace dsr1 {

/// The argument and result attribute that holds a graph input's or output's
/// name, which the plan keeps (named after the first frontend, ONNX).
constexpr llvm::StringLiteral kIoNameAttr = "onnx.name";

/// Ends a frontend's main function: returns `results`, named `names` (as
/// kIoNameAttr), sets the function type from the arguments and results, and
/// verifies the module. Failure has been reported.
mlir::LogicalResult finishMain(mlir::OpBuilder &builder, mlir::Location loc,
                               mlir::func::FuncOp fn, mlir::ValueRange results,
                               llvm::ArrayRef<std::string> names);

/// Tensors up to this many elements become DenseElementsAttr (readable,
/// foldable: shapes, axes, scalars); larger ones are resource blobs.
constexpr int64_t kInlineElements = 64;

/// A resource key from a model's name for a tensor: identifier characters
/// only, so that the printed IR parses back.
std::string resourceKey(llvm::StringRef name);

/// A dsr1.constant of `type` holding `data` (row-major, little-endian, one
/// byte per i1), named `name` when it becomes a resource blob.
mlir::Value weightConstant(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::RankedTensorType type,
                           llvm::ArrayRef<char> data, llvm::StringRef name);

/// The row-major bytes of `v` when it is a dsr1.constant of a static shape
/// whose elements are whole bytes (not i1 or narrow floats); nullopt
/// otherwise.
std::optional<std::vector<char>> constantBytes(mlir::Value v);

} // namespace dsr1

#endif // DSR1_FRONTEND_WEIGHTS_H
