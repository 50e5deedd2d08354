//===- LowerDataMovement.cpp - dsr1 data movement ops to linalg/tensor ----===//
//
// The dsr1-to-linalg patterns for transpose, reshape, expand, concat, slice,
// split, pad, gather, scatter, resize and grid_sample. All but the two
// samplers only move elements, so they are indifferent to signedness; resize
// weighs input elements with tap tables computed at compile time, grid_sample
// with weights computed from the grid as it runs.
//
// Slices of an operand are copied into tensors of their own (linalg.copy)
// rather than returned as views: a kernel result must be a plain buffer. The
// ops that index with data (gather, scatter) clamp every index they use, so
// that a bad index cannot read or write out of bounds, and report it through
// the kernel's status word, checked before the data is touched.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace dsr1::cpu {
namespace {

using IPred = arith::CmpIPredicate;

/// The operand number of `indices` in gather and scatter ops, for the status
/// word.
constexpr unsigned kIndicesOperand = 1;

RankedTensorType tensorTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// True if every operand and result of `op` is a statically shaped tensor.
bool hasStaticShapes(Operation *op) {
  auto isStatic = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && tensor.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

/// A copy of `source` in a tensor of its own (`linalg.copy` into
/// `tensor.empty`), so that it bufferizes to a fresh buffer rather than a
/// view of, or a write into, an operand.
Value copyToNewTensor(OpBuilder &b, Location loc, Value source) {
  Value init = emptyTensor(b, loc, tensorTypeOf(source));
  return linalg::CopyOp::create(b, loc, ValueRange{source}, ValueRange{init})
      .getResult(0);
}

/// The iteration indices of the enclosing linalg.generic, `linalg.index`
/// 0 to rank - 1.
SmallVector<Value> loopIndices(OpBuilder &b, Location loc, int64_t rank) {
  SmallVector<Value> indices;
  for (int64_t d = 0; d < rank; ++d)
    indices.push_back(linalg::IndexOp::create(b, loc, d));
  return indices;
}

/// `raw` (i32 or i64) as i64.
Value toI64(OpBuilder &b, Location loc, Value raw) {
  Type i64 = b.getI64Type();
  if (raw.getType() == i64)
    return raw;
  return arith::ExtSIOp::create(b, loc, i64, raw);
}

/// i1: whether the i64 index `index` is outside [-size, size).
Value isOutOfRange(OpBuilder &b, Location loc, Value index, Value size) {
  Value negSize = arith::SubIOp::create(
      b, loc, scalarConstant(b, loc, size.getType(), 0), size);
  Value below = arith::CmpIOp::create(b, loc, IPred::slt, index, negSize);
  Value above = arith::CmpIOp::create(b, loc, IPred::sge, index, size);
  return arith::OrIOp::create(b, loc, below, above);
}

/// An index read from an indices tensor, as an `index` in [0, size): a
/// negative one counts from the end, and one out of range is clamped, so
/// that accessing with it stays in bounds whatever the data. `bad` (i1) says
/// it was out of range. `size` must be positive.
struct CheckedIndex {
  Value index;
  Value bad;
};

CheckedIndex checkIndex(OpBuilder &b, Location loc, Value raw, int64_t size) {
  Type i64 = b.getI64Type();
  Value index = toI64(b, loc, raw);
  Value sizeValue = scalarConstant(b, loc, i64, size);
  Value zero = scalarConstant(b, loc, i64, 0);
  Value bad = isOutOfRange(b, loc, index, sizeValue);
  Value negative = arith::CmpIOp::create(b, loc, IPred::slt, index, zero);
  Value shifted = arith::SelectOp::create(
      b, loc, negative, arith::AddIOp::create(b, loc, index, sizeValue), index);
  Value clamped = arith::MinSIOp::create(b, loc, shifted,
                                         scalarConstant(b, loc, i64, size - 1));
  clamped = arith::MaxSIOp::create(b, loc, clamped, zero);
  return {arith::IndexCastOp::create(b, loc, b.getIndexType(), clamped), bad};
}

/// i1: whether any entry of `indices` is outside [-size, size), where the
/// size is `sizes[0]`; with several sizes, an entry at position j of the
/// last dimension is checked against `sizes[j]` (scatter_nd's index tuples).
/// A reduction (linalg.generic with an `or` body) into a tensor<i1>.
Value anyIndexOutOfRange(OpBuilder &b, Location loc, Value indices,
                         ArrayRef<int64_t> sizes) {
  int64_t rank = tensorTypeOf(indices).getRank();
  Type i1 = b.getI1Type();
  auto flagType = RankedTensorType::get({}, i1);
  Value init = filledTensor(b, loc, flagType, scalarConstant(b, loc, i1, 0));
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, /*symbolCount=*/0, {}, b.getContext())};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{flagType}, ValueRange{indices}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Type i64 = nested.getI64Type();
        Value size = scalarConstant(nested, nestedLoc, i64, sizes.back());
        if (sizes.size() > 1) {
          Value position = linalg::IndexOp::create(nested, nestedLoc, rank - 1);
          for (int64_t j = static_cast<int64_t>(sizes.size()) - 2; j >= 0;
               --j) {
            Value isJ =
                arith::CmpIOp::create(nested, nestedLoc, IPred::eq, position,
                                      indexConstant(nested, nestedLoc, j));
            size = arith::SelectOp::create(
                nested, nestedLoc, isJ,
                scalarConstant(nested, nestedLoc, i64, sizes[j]), size);
          }
        }
        Value bad = isOutOfRange(nested, nestedLoc,
                                 toI64(nested, nestedLoc, args[0]), size);
        Value any = arith::OrIOp::create(nested, nestedLoc, args[1], bad);
        linalg::YieldOp::create(nested, nestedLoc, any);
      });
  return tensor::ExtractOp::create(b, loc, generic.getResult(0), ValueRange{});
}

/// Checks `indices` against `sizes` (see anyIndexOutOfRange) and reports a
/// bad one through the kernel's status word.
void reportBadIndices(OpBuilder &b, Location loc, Operation *op, Value indices,
                      ArrayRef<int64_t> sizes) {
  Value anyBad = anyIndexOutOfRange(b, loc, indices, sizes);
  reportBadOperand(b, loc, op, anyBad, kIndicesOperand);
}

/// `update` combined with `current` by a scatter reduction.
Value combine(OpBuilder &b, Location loc, ScatterReduction reduction,
              Value current, Value update, bool isUnsignedInt) {
  bool isFloat = isa<FloatType>(current.getType());
  // Bools: add is or, mul is and, max and min are unsigned.
  bool isBool = current.getType().isInteger(1);
  switch (reduction) {
  case ScatterReduction::none:
    return update;
  case ScatterReduction::add:
    if (isFloat)
      return arith::AddFOp::create(b, loc, current, update);
    if (isBool)
      return arith::OrIOp::create(b, loc, current, update);
    return arith::AddIOp::create(b, loc, current, update);
  case ScatterReduction::mul:
    if (isFloat)
      return arith::MulFOp::create(b, loc, current, update);
    if (isBool)
      return arith::AndIOp::create(b, loc, current, update);
    return arith::MulIOp::create(b, loc, current, update);
  case ScatterReduction::max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, current, update);
    if (isBool || isUnsignedInt)
      return arith::MaxUIOp::create(b, loc, current, update);
    return arith::MaxSIOp::create(b, loc, current, update);
  case ScatterReduction::min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, current, update);
    if (isBool || isUnsignedInt)
      return arith::MinUIOp::create(b, loc, current, update);
    return arith::MinSIOp::create(b, loc, current, update);
  }
  llvm_unreachable("unknown scatter reduction");
}

/// Computes the next value of the carried tensor from the induction
/// variables of a loop nest and the current value.
using LoopBody = function_ref<Value(OpBuilder &, Location, ValueRange, Value)>;

Value buildLoopNest(OpBuilder &b, Location loc, ArrayRef<int64_t> bounds,
                    Value carried, LoopBody body, SmallVectorImpl<Value> &ivs) {
  if (ivs.size() == bounds.size())
    return body(b, loc, ivs, carried);
  int64_t bound = bounds[ivs.size()];
  auto loop = scf::ForOp::create(
      b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, bound),
      indexConstant(b, loc, 1), ValueRange{carried},
      [&](OpBuilder &nested, Location nestedLoc, Value iv, ValueRange args) {
        ivs.push_back(iv);
        Value next =
            buildLoopNest(nested, nestedLoc, bounds, args[0], body, ivs);
        ivs.pop_back();
        scf::YieldOp::create(nested, nestedLoc, next);
      });
  return loop.getResult(0);
}

/// scf.for loops over [0, bounds) carrying the tensor `init`.
Value buildLoopNest(OpBuilder &b, Location loc, ArrayRef<int64_t> bounds,
                    Value init, LoopBody body) {
  SmallVector<Value> ivs;
  return buildLoopNest(b, loc, bounds, init, body, ivs);
}

/// Static offsets, sizes and strides as OpFoldResults.
SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(
      values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

/// The `[offset, offset + size)` window of `source` along `axis`, copied into
/// a tensor of its own (`sliceType` gives the size).
Value copySlice(OpBuilder &b, Location loc, Value source, int64_t axis,
                int64_t offset, RankedTensorType sliceType) {
  if (sliceType.getNumElements() == 0)
    return emptyTensor(b, loc, sliceType);
  int64_t rank = sliceType.getRank();
  SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
  offsets[axis] = offset;
  Value slice = tensor::ExtractSliceOp::create(
      b, loc, sliceType, source, indexAttrs(b, offsets),
      indexAttrs(b, sliceType.getShape()), indexAttrs(b, strides));
  return copyToNewTensor(b, loc, slice);
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// One input element an output element of a resized axis reads, and its
/// weight.
struct Tap {
  int64_t index;
  double weight;
};

/// The input coordinate of output coordinate `x` along an axis of `in`
/// elements resized to `out` by `scale` (ONNX coordinate_transformation_mode;
/// like the ONNX reference, the output width is `scale * in`, not `out`).
/// tf_crop_and_resize maps the output onto [roiStart, roiEnd] * (in - 1).
double inputCoordinate(CoordinateMode mode, double x, double scale, int64_t in,
                       int64_t out, double roiStart, double roiEnd) {
  double outWidth = scale * static_cast<double>(in);
  switch (mode) {
  case CoordinateMode::tf_crop_and_resize: {
    // The roi's arithmetic in f32, as the ONNX reference and onnxruntime do
    // on a float roi: nearest rounding at a tie depends on it.
    float last = static_cast<float>(in - 1);
    float span = static_cast<float>(roiEnd) - static_cast<float>(roiStart);
    float start = static_cast<float>(roiStart) * last;
    if (outWidth == 1)
      return span * last / 2 + start;
    return x * static_cast<double>(span) * (in - 1) / (outWidth - 1) + start;
  }
  case CoordinateMode::align_corners:
    return outWidth == 1 ? 0.0 : x * (in - 1) / (outWidth - 1);
  case CoordinateMode::asymmetric:
    return x / scale;
  case CoordinateMode::pytorch_half_pixel:
    return outWidth == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  case CoordinateMode::half_pixel:
    return (x + 0.5) / scale - 0.5;
  case CoordinateMode::half_pixel_symmetric: {
    double adjustment = static_cast<double>(out) / outWidth;
    double offset = static_cast<double>(in) / 2 * (1 - adjustment);
    return offset + (x + 0.5) / scale - 0.5;
  }
  }
  llvm_unreachable("unknown coordinate mode");
}

/// The weights of the neighbours of an input coordinate whose distance past
/// the neighbour below is `ratio` (in (0, 1]), as in the ONNX reference.
SmallVector<double> resizeCoefficients(ResizeOp op, double ratio,
                                       double scale) {
  double a = op.getCubicCoeffA().convertToDouble();
  // Antialiasing stretches the filter by 1 / scale when downsampling.
  double stretch = std::min(scale, 1.0);
  auto normalized = [](SmallVector<double> coefficients) {
    double sum = 0;
    for (double c : coefficients)
      sum += c;
    for (double &c : coefficients)
      c /= sum;
    return coefficients;
  };
  switch (op.getMode()) {
  case ResizeMode::nearest:
    if (ratio == 1.0)
      return {0, 1};
    switch (op.getNearestMode()) {
    case NearestMode::round_prefer_floor:
      return {ratio <= 0.5 ? 1.0 : 0.0, ratio > 0.5 ? 1.0 : 0.0};
    case NearestMode::round_prefer_ceil:
      return {ratio < 0.5 ? 1.0 : 0.0, ratio >= 0.5 ? 1.0 : 0.0};
    case NearestMode::floor:
      return {1, 0};
    case NearestMode::ceil:
      return {0, 1};
    }
    llvm_unreachable("unknown nearest mode");
  case ResizeMode::linear: {
    if (!op.getAntialias())
      return {1 - ratio, ratio};
    int64_t start = static_cast<int64_t>(std::floor(-1 / stretch) + 1);
    SmallVector<double> coefficients;
    for (int64_t i = start; i < 2 - start; ++i)
      coefficients.push_back(
          std::clamp(1 - std::abs((i - ratio) * stretch), 0.0, 1.0));
    return normalized(coefficients);
  }
  case ResizeMode::cubic: {
    auto cubic = [a](double x) {
      x = std::abs(x);
      if (x <= 1)
        return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2)
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
      return 0.0;
    };
    if (!op.getAntialias())
      return {cubic(1 + ratio), cubic(ratio), cubic(1 - ratio),
              cubic(2 - ratio)};
    int64_t start = static_cast<int64_t>(std::floor(-2 / stretch) + 1);
    SmallVector<double> coefficients;
    for (int64_t i = start; i < 2 - start; ++i)
      coefficients.push_back(cubic(stretch * (i - ratio)));
    return normalized(coefficients);
  }
  }
  llvm_unreachable("unknown resize mode");
}

/// The taps of every output element along one axis (`in` to `out` elements
/// by `scale`), computed as the ONNX reference does: the coefficients
/// weight the nearest neighbours of the input coordinate in the input
/// padded by its edge elements. Taps of weight 0 are dropped and taps
/// reading the same element merged. With tf_crop_and_resize, an output whose
/// coordinate lies outside [0, in - 1] reads nothing and is marked in
/// `outside` (the caller writes the extrapolation value there).
SmallVector<SmallVector<Tap>> resizeTaps(ResizeOp op, int64_t in, int64_t out,
                                         double scale, double roiStart,
                                         double roiEnd,
                                         SmallVectorImpl<bool> &outside) {
  SmallVector<SmallVector<Tap>> taps;
  bool crops = op.getCoordinateMode() == CoordinateMode::tf_crop_and_resize;
  for (int64_t x = 0; x < out; ++x) {
    double coordinate = inputCoordinate(op.getCoordinateMode(), x, scale, in,
                                        out, roiStart, roiEnd);
    outside.push_back(crops && (coordinate < 0 || coordinate > in - 1));
    if (outside.back()) {
      taps.push_back({{0, 0.0}});
      continue;
    }
    double below = std::floor(coordinate);
    double ratio = coordinate == below ? 1.0 : coordinate - below;
    SmallVector<double> coefficients = resizeCoefficients(op, ratio, scale);
    int64_t n = coefficients.size();
    // The n nearest positions in the padded input, the lower one first on a
    // tie; they are consecutive, so a window around the coordinate holds
    // them.
    int64_t pad = (n + 1) / 2, paddedSize = in + 2 * pad;
    double padded = coordinate + pad;
    int64_t center = static_cast<int64_t>(std::clamp(
        std::floor(padded), 0.0, static_cast<double>(paddedSize - 1)));
    SmallVector<int64_t> candidates;
    for (int64_t i = std::max<int64_t>(0, center - n - 1);
         i <= std::min(paddedSize - 1, center + n + 1); ++i)
      candidates.push_back(i);
    llvm::stable_sort(candidates, [&](int64_t l, int64_t r) {
      return std::abs(padded - l) < std::abs(padded - r);
    });
    candidates.resize(std::min<size_t>(n, candidates.size()));
    llvm::sort(candidates);
    if (op.getExcludeOutside()) {
      double sum = 0;
      for (auto [i, c] : llvm::enumerate(candidates)) {
        if (c - pad < 0 || c - pad >= in)
          coefficients[i] = 0;
        sum += coefficients[i];
      }
      for (double &c : coefficients)
        c /= sum;
    }
    SmallVector<Tap> row;
    for (auto [i, c] : llvm::enumerate(candidates)) {
      if (coefficients[i] == 0)
        continue;
      int64_t index = std::clamp<int64_t>(c - pad, 0, in - 1);
      if (!row.empty() && row.back().index == index)
        row.back().weight += coefficients[i];
      else
        row.push_back({index, coefficients[i]});
    }
    if (row.empty())
      row.push_back({0, 0.0});
    taps.push_back(std::move(row));
  }
  return taps;
}

/// `input` resized along `axis` by `taps` (one list per output element): a
/// `linalg.generic` over the result and the taps (a reduction dimension)
/// whose body adds weight * `tensor.extract %input[.., index, ..]`, the
/// indices and weights being constants.
Value resizeAxis(OpBuilder &b, Location loc, Value input, int64_t axis,
                 ArrayRef<SmallVector<Tap>> taps) {
  auto inputType = tensorTypeOf(input);
  auto elementType = cast<FloatType>(inputType.getElementType());
  int64_t rank = inputType.getRank(), out = taps.size(), width = 1;
  for (const SmallVector<Tap> &row : taps)
    width = std::max<int64_t>(width, row.size());
  SmallVector<int64_t> indices(out * width, 0);
  SmallVector<APFloat> weights(
      out * width, APFloat::getZero(elementType.getFloatSemantics()));
  for (auto [x, row] : llvm::enumerate(taps)) {
    for (auto [k, tap] : llvm::enumerate(row)) {
      indices[x * width + k] = tap.index;
      APFloat weight(tap.weight);
      bool losesInfo = false;
      weight.convert(elementType.getFloatSemantics(),
                     APFloat::rmNearestTiesToEven, &losesInfo);
      weights[x * width + k] = weight;
    }
  }
  auto indexType = RankedTensorType::get({out, width}, b.getI64Type());
  auto weightType = RankedTensorType::get({out, width}, elementType);
  Value indexTable = arith::ConstantOp::create(
      b, loc, DenseIntElementsAttr::get(indexType, indices));
  Value weightTable = arith::ConstantOp::create(
      b, loc, DenseFPElementsAttr::get(weightType, weights));

  SmallVector<int64_t> shape(inputType.getShape());
  shape[axis] = out;
  auto resultType = RankedTensorType::get(shape, elementType);
  Value init =
      filledTensor(b, loc, resultType, scalarConstant(b, loc, elementType, 0));
  MLIRContext *context = b.getContext();
  AffineMap tableMap = AffineMap::get(
      rank + 1, 0, {b.getAffineDimExpr(axis), b.getAffineDimExpr(rank)},
      context);
  SmallVector<AffineMap> maps = {
      tableMap, tableMap,
      AffineMap::getMultiDimIdentityMap(rank + 1, context)
          .getMajorSubMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, ValueRange{weightTable, indexTable},
      ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        SmallVector<Value> coords = loopIndices(nested, nestedLoc, rank);
        coords[axis] = arith::IndexCastOp::create(
            nested, nestedLoc, nested.getIndexType(), args[1]);
        Value element =
            tensor::ExtractOp::create(nested, nestedLoc, input, coords);
        Value weighted =
            arith::MulFOp::create(nested, nestedLoc, args[0], element);
        Value sum = arith::AddFOp::create(nested, nestedLoc, args[2], weighted);
        linalg::YieldOp::create(nested, nestedLoc, sum);
      });
  return generic.getResult(0);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Lowers one data movement op; shapes must be static.
template <typename OpTy>
struct DataMovementLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const final {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    FailureOr<SmallVector<Value>> results = lower(op, adaptor, rewriter);
    if (failed(results))
      return failure();
    rewriter.replaceOp(op, *results);
    return success();
  }

  /// The values replacing the op's results, built with `rewriter` at the
  /// op (failure after a notifyMatchFailure).
  virtual FailureOr<SmallVector<Value>>
  lower(OpTy op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const = 0;
};

/// `dsr1.transpose %x perm P` =>
/// `linalg.transpose ins(%x) outs(tensor.empty) permutation = P`.
struct TransposeLowering : DataMovementLowering<TransposeOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(TransposeOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = signlessTensorType(op.getType());
    Value init = emptyTensor(rewriter, loc, resultType);
    auto transpose = linalg::TransposeOp::create(
        rewriter, loc, adaptor.getInput(), init, op.getPerm());
    return SmallVector<Value>{transpose->getResult(0)};
  }
};

/// `dsr1.reshape %x to S` =>
/// `tensor.reshape %x(%shape)` with the static result shape as a constant.
struct ReshapeLowering : DataMovementLowering<ReshapeOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(ReshapeOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = signlessTensorType(op.getType());
    auto shapeType =
        RankedTensorType::get({resultType.getRank()}, rewriter.getI64Type());
    Value shape = arith::ConstantOp::create(
        rewriter, loc,
        DenseIntElementsAttr::get(shapeType, resultType.getShape()));
    Value reshaped = tensor::ReshapeOp::create(rewriter, loc, resultType,
                                               adaptor.getInput(), shape);
    return SmallVector<Value>{reshaped};
  }
};

/// `dsr1.expand %x to S` =>
/// `linalg.generic ins(%x) { yield x }`, %x read through its numpy
/// broadcast map.
struct ExpandLowering : DataMovementLowering<ExpandOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(ExpandOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    auto resultType = signlessTensorType(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getInput(),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    return SmallVector<Value>{result};
  }
};

/// `dsr1.concat %a, %b axis k` =>
/// for each input, `linalg.copy` into its window of the result
/// (`tensor.extract_slice` / `tensor.insert_slice` of a `tensor.empty`).
struct ConcatLowering : DataMovementLowering<ConcatOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(ConcatOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = signlessTensorType(op.getType());
    int64_t axis = op.getAxis(), rank = resultType.getRank();
    Value result = emptyTensor(rewriter, loc, resultType);
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      auto inputType = tensorTypeOf(input);
      int64_t size = inputType.getDimSize(axis);
      if (inputType.getNumElements() == 0) {
        offset += size;
        continue;
      }
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[axis] = offset;
      SmallVector<OpFoldResult> offsetAttrs = indexAttrs(rewriter, offsets);
      SmallVector<OpFoldResult> sizeAttrs =
          indexAttrs(rewriter, inputType.getShape());
      SmallVector<OpFoldResult> strideAttrs = indexAttrs(rewriter, strides);
      Value window =
          tensor::ExtractSliceOp::create(rewriter, loc, inputType, result,
                                         offsetAttrs, sizeAttrs, strideAttrs);
      Value copied = linalg::CopyOp::create(rewriter, loc, ValueRange{input},
                                            ValueRange{window})
                         .getResult(0);
      result = tensor::InsertSliceOp::create(
          rewriter, loc, copied, result, offsetAttrs, sizeAttrs, strideAttrs);
      offset += size;
    }
    return SmallVector<Value>{result};
  }
};

/// `dsr1.split %x axis k sizes [s0, s1]` =>
/// one `tensor.extract_slice` per result, each copied by `linalg.copy`.
struct SplitLowering : DataMovementLowering<SplitOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(SplitOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    SmallVector<Value> results;
    int64_t offset = 0;
    for (Value result : op.getResults()) {
      auto resultType = signlessTensorType(result.getType());
      results.push_back(copySlice(rewriter, loc, adaptor.getInput(), axis,
                                  offset, resultType));
      offset += resultType.getDimSize(axis);
    }
    return results;
  }
};

/// `dsr1.slice %x {starts, ends, axes, steps}` =>
/// `tensor.extract_slice` of the elements taken (offsets, sizes and strides
/// from the ONNX rules), copied by `linalg.copy`; with negative steps, by a
/// `linalg.generic` that reads the reversed axes backwards instead.
struct SliceLowering : DataMovementLowering<SliceOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(SliceOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = tensorTypeOf(adaptor.getInput());
    auto resultType = signlessTensorType(op.getType());
    if (resultType.getNumElements() == 0)
      return SmallVector<Value>{emptyTensor(rewriter, loc, resultType)};

    int64_t rank = inputType.getRank();
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    SmallVector<bool> reversed(rank, false);
    ArrayRef<int64_t> starts = op.getStarts(), axes = op.getAxes(),
                      steps = op.getSteps();
    for (size_t i = 0; i < starts.size(); ++i) {
      int64_t axis = axes.empty() ? i : axes[i];
      int64_t step = steps.empty() ? 1 : steps[i];
      int64_t dim = inputType.getDimSize(axis);
      int64_t length = resultType.getDimSize(axis);
      // The first element taken, by the ONNX rules (see sliceLength).
      int64_t start = starts[i];
      if (start < 0)
        start = start < -dim ? -1 : start + dim;
      start = std::clamp<int64_t>(start, 0, step > 0 ? dim : dim - 1);
      if (step > 0 || length == 1) {
        offsets[axis] = start;
        strides[axis] = step > 0 ? step : 1;
        continue;
      }
      // Take the same elements forwards, from the last one, then reverse
      // (more than one element, so -step < dim does not overflow).
      int64_t stride = -step;
      offsets[axis] = start - stride * (length - 1);
      strides[axis] = stride;
      reversed[axis] = true;
    }

    Value slice = tensor::ExtractSliceOp::create(
        rewriter, loc, resultType, adaptor.getInput(),
        indexAttrs(rewriter, offsets),
        indexAttrs(rewriter, resultType.getShape()),
        indexAttrs(rewriter, strides));
    if (!llvm::is_contained(reversed, true))
      return SmallVector<Value>{copyToNewTensor(rewriter, loc, slice)};

    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d) {
      AffineExpr dim = rewriter.getAffineDimExpr(d);
      exprs.push_back(reversed[d] ? resultType.getDimSize(d) - 1 - dim : dim);
    }
    auto map = AffineMap::get(rank, 0, exprs, rewriter.getContext());
    Value result = buildParallel(
        rewriter, loc, resultType, slice, map,
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    return SmallVector<Value>{result};
  }
};

/// `dsr1.pad %x [pads] {mode, value}` =>
/// `linalg.generic` over the result: each element reads the input at its
/// index minus the begin pad, mapped into range by the mode (constant: the
/// value outside; reflect: mirrored without repeating the edge; edge:
/// clamped; wrap: modulo the size) with `tensor.extract`. Negative pads
/// crop.
struct PadLowering : DataMovementLowering<PadOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(PadOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = tensorTypeOf(input);
    auto resultType = signlessTensorType(op.getType());
    Type elementType = resultType.getElementType();
    PadMode mode = op.getMode();
    double padValue = op.getValue().convertToDouble();
    if (resultType.getNumElements() == 0)
      return SmallVector<Value>{emptyTensor(rewriter, loc, resultType)};
    // Nothing to read: every element is padding (reflect and edge have no
    // defined result; they get the value too).
    if (inputType.getNumElements() == 0) {
      Value fill = scalarConstant(rewriter, loc, elementType, padValue);
      return SmallVector<Value>{filledTensor(rewriter, loc, resultType, fill)};
    }

    int64_t rank = inputType.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    Value result = buildParallel(
        rewriter, loc, resultType, {}, {},
        [&](OpBuilder &b, Location nestedLoc, ValueRange) {
          auto constant = [&](int64_t v) {
            return indexConstant(b, nestedLoc, v);
          };
          SmallVector<Value> coords = loopIndices(b, nestedLoc, rank);
          Value inBounds;
          for (int64_t d = 0; d < rank; ++d) {
            int64_t begin = pads[d], end = pads[d + rank];
            int64_t size = inputType.getDimSize(d);
            Value i = coords[d];
            if (begin != 0)
              i = arith::SubIOp::create(b, nestedLoc, i, constant(begin));
            if (begin <= 0 && end <= 0) {
              coords[d] = i; // Cropped or unpadded: in range.
              continue;
            }
            auto clamp = [&] {
              Value below =
                  arith::MinSIOp::create(b, nestedLoc, i, constant(size - 1));
              return arith::MaxSIOp::create(b, nestedLoc, below, constant(0))
                  .getResult();
            };
            switch (mode) {
            case PadMode::constant: {
              Value clamped = clamp();
              Value inside =
                  arith::CmpIOp::create(b, nestedLoc, IPred::eq, i, clamped);
              inBounds = inBounds ? arith::AndIOp::create(b, nestedLoc,
                                                          inBounds, inside)
                                  : inside;
              coords[d] = clamped;
              break;
            }
            case PadMode::edge:
              coords[d] = clamp();
              break;
            case PadMode::reflect: {
              if (size == 1) {
                coords[d] = constant(0);
                break;
              }
              // Mirror images repeat every 2 (size - 1): fold i into one
              // period, then the second half back.
              int64_t period = 2 * (size - 1);
              Value m =
                  arith::RemSIOp::create(b, nestedLoc, i, constant(period));
              Value negative = arith::CmpIOp::create(b, nestedLoc, IPred::slt,
                                                     m, constant(0));
              m = arith::SelectOp::create(
                  b, nestedLoc, negative,
                  arith::AddIOp::create(b, nestedLoc, m, constant(period)), m);
              Value second = arith::CmpIOp::create(b, nestedLoc, IPred::sge, m,
                                                   constant(size));
              coords[d] = arith::SelectOp::create(
                  b, nestedLoc, second,
                  arith::SubIOp::create(b, nestedLoc, constant(period), m), m);
              break;
            }
            case PadMode::wrap: {
              // The remainder rounded toward zero, moved into [0, size).
              Value m = arith::RemSIOp::create(b, nestedLoc, i, constant(size));
              Value negative = arith::CmpIOp::create(b, nestedLoc, IPred::slt,
                                                     m, constant(0));
              coords[d] = arith::SelectOp::create(
                  b, nestedLoc, negative,
                  arith::AddIOp::create(b, nestedLoc, m, constant(size)), m);
              break;
            }
            }
          }
          Value element =
              tensor::ExtractOp::create(b, nestedLoc, input, coords);
          if (!inBounds)
            return element;
          Value fill = scalarConstant(b, nestedLoc, elementType, padValue);
          return arith::SelectOp::create(b, nestedLoc, inBounds, element, fill)
              .getResult();
        });
    return SmallVector<Value>{result};
  }
};

/// Reads `data` at one index per element of `indices` along `axis` into a
/// tensor of `resultType`: the indices are checked first (bad ones reported
/// through the status word), then a `linalg.generic ins(%indices)` (read
/// through `indicesMap`) extracts `data` at the position `position` builds
/// from the loop indices and the checked index.
Value gatherAlong(
    ConversionPatternRewriter &rewriter, Location loc, Operation *op,
    Value data, Value indices, int64_t axis, RankedTensorType resultType,
    AffineMap indicesMap,
    function_ref<SmallVector<Value>(ArrayRef<Value> loops, Value index)>
        position) {
  int64_t size = tensorTypeOf(data).getDimSize(axis);
  reportBadIndices(rewriter, loc, op, indices, size);
  if (size == 0) // Every index is bad; nothing can be read.
    return filledTensor(
        rewriter, loc, resultType,
        scalarConstant(rewriter, loc, resultType.getElementType(), 0));
  return buildParallel(rewriter, loc, resultType, indices, indicesMap,
                       [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
                         SmallVector<Value> loops =
                             loopIndices(b, nestedLoc, resultType.getRank());
                         Value index =
                             checkIndex(b, nestedLoc, args[0], size).index;
                         return tensor::ExtractOp::create(
                                    b, nestedLoc, data, position(loops, index))
                             .getResult();
                       });
}

/// Whether `indices` fits `data` in every dimension but `axis`, as
/// gather_elements and scatter_elements require.
bool indicesFitData(RankedTensorType indicesType, RankedTensorType dataType,
                    int64_t axis) {
  for (int64_t d = 0; d < dataType.getRank(); ++d)
    if (d != axis && indicesType.getDimSize(d) > dataType.getDimSize(d))
      return false;
  return true;
}

/// `dsr1.gather %data[%indices] axis k` =>
/// a reduction checking the indices (bad ones reported through the status
/// word), then `linalg.generic ins(%indices)` over the result whose body
/// reads `tensor.extract %data[i0.., checked(index), ..]`.
struct GatherLowering : DataMovementLowering<GatherOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(GatherOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    auto resultType = signlessTensorType(op.getType());
    int64_t axis = op.getAxis();
    int64_t indicesRank = tensorTypeOf(adaptor.getIndices()).getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < indicesRank; ++d)
      exprs.push_back(rewriter.getAffineDimExpr(axis + d));
    auto indicesMap =
        AffineMap::get(resultType.getRank(), 0, exprs, rewriter.getContext());
    Value result = gatherAlong(
        rewriter, op.getLoc(), op, adaptor.getData(), adaptor.getIndices(),
        axis, resultType, indicesMap, [&](ArrayRef<Value> loops, Value index) {
          SmallVector<Value> coords(loops.take_front(axis));
          coords.push_back(index);
          llvm::append_range(coords, loops.drop_front(axis + indicesRank));
          return coords;
        });
    return SmallVector<Value>{result};
  }
};

/// `dsr1.gather_elements %data[%indices] axis k` =>
/// a reduction checking the indices, then `linalg.generic ins(%indices)`
/// whose body reads `tensor.extract %data[i0.., checked(index), ..]`.
struct GatherElementsLowering : DataMovementLowering<GatherElementsOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(GatherElementsOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto resultType = signlessTensorType(op.getType());
    int64_t axis = op.getAxis();
    if (!indicesFitData(tensorTypeOf(indices), tensorTypeOf(data), axis))
      return rewriter.notifyMatchFailure(
          op, "indices are larger than data in a dimension other than axis");
    Value result =
        gatherAlong(rewriter, op.getLoc(), op, data, indices, axis, resultType,
                    rewriter.getMultiDimIdentityMap(resultType.getRank()),
                    [&](ArrayRef<Value> loops, Value index) {
                      SmallVector<Value> coords(loops);
                      coords[axis] = index;
                      return coords;
                    });
    return SmallVector<Value>{result};
  }
};

/// `dsr1.scatter_elements %data[%indices], %updates axis k` =>
/// a reduction checking the indices, then scf.for loops over the indices
/// that `tensor.insert` each update, combined with the element it lands on,
/// into a copy of %data (an update with a bad index is skipped).
struct ScatterElementsLowering : DataMovementLowering<ScatterElementsOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(ScatterElementsOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    Value updates = adaptor.getUpdates();
    auto dataType = tensorTypeOf(data);
    auto indicesType = tensorTypeOf(indices);
    int64_t axis = op.getAxis();
    if (!indicesFitData(indicesType, dataType, axis))
      return rewriter.notifyMatchFailure(
          op, "indices are larger than data in a dimension other than axis");
    int64_t size = dataType.getDimSize(axis);
    reportBadIndices(rewriter, loc, op, indices, size);
    Value result = copyToNewTensor(rewriter, loc, data);
    if (size == 0 || indicesType.getNumElements() == 0)
      return SmallVector<Value>{result};

    ScatterReduction reduction = op.getReduction();
    bool isUnsignedInt = isUnsigned(op.getData().getType());
    result = buildLoopNest(
        rewriter, loc, indicesType.getShape(), result,
        [&](OpBuilder &b, Location nestedLoc, ValueRange ivs, Value current) {
          Value raw = tensor::ExtractOp::create(b, nestedLoc, indices, ivs);
          CheckedIndex index = checkIndex(b, nestedLoc, raw, size);
          SmallVector<Value> target(ivs);
          target[axis] = index.index;
          Value update = tensor::ExtractOp::create(b, nestedLoc, updates, ivs);
          Value old = tensor::ExtractOp::create(b, nestedLoc, current, target);
          Value next =
              combine(b, nestedLoc, reduction, old, update, isUnsignedInt);
          next = arith::SelectOp::create(b, nestedLoc, index.bad, old, next);
          return tensor::InsertOp::create(b, nestedLoc, next, current, target)
              .getResult();
        });
    return SmallVector<Value>{result};
  }
};

/// `dsr1.scatter_nd %data[%indices], %updates` =>
/// a reduction checking the index tuples, then scf.for loops over the
/// updates that `tensor.insert` each one, combined with the element it lands
/// on, into a copy of %data (an update with a bad index is skipped).
struct ScatterNDLowering : DataMovementLowering<ScatterNDOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(ScatterNDOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    Value updates = adaptor.getUpdates();
    auto dataType = tensorTypeOf(data);
    auto indicesType = tensorTypeOf(indices);
    auto updatesType = tensorTypeOf(updates);
    int64_t tupleRank = indicesType.getRank() - 1;
    int64_t k = indicesType.getDimSize(tupleRank);
    ArrayRef<int64_t> indexedDims = dataType.getShape().take_front(k);
    reportBadIndices(rewriter, loc, op, indices, indexedDims);
    Value result = copyToNewTensor(rewriter, loc, data);
    if (dataType.getNumElements() == 0 || updatesType.getNumElements() == 0)
      return SmallVector<Value>{result};

    ScatterReduction reduction = op.getReduction();
    bool isUnsignedInt = isUnsigned(op.getData().getType());
    result = buildLoopNest(
        rewriter, loc, updatesType.getShape(), result,
        [&](OpBuilder &b, Location nestedLoc, ValueRange ivs, Value current) {
          SmallVector<Value> position(ivs.take_front(tupleRank));
          position.push_back(Value());
          SmallVector<Value> target;
          Value bad;
          for (int64_t j = 0; j < k; ++j) {
            position.back() = indexConstant(b, nestedLoc, j);
            Value raw =
                tensor::ExtractOp::create(b, nestedLoc, indices, position);
            CheckedIndex index = checkIndex(b, nestedLoc, raw, indexedDims[j]);
            target.push_back(index.index);
            bad = bad ? arith::OrIOp::create(b, nestedLoc, bad, index.bad)
                      : index.bad;
          }
          llvm::append_range(target, ivs.drop_front(tupleRank));
          Value update = tensor::ExtractOp::create(b, nestedLoc, updates, ivs);
          Value old = tensor::ExtractOp::create(b, nestedLoc, current, target);
          Value next =
              combine(b, nestedLoc, reduction, old, update, isUnsignedInt);
          next = arith::SelectOp::create(b, nestedLoc, bad, old, next);
          return tensor::InsertOp::create(b, nestedLoc, next, current, target)
              .getResult();
        });
    return SmallVector<Value>{result};
  }
};

/// `input` where no mask marks its position, else `value`: one
/// `linalg.generic` reading a constant i1 mask per masked axis. An output of
/// tf_crop_and_resize outside the input along any axis is the extrapolation
/// value (the ONNX reference interpolates between such values along the other
/// axes, which gives the same value back).
Value extrapolate(OpBuilder &b, Location loc, Value input,
                  ArrayRef<std::pair<int64_t, SmallVector<bool>>> masks,
                  double value) {
  auto type = tensorTypeOf(input);
  int64_t rank = type.getRank();
  MLIRContext *context = b.getContext();
  SmallVector<Value> inputs = {input};
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(rank, context)};
  for (const auto &[axis, mask] : masks) {
    auto maskType = RankedTensorType::get({static_cast<int64_t>(mask.size())},
                                          b.getI1Type());
    inputs.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(maskType, ArrayRef<bool>(mask))));
    maps.push_back(AffineMap::get(rank, 0, b.getAffineDimExpr(axis), context));
  }
  return buildParallel(
      b, loc, type, inputs, maps,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value any = args[1];
        for (Value m : args.drop_front(2))
          any = arith::OrIOp::create(nb, nl, any, m);
        Value fill = scalarConstant(nb, nl, args[0].getType(), value);
        return arith::SelectOp::create(nb, nl, any, fill, args[0]);
      });
}

/// `dsr1.resize %x to S {scales, mode, ...}` =>
/// per resized axis, a `linalg.generic` summing weight * `tensor.extract`
/// over the taps of each output element, the tap indices and weights being
/// constants computed here by the ONNX reference rules (f16 and bf16 are
/// resized in f32).
struct ResizeLowering : DataMovementLowering<ResizeOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(ResizeOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = tensorTypeOf(input);
    auto resultType = signlessTensorType(op.getType());
    if (resultType.getNumElements() == 0)
      return SmallVector<Value>{emptyTensor(rewriter, loc, resultType)};
    if (inputType.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "resizes an empty tensor");

    Type elementType = inputType.getElementType();
    Type computeType = elementType;
    if (elementType.getIntOrFloatBitWidth() < 32) {
      computeType = rewriter.getF32Type();
      input = buildElementwise(
          rewriter, loc, inputType.clone(computeType), input,
          [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
            return convertScalar(b, nestedLoc, args[0], computeType, false,
                                 false);
          });
    }
    ArrayRef<double> scales = op.getScales();
    int64_t rank = inputType.getRank();
    SmallVector<double> roi(rank, 0.0);
    roi.append(rank, 1.0);
    if (std::optional<ArrayRef<double>> given = op.getRoi())
      roi.assign(given->begin(), given->end());
    // Per axis, the outputs outside the input (tf_crop_and_resize).
    SmallVector<std::pair<int64_t, SmallVector<bool>>> outsideMasks;
    for (int64_t axis = 0; axis < rank; ++axis) {
      int64_t in = inputType.getDimSize(axis);
      int64_t out = resultType.getDimSize(axis);
      if (scales[axis] == 1.0 && in == out && roi[axis] == 0.0 &&
          roi[rank + axis] == 1.0)
        continue;
      SmallVector<bool> outside;
      input = resizeAxis(rewriter, loc, input, axis,
                         resizeTaps(op, in, out, scales[axis], roi[axis],
                                    roi[rank + axis], outside));
      if (llvm::is_contained(outside, true))
        outsideMasks.push_back({axis, std::move(outside)});
    }
    if (!outsideMasks.empty())
      input = extrapolate(rewriter, loc, input, outsideMasks,
                          op.getExtrapolationValue().convertToDouble());
    if (computeType != elementType)
      input = buildElementwise(
          rewriter, loc, resultType, input,
          [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
            return convertScalar(b, nestedLoc, args[0], elementType, false,
                                 false);
          });
    return SmallVector<Value>{input};
  }
};

//===----------------------------------------------------------------------===//
// Grid sampling
//===----------------------------------------------------------------------===//

/// Folds `x` into [lo, hi] by reflecting it at the borders as often as it
/// takes (ONNX GridSample's reflection; hi > lo).
Value reflectInto(OpBuilder &b, Location loc, Value x, double lo, double hi) {
  using FPred = arith::CmpFPredicate;
  Type type = x.getType();
  auto cst = [&](double v) { return scalarConstant(b, loc, type, v); };
  Value loV = cst(lo), hiV = cst(hi);
  Value below = arith::CmpFOp::create(b, loc, FPred::OLT, x, loV);
  Value above = arith::CmpFOp::create(b, loc, FPred::OGT, x, hiV);
  Value dx = arith::SelectOp::create(b, loc, below,
                                     arith::SubFOp::create(b, loc, loV, x),
                                     arith::SubFOp::create(b, loc, x, hiV));
  Value range = cst(hi - lo);
  Value flips =
      math::FloorOp::create(b, loc, arith::DivFOp::create(b, loc, dx, range));
  Value rest = arith::SubFOp::create(
      b, loc, dx, arith::MulFOp::create(b, loc, flips, range));
  Value half = arith::MulFOp::create(b, loc, flips, cst(0.5));
  Value even = arith::CmpFOp::create(b, loc, FPred::OEQ,
                                     math::FloorOp::create(b, loc, half), half);
  Value fromLo = arith::AddFOp::create(b, loc, loV, rest);
  Value fromHi = arith::SubFOp::create(b, loc, hiV, rest);
  // An even number of flips leaves x as far inside the border it crossed as
  // it was outside; an odd number measures from the other border.
  Value belowResult = arith::SelectOp::create(b, loc, even, fromLo, fromHi);
  Value aboveResult = arith::SelectOp::create(b, loc, even, fromHi, fromLo);
  return arith::SelectOp::create(
      b, loc, below, belowResult,
      arith::SelectOp::create(b, loc, above, aboveResult, x));
}

/// The Keys cubic convolution weights (a = -0.75, as PyTorch and the ONNX
/// reference) of the four elements around a position `t` in [0, 1) past the
/// second one.
SmallVector<Value> cubicWeights(OpBuilder &b, Location loc, Value t) {
  Type type = t.getType();
  auto cst = [&](double v) { return scalarConstant(b, loc, type, v); };
  auto add = [&](Value x, Value y) {
    return arith::AddFOp::create(b, loc, x, y);
  };
  auto sub = [&](Value x, Value y) {
    return arith::SubFOp::create(b, loc, x, y);
  };
  auto mul = [&](Value x, Value y) {
    return arith::MulFOp::create(b, loc, x, y);
  };
  const double a = -0.75;
  // |d| in (1, 2): ((a|d| - 5a)|d| + 8a)|d| - 4a.
  auto outer = [&](Value d) {
    return sub(mul(add(mul(sub(mul(cst(a), d), cst(5 * a)), d), cst(8 * a)), d),
               cst(4 * a));
  };
  // |d| in [0, 1]: ((a + 2)|d| - (a + 3))|d|^2 + 1.
  auto inner = [&](Value d) {
    return add(mul(mul(sub(mul(cst(a + 2), d), cst(a + 3)), d), d), cst(1));
  };
  Value oneMinusT = sub(cst(1), t);
  return {outer(add(t, cst(1))), inner(t), inner(oneMinusT),
          outer(sub(cst(2), t))};
}

/// One element that an output element of grid_sample weighs in, along one
/// spatial dim: its index and weight, and whether it lies inside the input
/// (only zeros padding reads outside as 0).
struct GridTap {
  Value index;
  Value weight;
  Value inside;
};

/// `dsr1.grid_sample %x, %grid` =>
/// `linalg.generic` over the result whose body reads the position from
/// %grid (tensor.extract), maps it to input coordinates, and sums the taps of
/// the interpolation, each read from %x by `tensor.extract` at an index
/// clamped into the input (f16 and bf16 are sampled in f32).
struct GridSampleLowering : DataMovementLowering<GridSampleOp> {
  using DataMovementLowering::DataMovementLowering;

  FailureOr<SmallVector<Value>>
  lower(GridSampleOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), grid = adaptor.getGrid();
    auto inputType = tensorTypeOf(input);
    auto resultType = signlessTensorType(op.getType());
    if (resultType.getNumElements() == 0)
      return SmallVector<Value>{emptyTensor(rewriter, loc, resultType)};
    if (inputType.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "samples an empty input");

    Type elementType = inputType.getElementType();
    Type gridElementType = tensorTypeOf(grid).getElementType();
    Type computeType = elementType.isF64() || gridElementType.isF64()
                           ? Type(rewriter.getF64Type())
                           : Type(rewriter.getF32Type());
    int64_t rank = resultType.getRank(), spatial = rank - 2;
    bool align = op.getAlignCorners();
    ResizeMode mode = op.getMode();
    GridPadding padding = op.getPadding();

    Value result = buildParallel(
        rewriter, loc, resultType, ValueRange{}, {},
        [&](OpBuilder &b, Location l, ValueRange) {
          auto cst = [&](double v) {
            return scalarConstant(b, l, computeType, v);
          };
          SmallVector<Value> loops = loopIndices(b, l, rank);
          SmallVector<SmallVector<GridTap>> taps;
          for (int64_t i = 0; i < spatial; ++i) {
            int64_t size = inputType.getDimSize(2 + i);
            // The grid lists the coordinates from the last spatial dim.
            SmallVector<Value> at(1, loops[0]);
            at.append(loops.begin() + 2, loops.end());
            at.push_back(indexConstant(b, l, spatial - 1 - i));
            Value g = tensor::ExtractOp::create(b, l, grid, at);
            g = convertScalar(b, l, g, computeType, false, false);
            // [-1, 1] spans the corner centres, or their outer edges.
            Value x = arith::AddFOp::create(b, l, g, cst(1));
            x = align ? arith::MulFOp::create(b, l, x, cst((size - 1) / 2.0))
                      : arith::MulFOp::create(
                            b, l,
                            arith::SubFOp::create(
                                b, l, arith::MulFOp::create(b, l, x, cst(size)),
                                cst(1)),
                            cst(0.5));
            if (mode == ResizeMode::nearest)
              x = math::RoundEvenOp::create(b, l, x);
            double lo = align ? 0.0 : -0.5;
            double hi = align ? size - 1.0 : size - 0.5;
            // The position itself is brought inside first, then each tap
            // around it again (a tap can still fall one element outside).
            auto bringInside = [&](Value v) -> Value {
              if (padding == GridPadding::border)
                return arith::MinNumFOp::create(
                    b, l, arith::MaxNumFOp::create(b, l, v, cst(0)),
                    cst(size - 1));
              if (padding == GridPadding::reflection)
                return hi > lo ? reflectInto(b, l, v, lo, hi) : cst(lo);
              return v;
            };
            Value outside = arith::OrIOp::create(
                b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x,
                                      cst(lo)),
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                      cst(hi)));
            x = arith::SelectOp::create(b, l, outside, bringInside(x), x);

            SmallVector<std::pair<Value, Value>> positions; // (index, weight)
            if (mode == ResizeMode::nearest) {
              positions.push_back({x, cst(1)});
            } else {
              Value x0 = math::FloorOp::create(b, l, x);
              Value t = arith::SubFOp::create(b, l, x, x0);
              if (mode == ResizeMode::linear) {
                positions.push_back(
                    {x0, arith::SubFOp::create(b, l, cst(1), t)});
                positions.push_back(
                    {arith::AddFOp::create(b, l, x0, cst(1)), t});
              } else {
                SmallVector<Value> weights = cubicWeights(b, l, t);
                for (int64_t k = 0; k < 4; ++k)
                  positions.push_back(
                      {arith::AddFOp::create(b, l, x0, cst(k - 1)),
                       weights[k]});
              }
            }
            SmallVector<GridTap> dimTaps;
            for (auto [p, w] : positions) {
              Value inside = arith::AndIOp::create(
                  b, l,
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, p,
                                        cst(0)),
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, p,
                                        cst(size - 1)));
              if (padding != GridPadding::zeros)
                p = bringInside(p);
              // Clamped (NaN to 0) before truncating, so the read stays in
              // bounds whatever the grid holds.
              Value clamped = arith::MinNumFOp::create(
                  b, l, arith::MaxNumFOp::create(b, l, p, cst(0)),
                  cst(size - 1));
              Value index = arith::IndexCastOp::create(
                  b, l, b.getIndexType(),
                  arith::FPToSIOp::create(b, l, b.getI64Type(), clamped));
              dimTaps.push_back({index, w, inside});
            }
            taps.push_back(std::move(dimTaps));
          }

          // Sum over every combination of one tap per spatial dim.
          Value sum = cst(0);
          SmallVector<int64_t> choice(spatial, 0);
          while (true) {
            SmallVector<Value> at = {loops[0], loops[1]};
            Value weight = cst(1);
            Value inside;
            for (int64_t i = 0; i < spatial; ++i) {
              const GridTap &tap = taps[i][choice[i]];
              at.push_back(tap.index);
              weight = arith::MulFOp::create(b, l, weight, tap.weight);
              inside = inside ? arith::AndIOp::create(b, l, inside, tap.inside)
                              : tap.inside;
            }
            Value v = tensor::ExtractOp::create(b, l, input, at);
            v = convertScalar(b, l, v, computeType, false, false);
            if (padding == GridPadding::zeros)
              v = arith::SelectOp::create(b, l, inside, v, cst(0));
            sum = arith::AddFOp::create(b, l, sum,
                                        arith::MulFOp::create(b, l, weight, v));
            int64_t i = spatial - 1;
            while (i >= 0 &&
                   ++choice[i] == static_cast<int64_t>(taps[i].size())) {
              choice[i] = 0;
              --i;
            }
            if (i < 0)
              break;
          }
          return convertScalar(b, l, sum, elementType, false, false);
        });
    return SmallVector<Value>{result};
  }
};

} // namespace

void populateDataMovementPatterns(LoweringTypeConverter &converter,
                                  RewritePatternSet &patterns) {
  patterns.add<TransposeLowering, ReshapeLowering, ExpandLowering,
               ConcatLowering, SplitLowering, SliceLowering, PadLowering,
               GatherLowering, GatherElementsLowering, ScatterElementsLowering,
               ScatterNDLowering, ResizeLowering, GridSampleLowering>(
      converter, patterns.getContext());
}

} // namespace dsr1::cpu
