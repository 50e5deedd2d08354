//===- Fold.cpp - constant folding and canonicalisation to a fixed point --===//
//
// The -dsr1-fold pass: every op's folders and canonicalisation patterns plus
// the graph-level rewrites below, applied until nothing changes, so that the
// noise exporters leave is gone before fusion looks at the graph.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dsr1 {
#define GEN_PASS_DEF_FOLDPASS
#include "compiler/passes/Passes.h.inc"
} // namespace dsr1

using namespace mlir;

namespace dsr1 {
namespace {

/// `x` broadcast to `resultType` with dsr1.expand, or null when the expand
/// would infer another type. Dynamic result dims can only come from `x`: the
/// shape asks 1 there, which keeps x's dim.
Value expandTo(PatternRewriter &rewriter, Location loc, Value x,
               RankedTensorType resultType) {
  if (getElementTypeOrSelf(x.getType()) != resultType.getElementType())
    return {};
  SmallVector<int64_t> shape;
  for (int64_t dim : resultType.getShape())
    shape.push_back(ShapedType::isDynamic(dim) ? 1 : dim);
  auto expand = ExpandOp::create(rewriter, loc, x, shape);
  if (expand.getType() != resultType) {
    rewriter.eraseOp(expand);
    return {};
  }
  return expand.getResult();
}

/// x * ones(broadcast shape) => expand(x): the neutral constant of a binary op
/// that only broadcasts x (the op's folder handles the case where the type
/// stays x's). The expand keeps the values bitwise and reads one operand.
template <typename OpTy>
struct BroadcastOfNeutral : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Attribute, 2> operands;
    for (Value operand : op->getOperands()) {
      Attribute value;
      matchPattern(operand, m_Constant(&value));
      operands.push_back(value);
    }
    Value kept = getNeutralOperand(op, operands);
    if (!kept)
      return failure();
    Value expanded = expandTo(rewriter, op.getLoc(), kept,
                              cast<RankedTensorType>(op.getType()));
    if (!expanded)
      return rewriter.notifyMatchFailure(op, "no expand gives the result");
    rewriter.replaceOp(op, expanded);
    return success();
  }
};

/// where(splat cond, x, y) => expand(x or y) where the condition or the other
/// operand makes the result larger than the chosen one (the folder handles
/// the case where it is not).
struct WhereOfConstantCondition : public OpRewritePattern<WhereOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(WhereOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr cond;
    if (!matchPattern(op.getCondition(), m_Constant(&cond)) || !cond.isSplat())
      return failure();
    Value chosen = cond.getSplatValue<bool>() ? op.getX() : op.getY();
    Value expanded = expandTo(rewriter, op.getLoc(), chosen,
                              cast<RankedTensorType>(op.getType()));
    if (!expanded)
      return rewriter.notifyMatchFailure(op, "no expand gives the result");
    rewriter.replaceOp(op, expanded);
    return success();
  }
};

struct FoldPass : impl::FoldPassBase<FoldPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override {
    // What -canonicalize applies, for every loaded dialect and op.
    RewritePatternSet owning(context);
    for (Dialect *dialect : context->getLoadedDialects())
      dialect->getCanonicalizationPatterns(owning);
    for (RegisteredOperationName op : context->getRegisteredOperations())
      op.getCanonicalizationPatterns(owning, context);
    owning.add<BroadcastOfNeutral<AddOp>, BroadcastOfNeutral<SubOp>,
               BroadcastOfNeutral<MulOp>, BroadcastOfNeutral<DivOp>,
               BroadcastOfNeutral<AndOp>, BroadcastOfNeutral<OrOp>,
               BroadcastOfNeutral<XorOp>, BroadcastOfNeutral<ShiftLeftOp>,
               BroadcastOfNeutral<ShiftRightOp>, WhereOfConstantCondition>(
        context);
    patterns = FrozenRewritePatternSet(std::move(owning));
    return success();
  }

  void runOnOperation() override {
    int64_t rounds = maxIterations;
    if (rounds < 1) {
      getOperation().emitError()
          << "dsr1-fold: max-iterations must be at least 1, got " << rounds;
      return signalPassFailure();
    }
    GreedyRewriteConfig config;
    config.setMaxIterations(rounds);
    if (failed(applyPatternsGreedily(getOperation(), patterns, config))) {
      getOperation().emitError()
          << "dsr1-fold did not reach a fixed point within " << rounds
          << (rounds == 1 ? " round" : " rounds")
          << " (max-iterations): a rewrite keeps undoing another, or the "
             "graph needs more rounds";
      return signalPassFailure();
    }
  }

  FrozenRewritePatternSet patterns;
};

} // namespace
} // namespace dsr1
