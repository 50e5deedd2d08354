//===- FloatBitsTest.cpp - the bit-level f16 / bf16 / tf32 roundings ------===//
//
// compiler/support/FloatBits.h converts weights and emulates TF32 on its own
// bit arithmetic; LLVM's APFloat is the independent reference, on every
// boundary (subnormals, the overflow threshold, ties) and on random bits.
//
//===----------------------------------------------------------------------===//

#include "compiler/support/FloatBits.h"

#include "llvm/ADT/APFloat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using llvm::APFloat;

uint16_t reference(float value, const llvm::fltSemantics &semantics) {
  APFloat x(value);
  bool lost;
  x.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
  return static_cast<uint16_t>(x.bitcastToAPInt().getZExtValue());
}

float referenceTf32(float value) {
  APFloat x(value);
  bool lost;
  x.convert(APFloat::FloatTF32(), APFloat::rmNearestTiesToAway, &lost);
  x.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
  return x.convertToFloat();
}

/// Boundaries of the three formats, both signs, and random bit patterns.
std::vector<float> samples() {
  std::vector<uint32_t> bits = {
      0x00000000u, 0x00000001u, 0x007fffffu, 0x00800000u, // f32 subnormals
      0x33000000u, 0x33000001u, 0x337fffffu, 0x33800000u, // around 2^-25
      0x387fe000u, 0x387ff000u, 0x38800000u,              // f16 smallest normal
      0x3f800000u, 0x3f801000u, 0x3f803000u, 0x3f800fffu, // ties at 1.0
      0x477fe000u, 0x477fefffu, 0x477ff000u, 0x477ff001u, // 65504 .. 65520
      0x7f7fffffu, 0x7f7ff000u, 0x7f7fefffu,              // the largest floats
      0x7f800000u, 0x7fc00000u, 0x7f800001u, 0x7fffffffu, // inf, NaNs
  };
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i)
    bits.push_back(rng());
  std::vector<float> values;
  for (uint32_t b : bits) {
    values.push_back(dsr1::floatFromBits(b));
    values.push_back(dsr1::floatFromBits(b ^ 0x80000000u));
  }
  return values;
}

TEST(FloatBits, HalfMatchesAPFloat) {
  for (float x : samples()) {
    uint16_t got = dsr1::floatToHalfBits(x);
    if (std::isnan(x)) {
      EXPECT_EQ(got & 0x7e00u, 0x7e00u) << "a quiet NaN for " << x;
      continue;
    }
    ASSERT_EQ(got, reference(x, APFloat::IEEEhalf()))
        << "bits 0x" << std::hex << dsr1::floatBits(x);
  }
}

TEST(FloatBits, Bf16MatchesAPFloat) {
  for (float x : samples()) {
    uint16_t got = dsr1::floatToBf16Bits(x);
    if (std::isnan(x)) {
      EXPECT_EQ(got & 0x7fc0u, 0x7fc0u) << "a quiet NaN for " << x;
      continue;
    }
    ASSERT_EQ(got, reference(x, APFloat::BFloat()))
        << "bits 0x" << std::hex << dsr1::floatBits(x);
  }
}

TEST(FloatBits, HalfAndBf16ToFloatMatchAPFloat) {
  for (uint32_t bits = 0; bits < 0x10000u; ++bits) {
    bool lossy = false;
    APFloat half(APFloat::IEEEhalf(), llvm::APInt(16, bits));
    half.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lossy);
    APFloat bf16(APFloat::BFloat(), llvm::APInt(16, bits));
    bf16.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lossy);
    float h = dsr1::halfBitsToFloat(uint16_t(bits));
    float b = dsr1::bf16BitsToFloat(uint16_t(bits));
    if (half.isNaN()) {
      EXPECT_TRUE(std::isnan(h)) << std::hex << bits;
    } else {
      ASSERT_EQ(dsr1::floatBits(h), dsr1::floatBits(half.convertToFloat()))
          << "half bits 0x" << std::hex << bits;
      // Back to the same bits.
      EXPECT_EQ(dsr1::floatToHalfBits(h), bits);
    }
    if (bf16.isNaN()) {
      EXPECT_TRUE(std::isnan(b)) << std::hex << bits;
    } else {
      ASSERT_EQ(dsr1::floatBits(b), dsr1::floatBits(bf16.convertToFloat()))
          << "bf16 bits 0x" << std::hex << bits;
    }
  }
}

TEST(FloatBits, Tf32RoundsToNearestTiesAway) {
  for (float x : samples()) {
    float got = dsr1::roundToTf32(x);
    if (std::isnan(x)) {
      EXPECT_TRUE(std::isnan(got));
      continue;
    }
    ASSERT_EQ(dsr1::floatBits(got), dsr1::floatBits(referenceTf32(x)))
        << "bits 0x" << std::hex << dsr1::floatBits(x);
  }
  // A tie goes away from zero (1 + 2^-11 is halfway between TF32 neighbours).
  EXPECT_EQ(dsr1::roundToTf32(1.0f + std::ldexp(1.0f, -11)),
            1.0f + std::ldexp(1.0f, -10));
  EXPECT_EQ(dsr1::roundToTf32(-1.0f - std::ldexp(1.0f, -11)),
            -1.0f - std::ldexp(1.0f, -10));
}

} // namespace
