//===- MicrosoftImporters.cpp - com.microsoft contrib ops into dsr1
//---------===//
//
// The onnxruntime contrib ops that transformer exporters and optimisers emit:
// Attention, MultiHeadAttention, SkipLayerNormalization, BiasGelu, FastGelu.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/NodeImporter.h"

using namespace mlir;

namespace dsr1::onnx_frontend {
namespace {

constexpr StringLiteral kDomain = "com.microsoft";

/// A key padding mask [B, S_kv] of 1 (attend) / 0 (masked) as the boolean
/// mask [B, 1, 1, S_kv] dsr1.attention broadcasts.
FailureOr<Value> keyPaddingMask(NodeContext &ctx, Value mask) {
  auto type = NodeContext::typeOf(mask);
  if (type.getRank() != 2)
    return ctx.error() << "only a 2-D [batch, kv_length] key padding mask is "
                          "supported, got "
                       << formatShape(type.getShape());
  Value keep = ctx.create<CastOp>(mask, ctx.builder.getI1Type());
  return ctx.create<ReshapeOp>(keep, ArrayRef<int64_t>{0, 1, 1, -1});
}

/// com.microsoft Attention: one packed QKV projection of the input, then
/// multi-head attention (unidirectional = causal).
LogicalResult importAttention(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), w = ctx.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  for (int i : {4, 5, 6, 7})
    if (ctx.input(i))
      return ctx.error() << "input #" << i
                         << " (past state, attention bias or sequence "
                            "lengths) is not supported";
  if (ctx.hasOutput(1))
    return ctx.error() << "the present (KV cache) output is not supported";
  int64_t heads = ctx.intAttr("num_heads", 0);
  if (heads <= 0)
    return ctx.error() << "needs a positive num_heads";
  // Masked scores get mask_filter_value (-10000) rather than -inf: either
  // way their probability is 0 in f32.
  (void)ctx.attr("mask_filter_value");
  auto wType = NodeContext::typeOf(*w);
  if (wType.getRank() != 2 || ShapedType::isDynamic(wType.getDimSize(1)))
    return ctx.error() << "weights must be a 2-D [hidden, 3 * hidden] tensor "
                          "with a static second dim";
  SmallVector<int64_t> sizes =
      ctx.intsAttr("qkv_hidden_sizes").value_or(SmallVector<int64_t>());
  if (sizes.empty())
    sizes.assign(3, wType.getDimSize(1) / 3);
  Value qkv = ctx.create<MatMulOp>(*x, *w, /*precision=*/nullptr);
  if (Value bias = ctx.input(2))
    qkv = ctx.create<AddOp>(qkv, bias);
  Operation *split = ctx.build<SplitOp>(qkv, /*axis=*/2, sizes);
  if (!split)
    return failure();
  Value mask;
  if (Value maskIndex = ctx.input(3)) {
    FailureOr<Value> m = keyPaddingMask(ctx, maskIndex);
    if (failed(m))
      return failure();
    mask = *m;
  }
  FloatAttr scale;
  if (const onnx::AttributeProto *s = ctx.attr("scale"))
    scale = ctx.builder.getF64FloatAttr(s->f());
  return ctx.setResults(ctx.create<AttentionOp>(
      split->getResult(0), split->getResult(1), split->getResult(2), mask,
      heads, scale, ctx.intAttr("unidirectional", 0) != 0, Modality::unknown,
      Modality::unknown, /*precision=*/nullptr));
}

/// com.microsoft MultiHeadAttention with separate 3-D query, key, value, an
/// optional packed bias, and a key padding mask or an additive bias.
LogicalResult importMultiHeadAttention(NodeContext &ctx) {
  FailureOr<Value> q = ctx.requiredInput(0), k = ctx.requiredInput(1),
                   v = ctx.requiredInput(2);
  if (failed(q) || failed(k) || failed(v))
    return failure();
  for (Value operand : {*q, *k, *v})
    if (NodeContext::typeOf(operand).getRank() != 3)
      return ctx.error() << "only 3-D [batch, length, hidden] query, key and "
                            "value are supported (not packed QKV or 5-D)";
  for (int i : {6, 7})
    if (ctx.input(i))
      return ctx.error() << "past key/value inputs are not supported";
  if (ctx.hasOutput(1) || ctx.hasOutput(2))
    return ctx.error() << "present key/value outputs are not supported";
  int64_t heads = ctx.intAttr("num_heads", 0);
  if (heads <= 0)
    return ctx.error() << "needs a positive num_heads";
  // Masked scores get mask_filter_value (-10000) rather than -inf: either
  // way their probability is 0 in f32.
  (void)ctx.attr("mask_filter_value");
  if (Value bias = ctx.input(3)) {
    int64_t dq = NodeContext::typeOf(*q).getDimSize(2),
            dk = NodeContext::typeOf(*k).getDimSize(2),
            dv = NodeContext::typeOf(*v).getDimSize(2);
    if (ShapedType::isDynamic(dq) || ShapedType::isDynamic(dk) ||
        ShapedType::isDynamic(dv))
      return ctx.error() << "a packed bias needs static hidden sizes";
    Operation *parts =
        ctx.build<SplitOp>(bias, /*axis=*/0, ArrayRef<int64_t>{dq, dk, dv});
    if (!parts)
      return failure();
    *q = ctx.create<AddOp>(*q, parts->getResult(0));
    *k = ctx.create<AddOp>(*k, parts->getResult(1));
    *v = ctx.create<AddOp>(*v, parts->getResult(2));
  }
  Value mask;
  if (Value padding = ctx.input(4)) {
    FailureOr<Value> m = keyPaddingMask(ctx, padding);
    if (failed(m))
      return failure();
    mask = *m;
  }
  if (Value bias = ctx.input(5)) {
    if (mask)
      return ctx.error() << "a key padding mask together with an attention "
                            "bias is not supported";
    mask = bias;
  }
  FloatAttr scale;
  if (const onnx::AttributeProto *s = ctx.attr("scale"))
    scale = ctx.builder.getF64FloatAttr(s->f());
  return ctx.setResults(ctx.create<AttentionOp>(
      *q, *k, *v, mask, heads, scale, ctx.intAttr("unidirectional", 0) != 0,
      Modality::unknown, Modality::unknown, /*precision=*/nullptr));
}

/// layer_norm(input + skip (+ bias)); the fourth output is that sum.
LogicalResult importSkipLayerNorm(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), skip = ctx.requiredInput(1),
                   gamma = ctx.requiredInput(2);
  if (failed(x) || failed(skip) || failed(gamma))
    return failure();
  if (ctx.hasOutput(1) || ctx.hasOutput(2))
    return ctx.error() << "the mean and inverse standard deviation outputs "
                          "are not supported";
  Value sum = ctx.create<AddOp>(*x, *skip);
  if (Value bias = ctx.input(4))
    sum = ctx.create<AddOp>(sum, bias);
  if (!sum)
    return ctx.setResults(sum); // A failed addition; it has said why.
  int64_t rank = NodeContext::typeOf(sum).getRank();
  Value y = ctx.create<LayerNormOp>(
      sum, *gamma, ctx.input(3), static_cast<uint64_t>(rank - 1),
      APFloat(static_cast<double>(ctx.floatAttr("epsilon", 1e-12f))));
  return ctx.setResults({y, Value(), Value(), sum});
}

/// gelu(x + bias): exact for BiasGelu, the tanh form for FastGelu.
template <GeluApproximation kind>
LogicalResult importBiasGelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  Value sum = *x;
  if (Value bias = ctx.input(1))
    sum = ctx.create<AddOp>(sum, bias);
  return ctx.setResults(ctx.create<GeluOp>(sum, kind));
}

} // namespace

void registerMicrosoftImporters(OpRegistry &r) {
  r.add(kDomain, "Attention", 1, kAnyVersion, importAttention);
  r.add(kDomain, "MultiHeadAttention", 1, kAnyVersion,
        importMultiHeadAttention);
  r.add(kDomain, "SkipLayerNormalization", 1, kAnyVersion, importSkipLayerNorm);
  r.add(kDomain, "BiasGelu", 1, kAnyVersion,
        importBiasGelu<GeluApproximation::none>);
  r.add(kDomain, "FastGelu", 1, kAnyVersion,
        importBiasGelu<GeluApproximation::tanh>);
}

} // namespace dsr1::onnx_frontend
