// The dsr1-optimize-pipeline: -dsr1-fold (folding and canonicalisation to a fixed point), CSE,
// then fusion.
// RUN: dsr1-opt %s --dsr1-optimize-pipeline | FileCheck %s
// RUN: dsr1-opt %s --dsr1-optimize-pipeline="fuse=false" | FileCheck %s --check-prefix=UNFUSED

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
// UNFUSED-LABEL: func.func @cleanup
// UNFUSED-SAME: (%[[X:.+]]: tensor<2x?x768xf32>)
// UNFUSED-NEXT: %[[C:.+]] = dsr1.constant dense<[2, 12, 64]> : tensor<3xi64>
// UNFUSED-NEXT: %[[S:.+]] = dsr1.sigmoid %[[X]] : tensor<2x?x768xf32>
// UNFUSED-NEXT: %[[M:.+]] = dsr1.mul %[[S]], %[[S]] : tensor<2x?x768xf32>, tensor<2x?x768xf32>
// UNFUSED-NEXT: return %[[M]], %[[C]]
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

// An attention block whose scale is computed by constant arithmetic: the clean-up folds it to a
// constant, then the block fuses (with the token ids as its text source). fuse=false leaves
// the block as it is.
// CHECK-LABEL: func.func @attention
// CHECK-NEXT: %[[E:.+]] = dsr1.gather
// CHECK-NEXT: %[[A:.+]] = dsr1.attention %[[E]], %[[E]], %[[E]] {kv_modality = #dsr1.modality<text>, num_heads = 2 : i64, query_modality = #dsr1.modality<text>, scale = 5.000000e-01 : f64}
// CHECK-NEXT: return %[[A]]
// UNFUSED-LABEL: func.func @attention
// UNFUSED-NOT: dsr1.attention
// UNFUSED: dsr1.softmax
// UNFUSED-NOT: dsr1.attention
func.func @attention(%ids: tensor<1x5xi64> {onnx.name = "input_ids"}, %emb: tensor<16x8xf32>)
    -> tensor<1x5x8xf32> {
  %x = dsr1.gather %emb[%ids] axis 0 : tensor<16x8xf32>, tensor<1x5xi64>
  %four = dsr1.constant dense<4.0> : tensor<f32>
  %root = dsr1.sqrt %four : tensor<f32>
  %h = dsr1.reshape %x to [1, 5, 2, 4] : tensor<1x5x8xf32>
  %q = dsr1.transpose %h perm [0, 2, 1, 3] : tensor<1x5x2x4xf32>
  %kt = dsr1.transpose %h perm [0, 2, 3, 1] : tensor<1x5x2x4xf32>
  %s = dsr1.matmul %q, %kt : tensor<1x2x5x4xf32>, tensor<1x2x4x5xf32>
  %c = dsr1.div %s, %root : tensor<1x2x5x5xf32>, tensor<f32>
  %p = dsr1.softmax %c axis 3 : tensor<1x2x5x5xf32>
  %o = dsr1.matmul %p, %q : tensor<1x2x5x5xf32>, tensor<1x2x5x4xf32>
  %t = dsr1.transpose %o perm [0, 2, 1, 3] : tensor<1x2x5x4xf32>
  %r = dsr1.reshape %t to [1, 5, 8] : tensor<1x5x2x4xf32>
  return %r : tensor<1x5x8xf32>
}

// -dsr1-fold's rewrites before CSE: the dynamo exporter's attention mask (a GatherND at 0..31 of
// the flattened mask, and-ed with all-true) becomes a reshape and an expand, the x * 1 of a
// default scale goes, and the two equal reshapes left behind are one (checked unfused, where
// the result is not wrapped in a group).
// UNFUSED-LABEL: func.func @exporter_mask
// UNFUSED-SAME: (%[[M:.+]]: tensor<2x16xi64>, %[[S:.+]]: tensor<2x4x16x16xf32>)
// UNFUSED-DAG: %[[ZERO:.+]] = dsr1.constant dense<0.000000e+00> : tensor<f32>
// UNFUSED-DAG: %[[MIN:.+]] = dsr1.constant dense<-3.40282347E+38> : tensor<f32>
// UNFUSED: %[[B:.+]] = dsr1.cast %[[M]] to i1 : tensor<2x16xi64>
// UNFUSED-NEXT: %[[R:.+]] = dsr1.reshape %[[B]] to [2, 1, 1, 16] : tensor<2x16xi1>
// UNFUSED-NEXT: %[[E:.+]] = dsr1.expand %[[R]] to [2, 1, 16, 16] : tensor<2x1x1x16xi1>
// UNFUSED-NEXT: %[[W:.+]] = dsr1.where %[[E]], %[[ZERO]], %[[MIN]]
// UNFUSED-NEXT: %[[A:.+]] = dsr1.add %[[S]], %[[W]]
// UNFUSED-NEXT: return %[[A]], %[[R]]
func.func @exporter_mask(%m: tensor<2x16xi64>, %s: tensor<2x4x16x16xf32>)
    -> (tensor<2x4x16x16xf32>, tensor<2x1x1x16xi1>) {
  %b = dsr1.cast %m to i1 : tensor<2x16xi64>
  %flat = dsr1.reshape %b to [32] : tensor<2x16xi1>
  %ids = dsr1.constant dense<[[[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]]],
                              [[[16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                                 31]]]]> : tensor<2x1x1x16xi64>
  %g = dsr1.gather %flat[%ids] axis 0 : tensor<32xi1>, tensor<2x1x1x16xi64>
  %true = dsr1.constant dense<true> : tensor<1x1x16x1xi1>
  %and = dsr1.and %g, %true : tensor<2x1x1x16xi1>, tensor<1x1x16x1xi1>
  %zero = dsr1.constant dense<0.0> : tensor<f32>
  %min = dsr1.constant dense<-3.40282347E+38> : tensor<f32>
  %bias = dsr1.where %and, %zero, %min : tensor<2x1x16x16xi1>, tensor<f32>, tensor<f32>
  %one = dsr1.constant dense<1.0> : tensor<f32>
  %scaled = dsr1.mul %s, %one : tensor<2x4x16x16xf32>, tensor<f32>
  %sum = dsr1.add %scaled, %bias : tensor<2x4x16x16xf32>, tensor<2x1x16x16xf32>
  %again = dsr1.reshape %b to [2, 1, 1, 16] : tensor<2x16xi1>
  return %sum, %again : tensor<2x4x16x16xf32>, tensor<2x1x1x16xi1>
}
