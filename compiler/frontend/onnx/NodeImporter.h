//===- NodeImporter.h - Per-op ONNX importers and registry ----*- C++ -*-===//
//
// What an importer for one ONNX op sees (NodeContext) and the table that maps
// (domain, op_type, opset range) to importers (OpRegistry).
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_ONNX_NODEIMPORTER_H
#define DSR1_FRONTEND_ONNX_NODEIMPORTER_H

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/frontend/BuildInferred.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <string>
#include <vector>

namespace dsr1::onnx_frontend {

class GraphImporter;

/// One ONNX node being imported: its inputs as dsr1 values, its attributes,
/// the opset it was written against, and where its results go.
class NodeContext : public NodeBuilder {
public:
  NodeContext(GraphImporter &graph, mlir::OpBuilder &builder,
              const onnx::NodeProto &node, std::string name, int64_t opset,
              mlir::Location loc)
      : NodeBuilder(builder, loc), node(node), name(std::move(name)),
        opset(opset), graph(graph) {}

  const onnx::NodeProto &node;
  /// The node's name, or OpType_index for an unnamed node.
  std::string name;
  /// The version of the node's domain the model imports.
  int64_t opset;

  /// Input `i`, or a null value when it is absent (missing or empty name).
  mlir::Value input(int i) const;
  int numInputs() const {
    markInputsRead();
    return node.input_size();
  }
  /// True when output `i` exists and something may read it.
  bool hasOutput(int i) const {
    return i < node.output_size() && !node.output(i).empty();
  }

  /// Input `i`, or failure after reporting that the node needs it.
  mlir::FailureOr<mlir::Value> requiredInput(int i) const;

  // Attributes.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue) const;
  float floatAttr(llvm::StringRef name, float defaultValue) const;
  std::string stringAttr(llvm::StringRef name,
                         llvm::StringRef defaultValue) const;
  std::optional<llvm::SmallVector<int64_t>>
  intsAttr(llvm::StringRef name) const;
  /// The attribute if it has `type` (or no type, in very old models);
  /// otherwise null, after reporting the mismatch (the node then fails).
  const onnx::AttributeProto *
  typedAttr(llvm::StringRef name,
            onnx::AttributeProto::AttributeType type) const;

  /// The graph attribute `name`, or null when the node does not set it (or
  /// sets it with another type, which is then reported).
  const onnx::GraphProto *graphAttr(llvm::StringRef name) const;
  /// Imports `body`, the node's graph attribute `attrName`, inline where the
  /// node's ops go: its inputs bound to `inputs`, the outer scope's values
  /// visible by name (as ONNX scoping has it). An unrolled loop imports its
  /// body once per step. Its outputs, or failure after reporting why.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  inlineGraph(llvm::StringRef attrName, const onnx::GraphProto &body,
              mlir::ValueRange inputs);
  /// The value of `v` if it is known at compile time (see constantAttr).
  mlir::DenseElementsAttr evaluate(mlir::Value v) const;

  /// The value of input `i` if it is known at compile time: a constant, or
  /// a graph input whose value the caller gave (ImportOptions::inputValues);
  /// null otherwise.
  mlir::DenseElementsAttr constantAttr(int i) const;
  /// The values of a constant integer input (a shape, axes, pads, ...), or
  /// failure after saying that the node needs input `i` (`what`) constant.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constantInts(int i, llvm::StringRef what) const;
  /// The scalar value of a constant float or integer input, if it is one.
  std::optional<double> constantScalar(int i) const;
  /// The value of a constant one-element input that is an integer, or a
  /// float holding a whole number within `limit` in magnitude; otherwise
  /// failure, after saying that input `i` (`what`) must be one.
  mlir::FailureOr<int64_t> constantIndex(int i, llvm::StringRef what,
                                         int64_t limit = int64_t(1)
                                                         << 62) const;

  /// The ranked tensor type of `v`.
  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }

  /// Reports an error at the node: "node 'name' (Op): <message>".
  mlir::InFlightDiagnostic error() const;

  /// Normalises an ONNX axis (negative counts from the end) for `rank`.
  mlir::FailureOr<int64_t> axis(int64_t value, int64_t rank) const;

  /// Binds the node's outputs, in order, to `results`.
  mlir::LogicalResult setResults(mlir::ValueRange results) const;

  // build<OpT>() and create<OpT>() (NodeBuilder) report a shape an op
  // refuses as an error at the node, not an abort; after a failure every
  // later build for this node returns null, and setResults() fails.

  /// A tensor attribute (Constant's value, ConstantOfShape's value) as an
  /// elements attribute.
  mlir::FailureOr<mlir::ElementsAttr>
  tensorAttr(const onnx::TensorProto &tensor) const;

  /// Constants the importer builds itself (masks, positions, ranges) hold at
  /// most this many elements: a model's shapes must not make it allocate
  /// without bound.
  static constexpr int64_t kMaxBuiltElements = int64_t(1) << 24;
  /// Fails, saying what was too large, when `count` exceeds that.
  mlir::LogicalResult checkBuildSize(int64_t count, llvm::StringRef what) const;

  /// A rank-0 dsr1.constant of `element` type holding `value`.
  mlir::Value scalar(mlir::Type element, double value);
  /// As scalar(), with the element type of `like` (null when `like` is: an
  /// earlier build of this node failed).
  mlir::Value scalarLike(mlir::Value like, double value) {
    return like ? scalar(typeOf(like).getElementType(), value) : nullptr;
  }

  /// A dsr1.constant holding `attr`.
  mlir::Value constant(mlir::DenseElementsAttr attr);

  /// The first input or attribute the node sets that its importer never
  /// looked at: something the importer does not understand, which must not be
  /// dropped silently. Empty when everything was read.
  std::string unreadField() const;

  /// Marks every input as read (for variadic importers).
  void markInputsRead() const { readInputs.assign(node.input_size(), true); }

protected:
  // The dialect reports at the op; say which ONNX node it came from.
  void reportBuildError(llvm::StringRef message) const override {
    error() << message;
  }

private:
  GraphImporter &graph;
  mutable llvm::SmallVector<bool> readInputs;
  mutable llvm::StringSet<> readAttrs;
};

using ImportFn = std::function<mlir::LogicalResult(NodeContext &)>;

/// The importers, keyed by (domain, op_type, opset range). The default domain
/// is "" (also spelled "ai.onnx" in models).
class OpRegistry {
public:
  /// Registers `fn` for versions [sinceVersion, untilVersion] of the op.
  void add(llvm::StringRef domain, llvm::StringRef opType, int64_t sinceVersion,
           int64_t untilVersion, ImportFn fn);
  /// The importer for the op at `version`, or null.
  const ImportFn *lookup(llvm::StringRef domain, llvm::StringRef opType,
                         int64_t version) const;
  /// The opset ranges the op is registered for, "11 to 28" or "7 to 28",
  /// or "" when it has none.
  std::string describeVersions(llvm::StringRef domain,
                               llvm::StringRef opType) const;
  /// Every (domain, op_type) registered, for listings.
  std::vector<std::string> names() const;

  /// The registry holding every importer dsr1 has.
  static const OpRegistry &get();

private:
  struct Entry {
    int64_t sinceVersion, untilVersion;
    ImportFn fn;
  };
  llvm::StringMap<std::vector<Entry>> entries; // key: domain + "::" + op
};

// The importers, one file per op family, each adding its ops to a registry.
void registerElementwiseImporters(OpRegistry &registry);
void registerNeuralNetImporters(OpRegistry &registry);
void registerTensorImporters(OpRegistry &registry);
void registerMicrosoftImporters(OpRegistry &registry);
void registerQuantizationImporters(OpRegistry &registry);
void registerSignalImporters(OpRegistry &registry);
void registerTrainingImporters(OpRegistry &registry);
void registerControlFlowImporters(OpRegistry &registry);

/// Elements of the float tensor type `type` from `values` (computed in
/// double), each rounded once to nearest even.
mlir::DenseElementsAttr roundedFloatElements(mlir::RankedTensorType type,
                                             llvm::ArrayRef<double> values);

/// A reshape of `x` to `target` (static sizes or ShapedType::kDynamic) in
/// dsr1.reshape's terms: a dynamic dim must be a copy (0) of the input dim at
/// the same index (`sourceIndex[j] == j`), or the one inferred (-1); failure,
/// after saying so at the node, when the dynamic dims allow neither.
mlir::FailureOr<mlir::Value> reshapeTo(NodeContext &ctx, mlir::Value x,
                                       llvm::ArrayRef<int64_t> target,
                                       llvm::ArrayRef<int64_t> sourceIndex);

/// `x` with dims of size 1 inserted at `axes` (sorted, distinct, indices of
/// the result), as ONNX Unsqueeze; failure after saying why at the node.
mlir::FailureOr<mlir::Value> insertUnitDims(NodeContext &ctx, mlir::Value x,
                                            llvm::ArrayRef<int64_t> axes);
/// `x` without its dims at `axes` (indices of `x`), which must have size 1
/// where known, as ONNX Squeeze; failure after saying why at the node.
mlir::FailureOr<mlir::Value> dropUnitDims(NodeContext &ctx, mlir::Value x,
                                          llvm::ArrayRef<int64_t> axes);

/// A dsr1.conv of `x` by `w` (plus the optional `bias`) with the window
/// attributes of the node (kernel_shape, strides, pads, dilations, auto_pad,
/// group), as ONNX Conv, ConvInteger and QLinearConv define them; failure,
/// after saying why at the node.
mlir::FailureOr<mlir::Value> convFromAttributes(NodeContext &ctx, mlir::Value x,
                                                mlir::Value w,
                                                mlir::Value bias);

/// The MLIR element type of an ONNX TensorProto.DataType, or null for the
/// types dsr1 does not support (refused by name through describeOnnxType).
mlir::Type onnxElementType(mlir::MLIRContext *ctx, int32_t dataType);
/// "FLOAT16", "FLOAT8E4M3FN", ... or "unknown element type N".
std::string describeOnnxType(int32_t dataType);

/// The default-domain opset range most importers are registered for. Newer
/// opsets of an op mostly add element types (refused by name) or inputs and
/// attributes (refused, because an importer must read every input and
/// attribute a node sets). An op whose form has not changed since an older
/// opset is registered from there; older forms that changed are refused.
constexpr int64_t kMinOpset = 11, kMaxOpset = 28;
/// The default-domain opsets a model may import: each node is then checked
/// against its op's registered range.
constexpr int64_t kMinModelOpset = 1;
constexpr int64_t kAnyVersion = 1000;

} // namespace dsr1::onnx_frontend

#endif // DSR1_FRONTEND_ONNX_NODEIMPORTER_H
