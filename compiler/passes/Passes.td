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

    Each op is its own kernel for now; fusion makes the groups larger.

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
        attributes {dsr1.kernel} {
      %0 = dsr1.relu %x : tensor<4xf32>
      return %0 : tensor<4xf32>
    }
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

#endif // DSR1_PASSES_TD
