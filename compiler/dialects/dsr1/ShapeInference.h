//===- ShapeInference.h - Shape rules of dsr1 ops and passes ---*- C++ -*-===//
//
// The shape arithmetic behind the dsr1 ops' type inference (numpy broadcasting,
// convolution and pooling windows, ONNX reshape and slice rules), kept free of
// any op so that passes and the frontends compute shapes exactly the way the
// verifier does.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DIALECTS_DSR1_SHAPEINFERENCE_H
#define DSR1_DIALECTS_DSR1_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace dsr1 {

/// Renders a shape the way MLIR prints it: "2x?x8" ("scalar" for rank 0).
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Renders a number for a message: 2, -0.125, 1e-05, inf.
std::string formatNumber(double value);

/// The product of `dims`, or std::nullopt when it overflows int64_t (a shape
/// no tensor can have) or a dim is dynamic.
std::optional<int64_t> checkedProduct(llvm::ArrayRef<int64_t> dims);

/// Two dimensions agree when either is unknown (dynamic) or both are equal.
bool dimsAgree(int64_t a, int64_t b);

/// Renders a list of integers as "[1, -1, 0]".
std::string formatList(llvm::ArrayRef<int64_t> values);

/// Collects the message of a shape error while an inference function runs, and
/// reports it at the op's location prefixed with the op name, as op verifiers
/// do. Inference may also be asked without a location (by a pattern probing
/// whether an op would be valid); then nothing is printed.
class ShapeError {
public:
  ShapeError(std::optional<mlir::Location> loc, llvm::StringRef opName)
      : loc(loc), opName(opName) {}

  /// Streams the message; `return err << "..." ;` yields failure().
  template <typename T> ShapeError &operator<<(const T &value) {
    os << value;
    return *this;
  }
  operator llvm::LogicalResult();

private:
  std::optional<mlir::Location> loc;
  llvm::StringRef opName;
  std::string message;
  llvm::raw_string_ostream os{message};
};

/// numpy broadcasting of two shapes, dynamic (`?`) dims included: a ? against 1
/// or ? stays ?, a ? against n > 1 becomes n. Returns false when two known dims
/// differ and neither is 1.
bool broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                     llvm::SmallVectorImpl<int64_t> &result);

/// Broadcast of every operand's shape, with `elementType` (or the first
/// operand's element type when null) as the result element type.
llvm::LogicalResult
inferBroadcastResult(std::optional<mlir::Location> loc, llvm::StringRef opName,
                     llvm::ArrayRef<mlir::Type> operands,
                     mlir::Type elementType,
                     llvm::SmallVectorImpl<mlir::Type> &results);

/// Output length of a sliding window (convolution or pooling) along one
/// dimension. A dynamic input gives a dynamic output; std::nullopt when the
/// window does not fit even once.
std::optional<int64_t> windowOutputSize(int64_t input, int64_t kernel,
                                        int64_t stride, int64_t padBegin,
                                        int64_t padEnd, int64_t dilation,
                                        bool ceilMode);

/// Shape of numpy.matmul(lhs, rhs). Fails, saying why, on a rank-0 operand or
/// mismatched contracted or batch dimensions.
llvm::LogicalResult inferMatMulShape(llvm::ArrayRef<int64_t> lhs,
                                     llvm::ArrayRef<int64_t> rhs,
                                     llvm::SmallVectorImpl<int64_t> &result,
                                     ShapeError &err);

/// Result shape of ONNX Reshape (allowzero = 0): 0 copies the input dimension,
/// -1 is inferred from the element count.
llvm::LogicalResult inferReshapeShape(llvm::ArrayRef<int64_t> input,
                                      llvm::ArrayRef<int64_t> shape,
                                      llvm::SmallVectorImpl<int64_t> &result,
                                      ShapeError &err);

/// The [start, end) range and step that ONNX Slice selects in a dimension of
/// size `dim` (negative bounds count from the end and are clamped), as the
/// number of elements selected.
int64_t sliceLength(int64_t dim, int64_t start, int64_t end, int64_t step);

/// True when `perm` is a permutation of [0, rank).
bool isPermutation(llvm::ArrayRef<int64_t> perm, int64_t rank);

/// True when every axis is in [0, rank) and none repeats.
bool areValidAxes(llvm::ArrayRef<int64_t> axes, int64_t rank);

} // namespace dsr1

#endif // DSR1_DIALECTS_DSR1_SHAPEINFERENCE_H
