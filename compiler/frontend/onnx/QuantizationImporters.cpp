//===- QuantizationImporters.cpp - ONNX quantization ops into dsr1 --------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear and the integer
// contractions (MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv), as
// compositions of dsr1 ops: widen the 8-bit operands to i32, subtract the
// zero points, contract in i32, then scale, round half to even, add the
// output zero point, saturate and cast.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/ShapeInference.h"
#include "compiler/frontend/onnx/NodeImporter.h"

#include <cmath>
#include <optional>

using namespace mlir;

namespace dsr1::onnx_frontend {
namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The eight required inputs of QLinearMatMul and QLinearConv: (x, scale,
/// zero point) for both operands, then the output's scale and zero point.
FailureOr<SmallVector<Value, 8>> quantizedOperands(NodeContext &ctx) {
  SmallVector<Value, 8> inputs;
  for (int i = 0; i < 8; ++i) {
    FailureOr<Value> v = ctx.requiredInput(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  return inputs;
}

Value castTo(NodeContext &ctx, Value v, Type element) {
  if (!v || NodeContext::typeOf(v).getElementType() == element)
    return v;
  return ctx.create<CastOp>(v, element);
}

/// The float type arithmetic that must be exact on quantized integers runs in:
/// `t` itself from f32 up, f32 for the narrower f16 and bf16 (every 16-bit
/// integer, and every rounded f16/bf16 value, is exact in f32).
Type wideFloat(Type t) {
  if (isa<FloatType>(t) && t.getIntOrFloatBitWidth() >= 32)
    return t;
  return Float32Type::get(t.getContext());
}

/// The saturation range of an integer quantization target (`ui8` [0, 255],
/// `i8` [-128, 127], whatever the width), or none for other types.
std::optional<std::pair<double, double>> integerRange(Type t) {
  auto it = dyn_cast<IntegerType>(t);
  if (!it || it.getWidth() > 32)
    return std::nullopt;
  unsigned bits = it.getWidth();
  if (it.isUnsigned())
    return std::make_pair(0.0, std::ldexp(1.0, bits) - 1);
  return std::make_pair(-std::ldexp(1.0, bits - 1),
                        std::ldexp(1.0, bits - 1) - 1);
}

std::string shapeOf(Value v) {
  return formatShape(NodeContext::typeOf(v).getShape());
}

/// Makes a scale or zero point (`param`, input `what`) broadcast against `x`
/// as ONNX's three quantization granularities define:
/// - per tensor: a scalar, or a tensor of one element;
/// - per axis: a 1-D tensor with the length of `x`'s dim `axis`, reshaped to
///   [1, ..., D, ..., 1];
/// - blocked (`blockSize` > 0): `x`'s shape but for dim `axis`, which holds
///   ceil(D / blockSize) blocks, each repeated blockSize times (a gather
///   along `axis` of indices i / blockSize).
FailureOr<Value> broadcastParam(NodeContext &ctx, Value param, Value x,
                                int64_t axisAttr, int64_t blockSize,
                                StringRef what) {
  auto xType = NodeContext::typeOf(x), type = NodeContext::typeOf(param);
  int64_t rank = xType.getRank();
  if (type.getRank() == 0)
    return param;
  if (blockSize == 0 && type.hasStaticShape() && type.getNumElements() == 1)
    return ctx.create<ReshapeOp>(param, ArrayRef<int64_t>{});
  if (blockSize < 0)
    return ctx.error() << "block_size must be positive, got " << blockSize;
  FailureOr<int64_t> axis = ctx.axis(axisAttr, rank);
  if (failed(axis))
    return failure();
  int64_t dim = xType.getDimSize(*axis);
  if (blockSize == 0) {
    if (type.getRank() != 1)
      return ctx.error() << what << " of shape " << shapeOf(param)
                         << " is neither a scalar nor 1-D (per-axis); blocked "
                            "quantization needs block_size";
    if (!dimsAgree(type.getDimSize(0), dim))
      return ctx.error() << what << " has " << type.getDimSize(0)
                         << " elements, expected one per element of axis "
                         << *axis << " (" << dim << ") of the input "
                         << shapeOf(x);
    SmallVector<int64_t> shape(rank, 1);
    shape[*axis] = -1;
    return ctx.create<ReshapeOp>(param, shape);
  }
  if (type.getRank() != rank)
    return ctx.error() << what << " of shape " << shapeOf(param)
                       << " must have the input's rank " << rank
                       << " for blocked quantization";
  for (int64_t i = 0; i < rank; ++i)
    if (i != *axis && !dimsAgree(type.getDimSize(i), xType.getDimSize(i)))
      return ctx.error() << what << " of shape " << shapeOf(param)
                         << " must match the input " << shapeOf(x)
                         << " in every dim but axis " << *axis;
  int64_t blocks = type.getDimSize(*axis);
  if (ShapedType::isDynamic(dim) || ShapedType::isDynamic(blocks))
    return ctx.error() << "blocked quantization needs a static axis " << *axis
                       << " in the input and the " << what;
  if (blocks != (dim + blockSize - 1) / blockSize)
    return ctx.error() << what << " has " << blocks << " blocks on axis "
                       << *axis << ", but " << dim << " elements in blocks of "
                       << blockSize << " make "
                       << (dim + blockSize - 1) / blockSize;
  if (failed(ctx.checkBuildSize(dim, "the block indices")))
    return failure();
  SmallVector<int64_t> indices;
  for (int64_t i = 0; i < dim; ++i)
    indices.push_back(i / blockSize);
  Value index = ctx.constant(DenseElementsAttr::get(
      RankedTensorType::get({dim}, ctx.builder.getI64Type()),
      ArrayRef<int64_t>(indices)));
  return ctx.create<GatherOp>(param, index, uint64_t(*axis));
}

/// Fails, saying so, unless the zero point has the scale's shape (ONNX
/// requires it; only static dims are compared). A scalar and a one-element
/// 1-D tensor both mean per tensor, and the ONNX node tests mix them.
LogicalResult checkSameShape(NodeContext &ctx, Value scale, Value zeroPoint) {
  if (!zeroPoint)
    return success();
  auto s = NodeContext::typeOf(scale), z = NodeContext::typeOf(zeroPoint);
  auto perTensor = [](RankedTensorType t) {
    return t.getRank() <= 1 && t.hasStaticShape() && t.getNumElements() == 1;
  };
  if (perTensor(s) && perTensor(z))
    return success();
  bool same = s.getRank() == z.getRank();
  for (int64_t i = 0; same && i < s.getRank(); ++i)
    same = dimsAgree(s.getDimSize(i), z.getDimSize(i));
  if (same)
    return success();
  return ctx.error() << "the zero point's shape " << shapeOf(zeroPoint)
                     << " differs from the scale's " << shapeOf(scale);
}

/// The scale and the (optional, else null) zero point of a QuantizeLinear /
/// DequantizeLinear node, checked against each other and broadcast to x's
/// shape along `axis`, per block when `blockSize` is set.
FailureOr<std::pair<Value, Value>>
broadcastScaleAndZeroPoint(NodeContext &ctx, Value scale, Value zeroPoint,
                           Value x, int64_t axis, int64_t blockSize) {
  if (failed(checkSameShape(ctx, scale, zeroPoint)))
    return failure();
  FailureOr<Value> s =
      broadcastParam(ctx, scale, x, axis, blockSize, "the scale");
  if (failed(s))
    return failure();
  if (!zeroPoint)
    return std::make_pair(*s, Value());
  FailureOr<Value> z =
      broadcastParam(ctx, zeroPoint, x, axis, blockSize, "the zero point");
  if (failed(z))
    return failure();
  return std::make_pair(*s, *z);
}

/// `value` (a float tensor of whole numbers or not) rounded half to even,
/// plus `zeroPoint` (broadcast, any numeric type, or null), saturated to the
/// range of the integer type `target` and cast to it. The sum and the
/// saturation run in `wideFloat` so that the zero point adds exactly.
Value requantize(NodeContext &ctx, Value value, Value zeroPoint, Type target) {
  auto range = integerRange(target);
  Value rounded = ctx.create<RoundOp>(value);
  if (!rounded)
    return nullptr;
  Type wide = wideFloat(NodeContext::typeOf(rounded).getElementType());
  Value sum = castTo(ctx, rounded, wide);
  if (zeroPoint) {
    Value zero = castTo(ctx, zeroPoint, wide);
    sum = ctx.create<AddOp>(sum, zero);
  }
  Builder &b = ctx.builder;
  Value clipped = ctx.create<ClipOp>(sum, b.getF64FloatAttr(range->first),
                                     b.getF64FloatAttr(range->second));
  return castTo(ctx, clipped, target);
}

/// The 8-bit integer operand `v` widened to i32, less its zero point `zp`
/// (null: none), which is scalar-like, or per row (a 1-D zero point of an
/// operand of rank >= 2, reshaped to [M, 1]) when `perRow`, or broadcasts as
/// it is. The difference must keep `v`'s shape.
FailureOr<Value> widenLessZeroPoint(NodeContext &ctx, Value v, Value zp,
                                    bool perRow, StringRef what) {
  Type i32 = ctx.builder.getI32Type();
  Value wide = castTo(ctx, v, i32);
  if (!zp)
    return wide;
  auto vType = NodeContext::typeOf(v), zType = NodeContext::typeOf(zp);
  if (zType.getElementType() != vType.getElementType())
    return ctx.error() << what << "'s zero point has element type "
                       << zType.getElementType() << ", expected "
                       << vType.getElementType();
  if (zType.hasStaticShape() && zType.getNumElements() == 1)
    zp = ctx.create<ReshapeOp>(zp, ArrayRef<int64_t>{});
  else if (perRow && zType.getRank() == 1 && vType.getRank() >= 2)
    zp = ctx.create<ReshapeOp>(zp, ArrayRef<int64_t>{-1, 1});
  Value zpWide = castTo(ctx, zp, i32);
  Value diff = ctx.create<SubOp>(wide, zpWide);
  if (!diff)
    return failure();
  if (NodeContext::typeOf(diff).getShape() != vType.getShape())
    return ctx.error() << what << "'s zero point of shape " << shapeOf(zp)
                       << " does not fit its operand " << shapeOf(v);
  return diff;
}

/// Refuses an operand that is not an 8-bit integer (float8 operands of the
/// opset-21 QLinearMatMul are not imported).
LogicalResult check8Bit(NodeContext &ctx, Value v, StringRef what) {
  Type t = NodeContext::typeOf(v).getElementType();
  if (t.isInteger(8))
    return success();
  return ctx.error() << what << " has element type " << t
                     << "; only int8 and uint8 are supported";
}

//===----------------------------------------------------------------------===//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear
//===----------------------------------------------------------------------===//

/// y = saturate(round(x / scale) + zero_point) for integer targets, and
/// y = cast(x / scale + zero_point) for float targets (float8, float4; the
/// cast saturates as `saturate` says). The division runs in the scale's type,
/// or `precision`.
LogicalResult importQuantizeLinear(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), scale = ctx.requiredInput(1);
  if (failed(x) || failed(scale))
    return failure();
  Value zeroPoint = ctx.input(2);
  MLIRContext *context = ctx.builder.getContext();
  int64_t axis = ctx.opset >= 13 ? ctx.intAttr("axis", 1) : 1;
  bool saturate = ctx.opset >= 19 ? ctx.intAttr("saturate", 1) != 0 : true;
  int64_t blockSize = ctx.opset >= 21 ? ctx.intAttr("block_size", 0) : 0;
  int64_t outputDtype = ctx.opset >= 21 ? ctx.intAttr("output_dtype", 0) : 0;
  int64_t precisionDtype = ctx.opset >= 23 ? ctx.intAttr("precision", 0) : 0;

  Type target = IntegerType::get(context, 8, IntegerType::Unsigned);
  if (outputDtype != 0) {
    target = onnxElementType(context, outputDtype);
    if (!target)
      return ctx.error() << "cannot quantize to "
                         << describeOnnxType(outputDtype);
  }
  if (zeroPoint) {
    Type zpType = NodeContext::typeOf(zeroPoint).getElementType();
    if (outputDtype != 0 && zpType != target)
      return ctx.error() << "output_dtype " << target
                         << " differs from the zero point's type " << zpType;
    target = zpType;
  }
  bool isFloatTarget =
      isa<FloatType>(target) && target.getIntOrFloatBitWidth() <= 8;
  if (!isFloatTarget &&
      (!integerRange(target) || target.getIntOrFloatBitWidth() > 16 ||
       target.getIntOrFloatBitWidth() < 2))
    return ctx.error() << "cannot quantize to " << target
                       << " (not a quantized type)";
  if (!isa<FloatType>(NodeContext::typeOf(*scale).getElementType()))
    return ctx.error() << "the scale must be a float tensor, got "
                       << NodeContext::typeOf(*scale);
  // The division runs in the scale's type, but not in an 8-bit one (a
  // float8e8m0 scale, opset 24): there x's float type (or f32) does.
  Type compute = NodeContext::typeOf(*scale).getElementType();
  if (compute.getIntOrFloatBitWidth() < 16) {
    Type xElement = NodeContext::typeOf(*x).getElementType();
    compute = isa<FloatType>(xElement) ? xElement : Float32Type::get(context);
  }
  if (precisionDtype != 0) {
    compute = onnxElementType(context, precisionDtype);
    if (!compute || !isa<FloatType>(compute))
      return ctx.error() << "precision " << describeOnnxType(precisionDtype)
                         << " is not a float type dsr1 supports";
  }
  FailureOr<std::pair<Value, Value>> params =
      broadcastScaleAndZeroPoint(ctx, *scale, zeroPoint, *x, axis, blockSize);
  if (failed(params))
    return failure();
  auto [sb, zp] = *params;
  Value xc = castTo(ctx, *x, compute);
  Value sc = castTo(ctx, sb, compute);
  Value scaled = ctx.create<DivOp>(xc, sc);
  if (!isFloatTarget)
    return ctx.setResults(requantize(ctx, scaled, zp, target));
  if (zp) {
    Value zc = castTo(ctx, zp, compute);
    scaled = ctx.create<AddOp>(scaled, zc);
  }
  // The cast to a narrow float applies `saturate` (out of range: the largest
  // finite value, or inf/NaN).
  return ctx.setResults(ctx.create<CastOp>(scaled, target, saturate));
}

/// y = (x - zero_point) * scale, computed in f32 (exact for every quantized
/// integer) and cast to output_dtype, or the scale's type.
LogicalResult importDequantizeLinear(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), scale = ctx.requiredInput(1);
  if (failed(x) || failed(scale))
    return failure();
  Value zeroPoint = ctx.input(2);
  MLIRContext *context = ctx.builder.getContext();
  int64_t axis = ctx.opset >= 13 ? ctx.intAttr("axis", 1) : 1;
  int64_t blockSize = ctx.opset >= 21 ? ctx.intAttr("block_size", 0) : 0;
  int64_t outputDtype = ctx.opset >= 23 ? ctx.intAttr("output_dtype", 0) : 0;

  Type xElement = NodeContext::typeOf(*x).getElementType();
  if (xElement.getIntOrFloatBitWidth() < 2 ||
      (isa<FloatType>(xElement) && xElement.getIntOrFloatBitWidth() > 8))
    return ctx.error() << "the input has element type " << xElement
                       << ", which is not a quantized type";
  if (zeroPoint && NodeContext::typeOf(zeroPoint).getElementType() != xElement)
    return ctx.error() << "the zero point has element type "
                       << NodeContext::typeOf(zeroPoint).getElementType()
                       << ", expected the input's " << xElement;
  Type out = NodeContext::typeOf(*scale).getElementType();
  if (outputDtype != 0) {
    out = onnxElementType(context, outputDtype);
    if (!out)
      return ctx.error() << "cannot dequantize to "
                         << describeOnnxType(outputDtype);
  }
  if (!isa<FloatType>(out) || out.getIntOrFloatBitWidth() < 16)
    return ctx.error() << "cannot dequantize to " << out
                       << " (expects f32, f16 or bf16)";
  FailureOr<std::pair<Value, Value>> params =
      broadcastScaleAndZeroPoint(ctx, *scale, zeroPoint, *x, axis, blockSize);
  if (failed(params))
    return failure();
  auto [sb, zb] = *params;
  Type wide = wideFloat(out);
  Value dx = castTo(ctx, *x, wide);
  if (zb) {
    Value zw = castTo(ctx, zb, wide);
    dx = ctx.create<SubOp>(dx, zw);
  }
  Value sw = castTo(ctx, sb, wide);
  Value y = ctx.create<MulOp>(dx, sw);
  return ctx.setResults(castTo(ctx, y, out));
}

/// uint8 quantization with the scale and zero point that map
/// [min(0, min x), max(0, max x)] onto [0, 255]:
///   scale = (max - min) / 255 (1 / 255 when both are 0),
///   zero_point = round(clip(-min / scale, 0, 255)),
///   y = saturate(round(x / scale) + zero_point).
LogicalResult importDynamicQuantizeLinear(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  if (!type.getElementType().isF32())
    return ctx.error() << "expects a float32 input, got " << type;
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  Builder &b = ctx.builder;
  Type u8 = IntegerType::get(b.getContext(), 8, IntegerType::Unsigned);
  Value zero = ctx.scalarLike(*x, 0), one = ctx.scalarLike(*x, 1);
  Value qmax = ctx.scalarLike(*x, 255);
  Value high = ctx.create<ReduceMaxOp>(*x, all, /*keepdims=*/false);
  Value low = ctx.create<ReduceMinOp>(*x, all, /*keepdims=*/false);
  high = ctx.create<MaxOp>(high, zero);
  low = ctx.create<MinOp>(low, zero);
  Value span = ctx.create<SubOp>(high, low);
  Value empty = ctx.create<EqualOp>(span, zero);
  Value range = ctx.create<WhereOp>(empty, one, span);
  Value scale = ctx.create<DivOp>(range, qmax);
  Value lowSteps = ctx.create<DivOp>(low, scale);
  Value initialZero = ctx.create<SubOp>(zero, lowSteps);
  Value clipped = ctx.create<ClipOp>(initialZero, b.getF64FloatAttr(0),
                                     b.getF64FloatAttr(255));
  Value zeroPoint = ctx.create<RoundOp>(clipped);
  Value steps = ctx.create<DivOp>(*x, scale);
  Value y = requantize(ctx, steps, zeroPoint, u8);
  Value zeroPointU8 = castTo(ctx, zeroPoint, u8);
  return ctx.setResults({y, scale, zeroPointU8});
}

//===----------------------------------------------------------------------===//
// Integer contractions
//===----------------------------------------------------------------------===//

/// Y = (A - a_zero_point) @ (B - b_zero_point) in int32; a's zero point may
/// be per row (an M-vector), b's per column (an N-vector).
LogicalResult importMatMulInteger(NodeContext &ctx) {
  FailureOr<Value> a = ctx.requiredInput(0), b = ctx.requiredInput(1);
  if (failed(a) || failed(b) || failed(check8Bit(ctx, *a, "A")) ||
      failed(check8Bit(ctx, *b, "B")))
    return failure();
  FailureOr<Value> wa =
      widenLessZeroPoint(ctx, *a, ctx.input(2), /*perRow=*/true, "A");
  if (failed(wa))
    return failure();
  FailureOr<Value> wb =
      widenLessZeroPoint(ctx, *b, ctx.input(3), /*perRow=*/false, "B");
  if (failed(wb))
    return failure();
  return ctx.setResults(ctx.create<MatMulOp>(*wa, *wb, /*precision=*/nullptr));
}

/// A per-tensor or per-row scale (`perRow`: a 1-D one reshaped to [M, 1]);
/// others broadcast as they are (b's per-column N-vector).
Value rowScale(NodeContext &ctx, Value scale, bool perRow) {
  auto type = NodeContext::typeOf(scale);
  if (type.hasStaticShape() && type.getNumElements() == 1)
    return ctx.create<ReshapeOp>(scale, ArrayRef<int64_t>{});
  if (perRow && type.getRank() == 1)
    return ctx.create<ReshapeOp>(scale, ArrayRef<int64_t>{-1, 1});
  return scale;
}

/// The float scales of a QLinear op (inputs `indices`), which share one type.
FailureOr<Type> scaleType(NodeContext &ctx, ArrayRef<Value> scales) {
  Type t = NodeContext::typeOf(scales[0]).getElementType();
  if (!isa<FloatType>(t))
    return ctx.error() << "the scales must be float tensors, got " << t;
  for (Value s : scales.drop_front())
    if (NodeContext::typeOf(s).getElementType() != t)
      return ctx.error() << "the scales must share one type, got " << t
                         << " and " << NodeContext::typeOf(s).getElementType();
  return t;
}

/// Rescales the int32 `sum` by `multiplier` (a_scale * b_scale / y_scale),
/// then requantizes with the output zero point `yZero`. The product runs in
/// f32 at least, as integer quantized kernels do.
Value rescale(NodeContext &ctx, Value sum, Value multiplier, Value yZero) {
  if (!sum || !multiplier)
    return nullptr; // An earlier build failed and said why.
  Type wide = wideFloat(NodeContext::typeOf(multiplier).getElementType());
  Value sumWide = castTo(ctx, sum, wide);
  Value multiplierWide = castTo(ctx, multiplier, wide);
  Value scaled = ctx.create<MulOp>(sumWide, multiplierWide);
  return requantize(ctx, scaled, yZero,
                    NodeContext::typeOf(yZero).getElementType());
}

/// y = saturate(round((a - a_zp) @ (b - b_zp) * (a_scale * b_scale /
/// y_scale)) + y_zp): a's scale and zero point per tensor or per row, b's per
/// tensor or per column, y's per tensor or per row.
LogicalResult importQLinearMatMul(NodeContext &ctx) {
  FailureOr<SmallVector<Value, 8>> inputs = quantizedOperands(ctx);
  if (failed(inputs))
    return failure();
  ArrayRef<Value> in = *inputs;
  Value a = in[0], aScale = in[1], aZero = in[2], b = in[3], bScale = in[4],
        bZero = in[5], yScale = in[6], yZero = in[7];
  if (failed(check8Bit(ctx, a, "a")) || failed(check8Bit(ctx, b, "b")) ||
      failed(check8Bit(ctx, yZero, "y_zero_point")))
    return failure();
  if (failed(scaleType(ctx, {aScale, bScale, yScale})))
    return failure();
  FailureOr<Value> wa = widenLessZeroPoint(ctx, a, aZero, true, "a");
  if (failed(wa))
    return failure();
  FailureOr<Value> wb = widenLessZeroPoint(ctx, b, bZero, false, "b");
  if (failed(wb))
    return failure();
  Value sum = ctx.create<MatMulOp>(*wa, *wb, /*precision=*/nullptr);
  Value aRow = rowScale(ctx, aScale, true);
  Value bColumn = rowScale(ctx, bScale, false);
  Value yRow = rowScale(ctx, yScale, true);
  Value product = ctx.create<MulOp>(aRow, bColumn);
  Value multiplier = ctx.create<DivOp>(product, yRow);
  Value yZeroRow = rowScale(ctx, yZero, true);
  if (!yZeroRow)
    return failure();
  return ctx.setResults(rescale(ctx, sum, multiplier, yZeroRow));
}

/// The per-output-channel weight parameter `v` (a 1-D [M]) reshaped to
/// broadcast over `rank`-D tensors whose output channels are at `at`
/// (0 for the weight [M, C, k...], 1 for the result [N, M, o...]).
Value perChannel(NodeContext &ctx, Value v, int64_t rank, int64_t at) {
  auto type = NodeContext::typeOf(v);
  if (type.hasStaticShape() && type.getNumElements() == 1)
    return ctx.create<ReshapeOp>(v, ArrayRef<int64_t>{});
  // A vector against an operand without dim `at` (a scalar weight) stays as
  // it is: the broadcast check after it names the mismatch.
  if (type.getRank() != 1 || at >= rank)
    return v;
  SmallVector<int64_t> shape(rank, 1);
  shape[at] = -1;
  return ctx.create<ReshapeOp>(v, shape);
}

/// The int32 convolution of (x - x_zero_point) by (w - w_zero_point), w's zero
/// point per tensor or per output channel; inputs 0, 1 are x, w and
/// `xZero`, `wZero` their zero points (or null). Subtracting before the
/// convolution makes its zero padding the zero point, as ONNX defines.
FailureOr<Value> integerConv(NodeContext &ctx, Value x, Value w, Value xZero,
                             Value wZero, Value bias) {
  if (failed(check8Bit(ctx, x, "x")) || failed(check8Bit(ctx, w, "w")))
    return failure();
  FailureOr<Value> wx = widenLessZeroPoint(ctx, x, xZero, false, "x");
  if (failed(wx))
    return failure();
  if (wZero)
    wZero = perChannel(ctx, wZero, NodeContext::typeOf(w).getRank(), 0);
  FailureOr<Value> ww = widenLessZeroPoint(ctx, w, wZero, false, "w");
  if (failed(ww))
    return failure();
  if (bias && !NodeContext::typeOf(bias).getElementType().isSignlessInteger(32))
    return ctx.error() << "the bias must be int32, got "
                       << NodeContext::typeOf(bias);
  return convFromAttributes(ctx, *wx, *ww, bias);
}

LogicalResult importConvInteger(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), w = ctx.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> y =
      integerConv(ctx, *x, *w, ctx.input(2), ctx.input(3), nullptr);
  return failed(y) ? failure() : ctx.setResults(*y);
}

/// y = saturate(round((conv(x - x_zp, w - w_zp) + B) * (x_scale * w_scale /
/// y_scale)) + y_zp), w's scale and zero point per tensor or per output
/// channel.
LogicalResult importQLinearConv(NodeContext &ctx) {
  FailureOr<SmallVector<Value, 8>> inputs = quantizedOperands(ctx);
  if (failed(inputs))
    return failure();
  ArrayRef<Value> in = *inputs;
  Value x = in[0], xScale = in[1], xZero = in[2], w = in[3], wScale = in[4],
        wZero = in[5], yScale = in[6], yZero = in[7];
  if (failed(check8Bit(ctx, yZero, "y_zero_point")) ||
      failed(scaleType(ctx, {xScale, wScale, yScale})))
    return failure();
  FailureOr<Value> sum = integerConv(ctx, x, w, xZero, wZero, ctx.input(8));
  if (failed(sum))
    return failure();
  int64_t rank = NodeContext::typeOf(*sum).getRank();
  Value xTensor = rowScale(ctx, xScale, false);
  Value wChannel = perChannel(ctx, wScale, rank, 1);
  Value yTensor = rowScale(ctx, yScale, false);
  Value product = ctx.create<MulOp>(xTensor, wChannel);
  Value multiplier = ctx.create<DivOp>(product, yTensor);
  Value yZeroTensor = rowScale(ctx, yZero, false);
  if (!yZeroTensor)
    return failure();
  return ctx.setResults(rescale(ctx, *sum, multiplier, yZeroTensor));
}

} // namespace

void registerQuantizationImporters(OpRegistry &r) {
  constexpr int64_t hi = kMaxOpset;
  // Opset 10 forms: per-tensor scales (the reference also takes a 1-D one on
  // axis 1, as opset 13 does by default); later opsets add the attributes
  // read above, each only from its opset.
  r.add("", "QuantizeLinear", 10, hi, importQuantizeLinear);
  r.add("", "DequantizeLinear", 10, hi, importDequantizeLinear);
  r.add("", "DynamicQuantizeLinear", 11, hi, importDynamicQuantizeLinear);
  r.add("", "MatMulInteger", 10, hi, importMatMulInteger);
  r.add("", "QLinearMatMul", 10, hi, importQLinearMatMul);
  r.add("", "ConvInteger", 10, hi, importConvInteger);
  r.add("", "QLinearConv", 10, hi, importQLinearConv);
}

} // namespace dsr1::onnx_frontend
