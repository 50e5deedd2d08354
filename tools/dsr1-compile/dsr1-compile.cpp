//===- dsr1-compile.cpp - compile a model ahead of time -------------------===//
//
// dsr1-compile MODEL -o OUT.dsr1 [--target cpu,sm_80,sm_90a] [--inputs DIR]
// [--precision ...] [--memory-budget ...]: runs the whole compiler on an
// ONNX or TorchScript model (or a dsr1 module in a .mlir file) and writes an
// artifact that dsr1-run and the C/C++ API load and run without compiling.
// --emit plan|cuda|ptx|kernels prints a stage instead: the plan, the
// generated CUDA C++, the PTX NVRTC makes of it, or a table of every kernel
// with its launches and, per target, the registers, shared memory and
// spills ptxas reports. Code generation is cached on disk, so a second
// compile of the same model compiles nothing.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaEmitter.h"
#include "codegen/cuda/DeviceHeaders.h"
#include "codegen/cuda/Nvrtc.h"
#include "codegen/cuda/Tuner.h"
#include "compiler/driver/CompileArtifact.h"
#include "compiler/driver/CompileModel.h"
#include "compiler/driver/Progress.h"
#include "compiler/driver/TuneCheck.h"
#include "compiler/support/DebugOnly.h"
#include "runtime/TensorIO.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <map>

namespace cl = llvm::cl;

// Optional only so that --tune-gemm can run without a model; main() asks
// for it otherwise.
static cl::opt<std::string>
    modelPath(cl::Positional, cl::Optional,
              cl::desc("<model.onnx | model.pt | graph.mlir>"));
static cl::opt<std::string>
    emit("emit",
         cl::desc("What to write: dsr1 (the artifact, the default), plan "
                  "(the launches and buffers), cuda (the kernels' CUDA C++), "
                  "ptx (NVRTC's PTX per target), kernels (each kernel's "
                  "launches and, per target, registers, shared memory and "
                  "spills)"),
         cl::init("dsr1"));
static cl::opt<std::string> targets(
    "target",
    cl::desc("Targets, comma-separated: cpu and GPU architectures (sm_80, "
             "sm_86, sm_90a). Default: cpu,sm_80,sm_90a for an artifact, "
             "sm_80,sm_90a for --emit ptx|kernels"));
static cl::opt<std::string>
    inputsDir("inputs",
              cl::desc("Folder of input_N.pb (or .npy) files whose shapes "
                       "(and small values) the model is compiled for"),
              cl::value_desc("dir"));
static dsr1::InputShapeFlag inputShapes;
static cl::opt<std::string>
    outputPath("o", cl::desc("Output file (the artifact, or - for stdout)"),
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
static cl::opt<int> optLevel("O",
                             cl::desc("Optimisation level of cpu code (0-3)"),
                             cl::init(2), cl::Prefix);
static cl::opt<std::string> tuneGemm(
    "tune-gemm",
    cl::desc("Tune the tensor-core GEMM of this shape instead of compiling a "
             "model: rank every gemm-tc parameter set by the cost model for "
             "each --target (with --precision fp16, bf16 or tf32)"),
    cl::value_desc("M,N,K[,batch]"));
static cl::opt<std::string> tuneConv(
    "tune-conv",
    cl::desc("Tune the implicit-GEMM convolution (conv-tc) of this shape "
             "instead of compiling a model, as --tune-gemm does"),
    cl::value_desc("N,C,H,W,OC,KH,KW[,stride[,pad[,groups]]]"));
static cl::opt<std::string> tuneAttention(
    "tune-attention",
    cl::desc("Tune the flash attention (attention-tc) of this shape instead "
             "of compiling a model, as --tune-gemm does (with --precision "
             "fp16 or bf16; --causal for a causal mask)"),
    cl::value_desc("B,H,Sq,Skv,D[,Dv]"));
static cl::opt<bool>
    tuneCausal("causal", cl::desc("--tune-attention: a causal attention"));
static cl::opt<bool> tuneModel(
    "tune",
    cl::desc("Tune every tensor-core kernel (gemm-tc, conv-tc, attention-tc) "
             "of the model, as --tune-gemm and the others do one, for each "
             "GPU --target; with --tuning-cache the tunings are kept for a "
             "later compile"));
static cl::opt<bool> tuneNoVerify(
    "no-verify",
    cl::desc("--tune-*: rank only, without running the chosen candidate on "
             "cuda-emu at a small shape first"));
static cl::opt<bool> tuneMeasure(
    "measure",
    cl::desc("--tune-*: also time the model's best candidates on this "
             "machine's GPU (it must be the --target's architecture) and "
             "rank those by their measured time"));
static cl::opt<int> tuneMeasureTop(
    "measure-top",
    cl::desc("--measure: how many of the model's best candidates to time"),
    cl::init(8));
static cl::opt<std::string> tuningCache(
    "tuning-cache",
    cl::desc("JSON file of tuned parameters: --tune-* adds a tuning not "
             "found there; a compile generates the tensor-core kernels found "
             "there with their tuned parameters (those of the first GPU "
             "--target)"),
    cl::value_desc("file"));
static cl::opt<bool> quiet("quiet", cl::desc("Print only errors"));
static cl::opt<bool>
    fuse("fuse",
         cl::desc("Fuse attention blocks and elementwise work into larger "
                  "kernels (--fuse=false: every op its own kernel)"),
         cl::init(true));

static dsr1::PrecisionFlags precisionFlags;
static dsr1::MemoryFlags memoryFlags;

static int fail(const std::string &message) {
  llvm::errs() << "dsr1-compile: error: " << message << "\n";
  return 1;
}

/// Prints the table of --emit kernels.
static void
printKernelTable(llvm::raw_ostream &os, const dsr1::Plan &plan,
                 const dsr1::cuda::CudaModule &code,
                 const dsr1::cuda::Nvrtc &nvrtc,
                 const std::optional<dsr1::cuda::KernelCache> &cache,
                 const std::vector<dsr1::cuda::CompiledKernels> &compiled) {
  std::map<std::string, std::pair<std::string, std::string>> nodes;
  for (const dsr1::KernelInfo &info : plan.kernels)
    nodes[info.symbol] = {info.node, info.op};
  os << "kernels: " << code.kernels.size() << " (NVRTC " << nvrtc.version()
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
  int spills = 0, tuned = 0;
  for (const dsr1::cuda::CudaKernel &kernel : code.kernels) {
    tuned += kernel.tuned;
    std::string family = kernel.family + (kernel.tuned ? "*" : "");
    for (const dsr1::cuda::GridLaunch &launch : kernel.launches) {
      std::string grid = std::to_string(launch.grid.x) + "x" +
                         std::to_string(launch.grid.y) + "x" +
                         std::to_string(launch.grid.z);
      std::string block = std::to_string(launch.block.x);
      os << llvm::format("%-44s %-10s %-16s %-16s", launch.function.c_str(),
                         family.c_str(), grid.c_str(), block.c_str());
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
  if (tuned)
    os << "*: " << tuned
       << " kernel(s) with parameters from the tuning cache\n";
  os << "spill bytes in all: " << spills << "\n";
}

static std::string mebibytes(uint64_t bytes) {
  return llvm::formatv("{0:f2} MiB", bytes / 1048576.0).str();
}

/// Compiles the artifact and writes it to -o, with a summary on stdout.
static int writeArtifactFile(mlir::ModuleOp module,
                             const dsr1::CompileOptions &options,
                             const std::vector<std::string> &targetList,
                             std::vector<dsr1::StageTime> stages,
                             std::chrono::steady_clock::time_point begin) {
  dsr1::ArtifactOptions artifactOptions;
  artifactOptions.targets = targetList;
  artifactOptions.cacheDir = cacheDir;
  artifactOptions.useCache = !noCache;
  mlir::FailureOr<std::unique_ptr<dsr1::CompiledArtifact>> compiled =
      dsr1::compileArtifact(module, options, artifactOptions, modelPath);
  if (failed(compiled))
    return 1;
  dsr1::ArtifactContents &contents = (*compiled)->contents;
  if (precisionFlags.report)
    llvm::errs() << contents.precisionReport;
  if (memoryFlags.report)
    llvm::outs() << dsr1::formatMemoryReport(*contents.plan);
  stages.insert(stages.end(), contents.stages.begin(), contents.stages.end());
  {
    dsr1::Progress progress(options.showProgress, &stages);
    progress.stage("writing " + outputPath, "serialisation");
    // The serialisation stage is recorded before it ends: the artifact
    // reports the stages of its own compile, this one's time included up to
    // the write.
    contents.stages = stages;
    if (dsr1::Status s = dsr1::writeArtifact(outputPath, contents); !s)
      return fail(s.message());
  }
  if (quiet)
    return 0;
  const dsr1::Plan &plan = *contents.plan;
  uint64_t fileBytes = 0, weightBytes = 0;
  (void)llvm::sys::fs::file_size(outputPath, fileBytes);
  for (const dsr1::Weight &w : plan.weights)
    weightBytes += w.bytes;
  double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
          .count();
  llvm::outs() << "dsr1-compile: wrote " << outputPath << " ("
               << mebibytes(fileBytes) << ")\n";
  llvm::outs() << "  targets: " << llvm::join(targetList, ", ") << "\n";
  llvm::outs() << "  kernels: " << plan.kernels.size() << ", launches "
               << plan.launches.size() << "\n";
  llvm::outs() << "  arena: " << mebibytes(plan.arenaBytes)
               << ", weights: " << plan.weights.size() << " ("
               << mebibytes(weightBytes) << ")\n";
  llvm::outs() << "  code generation: " << (*compiled)->cacheHits
               << " from the cache, " << (*compiled)->cacheMisses
               << " compiled\n";
  llvm::outs() << llvm::formatv("  compile time: {0:f2} s (", total);
  for (size_t i = 0; i < stages.size(); ++i)
    llvm::outs() << (i ? ", " : "") << stages[i].name << " "
                 << llvm::formatv("{0:f2}", stages[i].seconds) << " s";
  llvm::outs() << ")\n";
  return 0;
}

/// The problem --tune-gemm, --tune-conv or --tune-attention names, and
/// the flag for messages.
static dsr1::Result<std::unique_ptr<dsr1::cuda::TuneProblem>>
tuneProblem(std::string &flag) {
  int given = !tuneGemm.empty() + !tuneConv.empty() + !tuneAttention.empty();
  if (given > 1)
    return dsr1::Status::error(
        "give one of --tune-gemm, --tune-conv and --tune-attention");
  flag = !tuneGemm.empty()   ? "--tune-gemm"
         : !tuneConv.empty() ? "--tune-conv"
                             : "--tune-attention";
  if (!precisionFlags.mode.getNumOccurrences())
    return dsr1::Status::error(
        flag + " needs --precision " +
        (tuneAttention.empty() ? "fp16, bf16 or tf32" : "fp16 or bf16"));
  auto wrap = [&](auto parsed)
      -> dsr1::Result<std::unique_ptr<dsr1::cuda::TuneProblem>> {
    if (!parsed)
      return dsr1::Status::error(flag + ": " + parsed.status().message());
    return dsr1::cuda::tuneProblem(*parsed);
  };
  if (!tuneGemm.empty())
    return wrap(dsr1::cuda::parseGemmProblem(tuneGemm, precisionFlags.mode));
  if (!tuneConv.empty())
    return wrap(dsr1::cuda::parseConvProblem(tuneConv, precisionFlags.mode));
  return wrap(dsr1::cuda::parseAttentionProblem(
      tuneAttention, precisionFlags.mode, tuneCausal));
}

/// --tune-gemm, --tune-conv, --tune-attention (one kernel) and --tune (a
/// model's tensor-core kernels): ranks the candidates of each kernel per
/// target, checks the best on cuda-emu and keeps it.
static int
runTune(const std::vector<std::unique_ptr<dsr1::cuda::TuneProblem>> &problems,
        const std::string &flag, const std::vector<std::string> &archs) {
  std::vector<const dsr1::cuda::GpuSpec *> gpus;
  for (const std::string &arch : archs) {
    const dsr1::cuda::GpuSpec *gpu = dsr1::cuda::findGpuSpec(arch);
    if (!gpu)
      return fail(flag + ": no GPU description for " + arch +
                  " (known: sm_80, sm_90a)");
    gpus.push_back(gpu);
  }
  if (gpus.empty())
    return fail(flag + " needs a GPU architecture in --target");
  if (problems.empty())
    llvm::outs() << flag.substr(2)
                 << ": no tensor-core kernel to tune (products, convolutions "
                    "and attention run on tensor cores in fp16, bf16 or tf32: "
                    "--precision)\n";
  dsr1::cuda::TuningCache tunings;
  if (!tuningCache.empty()) {
    dsr1::Result<dsr1::cuda::TuningCache> loaded =
        dsr1::cuda::TuningCache::load(tuningCache);
    if (!loaded)
      return fail(loaded.status().message());
    tunings = std::move(*loaded);
  }
  // NVRTC is loaded on the first miss: a run the tuning cache answers
  // needs no CUDA toolkit.
  std::shared_ptr<dsr1::cuda::Nvrtc> nvrtc;
  std::optional<dsr1::cuda::KernelCache> kernelCache;
  // --measure needs a GPU: said before anything is compiled.
  std::shared_ptr<dsr1::cuda::CudaDriver> cudaDriver;
  if (tuneMeasure) {
    dsr1::Result<std::shared_ptr<dsr1::cuda::CudaDriver>> loaded =
        dsr1::cuda::CudaDriver::load();
    if (!loaded)
      return fail("--measure needs a GPU: " + loaded.status().message());
    cudaDriver = *loaded;
  }
  bool added = false;
  llvm::raw_ostream &os = llvm::outs();
  for (const std::unique_ptr<dsr1::cuda::TuneProblem> &problem : problems)
    for (const dsr1::cuda::GpuSpec *gpu : gpus) {
      const dsr1::cuda::TuneProblem &p = *problem;
      std::string signature = p.signature(gpu->arch);
      os << llvm::formatv("{0} {1} on {2}: {3} SMs, {4:f0} TFLOP/s {5} peak, "
                          "{6:f0} GB/s\n",
                          flag.substr(2), signature, gpu->arch, gpu->sms,
                          p.peakTflops(*gpu), p.precision(), gpu->dramGBps);
      if (const dsr1::cuda::TuningEntry *entry = tunings.lookup(signature)) {
        os << llvm::formatv("best: {0} (estimate {1:f1} us, {2:f1}% of peak; "
                            "from the tuning cache)\n",
                            entry->params, entry->seconds * 1e6,
                            entry->fractionOfPeak * 100);
        continue;
      }
      if (!nvrtc) {
        dsr1::Result<std::shared_ptr<dsr1::cuda::Nvrtc>> loaded =
            dsr1::cuda::Nvrtc::load();
        if (!loaded)
          return fail(loaded.status().message());
        nvrtc = *loaded;
        if (!noCache)
          kernelCache.emplace(cacheDir.empty()
                                  ? dsr1::cuda::KernelCache::defaultDir()
                                  : cacheDir.getValue());
      }
      dsr1::cuda::TuneOptions tuneOptions;
      if (!tuneNoVerify)
        tuneOptions.verify = dsr1::emuTuneVerifier(
            (cacheDir.empty() ? dsr1::cuda::KernelCache::defaultDir()
                              : cacheDir.getValue()) +
            "/cuda-emu");
      if (tuneMeasure) {
        int cc = cudaDriver->computeCapability();
        std::string have = cc == 90 ? "sm_90a" : "sm_" + std::to_string(cc);
        if (have != gpu->arch)
          return fail("--measure: this machine's GPU (" +
                      cudaDriver->deviceName() + ") is " + have +
                      ", not the --target " + gpu->arch);
        tuneOptions.measureTop = tuneMeasureTop;
        tuneOptions.measure = [&](const dsr1::cuda::CudaParams &params) {
          return dsr1::measureOnGpu(p, params, cudaDriver, *nvrtc,
                                    kernelCache ? &*kernelCache : nullptr);
        };
      }
      dsr1::Result<dsr1::cuda::TuneResult> tuned = dsr1::cuda::tune(
          p, *gpu, *nvrtc, kernelCache ? &*kernelCache : nullptr, tuneOptions);
      if (!tuned)
        return fail(tuned.status().message());
      os << "candidates: " << tuned->compiled << " compiled ("
         << tuned->fromKernelCache << " from the kernel cache), "
         << tuned->spilling << " excluded for spills\n";
      // Said on every search so that nobody reads the ranking as measured.
      if (tuneMeasure)
        os << "measured on " << cudaDriver->deviceName() << ": "
           << tuned->measured << " of the model's best " << tuneMeasureTop
           << " candidates, ranked first by their time\n";
      else
        os << "note: analytic model only, not timed on a GPU\n";
      for (const auto &[params, reason] : tuned->unmeasured)
        os << "not timed: " << params << ": " << reason << "\n";
      if (tuned->ranked.empty())
        return fail(flag + ": every candidate spills");
      os << llvm::format("%4s %5s %6s %9s %6s %10s %10s %10s %6s %11s  %s\n",
                         "rank", "regs", "smem", "blocks/SM", "waves",
                         "compute-us", "memory-us", "est-us", "peak",
                         "measured-us", "params");
      int rank = 0;
      for (const dsr1::cuda::TunedCandidate &c : tuned->ranked) {
        std::string measured =
            c.measuredSeconds >= 0
                ? llvm::formatv("{0:f1}", c.measuredSeconds * 1e6).str()
                : "-";
        os << llvm::format("%4d %5d %6d %9d %6lld %10.1f %10.1f %10.1f %5.1f%% "
                           "%11s  %s\n",
                           ++rank, c.resources.registers,
                           c.resources.sharedBytes, c.cost.blocksPerSm,
                           (long long)c.cost.waves, c.cost.computeSeconds * 1e6,
                           c.cost.memorySeconds * 1e6, c.cost.seconds * 1e6,
                           c.cost.fractionOfPeak * 100, measured.c_str(),
                           p.formatParams(c.params).c_str());
      }
      for (const auto &[params, reason] : tuned->rejected)
        os << "rejected on cuda-emu: " << params << ": " << reason << "\n";
      size_t chosen = 0;
      if (tuneOptions.verify) {
        if (tuned->verified < 0)
          return fail(flag + ": no candidate passed on cuda-emu");
        chosen = static_cast<size_t>(tuned->verified);
      }
      const dsr1::cuda::TunedCandidate &best = tuned->ranked[chosen];
      // The cache keeps the measured time where there is one.
      double seconds =
          best.measuredSeconds >= 0 ? best.measuredSeconds : best.cost.seconds;
      dsr1::cuda::TuningEntry entry{p.formatParams(best.params), seconds,
                                    p.flops() / seconds /
                                        (p.peakTflops(*gpu) * 1e12)};
      os << llvm::formatv(
          "best: {0} ({1} {2:f1} us, {3:f1}% of peak; {4})\n", entry.params,
          best.measuredSeconds >= 0 ? "measured" : "estimate",
          entry.seconds * 1e6, entry.fractionOfPeak * 100,
          tuneOptions.verify ? "checked on cuda-emu at a small shape"
                             : "not checked on cuda-emu");
      tunings.insert(signature, entry);
      added = true;
    }
  if (added && !tuningCache.empty())
    if (dsr1::Status s = tunings.save(tuningCache); !s)
      return fail(s.message());
  return 0;
}

/// --tune: the model optimised and planned as for a compile, then each
/// distinct gemm-tc, conv-tc and attention-tc kernel tuned.
static int tuneModelKernels(mlir::ModuleOp module,
                            const dsr1::CompileOptions &options,
                            const std::vector<std::string> &archs) {
  if (mlir::failed(dsr1::optimizeAndPlan(module, options)))
    return 1;
  mlir::OwningOpRef<mlir::ModuleOp> kernels = dsr1::extractKernels(module);
  if (!kernels)
    return 1;
  std::string error;
  mlir::FailureOr<dsr1::cuda::CudaParams> params =
      dsr1::cuda::CudaParams::parse(cudaParams, error);
  if (failed(params))
    return fail(error);
  // The kernels the emitter asks a tuning cache about: each distinct one.
  dsr1::cuda::CollectedProblems collected;
  if (failed(dsr1::cuda::emitCuda(*kernels, *params, &collected)))
    return 1;
  return runTune(collected.problems(), "--tune", archs);
}

/// The --target list, with the default of --emit.
static dsr1::Result<std::vector<std::string>> targetList() {
  std::string given =
      targets.getNumOccurrences()
          ? targets.getValue()
          : (emit == "dsr1" ? "cpu,sm_80,sm_90a" : "sm_80,sm_90a");
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(given).split(parts, ',', -1, /*KeepEmpty=*/false);
  std::vector<std::string> list;
  for (llvm::StringRef part : parts)
    list.push_back(part.trim().str());
  if (dsr1::Status s = dsr1::checkTargets(list); !s)
    return s;
  return list;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  dsr1::registerDebugOnlyOption();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "dsr1-compile: compile a model ahead of time\n");
  auto begin = std::chrono::steady_clock::now();
  if (!tuneGemm.empty() || !tuneConv.empty() || !tuneAttention.empty()) {
    dsr1::Result<std::vector<std::string>> list = targetList();
    if (!list)
      return fail(list.status().message());
    std::vector<std::string> gpuArchs;
    for (const std::string &target : *list)
      if (target != "cpu")
        gpuArchs.push_back(target);
    std::string flag;
    dsr1::Result<std::unique_ptr<dsr1::cuda::TuneProblem>> problem =
        tuneProblem(flag);
    if (!problem)
      return fail(problem.status().message());
    std::vector<std::unique_ptr<dsr1::cuda::TuneProblem>> problems;
    problems.push_back(std::move(*problem));
    return runTune(problems, flag, gpuArchs);
  }
  if (modelPath.empty())
    return fail("no model given (dsr1-compile MODEL -o OUT.dsr1, or "
                "--tune-gemm M,N,K, --tune-conv or --tune-attention)");
  if (emit != "dsr1" && emit != "plan" && emit != "cuda" && emit != "ptx" &&
      emit != "kernels")
    return fail("--emit takes dsr1, plan, cuda, ptx or kernels");
  if (emit == "dsr1" && outputPath == "-" && !tuneModel)
    return fail("an artifact needs a file: give -o OUT.dsr1 (or --emit plan, "
                "cuda, ptx or kernels to print a stage)");
  if (optLevel < 0 || optLevel > 3)
    return fail("-O takes 0 to 3");
  dsr1::Result<std::vector<std::string>> targetsOrError = targetList();
  if (!targetsOrError)
    return fail(targetsOrError.status().message());
  std::vector<std::string> archs;
  for (const std::string &target : *targetsOrError)
    if (target != "cpu")
      archs.push_back(target);
  if (archs.empty() && (emit == "ptx" || emit == "kernels"))
    return fail("--emit " + emit + " needs a GPU architecture in --target");

  mlir::DialectRegistry registry;
  dsr1::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  dsr1::UserDiagnosticHandler diagnostics(context, llvm::errs());

  dsr1::CompileOptions options;
  options.optLevel = optLevel;
  options.optimize.fuse = fuse;
  options.cudaParams = cudaParams;
  options.tuningCache = tuningCache;
  if (!archs.empty())
    options.tuningArch = archs.front();
  options.showProgress = !quiet && llvm::errs().is_displayed();
  options.configurePasses = [](mlir::PassManager &pm) {
    (void)mlir::applyPassManagerCLOptions(pm);
    mlir::applyDefaultTimingPassManagerCLOptions(pm);
  };
  memoryFlags.apply(options);
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
    if (!arch.drop_front(3)
             .take_while(llvm::isDigit)
             .getAsInteger(10, version) &&
        version < 80)
      options.optimize.precision.bf16 = false;
  }

  std::vector<dsr1::StageTime> stages;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  {
    dsr1::Progress progress(false, &stages);
    progress.stage("import");
    module = dsr1::loadModel(context, modelPath, options);
  }
  if (!module)
    return 1;
  if (tuneModel)
    return tuneModelKernels(*module, options, archs);
  if (emit == "dsr1")
    return writeArtifactFile(*module, options, *targetsOrError,
                             std::move(stages), begin);

  dsr1::PrecisionReport precision;
  mlir::FailureOr<dsr1::Plan> plan =
      dsr1::optimizeAndPlan(*module, options, &precision);
  if (failed(plan))
    return 1;
  if (precisionFlags.report)
    precision.print(llvm::errs());
  std::error_code ec;
  llvm::ToolOutputFile out(outputPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write " + outputPath + ": " + ec.message());
  if (emit == "plan") {
    out.os() << dsr1::formatPlan(*plan) << dsr1::formatMemoryReport(*plan);
    out.keep();
    return 0;
  }
  if (memoryFlags.report)
    llvm::outs() << dsr1::formatMemoryReport(*plan);

  mlir::FailureOr<std::shared_ptr<const dsr1::cuda::CudaModule>> generated =
      dsr1::generateCuda(*module, options);
  if (failed(generated))
    return 1;
  const dsr1::cuda::CudaModule *code = generated->get();
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
  dsr1::Result<std::vector<dsr1::cuda::CompiledKernels>> result =
      dsr1::Status::error("not compiled");
  {
    dsr1::Progress progress(options.showProgress);
    progress.stage("NVRTC for " + llvm::join(archs, ", "));
    result = dsr1::cuda::compileForArchs(**nvrtc, cache ? &*cache : nullptr,
                                         code->source, modelPath, archs,
                                         dsr1::cuda::deviceHeaders());
  }
  if (!result)
    return fail(result.status().message());
  if (emit == "ptx") {
    for (const dsr1::cuda::CompiledKernels &c : *result)
      out.os() << "// PTX for " << c.arch << "\n" << c.ptx << "\n";
    out.keep();
    return 0;
  }
  printKernelTable(out.os(), *plan, *code, **nvrtc, cache, *result);
  out.keep();
  return 0;
}
