// -dsr1-fold's errors: no fixed point within max-iterations rounds, and a bad option value.
// RUN: dsr1-opt %s --split-input-file -dsr1-fold="max-iterations=1" -verify-diagnostics
// RUN: not dsr1-opt %s --split-input-file -dsr1-fold="max-iterations=0" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ZERO

// One round changes the function, so a second one is needed to see that nothing changes.
// expected-error @+2 {{dsr1-fold did not reach a fixed point within 1 round (max-iterations)}}
// ZERO: error: dsr1-fold: max-iterations must be at least 1, got 0
func.func @needs_two_rounds(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = dsr1.constant dense<1.0> : tensor<f32>
  %0 = dsr1.mul %x, %one : tensor<4xf32>, tensor<f32>
  return %0 : tensor<4xf32>
}

// -----

// Nothing to fold: one round reaches the fixed point.
func.func @already_folded(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsr1.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
