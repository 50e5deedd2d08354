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
// Graph cleanup
//===----------------------------------------------------------------------===//

def FoldPass : Pass<"dsr1-fold", "mlir::func::FuncOp"> {
  let summary = "Fold constants and canonicalise the graph to a fixed point";
  let description = [{
    Applies every op's folders and canonicalisation patterns (dsr1's and those
    of the other loaded dialects) and the graph-level patterns of Fold.cpp
    until nothing changes, so that the noise exporters leave (shape
    arithmetic, exact cast chains, reshape and transpose chains, unit-dim
    transposes, identity slices, pads and expands, slices of one concat
    input, neutral-element arithmetic, gathers at evenly spaced constant
    indices, constant conditions, sign tests of arg_max indices, ops on small
    constant tables) is gone before attention and elementwise fusion look at
    the graph. Every rewrite is exact: the folded graph computes bitwise the
    same values (x + 0.0 stays: it turns -0.0 into +0.0). A dense_resource
    blob (a weight) is never copied: one of more than 1024 elements is never
    read, a smaller one only to fold the single op that reads it.

    Not reaching a fixed point within `max-iterations` rounds is an error.

    ```mlir
    func.func @g(%x: tensor<2x16xf32>, %m: tensor<2x16xi64>)
        -> (tensor<2x16xf32>, tensor<2x1x1x16xi1>) {
      %one = dsr1.constant dense<1.0> : tensor<f32>
      %0 = dsr1.mul %x, %one : tensor<2x16xf32>, tensor<f32>
      %1 = dsr1.cast %0 to f64 : tensor<2x16xf32>
      %2 = dsr1.cast %1 to f32 : tensor<2x16xf64>
      %b = dsr1.cast %m to i1 : tensor<2x16xi64>
      %r = dsr1.reshape %b to [32] : tensor<2x16xi1>
      %ids = dsr1.constant dense<[[[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]]],
                                  [[[16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
                                     30, 31]]]]> : tensor<2x1x1x16xi64>
      %g = dsr1.gather %r[%ids] axis 0 : tensor<32xi1>, tensor<2x1x1x16xi64>
      return %2, %g : tensor<2x16xf32>, tensor<2x1x1x16xi1>
    }
    ```
    becomes
    ```mlir
    func.func @g(%x: tensor<2x16xf32>, %m: tensor<2x16xi64>)
        -> (tensor<2x16xf32>, tensor<2x1x1x16xi1>) {
      %b = dsr1.cast %m to i1 : tensor<2x16xi64>
      %g = dsr1.reshape %b to [2, 1, 1, 16] : tensor<2x16xi1>
      return %x, %g : tensor<2x16xf32>, tensor<2x1x1x16xi1>
    }
    ```
  }];
  let options = [
    Option<"maxIterations", "max-iterations", "int64_t", /*default=*/"16",
           "Rounds over the function before giving up on a fixed point">,
  ];
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
