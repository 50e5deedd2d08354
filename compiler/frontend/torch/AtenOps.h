//===- AtenOps.h - aten ops into the dsr1 dialect --------------*- C++ -*-===//
//
// The one place that maps PyTorch's aten operators to dsr1 ops. It knows
// nothing of TorchScript or libtorch: an importer (TorchScript today, a
// torch.export / FX importer later) hands each op's arguments over as
// AtenValues and gets AtenValues back.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_TORCH_ATENOPS_H
#define DSR1_FRONTEND_TORCH_ATENOPS_H

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/frontend/BuildInferred.h"

#include "mlir/IR/Builders.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dsr1::torch_frontend {

/// c10::ScalarType codes, as TorchScript graphs and torch.export carry dtypes.
enum class ScalarType : int64_t {
  u8 = 0,
  i8 = 1,
  i16 = 2,
  i32 = 3,
  i64 = 4,
  f16 = 5,
  f32 = 6,
  f64 = 7,
  boolean = 11,
  bf16 = 15
};
/// The MLIR element type of a ScalarType code, or null for the ones dsr1
/// does not hold (complex, quantized, ...).
mlir::Type elementTypeOf(mlir::MLIRContext *context, int64_t scalarType);
/// The ScalarType code of an MLIR element type, if it has one.
std::optional<int64_t> scalarTypeOf(mlir::Type element);

/// A value of an aten graph: a tensor (a value of the dsr1 graph being built)
/// or something known at import time (None, a bool, an int, a float, a
/// string, a device, or a list or tuple of values).
class AtenValue {
public:
  enum class Kind { none, tensor, boolean, integer, real, string, list };

  AtenValue() = default;
  static AtenValue ofTensor(mlir::Value v);
  static AtenValue ofBool(bool b);
  static AtenValue ofInt(int64_t i);
  static AtenValue ofDouble(double d);
  static AtenValue ofString(std::string s);
  static AtenValue ofList(std::vector<AtenValue> items);

  Kind kind() const { return valueKind; }
  bool isNone() const { return valueKind == Kind::none; }
  bool isTensor() const { return valueKind == Kind::tensor; }
  bool isInt() const { return valueKind == Kind::integer; }
  bool isList() const { return valueKind == Kind::list; }
  /// A bool, an int or a float.
  bool isNumber() const {
    return valueKind == Kind::boolean || valueKind == Kind::integer ||
           valueKind == Kind::real;
  }

  mlir::Value tensor() const { return tensorValue; }
  bool boolean() const { return intValue != 0; }
  int64_t integer() const { return intValue; }
  double number() const {
    return valueKind == Kind::real ? realValue : double(intValue);
  }
  const std::string &string() const { return stringValue; }
  const std::vector<AtenValue> &list() const { return items; }

  /// "a tensor of 2x3xf32", "the int 3", "None", ...: for messages.
  std::string describe() const;

private:
  Kind valueKind = Kind::none;
  mlir::Value tensorValue;
  int64_t intValue = 0;
  double realValue = 0;
  std::string stringValue;
  std::vector<AtenValue> items;
};

/// One aten op being imported: its arguments in schema order, where its ops
/// go, and how to report a problem with it.
class AtenOpContext : public NodeBuilder {
public:
  AtenOpContext(mlir::OpBuilder &builder, mlir::Location loc,
                llvm::StringRef kind, llvm::StringRef overload,
                llvm::ArrayRef<AtenValue> args)
      : NodeBuilder(builder, loc), kind(kind), overload(overload), args(args) {}

  /// "aten::linear".
  llvm::StringRef kind;
  /// The schema's overload name ("Tensor", "dtype", "" for the default).
  llvm::StringRef overload;
  llvm::ArrayRef<AtenValue> args;

  size_t size() const { return args.size(); }
  const AtenValue &arg(size_t i) const {
    static const AtenValue none;
    return i < args.size() ? args[i] : none;
  }
  /// Reports an error at the op: "<kind>: <message>".
  mlir::InFlightDiagnostic error() const;

  // Arguments, each failing (after reporting) when the argument is not of
  // the kind asked for.
  mlir::FailureOr<mlir::Value> tensor(size_t i) const;
  /// A tensor, or null for None.
  mlir::FailureOr<mlir::Value> optionalTensor(size_t i) const;
  mlir::FailureOr<int64_t> integer(size_t i) const;
  /// An int, or `fallback` for None.
  mlir::FailureOr<int64_t> optionalInteger(size_t i, int64_t fallback) const;
  mlir::FailureOr<double> number(size_t i) const;
  /// A number, or `fallback` when the argument is None or absent.
  mlir::FailureOr<double> optionalNumber(size_t i, double fallback) const;
  mlir::FailureOr<bool> boolean(size_t i) const;
  /// A list of ints (a single int stands for a list of `repeat` copies of it,
  /// as in kernel_size=3).
  mlir::FailureOr<llvm::SmallVector<int64_t>> ints(size_t i,
                                                   size_t repeat = 1) const;
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> tensors(size_t i) const;
  /// A dim for a tensor of `rank` (negative counts from the end).
  mlir::FailureOr<int64_t> dim(int64_t value, int64_t rank) const;
  /// The element type of a ScalarType argument, or `fallback` for None.
  mlir::FailureOr<mlir::Type> dtype(size_t i, mlir::Type fallback) const;

  /// The ranked tensor type of `v`.
  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }

  /// A rank-0 constant of `element` type holding `value`.
  mlir::Value scalar(mlir::Type element, double value);
  /// `v` converted to `element` (itself when it already is).
  mlir::Value castTo(mlir::Value v, mlir::Type element);

protected:
  void reportBuildError(llvm::StringRef message) const override {
    error() << message;
  }
};

/// Lowers one aten op: reads ctx.args, builds dsr1 ops, appends the op's
/// results (in schema order) to `results`. Reports and fails on bad input.
using AtenLowering = std::function<mlir::LogicalResult(
    AtenOpContext &ctx, std::vector<AtenValue> &results)>;

/// The lowering of `kind` ("aten::linear", "prim::min"), or null.
const AtenLowering *lookupAtenOp(llvm::StringRef kind);

/// Every op kind with a lowering, sorted (for docs and --list-ops).
std::vector<std::string> supportedAtenOps();

} // namespace dsr1::torch_frontend

#endif // DSR1_FRONTEND_TORCH_ATENOPS_H
