//===- CpuLibrary.h - library routines generated cpu code calls -*- C++ -*-===//
//
// Functions that kernels JIT-compiled for the cpu device call where a tuned
// library beats generated loops (matrix products through OpenBLAS). They
// take pointers as 64-bit integers, which is how generated code passes them
// whatever the shapes. The JIT resolves them through cpuLibrarySymbols();
// a shared object from emitCpuObject gets them from loadCpuObject, together
// with dsr1_memref_copy, the runtime's own memrefCopy.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_CPU_CPULIBRARY_H
#define DSR1_RUNTIME_CPU_CPULIBRARY_H

#include <cstdint>
#include <utility>
#include <vector>

extern "C" {

/// C[b] += op(A[b]) * op(B[b]) for b in [0, batch): an m x k by k x n
/// product, row-major with leading dimensions lda, ldb, ldc, op() a
/// transpose where transA / transB is non-zero. The batch strides (in
/// elements) may be 0 for an operand shared by every batch.
void dsr1_cpu_sgemm(int64_t batch, int64_t m, int64_t n, int64_t k, int64_t a,
                    int64_t batchStrideA, int64_t lda, int64_t transA,
                    int64_t b, int64_t batchStrideB, int64_t ldb,
                    int64_t transB, int64_t c, int64_t batchStrideC,
                    int64_t ldc);
/// The same in f64.
void dsr1_cpu_dgemm(int64_t batch, int64_t m, int64_t n, int64_t k, int64_t a,
                    int64_t batchStrideA, int64_t lda, int64_t transA,
                    int64_t b, int64_t batchStrideB, int64_t ldb,
                    int64_t transB, int64_t c, int64_t batchStrideC,
                    int64_t ldc);

/// MLIR's unranked memref descriptor (UnrankedMemRefType in
/// mlir/ExecutionEngine/CRunnerUtils.h, which the runtime does not include):
/// `descriptor` points to {base, data, offset, sizes[rank], strides[rank]}.
struct Dsr1UnrankedMemRef {
  int64_t rank;
  void *descriptor;
};

/// MLIR's memrefCopy (what memref.copy between non-contiguous buffers lowers
/// to), reimplemented so that the runtime does not link MLIR's
/// c_runner_utils: copies `src` into `dst`, two memrefs of the same shape and
/// `elemSize`-byte elements with any strides and offsets. Nothing is copied
/// when a dimension is 0.
void dsr1_memref_copy(int64_t elemSize, Dsr1UnrankedMemRef *src,
                      Dsr1UnrankedMemRef *dst);
}

namespace dsr1 {

/// Threads the library routines may use (BLAS); the generated kernels
/// themselves run on the calling thread.
void setCpuLibraryThreads(int threads);

/// The library's symbols and their addresses, for a JIT to resolve.
std::vector<std::pair<const char *, void *>> cpuLibrarySymbols();

} // namespace dsr1

#endif // DSR1_RUNTIME_CPU_CPULIBRARY_H
