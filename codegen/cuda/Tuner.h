//===- Tuner.h - choosing gemm-tc parameters without a GPU ------*- C++ -*-===//
//
// A first tuner for the tensor-core GEMM family. There is no GPU to time
// kernels on where dsr1 compiles, so candidates are ranked by an analytic
// cost model fed with what ptxas reports for each compiled candidate
// (registers, shared memory, spills): the model ranks candidates, it does
// not predict absolute times. Chosen parameters are kept in a JSON tuning
// cache so that a second tune of the same GEMM searches nothing.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CODEGEN_CUDA_TUNER_H
#define DSR1_CODEGEN_CUDA_TUNER_H

#include "codegen/cuda/CudaEmitter.h"
#include "codegen/cuda/Nvrtc.h"
#include "runtime/Result.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dsr1::cuda {

/// What the cost model knows of a GPU: datasheet peaks and per-SM limits.
struct GpuSpec {
  std::string arch; // "sm_80", "sm_90a"
  int sms = 0;
  double clockGHz = 0;         // the boost clock the peaks are quoted at
  double tensorTflopsF16 = 0;  // dense f16/bf16 with f32 accumulation
  double tensorTflopsTf32 = 0; // dense tf32
  double dramGBps = 0;
  int regsPerSm = 0;
  int smemPerSm = 0; // bytes a kernel's blocks may share on one SM
  int maxThreadsPerSm = 0;
  int maxBlocksPerSm = 0;
  /// Shared-memory bandwidth of one SM (bytes per clock): what feeds the
  /// ldmatrix/fragment loads of mma.sync.
  int smemBytesPerClock = 128;
  /// L2 cache bytes: what a wave's operand panels are re-read from.
  int64_t l2Bytes = 40 << 20;
};

/// The built-in spec for `arch` (sm_80, sm_90a; sm_90 is taken as sm_90a),
/// or null.
const GpuSpec *findGpuSpec(const std::string &arch);

/// One GEMM: C[batch, m, n] = sum_k A[batch, m, k] B[batch, k, n].
struct GemmProblem {
  int64_t m = 0, n = 0, k = 0, batch = 1;
  /// "fp16", "bf16" or "tf32" (f32 operands rounded to tf32).
  std::string precision = "fp16";
  bool transA = false, transB = false;

  /// Bytes of an operand element (2, or 4 for tf32) and of a result
  /// element (the result has the operands' type: 2, or 4 for tf32).
  int operandBytes() const { return precision == "tf32" ? 4 : 2; }
  int resultBytes() const { return operandBytes(); }
  double flops() const { return 2.0 * batch * m * n * k; }
};

/// Parses "M,N,K[,batch]" (positive integers) and a precision into a
/// problem; errors name what is wrong.
Result<GemmProblem> parseGemmProblem(const std::string &shape,
                                     const std::string &precision);

/// What the model derives for one candidate, for reports and tests.
struct CostEstimate {
  int blocksPerSm = 0; // 0: the block does not fit on an SM
  int64_t tiles = 0;   // blocks of the grid, batches included
  int64_t waves = 0;
  double efficiency = 0; // of the tensor peak, from occupancy and smem
  int64_t bytes = 0;     // DRAM traffic (dramBytes)
  double computeSeconds = 0, memorySeconds = 0, seconds = 0;
  double fractionOfPeak = 0; // 2MNK x batch / seconds / peak
};

/// Default CudaParams with the gemm-tc parameters set.
CudaParams gemmTcParams(int tileM, int tileN, int tileK, int warps, int stages);

/// Blocks of a gemm-tc kernel with `params` and `res` that fit on one SM at
/// once: the least of the register, shared-memory, thread and block limits.
int blocksPerSm(const CudaParams &params, const KernelResources &res,
                const GpuSpec &gpu);

/// Global memory bytes of the kernel: A read once per tile column of C
/// (ceil(N / tile-n) times), B once per tile row (ceil(M / tile-m)), C
/// written once. No L2 reuse is assumed.
int64_t gemmBytes(const GemmProblem &p, const CudaParams &params);

/// DRAM bytes of the kernel when the tiles resident at once (a wave of
/// `residentTiles` blocks, rasterised along N as the grid is) share their
/// operand panels through L2: each wave reads the rows of A and the columns
/// of B its tiles touch once, C is written once. Where a wave's panels do
/// not fit in the GPU's L2 this falls back to gemmBytes.
int64_t dramBytes(const GemmProblem &p, const CudaParams &params,
                  int64_t residentTiles, const GpuSpec &gpu);

/// The cost model (see docs/cuda.md, "The tuner").
CostEstimate estimate(const GemmProblem &p, const CudaParams &params,
                      const KernelResources &res, const GpuSpec &gpu);
inline double estimateSeconds(const GemmProblem &p, const CudaParams &params,
                              const KernelResources &res, const GpuSpec &gpu) {
  return estimate(p, params, res, gpu).seconds;
}

/// The tuner's order: the lower estimate first; on a tie (both memory
/// bound, say) the lower compute time, so occupancy still counts.
bool ranksBefore(const CostEstimate &a, const CostEstimate &b);

/// The gemm-tc parameter sets the tuner searches: tc-tile-m/n in
/// {32, 64, 128}, tc-tile-k in {16, 32}, tc-warps in {2, 4, 8}, tc-stages in
/// {2, 3, 4}, keeping those CudaParams::parse accepts.
std::vector<CudaParams> gemmTcCandidates();

/// "tc-tile-m=64,tc-tile-n=64,..." (what --cuda-params takes).
std::string formatTcParams(const CudaParams &params);

/// The tuning cache's key for `p` on `arch`:
/// "gemm-tc/<precision>/<M>x<N>x<K>/b<batch>/<nn|tn|nt|tt>/<arch>".
std::string gemmSignature(const GemmProblem &p, const std::string &arch);

/// One ranked candidate.
struct TunedCandidate {
  CudaParams params;
  KernelResources resources;
  CostEstimate cost;
};

/// The outcome of a search.
struct TuneResult {
  std::vector<TunedCandidate> ranked; // fastest first, spill-free only
  int compiled = 0;                   // candidates compiled
  int spilling = 0;                   // excluded for spills
  int fromKernelCache = 0;            // compiles the KernelCache answered
};

/// Generates the gemm-tc kernel of `p` under `params`, compiles it with
/// NVRTC for `gpu.arch` through `cache` (null: none) and returns the
/// resources of its gemm-tc function.
Result<KernelResources> compileGemmTc(const GemmProblem &p,
                                      const CudaParams &params,
                                      const GpuSpec &gpu, const Nvrtc &nvrtc,
                                      const KernelCache *cache,
                                      bool *fromCache = nullptr);

/// Compiles every candidate of gemmTcCandidates() and ranks the spill-free
/// ones by estimate().
Result<TuneResult> tuneGemmTc(const GemmProblem &p, const GpuSpec &gpu,
                              const Nvrtc &nvrtc, const KernelCache *cache);

/// What the tuning cache keeps per signature.
struct TuningEntry {
  std::string params; // formatTcParams()
  double seconds = 0;
  double fractionOfPeak = 0;
};

/// A JSON file of signature -> TuningEntry:
///   {"version": 1, "entries": {"<signature>": {"params": "...",
///    "seconds": 1.2e-4, "fraction_of_peak": 0.61}}}
class TuningCache {
public:
  /// Reads `path`. A missing file is an empty cache; a file that is not a
  /// tuning cache (bad JSON, wrong version, malformed entry) is an error
  /// naming the file, so a typo'd path never silently discards tunings.
  static Result<TuningCache> load(const std::string &path);

  const TuningEntry *lookup(const std::string &signature) const;
  void insert(const std::string &signature, TuningEntry entry);
  size_t size() const { return entries_.size(); }

  /// Writes to a temporary file next to `path` and renames it into place,
  /// so a reader never sees half a file.
  Status save(const std::string &path) const;

private:
  std::map<std::string, TuningEntry> entries_;
};

} // namespace dsr1::cuda

#endif // DSR1_CODEGEN_CUDA_TUNER_H
