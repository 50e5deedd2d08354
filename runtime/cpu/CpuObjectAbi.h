//===- CpuObjectAbi.h - a cpu object and its loader -------------*- C++ -*-===//
//
// The contract between the shared objects codegen/cpu's emitCpuObject writes
// and runtime/cpu's loadCpuObject: the symbols the object exports and the
// order of the routine table the loader hands it. The generated code calls
// the runtime's routines (BLAS products, memrefCopy) by name; the object
// defines those names itself as hidden trampolines through a table, so it
// loads into any process, whether or not that process exports them.
//
// Any change to the table (order, a routine added or its signature changed)
// must bump kCpuObjectAbiVersion: an object built against another version is
// refused rather than called through the wrong pointers.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_CPU_CPUOBJECTABI_H
#define DSR1_RUNTIME_CPU_CPUOBJECTABI_H

namespace dsr1 {

/// What `int dsr1_cpu_object_abi(void)` returns for objects of this layout.
constexpr int kCpuObjectAbiVersion = 1;

/// The object's exported ABI version query: `int (void)`.
constexpr const char *kCpuObjectAbiSymbol = "dsr1_cpu_object_abi";
/// The object's exported binder: `void (void *const *table, int count)`
/// copies the first `count` entries of `table` (at most
/// kCpuObjectRoutineCount) into the object's table. The loader calls it
/// once, before any kernel runs.
constexpr const char *kCpuObjectBindSymbol = "dsr1_cpu_bind";
/// The kernel `name` is exported as `void <prefix><name>(void **args)`,
/// MLIR's packed calling convention (ExecutionEngine::lookupPacked).
constexpr const char *kCpuObjectPackedPrefix = "_mlir_";

/// The routine table, in order. Each entry is the address of a function
/// with the signature of the name the generated code calls.
enum CpuObjectRoutine : int {
  /// dsr1_cpu_sgemm (runtime/cpu/CpuLibrary.h).
  kCpuObjectSgemm = 0,
  /// dsr1_cpu_dgemm (runtime/cpu/CpuLibrary.h).
  kCpuObjectDgemm = 1,
  /// MLIR's memrefCopy(int64_t, UnrankedMemRef *, UnrankedMemRef *), which
  /// the runtime implements as dsr1_memref_copy.
  kCpuObjectMemrefCopy = 2,
  kCpuObjectRoutineCount = 3
};

/// The name the generated code calls each routine by, in table order.
constexpr const char *kCpuObjectRoutineNames[kCpuObjectRoutineCount] = {
    "dsr1_cpu_sgemm", "dsr1_cpu_dgemm", "memrefCopy"};

} // namespace dsr1

#endif // DSR1_RUNTIME_CPU_CPUOBJECTABI_H
