//===- OnnxImporter.cpp - ONNX models into the dsr1 dialect
//-----------------===//
//
// Loading and validating a ModelProto, the graph walk (inputs, initializers,
// nodes, outputs), tensor data (inline, raw and external), and the per-node
// services NodeContext offers the op importers.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/OnnxImporter.h"
#include "compiler/frontend/Weights.h"
#include "compiler/frontend/onnx/NodeImporter.h"
#include "runtime/HostTensor.h"
#include "runtime/TensorIO.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/defs/parser.h>

#include <chrono>
#include <cmath>
#include <map>

using namespace mlir;

namespace dsr1::onnx_frontend {

namespace {

/// ONNX IR versions dsr1 reads (IR 3 is ONNX 1.1; IR 11 is ONNX 1.19+).
constexpr int64_t kMaxIrVersion = 14;
/// The newest IR version Debian's libonnx checker accepts.
constexpr int64_t kCheckerMaxIrVersion = 8;
/// The newest default-domain opset that checker has schemas for.
constexpr int64_t kCheckerMaxOpset = 17;

std::string describeDataType(int32_t type) {
  if (const char *name = onnxDataTypeName(type))
    return name;
  return "unknown element type " + std::to_string(type);
}

/// The MLIR element type of an ONNX tensor element type, or null for the
/// types dsr1 does not hold (strings, complex): those are refused by name,
/// never misread. The 8- and 4-bit floats and 4- and 2-bit integers are
/// storage types (numbers above 16 are newer than Debian's onnx.proto).
Type elementType(MLIRContext *ctx, int32_t type) {
  Builder b(ctx);
  switch (type) {
  case 1:
    return b.getF32Type();
  case 2:
    return b.getIntegerType(8, /*isSigned=*/false);
  case 3:
    return b.getI8Type();
  case 4:
    return b.getIntegerType(16, /*isSigned=*/false);
  case 5:
    return b.getI16Type();
  case 6:
    return b.getI32Type();
  case 7:
    return b.getI64Type();
  case 9:
    return b.getI1Type();
  case 10:
    return b.getF16Type();
  case 11:
    return b.getF64Type();
  case 12:
    return b.getIntegerType(32, /*isSigned=*/false);
  case 13:
    return b.getIntegerType(64, /*isSigned=*/false);
  case 16:
    return b.getBF16Type();
  case 17:
    return b.getType<Float8E4M3FNType>();
  case 18:
    return b.getType<Float8E4M3FNUZType>();
  case 19:
    return b.getType<Float8E5M2Type>();
  case 20:
    return b.getType<Float8E5M2FNUZType>();
  case 21:
    return b.getIntegerType(4, /*isSigned=*/false);
  case 22:
    return b.getIntegerType(4);
  case 23:
    return b.getType<Float4E2M1FNType>();
  case 24:
    return b.getType<Float8E8M0FNUType>();
  case 25:
    return b.getIntegerType(2, /*isSigned=*/false);
  case 26:
    return b.getIntegerType(2);
  default:
    return nullptr;
  }
}

/// Bytes per element in dsr1's storage of `type`: i1 and the 4- and 2-bit
/// types take a byte each.
int64_t storageBytes(Type type) {
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

/// Bits per element in an ONNX file: the 4- and 2-bit types are packed,
/// several to a byte, and everything else is stored as in memory.
unsigned fileBits(Type type) {
  unsigned bits = type.getIntOrFloatBitWidth();
  return bits == 1 ? 8 : bits;
}

/// The default domain is spelled "" or "ai.onnx"; dsr1 uses "".
std::string canonicalDomain(const std::string &domain) {
  return domain == "ai.onnx" ? "" : domain;
}

} // namespace

Type onnxElementType(MLIRContext *ctx, int32_t dataType) {
  return elementType(ctx, dataType);
}

std::string describeOnnxType(int32_t dataType) {
  return describeDataType(dataType);
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

/// Walks one GraphProto into a func.func.
class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const onnx::ModelProto &model,
                StringRef modelDir, StringRef sourceName,
                const ImportOptions &options)
      : ctx(ctx), model(model), modelDir(modelDir.str()),
        sourceName(sourceName.str()), options(options),
        fileLoc(FileLineColLoc::get(&ctx, sourceName, 0, 0)) {}

  OwningOpRef<ModuleOp> run();

  /// The dsr1 value an ONNX value name is bound to (null if unknown).
  Value lookup(StringRef name) const { return values.lookup(name); }
  void bind(StringRef name, Value value) { values[name] = value; }

  /// The value a graph input was given at import time (ImportOptions::
  /// inputValues), as an attribute of its type; null if none was given.
  DenseElementsAttr givenValue(Value value) const;

  /// The value of `value` if it is known at compile time: a constant, a
  /// given graph input, a static tensor with no elements, or the result of
  /// ops whose folders compute it from such values. Nothing is rewritten: the
  /// ops stay (a later DCE drops them once nothing reads them), so an input
  /// whose value was given is only read as a constant where an op needs one.
  DenseElementsAttr evaluate(Value value);

  /// Converts a TensorProto (initializer, Constant node attribute) into an
  /// attribute, reporting problems at `loc`.
  FailureOr<ElementsAttr> tensorAttr(const onnx::TensorProto &tensor,
                                     Location loc);

  /// Imports `graph`, a graph attribute (`attrName`) of `node`, inline at the
  /// node's insertion point with its inputs bound to `inputs` and the outer
  /// values visible by name; its outputs, or failure after reporting.
  FailureOr<SmallVector<Value>> importSubgraph(NodeContext &node,
                                               StringRef attrName,
                                               const onnx::GraphProto &graph,
                                               ValueRange inputs);

  MLIRContext &ctx;

private:
  /// Imports one node (of the main graph, or of a subgraph whose node names
  /// are prefixed by `scope`).
  LogicalResult importNode(OpBuilder &builder, const onnx::NodeProto &node,
                           int index, StringRef scope);
  static OpBuilder &builder(NodeContext &node) { return node.builder; }
  /// Unrolled loops multiply a body; nested ones multiply again. A model
  /// must not make the import take unbounded time or memory.
  static constexpr int64_t kMaxInlinedNodes = int64_t(1) << 20;
  static constexpr int kMaxSubgraphDepth = 16;
  int64_t inlinedNodes = 0;
  int subgraphDepth = 0;

  LogicalResult checkModel();
  LogicalResult readOpsets();
  LogicalResult checkSupported();
  FailureOr<RankedTensorType> valueType(const onnx::ValueInfoProto &info,
                                        const SmallVector<int64_t> *pinned,
                                        SmallVectorImpl<std::string> &dims);
  /// The elements of `tensor` as dsr1 stores them (one byte each for the 4-
  /// and 2-bit types); external data may stay mapped in `external`.
  FailureOr<std::vector<char>>
  tensorBytes(const onnx::TensorProto &tensor, Type element, int64_t count,
              Location loc, std::unique_ptr<llvm::MemoryBuffer> &external);
  /// The bytes of `tensor` as the file stores them.
  FailureOr<std::vector<char>>
  fileBytes(const onnx::TensorProto &tensor, Type element, int64_t count,
            Location loc, std::unique_ptr<llvm::MemoryBuffer> &external);
  static std::string nodeName(const onnx::NodeProto &node, int index);
  InFlightDiagnostic modelError() { return emitError(fileLoc); }

  const onnx::ModelProto &model;
  std::string modelDir, sourceName;
  const ImportOptions &options;
  Location fileLoc;
  std::map<std::string, int64_t> opsets;
  llvm::StringMap<Value> values;
};

std::string GraphImporter::nodeName(const onnx::NodeProto &node, int index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index)
                             : node.name();
}

LogicalResult GraphImporter::checkModel() {
  if (model.ir_version() < 3 || model.ir_version() > kMaxIrVersion)
    return modelError() << "ONNX IR version " << model.ir_version()
                        << " is not supported (dsr1 reads IR 3 to "
                        << kMaxIrVersion << ")";
  // Debian's libonnx (1.12) checks IR <= 8 and opsets <= 17 only; newer
  // models (torch's dynamo exporter writes IR 10, opset 18+) are validated
  // by the import itself: every name defined once and before use, every type
  // known, every op and attribute checked by its importer and the dsr1
  // verifier.
  auto defaultOpset = opsets.find("");
  if (model.ir_version() <= kCheckerMaxIrVersion &&
      defaultOpset != opsets.end() &&
      defaultOpset->second <= kCheckerMaxOpset) {
    try {
      onnx::checker::CheckerContext checkerContext;
      checkerContext.set_ir_version(model.ir_version());
      checkerContext.set_opset_imports(
          std::unordered_map<std::string, int>(opsets.begin(), opsets.end()));
      checkerContext.set_model_dir(modelDir);
      onnx::checker::LexicalScopeContext scope;
      onnx::checker::check_graph(model.graph(), checkerContext, scope);
    } catch (const std::exception &e) {
      return modelError() << "the ONNX checker rejects the model: "
                          << StringRef(e.what()).trim();
    }
  }
  return success();
}

LogicalResult GraphImporter::readOpsets() {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    std::string domain = canonicalDomain(opset.domain());
    opsets[domain] = opset.version();
  }
  // A model may import only other domains (the ai.onnx.preview.training
  // optimizers, com.microsoft ops): a node of a domain the model does not
  // import is refused by checkSupported, naming the domain.
  auto it = opsets.find("");
  if (it == opsets.end())
    return success();
  if (it->second < kMinModelOpset || it->second > kMaxOpset)
    return modelError() << "ai.onnx opset " << it->second
                        << " is not supported (dsr1 imports opsets "
                        << kMinModelOpset << " to " << kMaxOpset << ")";
  return success();
}

LogicalResult GraphImporter::checkSupported() {
  // Every unsupported op at once, with its opset and the nodes that use it.
  std::map<std::string, std::vector<std::string>> missing;
  const OpRegistry &registry = OpRegistry::get();
  for (auto [index, node] : llvm::enumerate(model.graph().node())) {
    std::string domain = canonicalDomain(node.domain());
    auto opset = opsets.find(domain);
    std::string key = (domain.empty() ? "" : domain + "::") + node.op_type();
    if (opset == opsets.end()) {
      missing[key + " (domain '" + (domain.empty() ? "ai.onnx" : domain) +
              "' is not imported)"]
          .push_back(nodeName(node, index));
      continue;
    }
    if (registry.lookup(domain, node.op_type(), opset->second))
      continue;
    // An op known at other opsets (an older form that changed, mostly):
    // say where dsr1 imports it.
    std::string versions = registry.describeVersions(domain, node.op_type());
    missing[key + " (opset " + std::to_string(opset->second) +
            (versions.empty() ? "" : "; dsr1 imports opsets " + versions) + ")"]
        .push_back(nodeName(node, index));
  }
  if (missing.empty())
    return success();
  InFlightDiagnostic diag = modelError();
  diag << "unsupported ONNX op" << (missing.size() > 1 ? "s" : "") << ": ";
  llvm::interleave(
      missing, diag,
      [&](const auto &entry) {
        diag << entry.first << " at node"
             << (entry.second.size() > 1 ? "s" : "") << " ";
        constexpr size_t kShown = 5;
        for (size_t i = 0; i < std::min(entry.second.size(), kShown); ++i)
          diag << (i ? ", " : "") << "'" << entry.second[i] << "'";
        if (entry.second.size() > kShown)
          diag << " and " << entry.second.size() - kShown << " more";
      },
      "; ");
  return diag;
}

FailureOr<RankedTensorType>
GraphImporter::valueType(const onnx::ValueInfoProto &info,
                         const SmallVector<int64_t> *pinnedShape,
                         SmallVectorImpl<std::string> &dims) {
  if (!info.type().has_tensor_type())
    return modelError() << "graph value '" << info.name()
                        << "' is not a tensor (sequences, maps and optionals "
                           "are not supported)";
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  Type element = elementType(&ctx, tensor.elem_type());
  if (!element)
    return modelError() << "graph value '" << info.name()
                        << "' has element type "
                        << describeDataType(tensor.elem_type())
                        << ", which dsr1 does not support";
  if (!tensor.has_shape()) {
    if (pinnedShape)
      return RankedTensorType::get(*pinnedShape, element);
    return modelError() << "graph value '" << info.name()
                        << "' has no shape (not even a rank); give one with "
                           "--input-shape "
                        << info.name() << "=...";
  }
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    dims.push_back(dim.has_dim_param() ? dim.dim_param() : "");
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0)
        return modelError() << "graph value '" << info.name()
                            << "' has a negative dim " << dim.dim_value();
      shape.push_back(dim.dim_value());
    } else if (dim.has_dim_param() &&
               options.dimValues.count(dim.dim_param())) {
      shape.push_back(options.dimValues.lookup(dim.dim_param()));
    } else {
      shape.push_back(ShapedType::kDynamic);
    }
  }
  if (pinnedShape) {
    ArrayRef<int64_t> pinned = *pinnedShape;
    if (pinned.size() != shape.size())
      return modelError() << "the shape given for input '" << info.name()
                          << "' has " << pinned.size()
                          << " dims, the input has rank " << shape.size();
    for (auto [declared, given] : llvm::zip_equal(shape, pinned))
      if (!ShapedType::isDynamic(declared) && declared != given)
        return modelError() << "the shape given for input '" << info.name()
                            << "' sets a dim to " << given
                            << " that the model fixes at " << declared;
    shape.assign(pinned.begin(), pinned.end());
  }
  return RankedTensorType::get(shape, element);
}

FailureOr<std::vector<char>>
GraphImporter::tensorBytes(const onnx::TensorProto &tensor, Type element,
                           int64_t count, Location loc,
                           std::unique_ptr<llvm::MemoryBuffer> &external) {
  FailureOr<std::vector<char>> bytes =
      fileBytes(tensor, element, count, loc, external);
  unsigned bits = fileBits(element);
  if (failed(bytes) || bits >= 8)
    return bytes;
  // Unpack the 4- and 2-bit types to a byte each, the signed ones
  // sign-extended so that the byte holds the value too.
  const char *packed = external ? external->getBufferStart() : bytes->data();
  std::vector<char> unpacked(count);
  unpackElements(reinterpret_cast<const uint8_t *>(packed), count, bits,
                 element.isSignlessInteger(),
                 reinterpret_cast<uint8_t *>(unpacked.data()));
  external.reset();
  return unpacked;
}

FailureOr<std::vector<char>>
GraphImporter::fileBytes(const onnx::TensorProto &tensor, Type element,
                         int64_t count, Location loc,
                         std::unique_ptr<llvm::MemoryBuffer> &external) {
  int64_t width = storageBytes(element);
  unsigned elementBits = fileBits(element);
  bool packed = elementBits < 8;
  int64_t expected = packed ? (count * elementBits + 7) / 8 : count * width;
  auto sizeError = [&](int64_t actual) {
    return emitError(loc) << "tensor '" << tensor.name() << "' holds " << actual
                          << " bytes of data, its shape needs " << expected;
  };
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &entry : tensor.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset" &&
               llvm::StringRef(entry.value()).getAsInteger(10, offset))
        return emitError(loc) << "tensor '" << tensor.name()
                              << "' has a bad external data offset";
      else if (entry.key() == "length" &&
               llvm::StringRef(entry.value()).getAsInteger(10, length))
        return emitError(loc) << "tensor '" << tensor.name()
                              << "' has a bad external data length";
    }
    // External data lies beside the model; a path that leaves the model's
    // folder is refused (a model file must not read arbitrary files).
    if (location.empty() || llvm::sys::path::is_absolute(location) ||
        llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                            llvm::sys::path::end(location)),
                           ".."))
      return emitError(loc)
             << "tensor '" << tensor.name() << "' has external data at '"
             << location << "', which is not a file beside the model";
    if (length < 0)
      length = expected;
    if (length != expected || offset < 0)
      return sizeError(length);
    SmallString<256> path(modelDir);
    llvm::sys::path::append(path, location);
    // getFileSlice maps past the end of a short file (SIGBUS on access).
    uint64_t fileSize = 0;
    if (std::error_code ec = llvm::sys::fs::file_size(path, fileSize))
      return emitError(loc)
             << "cannot read external data of tensor '" << tensor.name()
             << "' from '" << path << "': " << ec.message();
    if (static_cast<uint64_t>(offset) > fileSize ||
        fileSize - offset < static_cast<uint64_t>(length))
      return emitError(loc)
             << "external data file '" << path << "' (" << fileSize
             << " bytes) is too short for tensor '" << tensor.name() << "' ("
             << length << " bytes at offset " << offset << ")";
    auto buffer = llvm::MemoryBuffer::getFileSlice(path, length, offset,
                                                   /*IsVolatile=*/false);
    if (!buffer)
      return emitError(loc)
             << "cannot read external data of tensor '" << tensor.name()
             << "' from '" << path << "': " << buffer.getError().message();
    if (static_cast<int64_t>((*buffer)->getBufferSize()) != length)
      return emitError(loc)
             << "external data file '" << path << "' is too short for tensor '"
             << tensor.name() << "'";
    external = std::move(*buffer);
    return std::vector<char>(); // The data stays in `external` (mmapped).
  }
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (static_cast<int64_t>(raw.size()) != expected)
      return sizeError(raw.size());
    return std::vector<char>(raw.begin(), raw.end());
  }
  // Typed fields: each element widened to the field's type. Their length is
  // checked before anything the size of the declared shape is allocated.
  int64_t available;
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    available = tensor.float_data_size();
    break;
  case onnx::TensorProto::DOUBLE:
    available = tensor.double_data_size();
    break;
  case onnx::TensorProto::INT64:
    available = tensor.int64_data_size();
    break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    available = tensor.uint64_data_size();
    break;
  default:
    available = tensor.int32_data_size();
    break;
  }
  // int32_data holds the packed bytes of the 4- and 2-bit types.
  int64_t entries = packed ? expected : count;
  int64_t entryWidth = packed ? 1 : width;
  if (available != entries)
    return sizeError(available * entryWidth);
  std::vector<char> bytes(expected);
  auto store = [&](auto values, auto convert) -> LogicalResult {
    if (static_cast<int64_t>(values.size()) != entries)
      return sizeError(static_cast<int64_t>(values.size()) * entryWidth);
    for (int64_t i = 0; i < entries; ++i) {
      uint64_t v = convert(values[i]);
      std::memcpy(bytes.data() + i * entryWidth, &v,
                  entryWidth); // little-endian
    }
    return success();
  };
  auto bits = [](auto v) -> uint64_t {
    uint64_t out = 0;
    std::memcpy(&out, &v, sizeof(v));
    return out;
  };
  auto asInt = [](auto v) -> uint64_t { return static_cast<uint64_t>(v); };
  LogicalResult stored = failure();
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    stored = store(tensor.float_data(), bits);
    break;
  case onnx::TensorProto::DOUBLE:
    stored = store(tensor.double_data(), bits);
    break;
  case onnx::TensorProto::INT64:
    stored = store(tensor.int64_data(), asInt);
    break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    stored = store(tensor.uint64_data(), asInt);
    break;
  default: // int32_data holds the narrow integers, bools and f16/bf16 bits.
    stored = store(tensor.int32_data(), asInt);
    break;
  }
  if (failed(stored))
    return failure();
  return bytes;
}

FailureOr<ElementsAttr>
GraphImporter::tensorAttr(const onnx::TensorProto &tensor, Location loc) {
  Type element = elementType(&ctx, tensor.data_type());
  if (!element)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has element type "
                          << describeDataType(tensor.data_type())
                          << ", which dsr1 does not support";
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  std::optional<int64_t> count = checkedProduct(shape);
  if (!count || llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return emitError(loc) << "tensor '" << tensor.name() << "' has bad dims "
                          << formatList(shape);
  auto type = RankedTensorType::get(shape, element);
  std::unique_ptr<llvm::MemoryBuffer> external;
  FailureOr<std::vector<char>> bytes =
      tensorBytes(tensor, element, *count, loc, external);
  if (failed(bytes))
    return failure();
  ArrayRef<char> data = external ? ArrayRef<char>(external->getBufferStart(),
                                                  external->getBufferSize())
                                 : ArrayRef<char>(*bytes);
  if (element.isInteger(1)) {
    SmallVector<bool> flags;
    for (char c : data)
      flags.push_back(c != 0);
    return ElementsAttr(DenseElementsAttr::get(type, flags));
  }
  if (*count <= kInlineElements)
    return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, data));
  size_t align = storageBytes(element);
  AsmResourceBlob blob;
  if (external) {
    // Read where it lies: the blob borrows the mapped file and releases it
    // with the attribute. mmap'd data is page-aligned, a slice may not be.
    if (reinterpret_cast<uintptr_t>(data.data()) % align == 0) {
      auto *owned = external.release();
      blob = UnmanagedAsmResourceBlob::allocateWithAlign(
          data, align, [owned](void *, size_t, size_t) { delete owned; });
    } else {
      blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(data, align, false);
    }
  } else {
    blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(data, align, false);
  }
  return ElementsAttr(DenseResourceElementsAttr::get(
      type, resourceKey(tensor.name()), std::move(blob)));
}

LogicalResult GraphImporter::importNode(OpBuilder &builder,
                                        const onnx::NodeProto &node, int index,
                                        StringRef scope) {
  std::string name = scope.str() + nodeName(node, index);
  Location loc = NameLoc::get(StringAttr::get(&ctx, name), fileLoc);
  std::string domain = canonicalDomain(node.domain());
  auto opset = opsets.find(domain);
  const ImportFn *importer =
      opset == opsets.end()
          ? nullptr
          : OpRegistry::get().lookup(domain, node.op_type(), opset->second);
  if (!importer) {
    // Top-level nodes were all checked by checkSupported(); this is a node of
    // a subgraph (If, Loop, Scan bodies).
    std::string key = (domain.empty() ? "" : domain + "::") + node.op_type();
    if (opset == opsets.end())
      return emitError(loc) << "unsupported ONNX op: " << key << " (domain '"
                            << (domain.empty() ? "ai.onnx" : domain)
                            << "' is not imported) at node '" << name << "'";
    std::string versions =
        OpRegistry::get().describeVersions(domain, node.op_type());
    return emitError(loc) << "unsupported ONNX op: " << key << " (opset "
                          << opset->second
                          << (versions.empty()
                                  ? ""
                                  : "; dsr1 imports opsets " + versions)
                          << ") at node '" << name << "'";
  }
  for (const std::string &input : node.input())
    if (!input.empty() && !values.count(input))
      return emitError(loc) << "node '" << name << "' (" << node.op_type()
                            << ") reads '" << input
                            << "', which no earlier node, input or "
                               "initializer defines (is the graph in "
                               "topological order?)";
  for (const std::string &output : node.output())
    if (!output.empty() && values.count(output))
      return emitError(loc) << "node '" << name << "' (" << node.op_type()
                            << ") defines '" << output
                            << "', which is already defined (ONNX values "
                               "are assigned once)";
  NodeContext context(*this, builder, node, name, opset->second, loc);
  if (failed((*importer)(context)))
    return failure();
  std::string unread = context.unreadField();
  if (!unread.empty())
    return context.error() << unread << " is not supported";
  return success();
}

/// Where a value declared in a subgraph is a sequence, map or optional, which
/// dsr1 does not import; empty for a tensor (or an undeclared type).
static StringRef nonTensorKind(const onnx::ValueInfoProto &info) {
  if (!info.has_type() || info.type().has_tensor_type() ||
      info.type().value_case() == onnx::TypeProto::VALUE_NOT_SET)
    return "";
  if (info.type().has_sequence_type())
    return "a sequence";
  if (info.type().has_optional_type())
    return "an optional";
  return "not a tensor";
}

FailureOr<SmallVector<Value>>
GraphImporter::importSubgraph(NodeContext &node, StringRef attrName,
                              const onnx::GraphProto &graph,
                              ValueRange inputs) {
  if (graph.input_size() != static_cast<int>(inputs.size()))
    return node.error() << "subgraph '" << attrName << "' has "
                        << graph.input_size() << " inputs, the op gives it "
                        << inputs.size();
  for (const auto *list : {&graph.input(), &graph.output()})
    for (const onnx::ValueInfoProto &info : *list)
      if (StringRef kind = nonTensorKind(info); !kind.empty())
        return node.error() << "value '" << info.name() << "' of subgraph '"
                            << attrName << "' is " << kind
                            << " (sequences, maps and optionals are not "
                               "supported)";
  if (subgraphDepth >= kMaxSubgraphDepth)
    return node.error() << "subgraphs nest more than " << kMaxSubgraphDepth
                        << " deep";
  inlinedNodes += graph.node_size() + graph.initializer_size();
  if (inlinedNodes > kMaxInlinedNodes)
    return node.error() << "inlining subgraph '" << attrName
                        << "' takes the model past " << kMaxInlinedNodes
                        << " inlined nodes (unrolled loops too long)";
  // ONNX scoping: the subgraph sees the outer values by name, and its own
  // names (which may repeat on each unrolled step) vanish after it.
  llvm::StringMap<Value> outer = values;
  llvm::scope_exit restore([&] { values = std::move(outer); });
  ++subgraphDepth;
  llvm::scope_exit leave([&] { --subgraphDepth; });
  for (auto [info, value] : llvm::zip_equal(graph.input(), inputs)) {
    if (info.type().has_tensor_type() && info.type().tensor_type().elem_type())
      if (elementType(&ctx, info.type().tensor_type().elem_type()) !=
          NodeContext::typeOf(value).getElementType())
        return node.error()
               << "subgraph '" << attrName << "' input '" << info.name()
               << "' is declared "
               << describeDataType(info.type().tensor_type().elem_type())
               << " but given " << NodeContext::typeOf(value);
    values[info.name()] = value;
  }
  std::string scope = node.name + "/";
  for (const onnx::TensorProto &init : graph.initializer()) {
    Location loc =
        NameLoc::get(builder(node).getStringAttr(scope + init.name()), fileLoc);
    FailureOr<ElementsAttr> value = tensorAttr(init, loc);
    if (failed(value))
      return failure();
    values[init.name()] = ConstantOp::create(builder(node), loc, *value);
  }
  for (auto [index, inner] : llvm::enumerate(graph.node()))
    if (failed(importNode(builder(node), inner, index, scope)))
      return failure();
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = values.lookup(output.name());
    if (!value)
      return node.error() << "output '" << output.name() << "' of subgraph '"
                          << attrName << "' is not computed by any node";
    results.push_back(value);
  }
  return results;
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  if (!model.has_graph())
    return (modelError() << "not an ONNX model: it has no graph"), nullptr;
  if (failed(readOpsets()) || failed(checkModel()) || failed(checkSupported()))
    return nullptr;
  const onnx::GraphProto &graph = model.graph();
  OpBuilder builder(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);

  // Older exporters list initializers among the graph inputs too.
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &init : graph.initializer())
    initializerNames.insert(init.name());

  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<const onnx::ValueInfoProto *> inputs;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue;
    SmallVector<std::string> dims;
    const SmallVector<int64_t> *pinned = nullptr;
    if (auto named = options.inputShapes.find(input.name());
        named != options.inputShapes.end())
      pinned = &named->second;
    else if (inputs.size() < options.inputShapesByPosition.size())
      pinned = &options.inputShapesByPosition[inputs.size()];
    FailureOr<RankedTensorType> type = valueType(input, pinned, dims);
    if (failed(type))
      return nullptr;
    if (auto given = options.inputElementTypes.find(input.name());
        given != options.inputElementTypes.end()) {
      std::string declared;
      llvm::raw_string_ostream os(declared);
      os << type->getElementType();
      if (declared != given->second)
        return (modelError() << "--input-shape gives input '" << input.name()
                             << "' element type " << given->second
                             << ", the model declares " << declared),
               nullptr;
    }
    inputs.push_back(&input);
    argTypes.push_back(*type);
    SmallVector<NamedAttribute> attrs = {
        builder.getNamedAttr(kIoNameAttr, builder.getStringAttr(input.name()))};
    if (llvm::any_of(dims, [](const std::string &d) { return !d.empty(); })) {
      SmallVector<StringRef> refs(dims.begin(), dims.end());
      attrs.push_back(builder.getNamedAttr("onnx.dim_params",
                                           builder.getStrArrayAttr(refs)));
    }
    argAttrs.push_back(builder.getDictionaryAttr(attrs));
  }
  std::vector<std::string> inputNames;
  for (const onnx::ValueInfoProto *input : inputs)
    inputNames.push_back(input->name());
  if (std::optional<std::string> unknown =
          unknownShapeOverride(options, inputNames))
    return (modelError() << "--input-shape names '" << *unknown
                         << "', which is not an input of the model"),
           nullptr;

  std::string fnName =
      graph.name().empty() ? "main" : resourceKey(graph.name());
  auto fn = func::FuncOp::create(builder, fileLoc, fnName,
                                 builder.getFunctionType(argTypes, {}));
  fn.setAllArgAttrs(argAttrs);
  module->push_back(fn);
  Block *body = fn.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  for (auto [input, arg] : llvm::zip_equal(inputs, body->getArguments()))
    values[input->name()] = arg;

  // Progress on a terminal, at most a few times a second.
  size_t total = graph.initializer_size() + graph.node_size(), done = 0;
  auto lastReport = std::chrono::steady_clock::now();
  auto progress = [&] {
    ++done;
    if (!options.showProgress)
      return;
    auto now = std::chrono::steady_clock::now();
    if (done != total && now - lastReport < std::chrono::milliseconds(250))
      return;
    lastReport = now;
    llvm::errs() << "\rimporting " << sourceName << ": " << done << " of "
                 << total << " initializers and nodes"
                 << (done == total ? "\n" : "");
  };
  for (const onnx::TensorProto &init : graph.initializer()) {
    Location loc = NameLoc::get(builder.getStringAttr(init.name()), fileLoc);
    FailureOr<ElementsAttr> value = tensorAttr(init, loc);
    if (failed(value))
      return nullptr;
    values[init.name()] = ConstantOp::create(builder, loc, *value);
    progress();
  }

  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (failed(importNode(builder, node, index, "")))
      return nullptr;
    progress();
  }

  SmallVector<Value> results;
  std::vector<std::string> resultNames;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = values.lookup(output.name());
    if (!value)
      return (modelError() << "graph output '" << output.name()
                           << "' is not computed by any node"),
             nullptr;
    // A declared output type must agree with what the graph computes.
    auto actual = cast<RankedTensorType>(value.getType());
    if (output.type().has_tensor_type()) {
      const onnx::TypeProto::Tensor &declared = output.type().tensor_type();
      bool elementDiffers =
          declared.elem_type() != 0 &&
          elementType(&ctx, declared.elem_type()) != actual.getElementType();
      bool shapeDiffers = false;
      if (declared.has_shape()) {
        SmallVector<int64_t> shape;
        for (const auto &dim : declared.shape().dim())
          shape.push_back(dim.has_dim_value() ? dim.dim_value()
                                              : ShapedType::kDynamic);
        shapeDiffers = failed(verifyCompatibleShape(shape, actual.getShape()));
      }
      if (elementDiffers || shapeDiffers)
        return (modelError()
                << "graph output '" << output.name() << "' is declared "
                << describeDataType(declared.elem_type()) << " "
                << (declared.has_shape() ? "with a shape that differs from"
                                         : "but")
                << " what the graph computes: " << actual),
               nullptr;
    }
    results.push_back(value);
    resultNames.push_back(output.name());
  }
  if (failed(finishMain(builder, fileLoc, fn, results, resultNames)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

Value NodeContext::input(int i) const {
  if (i >= node.input_size() || node.input(i).empty())
    return nullptr;
  readInputs.resize(node.input_size(), false);
  readInputs[i] = true;
  return graph.lookup(node.input(i));
}

FailureOr<Value> NodeContext::requiredInput(int i) const {
  if (Value v = input(i))
    return v;
  return error() << "needs input #" << i;
}

InFlightDiagnostic NodeContext::error() const {
  InFlightDiagnostic diag = emitError(loc);
  diag << "node '" << name << "' ("
       << (node.domain().empty() ? "" : node.domain() + "::") << node.op_type()
       << ", opset " << opset << "): ";
  return diag;
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  readAttrs.insert(name);
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

const onnx::AttributeProto *
NodeContext::typedAttr(StringRef name,
                       onnx::AttributeProto::AttributeType type) const {
  const onnx::AttributeProto *a = attr(name);
  // Very old models leave the type unset; everything since sets it.
  if (!a || a->type() == type || a->type() == onnx::AttributeProto::UNDEFINED)
    return a;
  if (!failedBuild)
    error() << "attribute '" << name << "' must be of type "
            << onnx::AttributeProto::AttributeType_Name(type) << ", not "
            << onnx::AttributeProto::AttributeType_Name(a->type());
  failedBuild = true;
  return nullptr;
}

int64_t NodeContext::intAttr(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INT);
  return a ? a->i() : defaultValue;
}

float NodeContext::floatAttr(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : defaultValue;
}

std::string NodeContext::stringAttr(StringRef name,
                                    StringRef defaultValue) const {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::STRING);
  return a ? a->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>>
NodeContext::intsAttr(StringRef name) const {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INTS);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

DenseElementsAttr GraphImporter::givenValue(Value value) const {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || !isa<func::FuncOp>(arg.getOwner()->getParentOp()) ||
      arg.getArgNumber() >= options.inputValues.size())
    return nullptr;
  const std::vector<double> &given = options.inputValues[arg.getArgNumber()];
  auto type = dyn_cast<RankedTensorType>(arg.getType());
  if (given.empty() || !type || !type.hasStaticShape() ||
      type.getNumElements() != static_cast<int64_t>(given.size()))
    return nullptr;
  Type element = type.getElementType();
  if (isa<FloatType>(element))
    return roundedFloatElements(type, given);
  auto integer = dyn_cast<IntegerType>(element);
  if (!integer)
    return nullptr;
  SmallVector<APInt> values;
  for (double d : given)
    values.push_back(APInt(integer.getWidth(),
                           static_cast<uint64_t>(static_cast<int64_t>(d)),
                           /*isSigned=*/true, /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, values);
}

namespace {
/// Walks the producers of a value, folding each op whose operands are known;
/// `known` memoizes every value visited (null: not known), so a DAG is walked
/// once per query.
struct Evaluator {
  explicit Evaluator(const GraphImporter &graph) : graph(graph) {}

  const GraphImporter &graph;
  llvm::DenseMap<Value, DenseElementsAttr> known;

  /// Deep chains are given up on rather than risk the stack: exporters' shape
  /// subgraphs are a few dozen ops deep.
  static constexpr unsigned kMaxDepth = 512;
  /// The dsr1 folders fold non-splat constants up to this size.
  static constexpr int64_t kMaxEvaluatedElements = 1024;

  DenseElementsAttr eval(Value value, unsigned depth) {
    auto it = known.find(value);
    if (it != known.end())
      return it->second;
    known[value] = nullptr; // Until computed; also guards against cycles.
    DenseElementsAttr result = compute(value, depth);
    known[value] = result;
    return result;
  }

  DenseElementsAttr compute(Value value, unsigned depth) {
    DenseElementsAttr attr;
    if (matchPattern(value, m_Constant(&attr)))
      return attr;
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (type && type.hasStaticShape() && type.getNumElements() == 0)
      return DenseElementsAttr::get(type, ArrayRef<Attribute>());
    if (isa<BlockArgument>(value))
      return graph.givenValue(value);
    // What an op needs at compile time is small, and so is what computes it;
    // stopping at large (or dynamic) values keeps the walk off the model's
    // data path, which would make each query cost the whole graph.
    if (!type || !type.hasStaticShape() ||
        type.getNumElements() > kMaxEvaluatedElements)
      return nullptr;
    Operation *op = value.getDefiningOp();
    if (!op || depth >= kMaxDepth || op->getNumRegions() != 0)
      return nullptr;
    SmallVector<Attribute> operands;
    for (Value operand : op->getOperands()) {
      DenseElementsAttr operandValue = eval(operand, depth + 1);
      if (!operandValue)
        return nullptr;
      operands.push_back(operandValue);
    }
    SmallVector<OpFoldResult> folded;
    if (failed(op->fold(operands, folded)) ||
        folded.size() != op->getNumResults())
      return nullptr;
    OpFoldResult result = folded[cast<OpResult>(value).getResultNumber()];
    if (auto folded = dyn_cast<Attribute>(result))
      return dyn_cast<DenseElementsAttr>(folded);
    Value same = cast<Value>(result);
    return same == value ? nullptr : eval(same, depth + 1);
  }
};
} // namespace

DenseElementsAttr GraphImporter::evaluate(Value value) {
  Evaluator evaluator(*this);
  return evaluator.eval(value, 0);
}

DenseElementsAttr NodeContext::evaluate(Value v) const {
  return graph.evaluate(v);
}

DenseElementsAttr NodeContext::constantAttr(int i) const {
  Value v = input(i);
  return v ? graph.evaluate(v) : nullptr;
}

FailureOr<SmallVector<int64_t>>
NodeContext::constantInts(int i, StringRef what) const {
  DenseElementsAttr attr = constantAttr(i);
  if (!attr || !isa<IntegerType>(attr.getElementType()))
    return error() << "input #" << i << " (" << what
                   << ") must be a constant integer tensor; dsr1 needs it at "
                      "compile time (pin symbolic input dims with "
                      "--input-shape so that shape computations fold)";
  SmallVector<int64_t> result;
  for (const APInt &value : attr.getValues<APInt>())
    result.push_back(value.getSExtValue());
  return result;
}

std::optional<double> NodeContext::constantScalar(int i) const {
  DenseElementsAttr attr = constantAttr(i);
  if (!attr || attr.getNumElements() != 1)
    return std::nullopt;
  if (isa<FloatType>(attr.getElementType()))
    return (*attr.getValues<APFloat>().begin()).convertToDouble();
  return static_cast<double>((*attr.getValues<APInt>().begin()).getSExtValue());
}

FailureOr<int64_t> NodeContext::constantIndex(int i, StringRef what,
                                              int64_t limit) const {
  DenseElementsAttr attr = constantAttr(i);
  if (attr && attr.getNumElements() == 1) {
    if (isa<IntegerType>(attr.getElementType())) {
      int64_t value = (*attr.getValues<APInt>().begin()).getSExtValue();
      if (value >= -limit && value <= limit)
        return value;
    } else {
      double value = (*attr.getValues<APFloat>().begin()).convertToDouble();
      if (std::isfinite(value) && std::floor(value) == value &&
          std::abs(value) <= static_cast<double>(limit))
        return static_cast<int64_t>(value);
    }
  }
  InFlightDiagnostic diag = error();
  diag << "input #" << i << " (" << what
       << ") must be a constant integer scalar";
  if (limit < (int64_t(1) << 62))
    diag << " of at most " << limit << " in magnitude";
  return diag;
}

FailureOr<int64_t> NodeContext::axis(int64_t value, int64_t rank) const {
  if (value < -rank || value >= rank)
    return error() << "axis " << value << " is out of range for rank " << rank;
  return value < 0 ? value + rank : value;
}

LogicalResult NodeContext::setResults(ValueRange results) const {
  if (failedBuild)
    return failure(); // The op that failed has said why.
  for (int i = 0; i < node.output_size(); ++i) {
    if (node.output(i).empty())
      continue;
    if (i >= static_cast<int>(results.size()) || !results[i])
      return error() << "output #" << i << " (" << node.output(i)
                     << ") is not supported";
    graph.bind(node.output(i), results[i]);
  }
  return success();
}

const onnx::GraphProto *NodeContext::graphAttr(StringRef name) const {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::GRAPH);
  return a && a->has_g() ? &a->g() : nullptr;
}

FailureOr<SmallVector<Value>>
NodeContext::inlineGraph(StringRef attrName, const onnx::GraphProto &body,
                         ValueRange inputs) {
  if (failedBuild)
    return failure();
  FailureOr<SmallVector<Value>> results =
      graph.importSubgraph(*this, attrName, body, inputs);
  if (failed(results))
    failedBuild = true;
  return results;
}

FailureOr<ElementsAttr>
NodeContext::tensorAttr(const onnx::TensorProto &tensor) const {
  return graph.tensorAttr(tensor, loc);
}

LogicalResult NodeContext::checkBuildSize(int64_t count, StringRef what) const {
  if (count >= 0 && count <= kMaxBuiltElements)
    return success();
  return error() << what << " of " << count
                 << " elements is too large to build (at most "
                 << kMaxBuiltElements << ")";
}

DenseElementsAttr roundedFloatElements(RankedTensorType type,
                                       ArrayRef<double> values) {
  // f64 and f32 directly (the C++ conversion rounds to nearest even): the
  // importer builds constants of millions of elements (DFT matrices).
  if (type.getElementType().isF64())
    return DenseElementsAttr::get(type, values);
  if (type.getElementType().isF32()) {
    SmallVector<float> narrow(values.begin(), values.end());
    return DenseElementsAttr::get(type, ArrayRef(narrow));
  }
  const llvm::fltSemantics &semantics =
      cast<FloatType>(type.getElementType()).getFloatSemantics();
  SmallVector<APFloat> rounded;
  rounded.reserve(values.size());
  for (double v : values) {
    APFloat f(v);
    bool lost;
    f.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
    rounded.push_back(f);
  }
  return DenseElementsAttr::get(type, rounded);
}

Value NodeContext::scalar(Type element, double value) {
  auto type = RankedTensorType::get({}, element);
  if (isa<FloatType>(element))
    return constant(roundedFloatElements(type, value));
  return constant(DenseElementsAttr::get(
      type, APInt(element.getIntOrFloatBitWidth(), static_cast<int64_t>(value),
                  /*isSigned=*/true)));
}

Value NodeContext::constant(DenseElementsAttr attr) {
  return ConstantOp::create(builder, loc, attr);
}

std::string NodeContext::unreadField() const {
  for (int i = 0; i < node.input_size(); ++i)
    if (!node.input(i).empty() &&
        (i >= static_cast<int>(readInputs.size()) || !readInputs[i]))
      return "input #" + std::to_string(i) + " ('" + node.input(i) + "')";
  for (const onnx::AttributeProto &a : node.attribute())
    if (!readAttrs.contains(a.name()))
      return "attribute '" + a.name() + "'";
  return "";
}

//===----------------------------------------------------------------------===//
// OpRegistry
//===----------------------------------------------------------------------===//

void OpRegistry::add(StringRef domain, StringRef opType, int64_t sinceVersion,
                     int64_t untilVersion, ImportFn fn) {
  entries[(domain + "::" + opType).str()].push_back(
      {sinceVersion, untilVersion, std::move(fn)});
}

const ImportFn *OpRegistry::lookup(StringRef domain, StringRef opType,
                                   int64_t version) const {
  auto it = entries.find((domain + "::" + opType).str());
  if (it == entries.end())
    return nullptr;
  for (const Entry &entry : it->second)
    if (version >= entry.sinceVersion && version <= entry.untilVersion)
      return &entry.fn;
  return nullptr;
}

std::string OpRegistry::describeVersions(StringRef domain,
                                         StringRef opType) const {
  auto it = entries.find((domain + "::" + opType).str());
  if (it == entries.end())
    return "";
  SmallVector<std::pair<int64_t, int64_t>> ranges;
  for (const Entry &entry : it->second)
    ranges.push_back({entry.sinceVersion, entry.untilVersion});
  llvm::sort(ranges);
  std::string text;
  for (auto [since, until] : ranges) {
    if (!text.empty())
      text += ", ";
    text += std::to_string(since) +
            (since == until ? "" : " to " + std::to_string(until));
  }
  return text;
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> result;
  for (const auto &entry : entries)
    result.push_back(entry.getKey().str());
  llvm::sort(result);
  return result;
}

const OpRegistry &OpRegistry::get() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerElementwiseImporters(r);
    registerNeuralNetImporters(r);
    registerTensorImporters(r);
    registerMicrosoftImporters(r);
    registerQuantizationImporters(r);
    registerSignalImporters(r);
    registerTrainingImporters(r);
    registerControlFlowImporters(r);
    return r;
  }();
  return registry;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> importOnnxModel(MLIRContext &context,
                                      const onnx::ModelProto &model,
                                      StringRef modelDir, StringRef sourceName,
                                      const ImportOptions &options) {
  context.loadDialect<DSR1Dialect, func::FuncDialect>();
  GraphImporter importer(context, model, modelDir, sourceName, options);
  return importer.run();
}

OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &context, StringRef path,
                                     const ImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer)
    return (emitError(FileLineColLoc::get(&context, path, 0, 0))
            << "cannot read '" << path << "': " << buffer.getError().message()),
           nullptr;
  ImportOptions fileOptions = options;
  fileOptions.textFormat |= path.ends_with(".onnxtxt");
  return importOnnxBuffer(context, (*buffer)->getBuffer(), path, fileOptions);
}

OwningOpRef<ModuleOp> importOnnxBuffer(MLIRContext &context, StringRef data,
                                       StringRef path,
                                       const ImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  onnx::ModelProto model;
  if (options.textFormat) {
    try {
      std::string text = data.str(); // The parser keeps a pointer into it.
      onnx::OnnxParser parser(text.c_str());
      auto status = parser.Parse(model);
      if (!status.IsOK())
        return (emitError(fileLoc)
                << "not valid ONNX text syntax: " << status.ErrorMessage()),
               nullptr;
    } catch (const std::exception &e) {
      return (emitError(fileLoc) << "not valid ONNX text syntax: " << e.what()),
             nullptr;
    }
  } else if (data.size() > static_cast<size_t>(INT32_MAX) ||
             !model.ParseFromArray(data.data(),
                                   static_cast<int>(data.size()))) {
    return (emitError(fileLoc)
            << "not an ONNX model: the file does not parse as an ONNX "
               "ModelProto (truncated, or another format?)"),
           nullptr;
  }
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  return importOnnxModel(context, model, dir, path, options);
}

} // namespace dsr1::onnx_frontend
