//===- DSR1Ops.cpp - dsr1 op type inference and verifiers
//-------------------===//
//
// Result type inference for every dsr1 op. Inference checks everything a result
// shape depends on (ranks, dims, attribute sizes and ranges), so the same rule
// reports a bad graph when it is parsed, verified or built.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace dsr1;

static constexpr int64_t kDynamic = ShapedType::kDynamic;

/// The generic InferTypeOpInterface entry point of every dsr1 op (declared in
/// DSR1Ops.td). The parser of a custom assembly format calls it with the
/// `attr-dict` attributes still in `attributes` and the properties empty or
/// partly set, so both are merged, and the defaults filled in, before the op's
/// Adaptor-based rule runs. Attribute constraints have been checked by then
/// (the parser runs verifyInherentAttrs first), but a required attribute may
/// still be missing: rules check that.
template <typename OpT>
static LogicalResult
inferWithAdaptor(MLIRContext *context, std::optional<Location> location,
                 ValueRange operands, DictionaryAttr attributes,
                 OpaqueProperties properties, RegionRange regions,
                 SmallVectorImpl<Type> &types) {
  typename OpT::Properties merged;
  if (properties)
    merged = *properties.as<typename OpT::Properties *>();
  if (attributes) {
    for (NamedAttribute attr : attributes) {
      // `axis 1 {axis = 0}` names the attribute twice; the op would silently
      // keep the dictionary's value.
      std::optional<Attribute> written =
          OpT::getInherentAttr(context, merged, attr.getName().getValue());
      if (written && *written && *written != attr.getValue())
        return ShapeError(location, OpT::getOperationName())
               << "attribute '" << attr.getName().getValue()
               << "' is given twice, with different values";
      OpT::setInherentAttr(merged, attr.getName().getValue(), attr.getValue());
    }
  }
  // Adaptor getters do not apply the defaults of DefaultValuedAttr; an op built
  // or parsed does.
  OpT::populateDefaultProperties(
      OperationName(OpT::getOperationName(), context), merged);
  typename OpT::Adaptor adaptor(operands, attributes, merged, regions);
  return OpT::inferReturnTypes(context, location, adaptor, types);
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The ranked tensor type of operand `name`, or failure after reporting that it
/// is not one. Type inference runs before the ODS operand constraints are
/// checked when the custom assembly is parsed, so it must not assume them.
static FailureOr<RankedTensorType> ranked(Value value, StringRef name,
                                          ShapeError &err) {
  if (auto type =
          dyn_cast_or_null<RankedTensorType>(value ? value.getType() : Type()))
    return type;
  return static_cast<LogicalResult>(err << "operand '" << name
                                        << "' must be a ranked tensor");
}

/// As ranked(), and the rank must lie in [minRank, maxRank].
static FailureOr<RankedTensorType> rankedWithRank(Value value, StringRef name,
                                                  int64_t minRank,
                                                  int64_t maxRank,
                                                  ShapeError &err) {
  FailureOr<RankedTensorType> type = ranked(value, name, err);
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  if (rank >= minRank && rank <= maxRank)
    return type;
  if (minRank == maxRank)
    err << "operand '" << name << "' must have rank " << minRank;
  else if (maxRank == std::numeric_limits<int64_t>::max())
    err << "operand '" << name << "' must have rank >= " << minRank;
  else
    err << "operand '" << name << "' must have rank " << minRank << " to "
        << maxRank;
  return static_cast<LogicalResult>(err << ", got " << type->getRank() << " ("
                                        << formatShape(type->getShape())
                                        << ")");
}

static constexpr int64_t kAnyRank = std::numeric_limits<int64_t>::max();

/// The more static of two agreeing dimensions.
static int64_t mergeDims(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

/// True when `shape` broadcasts to `target` without changing it (ONNX
/// unidirectional broadcast).
static bool broadcastsTo(ArrayRef<int64_t> shape, ArrayRef<int64_t> target) {
  if (shape.size() > target.size())
    return false;
  SmallVector<int64_t> merged;
  if (!broadcastShapes(shape, target, merged))
    return false;
  return llvm::all_of(llvm::zip_equal(merged, target), [](auto pair) {
    auto [m, t] = pair;
    return ShapedType::isDynamic(t) || m == t;
  });
}

static int64_t dimOf(RankedTensorType type, int64_t i) {
  return type.getDimSize(i);
}

/// An axis attribute must name a dimension. Attributes written in an op's
/// custom syntax (`axis 2`) reach inference before ODS has checked their
/// constraints, so a negative axis is caught here too.
static LogicalResult checkAxis(int64_t axis, int64_t rank, ShapeError &err) {
  if (axis >= 0 && axis < rank)
    return success();
  return err << "axis " << axis << " is out of range for rank " << rank
             << " (axes are in [0, " << rank << "))";
}

/// An optional operand that joins another's arithmetic (a bias, a mask, an
/// initial state) must have that element type.
static LogicalResult checkElementType(Value value, StringRef name,
                                      Type expected, ShapeError &err) {
  if (!value)
    return success();
  Type actual = getElementTypeOrSelf(value.getType());
  if (actual == expected)
    return success();
  return err << "operand '" << name << "' has element type " << actual
             << ", expected " << expected;
}

static void pushTensor(SmallVectorImpl<Type> &types, ArrayRef<int64_t> shape,
                       Type element) {
  types.push_back(RankedTensorType::get(shape, element));
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() &&
      getMin()->convertToDouble() > getMax()->convertToDouble())
    return emitOpError("min (")
           << formatNumber(getMin()->convertToDouble())
           << ") is greater than max ("
           << formatNumber(getMax()->convertToDouble()) << ")";
  return success();
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto x = ranked(adaptor.getX(), "x", err);
  if (failed(x))
    return failure();
  return inferBroadcastResult(location, getOperationName(),
                              {adaptor.getCondition().getType(),
                               adaptor.getX().getType(),
                               adaptor.getY().getType()},
                              x->getElementType(), types);
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto lhs = ranked(adaptor.getLhs(), "lhs", err);
  if (failed(lhs))
    return failure();
  auto rhs = ranked(adaptor.getRhs(), "rhs", err);
  SmallVector<int64_t> shape;
  if (failed(rhs) ||
      failed(inferMatMulShape(lhs->getShape(), rhs->getShape(), shape, err)))
    return failure();
  pushTensor(types, shape, lhs->getElementType());
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto a = rankedWithRank(adaptor.getA(), "a", 2, 2, err);
  if (failed(a))
    return failure();
  auto b = rankedWithRank(adaptor.getB(), "b", 2, 2, err);
  if (failed(b))
    return failure();
  bool transA = adaptor.getTransA(), transB = adaptor.getTransB();
  int64_t m = dimOf(*a, transA ? 1 : 0), ka = dimOf(*a, transA ? 0 : 1);
  int64_t kb = dimOf(*b, transB ? 1 : 0), n = dimOf(*b, transB ? 0 : 1);
  if (!dimsAgree(ka, kb))
    return err << "contracted dimensions differ: op(a) is "
               << formatShape({m, ka}) << ", op(b) is " << formatShape({kb, n});
  if (Value c = adaptor.getC()) {
    auto cType = ranked(c, "c", err);
    if (failed(cType) ||
        failed(checkElementType(c, "c", a->getElementType(), err)))
      return failure();
    if (!broadcastsTo(cType->getShape(), {m, n}))
      return err << "operand 'c' (" << formatShape(cType->getShape())
                 << ") does not broadcast to the result "
                 << formatShape({m, n});
  }
  pushTensor(types, {m, n}, a->getElementType());
  return success();
}

/// Checks a per-spatial-dimension attribute: empty (defaulted) or one entry
/// each, all >= `min`.
static LogicalResult checkSpatialAttr(ArrayRef<int64_t> values, StringRef name,
                                      size_t expected, int64_t min,
                                      ShapeError &err) {
  if (!values.empty() && values.size() != expected)
    return err << "'" << name << "' has " << values.size()
               << " entries, expected " << expected;
  for (int64_t v : values)
    if (v < min)
      return err << "'" << name << "' entries must be >= " << min << ", got "
                 << formatList(values);
  return success();
}

/// The output spatial sizes of a convolution or pooling window sliding over
/// `input`'s spatial dimensions (from dimension 2).
static LogicalResult
inferWindowShape(RankedTensorType input, ArrayRef<int64_t> kernel,
                 ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                 ArrayRef<int64_t> dilations, bool ceilMode,
                 SmallVectorImpl<int64_t> &out, ShapeError &err) {
  size_t spatial = input.getRank() - 2;
  if (failed(checkSpatialAttr(strides, "strides", spatial, 1, err)) ||
      failed(checkSpatialAttr(dilations, "dilations", spatial, 1, err)) ||
      failed(checkSpatialAttr(pads, "pads", 2 * spatial, 0, err)))
    return failure();
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2);
    if (ShapedType::isDynamic(kernel[i])) {
      out.push_back(kDynamic);
      continue;
    }
    std::optional<int64_t> size = windowOutputSize(
        in, kernel[i], strides.empty() ? 1 : strides[i],
        pads.empty() ? 0 : pads[i], pads.empty() ? 0 : pads[i + spatial],
        dilations.empty() ? 1 : dilations[i], ceilMode);
    if (!size)
      return err << "window of " << kernel[i] << " (dilation "
                 << (dilations.empty() ? 1 : dilations[i])
                 << ") does not fit spatial dimension " << i << " of size "
                 << in << " with its padding";
    out.push_back(*size);
  }
  return success();
}

/// The optional bias of a convolution: [M] of the input's element type.
static LogicalResult checkConvBias(Value bias, RankedTensorType input,
                                   int64_t outChannels, ShapeError &err) {
  if (!bias)
    return success();
  auto biasType = rankedWithRank(bias, "bias", 1, 1, err);
  if (failed(biasType) ||
      failed(checkElementType(bias, "bias", input.getElementType(), err)))
    return failure();
  if (!dimsAgree(dimOf(*biasType, 0), outChannels))
    return err << "bias has " << dimOf(*biasType, 0)
               << " elements, expected one per output channel (" << outChannels
               << ")";
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = rankedWithRank(adaptor.getInput(), "input", 3, 5, err);
  if (failed(input))
    return failure();
  auto weight = rankedWithRank(adaptor.getWeight(), "weight", input->getRank(),
                               input->getRank(), err);
  if (failed(weight))
    return failure();
  // ODS checks `group` when the op is parsed or verified, but a builder runs
  // inference first.
  int64_t group = adaptor.getGroup();
  if (group <= 0)
    return err << "group must be positive, got " << group;
  for (int64_t k : weight->getShape().drop_front(2))
    if (!ShapedType::isDynamic(k) && k < 1)
      return err << "weight has an empty kernel: "
                 << formatShape(weight->getShape());
  int64_t channels = dimOf(*input, 1), outChannels = dimOf(*weight, 0);
  int64_t groupChannels = dimOf(*weight, 1);
  if (!ShapedType::isDynamic(channels) && channels % group != 0)
    return err << "input channels (" << channels
               << ") are not divisible by group (" << group << ")";
  if (!ShapedType::isDynamic(channels) &&
      !dimsAgree(channels / group, groupChannels))
    return err << "weight has " << groupChannels
               << " input channels per group, expected " << channels / group
               << " (" << channels << " channels / group " << group << ")";
  if (!ShapedType::isDynamic(outChannels) && outChannels % group != 0)
    return err << "output channels (" << outChannels
               << ") are not divisible by group (" << group << ")";
  if (failed(checkConvBias(adaptor.getBias(), *input, outChannels, err)))
    return failure();
  SmallVector<int64_t> shape = {dimOf(*input, 0), outChannels};
  if (failed(inferWindowShape(*input, weight->getShape().drop_front(2),
                              adaptor.getStrides(), adaptor.getPads(),
                              adaptor.getDilations(), /*ceilMode=*/false, shape,
                              err)))
    return failure();
  pushTensor(types, shape, input->getElementType());
  return success();
}

LogicalResult ConvTransposeOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = rankedWithRank(adaptor.getInput(), "input", 3, 5, err);
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  auto weight = rankedWithRank(adaptor.getWeight(), "weight", rank, rank, err);
  if (failed(weight))
    return failure();
  int64_t group = adaptor.getGroup();
  if (group <= 0)
    return err << "group must be positive, got " << group;
  if (!dimsAgree(dimOf(*input, 1), dimOf(*weight, 0)))
    return err << "weight has " << dimOf(*weight, 0)
               << " input channels, the input has " << dimOf(*input, 1);
  int64_t outChannels = ShapedType::isDynamic(dimOf(*weight, 1))
                            ? kDynamic
                            : dimOf(*weight, 1) * group;
  if (failed(checkConvBias(adaptor.getBias(), *input, outChannels, err)))
    return failure();
  size_t spatial = rank - 2;
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations(),
                    outputPadding = adaptor.getOutputPadding();
  if (failed(checkSpatialAttr(strides, "strides", spatial, 1, err)) ||
      failed(checkSpatialAttr(dilations, "dilations", spatial, 1, err)) ||
      failed(checkSpatialAttr(pads, "pads", 2 * spatial, 0, err)) ||
      failed(
          checkSpatialAttr(outputPadding, "output_padding", spatial, 0, err)))
    return failure();
  SmallVector<int64_t> shape = {dimOf(*input, 0), outChannels};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = dimOf(*input, i + 2), kernel = dimOf(*weight, i + 2);
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel)) {
      shape.push_back(kDynamic);
      continue;
    }
    int64_t stride = strides.empty() ? 1 : strides[i];
    int64_t dilation = dilations.empty() ? 1 : dilations[i];
    int64_t out = 0;
    bool overflow = llvm::MulOverflow(stride, in - 1, out) ||
                    llvm::AddOverflow(
                        out, outputPadding.empty() ? 0 : outputPadding[i], out);
    int64_t span = 0;
    overflow |= llvm::MulOverflow(dilation, kernel - 1, span) ||
                llvm::AddOverflow(out, span + 1, out);
    if (!pads.empty())
      out -= pads[i] + pads[i + spatial];
    if (overflow || out < 0)
      return err << "spatial dimension " << i << " of size " << in
                 << " gives no valid output size with these strides, "
                    "dilations and pads";
    shape.push_back(out);
  }
  pushTensor(types, shape, input->getElementType());
  return success();
}

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  if (!adaptor.getNumHeadsAttr())
    return err << "requires attribute 'num_heads'";
  int64_t heads = adaptor.getNumHeadsAttr().getInt();
  if (heads <= 0)
    return err << "num_heads must be positive, got " << heads;
  auto q = rankedWithRank(adaptor.getQuery(), "query", 3, 4, err);
  if (failed(q))
    return failure();
  int64_t rank = q->getRank();
  auto k = rankedWithRank(adaptor.getKey(), "key", rank, rank, err);
  if (failed(k))
    return failure();
  auto v = rankedWithRank(adaptor.getValue(), "value", rank, rank, err);
  if (failed(v))
    return failure();

  int64_t seqDim = rank == 3 ? 1 : 2, featDim = rank - 1;
  int64_t batch =
      mergeDims(mergeDims(dimOf(*q, 0), dimOf(*k, 0)), dimOf(*v, 0));
  if (!dimsAgree(dimOf(*q, 0), dimOf(*k, 0)) ||
      !dimsAgree(dimOf(*k, 0), dimOf(*v, 0)) ||
      !dimsAgree(dimOf(*q, 0), dimOf(*v, 0)))
    return err << "batch dimensions differ: query "
               << formatShape(q->getShape()) << ", key "
               << formatShape(k->getShape()) << ", value "
               << formatShape(v->getShape());
  if (!dimsAgree(dimOf(*k, seqDim), dimOf(*v, seqDim)))
    return err << "key and value sequence lengths differ: "
               << formatShape(k->getShape()) << " and "
               << formatShape(v->getShape());
  if (!dimsAgree(dimOf(*q, featDim), dimOf(*k, featDim)))
    return err << "query and key feature sizes differ: "
               << formatShape(q->getShape()) << " and "
               << formatShape(k->getShape());
  std::pair<StringRef, RankedTensorType> operands[] = {
      {"query", *q}, {"key", *k}, {"value", *v}};
  if (rank == 3) {
    for (auto [name, type] : operands) {
      int64_t features = dimOf(type, featDim);
      if (!ShapedType::isDynamic(features) && features % heads != 0)
        return err << name << " feature size " << features
                   << " is not divisible by num_heads (" << heads << ")";
    }
  } else {
    for (auto [name, type] : operands)
      if (!dimsAgree(dimOf(type, 1), heads))
        return err << name << " has " << dimOf(type, 1)
                   << " heads in dimension 1, num_heads is " << heads;
  }
  if (Value mask = adaptor.getMask()) {
    auto maskType = ranked(mask, "mask", err);
    if (failed(maskType))
      return failure();
    // A boolean mask selects; a float one, of any float type (f32 beside
    // f16 operands keeps a large negative fill finite), is added to the
    // scores, which are f32 in the kernel.
    Type maskElement = maskType->getElementType();
    if (!maskElement.isInteger(1) && !isa<FloatType>(maskElement))
      return err << "operand 'mask' has element type " << maskElement
                 << ", expected i1 or a float type";
    SmallVector<int64_t> scores = {batch, heads, dimOf(*q, seqDim),
                                   dimOf(*k, seqDim)};
    if (!broadcastsTo(maskType->getShape(), scores))
      return err << "mask (" << formatShape(maskType->getShape())
                 << ") does not broadcast to the attention scores "
                 << formatShape(scores);
  }
  if (Value lengths = adaptor.getKvLengths()) {
    auto lengthsType = ranked(lengths, "kv_lengths", err);
    if (failed(lengthsType))
      return failure();
    if (lengthsType->getRank() != 1 ||
        !lengthsType->getElementType().isInteger() ||
        !dimsAgree(dimOf(*lengthsType, 0), batch))
      return err << "kv_lengths must be an integer vector of the batch size ("
                 << formatShape({batch}) << "), got "
                 << formatShape(lengthsType->getShape()) << "x"
                 << lengthsType->getElementType();
  }
  SmallVector<int64_t> shape(q->getShape());
  shape[0] = batch;
  shape[featDim] = dimOf(*v, featDim);
  pushTensor(types, shape, q->getElementType());
  if (adaptor.getReturnScoresAttr())
    pushTensor(types, {batch, heads, dimOf(*q, seqDim), dimOf(*k, seqDim)},
               q->getElementType());
  return success();
}

LogicalResult AttentionOp::verify() {
  // I64Attr's getters are unsigned: read the signed value off the attribute.
  for (auto [name, window] : {std::pair{"window_left", getWindowLeftAttr()},
                              std::pair{"window_right", getWindowRightAttr()}})
    if (window && window.getInt() < 0)
      return emitOpError() << name << " must be non-negative, got "
                           << window.getInt();
  if (getQueryOffsetAttr() && getBottomRight())
    return emitOpError("query_offset and bottom_right exclude each other");
  if (std::optional<APFloat> scale = getScale()) {
    double s = scale->convertToDouble();
    if (!std::isfinite(s) || s <= 0)
      return emitOpError("scale must be positive and finite, got ")
             << formatNumber(s);
  }
  if (std::optional<APFloat> softcap = getSoftcap()) {
    double c = softcap->convertToDouble();
    if (!std::isfinite(c) || c <= 0)
      return emitOpError("softcap must be positive and finite, got ")
             << formatNumber(c);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling, reductions and normalisations
//===----------------------------------------------------------------------===//

template <typename PoolOp>
static LogicalResult inferPool(std::optional<Location> location,
                               typename PoolOp::Adaptor adaptor,
                               SmallVectorImpl<Type> &types) {
  ShapeError err(location, PoolOp::getOperationName());
  if (!adaptor.getKernelShapeAttr())
    return err << "requires attribute 'kernel_shape'";
  auto input = rankedWithRank(adaptor.getInput(), "input", 3, kAnyRank, err);
  if (failed(input))
    return failure();
  ArrayRef<int64_t> kernel = adaptor.getKernelShape();
  if (failed(checkSpatialAttr(kernel, "kernel_shape", input->getRank() - 2, 1,
                              err)))
    return failure();
  if (kernel.empty())
    return err << "'kernel_shape' must have one entry per spatial dimension";
  SmallVector<int64_t> shape = {dimOf(*input, 0), dimOf(*input, 1)};
  if (failed(inferWindowShape(*input, kernel, adaptor.getStrides(),
                              adaptor.getPads(), adaptor.getDilations(),
                              adaptor.getCeilMode(), shape, err)))
    return failure();
  pushTensor(types, shape, input->getElementType());
  return success();
}

static LogicalResult inferGlobalPool(std::optional<Location> location,
                                     StringRef opName, Value inputValue,
                                     SmallVectorImpl<Type> &types) {
  ShapeError err(location, opName);
  auto input = rankedWithRank(inputValue, "input", 3, kAnyRank, err);
  if (failed(input))
    return failure();
  SmallVector<int64_t> shape(input->getRank(), 1);
  shape[0] = dimOf(*input, 0);
  shape[1] = dimOf(*input, 1);
  pushTensor(types, shape, input->getElementType());
  return success();
}

static LogicalResult inferReduce(std::optional<Location> location,
                                 StringRef opName, Value inputValue,
                                 ArrayRef<int64_t> axes, bool keepdims,
                                 SmallVectorImpl<Type> &types) {
  ShapeError err(location, opName);
  auto input = ranked(inputValue, "input", err);
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  if (!areValidAxes(axes, rank))
    return err << "axes " << formatList(axes) << " must be distinct and in [0, "
               << rank << ")";
  llvm::SmallBitVector reduced(rank, axes.empty());
  for (int64_t axis : axes)
    reduced.set(axis);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced.test(i))
      shape.push_back(dimOf(*input, i));
    else if (keepdims)
      shape.push_back(1);
  }
  pushTensor(types, shape, input->getElementType());
  return success();
}

static LogicalResult inferArgReduce(MLIRContext *context,
                                    std::optional<Location> location,
                                    StringRef opName, Value inputValue,
                                    int64_t axis, bool keepdims,
                                    SmallVectorImpl<Type> &types) {
  ShapeError err(location, opName);
  auto input = ranked(inputValue, "input", err);
  if (failed(input) || failed(checkAxis(axis, input->getRank(), err)))
    return failure();
  SmallVector<int64_t> shape(input->getShape());
  if (keepdims)
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  pushTensor(types, shape, IntegerType::get(context, 64));
  return success();
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  if (!adaptor.getKAttr())
    return err << "requires attribute 'k'";
  auto input = ranked(adaptor.getInput(), "input", err);
  int64_t axis = adaptor.getAxis(), k = adaptor.getKAttr().getInt();
  if (failed(input) || failed(checkAxis(axis, input->getRank(), err)))
    return failure();
  int64_t dim = input->getDimSize(axis);
  if (k < 0 || (!ShapedType::isDynamic(dim) && k > dim))
    return err << "k = " << k << " is not in [0, " << formatShape(dim)
               << "], the size of dimension " << axis;
  SmallVector<int64_t> shape(input->getShape());
  shape[axis] = k;
  pushTensor(types, shape, input->getElementType());
  pushTensor(types, shape, IntegerType::get(context, 64));
  return success();
}

/// Ops whose result has the input's type and that work along one axis
/// (softmax, log_softmax, cumsum).
static LogicalResult inferAlongAxis(std::optional<Location> location,
                                    StringRef opName, Value inputValue,
                                    int64_t axis,
                                    SmallVectorImpl<Type> &types) {
  ShapeError err(location, opName);
  auto input = ranked(inputValue, "input", err);
  if (failed(input) || failed(checkAxis(axis, input->getRank(), err)))
    return failure();
  types.push_back(*input);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = ranked(adaptor.getInput(), "input", err);
  if (failed(input))
    return failure();
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(axis, input->getRank(), err)))
    return failure();
  ArrayRef<int64_t> normalized = input->getShape().drop_front(axis);
  std::pair<StringRef, Value> params[] = {{"scale", adaptor.getScale()},
                                          {"bias", adaptor.getBias()}};
  for (auto [name, value] : params) {
    if (!value)
      continue;
    if (failed(checkElementType(value, name, input->getElementType(), err)))
      return failure();
    auto param = ranked(value, name, err);
    if (failed(param))
      return failure();
    if (!broadcastsTo(param->getShape(), normalized))
      return err << name << " (" << formatShape(param->getShape())
                 << ") does not broadcast to the normalised shape "
                 << formatShape(normalized);
  }
  types.push_back(*input);
  return success();
}

/// Checks that every per-channel parameter of a batch / instance norm is [C].
static LogicalResult
checkChannelParams(RankedTensorType input,
                   ArrayRef<std::pair<StringRef, Value>> params,
                   ShapeError &err) {
  int64_t channels = input.getDimSize(1);
  for (auto [name, value] : params) {
    auto param = rankedWithRank(value, name, 1, 1, err);
    if (failed(param))
      return failure();
    if (!dimsAgree(param->getDimSize(0), channels))
      return err << name << " has " << param->getDimSize(0)
                 << " elements, the input has " << channels << " channels";
  }
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = rankedWithRank(adaptor.getInput(), "input", 2, kAnyRank, err);
  if (failed(input) ||
      failed(checkChannelParams(*input,
                                {{"scale", adaptor.getScale()},
                                 {"bias", adaptor.getBias()},
                                 {"mean", adaptor.getMean()},
                                 {"variance", adaptor.getVariance()}},
                                err)))
    return failure();
  types.push_back(*input);
  return success();
}

LogicalResult InstanceNormOp::inferReturnTypes(MLIRContext *context,
                                               std::optional<Location> location,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = rankedWithRank(adaptor.getInput(), "input", 3, kAnyRank, err);
  if (failed(input) ||
      failed(checkChannelParams(
          *input, {{"scale", adaptor.getScale()}, {"bias", adaptor.getBias()}},
          err)))
    return failure();
  types.push_back(*input);
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult CastOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = ranked(adaptor.getInput(), "input", err);
  if (failed(input))
    return failure();
  Type to = adaptor.getTo();
  if (!isa_and_nonnull<FloatType, IntegerType>(to))
    return err << "'to' must be an integer or floating-point element type, "
                  "got "
               << to;
  types.push_back(input->clone(to));
  return success();
}

LogicalResult BitCastOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = ranked(adaptor.getInput(), "input", err);
  if (failed(input))
    return failure();
  // The generic form can leave `to` out; getTo() would dereference null.
  TypeAttr toAttr = adaptor.getToAttr();
  if (!toAttr)
    return err << "requires attribute 'to'";
  Type from = input->getElementType(), to = toAttr.getValue();
  if (!isa_and_nonnull<FloatType, IntegerType>(to))
    return err << "'to' must be an integer or floating-point element type, "
                  "got "
               << to;
  if (!from.isIntOrFloat())
    return err << "operand 'input' has element type " << from
               << ", expected an integer or floating-point type";
  // An ONNX bool is stored in one byte, so it pairs with the 8-bit integers.
  auto storageBits = [](Type type) {
    unsigned bits = type.getIntOrFloatBitWidth();
    return bits == 1 ? 8u : bits;
  };
  bool boolWithFloat = (from.isInteger(1) && isa<FloatType>(to)) ||
                       (to.isInteger(1) && isa<FloatType>(from));
  if (storageBits(from) != storageBits(to) || boolWithFloat)
    return err << "cannot reinterpret " << from << " as " << to
               << ": the bit widths differ";
  types.push_back(input->clone(to));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return err << "needs at least one input";
  auto first = ranked(inputs.front(), "input #0", err);
  if (failed(first))
    return failure();
  int64_t rank = first->getRank(), axis = adaptor.getAxis();
  if (failed(checkAxis(axis, rank, err)))
    return failure();
  SmallVector<int64_t> shape(first->getShape());
  for (auto [i, value] : llvm::enumerate(inputs.drop_front())) {
    auto type = ranked(value, "input #" + std::to_string(i + 1), err);
    if (failed(type))
      return failure();
    if (type->getRank() != rank)
      return err << "input #" << i + 1 << " has rank " << type->getRank()
                 << ", input #0 has " << rank;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = type->getDimSize(d);
      if (d == axis) {
        if (ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(size))
          shape[d] = kDynamic;
        else if (llvm::AddOverflow(shape[d], size, shape[d]))
          return err << "the concatenated dimension " << d
                     << " has more elements than int64_t can count";
      } else if (!dimsAgree(shape[d], size)) {
        return err << "input #" << i + 1 << " ("
                   << formatShape(type->getShape())
                   << ") differs from the others in dimension " << d
                   << ", which is not the "
                   << "concatenation axis";
      } else {
        shape[d] = mergeDims(shape[d], size);
      }
    }
  }
  pushTensor(types, shape, first->getElementType());
  return success();
}

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *context,
                                           std::optional<Location> location,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto value = dyn_cast_or_null<ElementsAttr>(adaptor.getValueAttr());
  if (!value || !isa<RankedTensorType>(value.getType()))
    return err << "value must be a ranked tensor elements attribute";
  types.push_back(value.getType());
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = ranked(adaptor.getInput(), "input", err);
  if (failed(input))
    return failure();
  ArrayRef<int64_t> target = adaptor.getShape();
  if (llvm::any_of(target, [](int64_t d) { return d < 0; }))
    return err << "shape " << formatList(target) << " has a negative entry";
  SmallVector<int64_t> shape;
  if (!broadcastShapes(input->getShape(), target, shape))
    return err << "input " << formatShape(input->getShape())
               << " cannot be expanded to " << formatList(target);
  pushTensor(types, shape, input->getElementType());
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto data = rankedWithRank(adaptor.getData(), "data", 1, kAnyRank, err);
  if (failed(data))
    return failure();
  auto indices = ranked(adaptor.getIndices(), "indices", err);
  if (failed(indices))
    return failure();
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(axis, data->getRank(), err)))
    return failure();
  SmallVector<int64_t> shape(data->getShape().take_front(axis));
  llvm::append_range(shape, indices->getShape());
  llvm::append_range(shape, data->getShape().drop_front(axis + 1));
  pushTensor(types, shape, data->getElementType());
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto data = rankedWithRank(adaptor.getData(), "data", 1, kAnyRank, err);
  if (failed(data))
    return failure();
  auto indices = rankedWithRank(adaptor.getIndices(), "indices",
                                data->getRank(), data->getRank(), err);
  if (failed(indices) ||
      failed(checkAxis(adaptor.getAxis(), data->getRank(), err)))
    return failure();
  pushTensor(types, indices->getShape(), data->getElementType());
  return success();
}

/// Scatter ops return `data`'s type; `updates` must fit the indices.
static LogicalResult inferScatter(std::optional<Location> location,
                                  StringRef opName, Value dataValue,
                                  Value indicesValue, Value updatesValue,
                                  std::optional<int64_t> axis,
                                  SmallVectorImpl<Type> &types) {
  ShapeError err(location, opName);
  auto data = rankedWithRank(dataValue, "data", 1, kAnyRank, err);
  if (failed(data))
    return failure();
  auto indices = ranked(indicesValue, "indices", err);
  if (failed(indices))
    return failure();
  auto updates = ranked(updatesValue, "updates", err);
  if (failed(updates))
    return failure();
  SmallVector<int64_t> expected;
  if (axis) { // ScatterElements: updates like indices, both of data's rank.
    if (indices->getRank() != data->getRank())
      return err << "indices must have the rank of data (" << data->getRank()
                 << "), got " << indices->getRank();
    if (failed(checkAxis(*axis, data->getRank(), err)))
      return failure();
    expected.assign(indices->getShape().begin(), indices->getShape().end());
  } else { // ScatterND: updates = indices[:-1] + data[k:].
    int64_t k = indices->getRank() ? indices->getShape().back() : kDynamic;
    if (ShapedType::isDynamic(k) || k < 1 || k > data->getRank())
      return err << "the last dim of indices (" << formatShape(k)
                 << ") must be static and in [1, " << data->getRank() << "]";
    expected.assign(indices->getShape().begin(), indices->getShape().end() - 1);
    llvm::append_range(expected, data->getShape().drop_front(k));
  }
  if (updates->getRank() != static_cast<int64_t>(expected.size()) ||
      !llvm::all_of(llvm::zip_equal(updates->getShape(), expected), [](auto p) {
        return dimsAgree(std::get<0>(p), std::get<1>(p));
      }))
    return err << "updates is " << formatShape(updates->getShape())
               << ", expected " << formatShape(expected);
  types.push_back(*data);
  return success();
}

LogicalResult ScatterElementsOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  return inferScatter(location, getOperationName(), adaptor.getData(),
                      adaptor.getIndices(), adaptor.getUpdates(),
                      static_cast<int64_t>(adaptor.getAxis()), types);
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return inferScatter(location, getOperationName(), adaptor.getData(),
                      adaptor.getIndices(), adaptor.getUpdates(), std::nullopt,
                      types);
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = ranked(adaptor.getInput(), "input", err);
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return err << "'pads' has " << pads.size() << " entries, expected "
               << 2 * rank << " (begin and end of each of " << rank
               << " dimensions)";
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = input->getDimSize(d);
    if (ShapedType::isDynamic(size)) {
      shape.push_back(kDynamic);
      continue;
    }
    int64_t padded;
    if (llvm::AddOverflow(size, pads[d], padded) ||
        llvm::AddOverflow(padded, pads[d + rank], padded))
      return err << "padding " << formatList(pads) << " overflows dimension "
                 << d;
    if (padded < 0)
      return err << "padding " << formatList(pads) << " leaves dimension " << d
                 << " of size " << size << " with a negative size";
    shape.push_back(padded);
  }
  pushTensor(types, shape, input->getElementType());
  return success();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = ranked(adaptor.getInput(), "input", err);
  SmallVector<int64_t> shape;
  if (failed(input) || failed(inferReshapeShape(
                           input->getShape(), adaptor.getShape(), shape, err)))
    return failure();
  pushTensor(types, shape, input->getElementType());
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  if (!adaptor.getScalesAttr())
    return err << "requires attribute 'scales'";
  auto input = ranked(adaptor.getInput(), "input", err);
  if (failed(input))
    return failure();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  ArrayRef<double> scales = adaptor.getScales();
  int64_t rank = input->getRank();
  if (static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(scales.size()) != rank)
    return err << "'sizes' and 'scales' need one entry per dim of the rank-"
               << rank << " input, got " << sizes.size() << " and "
               << scales.size();
  if (llvm::any_of(scales, [](double s) { return !(s > 0); }))
    return err << "'scales' must be positive";
  // The region of interest is what tf_crop_and_resize crops; no other mode
  // reads it, so a stray one would be ignored silently.
  bool crops =
      adaptor.getCoordinateMode() == CoordinateMode::tf_crop_and_resize;
  std::optional<ArrayRef<double>> roi = adaptor.getRoi();
  if (crops != roi.has_value())
    return err << "'roi' is given exactly for coordinate mode "
                  "tf_crop_and_resize";
  if (roi && static_cast<int64_t>(roi->size()) != 2 * rank)
    return err << "'roi' needs " << 2 * rank
               << " entries (starts, then ends), got " << roi->size();
  SmallVector<int64_t> shape;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (size < -1 || (size == -1 && scales[i] != 1.0))
      return err << "'sizes' entry " << size << " at index " << i
                 << " must be a size, or -1 for an unresized dim (scale 1)";
    shape.push_back(size == -1 ? input->getDimSize(i) : size);
  }
  pushTensor(types, shape, input->getElementType());
  return success();
}

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location> location,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = rankedWithRank(adaptor.getInput(), "input", 3, kAnyRank, err);
  if (failed(input))
    return failure();
  int64_t rank = input->getRank(), spatial = rank - 2;
  auto grid = rankedWithRank(adaptor.getGrid(), "grid", rank, rank, err);
  if (failed(grid))
    return failure();
  if (!dimsAgree(dimOf(*input, 0), dimOf(*grid, 0)))
    return err << "'input' and 'grid' disagree in the batch dim ("
               << formatShape(input->getShape()) << " vs "
               << formatShape(grid->getShape()) << ")";
  if (!dimsAgree(dimOf(*grid, rank - 1), spatial))
    return err << "the last dim of 'grid' must be " << spatial
               << ", one coordinate per spatial dim of the input, got "
               << formatShape(grid->getShape());
  SmallVector<int64_t> shape = {mergeDims(dimOf(*input, 0), dimOf(*grid, 0)),
                                dimOf(*input, 1)};
  for (int64_t d = 1; d <= spatial; ++d)
    shape.push_back(dimOf(*grid, d));
  pushTensor(types, shape, input->getElementType());
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  if (!adaptor.getStartsAttr() || !adaptor.getEndsAttr())
    return err << "requires attributes 'starts' and 'ends'";
  auto input = ranked(adaptor.getInput(), "input", err);
  if (failed(input))
    return failure();
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds();
  ArrayRef<int64_t> axes = adaptor.getAxes(), steps = adaptor.getSteps();
  int64_t rank = input->getRank();
  if (starts.size() != ends.size())
    return err << "'starts' has " << starts.size() << " entries, 'ends' has "
               << ends.size();
  if (!axes.empty() && axes.size() != starts.size())
    return err << "'axes' has " << axes.size() << " entries, 'starts' has "
               << starts.size();
  if (!steps.empty() && steps.size() != starts.size())
    return err << "'steps' has " << steps.size() << " entries, 'starts' has "
               << starts.size();
  if (axes.empty() && static_cast<int64_t>(starts.size()) > rank)
    return err << "slices " << starts.size() << " axes of a rank-" << rank
               << " input";
  if (!axes.empty() && !areValidAxes(axes, rank))
    return err << "axes " << formatList(axes) << " must be distinct and in [0, "
               << rank << ")";
  if (llvm::is_contained(steps, 0))
    return err << "'steps' must not contain 0";
  SmallVector<int64_t> shape(input->getShape());
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = axes.empty() ? i : axes[i];
    int64_t dim = shape[axis];
    shape[axis] = ShapedType::isDynamic(dim)
                      ? kDynamic
                      : sliceLength(dim, starts[i], ends[i],
                                    steps.empty() ? 1 : steps[i]);
  }
  pushTensor(types, shape, input->getElementType());
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = ranked(adaptor.getInput(), "input", err);
  if (failed(input))
    return failure();
  int64_t axis = adaptor.getAxis();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  if (failed(checkAxis(axis, input->getRank(), err)))
    return failure();
  if (sizes.empty())
    return err << "'sizes' must not be empty";
  if (llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
    return err << "'sizes' " << formatList(sizes) << " has a negative entry";
  int64_t total = std::accumulate(sizes.begin(), sizes.end(), int64_t(0));
  int64_t dim = input->getDimSize(axis);
  if (!dimsAgree(dim, total))
    return err << "'sizes' " << formatList(sizes) << " add up to " << total
               << ", dimension " << axis << " has size " << dim;
  for (int64_t size : sizes) {
    SmallVector<int64_t> shape(input->getShape());
    shape[axis] = size;
    pushTensor(types, shape, input->getElementType());
  }
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  auto input = ranked(adaptor.getInput(), "input", err);
  if (failed(input))
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (!isPermutation(perm, input->getRank()))
    return err << "perm " << formatList(perm) << " is not a permutation of the "
               << input->getRank() << " dimensions";
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(input->getDimSize(p));
  pushTensor(types, shape, input->getElementType());
  return success();
}

//===----------------------------------------------------------------------===//
// Recurrences
//===----------------------------------------------------------------------===//

/// Shapes shared by LSTM and GRU: checks the operands against the ONNX layout
/// and produces Y [seq, dirs, batch, hidden] and `numStates` final states
/// [dirs, batch, hidden].
static LogicalResult
inferRnn(std::optional<Location> location, StringRef opName, int64_t gates,
         Value x, Value w, Value r, Value bias,
         ArrayRef<std::pair<StringRef, Value>> initialStates,
         IntegerAttr hiddenSize, RnnDirection direction, unsigned numStates,
         SmallVectorImpl<Type> &types, Value sequenceLens,
         Value peepholes = nullptr) {
  ShapeError err(location, opName);
  if (!hiddenSize)
    return err << "requires attribute 'hidden_size'";
  int64_t hidden = hiddenSize.getInt(), gateRows, biasRows;
  if (hidden <= 0 || llvm::MulOverflow(gates, hidden, gateRows) ||
      llvm::MulOverflow(gateRows, int64_t(2), biasRows))
    return err << "hidden_size " << hidden << " is out of range";
  auto xType = rankedWithRank(x, "x", 3, 3, err);
  if (failed(xType))
    return failure();
  Type element = xType->getElementType();
  std::pair<StringRef, Value> weights[] = {{"w", w}, {"r", r}, {"bias", bias}};
  for (auto [name, value] : weights)
    if (failed(checkElementType(value, name, element, err)))
      return failure();
  for (auto [name, value] : initialStates)
    if (failed(checkElementType(value, name, element, err)))
      return failure();
  auto wType = rankedWithRank(w, "w", 3, 3, err);
  if (failed(wType))
    return failure();
  auto rType = rankedWithRank(r, "r", 3, 3, err);
  if (failed(rType))
    return failure();
  int64_t dirs = direction == RnnDirection::bidirectional ? 2 : 1;
  int64_t seq = xType->getDimSize(0), batch = xType->getDimSize(1);
  auto expect = [&](StringRef name, RankedTensorType type,
                    ArrayRef<int64_t> expected) -> LogicalResult {
    if (type.getRank() == static_cast<int64_t>(expected.size()) &&
        llvm::all_of(llvm::zip_equal(type.getShape(), expected), [](auto p) {
          return dimsAgree(std::get<0>(p), std::get<1>(p));
        }))
      return success();
    return err << "operand '" << name << "' is " << formatShape(type.getShape())
               << ", expected " << formatShape(expected) << " (" << dirs
               << " direction" << (dirs == 1 ? "" : "s") << ", hidden_size "
               << hidden << ")";
  };
  if (failed(expect("w", *wType, {dirs, gateRows, xType->getDimSize(2)})) ||
      failed(expect("r", *rType, {dirs, gateRows, hidden})))
    return failure();
  if (bias) {
    auto bType = ranked(bias, "bias", err);
    if (failed(bType) || failed(expect("bias", *bType, {dirs, biasRows})))
      return failure();
  }
  for (auto [name, value] : initialStates) {
    if (!value)
      continue;
    auto type = ranked(value, name, err);
    if (failed(type) || failed(expect(name, *type, {dirs, batch, hidden})))
      return failure();
  }
  if (peepholes) {
    if (failed(checkElementType(peepholes, "peepholes", element, err)))
      return failure();
    auto type = ranked(peepholes, "peepholes", err);
    if (failed(type) || failed(expect("peepholes", *type, {dirs, 3 * hidden})))
      return failure();
  }
  if (sequenceLens) {
    auto type = ranked(sequenceLens, "sequence_lens", err);
    if (failed(type))
      return failure();
    if (type->getRank() != 1 || !dimsAgree(type->getDimSize(0), batch))
      return err << "operand 'sequence_lens' is "
                 << formatShape(type->getShape()) << ", expected "
                 << formatShape({batch}) << " (one length per batch entry)";
  }
  pushTensor(types, {seq, dirs, batch, hidden}, element);
  for (unsigned i = 0; i < numStates; ++i)
    pushTensor(types, {dirs, batch, hidden}, element);
  return success();
}

LogicalResult LstmOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  return inferRnn(location, getOperationName(), kGates, adaptor.getX(),
                  adaptor.getW(), adaptor.getR(), adaptor.getBias(),
                  {{"initial_h", adaptor.getInitialH()},
                   {"initial_c", adaptor.getInitialC()}},
                  adaptor.getHiddenSizeAttr(), adaptor.getDirection(),
                  /*numStates=*/2, types, adaptor.getSequenceLens(),
                  adaptor.getPeepholes());
}

LogicalResult GruOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  return inferRnn(location, getOperationName(), kGates, adaptor.getX(),
                  adaptor.getW(), adaptor.getR(), adaptor.getBias(),
                  {{"initial_h", adaptor.getInitialH()}},
                  adaptor.getHiddenSizeAttr(), adaptor.getDirection(),
                  /*numStates=*/1, types, adaptor.getSequenceLens());
}

LogicalResult SimpleRnnOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return inferRnn(location, getOperationName(), kGates, adaptor.getX(),
                  adaptor.getW(), adaptor.getR(), adaptor.getBias(),
                  {{"initial_h", adaptor.getInitialH()}},
                  adaptor.getHiddenSizeAttr(), adaptor.getDirection(),
                  /*numStates=*/1, types, adaptor.getSequenceLens());
}

LogicalResult LinearAttentionOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  ShapeError err(location, getOperationName());
  if (!adaptor.getQNumHeadsAttr() || !adaptor.getKvNumHeadsAttr() ||
      !adaptor.getUpdateRuleAttr())
    return err << "requires attributes 'q_num_heads', 'kv_num_heads' and "
                  "'update_rule'";
  int64_t heads = adaptor.getQNumHeadsAttr().getInt();
  int64_t kvHeads = adaptor.getKvNumHeadsAttr().getInt();
  if (heads <= 0 || kvHeads <= 0 || heads % kvHeads)
    return err << "q_num_heads (" << heads
               << ") must be a positive multiple of kv_num_heads (" << kvHeads
               << ")";
  auto q = rankedWithRank(adaptor.getQuery(), "query", 3, 3, err);
  auto k = rankedWithRank(adaptor.getKey(), "key", 3, 3, err);
  auto v = rankedWithRank(adaptor.getValue(), "value", 3, 3, err);
  if (failed(q) || failed(k) || failed(v))
    return failure();
  int64_t batch = dimOf(*q, 0), steps = dimOf(*q, 1);
  for (RankedTensorType other : {*k, *v}) {
    if (!dimsAgree(batch, dimOf(other, 0)) ||
        !dimsAgree(steps, dimOf(other, 1)))
      return err << "query, key and value must agree in batch and length, got "
                 << formatShape(q->getShape()) << ", "
                 << formatShape(k->getShape()) << " and "
                 << formatShape(v->getShape());
    batch = mergeDims(batch, dimOf(other, 0));
    steps = mergeDims(steps, dimOf(other, 1));
  }
  int64_t qFeatures = dimOf(*q, 2), kFeatures = dimOf(*k, 2),
          vFeatures = dimOf(*v, 2);
  if (ShapedType::isDynamic(qFeatures) || ShapedType::isDynamic(kFeatures) ||
      ShapedType::isDynamic(vFeatures))
    return err << "needs static feature sizes, got "
               << formatShape(q->getShape()) << ", "
               << formatShape(k->getShape()) << " and "
               << formatShape(v->getShape());
  if (qFeatures % heads || kFeatures != qFeatures / heads * kvHeads ||
      vFeatures % kvHeads)
    return err << "query [B, T, " << heads << " * Dk], key [B, T, " << kvHeads
               << " * Dk] and value [B, T, " << kvHeads
               << " * Dv] do not fit: " << formatShape(q->getShape()) << ", "
               << formatShape(k->getShape()) << " and "
               << formatShape(v->getShape());
  int64_t keyDepth = qFeatures / heads, valueDepth = vFeatures / kvHeads;
  LinearAttentionRule rule = adaptor.getUpdateRule();
  bool gated = rule == LinearAttentionRule::gated ||
               rule == LinearAttentionRule::gated_delta;
  bool delta = rule == LinearAttentionRule::delta ||
               rule == LinearAttentionRule::gated_delta;
  Type element = q->getElementType();
  // Each of decay and beta: needed by its rules, refused by the others, and
  // [B, T, n] with n one of `widths`.
  auto checkGate = [&](Value gate, StringRef name, bool needed,
                       ArrayRef<int64_t> widths) -> LogicalResult {
    if (!gate) {
      if (needed)
        return err << "update rule " << stringifyLinearAttentionRule(rule)
                   << " needs " << name;
      return success();
    }
    if (!needed)
      return err << "update rule " << stringifyLinearAttentionRule(rule)
                 << " takes no " << name;
    auto type = rankedWithRank(gate, name, 3, 3, err);
    if (failed(type) || failed(checkElementType(gate, name, element, err)))
      return failure();
    if (!dimsAgree(batch, dimOf(*type, 0)) ||
        !dimsAgree(steps, dimOf(*type, 1)) ||
        !llvm::is_contained(widths, dimOf(*type, 2)))
      return err << name << " must be [B, T, " << widths[0] << "] or [B, T, "
                 << widths[1] << "], got " << formatShape(type->getShape());
    return success();
  };
  if (failed(checkGate(adaptor.getDecay(), "decay", gated,
                       {kvHeads, kvHeads * keyDepth})) ||
      failed(checkGate(adaptor.getBeta(), "beta", delta, {kvHeads, 1})))
    return failure();
  Type stateElement = element;
  SmallVector<int64_t> state = {batch, kvHeads, keyDepth, valueDepth};
  if (Value initial = adaptor.getInitialState()) {
    auto type = rankedWithRank(initial, "initial_state", 4, 4, err);
    if (failed(type))
      return failure();
    for (int64_t i = 0; i < 4; ++i)
      if (!dimsAgree(state[i], dimOf(*type, i)))
        return err << "initial_state must be [B, Hkv, Dk, Dv] = "
                   << formatShape(state) << ", got "
                   << formatShape(type->getShape());
    state[0] = mergeDims(batch, dimOf(*type, 0));
    stateElement = type->getElementType();
  }
  pushTensor(types, {state[0], steps, heads * valueDepth}, element);
  pushTensor(types, state, stateElement);
  return success();
}

LogicalResult LinearAttentionOp::verify() {
  if (std::optional<APFloat> scale = getScale()) {
    double s = scale->convertToDouble();
    if (!std::isfinite(s) || s <= 0)
      return emitOpError("scale must be positive and finite, got ")
             << formatNumber(s);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Fusion groups
//===----------------------------------------------------------------------===//

/// The family as a bare word (`dsr1.fusion gemm (...)`), as every enum of the
/// dialect reads in an op.
static ParseResult parseFusionFamily(OpAsmParser &parser,
                                     FusionFamilyAttr &family) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef word;
  if (parser.parseKeyword(&word))
    return failure();
  std::optional<FusionFamily> value = symbolizeFusionFamily(word);
  if (!value)
    return parser.emitError(loc) << "unknown fusion family '" << word << "'";
  family = FusionFamilyAttr::get(parser.getContext(), *value);
  return success();
}

static void printFusionFamily(OpAsmPrinter &printer, Operation *,
                              FusionFamilyAttr family) {
  printer << stringifyFusionFamily(family.getValue());
}

YieldOp FusionOp::getYield() {
  return cast<YieldOp>(getBodyBlock().getTerminator());
}

LogicalResult FusionOp::verify() {
  Block &body = getBodyBlock();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError() << "has " << getInputs().size()
                         << " operands but its body takes "
                         << body.getNumArguments() << " arguments";
  for (auto [i, input, argument] :
       llvm::enumerate(getInputs(), body.getArguments()))
    if (input.getType() != argument.getType())
      return emitOpError() << "operand " << i << " has type " << input.getType()
                           << " but its body argument has "
                           << argument.getType();
  return success();
}

LogicalResult FusionOp::verifyRegions() {
  Block &body = getBodyBlock();
  auto yield = dyn_cast_or_null<YieldOp>(body.empty() ? nullptr : &body.back());
  if (!yield)
    return emitOpError() << "body must end in 'dsr1.yield'";
  if (&body.front() == yield.getOperation())
    return emitOpError() << "groups no op";
  for (Operation &op : body.without_terminator()) {
    if (!isa<DSR1Dialect>(op.getDialect()))
      return op.emitOpError() << "cannot be part of a 'dsr1.fusion' group "
                                 "(only dsr1 ops can)";
    if (isa<FusionOp>(op))
      return op.emitOpError() << "cannot be nested in another group";
  }
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError() << "yields " << yield.getValues().size()
                         << " values of types " << yield.getValues().getTypes()
                         << " but has results of types " << getResultTypes();
  return success();
}

/// A group of one op (or none, once folding has emptied it) is no group:
/// its op goes back to the graph, where it is a kernel of its own.
LogicalResult FusionOp::canonicalize(FusionOp op, PatternRewriter &rewriter) {
  Block &body = op.getBodyBlock();
  if (std::distance(body.begin(), body.end()) > 2)
    return failure();
  IRMapping mapping;
  mapping.map(body.getArguments(), op.getInputs());
  for (Operation &inner : body.without_terminator())
    rewriter.clone(inner, mapping);
  SmallVector<Value> results;
  for (Value value : op.getYield().getValues())
    results.push_back(mapping.lookupOrDefault(value));
  rewriter.replaceOp(op, results);
  return success();
}

#define GET_OP_CLASSES
#include "compiler/dialects/dsr1/DSR1Ops.cpp.inc"
