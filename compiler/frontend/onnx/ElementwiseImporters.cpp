//===- ElementwiseImporters.cpp - ONNX elementwise ops into dsr1
//------------===//
//
// Unary and binary elementwise ops, comparisons, logic, Where, Clip, Cast and
// the identity-like ops (Identity, Dropout in inference).
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/NodeImporter.h"

#include <limits>

using namespace mlir;

namespace dsr1::onnx_frontend {
namespace {

template <typename OpT> LogicalResult importUnary(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  return ctx.setResults(ctx.create<OpT>(*x));
}

template <typename OpT> LogicalResult importBinary(NodeContext &ctx) {
  FailureOr<Value> a = ctx.requiredInput(0), b = ctx.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  return ctx.setResults(ctx.create<OpT>(*a, *b));
}

/// Sum, Mean, Max, Min take any number of inputs: a left fold.
template <typename OpT> FailureOr<Value> foldVariadic(NodeContext &ctx) {
  FailureOr<Value> acc = ctx.requiredInput(0);
  if (failed(acc))
    return failure();
  for (int i = 1; i < ctx.numInputs(); ++i) {
    FailureOr<Value> next = ctx.requiredInput(i);
    if (failed(next))
      return failure();
    *acc = ctx.create<OpT>(*acc, *next);
  }
  return acc;
}

template <typename OpT> LogicalResult importVariadic(NodeContext &ctx) {
  FailureOr<Value> result = foldVariadic<OpT>(ctx);
  return failed(result) ? failure() : ctx.setResults(*result);
}

LogicalResult importMean(NodeContext &ctx) {
  FailureOr<Value> sum = foldVariadic<AddOp>(ctx);
  if (failed(sum))
    return failure();
  if (!*sum)
    return ctx.setResults(*sum); // A failed addition; it has said why.
  auto type = NodeContext::typeOf(*sum);
  if (!isa<FloatType>(type.getElementType()))
    return ctx.error() << "Mean is defined for floating-point inputs only";
  auto count = RankedTensorType::get({}, type.getElementType());
  Value n = ctx.constant(DenseElementsAttr::get(
      count, FloatAttr::get(type.getElementType(), ctx.numInputs())));
  return ctx.setResults(ctx.create<DivOp>(*sum, n));
}

/// Pow allows an exponent of another type; dsr1.pow takes one type. The
/// result has the base's type: an integer base with a float exponent is
/// raised in f64 and truncated back, as the reference's numpy power does.
LogicalResult importPow(NodeContext &ctx) {
  FailureOr<Value> base = ctx.requiredInput(0), exp = ctx.requiredInput(1);
  if (failed(base) || failed(exp))
    return failure();
  Type element = NodeContext::typeOf(*base).getElementType();
  Type expElement = NodeContext::typeOf(*exp).getElementType();
  if (!isa<FloatType>(element) && isa<FloatType>(expElement)) {
    Type f64 = ctx.builder.getF64Type();
    Value wide = ctx.create<CastOp>(*base, f64);
    if (expElement != f64)
      *exp = ctx.create<CastOp>(*exp, f64);
    return ctx.setResults(
        ctx.create<CastOp>(ctx.create<PowOp>(wide, *exp), element));
  }
  if (expElement != element)
    *exp = ctx.create<CastOp>(*exp, element);
  return ctx.setResults(ctx.create<PowOp>(*base, *exp));
}

/// x * relu6(x + 3) / 6, as dsr1 has no hard_swish.
LogicalResult importHardSwish(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  Value gate =
      ctx.create<HardSigmoidOp>(*x, ctx.builder.getF64FloatAttr(1.0 / 6),
                                ctx.builder.getF64FloatAttr(0.5));
  return ctx.setResults(ctx.create<MulOp>(*x, gate));
}

LogicalResult importClip(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  std::optional<double> lo, hi;
  if (ctx.opset < 11) {
    if (ctx.attr("min"))
      lo = ctx.floatAttr("min", 0);
    if (ctx.attr("max"))
      hi = ctx.floatAttr("max", 0);
  } else {
    for (int i : {1, 2}) {
      if (!ctx.input(i))
        continue;
      std::optional<double> bound = ctx.constantScalar(i);
      if (!bound)
        return ctx.error() << (i == 1 ? "min" : "max")
                           << " must be a constant scalar";
      (i == 1 ? lo : hi) = bound;
    }
  }
  // min > max: ONNX makes every output max.
  if (lo && hi && *lo > *hi)
    lo = hi;
  Builder &b = ctx.builder;
  return ctx.setResults(
      ctx.create<ClipOp>(*x, lo ? b.getF64FloatAttr(*lo) : FloatAttr(),
                         hi ? b.getF64FloatAttr(*hi) : FloatAttr()));
}

LogicalResult importLeakyRelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  return ctx.setResults(ctx.create<LeakyReluOp>(
      *x, ctx.builder.getF64FloatAttr(ctx.floatAttr("alpha", 0.01f))));
}

LogicalResult importElu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  return ctx.setResults(ctx.create<EluOp>(
      *x, ctx.builder.getF64FloatAttr(ctx.floatAttr("alpha", 1.0f))));
}

LogicalResult importHardSigmoid(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  return ctx.setResults(ctx.create<HardSigmoidOp>(
      *x, ctx.builder.getF64FloatAttr(ctx.floatAttr("alpha", 0.2f)),
      ctx.builder.getF64FloatAttr(ctx.floatAttr("beta", 0.5f))));
}

LogicalResult importGelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  std::string approximate = ctx.stringAttr("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return ctx.error() << "approximate='" << approximate
                       << "' is not one of none, tanh";
  return ctx.setResults(ctx.create<GeluOp>(*x, approximate == "tanh"
                                                   ? GeluApproximation::tanh
                                                   : GeluApproximation::none));
}

LogicalResult importIdentity(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  return ctx.setResults(*x);
}

/// Dropout is the identity in inference and in training with ratio 0; its mask
/// output, if read, is all true.
LogicalResult importDropout(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  // The ratio (an input from opset 12, an attribute before) and the seed do
  // not matter in inference.
  (void)ctx.input(1);
  (void)ctx.attr("ratio");
  (void)ctx.attr("seed");
  if (ctx.opset < 12 && ctx.intAttr("is_test", 1) == 0)
    return ctx.error() << "training mode is not supported (inference only)";
  if (ctx.opset >= 12 && ctx.input(2)) {
    std::optional<double> training = ctx.constantScalar(2);
    if (!training)
      return ctx.error() << "training_mode must be a constant scalar";
    // Training with a zero ratio drops nothing and scales by 1: the
    // identity, as in inference. Any other ratio draws a random mask, which
    // no two implementations reproduce alike.
    std::optional<double> ratio = ctx.input(1) ? ctx.constantScalar(1) : 0.5;
    if (*training != 0 && (!ratio || *ratio != 0))
      return ctx.error() << "training mode with a nonzero (or non-constant) "
                            "ratio draws a random mask, which is not "
                            "reproducible; only ratio 0 is supported";
  }
  if (!ctx.hasOutput(1))
    return ctx.setResults(*x);
  auto type = NodeContext::typeOf(*x);
  if (!type.hasStaticShape())
    return ctx.error() << "the mask output needs a static shape";
  Value mask = ctx.constant(
      DenseElementsAttr::get(type.clone(ctx.builder.getI1Type()), true));
  return ctx.setResults({*x, mask});
}

/// ONNX Cast's `to` is a TensorProto.DataType; CastLike takes the type of
/// its second input. `saturate` (opset 19+) decides what a float too large
/// for an 8-bit float target becomes, `round_mode` (opset 25+) how a cast to
/// FLOAT8E8M0 rounds.
LogicalResult importCast(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  Type to;
  if (ctx.node.op_type() == "CastLike") {
    FailureOr<Value> like = ctx.requiredInput(1);
    if (failed(like))
      return failure();
    to = NodeContext::typeOf(*like).getElementType();
  } else {
    to = onnxElementType(ctx.builder.getContext(), ctx.intAttr("to", 0));
    if (!to)
      return ctx.error() << "cannot cast to "
                         << describeOnnxType(ctx.intAttr("to", 0));
  }
  bool saturate = ctx.intAttr("saturate", 1) != 0;
  std::string roundMode = ctx.stringAttr("round_mode", "up");
  std::optional<RoundMode> mode = symbolizeRoundMode(roundMode);
  if (!mode)
    return ctx.error() << "round_mode '" << roundMode
                       << "' is not one of up, down, nearest";
  return ctx.setResults(ctx.create<CastOp>(*x, to, saturate, *mode));
}

/// BitCast: the bits of each element read as another type of the same width.
LogicalResult importBitCast(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t toCode = ctx.intAttr("to", 0);
  Type to = onnxElementType(ctx.builder.getContext(), toCode);
  if (!to)
    return ctx.error() << "cannot bitcast to " << describeOnnxType(toCode);
  return ctx.setResults(ctx.create<BitCastOp>(*x, to));
}

/// Mod: C's fmod (fmod=1, sign of the dividend) or numpy's mod (fmod=0, sign
/// of the divisor), for integers and floats alike.
LogicalResult importMod(NodeContext &ctx) {
  FailureOr<Value> a = ctx.requiredInput(0), b = ctx.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  bool fmod = ctx.intAttr("fmod", 0) != 0;
  return ctx.setResults(
      ctx.create<ModOp>(*a, *b, ctx.builder.getBoolAttr(fmod)));
}

/// Activations and math functions that are short compositions of dsr1 ops.
enum class Composite {
  Selu,
  Celu,
  Softsign,
  Mish,
  Swish,
  ThresholdedRelu,
  Tan,
  Sinh,
  Cosh,
  Asinh,
  Acosh,
  Atanh,
  IsNaN,
  Shrink
};

template <Composite kind> LogicalResult importComposite(NodeContext &ctx) {
  FailureOr<Value> in = ctx.requiredInput(0);
  if (failed(in))
    return failure();
  Value x = *in;
  auto c = [&](double v) { return ctx.scalarLike(x, v); };
  auto f64 = [&](double v) { return ctx.builder.getF64FloatAttr(v); };
  Value result;
  switch (kind) {
  case Composite::Selu: { // gamma * elu(x, alpha)
    Value gamma = c(ctx.floatAttr("gamma", 1.05070102214813232421875f));
    Value elu = ctx.create<EluOp>(
        x, f64(ctx.floatAttr("alpha", 1.67326319217681884765625f)));
    result = ctx.create<MulOp>(elu, gamma);
    break;
  }
  case Composite::Celu: { // alpha * elu(x / alpha)
    Value alpha = c(ctx.floatAttr("alpha", 1.0f));
    Value scaled = ctx.create<DivOp>(x, alpha);
    Value elu = ctx.create<EluOp>(scaled, f64(1.0));
    result = ctx.create<MulOp>(elu, alpha);
    break;
  }
  case Composite::Softsign: { // x / (1 + |x|)
    Value one = c(1);
    Value magnitude = ctx.create<AbsOp>(x);
    Value denominator = ctx.create<AddOp>(one, magnitude);
    result = ctx.create<DivOp>(x, denominator);
    break;
  }
  case Composite::Mish: { // x * tanh(softplus(x))
    Value softplus = ctx.create<SoftplusOp>(x);
    Value tanh = ctx.create<TanhOp>(softplus);
    result = ctx.create<MulOp>(x, tanh);
    break;
  }
  case Composite::Swish: { // x * sigmoid(alpha * x)
    Value alpha = c(ctx.floatAttr("alpha", 1.0f));
    Value scaled = ctx.create<MulOp>(x, alpha);
    Value gate = ctx.create<SigmoidOp>(scaled);
    result = ctx.create<MulOp>(x, gate);
    break;
  }
  case Composite::ThresholdedRelu: { // x where x > alpha, else 0
    Value alpha = c(ctx.floatAttr("alpha", 1.0f));
    Value zero = c(0);
    Value above = ctx.create<GreaterOp>(x, alpha);
    result = ctx.create<WhereOp>(above, x, zero);
    break;
  }
  case Composite::Tan: {
    Value sin = ctx.create<SinOp>(x);
    Value cos = ctx.create<CosOp>(x);
    result = ctx.create<DivOp>(sin, cos);
    break;
  }
  case Composite::Sinh:
  case Composite::Cosh: { // (e^x -+ e^-x) / 2
    Value half = c(0.5);
    Value e = ctx.create<ExpOp>(x);
    Value negated = ctx.create<NegOp>(x);
    Value f = ctx.create<ExpOp>(negated);
    Value sum = kind == Composite::Sinh ? ctx.create<SubOp>(e, f)
                                        : ctx.create<AddOp>(e, f);
    result = ctx.create<MulOp>(sum, half);
    break;
  }
  case Composite::Asinh:
  case Composite::Acosh: { // log(x + sqrt(x^2 +- 1))
    Value one = c(1);
    Value square = ctx.create<MulOp>(x, x);
    Value shifted = kind == Composite::Asinh ? ctx.create<AddOp>(square, one)
                                             : ctx.create<SubOp>(square, one);
    Value root = ctx.create<SqrtOp>(shifted);
    Value sum = ctx.create<AddOp>(x, root);
    result = ctx.create<LogOp>(sum);
    break;
  }
  case Composite::Atanh: { // 0.5 * log((1 + x) / (1 - x))
    Value one = c(1), half = c(0.5);
    Value num = ctx.create<AddOp>(one, x);
    Value den = ctx.create<SubOp>(one, x);
    Value ratio = ctx.create<DivOp>(num, den);
    Value log = ctx.create<LogOp>(ratio);
    result = ctx.create<MulOp>(log, half);
    break;
  }
  // x + bias below -lambd, x - bias above lambd, 0 between.
  case Composite::Shrink: {
    // An integer x would need the float thresholds and bias rounded as the
    // ONNX reference does (compare in float, cast the result); not done.
    if (!isa<FloatType>(NodeContext::typeOf(x).getElementType()))
      return ctx.error() << "integer Shrink is not supported";
    float lambd = ctx.floatAttr("lambd", 0.5f);
    Value bias = c(ctx.floatAttr("bias", 0.0f));
    Value upper = c(lambd), lower = c(-static_cast<double>(lambd));
    Value zero = c(0);
    Value below = ctx.create<LessOp>(x, lower);
    Value above = ctx.create<GreaterOp>(x, upper);
    Value raised = ctx.create<AddOp>(x, bias);
    Value lowered = ctx.create<SubOp>(x, bias);
    Value outer = ctx.create<WhereOp>(above, lowered, zero);
    result = ctx.create<WhereOp>(below, raised, outer);
    break;
  }
  case Composite::IsNaN: { // NaN is the only value unequal to itself.
    Value same = ctx.create<EqualOp>(x, x);
    result = ctx.create<NotOp>(same);
    break;
  }
  }
  return ctx.setResults(result);
}

/// SwiGLU (opset 28): swish_alpha(a) * b = a * sigmoid(alpha * a) * b, with
/// a and b of one shape (ONNX does not broadcast them).
LogicalResult importSwiGLU(NodeContext &ctx) {
  FailureOr<Value> a = ctx.requiredInput(0), b = ctx.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  if (NodeContext::typeOf(*a) != NodeContext::typeOf(*b))
    return ctx.error() << "the gate and the value must have one type, got "
                       << NodeContext::typeOf(*a) << " and "
                       << NodeContext::typeOf(*b);
  Value alpha = ctx.scalarLike(*a, ctx.floatAttr("alpha", 1.0f));
  Value scaled = ctx.create<MulOp>(*a, alpha);
  Value gate = ctx.create<SigmoidOp>(scaled);
  Value swish = ctx.create<MulOp>(*a, gate);
  return ctx.setResults(ctx.create<MulOp>(swish, *b));
}

LogicalResult importIsInf(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  bool positive = ctx.intAttr("detect_positive", 1) != 0;
  bool negative = ctx.intAttr("detect_negative", 1) != 0;
  double inf = std::numeric_limits<double>::infinity();
  Value posInf = ctx.scalarLike(*x, inf);
  Value negInf = ctx.scalarLike(*x, -inf);
  Value pos = ctx.create<EqualOp>(*x, posInf);
  Value neg = ctx.create<EqualOp>(*x, negInf);
  if (positive && negative)
    return ctx.setResults(ctx.create<OrOp>(pos, neg));
  if (positive || negative)
    return ctx.setResults(positive ? pos : neg);
  return ctx.setResults(ctx.create<AndOp>(pos, neg)); // Never true.
}

/// BitShift: `direction` LEFT or RIGHT (unsigned integers; signed ones from
/// opset 28, which also defines shifts by amounts outside [0, bit width)).
LogicalResult importBitShift(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), amount = ctx.requiredInput(1);
  if (failed(x) || failed(amount))
    return failure();
  std::string direction = ctx.stringAttr("direction", "");
  if (direction == "LEFT")
    return ctx.setResults(ctx.create<ShiftLeftOp>(*x, *amount));
  if (direction == "RIGHT")
    return ctx.setResults(ctx.create<ShiftRightOp>(*x, *amount));
  return ctx.error() << "direction '" << direction
                     << "' is not one of LEFT, RIGHT";
}

/// PRelu: x where x >= 0, slope * x elsewhere (slope broadcasts to x).
LogicalResult importPRelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), slope = ctx.requiredInput(1);
  if (failed(x) || failed(slope))
    return failure();
  Value zero = ctx.scalarLike(*x, 0);
  Value negative = ctx.create<LessOp>(*x, zero);
  Value scaled = ctx.create<MulOp>(*x, *slope);
  return ctx.setResults(ctx.create<WhereOp>(negative, scaled, *x));
}

} // namespace

void registerElementwiseImporters(OpRegistry &r) {
  constexpr int64_t lo = kMinOpset, hi = kMaxOpset;
  // An op registered from an opset below `lo` has had its current form since
  // then (or its importer reads the older one); older forms are refused.
  r.add("", "Abs", 6, hi, importUnary<AbsOp>);
  r.add("", "Acos", 7, hi, importUnary<AcosOp>);
  r.add("", "Asin", 7, hi, importUnary<AsinOp>);
  r.add("", "Atan", 7, hi, importUnary<AtanOp>);
  r.add("", "Ceil", 6, hi, importUnary<CeilOp>);
  r.add("", "Cos", 7, hi, importUnary<CosOp>);
  r.add("", "Erf", 9, hi, importUnary<ErfOp>);
  r.add("", "Exp", 6, hi, importUnary<ExpOp>);
  r.add("", "Floor", 6, hi, importUnary<FloorOp>);
  r.add("", "Log", 6, hi, importUnary<LogOp>);
  r.add("", "Neg", 6, hi, importUnary<NegOp>);
  r.add("", "Not", 1, hi, importUnary<NotOp>);
  r.add("", "Reciprocal", 6, hi, importUnary<ReciprocalOp>);
  r.add("", "Relu", 6, hi, importUnary<ReluOp>);
  r.add("", "Round", lo, hi, importUnary<RoundOp>);
  r.add("", "Sigmoid", 6, hi, importUnary<SigmoidOp>);
  r.add("", "Sign", 9, hi, importUnary<SignOp>);
  r.add("", "Sin", 7, hi, importUnary<SinOp>);
  r.add("", "Softplus", 1, hi, importUnary<SoftplusOp>);
  r.add("", "Sqrt", 6, hi, importUnary<SqrtOp>);
  r.add("", "Tanh", 6, hi, importUnary<TanhOp>);
  r.add("", "Clip", 6, hi, importClip);
  r.add("", "Elu", 6, hi, importElu);
  r.add("", "Gelu", 20, hi, importGelu);
  r.add("", "HardSigmoid", 6, hi, importHardSigmoid);
  r.add("", "HardSwish", 14, hi, importHardSwish);
  r.add("", "LeakyRelu", 6, hi, importLeakyRelu);

  r.add("", "Add", 7, hi, importBinary<AddOp>);
  r.add("", "Sub", 7, hi, importBinary<SubOp>);
  r.add("", "Mul", 7, hi, importBinary<MulOp>);
  r.add("", "Div", 7, hi, importBinary<DivOp>);
  r.add("", "Pow", 7, hi, importPow);
  r.add("", "Max", 8, hi, importVariadic<MaxOp>);
  r.add("", "Min", 8, hi, importVariadic<MinOp>);
  r.add("", "Sum", 8, hi, importVariadic<AddOp>);
  r.add("", "Mean", 8, hi, importMean);
  r.add("", "And", 7, hi, importBinary<AndOp>);
  r.add("", "Or", 7, hi, importBinary<OrOp>);
  r.add("", "Xor", 7, hi, importBinary<XorOp>);
  // dsr1's logical ops are bitwise on integers.
  r.add("", "BitwiseAnd", 18, hi, importBinary<AndOp>);
  r.add("", "BitwiseOr", 18, hi, importBinary<OrOp>);
  r.add("", "BitwiseXor", 18, hi, importBinary<XorOp>);
  r.add("", "BitwiseNot", 18, hi, importUnary<NotOp>);
  r.add("", "BitShift", 11, hi, importBitShift);
  r.add("", "Equal", 7, hi, importBinary<EqualOp>);
  r.add("", "Greater", 7, hi, importBinary<GreaterOp>);
  r.add("", "GreaterOrEqual", 12, hi, importBinary<GreaterEqualOp>);
  r.add("", "Less", 7, hi, importBinary<LessOp>);
  r.add("", "LessOrEqual", 12, hi, importBinary<LessEqualOp>);
  r.add("", "Where", 9, hi, [](NodeContext &ctx) -> LogicalResult {
    FailureOr<Value> c = ctx.requiredInput(0), x = ctx.requiredInput(1),
                     y = ctx.requiredInput(2);
    if (failed(c) || failed(x) || failed(y))
      return failure();
    return ctx.setResults(ctx.create<WhereOp>(*c, *x, *y));
  });

  r.add("", "Mod", 10, hi, importMod);
  r.add("", "Selu", 6, hi, importComposite<Composite::Selu>);
  r.add("", "Celu", 12, hi, importComposite<Composite::Celu>);
  r.add("", "Softsign", 1, hi, importComposite<Composite::Softsign>);
  r.add("", "Mish", 18, hi, importComposite<Composite::Mish>);
  r.add("", "Swish", 24, hi, importComposite<Composite::Swish>);
  r.add("", "SwiGLU", 28, hi, importSwiGLU);
  r.add("", "ThresholdedRelu", 10, hi,
        importComposite<Composite::ThresholdedRelu>);
  r.add("", "Tan", 7, hi, importComposite<Composite::Tan>);
  r.add("", "Sinh", 9, hi, importComposite<Composite::Sinh>);
  r.add("", "Cosh", 9, hi, importComposite<Composite::Cosh>);
  r.add("", "Asinh", 9, hi, importComposite<Composite::Asinh>);
  r.add("", "Acosh", 9, hi, importComposite<Composite::Acosh>);
  r.add("", "Atanh", 9, hi, importComposite<Composite::Atanh>);
  r.add("", "IsNaN", 9, hi, importComposite<Composite::IsNaN>);
  r.add("", "Shrink", 9, hi, importComposite<Composite::Shrink>);
  r.add("", "IsInf", 10, hi, importIsInf);
  r.add("", "PRelu", 7, hi, importPRelu);

  r.add("", "Cast", 6, hi, importCast);
  r.add("", "CastLike", 15, hi, importCast);
  r.add("", "BitCast", 26, hi, importBitCast);
  r.add("", "Identity", 1, hi, importIdentity);
  r.add("", "Dropout", 7, hi, importDropout);
}

} // namespace dsr1::onnx_frontend
