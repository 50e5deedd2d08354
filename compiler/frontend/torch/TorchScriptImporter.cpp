//===- TorchScriptImporter.cpp - A TorchGraph into the dsr1 dialect -----===//
//
// Loads the libdsr1-torchscript plugin (TorchScriptReader.cpp, the only code
// that links libtorch) on first use, has it read the file into a TorchGraph,
// and walks that graph once: prim ops (lists, tuples, if / loop on values
// known at import time) are handled here, every aten op goes through the
// shared aten table (AtenOps.h). No libtorch here, so the tools start without
// loading it.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/torch/TorchScriptImporter.h"
#include "compiler/frontend/Weights.h"
#include "compiler/frontend/torch/AtenOps.h"
#include "compiler/frontend/torch/TorchGraph.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <dlfcn.h>
#include <functional>
#include <map>
#include <mutex>

using namespace mlir;

namespace dsr1::torch_frontend {

namespace {

/// The plugin's file name, in the lib/ folder beside the tools' bin/.
constexpr const char *kPluginName = "libdsr1-torchscript.so";

/// Loops unroll at import time up to this many iterations.
constexpr int64_t kMaxUnrolledIterations = 4096;

/// Where the plugin is: $DSR1_TORCHSCRIPT_PLUGIN, else beside libdsr1.so
/// when this code is in it (a host application), else lib/ beside the
/// tools' bin/.
std::string pluginPath() {
  if (std::optional<std::string> env =
          llvm::sys::Process::GetEnv("DSR1_TORCHSCRIPT_PLUGIN"))
    return *env;
  Dl_info self;
  if (dladdr(reinterpret_cast<void *>(&pluginPath), &self) && self.dli_fname &&
      llvm::StringRef(self.dli_fname).contains(".so")) {
    llvm::SmallString<256> path(llvm::sys::path::parent_path(self.dli_fname));
    llvm::sys::path::append(path, kPluginName);
    return std::string(path);
  }
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  llvm::SmallString<256> path(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(path, "lib", kPluginName);
  return std::string(path);
}

struct Plugin {
  ReadTorchScriptFn read = nullptr;
  std::string path, error;
};

/// The plugin, loaded once per process.
const Plugin &plugin() {
  static Plugin loaded = [] {
    Plugin p;
    p.path = pluginPath();
    if (!llvm::sys::fs::exists(p.path)) {
      p.error = "this build of dsr1 has no TorchScript support: it was "
                "configured without libtorch (" +
                p.path +
                " is missing). Install it (pip install torch==2.15.0) and "
                "rebuild (scripts/build.sh, or cmake -DDSR1_ENABLE_TORCH=ON), "
                "or export the model to ONNX (torch.onnx.export) instead";
      return p;
    }
    std::string message;
    auto library = llvm::sys::DynamicLibrary::getPermanentLibrary(
        p.path.c_str(), &message);
    if (!library.isValid()) {
      p.error = "cannot load the TorchScript reader " + p.path + ": " + message;
      return p;
    }
    auto abi = reinterpret_cast<TorchScriptAbiFn>(
        library.getAddressOfSymbol("dsr1TorchScriptAbi"));
    p.read = reinterpret_cast<ReadTorchScriptFn>(
        library.getAddressOfSymbol("dsr1ReadTorchScript"));
    if (!abi || !p.read || abi() != kTorchGraphAbi) {
      p.read = nullptr;
      p.error = "the TorchScript reader " + p.path +
                " is from another build of dsr1; rebuild it";
    }
    return p;
  }();
  return loaded;
}

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

  OwningOpRef<ModuleOp> run(const TorchGraph &graph);

private:
  Location locOf(const TorchNode &node);
  std::string label(const TorchNode &node);
  void countNodes(const TorchBlock &block);
  /// Lists every unsupported op met at once (failure) if there was one.
  LogicalResult reportUnsupported();
  LogicalResult importBlock(const TorchBlock &block);
  LogicalResult importNode(const TorchNode &node);
  LogicalResult importAten(const TorchNode &node);
  LogicalResult importLoop(const TorchNode &node);
  FailureOr<AtenValue> fromConstant(const TorchConstant &value, Location loc,
                                    const std::string &name);
  FailureOr<Type> inputType(const TorchInput &input, size_t position);
  AtenValue lookup(int64_t v) const {
    auto it = values.find(v);
    return it == values.end() ? AtenValue() : it->second;
  }
  LogicalResult bind(const TorchNode &node, llvm::ArrayRef<AtenValue> results);
  void progress();

  MLIRContext &context;
  llvm::StringRef path;
  const ImportOptions &options;
  OpBuilder builder;
  Location fileLoc;
  llvm::DenseMap<int64_t, AtenValue> values;
  /// Ops with no lowering met on the path imported, and the values that
  /// depend on them (not built; the import fails once the walk is done, so
  /// that every unsupported op is named at once).
  UnsupportedOps unsupported;
  llvm::DenseSet<int64_t> poisoned;
  size_t totalNodes = 0, doneNodes = 0;
  std::chrono::steady_clock::time_point lastReport;
};

std::string GraphImporter::label(const TorchNode &node) {
  std::string text = node.kind;
  if (!node.file.empty())
    text += " at " + llvm::sys::path::filename(node.file).str() + ":" +
            std::to_string(node.line);
  return text;
}

Location GraphImporter::locOf(const TorchNode &node) {
  SmallVector<Location> parts = {fileLoc};
  if (!node.file.empty())
    parts.push_back(
        FileLineColLoc::get(&context, node.file, node.line, node.column));
  return NameLoc::get(StringAttr::get(&context, label(node)),
                      FusedLoc::get(&context, parts));
}

void GraphImporter::countNodes(const TorchBlock &block) {
  for (const TorchNode &node : block.nodes) {
    ++totalNodes;
    for (const TorchBlock &inner : node.blocks)
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

FailureOr<AtenValue> GraphImporter::fromConstant(const TorchConstant &value,
                                                 Location loc,
                                                 const std::string &name) {
  using Kind = TorchConstant::Kind;
  switch (value.kind) {
  case Kind::none:
  case Kind::object: // a module: only prim::GetAttr reads it
    return AtenValue();
  case Kind::boolean:
    return AtenValue::ofBool(value.integer != 0);
  case Kind::integer:
    return AtenValue::ofInt(value.integer);
  case Kind::real:
    return AtenValue::ofDouble(value.real);
  case Kind::string:
    return AtenValue::ofString(value.string);
  case Kind::list: {
    std::vector<AtenValue> items;
    for (const TorchConstant &item : value.items) {
      FailureOr<AtenValue> v =
          fromConstant(item, loc, name + "_" + std::to_string(items.size()));
      if (failed(v))
        return failure();
      items.push_back(*v);
    }
    return AtenValue::ofList(std::move(items));
  }
  case Kind::tensor: {
    Type element = elementTypeOf(&context, value.scalarType);
    int64_t count = 1;
    for (int64_t d : value.shape)
      count *= d;
    if (!element ||
        value.bytes.size() !=
            size_t(count) * std::max(element.getIntOrFloatBitWidth() / 8, 1u))
      return emitError(loc)
             << "constant '" << name << "' has dtype " << value.scalarTypeName
             << ", which dsr1 does not support";
    auto type = RankedTensorType::get(value.shape, element);
    return AtenValue::ofTensor(
        weightConstant(builder, loc, type, value.bytes, name));
  }
  }
  return emitError(loc) << "constant '" << name << "' is not supported";
}

LogicalResult GraphImporter::bind(const TorchNode &node,
                                  llvm::ArrayRef<AtenValue> results) {
  if (results.size() != node.outputs.size())
    return emitError(locOf(node))
           << "gives " << results.size() << " results for "
           << node.outputs.size() << " outputs";
  for (auto [output, value] : llvm::zip_equal(node.outputs, results))
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

LogicalResult GraphImporter::importBlock(const TorchBlock &block) {
  for (const TorchNode &node : block.nodes) {
    if (failed(importNode(node)))
      return failure();
    progress();
  }
  return success();
}

LogicalResult GraphImporter::importLoop(const TorchNode &node) {
  // prim::Loop(max_trip_count, initial_condition, carried...); the body
  // takes (iteration, carried...) and returns (condition, carried...).
  Location loc = locOf(node);
  AtenValue trips = lookup(node.inputs[0]), cond = lookup(node.inputs[1]);
  if (!trips.isInt() || !cond.isNumber())
    return emitError(loc) << "a loop whose trip count or condition is not "
                          << "known at import time cannot be unrolled";
  if (trips.integer() > kMaxUnrolledIterations)
    return emitError(loc) << "a loop of " << trips.integer()
                          << " iterations is too long to unroll (at most "
                          << kMaxUnrolledIterations << ")";
  std::vector<AtenValue> carried;
  for (size_t i = 2; i < node.inputs.size(); ++i)
    carried.push_back(lookup(node.inputs[i]));
  const TorchBlock &body = node.blocks[0];
  bool go = cond.number() != 0;
  for (int64_t i = 0; go && i < trips.integer(); ++i) {
    values[body.inputs[0]] = AtenValue::ofInt(i);
    for (size_t j = 0; j < carried.size(); ++j)
      values[body.inputs[j + 1]] = carried[j];
    if (failed(importBlock(body)))
      return failure();
    AtenValue next = lookup(body.outputs[0]);
    if (!next.isNumber())
      return emitError(loc) << "the loop condition is not known at import "
                            << "time";
    go = next.number() != 0;
    for (size_t j = 0; j < carried.size(); ++j)
      carried[j] = lookup(body.outputs[j + 1]);
  }
  return bind(node, carried);
}

LogicalResult GraphImporter::importAten(const TorchNode &node) {
  const AtenLowering *lowering = lookupAtenOp(node.kind);
  std::optional<std::string> functional;
  if (!lowering) {
    functional = functionalKind(node.kind);
    lowering = functional ? lookupAtenOp(*functional) : nullptr;
  }
  if (!lowering) {
    unsupported[node.kind].push_back(label(node));
    for (int64_t output : node.outputs)
      poisoned.insert(output);
    return success();
  }
  std::vector<AtenValue> args;
  for (int64_t input : node.inputs)
    args.push_back(lookup(input));
  AtenOpContext ctx(builder, locOf(node), functional ? *functional : node.kind,
                    node.overload, args);
  std::vector<AtenValue> results;
  if (failed((*lowering)(ctx, results)) || ctx.buildFailed())
    return failure();
  if (functional && !results.empty()) {
    // The mutated operand now holds the result for every later reader.
    values[node.inputs[0]] = results.front();
  }
  return bind(node, results);
}

LogicalResult GraphImporter::importNode(const TorchNode &node) {
  if (llvm::any_of(node.inputs,
                   [&](int64_t input) { return poisoned.contains(input); })) {
    for (int64_t output : node.outputs)
      poisoned.insert(output);
    return success();
  }
  llvm::StringRef kind = node.kind;
  Location loc = locOf(node);
  if (kind == "prim::Constant" || kind == "prim::GetAttr") {
    if (!node.constant)
      return emitError(loc) << (kind == "prim::Constant"
                                    ? "a constant without a value"
                                    : "reads an attribute of a value that is "
                                      "not a module");
    FailureOr<AtenValue> v = fromConstant(
        *node.constant, loc, "v" + std::to_string(node.outputs[0]));
    if (failed(v))
      return failure();
    return bind(node, {*v});
  }
  if (kind == "prim::ListConstruct" || kind == "prim::TupleConstruct") {
    std::vector<AtenValue> items;
    for (int64_t input : node.inputs)
      items.push_back(lookup(input));
    return bind(node, {AtenValue::ofList(std::move(items))});
  }
  if (kind == "prim::ListUnpack" || kind == "prim::TupleUnpack") {
    AtenValue list = lookup(node.inputs[0]);
    if (!list.isList())
      return emitError(loc) << "unpacks " << list.describe();
    return bind(node, list.list());
  }
  if (kind == "prim::TupleIndex") {
    AtenValue list = lookup(node.inputs[0]), index = lookup(node.inputs[1]);
    if (!list.isList() || !index.isInt() || index.integer() < 0 ||
        index.integer() >= int64_t(list.list().size()))
      return emitError(loc) << "a tuple index not known at import time";
    return bind(node, {list.list()[index.integer()]});
  }
  if (kind == "prim::If") {
    AtenValue cond = lookup(node.inputs[0]);
    if (!cond.isNumber())
      return emitError(loc) << "the condition of this 'if' depends on "
                            << "tensor data (" << cond.describe()
                            << "); dsr1 needs it known at import time";
    const TorchBlock &taken = node.blocks[cond.number() != 0 ? 0 : 1];
    if (failed(importBlock(taken)))
      return failure();
    std::vector<AtenValue> results;
    for (int64_t output : taken.outputs)
      results.push_back(lookup(output));
    return bind(node, results);
  }
  if (kind == "prim::Loop")
    return importLoop(node);
  if (kind == "prim::RaiseException") {
    AtenValue message = lookup(node.inputs[0]);
    return emitError(loc) << "the model raises an exception for these inputs"
                          << (message.kind() == AtenValue::Kind::string
                                  ? ": " + message.string()
                                  : std::string());
  }
  if (kind == "prim::Uninitialized")
    return bind(node, {AtenValue()});
  if (kind == "prim::unchecked_cast")
    return bind(node, {lookup(node.inputs[0])});
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
    AtenValue t = lookup(node.inputs[0]);
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
    AtenValue i = lookup(node.inputs[0]), s = lookup(node.inputs[1]),
              st = lookup(node.inputs[2]);
    if (!i.isInt() || !s.isInt() || !st.isInt())
      return emitError(loc) << "a loop index not known at import time";
    return bind(node,
                {AtenValue::ofInt(s.integer() + i.integer() * st.integer())});
  }
  return importAten(node);
}

/// The input name TorchScript gives ("input_ids", "x.1" -> "x").
std::string inputName(const TorchInput &input) {
  llvm::StringRef ref(input.name);
  auto [base, suffix] = ref.rsplit('.');
  if (!suffix.empty() && llvm::all_of(suffix, llvm::isDigit))
    return base.str();
  return input.name;
}

FailureOr<Type> GraphImporter::inputType(const TorchInput &input,
                                         size_t position) {
  std::string name = inputName(input);
  SmallVector<int64_t> shape;
  if (auto it = options.inputShapes.find(name); it != options.inputShapes.end())
    shape = it->second;
  else if (position < options.inputShapesByPosition.size())
    shape = options.inputShapesByPosition[position];
  else if (input.shape)
    shape.assign(input.shape->begin(), input.shape->end());
  else
    return emitError(fileLoc)
           << "input '" << name << "' (#" << position
           << "): TorchScript files do not record input shapes; give it with "
           << "--input-shape " << name << "=DIMS[:TYPE] (e.g. " << name
           << "=1x3x224x224:f32) or run on data with --inputs";
  Type element;
  std::string elementName;
  if (auto it = options.inputElementTypes.find(name);
      it != options.inputElementTypes.end())
    elementName = it->second;
  else if (position < options.inputElementTypesByPosition.size())
    elementName = options.inputElementTypesByPosition[position];
  if (!elementName.empty()) {
    static const std::pair<const char *, int64_t> kNames[] = {
        {"u8", 0},  {"i8", 1},  {"i16", 2}, {"i32", 3}, {"i64", 4},
        {"f16", 5}, {"f32", 6}, {"f64", 7}, {"i1", 11}, {"bf16", 15}};
    for (auto [text, code] : kNames)
      if (elementName == text)
        element = elementTypeOf(&context, code);
  } else {
    element = input.scalarType ? elementTypeOf(&context, *input.scalarType)
                               : builder.getF32Type();
  }
  if (!element)
    return emitError(fileLoc) << "input '" << name << "': element type '"
                              << elementName << "' is not supported";
  return RankedTensorType::get(shape, element);
}

OwningOpRef<ModuleOp> GraphImporter::run(const TorchGraph &graph) {
  countNodes(graph.body);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  for (const TorchInput &input : graph.inputs) {
    std::string name = inputName(input);
    if (!input.isTensor)
      return (emitError(fileLoc)
              << "input '" << name << "' is of type " << input.type
              << ": dsr1 takes tensor inputs only"),
             nullptr;
    FailureOr<Type> type = inputType(input, argTypes.size());
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argAttrs.push_back(builder.getDictionaryAttr(
        builder.getNamedAttr(kIoNameAttr, builder.getStringAttr(name))));
  }
  std::vector<std::string> inputNames;
  for (const TorchInput &input : graph.inputs)
    inputNames.push_back(inputName(input));
  if (std::optional<std::string> unknown =
          unknownShapeOverride(options, inputNames))
    return (emitError(fileLoc) << "--input-shape names '" << *unknown
                               << "', which is not an input of the model"),
           nullptr;

  auto fn = func::FuncOp::create(builder, fileLoc, "main",
                                 builder.getFunctionType(argTypes, {}));
  fn.setAllArgAttrs(argAttrs);
  module->push_back(fn);
  Block *body = fn.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  for (auto [input, arg] : llvm::zip_equal(graph.inputs, body->getArguments()))
    values[input.value] = AtenValue::ofTensor(arg);
  lastReport = std::chrono::steady_clock::now();
  if (failed(importBlock(graph.body)) || failed(reportUnsupported()))
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
  for (int64_t output : graph.body.outputs)
    if (failed(flatten(lookup(output))))
      return nullptr;
  std::vector<std::string> names;
  for (size_t i = 0; i < results.size(); ++i)
    names.push_back("output_" + std::to_string(i));
  if (failed(finishMain(builder, fileLoc, fn, results, names)))
    return nullptr;
  return module;
}

} // namespace

bool torchScriptAvailable() { return plugin().read != nullptr; }

OwningOpRef<ModuleOp> importTorchScriptFile(MLIRContext &context,
                                            llvm::StringRef path,
                                            const ImportOptions &options) {
  context.loadDialect<DSR1Dialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  const Plugin &reader = plugin();
  if (!reader.read)
    return (emitError(fileLoc) << reader.error), nullptr;
  if (!llvm::sys::fs::exists(path))
    return (emitError(fileLoc) << "no such file"), nullptr;
  TorchGraph graph;
  std::string error;
  // libtorch is not known to be safe to call from several threads at once
  // while it loads modules.
  static std::mutex readMutex;
  {
    std::lock_guard<std::mutex> lock(readMutex);
    if (!reader.read(path.str().c_str(), &graph, &error))
      return (emitError(fileLoc) << "cannot read it as TorchScript: " << error),
             nullptr;
  }
  return GraphImporter(context, path, options).run(graph);
}

} // namespace dsr1::torch_frontend
