// -dsr1-fuse-elementwise: elementwise chains and trees, GEMM/conv epilogues and reductions with
// their prologue and epilogue become dsr1.fusion groups; nothing is computed twice, nothing
// crosses an op that stays out, and a group never holds two anchors.
// RUN: dsr1-opt %s --split-input-file -dsr1-fuse-elementwise | FileCheck %s

// A chain of unary and binary ops is one elementwise group at the place of its last op.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>, %[[Y:.+]]: tensor<4xf32>)
// CHECK-NEXT: %[[G:.+]] = dsr1.fusion elementwise(%[[X]], %[[Y]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<4xf32>):
// CHECK-NEXT: %[[N:.+]] = dsr1.neg %[[A]]
// CHECK-NEXT: %[[E:.+]] = dsr1.exp %[[N]]
// CHECK-NEXT: %[[M:.+]] = dsr1.mul %[[E]], %[[B]]
// CHECK-NEXT: dsr1.yield %[[M]] : tensor<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]
func.func @chain(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsr1.neg %x : tensor<4xf32>
  %1 = dsr1.exp %0 : tensor<4xf32>
  %2 = dsr1.mul %1, %y : tensor<4xf32>, tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// A tree: two branches meet in one op; a value read twice by one member is still one member,
// and an operand used twice is one group input.
// CHECK-LABEL: func.func @tree
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>, %[[Y:.+]]: tensor<4xf32>, %[[Z:.+]]: tensor<4xf32>)
// CHECK-NEXT: %[[G:.+]] = dsr1.fusion elementwise(%[[X]], %[[Y]], %[[Z]]) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<4xf32>, %[[C:.+]]: tensor<4xf32>):
// CHECK-NEXT: %[[S:.+]] = dsr1.add %[[A]], %[[B]]
// CHECK-NEXT: %[[Q:.+]] = dsr1.mul %[[S]], %[[S]]
// CHECK-NEXT: %[[D:.+]] = dsr1.sub %[[A]], %[[C]]
// CHECK-NEXT: %[[R:.+]] = dsr1.div %[[Q]], %[[D]]
// CHECK-NEXT: dsr1.yield %[[R]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]
func.func @tree(%x: tensor<4xf32>, %y: tensor<4xf32>, %z: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsr1.add %x, %y : tensor<4xf32>, tensor<4xf32>
  %1 = dsr1.mul %0, %0 : tensor<4xf32>, tensor<4xf32>
  %2 = dsr1.sub %x, %z : tensor<4xf32>, tensor<4xf32>
  %3 = dsr1.div %1, %2 : tensor<4xf32>, tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// Numpy broadcasting, expand, where, comparisons and casts fuse; a weight is an operand.
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[X:.+]]: tensor<2x4xf32>, %[[V:.+]]: tensor<4xf32>)
// CHECK-NEXT: %[[W:.+]] = dsr1.constant
// CHECK-NEXT: %[[G:.+]] = dsr1.fusion elementwise(%[[X]], %[[W]], %[[V]]) : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf16> {
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: dsr1.add
// CHECK-NEXT: dsr1.expand
// CHECK-NEXT: dsr1.greater
// CHECK-NEXT: dsr1.where
// CHECK-NEXT: dsr1.cast
// CHECK-NEXT: dsr1.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]
func.func @broadcast(%x: tensor<2x4xf32>, %v: tensor<4xf32>) -> tensor<2x4xf16> {
  %w = dsr1.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = dsr1.add %x, %w : tensor<2x4xf32>, tensor<4xf32>
  %1 = dsr1.expand %v to [2, 4] : tensor<4xf32>
  %2 = dsr1.greater %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
  %3 = dsr1.where %2, %0, %1 : tensor<2x4xi1>, tensor<2x4xf32>, tensor<2x4xf32>
  %4 = dsr1.cast %3 to f16 : tensor<2x4xf32>
  return %4 : tensor<2x4xf16>
}

// -----

// GEMM epilogue: bias, gelu and a residual add join the matmul's group.
// CHECK-LABEL: func.func @gemm_epilogue
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8x16xf32>, %[[B:.+]]: tensor<16xf32>, %[[R:.+]]: tensor<4x16xf32>)
// CHECK-NEXT: %[[G:.+]] = dsr1.fusion gemm(%[[X]], %[[W]], %[[B]], %[[R]]) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32> {
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: dsr1.matmul
// CHECK-NEXT: dsr1.add
// CHECK-NEXT: dsr1.gelu
// CHECK-NEXT: dsr1.add
// CHECK-NEXT: dsr1.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]
func.func @gemm_epilogue(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>, %r: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = dsr1.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
  %1 = dsr1.add %0, %b : tensor<4x16xf32>, tensor<16xf32>
  %2 = dsr1.gelu %1 : tensor<4x16xf32>
  %3 = dsr1.add %2, %r : tensor<4x16xf32>, tensor<4x16xf32>
  return %3 : tensor<4x16xf32>
}

// -----

// Conv epilogue: the bias add broadcast over channels and relu join the conv.
// CHECK-LABEL: func.func @conv_epilogue
// CHECK-NEXT: %[[B:.+]] = dsr1.constant
// CHECK-NEXT: %[[G:.+]] = dsr1.fusion conv(%{{.*}}, %{{.*}}, %[[B]]) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4x1x1xf32>) -> tensor<1x4x6x6xf32> {
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: dsr1.conv
// CHECK-NEXT: dsr1.add
// CHECK-NEXT: dsr1.relu
// CHECK-NEXT: dsr1.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]
func.func @conv_epilogue(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %b = dsr1.constant dense<0.5> : tensor<4x1x1xf32>
  %0 = dsr1.conv %x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  %1 = dsr1.add %0, %b : tensor<1x4x6x6xf32>, tensor<4x1x1xf32>
  %2 = dsr1.relu %1 : tensor<1x4x6x6xf32>
  return %2 : tensor<1x4x6x6xf32>
}

// -----

// A product takes no prologue (it must stay a plain product for BLAS), and an elementwise
// branch that does not depend on the product stays out of its group.
// CHECK-LABEL: func.func @gemm_no_prologue
// CHECK-NEXT: %[[C:.+]] = dsr1.cast %{{.*}} to f32
// CHECK-NEXT: %[[S:.+]] = dsr1.sigmoid %{{.*}}
// CHECK-NEXT: %[[G:.+]] = dsr1.fusion gemm(%[[C]], %{{.*}}, %[[S]]) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32> {
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: dsr1.matmul
// CHECK-NEXT: dsr1.mul
// CHECK-NEXT: dsr1.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]
func.func @gemm_no_prologue(%x: tensor<4x8xf16>, %w: tensor<8x16xf32>, %y: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = dsr1.cast %x to f32 : tensor<4x8xf16>
  %1 = dsr1.sigmoid %y : tensor<4x16xf32>
  %2 = dsr1.matmul %0, %w : tensor<4x8xf32>, tensor<8x16xf32>
  %3 = dsr1.mul %2, %1 : tensor<4x16xf32>, tensor<4x16xf32>
  return %3 : tensor<4x16xf32>
}

// -----

// Layer norm with a residual-add prologue and a scaling epilogue; the residual sum is also
// returned, so it is a second result of the group (computed once).
// CHECK-LABEL: func.func @layer_norm_multi_output
// CHECK-SAME: (%[[X:.+]]: tensor<2x8xf32>, %[[Y:.+]]: tensor<2x8xf32>, %[[S:.+]]: tensor<8xf32>)
// CHECK-NEXT: %[[G:.+]]:2 = dsr1.fusion reduction(%[[X]], %[[Y]], %[[S]]) : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<2x8xf32>, %[[B:.+]]: tensor<2x8xf32>, %[[C:.+]]: tensor<8xf32>):
// CHECK-NEXT: %[[R:.+]] = dsr1.add %[[A]], %[[B]]
// CHECK-NEXT: %[[N:.+]] = dsr1.layer_norm %[[R]], %[[C]] axis 1
// CHECK-NEXT: %[[T:.+]] = dsr1.tanh %[[N]]
// CHECK-NEXT: dsr1.yield %[[R]], %[[T]] : tensor<2x8xf32>, tensor<2x8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]#1, %[[G]]#0
func.func @layer_norm_multi_output(%x: tensor<2x8xf32>, %y: tensor<2x8xf32>, %s: tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %0 = dsr1.add %x, %y : tensor<2x8xf32>, tensor<2x8xf32>
  %1 = dsr1.layer_norm %0, %s axis 1 : tensor<2x8xf32>, tensor<8xf32>
  %2 = dsr1.tanh %1 : tensor<2x8xf32>
  return %2, %0 : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// Softmax with its scale-and-mask prologue and a cast epilogue.
// CHECK-LABEL: func.func @softmax
// CHECK-NEXT: %[[K:.+]] = dsr1.constant
// CHECK-NEXT: %[[G:.+]] = dsr1.fusion reduction(%{{.*}}, %[[K]], %{{.*}}) : (tensor<2x4x4xf32>, tensor<f32>, tensor<4x4xf32>) -> tensor<2x4x4xf16> {
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: dsr1.mul
// CHECK-NEXT: dsr1.add
// CHECK-NEXT: dsr1.softmax
// CHECK-NEXT: dsr1.cast
// CHECK-NEXT: dsr1.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]
func.func @softmax(%x: tensor<2x4x4xf32>, %mask: tensor<4x4xf32>) -> tensor<2x4x4xf16> {
  %k = dsr1.constant dense<0.125> : tensor<f32>
  %0 = dsr1.mul %x, %k : tensor<2x4x4xf32>, tensor<f32>
  %1 = dsr1.add %0, %mask : tensor<2x4x4xf32>, tensor<4x4xf32>
  %2 = dsr1.softmax %1 axis 2 : tensor<2x4x4xf32>
  %3 = dsr1.cast %2 to f16 : tensor<2x4x4xf32>
  return %3 : tensor<2x4x4xf16>
}

// -----

// Near miss: a producer two reductions read joins the first one's group as one of its results
// and is not recomputed for the second, which stays a kernel of its own (one anchor a group).
// CHECK-LABEL: func.func @shared_producer
// CHECK-NEXT: %[[G:.+]]:2 = dsr1.fusion reduction(%{{.*}}) : (tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[E:.+]] = dsr1.exp
// CHECK-NEXT: %[[P:.+]] = dsr1.softmax %[[E]]
// CHECK-NEXT: dsr1.yield %[[E]], %[[P]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[R:.+]] = dsr1.reduce_sum %[[G]]#0
// CHECK-NEXT: return %[[G]]#1, %[[R]]
// CHECK-NOT: dsr1.exp
func.func @shared_producer(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x1xf32>) {
  %0 = dsr1.exp %x : tensor<2x8xf32>
  %1 = dsr1.softmax %0 axis 1 : tensor<2x8xf32>
  %2 = dsr1.reduce_sum %0 axes [1] : tensor<2x8xf32>
  return %1, %2 : tensor<2x8xf32>, tensor<2x1xf32>
}

// -----

// Near miss: two matmuls never share a group; the relu between them is the first one's
// epilogue.
// CHECK-LABEL: func.func @two_matmuls
// CHECK-NEXT: %[[G:.+]] = dsr1.fusion gemm
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: dsr1.matmul
// CHECK-NEXT: dsr1.relu
// CHECK-NEXT: dsr1.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[M:.+]] = dsr1.matmul %[[G]], %{{.*}}
// CHECK-NEXT: return %[[M]]
func.func @two_matmuls(%x: tensor<4x8xf32>, %w1: tensor<8x8xf32>, %w2: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %0 = dsr1.matmul %x, %w1 : tensor<4x8xf32>, tensor<8x8xf32>
  %1 = dsr1.relu %0 : tensor<4x8xf32>
  %2 = dsr1.matmul %1, %w2 : tensor<4x8xf32>, tensor<8x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// Near miss: attention is a kernel of its own; the ops on either side stay apart.
// CHECK-LABEL: func.func @across_attention
// CHECK-NOT: dsr1.fusion
// CHECK: dsr1.add
// CHECK-NEXT: dsr1.attention
// CHECK-NEXT: dsr1.relu
// CHECK-NOT: dsr1.fusion
func.func @across_attention(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %b: tensor<8xf32>) -> tensor<1x2x4x8xf32> {
  %0 = dsr1.add %q, %b : tensor<1x2x4x8xf32>, tensor<8xf32>
  %1 = dsr1.attention %0, %k, %k {num_heads = 2 : i64} : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
  %2 = dsr1.relu %1 : tensor<1x2x4x8xf32>
  return %2 : tensor<1x2x4x8xf32>
}

// -----

// Near miss: a reshape stays out, and so do the ops on either side of it, even where they are
// also joined directly (the group would have to stand before the reshape that reads it and
// after the reshape it reads).
// CHECK-LABEL: func.func @across_reshape
// CHECK-NOT: dsr1.fusion
// CHECK: dsr1.neg
// CHECK-NEXT: dsr1.reshape
// CHECK-NEXT: dsr1.reshape
// CHECK-NEXT: dsr1.add
// CHECK-NOT: dsr1.fusion
func.func @across_reshape(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = dsr1.neg %x : tensor<2x4xf32>
  %1 = dsr1.reshape %0 to [8] : tensor<2x4xf32>
  %2 = dsr1.reshape %1 to [2, 4] : tensor<8xf32>
  %3 = dsr1.add %0, %2 : tensor<2x4xf32>, tensor<2x4xf32>
  return %3 : tensor<2x4xf32>
}

// -----

// Near miss: a user outside the group that comes before the group's last member keeps the
// producer out; after the last member, the producer becomes a result instead.
// CHECK-LABEL: func.func @user_before
// CHECK-NEXT: %[[N:.+]] = dsr1.neg
// CHECK-NEXT: %[[T:.+]] = dsr1.transpose %[[N]]
// CHECK-NEXT: %[[E:.+]] = dsr1.exp %[[N]]
// CHECK-NEXT: return %[[T]], %[[E]]
func.func @user_before(%x: tensor<2x4xf32>) -> (tensor<4x2xf32>, tensor<2x4xf32>) {
  %0 = dsr1.neg %x : tensor<2x4xf32>
  %1 = dsr1.transpose %0 perm [1, 0] : tensor<2x4xf32>
  %2 = dsr1.exp %0 : tensor<2x4xf32>
  return %1, %2 : tensor<4x2xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func.func @user_after
// CHECK-NEXT: %[[G:.+]]:2 = dsr1.fusion elementwise
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[N:.+]] = dsr1.neg
// CHECK-NEXT: %[[E:.+]] = dsr1.exp %[[N]]
// CHECK-NEXT: dsr1.yield %[[N]], %[[E]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[T:.+]] = dsr1.transpose %[[G]]#0
// CHECK-NEXT: return %[[T]], %[[G]]#1
func.func @user_after(%x: tensor<2x4xf32>) -> (tensor<4x2xf32>, tensor<2x4xf32>) {
  %0 = dsr1.neg %x : tensor<2x4xf32>
  %2 = dsr1.exp %0 : tensor<2x4xf32>
  %1 = dsr1.transpose %0 perm [1, 0] : tensor<2x4xf32>
  return %1, %2 : tensor<4x2xf32>, tensor<2x4xf32>
}

// -----

// Near miss: a lone op stays as it is, and kernel functions are not regrouped.
// CHECK-LABEL: func.func @lone
// CHECK-NEXT: dsr1.relu
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @kernel
// CHECK-NOT: dsr1.fusion
func.func @lone(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsr1.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func private @kernel(%x: tensor<4xf32>) -> tensor<4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.neg %x : tensor<4xf32>
  %1 = dsr1.exp %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}
