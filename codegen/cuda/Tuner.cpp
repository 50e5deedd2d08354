//===- Tuner.cpp - choosing tensor-core parameters without a GPU ----------===//

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
// - mma.sync on sm_90a: the 989 TFLOP/s are wgmma's (warpgroup, asynchronous);
//   public microbenchmarks report warp-level mma/wmma at about half of it.
//   An assumption until a GPU run calibrates it.
// - Both: 16 f32 exp2 a clock per SM (4 per sub-partition's SFU), 4 warp
//   schedulers issuing one instruction a clock each.
const GpuSpec kSpecs[] = {
    {"sm_80", 108, 1.41, 312, 156, 2039, 65536, 164 * 1024, 2048, 32, 128,
     40ll << 20, 1.0, 16, 128},
    {"sm_90a", 132, 1.83, 989, 494, 3350, 65536, 228 * 1024, 2048, 32, 128,
     50ll << 20, 0.5, 16, 128},
};

// A launch costs a few microseconds however small the grid: this keeps tiny
// GEMMs from ranking on noise.
constexpr double kLaunchSeconds = 4e-6;

// Warps an SM needs resident for mma.sync to keep its tensor cores busy: two
// per SM sub-partition (four of them), one issuing while the other waits on
// ldmatrix or a barrier.
constexpr int kWarpsToSaturate = 8;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The dense tensor peak (TFLOP/s) of a precision flag's products.
double tensorPeak(const std::string &precision, const GpuSpec &gpu) {
  return precision == "tf32" ? gpu.tensorTflopsTf32 : gpu.tensorTflopsF16;
}

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

/// Blocks of `warps` warps with `res` resident on one SM at once.
static int residentBlocks(int warps, const KernelResources &res,
                          const GpuSpec &gpu) {
  int threads = warps * 32;
  // Registers are allocated per warp in units of 256 (8 per thread).
  int regsPerThread = std::max(1, (res.registers + 7) / 8 * 8);
  int byRegs = gpu.regsPerSm / (regsPerThread * 32) / warps;
  // Each block also takes 1 KiB of shared memory the driver reserves.
  int smem = res.sharedBytes + 1024;
  int bySmem = gpu.smemPerSm / smem;
  int byThreads = gpu.maxThreadsPerSm / threads;
  return std::max(0, std::min({byRegs, bySmem, byThreads, gpu.maxBlocksPerSm}));
}

int blocksPerSm(const CudaParams &params, const KernelResources &res,
                const GpuSpec &gpu) {
  return residentBlocks(params.tcWarps, res, gpu);
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
  int64_t kTiles = ceilDiv(p.k, params.tcTileK);
  int64_t splits = std::min<int64_t>(params.tcSplitK, kTiles);
  if (splits > 1) {
    // Split-k: `splits` products of K / splits each (as many more blocks),
    // their f32 partials written and read back by a reduction launch.
    GemmProblem part = p;
    part.k = ceilDiv(kTiles, splits) * params.tcTileK;
    part.batch = p.batch * splits;
    CudaParams one = params;
    one.tcSplitK = 1;
    CostEstimate e = estimate(part, one, res, gpu);
    int64_t partials = p.batch * p.m * p.n * splits * 4;
    e.bytes += 2 * partials + p.batch * p.m * p.n * p.resultBytes();
    e.memorySeconds = double(e.bytes) / (gpu.dramGBps * 1e9);
    e.seconds =
        std::max(e.computeSeconds, e.memorySeconds) + 2 * kLaunchSeconds;
    e.fractionOfPeak =
        p.flops() / e.seconds / (tensorPeak(p.precision, gpu) * 1e12);
    return e;
  }
  CostEstimate e;
  double peakTflops = tensorPeak(p.precision, gpu);
  double peak = peakTflops * 1e12;
  // What mma.sync can reach of it.
  double reachable = peak * gpu.mmaSyncFraction;
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
  double fmaPerClock = reachable / (2.0 * gpu.sms * gpu.clockGHz * 1e9);
  double smemNeeded = fmaPerClock * p.operandBytes() * (wm + wn) / (wm * wn);
  double smemEfficiency = std::min(1.0, gpu.smemBytesPerClock / smemNeeded);
  e.efficiency = occupancy * smemEfficiency;

  // Wave quantisation: every wave costs a full wave, and a wave is
  // blocksPerSm tiles per SM sharing that SM's tensor cores. Tiles are
  // whole (ragged edges compute padding too).
  double tileFlops = 2.0 * params.tcTileM * params.tcTileN *
                     (ceilDiv(p.k, params.tcTileK) * params.tcTileK);
  double smPeak = reachable / gpu.sms;
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
         ",tc-stages=" + std::to_string(p.tcStages) +
         (p.tcSplitK > 1 ? ",tc-split-k=" + std::to_string(p.tcSplitK)
                         : std::string());
}

std::vector<CudaParams> gemmTcCandidates(const GemmProblem &p,
                                         const GpuSpec &gpu) {
  std::vector<CudaParams> out = gemmTcCandidates();
  // Split-k where 64 x 64 tiles leave most SMs idle and K is long enough
  // to share out: the square tile sets, split 2, 4 and 8 ways.
  int64_t tiles = p.batch * ceilDiv(p.m, 64) * ceilDiv(p.n, 64);
  if (tiles >= gpu.sms)
    return out;
  for (int tile : {32, 64, 128})
    for (int splits : {2, 4, 8}) {
      if (p.k < 2 * 32 * splits)
        continue;
      CudaParams c = gemmTcParams(tile, tile, 32, tile == 128 ? 8 : 4, 2);
      c.tcSplitK = splits;
      std::string error;
      if (succeeded(CudaParams::parse(formatTcParams(c), error)))
        out.push_back(c);
    }
  return out;
}

std::string gemmSignature(const GemmProblem &p, const std::string &arch) {
  std::string transposes =
      std::string(p.transA ? "t" : "n") + std::string(p.transB ? "t" : "n");
  return "gemm-tc/" + p.precision + "/" + std::to_string(p.m) + "x" +
         std::to_string(p.n) + "x" + std::to_string(p.k) + "/b" +
         std::to_string(p.batch) + "/" + transposes + "/" + arch;
}

//===----------------------------------------------------------------------===//
// Convolution and attention problems
//===----------------------------------------------------------------------===//

/// Parses comma-separated positive integers into `fields` (at least
/// `required` of them); false on anything else.
static bool parseFields(const std::string &text,
                        llvm::ArrayRef<int64_t *> fields, size_t required) {
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(text).split(parts, ',');
  if (parts.size() < required || parts.size() > fields.size())
    return false;
  for (size_t i = 0; i < parts.size(); ++i)
    if (parts[i].trim().getAsInteger(10, *fields[i]) || *fields[i] < 0)
      return false;
  return true;
}

double AttentionProblem::flops() const {
  // Top-left causal: query i sees keys 0..i.
  double pairs = 0;
  if (!causal)
    pairs = double(sq) * skv;
  else
    for (int64_t i = 0; i < sq; ++i)
      pairs += double(std::min(skv, i + 1));
  return 2.0 * batch * heads * pairs * (dk + dv);
}

Result<AttentionProblem> parseAttentionProblem(const std::string &shape,
                                               const std::string &precision,
                                               bool causal) {
  AttentionProblem p;
  if (precision != "fp16" && precision != "bf16")
    return Status::error("unknown precision '" + precision +
                         "' for tensor-core attention: give fp16 or bf16");
  p.precision = precision;
  p.causal = causal;
  p.dv = -1;
  if (!parseFields(shape, {&p.batch, &p.heads, &p.sq, &p.skv, &p.dk, &p.dv},
                   5) ||
      !p.batch || !p.heads || !p.sq || !p.skv || !p.dk || !p.dv)
    return Status::error("an attention shape is positive integers "
                         "B,H,Sq,Skv,D[,Dv], not '" +
                         shape + "'");
  if (p.dv < 0)
    p.dv = p.dk;
  for (int64_t d : {p.dk, p.dv})
    if (d % 16 || d > 128)
      return Status::error("attention-tc takes head dims that are multiples "
                           "of 16 up to 128, not " +
                           std::to_string(d));
  return p;
}

GemmProblem ConvProblem::asGemm() const {
  GemmProblem g;
  g.m = oc / groups;
  g.n = outH() * outW();
  g.k = c / groups * kh * kw;
  g.batch = n * groups;
  g.precision = precision;
  return g;
}

bool ConvProblem::gathered() const {
  int vec = precision == "tf32" ? 4 : 8;
  return !(kh == 1 && kw == 1 && stride == 1 && pad == 0 &&
           (outH() * outW()) % vec == 0);
}

Result<ConvProblem> parseConvProblem(const std::string &shape,
                                     const std::string &precision) {
  ConvProblem p;
  if (precision != "fp16" && precision != "bf16" && precision != "tf32")
    return Status::error("unknown precision '" + precision +
                         "' for a tensor-core convolution: give fp16, bf16 "
                         "or tf32");
  p.precision = precision;
  if (!parseFields(shape,
                   {&p.n, &p.c, &p.h, &p.w, &p.oc, &p.kh, &p.kw, &p.stride,
                    &p.pad, &p.groups},
                   7) ||
      !p.n || !p.c || !p.h || !p.w || !p.oc || !p.kh || !p.kw || !p.stride ||
      !p.groups)
    return Status::error("a convolution is N,C,H,W,OC,KH,KW[,stride[,pad[,"
                         "groups]]] (positive; pad may be 0), not '" +
                         shape + "'");
  if (p.c % p.groups || p.oc % p.groups)
    return Status::error("groups (" + std::to_string(p.groups) +
                         ") must divide C and OC");
  if (p.outH() < 1 || p.outW() < 1)
    return Status::error("the window is larger than the padded input");
  return p;
}

/// estimate() with `base`'s compute and DRAM replaced: the pieces the
/// convolution and attention models share.
static CostEstimate finish(CostEstimate e, double flops, double peakTflops) {
  e.seconds = std::max(e.computeSeconds, e.memorySeconds) + kLaunchSeconds;
  e.fractionOfPeak = flops / e.seconds / (peakTflops * 1e12);
  return e;
}

CostEstimate estimateConv(const ConvProblem &p, const CudaParams &params,
                          const KernelResources &res, const GpuSpec &gpu) {
  GemmProblem g = p.asGemm();
  CostEstimate e = estimate(g, params, res, gpu);
  if (e.blocksPerSm == 0)
    return e;
  int eb = g.operandBytes();
  e.bytes =
      (p.n * p.c * p.h * p.w + p.oc * (p.c / p.groups) * p.kh * p.kw) * eb +
      p.n * p.oc * p.outH() * p.outW() * g.resultBytes();
  e.memorySeconds = double(e.bytes) / (gpu.dramGBps * 1e9);
  // Issue slots of the staging done element by element: X unless it is
  // copied by cp.async, W when its rows are not whole 16-byte pieces.
  int vec = p.precision == "tf32" ? 4 : 8;
  int64_t kTiles = ceilDiv(g.k, params.tcTileK);
  double perBlock = 0;
  if (p.gathered())
    perBlock +=
        double(kTiles) * params.tcTileN * params.tcTileK * kGatherInstructions;
  if (g.k % vec)
    perBlock +=
        double(kTiles) * params.tcTileM * params.tcTileK * kGatherInstructions;
  double issueSeconds = e.waves * e.blocksPerSm * perBlock /
                        (double(gpu.issuePerClock) * gpu.clockGHz * 1e9);
  e.computeSeconds = std::max(e.computeSeconds, issueSeconds);
  return finish(e, p.flops(), tensorPeak(p.precision, gpu));
}

/// The key tile attention-tc uses: attention-tc-block-kv, halved while K
/// and V (with Q staged in V's buffer) exceed 48 KiB (see attentionTc).
static int64_t attentionKeyTile(const AttentionProblem &p,
                                const CudaParams &params) {
  int64_t bc = params.attnTcBlockKv;
  auto shared = [&](int64_t keys) {
    return 2 * (keys * (p.dk + 8) +
                std::max(keys * (p.dv + 8), params.attnTcBlockQ * (p.dk + 8)));
  };
  while (bc > 16 && shared(bc) > 48 * 1024)
    bc = std::max<int64_t>(16, bc / 2 / 16 * 16);
  return bc;
}

CostEstimate estimateAttention(const AttentionProblem &p,
                               const CudaParams &params,
                               const KernelResources &res, const GpuSpec &gpu) {
  CostEstimate e;
  const int64_t br = params.attnTcBlockQ, bc = attentionKeyTile(p, params);
  const int64_t rowBlocks = ceilDiv(p.sq, br);
  e.tiles = p.batch * p.heads * rowBlocks;
  e.blocksPerSm = residentBlocks(params.attnTcWarps, res, gpu);
  double peak = gpu.tensorTflopsF16 * 1e12;
  if (e.blocksPerSm == 0) {
    e.seconds = e.computeSeconds = INFINITY;
    return e;
  }
  e.waves = ceilDiv(e.tiles, int64_t(gpu.sms) * e.blocksPerSm);
  // Keys a block of query rows walks, in whole tiles: all of them, or under
  // the causal frontier of its last row.
  double keys = 0;
  for (int64_t r = 0; r < rowBlocks; ++r) {
    int64_t seen = p.causal ? std::min(p.skv, (r + 1) * br) : p.skv;
    keys += double(ceilDiv(seen, bc) * bc);
  }
  keys /= double(rowBlocks);
  // Per block, in SM clocks: the products at mma.sync's rate (scaled by
  // occupancy and shared-memory bandwidth, as the GEMM's), then the
  // softmax of every score.
  double fmaPerClock =
      peak * gpu.mmaSyncFraction / (2.0 * gpu.sms * gpu.clockGHz * 1e9);
  double occupancy = std::min(1.0, double(e.blocksPerSm * params.attnTcWarps) /
                                       kWarpsToSaturate);
  // A warp's m16 tiles share each K and V fragment it loads.
  double rowsPerWarp = double(br) / params.attnTcWarps;
  double smemNeeded = fmaPerClock * 2.0 / rowsPerWarp;
  double smemEfficiency = std::min(1.0, gpu.smemBytesPerClock / smemNeeded);
  e.efficiency = occupancy * smemEfficiency;
  double scores = double(br) * keys;
  double mmaClocks = scores * (p.dk + p.dv) / (fmaPerClock * e.efficiency);
  double softmaxClocks = scores / gpu.sfuPerClock +
                         scores * kSoftmaxInstructions / gpu.issuePerClock;
  // Every key tile also waits at two barriers and for its copies.
  double syncClocks = keys / double(bc) * kTileSyncClocks;
  e.computeSeconds = e.waves * e.blocksPerSm *
                     (mmaClocks + softmaxClocks + syncClocks) /
                     (gpu.clockGHz * 1e9);
  e.bytes = p.batch * p.heads *
            (p.sq * p.dk + p.skv * (p.dk + p.dv) + p.sq * p.dv) * 2;
  e.memorySeconds = double(e.bytes) / (gpu.dramGBps * 1e9);
  return finish(e, p.flops(), gpu.tensorTflopsF16);
}

std::vector<CudaParams> attentionTcCandidates() {
  std::vector<CudaParams> out;
  for (int blockQ : {64, 128})
    for (int warps : {4, 8})
      for (int blockKv : {32, 64, 128}) {
        CudaParams p;
        p.attnTcBlockQ = blockQ;
        p.attnTcWarps = warps;
        p.attnTcBlockKv = blockKv;
        std::string error;
        if (succeeded(CudaParams::parse(formatAttentionTcParams(p), error)))
          out.push_back(p);
      }
  return out;
}

std::string formatAttentionTcParams(const CudaParams &p) {
  return "attention-tc-block-q=" + std::to_string(p.attnTcBlockQ) +
         ",attention-tc-warps=" + std::to_string(p.attnTcWarps) +
         ",attention-tc-block-kv=" + std::to_string(p.attnTcBlockKv);
}

//===----------------------------------------------------------------------===//
// The problems the tuner takes
//===----------------------------------------------------------------------===//

namespace {

/// "f16", "bf16" or "f32" for a precision flag, and the dsr1 precision
/// attribute a TF32 product carries.
std::string elementType(const std::string &precision) {
  return precision == "tf32" ? "f32" : (precision == "bf16" ? "bf16" : "f16");
}
std::string precisionAttr(const std::string &precision) {
  return "#dsr1.precision<" +
         (precision == "fp16" ? std::string("f16") : precision) + ">";
}
std::string tensorType(llvm::ArrayRef<int64_t> shape, const std::string &t) {
  std::string text = "tensor<";
  for (int64_t d : shape)
    text += std::to_string(d) + "x";
  return text + t + ">";
}

class GemmTune : public TuneProblem {
public:
  explicit GemmTune(const GemmProblem &p) : p_(p) {}
  std::string family() const override { return "gemm-tc"; }
  std::string signature(const std::string &arch) const override {
    return gemmSignature(p_, arch);
  }
  std::string moduleText() const override {
    std::string type = elementType(p_.precision);
    std::vector<int64_t> batch;
    if (p_.batch > 1)
      batch.push_back(p_.batch);
    auto tensor = [&](int64_t rows, int64_t cols) {
      std::vector<int64_t> shape = batch;
      shape.push_back(rows);
      shape.push_back(cols);
      return tensorType(shape, type);
    };
    std::string a = tensor(p_.m, p_.k), b = tensor(p_.k, p_.n),
                c = tensor(p_.m, p_.n);
    return "func.func @gemm(%a: " + a + ", %b: " + b + ") -> " + c +
           " attributes {dsr1.kernel} {\n  %c = dsr1.matmul %a, %b "
           "{precision = " +
           precisionAttr(p_.precision) + "} : " + a + ", " + b +
           "\n  return %c : " + c + "\n}\n";
  }
  std::vector<CudaParams> candidates() const override {
    // The split-k sets are judged against H100's SMs; A100's 108 make the
    // same call on these shapes.
    return gemmTcCandidates(p_, *findGpuSpec("sm_90a"));
  }
  std::string formatParams(const CudaParams &params) const override {
    return formatTcParams(params);
  }
  CostEstimate estimate(const CudaParams &params, const KernelResources &res,
                        const GpuSpec &gpu) const override {
    return cuda::estimate(p_, params, res, gpu);
  }
  double peakTflops(const GpuSpec &gpu) const override {
    return tensorPeak(p_.precision, gpu);
  }
  std::unique_ptr<TuneProblem> small() const override {
    // Ragged against every tile; K a multiple of 8, so the operands take
    // cp.async as a large GEMM's do.
    GemmProblem s = p_;
    s.m = 67;
    s.n = 45;
    s.k = 40;
    s.batch = 1;
    return std::make_unique<GemmTune>(s);
  }
  std::unique_ptr<TuneProblem> clone() const override {
    return std::make_unique<GemmTune>(*this);
  }
  std::string precision() const override { return p_.precision; }
  double flops() const override { return p_.flops(); }
  std::vector<std::vector<int64_t>> operandShapes() const override {
    return {shape(p_.m, p_.k), shape(p_.k, p_.n)};
  }
  std::vector<int64_t> resultShape() const override {
    return shape(p_.m, p_.n);
  }
  std::vector<double>
  reference(const std::vector<std::vector<double>> &x) const override {
    std::vector<double> c(p_.batch * p_.m * p_.n, 0.0);
    for (int64_t b = 0; b < p_.batch; ++b)
      for (int64_t i = 0; i < p_.m; ++i)
        for (int64_t k = 0; k < p_.k; ++k) {
          double a = x[0][(b * p_.m + i) * p_.k + k];
          for (int64_t j = 0; j < p_.n; ++j)
            c[(b * p_.m + i) * p_.n + j] += a * x[1][(b * p_.k + k) * p_.n + j];
        }
    return c;
  }

private:
  std::vector<int64_t> shape(int64_t rows, int64_t cols) const {
    std::vector<int64_t> out;
    if (p_.batch > 1)
      out.push_back(p_.batch);
    out.push_back(rows);
    out.push_back(cols);
    return out;
  }

  GemmProblem p_;
};

class ConvTune : public TuneProblem {
public:
  explicit ConvTune(const ConvProblem &p) : p_(p) {}
  std::string family() const override { return "conv-tc"; }
  std::string signature(const std::string &arch) const override {
    auto n = [](int64_t v) { return std::to_string(v); };
    return "conv-tc/" + p_.precision + "/n" + n(p_.n) + "c" + n(p_.c) + "h" +
           n(p_.h) + "w" + n(p_.w) + "/oc" + n(p_.oc) + "k" + n(p_.kh) + "x" +
           n(p_.kw) + "s" + n(p_.stride) + "p" + n(p_.pad) + "d" +
           n(p_.dilation) + "g" + n(p_.groups) + "/" + arch;
  }
  std::string moduleText() const override {
    std::string type = elementType(p_.precision);
    std::string x = tensorType({p_.n, p_.c, p_.h, p_.w}, type);
    std::string w = tensorType({p_.oc, p_.c / p_.groups, p_.kh, p_.kw}, type);
    std::string y = tensorType({p_.n, p_.oc, p_.outH(), p_.outW()}, type);
    auto pair = [](int64_t v) {
      return "array<i64: " + std::to_string(v) + ", " + std::to_string(v) + ">";
    };
    std::string pads = "array<i64: " + std::to_string(p_.pad) + ", " +
                       std::to_string(p_.pad) + ", " + std::to_string(p_.pad) +
                       ", " + std::to_string(p_.pad) + ">";
    std::string attrs = "strides = " + pair(p_.stride) + ", pads = " + pads +
                        ", dilations = " + pair(p_.dilation) +
                        ", group = " + std::to_string(p_.groups) + " : i64";
    if (p_.precision == "tf32")
      attrs += ", precision = " + precisionAttr("tf32");
    return "func.func @conv(%x: " + x + ", %w: " + w + ") -> " + y +
           " attributes {dsr1.kernel} {\n  %y = dsr1.conv %x, %w {" + attrs +
           "} : " + x + ", " + w + "\n  return %y : " + y + "\n}\n";
  }
  std::vector<CudaParams> candidates() const override {
    return gemmTcCandidates();
  }
  std::string formatParams(const CudaParams &params) const override {
    return formatTcParams(params);
  }
  CostEstimate estimate(const CudaParams &params, const KernelResources &res,
                        const GpuSpec &gpu) const override {
    return estimateConv(p_, params, res, gpu);
  }
  double peakTflops(const GpuSpec &gpu) const override {
    return tensorPeak(p_.precision, gpu);
  }
  std::unique_ptr<TuneProblem> small() const override {
    // One image, at most two groups of at most 8 input and 24 output
    // channels, an 11x11 (or larger, for the window) input: the same
    // window, stride, padding and staging paths.
    ConvProblem s = p_;
    s.n = 1;
    s.groups = std::min<int64_t>(p_.groups, 2);
    s.c = s.groups * std::min<int64_t>(p_.c / p_.groups, 8);
    s.oc = s.groups * std::min<int64_t>(p_.oc / p_.groups, 24);
    s.h = std::max<int64_t>(11, p_.dilation * (p_.kh - 1) + 1);
    s.w = std::max<int64_t>(11, p_.dilation * (p_.kw - 1) + 1);
    if (!p_.gathered()) // keep the pixel rows whole 16-byte pieces
      s.h = s.w = 8;
    return std::make_unique<ConvTune>(s);
  }
  std::unique_ptr<TuneProblem> clone() const override {
    return std::make_unique<ConvTune>(*this);
  }
  std::string precision() const override { return p_.precision; }
  double flops() const override { return p_.flops(); }
  std::vector<std::vector<int64_t>> operandShapes() const override {
    return {{p_.n, p_.c, p_.h, p_.w}, {p_.oc, p_.c / p_.groups, p_.kh, p_.kw}};
  }
  std::vector<int64_t> resultShape() const override {
    return {p_.n, p_.oc, p_.outH(), p_.outW()};
  }
  std::vector<double>
  reference(const std::vector<std::vector<double>> &x) const override {
    const int64_t oh = p_.outH(), ow = p_.outW(), icg = p_.c / p_.groups,
                  ocg = p_.oc / p_.groups;
    std::vector<double> y(p_.n * p_.oc * oh * ow, 0.0);
    for (int64_t n = 0; n < p_.n; ++n)
      for (int64_t o = 0; o < p_.oc; ++o)
        for (int64_t i = 0; i < oh; ++i)
          for (int64_t j = 0; j < ow; ++j) {
            double sum = 0;
            for (int64_t c = 0; c < icg; ++c)
              for (int64_t a = 0; a < p_.kh; ++a)
                for (int64_t b = 0; b < p_.kw; ++b) {
                  int64_t r = i * p_.stride + a * p_.dilation - p_.pad;
                  int64_t q = j * p_.stride + b * p_.dilation - p_.pad;
                  if (r < 0 || r >= p_.h || q < 0 || q >= p_.w)
                    continue;
                  int64_t channel = (o / ocg) * icg + c;
                  sum += x[0][((n * p_.c + channel) * p_.h + r) * p_.w + q] *
                         x[1][((o * icg + c) * p_.kh + a) * p_.kw + b];
                }
            y[((n * p_.oc + o) * oh + i) * ow + j] = sum;
          }
    return y;
  }

private:
  ConvProblem p_;
};

class AttentionTune : public TuneProblem {
public:
  explicit AttentionTune(const AttentionProblem &p) : p_(p) {}
  std::string family() const override { return "attention-tc"; }
  std::string signature(const std::string &arch) const override {
    auto n = [](int64_t v) { return std::to_string(v); };
    return "attention-tc/" + p_.precision + "/b" + n(p_.batch) + "h" +
           n(p_.heads) + "/" + n(p_.sq) + "x" + n(p_.skv) + "/d" + n(p_.dk) +
           "v" + n(p_.dv) + "/" + (p_.causal ? "causal" : "full") + "/" + arch;
  }
  std::string moduleText() const override {
    std::string type = elementType(p_.precision);
    std::string q = tensorType({p_.batch, p_.heads, p_.sq, p_.dk}, type);
    std::string k = tensorType({p_.batch, p_.heads, p_.skv, p_.dk}, type);
    std::string v = tensorType({p_.batch, p_.heads, p_.skv, p_.dv}, type);
    std::string o = tensorType({p_.batch, p_.heads, p_.sq, p_.dv}, type);
    return "func.func @attention(%q: " + q + ", %k: " + k + ", %v: " + v +
           ") -> " + o +
           " attributes {dsr1.kernel} {\n  %o = dsr1.attention %q, %k, %v "
           "{num_heads = " +
           std::to_string(p_.heads) + " : i64" + (p_.causal ? ", causal" : "") +
           "} : " + q + ", " + k + ", " + v + "\n  return %o : " + o + "\n}\n";
  }
  std::vector<CudaParams> candidates() const override {
    return attentionTcCandidates();
  }
  std::string formatParams(const CudaParams &params) const override {
    return formatAttentionTcParams(params);
  }
  CostEstimate estimate(const CudaParams &params, const KernelResources &res,
                        const GpuSpec &gpu) const override {
    return estimateAttention(p_, params, res, gpu);
  }
  double peakTflops(const GpuSpec &gpu) const override {
    return gpu.tensorTflopsF16;
  }
  std::unique_ptr<TuneProblem> small() const override {
    // Ragged query and key lengths over several key tiles.
    AttentionProblem s = p_;
    s.batch = 1;
    s.heads = 2;
    s.sq = 33;
    s.skv = 70;
    return std::make_unique<AttentionTune>(s);
  }
  std::unique_ptr<TuneProblem> clone() const override {
    return std::make_unique<AttentionTune>(*this);
  }
  std::string precision() const override { return p_.precision; }
  double flops() const override { return p_.flops(); }
  std::vector<std::vector<int64_t>> operandShapes() const override {
    return {{p_.batch, p_.heads, p_.sq, p_.dk},
            {p_.batch, p_.heads, p_.skv, p_.dk},
            {p_.batch, p_.heads, p_.skv, p_.dv}};
  }
  std::vector<int64_t> resultShape() const override {
    return {p_.batch, p_.heads, p_.sq, p_.dv};
  }
  std::vector<double>
  reference(const std::vector<std::vector<double>> &x) const override {
    std::vector<double> o(p_.batch * p_.heads * p_.sq * p_.dv, 0.0);
    double scale = 1.0 / std::sqrt(double(p_.dk));
    std::vector<double> p(p_.skv);
    for (int64_t bh = 0; bh < p_.batch * p_.heads; ++bh)
      for (int64_t i = 0; i < p_.sq; ++i) {
        // Top-left causal: keys 0..i.
        int64_t keys = p_.causal ? std::min(p_.skv, i + 1) : p_.skv;
        double max = -INFINITY, sum = 0;
        for (int64_t j = 0; j < keys; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < p_.dk; ++d)
            dot += x[0][(bh * p_.sq + i) * p_.dk + d] *
                   x[1][(bh * p_.skv + j) * p_.dk + d];
          p[j] = dot * scale;
          max = std::max(max, p[j]);
        }
        for (int64_t j = 0; j < keys; ++j)
          sum += (p[j] = std::exp(p[j] - max));
        for (int64_t j = 0; j < keys; ++j)
          for (int64_t d = 0; d < p_.dv; ++d)
            o[(bh * p_.sq + i) * p_.dv + d] +=
                p[j] / sum * x[2][(bh * p_.skv + j) * p_.dv + d];
      }
    return o;
  }

private:
  AttentionProblem p_;
};

} // namespace

std::unique_ptr<TuneProblem> tuneProblem(const GemmProblem &p) {
  return std::make_unique<GemmTune>(p);
}
std::unique_ptr<TuneProblem> tuneProblem(const ConvProblem &p) {
  return std::make_unique<ConvTune>(p);
}
std::unique_ptr<TuneProblem> tuneProblem(const AttentionProblem &p) {
  return std::make_unique<AttentionTune>(p);
}

std::optional<CudaParams> CollectedProblems::lookup(const TuneProblem &problem,
                                                    const CudaParams &) const {
  // The signature without an architecture names the kernel.
  if (seen_.insert(problem.signature("")).second)
    problems_.push_back(problem.clone());
  return std::nullopt;
}

Result<CudaModule> generateCandidate(const TuneProblem &p,
                                     const CudaParams &params) {
  mlir::MLIRContext context;
  context.loadDialect<::dsr1::DSR1Dialect, mlir::func::FuncDialect>();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(p.moduleText(), &context);
  if (!module)
    return Status::error("tuner: cannot build the " + p.family() +
                         " kernel: " + diagnostics);
  mlir::FailureOr<CudaModule> code = emitCuda(*module, params);
  if (failed(code))
    return Status::error("tuner: cannot generate the " + p.family() +
                         " kernel: " + diagnostics);
  return std::move(*code);
}

Result<KernelResources> compileCandidate(const TuneProblem &p,
                                         const CudaParams &params,
                                         const GpuSpec &gpu, const Nvrtc &nvrtc,
                                         const KernelCache *cache,
                                         bool *fromCache) {
  Result<CudaModule> code = generateCandidate(p, params);
  if (!code)
    return code.status();
  std::string function;
  for (const CudaKernel &kernel : code->kernels)
    if (kernel.family == p.family() && !kernel.launches.empty())
      function = kernel.launches.front().function;
  if (function.empty())
    return Status::error("tuner: the kernel is not a " + p.family() +
                         " kernel");
  const std::string &source = code->source;
  Result<CompiledKernels> compiled = compileCached(
      nvrtc, cache, source, "tune-" + p.family(), gpu.arch, deviceHeaders());
  if (!compiled)
    return compiled.status();
  if (fromCache)
    *fromCache = compiled->fromCache;
  for (const KernelResources &r : compiled->kernels)
    if (r.name == function)
      return r;
  return Status::error("tuner: ptxas reported nothing for " + function);
}

Result<TuneResult> tune(const TuneProblem &p, const GpuSpec &gpu,
                        const Nvrtc &nvrtc, const KernelCache *cache,
                        const TuneOptions &options) {
  std::vector<CudaParams> candidates = p.candidates();
  std::vector<std::optional<Result<KernelResources>>> resources(
      candidates.size());
  std::vector<char> cached(candidates.size(), 0);
  // NVRTC compiles distinct programs concurrently and each candidate has
  // its own MLIRContext, so the candidates are compiled on every core.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < candidates.size(); i = next++) {
      bool hit = false;
      resources[i] =
          compileCandidate(p, candidates[i], gpu, nvrtc, cache, &hit);
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
      return Status::error(p.formatParams(candidates[i]) + ": " +
                           r.status().message());
    ++result.compiled;
    result.fromKernelCache += cached[i];
    // A spill goes to local memory in the mma loop: never worth it.
    if (r->spillStoreBytes || r->spillLoadBytes || r->localBytes) {
      ++result.spilling;
      continue;
    }
    result.ranked.push_back(
        {candidates[i], *r, p.estimate(candidates[i], *r, gpu)});
  }
  // Stable, so ties keep the candidates' order (smaller tiles first).
  std::stable_sort(result.ranked.begin(), result.ranked.end(),
                   [](const TunedCandidate &a, const TunedCandidate &b) {
                     return ranksBefore(a.cost, b.cost);
                   });
  if (options.measure) {
    // The model's best, timed; the timed ones first, fastest first.
    size_t top =
        std::min<size_t>(std::max(0, options.measureTop), result.ranked.size());
    for (size_t i = 0; i < top; ++i) {
      TunedCandidate &c = result.ranked[i];
      Result<double> seconds = options.measure(c.params);
      if (!seconds) {
        result.unmeasured.push_back(
            {p.formatParams(c.params), seconds.status().message()});
        continue;
      }
      c.measuredSeconds = *seconds;
      ++result.measured;
    }
    std::stable_sort(result.ranked.begin(), result.ranked.end(),
                     [](const TunedCandidate &a, const TunedCandidate &b) {
                       bool ta = a.measuredSeconds >= 0,
                            tb = b.measuredSeconds >= 0;
                       if (ta != tb)
                         return ta;
                       return ta && a.measuredSeconds < b.measuredSeconds;
                     });
  }
  if (options.verify) {
    std::unique_ptr<TuneProblem> small = p.small();
    for (size_t i = 0; i < result.ranked.size(); ++i) {
      Status s = options.verify(*small, result.ranked[i].params);
      if (s) {
        result.verified = static_cast<int>(i);
        break;
      }
      result.rejected.push_back(
          {p.formatParams(result.ranked[i].params), s.message()});
    }
  }
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

namespace {

class CacheTunings : public KernelTunings {
public:
  CacheTunings(TuningCache cache, std::string arch)
      : cache_(std::move(cache)), arch_(std::move(arch)) {}

  std::optional<CudaParams> lookup(const TuneProblem &problem,
                                   const CudaParams &base) const override {
    const TuningEntry *entry = cache_.lookup(problem.signature(arch_));
    if (!entry)
      return std::nullopt;
    // TuningCache::load checked that every entry parses.
    std::string error;
    mlir::FailureOr<CudaParams> tuned = CudaParams::parse(entry->params, error);
    if (failed(tuned))
      return std::nullopt;
    CudaParams out = base;
    if (problem.family() == "attention-tc") {
      out.attnTcBlockQ = tuned->attnTcBlockQ;
      out.attnTcBlockKv = tuned->attnTcBlockKv;
      out.attnTcWarps = tuned->attnTcWarps;
    } else {
      out.tcTileM = tuned->tcTileM;
      out.tcTileN = tuned->tcTileN;
      out.tcTileK = tuned->tcTileK;
      out.tcWarps = tuned->tcWarps;
      out.tcStages = tuned->tcStages;
      out.tcSplitK = tuned->tcSplitK;
    }
    return out;
  }

private:
  TuningCache cache_;
  std::string arch_;
};

} // namespace

std::unique_ptr<KernelTunings> cacheTunings(TuningCache cache,
                                            const std::string &arch) {
  return std::make_unique<CacheTunings>(std::move(cache), arch);
}

} // namespace dsr1::cuda
