//===- ApiTest.cpp - the public C++ and C API, through libdsr1.so only ----===//
//
// Built against the shared library and the include/dsr1 headers alone
// (dsr1-api-tests links nothing else), so these tests also prove that the
// exported API suffices: loading errors, in-process compilation (BERT) and
// its artifact bit for bit, the stored reference outputs, the checks on
// inputs and outputs, caller-owned output buffers, sessions on several
// threads, the cuda device's path (a fake driver), and the C API's statuses
// and messages.
//
//===----------------------------------------------------------------------===//

#include <dsr1/dsr1.h>
#include <dsr1/dsr1.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

namespace {

const std::string kModels = DSR1_TEST_MODELS_DIR;
const std::string kOutputDir = DSR1_TEST_OUTPUT_DIR;
const std::string kBert = kModels + "/bert/model.onnx";
const std::string kBertData = kModels + "/bert/test_data_set_0";

std::string readFile(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// A TensorProto file's dims, type and raw_data: the little of protobuf the
/// test data uses (the public API has no tensor file reader, by design).
struct ProtoTensor {
  std::string name;
  int dataType = 0;
  std::vector<int64_t> dims;
  std::string raw;
};

bool readVarint(const std::string &bytes, size_t &at, uint64_t &value) {
  value = 0;
  for (int shift = 0; at < bytes.size() && shift < 64; shift += 7) {
    uint8_t byte = static_cast<uint8_t>(bytes[at++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      return true;
  }
  return false;
}

ProtoTensor readTensorProto(const std::string &path) {
  std::string bytes = readFile(path);
  ProtoTensor tensor;
  size_t at = 0;
  uint64_t key, value;
  while (at < bytes.size() && readVarint(bytes, at, key)) {
    uint64_t field = key >> 3, wire = key & 7;
    if (wire == 0) {
      readVarint(bytes, at, value);
      if (field == 1)
        tensor.dims.push_back(static_cast<int64_t>(value));
      else if (field == 2)
        tensor.dataType = static_cast<int>(value);
    } else if (wire == 2) {
      readVarint(bytes, at, value);
      std::string payload = bytes.substr(at, value);
      at += value;
      if (field == 1) {
        for (size_t p = 0; p < payload.size();) {
          readVarint(payload, p, value);
          tensor.dims.push_back(static_cast<int64_t>(value));
        }
      } else if (field == 8) {
        tensor.name = payload;
      } else if (field == 9) {
        tensor.raw = payload;
      }
    } else if (wire == 1) {
      at += 8;
    } else if (wire == 5) {
      at += 4;
    } else {
      break;
    }
  }
  return tensor;
}

/// input_N.pb of BERT's test data as owning tensors (all i64).
std::vector<dsr1::Tensor> bertInputs() {
  std::vector<dsr1::Tensor> inputs;
  for (int i = 0; i < 3; ++i) {
    ProtoTensor proto =
        readTensorProto(kBertData + "/input_" + std::to_string(i) + ".pb");
    dsr1::Tensor tensor =
        dsr1::Tensor::allocate(dsr1::DataType::i64, proto.dims);
    EXPECT_EQ(tensor.bytes(), proto.raw.size());
    std::memcpy(tensor.data(), proto.raw.data(),
                std::min(tensor.bytes(), proto.raw.size()));
    inputs.push_back(std::move(tensor));
  }
  return inputs;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

bool sameBytes(const dsr1::Tensor &a, const dsr1::Tensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

/// BERT compiled once for the whole suite: in process (JIT), and to an
/// artifact for cpu and cuda-emu that is then loaded.
class BertTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dsr1::Compiler compiler;
    dsr1::Compiler::CompileOptions options;
    // Pins the model's shapes to the test data's, as dsr1-compile --inputs.
    std::vector<dsr1::Tensor> inputs = bertInputs();
    const char *names[] = {"input_ids", "attention_mask", "token_type_ids"};
    for (int i = 0; i < 3; ++i)
      options.inputShapes[names[i]] = shapeText(inputs[i].shape()) + ":i64";
    dsr1::Result<std::shared_ptr<dsr1::Model>> jit =
        compiler.compile(kBert, options);
    ASSERT_TRUE(jit) << jit.status().message();
    jitModel = *jit;

    artifact = kOutputDir + "/bert.dsr1";
    options.targets = {"cpu", "sm_80"};
    dsr1::Status written = compiler.compileToFile(kBert, artifact, options);
    ASSERT_TRUE(written) << written.message();
    dsr1::Result<std::shared_ptr<dsr1::Model>> loaded =
        dsr1::Model::load(artifact);
    ASSERT_TRUE(loaded) << loaded.status().message();
    loadedModel = *loaded;
  }
  static void TearDownTestSuite() {
    jitModel.reset();
    loadedModel.reset();
  }
  void SetUp() override {
    if (!jitModel || !loadedModel)
      GTEST_SKIP() << "BERT did not compile (see the first failure)";
  }

  static std::vector<dsr1::Tensor> run(const dsr1::Model &model,
                                       const std::vector<dsr1::Tensor> &in) {
    dsr1::Result<std::unique_ptr<dsr1::Session>> session =
        model.createSession();
    EXPECT_TRUE(session) << session.status().message();
    if (!session)
      return {};
    dsr1::Result<std::vector<dsr1::Tensor>> out = (*session)->run(in);
    EXPECT_TRUE(out) << out.status().message();
    return out ? std::move(*out) : std::vector<dsr1::Tensor>();
  }

  static std::shared_ptr<dsr1::Model> jitModel, loadedModel;
  static std::string artifact;
};

std::shared_ptr<dsr1::Model> BertTest::jitModel, BertTest::loadedModel;
std::string BertTest::artifact;

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

TEST(ApiLoad, MissingFileNamesIt) {
  dsr1::Result<std::shared_ptr<dsr1::Model>> model =
      dsr1::Model::load(kOutputDir + "/no-such-model.dsr1");
  ASSERT_FALSE(model);
  EXPECT_NE(model.status().message().find("no-such-model.dsr1"),
            std::string::npos)
      << model.status().message();
}

TEST(ApiLoad, CorruptFileIsRefused) {
  std::string path = kOutputDir + "/corrupt.dsr1";
  writeFile(path, "this is not an artifact at all, only some text");
  dsr1::Result<std::shared_ptr<dsr1::Model>> model = dsr1::Model::load(path);
  ASSERT_FALSE(model);
  EXPECT_NE(model.status().message().find("not a dsr1 artifact"),
            std::string::npos)
      << model.status().message();
}

TEST(ApiLoad, OnnxModelIsNotAnArtifact) {
  dsr1::Result<std::shared_ptr<dsr1::Model>> model = dsr1::Model::load(kBert);
  ASSERT_FALSE(model);
  EXPECT_NE(model.status().message().find("not a compiled artifact"),
            std::string::npos)
      << model.status().message();
}

TEST(ApiLoad, UnknownDevice) {
  dsr1::Result<dsr1::Device> device = dsr1::parseDevice("tpu");
  ASSERT_FALSE(device);
  EXPECT_NE(device.status().message().find("'tpu'"), std::string::npos);
  EXPECT_EQ(*dsr1::parseDevice("cuda-emu"), dsr1::Device::cudaEmu);
}

TEST(ApiCompile, ErrorsComeBackInTheStatus) {
  std::string path = kOutputDir + "/broken.onnx";
  writeFile(path, std::string("\x0a\xff\xff\xff", 4) + "garbage");
  dsr1::Compiler compiler;
  testing::internal::CaptureStderr();
  dsr1::Result<std::shared_ptr<dsr1::Model>> model =
      compiler.compile(path, dsr1::Compiler::CompileOptions());
  std::string printed = testing::internal::GetCapturedStderr();
  ASSERT_FALSE(model);
  EXPECT_NE(model.status().message().find("broken.onnx: error: "),
            std::string::npos)
      << model.status().message();
  EXPECT_EQ(printed, "") << "diagnostics must not be printed";

  dsr1::Compiler::CompileOptions bad;
  bad.targets = {"cpu", "sm_8x"};
  dsr1::Status status = compiler.compileToFile(kBert, path + ".dsr1", bad);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("sm_8x"), std::string::npos);

  // A tuning cache that is not one is refused, naming the file.
  std::string tunings = kOutputDir + "/tunings.json";
  writeFile(tunings, "{\"version\": 1, \"entries\": [");
  dsr1::Compiler::CompileOptions tuned;
  tuned.targets = {"sm_80"};
  tuned.precision = "fp16";
  tuned.tuningCache = tunings;
  status = compiler.compileToFile(kBert, path + ".dsr1", tuned);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("tunings.json is not valid"),
            std::string::npos)
      << status.message();
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

TEST(ApiTensor, OwningCopiesDeepWrappingCopiesShare) {
  dsr1::Tensor owning = dsr1::Tensor::allocate(dsr1::DataType::f32, {2, 3});
  EXPECT_TRUE(owning.owning());
  EXPECT_EQ(owning.bytes(), 24u);
  EXPECT_EQ(owning.dataAs<float>()[5], 0.0f);
  owning.dataAs<float>()[0] = 1.5f;
  dsr1::Tensor copy = owning;
  EXPECT_NE(copy.data(), owning.data());
  EXPECT_EQ(copy.dataAs<float>()[0], 1.5f);

  float buffer[6] = {};
  dsr1::Tensor wrapped = dsr1::Tensor::wrap(buffer, dsr1::DataType::f32, {6});
  dsr1::Tensor alias = wrapped;
  EXPECT_FALSE(alias.owning());
  EXPECT_EQ(alias.data(), static_cast<void *>(buffer));
  EXPECT_EQ(dsr1::elementSize(dsr1::DataType::bf16), 2u);
  EXPECT_STREQ(dsr1::dataTypeName(dsr1::DataType::bool_), "bool");
}

//===----------------------------------------------------------------------===//
// BERT: compiled, loaded, run
//===----------------------------------------------------------------------===//

TEST_F(BertTest, SignatureFromTheModel) {
  const std::vector<dsr1::TensorInfo> &inputs = loadedModel->inputs();
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[0].name, "input_ids");
  EXPECT_EQ(inputs[0].dtype, dsr1::DataType::i64);
  ASSERT_EQ(loadedModel->outputs().size(), 2u);
  EXPECT_EQ(loadedModel->outputs()[0].name, "last_hidden_state");
  EXPECT_EQ(loadedModel->targets(), (std::vector<std::string>{"cpu", "sm_80"}));
  EXPECT_NE(loadedModel->describe().find("sm_80"), std::string::npos);
}

TEST_F(BertTest, JitAndArtifactAgreeBitForBitAndMatchTheReference) {
  std::vector<dsr1::Tensor> inputs = bertInputs();
  std::vector<dsr1::Tensor> jit = run(*jitModel, inputs);
  std::vector<dsr1::Tensor> loaded = run(*loadedModel, inputs);
  ASSERT_EQ(jit.size(), 2u);
  ASSERT_EQ(loaded.size(), 2u);
  for (size_t o = 0; o < jit.size(); ++o) {
    EXPECT_TRUE(sameBytes(jit[o], loaded[o])) << "output " << o;
    ProtoTensor want =
        readTensorProto(kBertData + "/output_" + std::to_string(o) + ".pb");
    ASSERT_EQ(want.dims, loaded[o].shape());
    ASSERT_EQ(want.raw.size(), loaded[o].bytes());
    const float *got = loaded[o].dataAs<float>();
    std::vector<float> expected(want.raw.size() / 4);
    std::memcpy(expected.data(), want.raw.data(), want.raw.size());
    int bad = 0;
    for (size_t k = 0; k < expected.size(); ++k)
      bad += !(std::fabs(got[k] - expected[k]) <=
               1e-5 + 1e-4 * std::fabs(expected[k]));
    EXPECT_EQ(bad, 0) << "output " << o << " differs from " << want.name;
  }
}

TEST_F(BertTest, InputsAreCheckedAndNamed) {
  dsr1::Result<std::unique_ptr<dsr1::Session>> session =
      loadedModel->createSession();
  ASSERT_TRUE(session);
  std::vector<dsr1::Tensor> inputs = bertInputs();

  std::vector<dsr1::Tensor> two(inputs.begin(), inputs.begin() + 2);
  dsr1::Result<std::vector<dsr1::Tensor>> out = (*session)->run(two);
  ASSERT_FALSE(out);
  EXPECT_NE(out.status().message().find("3 input(s)"), std::string::npos)
      << out.status().message();
  EXPECT_NE(out.status().message().find("token_type_ids"), std::string::npos);

  std::vector<dsr1::Tensor> wrongType = inputs;
  wrongType[1] = dsr1::Tensor::allocate(dsr1::DataType::i32, inputs[1].shape());
  out = (*session)->run(wrongType);
  ASSERT_FALSE(out);
  EXPECT_NE(out.status().message().find("input 1 'attention_mask' i64"),
            std::string::npos)
      << out.status().message();
  EXPECT_NE(out.status().message().find("given i32"), std::string::npos);

  std::vector<dsr1::Tensor> wrongShape = inputs;
  wrongShape[2] = dsr1::Tensor::allocate(dsr1::DataType::i64, {1, 16});
  out = (*session)->run(wrongShape);
  ASSERT_FALSE(out);
  EXPECT_NE(out.status().message().find("'token_type_ids'"), std::string::npos)
      << out.status().message();
  EXPECT_NE(out.status().message().find("given i64[1x16]"), std::string::npos);

  std::vector<dsr1::Tensor> noData = inputs;
  noData[0] =
      dsr1::Tensor::wrap(nullptr, dsr1::DataType::i64, inputs[0].shape());
  out = (*session)->run(noData);
  ASSERT_FALSE(out);
  EXPECT_NE(out.status().message().find("no data"), std::string::npos);

  // The session is still good after refusing bad inputs.
  EXPECT_TRUE((*session)->run(inputs));
}

TEST_F(BertTest, WrappedOutputsAreWrittenInPlace) {
  std::vector<dsr1::Tensor> inputs = bertInputs();
  std::vector<dsr1::Tensor> expected = run(*loadedModel, inputs);
  ASSERT_EQ(expected.size(), 2u);

  std::vector<float> hidden(expected[0].numElements(), -1.0f);
  std::vector<float> pooled(expected[1].numElements(), -1.0f);
  std::vector<dsr1::Tensor> outputs = {
      dsr1::Tensor::wrap(hidden.data(), dsr1::DataType::f32,
                         expected[0].shape()),
      dsr1::Tensor::wrap(pooled.data(), dsr1::DataType::f32,
                         expected[1].shape())};
  dsr1::Result<std::unique_ptr<dsr1::Session>> session =
      loadedModel->createSession();
  ASSERT_TRUE(session);
  dsr1::Status status = (*session)->run(inputs, outputs);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(std::memcmp(hidden.data(), expected[0].data(), expected[0].bytes()),
            0);
  EXPECT_EQ(std::memcmp(pooled.data(), expected[1].data(), expected[1].bytes()),
            0);

  std::vector<dsr1::Tensor> wrongOutput = outputs;
  wrongOutput[1] =
      dsr1::Tensor::wrap(pooled.data(), dsr1::DataType::f32, {2, 16});
  status = (*session)->run(inputs, wrongOutput);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("output 1 'pooler_output'"),
            std::string::npos)
      << status.message();

  std::vector<dsr1::Tensor> overlapping = outputs;
  overlapping[1] = dsr1::Tensor::wrap(inputs[0].data(), dsr1::DataType::f32,
                                      expected[1].shape());
  status = (*session)->run(inputs, overlapping);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("overlaps"), std::string::npos);
}

TEST_F(BertTest, SessionsOnFourThreadsShareTheModel) {
  std::vector<dsr1::Tensor> inputs = bertInputs();
  std::vector<dsr1::Tensor> expected = run(*loadedModel, inputs);
  std::vector<std::vector<dsr1::Tensor>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      auto session = loadedModel->createSession();
      if (!session)
        return;
      for (int repeat = 0; repeat < 3; ++repeat)
        if (auto out = (*session)->run(inputs))
          results[t] = std::move(*out);
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < 4; ++t) {
    ASSERT_EQ(results[t].size(), expected.size()) << "thread " << t;
    for (size_t o = 0; o < expected.size(); ++o)
      EXPECT_TRUE(sameBytes(results[t][o], expected[o]))
          << "thread " << t << " output " << o;
  }
}

TEST_F(BertTest, SessionOutlivesItsModelHandle) {
  auto model = dsr1::Model::load(artifact);
  ASSERT_TRUE(model);
  auto session = (*model)->createSession();
  ASSERT_TRUE(session);
  model->reset();
  EXPECT_TRUE((*session)->run(bertInputs()));
}

TEST_F(BertTest, CudaEmuMatchesCpu) {
  dsr1::LoadOptions options;
  options.cacheDir = kOutputDir + "/cuda-emu-cache";
  if (const char *cache = std::getenv("DSR1_CACHE_DIR"))
    options.cacheDir = std::string(cache) + "/cuda-emu";
  auto model = dsr1::Model::load(artifact, dsr1::Device::cudaEmu, options);
  ASSERT_TRUE(model) << model.status().message();
  EXPECT_EQ((*model)->device(), dsr1::Device::cudaEmu);
  std::vector<dsr1::Tensor> inputs = bertInputs();
  std::vector<dsr1::Tensor> emu = run(**model, inputs);
  std::vector<dsr1::Tensor> cpu = run(*loadedModel, inputs);
  ASSERT_EQ(emu.size(), cpu.size());
  for (size_t o = 0; o < cpu.size(); ++o) {
    const float *a = emu[o].dataAs<float>(), *b = cpu[o].dataAs<float>();
    int bad = 0;
    for (int64_t k = 0; k < cpu[o].numElements(); ++k)
      bad += !(std::fabs(a[k] - b[k]) <= 1e-5 + 1e-4 * std::fabs(b[k]));
    EXPECT_EQ(bad, 0) << "output " << o;
  }
}

/// The cuda device's own code path, on the fake driver (kernels compute
/// nothing there, but the signature checks, the copies in and out and the
/// caller's buffers are the real ones); and without a driver, a DEVICE
/// status.
TEST_F(BertTest, CudaDevicePath) {
  const char *previous = std::getenv("DSR1_CUDA_DRIVER");
  std::string saved = previous ? previous : "";
  setenv("DSR1_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  dsr1_model *model = nullptr;
  EXPECT_EQ(dsr1_model_load(artifact.c_str(), DSR1_DEVICE_CUDA, &model),
            DSR1_ERROR_DEVICE);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::string(dsr1_last_error()).find("libcuda"), std::string::npos)
      << dsr1_last_error();

  setenv("DSR1_CUDA_DRIVER", DSR1_FAKE_CUDA_DRIVER, 1);
  auto gpu = dsr1::Model::load(artifact, dsr1::Device::cuda);
  if (previous)
    setenv("DSR1_CUDA_DRIVER", saved.c_str(), 1);
  else
    unsetenv("DSR1_CUDA_DRIVER");
  ASSERT_TRUE(gpu) << gpu.status().message();
  auto session = (*gpu)->createSession();
  ASSERT_TRUE(session) << session.status().message();
  std::vector<dsr1::Tensor> inputs = bertInputs();
  std::vector<float> pooled(2 * 32, -7.0f);
  std::vector<dsr1::Tensor> outputs = {
      dsr1::Tensor::allocate(dsr1::DataType::f32, {2, 16, 32}),
      dsr1::Tensor::wrap(pooled.data(), dsr1::DataType::f32, {2, 32})};
  dsr1::Status status = (*session)->run(inputs, outputs);
  ASSERT_TRUE(status) << status.message();
  inputs.pop_back();
  status = (*session)->run(inputs, outputs);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("token_type_ids"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// The C API
//===----------------------------------------------------------------------===//

TEST(CApi, NullPointersAreInvalidArguments) {
  dsr1_model *model = nullptr;
  EXPECT_EQ(dsr1_model_load(nullptr, DSR1_DEVICE_CPU, &model),
            DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dsr1_last_error()).find("path is null"),
            std::string::npos)
      << dsr1_last_error();
  EXPECT_EQ(dsr1_model_load("x.dsr1", DSR1_DEVICE_CPU, nullptr),
            DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dsr1_model_load("x.dsr1", static_cast<dsr1_device>(7), &model),
            DSR1_ERROR_INVALID_ARGUMENT);
  size_t count = 0;
  EXPECT_EQ(dsr1_model_num_inputs(nullptr, &count),
            DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dsr1_model_input(nullptr, 0, nullptr, nullptr, nullptr, nullptr),
            DSR1_ERROR_INVALID_ARGUMENT);
  dsr1_session *session = nullptr;
  EXPECT_EQ(dsr1_session_create(nullptr, &session),
            DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dsr1_session_run(nullptr, nullptr, 0, nullptr, 0),
            DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dsr1_last_error()).find("session is null"),
            std::string::npos)
      << dsr1_last_error();
  EXPECT_EQ(dsr1_compiler_compile(nullptr, "m.onnx", nullptr, nullptr,
                                  DSR1_DEVICE_CPU, &model),
            DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dsr1_compiler_create(nullptr), DSR1_ERROR_INVALID_ARGUMENT);
  dsr1_model_free(nullptr);
  dsr1_session_free(nullptr);
  dsr1_compiler_free(nullptr);
  EXPECT_STREQ(dsr1_version(), dsr1::version());
  EXPECT_EQ(dsr1_dtype_size(DSR1_BF16), 2u);
}

TEST(CApi, FileErrorsHaveTheirStatus) {
  dsr1_model *model = nullptr;
  EXPECT_EQ(dsr1_model_load((kOutputDir + "/none.dsr1").c_str(),
                            DSR1_DEVICE_CPU, &model),
            DSR1_ERROR_NOT_FOUND);
  EXPECT_NE(std::string(dsr1_last_error()).find("none.dsr1"),
            std::string::npos);
  std::string corrupt = kOutputDir + "/c-corrupt.dsr1";
  writeFile(corrupt, "DSR1ART\nbut truncated");
  EXPECT_EQ(dsr1_model_load(corrupt.c_str(), DSR1_DEVICE_CPU, &model),
            DSR1_ERROR_INVALID_MODEL);
  EXPECT_NE(std::string(dsr1_last_error()).find("truncated"), std::string::npos)
      << dsr1_last_error();

  dsr1_compiler *compiler = nullptr;
  ASSERT_EQ(dsr1_compiler_create(&compiler), DSR1_OK);
  EXPECT_EQ(dsr1_compiler_compile(compiler, "/nonexistent/m.onnx", nullptr,
                                  nullptr, DSR1_DEVICE_CPU, &model),
            DSR1_ERROR_NOT_FOUND);
  EXPECT_EQ(dsr1_compiler_compile_file(compiler, kBert.c_str(), "x.dsr1",
                                       "cpu,gpu", nullptr),
            DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dsr1_last_error()).find("'gpu'"), std::string::npos)
      << dsr1_last_error();
  EXPECT_EQ(dsr1_compiler_compile_file(compiler, kBert.c_str(), "x.dsr1",
                                       nullptr, "fp8"),
            DSR1_ERROR_INVALID_ARGUMENT);
  std::string broken = kOutputDir + "/c-broken.onnx";
  writeFile(broken, "not a protobuf");
  EXPECT_EQ(dsr1_compiler_compile(compiler, broken.c_str(), nullptr, nullptr,
                                  DSR1_DEVICE_CPU, &model),
            DSR1_ERROR_INVALID_MODEL);
  EXPECT_NE(std::string(dsr1_last_error()).find("c-broken.onnx: error:"),
            std::string::npos)
      << dsr1_last_error();
  dsr1_compiler_free(compiler);
}

TEST_F(BertTest, CApiRunsOnCallerBuffers) {
  dsr1_model *model = nullptr;
  ASSERT_EQ(dsr1_model_load(artifact.c_str(), DSR1_DEVICE_CPU, &model), DSR1_OK)
      << dsr1_last_error();
  size_t numInputs = 0, numOutputs = 0;
  ASSERT_EQ(dsr1_model_num_inputs(model, &numInputs), DSR1_OK);
  ASSERT_EQ(dsr1_model_num_outputs(model, &numOutputs), DSR1_OK);
  ASSERT_EQ(numInputs, 3u);
  ASSERT_EQ(numOutputs, 2u);
  const char *name = nullptr;
  dsr1_dtype dtype;
  int32_t rank = 0;
  const int64_t *shape = nullptr;
  ASSERT_EQ(dsr1_model_output(model, 1, &name, &dtype, &rank, &shape), DSR1_OK);
  EXPECT_STREQ(name, "pooler_output");
  EXPECT_EQ(dtype, DSR1_F32);
  ASSERT_EQ(rank, 2);
  EXPECT_EQ(shape[1], 32);
  EXPECT_EQ(dsr1_model_input(model, 3, &name, nullptr, nullptr, nullptr),
            DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dsr1_last_error()).find("index 3"), std::string::npos);

  std::vector<dsr1::Tensor> inputs = bertInputs();
  std::vector<dsr1::Tensor> expected = run(*loadedModel, inputs);
  std::vector<dsr1_tensor> in;
  for (dsr1::Tensor &tensor : inputs)
    in.push_back({tensor.data(), DSR1_I64,
                  static_cast<int32_t>(tensor.shape().size()),
                  tensor.shape().data()});
  std::vector<std::vector<float>> buffers;
  std::vector<dsr1_tensor> out;
  for (const dsr1::Tensor &tensor : expected)
    buffers.emplace_back(tensor.numElements());
  for (size_t o = 0; o < expected.size(); ++o)
    out.push_back({buffers[o].data(), DSR1_F32,
                   static_cast<int32_t>(expected[o].shape().size()),
                   expected[o].shape().data()});

  dsr1_session *session = nullptr;
  ASSERT_EQ(dsr1_session_create(model, &session), DSR1_OK);
  ASSERT_EQ(
      dsr1_session_run(session, in.data(), in.size(), out.data(), out.size()),
      DSR1_OK)
      << dsr1_last_error();
  for (size_t o = 0; o < expected.size(); ++o)
    EXPECT_EQ(
        std::memcmp(buffers[o].data(), expected[o].data(), expected[o].bytes()),
        0);

  in[2].dtype = DSR1_I32;
  EXPECT_EQ(
      dsr1_session_run(session, in.data(), in.size(), out.data(), out.size()),
      DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dsr1_last_error()).find("'token_type_ids'"),
            std::string::npos)
      << dsr1_last_error();
  in[2].dtype = DSR1_I64;
  in[2].shape = nullptr;
  EXPECT_EQ(
      dsr1_session_run(session, in.data(), in.size(), out.data(), out.size()),
      DSR1_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dsr1_session_run(session, in.data(), 2, out.data(), out.size()),
            DSR1_ERROR_INVALID_ARGUMENT);

  // The session keeps the model alive past its handle.
  dsr1_model_free(model);
  in[2].shape = inputs[2].shape().data();
  EXPECT_EQ(
      dsr1_session_run(session, in.data(), in.size(), out.data(), out.size()),
      DSR1_OK);
  dsr1_session_free(session);
}

} // namespace
