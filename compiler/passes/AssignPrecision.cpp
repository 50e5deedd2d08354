//===- AssignPrecision.cpp - f32, tf32, f16 or bf16 for every op ----------===//
//
// Decides a precision per op from the mode, the op's kind and the ranges its
// values can take, then rewrites the graph in program order: each op reads
// its operands in its precision (through one shared cast per value, or a
// converted weight) and its result types are inferred again. The ranges are
// intervals propagated from the weights and the calibration inputs through
// the ops, with the ranges observed on calibration inputs as a second
// opinion; the driver attaches those (dsr1.observed_range) and searches the
// demote limit of `auto` against its accuracy budget.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/CostModel.h"
#include "compiler/passes/Fusion.h"
#include "compiler/passes/Passes.h"
#include "compiler/support/FloatBits.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace dsr1 {
#define GEN_PASS_DEF_ASSIGNPRECISIONPASS
#include "compiler/passes/Passes.h.inc"
} // namespace dsr1

using namespace mlir;

namespace dsr1 {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
/// The largest finite f16 and bf16; f32's largest (3.40e38, torch's
/// finfo.min mask fill) rounds to bf16 infinity.
constexpr double kHalfMax = 65504.0;
constexpr double kBf16Max = 3.3895313892515355e38;

//===----------------------------------------------------------------------===//
// Intervals
//===----------------------------------------------------------------------===//

/// A closed interval of values; [-inf, inf] when nothing is known.
struct Interval {
  double lo = -kInf, hi = kInf;

  static Interval of(double lo, double hi) { return {lo, hi}; }
  bool bounded() const { return std::isfinite(lo) && std::isfinite(hi); }
  double maxAbs() const { return std::max(std::fabs(lo), std::fabs(hi)); }
  Interval join(Interval other) const {
    return {std::min(lo, other.lo), std::max(hi, other.hi)};
  }
};

/// The smallest interval holding every product of a value of `a` and one of
/// `b`; unbounded when an end is infinite (0 * inf has no sign).
Interval multiply(Interval a, Interval b) {
  if (!a.bounded() || !b.bounded())
    return {};
  double products[] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
  return {*std::min_element(std::begin(products), std::end(products)),
          *std::max_element(std::begin(products), std::end(products))};
}

Interval add(Interval a, Interval b) { return {a.lo + b.lo, a.hi + b.hi}; }

Interval scale(Interval a, double factor) {
  return multiply(a, Interval::of(factor, factor));
}

Interval reciprocal(Interval a) {
  if (!(a.lo > 0 || a.hi < 0))
    return {};
  return {1.0 / a.hi, 1.0 / a.lo};
}

/// Calls `fn` with every element of a float or integer constant as a double;
/// false when the constant cannot be read (no data in memory, narrow floats).
template <typename Fn> bool forEachElement(ElementsAttr value, Fn fn) {
  Type element = value.getElementType();
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (isa<FloatType>(element)) {
      for (APFloat x : dense.getValues<APFloat>())
        fn(x.convertToDouble());
      return true;
    }
    if (element.isSignlessInteger() && element.getIntOrFloatBitWidth() > 1) {
      for (APInt x : dense.getValues<APInt>())
        fn(static_cast<double>(x.getSExtValue()));
      return true;
    }
    return false;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  if (!resource)
    return false;
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return false;
  ArrayRef<char> data = blob->getData();
  auto read = [&](auto tag) {
    using T = decltype(tag);
    size_t count = data.size() / sizeof(T);
    for (size_t i = 0; i < count; ++i) {
      T x;
      std::memcpy(&x, data.data() + i * sizeof(T), sizeof(T));
      fn(static_cast<double>(x));
    }
    return true;
  };
  if (element.isF32())
    return read(float{});
  if (element.isF64())
    return read(double{});
  if (element.isSignlessInteger(64))
    return read(int64_t{});
  if (element.isSignlessInteger(32))
    return read(int32_t{});
  return false;
}

/// Interval propagation through the ops whose results are bounded by their
/// operands' ranges (or by nothing at all: sigmoid, softmax, ...).
class RangeAnalysis {
public:
  RangeAnalysis(func::FuncOp func, double headroom) : headroom(headroom) {
    for (BlockArgument arg : func.getArguments())
      if (auto observed = func.getArgAttrOfType<DenseF64ArrayAttr>(
              arg.getArgNumber(), "dsr1.observed_range");
          observed && observed.size() == 2)
        ranges[arg] = widen(arg, observed[0], observed[1]);
    func.walk([&](Operation *op) {
      if (op->getNumResults() != 0 && op->getParentOp() == func)
        visit(op);
    });
  }

  /// The propagated interval of `value`.
  Interval propagated(Value value) const { return ranges.lookup(value); }

  /// The interval observed on calibration inputs, widened by the headroom;
  /// nullopt when there was no calibration.
  std::optional<Interval> observed(Value value) const {
    auto result = dyn_cast<OpResult>(value);
    if (!result)
      return std::nullopt;
    auto all =
        result.getOwner()->getAttrOfType<ArrayAttr>("dsr1.observed_range");
    if (!all || all.size() <= result.getResultNumber())
      return std::nullopt;
    auto range = dyn_cast<DenseF64ArrayAttr>(all[result.getResultNumber()]);
    if (!range || range.size() != 2)
      return std::nullopt;
    return widen(value, range[0], range[1]);
  }

private:
  /// Float data may go beyond what calibration saw; integers (ids, masks,
  /// lengths) are taken as seen.
  Interval widen(Value value, double lo, double hi) const {
    if (!isa<FloatType>(getElementTypeOrSelf(value.getType())))
      return Interval::of(lo, hi);
    return Interval::of(lo < 0 ? lo * headroom : lo,
                        hi > 0 ? hi * headroom : hi);
  }

  Interval of(Value value) const { return ranges.lookup(value); }

  /// The product of the static dims of `value` from `from` on; 0 if one is
  /// dynamic.
  static double count(Value value, int64_t from = 0) {
    auto type = cast<RankedTensorType>(value.getType());
    double n = 1;
    for (int64_t d = from; d < type.getRank(); ++d) {
      if (type.isDynamicDim(d))
        return 0;
      n *= static_cast<double>(type.getDimSize(d));
    }
    return n;
  }

  /// Σ over `terms` products of `a` and `b` values.
  static Interval contraction(Interval a, Interval b, double terms) {
    if (terms <= 0)
      return {};
    return scale(multiply(a, b), terms);
  }

  void visit(Operation *op) {
    if (op->getNumResults() != 1)
      return;
    Value result = op->getResult(0);
    Interval r = compute(op);
    // Propagated ranges reach unseen inputs too; the observed one is
    // narrower for the values interval arithmetic overestimates.
    ranges[result] = r;
  }

  Interval compute(Operation *op) {
    auto operand = [&](unsigned i) { return of(op->getOperand(i)); };
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      Interval r{kInf, -kInf};
      bool read = forEachElement(constant.getValue(), [&](double x) {
        r.lo = std::min(r.lo, x);
        r.hi = std::max(r.hi, x);
      });
      return read && r.lo <= r.hi ? r : Interval{};
    }
    if (isa<SigmoidOp, HardSigmoidOp, SoftmaxOp>(op))
      return Interval::of(0, 1);
    if (isa<TanhOp, ErfOp, SinOp, CosOp>(op))
      return Interval::of(-1, 1);
    if (isa<CastOp, TransposeOp, ReshapeOp, SliceOp, SplitOp, GatherOp,
            GatherElementsOp, ExpandOp, ReduceMaxOp, ReduceMinOp, ReduceMeanOp,
            MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp, GlobalMaxPoolOp>(op))
      return operand(0);
    if (auto pad = dyn_cast<PadOp>(op))
      return operand(0).join(Interval::of(pad.getValue().convertToDouble(),
                                          pad.getValue().convertToDouble()));
    if (isa<ConcatOp>(op)) {
      Interval r = operand(0);
      for (Value v : op->getOperands())
        r = r.join(of(v));
      return r;
    }
    if (isa<WhereOp>(op))
      return operand(1).join(operand(2));
    if (isa<AddOp>(op))
      return add(operand(0), operand(1));
    if (isa<SubOp>(op))
      return add(operand(0), scale(operand(1), -1));
    if (isa<MulOp>(op))
      return multiply(operand(0), operand(1));
    if (isa<DivOp>(op))
      return multiply(operand(0), reciprocal(operand(1)));
    if (isa<ReciprocalOp>(op))
      return reciprocal(operand(0));
    if (isa<NegOp>(op))
      return scale(operand(0), -1);
    if (isa<AbsOp>(op)) {
      Interval a = operand(0);
      return Interval::of(a.lo <= 0 && a.hi >= 0
                              ? 0
                              : std::min(std::fabs(a.lo), std::fabs(a.hi)),
                          a.maxAbs());
    }
    if (isa<ReluOp>(op))
      return Interval::of(std::max(operand(0).lo, 0.0),
                          std::max(operand(0).hi, 0.0));
    if (isa<GeluOp>(op))
      return Interval::of(-0.17, std::max(operand(0).hi, 0.0));
    if (isa<MaxOp>(op))
      return Interval::of(std::max(operand(0).lo, operand(1).lo),
                          std::max(operand(0).hi, operand(1).hi));
    if (isa<MinOp>(op))
      return Interval::of(std::min(operand(0).lo, operand(1).lo),
                          std::min(operand(0).hi, operand(1).hi));
    if (auto clip = dyn_cast<ClipOp>(op)) {
      Interval a = operand(0);
      if (auto min = clip.getMin())
        a = Interval::of(std::max(a.lo, min->convertToDouble()),
                         std::max(a.hi, min->convertToDouble()));
      if (auto max = clip.getMax())
        a = Interval::of(std::min(a.lo, max->convertToDouble()),
                         std::min(a.hi, max->convertToDouble()));
      return a;
    }
    if (isa<ExpOp>(op))
      return Interval::of(std::exp(operand(0).lo), std::exp(operand(0).hi));
    if (isa<SqrtOp>(op))
      return Interval::of(std::sqrt(std::max(operand(0).lo, 0.0)),
                          std::sqrt(std::max(operand(0).hi, 0.0)));
    if (isa<RsqrtOp>(op)) {
      Interval a = operand(0);
      if (!(a.lo > 0))
        return {};
      return Interval::of(1 / std::sqrt(a.hi), 1 / std::sqrt(a.lo));
    }
    if (isa<LogOp>(op)) {
      Interval a = operand(0);
      if (!(a.lo > 0))
        return {};
      return Interval::of(std::log(a.lo), std::log(a.hi));
    }
    if (isa<SoftplusOp>(op))
      return Interval::of(0, std::max(operand(0).hi, 0.0) + std::log(2.0));
    if (isa<ReduceSumOp>(op)) {
      double terms = count(op->getOperand(0)) / count(op->getResult(0));
      return scale(operand(0), std::isfinite(terms) ? terms : kInf);
    }
    if (isa<MatMulOp>(op)) {
      auto lhs = cast<RankedTensorType>(op->getOperand(0).getType());
      int64_t depth = lhs.getDimSize(lhs.getRank() - 1);
      return contraction(operand(0), operand(1),
                         ShapedType::isDynamic(depth) ? 0 : depth);
    }
    if (auto gemm = dyn_cast<GemmOp>(op)) {
      auto a = cast<RankedTensorType>(gemm.getA().getType());
      int64_t depth = a.getDimSize(gemm.getTransA() ? 0 : 1);
      Interval r = scale(contraction(operand(0), operand(1),
                                     ShapedType::isDynamic(depth) ? 0 : depth),
                         gemm.getAlpha().convertToDouble());
      if (gemm.getC())
        r = add(r, scale(operand(2), gemm.getBeta().convertToDouble()));
      return r;
    }
    if (auto conv = dyn_cast<ConvOp>(op)) {
      Interval r =
          contraction(operand(0), operand(1), count(conv.getWeight(), 1));
      return conv.getBias() ? add(r, of(conv.getBias())) : r;
    }
    if (auto attention = dyn_cast<AttentionOp>(op)) {
      // Each output row is a convex combination of value rows.
      return of(attention.getValue());
    }
    if (auto norm = dyn_cast<LayerNormOp>(op)) {
      // A normalised row of n elements has |x̂| <= sqrt(n - 1).
      double n = count(norm.getInput(), norm.getAxis());
      if (n <= 0)
        return {};
      Interval normalised = Interval::of(-std::sqrt(std::max(n - 1, 1.0)),
                                         std::sqrt(std::max(n - 1, 1.0)));
      Interval r = multiply(normalised, of(norm.getScale()));
      return norm.getBias() ? add(r, of(norm.getBias())) : r;
    }
    if (auto norm = dyn_cast<BatchNormOp>(op)) {
      Interval inverse = reciprocal(
          Interval::of(std::sqrt(std::max(of(norm.getVariance()).lo, 0.0) +
                                 norm.getEpsilon().convertToDouble()),
                       std::sqrt(std::max(of(norm.getVariance()).hi, 0.0) +
                                 norm.getEpsilon().convertToDouble())));
      Interval centred = add(operand(0), scale(of(norm.getMean()), -1));
      return add(multiply(multiply(centred, inverse), of(norm.getScale())),
                 of(norm.getBias()));
    }
    if (auto pow = dyn_cast<PowOp>(op)) {
      Interval e = operand(1), a = operand(0);
      if (e.lo == 2 && e.hi == 2) {
        double low =
            a.lo <= 0 && a.hi >= 0 ? 0 : std::min(a.lo * a.lo, a.hi * a.hi);
        return Interval::of(low, std::max(a.lo * a.lo, a.hi * a.hi));
      }
      return {};
    }
    return {};
  }

  double headroom;
  llvm::DenseMap<Value, Interval> ranges;
};

//===----------------------------------------------------------------------===//
// Decisions
//===----------------------------------------------------------------------===//

enum class Mode { fp32, tf32, fp16, bf16, automatic };

std::optional<Mode> parseMode(StringRef mode) {
  return llvm::StringSwitch<std::optional<Mode>>(mode)
      .Case("fp32", Mode::fp32)
      .Case("tf32", Mode::tf32)
      .Case("fp16", Mode::fp16)
      .Case("bf16", Mode::bf16)
      .Case("auto", Mode::automatic)
      .Default(std::nullopt);
}

/// Matrix products and convolutions: the ops TF32 applies to and whose
/// FLOPs the precision report shares out.
bool isProduct(Operation *op) {
  return isa<MatMulOp, GemmOp, ConvOp, ConvTransposeOp>(op);
}

/// Ops that compute with their values in an f16 or bf16 form: elementwise
/// arithmetic, the GEMM and conv anchors, attention, pooling, softmax, norms,
/// reductions and recurrent layers.
bool hasNarrowForm(Operation *op) {
  if (isa<CastOp, ExpandOp, WhereOp, NotOp, AndOp, OrOp, XorOp, ShiftLeftOp,
          ShiftRightOp, EqualOp, GreaterOp, GreaterEqualOp, LessOp, LessEqualOp,
          ModOp>(op))
    return false;
  return isFusibleElementwise(op) || anchorFamily(op) ||
         isa<AttentionOp, AvgPoolOp, MaxPoolOp, GlobalAvgPoolOp,
             GlobalMaxPoolOp, LstmOp, GruOp, SimpleRnnOp>(op);
}

/// Ops that only move, select or compare values: they take the precision
/// their operands arrive in and add no rounding of their own.
bool followsOperands(Operation *op) {
  return isa<TransposeOp, ReshapeOp, SliceOp, SplitOp, PadOp, GatherOp,
             GatherElementsOp, ConcatOp, ExpandOp, WhereOp, EqualOp, GreaterOp,
             GreaterEqualOp, LessOp, LessEqualOp>(op);
}

bool isF32Tensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isF32();
}

bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor &&
         isa<Float16Type, BFloat16Type, Float32Type>(tensor.getElementType());
}

/// Operands that keep their own type in a narrow op.
bool keepsOwnType(Operation *op, unsigned index) {
  // The mask is added to the scores in f32 inside the kernel.
  if (auto attention = dyn_cast<AttentionOp>(op))
    return attention.getMask() && op->getOperand(index) == attention.getMask();
  return false;
}

/// The time an op would save on a GPU in f16 over f32, in seconds on an
/// H100's roofline (67 TFLOP/s f32 SIMT, 990 TFLOP/s f16 tensor cores,
/// 3.35 TB/s): for products the FLOPs, for the rest the bytes.
double gainSeconds(Operation *op) {
  double bytes = 0;
  auto addBytes = [&](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (tensor && tensor.hasStaticShape() && isF32Tensor(type))
      bytes += 4.0 * static_cast<double>(tensor.getNumElements());
  };
  for (Type type : op->getOperandTypes())
    addBytes(type);
  for (Type type : op->getResultTypes())
    addBytes(type);
  double flops = static_cast<double>(estimateFlops(op));
  constexpr double f32Flops = 67e12, f16Flops = 990e12, bandwidth = 3.35e12;
  double before = std::max(flops / f32Flops, bytes / bandwidth);
  double after =
      std::max((isExpensiveOp(op) ? flops / f16Flops : flops / f32Flops),
               bytes / 2 / bandwidth);
  return before - after;
}

std::string formatValue(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", x);
  return text;
}

struct Decision {
  Operation *op;
  Precision precision = Precision::f32;
  std::string reason;
  /// f16 and bf16 candidates in auto mode: saved seconds per unit of
  /// rounding error.
  double score = 0;
};

struct AssignPrecisionPass
    : impl::AssignPrecisionPassBase<AssignPrecisionPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func->hasAttr(kKernelAttrName))
      return;
    std::optional<Mode> parsed = parseMode(mode);
    if (!parsed) {
      emitError(func.getLoc()) << "unknown precision mode '" << mode
                               << "' (expected fp32, tf32, fp16, bf16 or auto)";
      return signalPassFailure();
    }
    if (*parsed == Mode::bf16 && !bf16) {
      emitError(func.getLoc())
          << "bf16 precision needs a target with bf16 (sm_80 or newer)";
      return signalPassFailure();
    }
    RangeAnalysis ranges(func, rangeHeadroom);
    std::vector<Decision> decisions = decide(func, *parsed, ranges);
    if (*parsed == Mode::fp32) {
      // Nothing changes; the report still says why.
      if (explain)
        for (const Decision &decision : decisions)
          decision.op->setAttr(
              "dsr1.precision_reason",
              StringAttr::get(func.getContext(), decision.reason));
      return;
    }
    rewrite(func, decisions);
  }

  /// Whether every f32 value `op` reads or writes fits a format whose
  /// largest finite value is `limit` (`format` names it); `why` says what
  /// does not, or that nothing is known.
  enum class Fit { fits, exceeds, unknown };
  Fit fitsRange(Operation *op, const RangeAnalysis &ranges, double limit,
                StringRef format, std::string &why) const {
    Fit fit = Fit::fits;
    bool anyUnknown = false;
    auto beyond = (", beyond " + format).str();
    auto check = [&](Value value, StringRef role) {
      if (!isF32Tensor(value.getType()))
        return;
      Interval propagated = ranges.propagated(value);
      if (propagated.bounded() && propagated.maxAbs() <= limit)
        return;
      std::optional<Interval> observed = ranges.observed(value);
      if (observed) {
        if (observed->maxAbs() <= limit)
          return;
        if (fit != Fit::exceeds)
          why = (role + " reaches " + formatValue(observed->maxAbs()) +
                 (rangeHeadroom != 1.0
                      ? " (calibration x" + formatValue(rangeHeadroom) + ")"
                      : std::string()) +
                 beyond)
                    .str();
        fit = Fit::exceeds;
        return;
      }
      if (propagated.bounded()) {
        if (fit != Fit::exceeds)
          why =
              (role + " can reach " + formatValue(propagated.maxAbs()) + beyond)
                  .str();
        fit = Fit::exceeds;
        return;
      }
      anyUnknown = true;
    };
    for (auto [i, operand] : llvm::enumerate(op->getOperands()))
      if (!keepsOwnType(op, i))
        check(operand, "operand " + std::to_string(i));
    for (Value result : op->getResults())
      check(result,
            op->getNumResults() == 1
                ? std::string("the result")
                : "result " +
                      std::to_string(cast<OpResult>(result).getResultNumber()));
    if (fit == Fit::fits && anyUnknown) {
      why = "unknown (no calibration)";
      return Fit::unknown;
    }
    if (fit == Fit::fits)
      why = "fits f16";
    return fit;
  }

  std::vector<Decision> decide(func::FuncOp func, Mode mode,
                               const RangeAnalysis &ranges) {
    std::vector<Decision> decisions;
    std::vector<size_t> candidates;
    for (Operation &op : func.getBody().front()) {
      bool floatOp = llvm::any_of(op.getOperandTypes(), isF32Tensor) ||
                     llvm::any_of(op.getResultTypes(), isF32Tensor);
      if (!floatOp || isa<ConstantOp, func::ReturnOp>(op) ||
          followsOperands(&op))
        continue;
      Decision decision{&op};
      bool narrowable = hasNarrowForm(&op) && op.getNumRegions() == 0 &&
                        llvm::all_of(op.getResultTypes(), [](Type t) {
                          return !isFloatTensor(t) || isF32Tensor(t);
                        });
      switch (mode) {
      case Mode::fp32:
        decision.reason = "policy: fp32 mode";
        break;
      case Mode::tf32:
        if (isProduct(&op)) {
          decision.precision = Precision::tf32;
          decision.reason = "policy: tf32 mode";
        } else {
          decision.reason = "policy: tf32 applies to matrix products and "
                            "convolutions";
        }
        break;
      case Mode::bf16: {
        if (!narrowable) {
          decision.reason = "policy: no bf16 form of this op";
          break;
        }
        std::string why;
        if (fitsRange(&op, ranges, kBf16Max, "bf16's 3.39e+38", why) ==
            Fit::exceeds) {
          decision.reason = "range: " + why + "; kept in f32";
          op.emitWarning() << "kept in f32 in bf16 mode: " << why;
          break;
        }
        decision.precision = Precision::bf16;
        decision.reason = "policy: bf16 mode";
        break;
      }
      case Mode::fp16:
      case Mode::automatic: {
        if (!narrowable) {
          decision.reason = "policy: no f16 form of this op";
          break;
        }
        std::string why, wide;
        Fit fit = fitsRange(&op, ranges, kHalfMax, "f16's 65504", why);
        if (fit != Fit::exceeds) {
          decision.precision = Precision::f16;
          decision.reason =
              (mode == Mode::fp16 ? "policy: fp16 mode; range " : "range: ") +
              why;
        } else if (mode == Mode::fp16) {
          decision.reason = "range: " + why + "; kept in f32";
          op.emitWarning() << "kept in f32 in fp16 mode: " << why;
        } else if (!bf16) {
          decision.reason = "range: " + why + "; the target has no bf16";
        } else if (fitsRange(&op, ranges, kBf16Max, "bf16's 3.39e+38", wide) ==
                   Fit::exceeds) {
          decision.reason = "range: " + wide + "; kept in f32";
        } else {
          decision.precision = Precision::bf16;
          decision.reason = "range: " + why + "; bf16 has the range";
        }
        break;
      }
      }
      if (mode == Mode::automatic && decision.precision != Precision::f32) {
        double unit = decision.precision == Precision::f16 ? std::ldexp(1, -11)
                                                           : std::ldexp(1, -8);
        decision.score = gainSeconds(&op) / unit;
        candidates.push_back(decisions.size());
      }
      decisions.push_back(std::move(decision));
    }
    if (mode != Mode::automatic)
      return decisions;
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](size_t a, size_t b) {
                       return decisions[a].score > decisions[b].score;
                     });
    if (explain)
      for (auto [rank, index] : llvm::enumerate(candidates))
        decisions[index].op->setAttr(
            "dsr1.precision_rank",
            IntegerAttr::get(IntegerType::get(func.getContext(), 64),
                             static_cast<int64_t>(rank)));
    // Keep all but the best `demoteLimit` candidates, and those listed in
    // `keepRanks`, in f32 (or tf32).
    llvm::SmallDenseSet<int64_t> keep(keepRanks.begin(), keepRanks.end());
    for (auto [rank, index] : llvm::enumerate(candidates)) {
      if ((demoteLimit < 0 || static_cast<int64_t>(rank) < demoteLimit) &&
          !keep.contains(static_cast<int64_t>(rank)))
        continue;
      Decision &decision = decisions[index];
      bool tf32 = allowTf32 && isProduct(decision.op);
      decision.precision = tf32 ? Precision::tf32 : Precision::f32;
      decision.reason =
          llvm::formatv("budget: rank {0} of {1} kept in {2}", rank + 1,
                        candidates.size(), tf32 ? "tf32" : "f32")
              .str();
    }
    return decisions;
  }

  /// `value` in `element` (f16, bf16 or f32): the value itself, the input
  /// of the cast that made it, a converted weight, or a new cast shared by
  /// every reader.
  Value convert(Value value, Type element) {
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getElementType() == element)
      return value;
    auto key = std::make_pair(value, element);
    if (Value cached = casts.lookup(key))
      return cached;
    Value converted;
    if (auto source = value.getDefiningOp<CastOp>();
        source &&
        getElementTypeOrSelf(source.getInput().getType()) == element &&
        type.getElementType().isF32()) {
      // f16 and bf16 widen to f32 exactly: narrowing back is the input.
      converted = source.getInput();
    } else {
      OpBuilder builder(value.getContext());
      builder.setInsertionPointAfterValue(value);
      Operation *made = nullptr;
      if (auto constant = value.getDefiningOp<ConstantOp>();
          constant && type.getElementType().isF32())
        if (ElementsAttr narrowed = convertWeight(constant.getValue(), element))
          made = ConstantOp::create(builder, constant.getLoc(), narrowed);
      if (!made)
        made = CastOp::create(builder, value.getLoc(), value, element);
      created.push_back(made);
      converted = made->getResult(0);
      if (!element.isF32())
        narrowed.insert(converted);
    }
    casts[key] = converted;
    return converted;
  }

  /// An f32 weight as f16 or bf16, rounded to nearest even; a large blob
  /// becomes a new blob. Null for element types other than those.
  ElementsAttr convertWeight(ElementsAttr value, Type element) {
    auto type = cast<RankedTensorType>(value.getType()).clone(element);
    auto narrow = [&](float x) -> uint16_t {
      return element.isF16() ? floatToHalfBits(x) : floatToBf16Bits(x);
    };
    if (auto dense = dyn_cast<DenseFPElementsAttr>(value)) {
      return dense.mapValues(element, [&](const APFloat &x) {
        return APInt(16, narrow(x.convertToFloat()));
      });
    }
    auto resource = dyn_cast<DenseResourceElementsAttr>(value);
    if (!resource || !resource.getRawHandle().getBlob())
      return {};
    ArrayRef<char> data = resource.getRawHandle().getBlob()->getData();
    size_t count = data.size() / sizeof(float);
    std::vector<uint16_t> bits(count);
    for (size_t i = 0; i < count; ++i) {
      float x;
      std::memcpy(&x, data.data() + i * sizeof(float), sizeof(float));
      bits[i] = narrow(x);
    }
    ArrayRef<char> bytes(reinterpret_cast<const char *>(bits.data()),
                         bits.size() * sizeof(uint16_t));
    std::string name = (resource.getRawHandle().getKey() +
                        (element.isF16() ? "_f16" : "_bf16"))
                           .str();
    return DenseResourceElementsAttr::get(
        type, name,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(uint16_t),
                                                      false));
  }

  /// Reads every operand of `op` in `element` where it is a float tensor
  /// (the attention mask excepted) and infers the result types again.
  LogicalResult retype(Operation *op, Type element) {
    bool changed = false;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isFloatTensor(operand.get().getType()) ||
          keepsOwnType(op, operand.getOperandNumber()))
        continue;
      // f32 data in another precision, or data this pass narrowed; the
      // graph's own f16 and bf16 values stay as they are.
      Type current = getElementTypeOrSelf(operand.get().getType());
      if (current == element ||
          (!current.isF32() && !narrowed.contains(operand.get())))
        continue;
      Value converted = convert(operand.get(), element);
      if (converted != operand.get()) {
        operand.set(converted);
        changed = true;
      }
    }
    // Operands may also have changed type with their producers.
    auto infer = dyn_cast<InferTypeOpInterface>(op);
    if (!infer) {
      if (!changed)
        return success();
      return op->emitOpError("cannot infer its result types in ") << element;
    }
    SmallVector<Type> types;
    if (failed(infer.inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), types)))
      return failure();
    for (auto [result, type] : llvm::zip_equal(op->getResults(), types)) {
      if (isF32Tensor(result.getType()) && isFloatTensor(type) &&
          !isF32Tensor(type))
        narrowed.insert(result);
      result.setType(type);
    }
    return success();
  }

  /// A follower that reads only weights (an embedding table's gather, a
  /// reshaped or transposed weight) and whose every reader is one of this
  /// pass's casts to one narrow type reads the weights converted instead:
  /// moving data commutes with rounding, and the table is stored and read
  /// at half the bytes.
  LogicalResult narrowWeightFollower(Operation *op) {
    if (!followsOperands(op) || op->getNumResults() != 1 ||
        !isF32Tensor(op->getResult(0).getType()) ||
        op->getResult(0).use_empty())
      return success();
    Type target;
    for (Operation *user : op->getResult(0).getUsers()) {
      auto cast = dyn_cast<CastOp>(user);
      if (!cast || !llvm::is_contained(created, user) ||
          (target && target != cast.getTo()))
        return success();
      target = cast.getTo();
    }
    for (Value operand : op->getOperands())
      if (isFloatTensor(operand.getType()) &&
          !operand.getDefiningOp<ConstantOp>())
        return success();
    if (failed(retype(op, target)))
      return failure();
    for (Operation *user :
         llvm::make_early_inc_range(op->getResult(0).getUsers()))
      user->getResult(0).replaceAllUsesWith(op->getResult(0));
    return success();
  }

  /// The float element type shared by the float operands of a follower, or
  /// f32 when they differ.
  static Type followedType(Operation *op) {
    Type common;
    for (Type type : op->getOperandTypes()) {
      if (!isFloatTensor(type))
        continue;
      Type element = cast<RankedTensorType>(type).getElementType();
      if (common && common != element)
        return Float32Type::get(op->getContext());
      common = element;
    }
    return common ? common : Float32Type::get(op->getContext());
  }

  void rewrite(func::FuncOp func, ArrayRef<Decision> decisions) {
    MLIRContext *context = func.getContext();
    llvm::DenseMap<Operation *, const Decision *> byOp;
    for (const Decision &decision : decisions)
      byOp[decision.op] = &decision;
    auto elementOf = [&](Precision precision) -> Type {
      switch (precision) {
      case Precision::f16:
        return Float16Type::get(context);
      case Precision::bf16:
        return BFloat16Type::get(context);
      default:
        return Float32Type::get(context);
      }
    };
    auto f32 = Float32Type::get(context);
    SmallVector<Operation *> ops;
    for (Operation &op : func.getBody().front())
      ops.push_back(&op);
    for (Operation *op : ops) {
      const Decision *decision = byOp.lookup(op);
      // A cast reads any type: it converts what it is given.
      if (isa<ConstantOp, CastOp>(op)) {
        if (decision && explain)
          op->setAttr("dsr1.precision_reason",
                      StringAttr::get(context, decision->reason));
        continue;
      }
      Type element = f32;
      if (decision)
        element = elementOf(decision->precision);
      else if (followsOperands(op))
        element = followedType(op);
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        // The signature stays: results go back to their declared types.
        for (auto [operand, type] : llvm::zip_equal(
                 ret->getOpOperands(), func.getFunctionType().getResults()))
          if (narrowed.contains(operand.get()))
            operand.set(convert(operand.get(), getElementTypeOrSelf(type)));
        continue;
      }
      if (failed(retype(op, element)))
        return signalPassFailure();
      if (decision) {
        if (op->getAttrDictionary().contains("precision") ||
            isa<MatMulOp, GemmOp, ConvOp, ConvTransposeOp, AttentionOp, LstmOp,
                GruOp, SimpleRnnOp>(op))
          op->setAttr("precision",
                      PrecisionAttr::get(context, decision->precision));
        if (explain)
          op->setAttr("dsr1.precision_reason",
                      StringAttr::get(context, decision->reason));
      } else if (explain && followsOperands(op) &&
                 llvm::any_of(op->getResultTypes(), isFloatTensor)) {
        op->setAttr("dsr1.precision_reason",
                    StringAttr::get(context, "follows its operands"));
      }
    }
    for (Operation *op : ops)
      if (failed(narrowWeightFollower(op)))
        return signalPassFailure();
    // Casts made for a reader that then took another path, and weights
    // every reader now reads converted, go.
    for (Operation *op : llvm::reverse(created))
      if (op->use_empty())
        op->erase();
    for (auto &[key, value] : casts)
      if (Operation *def = key.first.getDefiningOp();
          def && isa<ConstantOp>(def) && def->use_empty())
        def->erase();
    created.clear();
    casts.clear();
    narrowed.clear();
  }

  llvm::DenseMap<std::pair<Value, Type>, Value> casts;
  /// The casts and converted weights made, in order.
  SmallVector<Operation *> created;
  /// f32 values this pass turned into f16 or bf16 ones.
  llvm::DenseSet<Value> narrowed;
};

} // namespace
} // namespace dsr1
