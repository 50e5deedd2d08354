//===- CpuObjectTest.cpp - cpu kernels as a shared object, loaded ---------===//
//
// The ahead-of-time cpu code (emitCpuObject, loadCpuObject) against the JIT
// on the same module: every output equal byte for byte, with BLAS products,
// a strided copy through memrefCopy and libm calls in the kernels. Then the
// loader's and the feature check's errors.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/CpuObject.h"
#include "codegen/cpu/CpuCodegen.h"
#include "compiler/driver/CompileModel.h"
#include "runtime/TensorIO.h"
#include "runtime/cpu/CpuLibrary.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>

using namespace dsr1;

namespace {

// A matrix product (a BLAS call), a softmax and an exp (libm's expf), and
// the data movement kernels of a transpose, a strided slice and a concat
// along an inner axis.
constexpr const char *kModel = R"mlir(
func.func @g(%x: tensor<2x6x8xf32> {onnx.name = "x"}, %w: tensor<8x8xf32> {onnx.name = "w"})
    -> (tensor<2x8x6xf32> {onnx.name = "p"}, tensor<2x6x12xf32> {onnx.name = "c"}) {
  %m = dsr1.matmul %x, %w : tensor<2x6x8xf32>, tensor<8x8xf32>
  %t = dsr1.transpose %m perm [0, 2, 1] : tensor<2x6x8xf32>
  %p = dsr1.softmax %t axis 2 : tensor<2x8x6xf32>
  %e = dsr1.exp %x : tensor<2x6x8xf32>
  %s = dsr1.slice %e {axes = array<i64: 2>, starts = array<i64: 0>, ends = array<i64: 8>, steps = array<i64: 2>} : tensor<2x6x8xf32>
  %c = dsr1.concat %m, %s axis 2 : tensor<2x6x8xf32>, tensor<2x6x4xf32>
  return %p, %c : tensor<2x8x6xf32>, tensor<2x6x12xf32>
}
)mlir";

/// The model's plan and its kernels lowered to the LLVM dialect: what both
/// jitCompile and emitCpuObject take.
class CpuObjectKernels : public ::testing::Test {
protected:
  void SetUp() override {
    mlir::DialectRegistry registry;
    registerCompilerDialects(registry);
    context = std::make_unique<mlir::MLIRContext>(registry);
    context->loadAllAvailableDialects();
    module = mlir::parseSourceString<mlir::ModuleOp>(kModel, context.get());
    ASSERT_TRUE(module);
    mlir::FailureOr<Plan> planned = optimizeAndPlan(*module, CompileOptions());
    ASSERT_TRUE(mlir::succeeded(planned));
    plan = std::make_shared<const Plan>(std::move(*planned));
    kernels = extractKernels(*module);
    ASSERT_TRUE(kernels);
    mlir::PassManager codegen(context.get());
    cpu::buildCpuCodegenPipeline(codegen);
    ASSERT_TRUE(mlir::succeeded(codegen.run(*kernels)));
  }

  /// Random inputs for the plan, the same for every seed.
  std::vector<HostTensor> inputs(unsigned seed) const {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> uniform(-2, 2);
    std::vector<HostTensor> tensors;
    for (const TensorSpec &spec : plan->inputs) {
      HostTensor t;
      t.name = spec.name;
      t.shape = spec.shape;
      std::vector<float> values(t.numElements());
      for (float &v : values)
        v = uniform(random);
      t.data.resize(values.size() * sizeof(float));
      std::memcpy(t.data.data(), values.data(), t.data.size());
      tensors.push_back(std::move(t));
    }
    return tensors;
  }

  std::vector<HostTensor> run(std::shared_ptr<const KernelLibrary> library,
                              const std::vector<HostTensor> &in) {
    auto session = HostSession::create(plan, std::move(library));
    EXPECT_TRUE(session.isOk()) << session.status().message();
    if (!session.isOk())
      return {};
    auto out = (*session)->run(in);
    EXPECT_TRUE(out.isOk()) << out.status().message();
    return out.isOk() ? *out : std::vector<HostTensor>();
  }

  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::OwningOpRef<mlir::ModuleOp> kernels;
  std::shared_ptr<const Plan> plan;
};

TEST_F(CpuObjectKernels, CallsBlasAndLibm) {
  // Otherwise the test below would not exercise the sgemm trampoline and
  // the object's libm calls (llvm.exp becomes a call to expf).
  EXPECT_TRUE(kernels->lookupSymbol("dsr1_cpu_sgemm"));
  bool callsExp = false;
  kernels->walk([&](mlir::LLVM::ExpOp) { callsExp = true; });
  EXPECT_TRUE(callsExp);
}

TEST_F(CpuObjectKernels, ComputesWhatTheJitComputes) {
  for (int optLevel = 0; optLevel <= 3; ++optLevel) {
    SCOPED_TRACE("optLevel " + std::to_string(optLevel));
    std::string error;
    std::shared_ptr<const CpuKernelLibrary> jit =
        cpu::jitCompile(*kernels, optLevel, error);
    ASSERT_TRUE(jit) << error;
    std::optional<cpu::CpuObject> object =
        cpu::emitCpuObject(*kernels, optLevel, error);
    ASSERT_TRUE(object) << error;
    EXPECT_FALSE(object->cpuName.empty());
    EXPECT_TRUE(checkCpuFeatures(object->cpuFeatures).isOk());
    auto loaded = loadCpuObject(
        reinterpret_cast<const uint8_t *>(object->sharedObject.data()),
        object->sharedObject.size(), "model.dsr1");
    ASSERT_TRUE(loaded.isOk()) << loaded.status().message();

    for (unsigned seed : {1u, 2u}) {
      std::vector<HostTensor> in = inputs(seed);
      std::vector<HostTensor> expected = run(jit, in);
      std::vector<HostTensor> got = run(*loaded, in);
      ASSERT_EQ(got.size(), expected.size());
      ASSERT_EQ(got.size(), 2u);
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].shape, expected[i].shape);
        EXPECT_TRUE(got[i].data == expected[i].data)
            << "output " << i << " differs from the JIT's";
      }
    }
  }
}

TEST_F(CpuObjectKernels, TwoObjectsLoadSideBySide) {
  // Each object is its own library: the second load is not taken for the
  // first (the loader knows both by a /proc/self/fd name), and unloading
  // one leaves the other running.
  std::string error;
  std::optional<cpu::CpuObject> object = cpu::emitCpuObject(*kernels, 2, error);
  ASSERT_TRUE(object) << error;
  auto *bytes = reinterpret_cast<const uint8_t *>(object->sharedObject.data());
  auto first = loadCpuObject(bytes, object->sharedObject.size(), "first");
  auto second = loadCpuObject(bytes, object->sharedObject.size(), "second");
  ASSERT_TRUE(first.isOk() && second.isOk());
  std::vector<HostTensor> in = inputs(3);
  std::vector<HostTensor> expected = run(*first, in);
  first = Status::error("unloaded");
  std::vector<HostTensor> got = run(*second, in);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_TRUE(got[i].data == expected[i].data);
}

//===----------------------------------------------------------------------===//
// memrefCopy
//===----------------------------------------------------------------------===//

// No dsr1 lowering emits a memref.copy between non-contiguous buffers today
// (none of test/models does), so a kernel written at the memref level makes
// one: rows 1-3 and every third column of a 4x6x5 buffer, which the LLVM
// lowering turns into a call to memrefCopy.
constexpr const char *kStridedCopy = R"mlir(
func.func @copy_strided(%status: memref<i32>, %src: memref<4x6x5xf32>, %dst: memref<3x2x5xf32>) {
  %s = memref.subview %src[1, 0, 0] [3, 2, 5] [1, 3, 1] : memref<4x6x5xf32> to memref<3x2x5xf32, strided<[30, 15, 1], offset: 30>>
  memref.copy %s, %dst : memref<3x2x5xf32, strided<[30, 15, 1], offset: 30>> to memref<3x2x5xf32>
  return
}
)mlir";

TEST(CpuObjectMemrefCopy, StridedCopyRunsTheRuntimesMemrefCopy) {
  mlir::DialectRegistry registry;
  registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kStridedCopy, &context);
  ASSERT_TRUE(module);
  mlir::PassManager codegen(&context);
  cpu::buildCpuCodegenPipeline(codegen);
  ASSERT_TRUE(mlir::succeeded(codegen.run(*module)));
  ASSERT_TRUE(module->lookupSymbol("memrefCopy"));

  std::string error;
  std::optional<cpu::CpuObject> object = cpu::emitCpuObject(*module, 2, error);
  ASSERT_TRUE(object) << error;
  auto loaded = loadCpuObject(
      reinterpret_cast<const uint8_t *>(object->sharedObject.data()),
      object->sharedObject.size(), "copy.dsr1");
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  std::shared_ptr<const CpuKernelLibrary> jit =
      cpu::jitCompile(*module, 2, error);
  ASSERT_TRUE(jit) << error;

  float src[4][6][5];
  for (int i = 0; i < 4 * 6 * 5; ++i)
    (&src[0][0][0])[i] = static_cast<float>(i);
  for (const std::shared_ptr<const CpuKernelLibrary> &library :
       {*loaded, jit}) {
    CpuKernelFn kernel = library->lookup("copy_strided");
    ASSERT_TRUE(kernel);
    int32_t status = 0;
    float dst[3][2][5] = {};
    void *buffers[] = {&status, &src[0][0][0], &dst[0][0][0]};
    void *args[] = {&buffers[0], &buffers[1], &buffers[2]};
    kernel(args);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 2; ++j)
        for (int k = 0; k < 5; ++k)
          ASSERT_EQ(dst[i][j][k], src[i + 1][3 * j][k])
              << "at " << i << "," << j << "," << k;
  }
}

/// A ranked descriptor of rank 2, as generated code lays it out.
struct Descriptor2 {
  float *base;
  float *data;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
};

TEST(CpuObjectMemrefCopy, RuntimeCopyMatchesMlirSemantics) {
  float src[12], dst[12];
  for (int i = 0; i < 12; ++i)
    src[i] = static_cast<float>(i);
  auto copy = [&](Descriptor2 from, Descriptor2 to) {
    Dsr1UnrankedMemRef a{2, &from}, b{2, &to};
    dsr1_memref_copy(sizeof(float), &a, &b);
  };

  // Both dense: the whole block at the offsets.
  std::fill(dst, dst + 12, -1.0f);
  copy({src, src, 2, {2, 3}, {3, 1}}, {dst, dst, 1, {2, 3}, {3, 1}});
  EXPECT_EQ(dst[0], -1);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(dst[1 + i], src[2 + i]);
  EXPECT_EQ(dst[7], -1);

  // A transposed source (column-major 3x4 read as its 4x3 transpose) into
  // a dense destination.
  std::fill(dst, dst + 12, -1.0f);
  copy({src, src, 0, {4, 3}, {1, 4}}, {dst, dst, 0, {4, 3}, {3, 1}});
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(dst[i * 3 + j], src[j * 4 + i]);

  // A dense source into every other element of the destination.
  std::fill(dst, dst + 12, -1.0f);
  copy({src, src, 0, {2, 3}, {3, 1}}, {dst, dst, 0, {2, 3}, {6, 2}});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(dst[i * 6 + j * 2], src[i * 3 + j]);
      EXPECT_EQ(dst[i * 6 + j * 2 + 1], -1);
    }

  // An empty shape copies nothing.
  std::fill(dst, dst + 12, -1.0f);
  copy({src, src, 0, {0, 3}, {3, 1}}, {dst, dst, 0, {0, 3}, {6, 2}});
  EXPECT_EQ(dst[0], -1);

  // Rank 0: one element.
  struct Descriptor0 {
    float *base;
    float *data;
    int64_t offset;
  } from{src, src, 5}, to{dst, dst, 7};
  Dsr1UnrankedMemRef a{0, &from}, b{0, &to};
  dsr1_memref_copy(sizeof(float), &a, &b);
  EXPECT_EQ(dst[7], src[5]);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(CpuObjectLoad, BadBytesAreAnError) {
  std::vector<uint8_t> garbage(4096);
  std::mt19937 random(7);
  for (uint8_t &byte : garbage)
    byte = static_cast<uint8_t>(random());
  auto loaded = loadCpuObject(garbage.data(), garbage.size(), "garbage.dsr1");
  ASSERT_FALSE(loaded.isOk());
  EXPECT_NE(loaded.status().message().find("garbage.dsr1"), std::string::npos)
      << loaded.status().message();

  auto empty = loadCpuObject(garbage.data(), 0, "empty.dsr1");
  EXPECT_FALSE(empty.isOk());
}

TEST_F(CpuObjectKernels, AFailedLinkNamesTheCommand) {
  // `false` runs and fails without output: the error must still say what
  // was run.
  setenv("DSR1_CC", "false", 1);
  std::string error;
  std::optional<cpu::CpuObject> object = cpu::emitCpuObject(*kernels, 2, error);
  unsetenv("DSR1_CC");
  ASSERT_FALSE(object);
  EXPECT_NE(error.find("false -shared"), std::string::npos) << error;
}

TEST_F(CpuObjectKernels, TruncatedObjectIsAnError) {
  std::string error;
  std::optional<cpu::CpuObject> object = cpu::emitCpuObject(*kernels, 2, error);
  ASSERT_TRUE(object) << error;
  for (size_t size : {object->sharedObject.size() / 2, size_t(64)}) {
    auto loaded = loadCpuObject(
        reinterpret_cast<const uint8_t *>(object->sharedObject.data()), size,
        "truncated.dsr1");
    ASSERT_FALSE(loaded.isOk()) << size << " bytes loaded";
    EXPECT_NE(loaded.status().message().find("truncated.dsr1"),
              std::string::npos)
        << loaded.status().message();
  }
}

// The cpu object cache keys on the lowered module's text: lowering the same
// model must give the same text every time (GPT-2's kernels hold shape
// constants that bufferization turns into globals in a pointer-hashed
// order).
TEST(CpuLowering, IsTheSameTextEveryTime) {
  const std::string dir = std::string(DSR1_TEST_MODELS_DIR) + "/gpt2";
  Result<std::vector<HostTensor>> data =
      readTensorDir(dir + "/test_data_set_0", "input");
  ASSERT_TRUE(data.isOk()) << data.status().message();
  std::set<std::string> texts;
  for (int i = 0; i < 4; ++i) {
    mlir::DialectRegistry registry;
    registerCompilerDialects(registry);
    mlir::MLIRContext context(registry);
    context.loadAllAvailableDialects();
    CompileOptions options;
    pinInputs(options, *data);
    mlir::OwningOpRef<mlir::ModuleOp> model =
        loadModel(context, dir + "/model.onnx", options);
    ASSERT_TRUE(model);
    ASSERT_TRUE(mlir::succeeded(optimizeAndPlan(*model, options)));
    mlir::OwningOpRef<mlir::ModuleOp> lowered =
        lowerCpuKernels(*model, options);
    ASSERT_TRUE(lowered);
    std::string text;
    llvm::raw_string_ostream os(text);
    lowered->print(os);
    texts.insert(text);
  }
  EXPECT_EQ(texts.size(), 1u);
}

TEST(CpuFeatures, UnknownFeaturesPass) {
  EXPECT_TRUE(checkCpuFeatures({"+avx2-not-a-feature"}).isOk());
  EXPECT_TRUE(checkCpuFeatures({"-avx512f", "", "+"}).isOk());
}

TEST(CpuFeatures, AMissingFeatureIsNamed) {
#if defined(__x86_64__)
  // Features this CPU lacks, found the way the check finds them.
  __builtin_cpu_init();
  std::vector<std::string> absent;
  if (!__builtin_cpu_supports("avx512fp16"))
    absent.push_back("+avx512fp16");
  if (!__builtin_cpu_supports("avx512vp2intersect"))
    absent.push_back("+avx512vp2intersect");
  if (!__builtin_cpu_supports("fma4"))
    absent.push_back("+fma4");
  if (!__builtin_cpu_supports("xop"))
    absent.push_back("+xop");
  if (!__builtin_cpu_supports("avx512f"))
    absent.push_back("+avx512f");
  if (absent.empty())
    GTEST_SKIP() << "this CPU has every feature the test could ask for";
  Status status = checkCpuFeatures({"+sse2", absent.front()});
  ASSERT_FALSE(status.isOk());
  EXPECT_NE(status.message().find(absent.front()), std::string::npos)
      << status.message();
  EXPECT_EQ(status.message().find("+sse2"), std::string::npos)
      << status.message();
#else
  GTEST_SKIP() << "the feature check covers x86 only";
#endif
}

} // namespace
