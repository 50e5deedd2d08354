//===- CpuObject.h - cpu kernels from a compiled shared object --*- C++ -*-===//
//
// Loads the shared object codegen/cpu's emitCpuObject writes (an artifact's
// cpu kernels, compiled ahead of time) into a process that links neither
// MLIR nor LLVM, and checks that this CPU can run the code it holds.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_CPU_CPUOBJECT_H
#define DSR1_RUNTIME_CPU_CPUOBJECT_H

#include "runtime/HostSession.h"
#include "runtime/Result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dsr1 {

/// The kernels of a shared object from emitCpuObject, loaded from memory
/// (`size` bytes at `data`, which may be freed on return). The object gets
/// this runtime's routines (BLAS products, memrefCopy) through its routine
/// table (runtime/cpu/CpuObjectAbi.h); lookup(symbol) is its packed
/// `_mlir_<symbol>`. The object is unloaded when the last reference goes.
/// Errors (not an ELF object, a truncated one, another ABI version) name
/// `label` and what failed. The ELF headers are checked before the dynamic
/// loader sees the bytes (it would fault on a truncated file); the rest is
/// trusted, as any shared object is.
Result<std::shared_ptr<const CpuKernelLibrary>>
loadCpuObject(const uint8_t *data, size_t size, const std::string &label);

/// An error naming the features in `features` (LLVM's names, "+avx512f")
/// this CPU lacks, when code compiled for them cannot run here. Only the x86
/// features the compiler's __builtin_cpu_supports knows are checked (the
/// vector extensions, FMA, F16C, BMI, POPCNT and the like, which decide
/// whether generated code runs); others, "-" entries, and every feature on
/// another architecture pass unchecked.
Status checkCpuFeatures(const std::vector<std::string> &features);

} // namespace dsr1

#endif // DSR1_RUNTIME_CPU_CPUOBJECT_H
