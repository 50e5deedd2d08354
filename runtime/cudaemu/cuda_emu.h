//===- cuda_emu.h - CUDA built-ins on the host for cuda-emu -----*- C++ -*-===//
//
// Generated CUDA C++ is compiled by the host compiler against this header
// (through dsr1_device.cuh, with DSR1_CUDA_EMU defined) into a shared object
// that the cuda-emu runtime (CudaEmu.cpp) loads and runs: the threads of a
// block are fibers on one OS thread, and barriers, warp collectives and the
// race detector's shared-memory hook call into the runtime through a table of
// function pointers it hands over in dsr1_emu_bind.
//
// Two parts: the ABI shared with the runtime (plain structs and constants),
// and, unless DSR1_CUDA_EMU_ABI_ONLY is defined (the runtime defines it), the
// CUDA names themselves. The runtime is linked into executables that must
// not see macros named threadIdx or __shared__.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CUDA_EMU_H
#define DSR1_CUDA_EMU_H

#include <cstddef>
#include <cstdint>

//===----------------------------------------------------------------------===//
// ABI between a module and the runtime
//===----------------------------------------------------------------------===//

/// Bumped whenever anything in this part changes; bind refuses a table of
/// another version, so a stale object never runs against a new runtime.
#define DSR1_EMU_ABI_VERSION 1

/// Every fiber's stack lives in a region of this size and alignment that
/// also holds its dsr1_emu_thread, so a module finds the running thread's
/// state from the stack pointer alone: no call, no TLS lookup.
#define DSR1_EMU_REGION_SIZE (uint64_t(1) << 18)

/// The offset of the dsr1_emu_thread in the region at `base`. Regions are
/// aligned to their size, so states at their bases would all fall in the
/// same cache sets; spread by the region's number over 64 KiB, those of a
/// 1024-thread block all fall in different ones.
#define DSR1_EMU_STATE_OFFSET(base)                                            \
  ((uint64_t(base) / DSR1_EMU_REGION_SIZE) % 1024 * 64)

/// Operations of dsr1_emu_api::warp.
#define DSR1_EMU_WARP_SHUFFLE 0u
#define DSR1_EMU_WARP_BALLOT 1u
#define DSR1_EMU_WARP_SYNC 2u

/// Bits of the `kind` of dsr1_emu_api::sharedAccess; a compound assignment
/// is both.
#define DSR1_EMU_READ 1u
#define DSR1_EMU_WRITE 2u

struct dsr1_emu_uint3 {
  uint32_t x, y, z;
};

/// The state of one emulated GPU thread, in its fiber's region.
struct dsr1_emu_thread {
  dsr1_emu_uint3 tid;  // threadIdx
  dsr1_emu_uint3 bid;  // blockIdx
  dsr1_emu_uint3 bdim; // blockDim
  dsr1_emu_uint3 gdim; // gridDim
  /// Linear index in the block: x fastest, then y, then z.
  uint32_t linear;
  /// linear % 32.
  uint32_t lane;
  /// Nonzero when the launch detects shared-memory races.
  uint32_t checkRaces;
  uint32_t reserved;
};
static_assert(sizeof(dsr1_emu_thread) == 64,
              "a thread's state is one cache line (DSR1_EMU_STATE_OFFSET)");

/// A DSR1_SHARED array as the race detector sees it. The two last fields
/// belong to the runtime, which caches the array's shadow state there.
struct dsr1_emu_shared {
  const void *base;
  const char *name;
  uint64_t count;
  void *shadow;
  uint64_t stamp;
};

/// What the runtime hands a module in dsr1_emu_bind.
struct dsr1_emu_api {
  /// DSR1_EMU_ABI_VERSION, sizeof(dsr1_emu_api) and DSR1_EMU_REGION_SIZE of
  /// the runtime; bind checks all three against its own.
  uint32_t version;
  uint32_t size;
  uint64_t regionSize;
  /// __syncthreads: returns how many threads of the block passed a nonzero
  /// `predicate` (the __syncthreads_count family).
  int (*barrier)(int predicate);
  /// A warp collective over the lanes in `mask`. Each lane passes `value`;
  /// a shuffle returns the value of lane `srcLane`, a ballot the mask of
  /// lanes whose value is nonzero, a sync nothing of use.
  uint64_t (*warp)(uint32_t mask, uint32_t op, uint64_t value,
                   uint32_t srcLane);
  /// Reports an access to element `index` of `array` (race detection only);
  /// does not return when the access races or is out of bounds.
  void (*sharedAccess)(dsr1_emu_shared *array, int64_t index, uint32_t kind);
};

#ifndef DSR1_CUDA_EMU_ABI_ONLY

//===----------------------------------------------------------------------===//
// CUDA on the host
//===----------------------------------------------------------------------===//

#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <type_traits>
// math.h after cmath puts the C++ overloads (isnan, abs, ...) in the global
// namespace, where CUDA code finds them.
#include <math.h>

// Nothing a module defines besides kernels and the bind entry needs to be
// seen from outside it.
#pragma GCC visibility push(hidden)

#define __global__
#define __device__
#define __host__
#define __noinline__ __attribute__((noinline))
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
#define __constant__
// Blocks run one at a time on the launching OS thread, so an OS-thread-local
// array is exactly one block's shared memory, and launches on other OS
// threads get their own.
#define __shared__ static thread_local

typedef dsr1_emu_uint3 uint3;

struct dim3 {
  uint32_t x, y, z;
  constexpr dim3(uint32_t vx = 1, uint32_t vy = 1, uint32_t vz = 1)
      : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
  constexpr operator uint3() const { return uint3{x, y, z}; }
};

constexpr int warpSize = 32;

namespace dsr1_emu {

/// The table dsr1_emu_bind received.
inline const dsr1_emu_api *api = nullptr;

/// The running thread's state, found from the stack region we are on.
__forceinline__ dsr1_emu_thread *self() {
  uintptr_t sp;
#if defined(__x86_64__)
  // Not volatile: the stack pointer only moves within the region, so any
  // value the compiler keeps from earlier in the function is as good.
  asm("movq %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
  asm("mov %0, sp" : "=r"(sp));
#else
  sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
#endif
  uintptr_t base = sp & ~uintptr_t(DSR1_EMU_REGION_SIZE - 1);
  return reinterpret_cast<dsr1_emu_thread *>(base +
                                             DSR1_EMU_STATE_OFFSET(base));
}

template <class T> struct Shared;

/// One element of a DSR1_SHARED array. Every read and write goes through
/// here so the race detector sees it; with detection off that costs one
/// well-predicted branch.
template <class T> class SharedRef {
public:
  SharedRef(Shared<T> *array, int64_t index) : array_(array), index_(index) {}

  operator T() const {
    check(DSR1_EMU_READ);
    return array_->data[index_];
  }
  const SharedRef &operator=(T value) const {
    check(DSR1_EMU_WRITE);
    array_->data[index_] = value;
    return *this;
  }
  // Without this, `a[i] = a[j]` would copy the proxy instead of the element.
  const SharedRef &operator=(const SharedRef &other) const {
    return *this = T(other);
  }
  /// Atomics take the element's address; they are not race-checked, as
  /// atomic accesses do not race with each other.
  T *operator&() const { return &array_->data[index_]; }

#define DSR1_EMU_COMPOUND(op)                                                  \
  template <class U> const SharedRef &operator op##=(U value) const {          \
    check(DSR1_EMU_READ | DSR1_EMU_WRITE);                                     \
    array_->data[index_] op## = value;                                         \
    return *this;                                                              \
  }
  DSR1_EMU_COMPOUND(+)
  DSR1_EMU_COMPOUND(-)
  DSR1_EMU_COMPOUND(*)
  DSR1_EMU_COMPOUND(/)
  DSR1_EMU_COMPOUND(%)
  DSR1_EMU_COMPOUND(&)
  DSR1_EMU_COMPOUND(|)
  DSR1_EMU_COMPOUND(^)
  DSR1_EMU_COMPOUND(<<)
  DSR1_EMU_COMPOUND(>>)
#undef DSR1_EMU_COMPOUND

  const SharedRef &operator++() const { return *this += 1; }
  const SharedRef &operator--() const { return *this -= 1; }
  T operator++(int) const {
    check(DSR1_EMU_READ | DSR1_EMU_WRITE);
    return array_->data[index_]++;
  }
  T operator--(int) const {
    check(DSR1_EMU_READ | DSR1_EMU_WRITE);
    return array_->data[index_]--;
  }

private:
  __forceinline__ void check(uint32_t kind) const {
    if (__builtin_expect(array_->checkRaces, 0))
      api->sharedAccess(&array_->info, index_, kind);
  }

  Shared<T> *array_;
  int64_t index_;
};

/// A thread's view of a DSR1_SHARED array: the storage (shared by the
/// block) and what the race detector needs to know about it.
template <class T> struct Shared {
  Shared(T *storage, const char *name, uint64_t count)
      : data(storage),
        checkRaces(self()->checkRaces), info{storage, name, count, nullptr, 0} {
  }
  Shared(const Shared &) = delete;
  Shared &operator=(const Shared &) = delete;

  SharedRef<T> operator[](int64_t index) { return SharedRef<T>(this, index); }

  T *data;
  uint32_t checkRaces;
  dsr1_emu_shared info;
};

/// Shuffles the bytes of `value` in 8-byte pieces, each one collective.
template <class T>
__forceinline__ T shuffle(uint32_t mask, T value, uint32_t srcLane) {
  static_assert(std::is_trivially_copyable<T>::value,
                "warp shuffles move trivially copyable values");
  T result = value;
  for (size_t offset = 0; offset < sizeof(T); offset += 8) {
    size_t bytes = sizeof(T) - offset < 8 ? sizeof(T) - offset : 8;
    uint64_t piece = 0;
    memcpy(&piece, reinterpret_cast<const char *>(&value) + offset, bytes);
    piece = api->warp(mask, DSR1_EMU_WARP_SHUFFLE, piece, srcLane);
    memcpy(reinterpret_cast<char *>(&result) + offset, &piece, bytes);
  }
  return result;
}

/// Lane bounds of the calling lane's `width`-lane segment, as PTX's shfl
/// derives them from its clamp operand.
struct Segment {
  uint32_t lane, first, last;
};
__forceinline__ Segment segment(int width) {
  uint32_t lane = self()->lane;
  uint32_t high = uint32_t(32 - width) & 31u;
  uint32_t first = lane & high;
  return Segment{lane, first, first | (31u & ~high)};
}

template <class T> __forceinline__ T bitCast(const void *from) {
  T to;
  memcpy(&to, from, sizeof(T));
  return to;
}

} // namespace dsr1_emu

/// The runtime calls this right after loading the module. Returns the ABI
/// version on success and 0 when the table is not the one this header
/// describes. Inline so a module of several translation units links.
extern "C" __attribute__((visibility("default"), used)) inline int
dsr1_emu_bind(const dsr1_emu_api *table) {
  if (table->version != DSR1_EMU_ABI_VERSION ||
      table->size != sizeof(dsr1_emu_api) ||
      table->regionSize != DSR1_EMU_REGION_SIZE)
    return 0;
  dsr1_emu::api = table;
  return DSR1_EMU_ABI_VERSION;
}

// A block-shared array whose element accesses the race detector sees.
// Function scope only (it declares a local view of thread-local storage).
#define DSR1_SHARED(type, name, count)                                         \
  static thread_local type name##_dsr1_emu_storage[(count)];                   \
  ::dsr1_emu::Shared<type> name(name##_dsr1_emu_storage, #name, (count))

// Built-in variables. Read-only, as in CUDA.
#define threadIdx (static_cast<const uint3 &>(::dsr1_emu::self()->tid))
#define blockIdx (static_cast<const uint3 &>(::dsr1_emu::self()->bid))
#define blockDim (static_cast<const uint3 &>(::dsr1_emu::self()->bdim))
#define gridDim (static_cast<const uint3 &>(::dsr1_emu::self()->gdim))

//===----------------------------------------------------------------------===//
// Synchronization
//===----------------------------------------------------------------------===//

__device__ __forceinline__ void __syncthreads() { dsr1_emu::api->barrier(0); }
__device__ __forceinline__ int __syncthreads_count(int predicate) {
  return dsr1_emu::api->barrier(predicate != 0);
}
__device__ __forceinline__ int __syncthreads_and(int predicate) {
  return dsr1_emu::api->barrier(predicate == 0) == 0;
}
__device__ __forceinline__ int __syncthreads_or(int predicate) {
  return dsr1_emu::api->barrier(predicate != 0) != 0;
}
__device__ __forceinline__ void __syncwarp(unsigned mask = 0xffffffffu) {
  dsr1_emu::api->warp(mask, DSR1_EMU_WARP_SYNC, 0, 0);
}
// Fibers switch only at barriers and collectives, so there is nothing to
// order between them; the fences still keep the compiler from moving memory
// accesses across, as on the device.
__device__ __forceinline__ void __threadfence_block() {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
__device__ __forceinline__ void __threadfence() {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
__device__ __forceinline__ void __threadfence_system() {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

//===----------------------------------------------------------------------===//
// Warp collectives
//
// A source lane outside the caller's segment gets the caller's own value, as
// in CUDA; a source lane that is not taking part (outside the mask, exited,
// or past the end of a partial warp) does too, where CUDA leaves the value
// undefined.
//===----------------------------------------------------------------------===//

template <class T>
__device__ __forceinline__ T __shfl_sync(unsigned mask, T var, int srcLane,
                                         int width = warpSize) {
  dsr1_emu::Segment s = dsr1_emu::segment(width);
  uint32_t source = s.first | (uint32_t(srcLane) & (s.last - s.first));
  return dsr1_emu::shuffle(mask, var, source);
}
template <class T>
__device__ __forceinline__ T __shfl_up_sync(unsigned mask, T var,
                                            unsigned delta,
                                            int width = warpSize) {
  dsr1_emu::Segment s = dsr1_emu::segment(width);
  int64_t source = int64_t(s.lane) - int64_t(delta);
  return dsr1_emu::shuffle(
      mask, var, source >= int64_t(s.first) ? uint32_t(source) : s.lane);
}
template <class T>
__device__ __forceinline__ T __shfl_down_sync(unsigned mask, T var,
                                              unsigned delta,
                                              int width = warpSize) {
  dsr1_emu::Segment s = dsr1_emu::segment(width);
  uint64_t source = uint64_t(s.lane) + delta;
  return dsr1_emu::shuffle(mask, var,
                           source <= s.last ? uint32_t(source) : s.lane);
}
template <class T>
__device__ __forceinline__ T __shfl_xor_sync(unsigned mask, T var, int laneMask,
                                             int width = warpSize) {
  dsr1_emu::Segment s = dsr1_emu::segment(width);
  uint32_t source = s.lane ^ (uint32_t(laneMask) & 31u);
  return dsr1_emu::shuffle(mask, var, source <= s.last ? source : s.lane);
}

__device__ __forceinline__ unsigned __ballot_sync(unsigned mask,
                                                  int predicate) {
  return unsigned(
      dsr1_emu::api->warp(mask, DSR1_EMU_WARP_BALLOT, predicate != 0, 0));
}
__device__ __forceinline__ int __any_sync(unsigned mask, int predicate) {
  return __ballot_sync(mask, predicate) != 0;
}
__device__ __forceinline__ int __all_sync(unsigned mask, int predicate) {
  return __ballot_sync(mask, !predicate) == 0;
}

//===----------------------------------------------------------------------===//
// Atomics: exactly CUDA's overloads, plus long and unsigned long where CUDA
// has long long: NVRTC's int64_t/uint64_t (dsr1_device.cuh) are long long,
// the host's are long, and one generated source must compile on both.
//
// All threads of a launch share one OS thread, but buffers may be shared
// with launches on other threads: these are real (relaxed) atomics.
//===----------------------------------------------------------------------===//

namespace dsr1_emu {

template <class T, class F> __forceinline__ T atomicUpdate(T *address, F f) {
  T old;
  __atomic_load(address, &old, __ATOMIC_RELAXED);
  T desired;
  do
    desired = f(old);
  while (!__atomic_compare_exchange(address, &old, &desired, true,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED));
  return old;
}

} // namespace dsr1_emu

#define DSR1_EMU_ATOMIC_BUILTIN(name, builtin, type)                           \
  __device__ __forceinline__ type name(type *address, type value) {            \
    return builtin(address, value, __ATOMIC_RELAXED);                          \
  }
#define DSR1_EMU_ATOMIC_UPDATE(name, type, expr)                               \
  __device__ __forceinline__ type name(type *address, type value) {            \
    return dsr1_emu::atomicUpdate(address,                                     \
                                  [value](type old) -> type { return expr; }); \
  }

DSR1_EMU_ATOMIC_BUILTIN(atomicAdd, __atomic_fetch_add, int)
DSR1_EMU_ATOMIC_BUILTIN(atomicAdd, __atomic_fetch_add, unsigned)
DSR1_EMU_ATOMIC_BUILTIN(atomicAdd, __atomic_fetch_add, unsigned long long)
DSR1_EMU_ATOMIC_BUILTIN(atomicAdd, __atomic_fetch_add, unsigned long)
DSR1_EMU_ATOMIC_UPDATE(atomicAdd, float, old + value)
DSR1_EMU_ATOMIC_UPDATE(atomicAdd, double, old + value)

DSR1_EMU_ATOMIC_BUILTIN(atomicSub, __atomic_fetch_sub, int)
DSR1_EMU_ATOMIC_BUILTIN(atomicSub, __atomic_fetch_sub, unsigned)

DSR1_EMU_ATOMIC_BUILTIN(atomicExch, __atomic_exchange_n, int)
DSR1_EMU_ATOMIC_BUILTIN(atomicExch, __atomic_exchange_n, unsigned)
DSR1_EMU_ATOMIC_BUILTIN(atomicExch, __atomic_exchange_n, unsigned long long)
DSR1_EMU_ATOMIC_BUILTIN(atomicExch, __atomic_exchange_n, unsigned long)
DSR1_EMU_ATOMIC_UPDATE(atomicExch, float, ((void)old, value))

#define DSR1_EMU_ATOMIC_MIN_MAX(type)                                          \
  DSR1_EMU_ATOMIC_UPDATE(atomicMin, type, value < old ? value : old)           \
  DSR1_EMU_ATOMIC_UPDATE(atomicMax, type, value > old ? value : old)
DSR1_EMU_ATOMIC_MIN_MAX(int)
DSR1_EMU_ATOMIC_MIN_MAX(unsigned)
DSR1_EMU_ATOMIC_MIN_MAX(long long)
DSR1_EMU_ATOMIC_MIN_MAX(unsigned long long)
DSR1_EMU_ATOMIC_MIN_MAX(long)
DSR1_EMU_ATOMIC_MIN_MAX(unsigned long)
#undef DSR1_EMU_ATOMIC_MIN_MAX

DSR1_EMU_ATOMIC_UPDATE(atomicInc, unsigned, old >= value ? 0u : old + 1u)
DSR1_EMU_ATOMIC_UPDATE(atomicDec, unsigned,
                       (old == 0u || old > value) ? value : old - 1u)

#define DSR1_EMU_ATOMIC_BITS(type)                                             \
  DSR1_EMU_ATOMIC_BUILTIN(atomicAnd, __atomic_fetch_and, type)                 \
  DSR1_EMU_ATOMIC_BUILTIN(atomicOr, __atomic_fetch_or, type)                   \
  DSR1_EMU_ATOMIC_BUILTIN(atomicXor, __atomic_fetch_xor, type)
DSR1_EMU_ATOMIC_BITS(int)
DSR1_EMU_ATOMIC_BITS(unsigned)
DSR1_EMU_ATOMIC_BITS(unsigned long long)
DSR1_EMU_ATOMIC_BITS(unsigned long)
#undef DSR1_EMU_ATOMIC_BITS

#undef DSR1_EMU_ATOMIC_BUILTIN
#undef DSR1_EMU_ATOMIC_UPDATE

#define DSR1_EMU_ATOMIC_CAS(type)                                              \
  __device__ __forceinline__ type atomicCAS(type *address, type compare,       \
                                            type value) {                      \
    __atomic_compare_exchange_n(address, &compare, value, false,               \
                                __ATOMIC_RELAXED, __ATOMIC_RELAXED);           \
    return compare;                                                            \
  }
DSR1_EMU_ATOMIC_CAS(int)
DSR1_EMU_ATOMIC_CAS(unsigned)
DSR1_EMU_ATOMIC_CAS(unsigned long long)
DSR1_EMU_ATOMIC_CAS(unsigned long)
DSR1_EMU_ATOMIC_CAS(unsigned short)
#undef DSR1_EMU_ATOMIC_CAS

//===----------------------------------------------------------------------===//
// Intrinsics and math CUDA has and the host library does not. The fast
// approximations (__expf, ...) are the exact functions here: cuda-emu checks
// what a kernel computes, not the device's rounding.
//===----------------------------------------------------------------------===//

__device__ __forceinline__ float rsqrtf(float x) { return 1.0f / sqrtf(x); }
__device__ __forceinline__ double rsqrt(double x) { return 1.0 / sqrt(x); }
__device__ __forceinline__ float rcbrtf(float x) { return 1.0f / cbrtf(x); }
__device__ __forceinline__ double rcbrt(double x) { return 1.0 / cbrt(x); }
__device__ __forceinline__ float __expf(float x) { return expf(x); }
__device__ __forceinline__ float __exp10f(float x) { return powf(10.0f, x); }
__device__ __forceinline__ float __logf(float x) { return logf(x); }
__device__ __forceinline__ float __log2f(float x) { return log2f(x); }
__device__ __forceinline__ float __log10f(float x) { return log10f(x); }
__device__ __forceinline__ float __sinf(float x) { return sinf(x); }
__device__ __forceinline__ float __cosf(float x) { return cosf(x); }
__device__ __forceinline__ float __tanf(float x) { return tanf(x); }
__device__ __forceinline__ float __powf(float x, float y) { return powf(x, y); }
__device__ __forceinline__ float __fdividef(float x, float y) { return x / y; }
__device__ __forceinline__ float fdividef(float x, float y) { return x / y; }
__device__ __forceinline__ float __frcp_rn(float x) { return 1.0f / x; }
__device__ __forceinline__ float __fsqrt_rn(float x) { return sqrtf(x); }
__device__ __forceinline__ double __dsqrt_rn(double x) { return sqrt(x); }
__device__ __forceinline__ float __fadd_rn(float x, float y) { return x + y; }
__device__ __forceinline__ float __fmul_rn(float x, float y) { return x * y; }
__device__ __forceinline__ float __fmaf_rn(float x, float y, float z) {
  return fmaf(x, y, z);
}
/// Clamps to [0, 1]; NaN gives 0.
__device__ __forceinline__ float __saturatef(float x) {
  return x >= 1.0f ? 1.0f : (x > 0.0f ? x : 0.0f);
}

__device__ __forceinline__ float __int_as_float(int x) {
  return dsr1_emu::bitCast<float>(&x);
}
__device__ __forceinline__ int __float_as_int(float x) {
  return dsr1_emu::bitCast<int>(&x);
}
__device__ __forceinline__ float __uint_as_float(unsigned x) {
  return dsr1_emu::bitCast<float>(&x);
}
__device__ __forceinline__ unsigned __float_as_uint(float x) {
  return dsr1_emu::bitCast<unsigned>(&x);
}
__device__ __forceinline__ double __longlong_as_double(long long x) {
  return dsr1_emu::bitCast<double>(&x);
}
__device__ __forceinline__ long long __double_as_longlong(double x) {
  return dsr1_emu::bitCast<long long>(&x);
}

template <class T> __device__ __forceinline__ T __ldg(const T *p) { return *p; }

__device__ __forceinline__ int __popc(unsigned x) {
  return __builtin_popcount(x);
}
__device__ __forceinline__ int __popcll(unsigned long long x) {
  return __builtin_popcountll(x);
}
__device__ __forceinline__ int __clz(int x) {
  return x ? __builtin_clz(unsigned(x)) : 32;
}
__device__ __forceinline__ int __clzll(long long x) {
  return x ? __builtin_clzll((unsigned long long)x) : 64;
}
__device__ __forceinline__ int __ffs(int x) { return __builtin_ffs(x); }
__device__ __forceinline__ int __ffsll(long long x) {
  return __builtin_ffsll(x);
}
__device__ __forceinline__ unsigned __brev(unsigned x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  return __builtin_bswap32(x);
}

// CUDA's global min and max, over the usual arithmetic conversions.
template <class A, class B,
          class = std::enable_if_t<std::is_arithmetic<A>::value &&
                                   std::is_arithmetic<B>::value>>
__device__ __forceinline__ std::common_type_t<A, B> min(A a, B b) {
  using T = std::common_type_t<A, B>;
  return T(b) < T(a) ? T(b) : T(a);
}
template <class A, class B,
          class = std::enable_if_t<std::is_arithmetic<A>::value &&
                                   std::is_arithmetic<B>::value>>
__device__ __forceinline__ std::common_type_t<A, B> max(A a, B b) {
  using T = std::common_type_t<A, B>;
  return T(a) < T(b) ? T(b) : T(a);
}

#pragma GCC visibility pop

#endif // DSR1_CUDA_EMU_ABI_ONLY

#endif // DSR1_CUDA_EMU_H
