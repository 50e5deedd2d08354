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
  i1
};

/// Bytes per element (i1 is one byte).
size_t elementSize(DType type);
/// "f32", "bf16", ... as in MLIR element types ("i1" for bool).
const char *dtypeName(DType type);

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
};

} // namespace dsr1

#endif // DSR1_RUNTIME_HOSTTENSOR_H
