// Lowering of matmul, gemm, convolution, pooling and attention to linalg.generic: the indexing maps
// carry the semantics (broadcast batch dims read at 0, strides and dilations in the input map,
// groups split off by expand_shape), and half types accumulate in f32. Attention is one
// online-softmax kernel unless it returns the scores (the SCORES prefix checks that no tensor
// has the whole score shape).
// RUN: dsr1-opt %s --split-input-file -dsr1-lower-to-linalg | FileCheck %s
// RUN: dsr1-opt %s --split-input-file -dsr1-lower-to-linalg | FileCheck %s --check-prefix=SCORES

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

// A 1-D lhs has no m loop. f16 operands are widened to f32 first (exactly:
// the f32 contraction, BLAS included, sums what a tensor core sums), the
// sums are f32, and the result is rounded to f16 once.
// CHECK-DAG: #[[$A:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[$B:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_vector_f16
// CHECK:       %[[WA:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf16>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:       arith.extf {{.*}} : f16 to f32
// CHECK:       %[[WB:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<2x4x6xf16>) outs(%{{.*}} : tensor<2x4x6xf32>)
// CHECK:       arith.extf {{.*}} : f16 to f32
// CHECK:       linalg.generic {indexing_maps = [#[[$A]], #[[$B]], #[[$C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:    ins(%[[WA]], %[[WB]] : tensor<4xf32>, tensor<2x4x6xf32>) outs(%{{.*}} : tensor<2x6xf32>)
// CHECK-NOT:   arith.extf
// CHECK:       arith.truncf {{.*}} : f32 to f16
func.func @matmul_vector_f16(%a: tensor<4xf16>, %b: tensor<2x4x6xf16>) -> tensor<2x6xf16> attributes {dsr1.kernel} {
  %0 = dsr1.matmul %a, %b : tensor<4xf16>, tensor<2x4x6xf16>
  return %0 : tensor<2x6xf16>
}

// -----

// A TF32 product rounds both f32 operands to TF32's 10-bit mantissa (to nearest, ties away:
// + 0x1000, then clear the low 13 bits; infinities and NaN kept) before the f32 contraction.
// CHECK-LABEL: func.func @matmul_tf32
// CHECK-COUNT-2: arith.addi %{{.*}}, %c4096_i32 : i32
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:    outs(%{{.*}} : tensor<3x5xf32>)
func.func @matmul_tf32(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> attributes {dsr1.kernel} {
  %0 = dsr1.matmul %a, %b {precision = #dsr1.precision<tf32>} : tensor<3x4xf32>, tensor<4x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Without a precision (or with f32) the f32 operands are read as they are.
// CHECK-LABEL: func.func @matmul_f32_not_rounded
// CHECK-NOT:   arith.bitcast
// CHECK:       return
func.func @matmul_f32_not_rounded(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> attributes {dsr1.kernel} {
  %0 = dsr1.matmul %a, %b {precision = #dsr1.precision<f32>} : tensor<3x4xf32>, tensor<4x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Unsigned integers multiply and add as signless (wrapping) integers.
// CHECK-LABEL: func.func @matmul_unsigned
// CHECK-SAME:    tensor<3x4xi32> {bufferization.writable = false}, %{{.*}}: tensor<4xi32> {bufferization.writable = false}) -> tensor<3xi32>
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

// f16 input and weight are widened to f32 first, so the convolution is the f32 one (unfolded
// into columns, a GEMM for BLAS), and the result is rounded to f16 once.
// CHECK-LABEL: func.func @conv_f16
// CHECK:       linalg.generic {{.*}} ins(%{{.*}} : tensor<1x1x4x4xf16>) outs(%{{.*}} : tensor<1x1x4x4xf32>)
// CHECK:       arith.extf
// CHECK:       linalg.generic {{.*}} ins(%{{.*}} : tensor<2x1x2x2xf16>) outs(%{{.*}} : tensor<2x1x2x2xf32>)
// CHECK:       arith.extf
// CHECK:       %[[COL:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x1x2x2x2x2xf32>)
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[COL]], %{{.*}} : tensor<1x1x1x2x2x2x2xf32>, tensor<1x2x1x2x2xf32>)
// CHECK-NOT:   arith.extf
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

// Attention without return_scores is one online-softmax kernel: per batch and head, blocks of 64
// queries; per query block, an scf.for over blocks of 128 keys carrying the row max m, the row
// sum l and the unnormalised output acc. Each key block is two contractions on [64 x D] and
// [128 x D] slices of q, k, v (GEMMs after -dsr1-call-blas) around a 64 x 128 scores tile
// (scaled, masked and exponentiated in place); no
// tensor of the whole [B, H, Sq, Skv] score shape exists. Sq = 200 and Skv = 300 end in tail
// blocks of 8 queries and 44 keys, statically shaped copies of the bodies; with no visibility
// rule, every key block runs (the loop bounds are constants, the tail unconditional).
// CHECK-DAG: #[[$QK_Q:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$QK_K:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$QK_S:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$PV_V:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @attention_online_blocks
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<1x2x200x8xf32> {bufferization.writable = false}, %[[K:[^:]*]]: tensor<1x2x300x8xf32> {bufferization.writable = false}, %[[V:[^:]*]]: tensor<1x2x300x8xf32> {bufferization.writable = false}
// CHECK:       %[[OUT:.*]] = tensor.empty() : tensor<1x2x200x8xf32>
// CHECK:       scf.for %[[B:[^ ]*]] = {{.*}} iter_args(%{{.*}} = %[[OUT]]) -> (tensor<1x2x200x8xf32>)
// CHECK:       scf.for %[[H:[^ ]*]] = {{.*}} -> (tensor<1x2x200x8xf32>)
// CHECK:       %[[C192:.*]] = arith.constant 192 : index
// CHECK:       scf.for %[[I0:[^ ]*]] = %{{.*}} to %[[C192]] step %{{.*}} iter_args(%[[RES:.*]] = %{{.*}}) -> (tensor<1x2x200x8xf32>)
// CHECK:       %[[QT:.*]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], %[[I0]], 0] [1, 1, 64, 8] [1, 1, 1, 1] : tensor<1x2x200x8xf32> to tensor<64x8xf32>
// CHECK:       %[[M0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<64xf32>)
// CHECK:       %[[L0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<64xf32>)
// CHECK:       %[[A0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<64x8xf32>)
// CHECK:       %[[C256:.*]] = arith.constant 256 : index
// CHECK:       %[[C128:.*]] = arith.constant 128 : index
// CHECK:       %[[LOOP:.*]]:3 = scf.for %[[J0:[^ ]*]] = %{{.*}} to %[[C256]] step %[[C128]] iter_args(%[[M:.*]] = %[[M0]], %[[L:.*]] = %[[L0]], %[[ACC:.*]] = %[[A0]]) -> (tensor<64xf32>, tensor<64xf32>, tensor<64x8xf32>)
// CHECK:       %[[KT:.*]] = tensor.extract_slice %[[K]][%[[B]], %[[H]], %[[J0]], 0] [1, 1, 128, 8] [1, 1, 1, 1] : tensor<1x2x300x8xf32> to tensor<128x8xf32>
// CHECK:       %[[VT:.*]] = tensor.extract_slice %[[V]][%[[B]], %[[H]], %[[J0]], 0] [1, 1, 128, 8] [1, 1, 1, 1] : tensor<1x2x300x8xf32> to tensor<128x8xf32>
// CHECK:       %[[S:.*]] = linalg.generic {indexing_maps = [#[[$QK_Q]], #[[$QK_K]], #[[$QK_S]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[QT]], %[[KT]] : tensor<64x8xf32>, tensor<128x8xf32>) outs(%{{.*}} : tensor<64x128xf32>)
// CHECK:       %[[SC:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} outs(%[[S]] : tensor<64x128xf32>)
// CHECK:       arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:       %[[BMAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[SC]] : tensor<64x128xf32>) outs(%{{.*}} : tensor<64xf32>)
// CHECK:       arith.maximumf
// CHECK:       %[[UPD:.*]]:2 = linalg.generic {{.*}} ins(%[[BMAX]] : tensor<64xf32>) outs(%[[M]], %{{.*}} : tensor<64xf32>, tensor<64xf32>)
// CHECK:       arith.maximumf
// CHECK:       math.exp
// CHECK:       %[[P:.*]] = linalg.generic {{.*}} ins(%[[UPD]]#0 : tensor<64xf32>) outs(%[[SC]] : tensor<64x128xf32>)
// CHECK:       math.exp
// CHECK:       %[[LS:.*]] = linalg.generic {{.*}} ins(%[[UPD]]#1 : tensor<64xf32>) outs(%[[L]] : tensor<64xf32>)
// CHECK:       %[[L1:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[P]] : tensor<64x128xf32>) outs(%[[LS]] : tensor<64xf32>)
// CHECK:       %[[AS:.*]] = linalg.generic {{.*}} ins(%[[UPD]]#1 : tensor<64xf32>) outs(%[[ACC]] : tensor<64x8xf32>)
// CHECK:       %[[A1:.*]] = linalg.generic {indexing_maps = [#[[$QK_Q]], #[[$PV_V]], #[[$QK_S]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[P]], %[[VT]] : tensor<64x128xf32>, tensor<128x8xf32>) outs(%[[AS]] : tensor<64x8xf32>)
// CHECK:       scf.yield %[[UPD]]#0, %[[L1]], %[[A1]] : tensor<64xf32>, tensor<64xf32>, tensor<64x8xf32>
// The key tail: keys 256..299, unconditionally, on the loop's results.
// CHECK-NOT:   scf.if
// CHECK:       tensor.extract_slice %[[K]][%[[B]], %[[H]], %{{.*}}, 0] [1, 1, 44, 8] [1, 1, 1, 1] : tensor<1x2x300x8xf32> to tensor<44x8xf32>
// CHECK:       linalg.generic {{.*}} ins(%[[QT]], %{{.*}} : tensor<64x8xf32>, tensor<44x8xf32>) outs(%{{.*}} : tensor<64x44xf32>)
// CHECK:       outs(%[[LOOP]]#0, %{{.*}} : tensor<64xf32>, tensor<64xf32>)
// CHECK:       %[[TAIL:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<64x44xf32>, tensor<44x8xf32>) outs(%{{.*}} : tensor<64x8xf32>)
// acc / l (l = 0: divided by 1) straight into the result's block.
// CHECK:       %[[BLK:.*]] = tensor.extract_slice %[[RES]][%[[B]], %[[H]], %[[I0]], 0] [1, 1, 64, 8] [1, 1, 1, 1] : tensor<1x2x200x8xf32> to tensor<64x8xf32>
// CHECK:       %[[O:.*]] = linalg.generic {{.*}} ins(%[[TAIL]], %{{.*}} : tensor<64x8xf32>, tensor<64xf32>) outs(%[[BLK]] : tensor<64x8xf32>)
// CHECK:       arith.cmpf oeq
// CHECK:       arith.divf
// CHECK:       tensor.insert_slice %[[O]] into %[[RES]][%[[B]], %[[H]], %[[I0]], 0] [1, 1, 64, 8] [1, 1, 1, 1] : tensor<64x8xf32> into tensor<1x2x200x8xf32>
// The query tail: 8 queries from 192, the same loop over keys on 8-row tiles.
// CHECK:       tensor.extract_slice %[[Q]][%[[B]], %[[H]], %{{.*}}, 0] [1, 1, 8, 8] [1, 1, 1, 1] : tensor<1x2x200x8xf32> to tensor<8x8xf32>
// CHECK:       scf.for {{.*}} -> (tensor<8xf32>, tensor<8xf32>, tensor<8x8xf32>)
// CHECK:       outs(%{{.*}} : tensor<8x128xf32>)
// CHECK:       outs(%{{.*}} : tensor<8x44xf32>)
// CHECK:       tensor.insert_slice %{{.*}} : tensor<8x8xf32> into tensor<1x2x200x8xf32>
// SCORES-LABEL: func.func @attention_online_blocks
// SCORES-NOT:   200x300
func.func @attention_online_blocks(%q: tensor<1x2x200x8xf32>, %k: tensor<1x2x300x8xf32>, %v: tensor<1x2x300x8xf32>) -> tensor<1x2x200x8xf32> attributes {dsr1.kernel} {
  %0 = dsr1.attention %q, %k, %v {num_heads = 2 : i64} : tensor<1x2x200x8xf32>, tensor<1x2x300x8xf32>, tensor<1x2x300x8xf32>
  return %0 : tensor<1x2x200x8xf32>
}

// -----

// Packed heads: the tiles of [B, S, H * D] are the columns h * D .. h * D + D of a block of rows
// (a strided view with leading dimension H * D). The bool mask is sliced to the scores tile;
// causality compares absolute positions (block starts + linalg.index) and selects -inf. Key
// blocks past the causal frontier of the query block's last query (i0 + 63) are skipped: the
// loop ends at min(256, ceil((i0 + 64) / 128) * 128), and the tail block runs only if that
// frontier passes 256. The scale is 1 / sqrt(8).
// CHECK-LABEL: func.func @attention_packed_causal
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<1x200x16xf32> {bufferization.writable = false}, %[[K:[^:]*]]: tensor<1x300x16xf32> {bufferization.writable = false}, %[[V:[^:]*]]: tensor<1x300x8xf32> {bufferization.writable = false}, %[[MASK:[^:]*]]: tensor<200x300xi1> {bufferization.writable = false}
// CHECK:       scf.for %[[B:[^ ]*]] =
// CHECK:       scf.for %[[H:[^ ]*]] =
// CHECK:       scf.for %[[I0:[^ ]*]] =
// CHECK:       %[[QCOL:.*]] = arith.muli %[[H]], %{{.*}} : index
// CHECK:       tensor.extract_slice %[[Q]][%[[B]], %[[I0]], %[[QCOL]]] [1, 64, 8] [1, 1, 1] : tensor<1x200x16xf32> to tensor<64x8xf32>
// CHECK:       %[[C256:.*]] = arith.constant 256 : index
// CHECK:       %[[C63:.*]] = arith.constant 63 : index
// CHECK:       %[[LAST:.*]] = arith.addi %[[I0]], %[[C63]] : index
// CHECK:       %[[C300:.*]] = arith.constant 300 : index
// CHECK:       %[[FRONT:.*]] = arith.addi %[[LAST]], %{{.*}} : index
// CHECK:       %[[HI0:.*]] = arith.minsi %[[C300]], %[[FRONT]] : index
// CHECK:       %[[HI:.*]] = arith.maxsi %[[HI0]], %{{.*}} : index
// CHECK:       %[[FIRST:.*]] = arith.minsi %{{.*}}, %[[C256]] : index
// CHECK:       %[[NB:.*]] = arith.ceildivui %[[HI]], %{{.*}} : index
// CHECK:       %[[END0:.*]] = arith.muli %[[NB]], %{{.*}} : index
// CHECK:       %[[END:.*]] = arith.minsi %[[END0]], %[[C256]] : index
// CHECK:       %[[SOME:.*]] = arith.cmpi slt, %{{.*}}, %[[HI]] : index
// CHECK:       %[[PAST:.*]] = arith.cmpi sgt, %[[HI]], %[[C256]] : index
// CHECK:       %[[TAIL:.*]] = arith.andi %[[PAST]], %[[SOME]] : i1
// CHECK:       scf.for %[[J0:[^ ]*]] = %[[FIRST]] to %[[END]] step %{{.*}} iter_args({{.*}}) -> (tensor<64xf32>, tensor<64xf32>, tensor<64x4xf32>)
// CHECK:       %[[KCOL:.*]] = arith.muli %[[H]], %{{.*}} : index
// CHECK:       tensor.extract_slice %[[K]][%[[B]], %[[J0]], %[[KCOL]]] [1, 128, 8] [1, 1, 1] : tensor<1x300x16xf32> to tensor<128x8xf32>
// CHECK:       %[[VCOL:.*]] = arith.muli %[[H]], %{{.*}} : index
// CHECK:       tensor.extract_slice %[[V]][%[[B]], %[[J0]], %[[VCOL]]] [1, 128, 4] [1, 1, 1] : tensor<1x300x8xf32> to tensor<128x4xf32>
// CHECK:       %[[S:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<64x128xf32>)
// CHECK:       %[[MT:.*]] = tensor.extract_slice %[[MASK]][%[[I0]], %[[J0]]] [64, 128] [1, 1] : tensor<200x300xi1> to tensor<64x128xi1>
// CHECK:       linalg.generic {{.*}} ins(%[[MT]] : tensor<64x128xi1>) outs(%[[S]] : tensor<64x128xf32>)
// CHECK:       arith.constant 0.353553385 : f32
// CHECK:       arith.select
// CHECK:       %[[II:.*]] = linalg.index 0 : index
// CHECK:       %[[I:.*]] = arith.addi %[[I0]], %[[II]] : index
// CHECK:       %[[JJ:.*]] = linalg.index 1 : index
// CHECK:       %[[J:.*]] = arith.addi %[[J0]], %[[JJ]] : index
// CHECK:       arith.cmpi sle, %[[J]], %[[I]] : index
// CHECK:       arith.select
// CHECK:       scf.if %[[TAIL]] -> (tensor<64xf32>, tensor<64xf32>, tensor<64x4xf32>)
// CHECK:       tensor.extract_slice %[[MASK]][%[[I0]], %{{.*}}] [64, 44] [1, 1] : tensor<200x300xi1> to tensor<64x44xi1>
// CHECK:       } else {
// CHECK-NEXT:    scf.yield
// CHECK:       tensor.insert_slice %{{.*}}[%[[B]], %[[I0]], %{{.*}}] [1, 64, 4] [1, 1, 1] : tensor<64x4xf32> into tensor<1x200x8xf32>
// SCORES-LABEL: func.func @attention_packed_causal
// SCORES-NOT:   200x300xf32
func.func @attention_packed_causal(%q: tensor<1x200x16xf32>, %k: tensor<1x300x16xf32>, %v: tensor<1x300x8xf32>, %m: tensor<200x300xi1>) -> tensor<1x200x8xf32> attributes {dsr1.kernel} {
  %0 = dsr1.attention %q, %k, %v mask %m {num_heads = 2 : i64, causal} : tensor<1x200x16xf32>, tensor<1x300x16xf32>, tensor<1x300x8xf32>, tensor<200x300xi1>
  return %0 : tensor<1x200x8xf32>
}

// -----

// softcap bounds the scaled scores to c * tanh(s / c) before the mask is added, so that masked
// positions stay -inf. Short sequences are one block (4 queries, 6 keys): no tails. The [4, 6]
// mask broadcasts over batch and heads: its tile is the whole mask.
// CHECK-LABEL: func.func @attention_softcap
// CHECK:       scf.for {{.*}} -> (tensor<4xf32>, tensor<4xf32>, tensor<4x8xf32>)
// CHECK:       tensor.extract_slice %{{.*}}[%{{.*}}, %{{.*}}] [4, 6] [1, 1] : tensor<4x6xf32> to tensor<4x6xf32>
// CHECK:       linalg.generic {{.*}} ins(%{{.*}} : tensor<4x6xf32>) outs(%{{.*}} : tensor<4x6xf32>)
// CHECK:       %[[S:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:       %[[C:.*]] = arith.constant 3.000000e+01 : f32
// CHECK:       %[[D:.*]] = arith.divf %[[S]], %[[C]] : f32
// CHECK:       %[[T:.*]] = math.tanh %[[D]] : f32
// CHECK:       %[[CAPPED:.*]] = arith.mulf %[[T]], %[[C]] : f32
// CHECK:       arith.addf %[[CAPPED]], %{{.*}} : f32
// CHECK-NOT:   scf.if
// CHECK:       return
func.func @attention_softcap(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %m: tensor<4x6xf32>) -> tensor<1x2x4x8xf32> attributes {dsr1.kernel} {
  %0 = dsr1.attention %q, %k, %v mask %m {num_heads = 2 : i64, softcap = 30.0 : f64} : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>, tensor<4x6xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

// f16 tiles are widened to f32 once per block (so that the products stay f32 GEMMs), the
// statistics and the output accumulate in f32, and each output block is rounded once. A
// [B, 1, 1, Skv] mask keeps its broadcast dims at size 1 in the tile, read at 0.
// CHECK-DAG: #[[$MASK:.*]] = affine_map<(d0, d1) -> (0, 0, 0, d1)>
// CHECK-LABEL: func.func @attention_f16
// CHECK:       %[[QT:.*]] = tensor.extract_slice %{{.*}} : tensor<2x1x3x4xf16> to tensor<3x4xf16>
// CHECK:       %[[QW:.*]] = linalg.generic {{.*}} ins(%[[QT]] : tensor<3x4xf16>) outs(%{{.*}} : tensor<3x4xf32>)
// CHECK:       arith.extf {{.*}} : f16 to f32
// CHECK:       scf.for {{.*}} -> (tensor<3xf32>, tensor<3xf32>, tensor<3x4xf32>)
// CHECK:       %[[KT:.*]] = tensor.extract_slice %{{.*}} : tensor<2x1x5x4xf16> to tensor<5x4xf16>
// CHECK:       %[[KW:.*]] = linalg.generic {{.*}} ins(%[[KT]] : tensor<5x4xf16>) outs(%{{.*}} : tensor<5x4xf32>)
// CHECK:       %[[VT:.*]] = tensor.extract_slice %{{.*}} : tensor<2x1x5x4xf16> to tensor<5x4xf16>
// CHECK:       linalg.generic {{.*}} ins(%[[VT]] : tensor<5x4xf16>) outs(%{{.*}} : tensor<5x4xf32>)
// CHECK:       linalg.generic {{.*}} ins(%[[QW]], %[[KW]] : tensor<3x4xf32>, tensor<5x4xf32>) outs(%{{.*}} : tensor<3x5xf32>)
// CHECK:       %[[MT:.*]] = tensor.extract_slice %{{.*}}[%{{.*}}, 0, 0, %{{.*}}] [1, 1, 1, 5] [1, 1, 1, 1] : tensor<2x1x1x5xi1> to tensor<1x1x1x5xi1>
// CHECK:       linalg.generic {indexing_maps = [#[[$MASK]], #{{.*}}]{{.*}} ins(%[[MT]] : tensor<1x1x1x5xi1>) outs(%{{.*}} : tensor<3x5xf32>)
// CHECK:       linalg.generic {{.*}} outs(%{{.*}} : tensor<3x4xf16>)
// CHECK:       arith.divf {{.*}} : f32
// CHECK:       arith.truncf {{.*}} : f32 to f16
func.func @attention_f16(%q: tensor<2x1x3x4xf16>, %k: tensor<2x1x5x4xf16>, %v: tensor<2x1x5x4xf16>, %m: tensor<2x1x1x5xi1>) -> tensor<2x1x3x4xf16> attributes {dsr1.kernel} {
  %0 = dsr1.attention %q, %k, %v mask %m {num_heads = 1 : i64} : tensor<2x1x3x4xf16>, tensor<2x1x5x4xf16>, tensor<2x1x5x4xf16>, tensor<2x1x1x5xi1>
  return %0 : tensor<2x1x3x4xf16>
}

// -----

// A padded cache without return_scores: kv_lengths[b] is read once per batch; the queries stand
// at p = i + n[b] - Sq (bottom right). Key blocks hold keys from max(0, p0 - 100) (the left
// window of the block's first query) to min(n[b], p_last + 1): blocks wholly before the window
// or past the frontier are skipped, the loop starting at the block holding the lower bound.
// CHECK-LABEL: func.func @attention_cache_window
// CHECK-SAME:    %[[N:[^:]*]]: tensor<2xi64> {bufferization.writable = false}
// CHECK:       scf.for %[[B:[^ ]*]] =
// CHECK:       %[[NB:.*]] = tensor.extract %[[N]][%[[B]]] : tensor<2xi64>
// CHECK:       %[[L:.*]] = arith.index_cast %[[NB]] : i64 to index
// CHECK:       scf.for
// CHECK:       %[[C256:.*]] = arith.constant 256 : index
// CHECK-NEXT:  %[[C2:.*]] = arith.constant 2 : index
// CHECK-NEXT:  %[[SHIFT:.*]] = arith.subi %[[L]], %[[C2]] : index
// CHECK:       %[[P0:.*]] = arith.addi %{{.*}}, %[[SHIFT]] : index
// CHECK:       %[[PL:.*]] = arith.addi %[[P0]], %{{.*}} : index
// CHECK:       %[[HI0:.*]] = arith.minsi %{{.*}}, %[[L]] : index
// CHECK:       %[[FRONT:.*]] = arith.addi %[[PL]], %{{.*}} : index
// CHECK:       arith.minsi %[[HI0]], %[[FRONT]] : index
// CHECK:       %[[C100:.*]] = arith.constant 100 : index
// CHECK:       %[[BACK:.*]] = arith.subi %[[P0]], %[[C100]] : index
// CHECK:       %[[LO:.*]] = arith.maxsi %{{.*}}, %[[BACK]] : index
// CHECK:       %[[C128:.*]] = arith.constant 128 : index
// CHECK:       %[[BLK:.*]] = arith.divui %[[LO]], %[[C128]] : index
// CHECK:       %[[FIRST0:.*]] = arith.muli %[[BLK]], %[[C128]] : index
// CHECK:       %[[FIRST:.*]] = arith.minsi %[[FIRST0]], %{{.*}} : index
// CHECK:       scf.for %{{.*}} = %[[FIRST]] to
// CHECK:       arith.cmpi slt, %{{.*}}, %[[L]] : index
// CHECK:       scf.if
// SCORES-LABEL: func.func @attention_cache_window
// SCORES-NOT:   2x2x2x300xf32
func.func @attention_cache_window(%q: tensor<2x2x2x4xf32>, %k: tensor<2x2x300x4xf32>, %v: tensor<2x2x300x4xf32>, %n: tensor<2xi64>) -> tensor<2x2x2x4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.attention %q, %k, %v kv_lengths %n : tensor<2xi64> {num_heads = 2 : i64, causal, bottom_right, window_left = 100 : i64} : tensor<2x2x2x4xf32>, tensor<2x2x300x4xf32>, tensor<2x2x300x4xf32>
  return %0 : tensor<2x2x2x4xf32>
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
