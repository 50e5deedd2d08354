// -dsr1-call-blas: matrix products on buffers become calls to the runtime's BLAS wrappers when
// their loops collapse to strided buffer dimensions; everything else stays linalg.
// RUN: dsr1-opt %s --split-input-file -dsr1-call-blas -canonicalize | FileCheck %s

// A plain row-major product: batch 1, m 4, n 16, k 8, lda 8, ldb 16, ldc 16, nothing transposed.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[A:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[B:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[C:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: call @dsr1_cpu_sgemm(%c1_i64, %c4_i64, %c16_i64, %c8_i64, %[[A]], %c0_i64, %c8_i64, %c0_i64, %[[B]], %c0_i64, %c16_i64, %c0_i64, %[[C]], %c0_i64, %c16_i64)
// CHECK-NOT: linalg.generic
// CHECK: func.func private @dsr1_cpu_sgemm(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
func.func @matmul(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A leading dim that only the left operand and the result have is part of m: it collapses with
// m into one GEMM (m 3 * 2 = 6, n 5, k 4) when it is contiguous. The right operand is read
// transposed (k is its inner dimension, ldb 4). f64 calls dgemm.
// CHECK-LABEL: func.func @batched_shared_transposed
// CHECK: call @dsr1_cpu_dgemm(%c1_i64, %c6_i64, %c5_i64, %c4_i64, %{{.*}}, %c0_i64, %c4_i64, %c0_i64, %{{.*}}, %c0_i64, %c4_i64, %c1_i64, %{{.*}}, %c0_i64, %c5_i64)
func.func @batched_shared_transposed(%a: memref<3x2x4xf64>, %b: memref<5x4xf64>, %c: memref<3x2x5xf64>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x2x4xf64>, memref<5x4xf64>) outs(%c : memref<3x2x5xf64>) {
  ^bb0(%x: f64, %y: f64, %acc: f64):
    %p = arith.mulf %x, %y : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  }
  return
}

// -----

// A column-major result (m is the inner dimension of C) is computed as C^T = B^T A^T: the
// operands swap and m, n swap (m' = 3, n' = 2).
// CHECK-LABEL: func.func @column_major_output
// CHECK-DAG: %[[A:.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK-DAG: %[[B:.*]] = memref.extract_aligned_pointer_as_index %arg1
// CHECK-DAG: %[[AI:.*]] = arith.index_cast %[[A]]
// CHECK-DAG: %[[BI:.*]] = arith.index_cast %[[B]]
// CHECK: call @dsr1_cpu_sgemm(%c1_i64, %c3_i64, %c2_i64, %c4_i64, %[[BI]], %c0_i64, %c3_i64, %c1_i64, %[[AI]], %c0_i64, %c4_i64, %c1_i64, %{{.*}}, %c0_i64, %c2_i64)
func.func @column_major_output(%a: memref<2x4xf32>, %b: memref<4x3xf32>, %c: memref<3x2xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (n, m)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<2x4xf32>, memref<4x3xf32>) outs(%c : memref<3x2xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Tiles taken inside a loop (the attention kernel's blocks of q and k) are views at a dynamic
// offset: the address adds that offset, read from the view's metadata, times the element size.
// Here A is a 2x4 block of rows of a packed [S, H*D] buffer (lda 8), B a 3x4 block read
// transposed (ldb 8).
// CHECK-LABEL: func.func @dynamic_offset_tiles
// CHECK-DAG: %[[ABASE:.*]] = memref.extract_aligned_pointer_as_index %[[AV:.*]] : memref<2x4xf32, strided<[8, 1], offset: ?>>
// CHECK-DAG: %{{.*}}, %[[AOFF:.*]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %[[AV]]
// CHECK-DAG: %[[AOFF64:.*]] = arith.index_cast %[[AOFF]] : index to i64
// CHECK-DAG: %[[ABYTES:.*]] = arith.muli %[[AOFF64]], %c4_i64 : i64
// CHECK-DAG: %[[ABASE64:.*]] = arith.index_cast %[[ABASE]] : index to i64
// CHECK-DAG: %[[AADDR:.*]] = arith.addi %[[ABASE64]], %[[ABYTES]] : i64
// CHECK: call @dsr1_cpu_sgemm(%c1_i64, %c2_i64, %c3_i64, %c4_i64, %[[AADDR]], %c0_i64, %c8_i64, %c0_i64, %{{.*}}, %c0_i64, %c8_i64, %c1_i64, %{{.*}}, %c0_i64, %c3_i64)
// CHECK-NOT: linalg.generic
func.func @dynamic_offset_tiles(%q: memref<16x8xf32>, %k: memref<16x8xf32>, %c: memref<2x3xf32>, %i: index, %j: index, %h: index) {
  %a = memref.subview %q[%i, %h] [2, 4] [1, 1] : memref<16x8xf32> to memref<2x4xf32, strided<[8, 1], offset: ?>>
  %b = memref.subview %k[%j, %h] [3, 4] [1, 1] : memref<16x8xf32> to memref<3x4xf32, strided<[8, 1], offset: ?>>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<2x4xf32, strided<[8, 1], offset: ?>>, memref<3x4xf32, strided<[8, 1], offset: ?>>) outs(%c : memref<2x3xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A view with a dynamic stride has no leading dimension known here: it stays linalg.
// CHECK-LABEL: func.func @dynamic_stride
// CHECK-NOT: call @dsr1_cpu
// CHECK: linalg.generic
func.func @dynamic_stride(%a: memref<2x4xf32, strided<[?, 1], offset: ?>>, %b: memref<4x3xf32>, %c: memref<2x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<2x4xf32, strided<[?, 1], offset: ?>>, memref<4x3xf32>) outs(%c : memref<2x3xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Near misses that stay linalg: f16 operands accumulating in f32 (no mixed-type BLAS), a
// max-plus "product" (not a mul-add contraction), integers, and tensors (before bufferization).
// CHECK-LABEL: func.func @near_misses
// CHECK-NOT: call @dsr1_cpu
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: call @dsr1_cpu
func.func @near_misses(%h: memref<2x4xf16>, %hb: memref<4x3xf16>, %hc: memref<2x3xf32>,
                       %a: memref<2x4xf32>, %b: memref<4x3xf32>, %c: memref<2x3xf32>,
                       %ia: memref<2x4xi32>, %ib: memref<4x3xi32>, %ic: memref<2x3xi32>,
                       %ta: tensor<2x4xf32>, %tb: tensor<4x3xf32>, %tc: tensor<2x3xf32>) -> tensor<2x3xf32> {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%h, %hb : memref<2x4xf16>, memref<4x3xf16>) outs(%hc : memref<2x3xf32>) {
  ^bb0(%x: f16, %y: f16, %acc: f32):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<2x4xf32>, memref<4x3xf32>) outs(%c : memref<2x3xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.addf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%ia, %ib : memref<2x4xi32>, memref<4x3xi32>) outs(%ic : memref<2x3xi32>) {
  ^bb0(%x: i32, %y: i32, %acc: i32):
    %p = arith.muli %x, %y : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%ta, %tb : tensor<2x4xf32>, tensor<4x3xf32>) outs(%tc : tensor<2x3xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}
