//===- CompileModel.cpp - a model in, a runnable plan out -----------------===//
//
// Runs the stages of DESIGN.md's data flow for the cpu device: the graph is
// optimised and outlined, the plan is read off the graph function, and the
// kernel functions, moved to a module of their own, go through the cpu code
// generator and the JIT.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/CompileModel.h"
#include "codegen/cpu/CpuCodegen.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/driver/BuildPlan.h"
#include "compiler/passes/Passes.h"
#include "compiler/pipelines/Pipelines.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;

namespace dsr1 {

namespace {

/// The node name and the file:line:col of a location, where it has them.
void describe(Location loc, std::string &node, std::string &file) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (node.empty())
      node = name.getName().str();
    describe(name.getChildLoc(), node, file);
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      describe(inner, node, file);
  } else if (auto fileLoc = dyn_cast<FileLineColLoc>(loc)) {
    if (!file.empty())
      return;
    file = fileLoc.getFilename().str();
    if (fileLoc.getLine() != 0)
      file += ":" + std::to_string(fileLoc.getLine()) + ":" +
              std::to_string(fileLoc.getColumn());
  } else if (auto callSite = dyn_cast<CallSiteLoc>(loc)) {
    describe(callSite.getCallee(), node, file);
  }
}

} // namespace

UserDiagnosticHandler::UserDiagnosticHandler(MLIRContext &context,
                                             llvm::raw_ostream &os)
    : ScopedDiagnosticHandler(&context, [&os](Diagnostic &diag) {
        std::string node, file;
        describe(diag.getLocation(), node, file);
        const char *severity = "error";
        if (diag.getSeverity() == DiagnosticSeverity::Warning)
          severity = "warning";
        else if (diag.getSeverity() == DiagnosticSeverity::Note)
          severity = "note";
        else if (diag.getSeverity() == DiagnosticSeverity::Remark)
          severity = "remark";
        std::string message = diag.str();
        os << (file.empty() ? std::string("dsr1") : file) << ": " << severity
           << ": ";
        if (!node.empty() && message.find("node '") == std::string::npos)
          os << "node '" << node << "': ";
        os << message << "\n";
        for (Diagnostic &note : diag.getNotes())
          os << "  note: " << note.str() << "\n";
        return success();
      }) {}

void registerCompilerDialects(DialectRegistry &registry) {
  registry.insert<DSR1Dialect>();
  cpu::registerCodegenDialects(registry);
}

namespace {

/// Stage timing on stderr, for a terminal.
class Progress {
public:
  explicit Progress(bool enabled) : enabled(enabled) {}
  void stage(llvm::StringRef name) {
    finish();
    if (!enabled)
      return;
    current = name.str();
    start = std::chrono::steady_clock::now();
    llvm::errs() << "dsr1: " << name << "...";
    llvm::errs().flush();
  }
  void finish() {
    if (!enabled || current.empty())
      return;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    llvm::errs() << llvm::format(" %.2f s\n", seconds);
    current.clear();
  }
  ~Progress() { finish(); }

private:
  bool enabled;
  std::string current;
  std::chrono::steady_clock::time_point start;
};

} // namespace

FailureOr<CompiledModel> compileModuleForCpu(ModuleOp module,
                                             const CompileOptions &options) {
  MLIRContext *context = module.getContext();
  Progress progress(options.showProgress);

  progress.stage("optimising the graph");
  PassManager graphPasses(context);
  buildOptimizePipeline(graphPasses, options.optimize);
  graphPasses.addPass(createOutlineKernelsPass());
  if (failed(graphPasses.run(module)))
    return failure();

  progress.stage("planning memory");
  PassManager memoryPasses(context);
  buildMemoryPipeline(memoryPasses, options.memory);
  if (failed(memoryPasses.run(module)))
    return failure();
  func::FuncOp graph;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func->hasAttr(kKernelAttrName) || func.isExternal())
      continue;
    if (graph)
      return emitError(func.getLoc())
             << "the module holds more than one graph function ('"
             << graph.getSymName() << "' and '" << func.getSymName() << "')";
    graph = func;
  }
  if (!graph)
    return emitError(module.getLoc()) << "the module holds no graph function";
  FailureOr<Plan> plan = buildPlan(graph);
  if (failed(plan))
    return failure();

  if (options.planOnly) {
    progress.finish();
    return CompiledModel{std::make_shared<const Plan>(std::move(*plan)),
                         nullptr};
  }

  progress.stage("generating code for " + std::to_string(plan->kernels.size()) +
                 " kernels");
  OwningOpRef<ModuleOp> kernels = module.clone();
  PassManager codegen(context);
  codegen.addPass(createExtractKernelsPass());
  cpu::buildCpuCodegenPipeline(codegen, options.useBlas);
  if (failed(codegen.run(*kernels)))
    return failure();

  progress.stage("JIT-compiling");
  std::string error;
  std::shared_ptr<const CpuKernelLibrary> library =
      cpu::jitCompile(*kernels, options.optLevel, error);
  if (!library)
    return emitError(module.getLoc()) << "JIT compilation failed: " << error;
  progress.finish();
  return CompiledModel{std::make_shared<const Plan>(std::move(*plan)),
                       std::move(library)};
}

FailureOr<CompiledModel> compileOnnxForCpu(MLIRContext &context,
                                           llvm::StringRef path,
                                           const CompileOptions &options) {
  onnx_frontend::ImportOptions importOptions = options.import;
  importOptions.showProgress = options.showProgress;
  OwningOpRef<ModuleOp> module =
      onnx_frontend::importOnnxFile(context, path, importOptions);
  if (!module)
    return failure();
  return compileModuleForCpu(*module, options);
}

} // namespace dsr1
