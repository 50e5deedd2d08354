//===- LowerRecurrent.cpp - RNN, LSTM, GRU and linear attention -----------===//
//
// The dsr1-to-linalg patterns for the recurrent ops, with ONNX semantics and
// the default activations (sigmoid for the gates, tanh for the candidate and
// the output; tanh for the simple RNN). Per direction:
//   - one contraction computes every step's input projection X_t W^T at once
//     (with the biases that add linearly folded into its initial value),
//   - an scf.for over the steps carries h (and c) as tensors and writes each
//     step's h into Y with tensor.insert_slice; each step is a contraction
//     H R^T and a linalg.generic for the gates.
// With sequence_lens, a step past a batch entry's length keeps that entry's
// states and writes 0 into Y (the gates' generic selects the old states).
// The contractions are plain f32 (or f64) products, which -dsr1-call-blas
// turns into BLAS calls. f16 and bf16 operands are widened to f32 first and
// the results rounded once at the end. Linear attention is the same kind of
// loop over the tokens, carrying a per-head state matrix instead of h. Shapes
// are static here: a pattern meeting a dynamic shape does not match.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace dsr1::cpu {
namespace {

using Iterator = utils::IteratorType;

/// The recurrences: their cells differ, the loop around them does not.
enum class Cell { Rnn, Lstm, Gru, GruLinearBeforeReset };

/// f32 for f16 and bf16 (what the gates are computed in), the element type
/// itself otherwise.
Type computeType(Type element) {
  if (element.isF16() || element.isBF16())
    return Float32Type::get(element.getContext());
  return element;
}

/// `value` converted elementwise to element type `to` (same shape).
Value convertTensor(OpBuilder &b, Location loc, Value value, Type to) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == to)
    return value;
  return buildElementwise(b, loc, type.clone(to), value,
                          [&](OpBuilder &nb, Location nl, ValueRange args) {
                            return convertScalar(nb, nl, args[0], to,
                                                 /*fromUnsigned=*/false,
                                                 /*toUnsigned=*/false);
                          });
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = scalarConstant(b, loc, x.getType(), 1);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}

Value tanhOf(OpBuilder &b, Location loc, Value x) {
  return math::TanhOp::create(b, loc, x);
}

/// `source[at]` with the leading dimension dropped (a rank-reducing
/// tensor.extract_slice); `at` is a static index or an index value.
Value sliceLeading(OpBuilder &b, Location loc, Value source, OpFoldResult at) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  offsets[0] = at;
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  for (int64_t size : type.getShape().drop_front())
    sizes.push_back(b.getIndexAttr(size));
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      b, loc, type.clone(type.getShape().drop_front()), source, offsets, sizes,
      strides);
}

/// Elements [begin, begin + count) of `source` along dimension `dim`: a
/// view, where linalg wants each operand's extent to match its loop's.
Value sliceRange(OpBuilder &b, Location loc, Value source, int64_t dim,
                 int64_t begin, int64_t count) {
  auto type = cast<RankedTensorType>(source.getType());
  if (begin == 0 && count == type.getDimSize(dim))
    return source;
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  offsets[dim] = b.getIndexAttr(begin);
  SmallVector<OpFoldResult> sizes;
  for (int64_t size : type.getShape())
    sizes.push_back(b.getIndexAttr(size));
  sizes[dim] = b.getIndexAttr(count);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, source, offsets, sizes,
                                        strides);
}

/// The body of a contraction: `out + lhs * rhs`. Kept this plain (no
/// conversions) so that -dsr1-call-blas recognises it.
void yieldMultiplyAdd(OpBuilder &b, Location loc, ValueRange args) {
  Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
  Value sum = arith::AddFOp::create(b, loc, args[2], product);
  linalg::YieldOp::create(b, loc, sum);
}

/// `init[b, g] + sum_j lhs[b, j] * rhs[g, j]`: a matrix times a transposed
/// matrix, accumulated into `init` ([B, G]).
Value multiplyTransposed(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         Value init) {
  MLIRContext *context = b.getContext();
  AffineExpr i = getAffineDimExpr(0, context), g = getAffineDimExpr(1, context),
             j = getAffineDimExpr(2, context);
  SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {i, j}, context),
                                 AffineMap::get(3, 0, {g, j}, context),
                                 AffineMap::get(3, 0, {i, g}, context)};
  SmallVector<Iterator> iterators = {Iterator::parallel, Iterator::parallel,
                                     Iterator::reduction};
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{lhs, rhs}, ValueRange{init}, maps,
      iterators, yieldMultiplyAdd);
  return generic.getResult(0);
}

/// A zero-filled tensor.
Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type element) {
  return filledTensor(b, loc, RankedTensorType::get(shape, element),
                      scalarConstant(b, loc, element, 0));
}

/// A `linalg.generic` over [B, H] whose inputs each read columns
/// [offset, offset + H) of a [B, *] (or [*]) tensor and whose results are
/// written into `outs` ([B, H] each). `body` gets the input and the current
/// output scalars. Writing a new state into the old one's tensor lets the
/// loop's carried buffer be updated in place (bufferization wants every
/// yielded value to be its iteration argument's buffer). Where `valid` ([B]
/// i1, optional) is false for a row, the outputs keep their old values.
SmallVector<Value>
buildGates(OpBuilder &b, Location loc,
           ArrayRef<std::pair<Value, int64_t>> inputs, ValueRange outs,
           function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange,
                                           ValueRange)>
               body,
           Value valid = nullptr) {
  MLIRContext *context = b.getContext();
  auto type = cast<RankedTensorType>(outs.front().getType());
  int64_t hidden = type.getDimSize(1);
  AffineExpr row = getAffineDimExpr(0, context),
             col = getAffineDimExpr(1, context);
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  for (auto [value, offset] : inputs) {
    int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
    operands.push_back(sliceRange(b, loc, value, rank - 1, offset, hidden));
    if (rank == 1)
      maps.push_back(AffineMap::get(2, 0, {col}, context));
    else
      maps.push_back(AffineMap::get(2, 0, {row, col}, context));
  }
  if (valid) {
    operands.push_back(valid);
    maps.push_back(AffineMap::get(2, 0, {row}, context));
  }
  maps.append(outs.size(), b.getMultiDimIdentityMap(2));
  SmallVector<Iterator> iterators(2, Iterator::parallel);
  size_t numInputs = operands.size();
  auto generic = linalg::GenericOp::create(
      b, loc, outs.getTypes(), operands, outs, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        ValueRange old = args.drop_front(numInputs);
        SmallVector<Value> results =
            body(nb, nl, args.take_front(inputs.size()), old);
        if (valid)
          for (size_t i = 0; i < results.size(); ++i)
            results[i] = arith::SelectOp::create(nb, nl, args[inputs.size()],
                                                 results[i], old[i]);
        linalg::YieldOp::create(nb, nl, results);
      });
  return SmallVector<Value>(generic.getResults());
}

/// What every recurrence needs to know, in the compute type.
struct Recurrence {
  Cell cell;
  int64_t seq, batch, hidden, gates;
  Type element;
  Value x;          // [S, B, I]
  Value w, r, bias; // [G*H, I], [G*H, H], [2*G*H] or null, one direction
  Value h0, c0;     // [B, H] (c0 only for LSTM)
  Value peepholes;  // [3*H] (p_i, p_o, p_f) or null, LSTM only

  /// The leading gate rows whose recurrent bias adds linearly and so joins
  /// the input bias in the input projection: all but a GRU's candidate gate
  /// under linear_before_reset, which multiplies its recurrent bias by r.
  int64_t rowsFoldingRecurrentBias() const {
    return cell == Cell::GruLinearBeforeReset ? 2 * hidden : gates * hidden;
  }

  /// [S, B, G*H]: x_t W^T plus the biases that add linearly, for every t.
  Value inputProjection(OpBuilder &b, Location loc) const {
    MLIRContext *context = b.getContext();
    int64_t rows = gates * hidden;
    SmallVector<int64_t> shape = {seq, batch, rows};
    Value init;
    if (!bias) {
      init = zeros(b, loc, shape, element);
    } else {
      AffineExpr g = getAffineDimExpr(2, context);
      SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {g}, context),
                                     AffineMap::get(3, 0, {g}, context),
                                     b.getMultiDimIdentityMap(3)};
      auto type = RankedTensorType::get(shape, element);
      int64_t folded = rowsFoldingRecurrentBias();
      init = linalg::GenericOp::create(
                 b, loc, type,
                 ValueRange{sliceRange(b, loc, bias, 0, 0, rows),
                            sliceRange(b, loc, bias, 0, rows, rows)},
                 ValueRange{emptyTensor(b, loc, type)}, maps,
                 SmallVector<Iterator>(3, Iterator::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange args) {
                   Value sum = arith::AddFOp::create(nb, nl, args[0], args[1]);
                   if (folded < rows) {
                     Value row = linalg::IndexOp::create(nb, nl, 2);
                     Value folds = arith::CmpIOp::create(
                         nb, nl, arith::CmpIPredicate::ult, row,
                         indexConstant(nb, nl, folded));
                     sum = arith::SelectOp::create(nb, nl, folds, sum, args[0]);
                   }
                   linalg::YieldOp::create(nb, nl, sum);
                 })
                 .getResult(0);
    }
    AffineExpr s = getAffineDimExpr(0, context),
               n = getAffineDimExpr(1, context),
               g = getAffineDimExpr(2, context),
               i = getAffineDimExpr(3, context);
    SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {s, n, i}, context),
                                   AffineMap::get(4, 0, {g, i}, context),
                                   AffineMap::get(4, 0, {s, n, g}, context)};
    SmallVector<Iterator> iterators(3, Iterator::parallel);
    iterators.push_back(Iterator::reduction);
    return linalg::GenericOp::create(b, loc, init.getType(), ValueRange{x, w},
                                     ValueRange{init}, maps, iterators,
                                     yieldMultiplyAdd)
        .getResult(0);
  }

  /// One step: the new h (and c) from the step's input projection `xw`
  /// ([B, G*H]) and the previous states, which rows where `valid` ([B] i1,
  /// optional) is false keep.
  SmallVector<Value> step(OpBuilder &b, Location loc, Value xw, Value h,
                          Value c, Value valid) const {
    int64_t hid = hidden;
    switch (cell) {
    case Cell::Rnn: {
      // H = tanh(x W^T + H R^T + Wb + Rb).
      Value pre = multiplyTransposed(b, loc, h, r, xw);
      return buildGates(
          b, loc, {{pre, 0}}, {h},
          [](OpBuilder &nb, Location nl, ValueRange in, ValueRange)
              -> SmallVector<Value> { return {tanhOf(nb, nl, in[0])}; },
          valid);
    }
    case Cell::Lstm: {
      // Gates i, o, f, c: i = σ(. + p_i C), f = σ(. + p_f C), c~ = tanh(.);
      // C' = f C + i c~, o = σ(. + p_o C'), H = o tanh(C'). Without
      // peepholes the p terms are absent.
      Value pre = multiplyTransposed(b, loc, h, r, xw);
      SmallVector<std::pair<Value, int64_t>> inputs = {
          {pre, 0}, {pre, hid}, {pre, 2 * hid}, {pre, 3 * hid}};
      if (peepholes)
        inputs.append({{peepholes, 0}, {peepholes, hid}, {peepholes, 2 * hid}});
      return buildGates(
          b, loc, inputs, {h, c},
          [](OpBuilder &nb, Location nl, ValueRange in,
             ValueRange out) -> SmallVector<Value> {
            bool peep = in.size() > 4;
            auto plus = [&](Value gate, int64_t p, Value state) -> Value {
              if (!peep)
                return gate;
              return arith::AddFOp::create(
                  nb, nl, gate, arith::MulFOp::create(nb, nl, in[p], state));
            };
            Value i = sigmoid(nb, nl, plus(in[0], 4, out[1])),
                  f = sigmoid(nb, nl, plus(in[2], 6, out[1])),
                  candidate = tanhOf(nb, nl, in[3]);
            Value cNew = arith::AddFOp::create(
                nb, nl, arith::MulFOp::create(nb, nl, f, out[1]),
                arith::MulFOp::create(nb, nl, i, candidate));
            Value o = sigmoid(nb, nl, plus(in[1], 5, cNew));
            Value hNew = arith::MulFOp::create(nb, nl, o, tanhOf(nb, nl, cNew));
            return {hNew, cNew};
          },
          valid);
    }
    case Cell::GruLinearBeforeReset: {
      // z = σ(.), r = σ(.), h~ = tanh(x Wh + Wbh + r (H Rh + Rbh)).
      Value hr = multiplyTransposed(
          b, loc, h, r, zeros(b, loc, {batch, gates * hid}, element));
      SmallVector<std::pair<Value, int64_t>> inputs = {
          {xw, 0}, {xw, hid}, {xw, 2 * hid}, {hr, 0}, {hr, hid}, {hr, 2 * hid}};
      if (bias)
        inputs.push_back({bias, 5 * hid}); // Rbh
      return buildGates(
          b, loc, inputs, {h},
          [](OpBuilder &nb, Location nl, ValueRange in,
             ValueRange out) -> SmallVector<Value> {
            Value z =
                sigmoid(nb, nl, arith::AddFOp::create(nb, nl, in[0], in[3]));
            Value reset =
                sigmoid(nb, nl, arith::AddFOp::create(nb, nl, in[1], in[4]));
            Value recurrent = in[5];
            if (in.size() > 6)
              recurrent = arith::AddFOp::create(nb, nl, recurrent, in[6]);
            Value candidate =
                tanhOf(nb, nl,
                       arith::AddFOp::create(
                           nb, nl, in[2],
                           arith::MulFOp::create(nb, nl, reset, recurrent)));
            return {update(nb, nl, z, candidate, out[0])};
          },
          valid);
    }
    case Cell::Gru: {
      // z = σ(.), r = σ(.), h~ = tanh(x Wh + (r H) Rh + Rbh + Wbh): the
      // candidate's product needs r first.
      Value zr =
          multiplyTransposed(b, loc, h, sliceRange(b, loc, r, 0, 0, 2 * hid),
                             sliceRange(b, loc, xw, 1, 0, 2 * hid));
      Value resetH =
          buildGates(b, loc, {{zr, hid}, {h, 0}},
                     emptyTensor(b, loc, cast<RankedTensorType>(h.getType())),
                     [](OpBuilder &nb, Location nl, ValueRange in,
                        ValueRange) -> SmallVector<Value> {
                       return {arith::MulFOp::create(
                           nb, nl, sigmoid(nb, nl, in[0]), in[1])};
                     })
              .front();
      Value pre = multiplyTransposed(b, loc, resetH,
                                     sliceRange(b, loc, r, 0, 2 * hid, hid),
                                     sliceRange(b, loc, xw, 1, 2 * hid, hid));
      return buildGates(
          b, loc, {{zr, 0}, {pre, 0}}, {h},
          [](OpBuilder &nb, Location nl, ValueRange in,
             ValueRange out) -> SmallVector<Value> {
            return {update(nb, nl, sigmoid(nb, nl, in[0]),
                           tanhOf(nb, nl, in[1]), out[0])};
          },
          valid);
    }
    }
    llvm_unreachable("unknown cell");
  }

  /// GRU's H = (1 - z) h~ + z H.
  static Value update(OpBuilder &b, Location loc, Value z, Value candidate,
                      Value h) {
    Value one = scalarConstant(b, loc, z.getType(), 1);
    return arith::AddFOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, arith::SubFOp::create(b, loc, one, z),
                              candidate),
        arith::MulFOp::create(b, loc, z, h));
  }
};

/// [B] i1: whether step `s` (an index) lies within each batch entry's length
/// (`lengths`, [B] i32 or i64; a negative length has no steps).
Value withinLength(OpBuilder &b, Location loc, Value lengths, Value s) {
  auto type = cast<RankedTensorType>(lengths.getType());
  Type element = type.getElementType();
  Value step = arith::IndexCastOp::create(b, loc, element, s);
  return buildElementwise(
      b, loc, type.clone(b.getI1Type()), lengths,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, step,
                                     args[0]);
      });
}

/// `h` ([B, H]) with the rows where `valid` ([B] i1) is false set to 0: what
/// Y holds past a batch entry's length.
Value zeroPastLength(OpBuilder &b, Location loc, Value h, Value valid) {
  MLIRContext *context = b.getContext();
  auto type = cast<RankedTensorType>(h.getType());
  AffineMap rowMap =
      AffineMap::get(2, 0, {getAffineDimExpr(0, context)}, context);
  return buildParallel(
      b, loc, type, {h, valid}, {b.getMultiDimIdentityMap(2), rowMap},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value zero = scalarConstant(nb, nl, args[0].getType(), 0);
        return arith::SelectOp::create(nb, nl, args[1], args[0], zero);
      });
}

/// The whole op: per direction, the input projection and a loop over the
/// steps; the results converted back to the op's element type.
LogicalResult lowerRecurrence(Operation *op, Cell cell, Value x, Value w,
                              Value r, Value bias, Value initialH,
                              Value initialC, Value peepholes,
                              Value sequenceLens, int64_t hidden,
                              RnnDirection direction,
                              ConversionPatternRewriter &rewriter) {
  SmallVector<Value> all = {x,        w,        r,         bias,
                            initialH, initialC, peepholes, sequenceLens};
  for (Value v : all)
    if (v && !cast<ShapedType>(v.getType()).hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
  Location loc = op->getLoc();
  auto xType = cast<RankedTensorType>(x.getType());
  Type element = xType.getElementType();
  Type compute = computeType(element);
  bool isLstm = cell == Cell::Lstm;
  int64_t dirs = direction == RnnDirection::bidirectional ? 2 : 1;

  Recurrence rec;
  rec.cell = cell;
  rec.seq = xType.getDimSize(0);
  rec.batch = xType.getDimSize(1);
  rec.hidden = hidden;
  rec.gates = cell == Cell::Rnn ? 1 : isLstm ? 4 : 3;
  rec.element = compute;
  rec.x = convertTensor(rewriter, loc, x, compute);
  Value wAll = convertTensor(rewriter, loc, w, compute);
  Value rAll = convertTensor(rewriter, loc, r, compute);
  Value biasAll = bias ? convertTensor(rewriter, loc, bias, compute) : Value();
  Value hAll =
      initialH ? convertTensor(rewriter, loc, initialH, compute) : Value();
  Value cAll =
      initialC ? convertTensor(rewriter, loc, initialC, compute) : Value();
  Value pAll =
      peepholes ? convertTensor(rewriter, loc, peepholes, compute) : Value();

  auto yType =
      RankedTensorType::get({rec.seq, dirs, rec.batch, hidden}, compute);
  auto stateType = RankedTensorType::get({dirs, rec.batch, hidden}, compute);
  Value y = emptyTensor(rewriter, loc, yType);
  Value yH = emptyTensor(rewriter, loc, stateType);
  Value yC = isLstm ? emptyTensor(rewriter, loc, stateType) : Value();

  SmallVector<OpFoldResult> ones(4, rewriter.getIndexAttr(1));
  SmallVector<OpFoldResult> stepSizes = {
      rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
      rewriter.getIndexAttr(rec.batch), rewriter.getIndexAttr(hidden)};
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = direction == RnnDirection::reverse || d == 1;
    OpFoldResult dir = rewriter.getIndexAttr(d);
    rec.w = sliceLeading(rewriter, loc, wAll, dir);
    rec.r = sliceLeading(rewriter, loc, rAll, dir);
    rec.bias = biasAll ? sliceLeading(rewriter, loc, biasAll, dir) : Value();
    rec.peepholes = pAll ? sliceLeading(rewriter, loc, pAll, dir) : Value();
    rec.h0 = hAll ? sliceLeading(rewriter, loc, hAll, dir)
                  : zeros(rewriter, loc, {rec.batch, hidden}, compute);
    rec.c0 = Value();
    if (isLstm)
      rec.c0 = cAll ? sliceLeading(rewriter, loc, cAll, dir)
                    : zeros(rewriter, loc, {rec.batch, hidden}, compute);
    Value xw = rec.inputProjection(rewriter, loc);

    SmallVector<Value> carried = {y, rec.h0};
    if (isLstm)
      carried.push_back(rec.c0);
    auto loop = scf::ForOp::create(
        rewriter, loc, indexConstant(rewriter, loc, 0),
        indexConstant(rewriter, loc, rec.seq), indexConstant(rewriter, loc, 1),
        carried, [&](OpBuilder &b, Location nl, Value t, ValueRange args) {
          Value s = t;
          if (reverse)
            s = arith::SubIOp::create(b, nl, indexConstant(b, nl, rec.seq - 1),
                                      t);
          Value xwT = sliceLeading(b, nl, xw, s);
          Value valid =
              sequenceLens ? withinLength(b, nl, sequenceLens, s) : Value();
          SmallVector<Value> next =
              rec.step(b, nl, xwT, args[1], isLstm ? args[2] : Value(), valid);
          Value yStep = next[0];
          if (valid)
            yStep = zeroPastLength(b, nl, yStep, valid);
          SmallVector<OpFoldResult> offsets = {
              s, b.getIndexAttr(d), b.getIndexAttr(0), b.getIndexAttr(0)};
          Value yNext = tensor::InsertSliceOp::create(b, nl, yStep, args[0],
                                                      offsets, stepSizes, ones);
          SmallVector<Value> yielded = {yNext};
          yielded.append(next);
          scf::YieldOp::create(b, nl, yielded);
        });
    y = loop.getResult(0);
    SmallVector<OpFoldResult> stateOffsets = {rewriter.getIndexAttr(d),
                                              rewriter.getIndexAttr(0),
                                              rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> stateSizes(stepSizes.begin() + 1,
                                         stepSizes.end());
    SmallVector<OpFoldResult> stateStrides(3, rewriter.getIndexAttr(1));
    yH = tensor::InsertSliceOp::create(rewriter, loc, loop.getResult(1), yH,
                                       stateOffsets, stateSizes, stateStrides);
    if (isLstm)
      yC =
          tensor::InsertSliceOp::create(rewriter, loc, loop.getResult(2), yC,
                                        stateOffsets, stateSizes, stateStrides);
  }

  SmallVector<Value> results = {convertTensor(rewriter, loc, y, element),
                                convertTensor(rewriter, loc, yH, element)};
  if (isLstm)
    results.push_back(convertTensor(rewriter, loc, yC, element));
  rewriter.replaceOp(op, results);
  return success();
}

/// `dsr1.lstm` => per direction, a contraction for X W^T + biases, then an
/// scf.for carrying (Y, H, C): a contraction H R^T into the step's slice and
/// a linalg.generic for the gates i, o, f, c and the new H and C.
struct LstmLowering : OpConversionPattern<LstmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LstmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerRecurrence(op, Cell::Lstm, adaptor.getX(), adaptor.getW(),
                           adaptor.getR(), adaptor.getBias(),
                           adaptor.getInitialH(), adaptor.getInitialC(),
                           adaptor.getPeepholes(), adaptor.getSequenceLens(),
                           op.getHiddenSize(), op.getDirection(), rewriter);
  }
};

/// `dsr1.gru` => per direction, a contraction for X W^T + biases, then an
/// scf.for carrying (Y, H). With linear_before_reset a step is H R^T for all
/// three gates and one linalg.generic; without it, H R^T for z and r, a
/// linalg.generic for r H, (r H) Rh^T, and a linalg.generic for the new H.
struct GruLowering : OpConversionPattern<GruOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GruOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Cell cell =
        op.getLinearBeforeReset() ? Cell::GruLinearBeforeReset : Cell::Gru;
    return lowerRecurrence(op, cell, adaptor.getX(), adaptor.getW(),
                           adaptor.getR(), adaptor.getBias(),
                           adaptor.getInitialH(), /*initialC=*/Value(),
                           /*peepholes=*/Value(), adaptor.getSequenceLens(),
                           op.getHiddenSize(), op.getDirection(), rewriter);
  }
};

/// `dsr1.rnn` => per direction, a contraction for X W^T + biases, then an
/// scf.for carrying (Y, H): H R^T into the step's slice and a linalg.generic
/// for tanh.
struct SimpleRnnLowering : OpConversionPattern<SimpleRnnOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SimpleRnnOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerRecurrence(op, Cell::Rnn, adaptor.getX(), adaptor.getW(),
                           adaptor.getR(), adaptor.getBias(),
                           adaptor.getInitialH(), /*initialC=*/Value(),
                           /*peepholes=*/Value(), adaptor.getSequenceLens(),
                           op.getHiddenSize(), op.getDirection(), rewriter);
  }
};

/// A `linalg.generic` over `iterators` reading `inputs` through the first
/// maps and accumulating into (or overwriting) `init` through the last.
Value genericInto(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                  ArrayRef<AffineMap> maps, ArrayRef<Iterator> iterators,
                  const ScalarBody &body) {
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args));
      });
  return generic.getResult(0);
}

/// `source[:, at]` of a [B, T, F] tensor: [B, F] (a rank-reducing
/// tensor.extract_slice at a step index value).
Value sliceStep(OpBuilder &b, Location loc, Value source, Value at) {
  auto type = cast<RankedTensorType>(source.getType());
  int64_t batch = type.getDimSize(0), features = type.getDimSize(2);
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), at,
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(batch), b.getIndexAttr(1),
                                     b.getIndexAttr(features)};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({batch, features}, type.getElementType()),
      source, offsets, sizes, strides);
}

/// `dsr1.linear_attention` => an scf.for over the tokens carrying the outputs
/// Y [B, T, Hq, Dv] and the state S [B, Hkv, Dk, Dv], each step a few
/// linalg.generic over (b, h, d, m) reading the token's q, k, v, decay and
/// beta columns h * D + d:
///   S = exp(g) S                          (gated rules)
///   v = beta (v - sum_d S[d, m] k[d])      (delta rules)
///   S = S + k[d] v[m]
///   Y[t] = sum_d q[hq, d] S[hq / group, d, m]
/// then Y scaled, rounded and merged to [B, T, Hq * Dv]. f16/bf16 compute in
/// f32, as in the ONNX reference.
struct LinearAttentionLowering : OpConversionPattern<LinearAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LinearAttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> operands = {
        adaptor.getQuery(),        adaptor.getKey(),   adaptor.getValue(),
        adaptor.getInitialState(), adaptor.getDecay(), adaptor.getBeta()};
    for (Value v : operands)
      if (v && !cast<ShapedType>(v.getType()).hasStaticShape())
        return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto qType = cast<RankedTensorType>(adaptor.getQuery().getType());
    Type element = qType.getElementType();
    Type compute = computeType(element);
    for (Value &v : operands)
      if (v)
        v = convertTensor(rewriter, loc, v, compute);
    Value q = operands[0], k = operands[1], v = operands[2],
          initial = operands[3], decay = operands[4], beta = operands[5];
    int64_t batch = qType.getDimSize(0), steps = qType.getDimSize(1);
    int64_t heads = op.getQNumHeads(), kvHeads = op.getKvNumHeads();
    int64_t keyDepth = qType.getDimSize(2) / heads;
    int64_t valueDepth =
        cast<RankedTensorType>(v.getType()).getDimSize(2) / kvHeads;
    int64_t group = heads / kvHeads;
    double scale = op.getScale() ? op.getScale()->convertToDouble()
                                 : 1.0 / std::sqrt(double(keyDepth));

    auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
    // Loops (b, h, d, m) over the state [B, Hkv, Dk, Dv].
    AffineMap stateMap = rewriter.getMultiDimIdentityMap(4);
    AffineMap keyMap =
        AffineMap::get(4, 0, {dim(0), dim(1) * keyDepth + dim(2)}, context);
    // One gate per head, or one per key feature (a row of S).
    AffineMap decayMap = keyMap;
    if (decay &&
        cast<RankedTensorType>(decay.getType()).getDimSize(2) == kvHeads)
      decayMap = AffineMap::get(4, 0, {dim(0), dim(1)}, context);
    SmallVector<Iterator> parallel4(4, Iterator::parallel);
    SmallVector<Iterator> reduceLast = {Iterator::parallel, Iterator::parallel,
                                        Iterator::parallel,
                                        Iterator::reduction};
    // The body of the contractions over the last loop: acc + x * y.
    auto multiplyAccumulate = [](OpBuilder &nb, Location l,
                                 ValueRange a) -> Value {
      return arith::AddFOp::create(nb, l, a[2],
                                   arith::MulFOp::create(nb, l, a[0], a[1]));
    };
    auto stateType =
        RankedTensorType::get({batch, kvHeads, keyDepth, valueDepth}, compute);
    auto headsType =
        RankedTensorType::get({batch, kvHeads, valueDepth}, compute);
    auto outStepType =
        RankedTensorType::get({batch, heads, valueDepth}, compute);
    auto yType =
        RankedTensorType::get({batch, steps, heads, valueDepth}, compute);
    Value state0 =
        initial ? initial : zeros(rewriter, loc, stateType.getShape(), compute);

    SmallVector<OpFoldResult> ones(4, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> stepSizes = {
        rewriter.getIndexAttr(batch), rewriter.getIndexAttr(1),
        rewriter.getIndexAttr(heads), rewriter.getIndexAttr(valueDepth)};
    auto loop = scf::ForOp::create(
        rewriter, loc, indexConstant(rewriter, loc, 0),
        indexConstant(rewriter, loc, steps), indexConstant(rewriter, loc, 1),
        ValueRange{emptyTensor(rewriter, loc, yType), state0},
        [&](OpBuilder &b, Location nl, Value t, ValueRange args) {
          Value qT = sliceStep(b, nl, q, t), kT = sliceStep(b, nl, k, t),
                vT = sliceStep(b, nl, v, t);
          Value s = args[1];
          if (decay)
            s = genericInto(
                b, nl, {s, sliceStep(b, nl, decay, t)}, s,
                {stateMap, decayMap, stateMap}, parallel4,
                [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                  return arith::MulFOp::create(
                      nb, l, a[0], math::ExpOp::create(nb, l, a[1]));
                });
          // The value written, read at (b, h, m).
          Value written = vT;
          AffineMap writtenMap = AffineMap::get(
              4, 0, {dim(0), dim(1) * valueDepth + dim(3)}, context);
          if (beta) {
            // Loops (b, h, m, d): what S holds for k, sum_d S[d, m] k[d].
            Value retrieved = genericInto(
                b, nl, {s, kT}, zeros(b, nl, headsType.getShape(), compute),
                {AffineMap::get(4, 0, {dim(0), dim(1), dim(3), dim(2)},
                                context),
                 AffineMap::get(4, 0, {dim(0), dim(1) * keyDepth + dim(3)},
                                context),
                 AffineMap::get(4, 0, {dim(0), dim(1), dim(2)}, context)},
                reduceLast, multiplyAccumulate);
            Value betaT = sliceStep(b, nl, beta, t);
            bool perHead =
                cast<RankedTensorType>(betaT.getType()).getDimSize(1) ==
                    kvHeads &&
                kvHeads != 1;
            written = buildParallel(
                b, nl, headsType, {vT, retrieved, betaT},
                {AffineMap::get(3, 0, {dim(0), dim(1) * valueDepth + dim(2)},
                                context),
                 b.getMultiDimIdentityMap(3),
                 AffineMap::get(
                     3, 0,
                     {dim(0),
                      perHead ? dim(1) : getAffineConstantExpr(0, context)},
                     context)},
                [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                  return arith::MulFOp::create(
                      nb, l, a[2], arith::SubFOp::create(nb, l, a[0], a[1]));
                });
            writtenMap =
                AffineMap::get(4, 0, {dim(0), dim(1), dim(3)}, context);
          }
          // Each state update is written over the state it reads, so that
          // the carried buffer is updated in place (bufferization wants the
          // yielded state to be the iteration argument's buffer).
          s = genericInto(b, nl, {s, kT, written}, s,
                          {stateMap, keyMap, writtenMap, stateMap}, parallel4,
                          [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                            return arith::AddFOp::create(
                                nb, l, a[0],
                                arith::MulFOp::create(nb, l, a[1], a[2]));
                          });
          // Loops (b, hq, m, d): query head hq reads kv head hq / group.
          Value out = genericInto(
              b, nl, {qT, s}, zeros(b, nl, outStepType.getShape(), compute),
              {AffineMap::get(4, 0, {dim(0), dim(1) * keyDepth + dim(3)},
                              context),
               AffineMap::get(4, 0,
                              {dim(0), dim(1).floorDiv(group), dim(3), dim(2)},
                              context),
               AffineMap::get(4, 0, {dim(0), dim(1), dim(2)}, context)},
              reduceLast, multiplyAccumulate);
          SmallVector<OpFoldResult> offsets = {
              b.getIndexAttr(0), t, b.getIndexAttr(0), b.getIndexAttr(0)};
          Value y = tensor::InsertSliceOp::create(b, nl, out, args[0], offsets,
                                                  stepSizes, ones);
          scf::YieldOp::create(b, nl, ValueRange{y, s});
        });

    auto resultType = cast<RankedTensorType>(op.getOutput().getType());
    Value y = buildElementwise(
        rewriter, loc, yType.clone(element), loop.getResult(0),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value scaled = arith::MulFOp::create(
              nb, nl, args[0], scalarConstant(nb, nl, compute, scale));
          return convertScalar(nb, nl, scaled, element, /*fromUnsigned=*/false,
                               /*toUnsigned=*/false);
        });
    y = tensor::CollapseShapeOp::create(
        rewriter, loc, resultType, y,
        ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    Type stateElement =
        cast<RankedTensorType>(op.getFinalState().getType()).getElementType();
    rewriter.replaceOp(
        op, {y, convertTensor(rewriter, loc, loop.getResult(1), stateElement)});
    return success();
  }
};

} // namespace

void populateRecurrentPatterns(LoweringTypeConverter &converter,
                               RewritePatternSet &patterns) {
  patterns.add<LstmLowering, GruLowering, SimpleRnnLowering,
               LinearAttentionLowering>(converter, patterns.getContext());
}

} // namespace dsr1::cpu
