//===- TuneCheckTest.cpp - tuner candidates run on cuda-emu ---------------===//
//
// The check the tuner runs before choosing a candidate: each family's kernel
// at its small shape, on cuda-emu, against the problem's direct evaluation;
// and a wrong reference is caught, naming the element.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/TuneCheck.h"

#include "EmuTestSupport.h"

#include <gtest/gtest.h>

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
  std::string precision() const override { return inner_->precision(); }
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
