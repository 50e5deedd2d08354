//===- AtenTensorOps.cpp - Elementwise, reductions, creation, shapes ----===//

#include "compiler/frontend/torch/AtenRegistry.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <limits>
#include <type_traits>

using namespace mlir;

namespace dsr1::torch_frontend {

namespace {

using Results = std::vector<AtenValue>;

bool anyTensor(AtenOpContext &ctx, size_t count) {
  for (size_t i = 0; i < std::min(count, ctx.size()); ++i)
    if (ctx.arg(i).isTensor())
      return true;
  return false;
}

RankedTensorType typeOf(Value v) { return AtenOpContext::typeOf(v); }

/// Largest constant a graph builds from shapes (a mask, a range).
constexpr int64_t kMaxBuiltElements = int64_t(1) << 24;

FailureOr<Value> splat(AtenOpContext &ctx, ArrayRef<int64_t> shape,
                       Type element, double value) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return ctx.error() << "negative size " << d;
    count *= d;
  }
  Value one = ctx.scalar(element, value);
  if (shape.empty())
    return one;
  auto type = RankedTensorType::get(shape, element);
  auto attr = DenseElementsAttr::get(
      type,
      cast<DenseElementsAttr>(cast<ConstantOp>(one.getDefiningOp()).getValue())
          .getSplatValue<Attribute>());
  one.getDefiningOp()->erase();
  return ConstantOp::create(ctx.builder, ctx.loc, cast<ElementsAttr>(attr))
      .getResult();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

enum class Division { none, trueDiv, trunc, floor };

/// lhs (op) rhs with PyTorch's promotion; `alpha` at argument 2 scales rhs
/// (add, sub); `reversed` swaps the operands (rsub).
template <typename OpT>
AtenLowering binary(StringRef name, bool hasAlpha = false,
                    bool reversed = false, Division division = Division::none) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    if (!anyTensor(ctx, 2))
      return scalarArithmetic(ctx, name, results);
    AtenValue a = ctx.arg(0), b = ctx.arg(1);
    FailureOr<Type> element = promotedType(ctx, {a, b});
    if (failed(element))
      return failure();
    Division mode = division;
    if (mode == Division::trueDiv && ctx.size() > 2 &&
        ctx.arg(2).kind() == AtenValue::Kind::string)
      mode = ctx.arg(2).string() == "trunc"   ? Division::trunc
             : ctx.arg(2).string() == "floor" ? Division::floor
                                              : Division::trueDiv;
    Type compute = *element;
    if (mode == Division::trueDiv && !isFloat(compute))
      compute = ctx.builder.getF32Type();
    if (mode == Division::floor && !isFloat(compute))
      compute = ctx.builder.getF64Type();
    FailureOr<SmallVector<Value>> v = operandsAs(ctx, {a, b}, compute);
    if (failed(v))
      return failure();
    Value lhs = (*v)[0], rhs = (*v)[1];
    if (hasAlpha && ctx.size() > 2 && !ctx.arg(2).isNone()) {
      FailureOr<double> alpha = ctx.number(2);
      if (failed(alpha))
        return failure();
      if (*alpha != 1)
        (reversed ? lhs : rhs) = ctx.create<MulOp>(reversed ? lhs : rhs,
                                                   ctx.scalar(compute, *alpha));
    }
    if (reversed)
      std::swap(lhs, rhs);
    Value r;
    if (compute.isInteger(1)) {
      // On bools, torch's + and max are or, * and min are and.
      if constexpr (std::is_same_v<OpT, AddOp> || std::is_same_v<OpT, MaxOp>)
        r = ctx.create<OrOp>(lhs, rhs);
      else if constexpr (std::is_same_v<OpT, MulOp> ||
                         std::is_same_v<OpT, MinOp>)
        r = ctx.create<AndOp>(lhs, rhs);
      else
        return ctx.error() << "is not defined on two bool tensors";
      return pushTensor(results, r);
    }
    r = ctx.create<OpT>(lhs, rhs);
    if (mode == Division::floor) {
      r = ctx.create<FloorOp>(r);
      r = ctx.castTo(r, *element);
    } else if (mode == Division::trunc && isFloat(compute)) {
      // trunc(q) = sign(q) * floor(|q|)
      r = ctx.create<MulOp>(ctx.create<SignOp>(r),
                            ctx.create<FloorOp>(ctx.create<AbsOp>(r)));
    }
    return pushTensor(results, r);
  };
}

template <typename OpT> AtenLowering compare(StringRef name) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    if (!anyTensor(ctx, 2))
      return scalarArithmetic(ctx, name, results);
    FailureOr<Type> element = promotedType(ctx, {ctx.arg(0), ctx.arg(1)});
    if (failed(element))
      return failure();
    // Bools compare as 0 and 1.
    Type compute = element->isInteger(1) ? ctx.builder.getI8Type() : *element;
    FailureOr<SmallVector<Value>> v =
        operandsAs(ctx, {ctx.arg(0), ctx.arg(1)}, compute);
    if (failed(v))
      return failure();
    return pushTensor(results, ctx.create<OpT>((*v)[0], (*v)[1]));
  };
}

/// and / or / xor: logical on bools, bitwise on integers.
template <typename OpT> AtenLowering bitwise(StringRef name, bool logical) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    if (!anyTensor(ctx, 2))
      return scalarArithmetic(ctx, name, results);
    FailureOr<Type> element = promotedType(ctx, {ctx.arg(0), ctx.arg(1)});
    if (failed(element))
      return failure();
    Type compute = logical ? ctx.builder.getI1Type() : *element;
    if (isFloat(compute))
      return ctx.error() << "bitwise op on floats";
    FailureOr<SmallVector<Value>> v =
        operandsAs(ctx, {ctx.arg(0), ctx.arg(1)}, compute);
    if (failed(v))
      return failure();
    return pushTensor(results, ctx.create<OpT>((*v)[0], (*v)[1]));
  };
}

/// A unary op; `floatOnly` ops compute integer inputs in f32, as torch does.
/// `host` evaluates the op on a number known at import time (math.sqrt).
template <typename OpT>
AtenLowering unary(bool floatOnly, double (*host)(double) = nullptr) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    if (host && ctx.arg(0).isNumber()) {
      double r = host(ctx.arg(0).number());
      results.push_back(ctx.arg(0).isInt() && !floatOnly
                            ? AtenValue::ofInt(static_cast<int64_t>(r))
                            : AtenValue::ofDouble(r));
      return success();
    }
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    Value in = *x;
    if (floatOnly && !isFloat(typeOf(in).getElementType()))
      in = ctx.castTo(in, ctx.builder.getF32Type());
    return pushTensor(results, ctx.create<OpT>(in));
  };
}

/// The float input of an activation (ints computed in f32).
FailureOr<Value> floatInput(AtenOpContext &ctx, size_t i) {
  FailureOr<Value> x = ctx.tensor(i);
  if (failed(x))
    return failure();
  if (!isFloat(typeOf(*x).getElementType()))
    return ctx.castTo(*x, ctx.builder.getF32Type());
  return *x;
}

LogicalResult clamp(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  if (failed(x))
    return failure();
  Value r = *x;
  Type element = typeOf(r).getElementType();
  bool tensorBounds = ctx.arg(1).isTensor() || ctx.arg(2).isTensor();
  if (tensorBounds) {
    for (int i : {1, 2}) {
      if (ctx.arg(i).isNone())
        continue;
      FailureOr<SmallVector<Value>> v =
          operandsAs(ctx, {AtenValue::ofTensor(r), ctx.arg(i)}, element);
      if (failed(v))
        return failure();
      r = i == 1 ? ctx.create<MaxOp>((*v)[0], (*v)[1])
                 : ctx.create<MinOp>((*v)[0], (*v)[1]);
    }
    return pushTensor(results, r);
  }
  FloatAttr lo, hi;
  for (int i : {1, 2}) {
    if (ctx.arg(i).isNone())
      continue;
    FailureOr<double> bound = ctx.number(i);
    if (failed(bound))
      return failure();
    (i == 1 ? lo : hi) = ctx.builder.getF64FloatAttr(*bound);
  }
  return pushTensor(results, ctx.create<ClipOp>(r, lo, hi));
}

/// clamp_min / clamp_max / hardtanh / relu6 with fixed argument slots.
AtenLowering clampBetween(std::optional<double> lo, std::optional<double> hi,
                          int loArg, int hiArg) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    auto bound = [&](std::optional<double> fixed, int index) -> FloatAttr {
      if (fixed)
        return ctx.builder.getF64FloatAttr(*fixed);
      if (index < 0 || ctx.arg(index).isNone())
        return {};
      FailureOr<double> v = ctx.number(index);
      return failed(v) ? FloatAttr() : ctx.builder.getF64FloatAttr(*v);
    };
    return pushTensor(
        results, ctx.create<ClipOp>(*x, bound(lo, loArg), bound(hi, hiArg)));
  };
}

LogicalResult where(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> cond = ctx.tensor(0);
  if (failed(cond))
    return failure();
  FailureOr<Type> element = promotedType(ctx, {ctx.arg(1), ctx.arg(2)});
  if (failed(element))
    return failure();
  FailureOr<SmallVector<Value>> v =
      operandsAs(ctx, {ctx.arg(1), ctx.arg(2)}, *element);
  if (failed(v))
    return failure();
  Value c = ctx.castTo(*cond, ctx.builder.getI1Type());
  return pushTensor(results, ctx.create<WhereOp>(c, (*v)[0], (*v)[1]));
}

LogicalResult maskedFill(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<Value> mask = ctx.tensor(1);
  if (failed(x) || failed(mask))
    return failure();
  Type element = typeOf(*x).getElementType();
  FailureOr<SmallVector<Value>> fill = operandsAs(ctx, {ctx.arg(2)}, element);
  if (failed(fill))
    return failure();
  Value c = ctx.castTo(*mask, ctx.builder.getI1Type());
  return pushTensor(results, ctx.create<WhereOp>(c, (*fill)[0], *x));
}

LogicalResult logicalNot(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  if (failed(x))
    return failure();
  return pushTensor(results,
                    ctx.create<NotOp>(ctx.castTo(*x, ctx.builder.getI1Type())));
}

LogicalResult bitwiseNot(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  if (failed(x))
    return failure();
  return pushTensor(results, ctx.create<NotOp>(*x));
}

LogicalResult pow(AtenOpContext &ctx, Results &results) {
  if (!anyTensor(ctx, 2))
    return scalarArithmetic(ctx, "pow", results);
  FailureOr<Type> element = promotedType(ctx, {ctx.arg(0), ctx.arg(1)});
  if (failed(element))
    return failure();
  FailureOr<SmallVector<Value>> v =
      operandsAs(ctx, {ctx.arg(0), ctx.arg(1)}, *element);
  if (failed(v))
    return failure();
  return pushTensor(results, ctx.create<PowOp>((*v)[0], (*v)[1]));
}

LogicalResult silu(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = floatInput(ctx, 0);
  if (failed(x))
    return failure();
  return pushTensor(results, ctx.create<MulOp>(*x, ctx.create<SigmoidOp>(*x)));
}

LogicalResult gelu(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = floatInput(ctx, 0);
  if (failed(x))
    return failure();
  GeluApproximation kind = GeluApproximation::none;
  if (ctx.arg(1).kind() == AtenValue::Kind::string) {
    StringRef mode = ctx.arg(1).string();
    if (mode == "tanh")
      kind = GeluApproximation::tanh;
    else if (mode != "none")
      return ctx.error() << "unknown approximate='" << mode << "'";
  }
  return pushTensor(results, ctx.create<GeluOp>(*x, kind));
}

LogicalResult hardsigmoid(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = floatInput(ctx, 0);
  if (failed(x))
    return failure();
  return pushTensor(results, ctx.create<HardSigmoidOp>(
                                 *x, ctx.builder.getF64FloatAttr(1.0 / 6),
                                 ctx.builder.getF64FloatAttr(0.5)));
}

LogicalResult hardswish(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = floatInput(ctx, 0);
  if (failed(x))
    return failure();
  Value gate =
      ctx.create<HardSigmoidOp>(*x, ctx.builder.getF64FloatAttr(1.0 / 6),
                                ctx.builder.getF64FloatAttr(0.5));
  return pushTensor(results, ctx.create<MulOp>(*x, gate));
}

/// An activation with one float parameter at argument 1 (leaky_relu's
/// negative slope, elu's alpha), `fallback` when absent.
template <typename OpT> AtenLowering withParameter(double fallback) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = floatInput(ctx, 0);
    FailureOr<double> p = ctx.optionalNumber(1, fallback);
    if (failed(x) || failed(p))
      return failure();
    return pushTensor(results,
                      ctx.create<OpT>(*x, ctx.builder.getF64FloatAttr(*p)));
  };
}

/// softplus(x, beta, threshold) = x where beta x > threshold, else
/// log(1 + exp(beta x)) / beta.
LogicalResult softplus(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = floatInput(ctx, 0);
  if (failed(x))
    return failure();
  FailureOr<double> betaArg = ctx.optionalNumber(1, 1),
                    thresholdArg = ctx.optionalNumber(2, 20);
  if (failed(betaArg) || failed(thresholdArg))
    return failure();
  double beta = *betaArg, threshold = *thresholdArg;
  Type element = typeOf(*x).getElementType();
  Value scaled =
      beta == 1 ? *x : ctx.create<MulOp>(*x, ctx.scalar(element, beta));
  Value soft = ctx.create<SoftplusOp>(scaled);
  if (beta != 1)
    soft = ctx.create<DivOp>(soft, ctx.scalar(element, beta));
  Value linear = ctx.create<GreaterOp>(scaled, ctx.scalar(element, threshold));
  return pushTensor(results, ctx.create<WhereOp>(linear, *x, soft));
}

//===----------------------------------------------------------------------===//
// Conversions and identities
//===----------------------------------------------------------------------===//

LogicalResult identity(AtenOpContext &ctx, Results &results) {
  results.push_back(ctx.arg(0));
  return success();
}

/// aten::to: the dtype is at a slot that depends on the overload.
LogicalResult to(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  if (failed(x))
    return failure();
  Type element = typeOf(*x).getElementType();
  if (ctx.overload == "other") {
    FailureOr<Value> other = ctx.tensor(1);
    if (failed(other))
      return failure();
    element = typeOf(*other).getElementType();
  } else {
    size_t slot =
        (ctx.overload == "device" || ctx.overload == "prim_Device") ? 2 : 1;
    // A device or a string at the dtype slot: only moves between devices.
    if (ctx.arg(slot).isInt() || ctx.arg(slot).isNone()) {
      FailureOr<Type> t = ctx.dtype(slot, element);
      if (failed(t))
        return failure();
      element = *t;
    }
  }
  return pushTensor(results, ctx.castTo(*x, element));
}

LogicalResult typeAs(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0), other = ctx.tensor(1);
  if (failed(x) || failed(other))
    return failure();
  return pushTensor(results, ctx.castTo(*x, typeOf(*other).getElementType()));
}

//===----------------------------------------------------------------------===//
// Creation
//===----------------------------------------------------------------------===//

/// The element type a fill value gives when no dtype is: bool, i64 or f32.
Type typeOfNumber(AtenOpContext &ctx, const AtenValue &v) {
  if (v.kind() == AtenValue::Kind::boolean)
    return ctx.builder.getI1Type();
  if (v.kind() == AtenValue::Kind::integer)
    return ctx.builder.getI64Type();
  if (v.isTensor())
    return typeOf(v.tensor()).getElementType();
  return ctx.builder.getF32Type();
}

/// zeros / ones / full (size at 0), new_zeros / new_ones / new_full (size at
/// 1), zeros_like / ones_like / full_like (the shape of argument 0).
/// `fillArg` < 0: the fixed `fill`.
AtenLowering filled(int sizeArg, int fillArg, double fill, bool like) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    SmallVector<int64_t> shape;
    Type fallback = ctx.builder.getF32Type();
    if (like || sizeArg == 1) {
      FailureOr<Value> self = ctx.tensor(0);
      if (failed(self))
        return failure();
      fallback = typeOf(*self).getElementType();
      if (like)
        shape = llvm::to_vector(typeOf(*self).getShape());
    }
    if (!like) {
      FailureOr<SmallVector<int64_t>> s = ctx.ints(sizeArg);
      if (failed(s))
        return failure();
      shape = *s;
    }
    double value = fill;
    if (fillArg >= 0) {
      FailureOr<double> v = ctx.number(fillArg);
      if (failed(v))
        return failure();
      value = *v;
      if (!like && sizeArg == 0)
        fallback = typeOfNumber(ctx, ctx.arg(fillArg));
    }
    size_t dtypeArg = (like ? 1 : sizeArg + 1) + (fillArg >= 0 ? 1 : 0);
    FailureOr<Type> element = ctx.dtype(dtypeArg, fallback);
    if (failed(element))
      return failure();
    FailureOr<Value> r = splat(ctx, shape, *element, value);
    if (failed(r))
      return failure();
    return pushTensor(results, *r);
  };
}

LogicalResult arange(AtenOpContext &ctx, Results &results) {
  // arange(end, dtype, ...) has 5 arguments, arange.start 6, .start_step 7.
  size_t bounds = ctx.size() >= 7 ? 3 : ctx.size() == 6 ? 2 : 1;
  double start = 0, end = 0, step = 1;
  bool anyFloat = false;
  for (size_t i = 0; i < bounds; ++i) {
    FailureOr<double> v = ctx.number(i);
    if (failed(v))
      return failure();
    anyFloat |= ctx.arg(i).kind() == AtenValue::Kind::real ||
                (ctx.arg(i).isTensor() &&
                 isFloat(typeOf(ctx.arg(i).tensor()).getElementType()));
    (bounds == 1 ? end : i == 0 ? start : i == 1 ? end : step) = *v;
  }
  if (step == 0)
    return ctx.error() << "step must not be 0";
  double n = std::ceil((end - start) / step);
  if (n < 0 || n > kMaxBuiltElements)
    return ctx.error() << "builds " << n << " elements";
  Type fallback = ctx.builder.getI64Type();
  if (anyFloat)
    fallback = ctx.builder.getF32Type();
  FailureOr<Type> element = ctx.dtype(bounds, fallback);
  if (failed(element))
    return failure();
  auto type = RankedTensorType::get({static_cast<int64_t>(n)}, *element);
  DenseElementsAttr attr;
  if (isFloat(*element)) {
    SmallVector<APFloat> values;
    const llvm::fltSemantics &semantics =
        cast<FloatType>(*element).getFloatSemantics();
    for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) {
      APFloat f(start + i * step);
      bool lost;
      f.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    attr = DenseElementsAttr::get(type, values);
  } else {
    SmallVector<APInt> values;
    for (int64_t i = 0; i < static_cast<int64_t>(n); ++i)
      values.push_back(APInt(element->getIntOrFloatBitWidth(),
                             static_cast<int64_t>(start + i * step), true,
                             true));
    attr = DenseElementsAttr::get(type, values);
  }
  return pushTensor(results, ConstantOp::create(ctx.builder, ctx.loc,
                                                cast<ElementsAttr>(attr)));
}

/// tril / triu: keep the elements on and below (above) diagonal k.
AtenLowering triangle(bool lower) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    FailureOr<int64_t> k = ctx.optionalInteger(1, 0);
    if (failed(x) || failed(k))
      return failure();
    auto type = typeOf(*x);
    if (type.getRank() < 2 || !type.hasStaticShape())
      return ctx.error() << "needs a static shape of rank 2 or more, not "
                         << type;
    int64_t rows = type.getDimSize(type.getRank() - 2),
            cols = type.getDimSize(type.getRank() - 1);
    if (rows * cols > kMaxBuiltElements)
      return ctx.error() << "builds a mask of " << rows * cols << " elements";
    SmallVector<bool> keep;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        keep.push_back(lower ? j - i <= *k : j - i >= *k);
    auto maskType =
        RankedTensorType::get({rows, cols}, ctx.builder.getI1Type());
    Value mask = ConstantOp::create(
        ctx.builder, ctx.loc,
        cast<ElementsAttr>(DenseElementsAttr::get(maskType, keep)));
    Value zero = ctx.scalar(type.getElementType(), 0);
    return pushTensor(results, ctx.create<WhereOp>(mask, *x, zero));
  };
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The dims a reduction takes from argument `i` (None or missing: all), as
/// non-negative axes.
FailureOr<SmallVector<int64_t>> reductionAxes(AtenOpContext &ctx, size_t i,
                                              int64_t rank) {
  SmallVector<int64_t> axes;
  if (i >= ctx.size() || ctx.arg(i).isNone()) {
    for (int64_t a = 0; a < rank; ++a)
      axes.push_back(a);
    return axes;
  }
  FailureOr<SmallVector<int64_t>> dims = ctx.ints(i);
  if (failed(dims))
    return failure();
  if (dims->empty()) {
    for (int64_t a = 0; a < rank; ++a)
      axes.push_back(a);
    return axes;
  }
  for (int64_t d : *dims) {
    FailureOr<int64_t> a = ctx.dim(d, rank);
    if (failed(a))
      return failure();
    axes.push_back(*a);
  }
  return axes;
}

/// mean / sum: (self, dtype) over everything, or (self, dim, keepdim, dtype).
template <typename OpT> AtenLowering reduce(bool isMean) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    auto type = typeOf(*x);
    bool all = ctx.size() <= 2;
    FailureOr<SmallVector<int64_t>> axes =
        reductionAxes(ctx, all ? ctx.size() : 1, type.getRank());
    FailureOr<bool> keep = all ? FailureOr<bool>(false) : ctx.boolean(2);
    if (failed(axes) || failed(keep))
      return failure();
    Type element = type.getElementType();
    Type fallback = element;
    if (!isMean && !isFloat(element))
      fallback = ctx.builder.getI64Type();
    FailureOr<Type> out = ctx.dtype(all ? 1 : 3, fallback);
    if (failed(out))
      return failure();
    if (isMean && !isFloat(*out))
      return ctx.error() << "mean of an integer tensor needs a float dtype";
    Value in = ctx.castTo(*x, *out);
    if (type.getRank() == 0)
      return pushTensor(results, in);
    return pushTensor(results, ctx.create<OpT>(in, *axes, *keep));
  };
}

/// amax / amin (self, dim list, keepdim).
template <typename OpT> AtenLowering reduceExtremum() {
  return [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    FailureOr<SmallVector<int64_t>> axes =
        reductionAxes(ctx, 1, typeOf(*x).getRank());
    bool keep = false;
    if (ctx.size() > 2) {
      FailureOr<bool> k = ctx.boolean(2);
      if (failed(k))
        return failure();
      keep = *k;
    }
    if (failed(axes))
      return failure();
    return pushTensor(results, ctx.create<OpT>(*x, *axes, keep));
  };
}

/// max / min: of everything (self), along a dim with indices (self, dim,
/// keepdim), or elementwise (self, other).
template <typename ReduceT, typename ArgT, typename BinaryT>
AtenLowering extremum(StringRef name) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    if (ctx.size() == 2 && ctx.arg(1).isTensor())
      return binary<BinaryT>(name)(ctx, results);
    if (!anyTensor(ctx, 2))
      return scalarArithmetic(ctx, name, results);
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    int64_t rank = typeOf(*x).getRank();
    if (ctx.size() == 1) {
      SmallVector<int64_t> all;
      for (int64_t a = 0; a < rank; ++a)
        all.push_back(a);
      return pushTensor(results, ctx.create<ReduceT>(*x, all, false));
    }
    FailureOr<int64_t> d = ctx.integer(1);
    FailureOr<bool> keep = ctx.size() > 2 ? ctx.boolean(2) : false;
    if (failed(d) || failed(keep))
      return failure();
    FailureOr<int64_t> axis = ctx.dim(*d, rank);
    if (failed(axis))
      return failure();
    Value values = ctx.create<ReduceT>(*x, SmallVector<int64_t>{*axis}, *keep);
    Value indices = ctx.create<ArgT>(*x, static_cast<uint64_t>(*axis), *keep);
    if (failed(pushTensor(results, values)))
      return failure();
    return pushTensor(results, indices);
  };
}

/// argmax / argmin (self, dim or None, keepdim).
template <typename ArgT> AtenLowering argExtremum() {
  return [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    FailureOr<bool> keep = ctx.size() > 2 ? ctx.boolean(2) : false;
    if (failed(keep))
      return failure();
    Value in = *x;
    int64_t axis = 0;
    if (ctx.arg(1).isNone()) {
      auto type = typeOf(in);
      if (!type.hasStaticShape())
        return ctx.error() << "needs a static shape";
      in = reshapeTo(ctx, in, {type.getNumElements()});
      Value r = ctx.create<ArgT>(in, uint64_t(0), false);
      if (*keep && r)
        r = reshapeTo(ctx, r, SmallVector<int64_t>(type.getRank(), 1));
      return pushTensor(results, r);
    }
    FailureOr<int64_t> d = ctx.integer(1);
    if (failed(d))
      return failure();
    FailureOr<int64_t> a = ctx.dim(*d, typeOf(in).getRank());
    if (failed(a))
      return failure();
    axis = *a;
    return pushTensor(results,
                      ctx.create<ArgT>(in, static_cast<uint64_t>(axis), *keep));
  };
}

/// var / std: (self, unbiased), (self, dim, unbiased, keepdim) or
/// .correction (self, dim, correction, keepdim).
AtenLowering variance(bool isStd) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = floatInput(ctx, 0);
    if (failed(x))
      return failure();
    auto type = typeOf(*x);
    bool all = ctx.size() <= 2;
    FailureOr<SmallVector<int64_t>> axes =
        reductionAxes(ctx, all ? ctx.size() : 1, type.getRank());
    if (failed(axes))
      return failure();
    double correction = 1;
    size_t corrArg = all ? 1 : 2;
    if (ctx.overload.contains("correction")) {
      if (!ctx.arg(corrArg).isNone()) {
        FailureOr<double> c = ctx.number(corrArg);
        if (failed(c))
          return failure();
        correction = *c;
      }
    } else if (corrArg < ctx.size()) {
      FailureOr<bool> unbiased = ctx.boolean(corrArg);
      if (failed(unbiased))
        return failure();
      correction = *unbiased ? 1 : 0;
    }
    FailureOr<bool> keep = all ? FailureOr<bool>(false) : ctx.boolean(3);
    if (failed(keep) || !type.hasStaticShape())
      return failed(keep) ? failure()
                          : (ctx.error() << "needs a static shape", failure());
    int64_t count = 1;
    for (int64_t a : *axes)
      count *= type.getDimSize(a);
    Type element = type.getElementType();
    Value mean = ctx.create<ReduceMeanOp>(*x, *axes, true);
    Value centered = ctx.create<SubOp>(*x, mean);
    Value sum = ctx.create<ReduceSumOp>(ctx.create<MulOp>(centered, centered),
                                        *axes, *keep);
    Value var = ctx.create<DivOp>(
        sum, ctx.scalar(element, std::max<double>(count - correction, 0)));
    return pushTensor(results, isStd ? ctx.create<SqrtOp>(var) : var);
  };
}

/// any / all: (self) over everything or (self, dim, keepdim), as bools.
template <typename OpT> AtenLowering anyAll() {
  return [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    constexpr bool isAll = std::is_same_v<OpT, ReduceMinOp>;
    if (ctx.arg(0).isList()) { // all(list of bools), any(list of bools)
      const auto &items = ctx.arg(0).list();
      auto truthy = [](const AtenValue &v) {
        return v.isNumber() && v.number() != 0;
      };
      if (llvm::any_of(items, [](const AtenValue &v) { return !v.isNumber(); }))
        return ctx.error() << "needs a list of values known at import time";
      results.push_back(AtenValue::ofBool(isAll ? llvm::all_of(items, truthy)
                                                : llvm::any_of(items, truthy)));
      return success();
    }
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    Value flags = *x;
    if (!typeOf(flags).getElementType().isInteger(1))
      flags = ctx.create<NotOp>(ctx.create<EqualOp>(
          flags, ctx.scalar(typeOf(flags).getElementType(), 0)));
    int64_t rank = typeOf(flags).getRank();
    if (rank == 0)
      return pushTensor(results, flags);
    FailureOr<SmallVector<int64_t>> axes =
        reductionAxes(ctx, ctx.size() > 1 ? 1 : ctx.size(), rank);
    FailureOr<bool> keep = ctx.size() > 2 ? ctx.boolean(2) : false;
    if (failed(axes) || failed(keep))
      return failure();
    return pushTensor(results, ctx.create<OpT>(flags, *axes, *keep));
  };
}

LogicalResult cumsum(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<int64_t> d = ctx.integer(1);
  if (failed(x) || failed(d))
    return failure();
  FailureOr<int64_t> axis = ctx.dim(*d, typeOf(*x).getRank());
  Type element = typeOf(*x).getElementType();
  FailureOr<Type> out =
      ctx.dtype(2, isFloat(element) ? element : ctx.builder.getI64Type());
  if (failed(axis) || failed(out))
    return failure();
  Operation *op = ctx.build<CumSumOp>(
      ctx.castTo(*x, *out), static_cast<uint64_t>(*axis), false, false);
  return op ? pushTensor(results, op->getResult(0)) : failure();
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>> staticShape(AtenOpContext &ctx, Value v) {
  auto type = typeOf(v);
  if (!type.hasStaticShape())
    return ctx.error() << "needs a static shape, not " << type
                       << " (give the input shapes)";
  return llvm::to_vector(type.getShape());
}

/// The static shape of a tensor argument just read (failure passes on).
FailureOr<SmallVector<int64_t>> staticShape(AtenOpContext &ctx,
                                            FailureOr<Value> v) {
  if (failed(v))
    return failure();
  return staticShape(ctx, *v);
}

LogicalResult view(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> in = staticShape(ctx, x);
  FailureOr<SmallVector<int64_t>> size = ctx.ints(1);
  if (failed(in) || failed(size))
    return failure();
  int64_t total = 1, known = 1, infer = -1;
  for (int64_t d : *in)
    total *= d;
  SmallVector<int64_t> shape = *size;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1 && infer < 0)
      infer = i;
    else if (d < 0)
      return ctx.error() << "bad size " << d;
    else
      known *= d;
  }
  if (infer >= 0) {
    if (known == 0 || total % known != 0)
      return ctx.error() << "cannot infer the -1 dim of a view of " << total
                         << " elements";
    shape[infer] = total / known;
  } else if (known != total) {
    return ctx.error() << "views " << total << " elements as " << known;
  }
  return pushTensor(results, reshapeTo(ctx, *x, shape));
}

LogicalResult viewAs(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0), other = ctx.tensor(1);
  if (failed(x) || failed(other))
    return failure();
  return pushTensor(results, reshapeTo(ctx, *x, typeOf(*other).getShape()));
}

LogicalResult flatten(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> in = staticShape(ctx, x);
  FailureOr<int64_t> s = ctx.optionalInteger(1, 0),
                     e = ctx.optionalInteger(2, -1);
  if (failed(in) || failed(s) || failed(e))
    return failure();
  int64_t rank = in->size();
  if (rank == 0)
    return pushTensor(results, reshapeTo(ctx, *x, {1}));
  FailureOr<int64_t> start = ctx.dim(*s, rank), end = ctx.dim(*e, rank);
  if (failed(start) || failed(end))
    return failure();
  SmallVector<int64_t> shape(in->begin(), in->begin() + *start);
  int64_t merged = 1;
  for (int64_t i = *start; i <= *end; ++i)
    merged *= (*in)[i];
  shape.push_back(merged);
  shape.append(in->begin() + *end + 1, in->end());
  return pushTensor(results, reshapeTo(ctx, *x, shape));
}

LogicalResult unflatten(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> in = staticShape(ctx, x);
  FailureOr<int64_t> d = ctx.integer(1);
  FailureOr<SmallVector<int64_t>> sizes = ctx.ints(2);
  if (failed(in) || failed(d) || failed(sizes))
    return failure();
  FailureOr<int64_t> axis = ctx.dim(*d, in->size());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> parts = *sizes;
  int64_t known = 1, infer = -1;
  for (auto [i, p] : llvm::enumerate(parts))
    p == -1 ? infer = i : known *= p;
  if (infer >= 0 && known != 0)
    parts[infer] = (*in)[*axis] / known;
  SmallVector<int64_t> shape(in->begin(), in->begin() + *axis);
  shape.append(parts);
  shape.append(in->begin() + *axis + 1, in->end());
  return pushTensor(results, reshapeTo(ctx, *x, shape));
}

LogicalResult permute(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> dims = ctx.ints(1);
  if (failed(x) || failed(dims))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  SmallVector<int64_t> perm;
  for (int64_t d : *dims) {
    FailureOr<int64_t> a = ctx.dim(d, rank);
    if (failed(a))
      return failure();
    perm.push_back(*a);
  }
  return pushTensor(results, ctx.create<TransposeOp>(*x, perm));
}

LogicalResult transpose(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  int64_t d0 = 0, d1 = 1;
  if (ctx.size() > 1) { // aten::t has no dims
    FailureOr<int64_t> a = ctx.integer(1), b = ctx.integer(2);
    if (failed(a) || failed(b))
      return failure();
    FailureOr<int64_t> na = ctx.dim(*a, rank), nb = ctx.dim(*b, rank);
    if (failed(na) || failed(nb))
      return failure();
    d0 = *na;
    d1 = *nb;
  } else if (rank < 2) {
    return pushTensor(results, *x);
  }
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[d0], perm[d1]);
  return pushTensor(results, ctx.create<TransposeOp>(*x, perm));
}

LogicalResult unsqueeze(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> in = staticShape(ctx, x);
  FailureOr<int64_t> d = ctx.integer(1);
  if (failed(in) || failed(d))
    return failure();
  FailureOr<int64_t> axis = ctx.dim(*d, in->size() + 1);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape = *in;
  shape.insert(shape.begin() + *axis, 1);
  return pushTensor(results, reshapeTo(ctx, *x, shape));
}

LogicalResult squeeze(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> in = staticShape(ctx, x);
  if (failed(in))
    return failure();
  SmallVector<bool> drop(in->size(), false);
  if (ctx.size() < 2) {
    for (auto [i, d] : llvm::enumerate(*in))
      drop[i] = d == 1;
  } else {
    FailureOr<SmallVector<int64_t>> dims = ctx.ints(1);
    if (failed(dims))
      return failure();
    for (int64_t d : *dims) {
      FailureOr<int64_t> a = ctx.dim(d, in->size());
      if (failed(a))
        return failure();
      if (!in->empty())
        drop[*a] = (*in)[*a] == 1;
    }
  }
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(*in))
    if (!drop[i])
      shape.push_back(d);
  return pushTensor(results, reshapeTo(ctx, *x, shape));
}

FailureOr<Value> expandTo(AtenOpContext &ctx, Value x, ArrayRef<int64_t> size) {
  auto type = typeOf(x);
  int64_t rank = size.size(), offset = rank - type.getRank();
  if (offset < 0)
    return ctx.error() << "expands rank " << type.getRank() << " to " << rank;
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(size[i] == -1
                        ? (i >= offset ? type.getDimSize(i - offset) : 1)
                        : size[i]);
  if (llvm::equal(shape, type.getShape()))
    return x;
  Value r = ctx.create<ExpandOp>(x, shape);
  if (!r)
    return failure();
  return r;
}

LogicalResult expand(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> size = ctx.ints(1);
  if (failed(x) || failed(size))
    return failure();
  FailureOr<Value> r = expandTo(ctx, *x, *size);
  return failed(r) ? failure() : pushTensor(results, *r);
}

LogicalResult expandAs(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0), other = ctx.tensor(1);
  if (failed(x) || failed(other))
    return failure();
  FailureOr<Value> r = expandTo(ctx, *x, typeOf(*other).getShape());
  return failed(r) ? failure() : pushTensor(results, *r);
}

LogicalResult repeat(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> in = staticShape(ctx, x);
  FailureOr<SmallVector<int64_t>> reps = ctx.ints(1);
  if (failed(in) || failed(reps))
    return failure();
  if (reps->size() < in->size())
    return ctx.error() << "repeats " << reps->size() << " dims of a rank "
                       << in->size() << " tensor";
  SmallVector<int64_t> padded(reps->size() - in->size(), 1);
  padded.append(*in);
  SmallVector<int64_t> interleaved, expanded, merged;
  for (auto [r, d] : llvm::zip_equal(*reps, padded)) {
    interleaved.append({1, d});
    expanded.append({r, d});
    merged.push_back(r * d);
  }
  Value v = reshapeTo(ctx, *x, interleaved);
  FailureOr<Value> e = expandTo(ctx, v, expanded);
  if (failed(e))
    return failure();
  return pushTensor(results, reshapeTo(ctx, *e, merged));
}

/// A slice along one axis; `end` may exceed the dim (clamped).
Value sliceAxis(AtenOpContext &ctx, Value x, int64_t axis, int64_t start,
                int64_t end, int64_t step) {
  Builder &b = ctx.builder;
  return ctx.create<SliceOp>(
      x, b.getDenseI64ArrayAttr({start}), b.getDenseI64ArrayAttr({end}),
      b.getDenseI64ArrayAttr({axis}), b.getDenseI64ArrayAttr({step}));
}

LogicalResult slice(AtenOpContext &ctx, Results &results) {
  if (ctx.arg(0).isList()) { // list[start:end:step]
    FailureOr<int64_t> s = ctx.optionalInteger(1, 0),
                       e = ctx.optionalInteger(2, INT64_MAX),
                       st = ctx.optionalInteger(3, 1);
    if (failed(s) || failed(e) || failed(st) || *st <= 0)
      return ctx.error() << "bad list slice";
    const auto &items = ctx.arg(0).list();
    int64_t n = items.size();
    auto clampIndex = [n](int64_t i) {
      return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n);
    };
    std::vector<AtenValue> out;
    for (int64_t i = clampIndex(*s); i < clampIndex(*e); i += *st)
      out.push_back(items[i]);
    results.push_back(AtenValue::ofList(std::move(out)));
    return success();
  }
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<int64_t> d = ctx.optionalInteger(1, 0),
                     s = ctx.optionalInteger(2, 0),
                     e = ctx.optionalInteger(3, INT64_MAX),
                     st = ctx.optionalInteger(4, 1);
  if (failed(x) || failed(d) || failed(s) || failed(e) || failed(st))
    return failure();
  if (*st <= 0)
    return ctx.error() << "step " << *st << " must be positive";
  FailureOr<int64_t> axis = ctx.dim(*d, typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  auto type = typeOf(*x);
  if (*s == 0 && *st == 1 && !type.isDynamicDim(*axis) &&
      *e >= type.getDimSize(*axis))
    return pushTensor(results, *x);
  return pushTensor(results, sliceAxis(ctx, *x, *axis, *s, *e, *st));
}

LogicalResult select(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> in = staticShape(ctx, x);
  FailureOr<int64_t> d = ctx.integer(1), i = ctx.integer(2);
  if (failed(in) || failed(d) || failed(i))
    return failure();
  FailureOr<int64_t> axis = ctx.dim(*d, in->size());
  if (failed(axis))
    return failure();
  int64_t n = (*in)[*axis], index = *i < 0 ? *i + n : *i;
  if (index < 0 || index >= n)
    return ctx.error() << "index " << *i << " is out of range for dim " << *d
                       << " of size " << n;
  Value s = sliceAxis(ctx, *x, *axis, index, index + 1, 1);
  SmallVector<int64_t> shape = *in;
  shape.erase(shape.begin() + *axis);
  return pushTensor(results, reshapeTo(ctx, s, shape));
}

LogicalResult narrow(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<int64_t> d = ctx.integer(1), s = ctx.integer(2), n = ctx.integer(3);
  if (failed(x) || failed(d) || failed(s) || failed(n))
    return failure();
  FailureOr<int64_t> axis = ctx.dim(*d, typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  return pushTensor(results, sliceAxis(ctx, *x, *axis, *s, *s + *n, 1));
}

/// The tensors of argument 0 in one promoted element type.
FailureOr<SmallVector<Value>> promotedList(AtenOpContext &ctx) {
  FailureOr<SmallVector<Value>> xs = ctx.tensors(0);
  if (failed(xs))
    return failure();
  if (xs->empty())
    return ctx.error() << "needs at least one tensor";
  std::vector<AtenValue> items;
  for (Value v : *xs)
    items.push_back(AtenValue::ofTensor(v));
  FailureOr<Type> element = promotedType(ctx, items);
  if (failed(element))
    return failure();
  return operandsAs(ctx, items, *element);
}

LogicalResult cat(AtenOpContext &ctx, Results &results) {
  FailureOr<SmallVector<Value>> xs = promotedList(ctx);
  FailureOr<int64_t> d = ctx.optionalInteger(1, 0);
  if (failed(xs) || failed(d))
    return failure();
  // torch.cat skips empty 1-D tensors (the legacy "no data" placeholder).
  SmallVector<Value> parts;
  for (Value v : *xs)
    if (!(typeOf(v).getRank() == 1 && typeOf(v).getDimSize(0) == 0))
      parts.push_back(v);
  if (parts.empty())
    parts.push_back(xs->front());
  FailureOr<int64_t> axis = ctx.dim(*d, typeOf(parts[0]).getRank());
  if (failed(axis))
    return failure();
  if (parts.size() == 1)
    return pushTensor(results, parts[0]);
  return pushTensor(results,
                    ctx.create<ConcatOp>(parts, static_cast<uint64_t>(*axis)));
}

LogicalResult stack(AtenOpContext &ctx, Results &results) {
  FailureOr<SmallVector<Value>> xs = promotedList(ctx);
  FailureOr<int64_t> d = ctx.optionalInteger(1, 0);
  if (failed(xs) || failed(d))
    return failure();
  FailureOr<SmallVector<int64_t>> in = staticShape(ctx, (*xs)[0]);
  if (failed(in))
    return failure();
  FailureOr<int64_t> axis = ctx.dim(*d, in->size() + 1);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape = *in;
  shape.insert(shape.begin() + *axis, 1);
  SmallVector<Value> parts;
  for (Value v : *xs)
    parts.push_back(reshapeTo(ctx, v, shape));
  if (parts.size() == 1)
    return pushTensor(results, parts[0]);
  return pushTensor(results,
                    ctx.create<ConcatOp>(parts, static_cast<uint64_t>(*axis)));
}

/// Splits x along `axis` into `sizes`; the pieces as one list result.
LogicalResult splitInto(AtenOpContext &ctx, Value x, int64_t axis,
                        ArrayRef<int64_t> sizes, bool squeezeAxis,
                        Results &results) {
  std::vector<AtenValue> pieces;
  if (sizes.size() == 1) {
    pieces.push_back(AtenValue::ofTensor(x));
  } else {
    Operation *op = ctx.build<SplitOp>(x, static_cast<uint64_t>(axis), sizes);
    if (!op)
      return failure();
    for (Value v : op->getResults())
      pieces.push_back(AtenValue::ofTensor(v));
  }
  if (squeezeAxis)
    for (AtenValue &p : pieces) {
      SmallVector<int64_t> shape =
          llvm::to_vector(typeOf(p.tensor()).getShape());
      shape.erase(shape.begin() + axis);
      p = AtenValue::ofTensor(reshapeTo(ctx, p.tensor(), shape));
    }
  results.push_back(AtenValue::ofList(std::move(pieces)));
  return success();
}

/// split (a size or sizes), split_with_sizes, chunk (a count), unbind.
enum class SplitKind { size, sizes, chunks, unbind };
AtenLowering split(SplitKind kind) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    FailureOr<SmallVector<int64_t>> in = staticShape(ctx, x);
    FailureOr<int64_t> d =
        ctx.optionalInteger(kind == SplitKind::unbind ? 1 : 2, 0);
    if (failed(in) || failed(d))
      return failure();
    FailureOr<int64_t> axis = ctx.dim(*d, in->size());
    if (failed(axis))
      return failure();
    int64_t n = (*in)[*axis];
    SmallVector<int64_t> sizes;
    SplitKind k = kind;
    if (k == SplitKind::size && ctx.arg(1).isList())
      k = SplitKind::sizes;
    if (k == SplitKind::sizes) {
      FailureOr<SmallVector<int64_t>> s = ctx.ints(1);
      if (failed(s))
        return failure();
      sizes = *s;
    } else if (k == SplitKind::unbind) {
      sizes.assign(n, 1);
    } else {
      FailureOr<int64_t> v = ctx.integer(1);
      if (failed(v) || *v <= 0)
        return failed(v)
                   ? failure()
                   : (ctx.error() << "split size must be positive", failure());
      int64_t piece = k == SplitKind::chunks ? (n + *v - 1) / *v : *v;
      for (int64_t at = 0; at < n || sizes.empty(); at += piece)
        sizes.push_back(std::min(piece, n - at));
    }
    return splitInto(ctx, *x, *axis, sizes, k == SplitKind::unbind, results);
  };
}

LogicalResult indexSelect(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0), index = ctx.tensor(2);
  FailureOr<int64_t> d = ctx.integer(1);
  if (failed(x) || failed(index) || failed(d))
    return failure();
  FailureOr<int64_t> axis = ctx.dim(*d, typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  return pushTensor(
      results, ctx.create<GatherOp>(*x, *index, static_cast<uint64_t>(*axis)));
}

LogicalResult gather(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0), index = ctx.tensor(2);
  FailureOr<int64_t> d = ctx.integer(1);
  if (failed(x) || failed(index) || failed(d))
    return failure();
  FailureOr<int64_t> axis = ctx.dim(*d, typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  return pushTensor(results, ctx.create<GatherElementsOp>(
                                 *x, *index, static_cast<uint64_t>(*axis)));
}

/// x[i1, i2, ...] (aten::index): integer index tensors on some dims, the
/// rest taken whole (None). The index tensors broadcast together; their dims
/// replace the indexed dims where those are adjacent, else come first (numpy's
/// advanced indexing). Built as one gather over the indexed dims flattened.
LogicalResult index(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> shape = staticShape(ctx, x);
  if (failed(shape))
    return failure();
  if (!ctx.arg(1).isList())
    return ctx.error() << "indices must be a list";
  int64_t rank = shape->size();
  SmallVector<int64_t> dims;
  SmallVector<Value> indices;
  for (auto [i, item] : llvm::enumerate(ctx.arg(1).list())) {
    if (item.isNone())
      continue;
    if (!item.isTensor())
      return ctx.error() << "index #" << i << " is " << item.describe();
    Value idx = item.tensor();
    Type element = typeOf(idx).getElementType();
    if (element.isInteger(1))
      return ctx.error() << "boolean-mask indexing has a data-dependent "
                         << "shape, which dsr1 does not support";
    if (isFloat(element))
      return ctx.error() << "index #" << i << " is a float tensor";
    if (int64_t(i) >= rank)
      return ctx.error() << "too many indices for a rank " << rank << " tensor";
    dims.push_back(i);
    indices.push_back(ctx.castTo(idx, ctx.builder.getI64Type()));
  }
  if (indices.empty())
    return pushTensor(results, *x);
  bool adjacent = dims.back() - dims.front() + 1 == int64_t(dims.size());
  // Indexed dims first when they are not adjacent.
  Value data = *x;
  SmallVector<int64_t> order;
  if (!adjacent) {
    order = dims;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(dims, d))
        order.push_back(d);
    data = ctx.create<TransposeOp>(data, order);
    SmallVector<int64_t> permuted;
    for (int64_t d : order)
      permuted.push_back((*shape)[d]);
    *shape = permuted;
    for (auto [k, d] : llvm::enumerate(dims))
      d = k;
  }
  int64_t first = dims.front();
  // One flat index into the indexed dims: sum of idx_k * stride_k, each idx
  // wrapped when negative.
  Value flat;
  int64_t stride = 1;
  for (size_t k = dims.size(); k-- > 0;) {
    int64_t size = (*shape)[dims[k]];
    Value idx = indices[k];
    Value zero = ctx.scalar(ctx.builder.getI64Type(), 0);
    Value wrapped =
        ctx.create<AddOp>(idx, ctx.scalar(ctx.builder.getI64Type(), size));
    idx = ctx.create<WhereOp>(ctx.create<LessOp>(idx, zero), wrapped, idx);
    if (stride != 1)
      idx =
          ctx.create<MulOp>(idx, ctx.scalar(ctx.builder.getI64Type(), stride));
    flat = flat ? ctx.create<AddOp>(flat, idx) : idx;
    stride *= size;
  }
  if (!flat)
    return failure();
  SmallVector<int64_t> merged(shape->begin(), shape->begin() + first);
  merged.push_back(stride);
  merged.append(shape->begin() + first + dims.size(), shape->end());
  Value source = reshapeTo(ctx, data, merged);
  return pushTensor(results, ctx.create<GatherOp>(
                                 source, flat, static_cast<uint64_t>(first)));
}

/// constant_pad_nd(self, pad, value) and pad(self, pad, mode, value): `pad`
/// holds (begin, end) pairs from the last dim backwards.
LogicalResult pad(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> amounts = ctx.ints(1);
  if (failed(x) || failed(amounts))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  if (amounts->size() % 2 || int64_t(amounts->size()) > 2 * rank)
    return ctx.error() << "pad has " << amounts->size() << " entries for rank "
                       << rank;
  PadMode mode = PadMode::constant;
  size_t valueArg = 2;
  if (ctx.arg(2).kind() == AtenValue::Kind::string) {
    StringRef m = ctx.arg(2).string();
    valueArg = 3;
    if (m == "reflect")
      mode = PadMode::reflect;
    else if (m == "replicate")
      mode = PadMode::edge;
    else if (m == "circular")
      mode = PadMode::wrap;
    else if (m != "constant")
      return ctx.error() << "unknown pad mode '" << m << "'";
  }
  double value = 0;
  if (!ctx.arg(valueArg).isNone() && valueArg < ctx.size()) {
    FailureOr<double> v = ctx.number(valueArg);
    if (failed(v))
      return failure();
    value = *v;
  }
  SmallVector<int64_t> pads(2 * rank, 0);
  for (size_t i = 0; i < amounts->size() / 2; ++i) {
    int64_t d = rank - 1 - i;
    pads[d] = (*amounts)[2 * i];
    pads[rank + d] = (*amounts)[2 * i + 1];
  }
  return pushTensor(
      results,
      ctx.create<PadOp>(*x, ctx.builder.getDenseI64ArrayAttr(pads),
                        PadModeAttr::get(ctx.builder.getContext(), mode),
                        ctx.builder.getF64FloatAttr(value)));
}

double hostSqrt(double x) { return std::sqrt(x); }
double hostExp(double x) { return std::exp(x); }
double hostLog(double x) { return std::log(x); }
double hostFloor(double x) { return std::floor(x); }
double hostCeil(double x) { return std::ceil(x); }
double hostAbs(double x) { return std::fabs(x); }

} // namespace

void registerTensorOps(AtenTable &t) {
  // Elementwise arithmetic.
  t["aten::add"] = binary<AddOp>("add", /*hasAlpha=*/true);
  t["aten::sub"] = binary<SubOp>("sub", /*hasAlpha=*/true);
  t["aten::rsub"] = binary<SubOp>("sub", /*hasAlpha=*/true, /*reversed=*/true);
  t["aten::mul"] = binary<MulOp>("mul");
  t["aten::div"] = binary<DivOp>("div", false, false, Division::trueDiv);
  t["aten::floor_divide"] =
      binary<DivOp>("floordiv", false, false, Division::floor);
  t["aten::remainder"] = [](AtenOpContext &ctx, Results &results) {
    if (!anyTensor(ctx, 2))
      return scalarArithmetic(ctx, "remainder", results);
    // a - floor(a / b) * b
    FailureOr<Type> element = promotedType(ctx, {ctx.arg(0), ctx.arg(1)});
    if (failed(element))
      return failure();
    Type f = isFloat(*element) ? *element : ctx.builder.getF64Type();
    FailureOr<SmallVector<Value>> v =
        operandsAs(ctx, {ctx.arg(0), ctx.arg(1)}, f);
    if (failed(v))
      return failure();
    Value q = ctx.create<FloorOp>(ctx.create<DivOp>((*v)[0], (*v)[1]));
    Value r = ctx.create<SubOp>((*v)[0], ctx.create<MulOp>(q, (*v)[1]));
    return pushTensor(results, ctx.castTo(r, *element));
  };
  t["aten::pow"] = pow;
  t["aten::neg"] = [](AtenOpContext &ctx, Results &results) {
    if (ctx.arg(0).isNumber())
      return scalarArithmetic(ctx, "neg", results);
    return unary<NegOp>(false)(ctx, results);
  };
  t["aten::maximum"] = binary<MaxOp>("max");
  t["aten::minimum"] = binary<MinOp>("min");
  t["aten::eq"] = compare<EqualOp>("eq");
  t["aten::ne"] = [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    if (!anyTensor(ctx, 2))
      return scalarArithmetic(ctx, "ne", results);
    if (failed(compare<EqualOp>("eq")(ctx, results)))
      return failure();
    Value eq = results.back().tensor();
    results.back() = AtenValue::ofTensor(ctx.create<NotOp>(eq));
    return success();
  };
  t["aten::lt"] = compare<LessOp>("lt");
  t["aten::le"] = compare<LessEqualOp>("le");
  t["aten::gt"] = compare<GreaterOp>("gt");
  t["aten::ge"] = compare<GreaterEqualOp>("ge");
  t["aten::logical_and"] = bitwise<AndOp>("__and__", true);
  t["aten::logical_or"] = bitwise<OrOp>("__or__", true);
  t["aten::logical_xor"] = bitwise<XorOp>("__xor__", true);
  t["aten::bitwise_and"] = bitwise<AndOp>("__and__", false);
  t["aten::bitwise_or"] = bitwise<OrOp>("__or__", false);
  t["aten::__and__"] = bitwise<AndOp>("__and__", false);
  t["aten::__or__"] = bitwise<OrOp>("__or__", false);
  t["aten::logical_not"] = logicalNot;
  t["aten::bitwise_not"] = bitwiseNot;
  t["aten::where"] = where;
  t["aten::masked_fill"] = maskedFill;
  t["aten::clamp"] = clamp;
  t["aten::clip"] = clamp;
  t["aten::clamp_min"] = clampBetween(std::nullopt, std::nullopt, 1, -1);
  t["aten::clamp_max"] = clampBetween(std::nullopt, std::nullopt, -1, 1);
  t["aten::hardtanh"] = [](AtenOpContext &ctx, Results &results) {
    if (ctx.size() < 3)
      return clampBetween(-1.0, 1.0, -1, -1)(ctx, results);
    return clampBetween(std::nullopt, std::nullopt, 1, 2)(ctx, results);
  };
  t["aten::relu6"] = clampBetween(0.0, 6.0, -1, -1);

  // Unary.
  t["aten::abs"] = unary<AbsOp>(false, hostAbs);
  t["aten::exp"] = unary<ExpOp>(true, hostExp);
  t["aten::log"] = unary<LogOp>(true, hostLog);
  t["aten::sqrt"] = unary<SqrtOp>(true, hostSqrt);
  t["aten::rsqrt"] = unary<RsqrtOp>(true);
  t["aten::reciprocal"] = unary<ReciprocalOp>(true);
  t["aten::sin"] = unary<SinOp>(true);
  t["aten::cos"] = unary<CosOp>(true);
  t["aten::tanh"] = unary<TanhOp>(true);
  t["aten::sigmoid"] = unary<SigmoidOp>(true);
  t["aten::erf"] = unary<ErfOp>(true);
  t["aten::floor"] = unary<FloorOp>(false, hostFloor);
  t["aten::ceil"] = unary<CeilOp>(false, hostCeil);
  t["aten::round"] = unary<RoundOp>(false);
  t["aten::sign"] = unary<SignOp>(false);
  t["aten::relu"] = unary<ReluOp>(false);
  t["aten::silu"] = silu;
  t["aten::gelu"] = gelu;
  t["aten::hardsigmoid"] = hardsigmoid;
  t["aten::hardswish"] = hardswish;
  t["aten::leaky_relu"] = withParameter<LeakyReluOp>(0.01);
  t["aten::elu"] = withParameter<EluOp>(1.0);
  t["aten::softplus"] = softplus;

  // Conversions and identities (dropout is the identity in inference).
  t["aten::to"] = to;
  t["aten::type_as"] = typeAs;
  for (const char *name :
       {"aten::contiguous", "aten::clone", "aten::detach", "aten::dropout",
        "aten::feature_dropout", "aten::alpha_dropout", "aten::lift_fresh",
        "aten::lift_fresh_copy", "aten::alias", "aten::resolve_conj",
        "aten::resolve_neg"})
    t[name] = identity;

  // Creation.
  t["aten::zeros"] = filled(0, -1, 0, false);
  t["aten::ones"] = filled(0, -1, 1, false);
  t["aten::full"] = filled(0, 1, 0, false);
  t["aten::new_zeros"] = filled(1, -1, 0, false);
  t["aten::new_ones"] = filled(1, -1, 1, false);
  t["aten::new_empty"] = filled(1, -1, 0, false);
  t["aten::new_full"] = filled(1, 2, 0, false);
  t["aten::zeros_like"] = filled(-1, -1, 0, true);
  t["aten::ones_like"] = filled(-1, -1, 1, true);
  t["aten::empty_like"] = filled(-1, -1, 0, true);
  t["aten::full_like"] = filled(-1, 1, 0, true);
  t["aten::arange"] = arange;
  t["aten::tril"] = triangle(true);
  t["aten::triu"] = triangle(false);

  // Reductions.
  t["aten::mean"] = reduce<ReduceMeanOp>(true);
  t["aten::sum"] = reduce<ReduceSumOp>(false);
  t["aten::amax"] = reduceExtremum<ReduceMaxOp>();
  t["aten::amin"] = reduceExtremum<ReduceMinOp>();
  t["aten::max"] = extremum<ReduceMaxOp, ArgMaxOp, MaxOp>("max");
  t["aten::min"] = extremum<ReduceMinOp, ArgMinOp, MinOp>("min");
  t["aten::argmax"] = argExtremum<ArgMaxOp>();
  t["aten::argmin"] = argExtremum<ArgMinOp>();
  t["aten::var"] = variance(false);
  t["aten::std"] = variance(true);
  t["aten::cumsum"] = cumsum;
  t["aten::any"] = anyAll<ReduceMaxOp>();
  t["aten::all"] = anyAll<ReduceMinOp>();

  // Shapes.
  t["aten::view"] = view;
  t["aten::reshape"] = view;
  t["aten::_reshape_alias"] = view;
  t["aten::view_as"] = viewAs;
  t["aten::reshape_as"] = viewAs;
  t["aten::flatten"] = flatten;
  t["aten::unflatten"] = unflatten;
  t["aten::permute"] = permute;
  t["aten::transpose"] = transpose;
  t["aten::t"] = transpose;
  t["aten::mT"] = [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    int64_t rank = typeOf(*x).getRank();
    if (rank < 2)
      return ctx.error() << "needs a rank of 2 or more";
    SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    std::swap(perm[rank - 2], perm[rank - 1]);
    return pushTensor(results, ctx.create<TransposeOp>(*x, perm));
  };
  t["aten::unsqueeze"] = unsqueeze;
  t["aten::squeeze"] = squeeze;
  t["aten::expand"] = expand;
  t["aten::expand_as"] = expandAs;
  t["aten::repeat"] = repeat;
  t["aten::slice"] = slice;
  t["aten::select"] = select;
  t["aten::narrow"] = narrow;
  t["aten::cat"] = cat;
  t["aten::concat"] = cat;
  t["aten::stack"] = stack;
  t["aten::split"] = split(SplitKind::size);
  t["aten::split_with_sizes"] = split(SplitKind::sizes);
  t["aten::chunk"] = split(SplitKind::chunks);
  t["aten::unbind"] = split(SplitKind::unbind);
  t["aten::index_select"] = indexSelect;
  t["aten::gather"] = gather;
  t["aten::index"] = index;
  t["aten::constant_pad_nd"] = pad;
  t["aten::pad"] = pad;
}

} // namespace dsr1::torch_frontend
