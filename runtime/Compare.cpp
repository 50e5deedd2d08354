//===- Compare.cpp - compare computed tensors with expected ones ----------===//
//
// Elementwise closeness with allclose semantics and error statistics.
//
//===----------------------------------------------------------------------===//

#include "runtime/Compare.h"

#include <cmath>
#include <cstdio>

namespace dsr1 {

Comparison compareTensors(const HostTensor &actual, const HostTensor &expected,
                          double rtol, double atol) {
  Comparison result;
  if (actual.dtype != expected.dtype || actual.shape != expected.shape) {
    result.comparable = false;
    return result;
  }
  for (int64_t i = 0, e = expected.numElements(); i < e; ++i) {
    double a = actual.elementAsDouble(i), x = expected.elementAsDouble(i);
    bool close;
    if (std::isnan(a) || std::isnan(x)) {
      close = std::isnan(a) && std::isnan(x);
    } else if (std::isinf(a) || std::isinf(x)) {
      close = a == x;
    } else {
      double err = std::fabs(a - x);
      close = err <= atol + rtol * std::fabs(x);
      result.maxAbsError = std::fmax(result.maxAbsError, err);
      if (x != 0)
        result.maxRelError = std::fmax(result.maxRelError, err / std::fabs(x));
    }
    if (!close) {
      if (result.firstMismatch < 0)
        result.firstMismatch = i;
      ++result.mismatches;
    }
  }
  return result;
}

std::string Comparison::summary(int64_t numElements) const {
  if (!comparable)
    return "dtype or shape differs";
  char text[160];
  std::snprintf(text, sizeof(text),
                "max abs %.3g, max rel %.3g, %lld of %lld out of tolerance",
                maxAbsError, maxRelError, static_cast<long long>(mismatches),
                static_cast<long long>(numElements));
  return text;
}

} // namespace dsr1
