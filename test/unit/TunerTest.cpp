//===- TunerTest.cpp - the tuner's cost models and tuning cache ----------===//

#include "codegen/cuda/Tuner.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace dsr1::cuda;

namespace {

GemmProblem problem(int64_t m, int64_t n, int64_t k,
                    const std::string &precision = "fp16") {
  GemmProblem p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.precision = precision;
  return p;
}

CudaParams tc(int tm, int tn, int tk, int warps, int stages) {
  return gemmTcParams(tm, tn, tk, warps, stages);
}

KernelResources resources(int registers, int shared) {
  KernelResources r;
  r.name = "k";
  r.registers = registers;
  r.sharedBytes = shared;
  return r;
}

const GpuSpec &h100() { return *findGpuSpec("sm_90a"); }

std::string tempPath(const std::string &name) {
  llvm::SmallString<128> dir;
  EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("dsr1-tuner", dir));
  llvm::sys::path::append(dir, name);
  return dir.str().str();
}

} // namespace

TEST(Tuner, Specs) {
  ASSERT_NE(findGpuSpec("sm_80"), nullptr);
  EXPECT_EQ(findGpuSpec("sm_80")->sms, 108);
  EXPECT_EQ(findGpuSpec("sm_90")->arch, "sm_90a");
  EXPECT_EQ(findGpuSpec("sm_75"), nullptr);
}

TEST(Tuner, BytesByHand) {
  // 100x200x50 f16 in 64x64 tiles: A (100x50) read ceil(200/64) = 4 times,
  // B (50x200) ceil(100/64) = 2 times, C (100x200) written once, 2 bytes each.
  GemmProblem p = problem(100, 200, 50);
  EXPECT_EQ(gemmBytes(p, tc(64, 64, 16, 4, 2)),
            (100 * 50 * 4 + 50 * 200 * 2 + 100 * 200) * 2);
  p.batch = 3;
  p.precision = "tf32";
  EXPECT_EQ(gemmBytes(p, tc(64, 64, 16, 4, 2)),
            3 * (100 * 50 * 4 + 50 * 200 * 2 + 100 * 200) * 4);
}

TEST(Tuner, DramBytesWithL2Reuse) {
  // 1024^3 f16 in 128x128 tiles: 8x8 = 64 tiles. 16 resident tiles are two
  // rows of eight along N: each wave reads 2 A panels and 8 B panels of
  // 128 x 1024, four waves, C written once.
  GemmProblem p = problem(1024, 1024, 1024);
  GpuSpec gpu = *findGpuSpec("sm_90a");
  CudaParams params = tc(128, 128, 16, 8, 2);
  int64_t panel = (2 * 128 + 8 * 128) * 1024 * 2;
  EXPECT_EQ(dramBytes(p, params, 16, gpu), 4 * panel + 1024 * 1024 * 2);
  // Everything resident: A and B read once.
  EXPECT_EQ(dramBytes(p, params, 64, gpu), (2 * 1024 * 1024 + 1024 * 1024) * 2);
  // A panel larger than L2: no reuse assumed.
  gpu.l2Bytes = 1024;
  EXPECT_EQ(dramBytes(p, params, 64, gpu), gemmBytes(p, params));
}

TEST(Tuner, BlocksPerSmLimits) {
  // 128 threads at 128 registers: 16 KiB registers a block, 4 blocks.
  EXPECT_EQ(blocksPerSm(tc(64, 64, 16, 4, 2), resources(128, 1024), h100()), 4);
  // Shared memory: 227 KiB blocks of 100 KiB + 1 KiB reserved: 2.
  EXPECT_EQ(
      blocksPerSm(tc(64, 64, 16, 4, 2), resources(32, 100 * 1024), h100()), 2);
  // Threads: 2048 / 128 = 16 when nothing else limits.
  EXPECT_EQ(blocksPerSm(tc(64, 64, 16, 4, 2), resources(32, 0), h100()), 16);
}

TEST(Tuner, MoreWavesMoreTime) {
  CudaParams params = tc(128, 128, 32, 8, 3);
  KernelResources res = resources(128, 30000);
  double previous = 0;
  int64_t previousWaves = 0;
  for (int64_t n : {1024, 4096, 8192, 16384}) {
    CostEstimate e = estimate(problem(4096, n, 4096), params, res, h100());
    EXPECT_GT(e.waves, previousWaves);
    EXPECT_GT(e.seconds, previous);
    previous = e.seconds;
    previousWaves = e.waves;
  }
}

TEST(Tuner, HigherOccupancyRanksFirst) {
  // Same tiles; shared memory limits one to 1 block (4 warps) per SM, the
  // other fits 4 (16 warps). 4096 tiles are whole waves of either.
  CudaParams params = tc(64, 64, 32, 4, 2);
  GemmProblem p = problem(4096, 4096, 4096);
  CostEstimate low = estimate(p, params, resources(128, 150000), h100());
  CostEstimate high = estimate(p, params, resources(128, 8192), h100());
  EXPECT_EQ(low.blocksPerSm, 1);
  EXPECT_EQ(high.blocksPerSm, 4);
  EXPECT_LT(high.computeSeconds, low.computeSeconds);
  EXPECT_TRUE(ranksBefore(high, low));
  EXPECT_FALSE(ranksBefore(low, high));
}

TEST(Tuner, FractionOfPeakAtMostOne) {
  for (const GpuSpec *gpu : {findGpuSpec("sm_80"), findGpuSpec("sm_90a")})
    for (const CudaParams &params : gemmTcCandidates())
      for (const char *precision : {"fp16", "tf32"})
        for (int64_t size : {1, 100, 4096}) {
          CostEstimate e = estimate(problem(size, size, size, precision),
                                    params, resources(64, 8192), *gpu);
          EXPECT_GT(e.fractionOfPeak, 0);
          EXPECT_LE(e.fractionOfPeak, 1.0);
        }
}

TEST(Tuner, Candidates) {
  std::vector<CudaParams> all = gemmTcCandidates();
  EXPECT_GT(all.size(), 20u);
  for (const CudaParams &p : all) {
    std::string error;
    EXPECT_TRUE(succeeded(CudaParams::parse(formatTcParams(p), error)))
        << error;
  }
}

TEST(Tuner, ParseProblem) {
  dsr1::Result<GemmProblem> p = parseGemmProblem("4,5,6,7", "bf16");
  ASSERT_TRUE(p);
  EXPECT_EQ(gemmSignature(*p, "sm_80"), "gemm-tc/bf16/4x5x6/b7/nn/sm_80");
  EXPECT_FALSE(parseGemmProblem("4,5", "fp16"));
  EXPECT_FALSE(parseGemmProblem("4,0,6", "fp16"));
  EXPECT_FALSE(parseGemmProblem("4,x,6", "fp16"));
  EXPECT_FALSE(parseGemmProblem("4,5,6", "fp8"));
}

TEST(Tuner, CacheRoundTrip) {
  std::string path = tempPath("tune.json");
  dsr1::Result<TuningCache> empty = TuningCache::load(path);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->size(), 0u);
  TuningCache cache;
  cache.insert("gemm-tc/fp16/8x8x8/b1/nn/sm_80",
               {formatTcParams(tc(64, 64, 16, 4, 3)), 1.5e-5, 0.25});
  ASSERT_TRUE(cache.save(path));
  dsr1::Result<TuningCache> read = TuningCache::load(path);
  ASSERT_TRUE(read) << read.status().message();
  const TuningEntry *entry = read->lookup("gemm-tc/fp16/8x8x8/b1/nn/sm_80");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->params, formatTcParams(tc(64, 64, 16, 4, 3)));
  EXPECT_DOUBLE_EQ(entry->seconds, 1.5e-5);
  EXPECT_DOUBLE_EQ(entry->fractionOfPeak, 0.25);
  EXPECT_EQ(read->lookup("gemm-tc/fp16/8x8x8/b1/nn/sm_90a"), nullptr);
}

TEST(Tuner, CorruptCacheIsAnError) {
  std::string path = tempPath("tune.json");
  for (const char *text :
       {"{\"version\": 1, \"entries\": {", "[1, 2]", "{\"entries\": {}}",
        "{\"version\": 1, \"entries\": {\"k\": {\"params\": \"tc-warps=3\", "
        "\"seconds\": 1, \"fraction_of_peak\": 0.5}}}",
        "{\"version\": 1, \"entries\": {\"k\": {\"seconds\": 1}}}"}) {
    std::ofstream(path) << text;
    dsr1::Result<TuningCache> read = TuningCache::load(path);
    ASSERT_FALSE(read) << text;
    EXPECT_NE(read.status().message().find("is not valid"), std::string::npos)
        << read.status().message();
  }
}

//===----------------------------------------------------------------------===//
// Convolution and attention
//===----------------------------------------------------------------------===//

namespace {

AttentionProblem attention(int64_t b, int64_t h, int64_t sq, int64_t skv,
                           int64_t d, bool causal) {
  dsr1::Result<AttentionProblem> p = parseAttentionProblem(
      std::to_string(b) + "," + std::to_string(h) + "," + std::to_string(sq) +
          "," + std::to_string(skv) + "," + std::to_string(d),
      "bf16", causal);
  EXPECT_TRUE(p) << p.status().message();
  return *p;
}

CudaParams attentionParams(int blockQ, int warps, int blockKv) {
  CudaParams p;
  p.attnTcBlockQ = blockQ;
  p.attnTcWarps = warps;
  p.attnTcBlockKv = blockKv;
  return p;
}

} // namespace

TEST(Tuner, AttentionFlops) {
  // 2 (dk + dv) per visible pair: 3 queries x 5 keys, or 1 + 2 + 3 pairs
  // under the top-left causal frontier.
  EXPECT_DOUBLE_EQ(attention(1, 1, 3, 5, 16, false).flops(), 2.0 * 32 * 15);
  EXPECT_DOUBLE_EQ(attention(1, 1, 3, 5, 16, true).flops(), 2.0 * 32 * 6);
  EXPECT_DOUBLE_EQ(attention(2, 4, 3, 5, 16, true).flops(), 8 * 2.0 * 32 * 6);
}

TEST(Tuner, AttentionModel) {
  KernelResources res = resources(200, 34816);
  CudaParams params = attentionParams(64, 4, 64);
  AttentionProblem full = attention(8, 16, 2048, 2048, 128, false);
  AttentionProblem causal = attention(8, 16, 2048, 2048, 128, true);
  CostEstimate f = estimateAttention(full, params, res, h100());
  CostEstimate c = estimateAttention(causal, params, res, h100());
  // 32 row blocks x 128 (batch, head) pairs, 2 blocks an SM.
  EXPECT_EQ(f.tiles, 32 * 128);
  EXPECT_EQ(f.blocksPerSm, 2);
  EXPECT_EQ(f.waves, (32 * 128 + 263) / 264);
  // Causal walks about half the keys.
  EXPECT_LT(c.computeSeconds, 0.6 * f.computeSeconds);
  EXPECT_GT(c.computeSeconds, 0.4 * f.computeSeconds);
  // Q, K, V and O once each.
  EXPECT_EQ(f.bytes, 8 * 16 * (2048 * 128 * 4) * 2);
  // Compute bound, under mma.sync's half of the H100 peak; the A100's
  // mma.sync reaches its whole peak, so the fraction is higher there.
  EXPECT_GT(f.computeSeconds, f.memorySeconds);
  EXPECT_LT(f.fractionOfPeak, 0.5);
  CostEstimate a100 =
      estimateAttention(full, params, res, *findGpuSpec("sm_80"));
  EXPECT_GT(a100.fractionOfPeak, f.fractionOfPeak);
  EXPECT_LT(a100.fractionOfPeak, 1.0);
  // Too much shared memory for any block: ranked last.
  EXPECT_EQ(estimateAttention(full, params, resources(64, 300000), h100())
                .blocksPerSm,
            0);
}

TEST(Tuner, AttentionCandidatesParse) {
  std::vector<CudaParams> all = attentionTcCandidates();
  EXPECT_EQ(all.size(), 9u); // 128 rows over 4 warps is 32 a warp: kept
  for (const CudaParams &p : all) {
    std::string error;
    EXPECT_TRUE(succeeded(CudaParams::parse(formatAttentionTcParams(p), error)))
        << error;
  }
}

TEST(Tuner, ConvAsGemm) {
  dsr1::Result<ConvProblem> p =
      parseConvProblem("32,128,28,28,256,3,3,2,1,2", "fp16");
  ASSERT_TRUE(p) << p.status().message();
  EXPECT_EQ(p->outH(), 14);
  EXPECT_EQ(p->outW(), 14);
  GemmProblem g = p->asGemm();
  EXPECT_EQ(g.m, 128);
  EXPECT_EQ(g.n, 14 * 14);
  EXPECT_EQ(g.k, 64 * 9);
  EXPECT_EQ(g.batch, 64);
  EXPECT_TRUE(p->gathered());
  // 1x1, unit stride, no padding, 28 x 28 = 784 pixels (a multiple of 8):
  // X is copied, not gathered; 7 x 7 = 49 pixels are not whole pieces.
  EXPECT_FALSE(parseConvProblem("1,64,28,28,64,1,1", "fp16")->gathered());
  EXPECT_TRUE(parseConvProblem("1,64,7,7,64,1,1", "fp16")->gathered());
  EXPECT_TRUE(parseConvProblem("1,64,28,28,64,1,1,2", "fp16")->gathered());
  EXPECT_FALSE(parseConvProblem("1,64,28,28,64,3,3,1,1,3", "fp16"));
  EXPECT_FALSE(parseConvProblem("1,64,2,2,64,5,5", "fp16"));
  EXPECT_FALSE(parseConvProblem("1,64,28,28,64,3,3", "fp8"));
}

TEST(Tuner, ConvModel) {
  KernelResources res = resources(128, 10752);
  CudaParams params = tc(64, 64, 16, 4, 2);
  ConvProblem p = *parseConvProblem("32,128,28,28,128,3,3,1,1", "fp16");
  CostEstimate conv = estimateConv(p, params, res, h100());
  CostEstimate gemm = estimate(p.asGemm(), params, res, h100());
  // X, W and Y once each; the gathered X costs issue slots the GEMM of the
  // same shape does not pay.
  EXPECT_EQ(conv.bytes,
            (32 * 128 * 28 * 28 + 128 * 128 * 9 + 32 * 128 * 28 * 28) * 2);
  EXPECT_GT(conv.computeSeconds, gemm.computeSeconds);
  // The gather is paid per element of X's tile: a taller tile (more output
  // channels sharing each gathered element) pays less of it per FLOP.
  CostEstimate tall = estimateConv(p, tc(128, 32, 16, 4, 2), res, h100());
  CostEstimate wide = estimateConv(p, tc(32, 128, 16, 4, 2), res, h100());
  EXPECT_LT(tall.computeSeconds, wide.computeSeconds);
  // A 1x1 convolution whose X is copied pays the GEMM's compute.
  ConvProblem pointwise = *parseConvProblem("32,128,28,28,128,1,1", "fp16");
  EXPECT_DOUBLE_EQ(
      estimateConv(pointwise, params, res, h100()).computeSeconds,
      estimate(pointwise.asGemm(), params, res, h100()).computeSeconds);
}

TEST(Tuner, ProblemsSignaturesAndReferences) {
  auto gemm = tuneProblem(problem(2, 2, 3));
  EXPECT_EQ(gemm->signature("sm_80"), "gemm-tc/fp16/2x2x3/b1/nn/sm_80");
  // [[1 2 3] [4 5 6]] x [[1 0] [0 1] [1 1]].
  EXPECT_EQ(gemm->reference({{1, 2, 3, 4, 5, 6}, {1, 0, 0, 1, 1, 1}}),
            (std::vector<double>{4, 5, 10, 11}));

  auto conv = tuneProblem(*parseConvProblem("1,2,3,3,2,2,2,1,0,2", "bf16"));
  EXPECT_EQ(conv->signature("sm_90a"),
            "conv-tc/bf16/n1c2h3w3/oc2k2x2s1p0d1g2/sm_90a");
  EXPECT_EQ(conv->resultShape(), (std::vector<int64_t>{1, 2, 2, 2}));
  // Group 0 sums the 2x2 windows of channel 0 (weights 1), group 1 takes
  // the top-left element of each window of channel 1 (weights 1 0 0 0).
  std::vector<double> x = {1,  2,  3,  4,  5,  6,  7,  8,  9,
                           10, 20, 30, 40, 50, 60, 70, 80, 90};
  EXPECT_EQ(conv->reference({x, {1, 1, 1, 1, 1, 0, 0, 0}}),
            (std::vector<double>{12, 16, 24, 28, 10, 20, 40, 50}));

  auto attn = tuneProblem(attention(1, 1, 2, 2, 16, true));
  EXPECT_EQ(attn->signature("sm_90a"),
            "attention-tc/bf16/b1h1/2x2/d16v16/causal/sm_90a");
  // Causal: query 0 sees key 0 only, so its output is V's row 0.
  std::vector<double> q(32, 0.5), k(32, 0.25), v(32);
  for (int i = 0; i < 32; ++i)
    v[i] = i;
  std::vector<double> o = attn->reference({q, k, v});
  for (int d = 0; d < 16; ++d) {
    EXPECT_DOUBLE_EQ(o[d], d);
    // Query 1 sees both keys with equal scores: the mean of the rows.
    EXPECT_DOUBLE_EQ(o[16 + d], (d + 16 + d) / 2.0);
  }
}

TEST(Tuner, SplitK) {
  // 128 x 128 x 16384: four 64x64 tiles for 132 SMs. Split 8 ways, 32
  // blocks share the K loop; the partials cost a reduction's bytes.
  GemmProblem p = problem(128, 128, 16384);
  KernelResources res = resources(96, 16384);
  CudaParams one = tc(64, 64, 32, 4, 2);
  CudaParams split = one;
  split.tcSplitK = 8;
  CostEstimate base = estimate(p, one, res, h100());
  CostEstimate shared = estimate(p, split, res, h100());
  EXPECT_EQ(base.tiles, 4);
  EXPECT_EQ(shared.tiles, 32);
  EXPECT_LT(shared.seconds, base.seconds / 4);
  EXPECT_GT(shared.bytes, base.bytes);
  EXPECT_EQ(formatTcParams(split), formatTcParams(one) + ",tc-split-k=8");
  // A GEMM that fills the GPU gets no split-k candidates; this one does,
  // and every one parses.
  EXPECT_EQ(gemmTcCandidates(problem(4096, 4096, 4096), h100()).size(),
            gemmTcCandidates().size());
  std::vector<CudaParams> all = gemmTcCandidates(p, h100());
  EXPECT_GT(all.size(), gemmTcCandidates().size());
  for (const CudaParams &c : all) {
    std::string error;
    EXPECT_TRUE(succeeded(CudaParams::parse(formatTcParams(c), error)))
        << error;
  }
}
