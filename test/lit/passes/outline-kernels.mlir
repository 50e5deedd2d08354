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
// CHECK: func.func private @two_ops_k0_add(%[[P:.+]]: tensor<4xf32>, %[[Q:.+]]: tensor<4xf32>) -> tensor<4xf32> attributes {dsr1.kernel}
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
// CHECK: func.func private @[[K]]({{.*}}) -> tensor<2xf32> attributes {dsr1.kernel}
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
