//===- Tuner.h - choosing tensor-core parameters without a GPU --*- C++ -*-===//
//
// The tuner of the tensor-core families: gemm-tc, conv-tc (implicit GEMM)
// and attention-tc (flash attention). There is no GPU to time kernels on
// where dsr1 compiles, so candidates are ranked by an analytic cost model
// fed with what ptxas reports for each compiled candidate (registers,
// shared memory, spills): the model ranks candidates, it does not predict
// absolute times. Before a candidate is chosen it may be run on cuda-emu at
// a small shape of the same kernel (TuneOptions::verify). Chosen parameters
// are kept in a JSON tuning cache so that a second tune searches nothing.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CODEGEN_CUDA_TUNER_H
#define DSR1_CODEGEN_CUDA_TUNER_H

#include "codegen/cuda/CudaEmitter.h"
#include "codegen/cuda/Nvrtc.h"
#include "runtime/Result.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
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
  /// The fraction of the tensor peak mma.sync can reach: 1 on sm_80; on
  /// sm_90a the datasheet peak is wgmma's, and warp-level mma is reported
  /// at about half of it.
  double mmaSyncFraction = 1.0;
  /// Per SM and clock: f32 exp2 (the special-function units) and thread
  /// instructions issued (4 schedulers x 32 lanes).
  int sfuPerClock = 16;
  int issuePerClock = 128;
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

/// One attention for the flash template: batch x heads x sq query rows of
/// head dim dk against skv keys (value head dim dv), f16 or bf16.
struct AttentionProblem {
  int64_t batch = 1, heads = 1, sq = 0, skv = 0, dk = 0, dv = 0;
  bool causal = false;
  std::string precision = "bf16"; // "fp16" or "bf16"

  /// 2 (dk + dv) per visible (query, key) pair; causal sees about half.
  double flops() const;
};

/// Parses "B,H,Sq,Skv,D[,Dv]" (positive; D and Dv multiples of 16 up to
/// 128, what attention-tc takes) and fp16 or bf16.
Result<AttentionProblem> parseAttentionProblem(const std::string &shape,
                                               const std::string &precision,
                                               bool causal);

/// One 2-D convolution for the implicit GEMM: N x C x H x W input, OC
/// output channels, a KH x KW window, one stride, padding and dilation for
/// both dimensions, groups.
struct ConvProblem {
  int64_t n = 1, c = 0, h = 0, w = 0, oc = 0, kh = 1, kw = 1;
  int64_t stride = 1, pad = 0, dilation = 1, groups = 1;
  std::string precision = "fp16"; // "fp16", "bf16" or "tf32"

  int64_t outH() const {
    return (h + 2 * pad - dilation * (kh - 1) - 1) / stride + 1;
  }
  int64_t outW() const {
    return (w + 2 * pad - dilation * (kw - 1) - 1) / stride + 1;
  }
  /// The implicit GEMM conv-tc runs: per image and group, m = OC / groups,
  /// n = output pixels, k = C / groups x KH x KW.
  GemmProblem asGemm() const;
  /// True when X's tiles are copied by cp.async (a 1x1 window, unit
  /// stride, no padding, whole 16-byte rows of pixels): else gathered.
  bool gathered() const;
  double flops() const { return asGemm().flops(); }
};

/// Parses "N,C,H,W,OC,KH,KW[,stride[,pad[,groups]]]" and a precision.
Result<ConvProblem> parseConvProblem(const std::string &shape,
                                     const std::string &precision);

/// Instructions a thread spends gathering one element of a convolution's X
/// tile (index arithmetic, the padding test, the load, the conversion and
/// the shared store), where cp.async moves 8 elements in one.
constexpr int kGatherInstructions = 16;
/// Thread instructions per attention score besides its exp2: scale, mask,
/// running max, subtraction, sum, the rescaling and the conversion to P.
constexpr int kSoftmaxInstructions = 12;

/// SM clocks a block of attention-tc loses per key tile to its two
/// barriers and the wait for the tile's copies (a rough figure: what makes
/// larger key tiles rank first when nothing else differs).
constexpr int kTileSyncClocks = 64;

/// The convolution's model: its implicit GEMM's (estimate()), with DRAM
/// bytes of X, W and Y each once (the gathered re-reads come from L2), and
/// the issue slots a gathered X takes (kGatherInstructions an element)
/// bounding the compute time.
CostEstimate estimateConv(const ConvProblem &p, const CudaParams &params,
                          const KernelResources &res, const GpuSpec &gpu);

/// The flash attention's model: blocks of attention-tc-block-q rows; per
/// key tile, the two products on the tensor cores and the softmax of each
/// score (one exp2 on the special-function units, kSoftmaxInstructions
/// issued) and the tile's synchronisation (kTileSyncClocks), one after the
/// other as FlashAttention-2's schedule runs them.
/// Q, K and V are read from DRAM once per block row of queries, O written
/// once.
CostEstimate estimateAttention(const AttentionProblem &p,
                               const CudaParams &params,
                               const KernelResources &res, const GpuSpec &gpu);

/// The tuner's order: the lower estimate first; on a tie (both memory
/// bound, say) the lower compute time, so occupancy still counts.
bool ranksBefore(const CostEstimate &a, const CostEstimate &b);

/// The gemm-tc parameter sets the tuner searches: tc-tile-m/n in
/// {32, 64, 128}, tc-tile-k in {16, 32}, tc-warps in {2, 4, 8}, tc-stages in
/// {2, 3, 4}, keeping those CudaParams::parse accepts.
std::vector<CudaParams> gemmTcCandidates();
/// Those, and for a GEMM whose 64 x 64 tiles leave most of `gpu`'s SMs
/// idle, square tiles of 32, 64 and 128 with K split 2, 4 and 8 ways
/// (tc-split-k) where K allows.
std::vector<CudaParams> gemmTcCandidates(const GemmProblem &p,
                                         const GpuSpec &gpu);

/// "tc-tile-m=64,tc-tile-n=64,...[,tc-split-k=S]" (what --cuda-params
/// takes).
std::string formatTcParams(const CudaParams &params);

/// The tuning cache's key for `p` on `arch`:
/// "gemm-tc/<precision>/<M>x<N>x<K>/b<batch>/<nn|tn|nt|tt>/<arch>".
std::string gemmSignature(const GemmProblem &p, const std::string &arch);

/// A kernel to tune: its family, shape and precision, the candidates of
/// its family and the model that ranks them.
class TuneProblem {
public:
  virtual ~TuneProblem() = default;
  /// "gemm-tc", "conv-tc" or "attention-tc".
  virtual std::string family() const = 0;
  /// The tuning cache's key, e.g. "gemm-tc/fp16/4096x4096x4096/b1/nn/sm_90a",
  /// "conv-tc/fp16/n32c128h28w28/oc128k3x3s1p1d1g1/sm_90a",
  /// "attention-tc/bf16/b8h16/2048x2048/d128v128/full/sm_90a".
  virtual std::string signature(const std::string &arch) const = 0;
  /// One dsr1.kernel function holding the op, as the pipeline outlines it.
  virtual std::string moduleText() const = 0;
  virtual std::vector<CudaParams> candidates() const = 0;
  /// The candidate's parameters as --cuda-params takes them.
  virtual std::string formatParams(const CudaParams &params) const = 0;
  virtual CostEstimate estimate(const CudaParams &params,
                                const KernelResources &res,
                                const GpuSpec &gpu) const = 0;
  /// The peak the fraction is of: tensor f16/bf16, or tf32.
  virtual double peakTflops(const GpuSpec &gpu) const = 0;
  /// The kernel's useful FLOPs (what a fraction of the peak counts).
  virtual double flops() const = 0;
  /// The same kernel at a small shape that still takes its ragged edges
  /// and every operand path: what a candidate is checked on (cuda-emu).
  virtual std::unique_ptr<TuneProblem> small() const = 0;
  /// "fp16", "bf16" or "tf32": the operands' and the result's type (f32
  /// for tf32).
  virtual std::string precision() const = 0;
  /// The kernel's operand shapes, in argument order, and its result's.
  virtual std::vector<std::vector<int64_t>> operandShapes() const = 0;
  virtual std::vector<int64_t> resultShape() const = 0;
  /// The result computed directly in double from `operands` (row-major,
  /// the values the kernel reads): what a candidate is checked against.
  virtual std::vector<double>
  reference(const std::vector<std::vector<double>> &operands) const = 0;
  virtual std::unique_ptr<TuneProblem> clone() const = 0;
};

std::unique_ptr<TuneProblem> tuneProblem(const GemmProblem &p);
std::unique_ptr<TuneProblem> tuneProblem(const ConvProblem &p);
std::unique_ptr<TuneProblem> tuneProblem(const AttentionProblem &p);

/// A KernelTunings that tunes nothing: it records each distinct problem the
/// emitter asks about (dsr1-compile --tune: a model's tensor-core kernels).
class CollectedProblems : public KernelTunings {
public:
  std::optional<CudaParams> lookup(const TuneProblem &problem,
                                   const CudaParams &base) const override;
  const std::vector<std::unique_ptr<TuneProblem>> &problems() const {
    return problems_;
  }

private:
  mutable std::vector<std::unique_ptr<TuneProblem>> problems_;
  mutable std::set<std::string> seen_;
};

/// The attention-tc parameter sets: attention-tc-block-q in {64, 128},
/// attention-tc-warps in {4, 8}, attention-tc-block-kv in {32, 64, 128},
/// keeping those CudaParams::parse accepts.
std::vector<CudaParams> attentionTcCandidates();
std::string formatAttentionTcParams(const CudaParams &params);

/// One ranked candidate.
struct TunedCandidate {
  CudaParams params;
  KernelResources resources;
  CostEstimate cost;
  /// Seconds a run on the GPU (TuneOptions::measure), or < 0: not timed.
  double measuredSeconds = -1;
};

/// The outcome of a search.
struct TuneResult {
  std::vector<TunedCandidate> ranked; // fastest first, spill-free only
  int compiled = 0;                   // candidates compiled
  int spilling = 0;                   // excluded for spills
  int fromKernelCache = 0;            // compiles the KernelCache answered
  /// With a verifier: the candidates it rejected, each with its reason,
  /// and the index in `ranked` of the best one it passed (-1: none was
  /// checked, or none passed).
  std::vector<std::pair<std::string, std::string>> rejected;
  int verified = -1;
  /// Candidates timed on the GPU, and those whose timing failed (reason).
  int measured = 0;
  std::vector<std::pair<std::string, std::string>> unmeasured;
};

/// `p`'s kernel module generated under `params`, or why not.
Result<CudaModule> generateCandidate(const TuneProblem &p,
                                     const CudaParams &params);

/// Generates `p`'s kernel under `params`, compiles it with NVRTC for
/// `gpu.arch` through `cache` (null: none) and returns the resources of its
/// function of the problem's family.
Result<KernelResources> compileCandidate(const TuneProblem &p,
                                         const CudaParams &params,
                                         const GpuSpec &gpu, const Nvrtc &nvrtc,
                                         const KernelCache *cache,
                                         bool *fromCache = nullptr);

/// Checks a candidate before it is chosen: ok, or why not.
using TuneVerifier =
    std::function<Status(const TuneProblem &small, const CudaParams &params)>;
/// Times a candidate's kernel on a GPU: seconds per run.
using TuneMeasurer = std::function<Result<double>(const CudaParams &params)>;

struct TuneOptions {
  /// Walks the ranking from the best and checks each on `p.small()` until
  /// one passes (TuneResult::verified).
  TuneVerifier verify;
  /// With a GPU: times the model's best `measureTop` candidates and ranks
  /// those by their measured time, ahead of the rest.
  TuneMeasurer measure;
  int measureTop = 8;
};

/// Compiles every candidate of `p` and ranks the spill-free ones by its
/// model (then, with options.measure, by measured time), and verifies.
Result<TuneResult> tune(const TuneProblem &p, const GpuSpec &gpu,
                        const Nvrtc &nvrtc, const KernelCache *cache,
                        const TuneOptions &options = {});

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

/// The tunings of `cache` for kernels compiled for `arch`: a kernel whose
/// signature is there gets its parameters (the family's fields over the
/// module's parameters).
std::unique_ptr<KernelTunings> cacheTunings(TuningCache cache,
                                            const std::string &arch);

} // namespace dsr1::cuda

#endif // DSR1_CODEGEN_CUDA_TUNER_H
