//===- PlanMemory.cpp - every intermediate at an offset in one arena ------===//
//
// The plan's arena is decided here, on the IR, so that the memory a model
// needs is part of the compiled graph (dsr1-opt shows it, lit tests check
// it) and the plan builder only copies offsets.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/MemorySchedule.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/Builders.h"

namespace dsr1 {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "compiler/passes/Passes.h.inc"
} // namespace dsr1

using namespace mlir;

namespace dsr1 {
namespace {

struct PlanMemoryPass : impl::PlanMemoryPassBase<PlanMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    for (func::FuncOp graph : graphFunctions(getOperation()))
      if (failed(plan(graph)))
        return signalPassFailure();
  }

  LogicalResult plan(func::FuncOp graph) {
    SmallVector<func::CallOp> calls;
    DenseMap<Value, int> valueIds;
    FailureOr<memory::Schedule> schedule =
        memory::buildSchedule(graph, calls, valueIds);
    if (failed(schedule))
      return failure();
    memory::Program program = memory::Program::identity(*schedule);
    std::vector<int> bufferOf;
    std::vector<memory::Interval> buffers =
        memory::arenaBuffers(*schedule, program, inPlace, &bufferOf);
    memory::Placement placement = memory::placeBuffers(buffers);

    Builder builder(graph.getContext());
    for (auto [launch, call] : llvm::zip(schedule->launches, calls)) {
      SmallVector<int64_t> offsets;
      for (int value : launch.results)
        offsets.push_back(
            bufferOf[value] < 0
                ? -1
                : static_cast<int64_t>(placement.offsets[bufferOf[value]]));
      call->setAttr(kArenaOffsetsAttrName,
                    builder.getDenseI64ArrayAttr(offsets));
    }
    uint64_t naive = memory::totalBytes(
        memory::arenaBuffers(*schedule, program, /*inPlace=*/false));
    uint64_t lowerBound = memory::lowerBound(buffers);
    graph->setAttr(
        kMemoryAttrName,
        builder.getDictionaryAttr({
            memory::countEntry(builder, "arena_bytes", placement.peak),
            memory::countEntry(builder, "lower_bound_bytes", lowerBound),
            memory::countEntry(builder, "naive_bytes", naive),
        }));
    if (report)
      emitRemark(graph.getLoc())
          << "arena of " << placement.peak << " bytes (naive: " << naive
          << " bytes, lower bound: " << lowerBound << " bytes)";
    return success();
  }
};

} // namespace
} // namespace dsr1
