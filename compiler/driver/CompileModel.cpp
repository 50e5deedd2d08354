//===- CompileModel.cpp - a model in, a runnable plan out -----------------===//
//
// Runs the stages of DESIGN.md's data flow: the graph is optimised and
// outlined, the plan is read off the graph function, and the kernel
// functions, moved to a module of their own, go through a code generator:
// the cpu one and its JIT, or the CUDA one, whose source cuda-emu compiles
// with the host compiler.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/CompileModel.h"

#include "codegen/cpu/CpuCodegen.h"
#include "codegen/cuda/CudaEmitter.h"
#include "codegen/cuda/DeviceHeaders.h"
#include "codegen/cuda/Nvrtc.h"
#include "codegen/cuda/Tuner.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/driver/BuildPlan.h"
#include "compiler/driver/Progress.h"
#include "compiler/frontend/onnx/OnnxImporter.h"
#include "compiler/frontend/torch/TorchScriptImporter.h"
#include "compiler/passes/Passes.h"
#include "compiler/pipelines/Pipelines.h"
#include "runtime/cudaemu/EmuLibrary.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
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

/// Inputs up to this many elements may be read at compile time.
constexpr int64_t kMaxCompileTimeInput = 64;

void pinInputs(CompileOptions &options, const std::vector<HostTensor> &inputs) {
  for (const HostTensor &input : inputs) {
    options.import.inputShapesByPosition.emplace_back(input.shape.begin(),
                                                      input.shape.end());
    options.import.inputElementTypesByPosition.push_back(
        dtypeName(input.dtype));
    std::vector<double> values;
    if (input.numElements() <= kMaxCompileTimeInput)
      for (int64_t i = 0; i < input.numElements(); ++i)
        values.push_back(input.elementAsDouble(i));
    options.import.inputValues.push_back(std::move(values));
  }
}

FailureOr<Plan> optimizeAndPlan(ModuleOp module, const CompileOptions &options,
                                PrecisionReport *precision) {
  MLIRContext *context = module.getContext();
  PrecisionReport ownReport;
  PrecisionReport &report = precision ? *precision : ownReport;
  CompileOptions effective = options;
  if (failed(preparePrecision(module, effective, report)))
    return failure();
  Progress progress(options.showProgress, options.stageTimes);
  progress.stage("optimising the graph", "passes");
  PassManager graphPasses(context);
  options.configurePasses(graphPasses);
  buildOptimizePipeline(graphPasses, effective.optimize);
  graphPasses.addPass(createOutlineKernelsPass());
  if (failed(graphPasses.run(module)))
    return failure();
  collectPrecisionReport(module, report);

  progress.stage("planning memory", "passes");
  PassManager memoryPasses(context);
  options.configurePasses(memoryPasses);
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
  return buildPlan(graph);
}

OwningOpRef<ModuleOp> extractKernels(ModuleOp module) {
  OwningOpRef<ModuleOp> kernels = module.clone();
  PassManager pm(module.getContext());
  pm.addPass(createExtractKernelsPass());
  if (failed(pm.run(*kernels)))
    return nullptr;
  return kernels;
}

OwningOpRef<ModuleOp> lowerCpuKernels(ModuleOp module,
                                      const CompileOptions &options) {
  Progress progress(options.showProgress, options.stageTimes);
  size_t count = 0;
  for (auto func : module.getOps<func::FuncOp>())
    count += func->hasAttr(kKernelAttrName);
  progress.stage("generating cpu code for " + std::to_string(count) +
                     " kernels",
                 "codegen");
  OwningOpRef<ModuleOp> kernels = extractKernels(module);
  if (!kernels)
    return nullptr;
  PassManager codegen(module.getContext());
  options.configurePasses(codegen);
  cpu::buildCpuCodegenPipeline(codegen, options.useBlas);
  if (failed(codegen.run(*kernels)))
    return nullptr;
  cpu::canonicalizeConstantGlobals(*kernels);
  return kernels;
}

FailureOr<std::shared_ptr<const cuda::CudaModule>>
generateCuda(ModuleOp module, const CompileOptions &options) {
  Progress progress(options.showProgress, options.stageTimes);
  std::string error;
  FailureOr<cuda::CudaParams> params =
      cuda::CudaParams::parse(options.cudaParams, error);
  if (failed(params))
    return emitError(module.getLoc()) << error;
  std::unique_ptr<cuda::KernelTunings> tunings;
  if (!options.tuningCache.empty()) {
    Result<cuda::TuningCache> cache =
        cuda::TuningCache::load(options.tuningCache);
    if (!cache)
      return emitError(module.getLoc()) << cache.status().message();
    tunings = cuda::cacheTunings(std::move(*cache), options.tuningArch);
  }
  OwningOpRef<ModuleOp> kernels = extractKernels(module);
  if (!kernels)
    return failure();
  progress.stage("generating CUDA code", "codegen");
  FailureOr<cuda::CudaModule> generated =
      cuda::emitCuda(*kernels, *params, tunings.get());
  if (failed(generated))
    return failure();
  return std::make_shared<const cuda::CudaModule>(std::move(*generated));
}

namespace {

FailureOr<std::shared_ptr<const KernelLibrary>>
compileCpu(ModuleOp module, const CompileOptions &options) {
  OwningOpRef<ModuleOp> kernels = lowerCpuKernels(module, options);
  if (!kernels)
    return failure();
  Progress progress(options.showProgress, options.stageTimes);
  progress.stage("JIT-compiling", "codegen");
  std::string error;
  std::shared_ptr<const CpuKernelLibrary> library =
      cpu::jitCompile(*kernels, options.optLevel, error);
  if (!library)
    return emitError(module.getLoc()) << "JIT compilation failed: " << error;
  return std::shared_ptr<const KernelLibrary>(std::move(library));
}

FailureOr<std::shared_ptr<const KernelLibrary>>
compileCudaEmu(ModuleOp module, const CompileOptions &options,
               const cuda::CudaModule &code) {
  Progress progress(options.showProgress);
  progress.stage("compiling the CUDA kernels for cuda-emu");
  cudaemu::LaunchOptions launch;
  launch.detectRaces = options.detectRaces;
  std::string cacheDir = options.cacheDir.empty()
                             ? cuda::KernelCache::defaultDir() + "/cuda-emu"
                             : options.cacheDir;
  std::string label;
  if (auto loc = dyn_cast<FileLineColLoc>(module.getLoc()))
    label = loc.getFilename().str();
  Result<std::shared_ptr<const cudaemu::EmuKernelLibrary>> library =
      cudaemu::EmuKernelLibrary::create(code, cuda::deviceHeaders(), cacheDir,
                                        launch, label);
  if (!library)
    return emitError(module.getLoc()) << library.status().message();
  return std::shared_ptr<const KernelLibrary>(std::move(*library));
}

} // namespace

FailureOr<CompiledModel> compileModule(ModuleOp module,
                                       const CompileOptions &options) {
  auto precision = std::make_shared<PrecisionReport>();
  FailureOr<Plan> plan = optimizeAndPlan(module, options, precision.get());
  if (failed(plan))
    return failure();
  CompiledModel compiled;
  compiled.plan = std::make_shared<const Plan>(std::move(*plan));
  compiled.precision = std::move(precision);
  if (options.planOnly)
    return compiled;
  if (options.device == Device::cpu || options.alsoCpu) {
    FailureOr<std::shared_ptr<const KernelLibrary>> cpu =
        compileCpu(module, options);
    if (failed(cpu))
      return failure();
    compiled.cpuKernels = *cpu;
  }
  if (options.device == Device::cpu) {
    compiled.kernels = compiled.cpuKernels;
    if (!options.alsoCpu)
      compiled.cpuKernels = nullptr;
    return compiled;
  }
  FailureOr<std::shared_ptr<const cuda::CudaModule>> code =
      generateCuda(module, options);
  if (failed(code))
    return failure();
  compiled.cuda = *code;
  if (options.device == Device::cuda)
    return compiled;
  FailureOr<std::shared_ptr<const KernelLibrary>> emu =
      compileCudaEmu(module, options, *compiled.cuda);
  if (failed(emu))
    return failure();
  compiled.kernels = *emu;
  return compiled;
}

OwningOpRef<ModuleOp> loadModel(MLIRContext &context, llvm::StringRef path,
                                const CompileOptions &options) {
  if (path.ends_with(".mlir"))
    return parseSourceFile<ModuleOp>(path, &context);
  ImportOptions importOptions = options.import;
  importOptions.showProgress = options.showProgress;
  if (torch_frontend::isTorchScriptPath(path))
    return torch_frontend::importTorchScriptFile(context, path, importOptions);
  return onnx_frontend::importOnnxFile(context, path, importOptions);
}

} // namespace dsr1
