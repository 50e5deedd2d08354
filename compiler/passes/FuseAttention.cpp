//===- FuseAttention.cpp - exporter attention blocks to dsr1.attention ----===//
//
// Recognises the attention blocks that exporters leave as matmul / scale /
// mask / softmax / matmul chains, with the heads split and merged by
// Reshape + Transpose, and rewrites each into one dsr1.attention. Then records
// on every dsr1.attention which kind of model input its queries and its keys
// and values come from (text, image or audio).
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Passes.h"
#include "compiler/support/DebugOnly.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace dsr1 {
#define GEN_PASS_DEF_FUSEATTENTIONPASS
#include "compiler/passes/Passes.h.inc"
} // namespace dsr1

using namespace mlir;

namespace dsr1 {
namespace {

constexpr llvm::StringLiteral kDebugType = "dsr1-fuse-attention";

/// A masked-out score below this is exactly a zero weight after the softmax,
/// also for a row that is masked entirely, where it makes the weights uniform
/// just as the unfused graph does: s + c rounds to c for every score s a model
/// produces, so `where(m, s, c)` may become `s + where(m, 0, c)`.
constexpr double kMaskFloor = -1e30;

/// An op as a user knows it: `dsr1.add 'node'` with the ONNX node name, else
/// `dsr1.add at file:line:col`.
std::string describe(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName().getStringRef();
  SmallVector<Location> locs = {op->getLoc()};
  while (!locs.empty()) {
    Location loc = locs.pop_back_val();
    if (auto name = dyn_cast<NameLoc>(loc)) {
      os << " '" << name.getName().getValue() << "'";
      return text;
    }
    if (auto file = dyn_cast<FileLineColLoc>(loc)) {
      os << " at " << file.getFilename().getValue() << ":" << file.getLine()
         << ":" << file.getColumn();
      return text;
    }
    if (auto fused = dyn_cast<FusedLoc>(loc))
      for (Location inner : llvm::reverse(fused.getLocations()))
        locs.push_back(inner);
  }
  return text;
}

/// The value of a constant whose elements are all the same number, with a
/// shape that broadcasting cannot enlarge anything with (all dims 1).
std::optional<double> scalarConstant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() != 1)
    return std::nullopt;
  auto elements = dyn_cast<DenseElementsAttr>(constant.getValue());
  if (!elements || !isa<FloatType>(type.getElementType()))
    return std::nullopt;
  return elements.getSplatValue<APFloat>().convertToDouble();
}

/// (x, c) when `v` is `x * c`, `c * x` or `x / c` (then 1 / c) for a
/// constant scalar c, of x's type and used nowhere else: a scale that can
/// move into dsr1.attention's.
std::optional<std::pair<Value, double>> scaledBy(Value v) {
  Operation *op = v.getDefiningOp();
  if (!op || !isa<MulOp, DivOp>(op) || !v.hasOneUse())
    return std::nullopt;
  Value x = op->getOperand(0);
  std::optional<double> c = scalarConstant(op->getOperand(1));
  if (!c && isa<MulOp>(op)) {
    x = op->getOperand(1);
    c = scalarConstant(op->getOperand(0));
  }
  if (!c || x.getType() != v.getType())
    return std::nullopt;
  return std::pair{x, isa<DivOp>(op) ? 1.0 / *c : *c};
}

/// v = transpose(transpose(... base)): the base and the permutation that maps
/// it to v (v.dim[i] = base.dim[perm[i]]).
std::pair<Value, SmallVector<int64_t>> traceTransposes(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> perm =
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  while (auto transpose = v.getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> inner = transpose.getPerm();
    for (int64_t &p : perm)
      p = inner[p];
    v = transpose.getInput();
  }
  return {v, perm};
}

/// Everything the rewrite needs from one matched block.
struct Match {
  SoftmaxOp softmax;
  MatMulOp scores, output;
  /// q [B, H, Sq, D], kᵀ [B, H, D, Skv], v [B, H, Skv, Dv] as the block has
  /// them.
  Value query, keyT, value;
  double scale = 1.0;
  SmallVector<Value> addedMasks;
  /// Boolean masks: true keeps a score (those of where(m, s, -inf)), and the
  /// negated ones (where(m, -inf, s)).
  SmallVector<Value> keepMasks, dropMasks;
  /// Masks from a where with a finite fill: where(m, 0, fill) is added.
  SmallVector<std::pair<Value, double>> fillMasks;
};

class Matcher {
public:
  explicit Matcher(SoftmaxOp softmax) : softmax(softmax) {
    explain = isDebugEnabled(kDebugType);
  }

  FailureOr<Match> run();

private:
  LogicalResult fail(Operation *at, const Twine &why) {
    if (!explain)
      return failure();
    debugStream() << "[" << kDebugType << "] not fused: " << describe(softmax)
                  << ": " << why;
    if (at != softmax)
      debugStream() << ", at " << describe(at);
    debugStream() << "\n";
    return failure();
  }
  /// Walks from the softmax input up to the QKᵀ matmul.
  LogicalResult parseScores(Value scores, bool scaled);
  LogicalResult peelScale(Value &operand);

  SoftmaxOp softmax;
  Match match;
  bool explain = false;
};

/// Multiplies match.scale by c when `operand` is `x * c` or `x / c` with a
/// constant scalar c, used nowhere else, and steps to x.
LogicalResult Matcher::peelScale(Value &operand) {
  std::optional<std::pair<Value, double>> scaled = scaledBy(operand);
  if (!scaled)
    return failure();
  operand = scaled->first;
  match.scale *= scaled->second;
  return success();
}

LogicalResult Matcher::parseScores(Value scores, bool scaled) {
  Operation *op = scores.getDefiningOp();
  if (!op)
    return fail(softmax, "the scores are a function argument, not computed "
                         "from a matmul");
  if (!scores.hasOneUse())
    return fail(op, "the scores have another user besides the softmax chain");
  auto scoresType = cast<RankedTensorType>(scores.getType());
  auto fullShape = [&](Value v) { return v.getType() == scoresType; };

  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    match.scores = matmul;
    return success();
  }
  if (isa<MulOp, DivOp>(op)) {
    Value x = scores;
    if (failed(peelScale(x)))
      return fail(op, "the scale is not a constant scalar");
    return parseScores(x, /*scaled=*/true);
  }
  if (scaled)
    return fail(op, "a mask applies before the scale (only masks after the "
                    "scale are fused)");
  if (auto add = dyn_cast<AddOp>(op)) {
    // Either operand may be the scores: the one that continues the chain.
    // When both could (a full-size bias computed by ops of the same kinds),
    // the lhs is tried quietly first.
    SmallVector<std::pair<Value, Value>, 2> candidates;
    for (auto [s, mask] : {std::pair{add.getLhs(), add.getRhs()},
                           std::pair{add.getRhs(), add.getLhs()}}) {
      Operation *def = s.getDefiningOp();
      if (fullShape(s) && def &&
          isa<MatMulOp, MulOp, DivOp, AddOp, WhereOp>(def))
        candidates.push_back({s, mask});
    }
    if (candidates.empty())
      return fail(op, "neither operand of the add continues the scores");
    if (candidates.size() == 2) {
      Match saved = match;
      bool wasExplaining = std::exchange(explain, false);
      match.addedMasks.push_back(candidates[0].second);
      LogicalResult first = parseScores(candidates[0].first, scaled);
      explain = wasExplaining;
      if (succeeded(first))
        return success();
      match = saved;
    }
    match.addedMasks.push_back(candidates.back().second);
    return parseScores(candidates.back().first, scaled);
  }
  if (auto where = dyn_cast<WhereOp>(op)) {
    Value cond = where.getCondition();
    for (bool scoresFirst : {true, false}) {
      Value s = scoresFirst ? where.getX() : where.getY();
      Value other = scoresFirst ? where.getY() : where.getX();
      std::optional<double> fill = scalarConstant(other);
      if (!fullShape(s) || !fill)
        continue;
      if (*fill > kMaskFloor)
        return fail(op, "the masked fill value " + formatNumber(*fill) +
                            " is not low enough to mask exactly");
      if (std::isinf(*fill))
        (scoresFirst ? match.keepMasks : match.dropMasks).push_back(cond);
      else if (scoresFirst)
        match.fillMasks.push_back({cond, *fill});
      else
        return fail(op, "a finite fill where the condition is true");
      return parseScores(s, scaled);
    }
    return fail(op, "the where does not select between the scores and a "
                    "constant fill");
  }
  return fail(op, "an op that is not a scale, a mask or the QK matmul");
}

/// torch's scaled_dot_product_attention export zeroes the weights of a row
/// masked entirely (NaN after the softmax): `where(not(equal(p, p)), 0, p)`
/// or `where(equal(p, p), p, 0)`. dsr1.attention gives such a row zeros
/// itself, so the guard is part of the block: the guarded weights when `p`
/// is guarded so and used nowhere else, else `p`.
Value skipNanGuard(Value p) {
  SmallVector<Operation *> users(p.getUsers());
  auto equal = llvm::find_if(users, [&](Operation *user) {
    return isa<EqualOp>(user) && user->getOperand(0) == p &&
           user->getOperand(1) == p;
  });
  if (equal == users.end() || !(*equal)->getResult(0).hasOneUse())
    return p;
  Value cond = (*equal)->getResult(0);
  bool isNumber = true;
  if (auto negate = dyn_cast<NotOp>(*cond.getUsers().begin())) {
    if (!negate.getResult().hasOneUse())
      return p;
    cond = negate.getResult();
    isNumber = false;
  }
  auto where = dyn_cast<WhereOp>(*cond.getUsers().begin());
  if (!where || where.getCondition() != cond)
    return p;
  Value kept = isNumber ? where.getX() : where.getY();
  Value zero = isNumber ? where.getY() : where.getX();
  std::optional<double> z = scalarConstant(zero);
  // p's only users: the equal (both operands) and the where.
  bool onlyGuard = llvm::all_of(p.getUses(), [&](OpOperand &use) {
    return use.getOwner() == *equal || use.getOwner() == where;
  });
  if (kept != p || !z || *z != 0.0 || !onlyGuard ||
      where.getType() != p.getType())
    return p;
  return where.getResult();
}

FailureOr<Match> Matcher::run() {
  match.softmax = softmax;
  auto type = cast<RankedTensorType>(softmax.getType());
  int64_t rank = type.getRank();
  if (rank != 4 && rank != 3)
    return fail(softmax, "the scores have rank " + Twine(rank) +
                             ", not 4 ([batch, heads, queries, keys]) or 3 "
                             "([batch * heads, queries, keys])");
  if (int64_t(softmax.getAxis()) != type.getRank() - 1)
    return fail(softmax, "the softmax axis " + Twine(softmax.getAxis()) +
                             " is not the last (keys) dimension");
  Value probs = skipNanGuard(softmax.getResult());
  if (!probs.hasOneUse())
    return fail(softmax, "the attention weights have another user");
  auto output = dyn_cast<MatMulOp>(*probs.getUsers().begin());
  if (!output || output.getLhs() != probs)
    return fail(*probs.getUsers().begin(),
                "the attention weights do not feed a matmul as its lhs");
  match.output = output;
  if (failed(parseScores(softmax.getInput(), /*scaled=*/false)))
    return failure();

  match.query = match.scores.getLhs();
  match.keyT = match.scores.getRhs();
  match.value = output.getRhs();
  (void)peelScale(match.query);
  (void)peelScale(match.keyT);
  auto q = cast<RankedTensorType>(match.query.getType());
  auto kT = cast<RankedTensorType>(match.keyT.getType());
  auto v = cast<RankedTensorType>(match.value.getType());
  if (q.getRank() != rank || kT.getRank() != rank || v.getRank() != rank)
    return fail(match.scores, "q, k and v are not all of the scores' rank");
  // The batch dims (with the heads in rank 4) are equal, not merely
  // compatible: a dynamic batch of 1 would broadcast.
  if (rank == 4 && ShapedType::isDynamic(q.getDimSize(1)))
    return fail(match.scores, "the number of heads is dynamic");
  for (int64_t d = 0; d < rank - 2; ++d)
    if (q.getDimSize(d) != kT.getDimSize(d) ||
        q.getDimSize(d) != v.getDimSize(d))
      return fail(match.scores, "q, k and v differ in their batch or head "
                                "dimensions (broadcast heads are not fused)");
  if (!dimsAgree(kT.getDimSize(rank - 1), v.getDimSize(rank - 2)))
    return fail(output, "the keys and values differ in length");
  if (q.getElementType() != type.getElementType())
    return fail(softmax, "the softmax runs in another precision than q");
  SmallVector<int64_t> scores(type.getShape());
  SmallVector<Value> masks(match.addedMasks);
  llvm::append_range(masks, match.keepMasks);
  llvm::append_range(masks, match.dropMasks);
  for (auto [cond, fill] : match.fillMasks)
    masks.push_back(cond);
  for (Value mask : masks) {
    SmallVector<int64_t> merged;
    auto maskType = cast<RankedTensorType>(mask.getType());
    if (!broadcastShapes(maskType.getShape(), scores, merged) ||
        merged != scores)
      return fail(mask.getDefiningOp() ? mask.getDefiningOp() : softmax,
                  "the mask " + formatShape(maskType.getShape()) +
                      " would enlarge the scores " + formatShape(scores));
    // dsr1.attention broadcasts a mask to [B, H, Sq, Skv]: a rank-3 mask of
    // rank-3 scores gets its unit head dim by a reshape, which needs its
    // shape.
    if (rank == 3 && maskType.getRank() == 3 && !maskType.hasStaticShape())
      return fail(mask.getDefiningOp() ? mask.getDefiningOp() : softmax,
                  "a [batch * heads, queries, keys] mask with dynamic dims");
  }
  return match;
}

//===----------------------------------------------------------------------===//
// Head split and merge
//===----------------------------------------------------------------------===//

/// x [B, S, H * D] when `v4` is x split into heads and transposed by `perm`:
/// v4 = transpose(reshape(x, [B, S, H, D]), perm). A scale on x is peeled
/// into `scale`.
Value packedSource(Value v4, ArrayRef<int64_t> perm, int64_t heads,
                   double &scale) {
  auto [split, actual] = traceTransposes(v4);
  if (ArrayRef<int64_t>(actual) != perm)
    return {};
  auto reshape = split.getDefiningOp<ReshapeOp>();
  if (!reshape)
    return {};
  Value x = reshape.getInput();
  auto in = cast<RankedTensorType>(x.getType());
  auto out = cast<RankedTensorType>(reshape.getType());
  if (in.getRank() != 3 || out.getRank() != 4 || out.getDimSize(2) != heads ||
      ShapedType::isDynamic(out.getDimSize(3)) ||
      ShapedType::isDynamic(in.getDimSize(2)) ||
      in.getDimSize(2) != heads * out.getDimSize(3))
    return {};
  // Batch and sequence must pass through: the same static size, or kept by a
  // 0 entry, or the one inferred (-1) dim while the other is kept.
  ArrayRef<int64_t> shape = reshape.getShape();
  auto kept = [&](int64_t d) {
    return shape[d] == 0 ||
           (!in.isDynamicDim(d) && in.getDimSize(d) == out.getDimSize(d));
  };
  for (int64_t d : {0, 1})
    if (!kept(d) && !(shape[d] == -1 && kept(1 - d)))
      return {};
  if (std::optional<std::pair<Value, double>> scaled = scaledBy(x)) {
    x = scaled->first;
    scale *= scaled->second;
  }
  return x;
}

/// The reshape that merges the heads of `output` [B, H, Sq, Dv] back into
/// [B, Sq, H * Dv] (after a transpose to [B, Sq, H, Dv]), when that is the
/// output's only use.
ReshapeOp headMerge(Value output) {
  Value v = output;
  SmallVector<int64_t> perm = {0, 1, 2, 3};
  while (v.hasOneUse()) {
    auto transpose = dyn_cast<TransposeOp>(*v.getUsers().begin());
    if (!transpose)
      break;
    SmallVector<int64_t> next;
    for (int64_t p : transpose.getPerm())
      next.push_back(perm[p]);
    perm = next;
    v = transpose.getResult();
  }
  if (perm != SmallVector<int64_t>{0, 2, 1, 3} || !v.hasOneUse())
    return {};
  auto reshape = dyn_cast<ReshapeOp>(*v.getUsers().begin());
  if (!reshape)
    return {};
  // The packed result is [B, Sq, H * Dv], the reshape's input [B, Sq, H, Dv]:
  // its shape reads the same on both but where a 0 keeps dim 2 or 3.
  ArrayRef<int64_t> shape = reshape.getShape();
  for (size_t d = 2; d < shape.size(); ++d)
    if (shape[d] == 0)
      return {};
  return reshape;
}

/// True when `cond` is a constant boolean mask that keeps (or with !keeps,
/// drops) exactly the keys j <= i of query i, the same for every batch and
/// head: dsr1.attention's `causal`.
bool isCausalConstant(Value cond, bool keeps, RankedTensorType scores) {
  auto constant = cond.getDefiningOp<ConstantOp>();
  auto type = dyn_cast<RankedTensorType>(cond.getType());
  if (!constant || !type || !type.hasStaticShape() || type.getRank() < 2 ||
      !scores.hasStaticShape())
    return false;
  int64_t rank = type.getRank();
  int64_t queries = scores.getDimSize(scores.getRank() - 2),
          keys = scores.getDimSize(scores.getRank() - 1);
  if (type.getDimSize(rank - 2) != queries || type.getDimSize(rank - 1) != keys)
    return false;
  for (int64_t d = 0; d < rank - 2; ++d)
    if (type.getDimSize(d) != 1)
      return false;
  auto elements = dyn_cast<DenseElementsAttr>(constant.getValue());
  if (!elements || !elements.getElementType().isInteger(1))
    return false;
  auto values = elements.getValues<bool>();
  for (int64_t i = 0; i < queries; ++i)
    for (int64_t j = 0; j < keys; ++j)
      if (values[i * keys + j] != ((j <= i) == keeps))
        return false;
  return true;
}

/// Rewrites a matched block into dsr1.attention: the packed [B, S, H * D]
/// form when the block splits every operand into heads and merges the
/// result, the [B, H, S, D] form otherwise.
void rewrite(Match &match) {
  MatMulOp output = match.output;
  OpBuilder b(output);
  Location loc = b.getFusedLoc({match.softmax.getLoc(), output.getLoc()});
  auto q4 = cast<RankedTensorType>(match.query.getType());
  // Rank-3 scores ([batch * heads, Sq, Skv], torch.bmm) are packed attention
  // with one head per batch entry.
  bool perBatch = q4.getRank() == 3;
  int64_t heads = perBatch ? 1 : q4.getDimSize(1);

  // A constant causal mask becomes the causal attribute, which a kernel can
  // use to skip the masked half instead of reading a mask.
  auto scores = cast<RankedTensorType>(match.softmax.getType());
  bool causal = false;
  auto dropCausal = [&](SmallVectorImpl<Value> &masks, bool keeps) {
    llvm::erase_if(masks, [&](Value m) {
      bool found = isCausalConstant(m, keeps, scores);
      causal |= found;
      return found;
    });
  };
  dropCausal(match.keepMasks, /*keeps=*/true);
  dropCausal(match.dropMasks, /*keeps=*/false);
  SmallVector<std::pair<Value, double>> fillMasks;
  for (auto [cond, fill] : match.fillMasks) {
    // Exact too: the causal pattern leaves every query key 0 to see.
    if (isCausalConstant(cond, /*keeps=*/true, scores))
      causal = true;
    else
      fillMasks.push_back({cond, fill});
  }

  // The masks, in one: the additive ones summed, a boolean one selecting.
  Value mask;
  for (Value m : match.addedMasks)
    mask = mask ? AddOp::create(b, loc, mask, m).getResult() : m;
  Value keep;
  auto andInto = [&](Value m) {
    keep = keep ? AndOp::create(b, loc, keep, m).getResult() : m;
  };
  for (Value m : match.keepMasks)
    andInto(m);
  for (Value m : match.dropMasks)
    andInto(NotOp::create(b, loc, m));
  Type element = q4.getElementType();
  auto scalar = [&](double value) {
    auto type = RankedTensorType::get({}, element);
    return ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getFloatAttr(element, value)));
  };
  for (auto [cond, fill] : fillMasks) {
    Value added = WhereOp::create(b, loc, cond, scalar(0.0), scalar(fill));
    mask = mask ? AddOp::create(b, loc, mask, added).getResult() : added;
  }
  if (keep && mask)
    mask = WhereOp::create(b, loc, keep, mask,
                           scalar(-std::numeric_limits<double>::infinity()));
  else if (keep)
    mask = keep;
  if (perBatch && mask &&
      cast<RankedTensorType>(mask.getType()).getRank() == 3) {
    // [batch * heads, Sq, Skv] -> [batch * heads, 1, Sq, Skv], the op's
    // [B, H, Sq, Skv] (the matcher made sure the shape is static).
    auto type = cast<RankedTensorType>(mask.getType());
    mask = ReshapeOp::create(b, loc, mask,
                             ArrayRef<int64_t>{type.getDimSize(0), 1,
                                               type.getDimSize(1),
                                               type.getDimSize(2)});
  }

  double scale = match.scale;
  ReshapeOp merge = perBatch ? ReshapeOp() : headMerge(output.getResult());
  Value q, k, v;
  if (merge) {
    double packedScale = scale;
    q = packedSource(match.query, {0, 2, 1, 3}, heads, packedScale);
    k = packedSource(match.keyT, {0, 2, 3, 1}, heads, packedScale);
    v = packedSource(match.value, {0, 2, 1, 3}, heads, packedScale);
    if (q && k && v)
      scale = packedScale;
  }
  bool packed = merge && q && k && v;
  if (!packed) {
    q = match.query;
    v = match.value;
    // k = kᵀ with its last two dims swapped, folded into kᵀ's transposes.
    auto [base, perm] = traceTransposes(match.keyT);
    size_t last = perm.size() - 1;
    std::swap(perm[last - 1], perm[last]);
    if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
      k = base;
    else
      k = TransposeOp::create(b, loc, base, perm);
  }
  auto attention = AttentionOp::create(b, loc, q, k, v, mask, heads,
                                       b.getF64FloatAttr(scale), causal,
                                       Modality::unknown, Modality::unknown,
                                       /*precision=*/nullptr);
  Operation *replaced = output;
  Value result = attention.getResult();
  if (packed) {
    replaced = merge;
    if (result.getType() != merge.getType())
      result = ReshapeOp::create(b, loc, result, merge.getShape());
  }
  // The block's ops are dead now: erase them consumer first.
  // (An op can use a value twice, as equal(p, p) does: each op is queued
  // once.)
  SmallVector<Operation *> worklist = {replaced};
  llvm::SmallPtrSet<Operation *, 16> queued = {replaced};
  replaced->getResult(0).replaceAllUsesWith(result);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    SmallVector<Value> operands(op->getOperands());
    op->erase();
    for (Value operand : operands)
      if (Operation *def = operand.getDefiningOp();
          def && def->use_empty() && isa<DSR1Dialect>(def->getDialect()) &&
          queued.insert(def).second)
        worklist.push_back(def);
  }
}

//===----------------------------------------------------------------------===//
// Modalities
//===----------------------------------------------------------------------===//

/// What a value's data comes from, as a lattice: nothing yet, one modality,
/// or several (a value mixing two kinds of input).
struct Source {
  enum Kind { none, one, mixed } kind = none;
  Modality modality = Modality::unknown;

  static Source of(Modality m) {
    if (m == Modality::unknown)
      return {};
    return {one, m};
  }
  void join(const Source &other) {
    if (other.kind == none || kind == mixed)
      return;
    if (kind == none || other.kind == mixed)
      *this = other;
    else if (modality != other.modality)
      kind = mixed;
  }
  Modality get() const { return kind == one ? modality : Modality::unknown; }
};

/// The modality of a graph input, from its name, then its type: token ids
/// are text, [N, C, H, W] pixels an image; audio goes by name only (a float
/// [B, T, F] could as well be text embeddings).
/// Masks, lengths and positions describe other inputs and are no source.
Modality inferModality(StringRef name, Type type) {
  std::string lower = name.lower();
  StringRef n(lower);
  auto any = [&](std::initializer_list<StringRef> words) {
    return llvm::any_of(words, [&](StringRef w) { return n.contains(w); });
  };
  if (any({"mask", "length", "position", "cache", "past"}))
    return Modality::unknown;
  if (any({"pixel", "image", "img", "vision", "patch", "video", "frame_pixel"}))
    return Modality::image;
  if (any({"audio", "mel", "speech", "wave", "input_features", "spectrogram",
           "fbank", "sound"}))
    return Modality::audio;
  if (any({"input_ids", "token", "text", "word", "caption", "prompt"}))
    return Modality::text;
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return Modality::unknown;
  Type element = tensor.getElementType();
  if (element.isInteger() && tensor.getRank() == 2)
    return Modality::text;
  // Pixels: [N, C, H, W] with grey, RGB or RGBA channels.
  if (isa<FloatType>(element) && tensor.getRank() == 4 &&
      llvm::is_contained({int64_t(1), int64_t(3), int64_t(4)},
                         tensor.getDimSize(1)))
    return Modality::image;
  return Modality::unknown;
}

/// The name a graph input goes by: its ONNX name, else its position.
std::string inputName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, "onnx.name"))
    return name.str();
  return ("arg" + Twine(index)).str();
}

/// Reads the `modality` option: NAME=KIND entries.
FailureOr<llvm::StringMap<Modality>>
parseOverrides(ModuleOp module, ArrayRef<std::string> entries) {
  // Errors go to the first graph function (a module parsed from text has
  // no location of its own).
  Operation *at = module;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal()) {
      at = func;
      break;
    }
  llvm::StringMap<Modality> forced;
  for (const std::string &entry : entries) {
    auto [name, kind] = StringRef(entry).split('=');
    std::optional<Modality> m = symbolizeModality(kind.trim());
    if (name.trim().empty() || !m || *m == Modality::unknown)
      return at->emitError()
             << "--modality takes NAME=text|image|audio, got '" << entry << "'";
    forced[name.trim()] = *m;
  }
  // A name no graph function has is a typo: say which names there are.
  llvm::StringSet<> seen;
  std::string inputs;
  for (auto func : module.getOps<func::FuncOp>())
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      if (seen.insert(inputName(func, i)).second)
        inputs += (inputs.empty() ? "" : ", ") + inputName(func, i);
  for (auto &entry : forced)
    if (!seen.contains(entry.getKey()))
      return at->emitError()
             << "--modality names '" << entry.getKey()
             << "', which is not a graph input (the inputs: " << inputs << ")";
  return forced;
}

/// Records query_modality and kv_modality on every dsr1.attention that has
/// neither yet, by following which graph inputs reach its operands. An
/// attention's result belongs to its queries (one output row per query).
void assignModalities(func::FuncOp func,
                      const llvm::StringMap<Modality> &forced) {
  DenseMap<Value, Source> sources;
  for (BlockArgument arg : func.getArguments()) {
    std::string name = inputName(func, arg.getArgNumber());
    auto it = forced.find(name);
    Modality m =
        it != forced.end() ? it->second : inferModality(name, arg.getType());
    sources[arg] = Source::of(m);
  }
  func.walk([&](Operation *op) {
    if (auto attention = dyn_cast<AttentionOp>(op)) {
      Source query = sources.lookup(attention.getQuery());
      Source kv = sources.lookup(attention.getKey());
      kv.join(sources.lookup(attention.getValue()));
      if (attention.getQueryModality() == Modality::unknown &&
          attention.getKvModality() == Modality::unknown) {
        attention.setQueryModality(query.get());
        attention.setKvModality(kv.get());
      } else {
        query = Source::of(attention.getQueryModality());
      }
      for (Value result : attention->getResults())
        sources[result] = query;
      return;
    }
    Source joined;
    for (Value operand : op->getOperands())
      joined.join(sources.lookup(operand));
    for (Value result : op->getResults())
      sources[result] = joined;
  });
}

struct FuseAttentionPass : impl::FuseAttentionPassBase<FuseAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<llvm::StringMap<Modality>> forced =
        parseOverrides(module, modality);
    if (failed(forced))
      return signalPassFailure();
    for (auto func : module.getOps<func::FuncOp>()) {
      SmallVector<SoftmaxOp> softmaxes;
      func.walk([&](SoftmaxOp op) { softmaxes.push_back(op); });
      for (SoftmaxOp softmax : softmaxes) {
        FailureOr<Match> match = Matcher(softmax).run();
        if (failed(match))
          continue;
        if (isDebugEnabled(kDebugType))
          debugStream() << "[" << kDebugType << "] fused: " << describe(softmax)
                        << "\n";
        rewrite(*match);
      }
      assignModalities(func, *forced);
    }
  }
};

} // namespace
} // namespace dsr1
