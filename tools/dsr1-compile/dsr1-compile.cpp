//===- dsr1-compile.cpp - compile a model ahead of time -------------------===//
//
// dsr1-compile MODEL --emit cuda|ptx|kernels [--target sm_80,sm_90a]
// [--inputs DIR] [-o FILE]: runs the compiler on an ONNX model (or a dsr1
// module in a .mlir file) and prints the generated CUDA C++, the PTX NVRTC
// makes of it, or a table of every kernel with its launches and, per target,
// the registers, shared memory and spills ptxas reports. NVRTC results are
// cached on disk, so a second compile of the same model compiles nothing.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaEmitter.h"
#include "codegen/cuda/DeviceHeaders.h"
#include "codegen/cuda/Nvrtc.h"
#include "compiler/driver/CompileModel.h"
#include "compiler/support/DebugOnly.h"
#include "runtime/TensorIO.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <map>

namespace cl = llvm::cl;

static cl::opt<std::string>
    modelPath(cl::Positional, cl::Required,
              cl::desc("<model.onnx | model.pt | graph.mlir>"));
static cl::opt<std::string>
    emit("emit",
         cl::desc("What to print: cuda (the kernels' CUDA C++), ptx (NVRTC's "
                  "PTX per target), kernels (each kernel's launches and, per "
                  "target, registers, shared memory and spills)"),
         cl::Required);
static cl::opt<std::string>
    targets("target",
            cl::desc("CUDA architectures, comma-separated (sm_80, sm_90a)"),
            cl::init("sm_80,sm_90a"));
static cl::opt<std::string>
    inputsDir("inputs",
              cl::desc("Folder of input_N.pb (or .npy) files whose shapes "
                       "(and small values) the model is compiled for"),
              cl::value_desc("dir"));
static dsr1::InputShapeFlag inputShapes;
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"));
static cl::opt<std::string> cudaParams(
    "cuda-params",
    cl::desc("CUDA kernel family parameters, name=value,... (see dsr1-run)"),
    cl::value_desc("params"));
static cl::opt<std::string>
    cacheDir("cache-dir",
             cl::desc("The kernel cache (default: $DSR1_CACHE_DIR, else "
                      "~/.cache/dsr1/kernels)"),
             cl::value_desc("dir"));
static cl::opt<bool> noCache("no-cache",
                             cl::desc("Compile without the kernel cache"));
static cl::opt<bool>
    fuse("fuse",
         cl::desc("Fuse attention blocks and elementwise work into larger "
                  "kernels (--fuse=false: every op its own kernel)"),
         cl::init(true));

static dsr1::PrecisionFlags precisionFlags;

static int fail(const std::string &message) {
  llvm::errs() << "dsr1-compile: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  dsr1::registerDebugOnlyOption();
  cl::ParseCommandLineOptions(
      argc, argv, "dsr1-compile: compile a model and print its kernels\n");
  if (emit != "cuda" && emit != "ptx" && emit != "kernels")
    return fail("--emit takes cuda, ptx or kernels (this build writes no "
                ".dsr1 artifact yet; dsr1-run compiles and runs in process)");
  llvm::SmallVector<llvm::StringRef> archs;
  llvm::StringRef(targets).split(archs, ',', -1, /*KeepEmpty=*/false);
  if (archs.empty())
    return fail("--target names no architecture");

  mlir::DialectRegistry registry;
  dsr1::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  dsr1::UserDiagnosticHandler diagnostics(context, llvm::errs());

  dsr1::CompileOptions options;
  options.optimize.fuse = fuse;
  options.showProgress = llvm::errs().is_displayed();
  std::vector<dsr1::HostTensor> inputs;
  if (!inputsDir.empty()) {
    dsr1::Result<std::vector<dsr1::HostTensor>> read =
        dsr1::readTensorDir(inputsDir, "input");
    if (!read)
      return fail(read.status().message());
    inputs = std::move(*read);
    dsr1::pinInputs(options, inputs);
  }
  if (dsr1::Status status = inputShapes.apply(options.import); !status)
    return fail(status.message());
  if (dsr1::Status status = precisionFlags.apply(options, &inputs); !status)
    return fail(status.message());
  // bf16 needs sm_80 or newer on every target.
  for (llvm::StringRef arch : archs) {
    unsigned version = 0;
    if (arch.starts_with("sm_") &&
        !arch.drop_front(3)
             .take_while(llvm::isDigit)
             .getAsInteger(10, version) &&
        version < 80)
      options.optimize.precision.bf16 = false;
  }
  mlir::OwningOpRef<mlir::ModuleOp> module =
      dsr1::loadModel(context, modelPath, options);
  if (!module)
    return 1;
  dsr1::PrecisionReport precision;
  mlir::FailureOr<dsr1::Plan> plan =
      dsr1::optimizeAndPlan(*module, options, &precision);
  if (failed(plan))
    return 1;
  if (precisionFlags.report)
    precision.print(llvm::errs());
  mlir::OwningOpRef<mlir::ModuleOp> kernels = dsr1::extractKernels(*module);
  if (!kernels)
    return 1;
  std::string error;
  mlir::FailureOr<dsr1::cuda::CudaParams> params =
      dsr1::cuda::CudaParams::parse(cudaParams, error);
  if (failed(params))
    return fail(error);
  mlir::FailureOr<dsr1::cuda::CudaModule> code =
      dsr1::cuda::emitCuda(*kernels, *params);
  if (failed(code))
    return 1;

  std::error_code ec;
  llvm::ToolOutputFile out(outputPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write " + outputPath + ": " + ec.message());
  if (emit == "cuda") {
    out.os() << code->source;
    out.keep();
    return 0;
  }

  dsr1::Result<std::shared_ptr<dsr1::cuda::Nvrtc>> nvrtc =
      dsr1::cuda::Nvrtc::load();
  if (!nvrtc)
    return fail(nvrtc.status().message());
  std::optional<dsr1::cuda::KernelCache> cache;
  if (!noCache)
    cache.emplace(cacheDir.empty() ? dsr1::cuda::KernelCache::defaultDir()
                                   : cacheDir.getValue());
  auto start = std::chrono::steady_clock::now();
  if (options.showProgress)
    llvm::errs() << "dsr1: NVRTC for " << targets << "...";
  std::vector<std::string> archNames(archs.begin(), archs.end());
  dsr1::Result<std::vector<dsr1::cuda::CompiledKernels>> result =
      dsr1::cuda::compileForArchs(**nvrtc, cache ? &*cache : nullptr,
                                  code->source, modelPath, archNames,
                                  dsr1::cuda::deviceHeaders());
  if (!result)
    return fail(result.status().message());
  if (options.showProgress)
    llvm::errs() << llvm::format(
        " %.2f s\n",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  const std::vector<dsr1::cuda::CompiledKernels> &compiled = *result;
  if (emit == "ptx") {
    for (const dsr1::cuda::CompiledKernels &c : compiled)
      out.os() << "// PTX for " << c.arch << "\n" << c.ptx << "\n";
    out.keep();
    return 0;
  }

  // --emit kernels: one line per launch, then the resources per target.
  std::map<std::string, std::pair<std::string, std::string>> nodes;
  for (const dsr1::KernelInfo &info : plan->kernels)
    nodes[info.symbol] = {info.node, info.op};
  llvm::raw_ostream &os = out.os();
  os << "kernels: " << code->kernels.size() << " (NVRTC " << (*nvrtc)->version()
     << ")\n";
  for (const dsr1::cuda::CompiledKernels &c : compiled)
    os << "  " << c.arch << ": "
       << (c.fromCache ? "from the cache" : "compiled") << "\n";
  if (cache)
    os << "  cache: " << cache->hits() << " hit(s), " << cache->misses()
       << " miss(es) in " << cache->dir() << "\n";
  os << llvm::format("%-44s %-10s %-16s %-16s", "function", "family", "grid",
                     "block");
  for (const dsr1::cuda::CompiledKernels &c : compiled)
    os << llvm::format("  %-24s", (c.arch + " regs/smem/spill").c_str());
  os << "  node\n";
  int spills = 0;
  for (const dsr1::cuda::CudaKernel &kernel : code->kernels) {
    for (const dsr1::cuda::GridLaunch &launch : kernel.launches) {
      std::string grid = std::to_string(launch.grid.x) + "x" +
                         std::to_string(launch.grid.y) + "x" +
                         std::to_string(launch.grid.z);
      std::string block = std::to_string(launch.block.x);
      os << llvm::format("%-44s %-10s %-16s %-16s", launch.function.c_str(),
                         kernel.family.c_str(), grid.c_str(), block.c_str());
      for (const dsr1::cuda::CompiledKernels &c : compiled) {
        std::string cell = "-";
        for (const dsr1::cuda::KernelResources &r : c.kernels)
          if (r.name == launch.function) {
            cell = std::to_string(r.registers) + "/" +
                   std::to_string(r.sharedBytes) + "/" +
                   std::to_string(r.spillStoreBytes + r.spillLoadBytes);
            spills += r.spillStoreBytes + r.spillLoadBytes;
          }
        os << llvm::format("  %-24s", cell.c_str());
      }
      auto node = nodes[kernel.symbol];
      os << "  " << node.first << " (" << node.second << ")\n";
    }
  }
  os << "spill bytes in all: " << spills << "\n";
  out.keep();
  return 0;
}
