//===- CompileModel.h - a model in, a runnable plan out ---------*- C++ -*-===//
//
// The in-process compiler: import, optimise, outline kernels, build the
// plan, generate and JIT-compile code for the cpu device.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DRIVER_COMPILEMODEL_H
#define DSR1_DRIVER_COMPILEMODEL_H

#include "compiler/frontend/onnx/OnnxImporter.h"
#include "compiler/pipelines/Pipelines.h"
#include "runtime/Plan.h"
#include "runtime/Session.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"

#include <memory>

namespace dsr1 {

struct CompileOptions {
  onnx_frontend::ImportOptions import;
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
};

struct CompiledModel {
  std::shared_ptr<const Plan> plan;
  std::shared_ptr<const CpuKernelLibrary> kernels;
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

/// Compiles the ONNX model at `path` for the cpu device. Errors are emitted
/// as diagnostics on `context`, at the node or file at fault.
mlir::FailureOr<CompiledModel> compileOnnxForCpu(mlir::MLIRContext &context,
                                                 llvm::StringRef path,
                                                 const CompileOptions &options);

/// Compiles an imported dsr1 module (one graph function) for the cpu device.
/// The module is changed (optimised and outlined) in place.
mlir::FailureOr<CompiledModel>
compileModuleForCpu(mlir::ModuleOp module, const CompileOptions &options);

} // namespace dsr1

#endif // DSR1_DRIVER_COMPILEMODEL_H
