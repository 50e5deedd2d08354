//===- TrainingImporters.cpp - ai.onnx.preview.training ops into dsr1 -----===//
//
// The optimizers of the ai.onnx.preview.training domain (Adagrad, Adam,
// Momentum): one update step of several tensors, each an elementwise formula
// over the tensor, its gradient and its accumulators.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/NodeImporter.h"

using namespace mlir;

namespace dsr1::onnx_frontend {
namespace {

constexpr StringLiteral kDomain = "ai.onnx.preview.training";

/// The inputs every optimizer takes: the learning rate R and the update count
/// T (scalars), then `groups` runs of n tensors each (X_1..X_n, G_1..G_n,
/// ...). R comes in X's element type, so the formulas compute in it.
struct OptimizerInputs {
  Value rate, count;
  /// tensors[g][i]: tensor i of run g.
  SmallVector<SmallVector<Value>> tensors;
  Type element;
};

/// A one-element tensor as a scalar (rank 0), so that it broadcasts to any
/// shape without changing it.
FailureOr<Value> scalarInput(NodeContext &ctx, int i, StringRef what) {
  FailureOr<Value> v = ctx.requiredInput(i);
  if (failed(v))
    return failure();
  auto type = NodeContext::typeOf(*v);
  if (!type.hasStaticShape() || type.getNumElements() != 1)
    return ctx.error() << "input #" << i << " (" << what
                       << ") must be a scalar, got " << type;
  if (type.getRank() == 0)
    return *v;
  Value s = ctx.create<ReshapeOp>(*v, ArrayRef<int64_t>{});
  if (!s)
    return failure();
  return s;
}

FailureOr<OptimizerInputs> readOptimizerInputs(NodeContext &ctx, int groups,
                                               StringRef runs) {
  int count = ctx.numInputs(); // Variadic: every input is read below.
  if (count < 2 + groups || (count - 2) % groups != 0)
    return ctx.error() << "needs R, T and then " << runs
                       << " for each optimized tensor (2 + " << groups
                       << " * n inputs), got " << count << " inputs";
  FailureOr<Value> rate = scalarInput(ctx, 0, "R"),
                   updates = scalarInput(ctx, 1, "T");
  if (failed(rate) || failed(updates))
    return failure();
  if (!NodeContext::typeOf(*updates).getElementType().isSignlessInteger())
    return ctx.error() << "input #1 (T) must be an integer, got "
                       << NodeContext::typeOf(*updates);
  int n = (count - 2) / groups;
  OptimizerInputs in;
  in.count = *updates;
  in.tensors.resize(groups);
  for (int g = 0; g < groups; ++g) {
    for (int i = 0; i < n; ++i) {
      FailureOr<Value> v = ctx.requiredInput(2 + g * n + i);
      if (failed(v))
        return failure();
      Type element = NodeContext::typeOf(*v).getElementType();
      if (!in.element)
        in.element = element;
      if (!(element.isF32() || element.isF64()) || element != in.element)
        return ctx.error() << "the optimized tensors and their state must "
                              "all be f32 or all f64, got "
                           << NodeContext::typeOf(*v) << " at input #"
                           << 2 + g * n + i;
      in.tensors[g].push_back(*v);
    }
  }
  in.rate = *rate;
  if (NodeContext::typeOf(*rate).getElementType() != in.element)
    in.rate = ctx.create<CastOp>(*rate, in.element);
  if (!in.rate)
    return failure();
  return in;
}

/// The results in the order the ops list them: every X_new, then every new
/// accumulator of the first kind, and so on.
LogicalResult setGroupedResults(NodeContext &ctx,
                                ArrayRef<SmallVector<Value>> groups) {
  SmallVector<Value> results;
  for (const SmallVector<Value> &group : groups)
    results.append(group.begin(), group.end());
  return ctx.setResults(results);
}

/// T > 0, as a boolean scalar.
Value afterFirstUpdate(NodeContext &ctx, Value count) {
  Value zero = ctx.scalarLike(count, 0);
  return ctx.create<GreaterOp>(count, zero);
}

/// norm_coefficient * X + G: the gradient of the L2 regularisation added.
Value regularized(NodeContext &ctx, Type element, double norm, Value x,
                  Value g) {
  Value scaled = ctx.create<MulOp>(ctx.scalar(element, norm), x);
  return ctx.create<AddOp>(scaled, g);
}

/// Adagrad: r = R / (1 + T * decay_factor), G_reg = norm_coefficient * X + G,
/// H_new = H + G_reg^2, X_new = X - r * G_reg / (sqrt(H_new) + epsilon).
LogicalResult importAdagrad(NodeContext &ctx) {
  FailureOr<OptimizerInputs> in = readOptimizerInputs(ctx, 3, "X, G and H");
  if (failed(in))
    return failure();
  double decay = ctx.floatAttr("decay_factor", 0.0f);
  double epsilon = ctx.floatAttr("epsilon", 1e-6f);
  double norm = ctx.floatAttr("norm_coefficient", 0.0f);
  Type ft = in->element;
  Value t = ctx.create<CastOp>(in->count, ft);
  Value decayed = ctx.create<MulOp>(t, ctx.scalar(ft, decay));
  Value divisor = ctx.create<AddOp>(ctx.scalar(ft, 1.0), decayed);
  Value rate = ctx.create<DivOp>(in->rate, divisor);
  SmallVector<Value> xs, hs;
  for (auto [x, g, h] :
       llvm::zip_equal(in->tensors[0], in->tensors[1], in->tensors[2])) {
    Value reg = regularized(ctx, ft, norm, x, g);
    Value squared = ctx.create<MulOp>(reg, reg);
    Value hNew = ctx.create<AddOp>(h, squared);
    Value root = ctx.create<SqrtOp>(hNew);
    Value adaptive = ctx.create<AddOp>(root, ctx.scalar(ft, epsilon));
    Value scaled = ctx.create<MulOp>(rate, reg);
    Value step = ctx.create<DivOp>(scaled, adaptive);
    xs.push_back(ctx.create<SubOp>(x, step));
    hs.push_back(hNew);
  }
  return setGroupedResults(ctx, {xs, hs});
}

/// Adam: G_reg = norm_coefficient * X + G, V_new = alpha * V + (1 - alpha) *
/// G_reg, H_new = beta * H + (1 - beta) * G_reg^2, R_adj = T > 0 ? R *
/// sqrt(1 - beta^T) / (1 - alpha^T) : R, X_new = (1 - norm_coefficient_post)
/// * (X - R_adj * V_new / (sqrt(H_new) + epsilon)).
LogicalResult importAdam(NodeContext &ctx) {
  FailureOr<OptimizerInputs> in = readOptimizerInputs(ctx, 4, "X, G, V and H");
  if (failed(in))
    return failure();
  float alpha = ctx.floatAttr("alpha", 0.9f);
  float beta = ctx.floatAttr("beta", 0.999f);
  double epsilon = ctx.floatAttr("epsilon", 1e-6f);
  double norm = ctx.floatAttr("norm_coefficient", 0.0f);
  float post = ctx.floatAttr("norm_coefficient_post", 0.0f);
  // The attributes are floats, and the onnx reference (like onnxruntime)
  // takes 1 - alpha, 1 - beta and 1 - norm_coefficient_post in float too,
  // which an f64 model sees.
  double keptAlpha = 1.0f - alpha, keptBeta = 1.0f - beta, keptX = 1.0f - post;
  Type ft = in->element;
  Value one = ctx.scalar(ft, 1.0);
  Value t = ctx.create<CastOp>(in->count, ft);
  Value betaT = ctx.create<PowOp>(ctx.scalar(ft, beta), t);
  Value alphaT = ctx.create<PowOp>(ctx.scalar(ft, alpha), t);
  Value betaRest = ctx.create<SubOp>(one, betaT);
  Value alphaRest = ctx.create<SubOp>(one, alphaT);
  Value root = ctx.create<SqrtOp>(betaRest);
  Value scaled = ctx.create<MulOp>(in->rate, root);
  // At T = 0 this divides by zero; the where below never picks it then.
  Value corrected = ctx.create<DivOp>(scaled, alphaRest);
  Value positive = afterFirstUpdate(ctx, in->count);
  Value rate = ctx.create<WhereOp>(positive, corrected, in->rate);
  SmallVector<Value> xs, vs, hs;
  for (auto [x, g, v, h] : llvm::zip_equal(in->tensors[0], in->tensors[1],
                                           in->tensors[2], in->tensors[3])) {
    Value reg = regularized(ctx, ft, norm, x, g);
    Value vKept = ctx.create<MulOp>(ctx.scalar(ft, alpha), v);
    Value vAdded = ctx.create<MulOp>(ctx.scalar(ft, keptAlpha), reg);
    Value vNew = ctx.create<AddOp>(vKept, vAdded);
    Value squared = ctx.create<MulOp>(reg, reg);
    Value hKept = ctx.create<MulOp>(ctx.scalar(ft, beta), h);
    Value hAdded = ctx.create<MulOp>(ctx.scalar(ft, keptBeta), squared);
    Value hNew = ctx.create<AddOp>(hKept, hAdded);
    Value hRoot = ctx.create<SqrtOp>(hNew);
    Value denominator = ctx.create<AddOp>(hRoot, ctx.scalar(ft, epsilon));
    Value direction = ctx.create<DivOp>(vNew, denominator);
    Value step = ctx.create<MulOp>(rate, direction);
    Value xNew = ctx.create<SubOp>(x, step);
    xs.push_back(ctx.create<MulOp>(ctx.scalar(ft, keptX), xNew));
    vs.push_back(vNew);
    hs.push_back(hNew);
  }
  return setGroupedResults(ctx, {xs, vs, hs});
}

/// Momentum: G_reg = norm_coefficient * X + G, V_new = alpha * V +
/// (T > 0 ? beta : 1) * G_reg, X_new = X - R * V_new (standard) or
/// X - R * (G_reg + alpha * V_new) (nesterov).
LogicalResult importMomentum(NodeContext &ctx) {
  FailureOr<OptimizerInputs> in = readOptimizerInputs(ctx, 3, "X, G and V");
  if (failed(in))
    return failure();
  for (StringRef name : {"alpha", "beta", "mode", "norm_coefficient"})
    if (!ctx.attr(name))
      return ctx.error() << "needs attribute '" << name << "'";
  double alpha = ctx.floatAttr("alpha", 0.0f);
  double beta = ctx.floatAttr("beta", 0.0f);
  double norm = ctx.floatAttr("norm_coefficient", 0.0f);
  std::string mode = ctx.stringAttr("mode", "");
  if (mode != "standard" && mode != "nesterov")
    return ctx.error() << "mode must be 'standard' or 'nesterov', got '" << mode
                       << "'";
  Type ft = in->element;
  Value positive = afterFirstUpdate(ctx, in->count);
  Value betaValue = ctx.scalar(ft, beta);
  Value one = ctx.scalar(ft, 1.0);
  Value gradientScale = ctx.create<WhereOp>(positive, betaValue, one);
  SmallVector<Value> xs, vs;
  for (auto [x, g, v] :
       llvm::zip_equal(in->tensors[0], in->tensors[1], in->tensors[2])) {
    Value reg = regularized(ctx, ft, norm, x, g);
    Value vKept = ctx.create<MulOp>(ctx.scalar(ft, alpha), v);
    Value vAdded = ctx.create<MulOp>(gradientScale, reg);
    Value vNew = ctx.create<AddOp>(vKept, vAdded);
    Value direction = vNew;
    if (mode == "nesterov") {
      Value ahead = ctx.create<MulOp>(ctx.scalar(ft, alpha), vNew);
      direction = ctx.create<AddOp>(reg, ahead);
    }
    Value step = ctx.create<MulOp>(in->rate, direction);
    xs.push_back(ctx.create<SubOp>(x, step));
    vs.push_back(vNew);
  }
  return setGroupedResults(ctx, {xs, vs});
}

} // namespace

void registerTrainingImporters(OpRegistry &r) {
  // The domain has only had version 1.
  r.add(kDomain, "Adagrad", 1, 1, importAdagrad);
  r.add(kDomain, "Adam", 1, 1, importAdam);
  r.add(kDomain, "Momentum", 1, 1, importMomentum);
}

} // namespace dsr1::onnx_frontend
