//===- ControlFlowImporters.cpp - If, Loop and Scan inlined into dsr1 -----===//
//
// dsr1 plans are static: no control flow at run time. The ops whose
// attributes are graphs are imported by inlining those graphs where their
// shape is static: If by its constant condition (or both branches and a
// select), Scan and Loop by unrolling their bodies, one copy per step.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/NodeImporter.h"

using namespace mlir;

namespace dsr1::onnx_frontend {
namespace {

/// Unrolled loops take at most this many steps: each step is a copy of the
/// body, so a longer loop would make an unreasonably large program.
constexpr int64_t kMaxUnrolledSteps = 1024;

/// The body's graph attribute, or failure after saying it is missing.
FailureOr<const onnx::GraphProto *> requiredGraph(NodeContext &ctx,
                                                  StringRef name) {
  if (const onnx::GraphProto *g = ctx.graphAttr(name))
    return g;
  return ctx.error() << "needs the graph attribute '" << name << "'";
}

LogicalResult checkSteps(NodeContext &ctx, int64_t steps,
                         const onnx::GraphProto &body) {
  if (steps <= kMaxUnrolledSteps)
    return success();
  return ctx.error() << "unrolling " << steps << " steps of a body of "
                     << body.node_size() << " nodes is beyond dsr1's limit of "
                     << kMaxUnrolledSteps
                     << " steps (dsr1 plans are static: loops are unrolled)";
}

/// Element `index` of `x` along `axis`, without that axis.
FailureOr<Value> takeAt(NodeContext &ctx, Value x, int64_t axis,
                        int64_t index) {
  Builder &b = ctx.builder;
  Value slice = ctx.create<SliceOp>(
      x, b.getDenseI64ArrayAttr({index}), b.getDenseI64ArrayAttr({index + 1}),
      b.getDenseI64ArrayAttr({axis}), b.getDenseI64ArrayAttr({}));
  if (!slice)
    return failure();
  return dropUnitDims(ctx, slice, {axis});
}

/// `parts` stacked along a new dim `axis`.
FailureOr<Value> stack(NodeContext &ctx, ArrayRef<Value> parts, int64_t axis) {
  SmallVector<Value> expanded;
  for (Value part : parts) {
    FailureOr<Value> e = insertUnitDims(ctx, part, {axis});
    if (failed(e))
      return failure();
    expanded.push_back(*e);
  }
  if (expanded.size() == 1)
    return expanded.front();
  Value result = ctx.create<ConcatOp>(expanded, static_cast<uint64_t>(axis));
  if (!result)
    return failure();
  return result;
}

//===----------------------------------------------------------------------===//
// If
//===----------------------------------------------------------------------===//

LogicalResult importIf(NodeContext &ctx) {
  FailureOr<Value> cond = ctx.requiredInput(0);
  FailureOr<const onnx::GraphProto *> thenBranch =
      requiredGraph(ctx, "then_branch");
  FailureOr<const onnx::GraphProto *> elseBranch =
      requiredGraph(ctx, "else_branch");
  if (failed(cond) || failed(thenBranch) || failed(elseBranch))
    return failure();
  RankedTensorType condType = NodeContext::typeOf(*cond);
  if (!condType.hasStaticShape() || condType.getNumElements() != 1)
    return ctx.error() << "the condition must hold one element, not "
                       << condType;
  // A condition known at compile time (shape checks, opset switches in
  // expanded functions) takes one branch, as the ONNX runtime would.
  if (DenseElementsAttr known = ctx.constantAttr(0)) {
    bool taken = isa<FloatType>(known.getElementType())
                     ? !(*known.getValues<APFloat>().begin()).isZero()
                     : !(*known.getValues<APInt>().begin()).isZero();
    FailureOr<SmallVector<Value>> results =
        taken ? ctx.inlineGraph("then_branch", **thenBranch, {})
              : ctx.inlineGraph("else_branch", **elseBranch, {});
    return failed(results) ? failure() : ctx.setResults(*results);
  }
  // Otherwise both branches run and a select keeps one; exact, as both are
  // side-effect free, when they give values of the same types.
  FailureOr<SmallVector<Value>> thenResults =
      ctx.inlineGraph("then_branch", **thenBranch, {});
  if (failed(thenResults))
    return failure();
  FailureOr<SmallVector<Value>> elseResults =
      ctx.inlineGraph("else_branch", **elseBranch, {});
  if (failed(elseResults))
    return failure();
  if (thenResults->size() != elseResults->size())
    return ctx.error() << "then_branch gives " << thenResults->size()
                       << " outputs, else_branch " << elseResults->size();
  if (!condType.getElementType().isInteger(1))
    return ctx.error() << "the condition must be a bool tensor, not "
                       << condType;
  FailureOr<Value> scalarCond = reshapeTo(ctx, *cond, {}, {});
  if (failed(scalarCond))
    return failure();
  SmallVector<Value> results;
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip_equal(*thenResults, *elseResults))) {
    auto [thenValue, elseValue] = pair;
    if (thenValue.getType() != elseValue.getType())
      return ctx.error() << "output #" << i << " is " << thenValue.getType()
                         << " in then_branch but " << elseValue.getType()
                         << " in else_branch; with a condition unknown at "
                            "compile time dsr1 needs both the same";
    results.push_back(ctx.create<WhereOp>(*scalarCond, thenValue, elseValue));
  }
  return ctx.setResults(results);
}

//===----------------------------------------------------------------------===//
// Scan
//===----------------------------------------------------------------------===//

/// Scan's loop, unrolled: `states` threaded through the body, the
/// `scanInputs` sliced along `inAxes` (last to first where `inReverse`),
/// each per-step scan output stacked along `outAxes` (normalised against
/// its rank plus one). Returns the final states, then the scan outputs.
FailureOr<SmallVector<Value>>
unrollScan(NodeContext &ctx, const onnx::GraphProto &body,
           ArrayRef<Value> states, ArrayRef<Value> scanInputs,
           ArrayRef<int64_t> inAxes, ArrayRef<bool> inReverse,
           ArrayRef<int64_t> outAxes, ArrayRef<bool> outReverse) {
  int64_t numScanOutputs =
      body.output_size() - static_cast<int64_t>(states.size());
  if (numScanOutputs < 0)
    return ctx.error() << "the body has " << body.output_size()
                       << " outputs, fewer than the " << states.size()
                       << " states";
  int64_t length = ShapedType::kDynamic;
  for (auto [x, axis] : llvm::zip_equal(scanInputs, inAxes)) {
    int64_t d = NodeContext::typeOf(x).getDimSize(axis);
    if (ShapedType::isDynamic(d))
      return ctx.error() << "the scan axis of every scan input must be "
                            "static (dsr1 unrolls the scan; pin input "
                            "shapes with --input-shape)";
    if (!ShapedType::isDynamic(length) && d != length)
      return ctx.error() << "scan inputs have different lengths (" << length
                         << " and " << d << ")";
    length = d;
  }
  if (ShapedType::isDynamic(length))
    return ctx.error() << "needs at least one scan input";
  if (failed(checkSteps(ctx, length, body)))
    return failure();
  if (length == 0)
    return ctx.error() << "a scan of length 0 is not supported";
  SmallVector<Value> carried(states);
  SmallVector<SmallVector<Value>> perStep(numScanOutputs);
  for (int64_t t = 0; t < length; ++t) {
    SmallVector<Value> inputs(carried);
    for (auto [x, axis, reverse] :
         llvm::zip_equal(scanInputs, inAxes, inReverse)) {
      FailureOr<Value> step =
          takeAt(ctx, x, axis, reverse ? length - 1 - t : t);
      if (failed(step))
        return failure();
      inputs.push_back(*step);
    }
    FailureOr<SmallVector<Value>> outputs =
        ctx.inlineGraph("body", body, inputs);
    if (failed(outputs))
      return failure();
    carried.assign(outputs->begin(), outputs->begin() + states.size());
    for (int64_t k = 0; k < numScanOutputs; ++k)
      perStep[k].push_back((*outputs)[states.size() + k]);
  }
  SmallVector<Value> results(carried);
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    int64_t rank = NodeContext::typeOf(perStep[k].front()).getRank();
    FailureOr<int64_t> axis = ctx.axis(
        k < static_cast<int64_t>(outAxes.size()) ? outAxes[k] : 0, rank + 1);
    if (failed(axis))
      return failure();
    if (k < static_cast<int64_t>(outReverse.size()) && outReverse[k])
      std::reverse(perStep[k].begin(), perStep[k].end());
    FailureOr<Value> stacked = stack(ctx, perStep[k], *axis);
    if (failed(stacked))
      return failure();
    results.push_back(*stacked);
  }
  return results;
}

/// Reads an optional ints attribute of per-input directions (0 forward, 1
/// reverse) for `count` inputs.
FailureOr<SmallVector<bool>> readDirections(NodeContext &ctx, StringRef name,
                                            int64_t count) {
  SmallVector<bool> reverse(count, false);
  std::optional<SmallVector<int64_t>> given = ctx.intsAttr(name);
  if (!given)
    return reverse;
  if (static_cast<int64_t>(given->size()) != count)
    return ctx.error() << "attribute '" << name << "' has " << given->size()
                       << " entries for " << count << " values";
  for (auto [i, d] : llvm::enumerate(*given)) {
    if (d != 0 && d != 1)
      return ctx.error() << "attribute '" << name
                         << "' holds a direction other than 0 and 1: " << d;
    reverse[i] = d == 1;
  }
  return reverse;
}

LogicalResult importScan(NodeContext &ctx) {
  FailureOr<const onnx::GraphProto *> body = requiredGraph(ctx, "body");
  if (failed(body))
    return failure();
  int64_t numScanInputs = ctx.intAttr("num_scan_inputs", -1);
  // Opset 8 has a leading sequence_lens input and a batch dim (0) on every
  // input and output, the scan axis then being 1.
  bool batched = ctx.opset < 9;
  int first = batched ? 1 : 0;
  int64_t numInputs = ctx.numInputs() - first;
  if (numScanInputs < 1 || numScanInputs > numInputs)
    return ctx.error() << "num_scan_inputs must be between 1 and the "
                       << numInputs << " inputs";
  int64_t numStates = numInputs - numScanInputs;
  SmallVector<Value> states, scanInputs;
  for (int64_t i = 0; i < numInputs; ++i) {
    FailureOr<Value> v = ctx.requiredInput(first + i);
    if (failed(v))
      return failure();
    (i < numStates ? states : scanInputs).push_back(*v);
  }
  if (!batched) {
    SmallVector<int64_t> inAxes =
        ctx.intsAttr("scan_input_axes")
            .value_or(SmallVector<int64_t>(numScanInputs, 0));
    if (static_cast<int64_t>(inAxes.size()) != numScanInputs)
      return ctx.error() << "scan_input_axes has " << inAxes.size()
                         << " entries for " << numScanInputs << " scan inputs";
    for (auto [axis, x] : llvm::zip_equal(inAxes, scanInputs)) {
      FailureOr<int64_t> a = ctx.axis(axis, NodeContext::typeOf(x).getRank());
      if (failed(a))
        return failure();
      axis = *a;
    }
    int64_t numScanOutputs = (*body)->output_size() - numStates;
    FailureOr<SmallVector<bool>> inReverse =
        readDirections(ctx, "scan_input_directions", numScanInputs);
    FailureOr<SmallVector<bool>> outReverse = readDirections(
        ctx, "scan_output_directions", std::max<int64_t>(numScanOutputs, 0));
    if (failed(inReverse) || failed(outReverse))
      return failure();
    SmallVector<int64_t> outAxes =
        ctx.intsAttr("scan_output_axes")
            .value_or(
                SmallVector<int64_t>(std::max<int64_t>(numScanOutputs, 0), 0));
    if (static_cast<int64_t>(outAxes.size()) != numScanOutputs)
      return ctx.error() << "scan_output_axes has " << outAxes.size()
                         << " entries for " << numScanOutputs
                         << " scan outputs";
    FailureOr<SmallVector<Value>> results =
        unrollScan(ctx, **body, states, scanInputs, inAxes, *inReverse, outAxes,
                   *outReverse);
    return failed(results) ? failure() : ctx.setResults(*results);
  }

  // Opset 8: one scan per batch entry, whose results are stacked.
  for (Value v : states)
    if (NodeContext::typeOf(v).getRank() < 1)
      return ctx.error() << "states need a batch dim, got " << v.getType();
  for (Value v : scanInputs)
    if (NodeContext::typeOf(v).getRank() < 2)
      return ctx.error() << "scan inputs need batch and scan dims, got "
                         << v.getType();
  FailureOr<SmallVector<bool>> inReverse =
      readDirections(ctx, "directions", numScanInputs);
  if (failed(inReverse))
    return failure();
  int64_t batch = NodeContext::typeOf(scanInputs.front()).getDimSize(0);
  int64_t length = NodeContext::typeOf(scanInputs.front()).getDimSize(1);
  if (ShapedType::isDynamic(batch) || ShapedType::isDynamic(length))
    return ctx.error() << "the batch and scan dims of the scan inputs must be "
                          "static (dsr1 unrolls the scan; pin input shapes "
                          "with --input-shape)";
  if (failed(checkSteps(ctx, batch * length, **body)))
    return failure();
  if (ctx.input(0)) {
    // Shorter sequences would stop their states early and pad their
    // outputs: exact only when every sequence has the full length.
    FailureOr<SmallVector<int64_t>> lens = ctx.constantInts(0, "sequence_lens");
    if (failed(lens))
      return failure();
    if (llvm::any_of(*lens, [&](int64_t l) { return l != length; }))
      return ctx.error() << "sequence_lens other than the full length "
                         << length << " are not supported";
  }
  int64_t numScanOutputs = (*body)->output_size() - numStates;
  if (numScanOutputs < 0)
    return ctx.error() << "the body has fewer outputs than states";
  SmallVector<SmallVector<Value>> perBatch(numStates + numScanOutputs);
  SmallVector<int64_t> zeros(numScanInputs, 0);
  SmallVector<int64_t> outZeros(numScanOutputs, 0);
  SmallVector<bool> outForward(numScanOutputs, false);
  for (int64_t b = 0; b < batch; ++b) {
    SmallVector<Value> bStates, bInputs;
    for (Value s : states) {
      FailureOr<Value> v = takeAt(ctx, s, 0, b);
      if (failed(v))
        return failure();
      bStates.push_back(*v);
    }
    for (Value x : scanInputs) {
      FailureOr<Value> v = takeAt(ctx, x, 0, b);
      if (failed(v))
        return failure();
      bInputs.push_back(*v);
    }
    FailureOr<SmallVector<Value>> results = unrollScan(
        ctx, **body, bStates, bInputs, zeros, *inReverse, outZeros, outForward);
    if (failed(results))
      return failure();
    for (auto [list, value] : llvm::zip_equal(perBatch, *results))
      list.push_back(value);
  }
  SmallVector<Value> results;
  for (ArrayRef<Value> list : perBatch) {
    FailureOr<Value> stacked = stack(ctx, list, 0);
    if (failed(stacked))
      return failure();
    results.push_back(*stacked);
  }
  return ctx.setResults(results);
}

//===----------------------------------------------------------------------===//
// Loop
//===----------------------------------------------------------------------===//

bool isTrue(DenseElementsAttr attr) {
  if (!attr || attr.getNumElements() != 1)
    return false;
  return isa<FloatType>(attr.getElementType())
             ? !(*attr.getValues<APFloat>().begin()).isZero()
             : !(*attr.getValues<APInt>().begin()).isZero();
}

LogicalResult importLoop(NodeContext &ctx) {
  FailureOr<const onnx::GraphProto *> body = requiredGraph(ctx, "body");
  if (failed(body))
    return failure();
  // The number of steps must be known now: the trip count (M) a constant,
  // the condition a constant, and the body's condition output folding to a
  // constant on each step. Anything else ends the loop on data.
  std::optional<int64_t> tripCount;
  if (ctx.input(0)) {
    DenseElementsAttr m = ctx.constantAttr(0);
    if (!m || m.getNumElements() != 1 || !isa<IntegerType>(m.getElementType()))
      return ctx.error() << "input #0 (the trip count M) must be known at "
                            "compile time: dsr1 unrolls loops (pin the "
                            "shapes it is computed from)";
    tripCount =
        std::max<int64_t>((*m.getValues<APInt>().begin()).getSExtValue(), 0);
  }
  bool running = true;
  if (ctx.input(1)) {
    DenseElementsAttr c = ctx.constantAttr(1);
    if (!c || c.getNumElements() != 1)
      return ctx.error() << "input #1 (the loop condition) must be known at "
                            "compile time: loops that end on data are not "
                            "supported";
    running = isTrue(c);
  }
  if (!tripCount && !ctx.input(1))
    return ctx.error() << "a loop with neither a trip count nor a condition "
                          "never ends";
  SmallVector<Value> carried;
  for (int i = 2; i < ctx.numInputs(); ++i) {
    FailureOr<Value> v = ctx.requiredInput(i);
    if (failed(v))
      return failure();
    carried.push_back(*v);
  }
  int64_t numCarried = carried.size();
  int64_t numScanOutputs = (*body)->output_size() - 1 - numCarried;
  if (numScanOutputs < 0)
    return ctx.error() << "the body has " << (*body)->output_size()
                       << " outputs, fewer than its condition and the "
                       << numCarried << " loop-carried values";
  if (tripCount && failed(checkSteps(ctx, *tripCount, **body)))
    return failure();
  Type i64 = ctx.builder.getI64Type();
  auto boolType = RankedTensorType::get({}, ctx.builder.getI1Type());
  SmallVector<SmallVector<Value>> perStep(numScanOutputs);
  int64_t steps = 0;
  for (; running && (!tripCount || steps < *tripCount); ++steps) {
    if (failed(checkSteps(ctx, steps + 1, **body)))
      return failure();
    // The body runs only while the condition holds, so its cond input is
    // the constant true.
    SmallVector<Value> inputs = {
        ctx.scalar(i64, static_cast<double>(steps)),
        ctx.constant(DenseElementsAttr::get(boolType, true))};
    inputs.append(carried);
    FailureOr<SmallVector<Value>> outputs =
        ctx.inlineGraph("body", **body, inputs);
    if (failed(outputs))
      return failure();
    DenseElementsAttr next = ctx.evaluate(outputs->front());
    if (!next || next.getNumElements() != 1)
      return ctx.error() << "the body's condition output is not known at "
                            "compile time on step "
                         << steps
                         << ": loops that end on data are not supported";
    running = isTrue(next);
    carried.assign(outputs->begin() + 1, outputs->begin() + 1 + numCarried);
    for (int64_t k = 0; k < numScanOutputs; ++k)
      perStep[k].push_back((*outputs)[1 + numCarried + k]);
  }
  SmallVector<Value> results(carried);
  for (ArrayRef<Value> list : perStep) {
    if (list.empty())
      return ctx.error() << "a loop that runs no steps has empty scan "
                            "outputs, which are not supported";
    FailureOr<Value> stacked = stack(ctx, list, 0);
    if (failed(stacked))
      return failure();
    results.push_back(*stacked);
  }
  return ctx.setResults(results);
}

} // namespace

void registerControlFlowImporters(OpRegistry &r) {
  // If: opset 1's form is the same; later opsets add sequence and optional
  // outputs (refused by name) and element types.
  r.add("", "If", 1, kMaxOpset, importIf);
  r.add("", "Loop", 1, kMaxOpset, importLoop);
  r.add("", "Scan", 8, kMaxOpset, importScan);
}

} // namespace dsr1::onnx_frontend
