// A compile with --tuning-cache generates the tensor-core kernels found
// there with their tuned parameters (those of the first GPU target), and the
// others with the defaults.
// RUN: rm -rf %t && mkdir -p %t
// RUN: printf '{"version": 1, "entries": {"attention-tc/fp16/b1h2/33x70/d64v64/causal/sm_80": {"params": "attention-tc-block-q=128,attention-tc-warps=8,attention-tc-block-kv=32", "seconds": 1e-05, "fraction_of_peak": 0.1}, "gemm-tc/bf16/67x45x40/b1/nn/sm_80": {"params": "tc-tile-m=32,tc-tile-n=64,tc-tile-k=32,tc-warps=2,tc-stages=3", "seconds": 1e-05, "fraction_of_peak": 0.1}, "conv-tc/fp16/n1c8h11w11/oc24k3x3s1p1d1g1/sm_90a": {"params": "tc-tile-m=128,tc-tile-n=32,tc-tile-k=16,tc-warps=4,tc-stages=2", "seconds": 1e-05, "fraction_of_peak": 0.1}}}' > %t/tune.json
// RUN: dsr1-compile %s --emit cuda --target sm_80,sm_90a --tuning-cache %t/tune.json | FileCheck %s
// RUN: dsr1-compile %s --emit cuda --target sm_90a --tuning-cache %t/tune.json | FileCheck %s --check-prefix=H100
// RUN: printf '{"version": 1, "entries": {"x": {"params": "tc-warps=3", "seconds": 1, "fraction_of_peak": 1}}}' > %t/bad.json
// RUN: not dsr1-compile %s --emit cuda --tuning-cache %t/bad.json 2>&1 | FileCheck %s --check-prefix=BAD

// sm_80 first: the attention's and the GEMM's sm_80 tunings apply; the
// convolution's is for sm_90a only, so it keeps the defaults (4 warps,
// 64x64 tiles). Shared tiles are swizzled, unpadded: A of the GEMM is 3
// stages of 32 x 32, the convolution's 2 of 64 x 16.
// CHECK: __launch_bounds__(256, 1) main_k0_attention_attention_tc(
// CHECK: DSR1_SHARED_TILE(uint16_t, Ks, 2304);
// CHECK: __launch_bounds__(64, 1) main_k1_matmul_gemm_tc(
// CHECK: DSR1_SHARED_TILE(uint16_t, As, 3072);
// CHECK: __launch_bounds__(128, 1) main_k2_conv_conv_tc(
// CHECK: DSR1_SHARED_TILE(uint16_t, As, 2048);

// H100: __launch_bounds__(128, 1) main_k0_attention_attention_tc(
// H100: __launch_bounds__(128, 1) main_k1_matmul_gemm_tc(
// H100: __launch_bounds__(128, 1) main_k2_conv_conv_tc(
// H100: DSR1_SHARED_TILE(uint16_t, As, 4096);

// BAD: error: tuning cache {{.*}}bad.json is not valid
func.func @main(%q: tensor<1x2x33x64xf16>, %k: tensor<1x2x70x64xf16>,
                %a: tensor<67x40xbf16>, %b: tensor<40x45xbf16>,
                %x: tensor<1x8x11x11xf16>, %w: tensor<24x8x3x3xf16>)
    -> (tensor<1x2x33x64xf16>, tensor<67x45xbf16>, tensor<1x24x11x11xf16>) {
  %0 = dsr1.attention %q, %k, %k {num_heads = 2 : i64, causal} : tensor<1x2x33x64xf16>, tensor<1x2x70x64xf16>, tensor<1x2x70x64xf16>
  %1 = dsr1.matmul %a, %b : tensor<67x40xbf16>, tensor<40x45xbf16>
  %2 = dsr1.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : tensor<1x8x11x11xf16>, tensor<24x8x3x3xf16>
  return %0, %1, %2 : tensor<1x2x33x64xf16>, tensor<67x45xbf16>, tensor<1x24x11x11xf16>
}
