//===- ShapeInference.cpp - shape rules shared by dsr1 ops and passes -----===//
//
// Broadcasting, window, matmul, reshape and slice shape arithmetic with dynamic
// dimensions.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/ShapeInference.h"

#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cstdio>

using namespace mlir;

namespace dsr1 {

static constexpr int64_t kDynamic = ShapedType::kDynamic;

std::string formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << '?';
        else
          os << d;
      },
      "x");
  return text;
}

std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

std::optional<int64_t> checkedProduct(ArrayRef<int64_t> dims) {
  int64_t product = 1;
  for (int64_t d : dims)
    if (ShapedType::isDynamic(d) || llvm::MulOverflow(product, d, product))
      return std::nullopt;
  return product;
}

std::string formatList(ArrayRef<int64_t> values) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(values, os);
  os << ']';
  return text;
}

ShapeError::operator LogicalResult() {
  if (loc)
    emitError(*loc) << "'" << opName << "' op " << message;
  return failure();
}

bool broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                     SmallVectorImpl<int64_t> &result) {
  size_t rank = std::max(a.size(), b.size());
  result.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    int64_t &out = result[i];
    if (x == 1) {
      out = y;
    } else if (y == 1) {
      out = x;
    } else if (ShapedType::isDynamic(x)) {
      out = y; // ? against n > 1 must be n at run time (or ? if both unknown).
    } else if (ShapedType::isDynamic(y) || x == y) {
      out = x;
    } else {
      return false;
    }
  }
  return true;
}

LogicalResult inferBroadcastResult(std::optional<Location> loc,
                                   StringRef opName, ArrayRef<Type> operands,
                                   Type elementType,
                                   SmallVectorImpl<Type> &results) {
  ShapeError err(loc, opName);
  SmallVector<int64_t> shape;
  for (auto [i, type] : llvm::enumerate(operands)) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return err << "operand #" << i << " must be a ranked tensor, got "
                 << type;
    SmallVector<int64_t> next;
    if (i == 0) {
      shape.assign(tensor.getShape().begin(), tensor.getShape().end());
      elementType = elementType ? elementType : tensor.getElementType();
      continue;
    }
    if (!broadcastShapes(shape, tensor.getShape(), next)) {
      err << "operands are not broadcast-compatible: ";
      for (auto [j, t] : llvm::enumerate(operands))
        err << (j == 0                     ? ""
                : j + 1 == operands.size() ? " and "
                                           : ", ")
            << formatShape(cast<RankedTensorType>(t).getShape());
      return err;
    }
    shape = std::move(next);
  }
  results.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

std::optional<int64_t> windowOutputSize(int64_t input, int64_t kernel,
                                        int64_t stride, int64_t padBegin,
                                        int64_t padEnd, int64_t dilation,
                                        bool ceilMode) {
  if (ShapedType::isDynamic(input))
    return kDynamic;
  // span = dilation * (kernel - 1) + 1 and room = input + pads - span, none of
  // which may overflow: an absurd attribute must not yield a plausible shape.
  int64_t span, padded, room;
  if (llvm::MulOverflow(dilation, kernel - 1, span) ||
      llvm::AddOverflow(span, int64_t(1), span) ||
      llvm::AddOverflow(input, padBegin, padded) ||
      llvm::AddOverflow(padded, padEnd, padded) ||
      llvm::SubOverflow(padded, span, room) || room < 0)
    return std::nullopt;
  int64_t steps = room / stride + (ceilMode && room % stride != 0 ? 1 : 0);
  // ONNX (and PyTorch): with ceil_mode the last window must start inside the
  // input or the begin padding, never entirely in the end padding.
  int64_t lastStart;
  if (ceilMode && (llvm::MulOverflow(steps, stride, lastStart) ||
                   lastStart >= input + padBegin))
    --steps;
  return steps + 1;
}

LogicalResult inferMatMulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                               SmallVectorImpl<int64_t> &result,
                               ShapeError &err) {
  if (lhs.empty() || rhs.empty())
    return err << "operands must have rank >= 1, got " << formatShape(lhs)
               << " and " << formatShape(rhs);
  // numpy promotes a 1-D lhs to [1, K] and a 1-D rhs to [K, 1], then drops the
  // added dim.
  SmallVector<int64_t> a(lhs), b(rhs);
  if (lhs.size() == 1)
    a.insert(a.begin(), 1);
  if (rhs.size() == 1)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return err << "contracted dimensions differ: " << formatShape(lhs)
               << " and " << formatShape(rhs) << " (" << k1 << " vs " << k2
               << ")";
  SmallVector<int64_t> batch;
  if (!broadcastShapes(ArrayRef(a).drop_back(2), ArrayRef(b).drop_back(2),
                       batch))
    return err << "batch dimensions are not broadcast-compatible: "
               << formatShape(lhs) << " and " << formatShape(rhs);
  result.assign(batch.begin(), batch.end());
  if (lhs.size() > 1)
    result.push_back(a[a.size() - 2]);
  if (rhs.size() > 1)
    result.push_back(b.back());
  return success();
}

LogicalResult inferReshapeShape(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> shape,
                                SmallVectorImpl<int64_t> &result,
                                ShapeError &err) {
  result.clear();
  std::optional<size_t> inferredAt;
  bool inputStatic = ShapedType::isStaticShape(input);
  int64_t known = 1; // Product of the result dims that are known.
  bool resultHasDynamic = false;
  for (auto [i, entry] : llvm::enumerate(shape)) {
    int64_t d = entry;
    if (d == -1) {
      if (inferredAt)
        return err << "shape " << formatList(shape) << " has more than one -1";
      inferredAt = i;
      result.push_back(kDynamic);
      continue;
    }
    if (d < -1)
      return err << "shape entry " << d << " at index " << i << " is negative";
    if (d == 0) {
      if (i >= input.size())
        return err << "shape entry 0 at index " << i
                   << " copies a dimension the rank-" << input.size()
                   << " input does not have";
      d = input[i];
    }
    result.push_back(d);
    if (ShapedType::isDynamic(d))
      resultHasDynamic = true;
    else if (llvm::MulOverflow(known, d, known))
      return err << "shape " << formatList(shape)
                 << " has more elements than int64_t can count";
  }
  std::optional<int64_t> inputElements = checkedProduct(input);
  if (!inputStatic) {
    // The -1 is still known when every dynamic input dim is copied (0) to
    // the same index: copies cancel, -1 = (input dims not copied) / (sizes).
    if (!inferredAt)
      return success();
    int64_t rest = 1, sizes = 1;
    for (auto [i, d] : llvm::enumerate(input)) {
      if (i < shape.size() && shape[i] == 0)
        continue;
      if (ShapedType::isDynamic(d) || llvm::MulOverflow(rest, d, rest))
        return success(); // Not determined: -1 stays dynamic.
    }
    for (int64_t entry : shape)
      if (entry > 0)
        sizes *= entry; // Bounded by `known`, which did not overflow.
    if (sizes == 0 || rest % sizes != 0)
      return err << "cannot reshape " << formatShape(input) << " to "
                 << formatList(shape);
    result[*inferredAt] = rest / sizes;
    return success();
  }
  if (!inputElements)
    return success(); // Too many elements to count: nothing to check.
  int64_t total = *inputElements;
  if (inferredAt) {
    if (known == 0 || total % known != 0)
      return err << "cannot reshape " << formatShape(input) << " (" << total
                 << " elements) to " << formatList(shape);
    if (!resultHasDynamic)
      result[*inferredAt] = total / known;
    return success();
  }
  if (!resultHasDynamic && known != total)
    return err << "cannot reshape " << formatShape(input) << " (" << total
               << " elements) to " << formatShape(result) << " (" << known
               << " elements)";
  return success();
}

int64_t sliceLength(int64_t dim, int64_t start, int64_t end, int64_t step) {
  auto clamp = [](int64_t v, int64_t lo, int64_t hi) {
    return std::min(std::max(v, lo), hi);
  };
  // Shift negative bounds by dim without overflowing at INT64_MIN.
  if (start < 0)
    start = start < -dim ? -1 : start + dim;
  if (end < 0)
    end = end < -dim ? -1 : end + dim;
  // The step's magnitude as unsigned: -INT64_MIN does not fit in int64_t.
  uint64_t stride = step > 0 ? uint64_t(step) : uint64_t(0) - uint64_t(step);
  if (step > 0) {
    start = clamp(start, 0, dim);
    end = clamp(end, 0, dim);
  } else {
    start = clamp(start, 0, dim - 1);
    end = clamp(end, -1, dim - 1);
    std::swap(start, end); // Count the elements of (end, start] instead.
    ++start;
    ++end;
  }
  if (end <= start)
    return 0;
  return static_cast<int64_t>((uint64_t(end - start) - 1) / stride + 1);
}

bool isPermutation(ArrayRef<int64_t> perm, int64_t rank) {
  if (static_cast<int64_t>(perm.size()) != rank)
    return false;
  return areValidAxes(perm, rank);
}

bool areValidAxes(ArrayRef<int64_t> axes, int64_t rank) {
  llvm::SmallBitVector seen(rank);
  for (int64_t a : axes) {
    if (a < 0 || a >= rank || seen.test(a))
      return false;
    seen.set(a);
  }
  return true;
}

} // namespace dsr1
