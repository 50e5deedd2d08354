//===- TuneCheck.cpp - tuner candidates checked on cuda-emu ---------------===//

#include "compiler/driver/TuneCheck.h"

#include "codegen/cuda/DeviceHeaders.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/support/FloatBits.h"
#include "runtime/cudaemu/CudaEmu.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
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

  cuda::CudaModule code;
  {
    mlir::MLIRContext context;
    context.loadDialect<DSR1Dialect, mlir::func::FuncDialect>();
    std::string diagnostics;
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      diagnostics += d.str() + "\n";
      return mlir::success();
    });
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(problem.moduleText(), &context);
    if (!module)
      return Status::error("cannot build the check's kernel: " + diagnostics);
    mlir::FailureOr<cuda::CudaModule> emitted = cuda::emitCuda(*module, params);
    if (failed(emitted))
      return Status::error("cannot generate the check's kernel: " +
                           diagnostics);
    code = std::move(*emitted);
  }
  Result<std::unique_ptr<cudaemu::EmuModule>> built =
      cudaemu::EmuModule::build(code.source, cuda::deviceHeaders(), cacheDir,
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
  for (const cuda::CudaKernel &kernel : code.kernels)
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

cuda::TuneVerifier emuTuneVerifier(const std::string &cacheDir) {
  return [cacheDir](const cuda::TuneProblem &problem,
                    const cuda::CudaParams &params) {
    return checkOnEmu(problem, params, cacheDir);
  };
}

} // namespace dsr1
