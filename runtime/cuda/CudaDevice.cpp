//===- CudaDevice.cpp - the cuda device: a plan on a GPU ------------------===//
//
// The driver API is declared here by hand (the few entry points dsr1 uses,
// with the CUDA 12/13 ABI), so dsr1 needs no CUDA headers to build and no
// driver to run until a GPU is asked for.
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
  CUresult (*ctxSynchronize)();
  CUresult (*moduleLoadData)(Handle *, const void *);
  CUresult (*moduleUnload)(Handle);
  CUresult (*moduleGetFunction)(Handle *, Handle, const char *);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*memcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*memcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*memcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*memsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*launchKernel)(Handle, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, Handle, void **,
                           void **);
  CUresult (*eventCreate)(Handle *, unsigned);
  CUresult (*eventRecord)(Handle, Handle);
  CUresult (*eventSynchronize)(Handle);
  CUresult (*eventElapsedTime)(float *, Handle, Handle);
  CUresult (*eventDestroy)(Handle);
  CUresult (*getErrorString)(CUresult, const char **);

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
  std::vector<std::string> candidates;
  if (const char *path = std::getenv("DSR1_CUDA_DRIVER"))
    candidates.push_back(path);
  candidates.push_back("libcuda.so.1");
  candidates.push_back("libcuda.so");
  std::shared_ptr<CudaDriver> driver(new CudaDriver());
  std::string tried, lastError;
  for (const std::string &candidate : candidates) {
    driver->handle_ = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (driver->handle_)
      break;
    tried += (tried.empty() ? "" : ", ") + candidate;
    const char *error = dlerror();
    lastError = error ? error : "";
  }
  if (!driver->handle_)
    return Status::error("no CUDA driver: could not load " + tried + " (" +
                         lastError +
                         "); the cuda device needs an NVIDIA GPU and its "
                         "driver (--device cuda-emu runs the same kernels "
                         "on the CPU)");
  auto api = std::make_unique<Api>();
  std::string missing;
  auto bind = [&](auto &fn, const char *name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(driver->handle_, name));
    if (!fn)
      missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  bind(api->init, "cuInit");
  bind(api->deviceGetCount, "cuDeviceGetCount");
  bind(api->deviceGet, "cuDeviceGet");
  bind(api->deviceGetName, "cuDeviceGetName");
  bind(api->deviceGetAttribute, "cuDeviceGetAttribute");
  bind(api->primaryCtxRetain, "cuDevicePrimaryCtxRetain");
  bind(api->primaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  bind(api->ctxSetCurrent, "cuCtxSetCurrent");
  bind(api->ctxSynchronize, "cuCtxSynchronize");
  bind(api->moduleLoadData, "cuModuleLoadData");
  bind(api->moduleUnload, "cuModuleUnload");
  bind(api->moduleGetFunction, "cuModuleGetFunction");
  bind(api->memAlloc, "cuMemAlloc_v2");
  bind(api->memFree, "cuMemFree_v2");
  bind(api->memcpyHtoD, "cuMemcpyHtoD_v2");
  bind(api->memcpyDtoH, "cuMemcpyDtoH_v2");
  bind(api->memcpyDtoD, "cuMemcpyDtoD_v2");
  bind(api->memsetD8, "cuMemsetD8_v2");
  bind(api->launchKernel, "cuLaunchKernel");
  bind(api->eventCreate, "cuEventCreate");
  bind(api->eventRecord, "cuEventRecord");
  bind(api->eventSynchronize, "cuEventSynchronize");
  bind(api->eventElapsedTime, "cuEventElapsedTime");
  bind(api->eventDestroy, "cuEventDestroy_v2");
  bind(api->getErrorString, "cuGetErrorString");
  if (!missing.empty())
    return Status::error("the CUDA driver lacks " + missing);
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
  if (Status s = a.check(a.ctxSetCurrent(driver->context_), "cuCtxSetCurrent");
      !s)
    return s;
  return driver;
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
  std::unique_ptr<CudaSession> session(new CudaSession());
  session->driver_ = driver;
  session->plan_ = plan;

  // The binary: the exact cubin, a cubin of the same major version built
  // for an older minor one, else the newest PTX the GPU can JIT.
  int cc = driver->computeCapability();
  const DeviceBinary *cubin = nullptr, *ptx = nullptr;
  for (const DeviceBinary &b : binaries) {
    int n = archNumber(b.arch);
    bool suffixed = b.arch.back() == 'a';
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

  // Memory: the weights (uploaded once), the inputs and outputs, the arena,
  // and a status word per launch.
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
  if (Status s =
          allocate(session->status_, plan->launches.size() * sizeof(int32_t),
                   "the status words");
      !s)
    return s;
  for (size_t i = 0; i < plan->weights.size(); ++i)
    if (Status s =
            a.check(a.memcpyHtoD(session->weights_ + session->weightOffsets_[i],
                                 plan->weights[i].data,
                                 plan->weights[i].bytes),
                    "uploading weight '" + plan->weights[i].name + "'");
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
  return session;
}

CudaSession::~CudaSession() {
  if (!driver_)
    return;
  const CudaDriver::Api &a = driver_->api();
  for (uint64_t p : {arena_, weights_, io_, status_})
    if (p)
      a.memFree(p);
  if (module_)
    a.moduleUnload(module_);
}

void CudaSession::enableProfiling() {
  profiling_ = true;
  std::fill(seconds_.begin(), seconds_.end(), 0.0);
}

Result<std::vector<HostTensor>>
CudaSession::run(const std::vector<HostTensor> &inputs) {
  if (Status s = plan_->checkInputs(inputs); !s)
    return s;
  const CudaDriver::Api &a = driver_->api();
  for (size_t i = 0; i < inputs.size(); ++i)
    if (Status s =
            a.check(a.memcpyHtoD(io_ + inputOffsets_[i], inputs[i].data.data(),
                                 inputs[i].data.size()),
                    "copying input '" + plan_->inputs[i].name + "'");
        !s)
      return s;
  if (Status s = a.check(
          a.memsetD8(status_, 0, plan_->launches.size() * sizeof(int32_t)),
          "clearing the status words");
      !s)
    return s;

  // Events bracket every grid launch when profiling.
  std::vector<Handle> events;
  if (profiling_) {
    events.resize(2 * names_.size());
    for (Handle &event : events)
      if (Status s = a.check(a.eventCreate(&event, 0), "cuEventCreate"); !s)
        return s;
  }
  std::vector<void *> params;
  for (size_t i = 0; i < steps_.size(); ++i) {
    Step &step = steps_[i];
    if (step.copy) {
      if (Status s =
              a.check(a.memcpyDtoD(step.args[1], step.args[0], step.bytes),
                      plan_->describeLaunch(i));
          !s)
        return s;
      continue;
    }
    params.clear();
    for (CUdeviceptr &arg : step.args)
      params.push_back(&arg);
    for (const Step::Grid &grid : step.grids) {
      if (profiling_)
        a.eventRecord(events[2 * grid.profileSlot], nullptr);
      if (Status s = a.check(
              a.launchKernel(grid.function, grid.grid.x, grid.grid.y,
                             grid.grid.z, grid.block.x, grid.block.y,
                             grid.block.z, 0, nullptr, params.data(), nullptr),
              plan_->describeLaunch(i) + ": launching " +
                  names_[grid.profileSlot]);
          !s)
        return s;
      if (profiling_)
        a.eventRecord(events[2 * grid.profileSlot + 1], nullptr);
    }
  }
  if (Status s = a.check(a.ctxSynchronize(), "running the plan"); !s)
    return s;
  if (profiling_) {
    for (size_t k = 0; k < names_.size(); ++k) {
      float ms = 0;
      a.eventElapsedTime(&ms, events[2 * k], events[2 * k + 1]);
      seconds_[k] += ms / 1e3;
    }
    for (Handle event : events)
      a.eventDestroy(event);
  }
  std::vector<int32_t> status(plan_->launches.size());
  if (Status s = a.check(
          a.memcpyDtoH(status.data(), status_, status.size() * sizeof(int32_t)),
          "reading the status words");
      !s)
    return s;
  for (size_t i = 0; i < status.size(); ++i)
    if (status[i] != kStatusOk)
      return plan_->failure(i, status[i]);

  std::vector<HostTensor> outputs;
  for (size_t i = 0; i < plan_->outputs.size(); ++i) {
    const TensorSpec &spec = plan_->outputs[i];
    HostTensor out;
    out.name = spec.name;
    out.dtype = spec.dtype;
    out.shape = spec.shape;
    out.data.resize(spec.bytes());
    if (Status s =
            a.check(a.memcpyDtoH(out.data.data(), io_ + outputOffsets_[i],
                                 out.data.size()),
                    "copying output '" + spec.name + "'");
        !s)
      return s;
    outputs.push_back(std::move(out));
  }
  return outputs;
}

} // namespace dsr1::cuda
