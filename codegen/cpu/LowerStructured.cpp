//===- LowerStructured.cpp - matmul, convolution, pooling, attention ------===//
//
// The dsr1-to-linalg patterns for matmul, gemm, convolution, pooling and
// attention. Each is a linalg.generic whose indexing maps say which elements
// meet: contractions sum products over reduction dimensions, windows read the
// input at `out * stride + tap * dilation` of an input padded beforehand.
// Attention is the exception: scf.for loops over blocks of queries and keys
// around such generics on tiles (online softmax), so that no score tensor
// larger than a tile exists. Products of f16 and bf16 accumulate in f32 and
// are truncated once at the end. Shapes are static here: a pattern meeting a
// dynamic shape does not match.
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
#include <limits>

using namespace mlir;

namespace dsr1::cpu {
namespace {

using Iterator = utils::IteratorType;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The element type products and sums are accumulated in: f32 for f16 and
/// bf16, the element type itself otherwise.
Type accumulatorType(Type element) {
  if (element.isF16() || element.isBF16())
    return Float32Type::get(element.getContext());
  return element;
}

/// True if every value (null ones skipped: absent optional operands) has a
/// static shape.
bool allStatic(ValueRange values) {
  return llvm::all_of(values, [](Value v) {
    return !v || cast<ShapedType>(v.getType()).hasStaticShape();
  });
}

Value addScalars(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value mulScalars(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

/// Converts between float types, or leaves a value alone (integers
/// accumulate in their own type).
Value convertTo(OpBuilder &b, Location loc, Value value, Type to) {
  return convertScalar(b, loc, value, to, /*fromUnsigned=*/false,
                       /*toUnsigned=*/false);
}

/// A `linalg.generic` over `iterators` with `inputs` and one `init`, each
/// read through its map; `body` gets the input scalars and the current
/// output scalar and returns the new output scalar.
Value buildGeneric(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                   ArrayRef<AffineMap> maps, ArrayRef<Iterator> iterators,
                   const ScalarBody &body) {
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                body(nested, nestedLoc, args));
      });
  return generic.getResult(0);
}

/// Sums `lhs * rhs` into `init` (its element type is the accumulator's).
Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       Value init, ArrayRef<AffineMap> maps,
                       ArrayRef<Iterator> iterators) {
  Type acc = cast<RankedTensorType>(init.getType()).getElementType();
  return buildGeneric(b, loc, {lhs, rhs}, init, maps, iterators,
                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                        Value product =
                            mulScalars(nb, nl, convertTo(nb, nl, args[0], acc),
                                       convertTo(nb, nl, args[1], acc));
                        return addScalars(nb, nl, args[2], product);
                      });
}

/// A zero-filled tensor of `shape` and element type `element`.
Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type element) {
  return filledTensor(b, loc, RankedTensorType::get(shape, element),
                      scalarConstant(b, loc, element, 0));
}

/// `value` converted elementwise to `type`'s element type (same shape).
Value convertTensor(OpBuilder &b, Location loc, Value value,
                    RankedTensorType type) {
  if (value.getType() == type)
    return value;
  return buildElementwise(
      b, loc, type, value, [&](OpBuilder &nb, Location nl, ValueRange args) {
        return convertTo(nb, nl, args[0], type.getElementType());
      });
}

/// The tensor a matrix product or convolution reads for `operand`, always
/// f32 for float data: f16 and bf16 widen exactly (a tensor core multiplies
/// them exactly and sums in f32, so the f32 contraction, BLAS included,
/// computes the same sums), and the f32 operands of an op computed in TF32
/// are rounded to its 10-bit mantissa as the GPU's cvt.rna.tf32.f32 does:
/// to nearest, ties away from zero, infinities and NaN unchanged.
Value productOperand(OpBuilder &b, Location loc, Operation *op, Value operand) {
  auto type = cast<RankedTensorType>(operand.getType());
  Type element = type.getElementType();
  Type f32 = b.getF32Type();
  if (element.isF16() || element.isBF16())
    return convertTensor(b, loc, operand, type.clone(f32));
  auto precision = op->getAttrOfType<PrecisionAttr>("precision");
  if (!element.isF32() || !precision || precision.getValue() != Precision::tf32)
    return operand;
  return buildElementwise(
      b, loc, type, operand, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Type i32 = nb.getI32Type();
        Value bits = arith::BitcastOp::create(nb, nl, i32, args[0]);
        auto constant = [&](uint32_t value) {
          return arith::ConstantOp::create(
              nb, nl, nb.getI32IntegerAttr(static_cast<int32_t>(value)));
        };
        Value exponent =
            arith::AndIOp::create(nb, nl, bits, constant(0x7f800000u));
        Value special = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                              exponent, constant(0x7f800000u));
        Value rounded = arith::AndIOp::create(
            nb, nl, arith::AddIOp::create(nb, nl, bits, constant(0x1000u)),
            constant(0xffffe000u));
        Value result = arith::SelectOp::create(nb, nl, special, bits, rounded);
        return arith::BitcastOp::create(nb, nl, f32, result).getResult();
      });
}

/// The spatial dimensions (from 2) of `input` spread out by `strides`
/// (`strides - 1` elements between neighbours), then padded by `low` and
/// `high` elements (a negative amount crops), the new elements `padValue`.
/// A gather (`linalg.generic` reading the input with `tensor.extract`) rather
/// than tensor.pad or a strided tensor.insert_slice, which bufferize to copies
/// into strided views, and those need a runtime library the JIT lacks.
Value spreadAndPad(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> low,
                   ArrayRef<int64_t> high, Value padValue) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  if (llvm::all_of(strides, [](int64_t s) { return s == 1; }) &&
      llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < low.size(); ++i)
    shape[i + 2] = (shape[i + 2] - 1) * strides[i] + 1 + low[i] + high[i];
  auto resultType = type.clone(shape);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  SmallVector<Iterator> iterators(rank, Iterator::parallel);
  return buildGeneric(
      b, loc, {}, emptyTensor(b, loc, resultType), maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
        using IPred = arith::CmpIPredicate;
        SmallVector<Value> indices;
        Value valid;
        for (int64_t d = 0; d < rank; ++d) {
          Value index = linalg::IndexOp::create(nb, nl, d);
          if (d < 2) {
            indices.push_back(index);
            continue;
          }
          int64_t i = d - 2, size = type.getDimSize(d);
          // at = index - low; the element is input[at / stride] if at is a
          // multiple of the stride in [0, stride * (size - 1)].
          Value at = arith::SubIOp::create(nb, nl, index,
                                           indexConstant(nb, nl, low[i]));
          Value zero = indexConstant(nb, nl, 0);
          Value ok = arith::CmpIOp::create(nb, nl, IPred::sge, at, zero);
          at = arith::MaxSIOp::create(nb, nl, at, zero);
          if (strides[i] != 1) {
            Value stride = indexConstant(nb, nl, strides[i]);
            Value rem = arith::RemUIOp::create(nb, nl, at, stride);
            ok = arith::AndIOp::create(
                nb, nl, ok,
                arith::CmpIOp::create(nb, nl, IPred::eq, rem, zero));
            at = arith::DivUIOp::create(nb, nl, at, stride);
          }
          Value last = indexConstant(nb, nl, size - 1);
          ok = arith::AndIOp::create(
              nb, nl, ok, arith::CmpIOp::create(nb, nl, IPred::sle, at, last));
          indices.push_back(arith::MinSIOp::create(nb, nl, at, last));
          valid = valid ? arith::AndIOp::create(nb, nl, valid, ok) : ok;
        }
        Value element = tensor::ExtractOp::create(nb, nl, input, indices);
        if (!valid)
          return element;
        return arith::SelectOp::create(nb, nl, valid, element, padValue);
      });
}

/// Pads the spatial dimensions (from 2) of `input` by `low` and `high`
/// elements of `padValue`; a negative amount crops instead.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value padValue) {
  SmallVector<int64_t> ones(low.size(), 1);
  return spreadAndPad(b, loc, input, ones, low, high, padValue);
}

/// An attribute that defaults to `fill` per spatial dimension when empty.
SmallVector<int64_t> spatialAttr(ArrayRef<int64_t> values, size_t count,
                                 int64_t fill) {
  if (values.empty())
    return SmallVector<int64_t>(count, fill);
  return SmallVector<int64_t>(values);
}

/// `[[0], ..., [at, at + 1], ...]`: the reassociation that splits (or
/// merges) dimension `at` of a rank-`rank` tensor into two.
SmallVector<ReassociationIndices> splitDim(int64_t rank, int64_t at) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0, next = 0; i < rank; ++i) {
    if (i == at) {
      groups.push_back({next, next + 1});
      next += 2;
    } else {
      groups.push_back({next++});
    }
  }
  return groups;
}

/// `value` with dimension `at` split into [outer, size / outer].
Value expandDim(OpBuilder &b, Location loc, Value value, int64_t at,
                int64_t outer) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[at] /= outer;
  shape.insert(shape.begin() + at, outer);
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), value,
                                       splitDim(type.getRank(), at));
}

/// `value` with dimensions `at` and `at + 1` merged.
Value collapseDim(OpBuilder &b, Location loc, Value value, int64_t at) {
  auto type = cast<RankedTensorType>(value.getType());
  return tensor::CollapseShapeOp::create(b, loc, value,
                                         splitDim(type.getRank() - 1, at));
}

//===----------------------------------------------------------------------===//
// MatMul and Gemm
//===----------------------------------------------------------------------===//

/// `%c = dsr1.matmul %a, %b : tensor<BxMxK>, tensor<KxN>` =>
/// `linalg.fill` + `linalg.generic {(b, m, n, k): a[b, m, k] * b[k, n] summed
/// into c[b, m, n]}`; batch dims of size 1 broadcast (map to 0), a 1-D operand
/// has no m (or n) loop, f16/bf16 accumulate in f32 then truncate.
struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    if (!allStatic({lhs, rhs, op.getResult()}))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    lhs = productOperand(rewriter, loc, op, lhs);
    rhs = productOperand(rewriter, loc, op, rhs);
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    auto resultType = signlessTensorType(op.getType());
    MLIRContext *context = op.getContext();

    bool hasM = lhsType.getRank() >= 2, hasN = rhsType.getRank() >= 2;
    int64_t batchRank = resultType.getRank() - hasM - hasN;
    unsigned numDims = batchRank + hasM + hasN + 1;
    AffineExpr m = getAffineDimExpr(batchRank, context);
    AffineExpr n = getAffineDimExpr(batchRank + hasM, context);
    AffineExpr k = getAffineDimExpr(numDims - 1, context);

    // The batch dims of an operand, aligned at the right of the result's.
    auto batchExprs = [&](RankedTensorType type, bool isMatrix) {
      int64_t operandBatch = isMatrix ? type.getRank() - 2 : 0;
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < operandBatch; ++i) {
        int64_t dim = i + batchRank - operandBatch;
        if (type.getDimSize(i) == 1 && resultType.getDimSize(dim) != 1)
          exprs.push_back(getAffineConstantExpr(0, context));
        else
          exprs.push_back(getAffineDimExpr(dim, context));
      }
      return exprs;
    };
    SmallVector<AffineExpr> lhsExprs = batchExprs(lhsType, hasM);
    if (hasM)
      lhsExprs.push_back(m);
    lhsExprs.push_back(k);
    SmallVector<AffineExpr> rhsExprs = batchExprs(rhsType, hasN);
    rhsExprs.push_back(k);
    if (hasN)
      rhsExprs.push_back(n);
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < batchRank; ++i)
      outExprs.push_back(getAffineDimExpr(i, context));
    if (hasM)
      outExprs.push_back(m);
    if (hasN)
      outExprs.push_back(n);

    SmallVector<AffineMap> maps = {
        AffineMap::get(numDims, 0, lhsExprs, context),
        AffineMap::get(numDims, 0, rhsExprs, context),
        AffineMap::get(numDims, 0, outExprs, context)};
    SmallVector<Iterator> iterators(numDims - 1, Iterator::parallel);
    iterators.push_back(Iterator::reduction);

    Type acc = accumulatorType(resultType.getElementType());
    Value init = zeros(rewriter, loc, resultType.getShape(), acc);
    Value sum =
        buildContraction(rewriter, loc, lhs, rhs, init, maps, iterators);
    rewriter.replaceOp(op, convertTensor(rewriter, loc, sum, resultType));
    return success();
  }
};

/// `%y = dsr1.gemm %a, %b, %c {alpha, beta, trans_a, trans_b}` =>
/// `linalg.generic {(m, n, k): a[m, k] (or a[k, m]) * b[k, n] (or b[n, k])
/// summed}` then `linalg.generic {alpha * sum + beta * c}` with c broadcast.
struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value a = adaptor.getA(), b = adaptor.getB(), c = adaptor.getC();
    if (!allStatic({a, b, c, op.getResult()}))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto resultType = signlessTensorType(op.getType());
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    a = productOperand(rewriter, loc, op, a);
    b = productOperand(rewriter, loc, op, b);

    AffineExpr m = getAffineDimExpr(0, context);
    AffineExpr n = getAffineDimExpr(1, context);
    AffineExpr k = getAffineDimExpr(2, context);
    SmallVector<AffineExpr> aExprs = {m, k}, bExprs = {k, n};
    if (op.getTransA())
      std::swap(aExprs[0], aExprs[1]);
    if (op.getTransB())
      std::swap(bExprs[0], bExprs[1]);
    SmallVector<AffineMap> maps = {AffineMap::get(3, 0, aExprs, context),
                                   AffineMap::get(3, 0, bExprs, context),
                                   AffineMap::get(3, 0, {m, n}, context)};
    SmallVector<Iterator> iterators = {Iterator::parallel, Iterator::parallel,
                                       Iterator::reduction};
    Type element = resultType.getElementType();
    Type acc = accumulatorType(element);
    Value init = zeros(rewriter, loc, resultType.getShape(), acc);
    Value sum = buildContraction(rewriter, loc, a, b, init, maps, iterators);

    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    SmallVector<Value> inputs = {sum};
    if (c)
      inputs.push_back(c);
    Value result = buildElementwise(
        rewriter, loc, resultType, inputs,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value y = args[0];
          if (alpha != 1)
            y = mulScalars(nb, nl, scalarConstant(nb, nl, acc, alpha), y);
          if (args.size() > 1) {
            Value z = convertTo(nb, nl, args[1], acc);
            if (beta != 1)
              z = mulScalars(nb, nl, scalarConstant(nb, nl, acc, beta), z);
            y = addScalars(nb, nl, y, z);
          }
          return convertTo(nb, nl, y, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

/// The grouped, strided, dilated convolution of `input` ([N, C, S...],
/// already padded) with `weight`, into [N, M, O...] of `accType` elements
/// (zero-initialised):
///   out[n, g, mg, o...] += in[n, g, c, o * s + k * d] * w[g, mg, c, k]
/// with in, w and out split by group. A `transposed` weight is ConvTranspose's
/// [C, M / group, K...], read as w[g, c, mg, k].
Value buildConvolution(OpBuilder &b, Location loc, Value input, Value weight,
                       ArrayRef<int64_t> outSpatial, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> dilations, int64_t groups,
                       int64_t outChannels, bool transposed, Type accType,
                       Value bias = nullptr) {
  MLIRContext *context = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t spatial = inputType.getRank() - 2;

  // Loops: n, g, mg, o..., c, k...
  unsigned numDims = 4 + 2 * spatial;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  AffineExpr n = dim(0), g = dim(1), mg = dim(2), c = dim(3 + spatial);
  SmallVector<AffineExpr> inExprs = {n, g, c}, wExprs, outExprs = {n, g, mg};
  if (transposed)
    wExprs = {g, c, mg};
  else
    wExprs = {g, mg, c};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr o = dim(3 + i), k = dim(4 + spatial + i);
    inExprs.push_back(o * strides[i] + k * dilations[i]);
    wExprs.push_back(k);
    outExprs.push_back(o);
  }

  // A forward convolution in f32/f64 is a matrix product over an unfolded
  // input (im2col): cols[n, g, c, k..., o...] = in[n, g, c, o * s + k * d],
  // then out[n, g, mg, o...] += w[g, mg, c, k...] * cols[n, g, c, k..., o...],
  // whose (c, k...) and (o...) loops collapse to the k and n of a GEMM that
  // -dsr1-call-blas hands to BLAS. A 1x1 kernel at stride 1 needs no copy.
  Type element = inputType.getElementType();
  auto weightType = cast<RankedTensorType>(weight.getType());
  bool unitKernel = llvm::all_of(weightType.getShape().drop_front(2),
                                 [](int64_t k) { return k == 1; }) &&
                    llvm::all_of(strides, [](int64_t s) { return s == 1; });
  Value grouped = expandDim(b, loc, input, 1, groups);
  if (!transposed && element == accType &&
      (element.isF32() || element.isF64())) {
    if (!unitKernel) {
      // Loops of the unfolding: n, g, c, k..., o...
      unsigned colDims = 3 + 2 * spatial;
      SmallVector<AffineExpr> readExprs = {dim(0), dim(1), dim(2)};
      SmallVector<int64_t> colShape = {inputType.getDimSize(0), groups,
                                       inputType.getDimSize(1) / groups};
      for (int64_t i = 0; i < spatial; ++i)
        colShape.push_back(weightType.getDimSize(2 + i));
      for (int64_t i = 0; i < spatial; ++i) {
        colShape.push_back(outSpatial[i]);
        readExprs.push_back(dim(3 + spatial + i) * strides[i] +
                            dim(3 + i) * dilations[i]);
      }
      SmallVector<AffineMap> colMaps = {
          AffineMap::get(colDims, 0, readExprs, context),
          b.getMultiDimIdentityMap(colDims)};
      SmallVector<Iterator> colIterators(colDims, Iterator::parallel);
      grouped = buildGeneric(
          b, loc, grouped,
          emptyTensor(b, loc, RankedTensorType::get(colShape, element)),
          colMaps, colIterators,
          [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    }
    inExprs = {n, g, c};
    for (int64_t i = 0; i < spatial; ++i)
      if (!unitKernel)
        inExprs.push_back(dim(4 + spatial + i));
    for (int64_t i = 0; i < spatial; ++i)
      inExprs.push_back(dim(3 + i));
  }
  SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, inExprs, context),
                                 AffineMap::get(numDims, 0, wExprs, context),
                                 AffineMap::get(numDims, 0, outExprs, context)};
  SmallVector<Iterator> iterators(3 + spatial, Iterator::parallel);
  iterators.append(1 + spatial, Iterator::reduction);

  SmallVector<int64_t> outShape = {inputType.getDimSize(0), groups,
                                   outChannels / groups};
  outShape.append(outSpatial.begin(), outSpatial.end());
  Value init;
  if (bias) {
    // The sums start from the bias ([M] split into [G, M / G]), which saves
    // adding it in a pass of its own.
    SmallVector<AffineExpr> biasExprs = {dim(1), dim(2)};
    auto outType = RankedTensorType::get(outShape, accType);
    init = buildParallel(
        b, loc, outType, expandDim(b, loc, bias, 0, groups),
        AffineMap::get(outType.getRank(), 0, biasExprs, context),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  } else {
    init = zeros(b, loc, outShape, accType);
  }
  Value sum =
      buildContraction(b, loc, grouped, expandDim(b, loc, weight, 0, groups),
                       init, maps, iterators);
  return collapseDim(b, loc, sum, 1);
}

/// `weight` ([A, B, K...]) with its kernel dimensions reversed:
/// `linalg.generic {w[a, b, K - 1 - k]}`.
Value flipKernel(OpBuilder &b, Location loc, Value weight) {
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i) {
    AffineExpr d = getAffineDimExpr(i, b.getContext());
    exprs.push_back(i < 2 ? d : type.getDimSize(i) - 1 - d);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, b.getContext()),
                                 b.getMultiDimIdentityMap(rank)};
  SmallVector<Iterator> iterators(rank, Iterator::parallel);
  return buildGeneric(
      b, loc, weight, emptyTensor(b, loc, type), maps, iterators,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// Adds the optional per-channel `bias` ([M]) to `sum` ([N, M, O...]) and
/// converts to `resultType`.
Value addBias(OpBuilder &b, Location loc, Value sum, Value bias,
              RankedTensorType resultType) {
  if (!bias)
    return convertTensor(b, loc, sum, resultType);
  // [M] -> [M, 1, ...]: broadcasts against [N, M, O...] by numpy rules.
  auto biasType = cast<RankedTensorType>(bias.getType());
  SmallVector<int64_t> shape(resultType.getRank() - 1, 1);
  shape[0] = biasType.getDimSize(0);
  ReassociationIndices all;
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    all.push_back(i);
  Value expanded = tensor::ExpandShapeOp::create(
      b, loc, biasType.clone(shape), bias, ArrayRef<ReassociationIndices>{all});
  Type acc = cast<RankedTensorType>(sum.getType()).getElementType();
  return buildElementwise(
      b, loc, resultType, {sum, expanded},
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value y = addScalars(nb, nl, args[0], convertTo(nb, nl, args[1], acc));
        return convertTo(nb, nl, y, resultType.getElementType());
      });
}

/// `%y = dsr1.conv %x, %w, %bias {strides, pads, dilations, group}` =>
/// x padded with zeros (a gathering `linalg.generic`), `tensor.expand_shape` of
/// x and w by group, then `linalg.generic {(n, g, m, o..., c, k...): x[n, g, c,
/// o * s + k * d] * w[g, m, c, k] summed}`, collapsed to [N, M, O...], plus
/// bias.
struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    if (!allStatic({input, weight, adaptor.getBias(), op.getResult()}))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto resultType = signlessTensorType(op.getType());
    Location loc = op.getLoc();
    size_t spatial = resultType.getRank() - 2;
    SmallVector<int64_t> strides = spatialAttr(op.getStrides(), spatial, 1);
    SmallVector<int64_t> dilations = spatialAttr(op.getDilations(), spatial, 1);
    SmallVector<int64_t> pads = spatialAttr(op.getPads(), 2 * spatial, 0);

    Type element = resultType.getElementType();
    Type acc = accumulatorType(element);
    input = productOperand(rewriter, loc, op, input);
    weight = productOperand(rewriter, loc, op, weight);
    Value padded = padSpatial(
        rewriter, loc, input, ArrayRef<int64_t>(pads).take_front(spatial),
        ArrayRef<int64_t>(pads).drop_front(spatial),
        scalarConstant(rewriter, loc, getElementTypeOrSelf(input.getType()),
                       0));
    // Where the accumulator is the element type, the sums start from the
    // bias; otherwise it is added (and the result rounded) afterwards.
    Value bias = adaptor.getBias();
    bool biasAsInit = bias && acc == element;
    Value sum = buildConvolution(
        rewriter, loc, padded, weight, resultType.getShape().drop_front(2),
        strides, dilations, op.getGroup(), resultType.getDimSize(1),
        /*transposed=*/false, acc, biasAsInit ? bias : Value());
    rewriter.replaceOp(
        op, biasAsInit ? sum : addBias(rewriter, loc, sum, bias, resultType));
    return success();
  }
};

/// `%y = dsr1.conv_transpose %x, %w, %bias {strides, pads, dilations,
/// output_padding, group}` => x spread out by the strides and padded by
/// `d * (k - 1) - pad` (cropped where negative) plus the output padding at the
/// end (one gathering `linalg.generic`), the kernel flipped
/// (`linalg.generic {w[c, m, K - 1 - k]}`), then a stride-1 convolution as
/// for dsr1.conv that reads the weight as w[g, c, m, k].
struct ConvTransposeLowering : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    if (!allStatic({input, weight, adaptor.getBias(), op.getResult()}))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto weightType = cast<RankedTensorType>(weight.getType());
    auto resultType = signlessTensorType(op.getType());
    Location loc = op.getLoc();
    size_t spatial = resultType.getRank() - 2;
    SmallVector<int64_t> strides = spatialAttr(op.getStrides(), spatial, 1);
    SmallVector<int64_t> dilations = spatialAttr(op.getDilations(), spatial, 1);
    SmallVector<int64_t> pads = spatialAttr(op.getPads(), 2 * spatial, 0);
    SmallVector<int64_t> outputPadding =
        spatialAttr(op.getOutputPadding(), spatial, 0);

    Type acc = accumulatorType(resultType.getElementType());
    input = productOperand(rewriter, loc, op, input);
    weight = productOperand(rewriter, loc, op, weight);
    Value zero =
        scalarConstant(rewriter, loc, getElementTypeOrSelf(input.getType()), 0);
    SmallVector<int64_t> low, high;
    for (size_t i = 0; i < spatial; ++i) {
      int64_t span = dilations[i] * (weightType.getDimSize(i + 2) - 1);
      low.push_back(span - pads[i]);
      high.push_back(span - pads[i + spatial] + outputPadding[i]);
    }
    Value padded = spreadAndPad(rewriter, loc, input, strides, low, high, zero);
    weight = flipKernel(rewriter, loc, weight);
    SmallVector<int64_t> ones(spatial, 1);
    Value sum = buildConvolution(
        rewriter, loc, padded, weight, resultType.getShape().drop_front(2),
        ones, dilations, op.getGroup(), resultType.getDimSize(1),
        /*transposed=*/true, acc);
    rewriter.replaceOp(
        op, addBias(rewriter, loc, sum, adaptor.getBias(), resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// The window of a pooling op, with every attribute defaulted.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd;
};

template <typename PoolOp> Window poolWindow(PoolOp op) {
  size_t spatial = op.getKernelShape().size();
  Window w;
  w.kernel = SmallVector<int64_t>(op.getKernelShape());
  w.strides = spatialAttr(op.getStrides(), spatial, 1);
  w.dilations = spatialAttr(op.getDilations(), spatial, 1);
  SmallVector<int64_t> pads = spatialAttr(op.getPads(), 2 * spatial, 0);
  w.padBegin.assign(pads.begin(), pads.begin() + spatial);
  w.padEnd.assign(pads.begin() + spatial, pads.end());
  return w;
}

/// Folds the windows of `input` ([N, C, S...]) into `init` ([N, C, O...]):
///   out[n, c, o...] = combine(out, in[n, c, o * s + k * d - padBegin])
/// where positions outside the input read `padValue`. The input is padded so
/// that every window fits, ceil_mode's partial last window included.
Value buildWindowFold(OpBuilder &b, Location loc, Value input, Value init,
                      const Window &w, Value padValue,
                      const ScalarBody &combine) {
  MLIRContext *context = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto initType = cast<RankedTensorType>(init.getType());
  int64_t spatial = w.kernel.size();
  SmallVector<int64_t> high;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t extent = (initType.getDimSize(i + 2) - 1) * w.strides[i] +
                     w.dilations[i] * (w.kernel[i] - 1) + 1;
    high.push_back(extent - inputType.getDimSize(i + 2) - w.padBegin[i]);
  }
  Value padded = padSpatial(b, loc, input, w.padBegin, high, padValue);

  // Loops: n, c, o..., k...; the kernel's extent comes from a shape-only
  // operand, as in linalg's named pooling ops.
  unsigned numDims = 2 + 2 * spatial;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  SmallVector<AffineExpr> inExprs = {dim(0), dim(1)}, kExprs,
                          outExprs = {dim(0), dim(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr o = dim(2 + i), k = dim(2 + spatial + i);
    inExprs.push_back(o * w.strides[i] + k * w.dilations[i]);
    kExprs.push_back(k);
    outExprs.push_back(o);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, inExprs, context),
                                 AffineMap::get(numDims, 0, kExprs, context),
                                 AffineMap::get(numDims, 0, outExprs, context)};
  SmallVector<Iterator> iterators(2 + spatial, Iterator::parallel);
  iterators.append(spatial, Iterator::reduction);
  Value window =
      tensor::EmptyOp::create(b, loc, w.kernel, inputType.getElementType());
  return buildGeneric(b, loc, {padded, window}, init, maps, iterators,
                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                        return combine(nb, nl, {args[0], args[2]});
                      });
}

/// `%y = dsr1.max_pool %x {kernel_shape, strides, pads, dilations,
/// ceil_mode}` => x padded with the lowest value of its type (-inf, the
/// signed or unsigned integer minimum; a gathering `linalg.generic`), then
/// `linalg.generic
/// {(n, c, o..., k...): y[n, c, o] = max(y, x[n, c, o * s + k * d])}` from a
/// fill with that value: padding never wins.
struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!allStatic({input, op.getResult()}))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto resultType = signlessTensorType(op.getType());
    Location loc = op.getLoc();
    Type element = resultType.getElementType();
    bool isFloatElement = isa<FloatType>(element);
    bool isUnsignedInt = isUnsigned(op.getInput().getType());
    Value lowest;
    if (isFloatElement) {
      lowest = scalarConstant(rewriter, loc, element,
                              -std::numeric_limits<double>::infinity());
    } else {
      unsigned width = element.getIntOrFloatBitWidth();
      lowest = arith::ConstantOp::create(
          rewriter, loc, element,
          rewriter.getIntegerAttr(
              element, isUnsignedInt ? APInt::getMinValue(width)
                                     : APInt::getSignedMinValue(width)));
    }
    Value init = filledTensor(rewriter, loc, resultType, lowest);
    Value result = buildWindowFold(
        rewriter, loc, input, init, poolWindow(op), lowest,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          // maximumf propagates NaN, as the ONNX reference does.
          if (isFloatElement)
            return arith::MaximumFOp::create(nb, nl, args[1], args[0]);
          if (isUnsignedInt)
            return arith::MaxUIOp::create(nb, nl, args[1], args[0]);
          return arith::MaxSIOp::create(nb, nl, args[1], args[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// `%i = dsr1.max_pool_indices %x {kernel_shape, ..., column_major}` =>
/// x padded (with zeros: padding is told apart by position, not value), then
/// `linalg.generic {(n, c, o..., k...)}` carrying the best value and its flat
/// index from a fill with -1: a tap inside the input replaces them when no
/// tap has yet, or when it is strictly larger (the first maximum wins, and a
/// NaN only as the first tap, as in the ONNX reference).
struct MaxPoolIndicesLowering : OpConversionPattern<MaxPoolIndicesOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPoolIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!allStatic({input, op.getResult()}))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = inputType.getElementType();
    bool isFloatElement = isa<FloatType>(element);
    bool isUnsignedInt = isUnsigned(op.getInput().getType());
    Window w = poolWindow(op);
    int64_t spatial = w.kernel.size();
    SmallVector<int64_t> high;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t extent = (resultType.getDimSize(i + 2) - 1) * w.strides[i] +
                       w.dilations[i] * (w.kernel[i] - 1) + 1;
      high.push_back(std::max<int64_t>(0, extent - inputType.getDimSize(i + 2) -
                                              w.padBegin[i]));
    }
    Value padded = padSpatial(rewriter, loc, input, w.padBegin, high,
                              scalarConstant(rewriter, loc, element, 0));

    unsigned numDims = 2 + 2 * spatial;
    auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
    SmallVector<AffineExpr> inExprs = {dim(0), dim(1)}, kExprs,
                            outExprs = {dim(0), dim(1)};
    for (int64_t i = 0; i < spatial; ++i) {
      AffineExpr o = dim(2 + i), k = dim(2 + spatial + i);
      inExprs.push_back(o * w.strides[i] + k * w.dilations[i]);
      kExprs.push_back(k);
      outExprs.push_back(o);
    }
    AffineMap outMap = AffineMap::get(numDims, 0, outExprs, context);
    SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, inExprs, context),
                                   AffineMap::get(numDims, 0, kExprs, context),
                                   outMap, outMap};
    SmallVector<Iterator> iterators(2 + spatial, Iterator::parallel);
    iterators.append(spatial, Iterator::reduction);
    Value window = tensor::EmptyOp::create(rewriter, loc, w.kernel, element);
    Value bestInit = filledTensor(rewriter, loc, resultType.clone(element),
                                  scalarConstant(rewriter, loc, element, 0));
    Value indexInit =
        filledTensor(rewriter, loc, resultType,
                     arith::ConstantOp::create(rewriter, loc,
                                               rewriter.getI64IntegerAttr(-1)));
    int64_t channels = inputType.getDimSize(1);
    int64_t plane = 1;
    for (int64_t i = 0; i < spatial; ++i)
      plane *= inputType.getDimSize(i + 2);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{bestInit.getType(), resultType},
        ValueRange{padded, window}, ValueRange{bestInit, indexInit}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Type i64 = b.getI64Type();
          auto index = [&](int64_t d) -> Value {
            return arith::IndexCastOp::create(b, l, i64,
                                              linalg::IndexOp::create(b, l, d));
          };
          auto cst = [&](int64_t v) -> Value {
            return arith::ConstantOp::create(b, l, b.getI64IntegerAttr(v));
          };
          // The tap's position in the unpadded input, its bounds, and its
          // spatial offset in the requested order.
          Value inside = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
          Value position = cst(0);
          Value stride = cst(1);
          for (int64_t j = 0; j < spatial; ++j) {
            // Row-major: the last spatial dim is fastest; column-major: the
            // first.
            int64_t i = op.getColumnMajor() ? j : spatial - 1 - j;
            Value at = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(b, l, index(2 + i), cst(w.strides[i])),
                arith::MulIOp::create(b, l, index(2 + spatial + i),
                                      cst(w.dilations[i])));
            at = arith::SubIOp::create(b, l, at, cst(w.padBegin[i]));
            int64_t size = inputType.getDimSize(i + 2);
            Value inDim = arith::AndIOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, at,
                                      cst(0)),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, at,
                                      cst(size)));
            inside = arith::AndIOp::create(b, l, inside, inDim);
            position = arith::AddIOp::create(
                b, l, position, arith::MulIOp::create(b, l, at, stride));
            stride = arith::MulIOp::create(b, l, stride, cst(size));
          }
          Value channel = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, index(0), cst(channels)),
              index(1));
          Value flat = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, channel, cst(plane)), position);
          Value x = args[0], best = args[2], bestIndex = args[3];
          Value larger;
          if (isFloatElement)
            larger =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, best);
          else
            larger =
                arith::CmpIOp::create(b, l,
                                      isUnsignedInt ? arith::CmpIPredicate::ugt
                                                    : arith::CmpIPredicate::sgt,
                                      x, best);
          Value none = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                             bestIndex, cst(-1));
          Value take = arith::AndIOp::create(
              b, l, inside, arith::OrIOp::create(b, l, none, larger));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, x, best),
                         arith::SelectOp::create(b, l, take, flat, bestIndex)});
        });
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

/// For each output position along one spatial dimension, how many taps of
/// the window fall inside [lo, hi) of the unpadded input's coordinates.
SmallVector<double> windowCounts(int64_t outSize, int64_t kernel,
                                 int64_t stride, int64_t dilation,
                                 int64_t padBegin, int64_t lo, int64_t hi) {
  SmallVector<double> counts;
  for (int64_t o = 0; o < outSize; ++o) {
    int64_t count = 0;
    for (int64_t k = 0; k < kernel; ++k) {
      int64_t at = o * stride + k * dilation - padBegin;
      count += at >= lo && at < hi;
    }
    counts.push_back(static_cast<double>(count));
  }
  return counts;
}

/// `%y = dsr1.avg_pool %x {kernel_shape, strides, pads, dilations, ceil_mode,
/// count_include_pad}` => x padded with zeros (a gathering `linalg.generic`),
/// `linalg.generic` summing each window (f32 for f16/bf16), then
/// `linalg.generic {sum / (count_0[o_0] * count_1[o_1] ...)}` where count_i is
/// a constant per dimension: the taps inside the input (or inside input + pads,
/// with count_include_pad).
struct AvgPoolLowering : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!allStatic({input, op.getResult()}))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = signlessTensorType(op.getType());
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    Type element = resultType.getElementType();
    Type acc = accumulatorType(element);
    Window w = poolWindow(op);
    int64_t spatial = w.kernel.size(), rank = resultType.getRank();

    Value init = zeros(rewriter, loc, resultType.getShape(), acc);
    Value sum = buildWindowFold(
        rewriter, loc, input, init, w,
        scalarConstant(rewriter, loc, element, 0),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          return addScalars(nb, nl, args[1], convertTo(nb, nl, args[0], acc));
        });

    SmallVector<Value> inputs = {sum};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t size = inputType.getDimSize(i + 2);
      int64_t lo = op.getCountIncludePad() ? -w.padBegin[i] : 0;
      int64_t hi = op.getCountIncludePad() ? size + w.padEnd[i] : size;
      SmallVector<double> counts =
          windowCounts(resultType.getDimSize(i + 2), w.kernel[i], w.strides[i],
                       w.dilations[i], w.padBegin[i], lo, hi);
      auto countType =
          RankedTensorType::get({static_cast<int64_t>(counts.size())}, acc);
      SmallVector<Attribute> values;
      for (double count : counts)
        values.push_back(rewriter.getFloatAttr(acc, count));
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(countType, values)));
      maps.push_back(
          AffineMap::get(rank, 0, getAffineDimExpr(i + 2, context), context));
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    SmallVector<Iterator> iterators(rank, Iterator::parallel);
    Value result = buildGeneric(
        rewriter, loc, inputs, emptyTensor(rewriter, loc, resultType), maps,
        iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value count = args[1];
          for (int64_t i = 1; i < spatial; ++i)
            count = arith::MulFOp::create(nb, nl, count, args[i + 1]);
          Value mean = arith::DivFOp::create(nb, nl, args[0], count);
          return convertTo(nb, nl, mean, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// `%y = dsr1.global_<max|avg>_pool %x : tensor<NxCxS...>` =>
/// `linalg.generic {(n, c, s...): r[n, c] = max(r, x) (or r + x)}` into
/// [N, C], for avg divided by the spatial size, then `tensor.expand_shape`
/// to [N, C, 1...].
template <typename OpTy, bool isMax>
struct GlobalPoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!allStatic({input}))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = signlessTensorType(op.getType());
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    Type element = resultType.getElementType();
    Type acc = isMax ? element : accumulatorType(element);
    int64_t rank = inputType.getRank();
    SmallVector<int64_t> reducedShape = {inputType.getDimSize(0),
                                         inputType.getDimSize(1)};

    Value init =
        isMax ? filledTensor(
                    rewriter, loc, RankedTensorType::get(reducedShape, acc),
                    scalarConstant(rewriter, loc, acc,
                                   -std::numeric_limits<double>::infinity()))
              : zeros(rewriter, loc, reducedShape, acc);
    SmallVector<AffineMap> maps = {
        rewriter.getMultiDimIdentityMap(rank),
        AffineMap::get(
            rank, 0,
            {getAffineDimExpr(0, context), getAffineDimExpr(1, context)},
            context)};
    SmallVector<Iterator> iterators(rank, Iterator::reduction);
    iterators[0] = iterators[1] = Iterator::parallel;
    Value reduced = buildGeneric(
        rewriter, loc, input, init, maps, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          if (isMax)
            return arith::MaximumFOp::create(nb, nl, args[1], args[0]);
          return addScalars(nb, nl, args[1], convertTo(nb, nl, args[0], acc));
        });
    double size = static_cast<double>(inputType.getNumElements() /
                                      (reducedShape[0] * reducedShape[1]));
    auto reducedType = RankedTensorType::get(reducedShape, element);
    if (!isMax)
      reduced = buildElementwise(
          rewriter, loc, reducedType, reduced,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value mean = arith::DivFOp::create(
                nb, nl, args[0], scalarConstant(nb, nl, acc, size));
            return convertTo(nb, nl, mean, element);
          });
    ReassociationIndices tail = {1};
    for (int64_t i = 2; i < rank; ++i)
      tail.push_back(i);
    rewriter.replaceOp(op, tensor::ExpandShapeOp::create(
                               rewriter, loc, resultType, reduced,
                               ArrayRef<ReassociationIndices>{{0}, tail}));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// The attributes of a dsr1.attention both lowerings read, and the rules
/// deciding which keys a query sees.
struct AttentionParams {
  bool packed = false;
  int64_t batch = 0, heads = 0, qLen = 0, kvLen = 0, keyDepth = 0,
          valueDepth = 0;
  double scale = 1;
  std::optional<double> softcap;
  bool lengths = false, causal = false, bottomRight = false;
  std::optional<int64_t> queryOffset, windowLeft, windowRight;

  /// Reads the sizes off the (un-expanded) operand types: q, k [B, S, H*D]
  /// (packed) or [B, H, S, D].
  AttentionParams(AttentionOp op, RankedTensorType qType,
                  RankedTensorType kType, RankedTensorType vType)
      : packed(qType.getRank() == 3), batch(qType.getDimSize(0)),
        heads(op.getNumHeads()) {
    int64_t seqDim = packed ? 1 : 2;
    qLen = qType.getDimSize(seqDim);
    kvLen = kType.getDimSize(seqDim);
    keyDepth = packed ? qType.getDimSize(2) / heads : qType.getDimSize(3);
    valueDepth = packed ? vType.getDimSize(2) / heads : vType.getDimSize(3);
    scale = op.getScale() ? op.getScale()->convertToDouble()
                          : 1.0 / std::sqrt(double(keyDepth));
    if (std::optional<APFloat> c = op.getSoftcap())
      softcap = c->convertToDouble();
    lengths = static_cast<bool>(op.getKvLengths());
    causal = op.getCausal();
    bottomRight = op.getBottomRight();
    if (IntegerAttr offset = op.getQueryOffsetAttr())
      queryOffset = offset.getInt();
    if (IntegerAttr w = op.getWindowLeftAttr())
      windowLeft = w.getInt();
    if (IntegerAttr w = op.getWindowRightAttr())
      windowRight = w.getInt();
  }

  /// True if some keys may be hidden from some queries (besides the mask).
  bool limitsKeys() const {
    return lengths || causal || windowLeft || windowRight;
  }

  /// `scale * s`, then the softcap (before the mask, which must stay -inf).
  Value scaleAndCap(OpBuilder &b, Location loc, Value s, bool cap) const {
    Type acc = s.getType();
    s = arith::MulFOp::create(b, loc, s, scalarConstant(b, loc, acc, scale));
    if (cap && softcap) {
      Value c = scalarConstant(b, loc, acc, *softcap);
      Value t =
          math::TanhOp::create(b, loc, arith::DivFOp::create(b, loc, s, c));
      s = arith::MulFOp::create(b, loc, t, c);
    }
    return s;
  }

  /// The position in the key sequence of query `i` (index), in signed index
  /// arithmetic (it may be negative); `valid` is kv_lengths[b] as an index,
  /// null without kv_lengths.
  Value position(OpBuilder &b, Location loc, Value i, Value valid) const {
    if (queryOffset)
      return arith::AddIOp::create(b, loc, i,
                                   indexConstant(b, loc, *queryOffset));
    if (bottomRight) {
      if (!valid)
        valid = indexConstant(b, loc, kvLen);
      return arith::AddIOp::create(
          b, loc, i,
          arith::SubIOp::create(b, loc, valid, indexConstant(b, loc, qLen)));
    }
    return i;
  }

  /// Whether query `i` sees key `j` (i1); only when limitsKeys().
  Value visible(OpBuilder &b, Location loc, Value i, Value j,
                Value valid) const {
    Value result;
    auto require = [&](arith::CmpIPredicate predicate, Value lhs, Value rhs) {
      Value c = arith::CmpIOp::create(b, loc, predicate, lhs, rhs);
      result = result ? arith::AndIOp::create(b, loc, result, c) : c;
    };
    if (lengths)
      require(arith::CmpIPredicate::slt, j, valid);
    Value p = position(b, loc, i, valid);
    if (causal)
      require(arith::CmpIPredicate::sle, j, p);
    if (windowLeft)
      require(arith::CmpIPredicate::sle, arith::SubIOp::create(b, loc, p, j),
              indexConstant(b, loc, *windowLeft));
    if (windowRight)
      require(arith::CmpIPredicate::sle, arith::SubIOp::create(b, loc, j, p),
              indexConstant(b, loc, *windowRight));
    return result;
  }
};

/// exp(x - max), where a max of -inf (every score so far masked) counts as
/// 0 so that -inf - -inf does not make a NaN: the masked scores' weights
/// are then exp(-inf) = 0.
Value expShifted(OpBuilder &b, Location loc, Value x, Value max) {
  Type acc = max.getType();
  Value allMasked = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OEQ, max,
      scalarConstant(b, loc, acc, -std::numeric_limits<double>::infinity()));
  max = arith::SelectOp::create(b, loc, allMasked,
                                scalarConstant(b, loc, acc, 0), max);
  return math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, max));
}

/// x / sum, where a sum of 0 (a query that sees no key; x is 0 too) divides
/// by 1, giving the zeros ONNX asks for.
Value divideBySum(OpBuilder &b, Location loc, Value x, Value sum) {
  Type acc = sum.getType();
  Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, sum,
                                      scalarConstant(b, loc, acc, 0));
  sum = arith::SelectOp::create(b, loc, empty, scalarConstant(b, loc, acc, 1),
                                sum);
  return arith::DivFOp::create(b, loc, x, sum);
}

/// The materialising form, which return_scores needs (the whole score
/// tensor is a result):
///   s = linalg.generic {(b, h, i, j, d): q[b, h, i, d] * k[b, h, j, d] summed}
///   s = linalg.generic {c * tanh(scale * s / c) (with softcap c) + m (a bool
///       m, or a key j that query i does not see: -inf)}
///   p = exp(s - max_j s), l = sum_j p (three linalg.generic)
///   o = linalg.generic {(b, h, i, e, j): p[b, h, i, j] * v[b, h, j, e]
///       summed}, divided by l[b, h, i].
/// The scores at the requested stage are the second result. Rank-3 operands
/// ([B, S, H * D]) are expanded to [B, S, H, D] and read with the head and
/// sequence dims swapped.
LogicalResult lowerMaterialisedAttention(AttentionOp op,
                                         AttentionOp::Adaptor adaptor,
                                         ConversionPatternRewriter &rewriter) {
  Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
  Value mask = adaptor.getMask(), lengths = adaptor.getKvLengths();
  auto resultType = signlessTensorType(op.getResult().getType());
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  Type element = resultType.getElementType();
  Type acc = accumulatorType(element);
  AttentionParams params(op, cast<RankedTensorType>(q.getType()),
                         cast<RankedTensorType>(k.getType()),
                         cast<RankedTensorType>(v.getType()));
  int64_t heads = params.heads;
  bool packed = params.packed;
  if (packed) {
    q = expandDim(rewriter, loc, q, 2, heads);
    k = expandDim(rewriter, loc, k, 2, heads);
    v = expandDim(rewriter, loc, v, 2, heads);
  }
  int64_t batch = params.batch, qLen = params.qLen, kvLen = params.kvLen;
  int64_t valueDepth = params.valueDepth;
  std::optional<AttentionScores> stage = op.getReturnScores();

  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  // An operand's exprs for (batch, head, sequence, feature).
  auto layout = [&](AffineExpr b, AffineExpr h, AffineExpr s,
                    AffineExpr d) -> SmallVector<AffineExpr> {
    if (packed)
      return {b, s, h, d};
    return {b, h, s, d};
  };
  SmallVector<int64_t> scoresShape = {batch, heads, qLen, kvLen};
  auto scoresType = RankedTensorType::get(scoresShape, acc);
  auto scoresOutType = RankedTensorType::get(scoresShape, element);
  SmallVector<int64_t> rowShape = {batch, heads, qLen};
  AffineMap scoresMap = rewriter.getMultiDimIdentityMap(4);
  AffineMap rowMap = AffineMap::get(4, 0, {dim(0), dim(1), dim(2)}, context);
  SmallVector<Iterator> parallel4(4, Iterator::parallel);
  SmallVector<Iterator> rowReduction = {Iterator::parallel, Iterator::parallel,
                                        Iterator::parallel,
                                        Iterator::reduction};
  SmallVector<Iterator> contraction(4, Iterator::parallel);
  contraction.push_back(Iterator::reduction);

  // Loops b, h, i, j, d.
  Value products = buildContraction(
      rewriter, loc, q, k, zeros(rewriter, loc, scoresShape, acc),
      {AffineMap::get(5, 0, layout(dim(0), dim(1), dim(2), dim(4)), context),
       AffineMap::get(5, 0, layout(dim(0), dim(1), dim(3), dim(4)), context),
       AffineMap::get(5, 0, {dim(0), dim(1), dim(2), dim(3)}, context)},
      contraction);
  Value scoresResult;
  if (stage == AttentionScores::raw || stage == AttentionScores::capped)
    scoresResult = buildElementwise(
        rewriter, loc, scoresOutType, products,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value s = params.scaleAndCap(nb, nl, args[0],
                                       *stage == AttentionScores::capped);
          return convertTo(nb, nl, s, element);
        });

  SmallVector<Value> inputs = {products};
  SmallVector<AffineMap> inputMaps = {scoresMap};
  if (mask) {
    inputs.push_back(mask);
    inputMaps.push_back(
        broadcastMap(cast<RankedTensorType>(mask.getType()), scoresType));
  }
  if (lengths) {
    inputs.push_back(lengths);
    inputMaps.push_back(AffineMap::get(4, 0, {dim(0)}, context));
  }
  double negInf = -std::numeric_limits<double>::infinity();
  Value scores = buildParallel(
      rewriter, loc, scoresType, inputs, inputMaps,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value s = params.scaleAndCap(nb, nl, args[0], /*cap=*/true);
        Value masked = scalarConstant(nb, nl, acc, negInf);
        if (mask) {
          if (args[1].getType().isInteger(1))
            s = arith::SelectOp::create(nb, nl, args[1], s, masked);
          else
            s = arith::AddFOp::create(nb, nl, s,
                                      convertTo(nb, nl, args[1], acc));
        }
        if (!params.limitsKeys())
          return s;
        Value i = linalg::IndexOp::create(nb, nl, 2);
        Value j = linalg::IndexOp::create(nb, nl, 3);
        Value valid;
        if (lengths)
          valid = arith::IndexCastOp::create(nb, nl, nb.getIndexType(),
                                             args.back());
        return arith::SelectOp::create(
                   nb, nl, params.visible(nb, nl, i, j, valid), s, masked)
            .getResult();
      });
  if (stage == AttentionScores::biased)
    scoresResult = convertTensor(rewriter, loc, scores, scoresOutType);

  Value rowMax = buildGeneric(
      rewriter, loc, scores,
      filledTensor(rewriter, loc, RankedTensorType::get(rowShape, acc),
                   scalarConstant(rewriter, loc, acc, negInf)),
      {scoresMap, rowMap}, rowReduction,
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::MaximumFOp::create(nb, nl, args[1], args[0]);
      });
  Value exps = buildGeneric(
      rewriter, loc, {scores, rowMax}, emptyTensor(rewriter, loc, scoresType),
      {scoresMap, rowMap, scoresMap}, parallel4,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return expShifted(nb, nl, args[0], args[1]);
      });
  Value rowSum =
      buildGeneric(rewriter, loc, exps, zeros(rewriter, loc, rowShape, acc),
                   {scoresMap, rowMap}, rowReduction,
                   [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                     return arith::AddFOp::create(nb, nl, args[1], args[0]);
                   });

  // Loops b, h, i, e, j.
  SmallVector<int64_t> outShape =
      packed ? SmallVector<int64_t>{batch, qLen, heads, valueDepth}
             : SmallVector<int64_t>{batch, heads, qLen, valueDepth};
  Value weighted = buildContraction(
      rewriter, loc, exps, v, zeros(rewriter, loc, outShape, acc),
      {AffineMap::get(5, 0, {dim(0), dim(1), dim(2), dim(4)}, context),
       AffineMap::get(5, 0, layout(dim(0), dim(1), dim(4), dim(3)), context),
       AffineMap::get(5, 0, layout(dim(0), dim(1), dim(2), dim(3)), context)},
      contraction);
  // The output's dims are in its layout: find b, h, i among them.
  AffineMap outRowMap =
      packed ? AffineMap::get(4, 0, {dim(0), dim(2), dim(1)}, context) : rowMap;
  Value result = buildGeneric(
      rewriter, loc, {weighted, rowSum},
      emptyTensor(rewriter, loc, RankedTensorType::get(outShape, element)),
      {scoresMap, outRowMap, scoresMap}, parallel4,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        return convertTo(nb, nl, divideBySum(nb, nl, args[0], args[1]),
                         element);
      });
  if (packed)
    result = collapseDim(rewriter, loc, result, 2);
  if (stage == AttentionScores::probs)
    scoresResult = buildGeneric(
        rewriter, loc, {exps, rowSum},
        emptyTensor(rewriter, loc, scoresOutType),
        {scoresMap, rowMap, scoresMap}, parallel4,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          return convertTo(nb, nl, divideBySum(nb, nl, args[0], args[1]),
                           element);
        });
  rewriter.replaceOp(op, {result, scoresResult});
  return success();
}

/// The block sizes of the online-softmax kernel. A block of queries is one
/// GEMM's m and a block of keys its n: 64 x 128 keeps the f32 scores tile
/// at 32 KiB, which with the key and value tiles (128 x D each) stays in
/// L2 while the tile makes its round of seven passes (two GEMMs, scaling
/// and masking, row max, exp, row sum, rescaling), yet is large enough for
/// a GEMM to run near BLAS's peak and for the per-block bookkeeping (the
/// row statistics, O(Bq) per block) to vanish beside the O(Bq Bk D) work.
constexpr int64_t kQueryBlock = 64;
constexpr int64_t kKeyBlock = 128;

/// The online-softmax (flash attention) form: no score tensor larger than
/// one block of queries by one block of keys. Per batch b and head h, per
/// block of Bq queries:
///   m = -inf, l = 0, acc = 0 [Bq, Dv]
///   scf.for over blocks of Bk keys, iter_args (m, l, acc):
///     s = q_blk k_blkᵀ (a linalg contraction on slices of q and k, which
///         -dsr1-call-blas turns into one GEMM), scaled, capped, masked
///     m' = max(m, max_j s); p = exp(s - m'); alpha = exp(m - m')
///     l = l * alpha + sum_j p; acc = acc * alpha + p v_blk (a GEMM)
///   o_blk = acc / l (zeros where l = 0: a query that sees no key)
/// A sequence length that is not a multiple of the block is finished by a
/// statically shaped tail block (a second copy of the body), so every
/// shape stays static. Blocks of keys that no query of the block sees
/// (kv_lengths, causal, windows) are skipped: causal self-attention does
/// half the work. f16/bf16 tiles are widened to f32 once per block so the
/// products still go to sgemm.
LogicalResult lowerOnlineAttention(AttentionOp op, AttentionOp::Adaptor adaptor,
                                   ConversionPatternRewriter &rewriter) {
  Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
  Value mask = adaptor.getMask(), lengths = adaptor.getKvLengths();
  auto resultType = signlessTensorType(op.getResult().getType());
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  Type element = resultType.getElementType();
  Type acc = accumulatorType(element);
  AttentionParams params(op, cast<RankedTensorType>(q.getType()),
                         cast<RankedTensorType>(k.getType()),
                         cast<RankedTensorType>(v.getType()));
  bool packed = params.packed;
  int64_t qLen = params.qLen, kvLen = params.kvLen;
  int64_t queryBlock = std::clamp<int64_t>(qLen, 1, kQueryBlock);
  int64_t keyBlock = std::clamp<int64_t>(kvLen, 1, kKeyBlock);
  int64_t fullQueryBlocks = qLen / queryBlock, queryTail = qLen % queryBlock;
  int64_t fullKeyBlocks = kvLen / keyBlock, keyTail = kvLen % keyBlock;
  double negInf = -std::numeric_limits<double>::infinity();

  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  auto map = [&](unsigned dims, ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(dims, 0, exprs, context);
  };
  // On (i, j) tiles: the tile itself and its row statistics.
  AffineMap tileMap = map(2, {dim(0), dim(1)}), rowMap = map(2, {dim(0)});
  AffineMap vectorMap = map(1, {dim(0)});
  SmallVector<Iterator> parallel2(2, Iterator::parallel);
  SmallVector<Iterator> rowReduction = {Iterator::parallel,
                                        Iterator::reduction};
  SmallVector<Iterator> contraction = {Iterator::parallel, Iterator::parallel,
                                       Iterator::reduction};

  // Rows [start, start + rows) of head `head` of batch `b` of q, k or v (or
  // the result), as a [rows, depth] tile: a strided view, which BLAS reads
  // with a leading dimension of H * D (packed) or D.
  auto tileOffsets = [&](OpBuilder &nb, Location nl, Value b, Value head,
                         Value start, int64_t rows, int64_t depth,
                         SmallVector<OpFoldResult> &offsets,
                         SmallVector<OpFoldResult> &sizes,
                         SmallVector<OpFoldResult> &strides) {
    OpFoldResult one = nb.getIndexAttr(1);
    if (packed) {
      Value column =
          arith::MulIOp::create(nb, nl, head, indexConstant(nb, nl, depth));
      offsets = {b, start, column};
      sizes = {one, nb.getIndexAttr(rows), nb.getIndexAttr(depth)};
    } else {
      offsets = {b, head, start, nb.getIndexAttr(0)};
      sizes = {one, one, nb.getIndexAttr(rows), nb.getIndexAttr(depth)};
    }
    strides.assign(offsets.size(), one);
  };
  // A tile of an operand, widened to the accumulator type.
  auto operandTile = [&](OpBuilder &nb, Location nl, Value operand, Value b,
                         Value head, Value start, int64_t rows,
                         int64_t depth) -> Value {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    tileOffsets(nb, nl, b, head, start, rows, depth, offsets, sizes, strides);
    auto type = cast<RankedTensorType>(operand.getType());
    Value tile = tensor::ExtractSliceOp::create(
        nb, nl, RankedTensorType::get({rows, depth}, type.getElementType()),
        operand, offsets, sizes, strides);
    return convertTensor(nb, nl, tile,
                         RankedTensorType::get({rows, depth}, acc));
  };
  // The [rows, cols] block of the mask broadcast to [B, H, Sq, Skv], and
  // the map that reads it on (i, j): its broadcast dims stay size 1.
  auto maskTile = [&](OpBuilder &nb, Location nl, Value b, Value head,
                      Value rowStart, int64_t rows, Value colStart,
                      int64_t cols) -> std::pair<Value, AffineMap> {
    auto type = cast<RankedTensorType>(mask.getType());
    int64_t rank = type.getRank(), lead = 4 - rank;
    OpFoldResult zero = nb.getIndexAttr(0), one = nb.getIndexAttr(1);
    SmallVector<OpFoldResult> offsets, sizes, strides(rank, one);
    SmallVector<AffineExpr> exprs;
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t full = lead + d;
      if (type.getDimSize(d) == 1 || full < 2) {
        offsets.push_back(type.getDimSize(d) == 1 ? zero
                          : full == 0             ? OpFoldResult(b)
                                                  : OpFoldResult(head));
        sizes.push_back(one);
        shape.push_back(1);
        exprs.push_back(getAffineConstantExpr(0, context));
        continue;
      }
      bool row = full == 2;
      offsets.push_back(row ? rowStart : colStart);
      sizes.push_back(nb.getIndexAttr(row ? rows : cols));
      shape.push_back(row ? rows : cols);
      exprs.push_back(dim(row ? 0 : 1));
    }
    if (rank == 0)
      return {mask, map(2, {})};
    Value tile = tensor::ExtractSliceOp::create(
        nb, nl, RankedTensorType::get(shape, type.getElementType()), mask,
        offsets, sizes, strides);
    return {tile, map(2, exprs)};
  };

  // One block of keys [keyStart, keyStart + cols) for the block of queries
  // [queryStart, queryStart + rows): (m, l, acc) in, (m', l', acc') out.
  auto keyStep = [&](OpBuilder &nb, Location nl, Value b, Value head,
                     Value valid, Value queryStart, Value qTile, int64_t rows,
                     Value keyStart, int64_t cols,
                     ValueRange state) -> SmallVector<Value> {
    Value rowMax = state[0], rowSum = state[1], out = state[2];
    Value kTile =
        operandTile(nb, nl, k, b, head, keyStart, cols, params.keyDepth);
    Value vTile =
        operandTile(nb, nl, v, b, head, keyStart, cols, params.valueDepth);
    // Loops i, j, d.
    Value s =
        buildContraction(nb, nl, qTile, kTile, zeros(nb, nl, {rows, cols}, acc),
                         {map(3, {dim(0), dim(2)}), map(3, {dim(1), dim(2)}),
                          map(3, {dim(0), dim(1)})},
                         contraction);
    // Scaled, capped and masked in place.
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    if (mask) {
      auto [tile, tileMaskMap] =
          maskTile(nb, nl, b, head, queryStart, rows, keyStart, cols);
      inputs.push_back(tile);
      maps.push_back(tileMaskMap);
    }
    maps.push_back(tileMap);
    s = buildGeneric(
        nb, nl, inputs, s, maps, parallel2,
        [&](OpBuilder &bb, Location bl, ValueRange args) {
          Value x = params.scaleAndCap(bb, bl, args.back(), /*cap=*/true);
          Value masked = scalarConstant(bb, bl, acc, negInf);
          if (mask) {
            if (args[0].getType().isInteger(1))
              x = arith::SelectOp::create(bb, bl, args[0], x, masked);
            else
              x = arith::AddFOp::create(bb, bl, x,
                                        convertTo(bb, bl, args[0], acc));
          }
          if (!params.limitsKeys())
            return x;
          Value i = arith::AddIOp::create(bb, bl, queryStart,
                                          linalg::IndexOp::create(bb, bl, 0));
          Value j = arith::AddIOp::create(bb, bl, keyStart,
                                          linalg::IndexOp::create(bb, bl, 1));
          return arith::SelectOp::create(
                     bb, bl, params.visible(bb, bl, i, j, valid), x, masked)
              .getResult();
        });
    // The block's own row maxima first, so that the running maximum can
    // be updated in place (the loop's buffers stay its own from one block
    // to the next: one-shot bufferization wants that of scf.for).
    Value blockMax = buildGeneric(
        nb, nl, s,
        filledTensor(nb, nl, RankedTensorType::get({rows}, acc),
                     scalarConstant(nb, nl, acc, negInf)),
        {tileMap, rowMap}, rowReduction,
        [](OpBuilder &bb, Location bl, ValueRange args) -> Value {
          return arith::MaximumFOp::create(bb, bl, args[1], args[0]);
        });
    // m' = max(m, block max), and alpha = exp(m - m'): how much the
    // statistics of the earlier blocks shrink under the new maximum.
    auto update = linalg::GenericOp::create(
        nb, nl, TypeRange{rowMax.getType(), rowMax.getType()},
        ValueRange{blockMax},
        ValueRange{rowMax,
                   emptyTensor(nb, nl, RankedTensorType::get({rows}, acc))},
        ArrayRef<AffineMap>{vectorMap, vectorMap, vectorMap},
        ArrayRef<Iterator>{Iterator::parallel},
        [](OpBuilder &bb, Location bl, ValueRange args) {
          Value max = arith::MaximumFOp::create(bb, bl, args[1], args[0]);
          linalg::YieldOp::create(
              bb, bl, ValueRange{max, expShifted(bb, bl, args[1], max)});
        });
    Value newMax = update.getResult(0), alpha = update.getResult(1);
    // The weights overwrite the scores they come from.
    Value p =
        buildGeneric(nb, nl, newMax, s, {rowMap, tileMap}, parallel2,
                     [](OpBuilder &bb, Location bl, ValueRange args) -> Value {
                       return expShifted(bb, bl, args[1], args[0]);
                     });
    auto rescale = [](OpBuilder &bb, Location bl, ValueRange args) -> Value {
      return arith::MulFOp::create(bb, bl, args[1], args[0]);
    };
    Value newSum = buildGeneric(nb, nl, alpha, rowSum, {vectorMap, vectorMap},
                                {Iterator::parallel}, rescale);
    newSum =
        buildGeneric(nb, nl, p, newSum, {tileMap, rowMap}, rowReduction,
                     [](OpBuilder &bb, Location bl, ValueRange args) -> Value {
                       return arith::AddFOp::create(bb, bl, args[1], args[0]);
                     });
    Value newOut =
        buildGeneric(nb, nl, alpha, out, {rowMap, tileMap}, parallel2, rescale);
    // Loops i, e, j.
    newOut =
        buildContraction(nb, nl, p, vTile, newOut,
                         {map(3, {dim(0), dim(2)}), map(3, {dim(2), dim(1)}),
                          map(3, {dim(0), dim(1)})},
                         contraction);
    return {newMax, newSum, newOut};
  };

  // One block of queries [queryStart, queryStart + rows) of head `head` of
  // batch `b`, written into `result`.
  auto queryStep = [&](OpBuilder &nb, Location nl, Value b, Value head,
                       Value valid, Value queryStart, int64_t rows,
                       Value result) -> Value {
    Value qTile =
        operandTile(nb, nl, q, b, head, queryStart, rows, params.keyDepth);
    SmallVector<Value> state = {
        filledTensor(nb, nl, RankedTensorType::get({rows}, acc),
                     scalarConstant(nb, nl, acc, negInf)),
        zeros(nb, nl, {rows}, acc),
        zeros(nb, nl, {rows, params.valueDepth}, acc)};
    // The keys [first, end) that some query of the block may see, from
    // the visibility rules at its first and last query.
    Value first = indexConstant(nb, nl, 0);
    Value fullEnd = indexConstant(nb, nl, fullKeyBlocks * keyBlock);
    Value end = fullEnd, tailNeeded;
    if (params.limitsKeys()) {
      Value p0 = params.position(nb, nl, queryStart, valid);
      Value pLast =
          arith::AddIOp::create(nb, nl, p0, indexConstant(nb, nl, rows - 1));
      Value hi = indexConstant(nb, nl, kvLen), lo = first;
      auto lower = [&](Value bound) {
        hi = arith::MinSIOp::create(nb, nl, hi, bound);
      };
      if (valid)
        lower(valid);
      if (params.causal)
        lower(arith::AddIOp::create(nb, nl, pLast, indexConstant(nb, nl, 1)));
      if (params.windowRight)
        lower(arith::AddIOp::create(
            nb, nl, pLast, indexConstant(nb, nl, *params.windowRight + 1)));
      if (params.windowLeft)
        lo = arith::MaxSIOp::create(
            nb, nl, lo,
            arith::SubIOp::create(nb, nl, p0,
                                  indexConstant(nb, nl, *params.windowLeft)));
      hi = arith::MaxSIOp::create(nb, nl, hi, first);
      Value block = indexConstant(nb, nl, keyBlock);
      // Whole blocks from the one holding lo to the one holding hi - 1.
      first = arith::MulIOp::create(
          nb, nl, arith::DivUIOp::create(nb, nl, lo, block), block);
      first = arith::MinSIOp::create(nb, nl, first, fullEnd);
      end = arith::MulIOp::create(
          nb, nl, arith::CeilDivUIOp::create(nb, nl, hi, block), block);
      end = arith::MinSIOp::create(nb, nl, end, fullEnd);
      tailNeeded = arith::AndIOp::create(
          nb, nl,
          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sgt, hi, fullEnd),
          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, lo, hi));
    }
    if (fullKeyBlocks > 0) {
      auto loop = scf::ForOp::create(
          nb, nl, first, end, indexConstant(nb, nl, keyBlock), state,
          [&](OpBuilder &lb, Location ll, Value keyStart, ValueRange carried) {
            scf::YieldOp::create(lb, ll,
                                 keyStep(lb, ll, b, head, valid, queryStart,
                                         qTile, rows, keyStart, keyBlock,
                                         carried));
          });
      state.assign(loop.getResults().begin(), loop.getResults().end());
    }
    if (keyTail > 0) {
      auto tail = [&](OpBuilder &tb, Location tl) {
        return keyStep(tb, tl, b, head, valid, queryStart, qTile, rows,
                       indexConstant(tb, tl, fullKeyBlocks * keyBlock), keyTail,
                       state);
      };
      if (tailNeeded) {
        auto branch = scf::IfOp::create(
            nb, nl, tailNeeded,
            [&](OpBuilder &tb, Location tl) {
              scf::YieldOp::create(tb, tl, tail(tb, tl));
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, state);
            });
        state.assign(branch.getResults().begin(), branch.getResults().end());
      } else {
        state = tail(nb, nl);
      }
    }
    // Normalised straight into the result's block (in place after
    // bufferization).
    SmallVector<OpFoldResult> offsets, sizes, strides;
    tileOffsets(nb, nl, b, head, queryStart, rows, params.valueDepth, offsets,
                sizes, strides);
    Value block = tensor::ExtractSliceOp::create(
        nb, nl, RankedTensorType::get({rows, params.valueDepth}, element),
        result, offsets, sizes, strides);
    block = buildGeneric(
        nb, nl, {state[2], state[1]}, block, {tileMap, rowMap, tileMap},
        parallel2, [&](OpBuilder &bb, Location bl, ValueRange args) {
          return convertTo(bb, bl, divideBySum(bb, bl, args[0], args[1]),
                           element);
        });
    return tensor::InsertSliceOp::create(nb, nl, block, result, offsets, sizes,
                                         strides);
  };

  Value zero = indexConstant(rewriter, loc, 0);
  Value oneStep = indexConstant(rewriter, loc, 1);
  auto batches = scf::ForOp::create(
      rewriter, loc, zero, indexConstant(rewriter, loc, params.batch), oneStep,
      ValueRange{emptyTensor(rewriter, loc, resultType)},
      [&](OpBuilder &bb, Location bl, Value b, ValueRange batchArgs) {
        Value valid;
        if (lengths)
          valid = arith::IndexCastOp::create(
              bb, bl, bb.getIndexType(),
              tensor::ExtractOp::create(bb, bl, lengths, ValueRange{b}));
        auto perHead = scf::ForOp::create(
            bb, bl, zero, indexConstant(bb, bl, params.heads), oneStep,
            batchArgs,
            [&](OpBuilder &hb, Location hl, Value head, ValueRange headArgs) {
              Value result = headArgs[0];
              if (fullQueryBlocks > 0) {
                auto blocks = scf::ForOp::create(
                    hb, hl, zero,
                    indexConstant(hb, hl, fullQueryBlocks * queryBlock),
                    indexConstant(hb, hl, queryBlock), ValueRange{result},
                    [&](OpBuilder &qb, Location ql, Value queryStart,
                        ValueRange queryArgs) {
                      scf::YieldOp::create(qb, ql,
                                           queryStep(qb, ql, b, head, valid,
                                                     queryStart, queryBlock,
                                                     queryArgs[0]));
                    });
                result = blocks.getResult(0);
              }
              if (queryTail > 0)
                result = queryStep(
                    hb, hl, b, head, valid,
                    indexConstant(hb, hl, fullQueryBlocks * queryBlock),
                    queryTail, result);
              scf::YieldOp::create(hb, hl, result);
            });
        scf::YieldOp::create(bb, bl, perHead.getResults());
      });
  rewriter.replaceOp(op, batches.getResults());
  return success();
}

/// `%o = dsr1.attention %q, %k, %v mask %m kv_lengths %l {num_heads, scale,
/// causal, bottom_right, window_left/right, softcap}` => one online-softmax
/// kernel (lowerOnlineAttention); with return_scores, whose second result
/// is the whole [B, H, Sq, Skv] score tensor, the materialising form
/// (lowerMaterialisedAttention) instead.
/// Query i, at position p = i (+ query_offset, or + L - Sq with bottom_right,
/// L = l[b] or Skv), sees key j iff j < l[b], j <= p (causal) and
/// p - left <= j <= p + right. A query that sees no key (every score -inf)
/// yields zeros, as in ONNX. f16/bf16 compute in f32.
struct AttentionLowering : OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!allStatic({adaptor.getQuery(), adaptor.getKey(), adaptor.getValue(),
                    adaptor.getMask(), adaptor.getKvLengths(), op.getResult(),
                    op.getScores()}))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (op.getReturnScores())
      return lowerMaterialisedAttention(op, adaptor, rewriter);
    return lowerOnlineAttention(op, adaptor, rewriter);
  }
};

} // namespace

void populateStructuredPatterns(LoweringTypeConverter &converter,
                                RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<MatMulLowering, GemmLowering, ConvLowering,
               ConvTransposeLowering, MaxPoolLowering, MaxPoolIndicesLowering,
               AvgPoolLowering, GlobalPoolLowering<GlobalMaxPoolOp, true>,
               GlobalPoolLowering<GlobalAvgPoolOp, false>, AttentionLowering>(
      converter, context);
}

} // namespace dsr1::cpu
