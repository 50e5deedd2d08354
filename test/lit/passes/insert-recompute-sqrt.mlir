// -dsr1-insert-recompute strategy=sqrt (Chen et al. 2016's segment checkpointing) on the graphs
// of insert-recompute.mlir: it meets the same budget by the same recomputation, and recomputes a
// GEMM when recompute-expensive allows it.
// RUN: dsr1-opt %s --split-input-file -dsr1-outline-kernels -dsr1-insert-recompute="memory-budget=5KiB strategy=sqrt recompute-expensive=true" -dsr1-plan-memory | FileCheck %s

// CHECK-LABEL: func.func @skip
// CHECK: dsr1.memory = {arena_bytes = 5120 : i64
// CHECK: call @skip_k0_exp(%{{.*}}) {dsr1.arena_offsets = array<i64: {{[0-9]+}}>, dsr1.recompute}
// CHECK-NEXT: call @skip_k4_add
func.func @skip(%x: tensor<256xf32>) -> tensor<256xf32> {
  %e = dsr1.exp %x : tensor<256xf32>
  %b = dsr1.expand %e to [4, 256] : tensor<256xf32>
  %c = dsr1.tanh %b : tensor<4x256xf32>
  %d = dsr1.reduce_sum %c axes [0] {keepdims = false} : tensor<4x256xf32>
  %r = dsr1.add %d, %e : tensor<256xf32>, tensor<256xf32>
  return %r : tensor<256xf32>
}

// -----

// CHECK-LABEL: func.func @expensive
// CHECK: dsr1.memory = {arena_bytes = 5120 : i64
// CHECK: call @expensive_k0_matmul(%{{.*}}) {dsr1.arena_offsets = array<i64: {{[0-9]+}}>, dsr1.recompute}
// CHECK-NEXT: call @expensive_k4_add
func.func @expensive(%x: tensor<256xf32>, %w: tensor<256x256xf32>) -> tensor<256xf32> {
  %e = dsr1.matmul %x, %w : tensor<256xf32>, tensor<256x256xf32>
  %b = dsr1.expand %e to [4, 256] : tensor<256xf32>
  %c = dsr1.tanh %b : tensor<4x256xf32>
  %d = dsr1.reduce_sum %c axes [0] {keepdims = false} : tensor<4x256xf32>
  %r = dsr1.add %d, %e : tensor<256xf32>, tensor<256xf32>
  return %r : tensor<256xf32>
}
