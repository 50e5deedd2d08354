//===- Passes.td - cpu code generation passes --------------*- tablegen -*-===//
//
// The passes of the cpu code generator. They live beside the code generator
// rather than in compiler/passes because only this back end runs them.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CODEGEN_CPU_PASSES_TD
#define DSR1_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerToLinalgPass : Pass<"dsr1-lower-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower the dsr1 ops of kernel functions to linalg, tensor, "
                "arith and math";
  let description = [{
    Rewrites every dsr1 op inside a `dsr1.kernel` function into upstream
    dialects on tensors, ready for one-shot bufferization. Each kernel gains
    a first argument, its status word (`memref<i32>`): a kernel that can meet
    bad data (an out-of-range gather index) keeps its reads in bounds and
    stores the number of the operand at fault there, and the runtime turns
    that into a message naming the node and the input.

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
