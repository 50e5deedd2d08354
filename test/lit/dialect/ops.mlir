// Round trip of every dsr1 op and attribute: custom form, generic form and bytecode all parse back to the same IR.
// RUN: dsr1-opt %s | dsr1-opt | FileCheck %s
// RUN: dsr1-opt %s --mlir-print-op-generic | dsr1-opt | FileCheck %s
// RUN: dsr1-opt %s --emit-bytecode | dsr1-opt | FileCheck %s

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<2x?xf32>, %i: tensor<4xi32>, %b: tensor<3xi1>) {
  // CHECK: dsr1.abs %{{.*}} : tensor<2x?xf32>
  %0 = dsr1.abs %x : tensor<2x?xf32>
  // CHECK: dsr1.abs %{{.*}} : tensor<4xi32>
  %1 = dsr1.abs %i : tensor<4xi32>
  // CHECK: dsr1.ceil
  %2 = dsr1.ceil %x : tensor<2x?xf32>
  // CHECK: dsr1.cos
  %3 = dsr1.cos %x : tensor<2x?xf32>
  // CHECK: dsr1.erf
  %4 = dsr1.erf %x : tensor<2x?xf32>
  // CHECK: dsr1.exp
  %5 = dsr1.exp %x : tensor<2x?xf32>
  // CHECK: dsr1.floor
  %6 = dsr1.floor %x : tensor<2x?xf32>
  // CHECK: dsr1.log
  %7 = dsr1.log %x : tensor<2x?xf32>
  // CHECK: dsr1.neg %{{.*}} : tensor<4xi32>
  %8 = dsr1.neg %i : tensor<4xi32>
  // CHECK: dsr1.not %{{.*}} : tensor<3xi1>
  %9 = dsr1.not %b : tensor<3xi1>
  // CHECK: dsr1.reciprocal
  %10 = dsr1.reciprocal %x : tensor<2x?xf32>
  // CHECK: dsr1.relu
  %11 = dsr1.relu %x : tensor<2x?xf32>
  // CHECK: dsr1.round
  %12 = dsr1.round %x : tensor<2x?xf32>
  // CHECK: dsr1.rsqrt
  %13 = dsr1.rsqrt %x : tensor<2x?xf32>
  // CHECK: dsr1.sigmoid
  %14 = dsr1.sigmoid %x : tensor<2x?xf32>
  // CHECK: dsr1.sign
  %15 = dsr1.sign %x : tensor<2x?xf32>
  // CHECK: dsr1.sin
  %16 = dsr1.sin %x : tensor<2x?xf32>
  // CHECK: dsr1.softplus
  %17 = dsr1.softplus %x : tensor<2x?xf32>
  // CHECK: dsr1.sqrt
  %18 = dsr1.sqrt %x : tensor<2x?xf32>
  // CHECK: dsr1.tanh
  %19 = dsr1.tanh %x : tensor<2x?xf32>
  // CHECK: dsr1.acos
  %20 = dsr1.acos %x : tensor<2x?xf32>
  // CHECK: dsr1.asin
  %21 = dsr1.asin %x : tensor<2x?xf32>
  // CHECK: dsr1.atan
  %22 = dsr1.atan %x : tensor<2x?xf32>
  // Bitwise on integers.
  // CHECK: dsr1.not %{{.*}} : tensor<4xi32>
  %23 = dsr1.not %i : tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @unary_with_attributes
func.func @unary_with_attributes(%x: tensor<8xbf16>) {
  // CHECK: dsr1.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<8xbf16>
  %0 = dsr1.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<8xbf16>
  // CHECK: dsr1.clip %{{.*}} {max = 1.000000e+00 : f64} : tensor<8xbf16>
  %1 = dsr1.clip %x {max = 1.0 : f64} : tensor<8xbf16>
  // CHECK: dsr1.elu %{{.*}} {alpha = 5.000000e-01 : f64} : tensor<8xbf16>
  %2 = dsr1.elu %x {alpha = 0.5 : f64} : tensor<8xbf16>
  // CHECK: dsr1.gelu %{{.*}} : tensor<8xbf16>
  %3 = dsr1.gelu %x : tensor<8xbf16>
  // CHECK: dsr1.gelu %{{.*}} {approximate = #dsr1.gelu_approximation<tanh>} : tensor<8xbf16>
  %4 = dsr1.gelu %x {approximate = #dsr1.gelu_approximation<tanh>} : tensor<8xbf16>
  // CHECK: dsr1.hard_sigmoid %{{.*}} {alpha = 1.000000e-01 : f64} : tensor<8xbf16>
  %5 = dsr1.hard_sigmoid %x {alpha = 0.1 : f64} : tensor<8xbf16>
  // CHECK: dsr1.leaky_relu %{{.*}} : tensor<8xbf16>
  %6 = dsr1.leaky_relu %x : tensor<8xbf16>
  return
}

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<4x1xf16>, %b: tensor<3xf16>, %i: tensor<2xi64>, %u: tensor<2xui8>,
                  %p: tensor<2x2xi1>, %q: tensor<2xi1>) {
  // CHECK: dsr1.add %{{.*}}, %{{.*}} : tensor<4x1xf16>, tensor<3xf16>
  %0 = dsr1.add %a, %b : tensor<4x1xf16>, tensor<3xf16>
  // CHECK: dsr1.sub %{{.*}}, %{{.*}} : tensor<2xi64>, tensor<2xi64>
  %1 = dsr1.sub %i, %i : tensor<2xi64>, tensor<2xi64>
  // CHECK: dsr1.mul
  %2 = dsr1.mul %a, %b : tensor<4x1xf16>, tensor<3xf16>
  // CHECK: dsr1.div %{{.*}}, %{{.*}} : tensor<2xui8>, tensor<2xui8>
  %3 = dsr1.div %u, %u : tensor<2xui8>, tensor<2xui8>
  // CHECK: dsr1.pow
  %4 = dsr1.pow %a, %b : tensor<4x1xf16>, tensor<3xf16>
  // CHECK: dsr1.mod %{{.*}}, %{{.*}} : tensor<4x1xf16>, tensor<3xf16>
  %mf = dsr1.mod %a, %b : tensor<4x1xf16>, tensor<3xf16>
  // CHECK: dsr1.mod %{{.*}}, %{{.*}} {fmod = true} : tensor<2xi64>, tensor<2xi64>
  %mi = dsr1.mod %i, %i {fmod = true} : tensor<2xi64>, tensor<2xi64>
  // CHECK: dsr1.pow %{{.*}}, %{{.*}} : tensor<2xi64>, tensor<2xi64>
  %pi = dsr1.pow %i, %i : tensor<2xi64>, tensor<2xi64>
  // CHECK: dsr1.max
  %5 = dsr1.max %a, %b : tensor<4x1xf16>, tensor<3xf16>
  // CHECK: dsr1.min
  %6 = dsr1.min %i, %i : tensor<2xi64>, tensor<2xi64>
  // CHECK: dsr1.and %{{.*}}, %{{.*}} : tensor<2x2xi1>, tensor<2xi1>
  %7 = dsr1.and %p, %q : tensor<2x2xi1>, tensor<2xi1>
  // CHECK: dsr1.or
  %8 = dsr1.or %p, %q : tensor<2x2xi1>, tensor<2xi1>
  // CHECK: dsr1.xor
  %9 = dsr1.xor %p, %q : tensor<2x2xi1>, tensor<2xi1>
  // CHECK: dsr1.equal %{{.*}}, %{{.*}} : tensor<4x1xf16>, tensor<3xf16>
  %10 = dsr1.equal %a, %b : tensor<4x1xf16>, tensor<3xf16>
  // CHECK: dsr1.greater
  %11 = dsr1.greater %i, %i : tensor<2xi64>, tensor<2xi64>
  // CHECK: dsr1.greater_equal
  %12 = dsr1.greater_equal %i, %i : tensor<2xi64>, tensor<2xi64>
  // CHECK: dsr1.less
  %13 = dsr1.less %a, %b : tensor<4x1xf16>, tensor<3xf16>
  // CHECK: dsr1.less_equal
  %14 = dsr1.less_equal %a, %b : tensor<4x1xf16>, tensor<3xf16>
  // CHECK: dsr1.where %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x3xi1>, tensor<4x1xf16>, tensor<3xf16>
  %15 = dsr1.where %10, %a, %b : tensor<4x3xi1>, tensor<4x1xf16>, tensor<3xf16>
  // Bitwise on integers.
  // CHECK: dsr1.and %{{.*}}, %{{.*}} : tensor<2xui8>, tensor<2xui8>
  %16 = dsr1.and %u, %u : tensor<2xui8>, tensor<2xui8>
  // CHECK: dsr1.or %{{.*}}, %{{.*}} : tensor<2xi64>, tensor<2xi64>
  %17 = dsr1.or %i, %i : tensor<2xi64>, tensor<2xi64>
  // CHECK: dsr1.xor %{{.*}}, %{{.*}} : tensor<2xi64>, tensor<2xi64>
  %18 = dsr1.xor %i, %i : tensor<2xi64>, tensor<2xi64>
  // CHECK: dsr1.shift_left %{{.*}}, %{{.*}} : tensor<2xui8>, tensor<2xui8>
  %19 = dsr1.shift_left %u, %u : tensor<2xui8>, tensor<2xui8>
  // CHECK: dsr1.shift_right %{{.*}}, %{{.*}} : tensor<2xi64>, tensor<2xi64>
  %20 = dsr1.shift_right %i, %i : tensor<2xi64>, tensor<2xi64>
  return
}

// CHECK-LABEL: func.func @contractions
func.func @contractions(%a: tensor<8x?x64x32xf16>, %b: tensor<32x16xf16>, %x: tensor<4x16xf32>,
                        %w: tensor<8x16xf32>, %c: tensor<8xf32>) {
  // CHECK: dsr1.matmul %{{.*}}, %{{.*}} {precision = #dsr1.precision<f16>} : tensor<8x?x64x32xf16>, tensor<32x16xf16>
  %0 = dsr1.matmul %a, %b {precision = #dsr1.precision<f16>} : tensor<8x?x64x32xf16>, tensor<32x16xf16>
  // CHECK: dsr1.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f64, trans_b = true} : tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>
  %1 = dsr1.gemm %x, %w, %c {alpha = 0.5 : f64, trans_b = true} : tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>
  // CHECK: dsr1.gemm %{{.*}}, %{{.*}} {precision = #dsr1.precision<tf32>, trans_b = true} : tensor<4x16xf32>, tensor<8x16xf32>{{$}}
  %2 = dsr1.gemm %x, %w {trans_b = true, precision = #dsr1.precision<tf32>} : tensor<4x16xf32>, tensor<8x16xf32>
  return
}

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>, %b: tensor<64xf32>,
                %x1: tensor<2x8x?xbf16>, %w1: tensor<8x1x3xbf16>,
                %xi: tensor<1x2x5x5xi32>, %wi: tensor<4x2x3x3xi32>, %bi: tensor<4xi32>) {
  // CHECK: dsr1.conv %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>
  %0 = dsr1.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>} : tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>
  // CHECK: dsr1.conv %{{.*}}, %{{.*}} {dilations = array<i64: 2>, group = 8 : i64} : tensor<2x8x?xbf16>, tensor<8x1x3xbf16>
  %1 = dsr1.conv %x1, %w1 {group = 8 : i64, dilations = array<i64: 2>} : tensor<2x8x?xbf16>, tensor<8x1x3xbf16>
  // CHECK: dsr1.conv %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x5x5xi32>, tensor<4x2x3x3xi32>, tensor<4xi32>
  %2 = dsr1.conv %xi, %wi, %bi : tensor<1x2x5x5xi32>, tensor<4x2x3x3xi32>, tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @more_ops
func.func @more_ops(%x: tensor<1x8x16x16xf32>, %w: tensor<8x4x3x3xf32>, %m: tensor<2x16xi64>,
                    %d: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>,
                    %ni: tensor<2x1xi64>, %nu: tensor<2x4xf32>) {
  // CHECK: dsr1.conv_transpose %{{.*}}, %{{.*}} {output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x8x16x16xf32>, tensor<8x4x3x3xf32>
  %0 = dsr1.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : tensor<1x8x16x16xf32>, tensor<8x4x3x3xf32>
  // CHECK: dsr1.cumsum %{{.*}} axis 1 {exclusive = true, reverse = true} : tensor<2x16xi64>
  %1 = dsr1.cumsum %m axis 1 {exclusive = true, reverse = true} : tensor<2x16xi64>
  // CHECK: dsr1.top_k %{{.*}} k 2 axis 1 {largest = false} : tensor<3x4xf32>
  %2:2 = dsr1.top_k %d k 2 axis 1 {largest = false} : tensor<3x4xf32>
  // CHECK: dsr1.gather_elements %{{.*}}[%{{.*}}] axis 1 : tensor<3x4xf32>, tensor<3x2xi64>
  %3 = dsr1.gather_elements %d[%i] axis 1 : tensor<3x4xf32>, tensor<3x2xi64>
  // CHECK: dsr1.scatter_elements %{{.*}}[%{{.*}}], %{{.*}} axis 1 {reduction = #dsr1.scatter_reduction<add>} : tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>
  %4 = dsr1.scatter_elements %d[%i], %u axis 1 {reduction = #dsr1.scatter_reduction<add>} : tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>
  // CHECK: dsr1.scatter_nd %{{.*}}[%{{.*}}], %{{.*}} : tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>
  %5 = dsr1.scatter_nd %d[%ni], %nu : tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>
  return
}

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<2x16x768xf16>, %kv: tensor<2x197x768xf16>, %mask: tensor<2x1x1x197xi1>,
                     %q4: tensor<1x12x?x64xbf16>, %k4: tensor<1x12x?x64xbf16>, %bias: tensor<?x?xbf16>,
                     %fmask: tensor<2x1x1x197xf32>) {
  // CHECK: dsr1.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {kv_modality = #dsr1.modality<image>, num_heads = 12 : i64, query_modality = #dsr1.modality<text>} : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x768xf16>, tensor<2x1x1x197xi1>
  %0 = dsr1.attention %q, %kv, %kv mask %mask {num_heads = 12 : i64, query_modality = #dsr1.modality<text>, kv_modality = #dsr1.modality<image>} : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x768xf16>, tensor<2x1x1x197xi1>
  // CHECK: dsr1.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {causal, num_heads = 12 : i64, scale = 1.250000e-01 : f64} : tensor<1x12x?x64xbf16>, tensor<1x12x?x64xbf16>, tensor<1x12x?x64xbf16>, tensor<?x?xbf16>
  %1 = dsr1.attention %q4, %k4, %k4 mask %bias {num_heads = 12 : i64, causal, scale = 0.125 : f64} : tensor<1x12x?x64xbf16>, tensor<1x12x?x64xbf16>, tensor<1x12x?x64xbf16>, tensor<?x?xbf16>
  // CHECK: dsr1.attention %{{.*}}, %{{.*}}, %{{.*}} {kv_modality = #dsr1.modality<audio>, num_heads = 4 : i64} : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x768xf16>{{$}}
  %2 = dsr1.attention %q, %kv, %kv {num_heads = 4 : i64, kv_modality = #dsr1.modality<audio>} : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x768xf16>
  // CHECK: dsr1.attention %{{.*}}, %{{.*}}, %{{.*}} {num_heads = 12 : i64, softcap = 5.000000e+01 : f64} : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x768xf16>{{$}}
  %3 = dsr1.attention %q, %kv, %kv {num_heads = 12 : i64, softcap = 50.0 : f64} : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x768xf16>
  // A float mask of another float type than the operands (an f32 mask's
  // -3.4e38 fill is no f16).
  // CHECK: dsr1.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {num_heads = 12 : i64} : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x768xf16>, tensor<2x1x1x197xf32>
  %4 = dsr1.attention %q, %kv, %kv mask %fmask {num_heads = 12 : i64} : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x768xf16>, tensor<2x1x1x197xf32>
  return
}

// CHECK-LABEL: func.func @attention_cache
func.func @attention_cache(%q: tensor<2x8x1x64xf16>, %kv: tensor<2x8x64x64xf16>, %n: tensor<2xi64>, %n32: tensor<2xi32>, %m: tensor<2x1x1x64xi1>) {
  // CHECK: dsr1.attention %{{.*}}, %{{.*}}, %{{.*}} kv_lengths %{{.*}} : tensor<2xi64> {bottom_right, causal, num_heads = 8 : i64, window_left = 16 : i64} : tensor<2x8x1x64xf16>, tensor<2x8x64x64xf16>, tensor<2x8x64x64xf16>{{$}}
  %0 = dsr1.attention %q, %kv, %kv kv_lengths %n : tensor<2xi64> {num_heads = 8 : i64, causal, bottom_right, window_left = 16 : i64} : tensor<2x8x1x64xf16>, tensor<2x8x64x64xf16>, tensor<2x8x64x64xf16>
  // CHECK: %{{.*}}, %{{.*}} = dsr1.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} kv_lengths %{{.*}} : tensor<2xi32> {num_heads = 8 : i64, query_offset = 63 : i64, return_scores = #dsr1.attention_scores<probs>, window_right = 0 : i64} : tensor<2x8x1x64xf16>, tensor<2x8x64x64xf16>, tensor<2x8x64x64xf16>, tensor<2x1x1x64xi1>
  %1:2 = dsr1.attention %q, %kv, %kv mask %m kv_lengths %n32 : tensor<2xi32> {num_heads = 8 : i64, query_offset = 63 : i64, window_right = 0 : i64, return_scores = #dsr1.attention_scores<probs>} : tensor<2x8x1x64xf16>, tensor<2x8x64x64xf16>, tensor<2x8x64x64xf16>, tensor<2x1x1x64xi1>
  // CHECK: #dsr1.attention_scores<raw>
  %2:2 = dsr1.attention %q, %kv, %kv {num_heads = 8 : i64, return_scores = #dsr1.attention_scores<raw>} : tensor<2x8x1x64xf16>, tensor<2x8x64x64xf16>, tensor<2x8x64x64xf16>
  // CHECK: #dsr1.attention_scores<capped>
  %3:2 = dsr1.attention %q, %kv, %kv {num_heads = 8 : i64, return_scores = #dsr1.attention_scores<capped>} : tensor<2x8x1x64xf16>, tensor<2x8x64x64xf16>, tensor<2x8x64x64xf16>
  // CHECK: #dsr1.attention_scores<biased>
  %4:2 = dsr1.attention %q, %kv, %kv {num_heads = 8 : i64, return_scores = #dsr1.attention_scores<biased>} : tensor<2x8x1x64xf16>, tensor<2x8x64x64xf16>, tensor<2x8x64x64xf16>
  return
}

// CHECK-LABEL: func.func @pooling_and_reductions
func.func @pooling_and_reductions(%x: tensor<1x64x112x112xf32>, %r: tensor<4x?x8xf32>) {
  // CHECK: dsr1.max_pool %{{.*}} {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x64x112x112xf32>
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x64x112x112xf32>
  // CHECK: dsr1.avg_pool %{{.*}} {ceil_mode = true, count_include_pad = true, kernel_shape = array<i64: 2, 2>} : tensor<1x64x112x112xf32>
  %1 = dsr1.avg_pool %x {kernel_shape = array<i64: 2, 2>, ceil_mode = true, count_include_pad = true} : tensor<1x64x112x112xf32>
  // CHECK: dsr1.global_avg_pool %{{.*}} : tensor<1x64x112x112xf32>
  %2 = dsr1.global_avg_pool %x : tensor<1x64x112x112xf32>
  // CHECK: dsr1.global_max_pool
  %3 = dsr1.global_max_pool %x : tensor<1x64x112x112xf32>
  // CHECK: dsr1.reduce_sum %{{.*}} axes [1] : tensor<4x?x8xf32>
  %4 = dsr1.reduce_sum %r axes [1] : tensor<4x?x8xf32>
  // CHECK: dsr1.reduce_mean %{{.*}} axes [0, 2] {keepdims = false} : tensor<4x?x8xf32>
  %5 = dsr1.reduce_mean %r axes [0, 2] {keepdims = false} : tensor<4x?x8xf32>
  // CHECK: dsr1.reduce_max %{{.*}} axes [] : tensor<4x?x8xf32>
  %6 = dsr1.reduce_max %r axes [] : tensor<4x?x8xf32>
  // CHECK: dsr1.reduce_min
  %7 = dsr1.reduce_min %r axes [2] : tensor<4x?x8xf32>
  // CHECK: dsr1.reduce_prod
  %8 = dsr1.reduce_prod %r axes [2] : tensor<4x?x8xf32>
  // CHECK: dsr1.reduce_max %{{.*}} axes [1] : tensor<4x8xi1>
  %b = dsr1.constant dense<true> : tensor<4x8xi1>
  %rb = dsr1.reduce_max %b axes [1] : tensor<4x8xi1>
  // CHECK: dsr1.max_pool %{{.*}} {kernel_shape = array<i64: 2, 2>} : tensor<1x3x8x8xui8>
  %u = dsr1.constant dense<7> : tensor<1x3x8x8xui8>
  %pu = dsr1.max_pool %u {kernel_shape = array<i64: 2, 2>} : tensor<1x3x8x8xui8>
  // CHECK: dsr1.arg_max %{{.*}} axis 1 : tensor<4x?x8xf32>
  %11 = dsr1.arg_max %r axis 1 : tensor<4x?x8xf32>
  // CHECK: dsr1.arg_min %{{.*}} axis 2 {keepdims = false, select_last_index = true} : tensor<4x?x8xf32>
  %12 = dsr1.arg_min %r axis 2 {keepdims = false, select_last_index = true} : tensor<4x?x8xf32>
  // CHECK: dsr1.softmax %{{.*}} axis 2 : tensor<4x?x8xf32>
  %9 = dsr1.softmax %r axis 2 : tensor<4x?x8xf32>
  // CHECK: dsr1.log_softmax %{{.*}} axis 0 : tensor<4x?x8xf32>
  %10 = dsr1.log_softmax %r axis 0 : tensor<4x?x8xf32>
  return
}

// CHECK-LABEL: func.func @norms
func.func @norms(%x: tensor<2x?x768xf32>, %g: tensor<768xf32>, %n: tensor<1x32x56x56xf32>,
                 %c: tensor<32xf32>) {
  // CHECK: dsr1.layer_norm %{{.*}}, %{{.*}}, %{{.*}} axis 2 {epsilon = 9.9999999999999998E-13 : f64} : tensor<2x?x768xf32>, tensor<768xf32>, tensor<768xf32>
  %0 = dsr1.layer_norm %x, %g, %g axis 2 {epsilon = 1.0e-12 : f64} : tensor<2x?x768xf32>, tensor<768xf32>, tensor<768xf32>
  // CHECK: dsr1.layer_norm %{{.*}}, %{{.*}} axis 2 : tensor<2x?x768xf32>, tensor<768xf32>{{$}}
  %1 = dsr1.layer_norm %x, %g axis 2 : tensor<2x?x768xf32>, tensor<768xf32>
  // CHECK: dsr1.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x32x56x56xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>
  %2 = dsr1.batch_norm %n, %c, %c, %c, %c : tensor<1x32x56x56xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>
  // CHECK: dsr1.instance_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : tensor<1x32x56x56xf32>, tensor<32xf32>, tensor<32xf32>
  %3 = dsr1.instance_norm %n, %c, %c {epsilon = 1.0e-3 : f64} : tensor<1x32x56x56xf32>, tensor<32xf32>, tensor<32xf32>
  return
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x?x768xf32>, %t: tensor<30522x768xf32>, %ids: tensor<2x?xi64>,
                         %s: tensor<3x1xf32>, %img: tensor<1x3x32x32xf32>, %m: tensor<2x10xf32>,
                         %grid: tensor<1x8x8x2xf32>) {
  // CHECK: dsr1.cast %{{.*}} to f16 : tensor<2x?x768xf32>
  %0 = dsr1.cast %x to f16 : tensor<2x?x768xf32>
  // The defaults (saturate, round up) are not printed.
  // CHECK: dsr1.cast %{{.*}} to f8E4M3FN : tensor<2x?x768xf32>
  %c8 = dsr1.cast %x to f8E4M3FN {saturate = true, round_mode = #dsr1.round_mode<up>} : tensor<2x?x768xf32>
  // CHECK: dsr1.cast %{{.*}} to f8E8M0FNU {round_mode = #dsr1.round_mode<nearest>, saturate = false} : tensor<2x?x768xf32>
  %e8 = dsr1.cast %x to f8E8M0FNU {saturate = false, round_mode = #dsr1.round_mode<nearest>} : tensor<2x?x768xf32>
  // Narrow types are moved like any other.
  // CHECK: dsr1.transpose %{{.*}} perm [1, 0, 2] : tensor<2x?x768xf8E4M3FN>
  %t8 = dsr1.transpose %c8 perm [1, 0, 2] : tensor<2x?x768xf8E4M3FN>
  // CHECK: dsr1.cast %{{.*}} to i4 : tensor<2x?x768xf8E4M3FN>
  %i4 = dsr1.cast %c8 to i4 : tensor<2x?x768xf8E4M3FN>
  // CHECK: dsr1.concat %{{.*}}, %{{.*}} axis 1 : tensor<2x?x768xf32>, tensor<2x?x768xf32>
  %1 = dsr1.concat %x, %x axis 1 : tensor<2x?x768xf32>, tensor<2x?x768xf32>
  // CHECK: dsr1.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %2 = dsr1.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: dsr1.constant dense_resource<blob> : tensor<2xi64>
  %3 = dsr1.constant dense_resource<blob> : tensor<2xi64>
  // CHECK: dsr1.expand %{{.*}} to [2, 1, 4] : tensor<3x1xf32>
  %4 = dsr1.expand %s to [2, 1, 4] : tensor<3x1xf32>
  // CHECK: dsr1.gather %{{.*}}[%{{.*}}] axis 0 : tensor<30522x768xf32>, tensor<2x?xi64>
  %5 = dsr1.gather %t[%ids] axis 0 : tensor<30522x768xf32>, tensor<2x?xi64>
  // CHECK: dsr1.pad %{{.*}} [0, 0, 1, 1, 0, 0, 1, 1] {mode = #dsr1.pad_mode<reflect>} : tensor<1x3x32x32xf32>
  %6 = dsr1.pad %img [0, 0, 1, 1, 0, 0, 1, 1] {mode = #dsr1.pad_mode<reflect>} : tensor<1x3x32x32xf32>
  // CHECK: dsr1.pad %{{.*}} [0, 0, 0, 0, 0, 0, 2, 2] {value = -1.000000e+00 : f64} : tensor<1x3x32x32xf32>
  %7 = dsr1.pad %img [0, 0, 0, 0, 0, 0, 2, 2] {value = -1.0 : f64} : tensor<1x3x32x32xf32>
  // CHECK: dsr1.resize %{{.*}} to [1, 3, 64, 64] {coordinate_mode = #dsr1.coordinate_mode<align_corners>, mode = #dsr1.resize_mode<linear>, scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>} : tensor<1x3x32x32xf32>
  %r = dsr1.resize %img to [1, 3, 64, 64] {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = #dsr1.resize_mode<linear>, coordinate_mode = #dsr1.coordinate_mode<align_corners>} : tensor<1x3x32x32xf32>
  // CHECK: dsr1.resize %{{.*}} to [1, 3, 16, 16] {cubic_coeff_a = -5.000000e-01 : f64, exclude_outside = true, mode = #dsr1.resize_mode<cubic>, nearest_mode = #dsr1.nearest_mode<floor>, scales = array<f64: 1.000000e+00, 1.000000e+00, 5.000000e-01, 5.000000e-01>} : tensor<1x3x32x32xf32>
  %r2 = dsr1.resize %img to [1, 3, 16, 16] {scales = array<f64: 1.0, 1.0, 0.5, 0.5>, mode = #dsr1.resize_mode<cubic>, nearest_mode = #dsr1.nearest_mode<floor>, cubic_coeff_a = -0.5 : f64, exclude_outside = true} : tensor<1x3x32x32xf32>
  // CHECK: dsr1.reshape %{{.*}} to [0, 0, 12, 64] : tensor<2x?x768xf32>
  %8 = dsr1.reshape %x to [0, 0, 12, 64] : tensor<2x?x768xf32>
  // CHECK: dsr1.slice %{{.*}} {axes = array<i64: 1>, ends = array<i64: -1>, starts = array<i64: 0>} : tensor<2x10xf32>
  %9 = dsr1.slice %m {starts = array<i64: 0>, ends = array<i64: -1>, axes = array<i64: 1>} : tensor<2x10xf32>
  // CHECK: dsr1.slice %{{.*}} {ends = array<i64: 0, 9223372036854775807>, starts = array<i64: 2, 0>, steps = array<i64: -1, 3>} : tensor<2x10xf32>
  %10 = dsr1.slice %m {starts = array<i64: 2, 0>, ends = array<i64: 0, 9223372036854775807>, steps = array<i64: -1, 3>} : tensor<2x10xf32>
  // CHECK: %{{.*}}:3 = dsr1.split %{{.*}} axis 2 sizes [256, 256, 256] : tensor<2x?x768xf32>
  %11:3 = dsr1.split %x axis 2 sizes [256, 256, 256] : tensor<2x?x768xf32>
  // CHECK: dsr1.transpose %{{.*}} perm [0, 2, 1] : tensor<2x?x768xf32>
  %12 = dsr1.transpose %x perm [0, 2, 1] : tensor<2x?x768xf32>
  // CHECK: dsr1.bitcast %{{.*}} to i32 : tensor<2x?x768xf32>
  %13 = dsr1.bitcast %x to i32 : tensor<2x?x768xf32>
  // CHECK: dsr1.grid_sample %{{.*}}, %{{.*}} : tensor<1x3x32x32xf32>, tensor<1x8x8x2xf32>
  %14 = dsr1.grid_sample %img, %grid : tensor<1x3x32x32xf32>, tensor<1x8x8x2xf32>
  // CHECK: dsr1.grid_sample %{{.*}}, %{{.*}} {align_corners = true, mode = #dsr1.resize_mode<cubic>, padding = #dsr1.grid_padding<reflection>} : tensor<1x3x32x32xf32>, tensor<1x8x8x2xf32>
  %15 = dsr1.grid_sample %img, %grid {mode = #dsr1.resize_mode<cubic>, padding = #dsr1.grid_padding<reflection>, align_corners = true} : tensor<1x3x32x32xf32>, tensor<1x8x8x2xf32>
  return
}

// CHECK-LABEL: func.func @recurrences
func.func @recurrences(%x: tensor<?x4x16xf32>, %w: tensor<2x128x16xf32>, %r: tensor<2x128x32xf32>,
                       %b: tensor<2x256xf32>, %h: tensor<2x4x32xf32>, %gw: tensor<1x96x16xf32>,
                       %gr: tensor<1x96x32xf32>, %rw: tensor<1x32x16xf32>, %rr: tensor<1x32x32xf32>,
                       %rb: tensor<1x64xf32>, %rh: tensor<1x4x32xf32>) {
  // CHECK: dsr1.lstm %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} initial_h %{{.*}} initial_c %{{.*}} {direction = #dsr1.rnn_direction<bidirectional>, hidden_size = 32 : i64} : tensor<?x4x16xf32>, tensor<2x128x16xf32>, tensor<2x128x32xf32> bias tensor<2x256xf32> initial_h tensor<2x4x32xf32> initial_c tensor<2x4x32xf32>
  %0:3 = dsr1.lstm %x, %w, %r bias %b initial_h %h initial_c %h {hidden_size = 32 : i64, direction = #dsr1.rnn_direction<bidirectional>} : tensor<?x4x16xf32>, tensor<2x128x16xf32>, tensor<2x128x32xf32> bias tensor<2x256xf32> initial_h tensor<2x4x32xf32> initial_c tensor<2x4x32xf32>
  // CHECK: dsr1.lstm %{{.*}}, %{{.*}}, %{{.*}} initial_c %{{.*}} {direction = #dsr1.rnn_direction<bidirectional>, hidden_size = 32 : i64} : tensor<?x4x16xf32>, tensor<2x128x16xf32>, tensor<2x128x32xf32> initial_c tensor<2x4x32xf32>
  %1:3 = dsr1.lstm %x, %w, %r initial_c %h {hidden_size = 32 : i64, direction = #dsr1.rnn_direction<bidirectional>} : tensor<?x4x16xf32>, tensor<2x128x16xf32>, tensor<2x128x32xf32> initial_c tensor<2x4x32xf32>
  // CHECK: dsr1.gru %{{.*}}, %{{.*}}, %{{.*}} {direction = #dsr1.rnn_direction<reverse>, hidden_size = 32 : i64, linear_before_reset = true} : tensor<?x4x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32>{{$}}
  %2:2 = dsr1.gru %x, %gw, %gr {hidden_size = 32 : i64, linear_before_reset = true, direction = #dsr1.rnn_direction<reverse>} : tensor<?x4x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32>
  // CHECK: dsr1.rnn %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} initial_h %{{.*}} {hidden_size = 32 : i64} : tensor<?x4x16xf32>, tensor<1x32x16xf32>, tensor<1x32x32xf32> bias tensor<1x64xf32> initial_h tensor<1x4x32xf32>
  %3:2 = dsr1.rnn %x, %rw, %rr bias %rb initial_h %rh {hidden_size = 32 : i64} : tensor<?x4x16xf32>, tensor<1x32x16xf32>, tensor<1x32x32xf32> bias tensor<1x64xf32> initial_h tensor<1x4x32xf32>
  return
}

// CHECK-LABEL: func.func @linear_attention
func.func @linear_attention(%q: tensor<2x16x64xf16>, %k: tensor<2x16x32xf16>, %v: tensor<2x16x48xf16>,
                            %s: tensor<2x4x8x12xf32>, %g: tensor<2x16x4xf16>, %b: tensor<2x16x1xf16>) {
  // CHECK: dsr1.linear_attention %{{.*}}, %{{.*}}, %{{.*}} state %{{.*}} : tensor<2x4x8x12xf32> decay %{{.*}} : tensor<2x16x4xf16> beta %{{.*}} : tensor<2x16x1xf16> {kv_num_heads = 4 : i64, q_num_heads = 8 : i64, update_rule = #dsr1.linear_attention_rule<gated_delta>} : tensor<2x16x64xf16>, tensor<2x16x32xf16>, tensor<2x16x48xf16>
  %0:2 = dsr1.linear_attention %q, %k, %v state %s : tensor<2x4x8x12xf32> decay %g : tensor<2x16x4xf16> beta %b : tensor<2x16x1xf16> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<gated_delta>} : tensor<2x16x64xf16>, tensor<2x16x32xf16>, tensor<2x16x48xf16>
  // CHECK: dsr1.linear_attention %{{.*}}, %{{.*}}, %{{.*}} {kv_num_heads = 4 : i64, q_num_heads = 8 : i64, scale = 5.000000e-01 : f64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x16x64xf16>, tensor<2x16x32xf16>, tensor<2x16x48xf16>{{$}}
  %1:2 = dsr1.linear_attention %q, %k, %v {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, scale = 0.5 : f64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x16x64xf16>, tensor<2x16x32xf16>, tensor<2x16x48xf16>
  // CHECK: #dsr1.linear_attention_rule<gated>
  %2:2 = dsr1.linear_attention %q, %k, %v decay %g : tensor<2x16x4xf16> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<gated>} : tensor<2x16x64xf16>, tensor<2x16x32xf16>, tensor<2x16x48xf16>
  // CHECK: #dsr1.linear_attention_rule<delta>
  %3:2 = dsr1.linear_attention %q, %k, %v beta %b : tensor<2x16x1xf16> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<delta>} : tensor<2x16x64xf16>, tensor<2x16x32xf16>, tensor<2x16x48xf16>
  return
}

// A group with several results, and one with every family word.
// CHECK-LABEL: func.func @fusion
// CHECK: %[[G:.+]]:2 = dsr1.fusion gemm(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<4x8xf32>, %[[B:.+]]: tensor<8x16xf32>, %[[C:.+]]: tensor<16xf32>):
// CHECK-NEXT: %[[M:.+]] = dsr1.matmul %[[A]], %[[B]]
// CHECK-NEXT: %[[S:.+]] = dsr1.add %[[M]], %[[C]]
// CHECK-NEXT: %[[R:.+]] = dsr1.relu %[[S]]
// CHECK-NEXT: dsr1.yield %[[S]], %[[R]] : tensor<4x16xf32>, tensor<4x16xf32>
// CHECK-NEXT: }
// CHECK: dsr1.fusion elementwise(%{{.*}}) : (tensor<4x16xf32>) -> tensor<4x16xf32> {
// CHECK: dsr1.fusion reduction
// CHECK: dsr1.fusion conv
// CHECK: dsr1.fusion attention
// CHECK: dsr1.fusion data_movement
// CHECK: dsr1.fusion other
func.func @fusion(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %0:2 = dsr1.fusion gemm (%x, %w, %b) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  ^bb0(%a: tensor<4x8xf32>, %c: tensor<8x16xf32>, %d: tensor<16xf32>):
    %m = dsr1.matmul %a, %c : tensor<4x8xf32>, tensor<8x16xf32>
    %s = dsr1.add %m, %d : tensor<4x16xf32>, tensor<16xf32>
    %r = dsr1.relu %s : tensor<4x16xf32>
    dsr1.yield %s, %r : tensor<4x16xf32>, tensor<4x16xf32>
  }
  %1 = dsr1.fusion elementwise (%0#1) : (tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4x16xf32>):
    %n = dsr1.neg %a : tensor<4x16xf32>
    %e = dsr1.exp %n : tensor<4x16xf32>
    dsr1.yield %e : tensor<4x16xf32>
  }
  %2 = dsr1.fusion reduction (%1) : (tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4x16xf32>):
    %p = dsr1.softmax %a axis 1 : tensor<4x16xf32>
    dsr1.yield %p : tensor<4x16xf32>
  }
  %3 = dsr1.fusion conv (%2) : (tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4x16xf32>):
    %n = dsr1.neg %a : tensor<4x16xf32>
    dsr1.yield %n : tensor<4x16xf32>
  }
  %4 = dsr1.fusion attention (%3) : (tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4x16xf32>):
    %n = dsr1.neg %a : tensor<4x16xf32>
    dsr1.yield %n : tensor<4x16xf32>
  }
  %5 = dsr1.fusion data_movement (%4) : (tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4x16xf32>):
    %n = dsr1.neg %a : tensor<4x16xf32>
    dsr1.yield %n : tensor<4x16xf32>
  }
  %6 = dsr1.fusion other (%5) : (tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4x16xf32>):
    %n = dsr1.neg %a : tensor<4x16xf32>
    dsr1.yield %n : tensor<4x16xf32>
  }
  return %6 : tensor<4x16xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x0800000001000000000000000200000000000000"
    }
  }
#-}
