//===- Tuner.cpp - choosing gemm-tc parameters without a GPU --------------===//

#include "codegen/cuda/Tuner.h"

#include "codegen/cuda/DeviceHeaders.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>
#include <thread>

namespace dsr1::cuda {

namespace {

// Public datasheet numbers (dense, i.e. without 2:4 sparsity):
// - A100 SXM4 80GB, NVIDIA A100 datasheet and the Ampere GA100 whitepaper:
//   108 SMs, 1410 MHz boost, 312 TFLOP/s f16/bf16 tensor, 156 TFLOP/s tf32,
//   2039 GB/s HBM2e, 64K 32-bit registers, 164 KiB shared memory per SM
//   (of 192 KiB L1), 2048 threads and 32 blocks per SM.
// - H100 SXM5, NVIDIA H100 datasheet and the Hopper whitepaper: 132 SMs,
//   989 TFLOP/s f16/bf16 tensor, 494 TFLOP/s tf32, 3350 GB/s HBM3, 64K
//   registers, 228 KiB shared memory per SM (227 KiB usable by a block),
//   2048 threads and 32 blocks per SM; 989 TFLOP/s is 132 SMs x 1024 dense
//   f16 FMA/clock x 2 at 1830 MHz.
const GpuSpec kSpecs[] = {
    {"sm_80", 108, 1.41, 312, 156, 2039, 65536, 164 * 1024, 2048, 32, 128,
     40ll << 20},
    {"sm_90a", 132, 1.83, 989, 494, 3350, 65536, 228 * 1024, 2048, 32, 128,
     50ll << 20},
};

// A launch costs a few microseconds however small the grid: this keeps tiny
// GEMMs from ranking on noise.
constexpr double kLaunchSeconds = 4e-6;

// Warps an SM needs resident for mma.sync to keep its tensor cores busy: two
// per SM sub-partition (four of them), one issuing while the other waits on
// ldmatrix or a barrier.
constexpr int kWarpsToSaturate = 8;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

} // namespace

const GpuSpec *findGpuSpec(const std::string &arch) {
  std::string name = arch == "sm_90" ? "sm_90a" : arch;
  for (const GpuSpec &spec : kSpecs)
    if (spec.arch == name)
      return &spec;
  return nullptr;
}

Result<GemmProblem> parseGemmProblem(const std::string &shape,
                                     const std::string &precision) {
  GemmProblem p;
  if (precision != "fp16" && precision != "bf16" && precision != "tf32")
    return Status::error("unknown precision '" + precision +
                         "' for a tensor-core GEMM: give fp16, bf16 or tf32");
  p.precision = precision;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(shape).split(parts, ',');
  if (parts.size() != 3 && parts.size() != 4)
    return Status::error("a GEMM shape is M,N,K or M,N,K,batch, not '" + shape +
                         "'");
  int64_t *fields[] = {&p.m, &p.n, &p.k, &p.batch};
  for (size_t i = 0; i < parts.size(); ++i)
    if (parts[i].trim().getAsInteger(10, *fields[i]) || *fields[i] <= 0)
      return Status::error("a GEMM shape is positive integers M,N,K[,batch], "
                           "not '" +
                           shape + "'");
  return p;
}

CudaParams gemmTcParams(int tileM, int tileN, int tileK, int warps,
                        int stages) {
  CudaParams p;
  p.tcTileM = tileM;
  p.tcTileN = tileN;
  p.tcTileK = tileK;
  p.tcWarps = warps;
  p.tcStages = stages;
  return p;
}

int blocksPerSm(const CudaParams &params, const KernelResources &res,
                const GpuSpec &gpu) {
  int threads = params.tcWarps * 32;
  // Registers are allocated per warp in units of 256 (8 per thread).
  int regsPerThread = std::max(1, (res.registers + 7) / 8 * 8);
  int byRegs = gpu.regsPerSm / (regsPerThread * 32) / params.tcWarps;
  // Each block also takes 1 KiB of shared memory the driver reserves.
  int smem = res.sharedBytes + 1024;
  int bySmem = gpu.smemPerSm / smem;
  int byThreads = gpu.maxThreadsPerSm / threads;
  return std::max(0, std::min({byRegs, bySmem, byThreads, gpu.maxBlocksPerSm}));
}

int64_t gemmBytes(const GemmProblem &p, const CudaParams &params) {
  int64_t rowTiles = ceilDiv(p.m, params.tcTileM);
  int64_t colTiles = ceilDiv(p.n, params.tcTileN);
  int64_t a = p.m * p.k * p.operandBytes() * colTiles;
  int64_t b = p.k * p.n * p.operandBytes() * rowTiles;
  int64_t c = p.m * p.n * p.resultBytes();
  return p.batch * (a + b + c);
}

int64_t dramBytes(const GemmProblem &p, const CudaParams &params,
                  int64_t residentTiles, const GpuSpec &gpu) {
  int64_t rowTiles = ceilDiv(p.m, params.tcTileM);
  int64_t colTiles = ceilDiv(p.n, params.tcTileN);
  int64_t tiles = rowTiles * colTiles;
  int64_t active = std::max<int64_t>(1, std::min(residentTiles, tiles));
  int64_t rows = std::min(rowTiles, ceilDiv(active, colTiles));
  int64_t cols = std::min(active, colTiles);
  int64_t panel =
      (rows * params.tcTileM + cols * params.tcTileN) * p.k * p.operandBytes();
  if (panel > gpu.l2Bytes)
    return gemmBytes(p, params);
  int64_t waves = ceilDiv(tiles, active);
  return p.batch * (waves * panel + p.m * p.n * p.resultBytes());
}

CostEstimate estimate(const GemmProblem &p, const CudaParams &params,
                      const KernelResources &res, const GpuSpec &gpu) {
  CostEstimate e;
  double peakTflops =
      p.precision == "tf32" ? gpu.tensorTflopsTf32 : gpu.tensorTflopsF16;
  double peak = peakTflops * 1e12;
  e.tiles =
      p.batch * ceilDiv(p.m, params.tcTileM) * ceilDiv(p.n, params.tcTileN);
  e.blocksPerSm = blocksPerSm(params, res, gpu);
  e.bytes = gemmBytes(p, params);
  if (e.blocksPerSm == 0) {
    // It cannot launch: rank it last rather than dividing by zero.
    e.seconds = e.computeSeconds = INFINITY;
    return e;
  }
  e.waves = ceilDiv(e.tiles, int64_t(gpu.sms) * e.blocksPerSm);

  // Occupancy: too few resident warps leave the tensor cores idle.
  double occupancy =
      std::min(1.0, double(e.blocksPerSm * params.tcWarps) / kWarpsToSaturate);
  // Shared-memory bandwidth: a warp tile wm x wn loads (wm + wn) x k
  // operands for wm x wn x k FMAs; at the peak FMA rate that needs
  // fma/clock x bytes x (wm + wn) / (wm x wn) bytes per clock, and an SM
  // moves smemBytesPerClock. Small warp tiles are bound by it.
  int warpsM = std::max(1, params.tcWarpsM());
  double wm = double(params.tcTileM) / warpsM;
  double wn = double(params.tcTileN) / (params.tcWarps / warpsM);
  double fmaPerClock = peak / (2.0 * gpu.sms * gpu.clockGHz * 1e9);
  double smemNeeded = fmaPerClock * p.operandBytes() * (wm + wn) / (wm * wn);
  double smemEfficiency = std::min(1.0, gpu.smemBytesPerClock / smemNeeded);
  e.efficiency = occupancy * smemEfficiency;

  // Wave quantisation: every wave costs a full wave, and a wave is
  // blocksPerSm tiles per SM sharing that SM's tensor cores. Tiles are
  // whole (ragged edges compute padding too).
  double tileFlops = 2.0 * params.tcTileM * params.tcTileN *
                     (ceilDiv(p.k, params.tcTileK) * params.tcTileK);
  double smPeak = peak / gpu.sms;
  e.computeSeconds =
      e.waves * e.blocksPerSm * tileFlops / (smPeak * e.efficiency);
  e.bytes = dramBytes(p, params, int64_t(gpu.sms) * e.blocksPerSm, gpu);
  e.memorySeconds = double(e.bytes) / (gpu.dramGBps * 1e9);
  e.seconds = std::max(e.computeSeconds, e.memorySeconds) + kLaunchSeconds;
  e.fractionOfPeak = p.flops() / e.seconds / peak;
  return e;
}

bool ranksBefore(const CostEstimate &a, const CostEstimate &b) {
  if (a.seconds != b.seconds)
    return a.seconds < b.seconds;
  return a.computeSeconds < b.computeSeconds;
}

std::vector<CudaParams> gemmTcCandidates() {
  std::vector<CudaParams> out;
  for (int tm : {32, 64, 128})
    for (int tn : {32, 64, 128})
      for (int tk : {16, 32})
        for (int warps : {2, 4, 8})
          for (int stages : {2, 3, 4}) {
            CudaParams p = gemmTcParams(tm, tn, tk, warps, stages);
            // The same checks --cuda-params makes, so every candidate is one
            // a user could also give.
            std::string error;
            if (succeeded(CudaParams::parse(formatTcParams(p), error)))
              out.push_back(p);
          }
  return out;
}

std::string formatTcParams(const CudaParams &p) {
  return "tc-tile-m=" + std::to_string(p.tcTileM) +
         ",tc-tile-n=" + std::to_string(p.tcTileN) +
         ",tc-tile-k=" + std::to_string(p.tcTileK) +
         ",tc-warps=" + std::to_string(p.tcWarps) +
         ",tc-stages=" + std::to_string(p.tcStages);
}

std::string gemmSignature(const GemmProblem &p, const std::string &arch) {
  std::string transposes =
      std::string(p.transA ? "t" : "n") + std::string(p.transB ? "t" : "n");
  return "gemm-tc/" + p.precision + "/" + std::to_string(p.m) + "x" +
         std::to_string(p.n) + "x" + std::to_string(p.k) + "/b" +
         std::to_string(p.batch) + "/" + transposes + "/" + arch;
}

/// The kernel module of `p`: one dsr1.kernel function holding the product,
/// the same IR the pipeline outlines for a model's MatMul.
static std::string gemmModuleText(const GemmProblem &p) {
  std::string type =
      p.precision == "tf32" ? "f32" : (p.precision == "bf16" ? "bf16" : "f16");
  std::string precision = p.precision == "fp16" ? "f16" : p.precision;
  std::string batch = p.batch > 1 ? std::to_string(p.batch) + "x" : "";
  auto tensor = [&](int64_t rows, int64_t cols) {
    return "tensor<" + batch + std::to_string(rows) + "x" +
           std::to_string(cols) + "x" + type + ">";
  };
  std::string a = tensor(p.m, p.k), b = tensor(p.k, p.n), c = tensor(p.m, p.n);
  return "func.func @gemm(%a: " + a + ", %b: " + b + ") -> " + c +
         " attributes {dsr1.kernel} {\n"
         "  %c = dsr1.matmul %a, %b {precision = #dsr1.precision<" +
         precision + ">} : " + a + ", " + b + "\n  return %c : " + c + "\n}\n";
}

Result<KernelResources> compileGemmTc(const GemmProblem &p,
                                      const CudaParams &params,
                                      const GpuSpec &gpu, const Nvrtc &nvrtc,
                                      const KernelCache *cache,
                                      bool *fromCache) {
  std::string source, function;
  {
    mlir::MLIRContext context;
    context.loadDialect<::dsr1::DSR1Dialect, mlir::func::FuncDialect>();
    std::string diagnostics;
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      diagnostics += d.str() + "\n";
      return mlir::success();
    });
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(gemmModuleText(p), &context);
    if (!module)
      return Status::error("tuner: cannot build the GEMM: " + diagnostics);
    mlir::FailureOr<CudaModule> code = emitCuda(*module, params);
    if (failed(code))
      return Status::error("tuner: cannot generate the GEMM: " + diagnostics);
    for (const CudaKernel &kernel : code->kernels)
      if (kernel.family == "gemm-tc" && !kernel.launches.empty())
        function = kernel.launches.front().function;
    if (function.empty())
      return Status::error("tuner: the GEMM is not a gemm-tc kernel");
    source = std::move(code->source);
  }
  Result<CompiledKernels> compiled = compileCached(
      nvrtc, cache, source, "tune-gemm", gpu.arch, deviceHeaders());
  if (!compiled)
    return compiled.status();
  if (fromCache)
    *fromCache = compiled->fromCache;
  for (const KernelResources &r : compiled->kernels)
    if (r.name == function)
      return r;
  return Status::error("tuner: ptxas reported nothing for " + function);
}

Result<TuneResult> tuneGemmTc(const GemmProblem &p, const GpuSpec &gpu,
                              const Nvrtc &nvrtc, const KernelCache *cache) {
  std::vector<CudaParams> candidates = gemmTcCandidates();
  std::vector<std::optional<Result<KernelResources>>> resources(
      candidates.size());
  std::vector<char> cached(candidates.size(), 0);
  // NVRTC compiles distinct programs concurrently and each candidate has
  // its own MLIRContext, so the candidates are compiled on every core.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < candidates.size(); i = next++) {
      bool hit = false;
      resources[i] = compileGemmTc(p, candidates[i], gpu, nvrtc, cache, &hit);
      cached[i] = hit;
    }
  };
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (std::thread &t : pool)
    t.join();

  TuneResult result;
  for (size_t i = 0; i < candidates.size(); ++i) {
    Result<KernelResources> &r = *resources[i];
    if (!r)
      return Status::error(formatTcParams(candidates[i]) + ": " +
                           r.status().message());
    ++result.compiled;
    result.fromKernelCache += cached[i];
    // A spill goes to local memory in the mma loop: never worth it.
    if (r->spillStoreBytes || r->spillLoadBytes || r->localBytes) {
      ++result.spilling;
      continue;
    }
    result.ranked.push_back(
        {candidates[i], *r, estimate(p, candidates[i], *r, gpu)});
  }
  // Stable, so ties keep the candidates' order (smaller tiles first).
  std::stable_sort(result.ranked.begin(), result.ranked.end(),
                   [](const TunedCandidate &a, const TunedCandidate &b) {
                     return ranksBefore(a.cost, b.cost);
                   });
  return result;
}

Result<TuningCache> TuningCache::load(const std::string &path) {
  TuningCache cache;
  if (!llvm::sys::fs::exists(path))
    return cache;
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return Status::error("cannot read the tuning cache " + path + ": " +
                         buffer.getError().message());
  auto bad = [&](const std::string &why) {
    return Status::error("tuning cache " + path + " is not valid: " + why +
                         " (delete it to start afresh)");
  };
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return bad(llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  if (!root)
    return bad("not a JSON object");
  if (root->getInteger("version") != 1)
    return bad("no \"version\": 1");
  const llvm::json::Object *entries = root->getObject("entries");
  if (!entries)
    return bad("no \"entries\" object");
  for (const auto &[key, value] : *entries) {
    const llvm::json::Object *entry = value.getAsObject();
    std::optional<llvm::StringRef> params =
        entry ? entry->getString("params") : std::nullopt;
    std::optional<double> seconds =
        entry ? entry->getNumber("seconds") : std::nullopt;
    std::optional<double> fraction =
        entry ? entry->getNumber("fraction_of_peak") : std::nullopt;
    if (!params || !seconds || !fraction)
      return bad("entry '" + key.str() +
                 "' needs params, seconds and fraction_of_peak");
    std::string error;
    if (failed(CudaParams::parse(*params, error)))
      return bad("entry '" + key.str() + "': " + error);
    cache.entries_[key.str()] = {params->str(), *seconds, *fraction};
  }
  return cache;
}

const TuningEntry *TuningCache::lookup(const std::string &signature) const {
  auto it = entries_.find(signature);
  return it == entries_.end() ? nullptr : &it->second;
}

void TuningCache::insert(const std::string &signature, TuningEntry entry) {
  entries_[signature] = std::move(entry);
}

Status TuningCache::save(const std::string &path) const {
  llvm::json::Object entries;
  for (const auto &[key, entry] : entries_)
    entries[key] =
        llvm::json::Object{{"params", entry.params},
                           {"seconds", entry.seconds},
                           {"fraction_of_peak", entry.fractionOfPeak}};
  llvm::json::Value root =
      llvm::json::Object{{"version", 1}, {"entries", std::move(entries)}};
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (!dir.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(dir))
      return Status::error("cannot create " + dir.str().str() + ": " +
                           ec.message());
  // A temporary file in the same directory, so the rename is atomic.
  llvm::SmallString<256> temp;
  int fd = -1;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%%%", fd, temp))
    return Status::error("cannot write the tuning cache " + path + ": " +
                         ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << llvm::formatv("{0:2}", root) << "\n";
    os.flush();
    if (os.has_error()) {
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return Status::error("cannot write the tuning cache " + path);
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return Status::error("cannot write the tuning cache " + path + ": " +
                         ec.message());
  }
  return Status::ok();
}

} // namespace dsr1::cuda
