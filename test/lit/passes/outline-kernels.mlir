// -dsr1-outline-kernels: every dsr1 compute op becomes a private kernel function that the graph
// calls; constants (the weights) stay in the graph.
// RUN: dsr1-opt %s --split-input-file -dsr1-outline-kernels | FileCheck %s

// Two ops, two kernels in program order, each keeping the node's location; the constant stays.
// CHECK-LABEL: func.func @two_ops
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: %[[W:.+]] = dsr1.constant
// CHECK-NEXT: %[[A:.+]] = call @two_ops_k0_add(%[[X]], %[[W]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[R:.+]] = call @two_ops_k1_relu(%[[A]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[R]]
// CHECK: func.func private @two_ops_k0_add(%[[P:.+]]: tensor<4xf32>, %[[Q:.+]]: tensor<4xf32>) -> tensor<4xf32> attributes {dsr1.family = #dsr1.fusion_family<elementwise>, dsr1.kernel}
// CHECK-NEXT: dsr1.add %[[P]], %[[Q]]
// CHECK: func.func private @two_ops_k1_relu
// CHECK-NEXT: dsr1.relu
func.func @two_ops(%x: tensor<4xf32>) -> tensor<4xf32> {
  %w = dsr1.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %a = dsr1.add %x, %w : tensor<4xf32>, tensor<4xf32>
  %r = dsr1.relu %a : tensor<4xf32> loc("relu_node")
  return %r : tensor<4xf32>
}

// -----

// An op with several results: the kernel returns all of them.
// CHECK-LABEL: func.func @multi_result
// CHECK: %[[S:.+]]:2 = call @multi_result_k0_split
// CHECK: return %[[S]]#1, %[[S]]#0
// CHECK: func.func private @multi_result_k0_split({{.*}}) -> (tensor<2xf32>, tensor<4xf32>)
func.func @multi_result(%x: tensor<6xf32>) -> (tensor<4xf32>, tensor<2xf32>) {
  %a, %b = dsr1.split %x axis 0 sizes [2, 4] : tensor<6xf32>
  return %b, %a : tensor<4xf32>, tensor<2xf32>
}

// -----

// Near misses: functions already outlined and declarations are left alone, and a kernel name
// that is taken gets a fresh one.
// CHECK-LABEL: func.func private @done_k0_neg(%{{.*}}: tensor<2xf32>) -> tensor<2xf32> attributes {dsr1.kernel}
// CHECK-NEXT: dsr1.neg
// CHECK-LABEL: func.func private @external(tensor<2xf32>) -> tensor<2xf32>
// CHECK-LABEL: func.func @done
// CHECK-NEXT: %[[N:.+]] = call @[[K:done_k0_neg_[0-9]+]](%{{.*}})
// CHECK-NEXT: return %[[N]]
// CHECK: func.func private @[[K]]({{.*}}) -> tensor<2xf32> attributes {dsr1.family = #dsr1.fusion_family<elementwise>, dsr1.kernel}
// CHECK-NEXT: dsr1.neg
func.func private @done_k0_neg(%x: tensor<2xf32>) -> tensor<2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.neg %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func private @external(tensor<2xf32>) -> tensor<2xf32>
func.func @done(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = dsr1.neg %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A group is one kernel named by its family, whose body is the group's ops; the lone op after
// it stays a one-op kernel. Every kernel carries its family.
// CHECK-LABEL: func.func @group
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8x16xf32>)
// CHECK-NEXT: %[[B:.+]] = dsr1.constant
// CHECK-NEXT: %[[G:.+]]:2 = call @group_k0_gemm(%[[X]], %[[W]], %[[B]]) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK-NEXT: %[[T:.+]] = call @group_k1_transpose(%[[G]]#1)
// CHECK-NEXT: return %[[G]]#0, %[[T]]
// CHECK: func.func private @group_k0_gemm(%[[A:.+]]: tensor<4x8xf32>, %[[C:.+]]: tensor<8x16xf32>, %[[D:.+]]: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) attributes {dsr1.family = #dsr1.fusion_family<gemm>, dsr1.kernel} {
// CHECK-NEXT: %[[M:.+]] = dsr1.matmul %[[A]], %[[C]]
// CHECK-NEXT: %[[S:.+]] = dsr1.add %[[M]], %[[D]]
// CHECK-NEXT: %[[R:.+]] = dsr1.relu %[[S]]
// CHECK-NEXT: return %[[S]], %[[R]]
// CHECK-NOT: dsr1.fusion
// CHECK: func.func private @group_k1_transpose({{.*}}) -> tensor<16x4xf32> attributes {dsr1.family = #dsr1.fusion_family<data_movement>, dsr1.kernel}
func.func @group(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> (tensor<4x16xf32>, tensor<16x4xf32>) {
  %b = dsr1.constant dense<1.0> : tensor<16xf32>
  %0:2 = dsr1.fusion gemm (%x, %w, %b) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  ^bb0(%a: tensor<4x8xf32>, %c: tensor<8x16xf32>, %d: tensor<16xf32>):
    %m = dsr1.matmul %a, %c : tensor<4x8xf32>, tensor<8x16xf32>
    %s = dsr1.add %m, %d : tensor<4x16xf32>, tensor<16xf32>
    %r = dsr1.relu %s : tensor<4x16xf32>
    dsr1.yield %s, %r : tensor<4x16xf32>, tensor<4x16xf32>
  }
  %1 = dsr1.transpose %0#1 perm [1, 0] : tensor<4x16xf32>
  return %0#0, %1 : tensor<4x16xf32>, tensor<16x4xf32>
}

// -----

// A constant inside a group (a fold within the group makes them) moves to the graph and
// becomes one more operand of the kernel.
// CHECK-LABEL: func.func @group_constant
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: %[[K:.+]] = dsr1.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK-NEXT: %[[G:.+]] = call @group_constant_k0_elementwise(%[[X]], %[[K]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[G]]
// CHECK: func.func private @group_constant_k0_elementwise(%[[A:.+]]: tensor<4xf32>, %[[C:.+]]: tensor<4xf32>) -> tensor<4xf32> attributes {dsr1.family = #dsr1.fusion_family<elementwise>, dsr1.kernel}
// CHECK-NEXT: %[[M:.+]] = dsr1.mul %[[A]], %[[C]]
// CHECK-NEXT: %[[E:.+]] = dsr1.exp %[[M]]
// CHECK-NEXT: return %[[E]]
func.func @group_constant(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %k = dsr1.constant dense<2.0> : tensor<4xf32> loc("k")
    %m = dsr1.mul %a, %k : tensor<4xf32>, tensor<4xf32>
    %e = dsr1.exp %m : tensor<4xf32>
    dsr1.yield %e : tensor<4xf32>
  } loc("grp")
  return %0 : tensor<4xf32>
}
