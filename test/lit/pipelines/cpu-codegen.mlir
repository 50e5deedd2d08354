// The dsr1-cpu-codegen-pipeline: a kernel function down to the LLVM dialect, with the calling
// convention the runtime uses: bare pointers, the status word first, then the operands, then
// the results (out-parameters; the kernel returns nothing).
// RUN: dsr1-opt %s --dsr1-cpu-codegen-pipeline | FileCheck %s

// CHECK-LABEL: llvm.func @k0_tanh
// CHECK-SAME: (%[[STATUS:.+]]: !llvm.ptr, %[[X:.+]]: !llvm.ptr, %[[Y:.+]]: !llvm.ptr)
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.load %{{.*}} : !llvm.ptr -> f32
// CHECK: llvm.intr.tanh
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
// CHECK: llvm.return
// CHECK-NOT: dsr1.
// CHECK-NOT: linalg.
func.func @k0_tanh(%x: tensor<8xf32>) -> tensor<8xf32> attributes {dsr1.kernel} {
  %0 = dsr1.tanh %x : tensor<8xf32>
  return %0 : tensor<8xf32>
}
