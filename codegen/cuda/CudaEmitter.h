//===- CudaEmitter.h - dsr1 kernels to CUDA C++ -----------------*- C++ -*-===//
//
// The CUDA code generator: every kernel function of an outlined module
// becomes one or more `__global__` functions, generated from the template of
// its family (pointwise, row reduction, SIMT GEMM, tensor-core GEMM,
// attention, recurrent), plus the launch configuration the runtime uses.
// The source includes dsr1_device.cuh and nothing else, so NVRTC compiles it
// for the GPU and the host compiler compiles the same text for cuda-emu.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CODEGEN_CUDA_CUDAEMITTER_H
#define DSR1_CODEGEN_CUDA_CUDAEMITTER_H

#include "runtime/cuda/CudaPlan.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace dsr1::cuda {

/// The parameters of the kernel families. Every choice generates correct
/// code; they trade occupancy against work per thread.
struct CudaParams {
  /// Threads per block of pointwise kernels (elementwise, data movement,
  /// direct convolution, pooling).
  int pointwiseBlock = 256;
  /// Elements each pointwise thread handles per grid-stride step.
  int elementsPerThread = 1;
  /// Threads per block of row kernels (reductions, softmax, norms); a
  /// multiple of 32.
  int rowBlock = 256;
  /// SIMT GEMM: the block's tile of C (tileM x tileN), the K slice staged in
  /// shared memory, and each thread's register tile.
  int tileM = 64, tileN = 64, tileK = 16, threadM = 4, threadN = 4;
  /// Threads per attention row block (a multiple of 32) and the keys staged
  /// in shared memory at a time.
  int attentionBlock = 128, attentionChunk = 256;
  /// The fewest output channels per group a convolution needs to run as an
  /// implicit GEMM on tensor cores: with fewer (depthwise) most of an m16
  /// tile would be padding, and the direct kernel runs it.
  int convTcMinChannels = 4;
  /// Split-kv decoding (one query row a head): the keys of a split, and the
  /// threads of a block (a multiple of 32).
  int decodeSplitKeys = 256, decodeBlock = 128;
  /// Threads per recurrent block (one block per direction and batch entry).
  int recurrentBlock = 256;
  /// Tensor-core GEMM (f16, bf16, tf32 products): the block's tile of C,
  /// the K slice of a pipeline stage (multiples of 16), the warps of a
  /// block and the shared-memory stages of the cp.async pipeline (2-4).
  int tcTileM = 64, tcTileN = 64, tcTileK = 16, tcWarps = 4, tcStages = 2;
  /// 1: 16-bit tiles XOR-swizzled (dsr1::swizzle16) where their rows are a
  /// power of two of 16-byte chunks; 0: padded by 16 bytes a row.
  int tcSwizzle = 1;
  /// Split-k (1-16): K tiles shared out among this many blocks per output
  /// tile, their partial products summed by a second launch through the
  /// kernel's workspace (more blocks for a product with large K and small
  /// M x N).
  int tcSplitK = 1;
  /// Tensor-core flash attention (f16, bf16; head dims multiples of 16 up
  /// to 128): the query rows of a block (16 or 32 a warp), the keys of a
  /// K/V tile (a multiple of 16, halved while K + V exceed 48 KiB), and the
  /// warps of a block.
  int attnTcBlockQ = 64, attnTcBlockKv = 64, attnTcWarps = 4;

  /// Warps down M of the tensor-core GEMM's warp layout (the rest across
  /// N), or 0 when no layout gives warp tiles of multiples of 16x16.
  int tcWarpsM() const;
  /// The most shared memory the tensor-core GEMM's stages take (tf32).
  int64_t tcSharedBytes() const;

  /// Parses "name=value,..." over the defaults (names as the fields:
  /// pointwise-block, elements-per-thread, row-block, tile-m, tile-n, tile-k,
  /// thread-m, thread-n, attention-block, attention-chunk, recurrent-block,
  /// tc-tile-m, tc-tile-n, tc-tile-k, tc-warps, tc-stages, tc-swizzle,
  /// tc-split-k,
  /// attention-tc-block-q, attention-tc-block-kv, attention-tc-warps,
  /// decode-split-keys, decode-block, conv-tc-min-channels).
  /// An unknown name or a value the families cannot use is an error.
  static mlir::FailureOr<CudaParams> parse(llvm::StringRef text,
                                           std::string &error);
};

class TuneProblem;

/// Tuned parameters per kernel (a tuning cache): the emitter asks with the
/// tuner's problem of each gemm-tc, conv-tc and attention-tc kernel and
/// generates it with the parameters returned, if any (`base` with the
/// family's fields replaced).
class KernelTunings {
public:
  virtual ~KernelTunings() = default;
  virtual std::optional<CudaParams> lookup(const TuneProblem &problem,
                                           const CudaParams &base) const = 0;
};

/// Generates CUDA C++ for every `dsr1.kernel` function of `module` (an
/// outlined module, or one after -dsr1-extract-kernels). Ops no family
/// covers yet are errors at the op, naming it. With `tunings`, the
/// tensor-core kernels found there use their tuned parameters.
mlir::FailureOr<CudaModule> emitCuda(mlir::ModuleOp module,
                                     const CudaParams &params = {},
                                     const KernelTunings *tunings = nullptr);

} // namespace dsr1::cuda

#endif // DSR1_CODEGEN_CUDA_CUDAEMITTER_H
