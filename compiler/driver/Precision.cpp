//===- Precision.cpp - calibration, the accuracy budget, the report -------===//
//
// Calibration and the search compile the graph for the cpu device (which
// emulates every precision exactly: f16/bf16 rounding on every store, TF32
// rounding of product inputs) and run it in a HostSession, so the accuracy
// measured here is the one the GPU gives.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Precision.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/driver/CompileModel.h"
#include "compiler/passes/CostModel.h"
#include "compiler/passes/Passes.h"
#include "compiler/pipelines/Pipelines.h"
#include "compiler/support/NodeName.h"
#include "runtime/HostSession.h"
#include "runtime/TensorIO.h"

#include "mlir/IR/Builders.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

using namespace mlir;

namespace dsr1 {

namespace {

constexpr llvm::StringLiteral kObservedAttr = "dsr1.observed_range";
constexpr llvm::StringLiteral kReasonAttr = "dsr1.precision_reason";
constexpr llvm::StringLiteral kRankAttr = "dsr1.precision_rank";

bool isFloat(DType type) {
  return type == DType::f16 || type == DType::bf16 || type == DType::f32 ||
         type == DType::f64;
}

bool isF32Tensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isF32();
}

/// Calls `fn` with every element of `tensor` as a double (f32 read
/// directly: calibration scans every value of the model).
template <typename Fn> void forEach(const HostTensor &tensor, Fn fn) {
  int64_t count = tensor.numElements();
  if (tensor.dtype == DType::f32) {
    const auto *data = reinterpret_cast<const uint8_t *>(tensor.data.data());
    for (int64_t i = 0; i < count; ++i) {
      float x;
      std::memcpy(&x, data + i * sizeof(float), sizeof(float));
      fn(static_cast<double>(x));
    }
    return;
  }
  for (int64_t i = 0; i < count; ++i)
    fn(tensor.elementAsDouble(i));
}

/// [lo, hi] over the finite elements seen so far.
struct Extent {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(const HostTensor &tensor) {
    forEach(tensor, [&](double x) {
      if (!std::isfinite(x))
        return;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    });
  }
  bool seen() const { return lo <= hi; }
};

func::FuncOp soleGraph(ModuleOp module) {
  SmallVector<func::FuncOp> graphs = graphFunctions(module);
  return graphs.size() == 1 ? graphs.front() : func::FuncOp();
}

/// Compiles `module` for the cpu device with `options` (calibration and
/// reports off) and runs it on every set.
FailureOr<std::vector<std::vector<HostTensor>>>
compileAndRun(ModuleOp module, CompileOptions options,
              const std::vector<std::vector<HostTensor>> &sets) {
  options.device = Device::cpu;
  options.alsoCpu = false;
  options.planOnly = false;
  options.showProgress = false;
  options.calibration.clear();
  options.memory = {};
  FailureOr<CompiledModel> compiled = compileModule(module, options);
  if (failed(compiled))
    return failure();
  Result<std::unique_ptr<HostSession>> session =
      HostSession::create(compiled->plan, compiled->kernels);
  if (!session)
    return emitError(module.getLoc()) << session.status().message();
  std::vector<std::vector<HostTensor>> outputs;
  for (const std::vector<HostTensor> &inputs : sets) {
    Result<std::vector<HostTensor>> run = (*session)->run(inputs);
    if (!run)
      return emitError(module.getLoc())
             << "calibration run failed: " << run.status().message();
    outputs.push_back(std::move(*run));
  }
  return outputs;
}

/// Runs the f32 graph of `module` on the calibration sets with every f32
/// value an output, records each value's range on its op (and each input's
/// on its argument), and returns the graph's own outputs as the reference.
FailureOr<std::vector<std::vector<HostTensor>>>
calibrate(ModuleOp module, const CompileOptions &options) {
  func::FuncOp graph = soleGraph(module);
  if (!graph)
    return emitError(module.getLoc())
           << "precision: the module must hold exactly one graph function";
  MLIRContext *context = module.getContext();
  const auto &sets = options.calibration;
  for (const std::vector<HostTensor> &set : sets)
    if (set.size() != graph.getNumArguments())
      return emitError(graph.getLoc())
             << "a calibration set has " << set.size()
             << " inputs; the model takes " << graph.getNumArguments();
  for (unsigned i = 0; i < graph.getNumArguments(); ++i) {
    Extent extent;
    for (const std::vector<HostTensor> &set : sets)
      if (set[i].dtype != DType::i1)
        extent.add(set[i]);
    if (extent.seen())
      graph.setArgAttr(i, kObservedAttr,
                       DenseF64ArrayAttr::get(context, {extent.lo, extent.hi}));
  }

  // The probe: the same graph returning every f32 value after its outputs.
  OwningOpRef<ModuleOp> probe = module.clone();
  func::FuncOp probeGraph = soleGraph(*probe);
  SmallVector<std::pair<Operation *, unsigned>> observed;
  SmallVector<Value> extra;
  for (auto [op, probeOp] :
       llvm::zip_equal(graph.getBody().front(), probeGraph.getBody().front())) {
    if (isa<ConstantOp, func::ReturnOp>(op))
      continue;
    for (OpResult result : op.getResults())
      if (isF32Tensor(result.getType())) {
        observed.emplace_back(&op, result.getResultNumber());
        extra.push_back(probeOp.getResult(result.getResultNumber()));
      }
  }
  Operation *terminator = probeGraph.getBody().front().getTerminator();
  unsigned numOutputs = terminator->getNumOperands();
  SmallVector<Value> returned(terminator->getOperands());
  returned.append(extra.begin(), extra.end());
  terminator->setOperands(returned);
  probeGraph.setType(FunctionType::get(context, probeGraph.getArgumentTypes(),
                                       ValueRange(returned).getTypes()));
  // Names of the extra results are not needed: the plan names them itself.
  probeGraph.setAllResultAttrs(ArrayRef<DictionaryAttr>{});

  CompileOptions probeOptions = options;
  probeOptions.optimize.precision = PrecisionOptions{};
  FailureOr<std::vector<std::vector<HostTensor>>> outputs =
      compileAndRun(*probe, probeOptions, sets);
  if (failed(outputs))
    return failure();

  std::vector<Extent> extents(observed.size());
  std::vector<std::vector<HostTensor>> reference;
  for (std::vector<HostTensor> &run : *outputs) {
    for (size_t j = 0; j < observed.size(); ++j)
      extents[j].add(run[numOutputs + j]);
    run.resize(numOutputs);
    reference.push_back(std::move(run));
  }
  // One [lo, hi] per result (empty where nothing finite was seen).
  std::map<Operation *, SmallVector<Attribute>> ranges;
  for (auto [index, entry] : llvm::enumerate(observed)) {
    auto &[op, result] = entry;
    SmallVector<Attribute> &perResult = ranges[op];
    if (perResult.empty())
      perResult.assign(op->getNumResults(),
                       DenseF64ArrayAttr::get(context, {}));
    if (extents[index].seen())
      perResult[result] = DenseF64ArrayAttr::get(
          context, {extents[index].lo, extents[index].hi});
  }
  for (auto &[op, perResult] : ranges)
    op->setAttr(kObservedAttr, ArrayAttr::get(context, perResult));
  return reference;
}

/// The ops -dsr1-assign-precision ranks in `auto` on `module`'s graph.
FailureOr<int64_t> countCandidates(ModuleOp module,
                                   const PrecisionOptions &precision) {
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  AssignPrecisionPassOptions assign;
  assign.mode = "auto";
  assign.bf16 = precision.bf16;
  assign.rangeHeadroom = precision.rangeHeadroom;
  assign.explain = true;
  pm.addNestedPass<func::FuncOp>(createAssignPrecisionPass(assign));
  if (failed(pm.run(*copy)))
    return failure();
  int64_t count = 0;
  copy->walk([&](Operation *op) { count += op->hasAttr(kRankAttr); });
  return count;
}

} // namespace

double relativeError(const std::vector<HostTensor> &outputs,
                     const std::vector<HostTensor> &reference,
                     int64_t &nonFinite) {
  double worst = 0;
  for (size_t i = 0; i < outputs.size() && i < reference.size(); ++i) {
    const HostTensor &got = outputs[i], &want = reference[i];
    if (!isFloat(got.dtype) || got.numElements() != want.numElements())
      continue;
    double scale = 0, diff = 0;
    bool broken = false;
    for (int64_t e = 0; e < want.numElements(); ++e) {
      double y = got.elementAsDouble(e), r = want.elementAsDouble(e);
      if (!std::isfinite(r))
        continue;
      scale = std::max(scale, std::fabs(r));
      if (!std::isfinite(y)) {
        ++nonFinite;
        broken = true;
        continue;
      }
      diff = std::max(diff, std::fabs(y - r));
    }
    double error = broken      ? std::numeric_limits<double>::infinity()
                   : scale > 0 ? diff / scale
                               : diff;
    worst = std::max(worst, error);
  }
  return worst;
}

Result<std::vector<std::vector<HostTensor>>>
readCalibration(const std::string &dir) {
  std::error_code error;
  if (!llvm::sys::fs::is_directory(dir))
    return Status::error("calibration folder '" + dir + "' does not exist");
  std::vector<std::string> folders;
  for (llvm::sys::fs::directory_iterator it(dir, error), end;
       it != end && !error; it.increment(error)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.starts_with("test_data_set_") &&
        llvm::sys::fs::is_directory(it->path()))
      folders.push_back(it->path());
  }
  std::sort(folders.begin(), folders.end());
  bool flat = llvm::sys::fs::exists(dir + "/input_0.pb") || folders.empty();
  if (flat)
    folders = {dir};
  std::vector<std::vector<HostTensor>> sets;
  for (const std::string &folder : folders) {
    Result<std::vector<HostTensor>> set = readTensorDir(folder, "input");
    if (!set)
      return Status::error("calibration: " + set.status().message());
    sets.push_back(std::move(*set));
  }
  return sets;
}

Status PrecisionFlags::apply(CompileOptions &options,
                             const std::vector<HostTensor> *fallback) const {
  static constexpr const char *modes[] = {"fp32", "tf32", "fp16", "bf16",
                                          "auto"};
  if (llvm::find(modes, mode.getValue()) == std::end(modes))
    return Status::error("unknown --precision '" + mode +
                         "' (expected fp32, tf32, fp16, bf16 or auto)");
  if (!(accuracyBudget > 0))
    return Status::error("--accuracy-budget must be positive");
  options.optimize.precision.mode = mode;
  options.optimize.precision.allowTf32 = allowTf32;
  options.accuracyBudget = accuracyBudget;
  if (!calibration.empty()) {
    Result<std::vector<std::vector<HostTensor>>> sets =
        readCalibration(calibration);
    if (!sets)
      return sets.status();
    options.calibration = std::move(*sets);
  } else if (mode == "auto" && fallback && !fallback->empty()) {
    options.calibration = {*fallback};
  }
  return Status::ok();
}

LogicalResult preparePrecision(ModuleOp module, CompileOptions &options,
                               PrecisionReport &report) {
  PrecisionOptions &precision = options.optimize.precision;
  report.mode = precision.mode;
  report.budget = options.accuracyBudget;
  report.calibrationSets = options.calibration.size();
  if (precision.mode == "fp32")
    return success();
  precision.explain = true;
  bool automatic = precision.mode == "auto";
  // A try of the search itself: the ranges are on the graph already.
  if (precision.decided)
    return success();
  if (automatic && options.calibration.empty())
    return emitError(module.getLoc())
           << "precision auto needs calibration inputs to check its accuracy "
              "budget against (--calibration DIR)";
  if (options.calibration.empty())
    return success();

  PassManager cleanup(module.getContext());
  buildCleanupPipeline(cleanup, options.optimize);
  if (failed(cleanup.run(module)))
    return failure();
  bool progress = options.showProgress;
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  if (progress)
    llvm::errs() << "dsr1: calibrating on " << options.calibration.size()
                 << " input set(s)...";
  FailureOr<std::vector<std::vector<HostTensor>>> reference =
      calibrate(module, options);
  if (failed(reference))
    return failure();
  if (progress)
    llvm::errs() << llvm::format(" %.2f s\n", elapsed());
  if (!automatic)
    return success();

  FailureOr<int64_t> candidates = countCandidates(module, precision);
  if (failed(candidates))
    return failure();
  report.candidates = *candidates;
  int64_t n = report.candidates;
  // Compiles with the ranks in `demoted` demoted and the rest kept; true
  // when the outputs stay within the budget.
  auto tryDemoting = [&](const std::vector<bool> &demoted) -> FailureOr<bool> {
    OwningOpRef<ModuleOp> copy = module.clone();
    CompileOptions trial = options;
    PrecisionOptions &choice = trial.optimize.precision;
    choice.demoteLimit = -1;
    choice.keepRanks.clear();
    for (int64_t rank = 0; rank < n; ++rank)
      if (!demoted[rank])
        choice.keepRanks.push_back(rank);
    choice.decided = true;
    choice.explain = false;
    FailureOr<std::vector<std::vector<HostTensor>>> outputs =
        compileAndRun(*copy, trial, options.calibration);
    if (failed(outputs))
      return failure();
    PrecisionReport::Trial result{
        static_cast<int64_t>(llvm::count(demoted, true)), 0, 0};
    for (size_t s = 0; s < outputs->size(); ++s)
      result.error =
          std::max(result.error, relativeError((*outputs)[s], (*reference)[s],
                                               result.nonFinite));
    report.trials.push_back(result);
    bool within = result.nonFinite == 0 && result.error <= report.budget;
    if (progress)
      llvm::errs() << llvm::format(
          "dsr1: precision auto: %lld of %lld ops demoted: error %.3g %s "
          "(%.1f s)\n",
          static_cast<long long>(result.demoted), static_cast<long long>(n),
          result.error, within ? "within budget" : "over budget", elapsed());
    return within;
  };
  auto prefix = [&](int64_t count) {
    std::vector<bool> demoted(n, false);
    std::fill(demoted.begin(), demoted.begin() + count, true);
    return demoted;
  };

  // Everything, if the budget allows it.
  FailureOr<bool> all = tryDemoting(prefix(n));
  if (failed(all))
    return failure();
  std::vector<bool> accepted = prefix(n);
  if (!*all) {
    // The longest prefix of the ranking that fits, by bisection (demoting
    // more mostly adds error) ...
    int64_t good = 0, bad = n;
    while (bad - good > 1) {
      int64_t middle = good + (bad - good) / 2;
      FailureOr<bool> within = tryDemoting(prefix(middle));
      if (failed(within))
        return failure();
      (*within ? good : bad) = middle;
    }
    // ... then the op that broke it stays behind and the rest of the
    // ranking is offered in groups, halved where a group breaks the budget
    // (so a few sensitive ops cost a few tries each, not the whole tail).
    accepted = prefix(good);
    std::vector<std::pair<int64_t, int64_t>> groups = {{good + 1, n}};
    while (!groups.empty() && static_cast<int64_t>(report.trials.size()) <
                                  options.maxPrecisionTrials) {
      auto [begin, end] = groups.back();
      groups.pop_back();
      if (begin >= end)
        continue;
      std::vector<bool> candidate = accepted;
      std::fill(candidate.begin() + begin, candidate.begin() + end, true);
      FailureOr<bool> within = tryDemoting(candidate);
      if (failed(within))
        return failure();
      if (*within) {
        accepted = std::move(candidate);
      } else if (end - begin > 1) {
        int64_t middle = begin + (end - begin) / 2;
        groups.push_back({middle, end});
        groups.push_back({begin, middle});
      }
    }
  }
  precision.demoteLimit = -1;
  precision.keepRanks.clear();
  for (int64_t rank = 0; rank < n; ++rank)
    if (!accepted[rank])
      precision.keepRanks.push_back(rank);
  return success();
}

void collectPrecisionReport(ModuleOp module, PrecisionReport &report) {
  module.walk([&](Operation *op) {
    op->removeAttr(kObservedAttr);
    op->removeAttr(kRankAttr);
    auto reason = op->getAttrOfType<StringAttr>(kReasonAttr);
    if (!reason)
      return;
    op->removeAttr(kReasonAttr);
    PrecisionReport::Row row;
    row.node = nodeName(op->getLoc());
    row.op = op->getName().getStringRef().str();
    row.reason = reason.str();
    row.flops = estimateFlops(op);
    row.product = isExpensiveOp(op);
    if (auto attr = op->getAttrOfType<PrecisionAttr>("precision")) {
      row.precision = stringifyPrecision(attr.getValue()).str();
    } else {
      row.precision = "f32";
      for (Type type : op->getResultTypes()) {
        Type element = getElementTypeOrSelf(type);
        if (element.isF16())
          row.precision = "f16";
        else if (element.isBF16())
          row.precision = "bf16";
        else
          continue;
        break;
      }
    }
    report.rows.push_back(std::move(row));
  });
  for (auto func : module.getOps<func::FuncOp>())
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.removeArgAttr(i, kObservedAttr);
}

double PrecisionReport::flopShare(llvm::StringRef precision,
                                  bool productsOnly) const {
  double total = 0, part = 0;
  for (const Row &row : rows) {
    if (productsOnly && !row.product)
      continue;
    total += static_cast<double>(row.flops);
    if (row.precision == precision)
      part += static_cast<double>(row.flops);
  }
  return total > 0 ? part / total : 0;
}

void PrecisionReport::print(llvm::raw_ostream &os) const {
  os << "precision: mode " << mode;
  if (calibrationSets)
    os << ", calibrated on " << calibrationSets << " input set(s)";
  os << "\n";
  if (!trials.empty()) {
    os << llvm::format("  accuracy budget %.3g (max relative error of the "
                       "outputs against f32), %lld ops could be demoted:\n",
                       budget, static_cast<long long>(candidates));
    for (const Trial &trial : trials)
      os << llvm::format("    %lld demoted: error %.3g, %lld non-finite\n",
                         static_cast<long long>(trial.demoted), trial.error,
                         static_cast<long long>(trial.nonFinite));
  }
  size_t nodeWidth = 4, opWidth = 2;
  for (const Row &row : rows) {
    nodeWidth = std::max(nodeWidth, row.node.size());
    opWidth = std::max(opWidth, row.op.size());
  }
  nodeWidth = std::min<size_t>(nodeWidth, 48);
  os << "  " << llvm::left_justify("node", nodeWidth) << "  "
     << llvm::left_justify("op", opWidth) << "  precision  reason\n";
  for (const Row &row : rows)
    os << "  " << llvm::left_justify(row.node, nodeWidth) << "  "
       << llvm::left_justify(row.op, opWidth) << "  "
       << llvm::left_justify(row.precision, 9) << "  " << row.reason << "\n";
  for (bool products : {true, false}) {
    os << (products ? "  FLOPs of products (matmul, gemm, conv, attention, "
                      "recurrent):"
                    : "  FLOPs of all ops:");
    for (llvm::StringRef precision : {"f16", "bf16", "tf32", "f32"})
      os << llvm::format(" %s %.1f%%", precision.str().c_str(),
                         100 * flopShare(precision, products));
    os << "\n";
  }
}

} // namespace dsr1
