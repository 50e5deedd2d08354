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
#define DSR1_EMU_ABI_VERSION 2

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
/// Every lane hands over DSR1_EMU_EXCHANGE_BYTES at most and gets all 32
/// lanes' (the warp-wide matrix instructions: mma, ldmatrix).
#define DSR1_EMU_WARP_EXCHANGE 3u
#define DSR1_EMU_EXCHANGE_BYTES 32u

/// Operations of dsr1_emu_api::asyncCopy.
#define DSR1_EMU_ASYNC_ISSUE 0u
#define DSR1_EMU_ASYNC_COMMIT 1u
#define DSR1_EMU_ASYNC_WAIT 2u

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
  /// lanes whose value is nonzero, a sync nothing of use. An exchange takes
  /// the whole warp (all 32 lanes, or it stops the launch): `value` points
  /// to `srcLane` bytes (at most DSR1_EMU_EXCHANGE_BYTES, the same in every
  /// lane), and every lane gets the address of a table holding lane i's
  /// bytes at i * DSR1_EMU_EXCHANGE_BYTES. The table is the warp's and holds
  /// until its next exchange, which cannot complete before every lane has
  /// left this one: a lane reads it, then goes on.
  uint64_t (*warp)(uint32_t mask, uint32_t op, uint64_t value,
                   uint32_t srcLane);
  /// Reports an access to element `index` of `array` (race detection only);
  /// does not return when the access races or is out of bounds.
  void (*sharedAccess)(dsr1_emu_shared *array, int64_t index, uint32_t kind);
  /// cp.async as the race detector sees it (race detection only; the copy
  /// itself is done by the module when it is issued). ISSUE: elements
  /// [index, index + count) of `array` are the destination of a copy the
  /// running thread issues: written now, and again when the copy completes,
  /// since the data may land at any moment in between. COMMIT: closes the
  /// thread's group of copies (cp.async.commit_group). WAIT: completes every
  /// group the thread committed but the `count` most recent
  /// (cp.async.wait_group); `array` and `index` are unused for both.
  void (*asyncCopy)(uint32_t op, dsr1_emu_shared *array, int64_t index,
                    int64_t count);
};

#ifndef DSR1_CUDA_EMU_ABI_ONLY

//===----------------------------------------------------------------------===//
// CUDA on the host
//===----------------------------------------------------------------------===//

#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

/// Scratch global memory for a kernel's launches (CudaKernel::
/// workspaceBytes). On a GPU the session passes its buffer; under cuda-emu
/// the thunks of the kernel's launches take this thread's, which keeps its
/// contents from one launch to the next (a kernel's launches run one after
/// the other on the thread that runs the kernel, with the same size).
inline void *workspace(size_t bytes) {
  struct Buffer {
    unsigned char *data = nullptr;
    size_t size = 0;
    ~Buffer() { free(data); }
  };
  static thread_local Buffer buffer;
  if (bytes > buffer.size) {
    free(buffer.data);
    buffer.data = static_cast<unsigned char *>(calloc(bytes, 1));
    buffer.size = buffer.data ? bytes : 0;
  }
  return buffer.data;
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
// The same, aligned to 128 bytes: tiles that cp.async fills and ldmatrix
// reads in 16-byte rows.
#define DSR1_SHARED_TILE(type, name, count)                                    \
  alignas(128) static thread_local type name##_dsr1_emu_storage[(count)];      \
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

//===----------------------------------------------------------------------===//
// Tensor-core and async-copy steps behind dsr1_device.cuh's mma_*,
// ldmatrix_* and cp_async_* (which see the PTX forms). The fragment layouts
// are the PTX ISA's ("Matrix Fragments for mma.m16n8k16 with floating point
// type", "... for mma.m16n8k8" .tf32, "Warp-level matrix load instruction:
// ldmatrix"), written here as "which lane holds element (row, col)" so that
// the tests, which build fragments the ISA's way round ("lane holds which
// element"), check an independent derivation.
//===----------------------------------------------------------------------===//

namespace dsr1_emu {

/// All 32 lanes' `bytes` bytes at `mine`, in one collective of the whole
/// warp (see dsr1_emu_api::warp): lane i's at i * DSR1_EMU_EXCHANGE_BYTES.
__forceinline__ const unsigned char *exchange(const void *mine,
                                              uint32_t bytes) {
  return reinterpret_cast<const unsigned char *>(
      api->warp(0xffffffffu, DSR1_EMU_WARP_EXCHANGE,
                uint64_t(reinterpret_cast<uintptr_t>(mine)), bytes));
}

/// Register `reg` (32 bits) of lane `lane` in an exchanged table, at byte
/// `offset` of the lane's entry.
__forceinline__ uint32_t tableWord(const unsigned char *table, uint32_t lane,
                                   uint32_t offset) {
  uint32_t word;
  memcpy(&word, table + lane * DSR1_EMU_EXCHANGE_BYTES + offset, 4);
  return word;
}

/// f16 bits to f32, exactly (subnormals included).
__forceinline__ float halfBits(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1fu)
    bits = sign | 0x7f800000u | (mantissa << 13);
  else if (exponent)
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  else if (!mantissa)
    bits = sign;
  else {
    exponent = 113u;
    while (!(mantissa & 0x400u)) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return bitCast<float>(&bits);
}
__forceinline__ float bf16Bits(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  return bitCast<float>(&bits);
}
/// What a tensor core reads of an f32 operand of a .tf32 mma: the low 13
/// mantissa bits are ignored, so the value is truncated toward zero.
__forceinline__ float tf32Bits(uint32_t bits) {
  bits &= 0xffffe000u;
  return bitCast<float>(&bits);
}

/// One lane's operands of an m16n8k{8,16} mma, exchanged as one piece.
struct MmaOperands {
  uint32_t a[4];
  uint32_t b[2];
};

/// D = A * B + C for the warp, A 16 x K and B K x 8, each lane handing in
/// its fragments and getting its part of D. `aAt(table, row, k)` and
/// `bAt(table, k, col)` read an element out of the exchanged fragments. The
/// sum runs over k in order from C, one fma a step: the products of f16,
/// bf16 and tf32 operands are exact in f32, so only the order of the sum is
/// a choice (the hardware's is unspecified).
template <int K, class AAt, class BAt>
__forceinline__ void mma(float d[4], const uint32_t a[4], const uint32_t b[2],
                         const float c[4], AAt aAt, BAt bAt) {
  MmaOperands mine = {{a[0], a[1], a[2], a[3]}, {b[0], b[1]}};
  const unsigned char *table = exchange(&mine, sizeof(mine));
  // C and D: c0, c1 at (groupID, threadID_in_group * 2 + {0, 1}), c2, c3
  // eight rows down.
  uint32_t lane = self()->lane, group = lane >> 2, inGroup = lane & 3u;
  float result[4];
  for (int i = 0; i < 4; ++i) {
    uint32_t row = group + 8u * uint32_t(i >> 1);
    uint32_t col = inGroup * 2u + uint32_t(i & 1);
    float sum = c[i];
    for (int k = 0; k < K; ++k)
      sum =
          fmaf(aAt(table, row, uint32_t(k)), bAt(table, uint32_t(k), col), sum);
    result[i] = sum;
  }
  // d may be c.
  for (int i = 0; i < 4; ++i)
    d[i] = result[i];
}

/// m16n8k16 with 16-bit operands: A element (row, k) is in lane
/// (row % 8) * 4 + (k % 8) / 2, register (row / 8) + 2 * (k / 8), half
/// k % 2 (a0..a7 per the ISA); B element (k, col) in lane col * 4 +
/// (k % 8) / 2, register k / 8, half k % 2.
template <float (*Convert)(uint16_t)>
__forceinline__ void mmaM16N8K16(float d[4], const uint32_t a[4],
                                 const uint32_t b[2], const float c[4]) {
  auto aAt = [](const unsigned char *table, uint32_t row, uint32_t k) {
    uint32_t word = tableWord(table, (row % 8u) * 4u + (k % 8u) / 2u,
                              4u * (row / 8u + 2u * (k / 8u)));
    return Convert(uint16_t(word >> (16u * (k % 2u))));
  };
  auto bAt = [](const unsigned char *table, uint32_t k, uint32_t col) {
    uint32_t word = tableWord(table, col * 4u + (k % 8u) / 2u,
                              offsetof(MmaOperands, b) + 4u * (k / 8u));
    return Convert(uint16_t(word >> (16u * (k % 2u))));
  };
  mma<16>(d, a, b, c, aAt, bAt);
}

/// m16n8k8 .tf32: A element (row, k) is in lane (row % 8) * 4 + k % 4,
/// register (row / 8) + 2 * (k / 4); B element (k, col) in lane col * 4 +
/// k % 4, register k / 4.
__forceinline__ void mmaM16N8K8Tf32(float d[4], const uint32_t a[4],
                                    const uint32_t b[2], const float c[4]) {
  auto aAt = [](const unsigned char *table, uint32_t row, uint32_t k) {
    return tf32Bits(tableWord(table, (row % 8u) * 4u + k % 4u,
                              4u * (row / 8u + 2u * (k / 4u))));
  };
  auto bAt = [](const unsigned char *table, uint32_t k, uint32_t col) {
    return tf32Bits(tableWord(table, col * 4u + k % 4u,
                              offsetof(MmaOperands, b) + 4u * (k / 4u)));
  };
  mma<8>(d, a, b, c, aAt, bAt);
}

/// ldmatrix .m8n8 .b16 of `Count` matrices: lanes 8j..8j+7 give the rows
/// of matrix j. Lane l gets in r[j] the two elements at row l / 4, columns
/// (l % 4) * 2 + {0, 1} of matrix j (low half first); with .trans, those at
/// column l / 4, rows (l % 4) * 2 + {0, 1}, the matrix being column-major.
template <int Count, bool Trans>
__forceinline__ void ldmatrix(uint32_t *r, const void *row) {
  const unsigned char *table = exchange(&row, sizeof(row));
  uint32_t lane = self()->lane;
  auto rowOf = [table](uint32_t provider) {
    const unsigned char *p;
    memcpy(&p, table + provider * DSR1_EMU_EXCHANGE_BYTES, sizeof(p));
    return p;
  };
  for (uint32_t j = 0; j < uint32_t(Count); ++j) {
    if (!Trans) {
      memcpy(&r[j], rowOf(8u * j + lane / 4u) + 4u * (lane % 4u), 4);
      continue;
    }
    uint16_t low, high;
    memcpy(&low, rowOf(8u * j + 2u * (lane % 4u)) + 2u * (lane / 4u), 2);
    memcpy(&high, rowOf(8u * j + 2u * (lane % 4u) + 1u) + 2u * (lane / 4u), 2);
    r[j] = uint32_t(low) | uint32_t(high) << 16;
  }
}

/// Element `index` of a shared array as a pointer, for the steps that take
/// rows of 16 bytes: a DSR1_SHARED array's tells the race detector that the
/// `bytes` bytes from there are accessed (`kind`) by this thread; plain
/// arrays and pointers are not watched.
template <class T>
__forceinline__ T *sharedSpan(Shared<T> &array, int64_t index, uint32_t bytes,
                              uint32_t kind) {
  static_assert(16 % sizeof(T) == 0,
                "16-byte rows hold a whole number of elements");
  if (__builtin_expect(array.checkRaces, 0))
    for (int64_t i = 0; i < int64_t(bytes / sizeof(T)); ++i)
      api->sharedAccess(&array.info, index + i, kind);
  return array.data + index;
}
template <class T, size_t N>
__forceinline__ T *sharedSpan(T (&array)[N], int64_t index, uint32_t,
                              uint32_t) {
  return array + index;
}

/// cp.async of 16 bytes, done at once: a thread sees the data only after
/// cp.async.wait_group, so copying early is one legal outcome. The race
/// detector is told the destination stays written until the wait (see
/// dsr1_emu_api::asyncCopy), which is what catches a read before
/// wait + __syncthreads that the early copy would otherwise hide.
__forceinline__ void copy16(void *smem, const void *gmem, bool valid) {
  if (valid)
    memcpy(smem, gmem, 16);
  else
    memset(smem, 0, 16);
}
template <class T>
__forceinline__ void cpAsync16(Shared<T> &array, int64_t index,
                               const void *gmem, bool valid) {
  static_assert(16 % sizeof(T) == 0,
                "16-byte rows hold a whole number of elements");
  if (__builtin_expect(array.checkRaces, 0))
    api->asyncCopy(DSR1_EMU_ASYNC_ISSUE, &array.info, index,
                   int64_t(16 / sizeof(T)));
  copy16(array.data + index, gmem, valid);
}
template <class T, size_t N>
__forceinline__ void cpAsync16(T (&array)[N], int64_t index, const void *gmem,
                               bool valid) {
  copy16(array + index, gmem, valid);
}
__forceinline__ void cpAsyncCommit() {
  if (__builtin_expect(self()->checkRaces, 0))
    api->asyncCopy(DSR1_EMU_ASYNC_COMMIT, nullptr, 0, 0);
}
__forceinline__ void cpAsyncWait(int pending) {
  if (__builtin_expect(self()->checkRaces, 0))
    api->asyncCopy(DSR1_EMU_ASYNC_WAIT, nullptr, 0, pending);
}

} // namespace dsr1_emu

#pragma GCC visibility pop

#endif // DSR1_CUDA_EMU_ABI_ONLY

#endif // DSR1_CUDA_EMU_H
