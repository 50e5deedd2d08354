//===- CostModel.cpp - the work a kernel does -----------------------------===//
//
// Counts come from the operand and result types only, so that one formula
// serves every layout an op accepts (packed and per-head attention, gemm
// with or without transposed operands).
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/CostModel.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Fusion.h"

using namespace mlir;

namespace dsr1 {

namespace {

/// The element count of a statically shaped tensor, else 0.
uint64_t numElements(Type type) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return 0;
  return static_cast<uint64_t>(shaped.getNumElements());
}

uint64_t numElements(Value value) { return numElements(value.getType()); }

/// Dimension `index` from the end (1 = the last), else 0.
uint64_t dimFromEnd(Value value, unsigned index) {
  auto shaped = dyn_cast<RankedTensorType>(value.getType());
  if (!shaped || shaped.getRank() < index ||
      shaped.isDynamicDim(shaped.getRank() - index))
    return 0;
  return static_cast<uint64_t>(shaped.getDimSize(shaped.getRank() - index));
}

uint64_t dim(Value value, unsigned index) {
  auto shaped = dyn_cast<RankedTensorType>(value.getType());
  if (!shaped || shaped.getRank() <= index || shaped.isDynamicDim(index))
    return 0;
  return static_cast<uint64_t>(shaped.getDimSize(index));
}

/// Two flops per multiply-accumulate of a contraction producing `outputs`
/// elements over `depth` terms.
uint64_t contraction(uint64_t outputs, uint64_t depth) {
  return 2 * outputs * depth;
}

} // namespace

uint64_t estimateFlops(Operation *op) {
  if (op->getNumResults() == 0)
    return 0;
  uint64_t out = numElements(op->getResult(0));
  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    // The contracted dimension is the lhs's last (a vector's only) one.
    return contraction(out, dimFromEnd(matmul->getOperand(0), 1));
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    uint64_t rows = dim(gemm->getResult(0), 0);
    uint64_t depth = rows ? numElements(gemm->getOperand(0)) / rows : 0;
    return contraction(out, depth) + (gemm->getNumOperands() > 2 ? out : 0);
  }
  if (auto conv = dyn_cast<ConvOp>(op)) {
    // weight [Cout, Cin/group, k...]: each output sums Cin/group·Πk terms.
    uint64_t cout = dim(conv.getWeight(), 0);
    return contraction(out, cout ? numElements(conv.getWeight()) / cout : 0);
  }
  if (auto conv = dyn_cast<ConvTransposeOp>(op)) {
    // weight [Cin, Cout/group, k...]: each input scatters into Cout/group·Πk.
    uint64_t cin = dim(conv.getWeight(), 0);
    return contraction(numElements(conv.getInput()),
                       cin ? numElements(conv.getWeight()) / cin : 0);
  }
  if (auto attention = dyn_cast<AttentionOp>(op)) {
    // Q·Kᵀ and P·V over Skv keys (dim -2 of k in every layout), plus the
    // softmax over the scores.
    uint64_t keys = dimFromEnd(attention.getKey(), 2);
    uint64_t queries = numElements(attention.getQuery());
    uint64_t depth = dimFromEnd(attention.getQuery(), 1);
    uint64_t scores = depth ? queries / depth * keys : 0;
    return contraction(queries, keys) + contraction(out, keys) + 5 * scores;
  }
  if (isa<LstmOp, GruOp, SimpleRnnOp>(op)) {
    // Every step multiplies the input by W and the state by R, per batch
    // entry and direction.
    uint64_t steps = dim(op->getOperand(0), 0) * dim(op->getOperand(0), 1);
    return contraction(steps, numElements(op->getOperand(1)) +
                                  numElements(op->getOperand(2)));
  }
  if (isa<LinearAttentionOp>(op))
    return contraction(numElements(op->getOperand(0)),
                       2 * dimFromEnd(op->getOperand(0), 1));
  if (isa<AvgPoolOp, MaxPoolOp>(op)) {
    uint64_t window = 1;
    for (int64_t size :
         op->getAttrOfType<DenseI64ArrayAttr>("kernel_shape").asArrayRef())
      window *= static_cast<uint64_t>(size);
    return out * window;
  }
  if (isa<SoftmaxOp, LogSoftmaxOp>(op))
    return 5 * out;
  if (isa<LayerNormOp, InstanceNormOp>(op))
    return 8 * out;
  if (isa<BatchNormOp>(op))
    return 2 * out;
  if (isa<ReduceMaxOp, ReduceMeanOp, ReduceMinOp, ReduceProdOp, ReduceSumOp,
          ArgMaxOp, ArgMinOp, GlobalAvgPoolOp, GlobalMaxPoolOp, CumSumOp,
          CumProdOp>(op))
    return numElements(op->getOperand(0));
  if (isFusibleElementwise(op) && !isa<ExpandOp>(op))
    return out;
  return 0;
}

uint64_t estimateKernelFlops(func::FuncOp kernel) {
  uint64_t flops = 0;
  kernel.walk([&](Operation *op) { flops += estimateFlops(op); });
  return flops;
}

bool isExpensiveOp(Operation *op) {
  return isa<MatMulOp, GemmOp, ConvOp, ConvTransposeOp, AttentionOp,
             LinearAttentionOp, LstmOp, GruOp, SimpleRnnOp>(op);
}

bool isExpensiveKernel(func::FuncOp kernel) {
  return kernel
      .walk([](Operation *op) {
        return isExpensiveOp(op) ? WalkResult::interrupt()
                                 : WalkResult::advance();
      })
      .wasInterrupted();
}

} // namespace dsr1
