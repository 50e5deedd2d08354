//===- HostSession.h - running a plan on a host-memory device --*- C++ -*-===//
//
// A HostSession binds a plan to a device's kernels, allocates its one arena up
// front, and runs it as often as asked. It serves the devices whose buffers
// are host memory: cpu, and cuda-emu (the CUDA kernels run on the CPU). One
// HostSession serves one thread at a time; several Sessions may share a plan
// and a kernel library.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_SESSION_H
#define DSR1_RUNTIME_SESSION_H

#include "runtime/HostTensor.h"
#include "runtime/Plan.h"
#include "runtime/Result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dsr1 {

/// A CPU kernel in MLIR's packed calling convention: `args[i]` points to the
/// i-th argument, and every argument is a pointer (so `args[i]` is a
/// `void **`): first the kernel's int32 status word (kStatusOk unless the
/// kernel met bad data), then the launch's buffers, operands then results.
using CpuKernelFn = void (*)(void **args);

/// A kernel bound to a device. It takes the launch's arguments packed as for
/// CpuKernelFn. Bad data is reported through the status word, as on the cpu;
/// the Status is for failures of the device itself (a race cuda-emu caught,
/// a launch that could not run).
using KernelFn = std::function<Status(void **args)>;

/// Where a session finds the code for the plan's kernel symbols.
class KernelLibrary {
public:
  virtual ~KernelLibrary();
  /// The kernel for `symbol`, or null if the library has none.
  virtual KernelFn bind(const std::string &symbol) const = 0;
};

/// Kernels compiled for the cpu device: the JIT, or later an object file
/// loaded from an artifact.
class CpuKernelLibrary : public KernelLibrary {
public:
  /// The kernel for `symbol`, or null if the library has none.
  virtual CpuKernelFn lookup(const std::string &symbol) const = 0;
  KernelFn bind(const std::string &symbol) const override;
};

class HostSession {
public:
  /// Verifies the plan, resolves every kernel and allocates the arena.
  static Result<std::unique_ptr<HostSession>>
  create(std::shared_ptr<const Plan> plan,
         std::shared_ptr<const KernelLibrary> library);

  /// Runs the plan once. `inputs` must match the plan's inputs in number,
  /// order, dtype and shape; a mismatch names the input at fault.
  Result<std::vector<HostTensor>> run(const std::vector<HostTensor> &inputs);

  /// Runs the plan once on buffers the caller owns: inputs[i] holds
  /// plan().inputs[i].bytes() bytes, outputs[i] room for
  /// plan().outputs[i].bytes(). Only the counts can be checked here; the
  /// caller vouches for the sizes. Outputs must not overlap the inputs: a
  /// kernel may write an output before it has read all of its operands.
  /// This is how the public API runs without copying tensors in or out.
  Status run(const std::vector<const void *> &inputs,
             const std::vector<void *> &outputs);

  /// Times every launch from now on: launchSeconds()[i] accumulates the
  /// wall time of plan().launches[i] over all runs.
  void enableProfiling();
  const std::vector<double> &launchSeconds() const { return launchSeconds_; }

  const Plan &plan() const { return *plan_; }

  ~HostSession();

private:
  HostSession(std::shared_ptr<const Plan> plan,
              std::shared_ptr<const KernelLibrary> library);

  std::shared_ptr<const Plan> plan_;
  std::shared_ptr<const KernelLibrary> library_;
  std::vector<KernelFn> kernels_;
  uint8_t *arena_ = nullptr;
  bool profiling_ = false;
  std::vector<double> launchSeconds_;
};

} // namespace dsr1

#endif // DSR1_RUNTIME_SESSION_H
