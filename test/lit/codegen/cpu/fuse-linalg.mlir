// -dsr1-fuse-linalg: the elementwise linalg ops of a fused kernel become one linalg.generic, but
// nothing is fused into a contraction (BLAS must still see the product) or computed twice.
// RUN: dsr1-opt %s --split-input-file -dsr1-lower-to-linalg -canonicalize -dsr1-fuse-linalg | FileCheck %s
// RUN: dsr1-opt %s --split-input-file --dsr1-cpu-codegen-pipeline | FileCheck %s --check-prefix=CODEGEN

// A gemm group (matmul + bias + relu): the product stays a contraction, and its epilogue is one
// generic that updates the product in place (it reads the product as its destination); through
// the whole cpu pipeline that is one BLAS call and one loop nest after the zero fill the product
// accumulates into, all in the result's buffer, nothing allocated.
// CHECK-LABEL: func.func @gemm_bias_relu
// CHECK-SAME: (%{{.*}}: memref<i32>, %{{.*}}: tensor<4x8xf32> {bufferization.writable = false}, %{{.*}}: tensor<8x16xf32> {bufferization.writable = false}, %[[B:.+]]: tensor<16xf32> {bufferization.writable = false})
// CHECK: %[[P:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[E:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}} ins(%[[B]] : tensor<16xf32>) outs(%[[P]] : tensor<4x16xf32>)
// CHECK-NEXT: ^bb0(%[[BIAS:.+]]: f32, %[[OUT:.+]]: f32):
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[OUT]], %[[BIAS]]
// CHECK-NEXT: arith.maximumf %[[S]]
// CHECK-NEXT: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return %[[E]]
// CODEGEN-LABEL: llvm.func @gemm_bias_relu
// CODEGEN-NOT: llvm.call @malloc
// CODEGEN-COUNT-2: llvm.cond_br
// CODEGEN: llvm.call @dsr1_cpu_sgemm
// CODEGEN-COUNT-2: llvm.cond_br
// CODEGEN-NOT: llvm.cond_br
// CODEGEN-NOT: llvm.call @free
// CODEGEN: llvm.return
func.func @gemm_bias_relu(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> attributes {dsr1.kernel} {
  %0 = dsr1.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
  %1 = dsr1.add %0, %b : tensor<4x16xf32>, tensor<16xf32>
  %2 = dsr1.relu %1 : tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}

// -----

// Near miss: an elementwise op feeding a product stays its own loop nest.
// CHECK-LABEL: func.func @prologue_not_fused
// CHECK: %[[N:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: arith.negf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[N]], %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>)
// CODEGEN-LABEL: llvm.func @prologue_not_fused
// CODEGEN: llvm.call @dsr1_cpu_sgemm
func.func @prologue_not_fused(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> attributes {dsr1.kernel} {
  %0 = dsr1.neg %x : tensor<4x8xf32>
  %1 = dsr1.matmul %0, %w : tensor<4x8xf32>, tensor<8x16xf32>
  return %1 : tensor<4x16xf32>
}

// -----

// A reduction takes its elementwise prologue: the square is computed inside the sum.
// CHECK-LABEL: func.func @reduction_prologue
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%{{.*}} : tensor<2x8xf32>)
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK-NOT: linalg.generic
func.func @reduction_prologue(%x: tensor<2x8xf32>) -> tensor<2x1xf32> attributes {dsr1.kernel} {
  %0 = dsr1.mul %x, %x : tensor<2x8xf32>, tensor<2x8xf32>
  %1 = dsr1.reduce_sum %0 axes [1] : tensor<2x8xf32>
  return %1 : tensor<2x1xf32>
}

// -----

// Near miss: a value with two users (here also a result) is not recomputed in each of them.
// CHECK-LABEL: func.func @shared_value
// CHECK: %[[E:.+]] = linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[E]] : tensor<8xf32>)
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: arith.negf
// CHECK-NOT: math.exp
func.func @shared_value(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) attributes {dsr1.kernel} {
  %0 = dsr1.exp %x : tensor<8xf32>
  %1 = dsr1.neg %0 : tensor<8xf32>
  return %0, %1 : tensor<8xf32>, tensor<8xf32>
}

// -----

// Near miss: a recurrent op's loop body is left alone (rewriting a step's destination there
// would stop the state it yields from bufferizing in place), so the kernel still compiles.
// CHECK-LABEL: func.func @lstm_loop_untouched
// CHECK: scf.for
// CODEGEN-LABEL: llvm.func @lstm_loop_untouched
// CODEGEN: llvm.return
func.func @lstm_loop_untouched(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %b: tensor<1x32xf32>, %h: tensor<1x2x4xf32>, %c: tensor<1x2x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) attributes {dsr1.kernel} {
  %y, %yh, %yc = dsr1.lstm %x, %w, %r bias %b initial_h %h initial_c %c {hidden_size = 4 : i64} : tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32> bias tensor<1x32xf32> initial_h tensor<1x2x4xf32> initial_c tensor<1x2x4xf32>
  return %y, %yh, %yc : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// Near miss: a product that is also a result of the kernel keeps its buffer, and the epilogue
// writes a fresh one.
// CHECK-LABEL: func.func @product_also_returned
// CHECK: %[[P:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}} ins(%[[P]], %{{.*}} : tensor<4x16xf32>, tensor<16xf32>) outs(%{{.*}} : tensor<4x16xf32>)
func.func @product_also_returned(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) attributes {dsr1.kernel} {
  %0 = dsr1.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
  %1 = dsr1.add %0, %b : tensor<4x16xf32>, tensor<16xf32>
  return %0, %1 : tensor<4x16xf32>, tensor<4x16xf32>
}
