//===- TensorImporters.cpp - ONNX data movement and shape ops into dsr1
//-----===//
//
// Constant, the shape subgraph ops (Shape, Size, ConstantOfShape, Range,
// Gather, Unsqueeze, Squeeze, Concat, Slice, Expand), Reshape, Flatten,
// Transpose, Split, Pad, CenterCropPad, ReverseSequence, the window functions
// and Trilu. Shape computations fold to constants when
// the shapes they read are static.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/NodeImporter.h"

#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;

namespace dsr1::onnx_frontend {
namespace {

Value i64Constant(NodeContext &ctx, ArrayRef<int64_t> values,
                  bool scalar = false) {
  auto type = RankedTensorType::get(
      scalar ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{(int64_t)values.size()},
      ctx.builder.getI64Type());
  return ctx.constant(DenseElementsAttr::get(type, values));
}

} // namespace

FailureOr<Value> reshapeTo(NodeContext &ctx, Value x, ArrayRef<int64_t> target,
                           ArrayRef<int64_t> sourceIndex) {
  if (!x)
    return failure(); // An earlier build of this node failed and said why.
  ArrayRef<int64_t> in = NodeContext::typeOf(x).getShape();
  SmallVector<int64_t> shape;
  bool inferredUsed = false;
  if (llvm::is_contained(target, 0) || llvm::is_contained(in, 0))
    return ctx.error() << "empty tensors (a dim of size 0) are not supported";
  for (auto [j, d] : llvm::enumerate(target)) {
    if (!ShapedType::isDynamic(d)) {
      shape.push_back(d);
    } else if (sourceIndex[j] == static_cast<int64_t>(j) && j < in.size()) {
      shape.push_back(0);
    } else if (!inferredUsed) {
      shape.push_back(-1);
      inferredUsed = true;
    } else {
      return ctx.error() << "needs static dims to express the result shape "
                         << formatShape(target) << " of input "
                         << formatShape(in)
                         << " (pin them with --input-shape / --dim)";
    }
  }
  return ctx.create<ReshapeOp>(x, shape);
}

FailureOr<Value> insertUnitDims(NodeContext &ctx, Value x,
                                ArrayRef<int64_t> axes) {
  ArrayRef<int64_t> in = NodeContext::typeOf(x).getShape();
  int64_t outRank = in.size() + axes.size();
  SmallVector<int64_t> target, source;
  for (int64_t j = 0, i = 0; j < outRank; ++j) {
    if (llvm::is_contained(axes, j)) {
      target.push_back(1);
      source.push_back(-1);
    } else {
      target.push_back(in[i]);
      source.push_back(i++);
    }
  }
  return reshapeTo(ctx, x, target, source);
}

FailureOr<Value> dropUnitDims(NodeContext &ctx, Value x,
                              ArrayRef<int64_t> axes) {
  SmallVector<int64_t> target, source;
  for (auto [i, d] : llvm::enumerate(NodeContext::typeOf(x).getShape())) {
    if (llvm::is_contained(axes, static_cast<int64_t>(i))) {
      if (!ShapedType::isDynamic(d) && d != 1)
        return ctx.error() << "cannot squeeze dim " << i << " of size " << d;
      continue;
    }
    target.push_back(d);
    source.push_back(i);
  }
  return reshapeTo(ctx, x, target, source);
}

namespace {

LogicalResult importConstant(NodeContext &ctx) {
  Builder &b = ctx.builder;
  if (ctx.node.attribute_size() != 1)
    return ctx.error() << "needs exactly one value attribute";
  const onnx::AttributeProto &a = *ctx.attr(ctx.node.attribute(0).name());
  auto make = [&](Type element, auto values, bool scalar) -> LogicalResult {
    SmallVector<int64_t> shape;
    if (!scalar)
      shape.push_back(values.size());
    return ctx.setResults(ctx.constant(DenseElementsAttr::get(
        RankedTensorType::get(shape, element), ArrayRef(values))));
  };
  if (a.name() == "value") {
    FailureOr<ElementsAttr> value = ctx.tensorAttr(a.t());
    if (failed(value))
      return failure();
    return ctx.setResults(
        ConstantOp::create(ctx.builder, ctx.loc, *value).getResult());
  }
  if (a.name() == "value_float")
    return make(b.getF32Type(), SmallVector<float>{a.f()}, true);
  if (a.name() == "value_floats")
    return make(b.getF32Type(),
                SmallVector<float>(a.floats().begin(), a.floats().end()),
                false);
  if (a.name() == "value_int")
    return make(b.getI64Type(), SmallVector<int64_t>{a.i()}, true);
  if (a.name() == "value_ints")
    return make(b.getI64Type(),
                SmallVector<int64_t>(a.ints().begin(), a.ints().end()), false);
  return ctx.error() << "attribute '" << a.name()
                     << "' is not supported (strings and sparse tensors)";
}

LogicalResult importShape(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = NodeContext::typeOf(*x).getShape();
  int64_t rank = shape.size();
  int64_t start = ctx.intAttr("start", 0), end = ctx.intAttr("end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  ArrayRef<int64_t> dims =
      end > start ? shape.slice(start, end - start) : ArrayRef<int64_t>();
  if (!ShapedType::isStaticShape(dims))
    return ctx.error() << "the shape " << formatShape(shape)
                       << " has dynamic dims; dsr1 folds Shape at compile "
                          "time: pin them with --input-shape or --dim";
  return ctx.setResults(i64Constant(ctx, dims));
}

LogicalResult importSize(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  if (!type.hasStaticShape())
    return ctx.error() << "needs a static shape, got "
                       << formatShape(type.getShape());
  return ctx.setResults(i64Constant(ctx, {type.getNumElements()}, true));
}

LogicalResult importConstantOfShape(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> shape = ctx.constantInts(0, "shape");
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }) ||
      !checkedProduct(*shape))
    return ctx.error() << "shape " << formatList(*shape)
                       << " has a negative dim or too many elements";
  Attribute element = FloatAttr::get(ctx.builder.getF32Type(), 0.0);
  if (const onnx::AttributeProto *value = ctx.attr("value")) {
    FailureOr<ElementsAttr> attr = ctx.tensorAttr(value->t());
    if (failed(attr))
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(*attr);
    if (!dense || dense.getNumElements() != 1)
      return ctx.error() << "value must hold one element";
    element = dense.getSplatValue<Attribute>();
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(element).getType());
  return ctx.setResults(ctx.constant(DenseElementsAttr::get(type, element)));
}

LogicalResult importRange(NodeContext &ctx) {
  Value startValue = ctx.input(0);
  if (!startValue)
    return ctx.error() << "needs start, limit and delta";
  Type element = NodeContext::typeOf(startValue).getElementType();
  // The range becomes a constant; a huge one would exhaust memory.
  constexpr int64_t kMaxRange = NodeContext::kMaxBuiltElements;
  if (isa<IntegerType>(element)) {
    // Integers exactly, in int64 with no overflow (|values| <= 2^62).
    FailureOr<int64_t> start = ctx.constantIndex(0, "start"),
                       limit = ctx.constantIndex(1, "limit"),
                       delta = ctx.constantIndex(2, "delta");
    if (failed(start) || failed(limit) || failed(delta))
      return failure();
    if (*delta == 0)
      return ctx.error() << "delta must not be 0";
    int64_t span = *limit - *start;
    int64_t count =
        span / *delta + (span % *delta != 0 && (span < 0) == (*delta < 0));
    count = std::max<int64_t>(count, 0);
    if (failed(ctx.checkBuildSize(count, "a range")))
      return failure();
    SmallVector<APInt> values;
    for (int64_t i = 0; i < count; ++i)
      values.push_back(APInt(element.getIntOrFloatBitWidth(),
                             *start + i * *delta, /*isSigned=*/true));
    auto type = RankedTensorType::get({count}, element);
    return ctx.setResults(ctx.constant(DenseElementsAttr::get(type, values)));
  }
  std::optional<double> start = ctx.constantScalar(0),
                        limit = ctx.constantScalar(1),
                        delta = ctx.constantScalar(2);
  if (!start || !limit || !delta)
    return ctx.error() << "start, limit and delta must be constant scalars";
  if (*delta == 0 || !std::isfinite(*start) || !std::isfinite(*limit) ||
      !std::isfinite(*delta))
    return ctx.error() << "start, limit and delta must be finite, delta "
                          "not 0";
  double steps = std::max(0.0, std::ceil((*limit - *start) / *delta));
  if (steps > kMaxRange)
    return ctx.error() << "a range of " << formatNumber(steps)
                       << " elements is too large to fold (at most "
                       << kMaxRange << ")";
  int64_t count = static_cast<int64_t>(steps);
  SmallVector<double> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(*start + i * *delta);
  return ctx.setResults(ctx.constant(
      roundedFloatElements(RankedTensorType::get({count}, element), values)));
}

LogicalResult importReshape(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  FailureOr<SmallVector<int64_t>> shape = ctx.constantInts(1, "shape");
  if (failed(x) || failed(shape))
    return failure();
  if (ctx.intAttr("allowzero", 0) && llvm::is_contained(*shape, 0)) {
    // A 0 is then a dim of size 0, which dsr1.reshape cannot say (its 0
    // copies an input dim). The result has no elements, so its type is all
    // there is to it: a constant.
    auto type = NodeContext::typeOf(*x);
    if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
      return ctx.error() << "with allowzero=1, a shape with a 0 must not "
                            "infer a dim (-1): "
                         << formatList(*shape);
    if (!type.hasStaticShape() || type.getNumElements() != 0)
      return ctx.error() << "cannot reshape " << formatShape(type.getShape())
                         << " to " << formatList(*shape)
                         << ", which has no elements";
    return ctx.setResults(ctx.constant(DenseElementsAttr::get(
        RankedTensorType::get(*shape, type.getElementType()),
        ArrayRef<Attribute>())));
  }
  return ctx.setResults(ctx.create<ReshapeOp>(*x, *shape));
}

LogicalResult importFlatten(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = NodeContext::typeOf(*x).getShape();
  // Flatten's axis lies in [-rank, rank]: rank itself is a valid split point.
  int64_t rank = in.size(), given = ctx.intAttr("axis", 1);
  if (given < -rank || given > rank)
    return ctx.error() << "axis " << given << " is out of range [" << -rank
                       << ", " << rank << "]";
  std::optional<int64_t> axis = given < 0 ? given + rank : given;
  std::optional<int64_t> outer = checkedProduct(in.take_front(*axis));
  std::optional<int64_t> inner = checkedProduct(in.drop_front(*axis));
  SmallVector<int64_t> target = {outer.value_or(ShapedType::kDynamic),
                                 inner.value_or(ShapedType::kDynamic)};
  // The outer dim is the input's dim 0 when axis is 1.
  SmallVector<int64_t> source = {*axis == 1 ? 0 : -1, -1};
  FailureOr<Value> result = reshapeTo(ctx, *x, target, source);
  return failed(result) ? failure() : ctx.setResults(*result);
}

/// Axes from the attribute (before `inputSince`) or from input 1.
FailureOr<SmallVector<int64_t>> readAxes(NodeContext &ctx, int64_t inputSince,
                                         int64_t rank, bool required) {
  SmallVector<int64_t> axes;
  if (ctx.opset < inputSince) {
    axes = ctx.intsAttr("axes").value_or(SmallVector<int64_t>());
  } else if (ctx.input(1)) {
    FailureOr<SmallVector<int64_t>> given = ctx.constantInts(1, "axes");
    if (failed(given))
      return failure();
    axes = *given;
  }
  if (required && axes.empty())
    return ctx.error() << "needs axes";
  for (int64_t &a : axes) {
    FailureOr<int64_t> normalised = ctx.axis(a, rank);
    if (failed(normalised))
      return failure();
    a = *normalised;
  }
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return ctx.error() << "axes repeat";
  return axes;
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = NodeContext::typeOf(*x).getShape();
  int64_t outRank =
      in.size() +
      (ctx.opset < 13
           ? ctx.intsAttr("axes").value_or(SmallVector<int64_t>()).size()
           : 0);
  if (ctx.opset >= 13) {
    FailureOr<SmallVector<int64_t>> given = ctx.constantInts(1, "axes");
    if (failed(given))
      return failure();
    outRank = in.size() + given->size();
  }
  FailureOr<SmallVector<int64_t>> axes = readAxes(ctx, 13, outRank, true);
  if (failed(axes))
    return failure();
  FailureOr<Value> result = insertUnitDims(ctx, *x, *axes);
  return failed(result) ? failure() : ctx.setResults(*result);
}

LogicalResult importSqueeze(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = NodeContext::typeOf(*x).getShape();
  FailureOr<SmallVector<int64_t>> axes = readAxes(ctx, 13, in.size(), false);
  if (failed(axes))
    return failure();
  if (axes->empty()) {
    if (!ShapedType::isStaticShape(in))
      return ctx.error() << "squeezing every size-1 dim needs a static shape";
    for (auto [i, d] : llvm::enumerate(in))
      if (d == 1)
        axes->push_back(i);
  }
  FailureOr<Value> result = dropUnitDims(ctx, *x, *axes);
  return failed(result) ? failure() : ctx.setResults(*result);
}

LogicalResult importTranspose(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = NodeContext::typeOf(*x).getRank();
  SmallVector<int64_t> perm = ctx.intsAttr("perm").value_or(
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank))));
  for (int64_t &p : perm) {
    FailureOr<int64_t> normalised = ctx.axis(p, rank);
    if (failed(normalised))
      return failure();
    p = *normalised;
  }
  return ctx.setResults(ctx.create<TransposeOp>(*x, perm));
}

LogicalResult importConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (int i = 0; i < ctx.numInputs(); ++i) {
    FailureOr<Value> v = ctx.requiredInput(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  if (inputs.empty())
    return ctx.error() << "needs at least one input";
  FailureOr<int64_t> axis = ctx.axis(
      ctx.intAttr("axis", 0), NodeContext::typeOf(inputs.front()).getRank());
  if (failed(axis))
    return failure();
  return ctx.setResults(
      ctx.create<ConcatOp>(inputs, static_cast<uint64_t>(*axis)));
}

LogicalResult importSplit(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  FailureOr<int64_t> axis = ctx.axis(ctx.intAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> sizes;
  if (ctx.opset < 13 && ctx.attr("split")) {
    sizes = *ctx.intsAttr("split");
  } else if (ctx.opset >= 13 && ctx.input(1)) {
    FailureOr<SmallVector<int64_t>> given = ctx.constantInts(1, "split");
    if (failed(given))
      return failure();
    sizes = *given;
  } else {
    int64_t parts = ctx.intAttr("num_outputs", ctx.node.output_size());
    int64_t dim = type.getDimSize(*axis);
    if (ShapedType::isDynamic(dim) || parts <= 0 ||
        parts > std::max(dim, int64_t(1)))
      return ctx.error() << "an even split in " << parts
                         << " parts needs a static dim " << *axis
                         << " of at least that size";
    // Opset 18: the last piece is smaller when the dim does not divide.
    int64_t piece = (dim + parts - 1) / parts;
    for (int64_t left = dim; left > 0; left -= piece)
      sizes.push_back(std::min(piece, left));
  }
  Operation *op = ctx.build<SplitOp>(*x, static_cast<uint64_t>(*axis), sizes);
  return op ? ctx.setResults(op->getResults()) : failure();
}

LogicalResult importSlice(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = NodeContext::typeOf(*x).getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (ctx.opset < 10) {
    starts = ctx.intsAttr("starts").value_or(SmallVector<int64_t>());
    ends = ctx.intsAttr("ends").value_or(SmallVector<int64_t>());
    axes = ctx.intsAttr("axes").value_or(SmallVector<int64_t>());
  } else {
    FailureOr<SmallVector<int64_t>> s = ctx.constantInts(1, "starts"),
                                    e = ctx.constantInts(2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    for (auto [i, out] :
         {std::pair<int, SmallVector<int64_t> *>{3, &axes}, {4, &steps}}) {
      if (!ctx.input(i))
        continue;
      FailureOr<SmallVector<int64_t>> v =
          ctx.constantInts(i, i == 3 ? "axes" : "steps");
      if (failed(v))
        return failure();
      *out = *v;
    }
  }
  for (int64_t &a : axes) {
    FailureOr<int64_t> normalised = ctx.axis(a, rank);
    if (failed(normalised))
      return failure();
    a = *normalised;
  }
  Builder &b = ctx.builder;
  return ctx.setResults(ctx.create<SliceOp>(
      *x, b.getDenseI64ArrayAttr(starts), b.getDenseI64ArrayAttr(ends),
      b.getDenseI64ArrayAttr(axes), b.getDenseI64ArrayAttr(steps)));
}

LogicalResult importGather(NodeContext &ctx) {
  FailureOr<Value> data = ctx.requiredInput(0), indices = ctx.requiredInput(1);
  if (failed(data) || failed(indices))
    return failure();
  FailureOr<int64_t> axis =
      ctx.axis(ctx.intAttr("axis", 0), NodeContext::typeOf(*data).getRank());
  if (failed(axis))
    return failure();
  return ctx.setResults(
      ctx.create<GatherOp>(*data, *indices, static_cast<uint64_t>(*axis)));
}

LogicalResult importGatherElements(NodeContext &ctx) {
  FailureOr<Value> data = ctx.requiredInput(0), indices = ctx.requiredInput(1);
  if (failed(data) || failed(indices))
    return failure();
  FailureOr<int64_t> axis =
      ctx.axis(ctx.intAttr("axis", 0), NodeContext::typeOf(*data).getRank());
  if (failed(axis))
    return failure();
  return ctx.setResults(ctx.create<GatherElementsOp>(
      *data, *indices, static_cast<uint64_t>(*axis)));
}

/// ScatterElements and ScatterND, with their reduction attribute (opset 16+).
template <typename OpT> LogicalResult importScatter(NodeContext &ctx) {
  FailureOr<Value> data = ctx.requiredInput(0), indices = ctx.requiredInput(1),
                   updates = ctx.requiredInput(2);
  if (failed(data) || failed(indices) || failed(updates))
    return failure();
  std::string name = ctx.stringAttr("reduction", "none");
  std::optional<ScatterReduction> reduction = symbolizeScatterReduction(name);
  if (!reduction)
    return ctx.error() << "reduction '" << name
                       << "' is not one of none, add, mul, max, min";
  auto reductionAttr =
      ScatterReductionAttr::get(ctx.builder.getContext(), *reduction);
  if constexpr (std::is_same_v<OpT, ScatterElementsOp>) {
    FailureOr<int64_t> axis =
        ctx.axis(ctx.intAttr("axis", 0), NodeContext::typeOf(*data).getRank());
    if (failed(axis))
      return failure();
    return ctx.setResults(ctx.create<ScatterElementsOp>(
        *data, *indices, *updates, ctx.builder.getI64IntegerAttr(*axis),
        reductionAttr));
  } else {
    return ctx.setResults(
        ctx.create<ScatterNDOp>(*data, *indices, *updates, reductionAttr));
  }
}

/// OneHot: values[1] where the position along `axis` equals the index
/// (negative indices count from depth), values[0] elsewhere.
LogicalResult importOneHot(NodeContext &ctx) {
  FailureOr<Value> indices = ctx.requiredInput(0),
                   values = ctx.requiredInput(2);
  if (failed(indices) || failed(values))
    return failure();
  FailureOr<int64_t> depthValue =
      ctx.constantIndex(1, "depth", NodeContext::kMaxBuiltElements);
  if (failed(depthValue))
    return failure();
  if (*depthValue < 1)
    return ctx.error() << "depth must be positive, got " << *depthValue;
  int64_t depth = *depthValue;
  auto indexType = NodeContext::typeOf(*indices);
  int64_t outRank = indexType.getRank() + 1;
  FailureOr<int64_t> axis = ctx.axis(ctx.intAttr("axis", -1), outRank);
  if (failed(axis))
    return failure();
  if (NodeContext::typeOf(*values).getNumElements() != 2)
    return ctx.error() << "values must hold [off_value, on_value]";
  Type i64 = ctx.builder.getI64Type();
  // Indices as i64 with a size-1 dim at `axis`, negative ones wrapped.
  Value idx = ctx.create<CastOp>(*indices, i64);
  SmallVector<int64_t> target(indexType.getShape());
  target.insert(target.begin() + *axis, 1);
  SmallVector<int64_t> source;
  for (int64_t d = 0, i = 0; d < outRank; ++d)
    source.push_back(d == *axis ? -1 : i++);
  FailureOr<Value> reshaped = reshapeTo(ctx, idx, target, source);
  if (failed(reshaped))
    return failure();
  Value expanded = *reshaped;
  Value zero = ctx.scalar(i64, 0);
  Value negative = ctx.create<LessOp>(expanded, zero);
  Value depthConst = ctx.scalar(i64, depth);
  Value shifted = ctx.create<AddOp>(expanded, depthConst);
  Value wrapped = ctx.create<WhereOp>(negative, shifted, expanded);
  if (failed(ctx.checkBuildSize(depth, "a position constant")))
    return failure();
  // Positions 0..depth-1 laid along `axis`.
  SmallVector<int64_t> iotaShape(outRank - *axis, 1);
  iotaShape[0] = depth;
  Value iota = ctx.constant(DenseElementsAttr::get(
      RankedTensorType::get(iotaShape, i64),
      ArrayRef(llvm::to_vector(llvm::seq<int64_t>(0, depth)))));
  Value hit = ctx.create<EqualOp>(wrapped, iota);
  Value flatValues = ctx.create<ReshapeOp>(*values, ArrayRef<int64_t>{2});
  auto pick = [&](int64_t i) {
    Value one =
        ctx.create<SliceOp>(flatValues, ctx.builder.getDenseI64ArrayAttr({i}),
                            ctx.builder.getDenseI64ArrayAttr({i + 1}),
                            ctx.builder.getDenseI64ArrayAttr({}),
                            ctx.builder.getDenseI64ArrayAttr({}));
    return ctx.create<ReshapeOp>(one, ArrayRef<int64_t>{});
  };
  Value off = pick(0);
  Value on = pick(1);
  return ctx.setResults(ctx.create<WhereOp>(hit, on, off));
}

LogicalResult importExpand(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  FailureOr<SmallVector<int64_t>> shape = ctx.constantInts(1, "shape");
  if (failed(x) || failed(shape))
    return failure();
  return ctx.setResults(ctx.create<ExpandOp>(*x, *shape));
}

LogicalResult importPad(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = NodeContext::typeOf(*x).getRank();
  std::string modeName = ctx.stringAttr("mode", "constant");
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return ctx.error() << "mode '" << modeName
                       << "' is not supported (constant, reflect, edge, wrap)";
  SmallVector<int64_t> pads;
  double value = 0;
  if (ctx.opset < 11) {
    pads = ctx.intsAttr("pads").value_or(SmallVector<int64_t>());
    value = ctx.floatAttr("value", 0.0f);
  } else {
    FailureOr<SmallVector<int64_t>> given = ctx.constantInts(1, "pads");
    if (failed(given))
      return failure();
    pads = *given;
    if (ctx.input(2)) {
      std::optional<double> v = ctx.constantScalar(2);
      if (!v)
        return ctx.error() << "constant_value must be a constant scalar";
      value = *v;
    }
    if (ctx.input(3)) { // Opset 18: pads for the listed axes only.
      FailureOr<SmallVector<int64_t>> axes = ctx.constantInts(3, "axes");
      if (failed(axes) || pads.size() != 2 * axes->size())
        return failed(axes) ? failure()
                            : (ctx.error() << "pads must have two entries per "
                                              "axis");
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(*axes)) {
        FailureOr<int64_t> axis = ctx.axis(a, rank);
        if (failed(axis))
          return failure();
        full[*axis] = pads[i];
        full[*axis + rank] = pads[i + axes->size()];
      }
      pads = full;
    }
  }
  // Where a negative pad crops, it is unclear whether wrap joins the ends of
  // the input or of the cropped input: refused rather than guessed.
  if (*mode == PadMode::wrap &&
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return ctx.error() << "mode 'wrap' with negative pads is not supported";
  return ctx.setResults(
      ctx.create<PadOp>(*x, ctx.builder.getDenseI64ArrayAttr(pads),
                        PadModeAttr::get(ctx.builder.getContext(), *mode),
                        ctx.builder.getF64FloatAttr(value)));
}

/// CenterCropPad as one pad: per listed axis, a dim larger than the target
/// loses (in - out) / 2 elements at its start (rounded down) and the rest at
/// its end, a smaller one gains zeros the same way.
LogicalResult importCenterCropPad(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = ctx.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  auto type = NodeContext::typeOf(*x);
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes = ctx.intsAttr("axes").value_or(
      llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  if (axes.size() != shape->size())
    return ctx.error() << "shape has " << shape->size() << " entries for "
                       << axes.size() << " axes";
  SmallVector<int64_t> pads(2 * rank, 0);
  for (auto [a, size] : llvm::zip_equal(axes, *shape)) {
    FailureOr<int64_t> axis = ctx.axis(a, rank);
    if (failed(axis))
      return failure();
    int64_t in = type.getDimSize(*axis);
    if (ShapedType::isDynamic(in))
      return ctx.error() << "dim " << *axis
                         << " must be static (pin it with --input-shape / "
                            "--dim)";
    if (size < 0)
      return ctx.error() << "shape entry " << size << " is negative";
    // Negative amounts crop; the odd element goes to the end either way.
    int64_t grow = size - in;
    int64_t begin = grow >= 0 ? grow / 2 : -((-grow) / 2);
    pads[*axis] = begin;
    pads[*axis + rank] = grow - begin;
  }
  return ctx.setResults(ctx.create<PadOp>(
      *x, ctx.builder.getDenseI64ArrayAttr(pads),
      PadModeAttr::get(ctx.builder.getContext(), PadMode::constant),
      ctx.builder.getF64FloatAttr(0.0)));
}

/// ReverseSequence as a gather along the time axis: element t of batch entry
/// b reads t' = len[b] - 1 - t where t < len[b], and t itself elsewhere. A
/// length beyond the time dim makes an index out of range, which the gather
/// reports at run time.
LogicalResult importReverseSequence(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), lens = ctx.requiredInput(1);
  if (failed(x) || failed(lens))
    return failure();
  auto type = NodeContext::typeOf(*x);
  int64_t rank = type.getRank();
  int64_t batchAxis = ctx.intAttr("batch_axis", 1);
  int64_t timeAxis = ctx.intAttr("time_axis", 0);
  if (rank < 2)
    return ctx.error() << "needs an input of rank >= 2, got " << rank;
  if (!((batchAxis == 0 && timeAxis == 1) || (batchAxis == 1 && timeAxis == 0)))
    return ctx.error() << "batch_axis and time_axis must be 0 and 1 in either "
                          "order, got "
                       << batchAxis << " and " << timeAxis;
  if (!type.hasStaticShape())
    return ctx.error() << "needs a static input shape, got "
                       << formatShape(type.getShape())
                       << " (pin it with --input-shape / --dim)";
  int64_t steps = type.getDimSize(timeAxis);
  int64_t batch = type.getDimSize(batchAxis);
  auto lensType = NodeContext::typeOf(*lens);
  if (lensType.getRank() != 1 || !lensType.getElementType().isInteger(64) ||
      (!ShapedType::isDynamic(lensType.getDimSize(0)) &&
       lensType.getDimSize(0) != batch))
    return ctx.error() << "sequence_lens must be an int64 tensor of " << batch
                       << " lengths, got " << lensType;
  // [steps, 1] and [1, batch] when time comes first, else [1, steps] and
  // [batch, 1]: their broadcast is the (time, batch) plane of the input.
  SmallVector<int64_t> timeShape = {1, 1}, lensShape = {1, 1};
  timeShape[timeAxis] = steps;
  lensShape[batchAxis] = batch;
  Value times = ctx.constant(DenseElementsAttr::get(
      RankedTensorType::get(timeShape, ctx.builder.getI64Type()),
      ArrayRef(llvm::to_vector(llvm::seq<int64_t>(0, steps)))));
  Value lengths = ctx.create<ReshapeOp>(*lens, lensShape);
  Value reversing = ctx.create<LessOp>(times, lengths);
  Value lastIndex = ctx.create<SubOp>(lengths, i64Constant(ctx, {1}, true));
  Value mirrored = ctx.create<SubOp>(lastIndex, times);
  Value plane = ctx.create<WhereOp>(reversing, mirrored, times);
  SmallVector<int64_t> planeShape(rank, 1);
  planeShape[timeAxis] = steps;
  planeShape[batchAxis] = batch;
  Value indices = ctx.create<ReshapeOp>(plane, planeShape);
  indices = ctx.create<ExpandOp>(indices, type.getShape());
  return ctx.setResults(
      ctx.create<GatherElementsOp>(*x, indices, uint64_t(timeAxis)));
}

/// The cosine windows: Hann sin^2(pi n / N), Hamming 25/46 - 21/46 cos(2 pi
/// n / N) and Blackman 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N), N
/// the size (periodic) or the size - 1 (symmetric). The size must be known at
/// compile time, so the window is a constant, computed in double in the
/// onnx reference's order of operations (a window cast to integers truncates,
/// so 1 - 1e-16 and 1 differ).
enum class Window { Hann, Hamming, Blackman };

template <Window Kind> LogicalResult importWindow(NodeContext &ctx) {
  FailureOr<int64_t> size = ctx.constantIndex(0, "size");
  if (failed(size))
    return failure();
  if (*size < 0)
    return ctx.error() << "size " << *size << " is negative";
  if (failed(ctx.checkBuildSize(*size, "a window")))
    return failure();
  int64_t dtype = ctx.intAttr("output_datatype", 1);
  Type element = onnxElementType(ctx.builder.getContext(), dtype);
  if (!element || element.isInteger(1))
    return ctx.error() << "output_datatype " << describeOnnxType(dtype)
                       << " is not supported";
  bool periodic = ctx.intAttr("periodic", 1) != 0;
  double n = static_cast<double>(periodic ? *size : *size - 1);
  SmallVector<double> values;
  for (int64_t i = 0; i < *size; ++i) {
    // A symmetric window of one element divides 0 by 0, as the reference
    // does (NaN).
    double k = static_cast<double>(i);
    double v;
    if (Kind == Window::Hann) {
      double s = std::sin(k * M_PI / n);
      v = s * s;
    } else if (Kind == Window::Hamming) {
      const double alpha = 25.0 / 46.0;
      v = alpha - std::cos(k * M_PI * 2 / n) * (1 - alpha);
    } else {
      v = std::cos(k * (M_PI * 2) / n) * -0.5;
      v += std::cos(k * (M_PI * 4) / n) * 0.08;
      v += 0.42;
    }
    values.push_back(v);
  }
  auto f64Type = RankedTensorType::get({*size}, ctx.builder.getF64Type());
  Value window =
      ctx.constant(DenseElementsAttr::get(f64Type, ArrayRef(values)));
  if (!element.isF64())
    window = ctx.create<CastOp>(window, element);
  return ctx.setResults(window);
}

/// Tile as concatenations: `repeats[d]` copies of the input along each dim d.
LogicalResult importTile(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  FailureOr<SmallVector<int64_t>> repeats = ctx.constantInts(1, "repeats");
  if (failed(x) || failed(repeats))
    return failure();
  int64_t rank = NodeContext::typeOf(*x).getRank();
  if (static_cast<int64_t>(repeats->size()) != rank)
    return ctx.error() << "repeats has " << repeats->size()
                       << " entries for a rank-" << rank << " input";
  Value result = *x;
  for (auto [d, r] : llvm::enumerate(*repeats)) {
    if (r < 0)
      return ctx.error() << "repeats must not be negative, got " << r;
    if (r == 1)
      continue;
    if (r == 0)
      return ctx.error() << "a repeat of 0 (an empty tensor) is not supported";
    if (failed(ctx.checkBuildSize(r, "a tile")))
      return failure();
    result = ctx.create<ConcatOp>(SmallVector<Value>(r, result),
                                  static_cast<uint64_t>(d));
  }
  return ctx.setResults(result);
}

/// GatherND: the b batch dims and the k indexed dims after them (all static)
/// are flattened into one, and a plain gather picks the flat index
/// batch * prod(indexed dims) + sum_d(index_d * stride_d), where batch is the
/// position of the index tuple's batch (the first b dims of indices, which
/// match data's). It is computed at compile time for constant indices and
/// with dsr1 arithmetic otherwise.
LogicalResult importGatherND(NodeContext &ctx) {
  FailureOr<Value> data = ctx.requiredInput(0), indices = ctx.requiredInput(1);
  if (failed(data) || failed(indices))
    return failure();
  int64_t b = ctx.intAttr("batch_dims", 0);
  ArrayRef<int64_t> shape = NodeContext::typeOf(*data).getShape();
  auto indexType = NodeContext::typeOf(*indices);
  ArrayRef<int64_t> indexShape = indexType.getShape();
  if (indexShape.empty() || ShapedType::isDynamic(indexShape.back()))
    return ctx.error() << "indices must have rank >= 1 and a static last dim";
  int64_t indexRank = indexShape.size(), dataRank = shape.size();
  if (b < 0 || b >= std::min(indexRank, dataRank))
    return ctx.error() << "batch_dims " << b
                       << " must be in [0, min(rank of data, rank of "
                          "indices))";
  if (!ShapedType::isStaticShape(shape.take_front(b)) ||
      shape.take_front(b) != indexShape.take_front(b))
    return ctx.error() << "the " << b
                       << " batch dims must be static and the same in data "
                       << formatShape(shape) << " and indices "
                       << formatShape(indexShape);
  int64_t k = indexShape.back();
  if (k < 1 || b + k > dataRank ||
      !ShapedType::isStaticShape(shape.take_front(b + k)))
    return ctx.error() << "indices address " << k
                       << " dims after the batch dims, which must exist and "
                          "be static in "
                       << formatShape(shape);
  ArrayRef<int64_t> indexed = shape.slice(b, k);
  std::optional<int64_t> batches = checkedProduct(shape.take_front(b));
  std::optional<int64_t> perBatch = checkedProduct(indexed);
  std::optional<int64_t> leading = batches && perBatch
                                       ? checkedProduct({*batches, *perBatch})
                                       : std::nullopt;
  if (!leading)
    return ctx.error() << "the indexed dims of " << formatShape(shape)
                       << " have more elements than int64_t can count";
  SmallVector<int64_t> merged = {*leading};
  for (int64_t d = b + k; d < dataRank; ++d)
    merged.push_back(ShapedType::isDynamic(shape[d]) ? 0 : shape[d]);
  if (b + k > 1 && llvm::is_contained(ArrayRef(merged).drop_front(), 0))
    return ctx.error() << "needs static trailing dims when indexing " << k
                       << " dims after " << b << " batch dims";
  Value flatData = ctx.create<ReshapeOp>(*data, merged);

  // Index tuples per batch: the dims of indices between the batch dims and
  // the last.
  int64_t tuplesPerBatch =
      ShapedType::isStaticShape(indexShape.drop_back())
          ? ShapedType::getNumElements(indexShape.slice(b, indexRank - 1 - b))
          : 0;
  DenseElementsAttr constIndices;
  Value flatIndices;
  if (matchPattern(*indices, m_Constant(&constIndices))) {
    SmallVector<int64_t> flat, tuple;
    for (const APInt &v : constIndices.getValues<APInt>()) {
      tuple.push_back(v.getSExtValue());
      if (static_cast<int64_t>(tuple.size()) < k)
        continue;
      int64_t batch = tuplesPerBatch
                          ? static_cast<int64_t>(flat.size()) / tuplesPerBatch
                          : 0;
      int64_t index = 0;
      for (int64_t d = 0; d < k; ++d) {
        int64_t i = tuple[d] < 0 ? tuple[d] + indexed[d] : tuple[d];
        if (i < 0 || i >= indexed[d])
          return ctx.error()
                 << "index " << tuple[d] << " is out of range for dim " << b + d
                 << " of size " << indexed[d];
        index = index * indexed[d] + i;
      }
      flat.push_back(batch * *perBatch + index);
      tuple.clear();
    }
    auto flatType =
        RankedTensorType::get(indexShape.drop_back(), ctx.builder.getI64Type());
    flatIndices =
        ctx.constant(DenseElementsAttr::get(flatType, ArrayRef(flat)));
  } else {
    Type i64 = ctx.builder.getI64Type();
    Value idx = ctx.create<CastOp>(*indices, i64);
    int64_t last = indexRank - 1;
    auto scalar = [&](int64_t v) {
      return ctx.constant(
          DenseElementsAttr::get(RankedTensorType::get({}, i64), v));
    };
    // Each index component, negative ones wrapped, times its dim's stride.
    int64_t stride = 1;
    for (int64_t d = k - 1; d >= 0; --d) {
      Value part =
          ctx.create<SliceOp>(idx, ctx.builder.getDenseI64ArrayAttr({d}),
                              ctx.builder.getDenseI64ArrayAttr({d + 1}),
                              ctx.builder.getDenseI64ArrayAttr({last}),
                              ctx.builder.getDenseI64ArrayAttr({}));
      part = ctx.create<ReshapeOp>(part, SmallVector<int64_t>(last, 0));
      Value negative = ctx.create<LessOp>(part, scalar(0));
      part = ctx.create<WhereOp>(
          negative, ctx.create<AddOp>(part, scalar(indexed[d])), part);
      part = ctx.create<MulOp>(part, scalar(stride));
      flatIndices = flatIndices ? ctx.create<AddOp>(flatIndices, part) : part;
      stride *= indexed[d];
    }
    if (b > 0) {
      // Each batch's first flat row, shaped to broadcast over the tuples.
      if (failed(ctx.checkBuildSize(*batches, "a batch offset")))
        return failure();
      SmallVector<int64_t> offsetShape(indexShape.take_front(b));
      offsetShape.append(last - b, 1);
      SmallVector<int64_t> offsets;
      for (int64_t n = 0; n < *batches; ++n)
        offsets.push_back(n * *perBatch);
      Value offset = ctx.constant(DenseElementsAttr::get(
          RankedTensorType::get(offsetShape, i64), ArrayRef(offsets)));
      flatIndices = ctx.create<AddOp>(flatIndices, offset);
    }
  }
  return ctx.setResults(ctx.create<GatherOp>(flatData, flatIndices, 0));
}

/// Trilu: keeps the upper (or lower) triangle from diagonal k. A constant
/// input (exporters' causal masks) folds here; otherwise the triangle is a
/// constant mask over the last two (static) dims.
LogicalResult importTrilu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t k = 0;
  if (ctx.input(1)) {
    FailureOr<int64_t> given = ctx.constantIndex(1, "k");
    if (failed(given))
      return failure();
    k = *given;
  }
  bool upper = ctx.intAttr("upper", 1) != 0;
  auto type = NodeContext::typeOf(*x);
  if (type.getRank() < 2)
    return ctx.error() << "needs a rank >= 2 input";
  int64_t rows = type.getDimSize(type.getRank() - 2),
          cols = type.getDimSize(type.getRank() - 1);
  if (ShapedType::isDynamic(rows) || ShapedType::isDynamic(cols))
    return ctx.error() << "needs static last two dims, got "
                       << formatShape(type.getShape());
  auto keep = [&](int64_t r, int64_t c) {
    return upper ? c - r >= k : c - r <= k;
  };
  DenseElementsAttr input;
  if (matchPattern(*x, m_Constant(&input)) && type.hasStaticShape()) {
    if (failed(ctx.checkBuildSize(checkedProduct(type.getShape()).value_or(-1),
                                  "a folded Trilu")))
      return failure();
    SmallVector<Attribute> values(input.getValues<Attribute>());
    Attribute zero = ctx.builder.getZeroAttr(type.getElementType());
    for (int64_t n = 0, e = values.size(); n < e; ++n)
      if (!keep((n / cols) % rows, n % cols))
        values[n] = zero;
    return ctx.setResults(ctx.constant(DenseElementsAttr::get(type, values)));
  }
  if (failed(ctx.checkBuildSize(checkedProduct({rows, cols}).value_or(-1),
                                "a triangular mask")))
    return failure();
  SmallVector<bool> mask;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      mask.push_back(keep(r, c));
  Value maskValue = ctx.constant(DenseElementsAttr::get(
      RankedTensorType::get({rows, cols}, ctx.builder.getI1Type()),
      ArrayRef(mask)));
  return ctx.setResults(
      ctx.create<WhereOp>(maskValue, *x, ctx.scalarLike(*x, 0)));
}

/// DepthToSpace and SpaceToDepth on NCHW as reshape, transpose, reshape.
template <bool toSpace> LogicalResult importDepthSpace(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> s = NodeContext::typeOf(*x).getShape();
  int64_t b = ctx.intAttr("blocksize", 0);
  // SpaceToDepth has a mode too from opset 28 (CRD keeps each channel's
  // blocks together).
  std::string mode = ctx.stringAttr("mode", "DCR");
  if (s.size() != 4 || !ShapedType::isStaticShape(s.drop_front()) || b <= 0 ||
      b > (1 << 15) || !checkedProduct(s.drop_front()))
    return ctx.error() << "needs a 4-D NCHW input with static C, H, W and a "
                          "blocksize in [1, 2^15]";
  if (mode != "DCR" && mode != "CRD")
    return ctx.error() << "mode '" << mode << "' is not DCR or CRD";
  int64_t c = s[1], h = s[2], w = s[3];
  Value result;
  if (toSpace) {
    if (c % (b * b))
      return ctx.error() << "channels " << c << " are not divisible by "
                         << b * b;
    int64_t oc = c / (b * b);
    bool dcr = mode == "DCR";
    Value split = ctx.create<ReshapeOp>(
        *x, dcr ? SmallVector<int64_t>{0, b, b, oc, h, w}
                : SmallVector<int64_t>{0, oc, b, b, h, w});
    Value moved = ctx.create<TransposeOp>(
        split, dcr ? SmallVector<int64_t>{0, 3, 4, 1, 5, 2}
                   : SmallVector<int64_t>{0, 1, 4, 2, 5, 3});
    result =
        ctx.create<ReshapeOp>(moved, SmallVector<int64_t>{0, oc, h * b, w * b});
  } else {
    if (h % b || w % b)
      return ctx.error() << "spatial dims " << h << "x" << w
                         << " are not divisible by " << b;
    Value split = ctx.create<ReshapeOp>(
        *x, SmallVector<int64_t>{0, c, h / b, b, w / b, b});
    Value moved = ctx.create<TransposeOp>(
        split, mode == "DCR" ? SmallVector<int64_t>{0, 3, 5, 1, 2, 4}
                             : SmallVector<int64_t>{0, 1, 3, 5, 2, 4});
    result = ctx.create<ReshapeOp>(
        moved, SmallVector<int64_t>{0, c * b * b, h / b, w / b});
  }
  return ctx.setResults(result);
}

/// EyeLike: ones on diagonal k of a static 2-D shape, of the input's type or
/// `dtype`.
LogicalResult importEyeLike(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  if (type.getRank() != 2 || !type.hasStaticShape())
    return ctx.error() << "needs a static 2-D input";
  Type element = type.getElementType();
  if (const onnx::AttributeProto *dtype = ctx.attr("dtype")) {
    element = onnxElementType(ctx.builder.getContext(), dtype->i());
    if (!element)
      return ctx.error() << "dtype " << describeOnnxType(dtype->i())
                         << " is not supported";
  }
  int64_t k = ctx.intAttr("k", 0);
  auto resultType = type.clone(element);
  if (failed(ctx.checkBuildSize(checkedProduct(type.getShape()).value_or(-1),
                                "an identity")))
    return failure();
  SmallVector<Attribute> values;
  Attribute zero = ctx.builder.getZeroAttr(element);
  Attribute one = isa<FloatType>(element)
                      ? Attribute(ctx.builder.getFloatAttr(element, 1.0))
                      : Attribute(ctx.builder.getIntegerAttr(element, 1));
  for (int64_t r = 0; r < type.getDimSize(0); ++r)
    for (int64_t c = 0; c < type.getDimSize(1); ++c)
      values.push_back(c - r == k ? one : zero);
  return ctx.setResults(
      ctx.constant(DenseElementsAttr::get(resultType, values)));
}

} // namespace

void registerTensorImporters(OpRegistry &r) {
  constexpr int64_t lo = kMinOpset, hi = kMaxOpset;
  // An op registered from an opset below `lo` has had its current form since
  // then (or its importer reads the older one); older forms are refused.
  r.add("", "Constant", 1, hi, importConstant);
  r.add("", "Shape", 1, hi, importShape);
  r.add("", "Size", 1, hi, importSize);
  r.add("", "ConstantOfShape", 9, hi, importConstantOfShape);
  r.add("", "Range", lo, hi, importRange);
  r.add("", "Reshape", 5, hi, importReshape);
  r.add("", "Flatten", 1, hi, importFlatten);
  r.add("", "Squeeze", 1, hi, importSqueeze);
  r.add("", "Unsqueeze", 1, hi, importUnsqueeze);
  r.add("", "Transpose", 1, hi, importTranspose);
  r.add("", "Concat", 4, hi, importConcat);
  r.add("", "Split", 2, hi, importSplit);
  r.add("", "Slice", 1, hi, importSlice);
  r.add("", "Gather", 1, hi, importGather);
  r.add("", "Expand", 8, hi, importExpand);
  r.add("", "GatherElements", lo, hi, importGatherElements);
  r.add("", "ScatterElements", lo, hi, importScatter<ScatterElementsOp>);
  // Scatter (opsets 9 and 10) is ScatterElements without a reduction; its
  // opset-11 form is deprecated in favour of ScatterElements.
  r.add("", "Scatter", 9, 10, importScatter<ScatterElementsOp>);
  r.add("", "ScatterND", lo, hi, importScatter<ScatterNDOp>);
  r.add("", "OneHot", lo, hi, importOneHot);
  r.add("", "Pad", 2, hi, importPad);
  r.add("", "CenterCropPad", 18, hi, importCenterCropPad);
  r.add("", "ReverseSequence", 10, hi, importReverseSequence);
  r.add("", "HannWindow", 17, hi, importWindow<Window::Hann>);
  r.add("", "HammingWindow", 17, hi, importWindow<Window::Hamming>);
  r.add("", "BlackmanWindow", 17, hi, importWindow<Window::Blackman>);
  r.add("", "Trilu", 14, hi, importTrilu);
  r.add("", "DepthToSpace", 1, hi, importDepthSpace<true>);
  r.add("", "SpaceToDepth", 1, hi, importDepthSpace<false>);
  r.add("", "EyeLike", 9, hi, importEyeLike);
  r.add("", "Tile", 6, hi, importTile);
  r.add("", "GatherND", lo, hi, importGatherND);
}

} // namespace dsr1::onnx_frontend
