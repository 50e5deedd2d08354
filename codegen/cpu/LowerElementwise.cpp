//===- LowerElementwise.cpp - elementwise dsr1 ops to linalg.generic ------===//
//
// Unary, binary (numpy broadcasting), comparison, where and cast: each is a
// linalg.generic whose body is the op's scalar formula. The formulas follow
// the ONNX definitions, including their NaN behaviour, and integer division
// never traps (x / 0 is 0, INT_MIN / -1 wraps) so that bad data cannot crash
// a process.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace dsr1::cpu {
namespace {

using Pred = arith::CmpFPredicate;
using IPred = arith::CmpIPredicate;

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return scalarConstant(b, loc, like.getType(), value);
}

/// The element type of the op's first operand, before signless conversion:
/// it carries the signedness integer semantics depend on.
bool operandIsUnsigned(Operation *op) {
  return isUnsigned(op->getOperand(0).getType());
}

Value cmpLess(OpBuilder &b, Location loc, Value x, Value y,
              bool isUnsignedInt) {
  if (isFloat(x))
    return arith::CmpFOp::create(b, loc, Pred::OLT, x, y);
  return arith::CmpIOp::create(b, loc, isUnsignedInt ? IPred::ult : IPred::slt,
                               x, y);
}

Value select(OpBuilder &b, Location loc, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, loc, c, x, y);
}

/// A bound from an f64 attribute, saturated to an integer type's range (an
/// int8 Clip with max = 1e9 clamps nothing).
Value boundConstant(OpBuilder &b, Location loc, Value like, double bound,
                    bool isUnsignedInt) {
  Type type = like.getType();
  if (isa<FloatType>(type))
    return scalarConstant(b, loc, type, bound);
  unsigned width = type.getIntOrFloatBitWidth();
  APInt lo = isUnsignedInt ? APInt::getMinValue(width)
                           : APInt::getSignedMinValue(width);
  APInt hi = isUnsignedInt ? APInt::getMaxValue(width)
                           : APInt::getSignedMaxValue(width);
  double loD = isUnsignedInt ? lo.roundToDouble(false) : lo.roundToDouble(true);
  double hiD = isUnsignedInt ? hi.roundToDouble(false) : hi.roundToDouble(true);
  APInt value;
  if (bound <= loD)
    value = lo;
  else if (bound >= hiD)
    value = hi;
  else
    value = APInt(width, static_cast<uint64_t>(static_cast<int64_t>(bound)),
                  /*isSigned=*/true, /*implicitTrunc=*/true);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
}

//===----------------------------------------------------------------------===//
// Scalar formulas, one overload per op
//===----------------------------------------------------------------------===//

Value scalar(AbsOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return math::AbsFOp::create(b, loc, a[0]);
  return math::AbsIOp::create(b, loc, a[0]);
}
#define DSR1_MATH_UNARY(DSR1Op, MathOp)                                        \
  Value scalar(DSR1Op, OpBuilder &b, Location loc, ValueRange a) {             \
    return math::MathOp::create(b, loc, a[0]);                                 \
  }
DSR1_MATH_UNARY(AcosOp, AcosOp)
DSR1_MATH_UNARY(AsinOp, AsinOp)
DSR1_MATH_UNARY(AtanOp, AtanOp)
DSR1_MATH_UNARY(CeilOp, CeilOp)
DSR1_MATH_UNARY(CosOp, CosOp)
DSR1_MATH_UNARY(ErfOp, ErfOp)
DSR1_MATH_UNARY(ExpOp, ExpOp)
DSR1_MATH_UNARY(FloorOp, FloorOp)
DSR1_MATH_UNARY(LogOp, LogOp)
DSR1_MATH_UNARY(RoundOp, RoundEvenOp)
DSR1_MATH_UNARY(RsqrtOp, RsqrtOp)
DSR1_MATH_UNARY(SinOp, SinOp)
DSR1_MATH_UNARY(SqrtOp, SqrtOp)
DSR1_MATH_UNARY(TanhOp, TanhOp)
#undef DSR1_MATH_UNARY

Value scalar(NegOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return arith::NegFOp::create(b, loc, a[0]);
  return arith::SubIOp::create(b, loc, constantLike(b, loc, a[0], 0), a[0]);
}
Value scalar(NotOp, OpBuilder &b, Location loc, ValueRange a) {
  // Every bit flipped: logical not on i1, bitwise not on integers.
  Type type = a[0].getType();
  Value ones = arith::ConstantOp::create(
      b, loc, type,
      b.getIntegerAttr(type, APInt::getAllOnes(type.getIntOrFloatBitWidth())));
  return arith::XOrIOp::create(b, loc, a[0], ones);
}
Value scalar(ReciprocalOp, OpBuilder &b, Location loc, ValueRange a) {
  return arith::DivFOp::create(b, loc, constantLike(b, loc, a[0], 1), a[0]);
}
Value scalar(ReluOp, OpBuilder &b, Location loc, ValueRange a) {
  Value zero = constantLike(b, loc, a[0], 0);
  if (isFloat(a[0]))
    return arith::MaximumFOp::create(b, loc, a[0], zero);
  return arith::MaxSIOp::create(b, loc, a[0], zero);
}
Value scalar(SigmoidOp, OpBuilder &b, Location loc, ValueRange a) {
  Value one = constantLike(b, loc, a[0], 1);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, a[0]));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}
Value scalar(SignOp op, OpBuilder &b, Location loc, ValueRange a) {
  // x > 0 ? 1 : x < 0 ? -1 : x (keeps 0 and NaN).
  Value x = a[0];
  Value zero = constantLike(b, loc, x, 0);
  Value positive = cmpLess(b, loc, zero, x, false);
  Value negative = cmpLess(b, loc, x, zero, false);
  return select(b, loc, positive, constantLike(b, loc, x, 1),
                select(b, loc, negative, constantLike(b, loc, x, -1), x));
}
Value scalar(SoftplusOp, OpBuilder &b, Location loc, ValueRange a) {
  // max(x, 0) + log1p(exp(-|x|)): log(1 + exp(x)) without overflow.
  Value x = a[0];
  Value positive =
      arith::MaximumFOp::create(b, loc, x, constantLike(b, loc, x, 0));
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
  Value tail =
      math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
  return arith::AddFOp::create(b, loc, positive, tail);
}
Value scalar(ClipOp op, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0];
  bool isUnsignedInt = operandIsUnsigned(op);
  // Selects rather than min/max so that NaN passes through unclamped.
  if (std::optional<APFloat> min = op.getMin()) {
    Value bound =
        boundConstant(b, loc, x, min->convertToDouble(), isUnsignedInt);
    x = select(b, loc, cmpLess(b, loc, x, bound, isUnsignedInt), bound, x);
  }
  if (std::optional<APFloat> max = op.getMax()) {
    Value bound =
        boundConstant(b, loc, x, max->convertToDouble(), isUnsignedInt);
    x = select(b, loc, cmpLess(b, loc, bound, x, isUnsignedInt), bound, x);
  }
  return x;
}
Value scalar(EluOp op, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0];
  Value alpha = constantLike(b, loc, x, op.getAlpha().convertToDouble());
  Value negative =
      arith::MulFOp::create(b, loc, alpha, math::ExpM1Op::create(b, loc, x));
  return select(b, loc, cmpLess(b, loc, constantLike(b, loc, x, 0), x, false),
                x, negative);
}
Value scalar(GeluOp op, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0];
  Value half = constantLike(b, loc, x, 0.5);
  Value one = constantLike(b, loc, x, 1);
  Value inner;
  if (op.getApproximate() == GeluApproximation::tanh) {
    // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
    Value cube =
        arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value poly = arith::AddFOp::create(
        b, loc, x,
        arith::MulFOp::create(b, loc, constantLike(b, loc, x, 0.044715), cube));
    inner = math::TanhOp::create(
        b, loc,
        arith::MulFOp::create(
            b, loc, constantLike(b, loc, x, std::sqrt(2.0 / M_PI)), poly));
  } else {
    // 0.5 x (1 + erf(x / sqrt(2)))
    inner = math::ErfOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, x, constantLike(b, loc, x, M_SQRT1_2)));
  }
  return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, half, x),
                               arith::AddFOp::create(b, loc, one, inner));
}
Value scalar(HardSigmoidOp op, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0];
  Value alpha = constantLike(b, loc, x, op.getAlpha().convertToDouble());
  Value beta = constantLike(b, loc, x, op.getBeta().convertToDouble());
  Value y = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, alpha, x), beta);
  y = arith::MinimumFOp::create(b, loc, y, constantLike(b, loc, x, 1));
  return arith::MaximumFOp::create(b, loc, y, constantLike(b, loc, x, 0));
}
Value scalar(LeakyReluOp op, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0];
  Value alpha = constantLike(b, loc, x, op.getAlpha().convertToDouble());
  return select(b, loc, cmpLess(b, loc, x, constantLike(b, loc, x, 0), false),
                arith::MulFOp::create(b, loc, alpha, x), x);
}

#define DSR1_ARITH_BINARY(DSR1Op, FloatOp, IntOp)                              \
  Value scalar(DSR1Op, OpBuilder &b, Location loc, ValueRange a) {             \
    if (isFloat(a[0]))                                                         \
      return arith::FloatOp::create(b, loc, a[0], a[1]);                       \
    return arith::IntOp::create(b, loc, a[0], a[1]);                           \
  }
DSR1_ARITH_BINARY(AddOp, AddFOp, AddIOp)
DSR1_ARITH_BINARY(SubOp, SubFOp, SubIOp)
DSR1_ARITH_BINARY(MulOp, MulFOp, MulIOp)
#undef DSR1_ARITH_BINARY

Value scalar(DivOp op, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0], y = a[1];
  if (isFloat(x))
    return arith::DivFOp::create(b, loc, x, y);
  // Integer division truncates toward zero (C, ONNX). Division by zero and
  // INT_MIN / -1 trap on x86: divide by 1 instead and fix the result up.
  Value zero = constantLike(b, loc, x, 0);
  Value one = constantLike(b, loc, x, 1);
  Value byZero = arith::CmpIOp::create(b, loc, IPred::eq, y, zero);
  if (operandIsUnsigned(op)) {
    Value q = arith::DivUIOp::create(b, loc, x, select(b, loc, byZero, one, y));
    return select(b, loc, byZero, zero, q);
  }
  Value byMinusOne =
      arith::CmpIOp::create(b, loc, IPred::eq, y, constantLike(b, loc, x, -1));
  Value unsafe = arith::OrIOp::create(b, loc, byZero, byMinusOne);
  Value q = arith::DivSIOp::create(b, loc, x, select(b, loc, unsafe, one, y));
  Value negated = arith::SubIOp::create(b, loc, zero, x);
  return select(b, loc, byZero, zero, select(b, loc, byMinusOne, negated, q));
}
Value scalar(ModOp op, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0], y = a[1];
  Value zero = constantLike(b, loc, x, 0);
  if (isFloat(x)) {
    // remf is C's fmod: exact, and x for an infinite divisor.
    Value r = arith::RemFOp::create(b, loc, x, y);
    if (op.getFmod())
      return r;
    // numpy's mod: a nonzero remainder whose sign differs from the
    // divisor's moves by one divisor (x mod inf is inf for a negative x); a
    // zero takes the divisor's sign. NaN compares false and stays NaN.
    Value isZero = arith::CmpFOp::create(b, loc, Pred::OEQ, r, zero);
    Value signedZero = math::CopySignOp::create(b, loc, zero, y);
    Value differ =
        arith::XOrIOp::create(b, loc, cmpLess(b, loc, r, zero, false),
                              cmpLess(b, loc, y, zero, false));
    Value shifted = arith::AddFOp::create(b, loc, r, y);
    return select(b, loc, isZero, signedZero,
                  select(b, loc, differ, shifted, r));
  }
  // x % 0 and INT_MIN % -1 trap on x86: take the remainder by 1 instead,
  // which is 0, as numpy's x % 0 and every x % -1 are.
  Value one = constantLike(b, loc, x, 1);
  Value byZero = arith::CmpIOp::create(b, loc, IPred::eq, y, zero);
  if (operandIsUnsigned(op))
    return arith::RemUIOp::create(b, loc, x, select(b, loc, byZero, one, y));
  Value byMinusOne =
      arith::CmpIOp::create(b, loc, IPred::eq, y, constantLike(b, loc, x, -1));
  Value unsafe = arith::OrIOp::create(b, loc, byZero, byMinusOne);
  Value r = arith::RemSIOp::create(b, loc, x, select(b, loc, unsafe, one, y));
  if (op.getFmod())
    return r;
  Value nonZero = arith::CmpIOp::create(b, loc, IPred::ne, r, zero);
  Value differ = arith::XOrIOp::create(b, loc, cmpLess(b, loc, r, zero, false),
                                       cmpLess(b, loc, y, zero, false));
  Value fix = arith::AndIOp::create(b, loc, nonZero, differ);
  return select(b, loc, fix, arith::AddIOp::create(b, loc, r, y), r);
}
Value scalar(MaxOp op, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return arith::MaximumFOp::create(b, loc, a[0], a[1]);
  if (operandIsUnsigned(op))
    return arith::MaxUIOp::create(b, loc, a[0], a[1]);
  return arith::MaxSIOp::create(b, loc, a[0], a[1]);
}
Value scalar(MinOp op, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return arith::MinimumFOp::create(b, loc, a[0], a[1]);
  if (operandIsUnsigned(op))
    return arith::MinUIOp::create(b, loc, a[0], a[1]);
  return arith::MinSIOp::create(b, loc, a[0], a[1]);
}
Value scalar(PowOp op, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0], y = a[1];
  if (isFloat(x))
    return math::PowFOp::create(b, loc, x, y);
  // Exponentiation by squaring, wrapping in the type as numpy does: a loop
  // over the exponent's bits (at most the bit width), so that large
  // exponents cost no more than 64 steps.
  Value zero = constantLike(b, loc, x, 0);
  Value one = constantLike(b, loc, x, 1);
  bool isUnsignedOp = operandIsUnsigned(op);
  Value negative = isUnsignedOp
                       ? Value()
                       : arith::CmpIOp::create(b, loc, IPred::slt, y, zero);
  Value start = negative ? select(b, loc, negative, zero, y) : y;
  Type type = x.getType();
  auto loop = scf::WhileOp::create(
      b, loc, TypeRange{type, type, type}, ValueRange{one, x, start},
      [&](OpBuilder &before, Location l, ValueRange args) {
        Value more = arith::CmpIOp::create(before, l, IPred::ne, args[2],
                                           constantLike(before, l, x, 0));
        scf::ConditionOp::create(before, l, more, args);
      },
      [&](OpBuilder &after, Location l, ValueRange args) {
        Value result = args[0], square = args[1], exp = args[2];
        Value bit = arith::TruncIOp::create(after, l, after.getI1Type(), exp);
        Value times = arith::MulIOp::create(after, l, result, square);
        result = arith::SelectOp::create(after, l, bit, times, result);
        square = arith::MulIOp::create(after, l, square, square);
        exp =
            arith::ShRUIOp::create(after, l, exp, constantLike(after, l, x, 1));
        scf::YieldOp::create(after, l, ValueRange{result, square, exp});
      });
  Value power = loop.getResult(0);
  if (!negative)
    return power;
  // A negative exponent truncates the real result toward zero: 1 stays 1,
  // -1 alternates with the exponent's parity, every other base (0 too,
  // rather than a trap) gives 0.
  Value isOne = arith::CmpIOp::create(b, loc, IPred::eq, x, one);
  Value isMinusOne =
      arith::CmpIOp::create(b, loc, IPred::eq, x, constantLike(b, loc, x, -1));
  Value odd = arith::TruncIOp::create(b, loc, b.getI1Type(), y);
  Value minusOnePower = select(b, loc, odd, x, one);
  Value reciprocal = select(b, loc, isOne, one,
                            select(b, loc, isMinusOne, minusOnePower, zero));
  return select(b, loc, negative, reciprocal, power);
}
Value scalar(AndOp, OpBuilder &b, Location loc, ValueRange a) {
  return arith::AndIOp::create(b, loc, a[0], a[1]);
}
Value scalar(OrOp, OpBuilder &b, Location loc, ValueRange a) {
  return arith::OrIOp::create(b, loc, a[0], a[1]);
}
Value scalar(XorOp, OpBuilder &b, Location loc, ValueRange a) {
  return arith::XOrIOp::create(b, loc, a[0], a[1]);
}

/// Whether a shift amount lies outside [0, bit width): compared unsigned, a
/// negative amount is too large as well. arith's shifts are poison there.
Value shiftsEverythingOut(OpBuilder &b, Location loc, Value amount) {
  Value width =
      constantLike(b, loc, amount, amount.getType().getIntOrFloatBitWidth());
  return arith::CmpIOp::create(b, loc, IPred::uge, amount, width);
}
Value scalar(ShiftLeftOp, OpBuilder &b, Location loc, ValueRange a) {
  Value zero = constantLike(b, loc, a[0], 0);
  Value out = shiftsEverythingOut(b, loc, a[1]);
  Value amount = select(b, loc, out, zero, a[1]);
  return select(b, loc, out, zero, arith::ShLIOp::create(b, loc, a[0], amount));
}
Value scalar(ShiftRightOp op, OpBuilder &b, Location loc, ValueRange a) {
  Value out = shiftsEverythingOut(b, loc, a[1]);
  if (operandIsUnsigned(op)) {
    Value zero = constantLike(b, loc, a[0], 0);
    Value amount = select(b, loc, out, zero, a[1]);
    return select(b, loc, out, zero,
                  arith::ShRUIOp::create(b, loc, a[0], amount));
  }
  // Past the width only copies of the sign bit remain: a shift by width - 1.
  Value last =
      constantLike(b, loc, a[0], a[0].getType().getIntOrFloatBitWidth() - 1);
  Value amount = select(b, loc, out, last, a[1]);
  return arith::ShRSIOp::create(b, loc, a[0], amount);
}

Value compare(Operation *op, OpBuilder &b, Location loc, ValueRange a,
              Pred floatPred, IPred signedPred, IPred unsignedPred) {
  if (isFloat(a[0]))
    return arith::CmpFOp::create(b, loc, floatPred, a[0], a[1]);
  bool isUnsignedInt = operandIsUnsigned(op) || a[0].getType().isInteger(1);
  return arith::CmpIOp::create(
      b, loc, isUnsignedInt ? unsignedPred : signedPred, a[0], a[1]);
}
Value scalar(EqualOp op, OpBuilder &b, Location loc, ValueRange a) {
  return compare(op, b, loc, a, Pred::OEQ, IPred::eq, IPred::eq);
}
Value scalar(GreaterOp op, OpBuilder &b, Location loc, ValueRange a) {
  return compare(op, b, loc, a, Pred::OGT, IPred::sgt, IPred::ugt);
}
Value scalar(GreaterEqualOp op, OpBuilder &b, Location loc, ValueRange a) {
  return compare(op, b, loc, a, Pred::OGE, IPred::sge, IPred::uge);
}
Value scalar(LessOp op, OpBuilder &b, Location loc, ValueRange a) {
  return compare(op, b, loc, a, Pred::OLT, IPred::slt, IPred::ult);
}
Value scalar(LessEqualOp op, OpBuilder &b, Location loc, ValueRange a) {
  return compare(op, b, loc, a, Pred::OLE, IPred::sle, IPred::ule);
}
Value scalar(WhereOp, OpBuilder &b, Location loc, ValueRange a) {
  return select(b, loc, a[0], a[1], a[2]);
}
Value scalar(CastOp op, OpBuilder &b, Location loc, ValueRange a) {
  return convertScalar(b, loc, a[0], signlessElementType(op.getTo()),
                       isUnsigned(op.getInput().getType()),
                       isUnsigned(op.getTo()),
                       {op.getSaturate(), op.getRoundMode()});
}

Value scalar(BitCastOp op, OpBuilder &b, Location loc, ValueRange a) {
  Type from = a[0].getType(), to = signlessElementType(op.getTo());
  if (from == to) // Only the signedness changes, which signless types lack.
    return a[0];
  // A bool is one byte holding 0 or 1; a byte read as a bool is true unless 0.
  if (from.isInteger(1))
    return arith::ExtUIOp::create(b, loc, to, a[0]);
  if (to.isInteger(1))
    return arith::CmpIOp::create(b, loc, IPred::ne, a[0],
                                 scalarConstant(b, loc, from, 0));
  return arith::BitcastOp::create(b, loc, to, a[0]);
}

/// `%y = dsr1.<op> %a, %b` => `%y = linalg.generic ins(%a, %b) { formula }`,
/// each operand read through its numpy-broadcast map.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = signlessTensorType(op->getResult(0).getType());
    if (!resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "result shape is not static");
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return scalar(op, b, loc, args);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename... OpTys>
void addElementwise(LoweringTypeConverter &converter,
                    RewritePatternSet &patterns) {
  (patterns.add<ElementwiseLowering<OpTys>>(converter, patterns.getContext()),
   ...);
}

} // namespace

void populateElementwisePatterns(LoweringTypeConverter &converter,
                                 RewritePatternSet &patterns) {
  addElementwise<AbsOp, AcosOp, AsinOp, AtanOp, CeilOp, CosOp, ErfOp, ExpOp,
                 FloorOp, LogOp, NegOp, NotOp, ReciprocalOp, ReluOp, RoundOp,
                 RsqrtOp, SigmoidOp, SignOp, SinOp, SoftplusOp, SqrtOp, TanhOp,
                 ClipOp, EluOp, GeluOp, HardSigmoidOp, LeakyReluOp>(converter,
                                                                    patterns);
  addElementwise<AddOp, SubOp, MulOp, DivOp, ModOp, MaxOp, MinOp, PowOp, AndOp,
                 OrOp, XorOp, ShiftLeftOp, ShiftRightOp, EqualOp, GreaterOp,
                 GreaterEqualOp, LessOp, LessEqualOp, WhereOp, CastOp,
                 BitCastOp>(converter, patterns);
}

} // namespace dsr1::cpu
