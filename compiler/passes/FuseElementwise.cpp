//===- FuseElementwise.cpp - group elementwise ops with their anchors -----===//
//
// The -dsr1-fuse-elementwise pass: producer/consumer groups of elementwise
// ops, GEMM/conv epilogues, and reductions with their prologue and epilogue,
// each wrapped in a dsr1.fusion that later becomes one kernel.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Fusion.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

#include <memory>

namespace dsr1 {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "compiler/passes/Passes.h.inc"
} // namespace dsr1

using namespace mlir;

namespace dsr1 {

bool isFusibleElementwise(Operation *op) {
  return isa<
      // unary
      AbsOp, CeilOp, AcosOp, AsinOp, AtanOp, CosOp, ErfOp, ExpOp, FloorOp,
      LogOp, NegOp, NotOp, ReciprocalOp, ReluOp, RoundOp, RsqrtOp, SigmoidOp,
      SignOp, SinOp, SoftplusOp, SqrtOp, TanhOp, ClipOp, EluOp, GeluOp,
      HardSigmoidOp, LeakyReluOp,
      // binary and comparisons, with numpy broadcasting
      AddOp, DivOp, MaxOp, MinOp, ModOp, MulOp, PowOp, SubOp, AndOp, OrOp,
      XorOp, ShiftLeftOp, ShiftRightOp, EqualOp, GreaterOp, GreaterEqualOp,
      LessOp, LessEqualOp, WhereOp,
      // a conversion and a pure broadcast
      CastOp, ExpandOp>(op);
}

std::optional<FusionFamily> anchorFamily(Operation *op) {
  if (isa<MatMulOp, GemmOp>(op))
    return FusionFamily::gemm;
  if (isa<ConvOp, ConvTransposeOp>(op))
    return FusionFamily::conv;
  if (isa<SoftmaxOp, LogSoftmaxOp, LayerNormOp, BatchNormOp, InstanceNormOp,
          ReduceMaxOp, ReduceMeanOp, ReduceMinOp, ReduceProdOp, ReduceSumOp>(
          op))
    return FusionFamily::reduction;
  return std::nullopt;
}

FusionFamily fusionFamilyOf(Operation *op) {
  if (auto fusion = dyn_cast<FusionOp>(op))
    return fusion.getFamily();
  if (isFusibleElementwise(op))
    return FusionFamily::elementwise;
  if (std::optional<FusionFamily> family = anchorFamily(op))
    return *family;
  if (isa<ArgMaxOp, ArgMinOp, GlobalAvgPoolOp, GlobalMaxPoolOp, CumSumOp,
          CumProdOp>(op))
    return FusionFamily::reduction;
  if (isa<AttentionOp, LinearAttentionOp>(op))
    return FusionFamily::attention;
  if (isa<TransposeOp, ReshapeOp, ConcatOp, SliceOp, SplitOp, PadOp, GatherOp,
          GatherElementsOp, ScatterElementsOp, ScatterNDOp, ResizeOp,
          GridSampleOp, BitCastOp>(op))
    return FusionFamily::data_movement;
  return FusionFamily::other;
}

namespace {

/// A set of ops of one block that will become one dsr1.fusion: at most one
/// anchor, the rest elementwise.
struct Group {
  SmallVector<Operation *> members;
  Operation *anchor = nullptr;
};

/// Forms the groups of one block greedily in program order: each fusible op
/// joins the groups of its operands' producers where that stays legal.
class GroupFormer {
public:
  explicit GroupFormer(Block &block) : block(block) {
    unsigned index = 0;
    for (Operation &op : block)
      position[&op] = index++;
  }

  void form() {
    for (Operation &op : block) {
      bool anchor = anchorFamily(&op).has_value();
      if (!anchor && !isFusibleElementwise(&op))
        continue;
      groups.push_back(std::make_unique<Group>());
      Group *group = groups.back().get();
      group->members.push_back(&op);
      if (anchor)
        group->anchor = &op;
      groupOf[&op] = group;
      for (Value operand : op.getOperands()) {
        Operation *producer = operand.getDefiningOp();
        if (!producer)
          continue;
        Group *other = groupOf.lookup(producer);
        Group *mine = groupOf.lookup(&op);
        if (other && other != mine && canMerge(*other, *mine))
          merge(*other, *mine);
      }
    }
  }

  /// Wraps every group of two or more ops into a dsr1.fusion placed where
  /// its last member was.
  void materialize() {
    for (const std::unique_ptr<Group> &group : groups)
      if (group->members.size() >= 2)
        wrap(*group);
  }

private:
  unsigned positionOf(Operation *op) {
    // A user nested in another op's region counts where that op stands.
    Operation *inBlock = block.findAncestorOpInBlock(*op);
    return inBlock ? position.lookup(inBlock) : ~0u;
  }

  /// Whether `a` and `b` can become one group: at most one anchor, every
  /// user outside the group after its last member (the group is placed
  /// there, so its results must still dominate their users, which also
  /// rules out a path between the two through an op outside), and for a
  /// GEMM or conv only an epilogue, so the product stays a plain product
  /// (the cpu hands it to BLAS, CUDA to its GEMM template).
  bool canMerge(const Group &a, const Group &b) {
    if (a.anchor && b.anchor)
      return false;
    Operation *anchor = a.anchor ? a.anchor : b.anchor;
    SmallVector<Operation *> members(a.members);
    members.append(b.members.begin(), b.members.end());
    llvm::SmallPtrSet<Operation *, 16> inGroup(members.begin(), members.end());
    unsigned last = 0;
    for (Operation *op : members)
      last = std::max(last, position.lookup(op));
    for (Operation *op : members)
      for (Operation *user : op->getUsers())
        if (!inGroup.contains(user) && positionOf(user) <= last)
          return false;
    if (!anchor)
      return true;
    FusionFamily family = *anchorFamily(anchor);
    if (family != FusionFamily::gemm && family != FusionFamily::conv)
      return true;
    llvm::sort(members, [&](Operation *x, Operation *y) {
      return position.lookup(x) < position.lookup(y);
    });
    llvm::SmallPtrSet<Operation *, 16> afterAnchor;
    afterAnchor.insert(anchor);
    for (Operation *op : members) {
      if (op == anchor)
        continue;
      bool dependent = llvm::any_of(op->getOperands(), [&](Value operand) {
        Operation *producer = operand.getDefiningOp();
        return producer && afterAnchor.contains(producer);
      });
      if (!dependent)
        return false;
      afterAnchor.insert(op);
    }
    return true;
  }

  /// Moves `b`'s members into `a`, leaving `b` empty.
  void merge(Group &a, Group &b) {
    for (Operation *op : b.members) {
      a.members.push_back(op);
      groupOf[op] = &a;
    }
    if (b.anchor)
      a.anchor = b.anchor;
    b.members.clear();
    b.anchor = nullptr;
  }

  void wrap(Group &group) {
    SmallVector<Operation *> members(group.members);
    llvm::sort(members, [&](Operation *x, Operation *y) {
      return position.lookup(x) < position.lookup(y);
    });
    llvm::SmallPtrSet<Operation *, 16> inGroup(members.begin(), members.end());
    llvm::SetVector<Value> inputs;
    SmallVector<Value> results;
    for (Operation *op : members) {
      for (Value operand : op->getOperands())
        if (!inGroup.contains(operand.getDefiningOp()))
          inputs.insert(operand);
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(), [&](Operation *user) {
              return !inGroup.contains(user);
            }))
          results.push_back(result);
    }

    // The anchor (else the op that produces the group's value) names the
    // group, so diagnostics and the plan name that node.
    Operation *named = group.anchor ? group.anchor : members.back();
    SmallVector<Location> locations{named->getLoc()};
    for (Operation *op : members)
      if (op != named)
        locations.push_back(op->getLoc());
    MLIRContext *context = block.getParentOp()->getContext();
    Location loc = FusedLoc::get(context, locations);
    FusionFamily family =
        group.anchor ? *anchorFamily(group.anchor) : FusionFamily::elementwise;

    OpBuilder builder(members.back());
    auto fusion = FusionOp::create(builder, loc, ValueRange(results).getTypes(),
                                   FusionFamilyAttr::get(context, family),
                                   inputs.getArrayRef());
    SmallVector<Location> argLocs;
    for (Value input : inputs)
      argLocs.push_back(input.getLoc());
    Block *body = builder.createBlock(
        &fusion.getBody(), {}, ValueRange(inputs.getArrayRef()).getTypes(),
        argLocs);
    IRMapping mapping;
    mapping.map(inputs.getArrayRef(), body->getArguments());
    for (Operation *op : members)
      builder.clone(*op, mapping);
    SmallVector<Value> yielded;
    for (Value result : results)
      yielded.push_back(mapping.lookup(result));
    YieldOp::create(builder, loc, yielded);

    for (auto [result, replacement] : llvm::zip(results, fusion.getResults()))
      result.replaceUsesWithIf(replacement, [&](OpOperand &use) {
        return !inGroup.contains(use.getOwner());
      });
    for (Operation *op : llvm::reverse(members))
      op->erase();
  }

  Block &block;
  DenseMap<Operation *, unsigned> position;
  DenseMap<Operation *, Group *> groupOf;
  SmallVector<std::unique_ptr<Group>> groups;
};

struct FuseElementwisePass
    : impl::FuseElementwisePassBase<FuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Kernels are already units of code generation.
    if (func->hasAttr(kKernelAttrName))
      return;
    for (Block &block : func.getBody()) {
      GroupFormer former(block);
      former.form();
      former.materialize();
    }
  }
};

} // namespace
} // namespace dsr1
