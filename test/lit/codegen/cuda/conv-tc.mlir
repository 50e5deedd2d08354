// The CUDA template a convolution gets: the implicit GEMM on tensor cores for
// f16, bf16 and TF32 products, the direct pointwise one otherwise.
// RUN: dsr1-compile %s --emit cuda | FileCheck %s
// RUN: dsr1-compile %s --emit cuda --cuda-params conv-tc-min-channels=1 | FileCheck %s --check-prefix=FORCED

// f16, 3x3 with padding: W [64 x 9*16] staged by cp.async (144 halves a row),
// X gathered element by element with the padding as zeros; the bias and the
// fused relu in the epilogue.
// CHECK-LABEL: void {{.*}}main_k0_conv_conv_tc(
// CHECK: DSR1_SHARED_TILE(uint16_t, As,
// CHECK: dsr1::cp_async_16_zfill(As,
// CHECK: >= 0 && {{.*}} < 10 && {{.*}} >= 0 && {{.*}} < 10)
// CHECK: value = dsr1::load(a0 +
// CHECK: dsr1::mma_m16n8k16(acc[i][j], fa[i], fb[j], acc[i][j]);
// CHECK: dsr1::load(a2 + [[OC:v[0-9]+]])
// CHECK: > 0 ||

// 1x1 with unit strides and aligned planes: both operands by cp.async.
// CHECK-LABEL: void {{.*}}main_k1_conv_conv_tc(
// CHECK: dsr1::cp_async_16_zfill(As,
// CHECK: dsr1::cp_async_16_zfill(Bs,

// bf16, grouped; a TF32 product (f32 operands rounded as fragments load).
// CHECK-LABEL: void {{.*}}main_k2_conv_conv_tc(
// CHECK: dsr1::mma_m16n8k16_bf16(
// CHECK-LABEL: void {{.*}}main_k3_conv_conv_tc(
// CHECK: dsr1::toTf32(
// CHECK: dsr1::mma_m16n8k8_tf32(

// Near misses: f32 without TF32, an integer convolution and a transposed one
// stay direct; so does a depthwise convolution (one output channel a group:
// 63 of an m64 tile's rows would be padding) unless conv-tc-min-channels
// allows it.
// CHECK-NOT: conv_tc(
// CHECK: main_k4_conv_pointwise(
// CHECK-NOT: conv_tc(
// CHECK: main_k5_conv_pointwise(
// CHECK-NOT: conv_tc(
// CHECK: main_k6_conv_transpose_pointwise(
// CHECK-NOT: conv_tc(
// CHECK: main_k7_conv_pointwise(
// CHECK-NOT: conv_tc(
// CHECK: #ifdef DSR1_CUDA_EMU
// FORCED: main_k7_conv_conv_tc(
func.func @main(%x: tensor<1x16x10x10xf16>, %w: tensor<64x16x3x3xf16>, %b: tensor<64xf16>,
                %x8: tensor<1x16x8x8xf16>, %w1: tensor<24x16x1x1xf16>,
                %xb: tensor<1x16x10x10xbf16>, %wb: tensor<32x8x3x3xbf16>,
                %xf: tensor<1x16x10x10xf32>, %wf: tensor<32x16x3x3xf32>,
                %xi: tensor<1x16x10x10xi32>, %wi: tensor<32x16x3x3xi32>,
                %wt: tensor<16x4x2x2xf32>, %wd: tensor<16x1x3x3xf16>)
    -> (tensor<1x64x10x10xf16>, tensor<1x24x8x8xf16>, tensor<1x32x8x8xbf16>,
        tensor<1x32x8x8xf32>, tensor<1x32x8x8xf32>, tensor<1x32x8x8xi32>,
        tensor<1x4x20x20xf32>, tensor<1x16x10x10xf16>) {
  %0 = dsr1.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : tensor<1x16x10x10xf16>, tensor<64x16x3x3xf16>, tensor<64xf16>
  %1 = dsr1.relu %0 : tensor<1x64x10x10xf16>
  %2 = dsr1.conv %x8, %w1 : tensor<1x16x8x8xf16>, tensor<24x16x1x1xf16>
  %3 = dsr1.conv %xb, %wb {group = 2 : i64} : tensor<1x16x10x10xbf16>, tensor<32x8x3x3xbf16>
  %4 = dsr1.conv %xf, %wf {precision = #dsr1.precision<tf32>} : tensor<1x16x10x10xf32>, tensor<32x16x3x3xf32>
  %5 = dsr1.conv %xf, %wf : tensor<1x16x10x10xf32>, tensor<32x16x3x3xf32>
  %6 = dsr1.conv %xi, %wi : tensor<1x16x10x10xi32>, tensor<32x16x3x3xi32>
  %7 = dsr1.conv_transpose %xf, %wt {strides = array<i64: 2, 2>} : tensor<1x16x10x10xf32>, tensor<16x4x2x2xf32>
  %8 = dsr1.conv %x, %wd {group = 16 : i64, pads = array<i64: 1, 1, 1, 1>} : tensor<1x16x10x10xf16>, tensor<16x1x3x3xf16>
  return %1, %2, %3, %4, %5, %6, %7, %8 : tensor<1x64x10x10xf16>, tensor<1x24x8x8xf16>, tensor<1x32x8x8xbf16>, tensor<1x32x8x8xf32>, tensor<1x32x8x8xf32>, tensor<1x32x8x8xi32>, tensor<1x4x20x20xf32>, tensor<1x16x10x10xf16>
}
