//===- CApi.cpp - the C API over the C++ API ------------------------------===//
//
// Handles hold the C++ objects; every entry point checks its pointers,
// calls the C++ API's operation that also says what kind of failure it
// met, and turns that into a dsr1_status and this thread's last error.
//
//===----------------------------------------------------------------------===//

#include "dsr1/dsr1.h"
#include "runtime/api/ApiInternal.h"

#include <string>

struct dsr1_model {
  std::shared_ptr<dsr1::Model> model;
};

struct dsr1_session {
  std::unique_ptr<dsr1::Session> session;
};

struct dsr1_compiler {
  dsr1::Compiler compiler;
};

// The C enums carry the C++ API's values, so conversion is a cast.
static_assert(DSR1_DEVICE_CPU == static_cast<int>(dsr1::Device::cpu) &&
              DSR1_DEVICE_CUDA_EMU == static_cast<int>(dsr1::Device::cudaEmu) &&
              DSR1_DEVICE_CUDA == static_cast<int>(dsr1::Device::cuda));
static_assert(DSR1_F16 == static_cast<int>(dsr1::DataType::f16) &&
              DSR1_F32 == static_cast<int>(dsr1::DataType::f32) &&
              DSR1_I64 == static_cast<int>(dsr1::DataType::i64) &&
              DSR1_U64 == static_cast<int>(dsr1::DataType::u64) &&
              DSR1_BOOL == static_cast<int>(dsr1::DataType::bool_));

namespace {

using dsr1::api::ErrorKind;

thread_local std::string lastError;

dsr1_status fail(dsr1_status status, std::string message) {
  lastError = std::move(message);
  return status;
}

dsr1_status fail(ErrorKind kind, const dsr1::Status &status) {
  switch (kind) {
  case ErrorKind::none:
  case ErrorKind::runtime:
    return fail(DSR1_ERROR_RUNTIME, status.message());
  case ErrorKind::invalidArgument:
    return fail(DSR1_ERROR_INVALID_ARGUMENT, status.message());
  case ErrorKind::notFound:
    return fail(DSR1_ERROR_NOT_FOUND, status.message());
  case ErrorKind::invalidModel:
    return fail(DSR1_ERROR_INVALID_MODEL, status.message());
  case ErrorKind::device:
    return fail(DSR1_ERROR_DEVICE, status.message());
  }
  return fail(DSR1_ERROR_RUNTIME, status.message());
}

dsr1_status nullArgument(const char *function, const char *argument) {
  return fail(DSR1_ERROR_INVALID_ARGUMENT,
              std::string(function) + ": " + argument + " is null");
}

bool validDevice(dsr1_device device) {
  return device == DSR1_DEVICE_CPU || device == DSR1_DEVICE_CUDA_EMU ||
         device == DSR1_DEVICE_CUDA;
}

bool validDtype(dsr1_dtype dtype) {
  return static_cast<int>(dtype) >= DSR1_F16 &&
         static_cast<int>(dtype) <= DSR1_BOOL;
}

/// The C tensors as wrapping C++ tensors (no copy).
dsr1_status wrap(const char *role, const dsr1_tensor *tensors, size_t count,
                 std::vector<dsr1::Tensor> &wrapped) {
  if (count && !tensors)
    return fail(DSR1_ERROR_INVALID_ARGUMENT,
                std::string("dsr1_session_run: ") + role + "s is null, " +
                    std::to_string(count) + " given");
  for (size_t i = 0; i < count; ++i) {
    const dsr1_tensor &t = tensors[i];
    std::string which =
        std::string("dsr1_session_run: ") + role + " " + std::to_string(i);
    if (!validDtype(t.dtype))
      return fail(DSR1_ERROR_INVALID_ARGUMENT,
                  which + ": " + std::to_string(static_cast<int>(t.dtype)) +
                      " is no dsr1_dtype");
    if (t.rank < 0 || (t.rank > 0 && !t.shape))
      return fail(DSR1_ERROR_INVALID_ARGUMENT,
                  which + ": rank " + std::to_string(t.rank) +
                      (t.rank < 0 ? " is negative" : " with a null shape"));
    std::vector<int64_t> shape;
    if (t.rank > 0)
      shape.assign(t.shape, t.shape + t.rank);
    wrapped.push_back(dsr1::Tensor::wrap(
        t.data, static_cast<dsr1::DataType>(t.dtype), std::move(shape)));
  }
  return DSR1_OK;
}

/// "cpu,sm_80" as a list; null: {"cpu"}.
std::vector<std::string> targetList(const char *targets) {
  if (!targets)
    return {"cpu"};
  std::vector<std::string> list;
  std::string text = targets, item;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      size_t begin = item.find_first_not_of(" \t");
      size_t end = item.find_last_not_of(" \t");
      // An empty item is kept, so that checkTargets names it.
      list.push_back(begin == std::string::npos
                         ? std::string()
                         : item.substr(begin, end - begin + 1));
      item.clear();
    } else {
      item += text[i];
    }
  }
  return list;
}

dsr1::Compiler::CompileOptions compileOptions(const char *targets,
                                              const char *precision) {
  dsr1::Compiler::CompileOptions options;
  options.targets = targetList(targets);
  if (precision)
    options.precision = precision;
  return options;
}

dsr1_status signatureEntry(const char *function, const dsr1_model *model,
                           bool input, size_t index, const char **name,
                           dsr1_dtype *dtype, int32_t *rank,
                           const int64_t **shape) {
  if (!model)
    return nullArgument(function, "model");
  const std::vector<dsr1::TensorInfo> &infos =
      input ? model->model->inputs() : model->model->outputs();
  if (index >= infos.size())
    return fail(DSR1_ERROR_INVALID_ARGUMENT,
                std::string(function) + ": index " + std::to_string(index) +
                    " is out of range: the model has " +
                    std::to_string(infos.size()) +
                    (input ? " input(s)" : " output(s)"));
  const dsr1::TensorInfo &info = infos[index];
  if (name)
    *name = info.name.c_str();
  if (dtype)
    *dtype = static_cast<dsr1_dtype>(info.dtype);
  if (rank)
    *rank = static_cast<int32_t>(info.shape.size());
  if (shape)
    *shape = info.shape.data();
  return DSR1_OK;
}

} // namespace

extern "C" {

const char *dsr1_version(void) { return dsr1::version(); }

const char *dsr1_last_error(void) { return lastError.c_str(); }

size_t dsr1_dtype_size(dsr1_dtype dtype) {
  return validDtype(dtype)
             ? dsr1::elementSize(static_cast<dsr1::DataType>(dtype))
             : 0;
}

dsr1_status dsr1_model_load(const char *path, dsr1_device device,
                            dsr1_model **out) {
  if (!out)
    return nullArgument("dsr1_model_load", "out");
  *out = nullptr;
  if (!path)
    return nullArgument("dsr1_model_load", "path");
  if (!validDevice(device))
    return fail(DSR1_ERROR_INVALID_ARGUMENT,
                "dsr1_model_load: " + std::to_string(static_cast<int>(device)) +
                    " is no dsr1_device");
  ErrorKind kind = ErrorKind::none;
  dsr1::Result<std::shared_ptr<dsr1::Model>> model =
      dsr1::api::loadModel(path, static_cast<dsr1::Device>(device), {}, kind);
  if (!model)
    return fail(kind, model.status());
  *out = new dsr1_model{std::move(*model)};
  return DSR1_OK;
}

void dsr1_model_free(dsr1_model *model) { delete model; }

dsr1_status dsr1_model_num_inputs(const dsr1_model *model, size_t *count) {
  if (!model)
    return nullArgument("dsr1_model_num_inputs", "model");
  if (!count)
    return nullArgument("dsr1_model_num_inputs", "count");
  *count = model->model->inputs().size();
  return DSR1_OK;
}

dsr1_status dsr1_model_num_outputs(const dsr1_model *model, size_t *count) {
  if (!model)
    return nullArgument("dsr1_model_num_outputs", "model");
  if (!count)
    return nullArgument("dsr1_model_num_outputs", "count");
  *count = model->model->outputs().size();
  return DSR1_OK;
}

dsr1_status dsr1_model_input(const dsr1_model *model, size_t index,
                             const char **name, dsr1_dtype *dtype,
                             int32_t *rank, const int64_t **shape) {
  return signatureEntry("dsr1_model_input", model, true, index, name, dtype,
                        rank, shape);
}

dsr1_status dsr1_model_output(const dsr1_model *model, size_t index,
                              const char **name, dsr1_dtype *dtype,
                              int32_t *rank, const int64_t **shape) {
  return signatureEntry("dsr1_model_output", model, false, index, name, dtype,
                        rank, shape);
}

dsr1_status dsr1_session_create(const dsr1_model *model, dsr1_session **out) {
  if (!out)
    return nullArgument("dsr1_session_create", "out");
  *out = nullptr;
  if (!model)
    return nullArgument("dsr1_session_create", "model");
  ErrorKind kind = ErrorKind::none;
  dsr1::Result<std::unique_ptr<dsr1::Session>> session =
      dsr1::api::createSession(*model->model, kind);
  if (!session)
    return fail(kind, session.status());
  *out = new dsr1_session{std::move(*session)};
  return DSR1_OK;
}

void dsr1_session_free(dsr1_session *session) { delete session; }

dsr1_status dsr1_session_run(dsr1_session *session, const dsr1_tensor *inputs,
                             size_t num_inputs, dsr1_tensor *outputs,
                             size_t num_outputs) {
  if (!session)
    return nullArgument("dsr1_session_run", "session");
  std::vector<dsr1::Tensor> in, out;
  if (dsr1_status s = wrap("input", inputs, num_inputs, in); s != DSR1_OK)
    return s;
  if (dsr1_status s = wrap("output", outputs, num_outputs, out); s != DSR1_OK)
    return s;
  ErrorKind kind = ErrorKind::none;
  if (dsr1::Status s = dsr1::api::run(*session->session, in, out, kind); !s)
    return fail(kind, s);
  return DSR1_OK;
}

dsr1_status dsr1_compiler_create(dsr1_compiler **out) {
  if (!out)
    return nullArgument("dsr1_compiler_create", "out");
  *out = new dsr1_compiler;
  return DSR1_OK;
}

void dsr1_compiler_free(dsr1_compiler *compiler) { delete compiler; }

dsr1_status dsr1_compiler_compile_file(dsr1_compiler *compiler,
                                       const char *model_path,
                                       const char *artifact_path,
                                       const char *targets,
                                       const char *precision) {
  if (!compiler)
    return nullArgument("dsr1_compiler_compile_file", "compiler");
  if (!model_path)
    return nullArgument("dsr1_compiler_compile_file", "model_path");
  if (!artifact_path)
    return nullArgument("dsr1_compiler_compile_file", "artifact_path");
  ErrorKind kind = ErrorKind::none;
  if (dsr1::Status s = dsr1::api::compileToFile(
          dsr1::CompilerAccess::impl(compiler->compiler), model_path,
          artifact_path, compileOptions(targets, precision), kind);
      !s)
    return fail(kind, s);
  return DSR1_OK;
}

dsr1_status dsr1_compiler_compile(dsr1_compiler *compiler,
                                  const char *model_path, const char *targets,
                                  const char *precision, dsr1_device device,
                                  dsr1_model **out) {
  if (!out)
    return nullArgument("dsr1_compiler_compile", "out");
  *out = nullptr;
  if (!compiler)
    return nullArgument("dsr1_compiler_compile", "compiler");
  if (!model_path)
    return nullArgument("dsr1_compiler_compile", "model_path");
  if (!validDevice(device))
    return fail(
        DSR1_ERROR_INVALID_ARGUMENT,
        "dsr1_compiler_compile: " + std::to_string(static_cast<int>(device)) +
            " is no dsr1_device");
  ErrorKind kind = ErrorKind::none;
  dsr1::Result<std::shared_ptr<dsr1::Model>> model =
      dsr1::api::compile(dsr1::CompilerAccess::impl(compiler->compiler),
                         model_path, compileOptions(targets, precision),
                         static_cast<dsr1::Device>(device), kind);
  if (!model)
    return fail(kind, model.status());
  *out = new dsr1_model{std::move(*model)};
  return DSR1_OK;
}

} // extern "C"
