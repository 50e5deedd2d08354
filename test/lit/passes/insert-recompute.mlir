// -dsr1-insert-recompute: values dropped after their early readers and computed again before
// their late ones, until the planned arena fits the budget.
// RUN: dsr1-opt %s --split-input-file -dsr1-outline-kernels -dsr1-insert-recompute="memory-budget=5120 report=true" -verify-diagnostics | FileCheck %s
// RUN: dsr1-opt %S/Inputs/transformer-block-train.mlir -dsr1-outline-kernels -dsr1-insert-recompute="memory-budget=75% recompute-expensive=true" | FileCheck %s --check-prefix=BLOCK
// RUN: not dsr1-opt %S/Inputs/transformer-block-train.mlir -dsr1-outline-kernels -dsr1-insert-recompute="memory-budget=75%" 2>&1 | FileCheck %s --check-prefix=CHEAP
// RUN: not dsr1-opt %s -dsr1-insert-recompute="memory-budget=lots" 2>&1 | FileCheck %s --check-prefix=BAD-BUDGET
// RUN: not dsr1-opt %s -dsr1-insert-recompute="memory-budget=150%" 2>&1 | FileCheck %s --check-prefix=BAD-BUDGET
// RUN: not dsr1-opt %s -dsr1-insert-recompute="memory-budget=1M strategy=revolve" 2>&1 | FileCheck %s --check-prefix=BAD-STRATEGY
// BAD-BUDGET: error: the memory budget '{{.*}}' is neither a byte count (like 1048576, 512K, 1.5G or 64MiB) nor a percentage of the unconstrained arena (like 50%)
// BAD-STRATEGY: error: unknown recomputation strategy 'revolve' (expected dsr1 or sqrt)

// The transformer block's training step (Inputs/transformer-block-train.mlir): its activations
// are mostly GEMM outputs. Allowed to recompute GEMMs, the backward pass rebuilds the attention
// from the block's input %x (layer norm, q, k, scores, softmax, attention, residual) instead of
// keeping it, and 75% is met; recomputing only the cheap kernels cannot get there.
// BLOCK-LABEL: func.func @block_train
// BLOCK-SAME: dsr1.recomputation = {budget_bytes = 8256 : i64, {{.*}}, strategy = "dsr1", total_flops = 137856 : i64, unconstrained_bytes = 11008 : i64}
// BLOCK: call @block_train_k16_mul
// BLOCK-NEXT: call @block_train_k0_layer_norm(%arg0, %arg2) {dsr1.recompute}
// BLOCK: %[[P:[0-9]+]] = call @block_train_k6_softmax(%{{.*}}) {dsr1.recompute}
// BLOCK-NEXT: call @block_train_k7_matmul(%[[P]], %{{.*}}) {dsr1.recompute}
// BLOCK-NEXT: %[[Y:[0-9]+]] = call @block_train_k8_add(%{{.*}}, %arg0) {dsr1.recompute}
// BLOCK-NEXT: call @block_train_k17_transpose(%[[Y]])
// BLOCK: call @block_train_k24_transpose(%[[P]])
// BLOCK: call @block_train_k28_transpose
// BLOCK-NEXT: %[[LN:[0-9]+]] = call @block_train_k0_layer_norm(%arg0, %arg2) {dsr1.recompute}
// BLOCK-NEXT: call @block_train_k1_matmul(%[[LN]], %arg3) {dsr1.recompute}
// BLOCK-NEXT: call @block_train_k29_matmul
// BLOCK-NEXT: call @block_train_k30_transpose(%[[LN]])
// CHEAP: error: the memory budget of 8256 bytes cannot be met: the smallest arena reachable by recomputing cheap kernels is 10496 bytes (6656 bytes with recompute-expensive)
// CHEAP: note: {{.*}}kernel 'dy0' alone reads and writes 6656 bytes of intermediates

// %e (1 KiB) waits across the 4 KiB broadcast for the last add: 6 KiB live at the reduction.
// Computing exp again before the add (its operand is the model's input, always there) frees it
// in between: 5 KiB, at the price of one exp (256 FLOPs, 10% of the graph's 2560).
// CHECK-LABEL: func.func @skip
// CHECK-SAME: dsr1.recomputation = {budget_bytes = 5120 : i64, extra_flops = 256 : i64, recomputed = 1 : i64, strategy = "dsr1", total_flops = 2560 : i64, unconstrained_bytes = 6144 : i64}
// CHECK-NEXT: %[[E:.+]] = call @skip_k0_exp(%[[X:[^)]+]])
// CHECK-NEXT: call @skip_k1_expand(%[[E]])
// CHECK-NEXT: call @skip_k2_tanh
// CHECK-NEXT: %[[D:.+]] = call @skip_k3_reduce_sum
// CHECK-NEXT: %[[E2:.+]] = call @skip_k0_exp(%[[X]]) {dsr1.recompute}
// CHECK-NEXT: call @skip_k4_add(%[[D]], %[[E2]])
// expected-remark @below {{recomputed 1 launches (dsr1): arena of 5120 bytes within the budget of 5120 (6144 without recomputation), 256 extra FLOPs (10.00% of 2560)}}
func.func @skip(%x: tensor<256xf32>) -> tensor<256xf32> {
  %e = dsr1.exp %x : tensor<256xf32>
  %b = dsr1.expand %e to [4, 256] : tensor<256xf32>
  %c = dsr1.tanh %b : tensor<4x256xf32>
  %d = dsr1.reduce_sum %c axes [0] {keepdims = false} : tensor<4x256xf32>
  %r = dsr1.add %d, %e : tensor<256xf32>, tensor<256xf32>
  return %r : tensor<256xf32>
}

// -----

// Near miss: the same graph with a matrix product where the exp was. A GEMM is recomputed only
// with recompute-expensive (insert-recompute-sqrt.mlir allows it); without, the budget cannot be met, and the
// error says what would.
// expected-error @below {{the memory budget of 5120 bytes cannot be met: the smallest arena reachable by recomputing cheap kernels is 6144 bytes (5120 bytes with recompute-expensive)}}
func.func @expensive(%x: tensor<256xf32>, %w: tensor<256x256xf32>) -> tensor<256xf32> {
  %e = dsr1.matmul %x, %w : tensor<256xf32>, tensor<256x256xf32>
  // expected-note @unknown {{kernel 'broadcast' alone reads and writes 5120 bytes of intermediates}}
  %b = dsr1.expand %e to [4, 256] : tensor<256xf32> loc("broadcast")
  %c = dsr1.tanh %b : tensor<4x256xf32>
  %d = dsr1.reduce_sum %c axes [0] {keepdims = false} : tensor<4x256xf32>
  %r = dsr1.add %d, %e : tensor<256xf32>, tensor<256xf32>
  return %r : tensor<256xf32>
}

// -----

// Near miss: a budget the graph already fits changes nothing.
// CHECK-LABEL: func.func @fits
// CHECK-SAME: recomputed = 0 : i64
// CHECK-NOT: dsr1.recompute}
// expected-remark @below {{recomputed 0 launches (dsr1): arena of 128 bytes within the budget of 5120 (128 without recomputation), 0 extra FLOPs (0.00% of 48)}}
func.func @fits(%x: tensor<16xf32>) -> tensor<16xf32> {
  %a = dsr1.exp %x : tensor<16xf32>
  %b = dsr1.neg %a : tensor<16xf32>
  %c = dsr1.add %a, %b : tensor<16xf32>, tensor<16xf32>
  return %c : tensor<16xf32>
}
