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
#include "runtime/Plan.h"
#include "runtime/HostSession.h"
#include "runtime/cuda/CudaPlan.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/CommandLine.h"

#include <memory>

namespace dsr1 {

/// The devices the in-process compiler generates code for.
enum class Device {
  /// LLVM-generated host code.
  cpu,
  /// The generated CUDA kernels, compiled by the host compiler and run on the
  /// CPU (threads as fibers): how CUDA code is executed without a GPU.
  cudaEmu,
  /// The generated CUDA kernels for a GPU: only the code is generated here
  /// (CompiledModel::cuda); NVRTC and the cuda device take it from there.
  cuda
};

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

} // namespace dsr1

#endif // DSR1_DRIVER_COMPILEMODEL_H
