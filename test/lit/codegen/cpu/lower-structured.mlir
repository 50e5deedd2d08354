// Lowering of matmul, gemm, convolution, pooling and attention to linalg.generic: the indexing maps
// carry the semantics (broadcast batch dims read at 0, strides and dilations in the input map,
// groups split off by expand_shape), and half types accumulate in f32.
// RUN: dsr1-opt %s --split-input-file -dsr1-lower-to-linalg | FileCheck %s

// Batch dims broadcast: the size-1 batch dim of %a is read at 0, %b has no leading batch dim.
// CHECK-DAG: #[[$A:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[$B:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_batch_broadcast
// CHECK:       %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x5x3x6xf32>)
// CHECK:       linalg.generic {indexing_maps = [#[[$A]], #[[$B]], #[[$C]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:    outs(%[[INIT]] : tensor<2x5x3x6xf32>)
// CHECK:       arith.mulf
// CHECK:       arith.addf
func.func @matmul_batch_broadcast(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32> attributes {dsr1.kernel} {
  %0 = dsr1.matmul %a, %b : tensor<2x1x3x4xf32>, tensor<5x4x6xf32>
  return %0 : tensor<2x5x3x6xf32>
}

// -----

// A 1-D lhs has no m loop; f16 accumulates in f32 and is truncated once.
// CHECK-DAG: #[[$A:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[$B:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_vector_f16
// CHECK:       linalg.generic {indexing_maps = [#[[$A]], #[[$B]], #[[$C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:    outs(%{{.*}} : tensor<2x6xf32>)
// CHECK:       arith.extf {{.*}} : f16 to f32
// CHECK:       arith.truncf {{.*}} : f32 to f16
func.func @matmul_vector_f16(%a: tensor<4xf16>, %b: tensor<2x4x6xf16>) -> tensor<2x6xf16> attributes {dsr1.kernel} {
  %0 = dsr1.matmul %a, %b : tensor<4xf16>, tensor<2x4x6xf16>
  return %0 : tensor<2x6xf16>
}

// -----

// Unsigned integers multiply and add as signless (wrapping) integers.
// CHECK-LABEL: func.func @matmul_unsigned
// CHECK-SAME:    tensor<3x4xi32>, %{{.*}}: tensor<4xi32>) -> tensor<3xi32>
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:       arith.muli {{.*}} : i32
// CHECK:       arith.addi {{.*}} : i32
// CHECK-NOT:   arith.trunci
func.func @matmul_unsigned(%a: tensor<3x4xui32>, %b: tensor<4xui32>) -> tensor<3xui32> attributes {dsr1.kernel} {
  %0 = dsr1.matmul %a, %b : tensor<3x4xui32>, tensor<4xui32>
  return %0 : tensor<3xui32>
}

// -----

// trans_a and trans_b swap the operands' maps; c broadcasts along m.
// CHECK-DAG: #[[$A:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @gemm
// CHECK:       %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$A]], #[[$B]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK:       linalg.generic {indexing_maps = [{{.*}}, #[[$ROW]], {{.*}}]{{.*}} ins(%[[SUM]], %{{.*}} : tensor<3x5xf32>, tensor<5xf32>)
// CHECK:       arith.constant 5.000000e-01 : f32
// CHECK:       arith.mulf
// CHECK:       arith.constant 2.000000e+00 : f32
// CHECK:       arith.mulf
// CHECK:       arith.addf
func.func @gemm(%a: tensor<4x3xf32>, %b: tensor<5x4xf32>, %c: tensor<5xf32>) -> tensor<3x5xf32> attributes {dsr1.kernel} {
  %0 = dsr1.gemm %a, %b, %c {alpha = 0.5 : f64, beta = 2.0 : f64, trans_a = true, trans_b = true} : tensor<4x3xf32>, tensor<5x4xf32>, tensor<5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Padding gathers into a larger tensor; the group splits off channels; an f32 convolution
// unfolds its input (im2col: strides scale the output index, the kernel index adds) into
// [n, g, c, kh, kw, oh, ow], then contracts it with the weight over (c, kh, kw), which
// -dsr1-call-blas turns into one GEMM per group; the bias is added per channel after the groups
// merge back, and the sums start from the bias (split by group like the channels).
// CHECK-DAG: #[[$COLREAD:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d5 * 2 + d3, d6 * 2 + d4)>
// CHECK-DAG: #[[$COLS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d6, d7, d3, d4)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[$BIAS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2)>
// CHECK-LABEL: func.func @conv_grouped
// CHECK:       %[[PADDED:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x10x10xf32>)
// CHECK:       tensor.extract
// CHECK:       arith.select
// CHECK:       %[[X:.*]] = tensor.expand_shape %[[PADDED]] {{\[\[}}0], [1, 2], [3], [4]] {{.*}} into tensor<1x2x2x10x10xf32>
// CHECK:       %[[COL:.*]] = linalg.generic {indexing_maps = [#[[$COLREAD]], {{.*}}]{{.*}} ins(%[[X]] : {{.*}}) outs(%{{.*}} : tensor<1x2x2x3x3x4x4xf32>)
// CHECK:       %[[B:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] {{.*}} into tensor<2x3xf32>
// CHECK:       %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$BIAS]], {{.*}}]{{.*}} ins(%[[B]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<1x2x3x4x4xf32>)
// CHECK:       %[[W:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3], [4]] {{.*}} into tensor<2x3x2x3x3xf32>
// CHECK:       %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$COLS]], #[[$W]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME:    ins(%[[COL]], %[[W]] : {{.*}}) outs(%[[INIT]] :
// CHECK:       %[[Y:.*]] = tensor.collapse_shape %[[SUM]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x4x4xf32> into tensor<1x6x4x4xf32>
// CHECK-NEXT:  return %[[Y]]
func.func @conv_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %bias: tensor<6xf32>) -> tensor<1x6x4x4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.conv %x, %w, %bias {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64} : tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// A 1x1 kernel at stride 1 needs no unfolding: the input itself is the GEMM operand.
// CHECK-DAG: #[[$IN1:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3, d4)>
// CHECK-LABEL: func.func @conv_pointwise
// CHECK:       %[[X:.*]] = tensor.expand_shape %{{.*}} into tensor<1x1x4x5x5xf32>
// CHECK-NOT:   tensor<1x1x4x1x1x5x5xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[$IN1]], {{.*}}]{{.*}} ins(%[[X]],
func.func @conv_pointwise(%x: tensor<1x4x5x5xf32>, %w: tensor<8x4x1x1xf32>) -> tensor<1x8x5x5xf32> attributes {dsr1.kernel} {
  %0 = dsr1.conv %x, %w : tensor<1x4x5x5xf32>, tensor<8x4x1x1xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

// f16 accumulates in f32, which BLAS cannot do: the convolution reads the padded input directly
// (strides scale the output index in the input map).
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-LABEL: func.func @conv_f16
// CHECK:       linalg.generic {indexing_maps = [#[[$IN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK:       arith.extf
// CHECK:       tensor.collapse_shape {{.*}} : tensor<1x1x2x2x2xf32> into tensor<1x2x2x2xf32>
// CHECK:       arith.truncf
func.func @conv_f16(%x: tensor<1x1x4x4xf16>, %w: tensor<2x1x2x2xf16>) -> tensor<1x2x2x2xf16> attributes {dsr1.kernel} {
  %0 = dsr1.conv %x, %w {strides = array<i64: 2, 2>} : tensor<1x1x4x4xf16>, tensor<2x1x2x2xf16>
  return %0 : tensor<1x2x2x2xf16>
}

// -----

// An integer convolution (ConvInteger, QLinearConv) sums in its own type: the padding is an
// integer 0, the sums start from the bias, and there is no unfolding (BLAS has no integer GEMM)
// and no conversion.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6, d4 + d7)>
// CHECK-LABEL: func.func @conv_i32
// CHECK:       %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK:       arith.select %{{.*}}, %{{.*}}, %[[ZERO]] : i32
// CHECK:       -> tensor<1x1x5x5xi32>
// CHECK:       %[[INIT:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x2xi32>) outs(%{{.*}} : tensor<1x1x2x4x4xi32>)
// CHECK:       linalg.generic {indexing_maps = [#[[$IN]], {{.*}}]{{.*}} outs(%[[INIT]] : tensor<1x1x2x4x4xi32>)
// CHECK-NEXT:  ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %[[ACC:.*]]: i32):
// CHECK-NEXT:    %[[P:.*]] = arith.muli %[[A]], %[[B]] : i32
// CHECK-NEXT:    %[[S:.*]] = arith.addi %[[ACC]], %[[P]] : i32
// CHECK-NEXT:    linalg.yield %[[S]] : i32
// CHECK:       tensor.collapse_shape {{.*}} : tensor<1x1x2x4x4xi32> into tensor<1x2x4x4xi32>
func.func @conv_i32(%x: tensor<1x1x3x3xi32>, %w: tensor<2x1x2x2xi32>, %b: tensor<2xi32>) -> tensor<1x2x4x4xi32> attributes {dsr1.kernel} {
  %0 = dsr1.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : tensor<1x1x3x3xi32>, tensor<2x1x2x2xi32>, tensor<2xi32>
  return %0 : tensor<1x2x4x4xi32>
}

// -----

// The input is spread by the stride (every 2nd element) and padded by k - 1 - pad (2 - 1 = 1
// before, 2 - 0 + 1 = 3 after: 5 + 1 + 3 = 9), the kernel flipped, then a stride-1 convolution
// reads the weight as [g, c, m, k].
// CHECK-DAG: #[[$FLIP:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, -d2 + 2)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d4, d2, d5)>
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 + d5)>
// CHECK-LABEL: func.func @conv_transpose
// CHECK:       linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x9xf32>)
// CHECK:       arith.remui
// CHECK:       arith.divui
// CHECK:       tensor.extract
// CHECK:       linalg.generic {indexing_maps = [#[[$FLIP]], {{.*}}]
// CHECK:       linalg.generic {indexing_maps = [#[[$IN]], #[[$W]], {{.*}}]
// CHECK-SAME:    outs(%{{.*}} : tensor<1x1x3x7xf32>)
// CHECK:       tensor.collapse_shape {{.*}} into tensor<1x3x7xf32>
func.func @conv_transpose(%x: tensor<1x2x3xf32>, %w: tensor<2x3x3xf32>) -> tensor<1x3x7xf32> attributes {dsr1.kernel} {
  %0 = dsr1.conv_transpose %x, %w {strides = array<i64: 2>, pads = array<i64: 1, 0>, output_padding = array<i64: 1>} : tensor<1x2x3xf32>, tensor<2x3x3xf32>
  return %0 : tensor<1x3x7xf32>
}

// -----

// Padding with -inf; the window's extent comes from a shape-only tensor.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[$WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-LABEL: func.func @max_pool
// CHECK:       %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:       %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK:       %[[PADDED:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x7x7xf32>)
// CHECK:       arith.select %{{.*}}, %{{.*}}, %[[NEGINF]] : f32
// CHECK:       %[[WINDOW:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[$IN]], #[[$WIN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME:    ins(%[[PADDED]], %[[WINDOW]] : {{.*}}) outs(%[[INIT]] :
// CHECK:       arith.maximumf
func.func @max_pool(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> attributes {dsr1.kernel} {
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Integers pad and start from the lowest value of the type, 0 for unsigned and the minimum for
// signed, and compare by signedness: padding never wins.
// CHECK-LABEL: func.func @max_pool_int
// CHECK:       %[[ZERO:.*]] = arith.constant 0 : i8
// CHECK:       linalg.fill ins(%[[ZERO]] : i8)
// CHECK:       arith.select %{{.*}}, %{{.*}}, %[[ZERO]] : i8
// CHECK:       arith.maxui
// CHECK:       %[[MIN:.*]] = arith.constant -128 : i8
// CHECK:       linalg.fill ins(%[[MIN]] : i8)
// CHECK:       arith.select %{{.*}}, %{{.*}}, %[[MIN]] : i8
// CHECK:       arith.maxsi
func.func @max_pool_int(%x: tensor<1x1x5x5xui8>, %y: tensor<1x1x5x5xi8>) -> (tensor<1x1x5x5xui8>, tensor<1x1x5x5xi8>) attributes {dsr1.kernel} {
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x1x5x5xui8>
  %1 = dsr1.max_pool %y {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x1x5x5xi8>
  return %0, %1 : tensor<1x1x5x5xui8>, tensor<1x1x5x5xi8>
}

// -----

// ceil_mode: the last window (2, 3, 4) hangs over the end, so the input is padded to 5 and that
// window averages 2 elements, not 3.
// CHECK-LABEL: func.func @avg_pool_ceil
// CHECK:       linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x5xf16>)
// CHECK:       %[[SUM:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x2xf32>)
// CHECK:       arith.extf
// CHECK:       %[[COUNTS:.*]] = arith.constant dense<[3.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK:       linalg.generic {{.*}} ins(%[[SUM]], %[[COUNTS]] : tensor<1x1x2xf32>, tensor<2xf32>) outs(%{{.*}} : tensor<1x1x2xf16>)
// CHECK:       arith.divf
// CHECK:       arith.truncf
func.func @avg_pool_ceil(%x: tensor<1x1x4xf16>) -> tensor<1x1x2xf16> attributes {dsr1.kernel} {
  %0 = dsr1.avg_pool %x {kernel_shape = array<i64: 3>, strides = array<i64: 2>, ceil_mode = true} : tensor<1x1x4xf16>
  return %0 : tensor<1x1x2xf16>
}

// -----

// CHECK-DAG: #[[$NC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @global_avg_pool
// CHECK:       linalg.generic {indexing_maps = [{{.*}}, #[[$NC]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
// CHECK:       arith.constant 2.000000e+01 : f32
// CHECK:       arith.divf
// CHECK:       tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] {{.*}} into tensor<2x3x1x1xf32>
func.func @global_avg_pool(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x1x1xf32> attributes {dsr1.kernel} {
  %0 = dsr1.global_avg_pool %x : tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

// Max pool indices: the input padded, then one generic carrying the best value and its flat
// index ((n * C + c) * 25 + h * 5 + w; column-major h + w * 5) from -1: a tap inside the input
// replaces them when none has yet or when strictly larger.
// CHECK-LABEL: func.func @max_pool_indices
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]{{.*}}outs(%{{.+}}, %{{.+}} : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
// CHECK: linalg.index 5
// CHECK: linalg.index 3
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi sge
// CHECK: linalg.index 4
// CHECK: linalg.index 2
// CHECK: arith.constant 25 : i64
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpi eq
// CHECK: arith.ori
// CHECK: arith.select
// CHECK: arith.select
// CHECK: linalg.yield
// CHECK: linalg.generic {{.*}}"reduction", "reduction"]
// CHECK: linalg.index 4
// CHECK: linalg.index 2
// CHECK: linalg.index 5
// CHECK: linalg.index 3
// CHECK: arith.cmpi ugt
func.func @max_pool_indices(%x: tensor<1x2x5x5xf32>, %u: tensor<1x2x5x5xui8>) -> (tensor<1x2x3x3xi64>, tensor<1x2x3x3xi64>) attributes {dsr1.kernel} {
  %0 = dsr1.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x5x5xf32>
  %1 = dsr1.max_pool_indices %u {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, column_major = true} : tensor<1x2x5x5xui8>
  return %0, %1 : tensor<1x2x3x3xi64>, tensor<1x2x3x3xi64>
}

// -----

// CHECK-LABEL: func.func @global_max_pool
// CHECK:       arith.constant 0xFF800000 : f32
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:       arith.maximumf
// CHECK:       tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] {{.*}} into tensor<2x3x1xf32>
func.func @global_max_pool(%x: tensor<2x3x4xf32>) -> tensor<2x3x1xf32> attributes {dsr1.kernel} {
  %0 = dsr1.global_max_pool %x : tensor<2x3x4xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

// Packed heads: [B, S, H * D] is expanded to [B, S, H, D] and read with h and s swapped. The
// bool mask and causality select -inf; the scale is 1 / sqrt(4).
// CHECK-DAG: #[[$Q:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d4)>
// CHECK-DAG: #[[$K:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
// CHECK-DAG: #[[$MASK:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$P:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[$V:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d3)>
// CHECK-DAG: #[[$O:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d3)>
// CHECK-LABEL: func.func @attention_packed_causal
// CHECK:       %[[Q:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] {{.*}} into tensor<1x4x2x4xf32>
// CHECK:       %[[K:.*]] = tensor.expand_shape %{{.*}} into tensor<1x6x2x4xf32>
// CHECK:       %[[V:.*]] = tensor.expand_shape %{{.*}} into tensor<1x6x2x2xf32>
// CHECK:       %[[S:.*]] = linalg.generic {indexing_maps = [#[[$Q]], #[[$K]], {{.*}}]{{.*}} ins(%[[Q]], %[[K]] : {{.*}}) outs(%{{.*}} : tensor<1x2x4x6xf32>)
// CHECK:       linalg.generic {indexing_maps = [{{.*}}, #[[$MASK]], {{.*}}]{{.*}} ins(%[[S]], %{{.*}} : tensor<1x2x4x6xf32>, tensor<4x6xi1>)
// CHECK:       arith.constant 5.000000e-01 : f32
// CHECK:       arith.select
// CHECK:       linalg.index 2
// CHECK:       linalg.index 3
// CHECK:       arith.cmpi sle
// CHECK:       arith.maximumf
// CHECK:       math.exp
// CHECK:       arith.addf
// CHECK:       linalg.generic {indexing_maps = [#[[$P]], #[[$V]], #[[$O]]]{{.*}} outs(%{{.*}} : tensor<1x4x2x2xf32>)
// CHECK:       arith.divf
// CHECK:       tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<1x4x2x2xf32> into tensor<1x4x4xf32>
func.func @attention_packed_causal(%q: tensor<1x4x8xf32>, %k: tensor<1x6x8xf32>, %v: tensor<1x6x4xf32>, %m: tensor<4x6xi1>) -> tensor<1x4x4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.attention %q, %k, %v mask %m {num_heads = 2 : i64, causal} : tensor<1x4x8xf32>, tensor<1x6x8xf32>, tensor<1x6x4xf32>, tensor<4x6xi1>
  return %0 : tensor<1x4x4xf32>
}

// -----

// softcap bounds the scaled scores to c * tanh(s / c) before the mask is added, so that masked
// positions stay -inf.
// CHECK-LABEL: func.func @attention_softcap
// CHECK:       linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x4x6xf32>, tensor<4x6xf32>)
// CHECK:       %[[S:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:       %[[C:.*]] = arith.constant 3.000000e+01 : f32
// CHECK:       %[[D:.*]] = arith.divf %[[S]], %[[C]] : f32
// CHECK:       %[[T:.*]] = math.tanh %[[D]] : f32
// CHECK:       %[[CAPPED:.*]] = arith.mulf %[[T]], %[[C]] : f32
// CHECK:       arith.addf %[[CAPPED]], %{{.*}} : f32
func.func @attention_softcap(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %m: tensor<4x6xf32>) -> tensor<1x2x4x8xf32> attributes {dsr1.kernel} {
  %0 = dsr1.attention %q, %k, %v mask %m {num_heads = 2 : i64, softcap = 30.0 : f64} : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>, tensor<4x6xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

// A decoding step over a padded cache: key j of batch b is valid while j < n[b] (the lengths
// read per batch), the query stands at p = i + n[b] - 1 (bottom_right, Sq = 1), causal keeps
// j <= p and the window p - j <= 2, all in signed index arithmetic. The softmax weights are
// the second result, divided by the same guarded row sums as the output.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$BATCH:.*]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @attention_padded_cache
// CHECK:       %[[S:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$BATCH]], #[[$ID]]]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x2x1x6xf32>, tensor<2xi64>)
// CHECK:       ^bb0(%{{.*}}: f32, %[[N:.*]]: i64, %{{.*}}: f32):
// CHECK:       %[[I:.*]] = linalg.index 2 : index
// CHECK:       %[[J:.*]] = linalg.index 3 : index
// CHECK:       %[[L:.*]] = arith.index_cast %[[N]] : i64 to index
// CHECK:       %[[VALID:.*]] = arith.cmpi slt, %[[J]], %[[L]] : index
// CHECK:       %[[C1:.*]] = arith.constant 1 : index
// CHECK:       %[[OFF:.*]] = arith.subi %[[L]], %[[C1]] : index
// CHECK:       %[[P:.*]] = arith.addi %[[I]], %[[OFF]] : index
// CHECK:       %[[CAUSAL:.*]] = arith.cmpi sle, %[[J]], %[[P]] : index
// CHECK:       %[[V1:.*]] = arith.andi %[[VALID]], %[[CAUSAL]] : i1
// CHECK:       %[[C2:.*]] = arith.constant 2 : index
// CHECK:       %[[BACK:.*]] = arith.subi %[[P]], %[[J]] : index
// CHECK:       %[[LEFT:.*]] = arith.cmpi sle, %[[BACK]], %[[C2]] : index
// CHECK:       %[[V2:.*]] = arith.andi %[[V1]], %[[LEFT]] : i1
// CHECK:       arith.select %[[V2]]
// CHECK:       %[[E:.*]] = linalg.generic {{.*}} ins(%[[S]], %{{.*}} : tensor<2x2x1x6xf32>, tensor<2x2x1xf32>)
// CHECK:       math.exp
// CHECK:       %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[E]] : tensor<2x2x1x6xf32>) outs(%{{.*}} : tensor<2x2x1xf32>)
// CHECK:       %[[O:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[SUM]] : tensor<2x2x1x4xf32>, tensor<2x2x1xf32>)
// CHECK:       %[[W:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ID]]]{{.*}} ins(%[[E]], %[[SUM]] : tensor<2x2x1x6xf32>, tensor<2x2x1xf32>)
// CHECK:       arith.divf
// CHECK:       return %[[O]], %[[W]] : tensor<2x2x1x4xf32>, tensor<2x2x1x6xf32>
func.func @attention_padded_cache(%q: tensor<2x2x1x4xf32>, %k: tensor<2x2x6x4xf32>, %v: tensor<2x2x6x4xf32>, %n: tensor<2xi64>) -> (tensor<2x2x1x4xf32>, tensor<2x2x1x6xf32>) attributes {dsr1.kernel} {
  %0, %1 = dsr1.attention %q, %k, %v kv_lengths %n : tensor<2xi64> {num_heads = 2 : i64, causal, bottom_right, window_left = 2 : i64, return_scores = #dsr1.attention_scores<probs>} : tensor<2x2x1x4xf32>, tensor<2x2x6x4xf32>, tensor<2x2x6x4xf32>
  return %0, %1 : tensor<2x2x1x4xf32>, tensor<2x2x1x6xf32>
}

// -----

// A cache inside the op: the queries follow 4 cached keys (query_offset), so causal keeps
// j <= i + 4 and the window j - p <= 1; no lengths, so no validity test. The raw scores
// (scale * Q Kᵀ, before the softcap) are the second result, computed from the products and
// rounded to f16.
// CHECK-LABEL: func.func @attention_offset_raw_scores
// CHECK:       %[[QK:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x2x6xf32>)
// CHECK:       %[[RAW:.*]] = linalg.generic {{.*}} ins(%[[QK]] : tensor<1x1x2x6xf32>) outs(%{{.*}} : tensor<1x1x2x6xf16>)
// CHECK-NOT:   math.tanh
// CHECK:       arith.truncf %{{.*}} : f32 to f16
// CHECK:       linalg.generic {{.*}} ins(%[[QK]] : tensor<1x1x2x6xf32>) outs(%{{.*}} : tensor<1x1x2x6xf32>)
// CHECK:       math.tanh
// CHECK:       %[[I:.*]] = linalg.index 2 : index
// CHECK:       %[[J:.*]] = linalg.index 3 : index
// CHECK-NOT:   arith.index_cast
// CHECK:       %[[C4:.*]] = arith.constant 4 : index
// CHECK:       %[[P:.*]] = arith.addi %[[I]], %[[C4]] : index
// CHECK:       arith.cmpi sle, %[[J]], %[[P]] : index
// CHECK:       %[[AHEAD:.*]] = arith.subi %[[J]], %[[P]] : index
// CHECK:       arith.cmpi sle, %[[AHEAD]], %{{.*}} : index
// CHECK:       return %{{.*}}, %[[RAW]] : tensor<1x1x2x4xf16>, tensor<1x1x2x6xf16>
func.func @attention_offset_raw_scores(%q: tensor<1x1x2x4xf16>, %k: tensor<1x1x6x4xf16>, %v: tensor<1x1x6x4xf16>) -> (tensor<1x1x2x4xf16>, tensor<1x1x2x6xf16>) attributes {dsr1.kernel} {
  %0, %1 = dsr1.attention %q, %k, %v {num_heads = 1 : i64, causal, query_offset = 4 : i64, window_right = 1 : i64, softcap = 5.0 : f64, return_scores = #dsr1.attention_scores<raw>} : tensor<1x1x2x4xf16>, tensor<1x1x6x4xf16>, tensor<1x1x6x4xf16>
  return %0, %1 : tensor<1x1x2x4xf16>, tensor<1x1x2x6xf16>
}
