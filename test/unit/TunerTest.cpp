//===- TunerTest.cpp - the gemm-tc cost model and tuning cache ------------===//

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
