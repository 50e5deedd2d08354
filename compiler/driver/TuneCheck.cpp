//===- TuneCheck.cpp - tuner candidates checked on cuda-emu ---------------===//

#include "compiler/driver/TuneCheck.h"

#include "codegen/cuda/DeviceHeaders.h"
#include "codegen/cuda/Nvrtc.h"
#include "compiler/support/FloatBits.h"
#include "runtime/cudaemu/CudaEmu.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <random>

namespace dsr1 {

namespace {

/// One tensor in the kernel's storage type: 16-bit bits or f32.
struct Buffer {
  bool narrow = true;
  std::vector<uint16_t> bits;
  std::vector<float> values;
  void *data() {
    return narrow ? static_cast<void *>(bits.data())
                  : static_cast<void *>(values.data());
  }
};

int64_t elements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

} // namespace

Status checkOnEmu(const cuda::TuneProblem &problem,
                  const cuda::CudaParams &params, const std::string &cacheDir) {
  const std::string precision = problem.precision();
  const bool narrow = precision != "tf32";
  auto toBits = [&](float v) {
    return precision == "bf16" ? floatToBf16Bits(v) : floatToHalfBits(v);
  };
  auto fromBits = [&](uint16_t b) {
    return precision == "bf16" ? bf16BitsToFloat(b) : halfBitsToFloat(b);
  };

  Result<cuda::CudaModule> code = cuda::generateCandidate(problem, params);
  if (!code)
    return code.status();
  Result<std::unique_ptr<cudaemu::EmuModule>> built =
      cudaemu::EmuModule::build(code->source, cuda::deviceHeaders(), cacheDir,
                                "tuner check (" + problem.family() + ")");
  if (!built)
    return built.status();

  // Operands: multiples of 1/8 in [-2, 2], the same for every candidate.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> eighths(-16, 16);
  std::vector<Buffer> operands;
  std::vector<std::vector<double>> values;
  for (const std::vector<int64_t> &shape : problem.operandShapes()) {
    Buffer buffer;
    buffer.narrow = narrow;
    std::vector<double> exact;
    for (int64_t i = 0, n = elements(shape); i < n; ++i) {
      float v = float(eighths(rng)) / 8.0f;
      exact.push_back(v);
      if (narrow)
        buffer.bits.push_back(toBits(v));
      else
        buffer.values.push_back(v);
    }
    operands.push_back(std::move(buffer));
    values.push_back(std::move(exact));
  }
  int64_t count = elements(problem.resultShape());
  Buffer result;
  result.narrow = narrow;
  // NaN bits: an element the kernel never writes cannot pass.
  if (narrow)
    result.bits.assign(count, 0x7e00u);
  else
    result.values.assign(count, NAN);

  int status = 0;
  int *statusPtr = &status;
  std::vector<void *> pointers;
  for (Buffer &b : operands)
    pointers.push_back(b.data());
  pointers.push_back(result.data());
  std::vector<void *> args = {&statusPtr};
  for (void *&p : pointers)
    args.push_back(&p);
  cudaemu::LaunchOptions options;
  options.detectRaces = true;
  for (const cuda::CudaKernel &kernel : code->kernels)
    for (const cuda::GridLaunch &launch : kernel.launches) {
      cudaemu::EmuEntry entry = (*built)->lookup(launch.function);
      if (!entry)
        return Status::error("no emulated kernel " + launch.function);
      options.cooperative = launch.cooperative;
      if (Status s =
              cudaemu::launch(entry, launch.function,
                              {launch.grid.x, launch.grid.y, launch.grid.z},
                              {launch.block.x, launch.block.y, launch.block.z},
                              args.data(), options);
          !s)
        return s;
    }
  if (status != 0)
    return Status::error("the kernel reported status " +
                         std::to_string(status));

  std::vector<double> expected = problem.reference(values);
  double tolerance = precision == "fp16"   ? 4e-3
                     : precision == "bf16" ? 3e-2
                                           : 1e-4;
  for (int64_t i = 0; i < count; ++i) {
    double got = narrow ? fromBits(result.bits[i]) : result.values[i];
    double want = expected[i];
    if (!(std::fabs(got - want) <= tolerance * (1 + std::fabs(want))))
      return Status::error(llvm::formatv("element {0} of {1} is {2}, the "
                                         "reference {3} (tolerance {4} "
                                         "relative and absolute)",
                                         i, count, got, want, tolerance)
                               .str());
  }
  return Status::ok();
}

Result<double> measureOnGpu(const cuda::TuneProblem &problem,
                            const cuda::CudaParams &params,
                            const std::shared_ptr<cuda::CudaDriver> &driver,
                            const cuda::Nvrtc &nvrtc,
                            const cuda::KernelCache *cache, int iterations) {
  Result<cuda::CudaModule> code = cuda::generateCandidate(problem, params);
  if (!code)
    return code.status();
  if (code->kernels.size() != 1)
    return Status::error("the " + problem.family() +
                         " problem is not one kernel");
  int cc = driver->computeCapability();
  std::string arch = cc == 90 ? "sm_90a" : "sm_" + std::to_string(cc);
  Result<cuda::CompiledKernels> compiled = cuda::compileCached(
      nvrtc, cache, code->source, "tune-measure", arch, cuda::deviceHeaders());
  if (!compiled)
    return compiled.status();

  // A plan of one launch: the operands as inputs, the result as output.
  auto plan = std::make_shared<Plan>();
  DType type = problem.precision() == "tf32"   ? DType::f32
               : problem.precision() == "bf16" ? DType::bf16
                                               : DType::f16;
  Launch launch;
  std::vector<HostTensor> inputs;
  for (const std::vector<int64_t> &shape : problem.operandShapes()) {
    TensorSpec spec{"x" + std::to_string(plan->inputs.size()), type, shape};
    launch.args.push_back({BufferRef::Kind::input,
                           uint32_t(plan->inputs.size()), 0, spec.bytes()});
    plan->inputs.push_back(spec);
    HostTensor input{spec.name, type, shape, {}};
    input.fillForTiming(uint32_t(inputs.size() + 1));
    inputs.push_back(std::move(input));
  }
  TensorSpec out{"y", type, problem.resultShape()};
  launch.args.push_back({BufferRef::Kind::output, 0, 0, out.bytes()});
  plan->outputs.push_back(out);
  plan->kernels.push_back(
      {code->kernels[0].symbol, problem.family(), problem.family()});
  plan->launches.push_back(launch);
  if (Status s = plan->verify(); !s)
    return s;
  Result<std::unique_ptr<cuda::CudaSession>> session =
      cuda::CudaSession::create(driver, plan, *code,
                                {{arch, compiled->cubin, compiled->ptx}});
  if (!session)
    return session.status();
  for (int warm = 0; warm < 3; ++warm)
    if (auto r = (*session)->run(inputs); !r)
      return r.status();
  (*session)->enableProfiling();
  for (int i = 0; i < iterations; ++i)
    if (auto r = (*session)->run(inputs); !r)
      return r.status();
  double seconds = 0;
  for (double s : (*session)->launchSeconds())
    seconds += s;
  return seconds / std::max(1, iterations);
}

cuda::TuneVerifier emuTuneVerifier(const std::string &cacheDir) {
  return [cacheDir](const cuda::TuneProblem &problem,
                    const cuda::CudaParams &params) {
    return checkOnEmu(problem, params, cacheDir);
  };
}

} // namespace dsr1
