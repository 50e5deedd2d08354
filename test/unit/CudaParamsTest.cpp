//===- CudaParamsTest.cpp - --cuda-params parsing and validation ----------===//
//
// The tensor-core GEMM's and attention's parameters: defaults, the warp
// layout chosen for a tile, and the errors for values the templates cannot
// use.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaEmitter.h"

#include <gtest/gtest.h>

using dsr1::cuda::CudaParams;

namespace {

/// The error parsing `text` gives, or "" when it parses.
std::string errorOf(const std::string &text) {
  std::string error;
  if (succeeded(CudaParams::parse(text, error)))
    return "";
  return error;
}

TEST(CudaParams, TensorCoreDefaults) {
  std::string error;
  mlir::FailureOr<CudaParams> p = CudaParams::parse("", error);
  ASSERT_TRUE(succeeded(p)) << error;
  EXPECT_EQ(p->tcTileM, 64);
  EXPECT_EQ(p->tcTileN, 64);
  EXPECT_EQ(p->tcTileK, 16);
  EXPECT_EQ(p->tcWarps, 4);
  EXPECT_EQ(p->tcStages, 2);
  // 2x2 warps of 32x32.
  EXPECT_EQ(p->tcWarpsM(), 2);
  // f32 worst case: A and B 64 rows of 16 + 8, two stages.
  EXPECT_EQ(p->tcSharedBytes(), 2 * 2 * 64 * 24 * 4);
}

TEST(CudaParams, TensorCoreWarpLayout) {
  std::string error;
  auto layout = [&](const std::string &text) {
    mlir::FailureOr<CudaParams> p = CudaParams::parse(text, error);
    EXPECT_TRUE(succeeded(p)) << text << ": " << error;
    return succeeded(p) ? p->tcWarpsM() : -1;
  };
  // The squarest warp tile: 32x64 with 2 warps is 2x1 warps of 16x64 or
  // 1x2 of 32x32.
  EXPECT_EQ(layout("tc-tile-m=32,tc-tile-n=64,tc-warps=2"), 1);
  EXPECT_EQ(layout("tc-tile-m=128,tc-tile-n=64,tc-warps=8"), 4);
  EXPECT_EQ(layout("tc-tile-m=16,tc-tile-n=128,tc-warps=8"), 1);
  EXPECT_EQ(layout("tc-tile-m=32,tc-tile-n=32,tc-warps=1"), 1);
}

TEST(CudaParams, TensorCoreErrors) {
  EXPECT_EQ(errorOf("tc-tile-m=32,tc-tile-n=64,tc-tile-k=32,tc-warps=2,"
                    "tc-stages=3"),
            "");
  EXPECT_NE(errorOf("tc-tile-m=24").find("multiples of 16"), std::string::npos);
  EXPECT_NE(errorOf("tc-tile-k=8").find("multiples of 16"), std::string::npos);
  EXPECT_NE(errorOf("tc-warps=3").find("no layout of tc-warps warps"),
            std::string::npos);
  EXPECT_NE(errorOf("tc-warps=64").find("tc-warps is at most 32"),
            std::string::npos);
  EXPECT_NE(errorOf("tc-stages=1").find("tc-stages is 2, 3 or 4"),
            std::string::npos);
  EXPECT_NE(errorOf("tc-warps=1").find("a warp's tile"), std::string::npos);
  EXPECT_NE(errorOf("tc-tile-k=128,tc-stages=4").find("48 KiB"),
            std::string::npos);
  EXPECT_NE(errorOf("tc-tile-x=1").find("tc-stages"), std::string::npos);
  // tc-swizzle is the one parameter that takes 0.
  EXPECT_EQ(errorOf("tc-swizzle=0"), "");
  EXPECT_NE(errorOf("tc-swizzle=2").find("needs 0 or 1"), std::string::npos);
  EXPECT_NE(errorOf("tc-warps=0").find("needs a positive integer"),
            std::string::npos);
  EXPECT_EQ(errorOf("tc-split-k=16"), "");
  EXPECT_NE(errorOf("tc-split-k=17").find("tc-split-k"), std::string::npos);
}

TEST(CudaParams, AttentionTensorCoreErrors) {
  EXPECT_EQ(errorOf("attention-tc-block-q=32,attention-tc-warps=1,"
                    "attention-tc-block-kv=16"),
            "");
  EXPECT_EQ(errorOf("attention-tc-block-q=128,attention-tc-warps=8"), "");
  // 48 rows over 2 warps is 24 a warp; 128 over 2 is 64.
  EXPECT_NE(errorOf("attention-tc-block-q=48,attention-tc-warps=2")
                .find("16 or 32 query rows a warp"),
            std::string::npos);
  EXPECT_NE(errorOf("attention-tc-block-q=128,attention-tc-warps=2")
                .find("16 or 32 query rows a warp"),
            std::string::npos);
  EXPECT_NE(errorOf("attention-tc-block-q=512,attention-tc-warps=32")
                .find("attention-tc-warps is at most 16"),
            std::string::npos);
  EXPECT_NE(errorOf("attention-tc-block-kv=24").find("multiple of 16"),
            std::string::npos);
  EXPECT_NE(errorOf("attention-tc-block-kv=256").find("at most 128"),
            std::string::npos);
}

} // namespace
