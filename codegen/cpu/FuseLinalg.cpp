//===- FuseLinalg.cpp - one loop nest per fused group on the cpu ----------===//
//
// The -dsr1-fuse-linalg pass: upstream elementwise fusion of the linalg ops
// a kernel's dsr1 ops lowered to, kept away from matrix products and
// convolutions so that -dsr1-call-blas still finds them.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"
#include "compiler/passes/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dsr1::cpu {
#define GEN_PASS_DEF_FUSELINALGPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace dsr1::cpu

using namespace mlir;

namespace dsr1::cpu {
namespace {

/// Whether the producer of `operand` may be fused into its consumer.
bool shouldFuse(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
  if (!producer || !consumer)
    return false;
  if (producer->getParentOp() != consumer->getParentOp())
    return false;
  // A product with a prologue folded in is no longer a product BLAS can
  // run, and would recompute the prologue once per reduction step.
  if (linalg::isaContractionOpInterface(consumer) ||
      linalg::isaConvolutionOpInterface(consumer))
    return false;
  // Fusing a value with other users would compute it twice.
  return operand->get().hasOneUse();
}

struct FuseLinalgPass : impl::FuseLinalgPassBase<FuseLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, shouldFuse);
    // The kernel's top level only, the clean-ups that come with the fusion
    // patterns included: inside a recurrent op's scf.for, rewriting a step's
    // destination can stop the value it yields from being in place with the
    // state it carries, which one-shot bufferization refuses.
    SmallVector<Operation *> topLevel;
    for (Block &block : getOperation().getBody())
      for (Operation &op : block)
        topLevel.push_back(&op);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(applyOpPatternsGreedily(topLevel, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
} // namespace dsr1::cpu
