//===- Passes.td - dsr1 graph passes -----------------------*- tablegen -*-===//
//
// Every pass over the dsr1 graph, grouped under banners, alphabetical within
// a group.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_PASSES_TD
#define DSR1_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def FuseElementwisePass : Pass<"dsr1-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Group elementwise ops with each other and with GEMM, conv "
                "and reduction anchors";
  let description = [{
    Forms `dsr1.fusion` groups, each one kernel later, greedily in program
    order: an elementwise op (unary, binary with numpy broadcasting,
    comparisons, `where`, `cast`, `expand`) joins the group of each of its
    operands' producers where that is legal. A group holds at most one
    anchor: a matmul, gemm or conv with its epilogue only (every other
    member depends on the product, so the product stays a plain product for
    BLAS or a GEMM template), or a softmax, norm or reduction with its
    elementwise prologue and epilogue (family `reduction`); groups without
    an anchor are `elementwise`.

    Nothing is computed twice: a member whose value is also used outside
    the group becomes one of its results. The group stands where its last
    member stood, so a merge is refused when a user outside the group comes
    before that point (which also refuses a merge around an op outside, such
    as a reshape between two elementwise ops). Attention, recurrent, data
    movement and data-dependent ops never join a group, nor do constants:
    weights are operands. A lone op stays as it is.

    ```mlir
    %0 = dsr1.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
    %1 = dsr1.add %0, %b : tensor<4x16xf32>, tensor<16xf32>
    %2 = dsr1.relu %1 : tensor<4x16xf32>
    ```
    becomes
    ```mlir
    %2 = dsr1.fusion gemm (%x, %w, %b) : (tensor<4x8xf32>, tensor<8x16xf32>,
        tensor<16xf32>) -> tensor<4x16xf32> {
    ^bb0(%a: tensor<4x8xf32>, %c: tensor<8x16xf32>, %d: tensor<16xf32>):
      %0 = dsr1.matmul %a, %c : tensor<4x8xf32>, tensor<8x16xf32>
      %1 = dsr1.add %0, %d : tensor<4x16xf32>, tensor<16xf32>
      %2 = dsr1.relu %1 : tensor<4x16xf32>
      dsr1.yield %2 : tensor<4x16xf32>
    }
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Kernel formation
//===----------------------------------------------------------------------===//

def ExtractKernelsPass : Pass<"dsr1-extract-kernels", "mlir::ModuleOp"> {
  let summary = "Keep only the kernel functions, made public";
  let description = [{
    Erases every function that is not a `dsr1.kernel` and makes the kernels
    public: what is left is the module a code generator compiles, each
    kernel an entry point the runtime looks up by name. The driver runs it on
    a clone of the outlined module, whose graph function becomes the plan.
  }];
}

def OutlineKernelsPass : Pass<"dsr1-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Move each unit of code generation into a kernel function";
  let description = [{
    Every dsr1 compute op of a graph function becomes the body of a private
    `func.func` marked `dsr1.kernel`, and the graph calls it. The graph
    function is then only constants (the weights), kernel calls and its
    return: the schedule that the plan is built from, while each kernel is
    what a code generator (cpu or cuda) compiles. A kernel keeps the node's
    location, so generated code and runtime errors name the user's node.

    A `dsr1.fusion` group becomes one kernel whose body is the group's ops
    (no `dsr1.fusion` left); any other op is a kernel of its own. Each kernel
    carries `dsr1.family` (a `#dsr1.fusion_family`), and its name says the
    family of a group (`g_k3_gemm`) or the op (`g_k0_relu`). A constant a
    group holds (a fold inside the group can make one) moves out to the
    graph and becomes an operand, since weights live in the graph.

    ```mlir
    func.func @g(%x: tensor<4xf32>) -> tensor<4xf32> {
      %0 = dsr1.relu %x : tensor<4xf32>
      return %0 : tensor<4xf32>
    }
    ```
    becomes
    ```mlir
    func.func @g(%x: tensor<4xf32>) -> tensor<4xf32> {
      %0 = call @g_k0_relu(%x) : (tensor<4xf32>) -> tensor<4xf32>
      return %0 : tensor<4xf32>
    }
    func.func private @g_k0_relu(%x: tensor<4xf32>) -> tensor<4xf32>
        attributes {dsr1.family = #dsr1.fusion_family<elementwise>,
                    dsr1.kernel} {
      %0 = dsr1.relu %x : tensor<4xf32>
      return %0 : tensor<4xf32>
    }
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

#endif // DSR1_PASSES_TD
