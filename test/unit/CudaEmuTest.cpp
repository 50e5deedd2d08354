//===- CudaEmuTest.cpp - cuda-emu: CUDA C++ built and run on the host -----===//
//
// Kernels written as the code generator writes them (dsr1_device.cuh, an
// __emu thunk each) are compiled through EmuModule and launched: warp
// collectives, block reductions and indexing, the race detector, deadlocks,
// non-cooperative launches, atomics, and the object cache.
//
//===----------------------------------------------------------------------===//

#include "runtime/cudaemu/CudaEmu.h"
#include "test/unit/EmuTestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace dsr1;
using namespace dsr1::cudaemu;
using namespace dsr1::test;

namespace {

const char *const kSource = R"cuda(
#include "dsr1_device.cuh"

// Warp sums over the warp's lanes that exist (the last warp may be partial):
// `down` through __shfl_down_sync (right in lane 0), `bfly` through
// __shfl_xor_sync (right in every lane when the lane count is a power of 2).
extern "C" __global__ void warp_sums(const float *in, float *down,
                                     float *bfly) {
  unsigned t = threadIdx.x;
  unsigned lane = t % 32;
  unsigned active = min(32u, blockDim.x - (t - lane));
  float d = in[t], x = in[t];
  for (unsigned offset = 16; offset > 0; offset /= 2) {
    float other = __shfl_down_sync(dsr1::kFullMask, d, offset);
    if (lane + offset < active)
      d += other;
  }
  for (unsigned offset = 16; offset > 0; offset /= 2) {
    float other = __shfl_xor_sync(dsr1::kFullMask, x, offset);
    if ((lane ^ offset) < active)
      x += other;
  }
  down[t] = d;
  bfly[t] = x;
}
extern "C" void warp_sums__emu(void **params) {
  warp_sums(*(const float **)params[0], *(float **)params[1],
            *(float **)params[2]);
}

// The other collectives, 8 results a thread.
extern "C" __global__ void warp_misc(int *out, double *wide) {
  int lane = threadIdx.x % 32;
  int *o = out + threadIdx.x * 8;
  o[0] = __shfl_sync(dsr1::kFullMask, lane * 10, 3, 8);
  int scan = lane + 1;
  for (int delta = 1; delta < 32; delta *= 2) {
    int up = __shfl_up_sync(dsr1::kFullMask, scan, delta);
    if (lane >= delta)
      scan += up;
  }
  o[1] = scan;
  o[2] = (int)__ballot_sync(dsr1::kFullMask, lane & 1);
  o[3] = __any_sync(dsr1::kFullMask, lane == 5);
  o[4] = __all_sync(dsr1::kFullMask, lane < 31);
  o[5] = __shfl_down_sync(dsr1::kFullMask, lane, 4, 16);
  // Two halves of the warp at independent collectives.
  unsigned half = lane < 16 ? 0x0000ffffu : 0xffff0000u;
  o[6] = __shfl_sync(half, lane, 2, 16);
  __syncwarp();
  o[7] = (int)(__shfl_xor_sync(dsr1::kFullMask, (long long)lane << 40, 1) >> 40);
  wide[threadIdx.x] = __shfl_xor_sync(dsr1::kFullMask, lane + 0.25, 2);
}
extern "C" void warp_misc__emu(void **params) {
  warp_misc(*(int **)params[0], *(double **)params[1]);
}

// Sum and maximum of each block's row through dsr1::blockReduce, in every
// thread of the (1-D) block; the grid may be 3-D.
extern "C" __global__ void __launch_bounds__(256)
    block_sums(const float *in, float *sums, float *maxima) {
  DSR1_SHARED(float, scratch, 32);
  unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  unsigned i = block * blockDim.x + threadIdx.x;
  float v = dsr1::load(in + i);
  sums[i] = dsr1::blockReduce(v, dsr1::SumOp(), 0.0f, scratch);
  maxima[i] = dsr1::blockReduce(v, dsr1::MaxOp(), -INFINITY, scratch);
}
extern "C" void block_sums__emu(void **params) {
  block_sums(*(const float **)params[0], *(float **)params[1],
             *(float **)params[2]);
}

// Every built-in index, and lane 0's thread of each warp, 5 words a thread.
extern "C" __global__ void indices(unsigned *out) {
  unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  unsigned thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  unsigned threads = blockDim.x * blockDim.y * blockDim.z;
  unsigned *o = out + 5 * (block * threads + thread);
  o[0] = threadIdx.x | threadIdx.y << 10 | threadIdx.z << 20;
  o[1] = blockIdx.x | blockIdx.y << 10 | blockIdx.z << 20;
  o[2] = blockDim.x | blockDim.y << 10 | blockDim.z << 20;
  o[3] = gridDim.x | gridDim.y << 10 | gridDim.z << 20;
  o[4] = __shfl_sync(dsr1::kFullMask, thread, 0);
}
extern "C" void indices__emu(void **params) { indices(*(unsigned **)params[0]); }

// Shared-memory patterns: 0 neighbour exchange through a barrier, 1 and 2
// the same without it (reading the next and the previous element), 3 every
// thread writing one element, 4 an index past the end.
extern "C" __global__ void shared_pattern(float *out, int mode) {
  DSR1_SHARED(float, tile, 128);
  unsigned t = threadIdx.x, n = blockDim.x;
  if (mode == 3) {
    tile[0] = t;
    return;
  }
  tile[t] = t * 2.0f;
  if (mode == 0)
    __syncthreads();
  unsigned from = mode == 2 ? (t + n - 1) % n : (t + 1) % n;
  if (mode == 4)
    from = t + 200;
  out[blockIdx.x * n + t] = tile[from] + 1.0f;
}
extern "C" void shared_pattern__emu(void **params) {
  shared_pattern(*(float **)params[0], *(int *)params[1]);
}

// Every assignment form through DSR1_SHARED, each thread on its own element;
// then, past a barrier, every thread reads them all.
extern "C" __global__ void shared_ops(unsigned *out) {
  DSR1_SHARED(unsigned, cell, 64);
  DSR1_SHARED(unsigned, copy, 64);
  unsigned t = threadIdx.x;
  cell[t] = t;
  cell[t] += 3;
  cell[t] -= 1;
  cell[t] *= 4;
  cell[t] /= 2;
  cell[t] %= 100;
  cell[t] <<= 2;
  cell[t] >>= 1;
  cell[t] |= 1;
  cell[t] &= ~2u;
  cell[t] ^= 4;
  ++cell[t];
  cell[t]++;
  --cell[t];
  copy[t] = cell[t]--;
  copy[t] = copy[t] + 1000 * (cell[t] == copy[t] - 1);
  __syncthreads();
  unsigned sum = 0;
  for (unsigned i = 0; i < blockDim.x; ++i)
    sum += copy[i];
  out[blockIdx.x * blockDim.x + t] = sum;
}
extern "C" void shared_ops__emu(void **params) {
  shared_ops(*(unsigned **)params[0]);
}

// Lane 0 waits at the barrier while its warp waits for it at a shuffle.
extern "C" __global__ void deadlock(float *out) {
  float v = threadIdx.x;
  if (threadIdx.x == 0)
    __syncthreads();
  else
    v = __shfl_xor_sync(dsr1::kFullMask, v, 1);
  out[threadIdx.x] = v;
}
extern "C" void deadlock__emu(void **params) { deadlock(*(float **)params[0]); }

// Half a warp at __syncwarp, the other half at a shuffle.
extern "C" __global__ void mismatch(float *out) {
  float v = threadIdx.x;
  if (threadIdx.x < 16)
    __syncwarp();
  else
    v = __shfl_xor_sync(dsr1::kFullMask, v, 1);
  out[threadIdx.x] = v;
}
extern "C" void mismatch__emu(void **params) { mismatch(*(float **)params[0]); }

// Threads past 40 exit before the barrier, which still completes.
extern "C" __global__ void early_exit(int *out) {
  if (threadIdx.x >= 40)
    return;
  out[threadIdx.x] = __syncthreads_count(threadIdx.x % 2);
}
extern "C" void early_exit__emu(void **params) { early_exit(*(int **)params[0]); }

extern "C" __global__ void axpy(int n, float a, const float *x, float *y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = a * x[i] + y[i];
}
extern "C" void axpy__emu(void **params) {
  axpy(*(int *)params[0], *(float *)params[1], *(const float **)params[2],
       *(float **)params[3]);
}

extern "C" __global__ void atomics(int *status, float *fsum, int *isum,
                                   unsigned *umax, int *imin,
                                   unsigned long long *count, double *dsum,
                                   int *casCount, int *blockTotal) {
  DSR1_SHARED(int, counter, 1);
  unsigned g = blockIdx.x * blockDim.x + threadIdx.x;
  atomicAdd(fsum, 0.5f);
  atomicAdd(isum, (int)g);
  atomicMax(umax, g);
  atomicMin(imin, -(int)g);
  atomicAdd(count, 1ull);
  atomicAdd(dsum, (double)g);
  int old = *casCount, assumed;
  do {
    assumed = old;
    old = atomicCAS(casCount, assumed, assumed + 1);
  } while (old != assumed);
  if (threadIdx.x == 0)
    counter[0] = 0;
  __syncthreads();
  atomicAdd(&counter[0], 1);
  __syncthreads();
  if (threadIdx.x == 0)
    atomicAdd(blockTotal, (int)counter[0]);
  if (g == 7)
    dsr1::fail(status, 3);
}
extern "C" void atomics__emu(void **params) {
  atomics(*(int **)params[0], *(float **)params[1], *(int **)params[2],
          *(unsigned **)params[3], *(int **)params[4],
          *(unsigned long long **)params[5], *(double **)params[6],
          *(int **)params[7], *(int **)params[8]);
}
)cuda";

/// The module of kSource, built once per process.
EmuModule *kernels() {
  static std::unique_ptr<EmuModule> module = buildEmuModule(kSource, "kernels");
  return module.get();
}

EmuEntry entry(const char *name) {
  EmuModule *module = kernels();
  return module ? module->lookup(name) : nullptr;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

Dim3 dim(uint32_t x, uint32_t y = 1, uint32_t z = 1) {
  Dim3 d;
  d.x = x;
  d.y = y;
  d.z = z;
  return d;
}

LaunchOptions options(bool cooperative, bool detectRaces) {
  LaunchOptions o;
  o.cooperative = cooperative;
  o.detectRaces = detectRaces;
  return o;
}

TEST(CudaEmuTest, WarpShuffleSums) {
  EmuEntry warpSums = entry("warp_sums");
  ASSERT_NE(warpSums, nullptr);
  // 48 lanes: a full warp and one of 16; 52: one of 20 (shfl_down only).
  for (uint32_t threads : {32u, 48u, 52u}) {
    std::vector<float> in(threads), down(threads), bfly(threads);
    for (uint32_t i = 0; i < threads; ++i)
      in[i] = float(i % 7 + 1);
    float *inPtr = in.data(), *downPtr = down.data(), *bflyPtr = bfly.data();
    void *params[] = {&inPtr, &downPtr, &bflyPtr};
    Status s = launch(warpSums, "warp_sums", dim(1), dim(threads), params);
    ASSERT_TRUE(s) << s.message();
    for (uint32_t warp = 0; warp * 32 < threads; ++warp) {
      uint32_t first = warp * 32, end = std::min(threads, first + 32);
      float sum = 0;
      for (uint32_t i = first; i < end; ++i)
        sum += in[i];
      EXPECT_EQ(down[first], sum) << threads << " threads, warp " << warp;
      bool powerOfTwo = ((end - first) & (end - first - 1)) == 0;
      for (uint32_t i = first; i < end && powerOfTwo; ++i)
        EXPECT_EQ(bfly[i], sum) << threads << " threads, lane " << i;
    }
  }
}

TEST(CudaEmuTest, WarpCollectives) {
  EmuEntry warpMisc = entry("warp_misc");
  ASSERT_NE(warpMisc, nullptr);
  std::vector<int> out(64 * 8, -1);
  std::vector<double> wide(64);
  int *outPtr = out.data();
  double *widePtr = wide.data();
  void *params[] = {&outPtr, &widePtr};
  Status s = launch(warpMisc, "warp_misc", dim(1), dim(64), params);
  ASSERT_TRUE(s) << s.message();
  for (int t = 0; t < 64; ++t) {
    int lane = t % 32;
    const int *o = &out[t * 8];
    EXPECT_EQ(o[0], ((lane & ~7) + 3) * 10) << t;
    EXPECT_EQ(o[1], (lane + 1) * (lane + 2) / 2) << t;
    EXPECT_EQ(unsigned(o[2]), 0xaaaaaaaau) << t;
    EXPECT_EQ(o[3], 1) << t;
    EXPECT_EQ(o[4], 0) << t;
    // Past the 16-lane segment a lane keeps its own value.
    EXPECT_EQ(o[5], lane % 16 + 4 < 16 ? lane + 4 : lane) << t;
    EXPECT_EQ(o[6], lane < 16 ? 2 : 18) << t;
    EXPECT_EQ(o[7], lane ^ 1) << t;
    EXPECT_EQ(wide[t], (lane ^ 2) + 0.25) << t;
  }
}

TEST(CudaEmuTest, BlockReduce) {
  EmuEntry blockSums = entry("block_sums");
  ASSERT_NE(blockSums, nullptr);
  struct Case {
    uint32_t threads;
    Dim3 grid;
  };
  for (Case c : {Case{256, dim(5)}, Case{96, dim(3)}, Case{96, dim(2, 3, 2)}}) {
    uint32_t blocks = c.grid.x * c.grid.y * c.grid.z;
    size_t n = size_t(blocks) * c.threads;
    std::vector<float> in(n), sums(n), maxima(n);
    for (size_t i = 0; i < n; ++i)
      in[i] = float((i * 37) % 101) - 50;
    float *inPtr = in.data(), *sumPtr = sums.data(), *maxPtr = maxima.data();
    void *params[] = {&inPtr, &sumPtr, &maxPtr};
    Status s = launch(blockSums, "block_sums", c.grid, dim(c.threads), params);
    ASSERT_TRUE(s) << s.message();
    for (uint32_t b = 0; b < blocks; ++b) {
      float sum = 0, max = -INFINITY;
      for (uint32_t t = 0; t < c.threads; ++t) {
        sum += in[b * c.threads + t];
        max = std::max(max, in[b * c.threads + t]);
      }
      for (uint32_t t = 0; t < c.threads; ++t) {
        ASSERT_EQ(sums[b * c.threads + t], sum) << "block " << b << " " << t;
        ASSERT_EQ(maxima[b * c.threads + t], max) << "block " << b << " " << t;
      }
    }
  }
}

TEST(CudaEmuTest, MultiDimensionalIndices) {
  EmuEntry indices = entry("indices");
  ASSERT_NE(indices, nullptr);
  for (bool cooperative : {true, false}) {
    Dim3 grid = dim(3, 2, 2), block = dim(8, 5, 2);
    uint32_t threads = 80, blocks = 12;
    std::vector<unsigned> out(5 * threads * blocks, ~0u);
    unsigned *outPtr = out.data();
    void *params[] = {&outPtr};
    Status s = launch(indices, "indices", grid, block, params,
                      options(cooperative, false));
    if (!cooperative) {
      // The kernel shuffles: not allowed without fibers.
      EXPECT_FALSE(s);
      EXPECT_TRUE(contains(s.message(), "non-cooperative")) << s.message();
      continue;
    }
    ASSERT_TRUE(s) << s.message();
    for (uint32_t b = 0; b < blocks; ++b)
      for (uint32_t t = 0; t < threads; ++t) {
        const unsigned *o = &out[5 * (b * threads + t)];
        uint32_t tx = t % 8, ty = t / 8 % 5, tz = t / 40;
        uint32_t bx = b % 3, by = b / 3 % 2, bz = b / 6;
        EXPECT_EQ(o[0], tx | ty << 10 | tz << 20) << b << " " << t;
        EXPECT_EQ(o[1], bx | by << 10 | bz << 20) << b << " " << t;
        EXPECT_EQ(o[2], 8u | 5u << 10 | 2u << 20);
        EXPECT_EQ(o[3], 3u | 2u << 10 | 2u << 20);
        EXPECT_EQ(o[4], t / 32 * 32) << b << " " << t;
      }
  }
}

TEST(CudaEmuTest, SharedMemoryRaces) {
  EmuEntry pattern = entry("shared_pattern");
  ASSERT_NE(pattern, nullptr);
  const uint32_t threads = 64;
  std::vector<float> out(2 * threads);
  float *outPtr = out.data();
  int mode = 0;
  void *params[] = {&outPtr, &mode};
  auto run = [&](int m, bool cooperative, bool detect) {
    mode = m;
    return launch(pattern, "shared_pattern", dim(2), dim(threads), params,
                  options(cooperative, detect));
  };

  // With the barrier: no race, and every thread sees its neighbour's value.
  Status s = run(0, true, true);
  ASSERT_TRUE(s) << s.message();
  for (uint32_t i = 0; i < 2 * threads; ++i)
    EXPECT_EQ(out[i], float((i % threads + 1) % threads) * 2.0f + 1.0f) << i;

  // Without it: thread 1 overwrites what thread 0 read.
  s = run(1, true, true);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "kernel 'shared_pattern'")) << s.message();
  EXPECT_TRUE(contains(s.message(), "block (0,0,0)")) << s.message();
  EXPECT_TRUE(contains(s.message(), "write-after-read")) << s.message();
  EXPECT_TRUE(contains(s.message(), "'tile'[1]")) << s.message();
  EXPECT_TRUE(contains(s.message(), "thread (1,0,0) writes")) << s.message();
  EXPECT_TRUE(contains(s.message(), "thread (0,0,0) read")) << s.message();

  s = run(2, true, true);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "read-after-write")) << s.message();
  EXPECT_TRUE(contains(s.message(), "'tile'[0]")) << s.message();
  EXPECT_TRUE(contains(s.message(), "thread (1,0,0) reads")) << s.message();
  EXPECT_TRUE(contains(s.message(), "thread (0,0,0) wrote")) << s.message();

  s = run(3, true, true);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "write-after-write")) << s.message();

  // Threads run one after the other: the race is there all the same.
  s = run(2, false, true);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "read-after-write")) << s.message();

  s = run(4, true, true);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "element 200 of shared array 'tile'"))
      << s.message();

  // Not looking for races, the racy kernel just runs.
  for (int m : {1, 2, 3}) {
    s = run(m, true, false);
    EXPECT_TRUE(s) << s.message();
  }
  // And a launch after an abandoned one is fine.
  s = run(0, true, true);
  EXPECT_TRUE(s) << s.message();
}

TEST(CudaEmuTest, SharedArrayOperators) {
  EmuEntry sharedOps = entry("shared_ops");
  ASSERT_NE(sharedOps, nullptr);
  unsigned sum = 0;
  for (unsigned t = 0; t < 64; ++t) {
    unsigned v = ((((((t + 3 - 1) * 4 / 2) % 100) << 2) >> 1) | 1) & ~2u;
    sum += (v ^ 4) + 1 + 1000;
  }
  for (bool detect : {false, true}) {
    std::vector<unsigned> out(3 * 64);
    unsigned *outPtr = out.data();
    void *params[] = {&outPtr};
    Status s = launch(sharedOps, "shared_ops", dim(3), dim(64), params,
                      options(true, detect));
    ASSERT_TRUE(s) << s.message();
    for (unsigned i = 0; i < out.size(); ++i)
      EXPECT_EQ(out[i], sum) << i;
  }
}

// Launches on two OS threads at once keep their blocks' shared memory apart.
TEST(CudaEmuTest, ConcurrentLaunches) {
  EmuEntry blockSums = entry("block_sums");
  ASSERT_NE(blockSums, nullptr);
  auto work = [blockSums](float scale, bool detect, bool *ok) {
    const uint32_t threads = 128, blocks = 16;
    std::vector<float> in(threads * blocks), sums(in.size()), maxima(in.size());
    for (size_t i = 0; i < in.size(); ++i)
      in[i] = scale * float(i % threads);
    float *inPtr = in.data(), *sumPtr = sums.data(), *maxPtr = maxima.data();
    void *params[] = {&inPtr, &sumPtr, &maxPtr};
    *ok = true;
    for (int round = 0; round < 20; ++round) {
      Status s = launch(blockSums, "block_sums", dim(blocks), dim(threads),
                        params, options(true, detect));
      for (size_t i = 0; i < in.size(); ++i)
        *ok = *ok && s && sums[i] == scale * 127 * 128 / 2 &&
              maxima[i] == scale * 127;
    }
  };
  bool ok1 = false, ok2 = false;
  std::thread first(work, 1.0f, false, &ok1);
  std::thread second(work, 2.0f, true, &ok2);
  first.join();
  second.join();
  EXPECT_TRUE(ok1);
  EXPECT_TRUE(ok2);
}

TEST(CudaEmuTest, DeadlockIsReported) {
  EmuEntry deadlock = entry("deadlock");
  ASSERT_NE(deadlock, nullptr);
  std::vector<float> out(64);
  float *outPtr = out.data();
  void *params[] = {&outPtr};
  Status s = launch(deadlock, "deadlock", dim(2), dim(64), params);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "kernel 'deadlock'")) << s.message();
  EXPECT_TRUE(contains(s.message(), "deadlock:")) << s.message();
  EXPECT_TRUE(contains(s.message(), "1 wait at __syncthreads")) << s.message();
  EXPECT_TRUE(contains(s.message(), "31 wait at a warp collective"))
      << s.message();

  EmuEntry mismatch = entry("mismatch");
  ASSERT_NE(mismatch, nullptr);
  s = launch(mismatch, "mismatch", dim(1), dim(32), params);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "different warp collectives"))
      << s.message();

  // Exited threads count as arrived at a barrier.
  EmuEntry earlyExit = entry("early_exit");
  ASSERT_NE(earlyExit, nullptr);
  std::vector<int> counts(64, -1);
  int *countPtr = counts.data();
  void *countParams[] = {&countPtr};
  s = launch(earlyExit, "early_exit", dim(1), dim(64), countParams);
  ASSERT_TRUE(s) << s.message();
  for (int t = 0; t < 64; ++t)
    EXPECT_EQ(counts[t], t < 40 ? 20 : -1) << t;
}

TEST(CudaEmuTest, NonCooperative) {
  EmuEntry blockSums = entry("block_sums");
  ASSERT_NE(blockSums, nullptr);
  std::vector<float> in(256), sums(256), maxima(256);
  float *inPtr = in.data(), *sumPtr = sums.data(), *maxPtr = maxima.data();
  void *sumParams[] = {&inPtr, &sumPtr, &maxPtr};
  Status s = launch(blockSums, "block_sums", dim(1), dim(256), sumParams,
                    options(false, false));
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "kernel 'block_sums'")) << s.message();
  EXPECT_TRUE(contains(s.message(), "non-cooperative")) << s.message();

  EmuEntry axpy = entry("axpy");
  ASSERT_NE(axpy, nullptr);
  int n = 600;
  float a = 3;
  std::vector<float> x(n), y(640, 0.5f);
  for (int i = 0; i < n; ++i)
    x[i] = float(i);
  float *xPtr = x.data(), *yPtr = y.data();
  void *params[] = {&n, &a, &xPtr, &yPtr};
  s = launch(axpy, "axpy", dim(5), dim(128), params, options(false, false));
  ASSERT_TRUE(s) << s.message();
  for (int i = 0; i < 640; ++i)
    EXPECT_EQ(y[i], i < n ? 3.0f * i + 0.5f : 0.5f) << i;
}

TEST(CudaEmuTest, Atomics) {
  EmuEntry atomics = entry("atomics");
  ASSERT_NE(atomics, nullptr);
  const int blocks = 8, threads = 128, total = blocks * threads;
  int status = 0, isum = 0, imin = 0, casCount = 0, blockTotal = 0;
  float fsum = 0;
  unsigned umax = 0;
  unsigned long long count = 0;
  double dsum = 0;
  int *statusPtr = &status, *isumPtr = &isum, *iminPtr = &imin,
      *casPtr = &casCount, *blockPtr = &blockTotal;
  float *fsumPtr = &fsum;
  unsigned *umaxPtr = &umax;
  unsigned long long *countPtr = &count;
  double *dsumPtr = &dsum;
  void *params[] = {&statusPtr, &fsumPtr, &isumPtr, &umaxPtr, &iminPtr,
                    &countPtr,  &dsumPtr, &casPtr,  &blockPtr};
  Status s = launch(atomics, "atomics", dim(blocks), dim(threads), params);
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(status, 3);
  EXPECT_EQ(fsum, 0.5f * total);
  EXPECT_EQ(isum, total * (total - 1) / 2);
  EXPECT_EQ(umax, unsigned(total - 1));
  EXPECT_EQ(imin, -(total - 1));
  EXPECT_EQ(count, unsigned(total));
  EXPECT_EQ(dsum, double(total) * (total - 1) / 2);
  EXPECT_EQ(casCount, total);
  EXPECT_EQ(blockTotal, total);
}

TEST(CudaEmuTest, LaunchChecksDimensions) {
  EmuEntry axpy = entry("axpy");
  ASSERT_NE(axpy, nullptr);
  EXPECT_EQ(kernels()->lookup("no_such_kernel"), nullptr);
  int n = 0;
  float a = 0;
  float *none = nullptr;
  void *params[] = {&n, &a, &none, &none};
  Status s = launch(axpy, "axpy", dim(1), dim(2048), params);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "kernel 'axpy'")) << s.message();
  EXPECT_TRUE(contains(s.message(), "block (2048,1,1)")) << s.message();
  s = launch(axpy, "axpy", dim(4, 0), dim(32), params);
  ASSERT_FALSE(s);
  EXPECT_TRUE(contains(s.message(), "grid (4,0,1)")) << s.message();
  s = launch(axpy, "axpy", dim(1), dim(32, 32, 2), params);
  EXPECT_FALSE(s);
}

TEST(CudaEmuTest, Cache) {
  ASSERT_NE(kernels(), nullptr);
  Result<std::unique_ptr<EmuModule>> again =
      EmuModule::build(kSource, emuHeaders(), emuCacheDir(), "kernels");
  ASSERT_TRUE(again) << again.status().message();
  EXPECT_TRUE((*again)->fromCache());
  EXPECT_EQ((*again)->path(), kernels()->path());
  EXPECT_NE((*again)->lookup("axpy"), nullptr);

  const std::string broken = "#include \"dsr1_device.cuh\"\n"
                             "extern \"C\" __global__ void bad(float *p) {\n"
                             "  p[0] = undefined_name_in_kernel;\n"
                             "}\n";
  Result<std::unique_ptr<EmuModule>> failed =
      EmuModule::build(broken, emuHeaders(), emuCacheDir(), "broken");
  ASSERT_FALSE(failed);
  const std::string &message = failed.status().message();
  EXPECT_TRUE(contains(message, "module 'broken'")) << message;
  EXPECT_TRUE(contains(message, "undefined_name_in_kernel")) << message;
  EXPECT_TRUE(contains(message, "-DDSR1_CUDA_EMU")) << message;
  EXPECT_TRUE(contains(message, "/module.cpp")) << message;
  // A failed build caches nothing: it fails again the same way.
  Result<std::unique_ptr<EmuModule>> failedAgain =
      EmuModule::build(broken, emuHeaders(), emuCacheDir(), "broken");
  ASSERT_FALSE(failedAgain);
  EXPECT_TRUE(
      contains(failedAgain.status().message(), "undefined_name_in_kernel"));
}

} // namespace
