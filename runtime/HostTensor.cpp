//===- HostTensor.cpp - tensors in host memory for the runtime ------------===//
//
// Element sizes and names, and element decoding for comparisons.
//
//===----------------------------------------------------------------------===//

#include "runtime/HostTensor.h"

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
    return 1;
  }
  return 0;
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
  }
  return "?";
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
