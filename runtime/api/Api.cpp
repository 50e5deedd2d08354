//===- Api.cpp - the C++ API: tensors, models, sessions -------------------===//
//
// A Model is an artifact (mapped from a file, or compiled in memory) and
// what its device made of it; a Session is a HostSession on the model's
// shared kernels (cpu, cuda-emu), or a CudaSession of its own (cuda). The
// API's tensors are checked against the plan here, so that the host
// devices can run on the caller's memory without copying it.
//
//===----------------------------------------------------------------------===//

#include "runtime/api/ApiInternal.h"

#include "runtime/ArtifactDevices.h"
#include "runtime/HostSession.h"
#include "runtime/cuda/CudaDevice.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace dsr1 {

// DataType's values are DType's first ones, so conversion is a cast.
static_assert(static_cast<int>(DataType::f16) == static_cast<int>(DType::f16));
static_assert(static_cast<int>(DataType::bf16) ==
              static_cast<int>(DType::bf16));
static_assert(static_cast<int>(DataType::f32) == static_cast<int>(DType::f32));
static_assert(static_cast<int>(DataType::f64) == static_cast<int>(DType::f64));
static_assert(static_cast<int>(DataType::i8) == static_cast<int>(DType::i8));
static_assert(static_cast<int>(DataType::i16) == static_cast<int>(DType::i16));
static_assert(static_cast<int>(DataType::i32) == static_cast<int>(DType::i32));
static_assert(static_cast<int>(DataType::i64) == static_cast<int>(DType::i64));
static_assert(static_cast<int>(DataType::u8) == static_cast<int>(DType::u8));
static_assert(static_cast<int>(DataType::u16) == static_cast<int>(DType::u16));
static_assert(static_cast<int>(DataType::u32) == static_cast<int>(DType::u32));
static_assert(static_cast<int>(DataType::u64) == static_cast<int>(DType::u64));
static_assert(static_cast<int>(DataType::bool_) == static_cast<int>(DType::i1));

namespace {

DType toDType(DataType type) { return static_cast<DType>(type); }

bool isApiType(DType type) {
  return static_cast<int>(type) <= static_cast<int>(DType::i1);
}

int64_t product(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim < 0 ? 0 : dim;
  return count;
}

/// "i64[2x12]".
std::string typeText(DataType dtype, const std::vector<int64_t> &shape) {
  std::string text = std::string(dataTypeName(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text + "]";
}

/// "input 1 'pixel_values' f32[1x3x32x32]".
std::string describe(const char *role, size_t index, const TensorInfo &info) {
  return std::string(role) + " " + std::to_string(index) + " '" + info.name +
         "' " + typeText(info.dtype, info.shape);
}

std::vector<TensorInfo>
signature(const std::vector<TensorSpec> &specs,
          const std::vector<std::vector<std::string>> &dimNames) {
  std::vector<TensorInfo> infos;
  for (size_t i = 0; i < specs.size(); ++i) {
    TensorInfo info;
    info.name = specs[i].name;
    info.dtype = static_cast<DataType>(specs[i].dtype);
    info.shape = specs[i].shape;
    if (i < dimNames.size())
      info.dimNames = dimNames[i];
    infos.push_back(std::move(info));
  }
  return infos;
}

/// Checks tensors against the signature: count, dtype, shape, data.
Status checkTensors(const char *role, const std::vector<TensorInfo> &expected,
                    const std::vector<Tensor> &given) {
  if (given.size() != expected.size()) {
    std::string names;
    for (size_t i = 0; i < expected.size(); ++i)
      names += (i ? ", " : "") + describe(role, i, expected[i]);
    return Status::error("the model has " + std::to_string(expected.size()) +
                         " " + role + "(s) (" + names + "), " +
                         std::to_string(given.size()) + " given");
  }
  for (size_t i = 0; i < given.size(); ++i) {
    const Tensor &tensor = given[i];
    if (tensor.dtype() != expected[i].dtype ||
        tensor.shape() != expected[i].shape)
      return Status::error(describe(role, i, expected[i]) + ": given " +
                           typeText(tensor.dtype(), tensor.shape()));
    if (!tensor.data() && expected[i].bytes() > 0)
      return Status::error(describe(role, i, expected[i]) +
                           ": given a tensor with no data");
  }
  return Status::ok();
}

/// Whether [a, a + aBytes) and [b, b + bBytes) share a byte.
bool overlap(const void *a, size_t aBytes, const void *b, size_t bBytes) {
  auto x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b);
  return aBytes && bBytes && x < y + bBytes && y < x + aBytes;
}

} // namespace

const char *version() { return dsr1Version(); }

size_t elementSize(DataType type) { return elementSize(toDType(type)); }

const char *dataTypeName(DataType type) {
  return type == DataType::bool_ ? "bool" : dtypeName(toDType(type));
}

Result<Device> parseDevice(const std::string &name) {
  if (name == "cpu")
    return Device::cpu;
  if (name == "cuda-emu")
    return Device::cudaEmu;
  if (name == "cuda")
    return Device::cuda;
  return Status::error("unknown device '" + name +
                       "' (expected cpu, cuda-emu or cuda)");
}

size_t TensorInfo::bytes() const {
  return static_cast<size_t>(product(shape)) * elementSize(dtype);
}

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

Tensor Tensor::wrap(void *data, DataType dtype, std::vector<int64_t> shape) {
  Tensor tensor;
  tensor.dtype_ = dtype;
  tensor.shape_ = std::move(shape);
  tensor.data_ = data;
  return tensor;
}

Tensor Tensor::allocate(DataType dtype, std::vector<int64_t> shape) {
  Tensor tensor;
  tensor.dtype_ = dtype;
  tensor.shape_ = std::move(shape);
  // A whole number of cache lines (aligned_alloc needs a multiple of the
  // alignment), and at least one, so that an empty tensor still has an
  // address.
  size_t bytes = (tensor.bytes() + 63) / 64 * 64;
  tensor.owned_ = std::aligned_alloc(64, bytes ? bytes : 64);
  if (tensor.owned_)
    std::memset(tensor.owned_, 0, bytes);
  tensor.data_ = tensor.owned_;
  return tensor;
}

Tensor::Tensor(const Tensor &other)
    : dtype_(other.dtype_), shape_(other.shape_), data_(other.data_) {
  if (!other.owned_)
    return;
  *this = allocate(dtype_, shape_);
  if (data_)
    std::memcpy(data_, other.data_, bytes());
}

Tensor &Tensor::operator=(const Tensor &other) {
  if (this != &other)
    *this = Tensor(other);
  return *this;
}

Tensor::Tensor(Tensor &&other) noexcept
    : dtype_(other.dtype_), shape_(std::move(other.shape_)), data_(other.data_),
      owned_(other.owned_) {
  other.data_ = other.owned_ = nullptr;
  other.shape_.clear();
}

Tensor &Tensor::operator=(Tensor &&other) noexcept {
  if (this == &other)
    return *this;
  std::free(owned_);
  dtype_ = other.dtype_;
  shape_ = std::move(other.shape_);
  data_ = other.data_;
  owned_ = other.owned_;
  other.data_ = other.owned_ = nullptr;
  other.shape_.clear();
  return *this;
}

Tensor::~Tensor() { std::free(owned_); }

size_t Tensor::bytes() const {
  return static_cast<size_t>(numElements()) * elementSize(dtype_);
}

int64_t Tensor::numElements() const { return product(shape_); }

//===----------------------------------------------------------------------===//
// Model and Session
//===----------------------------------------------------------------------===//

struct Model::Impl {
  std::shared_ptr<const Artifact> artifact;
  Device device = Device::cpu;
  /// cpu and cuda-emu: the kernels every session runs.
  std::shared_ptr<const KernelLibrary> kernels;
  /// cuda: the driver every session's GPU memory and stream belong to.
  std::shared_ptr<cuda::CudaDriver> driver;
  std::vector<TensorInfo> inputs, outputs;
};

struct Session::Impl {
  /// Keeps the plan, the weights and the kernels alive.
  std::shared_ptr<const Model> model;
  std::unique_ptr<HostSession> host;
  std::unique_ptr<cuda::CudaSession> gpu;
};

std::shared_ptr<Model> ModelAccess::create(std::unique_ptr<Model::Impl> impl) {
  return std::shared_ptr<Model>(new Model(std::move(impl)));
}

std::unique_ptr<Session>
SessionAccess::create(std::unique_ptr<Session::Impl> impl) {
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

const std::vector<TensorInfo> &Model::inputs() const { return impl_->inputs; }
const std::vector<TensorInfo> &Model::outputs() const { return impl_->outputs; }
Device Model::device() const { return impl_->device; }
const std::vector<std::string> &Model::targets() const {
  return impl_->artifact->targets;
}
std::string Model::describe() const {
  return describeArtifact(*impl_->artifact);
}

Result<std::shared_ptr<Model>> Model::load(const std::string &artifactPath,
                                           Device device,
                                           const LoadOptions &options) {
  api::ErrorKind kind = api::ErrorKind::none;
  return api::loadModel(artifactPath, device, options, kind);
}

Result<std::unique_ptr<Session>> Model::createSession() const {
  api::ErrorKind kind = api::ErrorKind::none;
  return api::createSession(*this, kind);
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

const Model &Session::model() const { return *impl_->model; }

Result<std::vector<Tensor>> Session::run(const std::vector<Tensor> &inputs) {
  std::vector<Tensor> outputs;
  for (const TensorInfo &info : impl_->model->outputs())
    outputs.push_back(Tensor::allocate(info.dtype, info.shape));
  api::ErrorKind kind = api::ErrorKind::none;
  if (Status s = api::run(*this, inputs, outputs, kind); !s)
    return s;
  return outputs;
}

Status Session::run(const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &outputs) {
  api::ErrorKind kind = api::ErrorKind::none;
  return api::run(*this, inputs, outputs, kind);
}

namespace api {

Result<std::shared_ptr<Model>>
createModel(std::shared_ptr<const Artifact> artifact, Device device,
            const LoadOptions &options, ErrorKind &kind) {
  auto impl = std::make_unique<Model::Impl>();
  const Plan &plan = *artifact->plan;
  for (const auto *specs : {&plan.inputs, &plan.outputs})
    for (const TensorSpec &spec : *specs)
      if (!isApiType(spec.dtype)) {
        kind = ErrorKind::invalidModel;
        return Status::error(artifact->path + ": " + spec.describe() +
                             " has an element type the API does not "
                             "offer (" +
                             dtypeName(spec.dtype) + ")");
      }
  impl->inputs = signature(plan.inputs, artifact->inputDimNames);
  impl->outputs = signature(plan.outputs, artifact->outputDimNames);
  impl->device = device;
  // A device that cannot take the artifact (no code for it, another CPU, no
  // GPU) is the device's failure, not the model's.
  kind = ErrorKind::device;
  switch (device) {
  case Device::cpu: {
    Result<std::shared_ptr<const KernelLibrary>> kernels =
        loadCpuKernels(*artifact);
    if (!kernels)
      return kernels.status();
    impl->kernels = std::move(*kernels);
    break;
  }
  case Device::cudaEmu: {
    cudaemu::LaunchOptions launch;
    launch.detectRaces = options.detectRaces;
    Result<std::shared_ptr<const KernelLibrary>> kernels =
        loadEmuKernels(*artifact, options.cacheDir, launch);
    if (!kernels)
      return kernels.status();
    impl->kernels = std::move(*kernels);
    break;
  }
  case Device::cuda: {
    if (!artifact->cuda || artifact->cuda->binaries.empty())
      return Status::error(artifact->path +
                           " holds no code for the cuda device: compile it "
                           "again for the GPU's architecture (sm_80, "
                           "sm_90a)");
    Result<std::shared_ptr<cuda::CudaDriver>> driver = cuda::CudaDriver::load();
    if (!driver)
      return driver.status();
    impl->driver = std::move(*driver);
    break;
  }
  }
  impl->artifact = std::move(artifact);
  kind = ErrorKind::none;
  return ModelAccess::create(std::move(impl));
}

Result<std::shared_ptr<Model>> loadModel(const std::string &path, Device device,
                                         const LoadOptions &options,
                                         ErrorKind &kind) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 &&
      (errno == ENOENT || errno == ENOTDIR)) {
    kind = ErrorKind::notFound;
    return Status::error("cannot open " + path + ": no such file");
  }
  Result<std::shared_ptr<const Artifact>> artifact = readArtifact(path);
  if (!artifact) {
    kind = ErrorKind::invalidModel;
    // A model handed to the loader instead of its artifact is a common slip:
    // say what to do with it.
    for (const char *extension : {".onnx", ".onnxtxt", ".pt", ".mlir"}) {
      size_t length = std::strlen(extension);
      if (path.size() > length &&
          path.compare(path.size() - length, length, extension) == 0)
        return Status::error(
            artifact.status().message() + ": " + path +
            " is a model, not a compiled artifact: compile it with "
            "dsr1::Compiler (or dsr1-compile -o model.dsr1) first");
    }
    return artifact.status();
  }
  return createModel(std::move(*artifact), device, options, kind);
}

Result<std::unique_ptr<Session>> createSession(const Model &model,
                                               ErrorKind &kind) {
  const Model::Impl &impl = ModelAccess::impl(model);
  auto session = std::make_unique<Session::Impl>();
  session->model = model.shared_from_this();
  if (impl.device == Device::cuda) {
    Result<std::unique_ptr<cuda::CudaSession>> gpu =
        createCudaSession(impl.driver, *impl.artifact);
    if (!gpu) {
      kind = ErrorKind::device;
      return gpu.status();
    }
    session->gpu = std::move(*gpu);
  } else {
    Result<std::unique_ptr<HostSession>> host =
        HostSession::create(impl.artifact->plan, impl.kernels);
    if (!host) {
      kind = ErrorKind::runtime;
      return host.status();
    }
    session->host = std::move(*host);
  }
  kind = ErrorKind::none;
  return SessionAccess::create(std::move(session));
}

Status run(Session &session, const std::vector<Tensor> &inputs,
           std::vector<Tensor> &outputs, ErrorKind &kind) {
  Session::Impl &impl = SessionAccess::impl(session);
  const Model &model = *impl.model;
  kind = ErrorKind::invalidArgument;
  if (Status s = checkTensors("input", model.inputs(), inputs); !s)
    return s;
  if (Status s = checkTensors("output", model.outputs(), outputs); !s)
    return s;
  for (size_t o = 0; o < outputs.size(); ++o)
    for (size_t i = 0; i < inputs.size(); ++i)
      if (overlap(outputs[o].data(), outputs[o].bytes(), inputs[i].data(),
                  inputs[i].bytes()))
        return Status::error(describe("output", o, model.outputs()[o]) +
                             " overlaps " +
                             describe("input", i, model.inputs()[i]) +
                             ": give it memory of its own");

  kind = ErrorKind::runtime;
  if (impl.host) {
    std::vector<const void *> in;
    for (const Tensor &tensor : inputs)
      in.push_back(tensor.data());
    std::vector<void *> out;
    for (Tensor &tensor : outputs)
      out.push_back(tensor.data());
    if (Status s = impl.host->run(in, out); !s)
      return s;
    kind = ErrorKind::none;
    return Status::ok();
  }

  // The cuda device stages every run through page-locked memory of its
  // own: the copies in and out are the staging copies.
  std::vector<HostTensor> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    HostTensor tensor;
    tensor.name = model.inputs()[i].name;
    tensor.dtype = toDType(inputs[i].dtype());
    tensor.shape = inputs[i].shape();
    const auto *bytes = static_cast<const uint8_t *>(inputs[i].data());
    tensor.data.assign(bytes, bytes + inputs[i].bytes());
    in.push_back(std::move(tensor));
  }
  Result<std::vector<HostTensor>> out = impl.gpu->run(in);
  if (!out)
    return out.status();
  for (size_t o = 0; o < outputs.size(); ++o)
    std::memcpy(outputs[o].data(), (*out)[o].data.data(),
                std::min(outputs[o].bytes(), (*out)[o].data.size()));
  kind = ErrorKind::none;
  return Status::ok();
}

} // namespace api
} // namespace dsr1
