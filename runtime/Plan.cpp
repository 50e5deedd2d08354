//===- Plan.cpp - the plan's checks and descriptions ----------------------===//
//
// A plan read from a file is untrusted input: verify() bounds every index,
// offset and size before a device touches memory through it.
//
//===----------------------------------------------------------------------===//

#include "runtime/Plan.h"

#include <cstdio>
#include <string>

namespace dsr1 {

int64_t TensorSpec::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

uint64_t TensorSpec::bytes() const {
  return static_cast<uint64_t>(numElements()) * elementSize(dtype);
}

std::string TensorSpec::describe() const {
  std::string text = "'" + name + "' " + dtypeName(dtype) + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text + "]";
}

static Status checkRef(const Plan &plan, const BufferRef &ref, size_t step) {
  auto bad = [&](const std::string &what) {
    return Status::error("invalid plan: launch " + std::to_string(step) + ": " +
                         what);
  };
  switch (ref.kind) {
  case BufferRef::Kind::input:
    if (ref.index >= plan.inputs.size())
      return bad("input index " + std::to_string(ref.index) + " out of range");
    if (ref.bytes != plan.inputs[ref.index].bytes())
      return bad("size of input " + plan.inputs[ref.index].describe());
    return Status::ok();
  case BufferRef::Kind::output:
    if (ref.index >= plan.outputs.size())
      return bad("output index " + std::to_string(ref.index) + " out of range");
    if (ref.bytes != plan.outputs[ref.index].bytes())
      return bad("size of output " + plan.outputs[ref.index].describe());
    return Status::ok();
  case BufferRef::Kind::weight:
    if (ref.index >= plan.weights.size())
      return bad("weight index " + std::to_string(ref.index) + " out of range");
    if (ref.bytes != plan.weights[ref.index].data.size())
      return bad("size of weight '" + plan.weights[ref.index].name + "'");
    return Status::ok();
  case BufferRef::Kind::arena:
    if (ref.offset % kArenaAlignment != 0 || ref.offset > plan.arenaBytes ||
        ref.bytes > plan.arenaBytes - ref.offset)
      return bad("arena range [" + std::to_string(ref.offset) + ", +" +
                 std::to_string(ref.bytes) + ") outside the arena of " +
                 std::to_string(plan.arenaBytes) + " bytes");
    return Status::ok();
  }
  return bad("unknown buffer kind");
}

Status Plan::verify() const {
  for (const HostTensor &w : weights) {
    TensorSpec spec{w.name, w.dtype, w.shape};
    if (spec.bytes() != w.data.size())
      return Status::error("invalid plan: weight '" + w.name + "' holds " +
                           std::to_string(w.data.size()) +
                           " bytes, its shape needs " +
                           std::to_string(spec.bytes()));
  }
  for (size_t i = 0; i < launches.size(); ++i) {
    const Launch &launch = launches[i];
    if (launch.kind == Launch::Kind::kernel && launch.kernel >= kernels.size())
      return Status::error("invalid plan: launch " + std::to_string(i) +
                           " names kernel " + std::to_string(launch.kernel) +
                           " of " + std::to_string(kernels.size()));
    if (launch.kind == Launch::Kind::copy &&
        (launch.args.size() != 2 ||
         launch.args[0].bytes != launch.args[1].bytes))
      return Status::error("invalid plan: copy " + std::to_string(i) +
                           " needs two buffers of one size");
    if (!launch.argNames.empty() &&
        launch.argNames.size() != launch.args.size())
      return Status::error("invalid plan: launch " + std::to_string(i) +
                           " names " + std::to_string(launch.argNames.size()) +
                           " of its " + std::to_string(launch.args.size()) +
                           " buffers");
    for (const BufferRef &ref : launch.args)
      if (Status s = checkRef(*this, ref, i); !s)
        return s;
  }
  return Status::ok();
}

namespace {

/// "12.3 MiB (12894720 bytes)".
std::string bytesText(uint64_t bytes) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.2f MiB (%llu bytes)",
                static_cast<double>(bytes) / (1024.0 * 1024.0),
                static_cast<unsigned long long>(bytes));
  return text;
}

std::string ratioText(uint64_t a, uint64_t b) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3fx",
                b ? static_cast<double>(a) / static_cast<double>(b) : 0.0);
  return text;
}

} // namespace

std::string formatMemoryReport(const Plan &plan) {
  const MemoryReport &memory = plan.memory;
  std::string text = "memory: " + std::to_string(plan.launches.size()) +
                     " launches, arena of intermediates\n";
  text += "  naive (a buffer per intermediate)  " +
          bytesText(memory.naiveBytes) + "\n";
  text += "  planned                            " + bytesText(plan.arenaBytes) +
          "  " + ratioText(plan.arenaBytes, memory.naiveBytes) + " of naive, " +
          ratioText(plan.arenaBytes, memory.lowerBoundBytes) +
          " of the lower bound\n";
  text += "  lower bound (most live at once)    " +
          bytesText(memory.lowerBoundBytes) + "\n";
  if (memory.budgetBytes == 0)
    return text;
  char flops[160];
  std::snprintf(flops, sizeof(flops),
                "  extra FLOPs                        %.4g (%.2f%% of %.4g)\n",
                static_cast<double>(memory.extraFlops),
                memory.totalFlops
                    ? 100.0 * static_cast<double>(memory.extraFlops) /
                          static_cast<double>(memory.totalFlops)
                    : 0.0,
                static_cast<double>(memory.totalFlops));
  text += "budget " + bytesText(memory.budgetBytes) + ", strategy " +
          memory.strategy + ":\n";
  text += "  planned without recomputation      " +
          bytesText(memory.unconstrainedBytes) + "\n";
  text += "  planned with recomputation         " + bytesText(plan.arenaBytes) +
          "  " + ratioText(plan.arenaBytes, memory.unconstrainedBytes) +
          " of unconstrained, " + std::to_string(memory.recomputed) +
          " launches recomputed\n";
  text += flops;
  return text;
}

} // namespace dsr1
