// The dsr1-optimize-pipeline: folding, canonicalisation and CSE over a whole graph, then the
// fusion groups (fuse=false: without them, as dsr1-run --no-fuse compiles).
// RUN: dsr1-opt %s --dsr1-optimize-pipeline | FileCheck %s
// RUN: dsr1-opt %s --dsr1-optimize-pipeline="fuse=false" | FileCheck %s --check-prefix=NOFUSE

// The head split / merge reshapes and transposes around an elementwise op cancel out, the
// constant shape arithmetic folds, and the duplicated sigmoid is computed once; what is left of
// the elementwise work is one group, which the folded constant stays out of.
// CHECK-LABEL: func.func @cleanup
// CHECK-SAME: (%[[X:.+]]: tensor<2x?x768xf32>)
// CHECK-NEXT: %[[C:.+]] = dsr1.constant dense<[2, 12, 64]> : tensor<3xi64>
// CHECK-NEXT: %[[G:.+]] = dsr1.fusion elementwise(%[[X]]) : (tensor<2x?x768xf32>) -> tensor<2x?x768xf32> {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<2x?x768xf32>):
// CHECK-NEXT: %[[S:.+]] = dsr1.sigmoid %[[A]] : tensor<2x?x768xf32>
// CHECK-NEXT: %[[M:.+]] = dsr1.mul %[[S]], %[[S]] : tensor<2x?x768xf32>, tensor<2x?x768xf32>
// CHECK-NEXT: dsr1.yield %[[M]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]], %[[C]]
// NOFUSE-LABEL: func.func @cleanup
// NOFUSE-SAME: (%[[X:.+]]: tensor<2x?x768xf32>)
// NOFUSE-NEXT: %[[C:.+]] = dsr1.constant dense<[2, 12, 64]> : tensor<3xi64>
// NOFUSE-NEXT: %[[S:.+]] = dsr1.sigmoid %[[X]] : tensor<2x?x768xf32>
// NOFUSE-NEXT: %[[M:.+]] = dsr1.mul %[[S]], %[[S]] : tensor<2x?x768xf32>, tensor<2x?x768xf32>
// NOFUSE-NEXT: return %[[M]], %[[C]]
func.func @cleanup(%x: tensor<2x?x768xf32>) -> (tensor<2x?x768xf32>, tensor<3xi64>) {
  %h = dsr1.reshape %x to [0, 0, 12, 64] : tensor<2x?x768xf32>
  %t = dsr1.transpose %h perm [0, 2, 1, 3] : tensor<2x?x12x64xf32>
  %u = dsr1.transpose %t perm [0, 2, 1, 3] : tensor<2x12x?x64xf32>
  %m = dsr1.reshape %u to [0, 0, 768] : tensor<2x?x12x64xf32>
  %s1 = dsr1.sigmoid %m : tensor<2x?x768xf32>
  %s2 = dsr1.sigmoid %m : tensor<2x?x768xf32>
  %p = dsr1.mul %s1, %s2 : tensor<2x?x768xf32>, tensor<2x?x768xf32>
  %dims = dsr1.constant dense<[1, 6, 32]> : tensor<3xi64>
  %two = dsr1.constant dense<2> : tensor<i64>
  %shape = dsr1.mul %dims, %two : tensor<3xi64>, tensor<i64>
  return %p, %shape : tensor<2x?x768xf32>, tensor<3xi64>
}
