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

/// An epilogue that writes a fresh tensor the size of a product it reads
/// (`ins(%p, %bias) outs(%empty) { p + bias }`) instead updates the product
/// in place (`ins(%bias) outs(%p) { out + bias }`): the product's buffer
/// becomes the kernel's result, with no second buffer and no extra pass over
/// memory. The product must have no other reader.
struct EpilogueInPlace : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() ||
        op.getNumParallelLoops() != op.getNumLoops())
      return failure();
    OpOperand &init = op.getDpsInitsMutable()[0];
    AffineMap outMap = op.getMatchingIndexingMap(&init);
    if (op.payloadUsesValueFromOperand(&init) || !outMap.isPermutation())
      return failure();
    Type resultType = op.getResult(0).getType();
    for (OpOperand *input : op.getDpsInputOperands()) {
      Value product = input->get();
      auto producer = product.getDefiningOp<linalg::LinalgOp>();
      if (!producer || product.getType() != resultType ||
          !product.hasOneUse() || op.getMatchingIndexingMap(input) != outMap ||
          !(linalg::isaContractionOpInterface(producer) ||
            linalg::isaConvolutionOpInterface(producer)))
        continue;
      // The same value read twice is one operand use each: hasOneUse above
      // rules that out, so dropping this input drops every read of it.
      unsigned index = input->getOperandNumber();
      SmallVector<Value> inputs;
      SmallVector<AffineMap> maps;
      for (OpOperand *other : op.getDpsInputOperands()) {
        if (other == input)
          continue;
        inputs.push_back(other->get());
        maps.push_back(op.getMatchingIndexingMap(other));
      }
      maps.push_back(outMap);
      auto replacement = linalg::GenericOp::create(
          rewriter, op.getLoc(), TypeRange{resultType}, inputs,
          ValueRange{product}, maps, op.getIteratorTypesArray());
      rewriter.inlineRegionBefore(op.getRegion(), replacement.getRegion(),
                                  replacement.getRegion().begin());
      Block &body = replacement.getRegion().front();
      rewriter.replaceAllUsesWith(body.getArgument(index),
                                  body.getArguments().back());
      body.eraseArgument(index);
      rewriter.replaceOp(op, replacement.getResults());
      return success();
    }
    return failure();
  }
};

struct FuseLinalgPass : impl::FuseLinalgPassBase<FuseLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet fusion(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(fusion, shouldFuse);
    if (failed(applyToTopLevel(std::move(fusion))))
      return signalPassFailure();
    // Once fusion is done: until then the ops it replaced still read the
    // product, which then seems to have other readers.
    RewritePatternSet inPlace(&getContext());
    inPlace.add<EpilogueInPlace>(&getContext());
    if (failed(applyToTopLevel(std::move(inPlace))))
      signalPassFailure();
  }

  /// Applies `patterns` to the kernel's top level only, the clean-ups that
  /// come with the fusion patterns included: inside a recurrent op's
  /// scf.for, rewriting a step's destination can stop the value it yields
  /// from being in place with the state it carries, which one-shot
  /// bufferization refuses.
  LogicalResult applyToTopLevel(RewritePatternSet &&patterns) {
    SmallVector<Operation *> topLevel;
    for (Block &block : getOperation().getBody())
      for (Operation &op : block)
        topLevel.push_back(&op);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    return applyOpPatternsGreedily(topLevel, std::move(patterns), config);
  }
};

} // namespace
} // namespace dsr1::cpu
