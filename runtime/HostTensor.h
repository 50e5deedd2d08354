//===- HostTensor.h - tensors in host memory for the runtime ----*- C++ -*-===//
//
// A named, typed, shaped buffer in host memory: what the runtime reads from
// test data and user files, hands to a device, and compares.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_HOSTTENSOR_H
#define DSR1_RUNTIME_HOSTTENSOR_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dsr1 {

/// The element types the runtime moves. f16 and bf16 are held as raw bits.
/// The narrow types after i1 (8- and 4-bit floats, 4- and 2-bit integers)
/// take one byte per element in memory, the value in the low bits (integers
/// sign- or zero-extended); files pack the 4- and 2-bit ones.
enum class DType {
  f16,
  bf16,
  f32,
  f64,
  i8,
  i16,
  i32,
  i64,
  u8,
  u16,
  u32,
  u64,
  i1,
  f8E4M3FN,
  f8E4M3FNUZ,
  f8E5M2,
  f8E5M2FNUZ,
  f8E8M0FNU,
  f4E2M1FN,
  i4,
  u4,
  i2,
  u2
};

/// Bytes per element in memory (i1 and the narrow types are one byte).
size_t elementSize(DType type);
/// Bits per element in files: 4 or 2 for the packed types, else 8 x size.
unsigned packedBits(DType type);
/// "f32", "bf16", "f8E4M3FN", ... as in MLIR element types ("i1" for bool,
/// "u4" for ui4).
const char *dtypeName(DType type);

/// The value of one 8- or 4-bit float of `type` (in the low bits of
/// `bits`), NaN for its NaN encodings. `type` is one of the narrow floats.
double decodeNarrowFloat(DType type, uint8_t bits);

/// `count` elements of `bits` bits each (4 or 2), packed low bits first as
/// ONNX stores them, to one byte each; sign-extended when `isSigned`.
void unpackElements(const uint8_t *packed, int64_t count, unsigned bits,
                    bool isSigned, uint8_t *out);
/// The inverse: the low `bits` bits of each byte, packed low bits first into
/// ceil(count * bits / 8) bytes.
void packElements(const uint8_t *elements, int64_t count, unsigned bits,
                  uint8_t *out);

struct HostTensor {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  /// Row-major elements, little-endian.
  std::vector<uint8_t> data;

  int64_t numElements() const;
  /// Element `i` converted to double (f16/bf16 decoded, integers widened).
  double elementAsDouble(int64_t i) const;
  /// "f32[2x3]".
  std::string describe() const;
  /// Sizes `data` for the shape and fills it with fixed pseudo-random
  /// values in [-1, 1] (float types, rounded to nearest even for f16 and
  /// bf16) or zeros (the others): inputs for timing a kernel, the same on
  /// every call with the same `seed`.
  void fillForTiming(uint32_t seed = 12345);
};

} // namespace dsr1

#endif // DSR1_RUNTIME_HOSTTENSOR_H
