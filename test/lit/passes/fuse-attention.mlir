// -dsr1-fuse-attention: attention blocks as exporters spell them become dsr1.attention; near-misses
// stay as they are and -debug-only=dsr1-fuse-attention says why.
// RUN: dsr1-opt %s --split-input-file -dsr1-fuse-attention | FileCheck %s
// RUN: dsr1-opt %s --split-input-file -dsr1-fuse-attention -debug-only=dsr1-fuse-attention 2>&1 >/dev/null | FileCheck %s --check-prefix=DEBUG

// BERT as both torch exporters leave it: heads split by reshape + transpose, K transposed
// by [0, 2, 3, 1], the scale a Mul on the scores, an additive padding mask, heads merged.
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// CHECK-LABEL: func.func @bert_self
// CHECK-SAME: (%[[Q:.+]]: tensor<2x16x32xf32>, %[[K:.+]]: tensor<2x16x32xf32>, %[[V:.+]]: tensor<2x16x32xf32>, %[[MASK:.+]]: tensor<2x1x1x16xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] mask %[[MASK]] {num_heads = 4 : i64, scale = 0.35355338454246521 : f64} : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x1x1x16xf32>
// CHECK-NEXT: return %[[R]]
func.func @bert_self(%q: tensor<2x16x32xf32>, %k: tensor<2x16x32xf32>,
                     %v: tensor<2x16x32xf32>, %mask: tensor<2x1x1x16xf32>)
    -> tensor<2x16x32xf32> {
  %scale = dsr1.constant dense<0.353553385> : tensor<f32>
  %qs = dsr1.reshape %q to [2, 16, -1, 8] : tensor<2x16x32xf32>
  %qh = dsr1.transpose %qs perm [0, 2, 1, 3] : tensor<2x16x4x8xf32>
  %ks = dsr1.reshape %k to [2, 16, -1, 8] : tensor<2x16x32xf32>
  %kt = dsr1.transpose %ks perm [0, 2, 3, 1] : tensor<2x16x4x8xf32>
  %vs = dsr1.reshape %v to [2, 16, -1, 8] : tensor<2x16x32xf32>
  %vh = dsr1.transpose %vs perm [0, 2, 1, 3] : tensor<2x16x4x8xf32>
  %s = dsr1.matmul %qh, %kt : tensor<2x4x16x8xf32>, tensor<2x4x8x16xf32>
  %c = dsr1.mul %s, %scale : tensor<2x4x16x16xf32>, tensor<f32>
  %m = dsr1.add %c, %mask : tensor<2x4x16x16xf32>, tensor<2x1x1x16xf32>
  %p = dsr1.softmax %m axis 3 : tensor<2x4x16x16xf32>
  %o = dsr1.matmul %p, %vh : tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>
  %t = dsr1.transpose %o perm [0, 2, 1, 3] : tensor<2x4x16x8xf32>
  %r = dsr1.reshape %t to [2, 16, -1] : tensor<2x16x4x8xf32>
  return %r : tensor<2x16x32xf32>
}

// -----

// Heads already separate and the result kept per head: the op takes the [B, H, S, D]
// operands, K gets its last two dims back by one transpose, the scale is a Div.
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// CHECK-LABEL: func.func @per_head
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x5x4xf32>, %[[KT:.+]]: tensor<1x2x4x7xf32>, %[[V:.+]]: tensor<1x2x7x3xf32>)
// CHECK-NEXT: %[[K:.+]] = dsr1.transpose %[[KT]] perm [0, 1, 3, 2]
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] {num_heads = 2 : i64, scale = 5.000000e-01 : f64} : tensor<1x2x5x4xf32>, tensor<1x2x7x4xf32>, tensor<1x2x7x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @per_head(%q: tensor<1x2x5x4xf32>, %kt: tensor<1x2x4x7xf32>,
                    %v: tensor<1x2x7x3xf32>) -> tensor<1x2x5x3xf32> {
  %d = dsr1.constant dense<2.0> : tensor<f32>
  %s = dsr1.matmul %q, %kt : tensor<1x2x5x4xf32>, tensor<1x2x4x7xf32>
  %c = dsr1.div %s, %d : tensor<1x2x5x7xf32>, tensor<f32>
  %p = dsr1.softmax %c axis 3 : tensor<1x2x5x7xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x5x7xf32>, tensor<1x2x7x3xf32>
  return %o : tensor<1x2x5x3xf32>
}

// -----

// CLIP / Whisper style: the scale on Q before the head split and on K after it; T5 style: two
// additive masks (position bias and padding), summed into one.
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// CHECK-LABEL: func.func @scaled_qk_two_masks
// CHECK-SAME: (%[[Q:.+]]: tensor<2x6x32xf32>, %[[K:.+]]: tensor<2x12x32xf32>, %[[V:.+]]: tensor<2x12x32xf32>, %[[BIAS:.+]]: tensor<1x4x6x12xf32>, %[[PAD:.+]]: tensor<2x1x1x12xf32>)
// CHECK-NEXT: %[[MASK:.+]] = dsr1.add %[[PAD]], %[[BIAS]] : tensor<2x1x1x12xf32>, tensor<1x4x6x12xf32>
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] mask %[[MASK]] {num_heads = 4 : i64, scale = 1.250000e-01 : f64} : tensor<2x6x32xf32>, tensor<2x12x32xf32>, tensor<2x12x32xf32>, tensor<2x4x6x12xf32>
// CHECK-NEXT: return %[[R]]
func.func @scaled_qk_two_masks(%q: tensor<2x6x32xf32>, %k: tensor<2x12x32xf32>,
                               %v: tensor<2x12x32xf32>, %bias: tensor<1x4x6x12xf32>,
                               %pad: tensor<2x1x1x12xf32>) -> tensor<2x6x32xf32> {
  %a = dsr1.constant dense<0.5> : tensor<f32>
  %b = dsr1.constant dense<0.25> : tensor<1xf32>
  %q2 = dsr1.mul %q, %a : tensor<2x6x32xf32>, tensor<f32>
  %qs = dsr1.reshape %q2 to [0, 0, 4, 8] : tensor<2x6x32xf32>
  %qh = dsr1.transpose %qs perm [0, 2, 1, 3] : tensor<2x6x4x8xf32>
  %ks = dsr1.reshape %k to [0, 0, 4, 8] : tensor<2x12x32xf32>
  %kh = dsr1.transpose %ks perm [0, 2, 1, 3] : tensor<2x12x4x8xf32>
  %kt = dsr1.transpose %kh perm [0, 1, 3, 2] : tensor<2x4x12x8xf32>
  %k2 = dsr1.mul %b, %kt : tensor<1xf32>, tensor<2x4x8x12xf32>
  %vs = dsr1.reshape %v to [0, 0, 4, 8] : tensor<2x12x32xf32>
  %vh = dsr1.transpose %vs perm [0, 2, 1, 3] : tensor<2x12x4x8xf32>
  %s = dsr1.matmul %qh, %k2 : tensor<2x4x6x8xf32>, tensor<2x4x8x12xf32>
  %m1 = dsr1.add %s, %bias : tensor<2x4x6x12xf32>, tensor<1x4x6x12xf32>
  %m2 = dsr1.add %pad, %m1 : tensor<2x1x1x12xf32>, tensor<2x4x6x12xf32>
  %p = dsr1.softmax %m2 axis 3 : tensor<2x4x6x12xf32>
  %o = dsr1.matmul %p, %vh : tensor<2x4x6x12xf32>, tensor<2x4x12x8xf32>
  %t = dsr1.transpose %o perm [0, 2, 1, 3] : tensor<2x4x6x8xf32>
  %r = dsr1.reshape %t to [0, 0, 32] : tensor<2x6x4x8xf32>
  return %r : tensor<2x6x32xf32>
}

// -----

// Boolean masks from where(keep, s, -inf) and where(drop, -inf, s) combine into one keep mask.
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// CHECK-LABEL: func.func @bool_masks
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x4x8xf32>, %[[KT:.+]]: tensor<1x2x8x4xf32>, %[[V:.+]]: tensor<1x2x4x8xf32>, %[[KEEP:.+]]: tensor<1x1x4x4xi1>, %[[DROP:.+]]: tensor<1x1x1x4xi1>)
// CHECK-NEXT: %[[NOT:.+]] = dsr1.not %[[DROP]]
// CHECK-NEXT: %[[MASK:.+]] = dsr1.and %[[KEEP]], %[[NOT]]
// CHECK-NEXT: %[[K:.+]] = dsr1.transpose %[[KT]] perm [0, 1, 3, 2]
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] mask %[[MASK]] {num_heads = 2 : i64, scale = 1.000000e+00 : f64} : {{.*}}, tensor<1x1x4x4xi1>
// CHECK-NEXT: return %[[R]]
func.func @bool_masks(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                      %v: tensor<1x2x4x8xf32>, %keep: tensor<1x1x4x4xi1>,
                      %drop: tensor<1x1x1x4xi1>) -> tensor<1x2x4x8xf32> {
  %ninf = dsr1.constant dense<0xFF800000> : tensor<f32>
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %a = dsr1.where %keep, %s, %ninf : tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>
  %b = dsr1.where %drop, %ninf, %a : tensor<1x1x1x4xi1>, tensor<f32>, tensor<1x2x4x4xf32>
  %p = dsr1.softmax %b axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A where with a finite fill low enough to mask exactly becomes an added where(m, 0, fill),
// summed with the additive bias.
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// CHECK-LABEL: func.func @finite_fill_and_bias
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x4x8xf32>, %[[KT:.+]]: tensor<1x2x8x4xf32>, %[[V:.+]]: tensor<1x2x4x8xf32>, %[[CAUSAL:.+]]: tensor<1x1x4x4xi1>, %[[BIAS:.+]]: tensor<1x1x1x4xf32>)
// CHECK-DAG: %[[MIN:.+]] = dsr1.constant dense<-3.40282347E+38> : tensor<f32>
// CHECK-DAG: %[[ZERO:.+]] = dsr1.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[FILL:.+]] = dsr1.where %[[CAUSAL]], %[[ZERO]], %[[MIN]]
// CHECK-NEXT: %[[MASK:.+]] = dsr1.add %[[BIAS]], %[[FILL]] : tensor<1x1x1x4xf32>, tensor<1x1x4x4xf32>
// CHECK-NEXT: %[[K:.+]] = dsr1.transpose %[[KT]] perm [0, 1, 3, 2]
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] mask %[[MASK]] {num_heads = 2 : i64, scale = 1.000000e+00 : f64}
// CHECK-NEXT: return %[[R]]
func.func @finite_fill_and_bias(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                                %v: tensor<1x2x4x8xf32>, %causal: tensor<1x1x4x4xi1>,
                                %bias: tensor<1x1x1x4xf32>) -> tensor<1x2x4x8xf32> {
  %min = dsr1.constant dense<-3.40282347E+38> : tensor<f32>
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %a = dsr1.where %causal, %s, %min : tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>
  %b = dsr1.add %a, %bias : tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>
  %p = dsr1.softmax %b axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A dynamic sequence length: the split reshapes keep it (0) or infer it (-1).
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// CHECK-LABEL: func.func @dynamic_sequence
// CHECK-SAME: (%[[Q:.+]]: tensor<2x?x32xf32>, %[[K:.+]]: tensor<2x?x32xf32>, %[[V:.+]]: tensor<2x?x32xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] {num_heads = 4 : i64, scale = 0.35355338454246521 : f64} : tensor<2x?x32xf32>, tensor<2x?x32xf32>, tensor<2x?x32xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x?x32xf32>
func.func @dynamic_sequence(%q: tensor<2x?x32xf32>, %k: tensor<2x?x32xf32>,
                            %v: tensor<2x?x32xf32>) -> tensor<2x?x32xf32> {
  %scale = dsr1.constant dense<0.353553385> : tensor<f32>
  %qs = dsr1.reshape %q to [0, 0, 4, 8] : tensor<2x?x32xf32>
  %qh = dsr1.transpose %qs perm [0, 2, 1, 3] : tensor<2x?x4x8xf32>
  %ks = dsr1.reshape %k to [0, -1, 4, 8] : tensor<2x?x32xf32>
  %kt = dsr1.transpose %ks perm [0, 2, 3, 1] : tensor<2x?x4x8xf32>
  %vs = dsr1.reshape %v to [2, -1, 4, 8] : tensor<2x?x32xf32>
  %vh = dsr1.transpose %vs perm [0, 2, 1, 3] : tensor<2x?x4x8xf32>
  %s = dsr1.matmul %qh, %kt : tensor<2x4x?x8xf32>, tensor<2x4x8x?xf32>
  %c = dsr1.mul %scale, %s : tensor<f32>, tensor<2x4x?x?xf32>
  %p = dsr1.softmax %c axis 3 : tensor<2x4x?x?xf32>
  %o = dsr1.matmul %p, %vh : tensor<2x4x?x?xf32>, tensor<2x4x?x8xf32>
  %t = dsr1.transpose %o perm [0, 2, 1, 3] : tensor<2x4x?x8xf32>
  %r = dsr1.reshape %t to [0, 0, 32] : tensor<2x?x4x8xf32>
  return %r : tensor<2x?x32xf32>
}

// -----

// GPT-2 from the TorchScript exporter merges the heads straight into [B * S, H * D].
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// CHECK-LABEL: func.func @merge_to_2d
// CHECK: %[[QKV:.+]]:3 = dsr1.split
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[QKV]]#0, %[[QKV]]#1, %[[QKV]]#2 {num_heads = 4 : i64, scale = 0.35355338454246521 : f64} : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
// CHECK-NEXT: %[[M:.+]] = dsr1.reshape %[[R]] to [-1, 32] : tensor<2x16x32xf32>
// CHECK-NEXT: return %[[M]] : tensor<32x32xf32>
func.func @merge_to_2d(%qkv: tensor<2x16x96xf32>) -> tensor<32x32xf32> {
  %scale = dsr1.constant dense<0.353553385> : tensor<f32>
  %q, %k, %v = dsr1.split %qkv axis 2 sizes [32, 32, 32] : tensor<2x16x96xf32>
  %qs = dsr1.reshape %q to [2, 16, -1, 8] : tensor<2x16x32xf32>
  %qh = dsr1.transpose %qs perm [0, 2, 1, 3] : tensor<2x16x4x8xf32>
  %ks = dsr1.reshape %k to [2, 16, -1, 8] : tensor<2x16x32xf32>
  %kt = dsr1.transpose %ks perm [0, 2, 3, 1] : tensor<2x16x4x8xf32>
  %vs = dsr1.reshape %v to [2, 16, -1, 8] : tensor<2x16x32xf32>
  %vh = dsr1.transpose %vs perm [0, 2, 1, 3] : tensor<2x16x4x8xf32>
  %s = dsr1.matmul %qh, %kt : tensor<2x4x16x8xf32>, tensor<2x4x8x16xf32>
  %c = dsr1.mul %s, %scale : tensor<2x4x16x16xf32>, tensor<f32>
  %p = dsr1.softmax %c axis 3 : tensor<2x4x16x16xf32>
  %o = dsr1.matmul %p, %vh : tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>
  %t = dsr1.transpose %o perm [0, 2, 1, 3] : tensor<2x4x16x8xf32>
  %r = dsr1.reshape %t to [-1, 32] : tensor<2x16x4x8xf32>
  return %r : tensor<32x32xf32>
}

// -----

// A constant causal pattern (Trilu, or a stored tril buffer) becomes the causal attribute; a
// constant mask of another pattern (here keeping j >= i) stays a mask.
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// CHECK-LABEL: func.func @causal_constant
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x4x8xf32>, %[[KT:.+]]: tensor<1x2x8x4xf32>, %[[V:.+]]: tensor<1x2x4x8xf32>)
// CHECK: %[[UPPER:.+]] = dsr1.constant dense<{{\[\[\[\[}}true, true, true, true], [false, true, true, true]
// CHECK: %[[K:.+]] = dsr1.transpose %[[KT]] perm [0, 1, 3, 2]
// CHECK-NEXT: %[[C:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] {causal, num_heads = 2 : i64, scale = 1.000000e+00 : f64}
// CHECK: %[[K2:.+]] = dsr1.transpose %[[KT]] perm [0, 1, 3, 2]
// CHECK-NEXT: %[[U:.+]] = dsr1.attention %[[Q]], %[[K2]], %[[V]] mask %[[UPPER]] {num_heads = 2 : i64, scale = 1.000000e+00 : f64}
// CHECK-NEXT: return %[[C]], %[[U]]
func.func @causal_constant(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                           %v: tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) {
  %ninf = dsr1.constant dense<0xFF800000> : tensor<f32>
  %tril = dsr1.constant dense<[[[[true, false, false, false], [true, true, false, false],
                                 [true, true, true, false], [true, true, true, true]]]]>
      : tensor<1x1x4x4xi1>
  %upper = dsr1.constant dense<[[[[true, true, true, true], [false, true, true, true],
                                  [false, false, true, true], [false, false, false, true]]]]>
      : tensor<1x1x4x4xi1>
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %a = dsr1.where %tril, %s, %ninf : tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>
  %p = dsr1.softmax %a axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  %s2 = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %b = dsr1.where %upper, %s2, %ninf : tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>
  %p2 = dsr1.softmax %b axis 3 : tensor<1x2x4x4xf32>
  %o2 = dsr1.matmul %p2, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o, %o2 : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
}

// -----

// torch's scaled_dot_product_attention export: sqrt(scale) on Q and on K, and the weights of a
// row masked entirely (NaN) zeroed by where(not(equal(p, p)), 0, p), which dsr1.attention does
// itself. With the weights also returned, the guard is not the weights' only user: no fusion.
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// DEBUG: [dsr1-fuse-attention] not fused: dsr1.softmax at {{.*}}: the attention weights have another user
// CHECK-LABEL: func.func @sdpa_nan_guard
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x4x8xf32>, %[[KT:.+]]: tensor<1x2x8x4xf32>, %[[V:.+]]: tensor<1x2x4x8xf32>, %[[MASK:.+]]: tensor<1x1x4x4xf32>)
// CHECK: %[[K:.+]] = dsr1.transpose %[[KT]] perm [0, 1, 3, 2]
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] mask %[[MASK]] {num_heads = 2 : i64, scale = 2.500000e-01 : f64}
// CHECK: dsr1.softmax
// CHECK: dsr1.equal
// CHECK: return %[[R]]
func.func @sdpa_nan_guard(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                          %v: tensor<1x2x4x8xf32>, %mask: tensor<1x1x4x4xf32>)
    -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %root = dsr1.constant dense<0.5> : tensor<f32>
  %zero = dsr1.constant dense<0.0> : tensor<1xf32>
  %qs = dsr1.mul %q, %root : tensor<1x2x4x8xf32>, tensor<f32>
  %ks = dsr1.mul %kt, %root : tensor<1x2x8x4xf32>, tensor<f32>
  %s = dsr1.matmul %qs, %ks : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %m = dsr1.add %s, %mask : tensor<1x2x4x4xf32>, tensor<1x1x4x4xf32>
  %p = dsr1.softmax %m axis 3 : tensor<1x2x4x4xf32>
  %eq = dsr1.equal %p, %p : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  %nan = dsr1.not %eq : tensor<1x2x4x4xi1>
  %g = dsr1.where %nan, %zero, %p : tensor<1x2x4x4xi1>, tensor<1xf32>, tensor<1x2x4x4xf32>
  %o = dsr1.matmul %g, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  %s2 = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %p2 = dsr1.softmax %s2 axis 3 : tensor<1x2x4x4xf32>
  %eq2 = dsr1.equal %p2, %p2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  %g2 = dsr1.where %eq2, %p2, %zero : tensor<1x2x4x4xi1>, tensor<1x2x4x4xf32>, tensor<1xf32>
  %o2 = dsr1.matmul %g2, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o, %o2, %p2 : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// A full-size bias computed by an add, added on the left of the scores: the lhs is tried first
// (quietly), then the rhs continues the chain and the bias is the mask.
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// DEBUG-NOT: not fused
// CHECK-LABEL: func.func @computed_bias_on_the_left
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x4x8xf32>, %[[KT:.+]]: tensor<1x2x8x4xf32>, %[[V:.+]]: tensor<1x2x4x8xf32>, %[[A:.+]]: tensor<1x2x4x4xf32>, %[[B:.+]]: tensor<1x2x4x4xf32>)
// CHECK: %[[BIAS:.+]] = dsr1.add %[[A]], %[[B]]
// CHECK: %[[K:.+]] = dsr1.transpose %[[KT]] perm [0, 1, 3, 2]
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] mask %[[BIAS]] {num_heads = 2 : i64, scale = 5.000000e-01 : f64}
// CHECK-NEXT: return %[[R]]
func.func @computed_bias_on_the_left(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                                     %v: tensor<1x2x4x8xf32>, %a: tensor<1x2x4x4xf32>,
                                     %b: tensor<1x2x4x4xf32>) -> tensor<1x2x4x8xf32> {
  %half = dsr1.constant dense<0.5> : tensor<f32>
  %bias = dsr1.add %a, %b : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %c = dsr1.mul %s, %half : tensor<1x2x4x4xf32>, tensor<f32>
  %m = dsr1.add %bias, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  %p = dsr1.softmax %m axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// The torch.bmm form (fairseq, older transformers): rank-3 scores [batch * heads, Sq, Skv] are
// packed attention with one head per batch entry; a 2-D attention mask broadcasts as it is, the
// combined mask of rank 3 gets its unit head dim.
// DEBUG: [dsr1-fuse-attention] fused: dsr1.softmax at {{.*}}fuse-attention.mlir
// CHECK-LABEL: func.func @bmm_per_batch
// CHECK-SAME: (%[[Q:.+]]: tensor<6x5x8xf32>, %[[K:.+]]: tensor<6x7x8xf32>, %[[V:.+]]: tensor<6x7x4xf32>, %[[AM:.+]]: tensor<5x7xf32>, %[[KEEP:.+]]: tensor<6x5x7xi1>)
// CHECK: %[[NINF:.+]] = dsr1.constant dense<0xFF800000>
// CHECK-NEXT: %[[W:.+]] = dsr1.where %[[KEEP]], %[[AM]], %[[NINF]] : tensor<6x5x7xi1>, tensor<5x7xf32>, tensor<f32>
// CHECK-NEXT: %[[M:.+]] = dsr1.reshape %[[W]] to [6, 1, 5, 7] : tensor<6x5x7xf32>
// CHECK-NEXT: %[[R:.+]] = dsr1.attention %[[Q]], %[[K]], %[[V]] mask %[[M]] {num_heads = 1 : i64, scale = 0.35355338454246521 : f64} : tensor<6x5x8xf32>, tensor<6x7x8xf32>, tensor<6x7x4xf32>, tensor<6x1x5x7xf32>
// CHECK-NEXT: return %[[R]]
func.func @bmm_per_batch(%q: tensor<6x5x8xf32>, %k: tensor<6x7x8xf32>, %v: tensor<6x7x4xf32>,
                         %am: tensor<5x7xf32>, %keep: tensor<6x5x7xi1>) -> tensor<6x5x4xf32> {
  %c = dsr1.constant dense<0.35355339> : tensor<f32>
  %ninf = dsr1.constant dense<0xFF800000> : tensor<f32>
  %kt = dsr1.transpose %k perm [0, 2, 1] : tensor<6x7x8xf32>
  %s = dsr1.matmul %q, %kt : tensor<6x5x8xf32>, tensor<6x8x7xf32>
  %sc = dsr1.mul %s, %c : tensor<6x5x7xf32>, tensor<f32>
  %m = dsr1.add %sc, %am : tensor<6x5x7xf32>, tensor<5x7xf32>
  %w = dsr1.where %keep, %m, %ninf : tensor<6x5x7xi1>, tensor<6x5x7xf32>, tensor<f32>
  %p = dsr1.softmax %w axis 2 : tensor<6x5x7xf32>
  %o = dsr1.matmul %p, %v : tensor<6x5x7xf32>, tensor<6x7x4xf32>
  return %o : tensor<6x5x4xf32>
}

// -----

// A softmax over the queries, not the keys.
// CHECK-LABEL: func.func @softmax_axis
// CHECK-NOT: dsr1.attention
// CHECK: dsr1.softmax
// CHECK-NOT: dsr1.attention
// DEBUG: [dsr1-fuse-attention] not fused: dsr1.softmax at {{.*}}: the softmax axis 2 is not the last (keys) dimension
func.func @softmax_axis(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                        %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %p = dsr1.softmax %s axis 2 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// The masked scores are also a result: fusing would lose them.
// CHECK-LABEL: func.func @masked_scores_used_elsewhere
// CHECK-NOT: dsr1.attention
// CHECK: dsr1.softmax
// CHECK-NOT: dsr1.attention
// DEBUG: [dsr1-fuse-attention] not fused: dsr1.softmax at {{.*}}: the scores have another user besides the softmax chain, at dsr1.add at {{.*}}fuse-attention.mlir
func.func @masked_scores_used_elsewhere(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                                        %v: tensor<1x2x4x8xf32>, %mask: tensor<1x1x1x4xf32>)
    -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %m = dsr1.add %s, %mask : tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>
  %p = dsr1.softmax %m axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o, %m : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// The attention weights are also a result.
// CHECK-LABEL: func.func @weights_used_elsewhere
// CHECK-NOT: dsr1.attention
// CHECK: dsr1.softmax
// CHECK-NOT: dsr1.attention
// DEBUG: [dsr1-fuse-attention] not fused: dsr1.softmax at {{.*}}: the attention weights have another user
func.func @weights_used_elsewhere(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                                  %v: tensor<1x2x4x8xf32>)
    -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %p = dsr1.softmax %s axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o, %p : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// A scale that is not a constant.
// CHECK-LABEL: func.func @scale_not_constant
// CHECK-NOT: dsr1.attention
// CHECK: dsr1.softmax
// CHECK-NOT: dsr1.attention
// DEBUG: [dsr1-fuse-attention] not fused: dsr1.softmax at {{.*}}: the scale is not a constant scalar, at dsr1.mul
func.func @scale_not_constant(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                              %v: tensor<1x2x4x8xf32>, %c: tensor<f32>) -> tensor<1x2x4x8xf32> {
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %m = dsr1.mul %s, %c : tensor<1x2x4x4xf32>, tensor<f32>
  %p = dsr1.softmax %m axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A fill of -1e4 does not mask a fully masked row the way -inf does (uniform weights).
// CHECK-LABEL: func.func @fill_not_low_enough
// CHECK-NOT: dsr1.attention
// CHECK: dsr1.softmax
// CHECK-NOT: dsr1.attention
// DEBUG: [dsr1-fuse-attention] not fused: dsr1.softmax at {{.*}}: the masked fill value -10000 is not low enough to mask exactly, at dsr1.where
func.func @fill_not_low_enough(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                               %v: tensor<1x2x4x8xf32>, %keep: tensor<1x1x4x4xi1>)
    -> tensor<1x2x4x8xf32> {
  %fill = dsr1.constant dense<-10000.0> : tensor<f32>
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %w = dsr1.where %keep, %s, %fill : tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>
  %p = dsr1.softmax %w axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// The mask is added before the scale, so the scale would apply to it too.
// CHECK-LABEL: func.func @mask_before_scale
// CHECK-NOT: dsr1.attention
// CHECK: dsr1.softmax
// CHECK-NOT: dsr1.attention
// DEBUG: [dsr1-fuse-attention] not fused: dsr1.softmax at {{.*}}: a mask applies before the scale (only masks after the scale are fused), at dsr1.add
func.func @mask_before_scale(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                             %v: tensor<1x2x4x8xf32>, %mask: tensor<1x1x1x4xf32>)
    -> tensor<1x2x4x8xf32> {
  %c = dsr1.constant dense<0.5> : tensor<f32>
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %m = dsr1.add %s, %mask : tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>
  %d = dsr1.mul %m, %c : tensor<1x2x4x4xf32>, tensor<f32>
  %p = dsr1.softmax %d axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A mask that broadcasts the scores to a larger batch.
// CHECK-LABEL: func.func @mask_enlarges_scores
// CHECK-NOT: dsr1.attention
// CHECK: dsr1.softmax
// CHECK-NOT: dsr1.attention
// DEBUG: [dsr1-fuse-attention] not fused: dsr1.softmax at {{.*}}: neither operand of the add continues the scores, at dsr1.add
func.func @mask_enlarges_scores(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                                %v: tensor<1x2x4x8xf32>, %mask: tensor<3x2x4x4xf32>)
    -> tensor<3x2x4x8xf32> {
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>
  %m = dsr1.add %s, %mask : tensor<1x2x4x4xf32>, tensor<3x2x4x4xf32>
  %p = dsr1.softmax %m axis 3 : tensor<3x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<3x2x4x4xf32>, tensor<1x2x4x8xf32>
  return %o : tensor<3x2x4x8xf32>
}

// -----

// One K/V head broadcast over two query heads (grouped-query attention).
// CHECK-LABEL: func.func @broadcast_heads
// CHECK-NOT: dsr1.attention
// CHECK: dsr1.softmax
// CHECK-NOT: dsr1.attention
// DEBUG: [dsr1-fuse-attention] not fused: dsr1.softmax at {{.*}}: q, k and v differ in their batch or head dimensions (broadcast heads are not fused), at dsr1.matmul
func.func @broadcast_heads(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x1x8x4xf32>,
                           %v: tensor<1x1x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %s = dsr1.matmul %q, %kt : tensor<1x2x4x8xf32>, tensor<1x1x8x4xf32>
  %p = dsr1.softmax %s axis 3 : tensor<1x2x4x4xf32>
  %o = dsr1.matmul %p, %v : tensor<1x2x4x4xf32>, tensor<1x1x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
