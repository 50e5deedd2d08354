//===- CpuLibrary.cpp - library routines generated cpu code calls ---------===//
//
// Matrix products through OpenBLAS's cblas interface. A batch is a loop of
// single products: the batches dsr1 meets (attention heads, grouped
// convolutions) are few and each product is large enough for BLAS to pay.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/CpuLibrary.h"

#include <cblas.h>

namespace {

template <typename T, typename Gemm>
void gemm(Gemm call, int64_t batch, int64_t m, int64_t n, int64_t k, int64_t a,
          int64_t batchStrideA, int64_t lda, int64_t transA, int64_t b,
          int64_t batchStrideB, int64_t ldb, int64_t transB, int64_t c,
          int64_t batchStrideC, int64_t ldc) {
  auto *pa = reinterpret_cast<const T *>(a);
  auto *pb = reinterpret_cast<const T *>(b);
  auto *pc = reinterpret_cast<T *>(c);
  for (int64_t i = 0; i < batch; ++i)
    call(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
         transB ? CblasTrans : CblasNoTrans, m, n, k, T(1),
         pa + i * batchStrideA, lda, pb + i * batchStrideB, ldb, T(1),
         pc + i * batchStrideC, ldc);
}

} // namespace

extern "C" void dsr1_cpu_sgemm(int64_t batch, int64_t m, int64_t n, int64_t k,
                               int64_t a, int64_t batchStrideA, int64_t lda,
                               int64_t transA, int64_t b, int64_t batchStrideB,
                               int64_t ldb, int64_t transB, int64_t c,
                               int64_t batchStrideC, int64_t ldc) {
  gemm<float>(cblas_sgemm, batch, m, n, k, a, batchStrideA, lda, transA, b,
              batchStrideB, ldb, transB, c, batchStrideC, ldc);
}

extern "C" void dsr1_cpu_dgemm(int64_t batch, int64_t m, int64_t n, int64_t k,
                               int64_t a, int64_t batchStrideA, int64_t lda,
                               int64_t transA, int64_t b, int64_t batchStrideB,
                               int64_t ldb, int64_t transB, int64_t c,
                               int64_t batchStrideC, int64_t ldc) {
  gemm<double>(cblas_dgemm, batch, m, n, k, a, batchStrideA, lda, transA, b,
               batchStrideB, ldb, transB, c, batchStrideC, ldc);
}

namespace dsr1 {

void setCpuLibraryThreads(int threads) { openblas_set_num_threads(threads); }

std::vector<std::pair<const char *, void *>> cpuLibrarySymbols() {
  return {{"dsr1_cpu_sgemm", reinterpret_cast<void *>(&dsr1_cpu_sgemm)},
          {"dsr1_cpu_dgemm", reinterpret_cast<void *>(&dsr1_cpu_dgemm)}};
}

} // namespace dsr1
