//===- Fold.cpp - constant folding and canonicalisation to a fixed point --===//
//
// The -dsr1-fold pass: every op's folders and canonicalisation patterns plus
// the graph-level rewrites below, applied until nothing changes, so that the
// noise exporters leave is gone before fusion looks at the graph.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
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

/// Whether no element of `value` is negative: the indices arg_max and
/// arg_min return.
bool isNonNegative(Value value) {
  return value.getDefiningOp<ArgMaxOp>() || value.getDefiningOp<ArgMinOp>();
}

/// i < c => false for i never negative and a splat c <= 0 (likewise i <= c
/// for c < 0, i > c and i >= c): the negative-index normalisation
/// `where(i < 0, i + n, i)` that exporters put between an arg_max and the
/// gather that reads at it.
template <typename OpTy>
struct CompareNonNegative : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr bound;
    auto resultType = cast<RankedTensorType>(op.getType());
    if (!isNonNegative(op.getLhs()) ||
        !matchPattern(op.getRhs(), m_Constant(&bound)) || !bound.isSplat() ||
        !isa<IntegerType>(bound.getElementType()) ||
        !resultType.hasStaticShape())
      return failure();
    APInt c = bound.getSplatValue<APInt>();
    bool unsignedBound = bound.getElementType().isUnsignedInteger();
    bool negative = !unsignedBound && c.isNegative();
    bool positive = unsignedBound ? !c.isZero() : c.isStrictlyPositive();
    // x < c is false for every x >= 0 exactly when c <= 0, and so on.
    std::optional<bool> value;
    if (isa<LessOp>(op) && !positive)
      value = false;
    else if (isa<LessEqualOp>(op) && negative)
      value = false;
    else if (isa<GreaterOp>(op) && negative)
      value = true;
    else if (isa<GreaterEqualOp>(op) && !positive)
      value = true;
    if (!value)
      return rewriter.notifyMatchFailure(op, "the bound decides nothing");
    rewriter.replaceOpWithNewOp<ConstantOp>(
        op, DenseElementsAttr::get(resultType, *value));
    return success();
  }
};

/// Blobs up to this many elements are read to fold the op they feed; the
/// folders' own limit for dense constants.
constexpr int64_t kMaxReadElements = 1024;

/// The elements of a dense_resource blob of at most kMaxReadElements
/// elements of a type stored a whole number of bytes apiece, as a dense
/// attribute; null otherwise (weights, blobs not in memory).
DenseElementsAttr readSmallBlob(DenseResourceElementsAttr blob) {
  auto type = cast<ShapedType>(blob.getType());
  Type element = type.getElementType();
  if (!type.hasStaticShape() || type.getNumElements() > kMaxReadElements ||
      isNarrowFloat(element) || !element.isIntOrFloat() ||
      element.getIntOrFloatBitWidth() % 8 != 0)
    return {};
  AsmResourceBlob *data = blob.getRawHandle().getBlob();
  bool splat = false;
  if (!data ||
      !DenseElementsAttr::isValidRawBuffer(type, data->getData(), splat))
    return {};
  return DenseElementsAttr::getFromRawBuffer(type, data->getData());
}

/// op(constants) where some constant is a small dense_resource blob read by
/// this op alone => the op's folded result, read from the blob. The importer
/// keeps every initializer of more than 64 elements as a blob; exporters
/// compute from such tables at run time what is constant (T5's relative
/// position buckets). Nothing changes when the op does not fold, and a blob
/// with other readers is left alone, so no copy of a blob is ever made.
struct FoldSmallBlobOperands
    : public OpTraitRewritePattern<OpTrait::ZeroRegions> {
  FoldSmallBlobOperands(MLIRContext *context)
      : OpTraitRewritePattern(context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<DSR1Dialect>(op->getDialect()) || isa<ConstantOp>(op) ||
        op->getNumOperands() == 0)
      return failure();
    SmallVector<Attribute> operands;
    bool readBlob = false;
    for (Value operand : op->getOperands()) {
      Attribute value;
      if (!matchPattern(operand, m_Constant(&value)))
        return failure();
      if (auto blob = dyn_cast<DenseResourceElementsAttr>(value)) {
        // Another reader would keep the blob beside its folded copy.
        if (!operand.hasOneUse())
          return failure();
        value = readSmallBlob(blob);
        if (!value)
          return failure();
        readBlob = true;
      }
      operands.push_back(value);
    }
    SmallVector<OpFoldResult> folded;
    if (!readBlob || failed(op->fold(operands, folded)) || folded.empty())
      return failure();
    SmallVector<Value> results;
    for (auto [result, fold] : llvm::zip_equal(op->getResults(), folded)) {
      if (auto value = dyn_cast<Value>(fold)) {
        results.push_back(value);
        continue;
      }
      auto elements = dyn_cast<ElementsAttr>(cast<Attribute>(fold));
      if (!elements || elements.getType() != result.getType())
        return failure();
      results.push_back(ConstantOp::create(rewriter, op->getLoc(), elements));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// reshape(transpose(reshape(y, [B * H, ...]), p), [B, H, ...]) =>
/// transpose(y, [0, 1, p[1] + 1, ...]) when the inner reshape merges y's two
/// leading dims, the transpose leaves that merged dim first, and the outer
/// reshape splits it back: how torch's scaled_dot_product_attention export
/// transposes K per head. Pure data movement, so exact; one transpose
/// instead of three copies, and the head layout stays visible to
/// -dsr1-fuse-attention.
struct TransposeUnderMergedDims : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp outer,
                                PatternRewriter &rewriter) const override {
    auto transpose = outer.getInput().getDefiningOp<TransposeOp>();
    auto inner = transpose ? transpose.getInput().getDefiningOp<ReshapeOp>()
                           : ReshapeOp();
    if (!inner)
      return failure();
    auto y = cast<RankedTensorType>(inner.getInput().getType());
    auto merged = cast<RankedTensorType>(inner.getType());
    auto moved = cast<RankedTensorType>(transpose.getType());
    auto result = cast<RankedTensorType>(outer.getType());
    int64_t rank = y.getRank();
    ArrayRef<int64_t> perm = transpose.getPerm();
    if (rank < 3 || !y.hasStaticShape() || !result.hasStaticShape() ||
        merged.getRank() != rank - 1 || result.getRank() != rank ||
        perm[0] != 0)
      return failure();
    ArrayRef<int64_t> ys = y.getShape(), rs = result.getShape();
    if (merged.getDimSize(0) != ys[0] * ys[1] ||
        merged.getShape().drop_front() != ys.drop_front(2) || rs[0] != ys[0] ||
        rs[1] != ys[1] || rs.drop_front(2) != moved.getShape().drop_front())
      return failure();
    SmallVector<int64_t> newPerm = {0, 1};
    for (int64_t p : perm.drop_front())
      newPerm.push_back(p + 1);
    rewriter.replaceOpWithNewOp<TransposeOp>(outer, inner.getInput(), newPerm);
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
               BroadcastOfNeutral<ShiftRightOp>, CompareNonNegative<LessOp>,
               CompareNonNegative<LessEqualOp>, CompareNonNegative<GreaterOp>,
               CompareNonNegative<GreaterEqualOp>, FoldSmallBlobOperands,
               TransposeUnderMergedDims, WhereOfConstantCondition>(context);
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
