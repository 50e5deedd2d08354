//===- MemorySchedule.cpp - liveness, arena placement, recomputation ------===//
//
// Recomputation is decided on a model of the graph (Schedule, Program) and
// written back to the IR once: strategies try many candidate programs, and
// copying a vector of steps is far cheaper than cloning and erasing calls.
// The decisions count memory as the sum of live buffers; the arena they are
// judged by is the placed one, so recompute() places each result and
// tightens its own target by what placement loses to fragmentation.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/MemorySchedule.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/CostModel.h"
#include "compiler/passes/Fusion.h"
#include "compiler/passes/Passes.h"
#include "compiler/support/NodeName.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

using namespace mlir;

namespace dsr1::memory {

uint64_t alignedSize(uint64_t bytes) {
  return std::max<uint64_t>((bytes + kAlignment - 1) / kAlignment * kAlignment,
                            kAlignment);
}

uint64_t Schedule::totalFlops() const {
  uint64_t flops = 0;
  for (const ScheduleLaunch &launch : launches)
    flops += launch.flops;
  return flops;
}

void Schedule::writeJson(raw_ostream &os, StringRef model,
                         const Program *program) const {
  auto kindName = [](ValueKind kind) {
    switch (kind) {
    case ValueKind::input:
      return "input";
    case ValueKind::weight:
      return "weight";
    case ValueKind::output:
      return "output";
    case ValueKind::arena:
      return "arena";
    }
    return "arena";
  };
  llvm::json::OStream json(os, /*IndentSize=*/1);
  json.object([&] {
    json.attribute("format", "dsr1-schedule-1");
    json.attribute("model", model);
    json.attributeArray("values", [&] {
      for (auto [id, value] : llvm::enumerate(values))
        json.object([&] {
          json.attribute("id", static_cast<int64_t>(id));
          json.attribute("name", value.name);
          json.attribute("bytes", static_cast<int64_t>(value.bytes));
          json.attribute("kind", kindName(value.kind));
        });
    });
    json.attributeArray("launches", [&] {
      for (const ScheduleLaunch &launch : launches)
        json.object([&] {
          json.attribute("name", launch.name);
          json.attribute("family", launch.family);
          json.attribute("flops", static_cast<int64_t>(launch.flops));
          json.attribute("expensive", launch.expensive);
          json.attributeArray("operands", [&] {
            for (int id : launch.operands)
              json.value(id);
          });
          json.attributeArray("results", [&] {
            for (int id : launch.results)
              json.value(id);
          });
        });
    });
    json.attributeArray("recompute", [&] {
      if (!program)
        return;
      for (auto [i, step] : llvm::enumerate(program->steps)) {
        if (!step.recompute)
          continue;
        // Re-executions run before the next original launch.
        auto next = std::find_if(
            program->steps.begin() + i, program->steps.end(),
            [](const Program::Step &later) { return !later.recompute; });
        json.object([&] {
          json.attribute("launch", step.launch);
          json.attribute("before_launch",
                         next == program->steps.end()
                             ? static_cast<int64_t>(launches.size())
                             : next->launch);
        });
      }
    });
  });
  os << "\n";
}

namespace {

/// The bytes of a statically shaped tensor in the runtime's layout (a byte
/// per element for the types narrower than one).
std::optional<uint64_t> tensorBytes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return std::nullopt;
  uint64_t width = tensor.getElementTypeBitWidth();
  return static_cast<uint64_t>(tensor.getNumElements()) *
         std::max<uint64_t>(1, (width + 7) / 8);
}

} // namespace

FailureOr<Schedule> buildSchedule(func::FuncOp graph,
                                  SmallVectorImpl<func::CallOp> &calls,
                                  DenseMap<Value, int> &valueIds) {
  Schedule schedule;
  auto addValue = [&](Value value, std::string name, ValueKind kind,
                      int producer, Location loc) -> LogicalResult {
    std::optional<uint64_t> bytes = tensorBytes(value.getType());
    // Only the arena's values need a size: the others are the caller's
    // buffers or the plan's weights.
    if (!bytes && kind != ValueKind::arena)
      bytes = 0;
    if (!bytes)
      return emitError(loc)
             << "the size of '" << name << "' (" << value.getType()
             << ") is not known at compile time; give the "
                "model's input shapes to plan its memory";
    valueIds[value] = static_cast<int>(schedule.values.size());
    schedule.values.push_back({std::move(name), *bytes, kind, producer});
    return success();
  };

  for (BlockArgument arg : graph.getArguments()) {
    auto name =
        graph.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
    if (failed(addValue(arg,
                        name ? name.str()
                             : "input_" + std::to_string(arg.getArgNumber()),
                        ValueKind::input, -1, graph.getLoc())))
      return failure();
  }
  Operation *terminator = graph.getBody().front().getTerminator();
  llvm::SmallPtrSet<Value, 8> returned(terminator->getOperands().begin(),
                                       terminator->getOperands().end());
  for (Operation &op : graph.getBody().front()) {
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      if (failed(addValue(constant, nodeName(constant.getLoc()),
                          ValueKind::weight, -1, constant.getLoc())))
        return failure();
      continue;
    }
    if (&op == terminator)
      continue;
    auto call = dyn_cast<func::CallOp>(op);
    auto kernel = call ? SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
                             call, call.getCalleeAttr())
                       : nullptr;
    if (!kernel || !kernel->hasAttr(kKernelAttrName) || kernel.isExternal())
      return op.emitError()
             << "cannot plan '" << op.getName()
             << "': the graph must hold only constants and kernel calls "
                "(run -dsr1-outline-kernels first)";
    ScheduleLaunch launch;
    launch.name = nodeName(call.getLoc());
    auto family = kernel->getAttrOfType<FusionFamilyAttr>(kFamilyAttrName);
    launch.family =
        family ? stringifyFusionFamily(family.getValue()).str() : "other";
    launch.flops = estimateKernelFlops(kernel);
    launch.expensive = isExpensiveKernel(kernel);
    for (Value operand : call.getOperands())
      launch.operands.push_back(valueIds.lookup(operand));
    int index = static_cast<int>(calls.size());
    for (auto [i, result] : llvm::enumerate(call.getResults())) {
      launch.results.push_back(static_cast<int>(schedule.values.size()));
      std::string name =
          launch.name +
          (call.getNumResults() > 1 ? ":" + std::to_string(i) : std::string());
      if (failed(addValue(result, std::move(name),
                          returned.contains(result) ? ValueKind::output
                                                    : ValueKind::arena,
                          index, call.getLoc())))
        return failure();
    }
    // An elementwise kernel reads an operand of the result's own shape at
    // exactly the element it writes, so the result may overwrite it.
    if (family && family.getValue() == FusionFamily::elementwise &&
        call.getNumResults() == 1) {
      auto result = cast<RankedTensorType>(call.getResult(0).getType());
      for (auto [i, operand] : llvm::enumerate(call.getOperands())) {
        auto type = dyn_cast<RankedTensorType>(operand.getType());
        if (type && type.getShape() == result.getShape() &&
            schedule.values[launch.operands[i]].bytes ==
                schedule.values[launch.results[0]].bytes)
          launch.inPlaceOperands.push_back(i);
      }
    }
    calls.push_back(call);
    schedule.launches.push_back(std::move(launch));
  }
  return schedule;
}

//===----------------------------------------------------------------------===//
// Programs and their live buffers
//===----------------------------------------------------------------------===//

Program Program::identity(const Schedule &schedule) {
  Program program;
  program.instanceValue.resize(schedule.values.size());
  std::iota(program.instanceValue.begin(), program.instanceValue.end(), 0);
  for (auto [i, launch] : llvm::enumerate(schedule.launches))
    program.steps.push_back({static_cast<int>(i), false,
                             SmallVector<int, 4>(launch.operands),
                             SmallVector<int, 2>(launch.results)});
  return program;
}

uint64_t Program::extraFlops(const Schedule &schedule) const {
  uint64_t flops = 0;
  for (const Step &step : steps)
    if (step.recompute)
      flops += schedule.launches[step.launch].flops;
  return flops;
}

unsigned Program::numRecomputed() const {
  return static_cast<unsigned>(
      llvm::count_if(steps, [](const Step &step) { return step.recompute; }));
}

namespace {

/// Where each instance is written and last read, in step positions, and
/// the instances of each value.
struct Lifetimes {
  std::vector<int> def, last;
  std::vector<SmallVector<int, 2>> copies;

  explicit Lifetimes(const Program &program) {
    size_t count = program.instanceValue.size();
    def.assign(count, -1);
    last.assign(count, -1);
    for (auto [instance, value] : llvm::enumerate(program.instanceValue)) {
      if (copies.size() <= static_cast<size_t>(value))
        copies.resize(value + 1);
      copies[value].push_back(static_cast<int>(instance));
    }
    for (auto [position, step] : llvm::enumerate(program.steps)) {
      int at = static_cast<int>(position);
      for (int instance : step.results)
        def[instance] = last[instance] = at;
      for (int instance : step.operands)
        last[instance] = std::max(last[instance], at);
    }
  }
};

bool isArena(const Schedule &schedule, const Program &program, int instance) {
  return schedule.values[program.instanceValue[instance]].kind ==
         ValueKind::arena;
}

uint64_t instanceBytes(const Schedule &schedule, const Program &program,
                       int instance) {
  return alignedSize(schedule.values[program.instanceValue[instance]].bytes);
}

} // namespace

std::vector<Interval> arenaBuffers(const Schedule &schedule,
                                   const Program &program, bool inPlace,
                                   std::vector<int> *instanceBuffer) {
  Lifetimes lifetimes(program);
  std::vector<int> buffer(program.instanceValue.size(), -1);
  std::vector<Interval> buffers;
  for (auto [position, step] : llvm::enumerate(program.steps)) {
    int at = static_cast<int>(position);
    const ScheduleLaunch &launch = schedule.launches[step.launch];
    int shared = -1;
    if (inPlace && !step.results.empty() &&
        isArena(schedule, program, step.results.front())) {
      for (unsigned operand : launch.inPlaceOperands) {
        int instance = step.operands[operand];
        // The operand must die here, and its buffer must not already be
        // taken by another result of this step.
        if (buffer[instance] >= 0 && lifetimes.last[instance] == at &&
            buffers[buffer[instance]].last == at) {
          shared = buffer[instance];
          break;
        }
      }
    }
    for (int instance : step.results) {
      if (!isArena(schedule, program, instance))
        continue;
      int last = lifetimes.last[instance];
      if (shared >= 0) {
        buffer[instance] = shared;
        buffers[shared].last = last;
        shared = -1;
        continue;
      }
      buffer[instance] = static_cast<int>(buffers.size());
      buffers.push_back({at, last, instanceBytes(schedule, program, instance)});
    }
  }
  if (instanceBuffer)
    *instanceBuffer = std::move(buffer);
  return buffers;
}

namespace {

/// Bytes live at each step.
std::vector<uint64_t> liveProfile(const std::vector<Interval> &buffers,
                                  size_t steps) {
  std::vector<int64_t> delta(steps + 1, 0);
  for (const Interval &buffer : buffers) {
    delta[buffer.first] += static_cast<int64_t>(buffer.bytes);
    delta[buffer.last + 1] -= static_cast<int64_t>(buffer.bytes);
  }
  std::vector<uint64_t> live(steps, 0);
  int64_t sum = 0;
  for (size_t i = 0; i < steps; ++i)
    live[i] = static_cast<uint64_t>(sum += delta[i]);
  return live;
}

size_t numSteps(const std::vector<Interval> &buffers) {
  int steps = 0;
  for (const Interval &buffer : buffers)
    steps = std::max(steps, buffer.last + 1);
  return static_cast<size_t>(steps);
}

} // namespace

uint64_t lowerBound(const std::vector<Interval> &buffers) {
  std::vector<uint64_t> live = liveProfile(buffers, numSteps(buffers));
  return live.empty() ? 0 : *std::max_element(live.begin(), live.end());
}

uint64_t totalBytes(const std::vector<Interval> &buffers) {
  uint64_t total = 0;
  for (const Interval &buffer : buffers)
    total += buffer.bytes;
  return total;
}

namespace {

/// Places buffers one by one in `order`, each in a gap between the placed
/// buffers that share a step with it: the smallest gap that fits
/// (`bestFit`) or the lowest.
Placement placeInOrder(const std::vector<Interval> &buffers,
                       ArrayRef<size_t> order, bool bestFit) {
  Placement placement;
  placement.offsets.assign(buffers.size(), 0);
  std::vector<size_t> placed;
  std::vector<size_t> overlapping;
  for (size_t index : order) {
    const Interval &buffer = buffers[index];
    overlapping.clear();
    for (size_t other : placed)
      if (buffers[other].first <= buffer.last &&
          buffer.first <= buffers[other].last)
        overlapping.push_back(other);
    llvm::sort(overlapping, [&](size_t a, size_t b) {
      return placement.offsets[a] < placement.offsets[b];
    });
    uint64_t cursor = 0;
    std::optional<uint64_t> best;
    uint64_t bestGap = 0;
    for (size_t other : overlapping) {
      uint64_t offset = placement.offsets[other];
      if (offset >= cursor + buffer.bytes &&
          (!best || offset - cursor < bestGap)) {
        best = cursor;
        bestGap = offset - cursor;
        if (!bestFit)
          break;
      }
      cursor = std::max(cursor, offset + buffers[other].bytes);
    }
    placement.offsets[index] = best ? *best : cursor;
    placement.peak =
        std::max(placement.peak, placement.offsets[index] + buffer.bytes);
    placed.push_back(index);
  }
  return placement;
}

} // namespace

Placement placeBuffers(const std::vector<Interval> &buffers) {
  // No one order is best for every schedule; each of these is cheap, so
  // try them all and keep the smallest arena.
  auto length = [&](size_t i) { return buffers[i].last - buffers[i].first; };
  auto area = [&](size_t i) {
    return buffers[i].bytes * static_cast<uint64_t>(length(i) + 1);
  };
  using Order = std::function<bool(size_t, size_t)>;
  // Large and long-lived buffers first: they are the hardest to fit later.
  Order bySize = [&](size_t a, size_t b) {
    if (buffers[a].bytes != buffers[b].bytes)
      return buffers[a].bytes > buffers[b].bytes;
    return length(a) > length(b);
  };
  Order byArea = [&](size_t a, size_t b) { return area(a) > area(b); };
  Order byLength = [&](size_t a, size_t b) {
    if (length(a) != length(b))
      return length(a) > length(b);
    return buffers[a].bytes > buffers[b].bytes;
  };
  Order byStart = [&](size_t a, size_t b) {
    return buffers[a].first < buffers[b].first;
  };
  std::optional<Placement> best;
  for (const Order &order : {bySize, byArea, byLength, byStart}) {
    std::vector<size_t> indices(buffers.size());
    std::iota(indices.begin(), indices.end(), 0);
    llvm::stable_sort(indices, order);
    for (bool bestFit : {true, false}) {
      Placement placement = placeInOrder(buffers, indices, bestFit);
      if (!best || placement.peak < best->peak)
        best = std::move(placement);
    }
  }
  return std::move(*best);
}

uint64_t launchFloor(const Schedule &schedule, int &launch) {
  uint64_t floor = 0;
  launch = -1;
  for (auto [index, step] : llvm::enumerate(schedule.launches)) {
    uint64_t bytes = 0;
    llvm::SmallDenseSet<int, 8> seen;
    auto add = [&](int value) {
      if (schedule.values[value].kind == ValueKind::arena &&
          seen.insert(value).second)
        bytes += alignedSize(schedule.values[value].bytes);
    };
    llvm::for_each(step.operands, add);
    llvm::for_each(step.results, add);
    // A kernel that may write over its operand needs the operand's bytes
    // only once.
    int result = step.results.front();
    if (!step.inPlaceOperands.empty() &&
        schedule.values[result].kind == ValueKind::arena)
      bytes -= alignedSize(schedule.values[result].bytes);
    if (bytes > floor) {
      floor = bytes;
      launch = static_cast<int>(index);
    }
  }
  return floor;
}

//===----------------------------------------------------------------------===//
// Recomputation strategies
//===----------------------------------------------------------------------===//

namespace {

/// The sum over steps of the live bytes above `target`, and the peak.
std::pair<uint64_t, uint64_t> excessAndPeak(const Schedule &schedule,
                                            const Program &program,
                                            uint64_t target) {
  std::vector<Interval> buffers =
      arenaBuffers(schedule, program, /*inPlace=*/false);
  std::vector<uint64_t> live = liveProfile(buffers, program.steps.size());
  uint64_t excess = 0, peak = 0;
  for (uint64_t bytes : live) {
    excess += bytes > target ? bytes - target : 0;
    peak = std::max(peak, bytes);
  }
  return {excess, peak};
}

/// How far back a recomputation rebuilds dead operands before it keeps
/// them alive instead.
constexpr int kMaxRebuildDepth = 6;

/// A copy of `program` where `instance` is dropped after its readers before
/// position `before` and computed again right there for its readers from
/// `before` on. The producer's operands that are dead by then are kept
/// alive until `before` or, with `rebuild`, recomputed too (recursively,
/// where their producers may be); `flops` receives the price.
Program splitAt(const Schedule &schedule, const Program &program,
                const Lifetimes &lifetimes, int instance, int before,
                bool rebuild, bool allowExpensive, uint64_t &flops) {
  std::vector<Program::Step> inserted;
  std::vector<int> instanceValue = program.instanceValue;
  DenseMap<int, int> fresh;
  flops = 0;
  auto residentCopy = [&](int old, int at) -> std::optional<int> {
    std::optional<int> found;
    for (int copy : lifetimes.copies[program.instanceValue[old]]) {
      int def = lifetimes.def[copy], last = lifetimes.last[copy];
      if (copy == old || def < 0 || def >= at)
        continue;
      bool near = last >= at;
      for (int step = last + 1; !near && step < at; ++step)
        if (!program.steps[step].recompute)
          break;
        else if (step == at - 1)
          near = true;
      if (near && (!found || def > lifetimes.def[*found]))
        found = copy;
    }
    return found;
  };
  std::function<int(int, int)> recompute = [&](int old, int depth) -> int {
    if (auto it = fresh.find(old); it != fresh.end())
      return it->second;
    const Program::Step &producer = program.steps[lifetimes.def[old]];
    Program::Step clone;
    clone.launch = producer.launch;
    clone.recompute = true;
    for (int operand : producer.operands) {
      int def = lifetimes.def[operand];
      bool dead = isArena(schedule, program, operand) &&
                  lifetimes.last[operand] < before;
      // Another computation of the same value may be at hand: resident at
      // `before`, or recomputed in the run of re-executions right before
      // it (by an earlier split for the same reader).
      if (dead) {
        if (std::optional<int> near = residentCopy(operand, before)) {
          clone.operands.push_back(*near);
          continue;
        }
      }
      bool allowed =
          def >= 0 && (allowExpensive ||
                       !schedule.launches[program.steps[def].launch].expensive);
      clone.operands.push_back(rebuild && dead && allowed &&
                                       depth < kMaxRebuildDepth
                                   ? recompute(operand, depth + 1)
                                   : operand);
    }
    for (int result : producer.results) {
      int id = static_cast<int>(instanceValue.size());
      instanceValue.push_back(instanceValue[result]);
      clone.results.push_back(id);
      fresh[result] = id;
    }
    flops += schedule.launches[clone.launch].flops;
    inserted.push_back(std::move(clone));
    return fresh[old];
  };
  recompute(instance, 0);

  Program candidate;
  candidate.instanceValue = std::move(instanceValue);
  candidate.steps.reserve(program.steps.size() + inserted.size());
  candidate.steps.insert(candidate.steps.end(), program.steps.begin(),
                         program.steps.begin() + before);
  candidate.steps.insert(candidate.steps.end(), inserted.begin(),
                         inserted.end());
  // Every value computed again here serves all its later readers, which
  // frees the old computation earlier (the way a checkpointed segment is
  // recomputed once for the whole backward pass over it).
  for (auto step = program.steps.begin() + before; step != program.steps.end();
       ++step) {
    candidate.steps.push_back(*step);
    for (int &operand : candidate.steps.back().operands)
      if (auto it = fresh.find(operand); it != fresh.end())
        operand = it->second;
  }
  return candidate;
}

/// dsr1's strategy. While some step holds more than the target, it looks
/// at the fullest step and at every value resident there without being
/// read there; dropping such a value after its last reader before the step
/// and recomputing it right before its first reader after it frees its
/// bytes in between, at the price of its producer's FLOPs and of the
/// producer's operands: kept alive until then, or recomputed as well. The
/// change that removes the most excess bytes·steps per FLOP wins; values
/// recomputed this way can be split again later.
Program greedy(const Schedule &schedule, uint64_t target, bool allowExpensive) {
  Program program = Program::identity(schedule);
  uint64_t excess = excessAndPeak(schedule, program, target).first;
  while (excess > 0) {
    Lifetimes lifetimes(program);
    std::vector<Interval> buffers =
        arenaBuffers(schedule, program, /*inPlace=*/false);
    std::vector<uint64_t> live = liveProfile(buffers, program.steps.size());
    int fullest = static_cast<int>(std::max_element(live.begin(), live.end()) -
                                   live.begin());
    // The readers of every instance, in step order.
    std::vector<SmallVector<int, 4>> readers(program.instanceValue.size());
    for (auto [position, step] : llvm::enumerate(program.steps))
      for (int instance : step.operands)
        if (readers[instance].empty() ||
            readers[instance].back() != static_cast<int>(position))
          readers[instance].push_back(static_cast<int>(position));

    std::optional<Program> best;
    double bestScore = 0;
    uint64_t bestExcess = excess;
    for (size_t instance = 0; instance < program.instanceValue.size();
         ++instance) {
      int at = lifetimes.def[instance];
      if (at < 0 || at >= fullest || lifetimes.last[instance] <= fullest ||
          !isArena(schedule, program, static_cast<int>(instance)))
        continue;
      if (schedule.launches[program.steps[at].launch].expensive &&
          !allowExpensive)
        continue;
      auto next = llvm::upper_bound(readers[instance], fullest);
      if (next != readers[instance].begin() && *std::prev(next) == fullest)
        continue;
      for (bool rebuild : {false, true}) {
        uint64_t flops = 0;
        Program candidate =
            splitAt(schedule, program, lifetimes, static_cast<int>(instance),
                    *next, rebuild, allowExpensive, flops);
        uint64_t newExcess = excessAndPeak(schedule, candidate, target).first;
        if (newExcess >= excess)
          continue;
        double score = static_cast<double>(excess - newExcess) /
                       (static_cast<double>(flops) + 1.0);
        if (!best || score > bestScore ||
            (score == bestScore && newExcess < bestExcess)) {
          best = std::move(candidate);
          bestScore = score;
          bestExcess = newExcess;
        }
      }
    }
    if (!best)
      break;
    program = std::move(*best);
    excess = bestExcess;
  }
  return program;
}

/// Chen et al. (2016), "Training deep nets with sublinear memory cost", on
/// any DAG: the schedule is cut into segments of `segment` launches; the
/// values the last launch of a segment computes are checkpoints. A value
/// read more than a segment's length after it was last touched, and not a
/// checkpoint, is dropped and recomputed at that reader from the values
/// still resident there (recursively, so a segment is rebuilt from its
/// checkpoint). Short-range values (a gap of at most one segment) stay.
Program sqrtCheckpoints(const Schedule &schedule, int segment,
                        bool allowExpensive) {
  Program program;
  program.instanceValue.resize(schedule.values.size());
  std::iota(program.instanceValue.begin(), program.instanceValue.end(), 0);
  std::vector<int> current(schedule.values.size());
  std::iota(current.begin(), current.end(), 0);
  // The last position (in original launches) each instance was touched at.
  std::vector<int> touched(schedule.values.size(), -1);
  auto isCheckpoint = [&](int value) {
    const ScheduleValue &info = schedule.values[value];
    return info.kind != ValueKind::arena ||
           (info.producer + 1) % segment == 0 ||
           (schedule.launches[info.producer].expensive && !allowExpensive);
  };

  std::function<int(int, int)> resolve = [&](int value, int at) -> int {
    int instance = current[value];
    if (isCheckpoint(value) || at - touched[instance] <= segment) {
      touched[instance] = at;
      return instance;
    }
    const ScheduleLaunch &launch =
        schedule.launches[schedule.values[value].producer];
    SmallVector<int, 4> operands;
    for (int operand : launch.operands)
      operands.push_back(resolve(operand, at));
    Program::Step clone;
    clone.launch = schedule.values[value].producer;
    clone.recompute = true;
    clone.operands = std::move(operands);
    for (int result : launch.results) {
      int fresh = static_cast<int>(program.instanceValue.size());
      program.instanceValue.push_back(result);
      touched.push_back(at);
      current[result] = fresh;
      clone.results.push_back(fresh);
    }
    program.steps.push_back(std::move(clone));
    return current[value];
  };

  for (auto [index, launch] : llvm::enumerate(schedule.launches)) {
    int at = static_cast<int>(index);
    Program::Step step;
    step.launch = at;
    for (int operand : launch.operands)
      step.operands.push_back(resolve(operand, at));
    for (int result : launch.results) {
      touched[result] = at;
      step.results.push_back(result);
    }
    program.steps.push_back(std::move(step));
  }
  return program;
}

/// Chen et al. choose the segment length (√n in the paper's analysis) by
/// memory: the cheapest length whose program meets `target`, or the one
/// with the lowest peak when none does.
Program bestSqrtCheckpoints(const Schedule &schedule, uint64_t target,
                            bool allowExpensive) {
  int launches = static_cast<int>(schedule.launches.size());
  std::vector<int> lengths;
  for (double length = 1; length <= launches; length *= 1.15)
    lengths.push_back(static_cast<int>(length));
  lengths.push_back(std::max(1, static_cast<int>(std::lround(std::sqrt(
                                    static_cast<double>(launches))))));
  llvm::sort(lengths);
  lengths.erase(llvm::unique(lengths), lengths.end());

  std::optional<Program> cheapest, lowest;
  uint64_t cheapestFlops = 0, lowestPeak = 0;
  for (int length : lengths) {
    Program program = sqrtCheckpoints(schedule, length, allowExpensive);
    uint64_t peak = excessAndPeak(schedule, program, target).second;
    uint64_t flops = program.extraFlops(schedule);
    if (peak <= target && (!cheapest || flops < cheapestFlops)) {
      cheapestFlops = flops;
      cheapest = program;
    }
    if (!lowest || peak < lowestPeak) {
      lowestPeak = peak;
      lowest = std::move(program);
    }
  }
  return cheapest ? std::move(*cheapest) : std::move(*lowest);
}

uint64_t plannedBytes(const Schedule &schedule, const Program &program) {
  return placeBuffers(arenaBuffers(schedule, program, /*inPlace=*/true)).peak;
}

/// `program` without the re-executions nobody reads.
Program withoutDeadRecomputes(Program program) {
  bool changed = true;
  while (changed) {
    changed = false;
    std::vector<bool> read(program.instanceValue.size(), false);
    for (const Program::Step &step : program.steps)
      for (int operand : step.operands)
        read[operand] = true;
    auto dead = [&](const Program::Step &step) {
      return step.recompute && llvm::none_of(step.results, [&](int result) {
               return read[result];
             });
    };
    size_t before = program.steps.size();
    llvm::erase_if(program.steps, dead);
    changed = program.steps.size() != before;
  }
  return program;
}

/// Local search after a strategy: re-executions are taken back, the most
/// expensive first, wherever the program still fits `target` without them
/// (their readers then read the previous computation of the value).
Program pruned(const Schedule &schedule, Program program, uint64_t target) {
  std::vector<size_t> order;
  for (size_t i = 0; i < program.steps.size(); ++i)
    if (program.steps[i].recompute)
      order.push_back(i);
  llvm::stable_sort(order, [&](size_t a, size_t b) {
    return schedule.launches[program.steps[a].launch].flops >
           schedule.launches[program.steps[b].launch].flops;
  });
  // Steps are identified by their first result, which stays unique while
  // steps are removed around it.
  std::vector<int> keys;
  for (size_t i : order)
    keys.push_back(program.steps[i].results.front());
  for (int key : keys) {
    auto it = llvm::find_if(program.steps, [&](const Program::Step &step) {
      return step.recompute && step.results.front() == key;
    });
    if (it == program.steps.end())
      continue;
    size_t position = it - program.steps.begin();
    // The computation each result replaced: the latest earlier one.
    DenseMap<int, int> previous;
    for (int result : it->results) {
      int value = program.instanceValue[result];
      for (size_t i = 0; i < position; ++i)
        for (int earlier : program.steps[i].results)
          if (program.instanceValue[earlier] == value)
            previous[result] = earlier;
    }
    if (previous.size() != it->results.size())
      continue;
    Program candidate = program;
    candidate.steps.erase(candidate.steps.begin() + position);
    for (Program::Step &step : candidate.steps)
      for (int &operand : step.operands)
        if (auto found = previous.find(operand); found != previous.end())
          operand = found->second;
    candidate = withoutDeadRecomputes(std::move(candidate));
    if (excessAndPeak(schedule, candidate, target).second <= target)
      program = std::move(candidate);
  }
  return program;
}

/// `program` without the re-executions that repeat one earlier in the same
/// run of re-executions (separate splits can rebuild the same value for
/// the same reader): the first computes the same data, and its results
/// serve the readers of the second.
Program withoutRepeats(const Program &program) {
  Program result;
  result.instanceValue = program.instanceValue;
  DenseMap<int, int> replaced;
  DenseMap<int, size_t> inRun;
  for (const Program::Step &original : program.steps) {
    Program::Step step = original;
    for (int &operand : step.operands)
      if (auto it = replaced.find(operand); it != replaced.end())
        operand = it->second;
    if (!step.recompute) {
      inRun.clear();
      result.steps.push_back(std::move(step));
      continue;
    }
    auto [it, fresh] = inRun.try_emplace(step.launch, result.steps.size());
    if (fresh) {
      result.steps.push_back(std::move(step));
      continue;
    }
    for (auto [mine, earlier] :
         llvm::zip(step.results, result.steps[it->second].results))
      replaced[mine] = earlier;
  }
  return result;
}

} // namespace

uint64_t Budget::bytes(uint64_t unconstrained) const {
  double value =
      percent ? amount / 100.0 * static_cast<double>(unconstrained) : amount;
  return static_cast<uint64_t>(std::floor(value));
}

std::optional<Budget> parseBudget(StringRef text) {
  text = text.trim();
  Budget budget;
  double scale = 1;
  static const std::pair<StringRef, double> suffixes[] = {
      {"%", 0},   {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1 << 30},
      {"K", 1e3}, {"M", 1e6},      {"G", 1e9},         {"B", 1}};
  for (auto [suffix, factor] : suffixes) {
    if (!text.consume_back(suffix))
      continue;
    budget.percent = factor == 0;
    scale = budget.percent ? 1 : factor;
    break;
  }
  text = text.trim();
  if (text.empty() || text.getAsDouble(budget.amount) || budget.amount < 0 ||
      !std::isfinite(budget.amount) || (budget.percent && budget.amount > 100))
    return std::nullopt;
  budget.amount *= scale;
  return budget;
}

RecomputeResult recompute(const Schedule &schedule,
                          const RecomputeOptions &options) {
  RecomputeResult best;
  best.program = Program::identity(schedule);
  best.planned = plannedBytes(schedule, best.program);
  best.met = best.planned <= options.budget;
  uint64_t target = options.budget;
  // Placement may need more than the live bytes the strategies count (or,
  // with in-place reuse, less): retry with a target lowered by the miss.
  for (int attempt = 0; attempt < options.attempts && !best.met; ++attempt) {
    Program program =
        options.strategy == Strategy::greedy
            ? greedy(schedule, target, options.allowExpensive)
            : bestSqrtCheckpoints(schedule, target, options.allowExpensive);
    uint64_t planned = plannedBytes(schedule, program);
    // Chen et al.'s method stays as published, to compare against.
    if (options.strategy == Strategy::greedy &&
        excessAndPeak(schedule, program, target).second <= target) {
      Program fewer = pruned(schedule, program, target);
      if (uint64_t trimmed = plannedBytes(schedule, fewer);
          trimmed <= std::max(planned, options.budget)) {
        program = std::move(fewer);
        planned = trimmed;
      }
    }
    Program shorter = withoutRepeats(program);
    if (uint64_t merged = plannedBytes(schedule, shorter);
        merged <= std::max(planned, options.budget)) {
      program = std::move(shorter);
      planned = merged;
    }
    if (planned < best.planned ||
        (planned <= options.budget &&
         program.extraFlops(schedule) < best.program.extraFlops(schedule))) {
      best.program = std::move(program);
      best.planned = planned;
      best.met = planned <= options.budget;
    }
    if (planned <= options.budget || planned - options.budget >= target)
      break;
    target -= planned - options.budget;
  }
  return best;
}

uint64_t smallestArena(const Schedule &schedule, RecomputeOptions options) {
  // Bisect on the budget: the strategies aim at a budget, not at the
  // lowest peak. Each probe near the floor is a long run of the strategy,
  // so the bisection stops within 2% and after a few probes.
  int launch;
  uint64_t low = launchFloor(schedule, launch);
  options.budget = std::numeric_limits<uint64_t>::max();
  uint64_t high = recompute(schedule, options).planned;
  options.attempts = 2;
  for (int probe = 0;
       probe < 8 && high > low && high - low > std::max(kAlignment, high / 50);
       ++probe) {
    options.budget = (low + high) / 2 / kAlignment * kAlignment;
    RecomputeResult result = recompute(schedule, options);
    if (result.met)
      high = result.planned;
    else
      low = options.budget + kAlignment;
  }
  return high;
}

//===----------------------------------------------------------------------===//
// Back to the IR
//===----------------------------------------------------------------------===//

NamedAttribute countEntry(Builder &builder, StringRef name, uint64_t value) {
  return builder.getNamedAttr(
      name, builder.getI64IntegerAttr(static_cast<int64_t>(value)));
}

void materialize(const Program &program, ArrayRef<func::CallOp> calls,
                 const DenseMap<Value, int> &valueIds) {
  std::vector<Value> instances(program.instanceValue.size());
  for (auto [value, id] : valueIds)
    instances[id] = value;
  Operation *terminator =
      calls.empty() ? nullptr : calls.front()->getBlock()->getTerminator();
  OpBuilder builder(terminator);
  for (const Program::Step &step : program.steps) {
    func::CallOp call = calls[step.launch];
    if (step.recompute) {
      call = cast<func::CallOp>(builder.clone(*call));
      call->setAttr(kRecomputeAttrName, builder.getUnitAttr());
    } else {
      call->moveBefore(terminator);
    }
    for (auto [i, instance] : llvm::enumerate(step.operands))
      call->setOperand(i, instances[instance]);
    for (auto [i, instance] : llvm::enumerate(step.results))
      instances[instance] = call.getResult(i);
  }
}

} // namespace dsr1::memory
