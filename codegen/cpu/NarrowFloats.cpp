//===- NarrowFloats.cpp - casts to and from the 8- and 4-bit floats -------===//
//
// LLVM has no 8- or 4-bit float types: after type conversion they are plain
// i8 / i4. dsr1 stores them and casts them, nothing else, so casts are the
// only arithmetic they need, and it is written out here on their bits:
// widening is a lookup in a table of every encoding (exact, NaNs included),
// narrowing rounds the f32 bits to nearest even, then saturates or overflows
// as ONNX Cast says.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace dsr1::cpu {

namespace {

Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return scalarConstant(b, loc, b.getI32Type(), static_cast<double>(value));
}

/// The raw bits of a narrow float as a signless integer of its width.
Value bitsOf(OpBuilder &b, Location loc, Value value) {
  auto type = cast<FloatType>(value.getType());
  return arith::BitcastOp::create(b, loc, b.getIntegerType(type.getWidth()),
                                  value);
}

/// `bits` (i32, only the low bits of the format's width set) as the narrow
/// float type `to`.
Value fromBits(OpBuilder &b, Location loc, Value bits, FloatType to) {
  Value narrow =
      arith::TruncIOp::create(b, loc, b.getIntegerType(to.getWidth()), bits);
  return arith::BitcastOp::create(b, loc, to, narrow);
}

Value select(OpBuilder &b, Location loc, Value condition, Value yes, Value no) {
  return arith::SelectOp::create(b, loc, condition, yes, no);
}

Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate predicate, Value x,
          Value y) {
  return arith::CmpIOp::create(b, loc, predicate, x, y);
}

/// Rounds f32 bits to f8E8M0FNU (an exponent alone) as the ONNX reference
/// does: the sign is ignored (negative inputs are undefined), NaN stays NaN,
/// and with `saturate` infinity and anything rounding past the top become
/// the largest power of two, else NaN.
Value truncateToE8M0(OpBuilder &b, Location loc, Value bits, bool saturate,
                     RoundMode mode) {
  using P = arith::CmpIPredicate;
  Value exponent = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, i32Constant(b, loc, 23)),
      i32Constant(b, loc, 0xff));
  auto anyBits = [&](int64_t mask) {
    return cmp(b, loc, P::ne,
               arith::AndIOp::create(b, loc, bits, i32Constant(b, loc, mask)),
               i32Constant(b, loc, 0));
  };
  Value roundUp;
  switch (mode) {
  case RoundMode::up:
    roundUp = anyBits(0x7fffff);
    break;
  case RoundMode::down:
    roundUp = scalarConstant(b, loc, b.getI1Type(), 0);
    break;
  case RoundMode::nearest: {
    // The first dropped bit set, and the rest or the kept exponent's parity
    // (as the reference computes it: any normal exponent counts as odd).
    Value rest = arith::OrIOp::create(
        b, loc, anyBits(0x3fffff),
        cmp(b, loc, P::ugt, exponent, i32Constant(b, loc, 0)));
    roundUp = arith::AndIOp::create(b, loc, anyBits(0x400000), rest);
    break;
  }
  }
  Value top = i32Constant(b, loc, 0xfe), nan = i32Constant(b, loc, 0xff);
  Value isSpecial = cmp(b, loc, P::eq, exponent, nan);
  if (saturate)
    roundUp = arith::AndIOp::create(b, loc, roundUp,
                                    cmp(b, loc, P::ne, exponent, top));
  Value rounded = arith::AddIOp::create(
      b, loc, exponent,
      arith::ExtUIOp::create(b, loc, b.getI32Type(), roundUp));
  Value special = saturate
                      ? select(b, loc, anyBits(0x7fffff), nan, top) // NaN, inf
                      : nan;
  return select(b, loc, isSpecial, special, rounded);
}

} // namespace

Value extendNarrowFloat(OpBuilder &b, Location loc, Value value, FloatType to) {
  auto from = cast<FloatType>(value.getType());
  // Every encoding's value in `to`, each rounded once from the exact value.
  SmallVector<APFloat> table;
  unsigned width = from.getWidth();
  for (uint64_t bits = 0; bits < (1u << width); ++bits) {
    APFloat element(from.getFloatSemantics(), APInt(width, bits));
    bool losesInfo;
    element.convert(to.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
    table.push_back(element);
  }
  auto tableType =
      RankedTensorType::get({static_cast<int64_t>(table.size())}, to);
  Value constants = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(tableType, table));
  Value index = arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                             bitsOf(b, loc, value));
  return tensor::ExtractOp::create(b, loc, constants, index);
}

Value truncateToNarrowFloat(OpBuilder &b, Location loc, Value value,
                            FloatType to, bool saturate, RoundMode mode) {
  using P = arith::CmpIPredicate;
  Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), value);
  if (isa<Float8E8M0FNUType>(to))
    return fromBits(b, loc, truncateToE8M0(b, loc, bits, saturate, mode), to);

  const llvm::fltSemantics &semantics = to.getFloatSemantics();
  int mantissaBits =
      static_cast<int>(APFloat::semanticsPrecision(semantics)) - 1;
  int bias = 1 - APFloat::semanticsMinExponent(semantics);
  int width = static_cast<int>(APFloat::semanticsSizeInBits(semantics));
  int64_t largest =
      APFloat::getLargest(semantics).bitcastToAPInt().getZExtValue();
  bool hasInf = APFloat::semanticsHasInf(semantics);
  bool hasNaN = APFloat::semanticsHasNaN(semantics);
  int64_t signBit = int64_t(1) << (width - 1);
  int64_t nanCode =
      hasNaN ? APFloat::getQNaN(semantics).bitcastToAPInt().getZExtValue() : 0;
  // FNUZ formats keep their one NaN where -0 would be: no -0, unsigned NaN.
  bool unsignedZeroAndNaN = hasNaN && nanCode == signBit;
  // E2M1 has neither infinity nor NaN: it always saturates.
  saturate = saturate || (!hasInf && !hasNaN);

  Value sign = arith::AndIOp::create(
      b, loc,
      arith::ShRUIOp::create(b, loc, bits,
                             i32Constant(b, loc, 31 - (width - 1))),
      i32Constant(b, loc, 1 << (width - 1)));
  Value magnitude =
      arith::AndIOp::create(b, loc, bits, i32Constant(b, loc, 0x7fffffff));

  // Normal results: round the f32 mantissa to `mantissaBits`, ties to even,
  // in the integer domain (a carry into the exponent is the right result),
  // then rebias the exponent.
  int shift = 23 - mantissaBits;
  Value odd = arith::AndIOp::create(
      b, loc,
      arith::ShRUIOp::create(b, loc, magnitude, i32Constant(b, loc, shift)),
      i32Constant(b, loc, 1));
  Value roundedBits = arith::AddIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, magnitude,
                            i32Constant(b, loc, (1 << (shift - 1)) - 1)),
      odd);
  Value normal = arith::SubIOp::create(
      b, loc,
      arith::ShRUIOp::create(b, loc, roundedBits, i32Constant(b, loc, shift)),
      i32Constant(b, loc, static_cast<int64_t>(127 - bias) << mantissaBits));
  // Subnormal results: the magnitude in units of the smallest subnormal,
  // rounded to an even integer (2^mantissaBits is the smallest normal, which
  // is also its encoding).
  Value absolute = arith::BitcastOp::create(b, loc, b.getF32Type(), magnitude);
  Value units = arith::MulFOp::create(
      b, loc, absolute,
      scalarConstant(b, loc, b.getF32Type(),
                     std::ldexp(1.0, bias - 1 + mantissaBits)));
  Value subnormal = arith::FPToSIOp::create(
      b, loc, b.getI32Type(), math::RoundEvenOp::create(b, loc, units));
  Value smallestNormal =
      i32Constant(b, loc, static_cast<int64_t>(128 - bias) << 23);
  Value rounded = select(b, loc, cmp(b, loc, P::ult, magnitude, smallestNormal),
                         subnormal, normal);

  // Too large after rounding (infinity included): the largest finite value,
  // or the format's infinity, or its NaN.
  Value largestCode = i32Constant(b, loc, largest);
  Value tooLarge = cmp(b, loc, P::sgt, rounded, largestCode);
  Value overflow =
      saturate ? largestCode
      : hasInf ? i32Constant(
                     b, loc,
                     APFloat::getInf(semantics).bitcastToAPInt().getZExtValue())
               : i32Constant(b, loc, nanCode);
  Value result = select(b, loc, tooLarge, overflow, rounded);
  Value signedResult = arith::OrIOp::create(b, loc, result, sign);
  if (unsignedZeroAndNaN)
    signedResult =
        select(b, loc, cmp(b, loc, P::eq, result, i32Constant(b, loc, 0)),
               result, signedResult);

  Value isNaN = cmp(b, loc, P::ugt, magnitude, i32Constant(b, loc, 0x7f800000));
  Value nanResult;
  if (!hasNaN) {
    // No NaN (E2M1): a zero with the sign bit flipped, as the ONNX reference
    // (ml_dtypes) produces.
    nanResult =
        arith::XOrIOp::create(b, loc, sign, i32Constant(b, loc, signBit));
  } else if (unsignedZeroAndNaN) {
    nanResult = i32Constant(b, loc, nanCode);
  } else {
    nanResult =
        arith::OrIOp::create(b, loc, i32Constant(b, loc, nanCode), sign);
  }
  return fromBits(b, loc, select(b, loc, isNaN, nanResult, signedResult), to);
}

} // namespace dsr1::cpu
