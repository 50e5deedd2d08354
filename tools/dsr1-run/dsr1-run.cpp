//===- dsr1-run.cpp - compile a model and run it on test data -------------===//
//
// dsr1-run MODEL --device cpu --inputs DIR [--outputs DIR] [--compare DIR
// --rtol R --atol A] [--warmup N --iterations M]: compiles an ONNX or
// TorchScript model (or a dsr1 module in a .mlir file) in process, or loads
// a .dsr1 artifact that dsr1-compile wrote, runs it on the tensors of DIR
// (the ONNX backend-test layout or .npy files), writes, compares or times
// the outputs.
//
//===----------------------------------------------------------------------===//

#include "bench/gpu/GpuBundle.h"
#include "codegen/cuda/DeviceHeaders.h"
#include "codegen/cuda/Nvrtc.h"
#include "compiler/driver/CompileModel.h"
#include "compiler/support/DebugOnly.h"
#include "runtime/ArtifactDevices.h"
#include "runtime/Compare.h"
#include "runtime/TensorIO.h"
#include "runtime/cpu/CpuLibrary.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>

namespace cl = llvm::cl;

static cl::opt<std::string>
    modelPath(cl::Positional, cl::Required,
              cl::desc("<model.onnx | model.pt | graph.mlir>"));
static cl::opt<std::string>
    device("device",
           cl::desc("Device to run on: cpu, cuda (a GPU, through the CUDA "
                    "driver), or cuda-emu (the generated CUDA kernels executed "
                    "on the CPU)"),
           cl::init("cpu"));
static cl::opt<std::string> againstDevice(
    "against-device",
    cl::desc("Also run on this device (cpu) and compare the outputs within "
             "--rtol/--atol"),
    cl::value_desc("device"));
static cl::opt<bool> detectRaces(
    "detect-races",
    cl::desc("cuda-emu: report shared-memory races between the threads of a "
             "block (slower)"));
static cl::opt<std::string> gpuBundle(
    "gpu-bundle",
    cl::desc("With --device cuda: compile the kernels with NVRTC (sm_80, "
             "sm_90a) and write them, the plan, the inputs and the cpu "
             "device's outputs to this file for bench/gpu/run.sh, instead of "
             "running on a GPU"),
    cl::value_desc("file"));
static cl::opt<bool> gpuBundleTimingOnly(
    "gpu-bundle-timing-only",
    cl::desc("With --gpu-bundle: a bundle for timings only: no cpu "
             "reference, inputs as shapes (the GPU check fills them), so a "
             "large kernel's bundle stays small"));
static cl::opt<std::string> cudaParams(
    "cuda-params",
    cl::desc("CUDA kernel family parameters, name=value,... (pointwise-block, "
             "elements-per-thread, row-block, tile-m, tile-n, tile-k, "
             "thread-m, thread-n, attention-block, attention-chunk, "
             "recurrent-block)"),
    cl::value_desc("params"));
static cl::opt<std::string>
    inputsDir("inputs", cl::desc("Folder of input_N.pb files (or .npy files)"),
              cl::value_desc("dir"));
static dsr1::InputShapeFlag inputShapes;
static cl::opt<std::string>
    outputsDir("outputs", cl::desc("Folder to write output_N.pb files to"),
               cl::value_desc("dir"));
static cl::opt<bool> npyOutputs("npy",
                                cl::desc("Write outputs as output_N.npy"));
static cl::opt<std::string>
    compareDir("compare",
               cl::desc("Folder of expected output_N.pb (or .npy) files"),
               cl::value_desc("dir"));
static cl::opt<double> relTolerance("rtol", cl::desc("Relative tolerance"),
                                    cl::init(1e-3));
static cl::opt<double> absTolerance("atol", cl::desc("Absolute tolerance"),
                                    cl::init(1e-7));
static cl::opt<unsigned>
    warmup("warmup", cl::desc("Untimed runs before timing"), cl::init(0));
static cl::opt<unsigned>
    iterations("iterations", cl::desc("Timed runs: prints p50/p90/p99 latency"),
               cl::init(0));
static cl::opt<int> optLevel("O", cl::desc("Optimisation level (0-3)"),
                             cl::init(2), cl::Prefix);
static cl::opt<unsigned>
    threads("num-threads",
            cl::desc("Threads for library routines (BLAS) on the cpu device"),
            cl::init(1));
static cl::opt<bool>
    useBlas("blas",
            cl::desc("Run matrix products and convolutions through BLAS "
                     "(--blas=false: generated loops only)"),
            cl::init(true));
static cl::opt<bool>
    fuse("fuse",
         cl::desc("Fuse attention blocks and elementwise work into larger "
                  "kernels (--fuse=false: every op its own kernel)"),
         cl::init(true));
static cl::list<std::string>
    modalities("modality",
               cl::desc("The modality of a graph input, over what its name "
                        "and type suggest (repeatable)"),
               cl::value_desc("NAME=text|image|audio"));
static cl::opt<bool>
    profile("profile",
            cl::desc("With --iterations: time every kernel and print the "
                     "ones that take longest"));
static dsr1::MemoryFlags memoryFlags;
static cl::opt<std::string> memoryScheduleJson(
    "memory-schedule-json",
    cl::desc("Write the kernel schedule (values, sizes, FLOPs) and the "
             "recomputations chosen as JSON, for bench/memory/"),
    cl::value_desc("file"));
static cl::opt<bool>
    planOnly("plan-only",
             cl::desc("Stop after planning: print --memory-report, generate "
                      "no code and run nothing"));
static cl::opt<bool>
    describe("describe",
             cl::desc("Print what a .dsr1 artifact holds (version, targets, "
                      "signature, sizes, compile stages)"));
static cl::opt<bool> quiet("quiet",
                           cl::desc("Print only errors and comparisons"));

static dsr1::PrecisionFlags precisionFlags;

static int fail(const std::string &message) {
  llvm::errs() << "dsr1-run: error: " << message << "\n";
  return 1;
}

static std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

static int compareOutputs(const std::vector<dsr1::HostTensor> &outputs) {
  dsr1::Result<std::vector<dsr1::HostTensor>> expected =
      dsr1::readTensorDir(compareDir, "output");
  if (!expected)
    return fail(expected.status().message());
  if (expected->size() != outputs.size())
    return fail("--compare: " + compareDir + " holds " +
                std::to_string(expected->size()) + " outputs, the model has " +
                std::to_string(outputs.size()));
  bool allPassed = true;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const dsr1::HostTensor &actual = outputs[i];
    const dsr1::HostTensor &want = (*expected)[i];
    dsr1::Comparison result =
        dsr1::compareTensors(actual, want, relTolerance, absTolerance);
    llvm::outs() << "output " << i << " '" << actual.name << "' "
                 << actual.describe() << ": ";
    if (!result.comparable) {
      llvm::outs() << "FAIL: expected " << want.describe() << "\n";
      allPassed = false;
      continue;
    }
    llvm::outs() << (result.passed() ? "ok" : "FAIL") << " ("
                 << result.summary(actual.numElements()) << ")\n";
    allPassed &= result.passed();
  }
  if (!allPassed)
    llvm::outs() << "outputs differ beyond rtol " << relTolerance.getValue()
                 << ", atol " << absTolerance.getValue() << "\n";
  return allPassed ? 0 : 1;
}

/// The outputs of `plan` on the cpu kernels `kernels`.
static dsr1::Result<std::vector<dsr1::HostTensor>>
runOnCpu(std::shared_ptr<const dsr1::Plan> plan,
         std::shared_ptr<const dsr1::KernelLibrary> kernels,
         const std::vector<dsr1::HostTensor> &inputs) {
  dsr1::Result<std::unique_ptr<dsr1::HostSession>> session =
      dsr1::HostSession::create(std::move(plan), std::move(kernels));
  if (!session)
    return session.status();
  dsr1::Result<std::vector<dsr1::HostTensor>> outputs = (*session)->run(inputs);
  if (!outputs)
    return dsr1::Status::error("on cpu: " + outputs.status().message());
  return outputs;
}

/// Compares every output of the device with the cpu device's.
static int compareDevices(const std::vector<dsr1::HostTensor> &outputs,
                          const std::vector<dsr1::HostTensor> &reference) {
  bool allPassed = true;
  for (size_t i = 0; i < outputs.size(); ++i) {
    dsr1::Comparison result = dsr1::compareTensors(outputs[i], reference[i],
                                                   relTolerance, absTolerance);
    bool passed = result.comparable && result.passed();
    llvm::outs() << "output " << i << " '" << outputs[i].name << "' " << device
                 << " vs cpu: " << (passed ? "ok" : "FAIL") << " ("
                 << result.summary(outputs[i].numElements()) << ")\n";
    allPassed &= passed;
  }
  if (!allPassed)
    llvm::outs() << device << " and cpu differ beyond rtol "
                 << relTolerance.getValue() << ", atol "
                 << absTolerance.getValue() << "\n";
  return allPassed ? 0 : 1;
}

/// The kernels compiled by NVRTC for the GPUs dsr1 targets (through the
/// kernel cache).
static dsr1::Result<std::vector<dsr1::cuda::DeviceBinary>>
compileForGpus(const dsr1::cuda::CudaModule &code) {
  dsr1::Result<std::shared_ptr<dsr1::cuda::Nvrtc>> nvrtc =
      dsr1::cuda::Nvrtc::load();
  if (!nvrtc)
    return nvrtc.status();
  dsr1::cuda::KernelCache cache(dsr1::cuda::KernelCache::defaultDir());
  dsr1::Result<std::vector<dsr1::cuda::CompiledKernels>> compiled =
      dsr1::cuda::compileForArchs(**nvrtc, &cache, code.source, modelPath,
                                  {"sm_80", "sm_90a"},
                                  dsr1::cuda::deviceHeaders());
  if (!compiled)
    return compiled.status();
  std::vector<dsr1::cuda::DeviceBinary> binaries;
  for (const dsr1::cuda::CompiledKernels &c : *compiled)
    binaries.push_back({c.arch, c.cubin, c.ptx});
  return binaries;
}

/// Writes the model compiled for the GPUs, the inputs and the cpu device's
/// outputs to --gpu-bundle.
static int writeGpuBundle(const dsr1::CompiledModel &compiled,
                          const std::vector<dsr1::HostTensor> &inputs,
                          const std::vector<dsr1::HostTensor> &reference) {
  dsr1::Result<std::vector<dsr1::cuda::DeviceBinary>> binaries =
      compileForGpus(*compiled.cuda);
  if (!binaries)
    return fail(binaries.status().message());
  dsr1::gpucheck::Bundle bundle;
  // The model's folder names it (test/models/onnx/bert/model.onnx: bert).
  llvm::StringRef folder = llvm::sys::path::parent_path(modelPath);
  bundle.model = folder.empty() ? modelPath.getValue()
                                : llvm::sys::path::filename(folder).str();
  bundle.plan = *compiled.plan;
  bundle.code = *compiled.cuda;
  bundle.binaries = std::move(*binaries);
  bundle.inputs = inputs;
  bundle.expected = reference;
  if (gpuBundleTimingOnly) {
    // Shapes only: the plan's inputs, whatever --inputs held.
    bundle.timingOnly = true;
    bundle.inputs.clear();
    for (const dsr1::TensorSpec &spec : compiled.plan->inputs)
      bundle.inputs.push_back({spec.name, spec.dtype, spec.shape, {}});
    bundle.expected.clear();
  }
  if (dsr1::Status s = dsr1::gpucheck::writeBundle(gpuBundle, bundle); !s)
    return fail(s.message());
  return 0;
}

/// Runs the model on a GPU.
static dsr1::Result<std::vector<dsr1::HostTensor>>
runOnGpu(const dsr1::CompiledModel &compiled,
         const std::vector<dsr1::HostTensor> &inputs) {
  dsr1::Result<std::shared_ptr<dsr1::cuda::CudaDriver>> driver =
      dsr1::cuda::CudaDriver::load();
  if (!driver)
    return driver.status();
  dsr1::Result<std::vector<dsr1::cuda::DeviceBinary>> binaries =
      compileForGpus(*compiled.cuda);
  if (!binaries)
    return binaries.status();
  dsr1::Result<std::unique_ptr<dsr1::cuda::CudaSession>> session =
      dsr1::cuda::CudaSession::create(*driver, compiled.plan, *compiled.cuda,
                                      *binaries);
  if (!session)
    return session.status();
  return (*session)->run(inputs);
}

/// The launches that took longest over all timed runs, grouped by op.
static void printProfile(const dsr1::HostSession &session, unsigned runs) {
  const dsr1::Plan &plan = session.plan();
  const std::vector<double> &seconds = session.launchSeconds();
  double total = 0;
  std::map<std::string, std::pair<double, unsigned>> byOp;
  std::vector<size_t> order;
  for (size_t i = 0; i < seconds.size(); ++i) {
    total += seconds[i];
    order.push_back(i);
    const dsr1::Launch &launch = plan.launches[i];
    std::string op = launch.kind == dsr1::Launch::Kind::copy
                         ? "copy"
                         : plan.kernels[launch.kernel].op;
    byOp[op].first += seconds[i];
    byOp[op].second += 1;
  }
  if (total <= 0)
    return;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return seconds[a] > seconds[b]; });
  llvm::outs() << llvm::format("profile: %.3f ms per run in %zu launches\n",
                               1e3 * total / runs, seconds.size());
  std::vector<std::pair<std::string, std::pair<double, unsigned>>> ops(
      byOp.begin(), byOp.end());
  std::sort(ops.begin(), ops.end(), [](const auto &a, const auto &b) {
    return a.second.first > b.second.first;
  });
  llvm::outs() << "  by op:\n";
  for (const auto &[op, entry] : ops)
    llvm::outs() << llvm::format("    %-20s %9.3f ms %5.1f%%  (%u launches)\n",
                                 op.c_str(), 1e3 * entry.first / runs,
                                 100 * entry.first / total, entry.second);
  llvm::outs() << "  slowest launches:\n";
  for (size_t i = 0; i < std::min<size_t>(order.size(), 10); ++i) {
    const dsr1::Launch &launch = plan.launches[order[i]];
    std::string what = launch.kind == dsr1::Launch::Kind::copy
                           ? "copy"
                           : plan.kernels[launch.kernel].node + " (" +
                                 plan.kernels[launch.kernel].op + ")";
    llvm::outs() << llvm::format("    %9.3f ms %5.1f%%  %s\n",
                                 1e3 * seconds[order[i]] / runs,
                                 100 * seconds[order[i]] / total, what.c_str());
  }
}

static int benchmark(dsr1::HostSession &session,
                     const std::vector<dsr1::HostTensor> &inputs) {
  for (unsigned i = 0; i < warmup; ++i)
    if (auto result = session.run(inputs); !result)
      return fail(result.status().message());
  if (profile)
    session.enableProfiling();
  std::vector<double> ms;
  auto begin = std::chrono::steady_clock::now();
  for (unsigned i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (auto result = session.run(inputs); !result)
      return fail(result.status().message());
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - start)
                     .count());
  }
  double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
          .count();
  std::sort(ms.begin(), ms.end());
  auto percentile = [&](double p) {
    size_t index = static_cast<size_t>(p * (ms.size() - 1) + 0.5);
    return ms[std::min(index, ms.size() - 1)];
  };
  llvm::outs() << llvm::format(
      "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  (min %.3f, %u runs)\n",
      percentile(0.5), percentile(0.9), percentile(0.99), ms.front(),
      iterations.getValue());
  llvm::outs() << llvm::format("throughput: %.1f runs/s\n", iterations / total);
  if (profile)
    printProfile(session, iterations);
  return 0;
}

/// Writes, prints, compares and times the outputs of a run.
static int finish(const std::vector<dsr1::HostTensor> &outputs,
                  const std::vector<dsr1::HostTensor> *reference,
                  dsr1::HostSession *session,
                  const std::vector<dsr1::HostTensor> &inputs) {
  if (!outputsDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(outputsDir))
      return fail("cannot create " + outputsDir + ": " + ec.message());
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string name =
          "output_" + std::to_string(i) + (npyOutputs ? ".npy" : ".pb");
      llvm::SmallString<256> path(outputsDir);
      llvm::sys::path::append(path, name);
      dsr1::Status written =
          npyOutputs ? dsr1::writeNpy(path.str().str(), outputs[i])
                     : dsr1::writeTensorProto(path.str().str(), outputs[i]);
      if (!written)
        return fail(written.message());
    }
  }
  if (!quiet && compareDir.empty() && iterations == 0)
    for (const dsr1::HostTensor &output : outputs)
      llvm::outs() << "output '" << output.name
                   << "': " << dsr1::dtypeName(output.dtype) << "["
                   << shapeText(output.shape) << "]\n";

  int status = 0;
  if (!againstDevice.empty() && reference)
    status = compareDevices(outputs, *reference);
  if (!compareDir.empty() && status == 0)
    status = compareOutputs(outputs);
  if (iterations > 0 && status == 0 && session)
    status = benchmark(*session, inputs);
  return status;
}

/// True for a .dsr1 artifact (by name, or by its first bytes).
static bool isArtifact(llvm::StringRef path) {
  if (path.ends_with(".dsr1"))
    return true;
  char magic[sizeof(dsr1::kArtifactMagic)] = {};
  FILE *file = std::fopen(path.str().c_str(), "rb");
  if (!file)
    return false;
  size_t read = std::fread(magic, 1, sizeof(magic), file);
  std::fclose(file);
  return read == sizeof(magic) &&
         std::memcmp(magic, dsr1::kArtifactMagic, sizeof(magic)) == 0;
}

/// Runs a compiled artifact: no compiler involved.
static int runArtifact() {
  // Flags that shape a compile mean nothing to a compiled model.
  const cl::Option *compileOnly[] = {&optLevel,
                                     &useBlas,
                                     &fuse,
                                     std::addressof(modalities),
                                     &memoryFlags.budget,
                                     &memoryFlags.strategy,
                                     &memoryFlags.expensive,
                                     &memoryScheduleJson,
                                     &planOnly,
                                     &cudaParams,
                                     std::addressof(inputShapes.shapes),
                                     &precisionFlags.mode,
                                     &precisionFlags.calibration,
                                     &precisionFlags.accuracyBudget,
                                     &precisionFlags.allowTf32,
                                     &gpuBundle};
  for (const cl::Option *option : compileOnly)
    if (option->getNumOccurrences())
      return fail("--" + option->ArgStr.str() + " applies when compiling; " +
                  modelPath +
                  " is compiled already (give it to "
                  "dsr1-compile with the model instead)");
  dsr1::Result<std::shared_ptr<const dsr1::Artifact>> artifact =
      dsr1::readArtifact(modelPath);
  if (!artifact)
    return fail(artifact.status().message());
  if (describe) {
    llvm::outs() << dsr1::describeArtifact(**artifact);
    if (memoryFlags.report)
      llvm::outs() << dsr1::formatMemoryReport(*(*artifact)->plan);
    if (precisionFlags.report)
      llvm::outs() << (*artifact)->precisionReport;
    if (inputsDir.empty())
      return 0;
  } else {
    if (memoryFlags.report)
      llvm::outs() << dsr1::formatMemoryReport(*(*artifact)->plan);
    if (precisionFlags.report)
      llvm::outs() << (*artifact)->precisionReport;
  }
  std::vector<dsr1::HostTensor> inputs;
  if (!inputsDir.empty()) {
    dsr1::Result<std::vector<dsr1::HostTensor>> read =
        dsr1::readTensorDir(inputsDir, "input");
    if (!read)
      return fail(read.status().message());
    inputs = std::move(*read);
  }
  const dsr1::Artifact &loaded = **artifact;
  std::vector<dsr1::HostTensor> reference;
  bool haveReference = false;
  if (!againstDevice.empty() && device != "cpu") {
    dsr1::Result<std::shared_ptr<const dsr1::KernelLibrary>> cpu =
        dsr1::loadCpuKernels(loaded);
    if (!cpu)
      return fail(cpu.status().message());
    dsr1::Result<std::vector<dsr1::HostTensor>> outputs =
        runOnCpu(loaded.plan, *cpu, inputs);
    if (!outputs)
      return fail(outputs.status().message());
    reference = std::move(*outputs);
    haveReference = true;
  }
  if (device == "cuda") {
    dsr1::Result<std::shared_ptr<dsr1::cuda::CudaDriver>> driver =
        dsr1::cuda::CudaDriver::load();
    if (!driver)
      return fail(driver.status().message());
    dsr1::Result<std::unique_ptr<dsr1::cuda::CudaSession>> session =
        dsr1::createCudaSession(*driver, loaded);
    if (!session)
      return fail(session.status().message());
    dsr1::Result<std::vector<dsr1::HostTensor>> outputs =
        (*session)->run(inputs);
    if (!outputs)
      return fail(outputs.status().message());
    return finish(*outputs, haveReference ? &reference : nullptr, nullptr,
                  inputs);
  }
  dsr1::cudaemu::LaunchOptions launch;
  launch.detectRaces = detectRaces;
  dsr1::Result<std::shared_ptr<const dsr1::KernelLibrary>> kernels =
      device == "cpu" ? dsr1::loadCpuKernels(loaded)
                      : dsr1::loadEmuKernels(loaded, "", launch);
  if (!kernels)
    return fail(kernels.status().message());
  dsr1::Result<std::unique_ptr<dsr1::HostSession>> session =
      dsr1::HostSession::create(loaded.plan, *kernels);
  if (!session)
    return fail(session.status().message());
  dsr1::Result<std::vector<dsr1::HostTensor>> outputs = (*session)->run(inputs);
  if (!outputs)
    return fail(outputs.status().message());
  return finish(*outputs, haveReference ? &reference : nullptr, session->get(),
                inputs);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  dsr1::registerDebugOnlyOption();
  cl::ParseCommandLineOptions(
      argc, argv, "dsr1-run: compile a model and run it on test data\n");
  dsr1::Device target = dsr1::Device::cpu;
  if (device == "cuda-emu")
    target = dsr1::Device::cudaEmu;
  else if (device == "cuda")
    target = dsr1::Device::cuda;
  else if (device != "cpu")
    return fail("unknown device '" + device + "' (cpu, cuda, cuda-emu)");
  if (target == dsr1::Device::cuda && gpuBundle.empty() &&
      (iterations > 0 || profile))
    return fail("--iterations and --profile are not supported on the cuda "
                "device yet (bench/gpu/run.sh times GPU kernels)");
  if (!againstDevice.empty() && againstDevice != "cpu")
    return fail("--against-device takes cpu");
  if (optLevel < 0 || optLevel > 3)
    return fail("-O takes 0 to 3");
  if (threads < 1 || threads > 1024)
    return fail("--num-threads takes 1 to 1024");
  dsr1::setCpuLibraryThreads(static_cast<int>(threads));
  if (isArtifact(modelPath))
    return runArtifact();
  if (describe)
    return fail("--describe takes a .dsr1 artifact");

  mlir::DialectRegistry registry;
  dsr1::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  dsr1::UserDiagnosticHandler diagnostics(context, llvm::errs());

  std::vector<dsr1::HostTensor> inputs;
  if (!inputsDir.empty()) {
    dsr1::Result<std::vector<dsr1::HostTensor>> read =
        dsr1::readTensorDir(inputsDir, "input");
    if (!read) {
      // Data that is not a tensor often belongs to a model whose inputs are
      // not tensors (sequences, optionals): name the model's problem first.
      if (!dsr1::loadModel(context, modelPath, dsr1::CompileOptions()))
        return 1;
      return fail(read.status().message());
    }
    inputs = std::move(*read);
  }

  dsr1::CompileOptions options;
  options.optLevel = optLevel;
  options.useBlas = useBlas;
  options.optimize.fuse = fuse;
  options.optimize.modalities.assign(modalities.begin(), modalities.end());
  memoryFlags.apply(options);
  options.memory.scheduleJson = memoryScheduleJson;
  options.planOnly = planOnly;
  options.device = target;
  if (!gpuBundle.empty() && target != dsr1::Device::cuda)
    return fail("--gpu-bundle needs --device cuda");
  if (gpuBundleTimingOnly && gpuBundle.empty())
    return fail("--gpu-bundle-timing-only goes with --gpu-bundle");
  options.alsoCpu = (!againstDevice.empty() ||
                     (!gpuBundle.empty() && !gpuBundleTimingOnly)) &&
                    target != dsr1::Device::cpu;
  options.cudaParams = cudaParams;
  options.detectRaces = detectRaces;
  options.showProgress = !quiet && llvm::errs().is_displayed();
  dsr1::pinInputs(options, inputs);
  if (dsr1::Status status = inputShapes.apply(options.import); !status)
    return fail(status.message());
  if (dsr1::Status status = precisionFlags.apply(options, &inputs); !status)
    return fail(status.message());

  mlir::OwningOpRef<mlir::ModuleOp> module =
      dsr1::loadModel(context, modelPath, options);
  if (!module)
    return 1;
  mlir::FailureOr<dsr1::CompiledModel> compiled =
      dsr1::compileModule(*module, options);
  if (failed(compiled))
    return 1;

  if (precisionFlags.report)
    compiled->precision->print(llvm::outs());
  if (memoryFlags.report)
    llvm::outs() << dsr1::formatMemoryReport(*compiled->plan);
  if (planOnly)
    return 0;

  std::vector<dsr1::HostTensor> reference;
  if (compiled->cpuKernels) {
    dsr1::Result<std::vector<dsr1::HostTensor>> cpu =
        runOnCpu(compiled->plan, compiled->cpuKernels, inputs);
    if (!cpu)
      return fail(cpu.status().message());
    reference = std::move(*cpu);
  }
  if (!gpuBundle.empty())
    return writeGpuBundle(*compiled, inputs, reference);

  std::unique_ptr<dsr1::HostSession> session;
  dsr1::Result<std::vector<dsr1::HostTensor>> outputs =
      dsr1::Status::error("not run");
  if (target == dsr1::Device::cuda) {
    outputs = runOnGpu(*compiled, inputs);
  } else {
    dsr1::Result<std::unique_ptr<dsr1::HostSession>> created =
        dsr1::HostSession::create(compiled->plan, compiled->kernels);
    if (!created)
      return fail(created.status().message());
    session = std::move(*created);
    outputs = session->run(inputs);
  }
  if (!outputs)
    return fail(outputs.status().message());

  return finish(*outputs, compiled->cpuKernels ? &reference : nullptr,
                session.get(), inputs);
}
