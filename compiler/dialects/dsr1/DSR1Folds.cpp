//===- DSR1Folds.cpp - dsr1 folders and canonicalization patterns
//-----------===//
//
// Folds that are obviously right: identities (reshape or expand to the same
// type, identity transposes, casts to the same type, one-input concats) and
// constant folding of small elementwise and shape computations, the exporter
// noise that shape subgraphs leave behind.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <type_traits>

using namespace mlir;
using namespace dsr1;

/// Constants up to this many elements are folded; larger ones (weights) are
/// left to the kernels.
static constexpr int64_t kMaxFoldElements = 1024;

static bool isSmallStatic(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() &&
         tensor.getNumElements() <= kMaxFoldElements;
}

/// Row-major strides of a static shape.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    strides[i - 1] = strides[i] * shape[i];
  return strides;
}

//===----------------------------------------------------------------------===//
// Elementwise constant folding with broadcasting
//===----------------------------------------------------------------------===//

/// For each element of a static result shape, the linear index of the element
/// of `operand` that numpy broadcasting reads.
static SmallVector<int64_t> broadcastIndices(ArrayRef<int64_t> operand,
                                             ArrayRef<int64_t> result) {
  size_t rank = result.size(), offset = rank - operand.size();
  SmallVector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = rank; i-- > offset;) {
    int64_t dim = operand[i - offset];
    strides[i] = dim == 1 ? 0 : stride;
    stride *= dim;
  }
  SmallVector<int64_t> indices;
  SmallVector<int64_t> counter(rank, 0);
  int64_t total = ShapedType::getNumElements(result);
  indices.reserve(total);
  for (int64_t n = 0; n < total; ++n) {
    int64_t index = 0;
    for (size_t i = 0; i < rank; ++i)
      index += counter[i] * strides[i];
    indices.push_back(index);
    for (size_t i = rank; i-- > 0;) {
      if (++counter[i] < result[i])
        break;
      counter[i] = 0;
    }
  }
  return indices;
}

/// Applies `fn` to the broadcast element pairs of two constants. Null when any
/// element refuses (fn returns std::nullopt, e.g. an integer division by zero).
template <typename ElemT, typename Fn>
static Attribute mapBroadcast(DenseElementsAttr lhs, DenseElementsAttr rhs,
                              RankedTensorType resultType, Fn fn) {
  using ResultT = typename std::invoke_result_t<Fn, const ElemT &,
                                                const ElemT &>::value_type;
  if (lhs.isSplat() && rhs.isSplat()) {
    std::optional<ResultT> value =
        fn(lhs.getSplatValue<ElemT>(), rhs.getSplatValue<ElemT>());
    return value ? DenseElementsAttr::get(resultType, ArrayRef<ResultT>(*value))
                 : Attribute();
  }
  if (resultType.getNumElements() > kMaxFoldElements)
    return {};
  auto lhsValues = lhs.getValues<ElemT>();
  auto rhsValues = rhs.getValues<ElemT>();
  SmallVector<int64_t> lhsIndex =
      broadcastIndices(lhs.getType().getShape(), resultType.getShape());
  SmallVector<int64_t> rhsIndex =
      broadcastIndices(rhs.getType().getShape(), resultType.getShape());
  SmallVector<ResultT> results;
  results.reserve(lhsIndex.size());
  for (auto [l, r] : llvm::zip_equal(lhsIndex, rhsIndex)) {
    std::optional<ResultT> value = fn(lhsValues[l], rhsValues[r]);
    if (!value)
      return {};
    results.push_back(*value);
  }
  return DenseElementsAttr::get(resultType, results);
}

/// Folds a binary op whose operands are both constant. `intFn(a, b,
/// isUnsigned)` handles integer and i1 elements, `floatFn(a, b)` floating-point
/// ones.
template <typename IntFn, typename FloatFn>
static OpFoldResult foldBinary(Operation *op, ArrayRef<Attribute> operands,
                               IntFn intFn, FloatFn floatFn) {
  auto lhs = dyn_cast_or_null<DenseElementsAttr>(operands[0]);
  auto rhs = dyn_cast_or_null<DenseElementsAttr>(operands[1]);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  if (!lhs || !rhs || !resultType.hasStaticShape())
    return {};
  Type element = lhs.getElementType();
  if (isa<FloatType>(element))
    return mapBroadcast<APFloat>(lhs, rhs, resultType, floatFn);
  bool isUnsigned = element.isUnsignedInteger();
  return mapBroadcast<APInt>(
      lhs, rhs, resultType,
      [&](const APInt &a, const APInt &b) { return intFn(a, b, isUnsigned); });
}

using OptInt = std::optional<APInt>;
using OptFloat = std::optional<APFloat>;

static OptFloat noFloat(const APFloat &, const APFloat &) {
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Arithmetic identities
//===----------------------------------------------------------------------===//

namespace {
/// The constant that leaves the other operand of a binary op unchanged.
enum class Neutral {
  /// Integers 0, floats -0.0: x + (+0.0) turns x = -0.0 into +0.0.
  AddZero,
  /// Integers 0, floats +0.0: x - (+0.0) is x + (-0.0).
  SubZero,
  /// Integers and floats 1.
  One,
  /// Integers 0 (or, xor, shift amounts); never a float.
  Zero,
  /// Integers with every bit set, i1 true (and); never a float.
  AllOnes,
};
} // namespace

/// Whether `attr` is a splat of `kind`'s value, exactly (the sign of a zero
/// included).
static bool isNeutral(Attribute attr, Neutral kind) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return false;
  if (isa<FloatType>(dense.getElementType())) {
    APFloat v = dense.getSplatValue<APFloat>();
    switch (kind) {
    case Neutral::AddZero:
      return v.isZero() && v.isNegative();
    case Neutral::SubZero:
      return v.isZero() && !v.isNegative();
    case Neutral::One:
      return v.isExactlyValue(1.0);
    case Neutral::Zero:
    case Neutral::AllOnes:
      return false;
    }
    llvm_unreachable("unknown neutral kind");
  }
  APInt v = dense.getSplatValue<APInt>();
  switch (kind) {
  case Neutral::AddZero:
  case Neutral::SubZero:
  case Neutral::Zero:
    return v.isZero();
  case Neutral::One:
    return v.isOne();
  case Neutral::AllOnes:
    return v.isAllOnes();
  }
  llvm_unreachable("unknown neutral kind");
}

Value dsr1::getNeutralOperand(Operation *op, ArrayRef<Attribute> operands) {
  if (op->getNumOperands() != 2 || operands.size() != 2)
    return {};
  // The neutral element on the right, and whether it may be on the left.
  std::optional<std::pair<Neutral, bool>> rule =
      llvm::TypeSwitch<Operation *, std::optional<std::pair<Neutral, bool>>>(op)
          .Case<AddOp>([](auto) { return std::pair(Neutral::AddZero, true); })
          .Case<SubOp>([](auto) { return std::pair(Neutral::SubZero, false); })
          .Case<MulOp>([](auto) { return std::pair(Neutral::One, true); })
          .Case<DivOp>([](auto) { return std::pair(Neutral::One, false); })
          .Case<AndOp>([](auto) { return std::pair(Neutral::AllOnes, true); })
          .Case<OrOp, XorOp>(
              [](auto) { return std::pair(Neutral::Zero, true); })
          .Case<ShiftLeftOp, ShiftRightOp>(
              [](auto) { return std::pair(Neutral::Zero, false); })
          .Default([](Operation *) { return std::nullopt; });
  if (!rule)
    return {};
  if (isNeutral(operands[1], rule->first))
    return op->getOperand(0);
  if (rule->second && isNeutral(operands[0], rule->first))
    return op->getOperand(1);
  return {};
}

/// The operand a binary op returns unchanged, where broadcasting against the
/// neutral constant does not change its type either.
static Value foldNeutral(Operation *op, ArrayRef<Attribute> operands) {
  Value kept = getNeutralOperand(op, operands);
  return kept && kept.getType() == op->getResult(0).getType() ? kept : Value();
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (Value kept = foldNeutral(*this, adaptor.getOperands()))
    return kept;
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> OptInt { return a + b; },
      [](const APFloat &a, const APFloat &b) -> OptFloat { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (Value kept = foldNeutral(*this, adaptor.getOperands()))
    return kept;
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> OptInt { return a - b; },
      [](const APFloat &a, const APFloat &b) -> OptFloat { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (Value kept = foldNeutral(*this, adaptor.getOperands()))
    return kept;
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> OptInt { return a * b; },
      [](const APFloat &a, const APFloat &b) -> OptFloat { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (Value kept = foldNeutral(*this, adaptor.getOperands()))
    return kept;
  // Integer division truncates toward zero, as onnxruntime does; x / 0 is left
  // to run time.
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool isUnsigned) -> OptInt {
        if (b.isZero())
          return std::nullopt;
        return isUnsigned ? a.udiv(b) : a.sdiv(b);
      },
      [](const APFloat &a, const APFloat &b) -> OptFloat { return a / b; });
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  // As the cpu kernel computes it (see the op's description): C fmod, then
  // for floor modulo a shift by the divisor where the signs differ.
  bool fmod = getFmod();
  return foldBinary(
      *this, adaptor.getOperands(),
      [&](const APInt &a, const APInt &b, bool isUnsigned) -> OptInt {
        if (b.isZero())
          return APInt::getZero(a.getBitWidth());
        if (isUnsigned)
          return a.urem(b);
        APInt r = a.srem(b);
        if (!fmod && !r.isZero() && r.isNegative() != b.isNegative())
          r += b;
        return r;
      },
      [&](const APFloat &a, const APFloat &b) -> OptFloat {
        APFloat r = a;
        r.mod(b);
        if (fmod || r.isNaN())
          return r;
        if (r.isZero())
          return APFloat::getZero(r.getSemantics(), b.isNegative());
        if (r.isNegative() != b.isNegative())
          r = r + b;
        return r;
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool isUnsigned) -> OptInt {
        return isUnsigned ? llvm::APIntOps::umax(a, b)
                          : llvm::APIntOps::smax(a, b);
      },
      [](const APFloat &a, const APFloat &b) -> OptFloat {
        return llvm::maximum(a, b);
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool isUnsigned) -> OptInt {
        return isUnsigned ? llvm::APIntOps::umin(a, b)
                          : llvm::APIntOps::smin(a, b);
      },
      [](const APFloat &a, const APFloat &b) -> OptFloat {
        return llvm::minimum(a, b);
      });
}

/// Integer power as the cpu lowering computes it: squaring, wrapping in the
/// type; a negative exponent truncates the real result (0 unless the base is
/// 1 or -1, and 0 for a zero base).
static APInt integerPower(const APInt &base, const APInt &exp,
                          bool isUnsigned) {
  unsigned width = base.getBitWidth();
  if (!isUnsigned && exp.isNegative()) {
    if (base.isOne())
      return base;
    if (base.isAllOnes())
      return exp[0] ? base : APInt(width, 1);
    return APInt::getZero(width);
  }
  APInt result(width, 1), square = base;
  for (unsigned bit = 0; bit < exp.getBitWidth(); ++bit) {
    if (exp[bit])
      result *= square;
    square *= square;
  }
  return result;
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool isUnsigned) -> OptInt {
        return integerPower(a, b, isUnsigned);
      },
      [](const APFloat &a, const APFloat &b) -> OptFloat {
        APFloat result(std::pow(a.convertToDouble(), b.convertToDouble()));
        bool lost;
        result.convert(a.getSemantics(), APFloat::rmNearestTiesToEven, &lost);
        return result;
      });
}

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  if (Value kept = foldNeutral(*this, adaptor.getOperands()))
    return kept;
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> OptInt { return a & b; },
      noFloat);
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  if (Value kept = foldNeutral(*this, adaptor.getOperands()))
    return kept;
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> OptInt { return a | b; },
      noFloat);
}

OpFoldResult XorOp::fold(FoldAdaptor adaptor) {
  if (Value kept = foldNeutral(*this, adaptor.getOperands()))
    return kept;
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> OptInt { return a ^ b; },
      noFloat);
}

/// Whether a shift amount is outside [0, bit width): read as unsigned, a
/// negative amount is too large as well.
static bool shiftsEverythingOut(const APInt &amount) {
  return amount.uge(amount.getBitWidth());
}

OpFoldResult ShiftLeftOp::fold(FoldAdaptor adaptor) {
  if (Value kept = foldNeutral(*this, adaptor.getOperands()))
    return kept;
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> OptInt {
        if (shiftsEverythingOut(b))
          return APInt::getZero(a.getBitWidth());
        return a.shl(b.getZExtValue());
      },
      noFloat);
}

OpFoldResult ShiftRightOp::fold(FoldAdaptor adaptor) {
  if (Value kept = foldNeutral(*this, adaptor.getOperands()))
    return kept;
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool isUnsigned) -> OptInt {
        unsigned width = a.getBitWidth();
        if (isUnsigned)
          return shiftsEverythingOut(b) ? APInt::getZero(width)
                                        : a.lshr(b.getZExtValue());
        // Past the width, only copies of the sign bit remain.
        return a.ashr(shiftsEverythingOut(b) ? width - 1 : b.getZExtValue());
      },
      noFloat);
}

/// Folds a comparison: `intPred(a, b, isUnsigned)` and `floatPred(cmpResult)`
/// decide each element. Unordered float comparisons (NaN) are false, as in IEEE
/// 754.
template <typename IntPred, typename FloatPred>
static OpFoldResult foldCompare(Operation *op, ArrayRef<Attribute> operands,
                                IntPred intPred, FloatPred floatPred) {
  return foldBinary(
      op, operands,
      [&](const APInt &a, const APInt &b, bool isUnsigned) -> OptInt {
        return APInt(1, intPred(a, b, isUnsigned));
      },
      [&](const APFloat &a, const APFloat &b) -> OptInt {
        return APInt(1, floatPred(a.compare(b)));
      });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) { return a == b; },
      [](APFloat::cmpResult c) { return c == APFloat::cmpEqual; });
}

OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool u) {
        return u ? a.ult(b) : a.slt(b);
      },
      [](APFloat::cmpResult c) { return c == APFloat::cmpLessThan; });
}

OpFoldResult LessEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool u) {
        return u ? a.ule(b) : a.sle(b);
      },
      [](APFloat::cmpResult c) {
        return c == APFloat::cmpLessThan || c == APFloat::cmpEqual;
      });
}

OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool u) {
        return u ? a.ugt(b) : a.sgt(b);
      },
      [](APFloat::cmpResult c) { return c == APFloat::cmpGreaterThan; });
}

OpFoldResult GreaterEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool u) {
        return u ? a.uge(b) : a.sge(b);
      },
      [](APFloat::cmpResult c) {
        return c == APFloat::cmpGreaterThan || c == APFloat::cmpEqual;
      });
}

/// Stands for the integer (or floating-point) map of a unary op that admits
/// no such operands. An op built badly is folded before the verifier rejects
/// it, so such an operand does not fold rather than reach unreachable code.
struct NoFold {};

/// Folds a unary op on a constant: `intFn` maps integer and i1 elements,
/// `floatFn` floating-point ones.
template <typename IntFn, typename FloatFn>
static OpFoldResult foldUnary(Attribute operand, IntFn intFn, FloatFn floatFn) {
  auto input = dyn_cast_or_null<DenseElementsAttr>(operand);
  if (!input || (!input.isSplat() && !isSmallStatic(input.getType())))
    return {};
  Type element = input.getElementType();
  if (isa<FloatType>(element)) {
    if constexpr (std::is_same_v<FloatFn, NoFold>)
      return {};
    else
      return input.mapValues(element, [&](const APFloat &v) {
        return floatFn(v).bitcastToAPInt();
      });
  }
  if constexpr (std::is_same_v<IntFn, NoFold>)
    return {};
  else
    return input.mapValues(element, intFn);
}

/// `v` rounded to an integer in `mode`.
static APFloat roundFloat(APFloat v, APFloat::roundingMode mode) {
  v.roundToIntegral(mode);
  return v;
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), [](const APInt &v) { return -v; },
      [](const APFloat &v) { return -v; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), [](const APInt &v) { return v.abs(); },
      [](const APFloat &v) { return abs(v); });
}

// Exporters clamp computed counts with Relu (Range's expanded function takes
// max(ceil((limit - start) / delta), 0) as its Loop's trip count).
OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(),
      [](const APInt &v) {
        return v.isNegative() ? APInt::getZero(v.getBitWidth()) : v;
      },
      [](const APFloat &v) {
        // NaN stays NaN; -0 becomes +0, as max(-0, +0) does.
        return v.isNegative() && !v.isNaN() ? APFloat::getZero(v.getSemantics())
                                            : v;
      });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), [](const APInt &v) { return ~v; }, NoFold{});
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), NoFold{}, [](const APFloat &v) {
    return roundFloat(v, APFloat::rmTowardPositive);
  });
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), NoFold{}, [](const APFloat &v) {
    return roundFloat(v, APFloat::rmTowardNegative);
  });
}

OpFoldResult RoundOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), NoFold{}, [](const APFloat &v) {
    return roundFloat(v, APFloat::rmNearestTiesToEven);
  });
}

OpFoldResult ReciprocalOp::fold(FoldAdaptor adaptor) {
  return foldUnary(adaptor.getInput(), NoFold{}, [](const APFloat &v) {
    APFloat one(v.getSemantics(), 1);
    return one / v;
  });
}

OpFoldResult SqrtOp::fold(FoldAdaptor adaptor) {
  // In double, then rounded once: exact for f64 (IEEE sqrt is correctly
  // rounded), and double rounding is harmless for sqrt into formats of at
  // most 26 significand bits (f32, f16, bf16).
  return foldUnary(adaptor.getInput(), NoFold{}, [](const APFloat &v) {
    APFloat result(std::sqrt(v.convertToDouble()));
    bool lost;
    result.convert(v.getSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return result;
  });
}

OpFoldResult SignOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(),
      [](const APInt &v) {
        return APInt(v.getBitWidth(), v.isNegative() ? -1 : !v.isZero(),
                     /*isSigned=*/true);
      },
      [](const APFloat &v) {
        // NaN stays NaN and a zero keeps its sign, as numpy's sign does.
        if (v.isNaN() || v.isZero())
          return v;
        return APFloat::getOne(v.getSemantics(), v.isNegative());
      });
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum class ReduceFold { Sum, Mean, Prod, Max, Min };

/// Folds a reduction of a small constant (exporters' shape products and sums).
/// Empty inputs are left to run time, where max and min have no identity.
static OpFoldResult foldReduce(Operation *op, Attribute operand,
                               ArrayRef<int64_t> axes, ReduceFold kind) {
  auto input = dyn_cast_or_null<DenseElementsAttr>(operand);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  if (!input || !isSmallStatic(input.getType()) ||
      input.getNumElements() == 0 || !resultType.hasStaticShape())
    return {};
  // Each input element's result index: its index with the reduced dims
  // dropped.
  ArrayRef<int64_t> shape = input.getType().getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> kept(rank, 1);
  for (int64_t a = 0; a < rank; ++a)
    kept[a] = !axes.empty() && !llvm::is_contained(axes, a);
  SmallVector<int64_t> target(rank, 0);
  int64_t stride = 1;
  for (int64_t a = rank; a-- > 0;) {
    if (!kept[a])
      continue;
    target[a] = stride;
    stride *= shape[a];
  }
  int64_t outputs = resultType.getNumElements();
  int64_t count = input.getNumElements() / outputs;
  SmallVector<int64_t> outIndex;
  SmallVector<int64_t> counter(rank, 0);
  for (int64_t n = 0, e = input.getNumElements(); n < e; ++n) {
    int64_t index = 0;
    for (int64_t a = 0; a < rank; ++a)
      index += counter[a] * target[a];
    outIndex.push_back(index);
    for (int64_t a = rank; a-- > 0;) {
      if (++counter[a] < shape[a])
        break;
      counter[a] = 0;
    }
  }
  Type element = input.getElementType();
  if (auto floatType = dyn_cast<FloatType>(element)) {
    SmallVector<std::optional<APFloat>> acc(outputs);
    for (auto [n, v] : llvm::enumerate(input.getValues<APFloat>())) {
      std::optional<APFloat> &a = acc[outIndex[n]];
      if (!a)
        a = v;
      else if (kind == ReduceFold::Sum || kind == ReduceFold::Mean)
        *a = *a + v;
      else if (kind == ReduceFold::Prod)
        *a = *a * v;
      else
        *a = kind == ReduceFold::Max ? llvm::maximum(*a, v)
                                     : llvm::minimum(*a, v);
    }
    SmallVector<APFloat> values;
    for (std::optional<APFloat> &a : acc) {
      if (kind == ReduceFold::Mean)
        *a = *a / APFloat(a->getSemantics(), count);
      values.push_back(*a);
    }
    return DenseElementsAttr::get(resultType, values);
  }
  if (kind == ReduceFold::Mean)
    return {}; // Integer means round as the kernel does; left to it.
  bool isUnsigned = element.isUnsignedInteger() || element.isInteger(1);
  SmallVector<std::optional<APInt>> acc(outputs);
  for (auto [n, v] : llvm::enumerate(input.getValues<APInt>())) {
    std::optional<APInt> &a = acc[outIndex[n]];
    if (!a)
      a = v;
    else if (kind == ReduceFold::Sum)
      *a += v;
    else if (kind == ReduceFold::Prod)
      *a *= v;
    else if (kind == ReduceFold::Max)
      a = isUnsigned ? llvm::APIntOps::umax(*a, v)
                     : llvm::APIntOps::smax(*a, v);
    else
      a = isUnsigned ? llvm::APIntOps::umin(*a, v)
                     : llvm::APIntOps::smin(*a, v);
  }
  SmallVector<APInt> values;
  for (std::optional<APInt> &a : acc)
    values.push_back(*a);
  return DenseElementsAttr::get(resultType, values);
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), ReduceFold::Sum);
}

OpFoldResult ReduceMeanOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), ReduceFold::Mean);
}

OpFoldResult ReduceProdOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), ReduceFold::Prod);
}

OpFoldResult ReduceMaxOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), ReduceFold::Max);
}

OpFoldResult ReduceMinOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), ReduceFold::Min);
}

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

/// Converts one constant element to `to`, or std::nullopt where the value does
/// not fit (a float out of an integer's range, NaN to integer): that is
/// undefined in ONNX and left to run time.
static std::optional<Attribute> castElement(Attribute value, Type to) {
  if (auto f = dyn_cast<FloatAttr>(value)) {
    APFloat v = f.getValue();
    if (auto toFloat = dyn_cast<FloatType>(to)) {
      bool lost;
      v.convert(toFloat.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      return FloatAttr::get(to, v);
    }
    if (to.isInteger(1))
      return IntegerAttr::get(to, APInt(1, !v.isZero()));
    APSInt result(to.getIntOrFloatBitWidth(), to.isUnsignedInteger());
    bool exact;
    if (v.convertToInteger(result, APFloat::rmTowardZero, &exact) &
        APFloat::opInvalidOp)
      return std::nullopt;
    return IntegerAttr::get(to, result);
  }
  auto i = cast<IntegerAttr>(value);
  APInt v = i.getValue();
  bool isUnsigned = i.getType().isUnsignedInteger() || i.getType().isInteger(1);
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    APFloat result(toFloat.getFloatSemantics());
    result.convertFromAPInt(v, !isUnsigned, APFloat::rmNearestTiesToEven);
    return FloatAttr::get(to, result);
  }
  if (to.isInteger(1))
    return IntegerAttr::get(to, APInt(1, !v.isZero()));
  unsigned width = to.getIntOrFloatBitWidth();
  return IntegerAttr::get(to, isUnsigned ? v.zextOrTrunc(width)
                                         : v.sextOrTrunc(width));
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // Saturation and the rounding modes of the narrow floats are the
  // lowering's; APFloat alone does not implement them.
  if (isNarrowFloat(getTo()))
    return {};
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!input || (!input.isSplat() && !isSmallStatic(input.getType())))
    return {};
  auto resultType = cast<RankedTensorType>(getType());
  if (input.isSplat()) {
    std::optional<Attribute> value =
        castElement(input.getSplatValue<Attribute>(), getTo());
    return value ? DenseElementsAttr::get(resultType, *value) : Attribute();
  }
  SmallVector<Attribute> values;
  for (Attribute element : input.getValues<Attribute>()) {
    std::optional<Attribute> value = castElement(element, getTo());
    if (!value)
      return {};
    values.push_back(*value);
  }
  return DenseElementsAttr::get(resultType, values);
}

//===----------------------------------------------------------------------===//
// Rewrite helpers
//===----------------------------------------------------------------------===//

/// Creates an OpT with the result type `expected`, or nothing (null) when
/// OpT's type inference refuses the operands and attributes or infers another
/// type: the rewrites below build ops from computed attributes, and the
/// inferring builders abort on a refusal. `args` are those of the builder
/// that takes the result type first.
template <typename OpT, typename... Args>
static OpT createTyped(PatternRewriter &rewriter, Location loc, Type expected,
                       Args &&...args) {
  OperationState state(loc, OpT::getOperationName());
  OpT::build(rewriter, state, expected, std::forward<Args>(args)...);
  MLIRContext *context = rewriter.getContext();
  SmallVector<Type> inferred;
  // No location: a refusal here is a rewrite that does not apply, not an
  // error in the user's graph.
  if (failed(OpT::inferReturnTypes(context, std::nullopt, state.operands,
                                   state.attributes.getDictionary(context),
                                   state.getRawProperties(), state.regions,
                                   inferred)) ||
      inferred.size() != 1 || inferred.front() != expected)
    return nullptr;
  return cast<OpT>(rewriter.create(state));
}

/// `input` reshaped to `resultType`, where result dim i holds the same values
/// as input dim `source[i]` (-1: a dim of size 1 that the input does not
/// have). Null when no dsr1.reshape expresses it: a dynamic dim is copied (0)
/// only at its own index, at most one more is inferred (-1), and shapes with
/// empty dims are left alone (0 would copy instead of meaning an empty dim).
static Value reshapeTo(PatternRewriter &rewriter, Location loc, Value input,
                       RankedTensorType resultType, ArrayRef<int64_t> source) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (llvm::is_contained(inputType.getShape(), 0) ||
      llvm::is_contained(resultType.getShape(), 0))
    return {};
  SmallVector<int64_t> shape;
  bool inferred = false;
  for (auto [i, dim] : llvm::enumerate(resultType.getShape())) {
    if (!ShapedType::isDynamic(dim)) {
      shape.push_back(dim);
      continue;
    }
    if (source[i] == static_cast<int64_t>(i)) {
      shape.push_back(0);
      continue;
    }
    if (inferred)
      return {};
    inferred = true;
    shape.push_back(-1);
  }
  auto reshape = createTyped<ReshapeOp>(rewriter, loc, resultType, input,
                                        rewriter.getDenseI64ArrayAttr(shape));
  return reshape ? reshape.getResult() : Value();
}

namespace {
/// The integer and float types whose casts compose by value: every cast
/// among them converts the mathematical value (rounding to nearest, float to
/// integer toward zero, integer to narrower integer modulo 2^n, anything to i1
/// as "not zero"), so a value that passes a cast unchanged converts on as it
/// would have directly. The narrow floats and integers saturate and round by
/// their own rules and stay out.
bool castsByValue(Type type) {
  return type.isInteger(1) ||
         (isa<IntegerType>(type) && type.getIntOrFloatBitWidth() >= 8) ||
         type.isF16() || type.isBF16() || type.isF32() || type.isF64();
}

/// Significand bits, the implicit one included.
unsigned precision(FloatType type) {
  return llvm::APFloat::semanticsPrecision(type.getFloatSemantics());
}

/// Whether every value of `from` is a value of `to`, so a cast from -> to
/// loses nothing.
bool castIsExact(Type from, Type to) {
  if (from == to)
    return true;
  if (from.isInteger(1))
    return !to.isInteger(1);
  if (to.isInteger(1))
    return false;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  // Among f16, bf16, f32 and f64 a wider type has a wider significand and
  // exponent range; f16 and bf16, of one width, each hold values the other
  // does not.
  if (fromFloat)
    return toFloat && toFloat.getWidth() > fromFloat.getWidth();
  unsigned width = from.getIntOrFloatBitWidth();
  bool isUnsigned = from.isUnsignedInteger();
  if (toFloat)
    return (isUnsigned ? width : width - 1) <= precision(toFloat);
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (to.isUnsignedInteger())
    return isUnsigned && toWidth >= width;
  return isUnsigned ? toWidth > width : toWidth >= width;
}

/// cast(cast(x, B), C) => cast(x, C), or x when C is x's type, where the
/// first cast is exact (f32 -> f64 -> f32, i32 -> i64 -> i32, i8 -> f32 ->
/// i32, i1 -> i64 -> i1).
struct ComposeExactCasts : public OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<CastOp>();
    if (!inner)
      return failure();
    Value x = inner.getInput();
    Type from = getElementTypeOrSelf(x.getType());
    Type middle = inner.getTo();
    Type to = op.getTo();
    if (!castsByValue(from) || !castsByValue(middle) || !castsByValue(to))
      return rewriter.notifyMatchFailure(op, "a narrow type in the chain");
    if (!castIsExact(from, middle))
      return rewriter.notifyMatchFailure(op, "the inner cast loses values");
    if (x.getType() == op.getType()) {
      rewriter.replaceOp(op, x);
      return success();
    }
    rewriter.replaceOpWithNewOp<CastOp>(op, x, to);
    return success();
  }
};
} // namespace

void CastOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<ComposeExactCasts>(context);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor adaptor) { return getValue(); }

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  auto resultType = cast<RankedTensorType>(getType());
  if (!isSmallStatic(resultType))
    return {};
  SmallVector<DenseElementsAttr> inputs;
  for (Attribute operand : adaptor.getInputs()) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(operand);
    if (!dense)
      return {};
    inputs.push_back(dense);
  }
  // Row-major: the result is, for each index of the dims before `axis`, every
  // input's block of dims from `axis` on, in turn.
  int64_t axis = getAxis();
  ArrayRef<int64_t> shape = resultType.getShape();
  int64_t outer = ShapedType::getNumElements(shape.take_front(axis));
  SmallVector<SmallVector<Attribute>> values;
  for (DenseElementsAttr input : inputs)
    values.emplace_back(input.getValues<Attribute>());
  SmallVector<Attribute> result;
  result.reserve(resultType.getNumElements());
  for (int64_t o = 0; o < outer; ++o) {
    for (auto [input, inputValues] : llvm::zip_equal(inputs, values)) {
      int64_t block = ShapedType::getNumElements(
          input.getType().getShape().drop_front(axis));
      llvm::append_range(result, ArrayRef(inputValues).slice(o * block, block));
    }
  }
  return DenseElementsAttr::get(resultType, result);
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto resultType = cast<RankedTensorType>(getType());
  if (!input || !resultType.hasStaticShape())
    return {};
  if (input.isSplat())
    return input.resizeSplat(resultType);
  if (!isSmallStatic(resultType))
    return {};
  auto values = input.getValues<Attribute>();
  SmallVector<Attribute> result;
  for (int64_t index :
       broadcastIndices(input.getType().getShape(), resultType.getShape()))
    result.push_back(values[index]);
  return DenseElementsAttr::get(resultType, result);
}

namespace {
/// expand(x) that stretches no dim, only puts 1s in front => reshape(x).
struct ExpandWithoutBroadcast : public OpRewritePattern<ExpandOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ExpandOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t offset = resultType.getRank() - inputType.getRank();
    if (offset < 0)
      return failure();
    SmallVector<int64_t> source;
    for (auto [i, dim] : llvm::enumerate(resultType.getShape())) {
      int64_t j = static_cast<int64_t>(i) - offset;
      // A dynamic input dim against a static result dim may be a 1 that
      // stretches; equal dims (both dynamic: the input's) are copies.
      if (j < 0 ? dim != 1 : inputType.getDimSize(j) != dim)
        return rewriter.notifyMatchFailure(op, "stretches a dim");
      source.push_back(j < 0 ? -1 : j);
    }
    Value reshaped =
        reshapeTo(rewriter, op.getLoc(), op.getInput(), resultType, source);
    if (!reshaped)
      return rewriter.notifyMatchFailure(op, "no reshape expresses it");
    rewriter.replaceOp(op, reshaped);
    return success();
  }
};
} // namespace

void ExpandOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<ExpandWithoutBroadcast>(context);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  // Every dynamic result dimension is a copy (0) of the same input dimension or
  // the one inferred (-1), so equal types mean the reshape changes nothing.
  if (getInput().getType() == getType())
    return getInput();
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto resultType = cast<RankedTensorType>(getType());
  if (input && resultType.hasStaticShape())
    return input.reshape(resultType);
  return {};
}

namespace {
/// reshape(reshape(x)) => reshape(x): the element order of a reshape never
/// changes, so only the outer shape matters, once its 0 entries (copies of the
/// inner result's dims) are resolved.
struct ComposeReshapes : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return failure();
    auto innerType = cast<RankedTensorType>(inner.getType());
    ArrayRef<int64_t> innerShape = inner.getShape();
    SmallVector<int64_t> shape(op.getShape());
    for (auto [i, d] : llvm::enumerate(shape)) {
      // A copy of a copy still names the original input's dim at the same
      // index.
      if (d != 0 || innerShape[i] == 0)
        continue;
      int64_t copied = innerType.getDimSize(i);
      if (ShapedType::isDynamic(copied))
        return rewriter.notifyMatchFailure(
            op, "copies a dynamic dim of the inner reshape");
      d = copied;
    }
    auto composed =
        ReshapeOp::create(rewriter, op.getLoc(), inner.getInput(), shape);
    if (composed.getType() != op.getType()) {
      rewriter.eraseOp(composed);
      return rewriter.notifyMatchFailure(
          op, "composed reshape infers a different type");
    }
    rewriter.replaceOp(op, composed.getResult());
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ComposeReshapes>(context);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto resultType = cast<RankedTensorType>(getType());
  if (!input)
    return {};
  if (input.isSplat())
    return input.resizeSplat(resultType);
  if (!isSmallStatic(resultType))
    return {};
  ArrayRef<int64_t> inShape = input.getType().getShape();
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  auto values = input.getValues<Attribute>();
  SmallVector<Attribute> result;
  SmallVector<int64_t> counter(perm.size(), 0);
  for (int64_t n = 0, e = resultType.getNumElements(); n < e; ++n) {
    int64_t index = 0;
    for (size_t i = 0; i < perm.size(); ++i)
      index += counter[i] * inStrides[perm[i]];
    result.push_back(values[index]);
    for (size_t i = perm.size(); i-- > 0;) {
      if (++counter[i] < resultType.getDimSize(i))
        break;
      counter[i] = 0;
    }
  }
  return DenseElementsAttr::get(resultType, result);
}

namespace {
/// transpose(transpose(x, p1), p2) => transpose(x, p1[p2[i]]) (an identity then
/// folds away).
struct ComposeTransposes : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> perm;
    for (int64_t p : op.getPerm())
      perm.push_back(inner.getPerm()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, inner.getInput(), perm);
    return success();
  }
};
} // namespace

namespace {
/// transpose(x) that keeps the order of the dims that are not 1 (moving only
/// unit dims) => reshape(x): row-major, the elements stay in place.
struct UnitDimTransposeToReshape : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    int64_t last = -1;
    for (int64_t p : op.getPerm()) {
      if (inputType.getDimSize(p) == 1)
        continue;
      if (p < last)
        return rewriter.notifyMatchFailure(op, "reorders dims that are not 1");
      last = p;
    }
    Value reshaped =
        reshapeTo(rewriter, op.getLoc(), op.getInput(),
                  cast<RankedTensorType>(op.getType()), op.getPerm());
    if (!reshaped)
      return rewriter.notifyMatchFailure(op, "no reshape expresses it");
    rewriter.replaceOp(op, reshaped);
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ComposeTransposes, UnitDimTransposeToReshape>(context);
}

/// Whether a slice keeps every element of its input in order: each sliced
/// axis starts at the first element and ends past the last with step 1. On a
/// dynamic dim only 0 and INT64_MAX (ONNX's "to the end") are known to.
static bool isIdentitySlice(SliceOp op) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  for (auto [i, start] : llvm::enumerate(op.getStarts())) {
    int64_t axis = op.getAxes().empty() ? i : op.getAxes()[i];
    int64_t step = op.getSteps().empty() ? 1 : op.getSteps()[i];
    int64_t end = op.getEnds()[i];
    int64_t dim = inputType.getDimSize(axis);
    if (step != 1)
      return false;
    if (ShapedType::isDynamic(dim)) {
      if (start != 0 || end != std::numeric_limits<int64_t>::max())
        return false;
      continue;
    }
    if (start > 0 || (start < 0 && start > -dim) || end < dim)
      return false;
  }
  return true;
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && isIdentitySlice(*this))
    return getInput();
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto resultType = cast<RankedTensorType>(getType());
  if (!input || !isSmallStatic(resultType))
    return {};
  if (input.isSplat())
    return input.resizeSplat(resultType);
  // The first element and the step of each dim, by ONNX Slice's clamping.
  ArrayRef<int64_t> inShape = input.getType().getShape();
  int64_t rank = inShape.size();
  SmallVector<int64_t> first(rank, 0), step(rank, 1);
  for (auto [i, start] : llvm::enumerate(getStarts())) {
    int64_t axis = getAxes().empty() ? i : getAxes()[i];
    int64_t s = getSteps().empty() ? 1 : getSteps()[i];
    int64_t dim = inShape[axis];
    int64_t begin = start < 0 ? std::max<int64_t>(start + dim, -1) : start;
    begin = s > 0 ? std::clamp<int64_t>(begin, 0, dim)
                  : std::clamp<int64_t>(begin, 0, dim - 1);
    first[axis] = begin;
    step[axis] = s;
  }
  SmallVector<int64_t> strides = stridesOf(inShape);
  auto values = input.getValues<Attribute>();
  SmallVector<Attribute> result;
  SmallVector<int64_t> counter(rank, 0);
  for (int64_t n = 0, e = resultType.getNumElements(); n < e; ++n) {
    int64_t index = 0;
    for (int64_t d = 0; d < rank; ++d)
      index += (first[d] + counter[d] * step[d]) * strides[d];
    result.push_back(values[index]);
    for (int64_t d = rank; d-- > 0;) {
      if (++counter[d] < resultType.getDimSize(d))
        break;
      counter[d] = 0;
    }
  }
  return DenseElementsAttr::get(resultType, result);
}

namespace {
/// slice(concat(a, b, c)) whose range along the concat axis lies within one
/// input, with step 1 => slice of that input (which folds away when it takes
/// all of it).
struct SliceOfConcat : public OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    auto concat = op.getInput().getDefiningOp<ConcatOp>();
    if (!concat)
      return failure();
    int64_t axis = concat.getAxis();
    SmallVector<int64_t> starts(op.getStarts()), ends(op.getEnds());
    ArrayRef<int64_t> axes = op.getAxes(), steps = op.getSteps();
    size_t k = axes.empty() ? axis : llvm::find(axes, axis) - axes.begin();
    if (k >= starts.size())
      return rewriter.notifyMatchFailure(op, "takes every input");
    int64_t total = cast<RankedTensorType>(concat.getType()).getDimSize(axis);
    if ((!steps.empty() && steps[k] != 1) || ShapedType::isDynamic(total))
      return rewriter.notifyMatchFailure(op, "not a static unit-step range");
    // ONNX clamping of [start, end) to the concatenation.
    auto clampBound = [&](int64_t bound) {
      if (bound < 0)
        bound = bound < -total ? 0 : bound + total;
      return std::min(bound, total);
    };
    int64_t start = clampBound(starts[k]), end = clampBound(ends[k]);
    if (start >= end)
      return rewriter.notifyMatchFailure(op, "an empty range");
    int64_t offset = 0;
    for (Value input : concat.getInputs()) {
      int64_t size = cast<RankedTensorType>(input.getType()).getDimSize(axis);
      if (ShapedType::isDynamic(size))
        return rewriter.notifyMatchFailure(op, "an input of unknown size");
      if (start >= offset && end <= offset + size) {
        starts[k] = start - offset;
        ends[k] = end - offset;
        auto slice =
            createTyped<SliceOp>(rewriter, op.getLoc(), op.getType(), input,
                                 rewriter.getDenseI64ArrayAttr(starts),
                                 rewriter.getDenseI64ArrayAttr(ends),
                                 op.getAxesAttr(), op.getStepsAttr());
        if (!slice)
          return rewriter.notifyMatchFailure(op, "the input's slice differs");
        rewriter.replaceOp(op, slice.getResult());
        return success();
      }
      offset += size;
    }
    return rewriter.notifyMatchFailure(op, "spans several inputs");
  }
};
} // namespace

void SliceOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<SliceOfConcat>(context);
}

// Shape vectors are split into their dims (AffineGrid's expanded function
// splits its size input into N, C, H and W).
LogicalResult SplitOp::fold(FoldAdaptor adaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!input || (!input.isSplat() && !isSmallStatic(input.getType())))
    return failure();
  for (Value result : getResults())
    if (!cast<RankedTensorType>(result.getType()).hasStaticShape())
      return failure();
  ArrayRef<int64_t> inShape = input.getType().getShape();
  int64_t rank = inShape.size(), axis = getAxis();
  SmallVector<int64_t> strides = stridesOf(inShape);
  int64_t offset = 0;
  for (Value result : getResults()) {
    auto type = cast<RankedTensorType>(result.getType());
    if (input.isSplat()) {
      results.push_back(input.resizeSplat(type));
      continue;
    }
    auto values = input.getValues<Attribute>();
    SmallVector<Attribute> elements;
    SmallVector<int64_t> counter(rank, 0);
    for (int64_t n = 0, e = type.getNumElements(); n < e; ++n) {
      int64_t index = 0;
      for (int64_t d = 0; d < rank; ++d)
        index += (counter[d] + (d == axis ? offset : 0)) * strides[d];
      elements.push_back(values[index]);
      for (int64_t d = rank; d-- > 0;) {
        if (++counter[d] < type.getDimSize(d))
          break;
        counter[d] = 0;
      }
    }
    results.push_back(DenseElementsAttr::get(type, elements));
    offset += type.getDimSize(axis);
  }
  return success();
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = dyn_cast_or_null<DenseElementsAttr>(adaptor.getData());
  auto indices = dyn_cast_or_null<DenseElementsAttr>(adaptor.getIndices());
  auto resultType = cast<RankedTensorType>(getType());
  if (!data || !indices || !isSmallStatic(resultType))
    return {};
  // result[outer, i, inner] = data[outer, indices[i], inner].
  ArrayRef<int64_t> shape = data.getType().getShape();
  int64_t axis = getAxis(), dim = shape[axis];
  int64_t outer = ShapedType::getNumElements(shape.take_front(axis));
  int64_t inner = ShapedType::getNumElements(shape.drop_front(axis + 1));
  SmallVector<int64_t> picks;
  for (const APInt &i : indices.getValues<APInt>()) {
    int64_t index = i.getSExtValue();
    if (index < -dim || index >= dim)
      return {}; // Out of range: left to run time, which reports it.
    picks.push_back(index < 0 ? index + dim : index);
  }
  auto values = data.getValues<Attribute>();
  SmallVector<Attribute> result;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t pick : picks)
      for (int64_t i = 0; i < inner; ++i)
        result.push_back(values[(o * dim + pick) * inner + i]);
  return DenseElementsAttr::get(resultType, result);
}

namespace {
/// gather(x, [s, s + d, ..., s + (n - 1) d]) along axis a => the strided
/// slice s : s + n d : d of axis a where the indices are a vector, or a
/// reshape of x where they are 0..dim-1 in some shape (the dynamo exporter's
/// GatherND of a mask). Not a slice and a reshape, which would be two kernels
/// for one.
struct GatherProgressionToSlice : public OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr indices;
    if (!matchPattern(op.getIndices(), m_Constant(&indices)))
      return failure();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    int64_t axis = op.getAxis();
    int64_t dim = dataType.getDimSize(axis);
    int64_t count = indices.getNumElements();
    if (ShapedType::isDynamic(dim) || count == 0 || count > kMaxFoldElements)
      return rewriter.notifyMatchFailure(op, "no static range to check");
    SmallVector<int64_t> picks;
    for (const APInt &i : indices.getValues<APInt>()) {
      int64_t index = i.getSExtValue();
      if (index < -dim || index >= dim)
        return rewriter.notifyMatchFailure(op, "an index out of range");
      picks.push_back(index < 0 ? index + dim : index);
    }
    int64_t first = picks.front();
    int64_t step = count > 1 ? picks[1] - picks[0] : 1;
    if (step == 0)
      return rewriter.notifyMatchFailure(op, "repeats an index");
    for (int64_t n = 1; n < count; ++n)
      if (picks[n] != first + n * step)
        return rewriter.notifyMatchFailure(op, "not evenly spaced");
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t indexRank = cast<RankedTensorType>(indices.getType()).getRank();
    if (first == 0 && step == 1 && count == dim) {
      // Every element in order: the dims before the axis keep their index,
      // those after it move by the indices' rank less one, and the indices'
      // dims are static.
      SmallVector<int64_t> source;
      for (int64_t i = 0; i < resultType.getRank(); ++i)
        source.push_back(i < axis               ? i
                         : i < axis + indexRank ? -1
                                                : i - indexRank + 1);
      Value reshaped = resultType == dataType
                           ? op.getData()
                           : reshapeTo(rewriter, op.getLoc(), op.getData(),
                                       resultType, source);
      if (!reshaped)
        return rewriter.notifyMatchFailure(op, "no reshape expresses it");
      rewriter.replaceOp(op, reshaped);
      return success();
    }
    if (indexRank != 1)
      return rewriter.notifyMatchFailure(
          op, "a part of the axis in another shape: a slice and a reshape");
    // Past the end on either side: a negative end would count from the back.
    int64_t end = first + count * step;
    if (end < 0)
      end = std::numeric_limits<int64_t>::min();
    auto slice = createTyped<SliceOp>(
        rewriter, op.getLoc(), resultType, op.getData(),
        rewriter.getDenseI64ArrayAttr({first}),
        rewriter.getDenseI64ArrayAttr({end}),
        rewriter.getDenseI64ArrayAttr({axis}),
        rewriter.getDenseI64ArrayAttr(step == 1 ? ArrayRef<int64_t>()
                                                : ArrayRef<int64_t>(step)));
    if (!slice)
      return rewriter.notifyMatchFailure(op, "the slice infers another type");
    rewriter.replaceOp(op, slice.getResult());
    return success();
  }
};
} // namespace

void GatherOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<GatherProgressionToSlice>(context);
}

OpFoldResult PadOp::fold(FoldAdaptor adaptor) {
  // Nothing added or cropped: the mode and fill value never apply.
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }) &&
      getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  auto cond = dyn_cast_or_null<DenseElementsAttr>(adaptor.getCondition());
  auto resultType = cast<RankedTensorType>(getType());
  if (cond && cond.isSplat() && getX().getType() == resultType &&
      getY().getType() == resultType)
    return cond.getSplatValue<bool>() ? getX() : getY();
  auto x = dyn_cast_or_null<DenseElementsAttr>(adaptor.getX());
  auto y = dyn_cast_or_null<DenseElementsAttr>(adaptor.getY());
  if (!cond || !x || !y || !isSmallStatic(resultType))
    return {};
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<int64_t> ci = broadcastIndices(cond.getType().getShape(), shape);
  SmallVector<int64_t> xi = broadcastIndices(x.getType().getShape(), shape);
  SmallVector<int64_t> yi = broadcastIndices(y.getType().getShape(), shape);
  auto c = cond.getValues<bool>();
  auto xv = x.getValues<Attribute>(), yv = y.getValues<Attribute>();
  SmallVector<Attribute> result;
  for (size_t n = 0; n < ci.size(); ++n)
    result.push_back(c[ci[n]] ? xv[xi[n]] : yv[yi[n]]);
  return DenseElementsAttr::get(resultType, result);
}
