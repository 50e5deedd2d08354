//===- TorchScriptImporter.cpp - TorchScript into the dsr1 dialect ------===//
//
// torch::jit::load, then freeze (parameters become constants, methods are
// inlined), then the usual cleanups (tuples lowered, mutation removed,
// constants propagated, dead code removed). The graph that is left is walked
// once: prim ops (lists, tuples, if / loop on values known at import time)
// are handled here, every aten op goes through the shared aten table.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/torch/TorchScriptImporter.h"
#include "compiler/frontend/Weights.h"
#include "compiler/frontend/torch/AtenOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/lower_tuples.h>
#include <torch/csrc/jit/passes/remove_mutation.h>
#include <torch/csrc/jit/serialization/import.h>

#include <chrono>
#include <map>

using namespace mlir;
namespace jit = torch::jit;

namespace dsr1::torch_frontend {

bool torchScriptAvailable() { return true; }

namespace {

/// Loops unroll at import time up to this many iterations.
constexpr int64_t kMaxUnrolledIterations = 4096;

/// "aten::relu_" -> "aten::relu": an in-place op RemoveMutation could not
/// rewrite; it is imported as the functional op, its result rebinding the
/// mutated value.
std::optional<std::string> functionalKind(llvm::StringRef kind) {
  if (!kind.ends_with("_") || kind.ends_with("__"))
    return std::nullopt;
  return kind.drop_back().str();
}

/// Unsupported op kinds, in the order met, with where each occurs.
using UnsupportedOps = llvm::MapVector<std::string, std::vector<std::string>,
                                       std::map<std::string, unsigned>>;

class GraphImporter {
public:
  GraphImporter(MLIRContext &context, llvm::StringRef path,
                const ImportOptions &options)
      : context(context), path(path), options(options), builder(&context),
        fileLoc(FileLineColLoc::get(&context, path, 0, 0)) {}

  /// Imports `graph`, the forward of `module` (which prim::GetAttr reads).
  OwningOpRef<ModuleOp> run(const jit::Module &frozen,
                            const std::shared_ptr<jit::Graph> &graph);

private:
  Location locOf(const jit::Node *node);
  std::string label(const jit::Node *node);
  void countNodes(const jit::Block *block);
  /// Lists every unsupported op met at once (failure) if there was one.
  LogicalResult reportUnsupported();
  LogicalResult importBlock(const jit::Block *block);
  LogicalResult importNode(const jit::Node *node);
  LogicalResult importAten(const jit::Node *node);
  LogicalResult importLoop(const jit::Node *node);
  FailureOr<AtenValue> fromIValue(const c10::IValue &value, Location loc,
                                  const std::string &name);
  AtenValue lookup(const jit::Value *v) const {
    auto it = values.find(v);
    return it == values.end() ? AtenValue() : it->second;
  }
  LogicalResult bind(const jit::Node *node, llvm::ArrayRef<AtenValue> results);
  void progress();

  MLIRContext &context;
  llvm::StringRef path;
  const ImportOptions &options;
  OpBuilder builder;
  Location fileLoc;
  llvm::DenseMap<const jit::Value *, AtenValue> values;
  /// Module objects (self, submodules) that prim::GetAttr reads attributes
  /// of: freezing leaves some on paths it cannot fold.
  llvm::DenseMap<const jit::Value *, c10::IValue> objects;
  /// Ops with no lowering met on the path imported, and the values that
  /// depend on them (not built; the import fails once the walk is done, so
  /// that every unsupported op is named at once).
  UnsupportedOps unsupported;
  llvm::DenseSet<const jit::Value *> poisoned;
  size_t totalNodes = 0, doneNodes = 0;
  std::chrono::steady_clock::time_point lastReport;
};

std::string GraphImporter::label(const jit::Node *node) {
  std::string text = node->kind().toQualString();
  if (auto source = node->sourceRange().file_line_col()) {
    auto [file, line, col] = *source;
    text += " at " + llvm::sys::path::filename(file).str() + ":" +
            std::to_string(line);
  }
  return text;
}

Location GraphImporter::locOf(const jit::Node *node) {
  SmallVector<Location> parts = {fileLoc};
  if (auto source = node->sourceRange().file_line_col()) {
    auto [file, line, col] = *source;
    parts.push_back(FileLineColLoc::get(&context, file, line, col));
  }
  return NameLoc::get(StringAttr::get(&context, label(node)),
                      FusedLoc::get(&context, parts));
}

void GraphImporter::countNodes(const jit::Block *block) {
  for (const jit::Node *node : block->nodes()) {
    ++totalNodes;
    for (const jit::Block *inner : node->blocks())
      countNodes(inner);
  }
}

LogicalResult GraphImporter::reportUnsupported() {
  if (unsupported.empty())
    return success();
  InFlightDiagnostic diag = emitError(fileLoc);
  diag << unsupported.size() << " op kind"
       << (unsupported.size() == 1 ? "" : "s") << " of the TorchScript graph "
       << (unsupported.size() == 1 ? "is" : "are")
       << " not supported by dsr1: ";
  llvm::interleaveComma(unsupported, diag,
                        [&](const auto &entry) { diag << entry.first; });
  for (const auto &[kind, where] : unsupported) {
    std::string sites;
    for (size_t i = 0; i < where.size() && i < 3; ++i)
      sites += (i ? "; " : "") + where[i];
    if (where.size() > 3)
      sites += "; and " + std::to_string(where.size() - 3) + " more";
    diag.attachNote() << kind << " (" << where.size() << "x): " << sites;
  }
  return failure();
}

FailureOr<AtenValue> GraphImporter::fromIValue(const c10::IValue &value,
                                               Location loc,
                                               const std::string &name) {
  if (value.isNone())
    return AtenValue();
  if (value.isBool())
    return AtenValue::ofBool(value.toBool());
  if (value.isInt())
    return AtenValue::ofInt(value.toInt());
  if (value.isDouble())
    return AtenValue::ofDouble(value.toDouble());
  if (value.isString())
    return AtenValue::ofString(value.toStringRef());
  if (value.isDevice())
    return AtenValue::ofString(value.toDevice().str());
  if (value.isTensor()) {
    at::Tensor t = value.toTensor().contiguous();
    Type element =
        elementTypeOf(&context, static_cast<int64_t>(t.scalar_type()));
    if (!element || t.is_quantized() || t.is_sparse())
      return emitError(loc) << "constant '" << name << "' has dtype "
                            << c10::toString(t.scalar_type())
                            << ", which dsr1 does not support";
    SmallVector<int64_t> shape(t.sizes().begin(), t.sizes().end());
    auto type = RankedTensorType::get(shape, element);
    llvm::ArrayRef<char> data(static_cast<const char *>(t.data_ptr()),
                              t.numel() * t.element_size());
    return AtenValue::ofTensor(weightConstant(builder, loc, type, data, name));
  }
  if (value.isList() || value.isTuple()) {
    std::vector<AtenValue> items;
    auto add = [&](const c10::IValue &item) -> LogicalResult {
      FailureOr<AtenValue> v =
          fromIValue(item, loc, name + "_" + std::to_string(items.size()));
      if (failed(v))
        return failure();
      items.push_back(*v);
      return success();
    };
    if (value.isList()) {
      for (const c10::IValue &item : value.toListRef())
        if (failed(add(item)))
          return failure();
    } else {
      for (const c10::IValue &item : value.toTupleRef().elements())
        if (failed(add(item)))
          return failure();
    }
    return AtenValue::ofList(std::move(items));
  }
  return emitError(loc) << "constant '" << name << "' of type "
                        << value.tagKind() << " is not supported";
}

LogicalResult GraphImporter::bind(const jit::Node *node,
                                  llvm::ArrayRef<AtenValue> results) {
  if (results.size() != node->outputs().size())
    return emitError(locOf(node))
           << "gives " << results.size() << " results for "
           << node->outputs().size() << " outputs";
  for (auto [output, value] : llvm::zip_equal(node->outputs(), results))
    values[output] = value;
  return success();
}

void GraphImporter::progress() {
  ++doneNodes;
  if (!options.showProgress)
    return;
  auto now = std::chrono::steady_clock::now();
  if (doneNodes != totalNodes &&
      now - lastReport < std::chrono::milliseconds(250))
    return;
  lastReport = now;
  llvm::errs() << "\rimporting " << path << ": " << doneNodes << " of "
               << totalNodes << " nodes"
               << (doneNodes >= totalNodes ? "\n" : "");
}

LogicalResult GraphImporter::importBlock(const jit::Block *block) {
  for (const jit::Node *node : block->nodes()) {
    if (failed(importNode(node)))
      return failure();
    progress();
  }
  return success();
}

LogicalResult GraphImporter::importLoop(const jit::Node *node) {
  // prim::Loop(max_trip_count, initial_condition, carried...); the body
  // takes (iteration, carried...) and returns (condition, carried...).
  Location loc = locOf(node);
  AtenValue trips = lookup(node->input(0)), cond = lookup(node->input(1));
  if (!trips.isInt() || (!cond.isNumber()))
    return emitError(loc) << "a loop whose trip count or condition is not "
                          << "known at import time cannot be unrolled";
  if (trips.integer() > kMaxUnrolledIterations)
    return emitError(loc) << "a loop of " << trips.integer()
                          << " iterations is too long to unroll (at most "
                          << kMaxUnrolledIterations << ")";
  std::vector<AtenValue> carried;
  for (size_t i = 2; i < node->inputs().size(); ++i)
    carried.push_back(lookup(node->input(i)));
  const jit::Block *body = node->blocks()[0];
  bool go = cond.number() != 0;
  for (int64_t i = 0; go && i < trips.integer(); ++i) {
    values[body->inputs()[0]] = AtenValue::ofInt(i);
    for (size_t j = 0; j < carried.size(); ++j)
      values[body->inputs()[j + 1]] = carried[j];
    if (failed(importBlock(body)))
      return failure();
    AtenValue next = lookup(body->outputs()[0]);
    if (!next.isNumber())
      return emitError(loc) << "the loop condition is not known at import "
                            << "time";
    go = next.number() != 0;
    for (size_t j = 0; j < carried.size(); ++j)
      carried[j] = lookup(body->outputs()[j + 1]);
  }
  return bind(node, carried);
}

LogicalResult GraphImporter::importAten(const jit::Node *node) {
  std::string kind = node->kind().toQualString();
  const AtenLowering *lowering = lookupAtenOp(kind);
  std::optional<std::string> functional;
  if (!lowering) {
    functional = functionalKind(kind);
    lowering = functional ? lookupAtenOp(*functional) : nullptr;
  }
  Location loc = locOf(node);
  if (!lowering) {
    unsupported[kind].push_back(label(node));
    for (const jit::Value *output : node->outputs())
      poisoned.insert(output);
    return success();
  }
  std::vector<AtenValue> args;
  for (const jit::Value *input : node->inputs())
    args.push_back(lookup(input));
  std::string overload;
  if (const c10::FunctionSchema *schema = node->maybeSchema())
    overload = schema->overload_name();
  AtenOpContext ctx(builder, loc, functional ? *functional : kind, overload,
                    args);
  std::vector<AtenValue> results;
  if (failed((*lowering)(ctx, results)) || ctx.failed())
    return failure();
  if (functional && !results.empty()) {
    // The mutated operand now holds the result for every later reader.
    values[node->input(0)] = results.front();
  }
  return bind(node, results);
}

LogicalResult GraphImporter::importNode(const jit::Node *node) {
  llvm::StringRef kind = node->kind().toQualString();
  if (llvm::any_of(node->inputs(), [&](const jit::Value *input) {
        return poisoned.contains(input);
      })) {
    for (const jit::Value *output : node->outputs())
      poisoned.insert(output);
    return success();
  }
  Location loc = locOf(node);
  if (kind == "prim::Constant") {
    std::optional<c10::IValue> value = jit::toIValue(node->output());
    if (!value)
      return emitError(loc) << "a constant without a value";
    FailureOr<AtenValue> v =
        fromIValue(*value, loc, node->output()->debugName());
    if (failed(v))
      return failure();
    return bind(node, {*v});
  }
  if (kind == "prim::GetAttr") {
    auto object = objects.find(node->input(0));
    if (object == objects.end() || !object->second.isObject())
      return emitError(loc) << "reads attribute '" << node->s(c10::attr::name)
                            << "' of a value that is not a module";
    c10::IValue attr =
        object->second.toObject()->getAttr(node->s(c10::attr::name));
    if (attr.isObject()) {
      objects[node->output()] = attr;
      return bind(node, {AtenValue()});
    }
    FailureOr<AtenValue> v = fromIValue(attr, loc, node->s(c10::attr::name));
    if (failed(v))
      return failure();
    return bind(node, {*v});
  }
  if (kind == "prim::ListConstruct" || kind == "prim::TupleConstruct") {
    std::vector<AtenValue> items;
    for (const jit::Value *input : node->inputs())
      items.push_back(lookup(input));
    return bind(node, {AtenValue::ofList(std::move(items))});
  }
  if (kind == "prim::ListUnpack" || kind == "prim::TupleUnpack") {
    AtenValue list = lookup(node->input(0));
    if (!list.isList())
      return emitError(loc) << "unpacks " << list.describe();
    return bind(node, list.list());
  }
  if (kind == "prim::TupleIndex") {
    AtenValue list = lookup(node->input(0)), index = lookup(node->input(1));
    if (!list.isList() || !index.isInt() || index.integer() < 0 ||
        index.integer() >= int64_t(list.list().size()))
      return emitError(loc) << "a tuple index not known at import time";
    return bind(node, {list.list()[index.integer()]});
  }
  if (kind == "prim::If") {
    AtenValue cond = lookup(node->input(0));
    if (!cond.isNumber())
      return emitError(loc) << "the condition of this 'if' depends on "
                            << "tensor data (" << cond.describe()
                            << "); dsr1 needs it known at import time";
    const jit::Block *taken = node->blocks()[cond.number() != 0 ? 0 : 1];
    if (failed(importBlock(taken)))
      return failure();
    std::vector<AtenValue> results;
    for (const jit::Value *output : taken->outputs())
      results.push_back(lookup(output));
    return bind(node, results);
  }
  if (kind == "prim::Loop")
    return importLoop(node);
  if (kind == "prim::RaiseException") {
    AtenValue message = lookup(node->input(0));
    return emitError(loc) << "the model raises an exception for these inputs"
                          << (message.kind() == AtenValue::Kind::string
                                  ? ": " + message.string()
                                  : std::string());
  }
  if (kind == "prim::Uninitialized")
    return bind(node, {AtenValue()});
  if (kind == "prim::unchecked_cast")
    return bind(node, {lookup(node->input(0))});
  if (kind == "prim::device")
    return bind(node, {AtenValue::ofString("cpu")});
  if (kind == "prim::is_cuda")
    return bind(node, {AtenValue::ofBool(false)});
  // With autograd on (aten::is_grad_enabled is true, AtenScalarOps.cpp) and
  // parameters that require grad, modules with an inference fast path
  // (nn.TransformerEncoderLayer, nn.MultiheadAttention) take their reference
  // path, made of ops dsr1 maps one by one; the result is the same.
  if (kind == "prim::requires_grad")
    return bind(node, {AtenValue::ofBool(true)});
  if (kind == "prim::dtype") {
    AtenValue t = lookup(node->input(0));
    if (!t.isTensor())
      return emitError(loc) << "dtype of " << t.describe();
    std::optional<int64_t> code = scalarTypeOf(
        cast<RankedTensorType>(t.tensor().getType()).getElementType());
    if (!code)
      return emitError(loc) << "dtype of " << t.tensor().getType();
    return bind(node, {AtenValue::ofInt(*code)});
  }
  if (kind == "aten::__derive_index") {
    // (index, start, step) -> start + index * step
    AtenValue i = lookup(node->input(0)), s = lookup(node->input(1)),
              st = lookup(node->input(2));
    if (!i.isInt() || !s.isInt() || !st.isInt())
      return emitError(loc) << "a loop index not known at import time";
    return bind(node,
                {AtenValue::ofInt(s.integer() + i.integer() * st.integer())});
  }
  return importAten(node);
}

/// The input name TorchScript gives ("input_ids", "x.1" -> "x").
std::string inputName(const jit::Value *v) {
  std::string name = v->debugName();
  llvm::StringRef ref(name);
  auto [base, suffix] = ref.rsplit('.');
  if (!suffix.empty() && llvm::all_of(suffix, llvm::isDigit))
    return base.str();
  return name;
}

OwningOpRef<ModuleOp>
GraphImporter::run(const jit::Module &frozen,
                   const std::shared_ptr<jit::Graph> &graph) {
  countNodes(graph->block());
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<const jit::Value *> inputs;
  for (const jit::Value *input : graph->inputs()) {
    if (input->type()->cast<c10::ClassType>()) {
      objects[input] = frozen._ivalue(); // self
      continue;
    }
    std::string name = inputName(input);
    if (!input->type()->cast<c10::TensorType>())
      return (emitError(fileLoc)
              << "input '" << name << "' is of type " << input->type()->str()
              << ": dsr1 takes tensor inputs only"),
             nullptr;
    size_t position = inputs.size();
    SmallVector<int64_t> shape;
    bool haveShape = false;
    if (auto it = options.inputShapes.find(name);
        it != options.inputShapes.end()) {
      shape = it->second;
      haveShape = true;
    } else if (position < options.inputShapesByPosition.size()) {
      shape = options.inputShapesByPosition[position];
      haveShape = true;
    } else if (auto sizes = input->type()
                                ->expect<c10::TensorType>()
                                ->sizes()
                                .concrete_sizes()) {
      shape.assign(sizes->begin(), sizes->end());
      haveShape = true;
    }
    if (!haveShape)
      return (emitError(fileLoc)
              << "input '" << name << "' (#" << position
              << "): TorchScript files do not record input shapes; give it "
              << "with --input-shape " << name << "=DIMS[:TYPE] (e.g. " << name
              << "=1x3x224x224:f32) or run on data with --inputs"),
             nullptr;
    std::string elementName = "f32";
    if (auto it = options.inputElementTypes.find(name);
        it != options.inputElementTypes.end())
      elementName = it->second;
    else if (position < options.inputElementTypesByPosition.size() &&
             !options.inputElementTypesByPosition[position].empty())
      elementName = options.inputElementTypesByPosition[position];
    else if (auto scalar =
                 input->type()->expect<c10::TensorType>()->scalarType())
      elementName = "";
    Type element;
    if (elementName.empty()) {
      element = elementTypeOf(
          &context,
          static_cast<int64_t>(
              *input->type()->expect<c10::TensorType>()->scalarType()));
    } else {
      static const std::pair<const char *, int64_t> kNames[] = {
          {"u8", 0},  {"i8", 1},  {"i16", 2}, {"i32", 3}, {"i64", 4},
          {"f16", 5}, {"f32", 6}, {"f64", 7}, {"i1", 11}, {"bf16", 15}};
      for (auto [text, code] : kNames)
        if (elementName == text)
          element = elementTypeOf(&context, code);
    }
    if (!element)
      return (emitError(fileLoc) << "input '" << name << "': element type '"
                                 << elementName << "' is not supported"),
             nullptr;
    inputs.push_back(input);
    argTypes.push_back(RankedTensorType::get(shape, element));
    argAttrs.push_back(builder.getDictionaryAttr(
        builder.getNamedAttr("onnx.name", builder.getStringAttr(name))));
  }
  for (const auto &entry : options.inputShapes)
    if (llvm::none_of(inputs, [&](const jit::Value *input) {
          return inputName(input) == entry.getKey();
        }))
      return (emitError(fileLoc) << "--input-shape names '" << entry.getKey()
                                 << "', which is not an input of the model"),
             nullptr;

  auto fn = func::FuncOp::create(builder, fileLoc, "main",
                                 builder.getFunctionType(argTypes, {}));
  // The IO-name attribute the plan reads is named after the first frontend.
  fn.setAllArgAttrs(argAttrs);
  module->push_back(fn);
  Block *body = fn.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  for (auto [input, arg] : llvm::zip_equal(inputs, body->getArguments()))
    values[input] = AtenValue::ofTensor(arg);
  lastReport = std::chrono::steady_clock::now();
  if (failed(importBlock(graph->block())) || failed(reportUnsupported()))
    return nullptr;

  // Outputs: tensors, with tuples and lists flattened in order.
  SmallVector<Value> results;
  std::function<LogicalResult(const AtenValue &)> flatten =
      [&](const AtenValue &v) -> LogicalResult {
    if (v.isTensor()) {
      results.push_back(v.tensor());
      return success();
    }
    if (v.isList()) {
      for (const AtenValue &item : v.list())
        if (failed(flatten(item)))
          return failure();
      return success();
    }
    return emitError(fileLoc) << "the model returns " << v.describe()
                              << "; dsr1 returns tensors only";
  };
  for (const jit::Value *output : graph->outputs())
    if (failed(flatten(lookup(output))))
      return nullptr;
  SmallVector<DictionaryAttr> resultAttrs;
  for (size_t i = 0; i < results.size(); ++i)
    resultAttrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
        "onnx.name", builder.getStringAttr("output_" + std::to_string(i)))));
  func::ReturnOp::create(builder, fileLoc, results);
  fn.setFunctionType(builder.getFunctionType(argTypes, TypeRange(results)));
  fn.setAllResultAttrs(resultAttrs);
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

/// The frozen module and its forward graph, cleaned up for import.
std::pair<jit::Module, std::shared_ptr<jit::Graph>>
forwardGraph(const std::string &path) {
  jit::Module module = jit::load(path, c10::Device(c10::kCPU));
  module.eval();
  jit::Module frozen =
      jit::freeze(module, std::nullopt, /*optimize_numerics=*/false);
  std::shared_ptr<jit::Graph> graph =
      frozen.get_method("forward").graph()->copy();
  jit::Inline(*graph);
  jit::LowerSimpleTuples(graph);
  jit::RemoveListMutation(graph);
  jit::RemoveTensorMutation(graph);
  jit::ConstantPropagation(graph);
  jit::EliminateDeadCode(graph);
  return {frozen, graph};
}

} // namespace

OwningOpRef<ModuleOp> importTorchScriptFile(MLIRContext &context,
                                            llvm::StringRef path,
                                            const ImportOptions &options) {
  context.loadDialect<DSR1Dialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  if (!llvm::sys::fs::exists(path))
    return (emitError(fileLoc) << "no such file"), nullptr;
  std::optional<std::pair<jit::Module, std::shared_ptr<jit::Graph>>> loaded;
  try {
    loaded = forwardGraph(path.str());
  } catch (const c10::Error &e) {
    return (emitError(fileLoc)
            << "cannot read it as TorchScript: " << e.what_without_backtrace()),
           nullptr;
  } catch (const std::exception &e) {
    return (emitError(fileLoc)
            << "cannot read it as TorchScript: " << e.what()),
           nullptr;
  }
  try {
    return GraphImporter(context, path, options)
        .run(loaded->first, loaded->second);
  } catch (const c10::Error &e) {
    return (emitError(fileLoc) << "libtorch failed while importing: "
                               << e.what_without_backtrace()),
           nullptr;
  }
}

} // namespace dsr1::torch_frontend
