//===- LowerReductions.cpp - reductions, softmax, norms, scans ------------===//
//
// The dsr1-to-linalg patterns for reductions (sum, mean, max, min, prod), arg
// max/min, softmax and log-softmax, layer/batch/instance normalisation,
// cumulative sums and top-k.
//
// A reduction is a linalg.generic with reduction iterators on the reduced
// dims whose outputs have those dims dropped; keepdims puts them back as size
// 1 with tensor.expand_shape. A normalisation follows its statistics with a
// parallel generic that reads them along the reduced dims. f16 and bf16
// statistics (sums, means, variances, exponentials) are computed in f32 and
// the result is rounded once at the end.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallBitVector.h"

#include <limits>
#include <type_traits>

using namespace mlir;

namespace dsr1::cpu {
namespace {

using Pred = arith::CmpFPredicate;
using IPred = arith::CmpIPredicate;
using llvm::SmallBitVector;

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

bool isFloat(Type type) { return isa<FloatType>(type); }

/// The type statistics of `element` are computed in: f32 for f16 and bf16,
/// the element type itself otherwise.
Type statisticsType(Type element) {
  if (auto floatType = dyn_cast<FloatType>(element);
      floatType && floatType.getWidth() < 32)
    return Float32Type::get(element.getContext());
  return element;
}

/// Float `value` widened or rounded to the float type `to`.
Value castFloat(OpBuilder &b, Location loc, Value value, Type to) {
  return convertScalar(b, loc, value, to, /*fromUnsigned=*/false,
                       /*toUnsigned=*/false);
}

/// The largest (`max`) or smallest value of `type`: +-inf for floats, the
/// integer bounds by signedness otherwise.
Value extremeConstant(OpBuilder &b, Location loc, Type type, bool max,
                      bool isUnsignedInt) {
  if (isFloat(type))
    return scalarConstant(b, loc, type,
                          max ? std::numeric_limits<double>::infinity()
                              : -std::numeric_limits<double>::infinity());
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = isUnsignedInt ? (max ? APInt::getMaxValue(width)
                                     : APInt::getMinValue(width))
                              : (max ? APInt::getSignedMaxValue(width)
                                     : APInt::getSignedMinValue(width));
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
}

Value add(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value isNaN(OpBuilder &b, Location loc, Value x) {
  return arith::CmpFOp::create(b, loc, Pred::UNO, x, x);
}

/// The position along dim `dim` of the enclosing linalg.generic, as i64.
Value indexI64(OpBuilder &b, Location loc, int64_t dim) {
  Value index = linalg::IndexOp::create(b, loc, dim);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

//===----------------------------------------------------------------------===//
// Shapes and generics
//===----------------------------------------------------------------------===//

/// `shape` without the dims set in `reduced`.
SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                  const SmallBitVector &reduced) {
  SmallVector<int64_t> result;
  for (auto [i, size] : llvm::enumerate(shape))
    if (!reduced.test(i))
      result.push_back(size);
  return result;
}

/// The number of elements each reduced value summarises.
int64_t reducedCount(ArrayRef<int64_t> shape, const SmallBitVector &reduced) {
  int64_t count = 1;
  for (auto [i, size] : llvm::enumerate(shape))
    if (reduced.test(i))
      count *= size;
  return count;
}

/// The map from the full iteration space to an operand that has the dims in
/// `reduced` dropped.
AffineMap reducedMap(const SmallBitVector &reduced, MLIRContext *context) {
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < reduced.size(); ++i)
    if (!reduced.test(i))
      exprs.push_back(getAffineDimExpr(i, context));
  return AffineMap::get(reduced.size(), 0, exprs, context);
}

/// How an operand is read in the full iteration space: at the identity when
/// it has the full rank, along the kept dims when it is a reduced value.
AffineMap operandMap(Value operand, const SmallBitVector &reduced) {
  MLIRContext *context = operand.getContext();
  if (cast<RankedTensorType>(operand.getType()).getRank() ==
      static_cast<int64_t>(reduced.size()))
    return AffineMap::getMultiDimIdentityMap(reduced.size(), context);
  return reducedMap(reduced, context);
}

/// Computes the new accumulators from the inputs' scalars and the current
/// accumulators.
using ReductionBody = function_ref<SmallVector<Value>(
    OpBuilder &, Location, ValueRange inputs, ValueRange accumulators)>;

/// A linalg.generic over `shape` with reduction iterators on `reduced`. Each
/// input has either the full shape or the reduced one (see operandMap); the
/// results have the reduced shape and start from `inits`.
SmallVector<Value> buildReduction(OpBuilder &b, Location loc,
                                  ArrayRef<int64_t> shape,
                                  const SmallBitVector &reduced,
                                  ValueRange inputs, ValueRange inits,
                                  ReductionBody body) {
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(operandMap(input, reduced));
  for (Value init : inits)
    maps.push_back(operandMap(init, reduced));
  SmallVector<utils::IteratorType> iterators;
  for (unsigned i = 0; i < shape.size(); ++i)
    iterators.push_back(reduced.test(i) ? utils::IteratorType::reduction
                                        : utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, ValueRange(inits).getTypes(), inputs, inits, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        SmallVector<Value> results =
            body(nested, nestedLoc, args.take_front(inputs.size()),
                 args.drop_front(inputs.size()));
        linalg::YieldOp::create(nested, nestedLoc, results);
      });
  return llvm::to_vector_of<Value>(generic.getResults());
}

/// `value` (of the reduced shape) with the reduced dims put back as size 1
/// when `resultType` keeps them.
Value restoreReducedDims(OpBuilder &b, Location loc, Value value,
                         RankedTensorType resultType,
                         const SmallBitVector &reduced) {
  if (cast<RankedTensorType>(value.getType()).getRank() == resultType.getRank())
    return value;
  // Each kept dim starts a group; reduced dims join the group to their left
  // (the first group when they lead).
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (unsigned i = 0; i < reduced.size(); ++i) {
    pending.push_back(i);
    if (!reduced.test(i)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!groups.empty())
    llvm::append_range(groups.back(), pending);
  return tensor::ExpandShapeOp::create(b, loc, resultType, value, groups);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

template <typename OpTy> constexpr ReduceKind reduceKind();
template <> constexpr ReduceKind reduceKind<ReduceSumOp>() {
  return ReduceKind::Sum;
}
template <> constexpr ReduceKind reduceKind<ReduceMeanOp>() {
  return ReduceKind::Mean;
}
template <> constexpr ReduceKind reduceKind<ReduceMaxOp>() {
  return ReduceKind::Max;
}
template <> constexpr ReduceKind reduceKind<ReduceMinOp>() {
  return ReduceKind::Min;
}
template <> constexpr ReduceKind reduceKind<ReduceProdOp>() {
  return ReduceKind::Prod;
}

/// `%y = dsr1.reduce_<kind> %x axes [a...]` =>
/// `%r = linalg.generic {reduction on a...} ins(%x) outs(fill(identity))`,
/// then (mean) a division by the count, rounding to the storage type, and
/// (keepdims) `tensor.expand_shape %r`. Empty axes reduce every dim. Over an
/// empty set the sum is 0, the product 1, the mean NaN (0 for integers), the
/// max the lowest value of the type and the min the highest (ONNX). Integer
/// means are taken in f64 and truncated toward zero, as the ONNX reference
/// does.
template <typename OpTy> struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr ReduceKind kind = reduceKind<OpTy>();
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = signlessTensorType(op.getResult().getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    Type element = inputType.getElementType();
    // A bool is an unsigned 1-bit integer: max is any, min is all, and the
    // empty max and min are false and true.
    bool isUnsignedInt =
        isUnsigned(op.getInput().getType()) || element.isInteger(1);
    Type accType = statisticsType(element);
    if (kind == ReduceKind::Mean && !isFloat(element))
      accType = rewriter.getF64Type();

    SmallBitVector reduced(inputType.getRank(), op.getAxes().empty());
    for (int64_t axis : op.getAxes())
      reduced.set(axis);
    ArrayRef<int64_t> shape = inputType.getShape();
    auto accTensorType =
        RankedTensorType::get(reducedShape(shape, reduced), accType);

    Value init;
    switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      init = scalarConstant(rewriter, loc, accType, 0);
      break;
    case ReduceKind::Prod:
      init = scalarConstant(rewriter, loc, accType, 1);
      break;
    case ReduceKind::Max:
    case ReduceKind::Min:
      init = extremeConstant(rewriter, loc, accType, kind == ReduceKind::Min,
                             isUnsignedInt);
      break;
    }
    Value acc = filledTensor(rewriter, loc, accTensorType, init);
    Value result = buildReduction(
        rewriter, loc, shape, reduced, input, acc,
        [&](OpBuilder &b, Location nestedLoc, ValueRange inputs,
            ValueRange accs) -> SmallVector<Value> {
          Value x = convertScalar(b, nestedLoc, inputs[0], accType,
                                  isUnsignedInt, /*toUnsigned=*/false);
          return {combine(kind, b, nestedLoc, x, accs[0], isUnsignedInt)};
        })[0];

    if (kind == ReduceKind::Mean || accType != element) {
      // Divides by the count (mean) and rounds to the storage type.
      double count = static_cast<double>(reducedCount(shape, reduced));
      result = buildElementwise(
          rewriter, loc, accTensorType.clone(element), result,
          [&](OpBuilder &b, Location nestedLoc, ValueRange args) -> Value {
            Value value = args[0];
            // 0 / 0 is NaN, which an empty float mean is; an empty integer
            // mean stays 0 (NaN would not convert).
            if (kind == ReduceKind::Mean && (isFloat(element) || count != 0))
              value = arith::DivFOp::create(
                  b, nestedLoc, value,
                  scalarConstant(b, nestedLoc, accType, count));
            return convertScalar(b, nestedLoc, value, element,
                                 /*fromUnsigned=*/false, isUnsignedInt);
          });
    }
    rewriter.replaceOp(
        op, restoreReducedDims(rewriter, loc, result, resultType, reduced));
    return success();
  }

  static Value combine(ReduceKind kind, OpBuilder &b, Location loc, Value x,
                       Value acc, bool isUnsignedInt) {
    bool floating = isFloat(x.getType());
    switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      return add(b, loc, acc, x);
    case ReduceKind::Prod:
      if (floating)
        return arith::MulFOp::create(b, loc, acc, x);
      return arith::MulIOp::create(b, loc, acc, x);
    case ReduceKind::Max:
      // maximumf propagates NaN, as numpy's maximum.reduce does.
      if (floating)
        return arith::MaximumFOp::create(b, loc, acc, x);
      if (isUnsignedInt)
        return arith::MaxUIOp::create(b, loc, acc, x);
      return arith::MaxSIOp::create(b, loc, acc, x);
    case ReduceKind::Min:
      if (floating)
        return arith::MinimumFOp::create(b, loc, acc, x);
      if (isUnsignedInt)
        return arith::MinUIOp::create(b, loc, acc, x);
      return arith::MinSIOp::create(b, loc, acc, x);
    }
    llvm_unreachable("unknown reduction");
  }
};

//===----------------------------------------------------------------------===//
// Arg max / min
//===----------------------------------------------------------------------===//

/// `%i = dsr1.arg_max %x axis a` =>
/// `%v, %i = linalg.generic {reduction on a} ins(%x) outs(fill(-inf),
/// fill(0))` that keeps the value and the i64 index of the best element so
/// far (the first one, or the last with select_last_index), then (keepdims)
/// `tensor.expand_shape %i`. NaN is the maximum and the minimum, as in numpy.
template <typename OpTy, bool isMax>
struct ArgReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = signlessTensorType(op.getResult().getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    bool isUnsignedInt = isUnsigned(op.getInput().getType());
    bool last = op.getSelectLastIndex();
    int64_t axis = op.getAxis();
    Type element = inputType.getElementType();

    SmallBitVector reduced(inputType.getRank());
    reduced.set(axis);
    SmallVector<int64_t> shape = reducedShape(inputType.getShape(), reduced);
    Value values = filledTensor(
        rewriter, loc, RankedTensorType::get(shape, element),
        extremeConstant(rewriter, loc, element, !isMax, isUnsignedInt));
    Value indices = filledTensor(
        rewriter, loc, RankedTensorType::get(shape, rewriter.getI64Type()),
        scalarConstant(rewriter, loc, rewriter.getI64Type(), 0));
    SmallVector<Value> results = buildReduction(
        rewriter, loc, inputType.getShape(), reduced, input,
        ValueRange{values, indices},
        [&](OpBuilder &b, Location nestedLoc, ValueRange inputs,
            ValueRange accs) -> SmallVector<Value> {
          Value x = inputs[0], best = accs[0];
          Value take;
          if (isFloat(element)) {
            Pred pred = isMax ? (last ? Pred::OGE : Pred::OGT)
                              : (last ? Pred::OLE : Pred::OLT);
            take = arith::CmpFOp::create(b, nestedLoc, pred, x, best);
            // A NaN wins over numbers; among NaNs the first (last) wins.
            Value nanWins = isNaN(b, nestedLoc, x);
            if (!last)
              nanWins = arith::AndIOp::create(
                  b, nestedLoc, nanWins,
                  arith::CmpFOp::create(b, nestedLoc, Pred::ORD, best, best));
            take = arith::OrIOp::create(b, nestedLoc, take, nanWins);
          } else {
            IPred pred =
                isMax ? (last ? (isUnsignedInt ? IPred::uge : IPred::sge)
                              : (isUnsignedInt ? IPred::ugt : IPred::sgt))
                      : (last ? (isUnsignedInt ? IPred::ule : IPred::sle)
                              : (isUnsignedInt ? IPred::ult : IPred::slt));
            take = arith::CmpIOp::create(b, nestedLoc, pred, x, best);
          }
          Value index = indexI64(b, nestedLoc, axis);
          return {arith::SelectOp::create(b, nestedLoc, take, x, best),
                  arith::SelectOp::create(b, nestedLoc, take, index, accs[1])};
        });
    rewriter.replaceOp(
        op, restoreReducedDims(rewriter, loc, results[1], resultType, reduced));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// `%y = dsr1.softmax %x axis a` =>
/// `%m = linalg.generic {reduction on a} (max)`,
/// `%e = linalg.generic ins(%x, %m) (exp(x - m))`,
/// `%s = linalg.generic {reduction on a} ins(%e) (sum)`,
/// `%y = linalg.generic ins(%e, %s) (e / s)`; log_softmax sums exp(x - m)
/// directly, takes log(s) once per row and ends with `(x - m) - log(s)`.
/// Subtracting the max keeps exp from overflowing.
template <typename OpTy, bool isLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    Type element = inputType.getElementType();
    Type stat = statisticsType(element);
    SmallBitVector reduced(inputType.getRank());
    reduced.set(op.getAxis());
    ArrayRef<int64_t> shape = inputType.getShape();
    auto statType = RankedTensorType::get(reducedShape(shape, reduced), stat);

    Value max = buildReduction(
        rewriter, loc, shape, reduced, input,
        filledTensor(rewriter, loc, statType,
                     extremeConstant(rewriter, loc, stat, false, false)),
        [&](OpBuilder &b, Location nestedLoc, ValueRange inputs,
            ValueRange accs) -> SmallVector<Value> {
          Value x = castFloat(b, nestedLoc, inputs[0], stat);
          return {arith::MaximumFOp::create(b, nestedLoc, accs[0], x)};
        })[0];
    // exp runs once per element: into `e` for softmax, which is then summed
    // and scaled; inside the sum for log_softmax, which needs only log(s).
    auto expType = RankedTensorType::get(shape, stat);
    AffineMap identity = rewriter.getMultiDimIdentityMap(shape.size());
    Value e;
    if (!isLog)
      e = buildParallel(rewriter, loc, expType, ValueRange{input, max},
                        {operandMap(input, reduced), operandMap(max, reduced)},
                        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
                          Value x = castFloat(b, nestedLoc, args[0], stat);
                          return math::ExpOp::create(
                              b, nestedLoc,
                              arith::SubFOp::create(b, nestedLoc, x, args[1]));
                        });
    Value sum = buildReduction(
        rewriter, loc, shape, reduced,
        isLog ? ValueRange{input, max} : ValueRange{e},
        filledTensor(rewriter, loc, statType,
                     scalarConstant(rewriter, loc, stat, 0)),
        [&](OpBuilder &b, Location nestedLoc, ValueRange inputs,
            ValueRange accs) -> SmallVector<Value> {
          Value term = inputs[0];
          if (isLog)
            term = math::ExpOp::create(
                b, nestedLoc,
                arith::SubFOp::create(b, nestedLoc,
                                      castFloat(b, nestedLoc, inputs[0], stat),
                                      inputs[1]));
          return {arith::AddFOp::create(b, nestedLoc, accs[0], term)};
        })[0];
    Value result;
    if (isLog) {
      Value logSum =
          buildParallel(rewriter, loc, statType, ValueRange{sum},
                        {rewriter.getMultiDimIdentityMap(statType.getRank())},
                        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
                          return math::LogOp::create(b, nestedLoc, args[0]);
                        });
      result = buildParallel(
          rewriter, loc, inputType, ValueRange{input, max, logSum},
          {operandMap(input, reduced), operandMap(max, reduced),
           operandMap(logSum, reduced)},
          [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
            Value x = castFloat(b, nestedLoc, args[0], stat);
            Value shifted = arith::SubFOp::create(b, nestedLoc, x, args[1]);
            return castFloat(
                b, nestedLoc,
                arith::SubFOp::create(b, nestedLoc, shifted, args[2]), element);
          });
    } else {
      result = buildParallel(
          rewriter, loc, inputType, ValueRange{e, sum},
          {identity, operandMap(sum, reduced)},
          [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
            return castFloat(
                b, nestedLoc,
                arith::DivFOp::create(b, nestedLoc, args[0], args[1]), element);
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

/// The mean and 1 / sqrt(variance + epsilon) of `input` over the dims in
/// `reduced`, in the statistics type, of the reduced shape. The variance is
/// the biased one, taken around the mean (two passes: no cancellation).
std::pair<Value, Value> meanAndInvStdDev(OpBuilder &b, Location loc,
                                         Value input,
                                         const SmallBitVector &reduced,
                                         double epsilon) {
  auto inputType = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> shape = inputType.getShape();
  Type stat = statisticsType(inputType.getElementType());
  auto statType = RankedTensorType::get(reducedShape(shape, reduced), stat);
  double count = static_cast<double>(reducedCount(shape, reduced));
  auto zeros = [&] {
    return filledTensor(b, loc, statType, scalarConstant(b, loc, stat, 0));
  };

  Value sum = buildReduction(
      b, loc, shape, reduced, input, zeros(),
      [&](OpBuilder &nb, Location nl, ValueRange inputs,
          ValueRange accs) -> SmallVector<Value> {
        return {arith::AddFOp::create(nb, nl, accs[0],
                                      castFloat(nb, nl, inputs[0], stat))};
      })[0];
  Value mean = buildElementwise(
      b, loc, statType, sum, [&](OpBuilder &nb, Location nl, ValueRange args) {
        return arith::DivFOp::create(nb, nl, args[0],
                                     scalarConstant(nb, nl, stat, count));
      });
  Value squares = buildReduction(
      b, loc, shape, reduced, ValueRange{input, mean}, zeros(),
      [&](OpBuilder &nb, Location nl, ValueRange inputs,
          ValueRange accs) -> SmallVector<Value> {
        Value d = arith::SubFOp::create(
            nb, nl, castFloat(nb, nl, inputs[0], stat), inputs[1]);
        return {arith::AddFOp::create(nb, nl, accs[0],
                                      arith::MulFOp::create(nb, nl, d, d))};
      })[0];
  Value invStdDev = buildElementwise(
      b, loc, statType, squares,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value variance = arith::DivFOp::create(
            nb, nl, args[0], scalarConstant(nb, nl, stat, count));
        Value stdDev = math::SqrtOp::create(
            nb, nl,
            arith::AddFOp::create(nb, nl, variance,
                                  scalarConstant(nb, nl, stat, epsilon)));
        return arith::DivFOp::create(nb, nl, scalarConstant(nb, nl, stat, 1),
                                     stdDev);
      });
  return {mean, invStdDev};
}

/// The map that reads a per-channel parameter (dim 1 of an input of rank
/// `rank`); a size-1 parameter is broadcast.
AffineMap channelMap(RankedTensorType paramType, RankedTensorType inputType) {
  MLIRContext *context = paramType.getContext();
  AffineExpr expr = getAffineDimExpr(1, context);
  if (paramType.getDimSize(0) == 1 && inputType.getDimSize(1) != 1)
    expr = getAffineConstantExpr(0, context);
  return AffineMap::get(inputType.getRank(), 0, expr, context);
}

/// `(x - mean) * invStdDev * scale (+ bias)` in the statistics type, rounded to
/// the storage type: the last generic of layer and instance normalisation.
Value normalise(OpBuilder &b, Location loc, Value input,
                const SmallBitVector &reduced, Value mean, Value invStdDev,
                Value scale, AffineMap scaleMap, Value bias,
                AffineMap biasMap) {
  auto inputType = cast<RankedTensorType>(input.getType());
  Type element = inputType.getElementType();
  Type stat = statisticsType(element);
  SmallVector<Value> inputs = {input, mean, invStdDev, scale};
  SmallVector<AffineMap> maps = {operandMap(input, reduced),
                                 operandMap(mean, reduced),
                                 operandMap(invStdDev, reduced), scaleMap};
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(biasMap);
  }
  return buildParallel(
      b, loc, inputType, inputs, maps,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = castFloat(nb, nl, args[0], stat);
        Value normalised = arith::MulFOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, x, args[1]), args[2]);
        Value y = arith::MulFOp::create(nb, nl, normalised,
                                        castFloat(nb, nl, args[3], stat));
        if (args.size() > 4)
          y = arith::AddFOp::create(nb, nl, y,
                                    castFloat(nb, nl, args[4], stat));
        return castFloat(nb, nl, y, element);
      });
}

/// `%y = dsr1.layer_norm %x, %scale, %bias axis a` =>
/// mean and 1 / sqrt(var + eps) by `linalg.generic {reduction on a..rank}`,
/// then `%y = linalg.generic ins(%x, %mean, %inv, %scale, %bias)
/// ((x - mean) * inv * scale + bias)`, scale and bias read broadcast (numpy)
/// to the input.
struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    SmallBitVector reduced(inputType.getRank());
    reduced.set(op.getAxis(), inputType.getRank());
    auto [mean, invStdDev] = meanAndInvStdDev(
        rewriter, loc, input, reduced, op.getEpsilon().convertToDouble());
    Value scale = adaptor.getScale(), bias = adaptor.getBias();
    AffineMap biasMap;
    if (bias)
      biasMap = broadcastMap(cast<RankedTensorType>(bias.getType()), inputType);
    rewriter.replaceOp(
        op, normalise(rewriter, loc, input, reduced, mean, invStdDev, scale,
                      broadcastMap(cast<RankedTensorType>(scale.getType()),
                                   inputType),
                      bias, biasMap));
    return success();
  }
};

/// `%y = dsr1.instance_norm %x, %scale, %bias` =>
/// mean and 1 / sqrt(var + eps) per [n, c] by `linalg.generic {reduction on
/// 2..rank}`, then `%y = linalg.generic ins(%x, %mean, %inv, %scale, %bias)
/// ((x - mean) * inv * scale[c] + bias[c])`.
struct InstanceNormLowering : OpConversionPattern<InstanceNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(InstanceNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    if (!inputType.hasStaticShape() || inputType.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs a static [N, C, ...]");
    SmallBitVector reduced(inputType.getRank());
    reduced.set(2, inputType.getRank());
    auto [mean, invStdDev] = meanAndInvStdDev(
        rewriter, loc, input, reduced, op.getEpsilon().convertToDouble());
    Value scale = adaptor.getScale(), bias = adaptor.getBias();
    rewriter.replaceOp(
        op, normalise(
                rewriter, loc, input, reduced, mean, invStdDev, scale,
                channelMap(cast<RankedTensorType>(scale.getType()), inputType),
                bias,
                channelMap(cast<RankedTensorType>(bias.getType()), inputType)));
    return success();
  }
};

/// `%y = dsr1.batch_norm %x, %scale, %bias, %mean, %var` =>
/// `%y = linalg.generic ins(%x, %scale, %bias, %mean, %var)
/// ((x - mean[c]) / sqrt(var[c] + eps) * scale[c] + bias[c])`, every
/// parameter read along dim 1.
struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    if (!inputType.hasStaticShape() || inputType.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs a static [N, C, ...]");
    Type element = inputType.getElementType();
    Type stat = statisticsType(element);
    double epsilon = op.getEpsilon().convertToDouble();
    SmallVector<Value> inputs = {input, adaptor.getScale(), adaptor.getBias(),
                                 adaptor.getMean(), adaptor.getVariance()};
    SmallVector<AffineMap> maps = {
        rewriter.getMultiDimIdentityMap(inputType.getRank())};
    for (Value param : ArrayRef(inputs).drop_front())
      maps.push_back(
          channelMap(cast<RankedTensorType>(param.getType()), inputType));
    Value result = buildParallel(
        rewriter, loc, inputType, inputs, maps,
        [&](OpBuilder &b, Location nl, ValueRange args) {
          SmallVector<Value> v;
          for (Value arg : args)
            v.push_back(castFloat(b, nl, arg, stat));
          Value stdDev = math::SqrtOp::create(
              b, nl,
              arith::AddFOp::create(b, nl, v[4],
                                    scalarConstant(b, nl, stat, epsilon)));
          Value normalised = arith::DivFOp::create(
              b, nl, arith::SubFOp::create(b, nl, v[0], v[3]), stdDev);
          Value y = arith::AddFOp::create(
              b, nl, arith::MulFOp::create(b, nl, normalised, v[1]), v[2]);
          return castFloat(b, nl, y, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Scans
//===----------------------------------------------------------------------===//

/// `%y = dsr1.cumsum %x axis a` =>
/// `scf.for` over every index of the other dims, then `scf.for %k
/// iter_args(%y, %acc = 0)` along a (from the end when reverse): `%acc +=
/// %x[.., k, ..]`, `%y = tensor.insert %acc into %y[.., k, ..]` (the value
/// before the addition when exclusive). A linear scan, which a linalg.generic
/// cannot express; scalar loads and stores rather than slices keep it free
/// of strided views. f16 and bf16 sums run in f32. dsr1.cumprod is the same
/// scan with `*` and 1.
template <typename OpT> struct CumulativeLowering : OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  static constexpr bool isProduct = std::is_same_v<OpT, CumProdOp>;

  LogicalResult
  matchAndRewrite(OpT op, typename OpT::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    int64_t axis = op.getAxis();
    int64_t length = inputType.getDimSize(axis);
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    Type element = inputType.getElementType();
    Type stat = statisticsType(element);

    Value zero = indexConstant(rewriter, loc, 0);
    Value one = indexConstant(rewriter, loc, 1);
    SmallVector<Value> lbs, ubs, steps;
    for (auto [dim, size] : llvm::enumerate(inputType.getShape())) {
      if (static_cast<int64_t>(dim) == axis)
        continue;
      lbs.push_back(zero);
      ubs.push_back(indexConstant(rewriter, loc, size));
      steps.push_back(one);
    }
    Value init = emptyTensor(rewriter, loc, inputType);
    scf::LoopNest outer = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, init,
        [&](OpBuilder &b, Location nl, ValueRange ivs,
            ValueRange iter) -> scf::ValueVector {
          auto scan = scf::ForOp::create(
              b, nl, zero, indexConstant(b, nl, length), one,
              ValueRange{iter[0], scalarConstant(b, nl, stat, isProduct)},
              [&](OpBuilder &ib, Location il, Value k, ValueRange scanIter) {
                Value position = k;
                if (reverse)
                  position = arith::SubIOp::create(
                      ib, il, indexConstant(ib, il, length - 1), k);
                SmallVector<Value> indices(ivs);
                indices.insert(indices.begin() + axis, position);
                Value x = tensor::ExtractOp::create(ib, il, input, indices);
                Value acc = scanIter[1];
                Value wide = castFloat(ib, il, x, stat);
                Value next =
                    isProduct ? mul(ib, il, acc, wide) : add(ib, il, acc, wide);
                Value stored =
                    castFloat(ib, il, exclusive ? acc : next, element);
                Value result = tensor::InsertOp::create(ib, il, stored,
                                                        scanIter[0], indices);
                scf::YieldOp::create(ib, il, ValueRange{result, next});
              });
          return {scan.getResult(0)};
        });
    rewriter.replaceOp(op, outer.results.front());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Top-k
//===----------------------------------------------------------------------===//

/// Whether (a, ia) comes before (b, ib) in top-k order: the larger value first
/// (`largest`) or the smaller, NaN counting as larger than every number, and
/// on a tie the lower index first. A strict total order.
Value precedes(OpBuilder &b, Location loc, Value a, Value ia, Value bv,
               Value ib, bool largest, bool isUnsignedInt) {
  if (!largest) {
    std::swap(a, bv);
  }
  Value better, equal;
  if (isFloat(a.getType())) {
    Value aNaN = isNaN(b, loc, a), bNaN = isNaN(b, loc, bv);
    better = arith::OrIOp::create(
        b, loc, arith::CmpFOp::create(b, loc, Pred::OGT, a, bv),
        arith::AndIOp::create(
            b, loc, aNaN, arith::CmpFOp::create(b, loc, Pred::ORD, bv, bv)));
    equal = arith::OrIOp::create(
        b, loc, arith::CmpFOp::create(b, loc, Pred::OEQ, a, bv),
        arith::AndIOp::create(b, loc, aNaN, bNaN));
  } else {
    better = arith::CmpIOp::create(
        b, loc, isUnsignedInt ? IPred::ugt : IPred::sgt, a, bv);
    equal = arith::CmpIOp::create(b, loc, IPred::eq, a, bv);
  }
  Value lowerIndex = arith::CmpIOp::create(b, loc, IPred::slt, ia, ib);
  return arith::OrIOp::create(b, loc, better,
                              arith::AndIOp::create(b, loc, equal, lowerIndex));
}

/// `%v, %i = dsr1.top_k %x k n axis a` =>
/// `scf.for %p = 0 to n iter_args(%v, %i)`: a `linalg.generic {reduction on
/// a}` finds the first element (in top-k order) after the one chosen at
/// p - 1, and a parallel generic stores it and its index at position p.
/// O(k * n) along the axis, no sort; the result is always sorted, which
/// `sorted = false` allows.
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    bool isUnsignedInt = isUnsigned(op.getInput().getType());
    bool largest = op.getLargest();
    int64_t axis = op.getAxis(), rank = inputType.getRank();
    Type element = inputType.getElementType();
    Type i64 = rewriter.getI64Type();
    auto valuesType = signlessTensorType(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());

    SmallBitVector reduced(rank);
    reduced.set(axis);
    SmallVector<int64_t> shape = reducedShape(inputType.getShape(), reduced);
    auto bestValueType = RankedTensorType::get(shape, element);
    auto bestIndexType = RankedTensorType::get(shape, i64);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap along = reducedMap(reduced, rewriter.getContext());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    SmallVector<utils::IteratorType> reduction(iterators);
    reduction[axis] = utils::IteratorType::reduction;

    auto loop = scf::ForOp::create(
        rewriter, loc, indexConstant(rewriter, loc, 0),
        indexConstant(rewriter, loc, op.getK()),
        indexConstant(rewriter, loc, 1),
        ValueRange{emptyTensor(rewriter, loc, valuesType),
                   emptyTensor(rewriter, loc, indicesType)},
        [&](OpBuilder &b, Location nl, Value p, ValueRange iter) {
          Value values = iter[0], indices = iter[1];
          Value zero = indexConstant(b, nl, 0);
          Value first = arith::CmpIOp::create(b, nl, IPred::eq, p, zero);
          // Where the previous choice is (clamped at 0 for p = 0, where
          // nothing is read from it).
          Value previous = arith::SelectOp::create(
              b, nl, first, zero,
              arith::SubIOp::create(b, nl, p, indexConstant(b, nl, 1)));
          Value noIndex = scalarConstant(b, nl, i64, -1);
          auto best = linalg::GenericOp::create(
              b, nl, TypeRange{bestValueType, bestIndexType}, input,
              ValueRange{filledTensor(b, nl, bestValueType,
                                      scalarConstant(b, nl, element, 0)),
                         filledTensor(b, nl, bestIndexType, noIndex)},
              {identity, along, along}, reduction,
              [&](OpBuilder &gb, Location gl, ValueRange args) {
                Value x = args[0], bestValue = args[1], bestIndex = args[2];
                Value j = indexI64(gb, gl, axis);
                SmallVector<Value> at;
                for (int64_t d = 0; d < rank; ++d)
                  at.push_back(
                      d == axis
                          ? previous
                          : linalg::IndexOp::create(gb, gl, d).getResult());
                Value prevValue = tensor::ExtractOp::create(gb, gl, values, at);
                Value prevIndex =
                    tensor::ExtractOp::create(gb, gl, indices, at);
                Value afterPrevious = arith::OrIOp::create(
                    gb, gl, first,
                    precedes(gb, gl, prevValue, prevIndex, x, j, largest,
                             isUnsignedInt));
                Value beatsBest = arith::OrIOp::create(
                    gb, gl,
                    arith::CmpIOp::create(gb, gl, IPred::slt, bestIndex,
                                          scalarConstant(gb, gl, i64, 0)),
                    precedes(gb, gl, x, j, bestValue, bestIndex, largest,
                             isUnsignedInt));
                Value take =
                    arith::AndIOp::create(gb, gl, afterPrevious, beatsBest);
                linalg::YieldOp::create(
                    gb, gl,
                    ValueRange{
                        arith::SelectOp::create(gb, gl, take, x, bestValue),
                        arith::SelectOp::create(gb, gl, take, j, bestIndex)});
              });
          // Stores the choice at position p (in place).
          auto stored = linalg::GenericOp::create(
              b, nl, TypeRange{valuesType, indicesType}, best.getResults(),
              ValueRange{values, indices}, {along, along, identity, identity},
              iterators, [&](OpBuilder &gb, Location gl, ValueRange args) {
                Value here = arith::CmpIOp::create(
                    gb, gl, IPred::eq, linalg::IndexOp::create(gb, gl, axis),
                    p);
                linalg::YieldOp::create(
                    gb, gl,
                    ValueRange{
                        arith::SelectOp::create(gb, gl, here, args[0], args[2]),
                        arith::SelectOp::create(gb, gl, here, args[1],
                                                args[3])});
              });
          scf::YieldOp::create(b, nl, stored.getResults());
        });
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

} // namespace

void populateReductionPatterns(LoweringTypeConverter &converter,
                               RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<
      ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
      ReduceLowering<ReduceMaxOp>, ReduceLowering<ReduceMinOp>,
      ReduceLowering<ReduceProdOp>, ArgReduceLowering<ArgMaxOp, true>,
      ArgReduceLowering<ArgMinOp, false>, SoftmaxLowering<SoftmaxOp, false>,
      SoftmaxLowering<LogSoftmaxOp, true>, LayerNormLowering,
      InstanceNormLowering, BatchNormLowering, CumulativeLowering<CumSumOp>,
      CumulativeLowering<CumProdOp>, TopKLowering>(converter, context);
}

} // namespace dsr1::cpu
