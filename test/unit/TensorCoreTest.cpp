//===- TensorCoreTest.cpp - mma, ldmatrix and cp.async of the device library =//
//
// Kernels that call dsr1_device.cuh's tensor-core and async-copy steps, run
// on cuda-emu against references computed here, and compiled by NVRTC for
// sm_80 and sm_90a (the PTX instructions, no spills). The kernels build
// fragments the PTX ISA's way round ("lane l holds element (row, col)"),
// while cuda-emu implements the inverse ("element (row, col) is in lane
// l"), so a wrong layout on either side shows as a wrong product.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/Nvrtc.h"
#include "compiler/support/FloatBits.h"
#include "runtime/cudaemu/CudaEmu.h"
#include "test/unit/EmuTestSupport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#ifndef DSR1_SOURCE_DIR
#error "DSR1_SOURCE_DIR must name the repository root"
#endif

using namespace dsr1;
using namespace dsr1::cudaemu;
using namespace dsr1::test;

namespace {

const char *const kSource = R"cuda(
#include "dsr1_device.cuh"

// The fragment positions of the PTX ISA, groupID = lane >> 2 and
// threadID_in_group = lane % 4: element i of a fragment is at (row, col).
__device__ __forceinline__ void aK16(int lane, int i, int &row, int &col) {
  row = (i < 2 || (i >= 4 && i < 6)) ? (lane >> 2) : (lane >> 2) + 8;
  col = (lane % 4) * 2 + (i & 1) + (i >= 4 ? 8 : 0);
}
__device__ __forceinline__ void bK16(int lane, int i, int &row, int &col) {
  row = (lane % 4) * 2 + (i & 1) + (i >= 2 ? 8 : 0);
  col = lane >> 2;
}
__device__ __forceinline__ void cd(int lane, int i, int &row, int &col) {
  row = i < 2 ? (lane >> 2) : (lane >> 2) + 8;
  col = (lane % 4) * 2 + (i & 1);
}
__device__ __forceinline__ void aTf32(int lane, int i, int &row, int &col) {
  row = (i == 0 || i == 2) ? (lane >> 2) : (lane >> 2) + 8;
  col = i < 2 ? (lane % 4) : (lane % 4) + 4;
}
__device__ __forceinline__ void bTf32(int lane, int i, int &row, int &col) {
  row = i == 0 ? (lane % 4) : (lane % 4) + 4;
  col = lane >> 2;
}

// One m16n8k16 per warp: A 16x16 and B 16x8 (K x N) row-major 16-bit bits,
// C and D 16x8 row-major; warp w of the launch uses tile w.
extern "C" __global__ void mma_k16(const uint16_t *A, const uint16_t *B,
                                   const float *C, float *D, int bf16) {
  int lane = threadIdx.x % 32;
  int tile = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  A += tile * 256;
  B += tile * 128;
  C += tile * 128;
  D += tile * 128;
  uint16_t a16[8], b16[4];
  float c[4];
  int row, col;
  for (int i = 0; i < 8; ++i) {
    aK16(lane, i, row, col);
    a16[i] = A[row * 16 + col];
  }
  for (int i = 0; i < 4; ++i) {
    bK16(lane, i, row, col);
    b16[i] = B[row * 8 + col];
    cd(lane, i, row, col);
    c[i] = C[row * 8 + col];
  }
  uint32_t a[4], b[2];
  for (int r = 0; r < 4; ++r)
    a[r] = dsr1::pack16x2(a16[2 * r], a16[2 * r + 1]);
  for (int r = 0; r < 2; ++r)
    b[r] = dsr1::pack16x2(b16[2 * r], b16[2 * r + 1]);
  float d[4];
  if (bf16)
    dsr1::mma_m16n8k16_bf16(d, a, b, c);
  else
    dsr1::mma_m16n8k16(d, a, b, c);
  for (int i = 0; i < 4; ++i) {
    cd(lane, i, row, col);
    D[row * 8 + col] = d[i];
  }
}

// One m16n8k8 .tf32 per warp: A 16x8, B 8x8 (K x N), C and D 16x8, all f32
// row-major; the accumulator is updated in place (d is c).
extern "C" __global__ void mma_tf32(const float *A, const float *B,
                                    const float *C, float *D) {
  int lane = threadIdx.x % 32;
  int tile = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  A += tile * 128;
  B += tile * 64;
  C += tile * 128;
  D += tile * 128;
  uint32_t a[4], b[2];
  float acc[4];
  int row, col;
  for (int i = 0; i < 4; ++i) {
    aTf32(lane, i, row, col);
    a[i] = dsr1::floatBits(A[row * 8 + col]);
    cd(lane, i, row, col);
    acc[i] = C[row * 8 + col];
  }
  for (int i = 0; i < 2; ++i) {
    bTf32(lane, i, row, col);
    b[i] = dsr1::floatBits(B[row * 8 + col]);
  }
  dsr1::mma_m16n8k8_tf32(acc, a, b, acc);
  for (int i = 0; i < 4; ++i) {
    cd(lane, i, row, col);
    D[row * 8 + col] = acc[i];
  }
}

// Every ldmatrix form on a 64-row tile of 8 16-bit elements a row; lane l
// gives row rowOf[l]. 12 words a lane: x4, x2, x4.trans, x2.trans.
extern "C" __global__ void ldmatrix_probe(const uint16_t *in, const int *rowOf,
                                          uint32_t *out, int byAddress) {
  DSR1_SHARED_TILE(uint16_t, tile, 64 * 8);
  int lane = threadIdx.x;
  for (int i = lane; i < 64 * 8; i += 32)
    tile[i] = in[i];
  __syncthreads();
  int index = rowOf[lane] * 8;
  uint32_t r[12];
  if (byAddress) {
    dsr1::ldmatrix_x4(r, &tile[index]);
    dsr1::ldmatrix_x2(r + 4, &tile[index]);
    dsr1::ldmatrix_x4_trans(r + 6, &tile[index]);
    dsr1::ldmatrix_x2_trans(r + 10, &tile[index]);
  } else {
    dsr1::ldmatrix_x4(r, tile, index);
    dsr1::ldmatrix_x2(r + 4, tile, index);
    dsr1::ldmatrix_x4_trans(r + 6, tile, index);
    dsr1::ldmatrix_x2_trans(r + 10, tile, index);
  }
  for (int i = 0; i < 12; ++i)
    out[lane * 12 + i] = r[i];
}

// C = A * B, A M x K and B K x N row-major f16, C f32; K and N multiples of
// 8 (16-byte rows), M anything. A 32x32 tile of C per block of 4 warps,
// each warp 16x16 of it (two m16n8k16 a k step); K in steps of 16 through
// two shared stages filled by cp.async (zero past the edges), A fragments
// by ldmatrix.x4, B fragments by ldmatrix.x4.trans.
extern "C" __global__ void __launch_bounds__(128)
    gemm_f16(const uint16_t *A, const uint16_t *B, float *C, int M, int N,
             int K) {
  DSR1_SHARED_TILE(uint16_t, As, 2 * 32 * 16);
  DSR1_SHARED_TILE(uint16_t, Bs, 2 * 16 * 32);
  int t = threadIdx.x, lane = t % 32, warp = t / 32;
  int m0 = blockIdx.y * 32, n0 = blockIdx.x * 32;
  int tiles = (K + 15) / 16;
  // A stage is 64 16-byte pieces of each operand: threads 0-63 copy one
  // of A's (32 rows of 2), threads 64-127 one of B's (16 rows of 4).
  bool copiesA = t < 64;
  int row = copiesA ? t / 2 : (t - 64) / 4;
  int col = copiesA ? (t % 2) * 8 : (t % 4) * 8;
  auto load = [&](int stage, int k0) {
    if (copiesA) {
      bool valid = m0 + row < M && k0 + col < K;
      dsr1::cp_async_16_zfill(
          As, stage * 512 + row * 16 + col,
          valid ? A + (size_t)(m0 + row) * K + k0 + col : A, valid);
    } else {
      bool valid = k0 + row < K && n0 + col < N;
      dsr1::cp_async_16_zfill(
          Bs, stage * 512 + row * 32 + col,
          valid ? B + (size_t)(k0 + row) * N + n0 + col : B, valid);
    }
  };
  float acc[2][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
  int wm = (warp / 2) * 16, wn = (warp % 2) * 16;
  load(0, 0);
  dsr1::cp_async_commit();
  for (int kt = 0; kt < tiles; ++kt) {
    if (kt + 1 < tiles)
      load((kt + 1) % 2, (kt + 1) * 16);
    // An empty group on the last step keeps wait<1> meaning "all but the
    // newest".
    dsr1::cp_async_commit();
    dsr1::cp_async_wait<1>();
    __syncthreads();
    int stage = (kt % 2) * 512;
    uint32_t a[4], b[4];
    dsr1::ldmatrix_x4(a, As,
                      stage + (wm + lane % 16) * 16 + (lane / 16) * 8);
    dsr1::ldmatrix_x4_trans(
        b, Bs, stage + (lane % 8 + ((lane / 8) % 2) * 8) * 32 + wn +
                   (lane / 16) * 8);
    dsr1::mma_m16n8k16(acc[0], a, b, acc[0]);
    dsr1::mma_m16n8k16(acc[1], a, b + 2, acc[1]);
    __syncthreads();
  }
  for (int j = 0; j < 2; ++j)
    for (int i = 0; i < 4; ++i) {
      int m = m0 + wm + (lane >> 2) + (i >= 2 ? 8 : 0);
      int n = n0 + wn + j * 8 + (lane % 4) * 2 + (i & 1);
      if (m < M && n < N)
        C[(size_t)m * N + n] = acc[j][i];
    }
}

// Thread t copies in[4t..4t+3] into the tile by cp.async and reads thread
// t+1's four. mode 0: wait and __syncthreads first (right); 1: neither;
// 2: __syncthreads but the wait after the read; 3: the wait but no
// __syncthreads.
extern "C" __global__ void cp_async_race(const float *in, float *out,
                                         int mode) {
  DSR1_SHARED_TILE(float, tile, 256);
  int t = threadIdx.x, n = blockDim.x;
  dsr1::cp_async_16(tile, t * 4, in + t * 4);
  dsr1::cp_async_commit();
  if (mode == 0 || mode == 3)
    dsr1::cp_async_wait<0>();
  if (mode == 0 || mode == 2)
    __syncthreads();
  float v = 0;
  for (int i = 0; i < 4; ++i)
    v += tile[((t + 1) % n) * 4 + i];
  if (mode == 2)
    dsr1::cp_async_wait_all();
  out[t] = v;
}

// Every element's offset under swizzle16 for rows of 1, 2, 4, 8 and 16
// chunks: 64 rows each, one thread.
extern "C" __global__ void swizzle_probe(int *out) {
  int at = 0;
#pragma unroll 1
  for (int r = 0; r < 64; ++r)
    for (int c = 0; c < 8; ++c)
      out[at++] = dsr1::swizzle16<1>(r, c);
#pragma unroll 1
  for (int r = 0; r < 64; ++r)
    for (int c = 0; c < 16; ++c)
      out[at++] = dsr1::swizzle16<2>(r, c);
#pragma unroll 1
  for (int r = 0; r < 64; ++r)
    for (int c = 0; c < 32; ++c)
      out[at++] = dsr1::swizzle16<4>(r, c);
#pragma unroll 1
  for (int r = 0; r < 64; ++r)
    for (int c = 0; c < 64; ++c)
      out[at++] = dsr1::swizzle16<8>(r, c);
#pragma unroll 1
  for (int r = 0; r < 64; ++r)
    for (int c = 0; c < 128; ++c)
      out[at++] = dsr1::swizzle16<16>(r, c);
}

#ifdef DSR1_CUDA_EMU
extern "C" void swizzle_probe__emu(void **p) { swizzle_probe(*(int **)p[0]); }
extern "C" void mma_k16__emu(void **p) {
  mma_k16(*(const uint16_t **)p[0], *(const uint16_t **)p[1],
          *(const float **)p[2], *(float **)p[3], *(int *)p[4]);
}
extern "C" void mma_tf32__emu(void **p) {
  mma_tf32(*(const float **)p[0], *(const float **)p[1],
           *(const float **)p[2], *(float **)p[3]);
}
extern "C" void ldmatrix_probe__emu(void **p) {
  ldmatrix_probe(*(const uint16_t **)p[0], *(const int **)p[1],
                 *(uint32_t **)p[2], *(int *)p[3]);
}
extern "C" void gemm_f16__emu(void **p) {
  gemm_f16(*(const uint16_t **)p[0], *(const uint16_t **)p[1],
           *(float **)p[2], *(int *)p[3], *(int *)p[4], *(int *)p[5]);
}
extern "C" void cp_async_race__emu(void **p) {
  cp_async_race(*(const float **)p[0], *(float **)p[1], *(int *)p[2]);
}
#endif
)cuda";

/// The module of kSource, built once per process.
EmuModule *kernels() {
  static std::unique_ptr<EmuModule> module =
      buildEmuModule(kSource, "tensor-core");
  return module.get();
}

EmuEntry entry(const char *name) {
  EmuModule *module = kernels();
  return module ? module->lookup(name) : nullptr;
}

Dim3 dim(uint32_t x, uint32_t y = 1) {
  Dim3 d;
  d.x = x;
  d.y = y;
  return d;
}

LaunchOptions races(bool detect) {
  LaunchOptions o;
  o.detectRaces = detect;
  return o;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

float truncateTf32(float f) {
  return floatFromBits(floatBits(f) & 0xffffe000u);
}

// f16 and bf16 m16n8k16 on small integers: every product and partial sum is
// an integer below 2^24, exact in any order, so D must equal the plain sum.
TEST(TensorCoreTest, MmaM16N8K16Integers) {
  EmuEntry mma = entry("mma_k16");
  ASSERT_NE(mma, nullptr);
  const int tiles = 3;
  std::mt19937 random(7);
  std::uniform_int_distribution<int> small(-8, 8);
  for (int bf16 : {0, 1}) {
    SCOPED_TRACE(bf16 ? "bf16" : "f16");
    std::vector<float> a(tiles * 256), b(tiles * 128), c(tiles * 128);
    for (float &x : a)
      x = float(small(random));
    for (float &x : b)
      x = float(small(random));
    for (float &x : c)
      x = float(small(random) * 100);
    std::vector<uint16_t> aBits(a.size()), bBits(b.size());
    for (size_t i = 0; i < a.size(); ++i)
      aBits[i] = bf16 ? floatToBf16Bits(a[i]) : floatToHalfBits(a[i]);
    for (size_t i = 0; i < b.size(); ++i)
      bBits[i] = bf16 ? floatToBf16Bits(b[i]) : floatToHalfBits(b[i]);
    std::vector<float> d(tiles * 128, -1.0f);
    const uint16_t *aPtr = aBits.data(), *bPtr = bBits.data();
    const float *cPtr = c.data();
    float *dPtr = d.data();
    void *params[] = {&aPtr, &bPtr, &cPtr, &dPtr, &bf16};
    // Tiles 0 and 1 by a block of two warps (race detection on: the
    // steps touch no DSR1_SHARED array), then tile 2 by a block of one.
    Status s = launch(mma, "mma_k16", dim(1), dim(64), params, races(true));
    ASSERT_TRUE(s) << s.message();
    aPtr += 2 * 256;
    bPtr += 2 * 128;
    cPtr += 2 * 128;
    dPtr += 2 * 128;
    s = launch(mma, "mma_k16", dim(1), dim(32), params);
    ASSERT_TRUE(s) << s.message();
    for (int tile = 0; tile < tiles; ++tile)
      for (int row = 0; row < 16; ++row)
        for (int col = 0; col < 8; ++col) {
          float sum = c[tile * 128 + row * 8 + col];
          for (int k = 0; k < 16; ++k)
            sum += a[tile * 256 + row * 16 + k] * b[tile * 128 + k * 8 + col];
          ASSERT_EQ(d[tile * 128 + row * 8 + col], sum)
              << "tile " << tile << " (" << row << ", " << col << ")";
        }
  }
}

// bf16 keeps f32's exponent: products of large and tiny values are still
// exact, and a one-hot A picks single elements of B out, which checks every
// A position against every B position.
TEST(TensorCoreTest, MmaM16N8K16OneHot) {
  EmuEntry mma = entry("mma_k16");
  ASSERT_NE(mma, nullptr);
  for (int bf16 : {0, 1})
    for (int row = 0; row < 16; ++row)
      for (int k = 0; k < 16; ++k) {
        std::vector<uint16_t> aBits(256, 0), bBits(128);
        aBits[row * 16 + k] = bf16 ? floatToBf16Bits(1.0f) : 0x3c00;
        for (int i = 0; i < 128; ++i)
          bBits[i] = bf16 ? floatToBf16Bits(float(i + 1))
                          : floatToHalfBits(float(i + 1));
        std::vector<float> c(128, 0.5f), d(128, -1.0f);
        const uint16_t *aPtr = aBits.data(), *bPtr = bBits.data();
        const float *cPtr = c.data();
        float *dPtr = d.data();
        int mode = bf16;
        void *params[] = {&aPtr, &bPtr, &cPtr, &dPtr, &mode};
        Status s = launch(mma, "mma_k16", dim(1), dim(32), params);
        ASSERT_TRUE(s) << s.message();
        for (int r = 0; r < 16; ++r)
          for (int col = 0; col < 8; ++col)
            ASSERT_EQ(d[r * 8 + col],
                      0.5f + (r == row ? float(k * 8 + col + 1) : 0.0f))
                << (bf16 ? "bf16" : "f16") << " A(" << row << ", " << k
                << "): D(" << r << ", " << col << ")";
      }
}

// tf32: operands with all 23 mantissa bits set; the reference truncates
// them to 10 bits as the tensor core does and sums over k in order with
// one rounding a step (fma), as cuda-emu does, so the match is exact.
TEST(TensorCoreTest, MmaM16N8K8Tf32) {
  EmuEntry mma = entry("mma_tf32");
  ASSERT_NE(mma, nullptr);
  std::mt19937 random(11);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  const int tiles = 2;
  std::vector<float> a(tiles * 128), b(tiles * 64), c(tiles * 128),
      d(tiles * 128, -1.0f);
  for (float &x : a)
    x = value(random);
  for (float &x : b)
    x = value(random);
  for (float &x : c)
    x = value(random);
  const float *aPtr = a.data(), *bPtr = b.data(), *cPtr = c.data();
  float *dPtr = d.data();
  void *params[] = {&aPtr, &bPtr, &cPtr, &dPtr};
  Status s = launch(mma, "mma_tf32", dim(2), dim(32), params);
  ASSERT_TRUE(s) << s.message();
  int differsFromRounding = 0;
  for (int tile = 0; tile < tiles; ++tile)
    for (int row = 0; row < 16; ++row)
      for (int col = 0; col < 8; ++col) {
        float sum = c[tile * 128 + row * 8 + col];
        float rounded = sum;
        for (int k = 0; k < 8; ++k) {
          float x = a[tile * 128 + row * 8 + k], y = b[tile * 64 + k * 8 + col];
          sum = std::fma(truncateTf32(x), truncateTf32(y), sum);
          rounded = std::fma(roundToTf32(x), roundToTf32(y), rounded);
        }
        ASSERT_EQ(d[tile * 128 + row * 8 + col], sum)
            << "tile " << tile << " (" << row << ", " << col << ")";
        differsFromRounding += sum != rounded;
      }
  // The inputs do tell truncation from rounding apart.
  EXPECT_GT(differsFromRounding, 0);
}

// ldmatrix is a permutation: every lane's every register against the PTX
// ISA's layout ("each thread receives a fragment of a row; four threads
// load a whole row", .trans: the matrix read column-major), with the row
// addresses scattered over a 64-row tile.
TEST(TensorCoreTest, LdmatrixLayouts) {
  EmuEntry probe = entry("ldmatrix_probe");
  ASSERT_NE(probe, nullptr);
  std::vector<uint16_t> in(64 * 8);
  for (int i = 0; i < 64 * 8; ++i)
    in[i] = uint16_t(0x1000 + i);
  std::vector<int> rowOf(32);
  for (int l = 0; l < 32; ++l)
    rowOf[l] = (l * 37 + 5) % 64;
  auto at = [&](int provider, int col) -> uint32_t {
    return in[rowOf[provider] * 8 + col];
  };
  for (int byAddress : {0, 1}) {
    SCOPED_TRACE(byAddress ? "by address" : "by index");
    std::vector<uint32_t> out(32 * 12, 0);
    const uint16_t *inPtr = in.data();
    const int *rowPtr = rowOf.data();
    uint32_t *outPtr = out.data();
    void *params[] = {&inPtr, &rowPtr, &outPtr, &byAddress};
    Status s =
        launch(probe, "ldmatrix_probe", dim(1), dim(32), params, races(true));
    ASSERT_TRUE(s) << s.message();
    for (int l = 0; l < 32; ++l) {
      const uint32_t *r = &out[l * 12];
      // Matrix j: rows given by lanes 8j..8j+7. Plain: lane l holds row
      // l / 4, columns 2 (l % 4) + {0, 1}. Transposed: column l / 4, rows
      // 2 (l % 4) + {0, 1}.
      auto plain = [&](int j) {
        int provider = 8 * j + l / 4, col = 2 * (l % 4);
        return at(provider, col) | at(provider, col + 1) << 16;
      };
      auto trans = [&](int j) {
        int provider = 8 * j + 2 * (l % 4);
        return at(provider, l / 4) | at(provider + 1, l / 4) << 16;
      };
      for (int j = 0; j < 4; ++j) {
        EXPECT_EQ(r[j], plain(j)) << "x4 lane " << l << " r" << j;
        EXPECT_EQ(r[6 + j], trans(j)) << "x4.trans lane " << l << " r" << j;
      }
      for (int j = 0; j < 2; ++j) {
        EXPECT_EQ(r[4 + j], plain(j)) << "x2 lane " << l << " r" << j;
        EXPECT_EQ(r[10 + j], trans(j)) << "x2.trans lane " << l << " r" << j;
      }
    }
  }
}

struct Gemm {
  int M, N, K;
  std::vector<float> a, b;
  std::vector<uint16_t> aBits, bBits;
};

Status runGemm(const Gemm &g, std::vector<float> &c, bool detectRaces) {
  EmuEntry gemm = entry("gemm_f16");
  if (!gemm)
    return Status::error("no gemm_f16");
  c.assign(size_t(g.M) * g.N, -12345.0f);
  const uint16_t *aPtr = g.aBits.data(), *bPtr = g.bBits.data();
  float *cPtr = c.data();
  int M = g.M, N = g.N, K = g.K;
  void *params[] = {&aPtr, &bPtr, &cPtr, &M, &N, &K};
  return launch(gemm, "gemm_f16", dim((N + 31) / 32, (M + 31) / 32), dim(128),
                params, races(detectRaces));
}

Gemm makeGemm(int M, int N, int K, bool integers, unsigned seed) {
  Gemm g{M, N, K, {}, {}, {}, {}};
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> small(-4, 4);
  // Multiples of 1/256 below 1 in magnitude: exact in f16, products exact
  // in f32, sums rounded.
  std::uniform_int_distribution<int> fine(-255, 255);
  auto draw = [&] {
    return integers ? float(small(random)) : float(fine(random)) / 256.0f;
  };
  g.a.resize(size_t(M) * K);
  g.b.resize(size_t(K) * N);
  for (float &x : g.a)
    x = draw();
  for (float &x : g.b)
    x = draw();
  for (float x : g.a)
    g.aBits.push_back(floatToHalfBits(x));
  for (float x : g.b)
    g.bBits.push_back(floatToHalfBits(x));
  return g;
}

// The whole path: cp.async into double-buffered shared tiles, ldmatrix
// (plain for A, .trans for B), m16n8k16, against a double reference; exact
// on integers, within f32 rounding of the sum otherwise. Race detection on:
// the pipeline's barriers and waits are where they must be.
// swizzle16 places every element of a tile once, keeps each 16-byte chunk
// whole (8 consecutive elements), and spreads the 8 rows an ldmatrix phase
// reads at one chunk (rows 8q..8q+7) over the 8 groups of 4 banks.
TEST(TensorCoreTest, SwizzleIsConflictFree) {
  EmuEntry probe = entry("swizzle_probe");
  ASSERT_NE(probe, nullptr);
  std::vector<int> out(64 * 8 * (1 + 2 + 4 + 8 + 16), -1);
  int *outPtr = out.data();
  void *params[] = {&outPtr};
  ASSERT_TRUE(launch(probe, "swizzle_probe", dim(1), dim(1), params));
  size_t base = 0;
  for (int chunks : {1, 2, 4, 8, 16}) {
    SCOPED_TRACE("chunks " + std::to_string(chunks));
    int width = chunks * 8;
    auto at = [&](int r, int c) { return out[base + r * width + c]; };
    std::vector<int> seen(64 * width, 0);
    for (int r = 0; r < 64; ++r)
      for (int c = 0; c < width; ++c) {
        int o = at(r, c);
        ASSERT_GE(o, 0);
        ASSERT_LT(o, 64 * width);
        ++seen[o];
        // The chunk stays whole: element c % 8 of it.
        EXPECT_EQ(o % 8, c % 8);
        EXPECT_EQ(at(r, c - c % 8) + c % 8, o);
      }
    for (int count : seen)
      ASSERT_EQ(count, 1);
    for (int r0 = 0; r0 < 64; r0 += 8)
      for (int c = 0; c < width; c += 8) {
        std::set<int> groups;
        for (int r = r0; r < r0 + 8; ++r)
          groups.insert((at(r, c) * 2 / 16) % 8);
        EXPECT_EQ(groups.size(), 8u)
            << "rows " << r0 << "-" << r0 + 7 << ", column " << c;
      }
    base += 64 * width;
  }
}

TEST(TensorCoreTest, GemmF16) {
  struct Shape {
    int M, N, K;
  };
  // 32^3 is one block and two k steps; the others have ragged edges
  // (zero-filled copies past M, N and K) and several blocks and k steps.
  for (Shape shape : {Shape{32, 32, 32}, Shape{40, 24, 40}, Shape{64, 96, 80},
                      Shape{7, 8, 8}})
    for (bool integers : {true, false}) {
      SCOPED_TRACE(std::to_string(shape.M) + "x" + std::to_string(shape.N) +
                   "x" + std::to_string(shape.K) +
                   (integers ? " integers" : " fractions"));
      Gemm g = makeGemm(shape.M, shape.N, shape.K, integers, 3);
      std::vector<float> c;
      Status s = runGemm(g, c, true);
      ASSERT_TRUE(s) << s.message();
      for (int m = 0; m < g.M; ++m)
        for (int n = 0; n < g.N; ++n) {
          double sum = 0, magnitude = 0;
          for (int k = 0; k < g.K; ++k) {
            double p =
                double(g.a[size_t(m) * g.K + k]) * g.b[size_t(k) * g.N + n];
            sum += p;
            magnitude += std::fabs(p);
          }
          float got = c[size_t(m) * g.N + n];
          if (integers)
            ASSERT_EQ(got, float(sum)) << "C(" << m << ", " << n << ")";
          else
            // Each of the K additions rounds once: K half-ulps of the
            // running magnitude at most.
            ASSERT_NEAR(got, sum, magnitude * g.K * 0x1p-24 + 1e-30)
                << "C(" << m << ", " << n << ")";
        }
    }
}

// A cp.async destination read before cp_async_wait and __syncthreads is a
// race: cuda-emu copies at once, so the data is there, but the detector
// counts the destination as written until the wait completes the copy.
TEST(TensorCoreTest, CpAsyncRaces) {
  EmuEntry race = entry("cp_async_race");
  ASSERT_NE(race, nullptr);
  const int threads = 64;
  std::vector<float> in(threads * 4), out(threads);
  for (int i = 0; i < threads * 4; ++i)
    in[i] = float(i);
  const float *inPtr = in.data();
  float *outPtr = out.data();
  int mode = 0;
  void *params[] = {&inPtr, &outPtr, &mode};
  auto run = [&](int m, bool detect) {
    mode = m;
    return launch(race, "cp_async_race", dim(2), dim(threads), params,
                  races(detect));
  };
  Status s = run(0, true);
  ASSERT_TRUE(s) << s.message();
  for (int t = 0; t < threads; ++t) {
    int next = (t + 1) % threads;
    EXPECT_EQ(out[t], float(16 * next + 6)) << t;
  }

  // No wait, no barrier: thread 1's copy lands on what thread 0 read.
  s = run(1, true);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "write-after-read")) << s.message();
  EXPECT_TRUE(contains(s.message(), "'tile'[4]")) << s.message();
  EXPECT_TRUE(contains(s.message(), "thread (1,0,0) writes")) << s.message();

  // A barrier, but each thread waits for its copy only after reading its
  // neighbour's: thread 63, which completes the barrier and runs on first,
  // reads thread 0's copy, which completes at thread 0's wait after that.
  s = run(2, true);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "write-after-read")) << s.message();
  EXPECT_TRUE(contains(s.message(), "'tile'[0]")) << s.message();
  EXPECT_TRUE(contains(s.message(), "thread (0,0,0) writes")) << s.message();
  EXPECT_TRUE(contains(s.message(), "thread (63,0,0) read")) << s.message();

  // The wait without the barrier.
  s = run(3, true);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "shared-memory race")) << s.message();

  // Without race detection the racy kernels just run (the early copy).
  for (int m : {1, 2, 3}) {
    s = run(m, false);
    EXPECT_TRUE(s) << s.message();
  }
}

// mma and ldmatrix need the whole warp: a block of 16 threads is refused.
TEST(TensorCoreTest, PartialWarpIsRefused) {
  EmuEntry mma = entry("mma_k16");
  ASSERT_NE(mma, nullptr);
  std::vector<uint16_t> bits(256, 0);
  std::vector<float> c(128, 0), d(128);
  const uint16_t *aPtr = bits.data(), *bPtr = bits.data();
  const float *cPtr = c.data();
  float *dPtr = d.data();
  int bf16 = 0;
  void *params[] = {&aPtr, &bPtr, &cPtr, &dPtr, &bf16};
  Status s = launch(mma, "mma_k16", dim(1), dim(16), params);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "kernel 'mma_k16'")) << s.message();
  EXPECT_TRUE(contains(s.message(), "needs all 32 lanes")) << s.message();
  EXPECT_TRUE(contains(s.message(), "0x0000ffff")) << s.message();
}

//===----------------------------------------------------------------------===//
// NVRTC
//===----------------------------------------------------------------------===//

TEST(TensorCoreTest, NvrtcCompilesForA100AndH100) {
  Result<std::shared_ptr<cuda::Nvrtc>> nvrtc = cuda::Nvrtc::load();
  if (!nvrtc)
    GTEST_SKIP() << nvrtc.status().message();
  std::string header = readSource("codegen/cuda/dsr1_device.cuh");
  ASSERT_FALSE(header.empty());
  for (const char *arch : {"sm_80", "sm_90a"}) {
    SCOPED_TRACE(arch);
    Result<cuda::CompiledKernels> compiled = (*nvrtc)->compile(
        kSource, "tensor-core.cu", arch, {{"dsr1_device.cuh", header}});
    ASSERT_TRUE(compiled) << compiled.status().message();
    const std::string &ptx = compiled->ptx;
    for (const char *instruction :
         {"mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32",
          "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32",
          "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32",
          "ldmatrix.sync.aligned.m8n8.x4.shared.b16",
          "ldmatrix.sync.aligned.m8n8.x2.shared.b16",
          "ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16",
          "ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16",
          "cp.async.cg.shared.global", "cp.async.commit_group",
          "cp.async.wait_group 1", "cp.async.wait_all"})
      EXPECT_TRUE(contains(ptx, instruction)) << instruction;
    EXPECT_FALSE(contains(compiled->log, "warning")) << compiled->log;
    ASSERT_EQ(compiled->kernels.size(), 6u) << compiled->log;
    for (const cuda::KernelResources &k : compiled->kernels) {
      SCOPED_TRACE(k.name);
      EXPECT_EQ(k.spillStoreBytes, 0);
      EXPECT_EQ(k.spillLoadBytes, 0);
      EXPECT_EQ(k.localBytes, 0);
      if (k.name == "gemm_f16") {
        // Two stages of a 32x16 and a 16x32 f16 tile.
        EXPECT_EQ(k.sharedBytes, 2 * 2 * 32 * 16 * 2);
        RecordProperty(std::string(arch) + "_gemm_registers", k.registers);
      }
    }
  }
}

// cp_async_wait<N> and toTf32 compile to the one instruction each.
TEST(TensorCoreTest, NvrtcConversionsAndWaits) {
  Result<std::shared_ptr<cuda::Nvrtc>> nvrtc = cuda::Nvrtc::load();
  if (!nvrtc)
    GTEST_SKIP() << nvrtc.status().message();
  const char source[] =
      "#include \"dsr1_device.cuh\"\n"
      "extern \"C\" __global__ void w(const float *in, unsigned *out) {\n"
      "  dsr1::cp_async_wait<3>();\n"
      "  out[threadIdx.x] = dsr1::toTf32(in[threadIdx.x]) ^\n"
      "                     dsr1::packHalf2(in[0], in[1]) ^\n"
      "                     dsr1::packBf162(in[2], in[3]);\n"
      "}\n";
  Result<cuda::CompiledKernels> compiled = (*nvrtc)->compile(
      source, "conversions.cu", "sm_80",
      {{"dsr1_device.cuh", readSource("codegen/cuda/dsr1_device.cuh")}});
  ASSERT_TRUE(compiled) << compiled.status().message();
  EXPECT_TRUE(contains(compiled->ptx, "cp.async.wait_group 3"));
  EXPECT_TRUE(contains(compiled->ptx, "cvt.rna.tf32.f32"));
}

} // namespace
