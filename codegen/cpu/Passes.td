//===- Passes.td - cpu code generation passes --------------*- tablegen -*-===//
//
// The passes of the cpu code generator. They live beside the code generator
// rather than in compiler/passes because only this back end runs them.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CODEGEN_CPU_PASSES_TD
#define DSR1_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CallBlasPass : Pass<"dsr1-call-blas", "mlir::ModuleOp"> {
  let summary = "Run matrix products on buffers through the BLAS library";
  let description = [{
    After bufferization, rewrites every `linalg` contraction on f32 or f64
    buffers that is a (batched) matrix product - a mul-add reduction whose
    m, n, k and batch loops each collapse to one strided dimension of the
    buffers - into a call to `dsr1_cpu_sgemm` / `dsr1_cpu_dgemm`
    (runtime/cpu/CpuLibrary.h, OpenBLAS). The contraction accumulates into
    its output, as BLAS does with beta = 1. Contractions it cannot express
    (a loop split over strides that do not collapse, mixed element types,
    an output that is not row-major) stay linalg and become loops.

    ```mlir
    linalg.generic {indexing_maps = [(m, n, k) -> (m, k), (m, n, k) -> (k, n),
                                     (m, n, k) -> (m, n)], ...}
        ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>)
        outs(%c : memref<4x16xf32>) { mulf, addf }
    ```
    becomes `call @dsr1_cpu_sgemm(1, 4, 16, 8, a, 0, 8, 0, b, 0, 16, 0, c,
    0, 16)` with the buffers' addresses as i64.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::memref::MemRefDialect",
  ];
}

def FuseLinalgPass : Pass<"dsr1-fuse-linalg", "mlir::func::FuncOp"> {
  let summary = "Fuse the elementwise linalg ops of a kernel into one loop nest";
  let description = [{
    After -dsr1-lower-to-linalg, on tensors: upstream linalg elementwise
    fusion (`linalg::populateElementwiseOpsFusionPatterns`), so that a
    fused group's chain of elementwise ops, a product's epilogue, or a
    reduction's elementwise prologue is one `linalg.generic`, one loop nest,
    with no buffer between its ops. Two limits: nothing is fused into a
    contraction or a convolution (it would stop -dsr1-call-blas from seeing
    a matrix product, and recompute the fused op per reduction step), and a
    value with several users is not fused (it would be computed twice).
    Then an epilogue that reads a product (a contraction or convolution
    result only it reads) and writes a fresh tensor of the same shape
    updates the product in place instead, so the product's buffer is the
    result and no intermediate is allocated.

    ```mlir
    %0 = linalg.generic {...} ins(%x, %b) outs(%e) { addf }
    %1 = linalg.generic {...} ins(%0) outs(%e) { maximumf }
    ```
    becomes one `linalg.generic` whose body adds, then takes the maximum.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def LowerToLinalgPass : Pass<"dsr1-lower-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower the dsr1 ops of kernel functions to linalg, tensor, "
                "arith and math";
  let description = [{
    Rewrites every dsr1 op inside a `dsr1.kernel` function into upstream
    dialects on tensors, ready for one-shot bufferization. Each kernel gains
    a first argument, its status word (`memref<i32>`): a kernel that can meet
    bad data (an out-of-range gather index) keeps its reads in bounds and
    stores the number of the operand at fault there, and the runtime turns
    that into a message naming the node and the input. The operands are
    marked `bufferization.writable = false`: they are the caller's buffers,
    and bufferization must copy before it writes rather than update one in
    place.

    Unsigned integer tensors become signless ones (linalg and arith want
    signless types); each op's lowering keeps the signedness for its
    semantics (`ui8` division is `arith.divui`). An op without a lowering is
    an error at the op, naming it.

    ```mlir
    func.func private @k(%x: tensor<4xf32>) -> tensor<4xf32>
        attributes {dsr1.kernel} {
      %0 = dsr1.relu %x : tensor<4xf32>
      return %0 : tensor<4xf32>
    }
    ```
    becomes a `linalg.generic` computing `select(x > 0, x, 0)` into a
    `tensor.empty`, in `func.func private @k(%status: memref<i32>, %x: ...)`.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

#endif // DSR1_CODEGEN_CPU_PASSES_TD
