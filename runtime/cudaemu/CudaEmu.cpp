//===- CudaEmu.cpp - fibers, scheduler, race detector, module builds ------===//
//
// A launch runs its blocks in turn on the calling OS thread. In a
// cooperative launch each thread of a block is a fiber with its own stack;
// a fiber runs until it waits at a barrier or warp collective, then switches
// straight to the next runnable fiber (no trip through a scheduler), and the
// fiber that completes a barrier or collective wakes the others and goes on.
// When no fiber can run and some have not exited, the block is deadlocked.
//
// Fiber stacks live in aligned regions that also hold the thread's state, so
// a module reads threadIdx from its stack pointer. The regions are kept per
// OS thread across launches; every block starts its fibers afresh in them,
// and a launch that stops at an error simply never resumes the others.
//
//===----------------------------------------------------------------------===//

#include "runtime/cudaemu/CudaEmu.h"

#define DSR1_CUDA_EMU_ABI_ONLY
#include "runtime/cudaemu/cuda_emu.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <unordered_map>

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define DSR1_EMU_ASM_SWITCH 1
#else
#define DSR1_EMU_ASM_SWITCH 0
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define DSR1_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DSR1_EMU_ASAN 1
#endif
#endif
#ifdef DSR1_EMU_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

extern char **environ;

#if DSR1_EMU_ASM_SWITCH
// Saves the registers the System V ABI has callee-saved and the stack pointer
// on the current stack, stores that stack pointer in *from and resumes the
// context saved at `to`. swapcontext would also save the signal mask, a
// system call per switch. MXCSR and the x87 control word are left alone:
// every fiber inherits the launching thread's and no kernel changes them.
extern "C" void dsr1EmuSwitch(void **from, void *to);
asm(R"(
  .pushsection .text
  .p2align 4
  .globl dsr1EmuSwitch
  .hidden dsr1EmuSwitch
  .type dsr1EmuSwitch, @function
dsr1EmuSwitch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size dsr1EmuSwitch, .-dsr1EmuSwitch
  .popsection
)");
#endif

namespace dsr1::cudaemu {
namespace {

constexpr uint64_t kRegion = DSR1_EMU_REGION_SIZE;
// The part of a region DSR1_EMU_STATE_OFFSET spreads states over, the most
// stackTop takes off the top, and the least stack left to a fiber.
constexpr size_t kStateZone = 1024 * 64;
constexpr size_t kStackStagger = 64 * 1024;
constexpr size_t kMinStack = 64 * 1024;
constexpr uint32_t kWarp = 32;
constexpr uint32_t kMaxBlockThreads = 1024;
constexpr uint32_t kNone = ~0u;

//===----------------------------------------------------------------------===//
// Contexts and fibers
//===----------------------------------------------------------------------===//

struct Context {
#if DSR1_EMU_ASM_SWITCH
  void *sp = nullptr;
#else
  ucontext_t uc;
#endif
  // The stack the context runs on and, while it is switched out, the fake
  // stack AddressSanitizer keeps for it; used only under ASan.
  const void *stackBottom = nullptr;
  size_t stackSize = 0;
  void *fakeStack = nullptr;
};

/// Saves the running context in `from` and resumes `to`. `abandon`: `from`
/// will never be resumed (its thread exited or the launch stopped).
void switchContext(Context &from, Context &to, bool abandon) {
#ifdef DSR1_EMU_ASAN
  __sanitizer_start_switch_fiber(abandon ? nullptr : &from.fakeStack,
                                 to.stackBottom, to.stackSize);
#else
  (void)abandon;
#endif
#if DSR1_EMU_ASM_SWITCH
  dsr1EmuSwitch(&from.sp, to.sp);
#else
  swapcontext(&from.uc, &to.uc);
#endif
#ifdef DSR1_EMU_ASAN
  __sanitizer_finish_switch_fiber(from.fakeStack, nullptr, nullptr);
#endif
}

enum class Wait : uint8_t { None, Barrier, Warp, Exited };

/// What the scheduler keeps of a fiber: in one dense array rather than in
/// the fibers' regions, which all share their cache sets.
struct Fiber {
  Context context;
  Wait wait = Wait::None;
  // The warp collective the fiber waits at, and its outcome (also the
  // __syncthreads_count result).
  uint32_t op = 0, mask = 0, srcLane = 0;
  uint64_t value = 0, result = 0;
};

/// The stack regions of one OS thread, kept across launches. A region holds,
/// from its base: the thread state (at DSR1_EMU_STATE_OFFSET, within the
/// first 64 KiB), a guard page, and the stack, whose top is staggered by the
/// region's number for the same reason as the state's offset.
class FiberPool {
public:
  FiberPool() {
    long page = sysconf(_SC_PAGESIZE);
    page_ = page > 0 ? size_t(page) : 4096;
    stateBytes_ = (kStateZone + page_ - 1) / page_ * page_;
  }
  ~FiberPool() {
    if (mapping_)
      munmap(mapping_, mappingBytes_);
  }
  FiberPool(const FiberPool &) = delete;
  FiberPool &operator=(const FiberPool &) = delete;

  /// Makes room for `count` fibers. Only between launches: it may move them.
  Status reserve(uint32_t count) {
    if (count <= count_)
      return Status::ok();
    if (stateBytes_ + page_ + kStackStagger + kMinStack > kRegion)
      return Status::error("cuda-emu: the page size (" + std::to_string(page_) +
                           " bytes) leaves no room for fiber stacks");
    if (mapping_)
      munmap(mapping_, mappingBytes_);
    mapping_ = nullptr;
    count_ = 0;
    // One region more than asked, to align the first to the region size.
    size_t bytes = (size_t(count) + 1) * kRegion;
    void *mapping = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED)
      return Status::error("cuda-emu: cannot map " + std::to_string(bytes) +
                           " bytes of fiber stacks: " + std::strerror(errno));
    mapping_ = static_cast<char *>(mapping);
    mappingBytes_ = bytes;
    uintptr_t aligned =
        (reinterpret_cast<uintptr_t>(mapping_) + kRegion - 1) & ~(kRegion - 1);
    base_ = reinterpret_cast<char *>(aligned);
    for (uint32_t i = 0; i < count; ++i) {
      char *region = base_ + i * kRegion;
      new (thread(i)) dsr1_emu_thread();
      // A guard page below each stack turns an overflow into a fault
      // instead of a corrupted thread state.
      if (mprotect(region + stateBytes_, page_, PROT_NONE) != 0)
        return Status::error(
            "cuda-emu: cannot protect a fiber stack's guard page: " +
            std::string(std::strerror(errno)));
    }
    count_ = count;
    return Status::ok();
  }

  dsr1_emu_thread *thread(uint32_t i) const {
    char *region = base_ + i * kRegion;
    return reinterpret_cast<dsr1_emu_thread *>(region +
                                               DSR1_EMU_STATE_OFFSET(region));
  }
  char *stackLow(uint32_t i) const {
    return base_ + i * kRegion + stateBytes_ + page_;
  }
  /// Eight 512-byte steps through a page (the hot frames of a warp's 32
  /// fibers share the first-level cache evenly), then page steps over
  /// 64 KiB (and the second-level cache).
  char *stackTop(uint32_t i) const {
    char *region = base_ + i * kRegion;
    uint64_t number = uint64_t(region) / kRegion;
    return region + kRegion - (number % 8 * 512 + number / 8 % 16 * 4096);
  }

private:
  size_t page_ = 0;
  size_t stateBytes_ = 0;
  char *mapping_ = nullptr;
  size_t mappingBytes_ = 0;
  char *base_ = nullptr;
  uint32_t count_ = 0;
};

FiberPool &threadPool() {
  thread_local FiberPool pool;
  return pool;
}

//===----------------------------------------------------------------------===//
// Messages
//===----------------------------------------------------------------------===//

std::string triple(uint32_t x, uint32_t y, uint32_t z) {
  return "(" + std::to_string(x) + "," + std::to_string(y) + "," +
         std::to_string(z) + ")";
}

std::string hexMask(uint32_t mask) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", mask);
  return text;
}

const char *collectiveName(uint32_t op) {
  switch (op) {
  case DSR1_EMU_WARP_SHUFFLE:
    return "a warp shuffle";
  case DSR1_EMU_WARP_BALLOT:
    return "a warp vote";
  case DSR1_EMU_WARP_EXCHANGE:
    return "a warp matrix instruction (mma, ldmatrix)";
  default:
    return "__syncwarp";
  }
}

//===----------------------------------------------------------------------===//
// Launch
//===----------------------------------------------------------------------===//

/// What the race detector knows of one shared element in the current
/// barrier interval. Intervals are numbered across the whole launch (a new
/// block starts a new one), so state from an earlier interval or block is
/// simply stale and needs no reset.
struct Shadow {
  uint64_t writeInterval = 0;
  uint64_t readInterval = 0;
  uint32_t writer = 0;
  // Two distinct readers are enough to name one that is not a given writer.
  uint32_t reader1 = 0;
  uint32_t reader2 = kNone;
};

/// A cp.async a thread issued and has not waited for (race detection only):
/// its destination, and the number of the group it belongs to (the
/// thread's commits before it).
struct PendingCopy {
  dsr1_emu_shared array;
  int64_t index, count;
  uint64_t group;
};
/// A thread's cp.async groups. `block` is the serial of the block they
/// belong to: a thread of another block starts with none.
struct AsyncCopies {
  uint64_t block = 0, committed = 0;
  std::vector<PendingCopy> pending;
};

class Launch;
thread_local Launch *tlsLaunch = nullptr;
std::atomic<uint64_t> nextStamp{1};

[[noreturn]] void fiberStart();

class Launch {
public:
  Launch(EmuEntry entry, const std::string &kernelName, Dim3 grid, Dim3 block,
         void **params, const LaunchOptions &options, FiberPool &pool)
      : entry_(entry), kernelName_(kernelName), grid_(grid), block_(block),
        params_(params), cooperative_(options.cooperative),
        detectRaces_(options.detectRaces), pool_(pool),
        threads_(block.x * block.y * block.z),
        stamp_(nextStamp.fetch_add(1, std::memory_order_relaxed)) {}

  Status run();

  // The module's calls, on a fiber.
  int barrier(int predicate);
  uint64_t warp(uint32_t mask, uint32_t op, uint64_t value, uint32_t srcLane);
  void sharedAccess(dsr1_emu_shared *array, int64_t index, uint32_t kind);
  void asyncCopy(uint32_t op, dsr1_emu_shared *array, int64_t index,
                 int64_t count);
  [[noreturn]] void fiberMain();

private:
  Fiber *fiber(uint32_t i) { return &fibers_[i]; }
  const Fiber *fiber(uint32_t i) const { return &fibers_[i]; }
  dsr1_emu_thread *thread(uint32_t i) const { return pool_.thread(i); }
  /// The thread running now (in a non-cooperative launch, the one fiber
  /// plays every thread in turn).
  const dsr1_emu_thread *running() const { return thread(current_); }
  void initContext(uint32_t i);
  void setThread(dsr1_emu_thread *t, uint32_t linear) const;

  void runBlock(uint32_t x, uint32_t y, uint32_t z);
  [[noreturn]] void runSequential();

  /// Makes fiber `i` the next to run. Fibers woken together are pushed in
  /// reverse so that they run in thread order; waking to the front keeps a
  /// warp going from one collective to the next while its 32 stacks are
  /// still in cache, where running all fibers in turn would touch every
  /// stack of the block between two steps of one warp.
  void pushFront(uint32_t i) {
    head_ = head_ ? head_ - 1 : threads_ - 1;
    queue_[head_] = i;
    ++queued_;
  }
  /// Leaves the running fiber for the next runnable one, or for the launch
  /// when none is left. Returns when the fiber is resumed (never if
  /// `exiting`).
  __attribute__((always_inline)) inline void suspend(bool exiting);
  [[noreturn]] void exitRunning();
  int completeBarrier(uint32_t self);
  bool tryComplete(uint32_t warp, uint32_t mask, uint32_t self);
  void settleWarp(uint32_t warp);

  /// Stops the launch with `message`, from inside a fiber.
  [[noreturn]] void fail(std::string message);
  // The ways a fiber stops the launch, out of line to keep the paths that
  // do not fail lean.
  [[noreturn, gnu::noinline, gnu::cold]] void
  failNonCooperative(const char *what);
  [[noreturn, gnu::noinline, gnu::cold]] void failOwnLane(uint32_t mask,
                                                          uint32_t op);
  [[noreturn, gnu::noinline, gnu::cold]] void
  failMismatch(uint32_t warp, uint32_t first, uint32_t other);
  [[noreturn, gnu::noinline, gnu::cold]] void
  failPartialExchange(uint32_t warp, uint32_t need);
  [[noreturn, gnu::noinline, gnu::cold]] void failExchangeSize(uint32_t bytes);
  [[noreturn, gnu::noinline, gnu::cold]] void
  failBounds(const dsr1_emu_shared *array, int64_t index);
  [[noreturn, gnu::noinline, gnu::cold]] void
  failRace(const char *kind, const dsr1_emu_shared *array, int64_t index,
           uint32_t other);

  std::string prefix(const dsr1_emu_uint3 &block) const;
  std::string threadText(uint32_t linear) const;
  std::string deadlockMessage() const;

  EmuEntry entry_;
  const std::string &kernelName_;
  Dim3 grid_, block_;
  void **params_;
  const bool cooperative_, detectRaces_;
  FiberPool &pool_;
  uint32_t threads_;
  uint64_t stamp_;

  Context main_;
  std::vector<Fiber> fibers_;
  uint32_t current_ = 0;
  bool failed_ = false;
  std::string error_;

  // Runnable fibers: a ring that holds each fiber at most once.
  std::vector<uint32_t> queue_;
  uint32_t head_ = 0, queued_ = 0;

  struct WarpState {
    // Lanes that have not exited, lanes waiting at a collective.
    uint32_t live, arrived;
  };
  std::vector<WarpState> warps_;
  // Each warp's exchange table (DSR1_EMU_WARP_EXCHANGE).
  std::vector<unsigned char> exchange_;

  std::vector<uint32_t> barrierWaiters_;
  uint32_t barrierArrived_ = 0, barrierCount_ = 0, exited_ = 0;

  uint64_t interval_ = 0;
  std::unordered_map<const void *, std::vector<Shadow>> shadows_;
  // Race detection only: each thread's cp.async groups, and the serial of
  // the block running.
  std::vector<AsyncCopies> asyncCopies_;
  uint64_t blockSerial_ = 0;
};

void Launch::setThread(dsr1_emu_thread *t, uint32_t linear) const {
  t->tid = {linear % block_.x, linear / block_.x % block_.y,
            linear / (block_.x * block_.y)};
  t->linear = linear;
  t->lane = linear % kWarp;
}

void Launch::initContext(uint32_t i) {
  Fiber *f = fiber(i);
  char *low = pool_.stackLow(i);
  char *top = pool_.stackTop(i);
#if DSR1_EMU_ASM_SWITCH
  // The frame dsr1EmuSwitch pops: six zeroed registers, then fiberStart as
  // the return address, above it a null one so that fiberStart sees the
  // stack alignment of a call and a backtrace ends there.
  auto *words = reinterpret_cast<uint64_t *>(top);
  words[-1] = 0;
  words[-2] = reinterpret_cast<uint64_t>(&fiberStart);
  for (int r = 3; r <= 8; ++r)
    words[-r] = 0;
  f->context.sp = words - 8;
#else
  getcontext(&f->context.uc);
  f->context.uc.uc_stack.ss_sp = low;
  f->context.uc.uc_stack.ss_size = size_t(top - low);
  f->context.uc.uc_link = nullptr;
  makecontext(&f->context.uc, fiberStart, 0);
#endif
  f->context.stackBottom = low;
  f->context.stackSize = size_t(top - low);
  f->context.fakeStack = nullptr;
  f->wait = Wait::None;
}

Status Launch::run() {
  uint32_t fibers = cooperative_ ? threads_ : 1;
  if (Status s = pool_.reserve(fibers); !s)
    return s;
  fibers_.resize(fibers);
  for (uint32_t i = 0; i < fibers; ++i) {
    dsr1_emu_thread *t = thread(i);
    setThread(t, i);
    t->bdim = {block_.x, block_.y, block_.z};
    t->gdim = {grid_.x, grid_.y, grid_.z};
    t->checkRaces = detectRaces_;
  }
  if (detectRaces_)
    asyncCopies_.resize(threads_);
  tlsLaunch = this;
  if (cooperative_) {
    queue_.resize(threads_);
    barrierWaiters_.resize(threads_);
    warps_.resize((threads_ + kWarp - 1) / kWarp);
    exchange_.resize(warps_.size() * kWarp * DSR1_EMU_EXCHANGE_BYTES);
    for (uint32_t z = 0; z < grid_.z && !failed_; ++z)
      for (uint32_t y = 0; y < grid_.y && !failed_; ++y)
        for (uint32_t x = 0; x < grid_.x && !failed_; ++x)
          runBlock(x, y, z);
  } else {
    initContext(0);
    current_ = 0;
    switchContext(main_, fiber(0)->context, false);
  }
  tlsLaunch = nullptr;
#ifdef DSR1_EMU_ASAN
  // Abandoned fibers leave their frames' poisoned redzones behind.
  if (failed_)
    for (uint32_t i = 0; i < fibers; ++i)
      ASAN_UNPOISON_MEMORY_REGION(
          pool_.stackLow(i), size_t(pool_.stackTop(i) - pool_.stackLow(i)));
#endif
  return failed_ ? Status::error(error_) : Status::ok();
}

void Launch::runBlock(uint32_t x, uint32_t y, uint32_t z) {
  ++interval_;
  ++blockSerial_;
  for (uint32_t i = 0; i < threads_; ++i) {
    thread(i)->bid = {x, y, z};
    initContext(i);
    queue_[i] = i;
  }
  for (size_t w = 0; w < warps_.size(); ++w) {
    uint32_t lanes = std::min(kWarp, threads_ - uint32_t(w) * kWarp);
    warps_[w].live = lanes == kWarp ? ~0u : (1u << lanes) - 1;
    warps_[w].arrived = 0;
  }
  barrierArrived_ = barrierCount_ = exited_ = 0;

  current_ = queue_[0];
  head_ = 1;
  queued_ = threads_ - 1;
  switchContext(main_, fiber(current_)->context, false);
  // Back when every fiber has exited, the launch failed, or no fiber can run.
  if (!failed_ && exited_ != threads_) {
    failed_ = true;
    error_ = deadlockMessage();
  }
}

void fiberStart() {
  Launch *launch = tlsLaunch;
  launch->fiberMain();
}

void Launch::fiberMain() {
#ifdef DSR1_EMU_ASAN
  // The first fiber of a launch is entered from the launching stack: keep
  // its bounds to switch back to it.
  const void *bottom = nullptr;
  size_t size = 0;
  __sanitizer_finish_switch_fiber(nullptr, &bottom, &size);
  if (!main_.stackSize) {
    main_.stackBottom = bottom;
    main_.stackSize = size;
  }
#endif
  if (!cooperative_)
    runSequential();
  entry_(params_);
  exitRunning();
}

void Launch::runSequential() {
  dsr1_emu_thread *t = thread(0);
  for (uint32_t z = 0; z < grid_.z; ++z)
    for (uint32_t y = 0; y < grid_.y; ++y)
      for (uint32_t x = 0; x < grid_.x; ++x) {
        t->bid = {x, y, z};
        ++interval_;
        ++blockSerial_;
        // Counting beats dividing the linear index on this fast path.
        uint32_t linear = 0;
        for (uint32_t tz = 0; tz < block_.z; ++tz)
          for (uint32_t ty = 0; ty < block_.y; ++ty)
            for (uint32_t tx = 0; tx < block_.x; ++tx, ++linear) {
              t->tid = {tx, ty, tz};
              t->linear = linear;
              t->lane = linear % kWarp;
              entry_(params_);
            }
      }
  switchContext(fiber(0)->context, main_, true);
  __builtin_unreachable();
}

void Launch::suspend(bool exiting) {
  Fiber *from = fiber(current_);
  if (queued_) {
    current_ = queue_[head_];
    head_ = head_ + 1 == threads_ ? 0 : head_ + 1;
    --queued_;
    switchContext(from->context, fiber(current_)->context, exiting);
  } else {
    switchContext(from->context, main_, exiting);
  }
}

void Launch::exitRunning() {
  fiber(current_)->wait = Wait::Exited;
  ++exited_;
  uint32_t warp = current_ / kWarp;
  warps_[warp].live &= ~(1u << (current_ % kWarp));
  // Collectives and the barrier no longer wait for this thread.
  settleWarp(warp);
  if (barrierArrived_ && barrierArrived_ + exited_ == threads_)
    completeBarrier(kNone);
  suspend(true);
  __builtin_unreachable();
}

int Launch::barrier(int predicate) {
  if (!cooperative_)
    failNonCooperative("__syncthreads");
  Fiber *f = fiber(current_);
  f->wait = Wait::Barrier;
  barrierWaiters_[barrierArrived_++] = current_;
  barrierCount_ += predicate != 0;
  if (barrierArrived_ + exited_ == threads_)
    return completeBarrier(current_);
  suspend(false);
  return int(f->result);
}

int Launch::completeBarrier(uint32_t self) {
  // Accesses on either side of a barrier never race.
  ++interval_;
  uint32_t count = barrierCount_;
  for (uint32_t i = barrierArrived_; i-- > 0;) {
    uint32_t waiter = barrierWaiters_[i];
    Fiber *f = fiber(waiter);
    f->result = count;
    f->wait = Wait::None;
    if (waiter != self)
      pushFront(waiter);
  }
  barrierArrived_ = barrierCount_ = 0;
  return int(count);
}

uint64_t Launch::warp(uint32_t mask, uint32_t op, uint64_t value,
                      uint32_t srcLane) {
  if (!cooperative_)
    failNonCooperative(collectiveName(op));
  uint32_t lane = current_ % kWarp;
  if (!(mask >> lane & 1u))
    failOwnLane(mask, op);
  Fiber *f = fiber(current_);
  f->wait = Wait::Warp;
  f->op = op;
  f->mask = mask;
  f->value = value;
  // An exchange's srcLane is its size.
  f->srcLane = op == DSR1_EMU_WARP_EXCHANGE ? srcLane : srcLane % kWarp;
  if (op == DSR1_EMU_WARP_EXCHANGE && srcLane > DSR1_EMU_EXCHANGE_BYTES)
    failExchangeSize(srcLane);
  uint32_t warp = current_ / kWarp;
  WarpState &w = warps_[warp];
  w.arrived |= 1u << lane;
  uint32_t need = mask & w.live;
  if ((w.arrived & need) != need || !tryComplete(warp, mask, current_))
    suspend(false);
  return f->result;
}

bool Launch::tryComplete(uint32_t warp, uint32_t mask, uint32_t self) {
  WarpState &w = warps_[warp];
  uint32_t need = mask & w.live;
  if ((w.arrived & need) != need)
    return false;
  uint32_t base = warp * kWarp;
  Fiber *lanes = fiber(base);
  uint32_t first = __builtin_ctz(need);
  uint32_t op = lanes[first].op;
  uint64_t ballot = 0;
  for (uint32_t rest = need; rest; rest &= rest - 1) {
    uint32_t lane = __builtin_ctz(rest);
    Fiber &f = lanes[lane];
    if (f.mask != mask || f.op != op)
      failMismatch(warp, first, lane);
    // A source lane that is not taking part gives the caller its own value.
    // (An exchange's srcLane is its size: kept in range here, and its
    // result is set below.)
    f.result = need >> (f.srcLane % kWarp) & 1u ? lanes[f.srcLane % kWarp].value
                                                : f.value;
    ballot |= uint64_t(f.value != 0) << lane;
  }
  if (op == DSR1_EMU_WARP_EXCHANGE) {
    // mma.sync and ldmatrix read every lane's registers: a lane that has
    // exited (or a partial warp) leaves the result undefined on a GPU.
    if (need != ~0u)
      failPartialExchange(warp, need);
    unsigned char *table =
        exchange_.data() + size_t(warp) * kWarp * DSR1_EMU_EXCHANGE_BYTES;
    for (uint32_t lane = 0; lane < kWarp; ++lane) {
      const Fiber &f = lanes[lane];
      if (f.srcLane != lanes[first].srcLane)
        failMismatch(warp, first, lane);
      std::memcpy(table + lane * DSR1_EMU_EXCHANGE_BYTES,
                  reinterpret_cast<const void *>(uintptr_t(f.value)),
                  f.srcLane);
    }
    for (uint32_t lane = 0; lane < kWarp; ++lane)
      lanes[lane].result = uint64_t(reinterpret_cast<uintptr_t>(table));
  }
  if (op == DSR1_EMU_WARP_BALLOT)
    for (uint32_t rest = need; rest; rest &= rest - 1)
      lanes[__builtin_ctz(rest)].result = ballot;
  w.arrived &= ~need;
  // The woken lanes go to the front of the queue in lane order (see
  // pushFront); `self` goes on running.
  uint32_t woken = __builtin_popcount(need) - (self != kNone);
  head_ = head_ >= woken ? head_ - woken : head_ + threads_ - woken;
  queued_ += woken;
  uint32_t slot = head_;
  for (uint32_t rest = need; rest; rest &= rest - 1) {
    uint32_t i = base + __builtin_ctz(rest);
    fiber(i)->wait = Wait::None;
    if (i != self) {
      queue_[slot] = i;
      slot = slot + 1 == threads_ ? 0 : slot + 1;
    }
  }
  return true;
}

void Launch::settleWarp(uint32_t warp) {
  for (uint32_t rest = warps_[warp].arrived; rest; rest &= rest - 1) {
    uint32_t lane = __builtin_ctz(rest);
    if (warps_[warp].arrived >> lane & 1u)
      tryComplete(warp, fiber(warp * kWarp + lane)->mask, kNone);
  }
}

void Launch::sharedAccess(dsr1_emu_shared *array, int64_t index,
                          uint32_t kind) {
  if (index < 0 || uint64_t(index) >= array->count)
    failBounds(array, index);
  if (array->stamp != stamp_) {
    std::vector<Shadow> &shadow = shadows_[array->base];
    if (shadow.size() < array->count)
      shadow.resize(array->count);
    array->shadow = shadow.data();
    array->stamp = stamp_;
  }
  Shadow &s = static_cast<Shadow *>(array->shadow)[index];
  uint32_t self = running()->linear;
  if (kind & DSR1_EMU_READ) {
    if (s.writeInterval == interval_ && s.writer != self)
      failRace("read-after-write", array, index, s.writer);
    if (s.readInterval != interval_) {
      s.readInterval = interval_;
      s.reader1 = self;
      s.reader2 = kNone;
    } else if (s.reader1 != self && s.reader2 == kNone) {
      s.reader2 = self;
    }
  }
  if (kind & DSR1_EMU_WRITE) {
    if (s.writeInterval == interval_ && s.writer != self)
      failRace("write-after-write", array, index, s.writer);
    if (s.readInterval == interval_) {
      uint32_t other = s.reader1 != self ? s.reader1 : s.reader2;
      if (other != kNone)
        failRace("write-after-read", array, index, other);
    }
    s.writeInterval = interval_;
    s.writer = self;
  }
}

void Launch::asyncCopy(uint32_t op, dsr1_emu_shared *array, int64_t index,
                       int64_t count) {
  uint32_t self = running()->linear;
  AsyncCopies &copies = asyncCopies_[self];
  if (copies.block != blockSerial_) {
    copies.block = blockSerial_;
    copies.committed = 0;
    copies.pending.clear();
  }
  switch (op) {
  case DSR1_EMU_ASYNC_ISSUE:
    for (int64_t i = 0; i < count; ++i)
      sharedAccess(array, index + i, DSR1_EMU_WRITE);
    // A copy of the array's description: the module's lives in the frame
    // that declared the array, which may be gone by the wait.
    copies.pending.push_back(
        PendingCopy{*array, index, count, copies.committed});
    return;
  case DSR1_EMU_ASYNC_COMMIT:
    ++copies.committed;
    return;
  case DSR1_EMU_ASYNC_WAIT: {
    // Groups numbered below committed - count complete: their copies land
    // now, which is a write by this thread in the current interval.
    uint64_t keep = uint64_t(count < 0 ? 0 : count);
    size_t kept = 0;
    for (size_t i = 0; i < copies.pending.size(); ++i) {
      PendingCopy &p = copies.pending[i];
      if (p.group + keep < copies.committed) {
        for (int64_t e = 0; e < p.count; ++e)
          sharedAccess(&p.array, p.index + e, DSR1_EMU_WRITE);
      } else {
        copies.pending[kept++] = p;
      }
    }
    copies.pending.resize(kept);
    return;
  }
  default:
    return;
  }
}

void Launch::fail(std::string message) {
  failed_ = true;
  error_ = std::move(message);
  switchContext(fiber(current_)->context, main_, true);
  __builtin_unreachable();
}

void Launch::failNonCooperative(const char *what) {
  fail(prefix(running()->bid) + what + " in a non-cooperative launch (thread " +
       threadText(running()->linear) + "); launch it with cooperative = true");
}

void Launch::failOwnLane(uint32_t mask, uint32_t op) {
  fail(prefix(running()->bid) + "thread " + threadText(current_) + " reaches " +
       collectiveName(op) + " with mask " + hexMask(mask) +
       ", which leaves out its own lane " + std::to_string(current_ % kWarp));
}

void Launch::failMismatch(uint32_t warp, uint32_t first, uint32_t other) {
  const Fiber &a = *fiber(warp * kWarp + first);
  const Fiber &b = *fiber(warp * kWarp + other);
  fail(prefix(running()->bid) + "threads " + threadText(warp * kWarp + first) +
       " and " + threadText(warp * kWarp + other) + " of warp " +
       std::to_string(warp) + " meet at different warp collectives (" +
       collectiveName(a.op) + " with mask " + hexMask(a.mask) + ", " +
       collectiveName(b.op) + " with mask " + hexMask(b.mask) + ")");
}

void Launch::failPartialExchange(uint32_t warp, uint32_t need) {
  fail(prefix(running()->bid) + "warp " + std::to_string(warp) +
       " reaches a warp matrix instruction (mma, ldmatrix) with lanes " +
       hexMask(need) +
       " only: it needs all 32 lanes of the warp (blockDim a multiple of "
       "32, no lane exited)");
}

void Launch::failExchangeSize(uint32_t bytes) {
  fail(prefix(running()->bid) + "thread " + threadText(running()->linear) +
       " exchanges " + std::to_string(bytes) + " bytes in a warp collective (" +
       std::to_string(DSR1_EMU_EXCHANGE_BYTES) + " at most)");
}

void Launch::failBounds(const dsr1_emu_shared *array, int64_t index) {
  fail(prefix(running()->bid) + "thread " + threadText(running()->linear) +
       " accesses element " + std::to_string(index) + " of shared array '" +
       array->name + "', which has " + std::to_string(array->count));
}

void Launch::failRace(const char *kind, const dsr1_emu_shared *array,
                      int64_t index, uint32_t other) {
  bool reads = std::strcmp(kind, "read-after-write") == 0;
  bool afterRead = std::strcmp(kind, "write-after-read") == 0;
  fail(prefix(running()->bid) + "shared-memory race (" + kind + ") on '" +
       array->name + "'[" + std::to_string(index) + "]: thread " +
       threadText(running()->linear) + (reads ? " reads" : " writes") +
       " the element thread " + threadText(other) +
       (afterRead ? " read" : " wrote") + " with no __syncthreads between");
}

std::string Launch::prefix(const dsr1_emu_uint3 &block) const {
  return "cuda-emu: kernel '" + kernelName_ + "', block " +
         triple(block.x, block.y, block.z) + ": ";
}

std::string Launch::threadText(uint32_t linear) const {
  return triple(linear % block_.x, linear / block_.x % block_.y,
                linear / (block_.x * block_.y));
}

std::string Launch::deadlockMessage() const {
  uint32_t atBarrier = 0, atWarp = 0;
  uint32_t firstBarrier = kNone, firstWarp = kNone;
  for (uint32_t i = 0; i < threads_; ++i) {
    Wait wait = fiber(i)->wait;
    if (wait == Wait::Barrier && !atBarrier++)
      firstBarrier = i;
    if (wait == Wait::Warp && !atWarp++)
      firstWarp = i;
  }
  std::string message = prefix(thread(0)->bid) + "deadlock: of " +
                        std::to_string(threads_) + " threads, " +
                        std::to_string(exited_) + " have exited, " +
                        std::to_string(atBarrier) + " wait at __syncthreads";
  if (atBarrier)
    message += " (first thread " + threadText(firstBarrier) + ")";
  message += ", " + std::to_string(atWarp) + " wait at a warp collective";
  if (atWarp) {
    const Fiber *f = fiber(firstWarp);
    uint32_t warp = firstWarp / kWarp;
    uint32_t missing = f->mask & warps_[warp].live & ~warps_[warp].arrived;
    message += " (first thread " + threadText(firstWarp) + ", " +
               collectiveName(f->op) + " with mask " + hexMask(f->mask) +
               " in warp " + std::to_string(warp) + ", waiting for lanes " +
               hexMask(missing) + ")";
  }
  return message;
}

//===----------------------------------------------------------------------===//
// The table modules call through
//===----------------------------------------------------------------------===//

int apiBarrier(int predicate) { return tlsLaunch->barrier(predicate); }

uint64_t apiWarp(uint32_t mask, uint32_t op, uint64_t value, uint32_t srcLane) {
  return tlsLaunch->warp(mask, op, value, srcLane);
}

void apiSharedAccess(dsr1_emu_shared *array, int64_t index, uint32_t kind) {
  tlsLaunch->sharedAccess(array, index, kind);
}

void apiAsyncCopy(uint32_t op, dsr1_emu_shared *array, int64_t index,
                  int64_t count) {
  tlsLaunch->asyncCopy(op, array, index, count);
}

const dsr1_emu_api kApi = {DSR1_EMU_ABI_VERSION,
                           uint32_t(sizeof(dsr1_emu_api)),
                           DSR1_EMU_REGION_SIZE,
                           apiBarrier,
                           apiWarp,
                           apiSharedAccess,
                           apiAsyncCopy};

//===----------------------------------------------------------------------===//
// Module builds
//===----------------------------------------------------------------------===//

/// FNV-1a over a length-prefixed piece, so that moving text from one piece
/// to the next changes the hash.
void hashPiece(uint64_t &hash, const std::string &piece) {
  auto mix = [&hash](const void *data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      hash ^= static_cast<const unsigned char *>(data)[i];
      hash *= 1099511628211ull;
    }
  };
  uint64_t size = piece.size();
  mix(&size, sizeof(size));
  mix(piece.data(), piece.size());
}

std::string uniqueSuffix() {
  static std::atomic<uint64_t> counter{0};
  return ".tmp-" + std::to_string(getpid()) + "-" +
         std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

/// Writes through a temporary and a rename, so that a process compiling the
/// same module at the same time never reads a half-written file.
Status writeFile(const std::string &path, const std::string &content) {
  std::string temp = path + uniqueSuffix();
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::error("cuda-emu: cannot write " + temp + ": " +
                         std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      std::string error = std::strerror(errno);
      close(fd);
      unlink(temp.c_str());
      return Status::error("cuda-emu: cannot write " + temp + ": " + error);
    }
    done += size_t(n);
  }
  if (close(fd) != 0 || rename(temp.c_str(), path.c_str()) != 0) {
    std::string error = std::strerror(errno);
    unlink(temp.c_str());
    return Status::error("cuda-emu: cannot write " + path + ": " + error);
  }
  return Status::ok();
}

std::string commandText(const std::vector<std::string> &argv) {
  std::string text;
  for (const std::string &arg : argv)
    text += (text.empty() ? "" : " ") + arg;
  return text;
}

/// Runs `argv` (found on PATH) with stdout and stderr into `output`; returns
/// the wait status, or -1 with `output` saying why it could not start.
int runCommand(const std::vector<std::string> &argv, std::string &output) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    output = std::string("cannot create a pipe: ") + std::strerror(errno);
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<char *> args;
  for (const std::string &arg : argv)
    args.push_back(const_cast<char *>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int error =
      posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (error != 0) {
    close(fds[0]);
    output = "cannot run '" + argv[0] + "': " + std::strerror(error);
    return -1;
  }
  char buffer[4096];
  for (;;) {
    ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    output.append(buffer, size_t(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string describeStatus(int status) {
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "failed";
}

} // namespace

Result<std::unique_ptr<EmuModule>> EmuModule::build(
    const std::string &source,
    const std::vector<std::pair<std::string, std::string>> &headers,
    const std::string &cacheDir, const std::string &label) {
  std::vector<std::string> command;
  const char *cxx = std::getenv("DSR1_EMU_CXX");
  std::string compiler = cxx && *cxx ? cxx : "c++";
  // $DSR1_EMU_CXX may carry flags or a launcher ("ccache g++"); words only,
  // no shell quoting.
  size_t start = 0;
  while ((start = compiler.find_first_not_of(" \t", start)) !=
         std::string::npos) {
    size_t end = compiler.find_first_of(" \t", start);
    command.push_back(compiler.substr(start, end - start));
    start = end;
  }
  if (command.empty())
    command.push_back("c++");
  // -fno-math-errno: CUDA's math never sets errno, and without it sqrtf is a
  // library call instead of an instruction.
  for (const char *flag : {"-std=c++17", "-O2", "-fPIC", "-shared",
                           "-fno-math-errno", "-DDSR1_CUDA_EMU"})
    command.push_back(flag);

  uint64_t hash = 14695981039346656037ull;
  hashPiece(hash, commandText(command));
  for (const auto &[name, content] : headers) {
    if (name.empty() || name == "." || name == ".." ||
        name.find('/') != std::string::npos || name == "module.cpp" ||
        name == "module.so")
      return Status::error("cuda-emu: module '" + label +
                           "': bad header name '" + name + "'");
    hashPiece(hash, name);
    hashPiece(hash, content);
  }
  hashPiece(hash, source);
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)hash);

  std::string dir = cacheDir + "/emu-" + hex;
  std::string sourcePath = dir + "/module.cpp";
  std::unique_ptr<EmuModule> module(new EmuModule());
  module->path_ = dir + "/module.so";
  module->fromCache_ = access(module->path_.c_str(), R_OK) == 0;
  if (!module->fromCache_) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return Status::error("cuda-emu: module '" + label + "': cannot create " +
                           dir + ": " + ec.message());
    for (const auto &[name, content] : headers)
      if (Status s = writeFile(dir + "/" + name, content); !s)
        return s;
    if (Status s = writeFile(sourcePath, source); !s)
      return s;
    // Compile to a private name and rename: the object appears whole or not
    // at all to other processes sharing the cache.
    std::string temp = module->path_ + uniqueSuffix();
    command.insert(command.end(), {"-o", temp, sourcePath});
    std::string output;
    int status = runCommand(command, output);
    if (status != 0) {
      unlink(temp.c_str());
      return Status::error("cuda-emu: cannot compile module '" + label +
                           "' (source " + sourcePath + "): `" +
                           commandText(command) + "` " +
                           (status < 0 ? std::string("could not start")
                                       : describeStatus(status)) +
                           ":\n" + output);
    }
    if (rename(temp.c_str(), module->path_.c_str()) != 0) {
      std::string error = std::strerror(errno);
      unlink(temp.c_str());
      return Status::error("cuda-emu: module '" + label + "': cannot rename " +
                           temp + ": " + error);
    }
  }

  module->handle_ = dlopen(module->path_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module->handle_) {
    const char *error = dlerror();
    return Status::error("cuda-emu: module '" + label + "': cannot load " +
                         module->path_ + ": " + (error ? error : "?"));
  }
  auto bind = reinterpret_cast<int (*)(const dsr1_emu_api *)>(
      dlsym(module->handle_, "dsr1_emu_bind"));
  if (!bind)
    return Status::error("cuda-emu: module '" + label + "' (" + module->path_ +
                         ") has no dsr1_emu_bind: it was not compiled "
                         "against cuda_emu.h");
  if (bind(&kApi) != DSR1_EMU_ABI_VERSION)
    return Status::error("cuda-emu: module '" + label + "' (" + module->path_ +
                         ") was compiled against another version of "
                         "cuda_emu.h than this runtime's");
  return module;
}

EmuModule::~EmuModule() {
  if (handle_)
    dlclose(handle_);
}

EmuEntry EmuModule::lookup(const std::string &name) const {
  return reinterpret_cast<EmuEntry>(dlsym(handle_, (name + "__emu").c_str()));
}

Status launch(EmuEntry entry, const std::string &kernelName, Dim3 grid,
              Dim3 block, void **params, const LaunchOptions &options) {
  std::string where = "cuda-emu: kernel '" + kernelName + "': ";
  if (!entry)
    return Status::error(where + "no entry point");
  // CUDA's limits, so that what runs here also launches on a GPU.
  uint64_t threads = uint64_t(block.x) * block.y * block.z;
  if (!block.x || !block.y || !block.z || block.x > kMaxBlockThreads ||
      block.y > kMaxBlockThreads || block.z > 64 || threads > kMaxBlockThreads)
    return Status::error(where + "block " + triple(block.x, block.y, block.z) +
                         " is empty or over CUDA's limits (at most 1024 "
                         "threads, z at most 64)");
  if (!grid.x || !grid.y || !grid.z || grid.x > 0x7fffffffu || grid.y > 65535 ||
      grid.z > 65535)
    return Status::error(where + "grid " + triple(grid.x, grid.y, grid.z) +
                         " is empty or over CUDA's limits (x below 2^31, y "
                         "and z at most 65535)");
  if (tlsLaunch)
    return Status::error(where + "launched while another launch runs on "
                                 "the same thread");
  Launch run(entry, kernelName, grid, block, params, options, threadPool());
  return run.run();
}

} // namespace dsr1::cudaemu
