//===- MemorySchedule.h - liveness, arena placement, recomputation -*- C++ -*-//
//
// The model -dsr1-insert-recompute and -dsr1-plan-memory share: an outlined
// graph read as a schedule of kernel launches over values, a program that
// runs those launches (some of them again, to recompute a value instead of
// keeping it), the live intervals of the program's arena values, and their
// placement at offsets in one arena.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_PASSES_MEMORYSCHEDULE_H
#define DSR1_PASSES_MEMORYSCHEDULE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dsr1::memory {

/// Alignment of every arena offset and size (the runtime's kArenaAlignment:
/// one cache line).
constexpr uint64_t kAlignment = 64;

/// Bytes rounded up to the arena's alignment (at least one line).
uint64_t alignedSize(uint64_t bytes);

/// Where a value lives. Only arena values cost arena memory: inputs and
/// outputs are the caller's buffers, weights are the plan's.
enum class ValueKind : uint8_t { input, weight, output, arena };

struct ScheduleValue {
  std::string name;
  uint64_t bytes = 0;
  ValueKind kind = ValueKind::arena;
  /// The launch that computes it; -1 for inputs and weights.
  int producer = -1;
};

struct ScheduleLaunch {
  /// The user's node (the call's location) and the kernel's family.
  std::string name;
  std::string family;
  uint64_t flops = 0;
  /// A GEMM, convolution, attention or recurrent kernel.
  bool expensive = false;
  llvm::SmallVector<int, 4> operands;
  llvm::SmallVector<int, 2> results;
  /// Operand positions whose buffer the (single) result may take over when
  /// the operand dies here: an elementwise kernel reads such an operand at
  /// exactly the index it writes.
  llvm::SmallVector<unsigned, 2> inPlaceOperands;
};

struct Program;

/// The launches of a graph in order, over the values they read and write.
struct Schedule {
  std::vector<ScheduleValue> values;
  std::vector<ScheduleLaunch> launches;

  uint64_t totalFlops() const;
  /// The schedule as JSON ("dsr1-schedule-1"), for external solvers, with
  /// the re-executions of `program` (each as the launch and the original
  /// launch it runs before) when given.
  void writeJson(llvm::raw_ostream &os, llvm::StringRef model,
                 const Program *program = nullptr) const;
};

/// Reads an outlined graph function (constants and kernel calls only) as a
/// schedule. `calls` receives the calls in launch order and `valueIds` the id
/// of every SSA value. Fails with a diagnostic on an op that is not a call or
/// a constant, or on a value whose size is not static.
mlir::FailureOr<Schedule>
buildSchedule(mlir::func::FuncOp graph,
              llvm::SmallVectorImpl<mlir::func::CallOp> &calls,
              llvm::DenseMap<mlir::Value, int> &valueIds);

/// A run of a schedule: its launches in order, each once, plus
/// re-executions that recompute a value for its later readers. An instance
/// is one computation of a value; instance ids below the schedule's value
/// count are the values' original computations.
struct Program {
  struct Step {
    int launch = 0;
    bool recompute = false;
    llvm::SmallVector<int, 4> operands;
    llvm::SmallVector<int, 2> results;
  };
  std::vector<Step> steps;
  /// The value each instance is a computation of.
  std::vector<int> instanceValue;

  /// Every launch once, in schedule order.
  static Program identity(const Schedule &schedule);
  uint64_t extraFlops(const Schedule &schedule) const;
  unsigned numRecomputed() const;
};

/// A buffer live from step `first` to step `last` (both included).
struct Interval {
  int first = 0;
  int last = 0;
  uint64_t bytes = 0;
};

/// The arena buffers of a program. With `inPlace`, an elementwise kernel's
/// result shares the buffer of an operand that dies at that kernel.
/// `instanceBuffer`, when given, receives each instance's buffer (or -1).
std::vector<Interval> arenaBuffers(const Schedule &schedule,
                                   const Program &program, bool inPlace,
                                   std::vector<int> *instanceBuffer = nullptr);

/// The largest sum of buffers live at one step: no placement can do better.
uint64_t lowerBound(const std::vector<Interval> &buffers);

/// The sum of all buffers: an arena without reuse.
uint64_t totalBytes(const std::vector<Interval> &buffers);

struct Placement {
  std::vector<uint64_t> offsets;
  uint64_t peak = 0;
};

/// Offsets for the buffers such that buffers live at the same step never
/// overlap: the best of greedy placement in several orders (decreasing
/// size, size x lifetime, lifetime, first use; best fit and first fit).
Placement placeBuffers(const std::vector<Interval> &buffers);

enum class Strategy { greedy, sqrt };

struct RecomputeOptions {
  /// The planned arena must fit in this many bytes.
  uint64_t budget = 0;
  Strategy strategy = Strategy::greedy;
  /// Also recompute GEMMs, convolutions, attention and recurrent layers.
  bool allowExpensive = false;
  /// Rounds of the strategy, each aiming lower by what placement lost to
  /// fragmentation in the round before.
  int attempts = 6;
};

struct RecomputeResult {
  Program program;
  /// The planned arena of `program` (in-place reuse on).
  uint64_t planned = 0;
  /// `planned` is within the budget; otherwise `program` is the lowest
  /// arena the strategy reached.
  bool met = false;
};

/// A memory budget as a user writes it: bytes (`1048576`, `512K`, `1.5G`,
/// `64MiB`) or a share of the arena planned without recomputation (`50%`).
struct Budget {
  double amount = 0;
  bool percent = false;

  /// The budget in bytes, for an unconstrained arena of `unconstrained`.
  uint64_t bytes(uint64_t unconstrained) const;
};
/// Parses a budget; nullopt for text that is none.
std::optional<Budget> parseBudget(llvm::StringRef text);

/// Recomputes values at their later readers until the planned arena fits the
/// budget (or the strategy can do no better).
RecomputeResult recompute(const Schedule &schedule,
                          const RecomputeOptions &options);

/// The smallest arena `options.strategy` reaches, whatever the budget,
/// within 2%: a bisection over budgets.
uint64_t smallestArena(const Schedule &schedule, RecomputeOptions options);

/// The largest sum of arena bytes one launch reads and writes: no
/// recomputation goes below it. `launch` receives the launch at fault.
uint64_t launchFloor(const Schedule &schedule, int &launch);

/// `name = value : i64`, an entry of the memory attributes the passes put
/// on a graph.
mlir::NamedAttribute countEntry(mlir::Builder &builder, llvm::StringRef name,
                                uint64_t value);

/// Rewrites the graph to run `program`: calls move into the program's order
/// and each re-execution is a clone of the original call (marked
/// `dsr1.recompute`), read by the later readers of the value.
void materialize(const Program &program,
                 llvm::ArrayRef<mlir::func::CallOp> calls,
                 const llvm::DenseMap<mlir::Value, int> &valueIds);

} // namespace dsr1::memory

#endif // DSR1_PASSES_MEMORYSCHEDULE_H
