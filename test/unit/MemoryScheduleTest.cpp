//===- MemoryScheduleTest.cpp - arena placement and budgets ---------------===//
//
// Properties of the arena placement over random live intervals (no two
// buffers live at one step overlap; the arena is at least the lower bound)
// and the budget syntax.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/MemorySchedule.h"

#include <gtest/gtest.h>

#include <random>

using namespace dsr1::memory;

namespace {

TEST(MemoryScheduleTest, PlacementNeverOverlapsLiveBuffers) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 200; ++trial) {
    int steps = 1 + static_cast<int>(random() % 40);
    std::vector<Interval> buffers(1 + random() % 60);
    for (Interval &buffer : buffers) {
      buffer.first = static_cast<int>(random() % steps);
      buffer.last =
          buffer.first + static_cast<int>(random() % (steps - buffer.first));
      buffer.bytes = alignedSize(1 + random() % 5000);
    }
    Placement placement = placeBuffers(buffers);
    ASSERT_EQ(placement.offsets.size(), buffers.size());
    uint64_t top = 0;
    for (size_t a = 0; a < buffers.size(); ++a) {
      EXPECT_EQ(placement.offsets[a] % kAlignment, 0u);
      top = std::max(top, placement.offsets[a] + buffers[a].bytes);
      for (size_t b = a + 1; b < buffers.size(); ++b) {
        bool liveTogether = buffers[a].first <= buffers[b].last &&
                            buffers[b].first <= buffers[a].last;
        bool apart =
            placement.offsets[a] + buffers[a].bytes <= placement.offsets[b] ||
            placement.offsets[b] + buffers[b].bytes <= placement.offsets[a];
        EXPECT_TRUE(!liveTogether || apart)
            << "trial " << trial << ": buffers " << a << " and " << b;
      }
    }
    EXPECT_EQ(placement.peak, top);
    EXPECT_GE(placement.peak, lowerBound(buffers));
    EXPECT_LE(placement.peak, totalBytes(buffers));
  }
}

TEST(MemoryScheduleTest, NestedLifetimesReachTheLowerBound) {
  // A U-Net's skips: each level's buffer outlives the deeper ones.
  std::vector<Interval> buffers;
  for (int level = 0; level < 5; ++level)
    buffers.push_back({level, 10 - level, alignedSize(1024u >> level)});
  EXPECT_EQ(placeBuffers(buffers).peak, lowerBound(buffers));
}

TEST(MemoryScheduleTest, Budgets) {
  auto bytes = [](const char *text, uint64_t unconstrained = 1000) {
    std::optional<Budget> budget = parseBudget(text);
    return budget ? std::optional<uint64_t>(budget->bytes(unconstrained))
                  : std::nullopt;
  };
  EXPECT_EQ(bytes("1048576"), 1048576u);
  EXPECT_EQ(bytes("512K"), 512000u);
  EXPECT_EQ(bytes("1.5G"), 1500000000u);
  EXPECT_EQ(bytes("64MiB"), 64u << 20);
  EXPECT_EQ(bytes("2KiB"), 2048u);
  EXPECT_EQ(bytes("100B"), 100u);
  EXPECT_EQ(bytes("50%"), 500u);
  EXPECT_EQ(bytes(" 75 % "), 750u);
  EXPECT_EQ(bytes("0"), 0u);
  for (const char *bad : {"", "%", "lots", "-5", "150%", "1e400", "12Q", "nan"})
    EXPECT_FALSE(parseBudget(bad)) << bad;
}

} // namespace
