//===- BuildInferred.h - Building dsr1 ops without aborting ---*- C++ -*-===//
//
// Frontends build ops from untrusted models: a shape an op refuses must be an
// error at the model's node, not an assertion in an ODS builder. These build
// an op after inferring its result types, and fold it where its operands are
// constant (so that shape computations become constants).
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_BUILDINFERRED_H
#define DSR1_FRONTEND_BUILDINFERRED_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OperationSupport.h"

#include <string>

namespace dsr1 {

/// Builds an OpT at `loc` with the arguments of one of its ODS builders, its
/// result types inferred first. When the op refuses its operands or
/// attributes, returns null with the dialect's message in `message`.
template <typename OpT, typename... Args>
mlir::Operation *buildInferred(mlir::OpBuilder &builder, mlir::Location loc,
                               std::string &message, Args &&...args) {
  mlir::OperationState state(loc, OpT::getOperationName());
  OpT::build(builder, state, mlir::TypeRange(), std::forward<Args>(args)...);
  llvm::SmallVector<mlir::Type> types;
  mlir::LogicalResult inferred = mlir::failure();
  {
    mlir::ScopedDiagnosticHandler capture(builder.getContext(),
                                          [&](mlir::Diagnostic &diag) {
                                            if (message.empty())
                                              message = diag.str();
                                            return mlir::success();
                                          });
    inferred = OpT::inferReturnTypes(
        builder.getContext(), loc, state.operands,
        state.attributes.getDictionary(builder.getContext()),
        state.getRawProperties(), state.regions, types);
  }
  if (mlir::failed(inferred)) {
    if (message.empty())
      message =
          "'" + OpT::getOperationName().str() + "' refuses these operands";
    return nullptr;
  }
  state.addTypes(types);
  return builder.create(state);
}

/// The result of `op`, a one-result op just built, folded to a constant (and
/// `op` erased) when its operands allow.
inline mlir::Value foldBuilt(mlir::OpBuilder &builder, mlir::Operation *op) {
  llvm::SmallVector<mlir::Value, 1> folded;
  if (mlir::succeeded(builder.tryFold(op, folded)) && !folded.empty()) {
    op->erase();
    return folded.front();
  }
  return op->getResult(0);
}

/// What the importers of one node of a model (an ONNX node, an aten op) have
/// in common: the builder and location its ops take, and building them
/// without aborting. A failed build is reported at the node and makes every
/// later build for it return null.
class NodeBuilder {
public:
  NodeBuilder(mlir::OpBuilder &builder, mlir::Location loc)
      : builder(builder), loc(loc) {}
  virtual ~NodeBuilder() = default;

  mlir::OpBuilder &builder;
  mlir::Location loc;

  /// Builds an OpT with the arguments of one of its ODS builders (see
  /// buildInferred); a refusal is reported at the node.
  template <typename OpT, typename... Args>
  mlir::Operation *build(Args &&...args) {
    if (failedBuild)
      return nullptr;
    std::string message;
    mlir::Operation *op =
        buildInferred<OpT>(builder, loc, message, std::forward<Args>(args)...);
    if (!op) {
      reportBuildError(message);
      failedBuild = true;
    }
    return op;
  }

  /// As build(), for a one-result op, folded when its operands are constant
  /// (so that shape computations become constants).
  template <typename OpT, typename... Args> mlir::Value create(Args &&...args) {
    mlir::Operation *op = build<OpT>(std::forward<Args>(args)...);
    return op ? foldBuilt(builder, op) : nullptr;
  }

  /// Whether a build for this node failed (and was reported).
  bool buildFailed() const { return failedBuild; }

protected:
  /// Reports the dialect's `message` about an op being built, at the node.
  virtual void reportBuildError(llvm::StringRef message) const = 0;

  mutable bool failedBuild = false;
};

} // namespace dsr1

#endif // DSR1_FRONTEND_BUILDINFERRED_H
