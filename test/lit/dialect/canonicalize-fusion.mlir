// Canonicalisation of dsr1.fusion groups: a group that folding leaves with one op or none is
// dissolved; a group of two or more ops stays. (Apart from canonicalize.mlir so that the group
// op's cases stay together.)
// RUN: dsr1-opt %s --split-input-file --canonicalize | FileCheck %s

// The no-op cast folds away, which leaves the neg alone: it goes back to the graph.
// CHECK-LABEL: func.func @one_left
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: %[[N:.+]] = dsr1.neg %[[X]] : tensor<4xf32>
// CHECK-NEXT: return %[[N]]
func.func @one_left(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %c = dsr1.cast %a to f32 : tensor<4xf32>
    %n = dsr1.neg %c : tensor<4xf32>
    dsr1.yield %n : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

// Both ops fold away: the group's result is its operand.
// CHECK-LABEL: func.func @none_left
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @none_left(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %c = dsr1.cast %a to f32 : tensor<4xf32>
    %d = dsr1.cast %c to f32 : tensor<4xf32>
    dsr1.yield %d : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

// Near miss: two ops left, the group stays.
// CHECK-LABEL: func.func @two_left
// CHECK-NEXT: dsr1.fusion elementwise
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: dsr1.neg
// CHECK-NEXT: dsr1.exp
// CHECK-NEXT: dsr1.yield
func.func @two_left(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %n = dsr1.neg %a : tensor<4xf32>
    %e = dsr1.exp %n : tensor<4xf32>
    dsr1.yield %e : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}
