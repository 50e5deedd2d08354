//===- Compiler.cpp - the C++ API's in-process compiler -------------------===//
//
// What dsr1-compile does, driven by CompileOptions instead of flags, with
// the context's diagnostics gathered into the returned Status instead of
// printed: a host application decides what its users see. compile() keeps
// the compiled artifact in memory and binds it to a device exactly as
// Model::load binds one read from a file.
//
//===----------------------------------------------------------------------===//

#include "runtime/api/ApiInternal.h"

#include "compiler/driver/CompileArtifact.h"
#include "compiler/driver/CompileModel.h"
#include "runtime/cuda/CudaDevice.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

namespace dsr1 {

struct Compiler::Impl {
  Impl() {
    mlir::DialectRegistry registry;
    registerCompilerDialects(registry);
    context = std::make_unique<mlir::MLIRContext>(registry);
    context->loadAllAvailableDialects();
    context->printOpOnDiagnostic(false);
  }
  std::unique_ptr<mlir::MLIRContext> context;
};

Compiler::Compiler() : impl_(std::make_unique<Impl>()) {}
Compiler::~Compiler() = default;

Result<std::shared_ptr<Model>> Compiler::compile(const std::string &modelPath,
                                                 const CompileOptions &options,
                                                 Device device) {
  api::ErrorKind kind = api::ErrorKind::none;
  return api::compile(*impl_, modelPath, options, device, kind);
}

Status Compiler::compileToFile(const std::string &modelPath,
                               const std::string &artifactPath,
                               const CompileOptions &options) {
  api::ErrorKind kind = api::ErrorKind::none;
  return api::compileToFile(*impl_, modelPath, artifactPath, options, kind);
}

namespace api {
namespace {

/// The internal options of the API's, as dsr1-compile's flags set them.
Status translate(const Compiler::CompileOptions &given,
                 dsr1::CompileOptions &options) {
  if (Status s = checkTargets(given.targets); !s)
    return s;
  if (given.optLevel < 0 || given.optLevel > 3)
    return Status::error("optLevel takes 0 to 3, not " +
                         std::to_string(given.optLevel));
  static constexpr const char *modes[] = {"fp32", "tf32", "fp16", "bf16",
                                          "auto"};
  if (std::find(std::begin(modes), std::end(modes), given.precision) ==
      std::end(modes))
    return Status::error("unknown precision '" + given.precision +
                         "' (expected fp32, tf32, fp16, bf16 or auto)");
  options.optLevel = given.optLevel;
  options.showProgress = given.showProgress;
  options.optimize.precision.mode = given.precision;
  options.memory.budget = given.memoryBudget;
  options.tuningCache = given.tuningCache;
  for (const std::string &target : given.targets)
    if (target != "cpu") {
      options.tuningArch = target;
      break;
    }
  std::vector<std::string> shapes;
  for (const auto &[name, shape] : given.inputShapes)
    shapes.push_back(name + "=" + shape);
  std::string error;
  if (mlir::failed(parseShapeOverrides(shapes, options.import, error)))
    return Status::error(error);
  // bf16 needs sm_80 or newer on every target.
  for (llvm::StringRef target : given.targets) {
    unsigned version = 0;
    if (target.consume_front("sm_") &&
        !target.take_while(llvm::isDigit).getAsInteger(10, version) &&
        version < 80)
      options.optimize.precision.bf16 = false;
  }
  return Status::ok();
}

/// The message of a failed compile: the diagnostics, one per line.
Status compileError(std::string diagnostics, const std::string &modelPath) {
  while (!diagnostics.empty() && diagnostics.back() == '\n')
    diagnostics.pop_back();
  if (diagnostics.empty())
    diagnostics = modelPath + ": error: compilation failed";
  return Status::error(std::move(diagnostics));
}

/// Compiles `modelPath` for `targets` into an artifact in memory.
Result<std::unique_ptr<CompiledArtifact>>
compileInMemory(Compiler::Impl &compiler, const std::string &modelPath,
                const Compiler::CompileOptions &given, ErrorKind &kind) {
  kind = ErrorKind::invalidArgument;
  dsr1::CompileOptions options;
  if (Status s = translate(given, options); !s)
    return s;
  if (!llvm::sys::fs::exists(modelPath)) {
    kind = ErrorKind::notFound;
    return Status::error("cannot open " + modelPath + ": no such file");
  }
  kind = ErrorKind::invalidModel;
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  UserDiagnosticHandler handler(*compiler.context, os);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(*compiler.context, modelPath, options);
  if (!module)
    return compileError(diagnostics, modelPath);
  ArtifactOptions artifactOptions;
  artifactOptions.targets = given.targets;
  artifactOptions.cacheDir = given.cacheDir;
  mlir::FailureOr<std::unique_ptr<CompiledArtifact>> compiled =
      compileArtifact(*module, options, artifactOptions, modelPath);
  if (mlir::failed(compiled))
    return compileError(diagnostics, modelPath);
  kind = ErrorKind::none;
  return std::move(*compiled);
}

} // namespace

Result<std::shared_ptr<Model>> compile(Compiler::Impl &compiler,
                                       const std::string &modelPath,
                                       const Compiler::CompileOptions &given,
                                       Device device, ErrorKind &kind) {
  // The device's own code is compiled whether or not the targets name it.
  Compiler::CompileOptions options = given;
  auto has = [&](llvm::function_ref<bool(llvm::StringRef)> pred) {
    return llvm::any_of(options.targets, pred);
  };
  auto gpu = [](llvm::StringRef target) { return target.starts_with("sm_"); };
  if (device == Device::cpu &&
      !has([](llvm::StringRef target) { return target == "cpu"; }))
    options.targets.push_back("cpu");
  if (device == Device::cudaEmu && !has(gpu))
    options.targets.push_back("sm_80");
  if (device == Device::cuda) {
    // Found before compiling: no GPU is better said before NVRTC has run.
    Result<std::shared_ptr<cuda::CudaDriver>> driver = cuda::CudaDriver::load();
    if (!driver) {
      kind = ErrorKind::device;
      return driver.status();
    }
    int capability = (*driver)->computeCapability();
    std::string arch =
        "sm_" + std::to_string(capability) + (capability == 90 ? "a" : "");
    if (!llvm::is_contained(options.targets, arch))
      options.targets.push_back(arch);
  }

  Result<std::unique_ptr<CompiledArtifact>> compiled =
      compileInMemory(compiler, modelPath, options, kind);
  if (!compiled)
    return compiled.status();
  auto artifact = std::make_shared<Artifact>();
  // The artifact takes the contents; the cpu object they point at stays in
  // the CompiledArtifact, which the mapping keeps alive as a file's mapping
  // would be.
  static_cast<ArtifactContents &>(*artifact) = std::move((*compiled)->contents);
  artifact->path = modelPath;
  artifact->writtenBy = version();
  for (const Weight &weight : artifact->plan->weights)
    artifact->weightBytes += weight.bytes;
  artifact->mapping = std::shared_ptr<const void>(std::move(*compiled));
  LoadOptions load;
  if (!options.cacheDir.empty())
    load.cacheDir = options.cacheDir + "/cuda-emu";
  return createModel(std::move(artifact), device, load, kind);
}

Status compileToFile(Compiler::Impl &compiler, const std::string &modelPath,
                     const std::string &artifactPath,
                     const Compiler::CompileOptions &options, ErrorKind &kind) {
  Result<std::unique_ptr<CompiledArtifact>> compiled =
      compileInMemory(compiler, modelPath, options, kind);
  if (!compiled)
    return compiled.status();
  if (Status s = writeArtifact(artifactPath, (*compiled)->contents); !s) {
    kind = ErrorKind::runtime;
    return s;
  }
  return Status::ok();
}

} // namespace api
} // namespace dsr1
