//===- CudaDeviceTest.cpp - the cuda device on the fake CUDA driver -------===//
//
// The cuda device's own code (CudaDriver, CudaSession) runs here against
// libdsr1-fake-cuda.so (test/cuda/fake_libcuda.cpp), a driver on the host
// that moves data for real, records launches and writes a trace of every
// call. The tests read that trace: which binary was loaded, one graph
// capture then graph launches, plain launches when graphs are off or
// unavailable, the context made current on every thread, nothing leaked.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaDevice.h"
#include "test/unit/TestTensors.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace dsr1;
using namespace dsr1::test;
using namespace dsr1::cuda;

namespace {

/// The kernel "double" is two grid launches.
CudaModule sampleCode() {
  CudaModule code;
  code.kernels = {{"add", "pointwise", {{"k_add", {1, 1, 1}, {32, 1, 1}}}},
                  {"double",
                   "pointwise",
                   {{"k_double_a", {2, 1, 1}, {64, 1, 1}},
                    {"k_double_b", {1, 3, 1}, {32, 2, 1}}}}};
  return code;
}

const char *kKernelNames = "k_add k_double_a k_double_b";

/// A cubin as the fake driver reads one: an ELF64 header whose e_flags name
/// the SM and whose section headers (none) start at the end of the image,
/// then the kernel names.
std::string fakeCubin(int sm) {
  std::string image(64, '\0');
  std::string names = kKernelNames;
  uint64_t size = image.size() + names.size();
  uint32_t flags = sm;
  std::memcpy(image.data(), "\177ELF", 4);
  image[4] = 2; // ELFCLASS64
  image[5] = 1; // little-endian
  std::memcpy(image.data() + 0x28, &size, 8);
  std::memcpy(image.data() + 0x30, &flags, 4);
  return image + names;
}

std::string fakePtx(int sm, bool suffixed = false) {
  std::string target = "sm_" + std::to_string(sm) + (suffixed ? "a" : "");
  return ".version 8.5\n.target " + target +
         "\n.address_size 64\n.visible .entry k_add()\n{\n\tret;\n}\n"
         ".visible .entry k_double_a()\n{\n\tret;\n}\n"
         ".visible .entry k_double_b()\n{\n\tret;\n}\n";
}

std::vector<DeviceBinary> bothArchs() {
  return {{"sm_80", fakeCubin(80), fakePtx(80)},
          {"sm_90a", fakeCubin(90), fakePtx(90, true)}};
}

/// Points the cuda device at the fake driver and gives every test a trace
/// file of its own; restores the environment afterwards.
class CudaDevice : public testing::Test {
protected:
  void SetUp() override {
    for (const char *name : kVariables)
      if (const char *value = std::getenv(name))
        saved_.emplace_back(name, value);
    for (const char *name : kVariables)
      unsetenv(name);
    setenv("DSR1_CUDA_DRIVER", DSR1_FAKE_CUDA_DRIVER, 1);
    trace_ = testing::TempDir() + "dsr1-fake-cuda-" + std::to_string(getpid()) +
             "-" +
             testing::UnitTest::GetInstance()->current_test_info()->name() +
             ".trace";
    std::remove(trace_.c_str());
    setenv("DSR1_FAKE_CUDA_TRACE", trace_.c_str(), 1);
  }
  void TearDown() override {
    for (const char *name : kVariables)
      unsetenv(name);
    for (const auto &[name, value] : saved_)
      setenv(name.c_str(), value.c_str(), 1);
    std::remove(trace_.c_str());
  }

  std::shared_ptr<CudaDriver> driver() {
    Result<std::shared_ptr<CudaDriver>> loaded = CudaDriver::load();
    EXPECT_TRUE(loaded.isOk()) << loaded.status().message();
    return loaded ? *loaded : nullptr;
  }

  std::unique_ptr<CudaSession>
  session(std::shared_ptr<CudaDriver> d,
          const std::vector<DeviceBinary> &binaries = bothArchs(),
          std::shared_ptr<const Plan> plan = samplePlan()) {
    auto made = CudaSession::create(std::move(d), std::move(plan), sampleCode(),
                                    binaries);
    EXPECT_TRUE(made.isOk()) << made.status().message();
    return made ? std::move(*made) : nullptr;
  }

  std::vector<std::string> traceLines() const {
    std::vector<std::string> lines;
    std::ifstream in(trace_);
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
    return lines;
  }
  /// Trace lines that start with `call` and contain every one of `parts`.
  size_t count(const std::string &call,
               std::initializer_list<const char *> parts = {}) const {
    size_t n = 0;
    for (const std::string &line : traceLines()) {
      if (line.compare(0, call.size() + 1, call + " ") != 0 && line != call)
        continue;
      bool all = true;
      for (const char *part : parts)
        all = all && line.find(part) != std::string::npos;
      n += all;
    }
    return n;
  }
  /// Runs `s` with x = {base, base + 1, base + 2}; checks the copied
  /// output z. Returns whether the run succeeded.
  static bool runOnce(CudaSession &s, float base) {
    std::vector<float> x = {base, base + 1, base + 2};
    auto outputs = s.run({f32(x, "x")});
    EXPECT_TRUE(outputs.isOk()) << outputs.status().message();
    if (!outputs)
      return false;
    EXPECT_EQ(outputs->size(), 2u);
    EXPECT_EQ((*outputs)[1].name, "z");
    EXPECT_EQ(floats((*outputs)[1]), x);
    return outputs->size() == 2 && floats((*outputs)[1]) == x;
  }

  static constexpr const char *kVariables[] = {
      "DSR1_CUDA_DRIVER",         "DSR1_FAKE_CUDA_TRACE",
      "DSR1_FAKE_CUDA_CC",        "DSR1_FAKE_CUDA_DEVICES",
      "DSR1_FAKE_CUDA_NO_GRAPHS", "DSR1_FAKE_CUDA_FAIL_KERNEL"};
  std::vector<std::pair<std::string, std::string>> saved_;
  std::string trace_;
};

TEST_F(CudaDevice, LoadsTheFakeGpu) {
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->computeCapability(), 90);
  EXPECT_NE(d->deviceName().find("fake"), std::string::npos);
  EXPECT_EQ(count("cuInit"), 1u);
}

TEST_F(CudaDevice, MissingDriverNamesTheFile) {
  setenv("DSR1_CUDA_DRIVER", "/nonexistent/dsr1-no-libcuda.so", 1);
  Result<std::shared_ptr<CudaDriver>> d = CudaDriver::load();
  ASSERT_FALSE(d.isOk());
  const std::string &message = d.status().message();
  EXPECT_NE(message.find("no CUDA driver"), std::string::npos) << message;
  EXPECT_NE(message.find("/nonexistent/dsr1-no-libcuda.so"), std::string::npos)
      << message;
  EXPECT_NE(message.find("--device cuda-emu"), std::string::npos) << message;
}

TEST_F(CudaDevice, NoGpuIsAClearError) {
  setenv("DSR1_FAKE_CUDA_DEVICES", "0", 1);
  Result<std::shared_ptr<CudaDriver>> d = CudaDriver::load();
  ASSERT_FALSE(d.isOk());
  EXPECT_NE(d.status().message().find("reports no GPU"), std::string::npos)
      << d.status().message();
}

TEST_F(CudaDevice, PicksTheCubinForTheGpu) {
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  std::unique_ptr<CudaSession> s = session(d);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->loaded(), "sm_90a cubin");
  EXPECT_EQ(count("cuModuleLoadData", {"cubin sm_90 "}), 1u);
  EXPECT_EQ(count("cuModuleLoadData"), 1u);
  EXPECT_EQ(count("cuModuleGetFunction"), 3u);
}

TEST_F(CudaDevice, FallsBackToPtxWhenNoCubinFits) {
  // sm_90: only sm_80 code, whose cubin cannot run there.
  {
    std::shared_ptr<CudaDriver> d = driver();
    ASSERT_TRUE(d);
    std::unique_ptr<CudaSession> s =
        session(d, {{"sm_80", fakeCubin(80), fakePtx(80)}});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->loaded(), "compute_80 PTX");
    EXPECT_EQ(count("cuModuleLoadData", {"ptx sm_80"}), 1u);
    EXPECT_TRUE(runOnce(*s, 1));
  }
  // sm_100: sm_90a's PTX is architecture-specific, so compute_80's.
  setenv("DSR1_FAKE_CUDA_CC", "100", 1);
  {
    std::shared_ptr<CudaDriver> d = driver();
    ASSERT_TRUE(d);
    std::unique_ptr<CudaSession> s = session(d);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->loaded(), "compute_80 PTX");
  }
  // sm_86: the sm_80 cubin (same major version).
  setenv("DSR1_FAKE_CUDA_CC", "86", 1);
  {
    std::shared_ptr<CudaDriver> d = driver();
    ASSERT_TRUE(d);
    std::unique_ptr<CudaSession> s = session(d);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->loaded(), "sm_80 cubin");
  }
  // sm_75: nothing runs.
  setenv("DSR1_FAKE_CUDA_CC", "75", 1);
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  auto s = CudaSession::create(d, samplePlan(), sampleCode(), bothArchs());
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.status().message().find("compiled for sm_80, sm_90a"),
            std::string::npos)
      << s.status().message();
}

TEST_F(CudaDevice, MissingKernelNamesIt) {
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  CudaModule code = sampleCode();
  code.kernels[1].launches[1].function = "k_missing";
  auto s = CudaSession::create(d, samplePlan(), code, bothArchs());
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.status().message().find("k_missing"), std::string::npos)
      << s.status().message();
}

TEST_F(CudaDevice, GraphCapturedOnceThenLaunched) {
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  std::unique_ptr<CudaSession> s = session(d);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->graphStatus(), "graph: captured on the next run");
  for (int run = 0; run < 3; ++run)
    ASSERT_TRUE(runOnce(*s, 10.0f * run + 1));
  EXPECT_EQ(s->graphStatus(),
            "graph: captured on the first run, launched per run");

  // The session's own stream, never the legacy default one.
  EXPECT_EQ(count("cuStreamCreate", {"flags=1"}), 1u);
  EXPECT_EQ(count("cuStreamBeginCapture_v2"), 1u);
  EXPECT_EQ(count("cuStreamBeginCapture_v2", {"mode=1"}), 1u);
  EXPECT_EQ(count("cuStreamEndCapture", {"nodes=9"}), 1u);
  EXPECT_EQ(count("cuGraphInstantiateWithFlags"), 1u);
  // Everything of the first run was captured, nothing issued outside it.
  EXPECT_EQ(count("cuLaunchKernel"), 3u);
  EXPECT_EQ(count("cuLaunchKernel", {"captured"}), 3u);
  EXPECT_EQ(count("cuLaunchKernel", {"k_double_b grid=1,3,1 block=32,2,1"}),
            1u);
  EXPECT_EQ(count("cuMemcpyHtoDAsync_v2", {"captured"}), 1u);
  // The weight, uploaded once on the session's stream.
  EXPECT_EQ(count("cuMemcpyHtoDAsync_v2", {"bytes=12 stream="}), 2u);
  EXPECT_EQ(count("cuMemcpyDtoHAsync_v2", {"captured"}), 3u);
  EXPECT_EQ(count("cuMemcpyDtoDAsync_v2", {"captured"}), 1u);
  EXPECT_EQ(count("cuMemsetD8Async", {"captured"}), 1u);
  // Every run (the first too, after its capture) launches the graph: the
  // input copied in, the status words cleared, every kernel, the copy, the
  // status words and both outputs copied out, then one synchronisation.
  EXPECT_EQ(count("cuGraphLaunch", {"htod=1 memset=1 dtod=1 dtoh=3 "
                                    "kernels=k_add,k_double_a,k_double_b"}),
            3u);
  EXPECT_EQ(count("cuGraphLaunch"), 3u);
  EXPECT_EQ(count("cuStreamSynchronize"), 1u + 3u);
  EXPECT_EQ(count("cuCtxSetCurrent"), 1u + 1u + 3u);
}

TEST_F(CudaDevice, PlainLaunchesWithGraphsOff) {
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  std::unique_ptr<CudaSession> s = session(d);
  ASSERT_TRUE(s);
  s->useGraphs(false);
  EXPECT_EQ(s->graphStatus().rfind("off:", 0), 0u) << s->graphStatus();
  for (int run = 0; run < 3; ++run)
    ASSERT_TRUE(runOnce(*s, 5.0f * run));
  EXPECT_EQ(count("cuStreamBeginCapture_v2"), 0u);
  EXPECT_EQ(count("cuGraphLaunch"), 0u);
  EXPECT_EQ(count("cuLaunchKernel"), 9u);
  EXPECT_EQ(count("cuLaunchKernel", {"captured"}), 0u);
  EXPECT_EQ(count("cuLaunchKernel", {"stream=0"}), 0u);
  EXPECT_EQ(count("cuMemcpyHtoDAsync_v2"), 1u + 3u);
  EXPECT_EQ(count("cuMemcpyDtoHAsync_v2"), 9u);
  EXPECT_EQ(count("cuStreamSynchronize"), 1u + 3u);
}

TEST_F(CudaDevice, GraphsCanBeTurnedBackOn) {
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  std::unique_ptr<CudaSession> s = session(d);
  ASSERT_TRUE(s);
  ASSERT_TRUE(runOnce(*s, 1));
  s->useGraphs(false);
  ASSERT_TRUE(runOnce(*s, 2));
  s->useGraphs(true);
  ASSERT_TRUE(runOnce(*s, 3));
  EXPECT_EQ(count("cuStreamBeginCapture_v2"), 1u);
  EXPECT_EQ(count("cuGraphLaunch"), 2u);
  EXPECT_EQ(count("cuLaunchKernel", {"captured"}), 3u);
  EXPECT_EQ(count("cuLaunchKernel"), 6u);
}

TEST_F(CudaDevice, OldDriverFallsBackToPlainLaunches) {
  setenv("DSR1_FAKE_CUDA_NO_GRAPHS", "1", 1);
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  std::unique_ptr<CudaSession> s = session(d);
  ASSERT_TRUE(s);
  for (int run = 0; run < 3; ++run)
    ASSERT_TRUE(runOnce(*s, 3.0f * run));
  EXPECT_EQ(s->graphStatus().rfind("off: capturing a CUDA graph: "
                                   "cuStreamBeginCapture failed",
                                   0),
            0u)
      << s->graphStatus();
  EXPECT_NE(s->graphStatus().find("CUDA_ERROR_NOT_SUPPORTED"),
            std::string::npos);
  // Tried once, then plain launches every run.
  EXPECT_EQ(count("cuStreamBeginCapture_v2"), 1u);
  EXPECT_EQ(count("cuGraphLaunch"), 0u);
  EXPECT_EQ(count("cuLaunchKernel"), 9u);
}

TEST_F(CudaDevice, ProfilingTimesPlainLaunches) {
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  std::unique_ptr<CudaSession> s = session(d);
  ASSERT_TRUE(s);
  ASSERT_TRUE(runOnce(*s, 1));
  s->enableProfiling();
  EXPECT_EQ(s->graphStatus().rfind("off: profiling", 0), 0u)
      << s->graphStatus();
  ASSERT_TRUE(runOnce(*s, 2));
  ASSERT_TRUE(runOnce(*s, 3));
  ASSERT_EQ(s->launchNames().size(), 3u);
  EXPECT_EQ(s->launchNames()[2], "k_double_b");
  // The fake driver times every launch at a millisecond.
  for (double seconds : s->launchSeconds())
    EXPECT_DOUBLE_EQ(seconds, 2e-3);
  EXPECT_EQ(count("cuGraphLaunch"), 1u);
  EXPECT_EQ(count("cuLaunchKernel", {"captured"}), 3u);
  EXPECT_EQ(count("cuLaunchKernel"), 3u + 6u);
  EXPECT_EQ(count("cuEventRecord", {"stream=0"}), 0u);
  EXPECT_EQ(count("cuEventRecord"), 12u);
}

TEST_F(CudaDevice, OneWorkspaceForTheKernelsThatNeedOne) {
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  CudaModule code = sampleCode();
  code.kernels[0].workspaceBytes = 1000;
  code.kernels[1].workspaceBytes = 4096;
  {
    auto made = CudaSession::create(d, samplePlan(), code, bothArchs());
    ASSERT_TRUE(made.isOk()) << made.status().message();
    ASSERT_TRUE(runOnce(**made, 3.0f));
    // The largest: the kernels run one after the other on one stream.
    EXPECT_EQ(count("cuMemAlloc_v2", {"bytes=4096"}), 1u);
    EXPECT_EQ(count("cuMemAlloc_v2", {"bytes=1000"}), 0u);
  }
  EXPECT_EQ(count("cuMemAlloc_v2"), count("cuMemFree_v2"));
  // Without a kernel that needs one, nothing of that size is allocated.
  CudaModule none = sampleCode();
  size_t before = count("cuMemAlloc_v2", {"bytes=4096"});
  auto plain = CudaSession::create(d, samplePlan(), none, bothArchs());
  ASSERT_TRUE(plain.isOk());
  EXPECT_EQ(count("cuMemAlloc_v2", {"bytes=4096"}), before);
}

TEST_F(CudaDevice, StatusWordNamesTheNode) {
  setenv("DSR1_FAKE_CUDA_FAIL_KERNEL", "k_double_b", 1);
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  for (bool graphs : {true, false}) {
    std::unique_ptr<CudaSession> s = session(d);
    ASSERT_TRUE(s);
    s->useGraphs(graphs);
    for (int run = 0; run < 2; ++run) {
      auto outputs = s->run({f32({1, 2, 3}, "x")});
      ASSERT_FALSE(outputs.isOk());
      EXPECT_NE(outputs.status().message().find("mul_node"), std::string::npos)
          << outputs.status().message();
      EXPECT_NE(outputs.status().message().find("'y'"), std::string::npos)
          << outputs.status().message();
    }
  }
}

TEST_F(CudaDevice, CopyLaunchMovesData) {
  // An output that is the input: one copy launch and no kernel.
  auto plan = std::make_shared<Plan>();
  plan->inputs = {{"x", DType::f32, {3}}};
  plan->outputs = {{"x_out", DType::f32, {3}}};
  Launch copy;
  copy.kind = Launch::Kind::copy;
  copy.args = {ref(BufferRef::Kind::input, 0), ref(BufferRef::Kind::output, 0)};
  plan->launches = {copy};
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  for (bool graphs : {true, false}) {
    std::unique_ptr<CudaSession> s = session(d, bothArchs(), plan);
    ASSERT_TRUE(s);
    s->useGraphs(graphs);
    for (float base : {1.5f, -7.0f, 1e6f}) {
      std::vector<float> x = {base, base * 2, base * 3};
      auto outputs = s->run({f32(x, "x")});
      ASSERT_TRUE(outputs.isOk()) << outputs.status().message();
      ASSERT_EQ(outputs->size(), 1u);
      EXPECT_EQ(floats((*outputs)[0]), x);
    }
  }
  EXPECT_EQ(count("cuGraphLaunch", {"htod=1 memset=1 dtod=1 dtoh=2 kernels="}),
            3u);
  EXPECT_EQ(count("cuMemcpyDtoDAsync_v2", {"bytes=12"}), 1u + 3u);
}

TEST_F(CudaDevice, SessionsOnTwoThreads) {
  std::shared_ptr<CudaDriver> d = driver();
  ASSERT_TRUE(d);
  // One session made here and run and destroyed on another thread, one
  // made, run and destroyed on a thread of its own: every entry point
  // must make the context current where it runs.
  std::unique_ptr<CudaSession> first = session(d);
  ASSERT_TRUE(first);
  bool ok[2] = {true, true};
  auto work = [&](int index, std::unique_ptr<CudaSession> s) {
    if (!s) {
      auto made =
          CudaSession::create(d, samplePlan(), sampleCode(), bothArchs());
      ok[index] = made.isOk();
      if (!made)
        return;
      s = std::move(*made);
    }
    for (int run = 0; run < 20; ++run)
      ok[index] = ok[index] && runOnce(*s, 100.0f * index + run);
    s.reset();
  };
  std::thread a(work, 0, std::move(first));
  std::thread b(work, 1, nullptr);
  a.join();
  b.join();
  EXPECT_TRUE(ok[0]);
  EXPECT_TRUE(ok[1]);
  EXPECT_EQ(count("cuGraphLaunch"), 40u);
  EXPECT_EQ(count("cuStreamBeginCapture_v2"), 2u);
  // No call failed (a thread without the context gets
  // CUDA_ERROR_INVALID_CONTEXT), and both sessions gave back everything.
  for (const std::string &line : traceLines())
    EXPECT_EQ(line.find("CUDA_ERROR"), std::string::npos) << line;
  EXPECT_EQ(count("cuMemAlloc_v2"), count("cuMemFree_v2"));
  EXPECT_EQ(count("cuMemHostAlloc"), count("cuMemFreeHost"));
  EXPECT_EQ(count("cuStreamCreate"), count("cuStreamDestroy_v2"));
  EXPECT_EQ(count("cuGraphInstantiateWithFlags"), count("cuGraphExecDestroy"));
  EXPECT_EQ(count("cuStreamEndCapture"), count("cuGraphDestroy"));
  EXPECT_EQ(count("cuModuleLoadData"), count("cuModuleUnload"));
}

} // namespace
