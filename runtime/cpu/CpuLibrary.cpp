//===- CpuLibrary.cpp - library routines generated cpu code calls ---------===//
//
// Matrix products through OpenBLAS's cblas interface. A batch is a loop of
// single products: the batches dsr1 meets (attention heads, grouped
// convolutions) are few and each product is large enough for BLAS to pay.
// And memrefCopy, for the kernels loaded from shared objects.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/CpuLibrary.h"

#include <cblas.h>

#include <cstring>
#include <vector>

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

namespace {

/// The fields of a ranked descriptor, whose arrays follow three words.
struct RankedView {
  char *data;
  const int64_t *sizes;
  const int64_t *strides;
};

RankedView view(const Dsr1UnrankedMemRef &m, int64_t elemSize) {
  auto *words = static_cast<int64_t *>(m.descriptor);
  char *aligned = reinterpret_cast<char *>(words[1]);
  int64_t offset = words[2];
  return {aligned + offset * elemSize, words + 3, words + 3 + m.rank};
}

/// Whether the memref is dense in row-major order (the stride of a size 1
/// dimension may be anything: it never steps).
bool isRowMajor(int64_t rank, const int64_t *sizes, const int64_t *strides) {
  int64_t expected = 1;
  for (int64_t axis = rank - 1; axis >= 0; --axis) {
    if (sizes[axis] != 1 && strides[axis] != expected)
      return false;
    expected *= sizes[axis];
  }
  return true;
}

} // namespace

// The same element order and bytes as CRunnerUtils.cpp's memrefCopy (an
// odometer over the source's shape, element by element), with a single
// memcpy when both sides are dense, which copies the same bytes.
extern "C" void dsr1_memref_copy(int64_t elemSize, Dsr1UnrankedMemRef *src,
                                 Dsr1UnrankedMemRef *dst) {
  int64_t rank = src->rank;
  RankedView from = view(*src, elemSize);
  RankedView to = view(*dst, elemSize);
  int64_t count = 1;
  for (int64_t axis = 0; axis < rank; ++axis) {
    if (from.sizes[axis] == 0)
      return;
    count *= from.sizes[axis];
  }
  if (rank == 0 || (isRowMajor(rank, from.sizes, from.strides) &&
                    isRowMajor(rank, from.sizes, to.strides))) {
    std::memmove(to.data, from.data, count * elemSize);
    return;
  }

  std::vector<int64_t> index(rank, 0);
  int64_t read = 0, write = 0;
  for (;;) {
    std::memcpy(to.data + write, from.data + read, elemSize);
    // Advance the innermost axis; an axis that wraps goes back to 0 and
    // carries into the next one out.
    for (int64_t axis = rank - 1;; --axis) {
      read += from.strides[axis] * elemSize;
      write += to.strides[axis] * elemSize;
      if (++index[axis] != from.sizes[axis])
        break;
      if (axis == 0)
        return;
      index[axis] = 0;
      read -= from.sizes[axis] * from.strides[axis] * elemSize;
      write -= from.sizes[axis] * to.strides[axis] * elemSize;
    }
  }
}

namespace dsr1 {

void setCpuLibraryThreads(int threads) { openblas_set_num_threads(threads); }

std::vector<std::pair<const char *, void *>> cpuLibrarySymbols() {
  return {{"dsr1_cpu_sgemm", reinterpret_cast<void *>(&dsr1_cpu_sgemm)},
          {"dsr1_cpu_dgemm", reinterpret_cast<void *>(&dsr1_cpu_dgemm)}};
}

} // namespace dsr1
