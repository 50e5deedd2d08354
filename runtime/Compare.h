//===- Compare.h - compare computed tensors with expected ones --*- C++ -*-===//
//
// numpy.testing.assert_allclose semantics, which the ONNX backend tests use:
// |actual - expected| <= atol + rtol * |expected| per element, NaN equal to
// NaN, infinities equal when they have the same sign.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_COMPARE_H
#define DSR1_RUNTIME_COMPARE_H

#include "runtime/HostTensor.h"

#include <cstdint>
#include <string>

namespace dsr1 {

struct Comparison {
  /// False when the dtypes or shapes differ; nothing else is then compared.
  bool comparable = true;
  int64_t mismatches = 0;
  /// The first element out of tolerance (-1 if none).
  int64_t firstMismatch = -1;
  double maxAbsError = 0, maxRelError = 0;

  bool passed() const { return comparable && mismatches == 0; }
  /// One line: "max abs 1.2e-07, max rel 3.4e-07, 0 of 6 out of tolerance".
  std::string summary(int64_t numElements) const;
};

Comparison compareTensors(const HostTensor &actual, const HostTensor &expected,
                          double rtol, double atol);

} // namespace dsr1

#endif // DSR1_RUNTIME_COMPARE_H
