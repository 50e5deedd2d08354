//===- MicrosoftImporters.cpp - com.microsoft contrib ops into dsr1
//---------===//
//
// The onnxruntime contrib ops that transformer exporters and optimisers emit:
// Attention, MultiHeadAttention, SkipLayerNormalization,
// EmbedLayerNormalization, BiasGelu, FastGelu, QuickGelu.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/NodeImporter.h"

using namespace mlir;

namespace dsr1::onnx_frontend {
namespace {

constexpr StringLiteral kDomain = "com.microsoft";

/// Which keys each query sees, from a com.microsoft key padding mask: a mask
/// dsr1.attention broadcasts, or per-batch key counts.
struct KeyMask {
  Value mask;
  Value lengths;
};

/// The mask_index / key_padding_mask forms: [B] the number of valid keys per
/// batch (right padding, what onnxruntime's transformers optimizer writes as
/// ReduceSum(attention_mask)), [B, S_kv] 1 (attend) / 0 (masked), and
/// [B, S_q, S_kv] per query.
FailureOr<KeyMask> keyPaddingMask(NodeContext &ctx, Value mask, int64_t batch) {
  auto type = NodeContext::typeOf(mask);
  if (type.getRank() == 1) {
    int64_t n = type.getDimSize(0);
    if (!ShapedType::isDynamic(n) && !ShapedType::isDynamic(batch) &&
        n != batch)
      return ctx.error() << "a 1-D mask with " << n << " entries for batch "
                         << batch
                         << ": only the [batch] form (valid key counts) is "
                            "supported, not key start positions";
    if (!type.getElementType().isInteger(32) &&
        !type.getElementType().isInteger(64))
      return ctx.error() << "a 1-D mask (valid key counts) must be int32 or "
                            "int64";
    return KeyMask{{}, mask};
  }
  if (type.getRank() != 2 && type.getRank() != 3)
    return ctx.error() << "the key padding mask must be [batch], [batch, "
                          "kv_length] or [batch, q_length, kv_length], got "
                       << formatShape(type.getShape());
  Value keep = ctx.create<CastOp>(mask, ctx.builder.getI1Type());
  SmallVector<int64_t> axes = {1, 2};
  if (type.getRank() == 3)
    axes = {1};
  FailureOr<Value> broadcast = insertUnitDims(ctx, keep, axes);
  if (failed(broadcast))
    return failure();
  return KeyMask{*broadcast, {}};
}

/// dsr1.attention from the operands and key mask the contrib ops share.
LogicalResult buildAttention(NodeContext &ctx, Value q, Value k, Value v,
                             KeyMask keys, int64_t heads, bool causal) {
  FloatAttr scale;
  if (const onnx::AttributeProto *s = ctx.attr("scale"))
    scale = ctx.builder.getF64FloatAttr(s->f());
  Operation *attention = ctx.build<AttentionOp>(
      q, k, v, keys.mask, keys.lengths, heads, scale, causal, Modality::unknown,
      Modality::unknown, /*precision=*/nullptr,
      /*softcap=*/FloatAttr(), /*bottom_right=*/false,
      /*query_offset=*/IntegerAttr(), /*window_left=*/IntegerAttr(),
      /*window_right=*/IntegerAttr(), /*return_scores=*/nullptr);
  if (!attention)
    return failure();
  return ctx.setResults(attention->getResult(0));
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
  KeyMask keys;
  if (Value maskIndex = ctx.input(3)) {
    FailureOr<KeyMask> m =
        keyPaddingMask(ctx, maskIndex, NodeContext::typeOf(*x).getDimSize(0));
    if (failed(m))
      return failure();
    keys = *m;
  }
  return buildAttention(ctx, split->getResult(0), split->getResult(1),
                        split->getResult(2), keys, heads,
                        ctx.intAttr("unidirectional", 0) != 0);
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
  KeyMask keys;
  if (Value padding = ctx.input(4)) {
    FailureOr<KeyMask> m =
        keyPaddingMask(ctx, padding, NodeContext::typeOf(*q).getDimSize(0));
    if (failed(m))
      return failure();
    keys = *m;
  }
  if (Value bias = ctx.input(5)) {
    if (keys.mask)
      return ctx.error() << "a key padding mask together with an attention "
                            "bias is not supported";
    keys.mask = bias;
  }
  return buildAttention(ctx, *q, *k, *v, keys, heads,
                        ctx.intAttr("unidirectional", 0) != 0);
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

/// EmbedLayerNormalization (BERT's embeddings, as onnxruntime's transformers
/// optimizer fuses them): layer_norm(word[ids] + position[position_ids] +
/// segment[segment_ids]); mask_index is the number of valid keys per batch,
/// the sum of the mask over the sequence.
LogicalResult importEmbedLayerNorm(NodeContext &ctx) {
  FailureOr<Value> ids = ctx.requiredInput(0), word = ctx.requiredInput(2),
                   position = ctx.requiredInput(3),
                   gamma = ctx.requiredInput(5);
  if (failed(ids) || failed(word) || failed(position) || failed(gamma))
    return failure();
  Value segments = ctx.input(1), segmentTable = ctx.input(4);
  if (bool(segments) != bool(segmentTable))
    return ctx.error() << "segment_ids and segment_embedding must be given "
                          "together";
  auto idsType = NodeContext::typeOf(*ids);
  if (idsType.getRank() != 2)
    return ctx.error() << "input_ids must be [batch, sequence], got "
                       << formatShape(idsType.getShape());
  Value positions = ctx.input(8);
  if (!positions) {
    // Positions 0 .. S-1 for every batch.
    int64_t length = idsType.getDimSize(1);
    if (ShapedType::isDynamic(length))
      return ctx.error() << "without position_ids the sequence length must be "
                            "static";
    auto type = RankedTensorType::get({1, length}, ctx.builder.getI64Type());
    SmallVector<int64_t> range = llvm::to_vector(llvm::seq<int64_t>(0, length));
    positions =
        ctx.constant(DenseElementsAttr::get(type, ArrayRef<int64_t>(range)));
  }
  Value words = ctx.create<GatherOp>(*word, *ids, uint64_t(0));
  Value sum = ctx.create<AddOp>(
      words, ctx.create<GatherOp>(*position, positions, uint64_t(0)));
  if (segments)
    sum = ctx.create<AddOp>(
        sum, ctx.create<GatherOp>(segmentTable, segments, uint64_t(0)));
  Value y = ctx.create<LayerNormOp>(
      sum, *gamma, ctx.input(6), uint64_t(2),
      APFloat(static_cast<double>(ctx.floatAttr("epsilon", 1e-12f))));
  Value maskIndex;
  if (ctx.hasOutput(1)) {
    if (ctx.intAttr("mask_index_type", 1) != 1)
      return ctx.error() << "only mask_index_type 1 (valid key counts) is "
                            "supported";
    Value mask = ctx.input(7);
    if (!mask)
      return ctx.error() << "the mask_index output needs the mask input";
    Value counts = ctx.create<ReduceSumOp>(
        ctx.create<CastOp>(mask, ctx.builder.getI64Type()),
        ctx.builder.getDenseI64ArrayAttr({1}), ctx.builder.getBoolAttr(false));
    maskIndex = ctx.create<CastOp>(counts, ctx.builder.getI32Type());
  } else {
    (void)ctx.input(7);
    (void)ctx.attr("mask_index_type");
  }
  return ctx.setResults({y, maskIndex, sum});
}

/// QuickGelu (CLIP's activation): x * sigmoid(alpha * x).
LogicalResult importQuickGelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  Value alpha = ctx.scalarLike(*x, ctx.floatAttr("alpha", 1.702f));
  Value gate = ctx.create<SigmoidOp>(ctx.create<MulOp>(*x, alpha));
  return ctx.setResults(ctx.create<MulOp>(*x, gate));
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
  r.add(kDomain, "QuickGelu", 1, kAnyVersion, importQuickGelu);
  r.add(kDomain, "EmbedLayerNormalization", 1, kAnyVersion,
        importEmbedLayerNorm);
}

} // namespace dsr1::onnx_frontend
