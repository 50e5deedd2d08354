// -dsr1-plan-memory: arena offsets from the live ranges of the kernel schedule, in-place reuse
// for elementwise kernels, and the naive / planned / lower-bound sizes.
// RUN: dsr1-opt %s --split-input-file -dsr1-outline-kernels -dsr1-plan-memory -verify-diagnostics | FileCheck %s
// RUN: dsr1-opt %s --split-input-file -dsr1-outline-kernels -dsr1-plan-memory="in-place=false" -verify-diagnostics | FileCheck %s --check-prefix=COPY
// RUN: not dsr1-opt %s --split-input-file -dsr1-outline-kernels -dsr1-plan-memory="report=true" 2>&1 | FileCheck %s --check-prefix=REPORT

// An elementwise chain: each kernel writes over the operand that dies there, so one 64-byte
// line holds the whole chain; the last result is the model's output and not in the arena.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: dsr1.memory = {arena_bytes = 64 : i64, lower_bound_bytes = 64 : i64, naive_bytes = 192 : i64}
// CHECK-NEXT: call @chain_k0_exp(%{{.*}}) {dsr1.arena_offsets = array<i64: 0>}
// CHECK-NEXT: call @chain_k1_neg(%{{.*}}) {dsr1.arena_offsets = array<i64: 0>}
// CHECK-NEXT: call @chain_k2_tanh(%{{.*}}) {dsr1.arena_offsets = array<i64: 0>}
// CHECK-NEXT: call @chain_k3_sin(%{{.*}}) {dsr1.arena_offsets = array<i64: -1>}
// Without in-place reuse the chain ping-pongs between two lines.
// COPY-LABEL: func.func @chain
// COPY-SAME: dsr1.memory = {arena_bytes = 128 : i64, lower_bound_bytes = 128 : i64, naive_bytes = 192 : i64}
// COPY-NEXT: call @chain_k0_exp(%{{.*}}) {dsr1.arena_offsets = array<i64: 0>}
// COPY-NEXT: call @chain_k1_neg(%{{.*}}) {dsr1.arena_offsets = array<i64: 64>}
// COPY-NEXT: call @chain_k2_tanh(%{{.*}}) {dsr1.arena_offsets = array<i64: 0>}
// REPORT: remark: arena of 64 bytes (naive: 192 bytes, lower bound: 64 bytes)
func.func @chain(%x: tensor<16xf32>) -> tensor<16xf32> {
  %a = dsr1.exp %x : tensor<16xf32>
  %b = dsr1.neg %a : tensor<16xf32>
  %c = dsr1.tanh %b : tensor<16xf32>
  %d = dsr1.sin %c : tensor<16xf32>
  return %d : tensor<16xf32>
}

// -----

// Near misses for in-place reuse: an operand read again later (%a by the last add), operands
// of another size (the broadcast %a; %c for the f16 cast) and a kernel that is not elementwise
// (the transpose reads other elements than it writes) all get buffers of their own. The largest
// buffers are placed first.
// CHECK-LABEL: func.func @not_in_place
// CHECK-SAME: dsr1.memory = {arena_bytes = 384 : i64, lower_bound_bytes = 384 : i64, naive_bytes = 448 : i64}
// CHECK-NEXT: call @not_in_place_k0_exp(%{{.*}}) {dsr1.arena_offsets = array<i64: 256>}
// CHECK-NEXT: call @not_in_place_k1_neg(%{{.*}}) {dsr1.arena_offsets = array<i64: 320>}
// CHECK-NEXT: call @not_in_place_k2_add(%{{.*}}) {dsr1.arena_offsets = array<i64: 0>}
// CHECK-NEXT: call @not_in_place_k3_transpose(%{{.*}}) {dsr1.arena_offsets = array<i64: 128>}
// CHECK-NEXT: call @not_in_place_k4_cast(%{{.*}}) {dsr1.arena_offsets = array<i64: 128>}
// CHECK-NEXT: call @not_in_place_k5_neg(%{{.*}}) {dsr1.arena_offsets = array<i64: -1>}
// CHECK-NEXT: call @not_in_place_k6_add(%{{.*}}) {dsr1.arena_offsets = array<i64: -1>}
// REPORT: remark: arena of 384 bytes (naive: 448 bytes, lower bound: 384 bytes)
func.func @not_in_place(%x: tensor<16xf32>, %y: tensor<2x16xf32>) -> (tensor<2x16xf16>, tensor<16xf32>) {
  %a = dsr1.exp %x : tensor<16xf32>
  %b = dsr1.neg %a : tensor<16xf32>
  %c = dsr1.add %a, %y : tensor<16xf32>, tensor<2x16xf32>
  %t = dsr1.transpose %c perm [1, 0] : tensor<2x16xf32>
  %h = dsr1.cast %c to f16 : tensor<2x16xf32>
  %n = dsr1.neg %h : tensor<2x16xf16>
  %r = dsr1.add %b, %a : tensor<16xf32>, tensor<16xf32>
  return %n, %r : tensor<2x16xf16>, tensor<16xf32>
}

// -----

// A U-Net in miniature: the skips %s1 and %s2 live across the bottleneck, nested. The arena is
// the lower bound (at the last concat: %s1, %a2 and %u1, 2560 bytes); the slices' buffers are
// reused by the bottleneck and by %u1.
// CHECK-LABEL: func.func @unet
// CHECK-SAME: dsr1.memory = {arena_bytes = 2560 : i64, lower_bound_bytes = 2560 : i64, naive_bytes = 4608 : i64}
// CHECK-NEXT: %[[S1:.+]] = call @unet_k0_exp(%{{.*}}) {dsr1.arena_offsets = array<i64: 0>}
// CHECK-NEXT: call @unet_k1_slice(%[[S1]]) {dsr1.arena_offsets = array<i64: 1024>}
// CHECK-NEXT: call @unet_k2_exp(%{{.*}}) {dsr1.arena_offsets = array<i64: 1024>}
// CHECK-NEXT: call @unet_k3_slice(%{{.*}}) {dsr1.arena_offsets = array<i64: 1536>}
// CHECK-NEXT: call @unet_k4_neg(%{{.*}}) {dsr1.arena_offsets = array<i64: 1536>}
// CHECK-NEXT: call @unet_k5_concat(%{{.*}}) {dsr1.arena_offsets = array<i64: 2048>}
// CHECK-NEXT: call @unet_k6_add(%{{.*}}) {dsr1.arena_offsets = array<i64: 2048>}
// CHECK-NEXT: call @unet_k7_concat(%{{.*}}) {dsr1.arena_offsets = array<i64: 1024>}
// CHECK-NEXT: call @unet_k8_add(%{{.*}}, %[[S1]]) {dsr1.arena_offsets = array<i64: -1>}
// REPORT: remark: arena of 2560 bytes (naive: 4608 bytes, lower bound: 2560 bytes)
func.func @unet(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %s1 = dsr1.exp %x : tensor<4x64xf32>
  %d1 = dsr1.slice %s1 {axes = array<i64: 0>, ends = array<i64: 2>, starts = array<i64: 0>, steps = array<i64: 1>} : tensor<4x64xf32>
  %s2 = dsr1.exp %d1 : tensor<2x64xf32>
  %d2 = dsr1.slice %s2 {axes = array<i64: 0>, ends = array<i64: 1>, starts = array<i64: 0>, steps = array<i64: 1>} : tensor<2x64xf32>
  %m = dsr1.neg %d2 : tensor<1x64xf32>
  %u2 = dsr1.concat %m, %m axis 0 : tensor<1x64xf32>, tensor<1x64xf32>
  %a2 = dsr1.add %u2, %s2 : tensor<2x64xf32>, tensor<2x64xf32>
  %u1 = dsr1.concat %a2, %a2 axis 0 : tensor<2x64xf32>, tensor<2x64xf32>
  %a1 = dsr1.add %u1, %s1 : tensor<4x64xf32>, tensor<4x64xf32>
  return %a1 : tensor<4x64xf32>
}

// -----

// A result nobody reads holds its buffer only while its kernel runs; a returned input is not
// in the arena at all.
// CHECK-LABEL: func.func @unused_result
// CHECK-SAME: dsr1.memory = {arena_bytes = 128 : i64, lower_bound_bytes = 128 : i64, naive_bytes = 128 : i64}
// CHECK-NEXT: call @unused_result_k0_split(%{{.*}}) {dsr1.arena_offsets = array<i64: 0, 64>}
// CHECK-NEXT: call @unused_result_k1_neg(%{{.*}}) {dsr1.arena_offsets = array<i64: -1>}
// REPORT: remark: arena of 128 bytes (naive: 128 bytes, lower bound: 128 bytes)
func.func @unused_result(%x: tensor<32xf32>) -> (tensor<16xf32>, tensor<32xf32>) {
  %a, %b = dsr1.split %x axis 0 sizes [16, 16] : tensor<32xf32>
  %n = dsr1.neg %a : tensor<16xf32>
  return %n, %x : tensor<16xf32>, tensor<32xf32>
}

// -----

// An intermediate whose size is not known at compile time cannot be planned (the model's input
// and output may be dynamic: they are the caller's buffers).
func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @unknown {{the size of 'exp_node' ('tensor<?xf32>') is not known at compile time; give the model's input shapes to plan its memory}}
  %a = dsr1.exp %x : tensor<?xf32> loc("exp_node")
  %b = dsr1.neg %a : tensor<?xf32>
  return %b : tensor<?xf32>
}
