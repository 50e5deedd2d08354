//===- CompileModel.h - a model in, a runnable plan out ---------*- C++ -*-===//
//
// The in-process compiler: import, optimise, outline kernels, build the
// plan, generate code for a device (the cpu JIT, or CUDA C++ run by
// cuda-emu) and load it.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DRIVER_COMPILEMODEL_H
#define DSR1_DRIVER_COMPILEMODEL_H

#include "compiler/driver/Precision.h"
#include "compiler/frontend/onnx/OnnxImporter.h"
#include "compiler/pipelines/Pipelines.h"
#include "dsr1/Device.h"
#include "runtime/Artifact.h"
#include "runtime/HostSession.h"
#include "runtime/Plan.h"
#include "runtime/cuda/CudaPlan.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"

#include <functional>
#include <memory>

namespace dsr1 {

struct CompileOptions {
  ImportOptions import;
  /// LLVM optimisation level of the generated code (0-3).
  int optLevel = 2;
  /// Run matrix products and convolutions through BLAS where it applies
  /// (false: generated loops only).
  bool useBlas = true;
  /// Report each stage and its time on stderr.
  bool showProgress = false;
  /// Fusion on or off, modality overrides.
  OptimizeOptions optimize;
  /// A memory budget and how to meet it.
  MemoryOptions memory;
  /// Stop once the plan is built: no code is generated (the compiled
  /// model's kernels are null), for reports on models too large to JIT
  /// quickly.
  bool planOnly = false;
  /// Where the kernels run.
  Device device = Device::cpu;
  /// Also compile the cpu kernels when `device` is another one, to compare
  /// against (CompiledModel::cpuKernels).
  bool alsoCpu = false;
  /// The CUDA families' parameters ("name=value,...", CudaParams::parse).
  std::string cudaParams;
  /// A tuning cache (dsr1-compile --tune-*): tensor-core kernels found
  /// there are generated with their tuned parameters, those of
  /// `tuningArch` (one CUDA source serves every architecture).
  std::string tuningCache;
  std::string tuningArch = "sm_90a";
  /// cuda-emu: report shared-memory races (slower).
  bool detectRaces = false;
  /// Where cuda-emu caches compiled kernels (empty: the default cache).
  std::string cacheDir;
  /// Sets of inputs the precision's ranges are observed on, and `auto`'s
  /// accuracy is checked on (optimize.precision selects the mode).
  std::vector<std::vector<HostTensor>> calibration;
  /// `auto`: the largest relative error of the outputs against the f32
  /// graph's on the calibration inputs (relativeError in Precision.h).
  double accuracyBudget = 1e-2;
  /// `auto`: how many compile-and-run tries the search may make.
  int maxPrecisionTrials = 24;
  /// Where the stages' times go ("passes", "codegen"), if anywhere.
  std::vector<StageTime> *stageTimes = nullptr;
  /// Applied to every pass manager of the pipeline before it runs: a tool
  /// applies its --mlir-print-ir-* and --mlir-timing flags here.
  std::function<void(mlir::PassManager &)> configurePasses =
      [](mlir::PassManager &) {};
};

struct CompiledModel {
  std::shared_ptr<const Plan> plan;
  /// The kernels for CompileOptions::device (none for cuda).
  std::shared_ptr<const KernelLibrary> kernels;
  /// The cpu kernels, with CompileOptions::alsoCpu.
  std::shared_ptr<const KernelLibrary> cpuKernels;
  /// The generated CUDA code (CUDA devices only).
  std::shared_ptr<const cuda::CudaModule> cuda;
  /// Every op's precision and why.
  std::shared_ptr<const PrecisionReport> precision;
};

/// Prints the diagnostics of a context for a user of the command-line tools:
/// `model.onnx: error: node 'conv1': message`, naming the node (the ONNX
/// node name the importer put in the location) rather than printing MLIR
/// location syntax.
class UserDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
public:
  UserDiagnosticHandler(mlir::MLIRContext &context, llvm::raw_ostream &os);
};

/// Every dialect and interface the compiler needs, for a context that
/// compiles models.
void registerCompilerDialects(mlir::DialectRegistry &registry);

/// --input-shape, for the tools that compile a model (dsr1-run, dsr1-compile):
/// an input's shape and element type by name, NAME=DIMS[:TYPE].
struct InputShapeFlag {
  llvm::cl::list<std::string> shapes{
      "input-shape",
      llvm::cl::desc("Shape (and element type) of a graph input, "
                     "NAME=DIMS[:TYPE] (input_ids=1x128:i64): TorchScript "
                     "files record none; --inputs gives them too"),
      llvm::cl::value_desc("name=dims")};

  /// Parses every value into `options`; a bad one is an error saying why.
  Status apply(ImportOptions &options) const {
    std::string error;
    if (mlir::failed(parseShapeOverrides(shapes, options, error)))
      return Status::error(error);
    return Status::ok();
  }
};

/// --memory-budget and its companions, for the tools that compile a model.
struct MemoryFlags {
  llvm::cl::opt<std::string> budget{
      "memory-budget",
      llvm::cl::desc("Fit the arena of intermediates in this budget by "
                     "recomputing values: bytes (512K, 1.5G, 64MiB) or a "
                     "percentage of the arena planned without recomputation "
                     "(50%)"),
      llvm::cl::value_desc("budget")};
  llvm::cl::opt<std::string> strategy{
      "recompute-strategy",
      llvm::cl::desc("How to meet --memory-budget: dsr1 (greedy, fewest "
                     "FLOPs per byte saved) or sqrt (Chen et al. 2016 "
                     "checkpointing)"),
      llvm::cl::init("dsr1")};
  llvm::cl::opt<bool> expensive{
      "recompute-expensive",
      llvm::cl::desc("Let --memory-budget recompute GEMMs, convolutions, "
                     "attention and recurrent layers too")};
  llvm::cl::opt<bool> report{
      "memory-report",
      llvm::cl::desc("Print the arena planned (naive, planned, lower bound) "
                     "and what recomputation bought under --memory-budget")};

  void apply(CompileOptions &options) const {
    options.memory.budget = budget;
    options.memory.strategy = strategy;
    options.memory.recomputeExpensive = expensive;
  }
};

/// Compiles the model for the data it runs on: the inputs' shapes pin
/// symbolic dims, and small inputs that an op needs at compile time (a
/// shape, axes, pads) are read from the data.
void pinInputs(CompileOptions &options, const std::vector<HostTensor> &inputs);

/// The model at `path`: an ONNX model, imported with options.import, or a
/// dsr1 module in a .mlir file (what dsr1-import writes, or a graph written
/// by hand), whose shapes are its own. Errors are emitted as diagnostics on
/// `context`, at the node or file at fault; null then.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(mlir::MLIRContext &context,
                                            llvm::StringRef path,
                                            const CompileOptions &options);

/// Compiles an imported dsr1 module (one graph function) for
/// options.device. The module is changed (optimised and outlined) in place.
mlir::FailureOr<CompiledModel> compileModule(mlir::ModuleOp module,
                                             const CompileOptions &options);

/// The optimised, outlined and planned module (what compileModule generates
/// code from), for tools that print or compile the kernels themselves. The
/// precision's decisions go to `precision` when given.
mlir::FailureOr<Plan> optimizeAndPlan(mlir::ModuleOp module,
                                      const CompileOptions &options,
                                      PrecisionReport *precision = nullptr);

/// The kernel functions of a planned module, alone in a module of their own
/// (the input of a code generator).
mlir::OwningOpRef<mlir::ModuleOp> extractKernels(mlir::ModuleOp module);

/// The kernels of a planned module lowered to the LLVM dialect for the cpu
/// device (what the JIT or an artifact's shared object is made from); null
/// after a diagnostic.
mlir::OwningOpRef<mlir::ModuleOp>
lowerCpuKernels(mlir::ModuleOp module, const CompileOptions &options);

/// The CUDA C++ of a planned module's kernels, with options.cudaParams.
mlir::FailureOr<std::shared_ptr<const cuda::CudaModule>>
generateCuda(mlir::ModuleOp module, const CompileOptions &options);

} // namespace dsr1

#endif // DSR1_DRIVER_COMPILEMODEL_H
