//===- InsertRecompute.cpp - recompute values to fit a memory budget ------===//
//
// The strategies live in MemorySchedule.cpp and decide on a model of the
// graph; this pass parses the budget, runs one, writes its program back as
// cloned calls, and explains a budget that cannot be met.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/MemorySchedule.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"

namespace dsr1 {
#define GEN_PASS_DEF_INSERTRECOMPUTEPASS
#include "compiler/passes/Passes.h.inc"
} // namespace dsr1

using namespace mlir;

namespace dsr1 {
namespace {

/// `part` as a percentage of `whole`, two decimals.
std::string percent(uint64_t part, uint64_t whole) {
  return llvm::formatv("{0:F2}", whole ? 100.0 * static_cast<double>(part) /
                                             static_cast<double>(whole)
                                       : 0.0)
      .str();
}

struct InsertRecomputePass
    : impl::InsertRecomputePassBase<InsertRecomputePass> {
  using Base::Base;

  void runOnOperation() override {
    if (memoryBudget.empty() && scheduleJson.empty())
      return;
    std::optional<memory::Budget> budget;
    if (!memoryBudget.empty()) {
      budget = memory::parseBudget(memoryBudget);
      if (!budget) {
        emitError(getOperation().getLoc())
            << "the memory budget '" << memoryBudget
            << "' is neither a byte count (like 1048576, 512K, 1.5G or "
               "64MiB) nor a percentage of the unconstrained arena (like "
               "50%)";
        return signalPassFailure();
      }
    }
    memory::RecomputeOptions options;
    options.allowExpensive = recomputeExpensive;
    if (strategy == "dsr1") {
      options.strategy = memory::Strategy::greedy;
    } else if (strategy == "sqrt") {
      options.strategy = memory::Strategy::sqrt;
    } else {
      emitError(getOperation().getLoc())
          << "unknown recomputation strategy '" << strategy
          << "' (expected dsr1 or sqrt)";
      return signalPassFailure();
    }
    for (func::FuncOp graph : graphFunctions(getOperation()))
      if (failed(fit(graph, budget, options)))
        return signalPassFailure();
  }

  LogicalResult fit(func::FuncOp graph,
                    const std::optional<memory::Budget> &budget,
                    memory::RecomputeOptions options) {
    SmallVector<func::CallOp> calls;
    DenseMap<Value, int> valueIds;
    FailureOr<memory::Schedule> schedule =
        memory::buildSchedule(graph, calls, valueIds);
    if (failed(schedule))
      return failure();
    memory::Program identity = memory::Program::identity(*schedule);
    uint64_t unconstrained =
        memory::placeBuffers(
            memory::arenaBuffers(*schedule, identity, /*inPlace=*/true))
            .peak;
    if (!budget)
      return writeSchedule(graph, *schedule, identity);
    options.budget = budget->bytes(unconstrained);
    memory::RecomputeResult result = memory::recompute(*schedule, options);
    if (!result.met)
      return explainMiss(graph, *schedule, calls, options);
    if (failed(writeSchedule(graph, *schedule, result.program)))
      return failure();

    memory::materialize(result.program, calls, valueIds);
    uint64_t extra = result.program.extraFlops(*schedule);
    uint64_t total = schedule->totalFlops();
    unsigned recomputed = result.program.numRecomputed();
    Builder builder(graph.getContext());
    graph->setAttr(
        kRecomputationAttrName,
        builder.getDictionaryAttr({
            memory::countEntry(builder, "budget_bytes", options.budget),
            memory::countEntry(builder, "extra_flops", extra),
            memory::countEntry(builder, "recomputed", recomputed),
            builder.getNamedAttr("strategy", builder.getStringAttr(strategy)),
            memory::countEntry(builder, "total_flops", total),
            memory::countEntry(builder, "unconstrained_bytes", unconstrained),
        }));
    if (report)
      emitRemark(graph.getLoc())
          << "recomputed " << recomputed << " launches (" << strategy
          << "): arena of " << result.planned << " bytes within the budget of "
          << options.budget << " (" << unconstrained
          << " without recomputation), " << extra << " extra FLOPs ("
          << percent(extra, total) << "% of " << total << ")";
    return success();
  }

  LogicalResult writeSchedule(func::FuncOp graph,
                              const memory::Schedule &schedule,
                              const memory::Program &program) {
    if (scheduleJson.empty())
      return success();
    std::error_code error;
    llvm::raw_fd_ostream os(scheduleJson, error);
    if (error)
      return emitError(graph.getLoc())
             << "cannot write the schedule to '" << scheduleJson
             << "': " << error.message();
    schedule.writeJson(os, graph.getSymName(), &program);
    return success();
  }

  /// The smallest arena the strategy reaches, with and without expensive
  /// recomputation, and the launch no recomputation shrinks.
  LogicalResult explainMiss(func::FuncOp graph,
                            const memory::Schedule &schedule,
                            MutableArrayRef<func::CallOp> calls,
                            const memory::RecomputeOptions &options) {
    memory::RecomputeOptions lowest = options;
    InFlightDiagnostic diag =
        emitError(graph.getLoc())
        << "the memory budget of " << options.budget
        << " bytes cannot be met: the smallest arena "
           "reachable by recomputing "
        << (options.allowExpensive ? "any kernel" : "cheap kernels") << " is "
        << memory::smallestArena(schedule, lowest) << " bytes";
    if (!options.allowExpensive) {
      lowest.allowExpensive = true;
      diag << " (" << memory::smallestArena(schedule, lowest)
           << " bytes with recompute-expensive)";
    }
    int launch = -1;
    uint64_t floor = memory::launchFloor(schedule, launch);
    if (launch >= 0)
      diag.attachNote(calls[launch].getLoc())
          << "kernel '" << schedule.launches[launch].name << "' alone reads "
          << "and writes " << floor << " bytes of intermediates";
    return failure();
  }
};

} // namespace
} // namespace dsr1
