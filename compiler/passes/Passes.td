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
// Precision
//===----------------------------------------------------------------------===//

def AssignPrecisionPass : Pass<"dsr1-assign-precision", "mlir::func::FuncOp"> {
  let summary = "Choose f32, tf32, f16 or bf16 for every op and insert the casts";
  let description = [{
    Runs on graph functions before `-dsr1-fuse-elementwise`, so that the
    casts it inserts fuse into the neighbouring kernels. Every float op of
    the function computes and stores in one precision afterwards: f16 and
    bf16 ops read and write f16 / bf16 tensors (the storage type is the
    precision), and the ops that carry a `precision` attribute (matmul,
    gemm, conv, conv_transpose, attention, the recurrent layers) get it set.
    Accumulation in products, convolutions, attention and reductions stays
    f32 whatever the precision, and softmax, norm statistics, exp and log run
    in f32 inside the kernel: the code generators do both.

    `mode`:
    - `fp32`: nothing changes.
    - `tf32`: matrix products and convolutions get `precision = tf32`
      (inputs rounded to TF32's 10-bit mantissa, f32 storage).
    - `fp16`, `bf16`: every op that has an f16 / bf16 form takes it, except
      that an op whose values can leave f16's range (below) stays f32 in
      `fp16` with a warning. `bf16` on a target without bf16 is an error.
    - `auto`: f16 where the values fit, bf16 where they do not (f32 where
      the target has no bf16). The candidates are ranked by the time they
      save on a GPU (FLOPs and bytes, a roofline of an H100) per unit of
      rounding error (2^-11 for f16, 2^-8 for bf16); `demote-limit` keeps
      all but the first that many in f32 (tf32 for products and
      convolutions with `allow-tf32`), and so does `keep-ranks` for the
      ranks it lists. The driver searches both against an accuracy budget
      on calibration inputs.

    Value ranges: an op's f32 operands and results must fit f16 (|x| <=
    65504) for it to run in f16. A value fits when interval arithmetic from
    the weights and the bounded ops (sigmoid, tanh, softmax, erf, the norms,
    ...) proves it, or when the range observed on calibration inputs
    (`dsr1.observed_range = [array<f64: lo, hi>, ...]` on the op, one per
    result, or on a function argument), widened by `range-headroom`, does.
    A value with neither is taken to fit; `auto` then relies on the accuracy
    check. An attention's mask stays in its own type: it is added in f32
    inside the kernel.

    Casts: one per value and precision, shared by its readers; a cast of a
    weight becomes a converted weight, and a cast back of a value that was
    itself cast from the target type reads the original. Data movement
    (reshape, transpose, slice, concat, gather, pad, expand, where, the
    comparisons) follows its operands' precision and adds no cast. The
    function's signature does not change.

    `explain` sets `dsr1.precision_reason` on every float op: `policy`,
    `range` or `budget`, and the detail (what the report of dsr1-compile and
    dsr1-run prints).

    ```mlir
    %0 = dsr1.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
    %1 = dsr1.gelu %0 : tensor<4x16xf32>
    return %1 : tensor<4x16xf32>
    ```
    becomes, with `mode=fp16`,
    ```mlir
    %w16 = dsr1.constant dense_resource<...> : tensor<8x16xf16>
    %x16 = dsr1.cast %x to f16 : tensor<4x8xf32>
    %0 = dsr1.matmul %x16, %w16 {precision = #dsr1.precision<f16>}
         : tensor<4x8xf16>, tensor<8x16xf16>
    %1 = dsr1.gelu %0 : tensor<4x16xf16>
    %2 = dsr1.cast %1 to f32 : tensor<4x16xf16>
    return %2 : tensor<4x16xf32>
    ```
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"fp32\"",
           "fp32, tf32, fp16, bf16 or auto">,
    Option<"bf16", "bf16", "bool", /*default=*/"true",
           "The target has bf16 (sm_80 and newer, and the cpu device)">,
    Option<"allowTf32", "allow-tf32", "bool", /*default=*/"false",
           "auto: products and convolutions kept out of f16/bf16 use tf32">,
    Option<"demoteLimit", "demote-limit", "int64_t", /*default=*/"-1",
           "auto: demote only the first this many ranked ops (-1: all)">,
    ListOption<"keepRanks", "keep-ranks", "int64_t",
               "auto: the ranked ops of these ranks stay f32 (tf32) too">,
    Option<"rangeHeadroom", "range-headroom", "double", /*default=*/"2.0",
           "Observed ranges are widened by this factor before the f16 check">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Set dsr1.precision_reason on every float op">,
  ];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def FuseAttentionPass : Pass<"dsr1-fuse-attention", "mlir::ModuleOp"> {
  let summary = "Rewrite exporter attention blocks into dsr1.attention";
  let description = [{
    Finds every `softmax(scale * Q Kᵀ + mask) V` that an exporter spelled out
    as ops and replaces it with one `dsr1.attention`. Each block is anchored
    at a softmax over the keys dimension and walked upwards:
    - masks: `add` of a float mask (several are summed), `where(m, s, fill)`
      with a fill of -inf (a boolean mask) or at most -1e30 (added as
      `where(m, 0, fill)`, which is exact), either polarity; a constant
      causal pattern (j <= i) becomes the `causal` attribute;
    - the scale: `mul` or `div` by a constant scalar, on the scores, on Q or
      on K (several multiply);
    - Q Kᵀ as a rank-4 `matmul` [B, H, Sq, D] x [B, H, D, Skv] (or rank 3,
      the heads folded into the batch: one head per batch entry), and the
      weights times V as the softmax's only use (after the NaN guard of
      torch's scaled_dot_product_attention export, if there is one).
    Every intermediate must have no other user. When Q, K and V are split
    into heads by `reshape` + `transpose` of [B, S, H * D] values and the
    result is merged back the same way, the op takes the packed rank-3 form
    and the splits and merges disappear; otherwise it takes the [B, H, S, D]
    operands as they are.

    Then every `dsr1.attention` with no modality yet gets `query_modality`
    and `kv_modality`: the kind of graph input (text, image, audio) whose data
    reaches its queries and its keys/values. An input's kind comes from its
    `onnx.name` (input_ids, pixel_values, input_features, ...), else from its
    type (integer [B, S]: token ids, text; float [N, C, H, W] with 1, 3 or 4
    channels: image); masks, lengths and positions count as no source. An
    attention's result carries its queries' kind. `modality=NAME=KIND`
    overrides an input's kind.

    A module pass, as `modality` names the graph functions' inputs. A block
    that is not fused stays as it was;
    `-debug-only=dsr1-fuse-attention` says which step failed and at which
    node.

    ```mlir
    %qs = dsr1.reshape %q to [2, 16, 4, 8] : tensor<2x16x32xf32>
    %qh = dsr1.transpose %qs perm [0, 2, 1, 3] : tensor<2x16x4x8xf32>
    // ... %kt = k split and transposed by [0, 2, 3, 1], %vh = v like q
    %s = dsr1.matmul %qh, %kt : tensor<2x4x16x8xf32>, tensor<2x4x8x16xf32>
    %c = dsr1.mul %s, %scale : tensor<2x4x16x16xf32>, tensor<f32>
    %m = dsr1.add %c, %mask : tensor<2x4x16x16xf32>, tensor<2x1x1x16xf32>
    %p = dsr1.softmax %m axis 3 : tensor<2x4x16x16xf32>
    %o = dsr1.matmul %p, %vh : tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>
    %t = dsr1.transpose %o perm [0, 2, 1, 3] : tensor<2x4x16x8xf32>
    %r = dsr1.reshape %t to [2, 16, 32] : tensor<2x16x4x8xf32>
    ```
    becomes
    ```mlir
    %r = dsr1.attention %q, %k, %v mask %mask
             {num_heads = 4 : i64, scale = 0.35355339059327373 : f64,
              query_modality = #dsr1.modality<text>,
              kv_modality = #dsr1.modality<text>}
         : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>,
           tensor<2x1x1x16xf32>
    ```
  }];
  let options = [
    ListOption<"modality", "modality", "std::string",
               "The kind of a graph input, NAME=text|image|audio, over what "
               "its name and type suggest">,
  ];
}

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

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def InsertRecomputePass : Pass<"dsr1-insert-recompute", "mlir::ModuleOp"> {
  let summary = "Recompute values at their later readers to fit a memory budget";
  let description = [{
    Runs on outlined graphs (after `-dsr1-outline-kernels`). When the arena
    that `-dsr1-plan-memory` would plan is larger than `memory-budget`, some
    values are dropped after their early readers and computed again, by a
    clone of their kernel call (marked `dsr1.recompute`), right before their
    later readers. This is what gradient checkpointing does for training
    graphs, where the forward pass's activations wait for the backward pass;
    it works on any DAG.

    Only cheap producers are recomputed (elementwise, norm and softmax,
    reduction and data-movement kernels) unless `recompute-expensive` allows
    GEMMs, convolutions, attention and recurrent layers too. Two strategies:
    - `dsr1` (the default): greedy; at the fullest step it drops the value
      whose recomputation removes the most excess bytes per FLOP, until the
      planned arena fits;
    - `sqrt`: Chen et al. 2016's segment checkpointing (sublinear memory),
      with the segment length that meets the budget at the fewest FLOPs.

    The budget is `BYTES` (`K`, `M`, `G` and `KiB`, `MiB`, `GiB` suffixes
    allowed) or `N%` of the arena planned without recomputation. A budget no
    recomputation meets is an error naming the smallest arena reachable and
    the kernel that alone needs the most. The graph function records what
    was done in `dsr1.recomputation` (budget, arena before, FLOPs added), and
    `report` also says it as a remark. `schedule-json` writes the schedule
    (launches, values, sizes, FLOPs) and the recomputations chosen, each as
    the launch run again and the launch it runs before (its readers from
    there on read the new value), for solvers and simulators outside dsr1
    (bench/memory/).

    ```mlir
    // x -> exp -> [long chain] -> add(exp, ...): exp's result is held
    // across the chain; with a budget it is computed again before the add.
    %e = call @g_k0_exp(%x)
    ...
    %e2 = call @g_k0_exp(%x) {dsr1.recompute}
    %s = call @g_k9_add(%e2, %y)
    ```
  }];
  let options = [
    Option<"memoryBudget", "memory-budget", "std::string", /*default=*/"",
           "The arena's budget: BYTES (with K/M/G or KiB/MiB/GiB) or N% of "
           "the unconstrained arena; empty: no recomputation">,
    Option<"strategy", "strategy", "std::string", /*default=*/"\"dsr1\"",
           "dsr1 (greedy, fewest FLOPs per byte) or sqrt (Chen et al. "
           "2016 segment checkpointing)">,
    Option<"recomputeExpensive", "recompute-expensive", "bool",
           /*default=*/"false",
           "Also recompute GEMM, convolution, attention and recurrent "
           "kernels">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Say what was recomputed as a remark on the graph">,
    Option<"scheduleJson", "schedule-json", "std::string", /*default=*/"",
           "Write the schedule before recomputation, and the launches "
           "recomputed, as JSON to this file (for external solvers)">,
  ];
}

def PlanMemoryPass : Pass<"dsr1-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place every intermediate at an offset in one arena";
  let description = [{
    Runs on outlined graphs. Every kernel result the graph does not return
    lives from its launch to its last reader; results live at the same
    launch never overlap. Offsets are aligned to 64 bytes and come from
    greedy placement in several orders (decreasing size, size times
    lifetime, lifetime, first use; best fit and first fit), keeping the
    smallest arena. An elementwise kernel writes its result over an
    operand of the same shape and size that dies at that kernel (it reads
    each element before it writes it); `in-place=false` turns that off.

    Each kernel call gets `dsr1.arena_offsets`, one offset per result (-1
    for a result written straight into a model output), and the graph
    function `dsr1.memory`: `arena_bytes` (the arena the runtime allocates),
    `naive_bytes` (every intermediate in a buffer of its own) and
    `lower_bound_bytes` (the most bytes live at one launch: no placement of
    this schedule needs less). `report` says them as a remark. A value whose
    size is not known at compile time is an error.

    ```mlir
    %a = call @g_k0_exp(%x) {dsr1.arena_offsets = array<i64: 0>}
    %b = call @g_k1_neg(%a) {dsr1.arena_offsets = array<i64: 0>}  // in place
    %c = call @g_k2_matmul(%b, %w) {dsr1.arena_offsets = array<i64: -1>}
    ```
  }];
  let options = [
    Option<"inPlace", "in-place", "bool", /*default=*/"true",
           "Let elementwise kernels write over an operand that dies there">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Say the arena's size, the naive size and the lower bound as a "
           "remark on the graph">,
  ];
}

#endif // DSR1_PASSES_TD
