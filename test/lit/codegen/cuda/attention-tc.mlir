// The CUDA template an attention gets: the tensor-core flash template for f16
// and bf16 with head dims multiples of 16 up to 128, the SIMT one otherwise.
// RUN: dsr1-compile %s --emit cuda | FileCheck %s
// RUN: dsr1-compile %s --emit cuda --cuda-params attention-tc-block-kv=128 | FileCheck %s --check-prefix=SHRINK
// RUN: not dsr1-compile %s --emit cuda --cuda-params attention-tc-block-q=256,attention-tc-warps=8 2>&1 | FileCheck %s --check-prefix=ERR

// 128-key tiles of head dim 128 would take 2 x 34 KiB: halved to 64 keys.
// SHRINK-LABEL: main_k1_attention_attention_tc(
// SHRINK: DSR1_SHARED_TILE(uint16_t, Ks, 8704);

// 256 query rows of head dim 128 (68 KiB) do not fit.
// ERR: error: cuda: the tensor-core attention's tiles need {{[0-9]+}} bytes of shared memory (48 KiB at most): lower attention-tc-block-q

// CHECK-LABEL: void {{.*}}main_k0_attention_attention_tc(int *status, const uint16_t *a0, const uint16_t *a1, const uint16_t *a2, uint16_t *a3)
// CHECK: DSR1_SHARED_TILE(uint16_t, Ks, 4608);
// CHECK: DSR1_SHARED_TILE(uint16_t, Vs, 4608);
// CHECK: dsr1::ldmatrix_x4(qf[i][d], Vs
// CHECK: dsr1::mma_m16n8k16(sc[i][j], qf[i][d], b0, sc[i][j]);
// CHECK: __shfl_xor_sync(dsr1::kFullMask, mx, 2)
// CHECK: dsr1::packHalf2(
// CHECK: dsr1::ldmatrix_x4_trans(r, Vs
// CHECK: dsr1::mma_m16n8k16(o[i][d], pa[i], b0, o[i][d]);

// bf16, heads packed in the last dimension, head dim 128: rows of 136
// elements, Q staged in V's buffer.
// CHECK-LABEL: void {{.*}}main_k1_attention_attention_tc(
// CHECK: DSR1_SHARED_TILE(uint16_t, Ks, 8704);
// CHECK: DSR1_SHARED_TILE(uint16_t, Vs, 8704);
// CHECK: dsr1::mma_m16n8k16_bf16(
// CHECK: dsr1::packBf162(

// Near misses: head dim 8 (not a multiple of 16), 144 (over 128), f32, and
// the scores returned: the SIMT template.
// CHECK-NOT: attention_tc(
// CHECK: main_k2_attention_attention(
// CHECK-NOT: attention_tc(
// CHECK: main_k3_attention_attention(
// CHECK-NOT: attention_tc(
// CHECK: main_k4_attention_attention(
// CHECK-NOT: attention_tc(
// CHECK: #ifdef DSR1_CUDA_EMU
func.func @main(%q: tensor<1x2x7x64xf16>, %k: tensor<1x2x33x64xf16>,
                %qb: tensor<1x9x256xbf16>, %kb: tensor<1x40x256xbf16>,
                %q8: tensor<1x2x7x8xf16>, %q144: tensor<1x1x7x144xf16>,
                %q32: tensor<1x2x7x64xf32>, %k32: tensor<1x2x33x64xf32>)
    -> (tensor<1x2x7x64xf16>, tensor<1x9x256xbf16>, tensor<1x2x7x8xf16>,
        tensor<1x1x7x144xf16>, tensor<1x2x7x64xf32>) {
  %0 = dsr1.attention %q, %k, %k {num_heads = 2 : i64} : tensor<1x2x7x64xf16>, tensor<1x2x33x64xf16>, tensor<1x2x33x64xf16>
  %1 = dsr1.attention %qb, %kb, %kb {num_heads = 2 : i64} : tensor<1x9x256xbf16>, tensor<1x40x256xbf16>, tensor<1x40x256xbf16>
  %2 = dsr1.attention %q8, %q8, %q8 {num_heads = 2 : i64} : tensor<1x2x7x8xf16>, tensor<1x2x7x8xf16>, tensor<1x2x7x8xf16>
  %3 = dsr1.attention %q144, %q144, %q144 {num_heads = 1 : i64} : tensor<1x1x7x144xf16>, tensor<1x1x7x144xf16>, tensor<1x1x7x144xf16>
  %4 = dsr1.attention %q32, %k32, %k32 {num_heads = 2 : i64} : tensor<1x2x7x64xf32>, tensor<1x2x33x64xf32>, tensor<1x2x33x64xf32>
  return %0, %1, %2, %3, %4 : tensor<1x2x7x64xf16>, tensor<1x9x256xbf16>, tensor<1x2x7x8xf16>, tensor<1x1x7x144xf16>, tensor<1x2x7x64xf32>
}
