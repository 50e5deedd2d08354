//===- AtenNNOps.cpp - Products, convolutions, norms, attention, RNNs ---===//

#include "compiler/frontend/Weights.h"
#include "compiler/frontend/torch/AtenRegistry.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace dsr1::torch_frontend {

namespace {

using Results = std::vector<AtenValue>;

RankedTensorType typeOf(Value v) { return AtenOpContext::typeOf(v); }

size_t elementBytes(Type element) {
  return std::max<size_t>(element.getIntOrFloatBitWidth() / 8, 1);
}

/// w [rows, cols] transposed: on the host when w is a constant (weights
/// are, after freezing), else a dsr1.transpose.
Value transpose2D(AtenOpContext &ctx, Value w) {
  auto type = typeOf(w);
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  auto outType = RankedTensorType::get({cols, rows}, type.getElementType());
  if (std::optional<std::vector<char>> bytes = constantBytes(w)) {
    size_t width = elementBytes(type.getElementType());
    std::vector<char> out(bytes->size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        std::copy_n(bytes->data() + (r * cols + c) * width, width,
                    out.data() + (c * rows + r) * width);
    return weightConstant(ctx.builder, ctx.loc, outType, out, "weight_t");
  }
  return ctx.create<TransposeOp>(w, SmallVector<int64_t>{1, 0});
}

/// Row blocks of constants, concatenated: parts[i] split into `blocks` equal
/// row blocks, taken in `order`, and the parts stacked along a new leading
/// axis when `stack`, else along rows. Null when a part is not constant.
Value rearrangeRows(AtenOpContext &ctx, ArrayRef<Value> parts, int64_t blocks,
                    ArrayRef<int64_t> order, bool stack, StringRef name) {
  std::vector<char> out;
  auto type = typeOf(parts[0]);
  for (Value part : parts) {
    std::optional<std::vector<char>> bytes = constantBytes(part);
    if (!bytes || typeOf(part) != type)
      return nullptr;
    size_t block = bytes->size() / blocks;
    for (int64_t b : order)
      out.insert(out.end(), bytes->begin() + b * block,
                 bytes->begin() + (b + 1) * block);
  }
  SmallVector<int64_t> shape = llvm::to_vector(type.getShape());
  if (stack)
    shape.insert(shape.begin(), parts.size());
  else
    shape[0] *= parts.size();
  return weightConstant(ctx.builder, ctx.loc,
                        RankedTensorType::get(shape, type.getElementType()),
                        out, name);
}

//===----------------------------------------------------------------------===//
// Products
//===----------------------------------------------------------------------===//

/// Operands of a product in one element type.
FailureOr<SmallVector<Value>> productOperands(AtenOpContext &ctx,
                                              ArrayRef<size_t> indices) {
  std::vector<AtenValue> items;
  for (size_t i : indices) {
    if (!ctx.arg(i).isTensor())
      return ctx.error() << "argument #" << i << " must be a tensor, not "
                         << ctx.arg(i).describe();
    items.push_back(ctx.arg(i));
  }
  FailureOr<Type> element = promotedType(ctx, items);
  if (failed(element))
    return failure();
  return operandsAs(ctx, items, *element);
}

LogicalResult matmul(AtenOpContext &ctx, Results &results) {
  FailureOr<SmallVector<Value>> v = productOperands(ctx, {0, 1});
  if (failed(v))
    return failure();
  return pushTensor(
      results, ctx.create<MatMulOp>((*v)[0], (*v)[1], /*precision=*/nullptr));
}

/// linear(x, w [out, in], b): x @ w^T + b, as the ONNX exporters write it
/// (the weight transposed once, at import).
LogicalResult linear(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0), w = ctx.tensor(1);
  FailureOr<Value> b = ctx.optionalTensor(2);
  if (failed(x) || failed(w) || failed(b))
    return failure();
  if (typeOf(*w).getRank() != 2)
    return ctx.error() << "weight must be 2-D, not " << typeOf(*w);
  Type element = typeOf(*x).getElementType();
  Value wt = transpose2D(ctx, ctx.castTo(*w, element));
  Value y = ctx.create<MatMulOp>(*x, wt, /*precision=*/nullptr);
  if (*b)
    y = ctx.create<AddOp>(y, ctx.castTo(*b, element));
  return pushTensor(results, y);
}

/// addmm(self, m1, m2, beta, alpha) = beta self + alpha m1 @ m2.
LogicalResult addmm(AtenOpContext &ctx, Results &results) {
  FailureOr<SmallVector<Value>> v = productOperands(ctx, {0, 1, 2});
  if (failed(v))
    return failure();
  FailureOr<double> betaArg = ctx.optionalNumber(3, 1),
                    alphaArg = ctx.optionalNumber(4, 1);
  if (failed(betaArg) || failed(alphaArg))
    return failure();
  double beta = *betaArg, alpha = *alphaArg;
  Builder &bld = ctx.builder;
  if (typeOf((*v)[1]).getRank() == 2 && typeOf((*v)[2]).getRank() == 2)
    return pushTensor(results,
                      ctx.create<GemmOp>(
                          (*v)[1], (*v)[2], (*v)[0], bld.getF64FloatAttr(alpha),
                          bld.getF64FloatAttr(beta), bld.getBoolAttr(false),
                          bld.getBoolAttr(false), nullptr));
  Type element = typeOf((*v)[0]).getElementType();
  Value product = ctx.create<MatMulOp>((*v)[1], (*v)[2], nullptr);
  if (alpha != 1)
    product = ctx.create<MulOp>(product, ctx.scalar(element, alpha));
  Value self = (*v)[0];
  if (beta != 1)
    self = ctx.create<MulOp>(self, ctx.scalar(element, beta));
  return pushTensor(results,
                    beta == 0 ? product : ctx.create<AddOp>(product, self));
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

struct ConvArgs {
  Value input, weight, bias;
  SmallVector<int64_t> strides, pads, dilations, outputPadding;
  bool transposed = false;
  int64_t groups = 1;
};

/// The pads for a padding list or 'same' / 'valid'.
FailureOr<SmallVector<int64_t>> convPads(AtenOpContext &ctx, size_t i,
                                         ArrayRef<int64_t> kernel,
                                         ArrayRef<int64_t> dilations) {
  size_t n = kernel.size();
  SmallVector<int64_t> pads(2 * n, 0);
  if (ctx.arg(i).kind() == AtenValue::Kind::string) {
    StringRef mode = ctx.arg(i).string();
    if (mode == "valid")
      return pads;
    if (mode != "same")
      return ctx.error() << "unknown padding '" << mode << "'";
    for (size_t d = 0; d < n; ++d) {
      int64_t total = dilations[d] * (kernel[d] - 1);
      pads[d] = total / 2;
      pads[n + d] = total - total / 2;
    }
    return pads;
  }
  FailureOr<SmallVector<int64_t>> p = ctx.ints(i, n);
  if (failed(p))
    return failure();
  if (p->size() != n)
    return ctx.error() << "padding has " << p->size() << " entries for " << n
                       << " spatial dims";
  for (size_t d = 0; d < n; ++d)
    pads[d] = pads[n + d] = (*p)[d];
  return pads;
}

/// Layouts: _convolution / convolution (input, weight, bias, stride,
/// padding, dilation, transposed, output_padding, groups, ...);
/// convNd (input, weight, bias, stride, padding, dilation, groups);
/// conv_transposeNd (input, weight, bias, stride, padding, output_padding,
/// groups, dilation).
enum class ConvLayout { general, forward, transposed };

AtenLowering convolution(ConvLayout layout) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<SmallVector<Value>> v = productOperands(ctx, {0, 1});
    FailureOr<Value> bias = ctx.optionalTensor(2);
    if (failed(v) || failed(bias))
      return failure();
    ConvArgs c;
    c.input = (*v)[0];
    c.weight = (*v)[1];
    c.bias =
        *bias ? ctx.castTo(*bias, typeOf(c.input).getElementType()) : Value();
    int64_t rank = typeOf(c.weight).getRank();
    if (rank < 3)
      return ctx.error() << "weight " << typeOf(c.weight)
                         << " has no spatial dims";
    size_t n = rank - 2;
    SmallVector<int64_t> kernel(typeOf(c.weight).getShape().drop_front(2));
    size_t stride = 3, padding = 4, dilation = 5, outPad = 7, groups = 8;
    if (layout == ConvLayout::forward) {
      groups = 6;
    } else if (layout == ConvLayout::transposed) {
      outPad = 5;
      groups = 6;
      dilation = 7;
    }
    FailureOr<SmallVector<int64_t>> s = ctx.ints(stride, n),
                                    d = dilation < ctx.size()
                                            ? ctx.ints(dilation, n)
                                            : SmallVector<int64_t>(n, 1);
    FailureOr<int64_t> g = ctx.optionalInteger(groups, 1);
    if (failed(s) || failed(d) || failed(g))
      return failure();
    c.transposed = layout == ConvLayout::transposed;
    if (layout == ConvLayout::general) {
      FailureOr<bool> t = ctx.boolean(6);
      if (failed(t))
        return failure();
      c.transposed = *t;
    }
    if (c.transposed) {
      FailureOr<SmallVector<int64_t>> op = ctx.ints(outPad, n);
      if (failed(op))
        return failure();
      c.outputPadding = *op;
    }
    FailureOr<SmallVector<int64_t>> pads = convPads(ctx, padding, kernel, *d);
    if (failed(pads))
      return failure();
    c.strides = *s;
    c.dilations = *d;
    c.pads = *pads;
    c.groups = *g;
    Builder &b = ctx.builder;
    if (c.transposed)
      return pushTensor(results, ctx.create<ConvTransposeOp>(
                                     c.input, c.weight, c.bias,
                                     b.getDenseI64ArrayAttr(c.strides),
                                     b.getDenseI64ArrayAttr(c.pads),
                                     b.getDenseI64ArrayAttr(c.dilations),
                                     b.getDenseI64ArrayAttr(c.outputPadding),
                                     b.getI64IntegerAttr(c.groups), nullptr));
    return pushTensor(
        results, ctx.create<ConvOp>(c.input, c.weight, c.bias,
                                    b.getDenseI64ArrayAttr(c.strides),
                                    b.getDenseI64ArrayAttr(c.pads),
                                    b.getDenseI64ArrayAttr(c.dilations),
                                    b.getI64IntegerAttr(c.groups), nullptr));
  };
}

//===----------------------------------------------------------------------===//
// Normalisations
//===----------------------------------------------------------------------===//

FailureOr<Value> splatLike(AtenOpContext &ctx, ArrayRef<int64_t> shape,
                           Type element, double value) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  std::vector<char> bytes;
  Value one = ctx.scalar(element, value);
  std::optional<std::vector<char>> unit = constantBytes(one);
  one.getDefiningOp()->erase();
  if (!unit)
    return ctx.error() << "cannot build a constant of " << element;
  for (int64_t i = 0; i < count; ++i)
    bytes.insert(bytes.end(), unit->begin(), unit->end());
  return weightConstant(ctx.builder, ctx.loc,
                        RankedTensorType::get(shape, element), bytes,
                        value == 0 ? "zeros" : "ones");
}

LogicalResult layerNorm(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<SmallVector<int64_t>> shape = ctx.ints(1);
  FailureOr<Value> w = ctx.optionalTensor(2), b = ctx.optionalTensor(3);
  FailureOr<double> eps = ctx.number(4);
  if (failed(x) || failed(shape) || failed(w) || failed(b) || failed(eps))
    return failure();
  int64_t rank = typeOf(*x).getRank(), n = shape->size();
  if (n == 0 || n > rank)
    return ctx.error() << "normalized_shape of " << n << " dims for rank "
                       << rank;
  Type element = typeOf(*x).getElementType();
  Value scale = *w;
  if (!scale) {
    FailureOr<Value> ones = splatLike(ctx, *shape, element, 1);
    if (failed(ones))
      return failure();
    scale = *ones;
  }
  return pushTensor(results,
                    ctx.create<LayerNormOp>(
                        *x, ctx.castTo(scale, element), ctx.castTo(*b, element),
                        static_cast<uint64_t>(rank - n), APFloat(*eps)));
}

LogicalResult batchNorm(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<Value> w = ctx.optionalTensor(1), b = ctx.optionalTensor(2);
  FailureOr<Value> mean = ctx.tensor(3), var = ctx.tensor(4);
  FailureOr<bool> training = ctx.boolean(5);
  FailureOr<double> eps = ctx.number(7);
  if (failed(x) || failed(w) || failed(b) || failed(mean) || failed(var) ||
      failed(training) || failed(eps))
    return failure();
  if (*training)
    return ctx.error() << "batch statistics (training mode) are not "
                       << "supported: call model.eval() before saving";
  Type element = typeOf(*x).getElementType();
  SmallVector<int64_t> c(typeOf(*mean).getShape());
  Value scale = *w, bias = *b;
  if (!scale) {
    FailureOr<Value> ones = splatLike(ctx, c, element, 1);
    if (failed(ones))
      return failure();
    scale = *ones;
  }
  if (!bias) {
    FailureOr<Value> zeros = splatLike(ctx, c, element, 0);
    if (failed(zeros))
      return failure();
    bias = *zeros;
  }
  return pushTensor(results,
                    ctx.create<BatchNormOp>(
                        *x, ctx.castTo(scale, element),
                        ctx.castTo(bias, element), ctx.castTo(*mean, element),
                        ctx.castTo(*var, element), APFloat(*eps)));
}

LogicalResult groupNorm(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  FailureOr<int64_t> groups = ctx.integer(1);
  FailureOr<Value> w = ctx.optionalTensor(2), b = ctx.optionalTensor(3);
  FailureOr<double> eps = ctx.number(4);
  if (failed(x) || failed(groups) || failed(w) || failed(b) || failed(eps))
    return failure();
  auto type = typeOf(*x);
  if (!type.hasStaticShape() || type.getRank() < 2 || *groups <= 0 ||
      type.getDimSize(1) % *groups)
    return ctx.error() << "needs a static [N, C, ...] input with C divisible "
                       << "by " << *groups << ", not " << type;
  int64_t n = type.getDimSize(0), c = type.getDimSize(1);
  // Normalise [N, G, rest] over rest, then scale and shift per channel.
  Value grouped =
      reshapeTo(ctx, *x, {n, *groups, type.getNumElements() / (n * *groups)});
  Type element = type.getElementType();
  FailureOr<Value> ones = splatLike(ctx, {1}, element, 1);
  if (failed(ones))
    return failure();
  Value normed = ctx.create<LayerNormOp>(grouped, *ones, Value(), uint64_t(2),
                                         APFloat(*eps));
  Value y = reshapeTo(ctx, normed, type.getShape());
  SmallVector<int64_t> perChannel(type.getRank(), 1);
  perChannel[1] = c;
  if (*w)
    y = ctx.create<MulOp>(y,
                          reshapeTo(ctx, ctx.castTo(*w, element), perChannel));
  if (*b)
    y = ctx.create<AddOp>(y,
                          reshapeTo(ctx, ctx.castTo(*b, element), perChannel));
  return pushTensor(results, y);
}

/// softmax / log_softmax (self, dim, dtype) and _softmax (self, dim,
/// half_to_float).
template <typename OpT> AtenLowering softmax() {
  return [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    FailureOr<int64_t> d = ctx.integer(1);
    if (failed(x) || failed(d))
      return failure();
    Value in = *x;
    if (ctx.size() > 2 && ctx.arg(2).isInt() && ctx.kind.ends_with("softmax") &&
        !ctx.kind.starts_with("aten::_")) {
      FailureOr<Type> element = ctx.dtype(2, typeOf(in).getElementType());
      if (failed(element))
        return failure();
      in = ctx.castTo(in, *element);
    }
    if (!isFloat(typeOf(in).getElementType()))
      in = ctx.castTo(in, ctx.builder.getF32Type());
    FailureOr<int64_t> axis = ctx.dim(*d, typeOf(in).getRank());
    if (failed(axis))
      return failure();
    return pushTensor(results,
                      ctx.create<OpT>(in, static_cast<uint64_t>(*axis)));
  };
}

LogicalResult embedding(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> w = ctx.tensor(0), ids = ctx.tensor(1);
  if (failed(w) || failed(ids))
    return failure();
  Value indices = *ids;
  Type element = typeOf(indices).getElementType();
  if (!element.isInteger(32) && !element.isInteger(64))
    indices = ctx.castTo(indices, ctx.builder.getI64Type());
  return pushTensor(results, ctx.create<GatherOp>(*w, indices, uint64_t(0)));
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// max_poolNd (input, kernel, stride, padding, dilation, ceil_mode) and
/// avg_poolNd (input, kernel, stride, padding, ceil_mode,
/// count_include_pad[, divisor_override]).
AtenLowering pool(bool isMax, size_t spatial) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    FailureOr<SmallVector<int64_t>> kernel = ctx.ints(1, spatial);
    if (failed(x) || failed(kernel))
      return failure();
    SmallVector<int64_t> strides = *kernel;
    if (!ctx.arg(2).isNone()) {
      FailureOr<SmallVector<int64_t>> s = ctx.ints(2, spatial);
      if (failed(s))
        return failure();
      if (!s->empty())
        strides = *s;
    }
    FailureOr<SmallVector<int64_t>> pad = ctx.ints(3, spatial);
    if (failed(pad))
      return failure();
    SmallVector<int64_t> pads = *pad;
    pads.append(*pad);
    SmallVector<int64_t> dilations(spatial, 1);
    Builder &b = ctx.builder;
    if (isMax) {
      FailureOr<SmallVector<int64_t>> d = ctx.ints(4, spatial);
      FailureOr<bool> ceil = ctx.boolean(5);
      if (failed(d) || failed(ceil))
        return failure();
      return pushTensor(
          results, ctx.create<MaxPoolOp>(*x, b.getDenseI64ArrayAttr(*kernel),
                                         b.getDenseI64ArrayAttr(strides),
                                         b.getDenseI64ArrayAttr(pads),
                                         b.getDenseI64ArrayAttr(*d),
                                         b.getBoolAttr(*ceil)));
    }
    FailureOr<bool> ceil = ctx.boolean(4), countPad = ctx.boolean(5);
    if (failed(ceil) || failed(countPad))
      return failure();
    if (ctx.size() > 6 && !ctx.arg(6).isNone())
      return ctx.error() << "divisor_override is not supported";
    return pushTensor(results,
                      ctx.create<AvgPoolOp>(*x, b.getDenseI64ArrayAttr(*kernel),
                                            b.getDenseI64ArrayAttr(strides),
                                            b.getDenseI64ArrayAttr(pads),
                                            b.getDenseI64ArrayAttr(dilations),
                                            b.getBoolAttr(*ceil),
                                            b.getBoolAttr(*countPad)));
  };
}

/// adaptive_avg_poolNd (input, output_size): a global pool for 1s, a plain
/// pool when the output size divides the input.
AtenLowering adaptiveAvgPool(size_t spatial) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    FailureOr<SmallVector<int64_t>> out = ctx.ints(1, spatial);
    if (failed(x) || failed(out))
      return failure();
    auto type = typeOf(*x);
    if (!type.hasStaticShape() || type.getRank() != int64_t(spatial) + 2)
      return ctx.error() << "needs a static [N, C, spatial...] input, not "
                         << type;
    if (llvm::all_of(*out, [](int64_t o) { return o == 1; }))
      return pushTensor(results, ctx.create<GlobalAvgPoolOp>(*x));
    SmallVector<int64_t> kernel;
    for (size_t d = 0; d < spatial; ++d) {
      int64_t in = type.getDimSize(2 + d), o = (*out)[d];
      if (o <= 0 || in % o)
        return ctx.error() << "output size " << o << " does not divide input "
                           << "size " << in << " (only even pooling windows "
                           << "are supported)";
      kernel.push_back(in / o);
    }
    Builder &b = ctx.builder;
    SmallVector<int64_t> zeros(2 * spatial, 0), ones(spatial, 1);
    return pushTensor(results, ctx.create<AvgPoolOp>(
                                   *x, b.getDenseI64ArrayAttr(kernel),
                                   b.getDenseI64ArrayAttr(kernel),
                                   b.getDenseI64ArrayAttr(zeros),
                                   b.getDenseI64ArrayAttr(ones),
                                   b.getBoolAttr(false), b.getBoolAttr(false)));
  };
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal,
/// scale, enable_gqa): straight to dsr1.attention.
LogicalResult sdpa(AtenOpContext &ctx, Results &results) {
  FailureOr<SmallVector<Value>> qkv = productOperands(ctx, {0, 1, 2});
  FailureOr<Value> mask = ctx.optionalTensor(3);
  if (failed(qkv) || failed(mask))
    return failure();
  Value q = (*qkv)[0], k = (*qkv)[1], v = (*qkv)[2];
  FailureOr<double> dropout = ctx.optionalNumber(4, 0);
  if (failed(dropout))
    return failure();
  if (*dropout != 0)
    return ctx.error() << "dropout_p=" << *dropout
                       << " is training-only; dsr1 compiles inference";
  bool causal = false;
  if (ctx.size() > 5) {
    FailureOr<bool> c = ctx.boolean(5);
    if (failed(c))
      return failure();
    causal = *c;
  }
  FloatAttr scale;
  if (ctx.size() > 6 && !ctx.arg(6).isNone()) {
    FailureOr<double> s = ctx.number(6);
    if (failed(s))
      return failure();
    scale = ctx.builder.getF64FloatAttr(*s);
  }
  int64_t rank = typeOf(q).getRank();
  if (rank != 3 && rank != 4)
    return ctx.error() << "supports queries of rank 3 or 4, not " << typeOf(q);
  int64_t heads = rank == 4 ? typeOf(q).getDimSize(1) : 1;
  if (heads <= 0)
    return ctx.error() << "needs a static head count, not " << typeOf(q);
  Value m = *mask;
  if (m) {
    Type element = typeOf(m).getElementType();
    if (!element.isInteger(1) && !isFloat(element))
      m = ctx.castTo(m, ctx.builder.getI1Type());
    else if (isFloat(element))
      m = ctx.castTo(m, typeOf(q).getElementType());
  }
  Operation *op = ctx.build<AttentionOp>(
      q, k, v, m, static_cast<uint64_t>(heads), scale, causal,
      Modality::unknown, Modality::unknown, /*precision=*/nullptr);
  return op ? pushTensor(results, op->getResult(0)) : failure();
}

//===----------------------------------------------------------------------===//
// Recurrences
//===----------------------------------------------------------------------===//

/// aten::lstm (input, hx [h0, c0], params, has_biases, num_layers, dropout,
/// train, bidirectional, batch_first) and aten::gru (input, h0, params, ...):
/// one dsr1 op per layer, the gates reordered from PyTorch's (LSTM i f g o,
/// GRU r z n) to ONNX's (i o f c, z r h).
AtenLowering recurrent(bool isLstm) {
  return [=](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> input = ctx.tensor(0);
    FailureOr<SmallVector<Value>> params = ctx.tensors(2);
    FailureOr<bool> hasBias = ctx.boolean(3), train = ctx.boolean(6),
                    bidi = ctx.boolean(7), batchFirst = ctx.boolean(8);
    FailureOr<int64_t> layers = ctx.integer(4);
    if (failed(input) || failed(params) || failed(hasBias) || failed(train) ||
        failed(bidi) || failed(batchFirst) || failed(layers))
      return failure();
    SmallVector<Value> states;
    if (isLstm) {
      FailureOr<SmallVector<Value>> hx = ctx.tensors(1);
      if (failed(hx) || hx->size() != 2)
        return failed(hx) ? failure()
                          : (ctx.error() << "hx must be [h0, c0]", failure());
      states = *hx;
    } else {
      FailureOr<Value> h0 = ctx.tensor(1);
      if (failed(h0))
        return failure();
      states = {*h0};
    }
    int64_t dirs = *bidi ? 2 : 1, perLayer = *hasBias ? 4 : 2;
    if (int64_t(params->size()) != *layers * dirs * perLayer)
      return ctx.error() << "expects " << *layers * dirs * perLayer
                         << " weight tensors, got " << params->size();
    int64_t gates = isLstm ? 4 : 3;
    SmallVector<int64_t> order = isLstm ? SmallVector<int64_t>{0, 3, 1, 2}
                                        : SmallVector<int64_t>{1, 0, 2};
    Value x = *input;
    if (typeOf(x).getRank() != 3 || !typeOf(x).hasStaticShape())
      return ctx.error() << "needs a static rank-3 input, not " << typeOf(x);
    if (*batchFirst)
      x = ctx.create<TransposeOp>(x, SmallVector<int64_t>{1, 0, 2});
    int64_t seq = typeOf(x).getDimSize(0), batch = typeOf(x).getDimSize(1);
    int64_t hidden = typeOf((*params)[1]).getDimSize(1);
    SmallVector<Value> lastH, lastC;
    Builder &b = ctx.builder;
    auto direction = RnnDirectionAttr::get(b.getContext(),
                                           *bidi ? RnnDirection::bidirectional
                                                 : RnnDirection::forward);
    for (int64_t l = 0; l < *layers; ++l) {
      SmallVector<Value> wIh, wHh, bias;
      for (int64_t d = 0; d < dirs; ++d) {
        int64_t base = (l * dirs + d) * perLayer;
        wIh.push_back((*params)[base]);
        wHh.push_back((*params)[base + 1]);
        if (*hasBias) {
          bias.push_back((*params)[base + 2]);
          bias.push_back((*params)[base + 3]);
        }
      }
      Value w = rearrangeRows(ctx, wIh, gates, order, true, "rnn_w");
      Value r = rearrangeRows(ctx, wHh, gates, order, true, "rnn_r");
      Value bb;
      if (*hasBias) {
        // [dirs, 2 * gates * hidden]: per direction Wb then Rb.
        Value flat = rearrangeRows(ctx, bias, gates, order, false, "rnn_b");
        bb = flat ? reshapeTo(ctx, flat, {dirs, 2 * gates * hidden}) : Value();
      }
      if (!w || !r || (*hasBias && !bb))
        return ctx.error() << "recurrent weights must be constants (freeze "
                           << "the module)";
      auto stateSlice = [&](Value s) {
        Value part = ctx.create<SliceOp>(
            s, b.getDenseI64ArrayAttr({l * dirs}),
            b.getDenseI64ArrayAttr({(l + 1) * dirs}),
            b.getDenseI64ArrayAttr({0}), b.getDenseI64ArrayAttr({1}));
        return part;
      };
      Value h0 = stateSlice(states[0]);
      Operation *op;
      if (isLstm) {
        Value c0 = stateSlice(states[1]);
        op = ctx.build<LstmOp>(x, w, r, bb, h0, c0, Value(), Value(),
                               b.getI64IntegerAttr(hidden), direction, nullptr);
      } else {
        op = ctx.build<GruOp>(x, w, r, bb, h0, Value(),
                              b.getI64IntegerAttr(hidden), direction,
                              b.getBoolAttr(true), nullptr);
      }
      if (!op)
        return failure();
      // y [seq, dirs, batch, hidden] -> [seq, batch, dirs * hidden].
      Value y = ctx.create<TransposeOp>(op->getResult(0),
                                        SmallVector<int64_t>{0, 2, 1, 3});
      x = reshapeTo(ctx, y, {seq, batch, dirs * hidden});
      lastH.push_back(op->getResult(1));
      if (isLstm)
        lastC.push_back(op->getResult(2));
    }
    if (*batchFirst)
      x = ctx.create<TransposeOp>(x, SmallVector<int64_t>{1, 0, 2});
    auto joined = [&](ArrayRef<Value> parts) {
      return parts.size() == 1 ? parts[0]
                               : ctx.create<ConcatOp>(parts, uint64_t(0));
    };
    if (failed(pushTensor(results, x)) ||
        failed(pushTensor(results, joined(lastH))))
      return failure();
    return isLstm ? pushTensor(results, joined(lastC)) : success();
  };
}

} // namespace

void registerNNOps(AtenTable &t) {
  t["aten::matmul"] = matmul;
  t["aten::mm"] = matmul;
  t["aten::bmm"] = matmul;
  t["aten::linear"] = linear;
  t["aten::addmm"] = addmm;
  t["aten::baddbmm"] = addmm;
  t["aten::_convolution"] = convolution(ConvLayout::general);
  t["aten::convolution"] = convolution(ConvLayout::general);
  t["aten::_convolution_mode"] = convolution(ConvLayout::forward);
  t["aten::conv1d"] = convolution(ConvLayout::forward);
  t["aten::conv2d"] = convolution(ConvLayout::forward);
  t["aten::conv3d"] = convolution(ConvLayout::forward);
  t["aten::conv_transpose1d"] = convolution(ConvLayout::transposed);
  t["aten::conv_transpose2d"] = convolution(ConvLayout::transposed);
  t["aten::layer_norm"] = layerNorm;
  t["aten::batch_norm"] = batchNorm;
  t["aten::group_norm"] = groupNorm;
  t["aten::softmax"] = softmax<SoftmaxOp>();
  t["aten::_softmax"] = softmax<SoftmaxOp>();
  t["aten::log_softmax"] = softmax<LogSoftmaxOp>();
  t["aten::_log_softmax"] = softmax<LogSoftmaxOp>();
  t["aten::embedding"] = embedding;
  t["aten::max_pool1d"] = pool(true, 1);
  t["aten::max_pool2d"] = pool(true, 2);
  t["aten::avg_pool1d"] = pool(false, 1);
  t["aten::avg_pool2d"] = pool(false, 2);
  t["aten::adaptive_avg_pool1d"] = adaptiveAvgPool(1);
  t["aten::adaptive_avg_pool2d"] = adaptiveAvgPool(2);
  t["aten::scaled_dot_product_attention"] = sdpa;
  t["aten::lstm"] = recurrent(true);
  t["aten::gru"] = recurrent(false);
}

} // namespace dsr1::torch_frontend
