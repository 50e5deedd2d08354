//===- CudaDevice.cpp - the cuda device: a plan on a GPU ------------------===//
//
// The driver API is declared here by hand (the few entry points dsr1 uses,
// with the CUDA 12/13 ABI), so dsr1 needs no CUDA headers to build and no
// driver to run until a GPU is asked for. Entry points are resolved by the
// names cuda.h maps them to (cuMemAlloc -> cuMemAlloc_v2, cuGraphInstantiate
// -> cuGraphInstantiateWithFlags): dlsym of those names is what a program
// built against cuda.h links to, without cuGetProcAddress, whose own
// signature changed in CUDA 12.5.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaDevice.h"

#include <algorithm>
#include <cstring>
#include <dlfcn.h>

namespace dsr1::cuda {

namespace {
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using Handle = void *;
constexpr int kCapabilityMajor = 75, kCapabilityMinor = 76;
/// cuStreamCreate: no implicit synchronisation with the legacy default
/// stream, which other libraries in the process may be using.
constexpr unsigned kStreamNonBlocking = 1;
/// cuStreamBeginCapture: only this thread's calls are checked for
/// capture-unsafe operations, so another session's thread may allocate,
/// load modules or capture at the same time.
constexpr int kCaptureThreadLocal = 1;
} // namespace

struct CudaDriver::Api {
  CUresult (*init)(unsigned);
  CUresult (*deviceGetCount)(int *);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*deviceGetName)(char *, int, CUdevice);
  CUresult (*deviceGetAttribute)(int *, int, CUdevice);
  CUresult (*primaryCtxRetain)(Handle *, CUdevice);
  CUresult (*primaryCtxRelease)(CUdevice);
  CUresult (*ctxSetCurrent)(Handle);
  CUresult (*moduleLoadData)(Handle *, const void *);
  CUresult (*moduleUnload)(Handle);
  CUresult (*moduleGetFunction)(Handle *, Handle, const char *);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*memHostAlloc)(void **, size_t, unsigned);
  CUresult (*memFreeHost)(void *);
  CUresult (*memcpyHtoDAsync)(CUdeviceptr, const void *, size_t, Handle);
  CUresult (*memcpyDtoHAsync)(void *, CUdeviceptr, size_t, Handle);
  CUresult (*memcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t, Handle);
  CUresult (*memsetD8Async)(CUdeviceptr, unsigned char, size_t, Handle);
  CUresult (*streamCreate)(Handle *, unsigned);
  CUresult (*streamDestroy)(Handle);
  CUresult (*streamSynchronize)(Handle);
  CUresult (*launchKernel)(Handle, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, Handle, void **,
                           void **);
  CUresult (*eventCreate)(Handle *, unsigned);
  CUresult (*eventRecord)(Handle, Handle);
  CUresult (*eventElapsedTime)(float *, Handle, Handle);
  CUresult (*eventDestroy)(Handle);
  CUresult (*getErrorString)(CUresult, const char **);
  // CUDA graphs (optional: without them a session runs plain launches).
  CUresult (*streamBeginCapture)(Handle, int);
  CUresult (*streamEndCapture)(Handle, Handle *);
  CUresult (*graphInstantiate)(Handle *, Handle, unsigned long long);
  CUresult (*graphLaunch)(Handle, Handle);
  CUresult (*graphExecDestroy)(Handle);
  CUresult (*graphDestroy)(Handle);
  /// The graph entry points the driver lacks, or empty.
  std::string missingGraphApi;

  /// "what: CUDA_ERROR_... (message)" for a failed call.
  Status check(CUresult result, const std::string &what) const {
    if (result == 0)
      return Status::ok();
    const char *text = nullptr;
    if (getErrorString)
      getErrorString(result, &text);
    return Status::error(what + " failed: CUDA error " +
                         std::to_string(result) + (text ? " (" : "") +
                         (text ? text : "") + (text ? ")" : ""));
  }
};

Result<std::shared_ptr<CudaDriver>> CudaDriver::load() {
  std::shared_ptr<CudaDriver> driver(new CudaDriver());
  std::string tried, lastError;
  // A driver named by the environment is the only one tried: falling back
  // to the system's would run something else than was asked for.
  std::vector<std::string> candidates = {"libcuda.so.1", "libcuda.so"};
  const char *chosen = std::getenv("DSR1_CUDA_DRIVER");
  if (chosen && *chosen)
    candidates = {chosen};
  for (const std::string &candidate : candidates) {
    driver->handle_ = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (driver->handle_)
      break;
    tried += (tried.empty() ? "" : ", ") + candidate;
    const char *error = dlerror();
    lastError = error ? error : "";
  }
  if (!driver->handle_)
    return Status::error(
        "no CUDA driver: could not load " + tried + " (" +
        (chosen && *chosen ? "named by $DSR1_CUDA_DRIVER: " : "") + lastError +
        "); the cuda device needs an NVIDIA GPU and its driver (--device "
        "cuda-emu runs the same kernels on the CPU)");
  auto api = std::make_unique<Api>();
  std::string missing;
  auto resolve = [&](auto &fn, std::initializer_list<const char *> names,
                     std::string &missingList) {
    fn = nullptr;
    for (const char *name : names)
      if (!fn)
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
            dlsym(driver->handle_, name));
    if (!fn)
      missingList +=
          std::string(missingList.empty() ? "" : ", ") + *names.begin();
  };
  auto bind = [&](auto &fn, const char *name) { resolve(fn, {name}, missing); };
  bind(api->init, "cuInit");
  bind(api->deviceGetCount, "cuDeviceGetCount");
  bind(api->deviceGet, "cuDeviceGet");
  bind(api->deviceGetName, "cuDeviceGetName");
  bind(api->deviceGetAttribute, "cuDeviceGetAttribute");
  bind(api->primaryCtxRetain, "cuDevicePrimaryCtxRetain");
  bind(api->primaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  bind(api->ctxSetCurrent, "cuCtxSetCurrent");
  bind(api->moduleLoadData, "cuModuleLoadData");
  bind(api->moduleUnload, "cuModuleUnload");
  bind(api->moduleGetFunction, "cuModuleGetFunction");
  bind(api->memAlloc, "cuMemAlloc_v2");
  bind(api->memFree, "cuMemFree_v2");
  bind(api->memHostAlloc, "cuMemHostAlloc");
  bind(api->memFreeHost, "cuMemFreeHost");
  bind(api->memcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  bind(api->memcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  bind(api->memcpyDtoDAsync, "cuMemcpyDtoDAsync_v2");
  bind(api->memsetD8Async, "cuMemsetD8Async");
  bind(api->streamCreate, "cuStreamCreate");
  bind(api->streamDestroy, "cuStreamDestroy_v2");
  bind(api->streamSynchronize, "cuStreamSynchronize");
  bind(api->launchKernel, "cuLaunchKernel");
  bind(api->eventCreate, "cuEventCreate");
  bind(api->eventRecord, "cuEventRecord");
  // CUDA 12.8 added the _v2 (cuda.h maps the name to it); older drivers
  // have only the first, with the same signature.
  resolve(api->eventElapsedTime,
          {"cuEventElapsedTime_v2", "cuEventElapsedTime"}, missing);
  bind(api->eventDestroy, "cuEventDestroy_v2");
  bind(api->getErrorString, "cuGetErrorString");
  if (!missing.empty())
    return Status::error("the CUDA driver lacks " + missing);
  auto graph = [&](auto &fn, const char *name) {
    resolve(fn, {name}, api->missingGraphApi);
  };
  graph(api->streamBeginCapture, "cuStreamBeginCapture_v2");
  graph(api->streamEndCapture, "cuStreamEndCapture");
  graph(api->graphInstantiate, "cuGraphInstantiateWithFlags");
  graph(api->graphLaunch, "cuGraphLaunch");
  graph(api->graphExecDestroy, "cuGraphExecDestroy");
  graph(api->graphDestroy, "cuGraphDestroy");
  const Api &a = *api;
  driver->api_ = std::move(api);
  if (Status s = a.check(a.init(0), "cuInit"); !s)
    return Status::error(s.message() + ": no usable GPU");
  int count = 0;
  if (Status s = a.check(a.deviceGetCount(&count), "cuDeviceGetCount"); !s)
    return s;
  if (count == 0)
    return Status::error("the CUDA driver reports no GPU");
  if (Status s = a.check(a.deviceGet(&driver->device_, 0), "cuDeviceGet"); !s)
    return s;
  char name[256] = {};
  a.deviceGetName(name, sizeof(name), driver->device_);
  driver->name_ = name;
  int major = 0, minor = 0;
  a.deviceGetAttribute(&major, kCapabilityMajor, driver->device_);
  a.deviceGetAttribute(&minor, kCapabilityMinor, driver->device_);
  driver->capability_ = major * 10 + minor;
  if (Status s = a.check(a.primaryCtxRetain(&driver->context_, driver->device_),
                         "cuDevicePrimaryCtxRetain");
      !s)
    return s;
  if (Status s = driver->makeCurrent(); !s)
    return s;
  return driver;
}

Status CudaDriver::makeCurrent() const {
  return api_->check(api_->ctxSetCurrent(context_), "cuCtxSetCurrent");
}

CudaDriver::~CudaDriver() {
  if (context_ && api_)
    api_->primaryCtxRelease(device_);
  // The driver stays loaded: it keeps process-wide state.
}

/// One plan launch on the GPU.
struct CudaSession::Step {
  bool copy = false;
  /// Device addresses: status slot, then the buffers (kernels); source and
  /// destination (copies).
  std::vector<CUdeviceptr> args;
  uint64_t bytes = 0;
  struct Grid {
    Handle function;
    Dim3 grid, block;
    size_t profileSlot;
  };
  std::vector<Grid> grids;
};

namespace {

uint64_t alignUp(uint64_t value) { return (value + 255) / 256 * 256; }

/// The architecture number of "sm_90a" / "compute_80" (90, 80).
int archNumber(const std::string &arch) {
  size_t digits = arch.find_first_of("0123456789");
  return digits == std::string::npos ? 0 : std::atoi(arch.c_str() + digits);
}

} // namespace

Result<std::unique_ptr<CudaSession>>
CudaSession::create(std::shared_ptr<CudaDriver> driver,
                    std::shared_ptr<const Plan> plan, const CudaModule &code,
                    const std::vector<DeviceBinary> &binaries) {
  if (Status s = plan->verify(); !s)
    return s;
  const CudaDriver::Api &a = driver->api();
  if (Status s = driver->makeCurrent(); !s)
    return s;
  std::unique_ptr<CudaSession> session(new CudaSession());
  session->driver_ = driver;
  session->plan_ = plan;

  // The binary: the exact cubin, a cubin of the same major version built
  // for an older minor one, else the newest PTX the GPU can JIT.
  int cc = driver->computeCapability();
  const DeviceBinary *cubin = nullptr, *ptx = nullptr;
  for (const DeviceBinary &b : binaries) {
    int n = archNumber(b.arch);
    bool suffixed = !b.arch.empty() && b.arch.back() == 'a';
    if (n == cc && !b.cubin.empty())
      cubin = &b;
    else if (!cubin && !suffixed && n / 10 == cc / 10 && n <= cc &&
             !b.cubin.empty())
      cubin = &b;
    if (!b.ptx.empty() && n <= cc && (!suffixed || n == cc) &&
        (!ptx || archNumber(ptx->arch) < n))
      ptx = &b;
  }
  const std::string *image = cubin ? &cubin->cubin : ptx ? &ptx->ptx : nullptr;
  if (!image) {
    std::string archs;
    for (const DeviceBinary &b : binaries)
      archs += (archs.empty() ? "" : ", ") + b.arch;
    return Status::error("no kernels for " + driver->deviceName() + " (sm_" +
                         std::to_string(cc) + "): compiled for " +
                         (archs.empty() ? std::string("nothing") : archs));
  }
  session->loaded_ =
      cubin ? cubin->arch + " cubin"
            : "compute_" + std::to_string(archNumber(ptx->arch)) + " PTX";
  // A PTX image must end in a NUL.
  std::string owned = *image;
  if (!cubin)
    owned.push_back('\0');
  if (Status s = a.check(a.moduleLoadData(&session->module_, owned.data()),
                         "loading the " + session->loaded_);
      !s)
    return s;
  if (Status s = a.check(a.streamCreate(&session->stream_, kStreamNonBlocking),
                         "cuStreamCreate");
      !s)
    return s;

  // Memory: the weights (uploaded once), the inputs and outputs, the arena,
  // and a status word per launch; the inputs, outputs and status words
  // again in page-locked host memory, which asynchronous copies (and copies
  // captured into a graph) need.
  uint64_t weightBytes = 0, ioBytes = 0;
  for (const Weight &w : plan->weights) {
    session->weightOffsets_.push_back(weightBytes);
    weightBytes += alignUp(w.bytes);
  }
  for (const TensorSpec &spec : plan->inputs) {
    session->inputOffsets_.push_back(ioBytes);
    ioBytes += alignUp(spec.bytes());
  }
  for (const TensorSpec &spec : plan->outputs) {
    session->outputOffsets_.push_back(ioBytes);
    ioBytes += alignUp(spec.bytes());
  }
  session->ioBytes_ = ioBytes;
  uint64_t statusBytes = plan->launches.size() * sizeof(int32_t);
  auto allocate = [&](uint64_t &ptr, uint64_t bytes,
                      const std::string &what) -> Status {
    CUdeviceptr p = 0;
    Status s =
        a.check(a.memAlloc(&p, std::max<uint64_t>(bytes, 256)),
                "allocating " + std::to_string(bytes) + " bytes for " + what);
    ptr = p;
    return s;
  };
  if (Status s = allocate(session->weights_, weightBytes, "the weights"); !s)
    return s;
  if (Status s = allocate(session->io_, ioBytes, "the inputs and outputs"); !s)
    return s;
  if (Status s = allocate(session->arena_, plan->arenaBytes, "the arena"); !s)
    return s;
  if (Status s = allocate(session->status_, statusBytes, "the status words");
      !s)
    return s;
  // One workspace serves every kernel: they run one after the other on the
  // session's stream.
  uint64_t workspaceBytes = 0;
  for (const CudaKernel &kernel : code.kernels)
    workspaceBytes = std::max(workspaceBytes, kernel.workspaceBytes);
  if (workspaceBytes)
    if (Status s = allocate(session->workspace_, workspaceBytes,
                            "the kernels' workspace");
        !s)
      return s;
  void *staging = nullptr;
  if (Status s = a.check(
          a.memHostAlloc(&staging,
                         std::max<uint64_t>(ioBytes + statusBytes, 256), 0),
          "allocating " + std::to_string(ioBytes + statusBytes) +
              " bytes of page-locked host memory");
      !s)
    return s;
  session->staging_ = static_cast<uint8_t *>(staging);
  // The weights go on the session's stream: a synchronous copy from
  // pageable memory may return before its DMA is done, and the stream does
  // not wait for the legacy default stream.
  for (size_t i = 0; i < plan->weights.size(); ++i)
    if (plan->weights[i].bytes)
      if (Status s = a.check(
              a.memcpyHtoDAsync(session->weights_ + session->weightOffsets_[i],
                                plan->weights[i].data, plan->weights[i].bytes,
                                session->stream_),
              "uploading weight '" + plan->weights[i].name + "'");
          !s)
        return s;
  if (Status s = a.check(a.streamSynchronize(session->stream_),
                         "uploading the weights");
      !s)
    return s;

  auto address = [&](const BufferRef &ref) -> CUdeviceptr {
    switch (ref.kind) {
    case BufferRef::Kind::input:
      return session->io_ + session->inputOffsets_[ref.index];
    case BufferRef::Kind::output:
      return session->io_ + session->outputOffsets_[ref.index];
    case BufferRef::Kind::weight:
      return session->weights_ + session->weightOffsets_[ref.index];
    case BufferRef::Kind::arena:
      return session->arena_ + ref.offset;
    }
    return session->arena_;
  };
  for (size_t i = 0; i < plan->launches.size(); ++i) {
    const Launch &launch = plan->launches[i];
    Step step;
    if (launch.kind == Launch::Kind::copy) {
      step.copy = true;
      step.args = {address(launch.args[0]), address(launch.args[1])};
      step.bytes = launch.args[1].bytes;
      session->steps_.push_back(std::move(step));
      continue;
    }
    const KernelInfo &info = plan->kernels[launch.kernel];
    const CudaKernel *kernel = code.find(info.symbol);
    if (!kernel)
      return Status::error("no CUDA code for kernel '" + info.symbol +
                           "' (node '" + info.node + "')");
    step.args.push_back(session->status_ + i * sizeof(int32_t));
    for (const BufferRef &ref : launch.args)
      step.args.push_back(address(ref));
    if (kernel->workspaceBytes)
      step.args.push_back(session->workspace_);
    for (const GridLaunch &grid : kernel->launches) {
      Handle function = nullptr;
      if (Status s = a.check(a.moduleGetFunction(&function, session->module_,
                                                 grid.function.c_str()),
                             "finding kernel " + grid.function);
          !s)
        return s;
      step.grids.push_back(
          {function, grid.grid, grid.block, session->names_.size()});
      session->names_.push_back(grid.function);
    }
    session->steps_.push_back(std::move(step));
  }
  session->seconds_.assign(session->names_.size(), 0.0);
  session->setGraphStatus();
  return session;
}

CudaSession::~CudaSession() {
  if (!driver_)
    return;
  const CudaDriver::Api &a = driver_->api();
  // The destructor may run on a thread that never ran the session.
  (void)driver_->makeCurrent();
  // A failed run may leave work on the stream that uses this memory.
  if (stream_)
    a.streamSynchronize(stream_);
  if (graphExec_)
    a.graphExecDestroy(graphExec_);
  for (Handle event : events_)
    if (event)
      a.eventDestroy(event);
  if (stream_)
    a.streamDestroy(stream_);
  for (uint64_t p : {arena_, weights_, io_, status_, workspace_})
    if (p)
      a.memFree(p);
  if (staging_)
    a.memFreeHost(staging_);
  if (module_)
    a.moduleUnload(module_);
}

void CudaSession::useGraphs(bool on) {
  graphs_ = on;
  setGraphStatus();
}

void CudaSession::enableProfiling() {
  profiling_ = true;
  std::fill(seconds_.begin(), seconds_.end(), 0.0);
  setGraphStatus();
}

void CudaSession::setGraphStatus() {
  if (!graphs_)
    graphStatus_ = "off: turned off (useGraphs(false)); plain launches";
  else if (profiling_)
    graphStatus_ = "off: profiling times every launch with events; plain "
                   "launches";
  else if (!graphFailure_.empty())
    graphStatus_ = "off: " + graphFailure_ + "; plain launches";
  else if (graphExec_)
    graphStatus_ = "graph: captured on the first run, launched per run";
  else
    graphStatus_ = "graph: captured on the next run";
}

Status CudaSession::enqueue() {
  const CudaDriver::Api &a = driver_->api();
  for (size_t i = 0; i < plan_->inputs.size(); ++i)
    if (uint64_t bytes = plan_->inputs[i].bytes())
      if (Status s = a.check(a.memcpyHtoDAsync(io_ + inputOffsets_[i],
                                               staging_ + inputOffsets_[i],
                                               bytes, stream_),
                             "copying input '" + plan_->inputs[i].name + "'");
          !s)
        return s;
  uint64_t statusBytes = plan_->launches.size() * sizeof(int32_t);
  if (statusBytes)
    if (Status s = a.check(a.memsetD8Async(status_, 0, statusBytes, stream_),
                           "clearing the status words");
        !s)
      return s;
  std::vector<void *> params;
  for (size_t i = 0; i < steps_.size(); ++i) {
    Step &step = steps_[i];
    if (step.copy) {
      if (step.bytes)
        if (Status s = a.check(a.memcpyDtoDAsync(step.args[1], step.args[0],
                                                 step.bytes, stream_),
                               plan_->describeLaunch(i));
            !s)
          return s;
      continue;
    }
    // The driver copies the argument values at the launch (or into the
    // graph node), so the array need not outlive the call.
    params.clear();
    for (CUdeviceptr &arg : step.args)
      params.push_back(&arg);
    for (const Step::Grid &grid : step.grids) {
      if (profiling_)
        a.eventRecord(events_[2 * grid.profileSlot], stream_);
      if (Status s = a.check(
              a.launchKernel(grid.function, grid.grid.x, grid.grid.y,
                             grid.grid.z, grid.block.x, grid.block.y,
                             grid.block.z, 0, stream_, params.data(), nullptr),
              plan_->describeLaunch(i) + ": launching " +
                  names_[grid.profileSlot]);
          !s)
        return s;
      if (profiling_)
        a.eventRecord(events_[2 * grid.profileSlot + 1], stream_);
    }
  }
  if (statusBytes)
    if (Status s = a.check(a.memcpyDtoHAsync(staging_ + ioBytes_, status_,
                                             statusBytes, stream_),
                           "reading the status words");
        !s)
      return s;
  for (size_t i = 0; i < plan_->outputs.size(); ++i)
    if (uint64_t bytes = plan_->outputs[i].bytes())
      if (Status s = a.check(a.memcpyDtoHAsync(staging_ + outputOffsets_[i],
                                               io_ + outputOffsets_[i], bytes,
                                               stream_),
                             "copying output '" + plan_->outputs[i].name + "'");
          !s)
        return s;
  return Status::ok();
}

Status CudaSession::capture() {
  const CudaDriver::Api &a = driver_->api();
  Status result = Status::ok();
  if (!a.missingGraphApi.empty())
    result = Status::error("the CUDA driver lacks " + a.missingGraphApi);
  else
    result = a.check(a.streamBeginCapture(stream_, kCaptureThreadLocal),
                     "cuStreamBeginCapture");
  if (result) {
    // Whatever enqueue() meets, the capture has to be ended, or the stream
    // stays in capture mode.
    Status enqueued = enqueue();
    Handle graph = nullptr;
    Status ended =
        a.check(a.streamEndCapture(stream_, &graph), "cuStreamEndCapture");
    result = !enqueued ? enqueued : ended;
    if (result)
      result = a.check(a.graphInstantiate(&graphExec_, graph, 0),
                       "cuGraphInstantiateWithFlags");
    // The executable graph is independent of the graph it came from.
    if (graph)
      a.graphDestroy(graph);
  }
  if (!result) {
    graphExec_ = nullptr;
    graphFailure_ = "capturing a CUDA graph: " + result.message();
  }
  setGraphStatus();
  return result;
}

Result<std::vector<HostTensor>>
CudaSession::run(const std::vector<HostTensor> &inputs) {
  if (Status s = plan_->checkInputs(inputs); !s)
    return s;
  const CudaDriver::Api &a = driver_->api();
  if (Status s = driver_->makeCurrent(); !s)
    return s;
  for (size_t i = 0; i < inputs.size(); ++i)
    std::memcpy(staging_ + inputOffsets_[i], inputs[i].data.data(),
                inputs[i].data.size());
  if (profiling_ && events_.empty()) {
    events_.assign(2 * names_.size(), nullptr);
    for (Handle &event : events_)
      if (Status s = a.check(a.eventCreate(&event, 0), "cuEventCreate"); !s) {
        for (Handle made : events_)
          if (made)
            a.eventDestroy(made);
        events_.clear();
        return s;
      }
  }

  // A graph that cannot be captured is no error: the run goes on with
  // plain launches, and graphStatus() says why.
  bool graph = graphs_ && !profiling_ && graphFailure_.empty();
  if (graph && !graphExec_ && !capture())
    graph = false;
  Status issued = graph ? a.check(a.graphLaunch(graphExec_, stream_),
                                  "launching the plan's CUDA graph")
                        : enqueue();
  // Synchronise even after a failed launch: the work issued before it still
  // reads and writes the session's buffers.
  Status done = a.check(a.streamSynchronize(stream_), "running the plan");
  if (!issued)
    return issued;
  if (!done)
    return done;
  if (profiling_)
    for (size_t k = 0; k < names_.size(); ++k) {
      float ms = 0;
      a.eventElapsedTime(&ms, events_[2 * k], events_[2 * k + 1]);
      seconds_[k] += ms / 1e3;
    }
  const uint8_t *status = staging_ + ioBytes_;
  for (size_t i = 0; i < plan_->launches.size(); ++i) {
    int32_t word;
    std::memcpy(&word, status + i * sizeof(int32_t), sizeof(word));
    if (word != kStatusOk)
      return plan_->failure(i, word);
  }

  std::vector<HostTensor> outputs;
  for (size_t i = 0; i < plan_->outputs.size(); ++i) {
    const TensorSpec &spec = plan_->outputs[i];
    HostTensor out;
    out.name = spec.name;
    out.dtype = spec.dtype;
    out.shape = spec.shape;
    out.data.assign(staging_ + outputOffsets_[i],
                    staging_ + outputOffsets_[i] + spec.bytes());
    outputs.push_back(std::move(out));
  }
  return outputs;
}

} // namespace dsr1::cuda
