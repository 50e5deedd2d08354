//===- HostSession.cpp - running a plan on a host-memory device -----------===//
//
// Buffers are host pointers, kernels are called in plan order, and each
// kernel's status word is checked after it returns so that bad data stops
// the run with a message naming the node and the input.
//
//===----------------------------------------------------------------------===//

#include "runtime/HostSession.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace dsr1 {

KernelLibrary::~KernelLibrary() = default;

KernelFn CpuKernelLibrary::bind(const std::string &symbol) const {
  CpuKernelFn fn = lookup(symbol);
  if (!fn)
    return nullptr;
  return [fn](void **args) {
    fn(args);
    return Status::ok();
  };
}

HostSession::HostSession(std::shared_ptr<const Plan> plan,
                         std::shared_ptr<const KernelLibrary> library)
    : plan_(std::move(plan)), library_(std::move(library)) {}

HostSession::~HostSession() { std::free(arena_); }

Result<std::unique_ptr<HostSession>>
HostSession::create(std::shared_ptr<const Plan> plan,
                    std::shared_ptr<const KernelLibrary> library) {
  if (Status s = plan->verify(); !s)
    return s;
  std::unique_ptr<HostSession> session(new HostSession(plan, library));
  for (const KernelInfo &kernel : plan->kernels) {
    KernelFn fn = library->bind(kernel.symbol);
    if (!fn)
      return Status::error("no code for kernel '" + kernel.symbol +
                           "' (node '" + kernel.node + "')");
    session->kernels_.push_back(fn);
  }
  // aligned_alloc needs a size that is a multiple of the alignment, and a
  // zero-byte arena still gets a distinct pointer.
  uint64_t bytes = (plan->arenaBytes + kArenaAlignment - 1) / kArenaAlignment *
                   kArenaAlignment;
  session->arena_ = static_cast<uint8_t *>(
      std::aligned_alloc(kArenaAlignment, bytes ? bytes : kArenaAlignment));
  if (!session->arena_)
    return Status::error("cannot allocate the arena of " +
                         std::to_string(plan->arenaBytes) + " bytes");
  return session;
}

void HostSession::enableProfiling() {
  profiling_ = true;
  launchSeconds_.assign(plan_->launches.size(), 0.0);
}

Result<std::vector<HostTensor>>
HostSession::run(const std::vector<HostTensor> &inputs) {
  if (Status s = plan_->checkInputs(inputs); !s)
    return s;
  std::vector<HostTensor> outputs;
  for (const TensorSpec &spec : plan_->outputs) {
    HostTensor out;
    out.name = spec.name;
    out.dtype = spec.dtype;
    out.shape = spec.shape;
    out.data.resize(spec.bytes());
    outputs.push_back(std::move(out));
  }
  std::vector<const void *> in;
  for (const HostTensor &input : inputs)
    in.push_back(input.data.data());
  std::vector<void *> out;
  for (HostTensor &output : outputs)
    out.push_back(output.data.data());
  if (Status s = run(in, out); !s)
    return s;
  return outputs;
}

Status HostSession::run(const std::vector<const void *> &inputs,
                        const std::vector<void *> &outputs) {
  if (inputs.size() != plan_->inputs.size() ||
      outputs.size() != plan_->outputs.size())
    return Status::error(
        "the model takes " + std::to_string(plan_->inputs.size()) +
        " input(s) and " + std::to_string(plan_->outputs.size()) +
        " output(s), " + std::to_string(inputs.size()) + " and " +
        std::to_string(outputs.size()) + " given");

  // Kernels never read or write through the pointer of an empty buffer, but
  // they receive one: give them a valid address rather than null.
  static uint8_t emptyBuffer[kArenaAlignment];
  auto address = [&](const BufferRef &ref) -> void * {
    uint8_t *base = nullptr;
    switch (ref.kind) {
    case BufferRef::Kind::input:
      base = static_cast<uint8_t *>(const_cast<void *>(inputs[ref.index]));
      break;
    case BufferRef::Kind::output:
      base = static_cast<uint8_t *>(outputs[ref.index]);
      break;
    case BufferRef::Kind::weight:
      base = const_cast<uint8_t *>(plan_->weights[ref.index].data);
      break;
    case BufferRef::Kind::arena:
      base = arena_ + ref.offset;
      break;
    }
    return base && ref.bytes ? base : emptyBuffer;
  };

  std::vector<void *> pointers;
  std::vector<void *> args;
  int32_t status = kStatusOk;
  for (size_t index = 0; index < plan_->launches.size(); ++index) {
    const Launch &launch = plan_->launches[index];
    auto start = profiling_ ? std::chrono::steady_clock::now()
                            : std::chrono::steady_clock::time_point();
    auto stop = [&] {
      if (profiling_)
        launchSeconds_[index] += std::chrono::duration<double>(
                                     std::chrono::steady_clock::now() - start)
                                     .count();
    };
    if (launch.kind == Launch::Kind::copy) {
      std::memmove(address(launch.args[1]), address(launch.args[0]),
                   launch.args[1].bytes);
      stop();
      continue;
    }
    pointers.clear();
    pointers.push_back(&status);
    for (const BufferRef &ref : launch.args)
      pointers.push_back(address(ref));
    args.clear();
    for (void *&pointer : pointers)
      args.push_back(&pointer);
    Status ran = kernels_[launch.kernel](args.data());
    stop();
    if (ran && status == kStatusOk)
      continue;
    if (!ran)
      return Status::error(plan_->describeLaunch(index) + ": " + ran.message());
    return plan_->failure(index, status);
  }
  return Status::ok();
}

} // namespace dsr1
