//===- BuildPlan.cpp - from an outlined graph to a runtime plan -----------===//
//
// Inputs and outputs come from the graph's signature (named by their
// `onnx.name`), weights from its constants, launches from its kernel calls.
// Intermediates take the arena offsets -dsr1-plan-memory put on the calls.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/BuildPlan.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Fusion.h"
#include "compiler/passes/Passes.h"
#include "compiler/support/NodeName.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>

using namespace mlir;

namespace dsr1 {

std::optional<DType> dtypeOf(Type type) {
  if (type.isF16())
    return DType::f16;
  if (type.isBF16())
    return DType::bf16;
  if (type.isF32())
    return DType::f32;
  if (type.isF64())
    return DType::f64;
  if (isa<Float8E4M3FNType>(type))
    return DType::f8E4M3FN;
  if (isa<Float8E4M3FNUZType>(type))
    return DType::f8E4M3FNUZ;
  if (isa<Float8E5M2Type>(type))
    return DType::f8E5M2;
  if (isa<Float8E5M2FNUZType>(type))
    return DType::f8E5M2FNUZ;
  if (isa<Float8E8M0FNUType>(type))
    return DType::f8E8M0FNU;
  if (isa<Float4E2M1FNType>(type))
    return DType::f4E2M1FN;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return std::nullopt;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return DType::i1;
  case 2:
    return isUnsigned ? DType::u2 : DType::i2;
  case 4:
    return isUnsigned ? DType::u4 : DType::i4;
  case 8:
    return isUnsigned ? DType::u8 : DType::i8;
  case 16:
    return isUnsigned ? DType::u16 : DType::i16;
  case 32:
    return isUnsigned ? DType::u32 : DType::i32;
  case 64:
    return isUnsigned ? DType::u64 : DType::i64;
  default:
    return std::nullopt;
  }
}

namespace {

FailureOr<TensorSpec> specOf(Value value, Location loc, StringRef name) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return emitError(loc) << "'" << name << "' is not a ranked tensor";
  std::optional<DType> dtype = dtypeOf(type.getElementType());
  if (!dtype)
    return emitError(loc) << "'" << name << "' has element type "
                          << type.getElementType()
                          << ", which the runtime cannot hold";
  if (!type.hasStaticShape())
    return emitError(loc)
           << "'" << name << "' has the shape " << type
           << " with unknown dims after shape inference; give the model's "
              "input shapes (dsr1-run takes them from the input data)";
  return TensorSpec{
      name.str(), *dtype,
      std::vector<int64_t>(type.getShape().begin(), type.getShape().end())};
}

/// The bytes of a constant in the runtime's layout (row-major, i1 as one
/// byte per element).
FailureOr<std::vector<uint8_t>> constantBytes(ConstantOp op,
                                              const TensorSpec &spec) {
  std::vector<uint8_t> bytes(spec.bytes());
  Attribute value = op.getValue();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != bytes.size())
      return op.emitError() << "the data of weight '" << spec.name
                            << "' is missing or has the wrong size";
    std::copy(blob->getData().begin(), blob->getData().end(), bytes.begin());
    return bytes;
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return op.emitError() << "weight '" << spec.name
                          << "' is neither dense nor a resource blob";
  if (dense.getElementType().isInteger(1)) {
    size_t i = 0;
    for (bool b : dense.getValues<bool>())
      bytes[i++] = b ? 1 : 0;
    return bytes;
  }
  ArrayRef<char> raw = dense.getRawData();
  size_t width = elementSize(spec.dtype);
  if (dense.isSplat()) {
    for (size_t i = 0; i < bytes.size(); i += width)
      std::copy(raw.begin(), raw.begin() + width, bytes.begin() + i);
    return bytes;
  }
  if (raw.size() != bytes.size())
    return op.emitError() << "weight '" << spec.name << "' holds " << raw.size()
                          << " bytes, its shape needs " << bytes.size();
  std::copy(raw.begin(), raw.end(), bytes.begin());
  return bytes;
}

/// An integer entry of a dictionary attribute, or 0.
uint64_t entry(DictionaryAttr dict, StringRef name) {
  auto value = dict ? dict.getAs<IntegerAttr>(name) : IntegerAttr();
  return value ? value.getValue().getZExtValue() : 0;
}

/// The reports -dsr1-plan-memory and -dsr1-insert-recompute left on the
/// graph.
MemoryReport memoryReport(func::FuncOp graph) {
  MemoryReport report;
  auto planned = graph->getAttrOfType<DictionaryAttr>(kMemoryAttrName);
  report.naiveBytes = entry(planned, "naive_bytes");
  report.lowerBoundBytes = entry(planned, "lower_bound_bytes");
  auto recomputed =
      graph->getAttrOfType<DictionaryAttr>(kRecomputationAttrName);
  if (!recomputed)
    return report;
  report.budgetBytes = entry(recomputed, "budget_bytes");
  report.unconstrainedBytes = entry(recomputed, "unconstrained_bytes");
  if (auto strategy = recomputed.getAs<StringAttr>("strategy"))
    report.strategy = strategy.str();
  report.recomputed = static_cast<uint32_t>(entry(recomputed, "recomputed"));
  report.extraFlops = entry(recomputed, "extra_flops");
  report.totalFlops = entry(recomputed, "total_flops");
  return report;
}

} // namespace

FailureOr<Plan> buildPlan(func::FuncOp graph) {
  Plan plan;
  DenseMap<Value, BufferRef> buffers;
  DenseMap<Value, std::string> names;

  for (BlockArgument arg : graph.getArguments()) {
    auto nameAttr =
        graph.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
    std::string name = nameAttr ? nameAttr.str()
                                : "input_" + std::to_string(arg.getArgNumber());
    FailureOr<TensorSpec> spec = specOf(arg, graph.getLoc(), name);
    if (failed(spec))
      return failure();
    buffers[arg] = {BufferRef::Kind::input,
                    static_cast<uint32_t>(plan.inputs.size()), 0,
                    spec->bytes()};
    names[arg] = name;
    plan.inputs.push_back(*spec);
  }

  auto returnOp = cast<func::ReturnOp>(graph.getBody().back().getTerminator());
  for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
    auto nameAttr = graph.getResultAttrOfType<StringAttr>(i, "onnx.name");
    std::string name =
        nameAttr ? nameAttr.str() : "output_" + std::to_string(i);
    FailureOr<TensorSpec> spec = specOf(value, returnOp.getLoc(), name);
    if (failed(spec))
      return failure();
    plan.outputs.push_back(*spec);
  }

  for (Operation &op : graph.getBody().front())
    if (!isa<func::CallOp, ConstantOp, func::ReturnOp>(op))
      return op.emitError()
             << "cannot plan '" << op.getName()
             << "': the graph must hold only constants and kernel calls "
                "(run -dsr1-outline-kernels first)";

  // A kernel result that the graph returns is written straight into the
  // output buffer (the first time it is returned).
  DenseMap<Value, uint32_t> directOutputs;
  for (auto [i, value] : llvm::enumerate(returnOp.getOperands()))
    if (value.getDefiningOp<func::CallOp>() && !directOutputs.count(value))
      directOutputs[value] = static_cast<uint32_t>(i);

  auto memory = graph->getAttrOfType<DictionaryAttr>(kMemoryAttrName);
  if (!memory)
    return graph.emitError() << "the graph's memory is not planned (run "
                                "-dsr1-plan-memory first)";
  plan.arenaBytes = entry(memory, "arena_bytes");
  plan.memory = memoryReport(graph);

  for (Operation &op : graph.getBody().front()) {
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      std::string name = nodeName(constant.getLoc());
      FailureOr<TensorSpec> spec =
          specOf(constant.getResult(), constant.getLoc(), name);
      if (failed(spec))
        return failure();
      FailureOr<std::vector<uint8_t>> bytes = constantBytes(constant, *spec);
      if (failed(bytes))
        return failure();
      HostTensor weight;
      weight.name = spec->name;
      weight.dtype = spec->dtype;
      weight.shape = spec->shape;
      weight.data = std::move(*bytes);
      uint64_t size = weight.data.size();
      buffers[constant] = {BufferRef::Kind::weight,
                           plan.addWeight(std::move(weight)), 0, size};
      names[constant] = name;
      continue;
    }
    auto call = dyn_cast<func::CallOp>(op);
    if (!call)
      continue;
    auto kernel = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    if (!kernel || !kernel->hasAttr(kKernelAttrName) || kernel.isExternal())
      return call.emitError()
             << "'" << call.getCallee() << "' is not a kernel function";
    KernelInfo info;
    info.symbol = kernel.getSymName().str();
    info.node = nodeName(call.getLoc());
    Block &body = kernel.getBody().front();
    Operation *first = &body.front();
    info.op = first->getName().stripDialect().str();
    // A fused group is reported by its family: its first op says little.
    auto family = kernel->getAttrOfType<FusionFamilyAttr>(kFamilyAttrName);
    if (family && std::next(body.begin(), 2) != body.end())
      info.op = ("fused " + stringifyFusionFamily(family.getValue())).str();
    auto offsets =
        call->getAttrOfType<DenseI64ArrayAttr>(kArenaOffsetsAttrName);
    if (!offsets ||
        offsets.size() != static_cast<int64_t>(call.getNumResults()))
      return call.emitError() << "the call has no arena offsets for its "
                                 "results (run -dsr1-plan-memory first)";

    Launch launch;
    launch.kernel = static_cast<uint32_t>(plan.kernels.size());
    for (Value operand : call.getOperands()) {
      launch.args.push_back(buffers.lookup(operand));
      launch.argNames.push_back(names.lookup(operand));
    }
    for (auto [i, result] : llvm::enumerate(call.getResults())) {
      std::string name =
          info.node +
          (call.getNumResults() > 1 ? ":" + std::to_string(i) : std::string());
      FailureOr<TensorSpec> spec = specOf(result, call.getLoc(), name);
      if (failed(spec))
        return failure();
      BufferRef ref;
      if (auto out = directOutputs.find(result); out != directOutputs.end()) {
        ref = {BufferRef::Kind::output, out->second, 0, spec->bytes()};
        names[result] = plan.outputs[out->second].name;
      } else {
        int64_t offset = offsets[i];
        if (offset < 0)
          return call.emitError()
                 << "result " << i << " has no place in the arena";
        ref = {BufferRef::Kind::arena, 0, static_cast<uint64_t>(offset),
               spec->bytes()};
        names[result] = name;
      }
      buffers[result] = ref;
      launch.args.push_back(ref);
      launch.argNames.push_back(names[result]);
    }
    plan.kernels.push_back(std::move(info));
    plan.launches.push_back(std::move(launch));
  }

  // Outputs not written by a kernel directly: inputs, weights, or a value
  // returned twice.
  for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
    auto direct = directOutputs.find(value);
    if (direct != directOutputs.end() && direct->second == i)
      continue;
    Launch copy;
    copy.kind = Launch::Kind::copy;
    BufferRef out{BufferRef::Kind::output, static_cast<uint32_t>(i), 0,
                  plan.outputs[i].bytes()};
    copy.args = {buffers.lookup(value), out};
    copy.argNames = {names.lookup(value), plan.outputs[i].name};
    plan.launches.push_back(std::move(copy));
  }
  return plan;
}

} // namespace dsr1
