//===- fake_libcuda.cpp - a CUDA driver on the host, for tests ------------===//
//
// libdsr1-fake-cuda.so: the CUDA driver entry points dsr1's cuda device
// resolves, implemented on the host, so the real CudaSession code path runs
// in tests on machines without a GPU (DSR1_CUDA_DRIVER=<this library>). It
// reports one "sm_90" GPU; device memory is host memory (device pointers are
// host addresses) and copies copy; modules "load" any cubin (an ELF) or PTX
// and kernels are found by name in the image; a kernel launch is recorded
// and computes nothing. Stream capture records copies, memsets and launches
// into a graph, and launching the graph replays them, so data moves as it
// would on a GPU. It checks what a real driver would refuse and a test would
// otherwise miss: calls without a current context on the calling thread,
// copies outside an allocation, pageable host memory in a captured copy, a
// synchronisation of a capturing stream.
//
// $DSR1_FAKE_CUDA_TRACE names a file that gets one line per call: the entry
// point, its key arguments, and " -> CUDA_ERROR_..." when it fails.
// $DSR1_FAKE_CUDA_CC (default 90) sets the compute capability,
// $DSR1_FAKE_CUDA_DEVICES (default 1) the number of GPUs,
// $DSR1_FAKE_CUDA_NO_GRAPHS=1 makes stream capture unsupported (an old
// driver), and $DSR1_FAKE_CUDA_FAIL_KERNEL=name makes that kernel write 2
// (a bad operand 1) into its status word, its first argument.
//
// No CUDA header is included: the project builds without CUDA installed.
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;

enum : CUresult {
  kSuccess = 0,
  kInvalidValue = 1,
  kOutOfMemory = 2,
  kNotInitialized = 3,
  kNoDevice = 100,
  kInvalidImage = 200,
  kInvalidContext = 201,
  kInvalidHandle = 400,
  kIllegalState = 401,
  kNotFound = 500,
  kNotSupported = 801,
  kCaptureUnsupported = 900,
};

const char *errorName(CUresult result) {
  switch (result) {
  case kSuccess:
    return "CUDA_SUCCESS";
  case kInvalidValue:
    return "CUDA_ERROR_INVALID_VALUE";
  case kOutOfMemory:
    return "CUDA_ERROR_OUT_OF_MEMORY";
  case kNotInitialized:
    return "CUDA_ERROR_NOT_INITIALIZED";
  case kNoDevice:
    return "CUDA_ERROR_NO_DEVICE";
  case kInvalidImage:
    return "CUDA_ERROR_INVALID_IMAGE";
  case kInvalidContext:
    return "CUDA_ERROR_INVALID_CONTEXT";
  case kInvalidHandle:
    return "CUDA_ERROR_INVALID_HANDLE";
  case kIllegalState:
    return "CUDA_ERROR_ILLEGAL_STATE";
  case kNotFound:
    return "CUDA_ERROR_NOT_FOUND";
  case kNotSupported:
    return "CUDA_ERROR_NOT_SUPPORTED";
  case kCaptureUnsupported:
    return "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED";
  }
  return nullptr;
}

int envInt(const char *name, int fallback) {
  const char *value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

/// One operation on a stream, run at once or recorded into a graph.
struct Op {
  enum Kind { htod, dtoh, dtod, memset, kernel } kind;
  void *dst = nullptr;
  const void *src = nullptr;
  size_t bytes = 0;
  unsigned char value = 0;
  std::string function;
  /// The status word a failing kernel writes (DSR1_FAKE_CUDA_FAIL_KERNEL).
  int32_t *failStatus = nullptr;
};

struct Graph {
  int id;
  std::vector<Op> ops;
};

struct Stream {
  int id;
  std::unique_ptr<Graph> capture;
};

struct Function {
  std::string name;
};

struct Module {
  std::string image;
  std::vector<std::unique_ptr<Function>> functions;
};

struct Event {
  int id;
};

/// Everything the fake driver holds, under one lock: dsr1 calls the driver
/// from several threads.
struct State {
  std::mutex mutex;
  bool initialised = false;
  int retained = 0;
  int nextId = 1;
  /// Allocations by start address: device memory, and page-locked host
  /// memory.
  std::map<uintptr_t, size_t> device, pinned;
  std::set<Stream *> streams;
  std::set<Module *> modules;
  std::set<Graph *> graphs, execs;
  std::set<Event *> events;
};

State &state() {
  static State s;
  return s;
}

/// The primary context's handle; a thread has it current after
/// cuCtxSetCurrent.
int contextObject;
thread_local void *current = nullptr;

/// Appends `line` (and the error a failed call returns) to the trace file;
/// the caller holds the lock. The file is opened per line so that a test
/// can point DSR1_FAKE_CUDA_TRACE elsewhere between calls.
CUresult traced(CUresult result, const std::string &line) {
  const char *path = std::getenv("DSR1_FAKE_CUDA_TRACE");
  if (!path || !*path)
    return result;
  if (FILE *f = std::fopen(path, "a")) {
    std::fprintf(f, "%s%s%s\n", line.c_str(), result ? " -> " : "",
                 result ? errorName(result) : "");
    std::fclose(f);
  }
  return result;
}

/// Whether [p, p + bytes) lies inside one allocation of `in`.
bool inside(const std::map<uintptr_t, size_t> &in, uintptr_t p, size_t bytes) {
  auto it = in.upper_bound(p);
  if (it == in.begin())
    return false;
  --it;
  return p + bytes <= it->first + it->second;
}

CUresult checkContext() {
  if (!state().initialised)
    return kNotInitialized;
  return current == &contextObject ? kSuccess : kInvalidContext;
}

/// Validates a stream handle (null is the legacy default stream).
Stream *findStream(void *handle, CUresult &error) {
  Stream *stream = static_cast<Stream *>(handle);
  error = kSuccess;
  if (stream && !state().streams.count(stream))
    error = kInvalidHandle;
  return stream;
}

void execute(const Op &op) {
  switch (op.kind) {
  case Op::htod:
  case Op::dtoh:
  case Op::dtod:
    std::memmove(op.dst, op.src, op.bytes);
    break;
  case Op::memset:
    std::memset(op.dst, op.value, op.bytes);
    break;
  case Op::kernel:
    if (op.failStatus)
      *op.failStatus = 2;
    break;
  }
}

/// Runs `op` now, or records it when `stream` is capturing. A copy to or
/// from host memory that is not page-locked cannot be captured.
CUresult issue(Stream *stream, Op op, bool hostSide) {
  if (stream && stream->capture) {
    if (hostSide) {
      const void *host = op.kind == Op::htod ? op.src : op.dst;
      if (!inside(state().pinned, reinterpret_cast<uintptr_t>(host), op.bytes))
        return kCaptureUnsupported;
    }
    stream->capture->ops.push_back(std::move(op));
    return kSuccess;
  }
  execute(op);
  return kSuccess;
}

std::string streamName(Stream *stream) {
  if (!stream)
    return "stream=0";
  return "stream=" + std::to_string(stream->id) +
         (stream->capture ? " captured" : "");
}

/// The size of an ELF image: its section headers come last.
size_t elfSize(const unsigned char *image) {
  uint64_t shoff;
  uint16_t shentsize, shnum;
  std::memcpy(&shoff, image + 0x28, 8);
  std::memcpy(&shentsize, image + 0x3a, 2);
  std::memcpy(&shnum, image + 0x3c, 2);
  return std::max<size_t>(64, shoff + size_t(shentsize) * shnum);
}

} // namespace

#define FAKE_CUDA_API extern "C" __attribute__((visibility("default")))

FAKE_CUDA_API CUresult cuGetErrorString(CUresult error, const char **text) {
  if (!text)
    return kInvalidValue;
  *text = errorName(error);
  return *text ? kSuccess : kInvalidValue;
}

FAKE_CUDA_API CUresult cuInit(unsigned flags) {
  std::lock_guard<std::mutex> lock(state().mutex);
  state().initialised = true;
  return traced(kSuccess, "cuInit flags=" + std::to_string(flags));
}

FAKE_CUDA_API CUresult cuDeviceGetCount(int *count) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (!state().initialised)
    return traced(kNotInitialized, "cuDeviceGetCount");
  *count = envInt("DSR1_FAKE_CUDA_DEVICES", 1);
  return traced(kSuccess, "cuDeviceGetCount count=" + std::to_string(*count));
}

FAKE_CUDA_API CUresult cuDeviceGet(int *device, int ordinal) {
  std::lock_guard<std::mutex> lock(state().mutex);
  CUresult r = ordinal >= 0 && ordinal < envInt("DSR1_FAKE_CUDA_DEVICES", 1)
                   ? kSuccess
                   : kInvalidValue;
  if (!r)
    *device = ordinal;
  return traced(r, "cuDeviceGet ordinal=" + std::to_string(ordinal));
}

FAKE_CUDA_API CUresult cuDeviceGetName(char *name, int length, int device) {
  std::lock_guard<std::mutex> lock(state().mutex);
  std::string text = "Fake GPU (dsr1 fake CUDA driver, sm_" +
                     std::to_string(envInt("DSR1_FAKE_CUDA_CC", 90)) + ")";
  if (length <= 0)
    return traced(kInvalidValue, "cuDeviceGetName");
  std::snprintf(name, length, "%s", text.c_str());
  return traced(kSuccess, "cuDeviceGetName device=" + std::to_string(device));
}

FAKE_CUDA_API CUresult cuDeviceGetAttribute(int *value, int attribute,
                                            int device) {
  std::lock_guard<std::mutex> lock(state().mutex);
  int cc = envInt("DSR1_FAKE_CUDA_CC", 90);
  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR; nothing else is
  // asked for.
  *value = attribute == 75 ? cc / 10 : attribute == 76 ? cc % 10 : 0;
  return traced(kSuccess,
                "cuDeviceGetAttribute attribute=" + std::to_string(attribute) +
                    " value=" + std::to_string(*value));
}

FAKE_CUDA_API CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (!state().initialised)
    return traced(kNotInitialized, "cuDevicePrimaryCtxRetain");
  ++state().retained;
  *context = &contextObject;
  return traced(kSuccess, "cuDevicePrimaryCtxRetain");
}

FAKE_CUDA_API CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (state().retained == 0)
    return traced(kInvalidContext, "cuDevicePrimaryCtxRelease_v2");
  --state().retained;
  return traced(kSuccess, "cuDevicePrimaryCtxRelease_v2");
}

FAKE_CUDA_API CUresult cuCtxSetCurrent(void *context) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (context && context != &contextObject)
    return traced(kInvalidContext, "cuCtxSetCurrent");
  current = context;
  return traced(kSuccess, "cuCtxSetCurrent");
}

FAKE_CUDA_API CUresult cuModuleLoadData(void **module, const void *image) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuModuleLoadData");
  if (!image)
    return traced(kInvalidValue, "cuModuleLoadData");
  const auto *bytes = static_cast<const unsigned char *>(image);
  auto loaded = std::make_unique<Module>();
  std::string what;
  if (!std::memcmp(bytes, "\177ELF", 4)) {
    // A cubin: e_flags name the SM it was built for, in bits 8-15 from
    // ELF ABI version 8 (CUDA 13's NVRTC), in the low byte before.
    uint32_t flags;
    std::memcpy(&flags, bytes + 0x30, 4);
    if (bytes[8] >= 8)
      flags >>= 8;
    loaded->image.assign(reinterpret_cast<const char *>(bytes), elfSize(bytes));
    what = "cubin sm_" + std::to_string(flags & 0xff);
  } else {
    loaded->image = static_cast<const char *>(image);
    size_t target = loaded->image.find(".target ");
    if (target == std::string::npos)
      return traced(kInvalidImage, "cuModuleLoadData unknown image");
    size_t end = loaded->image.find_first_of(" ,\n", target + 8);
    what = "ptx " + loaded->image.substr(target + 8, end - target - 8);
  }
  what += " bytes=" + std::to_string(loaded->image.size());
  *module = loaded.get();
  state().modules.insert(loaded.release());
  return traced(kSuccess, "cuModuleLoadData " + what);
}

FAKE_CUDA_API CUresult cuModuleUnload(void *handle) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuModuleUnload");
  Module *module = static_cast<Module *>(handle);
  if (!state().modules.erase(module))
    return traced(kInvalidHandle, "cuModuleUnload");
  delete module;
  return traced(kSuccess, "cuModuleUnload");
}

FAKE_CUDA_API CUresult cuModuleGetFunction(void **function, void *handle,
                                           const char *name) {
  std::lock_guard<std::mutex> lock(state().mutex);
  std::string line = std::string("cuModuleGetFunction name=") + name;
  if (CUresult r = checkContext())
    return traced(r, line);
  Module *module = static_cast<Module *>(handle);
  if (!state().modules.count(module))
    return traced(kInvalidHandle, line);
  // A kernel is in the image when its name is: a cubin's string table and
  // PTX's .entry both spell it out.
  if (module->image.find(name) == std::string::npos)
    return traced(kNotFound, line);
  module->functions.push_back(std::make_unique<Function>(Function{name}));
  *function = module->functions.back().get();
  return traced(kSuccess, line);
}

FAKE_CUDA_API CUresult cuMemAlloc_v2(CUdeviceptr *ptr, size_t bytes) {
  std::lock_guard<std::mutex> lock(state().mutex);
  std::string line = "cuMemAlloc_v2 bytes=" + std::to_string(bytes);
  if (CUresult r = checkContext())
    return traced(r, line);
  if (bytes == 0)
    return traced(kInvalidValue, line);
  void *p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!p)
    return traced(kOutOfMemory, line);
  std::memset(p, 0, bytes);
  state().device[reinterpret_cast<uintptr_t>(p)] = bytes;
  *ptr = reinterpret_cast<uintptr_t>(p);
  return traced(kSuccess, line);
}

FAKE_CUDA_API CUresult cuMemFree_v2(CUdeviceptr ptr) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuMemFree_v2");
  if (!state().device.erase(ptr))
    return traced(kInvalidValue, "cuMemFree_v2");
  std::free(reinterpret_cast<void *>(ptr));
  return traced(kSuccess, "cuMemFree_v2");
}

FAKE_CUDA_API CUresult cuMemHostAlloc(void **ptr, size_t bytes,
                                      unsigned flags) {
  std::lock_guard<std::mutex> lock(state().mutex);
  std::string line = "cuMemHostAlloc bytes=" + std::to_string(bytes) +
                     " flags=" + std::to_string(flags);
  if (CUresult r = checkContext())
    return traced(r, line);
  if (bytes == 0)
    return traced(kInvalidValue, line);
  void *p = std::calloc(1, bytes);
  if (!p)
    return traced(kOutOfMemory, line);
  state().pinned[reinterpret_cast<uintptr_t>(p)] = bytes;
  *ptr = p;
  return traced(kSuccess, line);
}

FAKE_CUDA_API CUresult cuMemFreeHost(void *ptr) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuMemFreeHost");
  if (!state().pinned.erase(reinterpret_cast<uintptr_t>(ptr)))
    return traced(kInvalidValue, "cuMemFreeHost");
  std::free(ptr);
  return traced(kSuccess, "cuMemFreeHost");
}

/// The asynchronous copies and memset: checked, then run or captured.
static CUresult copyAsync(const char *name, Op op, void *handle, bool hostSide,
                          bool dstDevice, bool srcDevice) {
  std::lock_guard<std::mutex> lock(state().mutex);
  CUresult r;
  Stream *stream = findStream(handle, r);
  std::string line = std::string(name) + " bytes=" + std::to_string(op.bytes) +
                     " " + streamName(stream);
  if (CUresult c = checkContext())
    return traced(c, line);
  if (r)
    return traced(r, line);
  if ((dstDevice && !inside(state().device, reinterpret_cast<uintptr_t>(op.dst),
                            op.bytes)) ||
      (srcDevice &&
       !inside(state().device, reinterpret_cast<uintptr_t>(op.src), op.bytes)))
    return traced(kInvalidValue, line);
  return traced(issue(stream, std::move(op), hostSide), line);
}

FAKE_CUDA_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src,
                                            size_t bytes, void *stream) {
  Op op{Op::htod};
  op.dst = reinterpret_cast<void *>(dst);
  op.src = src;
  op.bytes = bytes;
  return copyAsync("cuMemcpyHtoDAsync_v2", std::move(op), stream, true, true,
                   false);
}

FAKE_CUDA_API CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src,
                                            size_t bytes, void *stream) {
  Op op{Op::dtoh};
  op.dst = dst;
  op.src = reinterpret_cast<const void *>(src);
  op.bytes = bytes;
  return copyAsync("cuMemcpyDtoHAsync_v2", std::move(op), stream, true, false,
                   true);
}

FAKE_CUDA_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src,
                                            size_t bytes, void *stream) {
  Op op{Op::dtod};
  op.dst = reinterpret_cast<void *>(dst);
  op.src = reinterpret_cast<const void *>(src);
  op.bytes = bytes;
  return copyAsync("cuMemcpyDtoDAsync_v2", std::move(op), stream, false, true,
                   true);
}

FAKE_CUDA_API CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value,
                                       size_t count, void *stream) {
  Op op{Op::memset};
  op.dst = reinterpret_cast<void *>(dst);
  op.value = value;
  op.bytes = count;
  return copyAsync("cuMemsetD8Async", std::move(op), stream, false, true,
                   false);
}

FAKE_CUDA_API CUresult cuStreamCreate(void **handle, unsigned flags) {
  std::lock_guard<std::mutex> lock(state().mutex);
  std::string line = "cuStreamCreate flags=" + std::to_string(flags);
  if (CUresult r = checkContext())
    return traced(r, line);
  auto *stream = new Stream{state().nextId++, nullptr};
  state().streams.insert(stream);
  *handle = stream;
  return traced(kSuccess, line + " stream=" + std::to_string(stream->id));
}

FAKE_CUDA_API CUresult cuStreamDestroy_v2(void *handle) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuStreamDestroy_v2");
  Stream *stream = static_cast<Stream *>(handle);
  if (!state().streams.erase(stream))
    return traced(kInvalidHandle, "cuStreamDestroy_v2");
  std::string line = "cuStreamDestroy_v2 " + streamName(stream);
  delete stream;
  return traced(kSuccess, line);
}

FAKE_CUDA_API CUresult cuStreamSynchronize(void *handle) {
  std::lock_guard<std::mutex> lock(state().mutex);
  CUresult r;
  Stream *stream = findStream(handle, r);
  std::string line = "cuStreamSynchronize " + streamName(stream);
  if (CUresult c = checkContext())
    return traced(c, line);
  if (r)
    return traced(r, line);
  // Waiting on a capturing stream is illegal: nothing has run yet.
  return traced(stream && stream->capture ? kCaptureUnsupported : kSuccess,
                line);
}

FAKE_CUDA_API CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy,
                                      unsigned gz, unsigned bx, unsigned by,
                                      unsigned bz, unsigned sharedBytes,
                                      void *handle, void **params,
                                      void **extra) {
  std::lock_guard<std::mutex> lock(state().mutex);
  CUresult r;
  Stream *stream = findStream(handle, r);
  auto *f = static_cast<Function *>(function);
  auto dims = [](unsigned x, unsigned y, unsigned z) {
    return std::to_string(x) + "," + std::to_string(y) + "," +
           std::to_string(z);
  };
  std::string line = "cuLaunchKernel " + (f ? f->name : "?") +
                     " grid=" + dims(gx, gy, gz) +
                     " block=" + dims(bx, by, bz) + " " + streamName(stream);
  if (CUresult c = checkContext())
    return traced(c, line);
  if (r)
    return traced(r, line);
  if (!f || !params || gx * gy * gz == 0 || bx * by * bz == 0 ||
      bx * by * bz > 1024)
    return traced(kInvalidValue, line);
  Op op{Op::kernel};
  op.function = f->name;
  const char *failing = std::getenv("DSR1_FAKE_CUDA_FAIL_KERNEL");
  if (failing && f->name == failing)
    op.failStatus =
        reinterpret_cast<int32_t *>(*static_cast<CUdeviceptr *>(params[0]));
  return traced(issue(stream, std::move(op), false), line);
}

FAKE_CUDA_API CUresult cuEventCreate(void **event, unsigned flags) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuEventCreate");
  auto *e = new Event{state().nextId++};
  state().events.insert(e);
  *event = e;
  return traced(kSuccess, "cuEventCreate");
}

FAKE_CUDA_API CUresult cuEventRecord(void *event, void *handle) {
  std::lock_guard<std::mutex> lock(state().mutex);
  CUresult r;
  Stream *stream = findStream(handle, r);
  std::string line = "cuEventRecord " + streamName(stream);
  if (CUresult c = checkContext())
    return traced(c, line);
  if (!state().events.count(static_cast<Event *>(event)))
    r = kInvalidHandle;
  return traced(r, line);
}

FAKE_CUDA_API CUresult cuEventElapsedTime_v2(float *ms, void *start,
                                             void *end) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuEventElapsedTime_v2");
  if (!state().events.count(static_cast<Event *>(start)) ||
      !state().events.count(static_cast<Event *>(end)))
    return traced(kInvalidHandle, "cuEventElapsedTime_v2");
  // Every fake launch takes a millisecond.
  *ms = 1.0f;
  return traced(kSuccess, "cuEventElapsedTime_v2");
}

FAKE_CUDA_API CUresult cuEventDestroy_v2(void *event) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuEventDestroy_v2");
  if (!state().events.erase(static_cast<Event *>(event)))
    return traced(kInvalidHandle, "cuEventDestroy_v2");
  delete static_cast<Event *>(event);
  return traced(kSuccess, "cuEventDestroy_v2");
}

FAKE_CUDA_API CUresult cuStreamBeginCapture_v2(void *handle, int mode) {
  std::lock_guard<std::mutex> lock(state().mutex);
  CUresult r;
  Stream *stream = findStream(handle, r);
  std::string line = "cuStreamBeginCapture_v2 " + streamName(stream) +
                     " mode=" + std::to_string(mode);
  if (CUresult c = checkContext())
    return traced(c, line);
  if (r)
    return traced(r, line);
  if (envInt("DSR1_FAKE_CUDA_NO_GRAPHS", 0))
    return traced(kNotSupported, line);
  // The legacy default stream cannot be captured.
  if (!stream || stream->capture)
    return traced(kCaptureUnsupported, line);
  stream->capture = std::make_unique<Graph>(Graph{state().nextId++, {}});
  return traced(kSuccess, line);
}

FAKE_CUDA_API CUresult cuStreamEndCapture(void *handle, void **graph) {
  std::lock_guard<std::mutex> lock(state().mutex);
  CUresult r;
  Stream *stream = findStream(handle, r);
  std::string line = "cuStreamEndCapture " + streamName(stream);
  if (CUresult c = checkContext())
    return traced(c, line);
  if (r)
    return traced(r, line);
  if (!stream || !stream->capture)
    return traced(kIllegalState, line);
  Graph *g = stream->capture.release();
  state().graphs.insert(g);
  *graph = g;
  return traced(kSuccess, line + " graph=" + std::to_string(g->id) +
                              " nodes=" + std::to_string(g->ops.size()));
}

FAKE_CUDA_API CUresult cuGraphInstantiateWithFlags(void **exec, void *graph,
                                                   unsigned long long flags) {
  std::lock_guard<std::mutex> lock(state().mutex);
  std::string line = "cuGraphInstantiateWithFlags";
  if (CUresult r = checkContext())
    return traced(r, line);
  Graph *g = static_cast<Graph *>(graph);
  if (!state().graphs.count(g))
    return traced(kInvalidHandle, line);
  auto *e = new Graph{state().nextId++, g->ops};
  state().execs.insert(e);
  *exec = e;
  return traced(kSuccess, line + " graph=" + std::to_string(g->id) +
                              " exec=" + std::to_string(e->id));
}

FAKE_CUDA_API CUresult cuGraphLaunch(void *exec, void *handle) {
  std::lock_guard<std::mutex> lock(state().mutex);
  CUresult r;
  Stream *stream = findStream(handle, r);
  std::string line = "cuGraphLaunch " + streamName(stream);
  if (CUresult c = checkContext())
    return traced(c, line);
  if (r)
    return traced(r, line);
  Graph *e = static_cast<Graph *>(exec);
  if (!state().execs.count(e))
    return traced(kInvalidHandle, line);
  // Replays the recorded operations in capture order (a stream capture is
  // a chain), and lists them: how many of each copy, the kernels by name.
  int counts[5] = {};
  std::string kernels;
  for (const Op &op : e->ops) {
    execute(op);
    ++counts[op.kind];
    if (op.kind == Op::kernel)
      kernels += (kernels.empty() ? "" : ",") + op.function;
  }
  line += " exec=" + std::to_string(e->id) +
          " htod=" + std::to_string(counts[Op::htod]) +
          " memset=" + std::to_string(counts[Op::memset]) +
          " dtod=" + std::to_string(counts[Op::dtod]) +
          " dtoh=" + std::to_string(counts[Op::dtoh]) + " kernels=" + kernels;
  return traced(kSuccess, line);
}

FAKE_CUDA_API CUresult cuGraphExecDestroy(void *exec) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuGraphExecDestroy");
  Graph *e = static_cast<Graph *>(exec);
  if (!state().execs.erase(e))
    return traced(kInvalidHandle, "cuGraphExecDestroy");
  delete e;
  return traced(kSuccess, "cuGraphExecDestroy");
}

FAKE_CUDA_API CUresult cuGraphDestroy(void *graph) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = checkContext())
    return traced(r, "cuGraphDestroy");
  Graph *g = static_cast<Graph *>(graph);
  if (!state().graphs.erase(g))
    return traced(kInvalidHandle, "cuGraphDestroy");
  delete g;
  return traced(kSuccess, "cuGraphDestroy");
}
