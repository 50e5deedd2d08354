// dsr1_device.cuh - the device library every generated CUDA kernel includes.
//
// Generated code holds no architecture-specific step itself: loads through
// the read-only cache, warp and block reductions, shared-memory arrays,
// narrow-float conversions and the status word all go through the functions
// here. Under nvcc/NVRTC they are CUDA; under DSR1_CUDA_EMU the built-ins
// they use come from cuda_emu.h (the host implementation cuda-emu compiles
// the same source against), so one source runs on both.
#ifndef DSR1_DEVICE_CUH
#define DSR1_DEVICE_CUH

#ifdef DSR1_CUDA_EMU
#include "cuda_emu.h"
#else
#ifdef __CUDACC_RTC__
// NVRTC has no standard headers: the fixed-width integers and the float
// constants generated code uses.
typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
#define INFINITY __int_as_float(0x7f800000)
#define NAN __int_as_float(0x7fffffff)
#else
#include <cmath>
#include <cstdint>
#endif
// A shared-memory array: one declaration that cuda-emu can watch for races.
#define DSR1_SHARED(type, name, count) __shared__ type name[count]
// The same, aligned to 128 bytes: cp.async and ldmatrix move 16-byte rows
// that must be aligned to 16, and swizzled tile layouts assume 128.
#define DSR1_SHARED_TILE(type, name, count)                                    \
  __shared__ __align__(128) type name[count]
#endif

namespace dsr1 {

constexpr int kWarpSize = 32;
constexpr unsigned kFullMask = 0xffffffffu;

/// A load through the read-only data cache where the target has one.
template <class T> __device__ __forceinline__ T load(const T *p) {
#ifdef DSR1_CUDA_EMU
  return *p;
#else
  return __ldg(p);
#endif
}
/// bool has no __ldg overload: go through its byte.
__device__ __forceinline__ bool load(const bool *p) {
#ifdef DSR1_CUDA_EMU
  return *p;
#else
  return __ldg(reinterpret_cast<const unsigned char *>(p)) != 0;
#endif
}

/// Records the first failure of a launch in its status word (0 = ok); later
/// failures keep the first.
__device__ __forceinline__ void fail(int *status, int code) {
  atomicCAS(status, 0, code);
}

// Reductions. `Op` is one of the functors below; every lane (thread) of a
// warp (block) must call these, and every lane gets the result.
struct SumOp {
  template <class T> __device__ __forceinline__ T operator()(T a, T b) const {
    return a + b;
  }
};
struct ProdOp {
  template <class T> __device__ __forceinline__ T operator()(T a, T b) const {
    return a * b;
  }
};
struct MaxOp {
  template <class T> __device__ __forceinline__ T operator()(T a, T b) const {
    // NaN wins, as in the cpu device's maximum.
    return (a != a || a > b) ? a : b;
  }
};
struct MinOp {
  template <class T> __device__ __forceinline__ T operator()(T a, T b) const {
    return (a != a || a < b) ? a : b;
  }
};

template <class T, class Op>
__device__ __forceinline__ T warpReduce(T value, Op op) {
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2)
    value = op(value, __shfl_xor_sync(kFullMask, value, offset));
  return value;
}

/// Reduces over the whole block (blockDim.x a multiple of 32, at most 1024)
/// through `scratch`, 32 elements of shared memory. Ends with a barrier, so
/// scratch may be reused at once.
template <class T, class Op, class Scratch>
__device__ __forceinline__ T blockReduce(T value, Op op, T identity,
                                         Scratch &scratch) {
  const int lane = threadIdx.x % kWarpSize;
  const int warp = threadIdx.x / kWarpSize;
  const int warps = (blockDim.x + kWarpSize - 1) / kWarpSize;
  value = warpReduce(value, op);
  if (lane == 0)
    scratch[warp] = value;
  __syncthreads();
  T total = lane < warps ? T(scratch[lane]) : identity;
  total = warpReduce(total, op);
  __syncthreads();
  return total;
}

__device__ __forceinline__ uint32_t floatBits(float f) {
#ifdef DSR1_CUDA_EMU
  uint32_t bits;
  memcpy(&bits, &f, sizeof(bits));
  return bits;
#else
  return __float_as_uint(f);
#endif
}

__device__ __forceinline__ float bitsFloat(uint32_t bits) {
#ifdef DSR1_CUDA_EMU
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
#else
  return __uint_as_float(bits);
#endif
}

// f16 and bf16 storage as raw 16-bit patterns, converted with
// round-to-nearest-even, the same rounding the cpu device applies.
__device__ __forceinline__ float halfToFloat(uint16_t h) {
#ifdef __CUDA_ARCH__
  float f;
  asm("cvt.f32.f16 %0, %1;\n" : "=f"(f) : "h"(h));
  return f;
#else
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1fu) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {
    // Subnormal: normalise.
    exponent = 113u;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return bitsFloat(bits);
#endif
}

__device__ __forceinline__ uint16_t floatToHalf(float f) {
#ifdef __CUDA_ARCH__
  // The same rounding (to nearest even) in one instruction; NaNs come out
  // as the canonical 0x7fff.
  uint16_t h;
  asm("cvt.rn.f16.f32 %0, %1;\n" : "=h"(h) : "f"(f));
  return h;
#else
  uint32_t bits = floatBits(f);
  uint32_t sign = (bits >> 16) & 0x8000u;
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) // NaN: keep it quiet.
    return uint16_t(sign | 0x7e00u);
  if (magnitude >= 0x477ff000u) // Rounds to infinity.
    return uint16_t(sign | 0x7c00u);
  if (magnitude < 0x38800000u) {
    // Subnormal or zero in f16: shift with rounding to nearest even.
    if (magnitude < 0x33000000u)
      return uint16_t(sign);
    uint32_t exponent = magnitude >> 23;
    uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126u - exponent;
    uint32_t result = mantissa >> shift;
    uint32_t rest = mantissa & ((1u << shift) - 1u);
    uint32_t half = 1u << (shift - 1u);
    if (rest > half || (rest == half && (result & 1u)))
      ++result;
    return uint16_t(sign | result);
  }
  uint32_t result = magnitude - 0x38000000u;
  result += 0xfffu + ((result >> 13) & 1u);
  return uint16_t(sign | (result >> 13));
#endif
}

__device__ __forceinline__ float bf16ToFloat(uint16_t h) {
  return bitsFloat(uint32_t(h) << 16);
}

__device__ __forceinline__ uint16_t floatToBf16(float f) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  uint16_t h;
  asm("cvt.rn.bf16.f32 %0, %1;\n" : "=h"(h) : "f"(f));
  return h;
#else
  uint32_t bits = floatBits(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return uint16_t((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return uint16_t(bits >> 16);
#endif
}

// f32 rounded to TF32 (10 mantissa bits) as cvt.rna.tf32.f32 does: to
// nearest, ties away from zero, infinities and NaN unchanged. What a tensor
// core reads of an f32 operand of a TF32 product; the cpu device rounds the
// same way.
__device__ __forceinline__ float roundTf32(float f) {
  uint32_t bits = floatBits(f);
  if ((bits & 0x7f800000u) == 0x7f800000u)
    return f;
  return bitsFloat((bits + 0x1000u) & 0xffffe000u);
}

// Integer division and remainder with the cpu device's semantics (floored
// modulo for ONNX Mod with fmod = 0).
template <class T> __device__ __forceinline__ T floorMod(T a, T b) {
  T r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

/// The smallest and largest values of an integer type (identities of max
/// and min reductions).
template <class T> __device__ __forceinline__ T lowest() {
  return T(~T(0)) < T(0) ? T((unsigned long long)1 << (sizeof(T) * 8 - 1))
                         : T(0);
}
template <class T> __device__ __forceinline__ T highest() {
  return T(~lowest<T>());
}

/// Reflect padding: index i of a padded dimension of size n reads
/// reflect(i, n) of the input (period 2n - 2, edges not repeated).
__device__ __forceinline__ int64_t reflect(int64_t i, int64_t n) {
  int64_t period = 2 * n - 2;
  i = floorMod<int64_t>(i, period);
  return i < n ? i : period - i;
}

/// Float remainders: C's fmod (sign of a) and numpy's mod (sign of b).
__device__ __forceinline__ float fmodTrunc(float a, float b) {
  return fmodf(a, b);
}
__device__ __forceinline__ double fmodTrunc(double a, double b) {
  return fmod(a, b);
}
template <class T> __device__ __forceinline__ T fmodFloorImpl(T a, T b, T r) {
  if (b != b || a != a)
    return a + b;
  if (r != 0 && ((r < 0) != (b < 0)))
    r += b;
  if (r == 0)
    r = b < 0 ? -T(0) : T(0);
  return r;
}
template <class T> __device__ __forceinline__ bool isInf(T x) {
  return x == T(INFINITY) || x == -T(INFINITY);
}

__device__ __forceinline__ float fmodFloor(float a, float b) {
  if (isInf(b) && !isInf(a))
    return (a == 0 || (a < 0) == (b < 0)) ? a : b;
  return fmodFloorImpl(a, b, fmodf(a, b));
}
__device__ __forceinline__ double fmodFloor(double a, double b) {
  if (isInf(b) && !isInf(a))
    return (a == 0 || (a < 0) == (b < 0)) ? a : b;
  return fmodFloorImpl(a, b, fmod(a, b));
}

/// pow with C's special cases, computed as exp2(b * log2|a|): unlike powf
/// it makes no call, so a GEMM epilogue holding it spills no registers.
/// Within 1e-6 relative of powf where the result is a normal float.
template <class T>
__device__ __forceinline__ T powWith(T a, T b, T magnitude, bool negative,
                                     bool integral, bool odd) {
  if (b == T(2))
    return a * a;
  if (b == T(1))
    return a;
  if (b == T(0) || a == T(1))
    return T(1);
  if (a != a || b != b)
    return a + b;
  if (a < 0 && !integral)
    return T(NAN);
  T m = a < 0 ? -a : a;
  T result;
  if (m == 0)
    result = b < 0 ? T(INFINITY) : T(0);
  else if (isInf(m))
    result = b < 0 ? T(0) : T(INFINITY);
  else if (isInf(b))
    result = m == 1 ? T(1) : ((m > 1) == (b > 0) ? T(INFINITY) : T(0));
  else
    result = magnitude;
  return negative && odd ? -result : result;
}
/// a^n for a small integer n by repeated squaring: exact where the result
/// is, as powf is, so an integer-valued power truncated to an integer type
/// is right.
template <class T> __device__ __forceinline__ T powInteger(T a, int n) {
  T result = 1, base = a;
  for (int e = n < 0 ? -n : n; e; e >>= 1) {
    if (e & 1)
      result *= base;
    base *= base;
  }
  return n < 0 ? T(1) / result : result;
}
__device__ __forceinline__ float pow(float a, float b) {
  float m = a < 0 ? -a : a;
  bool integral = floorf(b) == b;
  if (integral && b >= -64 && b <= 64)
    return powInteger(a, int(b));
  return powWith(a, b, exp2f(b * log2f(m)), (floatBits(a) >> 31) != 0, integral,
                 integral && !isInf(b) && fmodf(b, 2.0f) != 0);
}
__device__ __forceinline__ double pow(double a, double b) {
  double m = a < 0 ? -a : a;
  bool integral = ::floor(b) == b;
  if (integral && b >= -64 && b <= 64)
    return powInteger(a, int(b));
  return powWith(a, b, exp2(b * log2(m)), a < 0 || (a == 0 && 1 / a < 0),
                 integral, integral && !isInf(b) && ::fmod(b, 2.0) != 0);
}

/// Integer power that wraps in T; a negative exponent truncates (0 unless
/// the base is 1 or -1).
template <class T> __device__ __forceinline__ T ipow(T base, T exponent) {
  if (exponent < 0) {
    if (base == 1)
      return 1;
    if (base == T(-1))
      return (exponent % 2) ? T(-1) : T(1);
    return 0;
  }
  T result = 1;
  while (exponent) {
    if (exponent & 1)
      result = T(result * base);
    base = T(base * base);
    exponent >>= 1;
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Tensor cores and asynchronous copies (sm_80 and later)
//
// Warp-wide matrix steps for tiled tensor-core kernels: mma.sync on f16,
// bf16 and tf32 fragments with f32 accumulators, ldmatrix from shared
// memory into those fragments, and cp.async from global into shared memory.
// The fragment layouts are the PTX ISA's ("Matrix Fragments for
// mma.m16n8k16 with floating point type", "Matrix Fragments for
// mma.m16n8k8", "Warp-level matrix load instruction: ldmatrix"); with
// groupID = lane / 4 and threadID_in_group = lane % 4:
//   m16n8k16 A (16x16, row-major): a[0] = row groupID, columns
//     threadID_in_group * 2 + {0, 1} (low half first); a[1] the same 8 rows
//     down; a[2], a[3] as a[0], a[1] 8 columns right.
//   m16n8k16 B (16x8, "col"): b[0] = rows threadID_in_group * 2 + {0, 1},
//     column groupID; b[1] the same 8 rows down.
//   C and D (16x8, f32): c[0], c[1] = row groupID, columns
//     threadID_in_group * 2 + {0, 1}; c[2], c[3] the same 8 rows down.
//   m16n8k8 .tf32 A (16x8): a[0] = (groupID, threadID_in_group), a[1] 8
//     rows down, a[2], a[3] as a[0], a[1] 4 columns right; B (8x8):
//     b[0] = (threadID_in_group, groupID), b[1] 4 rows down.
// mma and ldmatrix are warp collectives: every lane of a full warp calls
// them, with the same arguments but its own fragments and addresses.
// Under cuda-emu they are computed from those layouts (cuda_emu.h); the
// f32 sum runs over k in order, where the hardware's order is unspecified.
//===----------------------------------------------------------------------===//

/// The element offset of (row, col) in a shared tile of 16-bit elements
/// whose rows are `Chunks` 16-byte chunks (a power of two), XOR-swizzled
/// instead of padded: chunk c of row r is stored at c ^ f(r), with f(r) =
/// (r / max(1, 8 / Chunks)) % min(Chunks, 8). The 8 rows an ldmatrix phase
/// reads at one chunk (8 consecutive rows from a multiple of 8) then fall
/// in 8 distinct groups of 4 banks, and cp.async's 16-byte chunks stay
/// whole.
template <int Chunks>
__device__ __forceinline__ int swizzle16(int row, int col) {
  static_assert(Chunks > 0 && (Chunks & (Chunks - 1)) == 0,
                "rows of a power-of-two number of 16-byte chunks");
  constexpr int span = Chunks >= 8 ? 1 : 8 / Chunks; // rows a 128-byte line
  constexpr int mask = (Chunks >= 8 ? 8 : Chunks) - 1;
  return row * (Chunks * 8) + ((((col >> 3) ^ ((row / span) & mask))) << 3) +
         (col & 7);
}

/// Two 16-bit values (f16 or bf16 bits) in one register, `low` the one of
/// the lower column or row, as mma and ldmatrix fragments hold them.
__device__ __forceinline__ uint32_t pack16x2(uint16_t low, uint16_t high) {
  return uint32_t(low) | uint32_t(high) << 16;
}
/// Two f32 rounded to nearest even into f16 (bf16) pairs: one cvt on sm_80+.
__device__ __forceinline__ uint32_t packHalf2(float low, float high) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  uint32_t bits;
  asm("cvt.rn.f16x2.f32 %0, %1, %2;\n" : "=r"(bits) : "f"(high), "f"(low));
  return bits;
#else
  return pack16x2(floatToHalf(low), floatToHalf(high));
#endif
}
__device__ __forceinline__ uint32_t packBf162(float low, float high) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  uint32_t bits;
  asm("cvt.rn.bf16x2.f32 %0, %1, %2;\n" : "=r"(bits) : "f"(high), "f"(low));
  return bits;
#else
  return pack16x2(floatToBf16(low), floatToBf16(high));
#endif
}
/// An f32 as a .tf32 mma operand, rounded to nearest (ties away from zero)
/// as cvt.rna.tf32.f32 does. mma itself ignores the low 13 mantissa bits of
/// an operand that was not converted, which truncates.
__device__ __forceinline__ uint32_t toTf32(float f) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  uint32_t bits;
  asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(bits) : "f"(f));
  return bits;
#else
  return floatBits(roundTf32(f));
#endif
}

#ifdef DSR1_CUDA_EMU
#define DSR1_TENSOR_CORES 1
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
#define DSR1_TENSOR_CORES 1
// The 32-bit shared-window address PTX's .shared operands take.
__device__ __forceinline__ uint32_t sharedAddress(const void *p) {
  return uint32_t(__cvta_generic_to_shared(p));
}
#else
#define DSR1_TENSOR_CORES 0
#endif
// Compiled for an older GPU (or the host pass of nvcc), the steps below
// trap: generated code only calls them for sm_80 and later.

/// D = A * B + C, A 16x16 and B 16x8 f16 (mma.sync.aligned.m16n8k16.row.col
/// .f32.f16.f16.f32). d may be c.
__device__ __forceinline__ void mma_m16n8k16(float d[4], const uint32_t a[4],
                                             const uint32_t b[2],
                                             const float c[4]) {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::mmaM16N8K16<dsr1_emu::halfBits>(d, a, b, c);
#elif DSR1_TENSOR_CORES
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
               "{%10, %11, %12, %13};\n"
               : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),
                 "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
#else
  __trap();
#endif
}

/// The same with bf16 operands (.f32.bf16.bf16.f32).
__device__ __forceinline__ void mma_m16n8k16_bf16(float d[4],
                                                  const uint32_t a[4],
                                                  const uint32_t b[2],
                                                  const float c[4]) {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::mmaM16N8K16<dsr1_emu::bf16Bits>(d, a, b, c);
#elif DSR1_TENSOR_CORES
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
               "{%10, %11, %12, %13};\n"
               : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),
                 "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
#else
  __trap();
#endif
}

/// D = A * B + C, A 16x8 and B 8x8 tf32 given as f32 bits (m16n8k8.row.col
/// .f32.tf32.tf32.f32). The low 13 mantissa bits of each operand are
/// ignored (truncation); toTf32 rounds them off first where that matters.
__device__ __forceinline__ void mma_m16n8k8_tf32(float d[4],
                                                 const uint32_t a[4],
                                                 const uint32_t b[2],
                                                 const float c[4]) {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::mmaM16N8K8Tf32(d, a, b, c);
#elif DSR1_TENSOR_CORES
  asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
               "{%10, %11, %12, %13};\n"
               : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),
                 "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
#else
  __trap();
#endif
}

// ldmatrix.sync.aligned.m8n8.x{4,2}{.trans}.shared.b16: `smem` is this
// lane's row, 8 16-bit elements (16 bytes, 16-aligned) of shared memory.
// Lanes 8j..8j+7 give the rows 0..7 of matrix j (lanes past 8 * count give
// none). r[j] gets matrix j's elements at row lane / 4, columns
// (lane % 4) * 2 + {0, 1}: the A fragment of a 16x16 tile with .x4 when
// lane l points at row l % 16, column 8 * (l / 16). With .trans, the
// elements at column lane / 4, rows (lane % 4) * 2 + {0, 1}: the B fragment
// of a k-major (row-major K x N) tile.
#ifdef DSR1_CUDA_EMU
#define DSR1_LDMATRIX(name, count, trans, ptx)                                 \
  __device__ __forceinline__ void name(uint32_t r[count], const void *smem) {  \
    dsr1_emu::ldmatrix<count, trans>(r, smem);                                 \
  }
#elif DSR1_TENSOR_CORES
#define DSR1_LDMATRIX(name, count, trans, ptx)                                 \
  __device__ __forceinline__ void name(uint32_t r[count], const void *smem) {  \
    ptx;                                                                       \
  }
#else
#define DSR1_LDMATRIX(name, count, trans, ptx)                                 \
  __device__ __forceinline__ void name(uint32_t r[count], const void *) {      \
    __trap();                                                                  \
  }
#endif
// The "memory" clobbers keep the loads after the stores they read.
DSR1_LDMATRIX(ldmatrix_x4, 4, false,
              asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 "
                           "{%0, %1, %2, %3}, [%4];\n"
                           : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                           : "r"(sharedAddress(smem))
                           : "memory"))
DSR1_LDMATRIX(ldmatrix_x2, 2, false,
              asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 "
                           "{%0, %1}, [%2];\n"
                           : "=r"(r[0]), "=r"(r[1])
                           : "r"(sharedAddress(smem))
                           : "memory"))
DSR1_LDMATRIX(ldmatrix_x4_trans, 4, true,
              asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 "
                           "{%0, %1, %2, %3}, [%4];\n"
                           : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                           : "r"(sharedAddress(smem))
                           : "memory"))
DSR1_LDMATRIX(ldmatrix_x2_trans, 2, true,
              asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 "
                           "{%0, %1}, [%2];\n"
                           : "=r"(r[0]), "=r"(r[1])
                           : "r"(sharedAddress(smem))
                           : "memory"))
#undef DSR1_LDMATRIX

/// cp.async.cg.shared.global of 16 bytes (both addresses 16-aligned),
/// through L2 only: it completes at a later cp_async_wait of its group.
__device__ __forceinline__ void cp_async_16(void *smem, const void *gmem) {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::copy16(smem, gmem, true);
#elif DSR1_TENSOR_CORES
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n"
               :
               : "r"(sharedAddress(smem)), "l"(gmem)
               : "memory");
#else
  __trap();
#endif
}
/// The same, writing 16 zero bytes instead when !valid (a tile's ragged
/// edge): the source size is 0 then, so `gmem` is not read and may point
/// past the end of its buffer.
__device__ __forceinline__ void cp_async_16_zfill(void *smem, const void *gmem,
                                                  bool valid) {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::copy16(smem, gmem, valid);
#elif DSR1_TENSOR_CORES
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n"
               :
               : "r"(sharedAddress(smem)), "l"(gmem), "r"(valid ? 16 : 0)
               : "memory");
#else
  __trap();
#endif
}
/// Closes the thread's group of copies issued since the last commit.
__device__ __forceinline__ void cp_async_commit() {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::cpAsyncCommit();
#elif DSR1_TENSOR_CORES
  asm volatile("cp.async.commit_group;\n" ::: "memory");
#else
  __trap();
#endif
}
/// Waits until at most `Pending` of the thread's committed groups are still
/// in flight. Other threads see the data after a __syncthreads that follows.
template <int Pending> __device__ __forceinline__ void cp_async_wait() {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::cpAsyncWait(Pending);
#elif DSR1_TENSOR_CORES
  asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending) : "memory");
#else
  __trap();
#endif
}
/// Waits for every copy the thread issued, committed or not.
__device__ __forceinline__ void cp_async_wait_all() {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::cpAsyncCommit();
  dsr1_emu::cpAsyncWait(0);
#elif DSR1_TENSOR_CORES
  asm volatile("cp.async.wait_all;\n" ::: "memory");
#else
  __trap();
#endif
}

// The forms generated code uses: element `index` of a shared array (a
// DSR1_SHARED_TILE) instead of its address. They compile to the same
// instructions, and let cuda-emu's race detector see the 16 bytes each
// lane's row or copy covers; cp.async's destination counts as written from
// the issue to the wait that completes it.
template <class Array>
__device__ __forceinline__ void cp_async_16(Array &tile, int64_t index,
                                            const void *gmem) {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::cpAsync16(tile, index, gmem, true);
#else
  cp_async_16(&tile[index], gmem);
#endif
}
template <class Array>
__device__ __forceinline__ void
cp_async_16_zfill(Array &tile, int64_t index, const void *gmem, bool valid) {
#ifdef DSR1_CUDA_EMU
  dsr1_emu::cpAsync16(tile, index, gmem, valid);
#else
  cp_async_16_zfill(&tile[index], gmem, valid);
#endif
}
#ifdef DSR1_CUDA_EMU
// A lane past the matrices the instruction loads gives no row: it reports no
// read (its index need not be in bounds).
#define DSR1_LDMATRIX_AT(name, count)                                          \
  template <class Array>                                                       \
  __device__ __forceinline__ void name(uint32_t r[count], Array &tile,         \
                                       int64_t index) {                        \
    bool gives = dsr1_emu::self()->lane < 8u * (count);                        \
    name(r, gives ? dsr1_emu::sharedSpan(tile, index, 16, DSR1_EMU_READ)       \
                  : nullptr);                                                  \
  }
#else
#define DSR1_LDMATRIX_AT(name, count)                                          \
  template <class Array>                                                       \
  __device__ __forceinline__ void name(uint32_t r[count], Array &tile,         \
                                       int64_t index) {                        \
    name(r, &tile[index]);                                                     \
  }
#endif
DSR1_LDMATRIX_AT(ldmatrix_x4, 4)
DSR1_LDMATRIX_AT(ldmatrix_x2, 2)
DSR1_LDMATRIX_AT(ldmatrix_x4_trans, 4)
DSR1_LDMATRIX_AT(ldmatrix_x2_trans, 2)
#undef DSR1_LDMATRIX_AT

} // namespace dsr1

#endif // DSR1_DEVICE_CUH
