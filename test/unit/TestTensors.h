//===- TestTensors.h - small tensors and buffers for plan tests -*- C++ -*-===//
//
// The helpers the tests of hand-built plans share: an f32 vector as a host
// tensor and back, and a 12-byte (three f32) buffer reference.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_TEST_UNIT_TESTTENSORS_H
#define DSR1_TEST_UNIT_TESTTENSORS_H

#include "runtime/HostTensor.h"
#include "runtime/Plan.h"

#include <cstring>
#include <string>
#include <vector>

namespace dsr1::test {

inline HostTensor f32(std::vector<float> values, std::string name = "") {
  HostTensor t;
  t.name = std::move(name);
  t.dtype = DType::f32;
  t.shape = {static_cast<int64_t>(values.size())};
  t.data.resize(values.size() * 4);
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

inline std::vector<float> floats(const HostTensor &t) {
  std::vector<float> out(t.data.size() / 4);
  std::memcpy(out.data(), t.data.data(), t.data.size());
  return out;
}

/// A buffer of three f32 elements.
inline BufferRef ref(BufferRef::Kind kind, uint32_t index,
                     uint64_t offset = 0) {
  return {kind, index, offset, 12};
}

} // namespace dsr1::test

#endif // DSR1_TEST_UNIT_TESTTENSORS_H
