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

uint32_t Plan::addWeight(HostTensor tensor) {
  auto owned = std::make_shared<const HostTensor>(std::move(tensor));
  weights.push_back({owned->name, owned->dtype, owned->shape,
                     owned->data.data(), owned->data.size()});
  weightStorage.push_back(std::move(owned));
  return static_cast<uint32_t>(weights.size() - 1);
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
    if (ref.bytes != plan.weights[ref.index].bytes)
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
  for (const Weight &w : weights) {
    TensorSpec spec{w.name, w.dtype, w.shape};
    if (spec.bytes() != w.bytes || (w.bytes && !w.data))
      return Status::error("invalid plan: weight '" + w.name + "' holds " +
                           std::to_string(w.bytes) +
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

static std::string shapeText(DType dtype, const std::vector<int64_t> &shape) {
  std::string text = std::string(dtypeName(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text + "]";
}

Status Plan::checkInputs(const std::vector<HostTensor> &inputs) const {
  const std::vector<TensorSpec> &expected = this->inputs;
  if (inputs.size() != expected.size()) {
    std::string names;
    for (const TensorSpec &spec : expected)
      names += (names.empty() ? "" : ", ") + spec.describe();
    return Status::error("the model takes " + std::to_string(expected.size()) +
                         " input(s) (" + names + "), " +
                         std::to_string(inputs.size()) + " given");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const HostTensor &given = inputs[i];
    const TensorSpec &spec = expected[i];
    if (given.dtype != spec.dtype || given.shape != spec.shape)
      return Status::error("input " + std::to_string(i) + " " +
                           spec.describe() + ": given " +
                           shapeText(given.dtype, given.shape) +
                           (given.name.empty() || given.name == spec.name
                                ? std::string()
                                : " (from '" + given.name + "')"));
    if (given.data.size() != spec.bytes())
      return Status::error("input " + spec.describe() + " holds " +
                           std::to_string(given.data.size()) +
                           " bytes, its shape needs " +
                           std::to_string(spec.bytes()));
  }
  return Status::ok();
}

std::string Plan::describeLaunch(size_t index) const {
  const Launch &launch = launches[index];
  if (launch.kind == Launch::Kind::copy)
    return "copy " + std::to_string(index);
  const KernelInfo &kernel = kernels[launch.kernel];
  return "node '" + kernel.node + "' (" + kernel.op + ")";
}

Status Plan::failure(size_t index, int32_t status) const {
  const Launch &launch = launches[index];
  std::string what = describeLaunch(index);
  size_t operand = static_cast<size_t>(status - kStatusBadOperand);
  if (status >= kStatusBadOperand && operand < launch.argNames.size())
    return Status::error(what + ": input '" + launch.argNames[operand] +
                         "' holds an index out of range");
  return Status::error(what + ": failed with status " + std::to_string(status));
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

namespace dsr1 {

std::string formatPlan(const Plan &plan) {
  std::string text;
  for (const TensorSpec &spec : plan.inputs)
    text += "input " + spec.describe() + "\n";
  for (const TensorSpec &spec : plan.outputs)
    text += "output " + spec.describe() + "\n";
  uint64_t weightBytes = 0;
  for (const Weight &w : plan.weights)
    weightBytes += w.bytes;
  text += "weights: " + std::to_string(plan.weights.size()) + " (" +
          std::to_string(weightBytes) + " bytes)\n";
  text += "arena: " + std::to_string(plan.arenaBytes) + " bytes\n";
  text += "launches: " + std::to_string(plan.launches.size()) + "\n";
  auto buffer = [&](const Launch &launch, size_t i) {
    const BufferRef &ref = launch.args[i];
    std::string where;
    switch (ref.kind) {
    case BufferRef::Kind::input:
      where = "input " + std::to_string(ref.index);
      break;
    case BufferRef::Kind::output:
      where = "output " + std::to_string(ref.index);
      break;
    case BufferRef::Kind::weight:
      where = "weight " + std::to_string(ref.index);
      break;
    case BufferRef::Kind::arena:
      where = "arena[" + std::to_string(ref.offset) + ", +" +
              std::to_string(ref.bytes) + ")";
      break;
    }
    return (i < launch.argNames.size() ? "'" + launch.argNames[i] + "' " : "") +
           where;
  };
  for (size_t index = 0; index < plan.launches.size(); ++index) {
    const Launch &launch = plan.launches[index];
    text += "  #" + std::to_string(index) + " ";
    text += launch.kind == Launch::Kind::copy
                ? std::string("copy")
                : plan.kernels[launch.kernel].symbol + " " +
                      plan.describeLaunch(index);
    text += ":";
    for (size_t i = 0; i < launch.args.size(); ++i)
      text += (i ? ", " : " ") + buffer(launch, i);
    text += "\n";
  }
  return text;
}

} // namespace dsr1
