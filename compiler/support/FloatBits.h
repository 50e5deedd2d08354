//===- FloatBits.h - f32 to f16 / bf16 / tf32 on the bits -------*- C++ -*-===//
//
// Round-to-nearest-even conversions written on the IEEE bits, for converting
// whole weight tensors at compile time (APFloat is exact too, but two orders
// of magnitude slower per element) and for emulating TF32 inputs.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_SUPPORT_FLOATBITS_H
#define DSR1_SUPPORT_FLOATBITS_H

#include <cstdint>
#include <cstring>

namespace dsr1 {

inline uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

inline float floatFromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

/// `value` rounded to IEEE binary16, ties to even; too large becomes
/// infinity, NaN stays a quiet NaN.
inline uint16_t floatToHalfBits(float value) {
  uint32_t f = floatBits(value);
  uint32_t sign = (f >> 16) & 0x8000u;
  f &= 0x7fffffffu;
  if (f >= 0x7f800000u)
    return static_cast<uint16_t>(
        sign | 0x7c00u | (f > 0x7f800000u ? 0x200u | ((f >> 13) & 0x3ffu) : 0));
  // 65520 and above round to infinity.
  if (f >= 0x477ff000u)
    return static_cast<uint16_t>(sign | 0x7c00u);
  uint32_t exponent = f >> 23;
  if (exponent < 113) {
    // Below 2^-14: a subnormal half, in units of 2^-24. Under 2^-25 is 0.
    if (exponent < 102)
      return static_cast<uint16_t>(sign);
    uint32_t mantissa = (f & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126 - exponent;
    uint32_t rounded = mantissa >> shift;
    uint32_t rest = mantissa & ((1u << shift) - 1);
    uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (rounded & 1)))
      ++rounded;
    return static_cast<uint16_t>(sign | rounded);
  }
  // Rebias the exponent (127 -> 15) and keep 10 of the 23 mantissa bits; a
  // carry out of the mantissa correctly increments the exponent.
  uint32_t rounded = (f - 0x38000000u) >> 13;
  uint32_t rest = f & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (rounded & 1)))
    ++rounded;
  return static_cast<uint16_t>(sign | rounded);
}

/// `value` rounded to bfloat16, ties to even; NaN stays a quiet NaN.
inline uint16_t floatToBf16Bits(float value) {
  uint32_t f = floatBits(value);
  if ((f & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((f >> 16) | 0x40u);
  return static_cast<uint16_t>((f + 0x7fffu + ((f >> 16) & 1u)) >> 16);
}

/// The f32 of IEEE binary16 `bits` (exact: every half is an f32).
inline float halfBitsToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1fu) // infinity or NaN (the payload kept)
    return floatFromBits(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0)
    return floatFromBits(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  // Zero or subnormal: mantissa x 2^-24, exact in f32.
  float magnitude = float(mantissa) * (1.0f / 16777216.0f);
  return sign ? -magnitude : magnitude;
}

/// The f32 of bfloat16 `bits`.
inline float bf16BitsToFloat(uint16_t bits) {
  return floatFromBits(uint32_t(bits) << 16);
}

/// `value` rounded to TF32 (10 mantissa bits, f32 range) as the GPU's
/// cvt.rna.tf32.f32 does: to nearest, ties away from zero. NaN and infinity
/// are unchanged.
inline float roundToTf32(float value) {
  uint32_t f = floatBits(value);
  if ((f & 0x7f800000u) == 0x7f800000u)
    return value;
  return floatFromBits((f + 0x1000u) & 0xffffe000u);
}

} // namespace dsr1

#endif // DSR1_SUPPORT_FLOATBITS_H
