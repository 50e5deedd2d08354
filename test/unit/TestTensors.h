//===- TestTensors.h - small tensors and buffers for plan tests -*- C++ -*-===//
//
// The helpers the tests of hand-built plans share: an f32 vector as a host
// tensor and back, a 12-byte (three f32) buffer reference, and a small plan.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_TEST_UNIT_TESTTENSORS_H
#define DSR1_TEST_UNIT_TESTTENSORS_H

#include "runtime/HostTensor.h"
#include "runtime/Plan.h"

#include <cstring>
#include <memory>
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

/// y = double(add(x, w)) through the arena; z = a copy of x. The kernels are
/// "add" and "double", which each test's device provides.
inline std::shared_ptr<Plan> samplePlan() {
  auto plan = std::make_shared<Plan>();
  plan->inputs = {{"x", DType::f32, {3}}};
  plan->outputs = {{"y", DType::f32, {3}}, {"z", DType::f32, {3}}};
  plan->addWeight(f32({10, 20, 30}, "w"));
  plan->kernels = {{"add", "add_node", "add"}, {"double", "mul_node", "mul"}};
  plan->arenaBytes = 64;
  Launch add;
  add.kernel = 0;
  add.args = {ref(BufferRef::Kind::input, 0), ref(BufferRef::Kind::weight, 0),
              ref(BufferRef::Kind::arena, 0)};
  add.argNames = {"x", "w", "t"};
  Launch twice;
  twice.kernel = 1;
  twice.args = {ref(BufferRef::Kind::arena, 0),
                ref(BufferRef::Kind::output, 0)};
  twice.argNames = {"t", "y"};
  Launch copy;
  copy.kind = Launch::Kind::copy;
  copy.args = {ref(BufferRef::Kind::input, 0), ref(BufferRef::Kind::output, 1)};
  plan->launches = {add, twice, copy};
  return plan;
}

} // namespace dsr1::test

#endif // DSR1_TEST_UNIT_TESTTENSORS_H
