//===- Precision.h - calibration, the accuracy budget, the report -*- C++
//-*-===//
//
// The driver's half of per-op precision: -dsr1-assign-precision decides from
// ranges and a demote limit; this runs the model to provide both. Calibration
// runs the f32 graph on the calibration inputs with every value an output and
// records each value's range on its op; `auto` then compiles and runs the
// graph with more or fewer ops demoted, keeping the most that stay within the
// accuracy budget. The report lists every op's precision and why.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DRIVER_PRECISION_H
#define DSR1_DRIVER_PRECISION_H

#include "runtime/HostTensor.h"
#include "runtime/Result.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dsr1 {

struct CompileOptions;

/// The error of outputs against a reference: the largest absolute
/// difference over the elements of an output, divided by the largest
/// magnitude of the reference output (a normwise relative error, which a
/// near-zero element cannot blow up), maximised over the float outputs.
/// Infinite when an output holds NaN or infinity where the reference is
/// finite; those elements are counted in `nonFinite`.
double relativeError(const std::vector<HostTensor> &outputs,
                     const std::vector<HostTensor> &reference,
                     int64_t &nonFinite);

struct PrecisionReport {
  struct Row {
    std::string node, op, precision, reason;
    uint64_t flops = 0;
    /// A matrix product, convolution, attention or recurrent layer.
    bool product = false;
  };
  /// One compile-and-run of `auto`'s search.
  struct Trial {
    int64_t demoted = 0;
    double error = 0;
    int64_t nonFinite = 0;
  };
  std::string mode;
  std::vector<Row> rows;
  /// auto: the ops it could demote, the tries, and the budget.
  int64_t candidates = 0;
  std::vector<Trial> trials;
  double budget = 0;
  size_t calibrationSets = 0;

  /// The share of the FLOPs of products (or of all ops) in `precision`.
  double flopShare(llvm::StringRef precision, bool productsOnly) const;
  /// The table and the FLOP shares.
  void print(llvm::raw_ostream &os) const;
};

/// The calibration sets in `dir`: the folder itself when it holds
/// input_N.pb (or .npy) files, else each of its test_data_set_* folders.
Result<std::vector<std::vector<HostTensor>>>
readCalibration(const std::string &dir);

/// The precision flags dsr1-run and dsr1-compile share (constructing one
/// registers them).
struct PrecisionFlags {
  llvm::cl::opt<std::string> mode{
      "precision",
      llvm::cl::desc("The precision of each op: fp32 (default), tf32, fp16, "
                     "bf16, or auto (f16/bf16 where ranges and the accuracy "
                     "budget allow)"),
      llvm::cl::init("fp32")};
  llvm::cl::opt<std::string> calibration{
      "calibration",
      llvm::cl::desc("Inputs to observe value ranges and check --precision "
                     "auto's accuracy on: a folder of input_N.pb files, or "
                     "of test_data_set_* folders"),
      llvm::cl::value_desc("dir")};
  llvm::cl::opt<double> accuracyBudget{
      "accuracy-budget",
      llvm::cl::desc("--precision auto: the largest relative error of the "
                     "outputs against f32 on the calibration inputs"),
      llvm::cl::init(1e-2)};
  llvm::cl::opt<bool> allowTf32{
      "allow-tf32",
      llvm::cl::desc("--precision auto: products and convolutions kept out "
                     "of f16/bf16 compute in TF32")};
  llvm::cl::opt<bool> report{
      "precision-report",
      llvm::cl::desc("Print every op's precision and why, and the share of "
                     "FLOPs in each precision")};

  /// Applies the flags to `options`. `fallback` (the inputs the tool runs
  /// on, if any) calibrates when --calibration is not given.
  Status apply(CompileOptions &options,
               const std::vector<HostTensor> *fallback) const;
};

/// Prepares `module` (one imported graph) for the precision in
/// options.optimize.precision: runs the cleanup pipeline, attaches the ranges
/// observed on options.calibration, and for `auto` sets the demote limit
/// that keeps the calibration outputs within options.accuracyBudget of the
/// f32 outputs. Fills `report`'s search figures. Does nothing for fp32.
mlir::LogicalResult preparePrecision(mlir::ModuleOp module,
                                     CompileOptions &options,
                                     PrecisionReport &report);

/// Reads the decisions -dsr1-assign-precision explained into `report` and
/// removes the attributes that carried them and the observed ranges.
void collectPrecisionReport(mlir::ModuleOp module, PrecisionReport &report);

} // namespace dsr1

#endif // DSR1_DRIVER_PRECISION_H
