//===- HostTensor.cpp - tensors in host memory for the runtime ------------===//
//
// Element sizes and names, and element decoding for comparisons.
//
//===----------------------------------------------------------------------===//

#include "runtime/HostTensor.h"

#include "compiler/support/FloatBits.h"

#include <cmath>
#include <cstring>

namespace dsr1 {

size_t elementSize(DType type) {
  switch (type) {
  case DType::f16:
  case DType::bf16:
  case DType::i16:
  case DType::u16:
    return 2;
  case DType::f32:
  case DType::i32:
  case DType::u32:
    return 4;
  case DType::f64:
  case DType::i64:
  case DType::u64:
    return 8;
  case DType::i8:
  case DType::u8:
  case DType::i1:
  case DType::f8E4M3FN:
  case DType::f8E4M3FNUZ:
  case DType::f8E5M2:
  case DType::f8E5M2FNUZ:
  case DType::f8E8M0FNU:
  case DType::f4E2M1FN:
  case DType::i4:
  case DType::u4:
  case DType::i2:
  case DType::u2:
    return 1;
  }
  return 0;
}

unsigned packedBits(DType type) {
  switch (type) {
  case DType::f4E2M1FN:
  case DType::i4:
  case DType::u4:
    return 4;
  case DType::i2:
  case DType::u2:
    return 2;
  default:
    return 8 * elementSize(type);
  }
}

const char *dtypeName(DType type) {
  switch (type) {
  case DType::f16:
    return "f16";
  case DType::bf16:
    return "bf16";
  case DType::f32:
    return "f32";
  case DType::f64:
    return "f64";
  case DType::i8:
    return "i8";
  case DType::i16:
    return "i16";
  case DType::i32:
    return "i32";
  case DType::i64:
    return "i64";
  case DType::u8:
    return "u8";
  case DType::u16:
    return "u16";
  case DType::u32:
    return "u32";
  case DType::u64:
    return "u64";
  case DType::i1:
    return "i1";
  case DType::f8E4M3FN:
    return "f8E4M3FN";
  case DType::f8E4M3FNUZ:
    return "f8E4M3FNUZ";
  case DType::f8E5M2:
    return "f8E5M2";
  case DType::f8E5M2FNUZ:
    return "f8E5M2FNUZ";
  case DType::f8E8M0FNU:
    return "f8E8M0FNU";
  case DType::f4E2M1FN:
    return "f4E2M1FN";
  case DType::i4:
    return "i4";
  case DType::u4:
    return "u4";
  case DType::i2:
    return "i2";
  case DType::u2:
    return "u2";
  }
  return "?";
}

double decodeNarrowFloat(DType type, uint8_t bits) {
  if (type == DType::f8E8M0FNU) // 2^(bits - 127), no sign, no zero
    return bits == 0xff ? NAN : std::ldexp(1.0, int(bits) - 127);
  // Sign, exponent and mantissa fields, and where each format keeps NaN:
  // FN formats in the all-ones pattern, FNUZ ones in "negative zero",
  // E5M2 as IEEE (inf and NaN at the top exponent), E2M1 nowhere.
  int exponentBits = 4, mantissaBits = 3, bias = 7;
  switch (type) {
  case DType::f8E4M3FN:
    if ((bits & 0x7f) == 0x7f)
      return NAN;
    break;
  case DType::f8E4M3FNUZ:
    bias = 8;
    if (bits == 0x80)
      return NAN;
    break;
  case DType::f8E5M2:
    exponentBits = 5, mantissaBits = 2, bias = 15;
    if ((bits & 0x7c) == 0x7c)
      return (bits & 3) ? NAN : (bits & 0x80 ? -INFINITY : INFINITY);
    break;
  case DType::f8E5M2FNUZ:
    exponentBits = 5, mantissaBits = 2, bias = 16;
    if (bits == 0x80)
      return NAN;
    break;
  case DType::f4E2M1FN:
    exponentBits = 2, mantissaBits = 1, bias = 1;
    break;
  default:
    return NAN;
  }
  int width = 1 + exponentBits + mantissaBits;
  bool negative = (bits >> (width - 1)) & 1;
  int exponent = (bits >> mantissaBits) & ((1 << exponentBits) - 1);
  int mantissa = bits & ((1 << mantissaBits) - 1);
  double magnitude = exponent == 0
                         ? std::ldexp(mantissa, 1 - bias - mantissaBits)
                         : std::ldexp(mantissa | (1 << mantissaBits),
                                      exponent - bias - mantissaBits);
  return negative ? -magnitude : magnitude;
}

void unpackElements(const uint8_t *packed, int64_t count, unsigned bits,
                    bool isSigned, uint8_t *out) {
  unsigned perByte = 8 / bits;
  uint8_t mask = (1u << bits) - 1;
  for (int64_t i = 0; i < count; ++i) {
    uint8_t value = (packed[i / perByte] >> (bits * (i % perByte))) & mask;
    if (isSigned && (value >> (bits - 1)))
      value |= static_cast<uint8_t>(~mask);
    out[i] = value;
  }
}

void packElements(const uint8_t *elements, int64_t count, unsigned bits,
                  uint8_t *out) {
  unsigned perByte = 8 / bits;
  uint8_t mask = (1u << bits) - 1;
  std::memset(out, 0, (count * bits + 7) / 8);
  for (int64_t i = 0; i < count; ++i)
    out[i / perByte] |= (elements[i] & mask) << (bits * (i % perByte));
}

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// IEEE half to double, subnormals, infinities and NaN included.
static double halfToDouble(uint16_t bits) {
  int sign = bits >> 15, exponent = (bits >> 10) & 0x1f,
      mantissa = bits & 0x3ff;
  double magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(mantissa, -24);
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = std::ldexp(mantissa | 0x400, exponent - 25);
  return sign ? -magnitude : magnitude;
}

template <typename T> static T load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

void HostTensor::fillForTiming(uint32_t seed) {
  int64_t n = numElements();
  data.assign(n * elementSize(dtype), 0);
  uint32_t state = seed;
  for (int64_t i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    float v = float(state >> 8) / float(1u << 23) - 1.0f;
    if (dtype == DType::f32) {
      std::memcpy(data.data() + 4 * i, &v, 4);
    } else if (dtype == DType::f64) {
      double d = v;
      std::memcpy(data.data() + 8 * i, &d, 8);
    } else if (dtype == DType::f16 || dtype == DType::bf16) {
      uint16_t bits =
          dtype == DType::f16 ? floatToHalfBits(v) : floatToBf16Bits(v);
      std::memcpy(data.data() + 2 * i, &bits, 2);
    }
  }
}

double HostTensor::elementAsDouble(int64_t i) const {
  const uint8_t *p = data.data() + i * elementSize(dtype);
  switch (dtype) {
  case DType::f16:
    return halfToDouble(load<uint16_t>(p));
  case DType::bf16: {
    uint32_t bits = static_cast<uint32_t>(load<uint16_t>(p)) << 16;
    return load<float>(reinterpret_cast<const uint8_t *>(&bits));
  }
  case DType::f32:
    return load<float>(p);
  case DType::f64:
    return load<double>(p);
  case DType::i8:
    return load<int8_t>(p);
  case DType::i16:
    return load<int16_t>(p);
  case DType::i32:
    return load<int32_t>(p);
  case DType::i64:
    return static_cast<double>(load<int64_t>(p));
  case DType::u8:
    return load<uint8_t>(p);
  case DType::u16:
    return load<uint16_t>(p);
  case DType::u32:
    return load<uint32_t>(p);
  case DType::u64:
    return static_cast<double>(load<uint64_t>(p));
  case DType::i1:
    return *p ? 1.0 : 0.0;
  case DType::i4:
  case DType::i2:
  case DType::u4:
  case DType::u2: {
    // Only the low bits are the value: code that stores a 4-bit integer
    // need not define the rest of its byte.
    unsigned bits = packedBits(dtype);
    int value = *p & ((1u << bits) - 1);
    bool isSigned = dtype == DType::i4 || dtype == DType::i2;
    return isSigned && (value >> (bits - 1)) ? value - (1 << bits) : value;
  }
  case DType::f8E4M3FN:
  case DType::f8E4M3FNUZ:
  case DType::f8E5M2:
  case DType::f8E5M2FNUZ:
  case DType::f8E8M0FNU:
  case DType::f4E2M1FN:
    return decodeNarrowFloat(dtype, *p);
  }
  return 0;
}

std::string HostTensor::describe() const {
  std::string text = dtypeName(dtype);
  text += '[';
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text + ']';
}

} // namespace dsr1
