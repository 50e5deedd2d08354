//===- TuneCheckTest.cpp - tuner candidates run on cuda-emu ---------------===//
//
// The check the tuner runs before choosing a candidate: each family's kernel
// at its small shape, on cuda-emu, against the problem's direct evaluation;
// and a wrong reference is caught, naming the element.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/TuneCheck.h"
#include "codegen/cuda/Nvrtc.h"

#include "EmuTestSupport.h"

#include <gtest/gtest.h>

#include <stdlib.h>

using namespace dsr1::cuda;

namespace {

/// A problem whose reference is off by one everywhere: no kernel matches it.
class WrongReference : public TuneProblem {
public:
  explicit WrongReference(std::unique_ptr<TuneProblem> inner)
      : inner_(std::move(inner)) {}
  std::string family() const override { return inner_->family(); }
  std::string signature(const std::string &arch) const override {
    return inner_->signature(arch);
  }
  std::string moduleText() const override { return inner_->moduleText(); }
  std::vector<CudaParams> candidates() const override {
    return inner_->candidates();
  }
  std::string formatParams(const CudaParams &p) const override {
    return inner_->formatParams(p);
  }
  CostEstimate estimate(const CudaParams &p, const KernelResources &r,
                        const GpuSpec &g) const override {
    return inner_->estimate(p, r, g);
  }
  double peakTflops(const GpuSpec &g) const override {
    return inner_->peakTflops(g);
  }
  std::unique_ptr<TuneProblem> small() const override {
    return inner_->small();
  }
  std::unique_ptr<TuneProblem> clone() const override {
    return std::make_unique<WrongReference>(inner_->clone());
  }
  std::string precision() const override { return inner_->precision(); }
  double flops() const override { return inner_->flops(); }
  std::vector<std::vector<int64_t>> operandShapes() const override {
    return inner_->operandShapes();
  }
  std::vector<int64_t> resultShape() const override {
    return inner_->resultShape();
  }
  std::vector<double>
  reference(const std::vector<std::vector<double>> &x) const override {
    std::vector<double> r = inner_->reference(x);
    for (double &v : r)
      v += 1;
    return r;
  }

private:
  std::unique_ptr<TuneProblem> inner_;
};

} // namespace

TEST(TuneCheck, EveryFamilyPassesAtItsSmallShape) {
  const std::string &dir = dsr1::test::emuCacheDir();
  GemmProblem gemm = *parseGemmProblem("4096,4096,4096", "bf16");
  ConvProblem conv = *parseConvProblem("8,64,56,56,64,3,3,1,1", "fp16");
  AttentionProblem attention =
      *parseAttentionProblem("8,16,2048,2048,64", "fp16", /*causal=*/true);
  std::unique_ptr<TuneProblem> problems[] = {tuneProblem(gemm)->small(),
                                             tuneProblem(conv)->small(),
                                             tuneProblem(attention)->small()};
  CudaParams params[] = {gemmTcParams(32, 64, 32, 2, 3),
                         gemmTcParams(64, 64, 16, 4, 2), CudaParams()};
  for (size_t i = 0; i < 3; ++i) {
    dsr1::Status s = dsr1::checkOnEmu(*problems[i], params[i], dir);
    EXPECT_TRUE(s) << problems[i]->family() << ": " << s.message();
  }
}

TEST(TuneCheck, AWrongResultIsRejected) {
  WrongReference wrong(
      tuneProblem(*parseGemmProblem("64,64,64", "tf32"))->small());
  dsr1::Status s = dsr1::checkOnEmu(wrong, gemmTcParams(64, 64, 16, 4, 2),
                                    dsr1::test::emuCacheDir());
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("element 0 of 3015 is"), std::string::npos)
      << s.message();
}

namespace {

/// The fake CUDA driver as an sm_90 GPU for one test; NVRTC, or a skip.
class TuneMeasure : public testing::Test {
protected:
  void SetUp() override {
    setenv("DSR1_CUDA_DRIVER", DSR1_FAKE_CUDA_DRIVER, 1);
    setenv("DSR1_FAKE_CUDA_CC", "90", 1);
    dsr1::Result<std::shared_ptr<Nvrtc>> nvrtc = Nvrtc::load();
    if (!nvrtc)
      GTEST_SKIP() << nvrtc.status().message();
    nvrtc_ = *nvrtc;
    dsr1::Result<std::shared_ptr<CudaDriver>> driver = CudaDriver::load();
    ASSERT_TRUE(driver) << driver.status().message();
    driver_ = *driver;
  }
  void TearDown() override {
    unsetenv("DSR1_CUDA_DRIVER");
    unsetenv("DSR1_FAKE_CUDA_CC");
  }
  std::shared_ptr<Nvrtc> nvrtc_;
  std::shared_ptr<CudaDriver> driver_;
};

} // namespace

TEST_F(TuneMeasure, TimesTheKernelOnTheGpu) {
  // The fake driver's events say 1 ms a launch.
  auto problem = tuneProblem(*parseAttentionProblem("1,2,64,64,64", "fp16",
                                                    /*causal=*/false));
  dsr1::Result<double> seconds =
      dsr1::measureOnGpu(*problem, CudaParams(), driver_, *nvrtc_, nullptr, 4);
  ASSERT_TRUE(seconds) << seconds.status().message();
  EXPECT_NEAR(*seconds, 1e-3, 1e-6);
  // Split-kv decoding is two launches a run.
  auto decode = tuneProblem(*parseAttentionProblem("1,2,1,300,64", "fp16",
                                                   /*causal=*/false));
  dsr1::Result<double> twice =
      dsr1::measureOnGpu(*decode, CudaParams(), driver_, *nvrtc_, nullptr, 4);
  ASSERT_TRUE(twice) << twice.status().message();
  EXPECT_NEAR(*twice, 2e-3, 1e-6);
}

TEST_F(TuneMeasure, MeasuredCandidatesRankFirstByTime) {
  auto problem = tuneProblem(*parseGemmProblem("128,128,128", "fp16"));
  const GpuSpec &gpu = *findGpuSpec("sm_90a");
  // Timings that reverse the model's order of its best three.
  TuneOptions options;
  options.measureTop = 3;
  std::vector<std::string> timed;
  options.measure = [&](const CudaParams &params) -> dsr1::Result<double> {
    timed.push_back(formatTcParams(params));
    return 1e-3 / double(timed.size());
  };
  dsr1::Result<TuneResult> result =
      tune(*problem, gpu, *nvrtc_, nullptr, options);
  ASSERT_TRUE(result) << result.status().message();
  ASSERT_EQ(timed.size(), 3u);
  EXPECT_EQ(result->measured, 3);
  EXPECT_EQ(formatTcParams(result->ranked[0].params), timed[2]);
  EXPECT_EQ(formatTcParams(result->ranked[1].params), timed[1]);
  EXPECT_EQ(formatTcParams(result->ranked[2].params), timed[0]);
  EXPECT_DOUBLE_EQ(result->ranked[0].measuredSeconds, 1e-3 / 3);
  EXPECT_LT(result->ranked[3].measuredSeconds, 0);
}
