//===- Plan.h - what a compiled model runs ----------------------*- C++ -*-===//
//
// The plan is the contract between the compiler and the runtime: kernels in
// launch order over buffers (model inputs and outputs, weights, and offsets
// in one arena), the IO signature, and the weights themselves. It holds no
// code: a device binds each kernel symbol to something it can run.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_PLAN_H
#define DSR1_RUNTIME_PLAN_H

#include "runtime/HostTensor.h"
#include "runtime/Result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dsr1 {

/// A tensor of the model's signature, or an intermediate.
struct TensorSpec {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;

  int64_t numElements() const;
  uint64_t bytes() const;
  /// "'x' f32[2x3]".
  std::string describe() const;
};

/// Where a launch argument lives.
struct BufferRef {
  enum class Kind : uint8_t { input, output, weight, arena };
  Kind kind = Kind::arena;
  /// Index into the plan's inputs, outputs or weights (unused for arena).
  uint32_t index = 0;
  /// Byte offset into the arena (arena buffers only).
  uint64_t offset = 0;
  uint64_t bytes = 0;
};

/// One step of the plan.
struct Launch {
  enum class Kind : uint8_t {
    /// Run kernel `kernel` on `args` (its operands, then its results).
    kernel,
    /// Copy args[0] into args[1] (an output that is an input or a weight).
    copy
  };
  Kind kind = Kind::kernel;
  uint32_t kernel = 0;
  std::vector<BufferRef> args;
  /// The tensors behind `args`, for messages ("indices", "conv1.weight").
  std::vector<std::string> argNames;
};

/// A unit of generated code: its symbol and the user's node it came from.
struct KernelInfo {
  std::string symbol;
  /// The ONNX node name (or the source location) the kernel computes.
  std::string node;
  /// The dsr1 op ("matmul"), for messages and reports.
  std::string op;
};

/// What the compiler planned for memory (-dsr1-plan-memory and
/// -dsr1-insert-recompute), for reports.
struct MemoryReport {
  /// Every intermediate in a buffer of its own.
  uint64_t naiveBytes = 0;
  /// The most bytes of intermediates live at one launch: no placement of the
  /// schedule needs less.
  uint64_t lowerBoundBytes = 0;
  /// With a budget (budgetBytes > 0): the arena planned without
  /// recomputation, and what recomputation added to fit the budget.
  uint64_t budgetBytes = 0;
  uint64_t unconstrainedBytes = 0;
  std::string strategy;
  uint32_t recomputed = 0;
  uint64_t extraFlops = 0;
  /// The FLOPs of one run without recomputation (the cost model's).
  uint64_t totalFlops = 0;
};

/// A constant of the model. Its bytes are owned by the plan (a compiled
/// model) or lie in a mapped artifact file: either way Plan::weightStorage
/// keeps them alive.
struct Weight {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  /// Row-major elements, little-endian.
  const uint8_t *data = nullptr;
  uint64_t bytes = 0;
};

struct Plan {
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  std::vector<Weight> weights;
  /// What the weights' bytes live in, shared by every copy of the plan.
  std::vector<std::shared_ptr<const void>> weightStorage;
  std::vector<KernelInfo> kernels;
  std::vector<Launch> launches;
  /// Bytes of the one arena every intermediate lives in.
  uint64_t arenaBytes = 0;
  MemoryReport memory;

  /// Appends a weight that owns its bytes; returns its index.
  uint32_t addWeight(HostTensor tensor);

  /// Checks the plan's internal consistency (indices, offsets and sizes in
  /// range): a plan from a file is not trusted.
  Status verify() const;
  /// Checks that `inputs` match the plan's inputs in number, order, dtype and
  /// shape; a mismatch names the input at fault.
  Status checkInputs(const std::vector<HostTensor> &inputs) const;
  /// "node 'conv1' (conv)": the launch at `index`, for messages.
  std::string describeLaunch(size_t index) const;
  /// The error of launch `index` whose kernel wrote `status` (not kStatusOk):
  /// an out-of-range index names the operand that held it.
  Status failure(size_t index, int32_t status) const;
};

/// The plan as text (`dsr1-compile --emit plan`): the signature, the
/// weights, the arena, and each launch with its buffers. Lines end in
/// newlines.
std::string formatPlan(const Plan &plan);

/// The memory report of `dsr1-run --memory-report`: the naive, planned and
/// lower-bound arena and, under a budget, what recomputation bought and
/// cost. Lines end in newlines.
std::string formatMemoryReport(const Plan &plan);

/// Alignment of every arena offset: one cache line, enough for any vector
/// load the CPU code generator emits.
constexpr uint64_t kArenaAlignment = 64;

/// The error codes a kernel writes into its status word. A kernel that can
/// meet bad data (an out-of-range index) stops its reads in bounds and
/// reports the operand at fault as `kStatusBadOperand + operand index`.
constexpr int32_t kStatusOk = 0;
constexpr int32_t kStatusBadOperand = 1;

} // namespace dsr1

#endif // DSR1_RUNTIME_PLAN_H
