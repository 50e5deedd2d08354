// -dsr1-extract-kernels: only the kernel functions remain, public, for a code generator.
// RUN: dsr1-opt %s -dsr1-extract-kernels | FileCheck %s

// CHECK-NOT: func.func @graph
// CHECK-NOT: @helper
// CHECK-LABEL: func.func @graph_k0_relu
// CHECK-SAME: attributes {dsr1.kernel}
// CHECK-NEXT: dsr1.relu
// CHECK-NOT: func.func
func.func @graph(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = call @graph_k0_relu(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func private @helper(tensor<4xf32>) -> tensor<4xf32>
func.func private @graph_k0_relu(%x: tensor<4xf32>) -> tensor<4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
