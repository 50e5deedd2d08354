//===- ShapeInferenceTest.cpp - unit tests of the shared shape rules
//--------===//
//
// The shape arithmetic in ShapeInference.h against values worked out from the
// numpy, ONNX and PyTorch definitions.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/ShapeInference.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

using namespace dsr1;

namespace {

constexpr int64_t kDyn = mlir::ShapedType::kDynamic;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::vector<int64_t> broadcast(llvm::ArrayRef<int64_t> a,
                               llvm::ArrayRef<int64_t> b) {
  llvm::SmallVector<int64_t> result;
  if (!broadcastShapes(a, b, result))
    return {-42};
  return {result.begin(), result.end()};
}

TEST(ShapeInferenceTest, BroadcastFollowsNumpy) {
  EXPECT_EQ(broadcast({4, 1}, {3}), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(broadcast({}, {2, 2}), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(broadcast({8, 1, 6, 1}, {7, 1, 5}),
            (std::vector<int64_t>{8, 7, 6, 5}));
  EXPECT_EQ(broadcast({2, 3}, {4, 3}), (std::vector<int64_t>{-42}));
  // Dynamic dims: ? vs 1 stays ?, ? vs n > 1 is n, ? vs ? is ?.
  EXPECT_EQ(broadcast({kDyn}, {1}), (std::vector<int64_t>{kDyn}));
  EXPECT_EQ(broadcast({kDyn}, {5}), (std::vector<int64_t>{5}));
  EXPECT_EQ(broadcast({kDyn, 3}, {kDyn, 1}), (std::vector<int64_t>{kDyn, 3}));
  // A zero-sized dim broadcasts against 1 only.
  EXPECT_EQ(broadcast({0}, {1}), (std::vector<int64_t>{0}));
  EXPECT_EQ(broadcast({0}, {2}), (std::vector<int64_t>{-42}));
}

TEST(ShapeInferenceTest, WindowSizesMatchOnnxAndPyTorch) {
  // ResNet stem: 224, kernel 7, stride 2, pads 3 + 3 -> 112.
  EXPECT_EQ(windowOutputSize(224, 7, 2, 3, 3, 1, false), 112);
  // Dilation 2 makes a 3-wide kernel span 5.
  EXPECT_EQ(windowOutputSize(10, 3, 1, 0, 0, 2, false), 6);
  // ceil_mode rounds up: 5, kernel 2, stride 2 -> 2 (floor), 3 (ceil).
  EXPECT_EQ(windowOutputSize(5, 2, 2, 0, 0, 1, false), 2);
  EXPECT_EQ(windowOutputSize(5, 2, 2, 0, 0, 1, true), 3);
  // ... but never a window that starts in the end padding (PyTorch,
  // onnxruntime).
  EXPECT_EQ(windowOutputSize(5, 2, 2, 1, 1, 1, true), 3);
  EXPECT_EQ(windowOutputSize(kDyn, 3, 1, 1, 1, 1, false), kDyn);
  EXPECT_EQ(windowOutputSize(2, 5, 1, 0, 0, 1, false), std::nullopt);
  EXPECT_EQ(windowOutputSize(8, 3, 1, 0, 0, kMax, false), std::nullopt);
  EXPECT_EQ(windowOutputSize(8, 2, kMax, kMax, 0, 1, true), std::nullopt);
}

TEST(ShapeInferenceTest, SliceLengthMatchesPythonSlicing) {
  // len(range(10)[0:-1]), [-3:], [-100:4], [::3], [2:0:-1] on 2, [::-1], [5:5]
  EXPECT_EQ(sliceLength(10, 0, -1, 1), 9);
  EXPECT_EQ(sliceLength(10, -3, kMax, 1), 3);
  EXPECT_EQ(sliceLength(10, -100, 4, 1), 4);
  EXPECT_EQ(sliceLength(10, 0, kMax, 3), 4);
  EXPECT_EQ(sliceLength(2, 2, 0, -1), 1);
  EXPECT_EQ(sliceLength(10, -1, -kMax, -1), 10);
  EXPECT_EQ(sliceLength(10, 5, 5, 1), 0);
  EXPECT_EQ(sliceLength(10, 8, 2, -2), 3); // 8, 6, 4
  // Extreme bounds and steps must not overflow.
  EXPECT_EQ(sliceLength(10, 5, 0, std::numeric_limits<int64_t>::min()), 1);
  EXPECT_EQ(sliceLength(10, std::numeric_limits<int64_t>::min(), kMax, kMax),
            1);
  EXPECT_EQ(sliceLength(10, kMax, std::numeric_limits<int64_t>::min(), -1), 10);
}

TEST(ShapeInferenceTest, ReshapeResolvesZeroAndMinusOne) {
  ShapeError err(std::nullopt, "test");
  llvm::SmallVector<int64_t> result;
  ASSERT_TRUE(mlir::succeeded(
      inferReshapeShape({2, kDyn, 768}, {0, 0, 12, 64}, result, err)));
  EXPECT_EQ(std::vector<int64_t>(result.begin(), result.end()),
            (std::vector<int64_t>{2, kDyn, 12, 64}));
  ASSERT_TRUE(mlir::succeeded(inferReshapeShape({4, 6}, {-1, 3}, result, err)));
  EXPECT_EQ(std::vector<int64_t>(result.begin(), result.end()),
            (std::vector<int64_t>{8, 3}));
  EXPECT_TRUE(mlir::failed(inferReshapeShape({4, 6}, {5, -1}, result, err)));
  EXPECT_TRUE(mlir::failed(inferReshapeShape({4, 6}, {-1, -1}, result, err)));
  EXPECT_TRUE(mlir::failed(inferReshapeShape({4, 6}, {5, 5}, result, err)));
  EXPECT_TRUE(mlir::failed(inferReshapeShape({4}, {0, 0}, result, err)));
}

TEST(ShapeInferenceTest, MatMulPromotesVectors) {
  ShapeError err(std::nullopt, "test");
  llvm::SmallVector<int64_t> result;
  ASSERT_TRUE(mlir::succeeded(inferMatMulShape({3}, {2, 3, 5}, result, err)));
  EXPECT_EQ(std::vector<int64_t>(result.begin(), result.end()),
            (std::vector<int64_t>{2, 5}));
  ASSERT_TRUE(mlir::succeeded(inferMatMulShape({4}, {4}, result, err)));
  EXPECT_TRUE(result.empty());
  EXPECT_TRUE(mlir::failed(inferMatMulShape({2, 3}, {4, 5}, result, err)));
  EXPECT_TRUE(
      mlir::failed(inferMatMulShape({2, 2, 3}, {3, 3, 5}, result, err)));
}

TEST(ShapeInferenceTest, AxesAndPermutations) {
  EXPECT_TRUE(isPermutation({0, 2, 1, 3}, 4));
  EXPECT_FALSE(isPermutation({0, 1, 1}, 3));
  EXPECT_FALSE(isPermutation({0, 1}, 3));
  EXPECT_TRUE(areValidAxes({}, 2));
  EXPECT_FALSE(areValidAxes({2}, 2));
  EXPECT_FALSE(areValidAxes({-1}, 2));
  EXPECT_EQ(formatShape({2, kDyn, 8}), "2x?x8");
  EXPECT_EQ(formatShape({}), "scalar");
  EXPECT_EQ(formatList({1, -1, 0}), "[1, -1, 0]");
}

} // namespace
