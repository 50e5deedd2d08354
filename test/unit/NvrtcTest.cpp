//===- NvrtcTest.cpp - NVRTC compiles, ptxas reports and the kernel cache -===//
//
// The parser and cache tests run everywhere; the compile tests need the CUDA
// toolkit's NVRTC (no GPU) and skip, saying why, where it cannot be loaded.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/Nvrtc.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#ifndef DSR1_SOURCE_DIR
#error "DSR1_SOURCE_DIR must name the repository root"
#endif

using namespace dsr1;
using namespace dsr1::cuda;
namespace fs = std::filesystem;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// A fresh directory, removed with everything in it at the end of a test.
class TempDir {
public:
  TempDir() {
    std::string pattern =
        (fs::path(testing::TempDir()) / "dsr1-nvrtc-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  std::string path() const { return path_; }

private:
  std::string path_;
};

/// Sets an environment variable for one scope, then restores it.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    if (const char *old = getenv(name))
      old_ = old;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

private:
  const char *name_;
  std::optional<std::string> old_;
};

std::string readFile(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream data;
  data << file.rdbuf();
  return data.str();
}

void writeFile(const std::string &path, const std::string &data) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << data;
}

/// The files in `dir`, none of them temporaries left behind.
std::vector<std::string> entries(const std::string &dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry &entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  return names;
}

CompiledKernels sampleKernels() {
  CompiledKernels kernels;
  kernels.arch = "sm_80";
  // Binary content: NULs, newlines and bytes above 0x7f must round-trip.
  kernels.cubin = std::string("\x7f"
                              "ELF\0\n\xff\x01 end\n",
                              13);
  kernels.ptx = ".version 9.0\n.target sm_80\n.visible .entry k()\n{\n}\n";
  kernels.log = "ptxas info    : Used 10 registers\n";
  KernelResources a;
  a.name = "k";
  a.registers = 10;
  a.constantBytes = 360;
  KernelResources b;
  b.name = "_Z2k2Pf";
  b.registers = 32;
  b.sharedBytes = 1024;
  b.localBytes = 16;
  b.spillStoreBytes = 8;
  b.spillLoadBytes = 12;
  kernels.kernels = {a, b};
  return kernels;
}

void expectSameKernels(const CompiledKernels &a, const CompiledKernels &b) {
  EXPECT_EQ(a.arch, b.arch);
  EXPECT_EQ(a.cubin, b.cubin);
  EXPECT_EQ(a.ptx, b.ptx);
  EXPECT_EQ(a.log, b.log);
  EXPECT_EQ(a.kernels, b.kernels);
}

//===----------------------------------------------------------------------===//
// ptxas -v parsing
//===----------------------------------------------------------------------===//

// Captured from NVRTC 13.0 (sm_80, --maxrregcount=32): a kernel with spills
// and shared memory, one without, a __noinline__ device function reported
// after them, and a global constant bank line.
const char kCapturedLog[] =
    "ptxas info    : Overriding maximum register limit 256 for 'c' with  32 "
    "of maxrregcount option\n"
    "ptxas info    : Overriding maximum register limit 256 for 'spill' with  "
    "32 of maxrregcount option\n"
    "ptxas info    : 0 bytes gmem, 64 bytes cmem[3]\n"
    "ptxas info    : Compiling entry function 'c' for 'sm_80'\n"
    "ptxas info    : Function properties for c\n"
    "ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes "
    "spill loads\n"
    "ptxas info    : Used 8 registers, used 0 barriers, 360 bytes cmem[0]\n"
    "ptxas info    : Compile time = 2.403 ms\n"
    "ptxas info    : Compiling entry function 'spill' for 'sm_80'\n"
    "ptxas info    : Function properties for spill\n"
    "ptxas         .     17632 bytes stack frame, 20968 bytes spill stores, "
    "30928 bytes spill loads\n"
    "ptxas info    : Used 32 registers, used 1 barriers, 17632 bytes "
    "cumulative stack size, 800 bytes smem, 364 bytes cmem[0]\n"
    "ptxas info    : Compile time = 3482.632 ms\n"
    "ptxas info    : Function properties for _Z1fPfi\n"
    "ptxas         .     8 bytes stack frame, 4 bytes spill stores, 4 bytes "
    "spill loads\n";

TEST(PtxasLogTest, ParsesCapturedReport) {
  std::vector<KernelResources> kernels = parsePtxasLog(kCapturedLog);
  ASSERT_EQ(kernels.size(), 2u);

  EXPECT_EQ(kernels[0].name, "c");
  EXPECT_EQ(kernels[0].registers, 8);
  EXPECT_EQ(kernels[0].sharedBytes, 0);
  EXPECT_EQ(kernels[0].localBytes, 0);
  EXPECT_EQ(kernels[0].spillStoreBytes, 0);
  EXPECT_EQ(kernels[0].spillLoadBytes, 0);
  EXPECT_EQ(kernels[0].constantBytes, 360);

  // The device function's frame after it must not overwrite these.
  EXPECT_EQ(kernels[1].name, "spill");
  EXPECT_EQ(kernels[1].registers, 32);
  EXPECT_EQ(kernels[1].sharedBytes, 800);
  EXPECT_EQ(kernels[1].localBytes, 17632);
  EXPECT_EQ(kernels[1].spillStoreBytes, 20968);
  EXPECT_EQ(kernels[1].spillLoadBytes, 30928);
  EXPECT_EQ(kernels[1].constantBytes, 364);
}

// sm_90 reports no cmem[0]; older ptxas indents the frame line with spaces
// and may list a callee's properties between the entry's and its "Used".
TEST(PtxasLogTest, ParsesOtherLayouts) {
  const char log[] =
      "ptxas info    : 0 bytes gmem\n"
      "ptxas info    : Compiling entry function '_Z3sumPKfPfi' for 'sm_90a'\n"
      "ptxas info    : Function properties for _Z3sumPKfPfi\n"
      "    24 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n"
      "ptxas info    : Function properties for _Z6helperv\n"
      "    96 bytes stack frame, 40 bytes spill stores, 40 bytes spill loads\n"
      "ptxas info    : Used 40 registers, used 1 barriers, 24 bytes "
      "cumulative stack size, 128 bytes smem\n";
  std::vector<KernelResources> kernels = parsePtxasLog(log);
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].name, "_Z3sumPKfPfi");
  EXPECT_EQ(kernels[0].registers, 40);
  EXPECT_EQ(kernels[0].sharedBytes, 128);
  EXPECT_EQ(kernels[0].localBytes, 24);
  EXPECT_EQ(kernels[0].spillStoreBytes, 0);
  EXPECT_EQ(kernels[0].spillLoadBytes, 0);
  EXPECT_EQ(kernels[0].constantBytes, 0);
}

TEST(PtxasLogTest, IgnoresLogsWithoutReport) {
  EXPECT_TRUE(parsePtxasLog("").empty());
  EXPECT_TRUE(parsePtxasLog("m.onnx(1): error: expected an expression\n"
                            "ptxas         .     bytes stack frame\n")
                  .empty());
}

//===----------------------------------------------------------------------===//
// KernelCache without NVRTC
//===----------------------------------------------------------------------===//

TEST(KernelCacheTest, KeyIsStableAndCoversEveryPart) {
  Headers headers = {{"dsr1_device.cuh", "// device"}};
  std::vector<std::string> options = {"-std=c++17"};
  std::string base = KernelCache::key("src", headers, "sm_80", "13.0", options);
  EXPECT_EQ(base, KernelCache::key("src", headers, "sm_80", "13.0", options));
  EXPECT_EQ(base.rfind("sm_80-nvrtc13.0-", 0), 0u) << base;
  EXPECT_EQ(base.size(), std::string("sm_80-nvrtc13.0-").size() + 32);

  EXPECT_NE(base, KernelCache::key("src2", headers, "sm_80", "13.0", options));
  EXPECT_NE(base, KernelCache::key("src", {}, "sm_80", "13.0", options));
  EXPECT_NE(base, KernelCache::key("src", {{"dsr1_device.cuh", "// other"}},
                                   "sm_80", "13.0", options));
  EXPECT_NE(base, KernelCache::key("src", {{"other.cuh", "// device"}}, "sm_80",
                                   "13.0", options));
  EXPECT_NE(base, KernelCache::key("src", headers, "sm_90a", "13.0", options));
  EXPECT_NE(base, KernelCache::key("src", headers, "sm_80", "12.8", options));
  EXPECT_NE(base, KernelCache::key("src", headers, "sm_80", "13.0", {}));
  EXPECT_NE(base, KernelCache::key("src", headers, "sm_80", "13.0",
                                   {"-std=c++17", "-lineinfo"}));
  // Moving text between parts changes the key.
  EXPECT_NE(KernelCache::key("ab", {}, "sm_80", "13.0", {"c"}),
            KernelCache::key("a", {}, "sm_80", "13.0", {"bc"}));
  EXPECT_NE(KernelCache::key("", {}, "sm_80", "13.0", {"a", "b"}),
            KernelCache::key("", {}, "sm_80", "13.0", {"ab"}));
}

TEST(KernelCacheTest, KeyValueIsPinned) {
  // Keys name files that outlive the build which wrote them, so the hash is
  // ours (FNV-1a), not std::hash: pinned, it cannot drift between builds
  // unnoticed.
  EXPECT_EQ(KernelCache::key("extern \"C\" __global__ void k() {}", {}, "sm_80",
                             "13.0", {"-std=c++17"}),
            "sm_80-nvrtc13.0-6881be208f7348b6ca94846a3cc4af0f");
}

TEST(KernelCacheTest, StoresAndLooksUpAcrossObjects) {
  TempDir temp;
  std::string dir = temp.path() + "/a/b/kernels";
  CompiledKernels kernels = sampleKernels();
  std::string key = KernelCache::key("src", {}, "sm_80", "13.0", {});
  {
    KernelCache cache(dir);
    EXPECT_EQ(cache.dir(), dir);
    EXPECT_FALSE(cache.lookup(key)) << "no directory yet";
    ASSERT_TRUE(cache.store(key, kernels).isOk());
    EXPECT_EQ(cache.misses(), 1);
    EXPECT_EQ(cache.hits(), 0);
  }
  KernelCache cache(dir);
  std::optional<CompiledKernels> found = cache.lookup(key);
  ASSERT_TRUE(found);
  expectSameKernels(*found, kernels);
  EXPECT_FALSE(found->fromCache) << "lookup returns what was stored";
  EXPECT_EQ(cache.hits(), 1);
  EXPECT_FALSE(cache.lookup(KernelCache::key("src", {}, "sm_90a", "13.0", {})));
  EXPECT_EQ(cache.misses(), 1);
  EXPECT_EQ(entries(dir).size(), 1u) << "no temporary files left";

  // Storing again replaces the entry.
  kernels.cubin = "\x7f"
                  "ELF other";
  ASSERT_TRUE(cache.store(key, kernels).isOk());
  found = cache.lookup(key);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->cubin, kernels.cubin);
  EXPECT_EQ(entries(dir).size(), 1u);
}

TEST(KernelCacheTest, DamagedEntriesAreMisses) {
  TempDir temp;
  KernelCache cache(temp.path());
  std::string key = KernelCache::key("src", {}, "sm_80", "13.0", {});
  ASSERT_TRUE(cache.store(key, sampleKernels()).isOk());
  ASSERT_EQ(entries(temp.path()).size(), 1u);
  std::string path = temp.path() + "/" + entries(temp.path())[0];
  std::string whole = readFile(path);
  ASSERT_FALSE(whole.empty());

  // Every truncation, including the empty file.
  for (size_t size = 0; size < whole.size(); ++size) {
    writeFile(path, whole.substr(0, size));
    EXPECT_FALSE(cache.lookup(key)) << "truncated to " << size;
  }
  // Trailing garbage, a lying length, another format version.
  writeFile(path, whole + "x");
  EXPECT_FALSE(cache.lookup(key));
  std::string lying = whole;
  size_t at = lying.find("ptx ");
  ASSERT_NE(at, std::string::npos);
  lying.replace(at, 4, "ptx 9");
  writeFile(path, lying);
  EXPECT_FALSE(cache.lookup(key));
  std::string otherVersion = whole;
  otherVersion[otherVersion.find('\n') - 1] = '0';
  writeFile(path, otherVersion);
  EXPECT_FALSE(cache.lookup(key));
  // An entry stored under another key (a renamed file) is not this one.
  std::string otherKey = KernelCache::key("other", {}, "sm_80", "13.0", {});
  fs::rename(path, temp.path() + "/" + otherKey + ".entry");
  writeFile(temp.path() + "/" + key + ".entry", whole);
  EXPECT_FALSE(cache.lookup(otherKey));
  EXPECT_TRUE(cache.lookup(key)) << "the intact entry still reads";
}

TEST(KernelCacheTest, RefusesKeysThatAreNotFileNames) {
  TempDir temp;
  KernelCache cache(temp.path() + "/kernels");
  for (const char *key : {"", "../escape", "a/b", ".hidden", "a b"}) {
    EXPECT_FALSE(cache.store(key, sampleKernels()).isOk()) << key;
    EXPECT_FALSE(cache.lookup(key)) << key;
  }
  EXPECT_FALSE(fs::exists(temp.path() + "/escape.entry"));
}

TEST(KernelCacheTest, StoreIntoUnwritablePlaceIsAnError) {
  TempDir temp;
  writeFile(temp.path() + "/file", "x");
  KernelCache cache(temp.path() + "/file/kernels");
  Status status = cache.store("k", sampleKernels());
  ASSERT_FALSE(status.isOk());
  EXPECT_NE(status.message().find(temp.path() + "/file/kernels"),
            std::string::npos)
      << status.message();
}

TEST(KernelCacheTest, DefaultDirFollowsEnvironment) {
  ScopedEnv home("HOME", "/home/u");
  {
    ScopedEnv cacheDir("DSR1_CACHE_DIR", "/c");
    ScopedEnv xdg("XDG_CACHE_HOME", "/x");
    EXPECT_EQ(KernelCache::defaultDir(), "/c/kernels");
  }
  {
    ScopedEnv cacheDir("DSR1_CACHE_DIR", nullptr);
    ScopedEnv xdg("XDG_CACHE_HOME", "/x");
    EXPECT_EQ(KernelCache::defaultDir(), "/x/dsr1/kernels");
  }
  {
    ScopedEnv cacheDir("DSR1_CACHE_DIR", "");
    ScopedEnv xdg("XDG_CACHE_HOME", "");
    EXPECT_EQ(KernelCache::defaultDir(), "/home/u/.cache/dsr1/kernels");
  }
  {
    ScopedEnv cacheDir("DSR1_CACHE_DIR", nullptr);
    ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
    ScopedEnv noHome("HOME", nullptr);
    std::string dir = KernelCache::defaultDir();
    std::string tail = "/dsr1-" + std::to_string(getuid()) + "/kernels";
    ASSERT_GT(dir.size(), tail.size()) << dir;
    EXPECT_EQ(dir.substr(dir.size() - tail.size()), tail);
  }
}

TEST(NvrtcLoadTest, MissingLibraryIsExplained) {
  ScopedEnv library("DSR1_NVRTC_LIBRARY", "/nonexistent/libnvrtc.so");
  Result<std::shared_ptr<Nvrtc>> nvrtc = Nvrtc::load();
  ASSERT_FALSE(nvrtc);
  const std::string &message = nvrtc.status().message();
  EXPECT_NE(message.find("/nonexistent/libnvrtc.so"), std::string::npos)
      << message;
  EXPECT_NE(message.find("CUDA toolkit's NVRTC"), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

//===----------------------------------------------------------------------===//
// Compiles through NVRTC
//===----------------------------------------------------------------------===//

class NvrtcTest : public testing::Test {
protected:
  static void SetUpTestSuite() {
    Result<std::shared_ptr<Nvrtc>> loaded = Nvrtc::load();
    if (loaded)
      nvrtc_ = *loaded;
    else
      loadError_ = loaded.status().message();
  }
  static void TearDownTestSuite() { nvrtc_.reset(); }
  void SetUp() override {
    if (!nvrtc_)
      GTEST_SKIP() << loadError_;
  }

  static std::shared_ptr<Nvrtc> nvrtc_;
  static std::string loadError_;
};

std::shared_ptr<Nvrtc> NvrtcTest::nvrtc_;
std::string NvrtcTest::loadError_;

const char kScaleKernel[] =
    "extern \"C\" __global__ void k(float *out, const float *in, int n) {\n"
    "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "  if (i < n)\n"
    "    out[i] = in[i] * 2.0f;\n"
    "}\n";

bool hasArch(const Nvrtc &nvrtc, int arch) {
  for (int supported : nvrtc.supportedArchs())
    if (supported == arch)
      return true;
  return false;
}

TEST_F(NvrtcTest, ReportsVersionAndArchitectures) {
  std::string version = nvrtc_->version();
  EXPECT_NE(version.find('.'), std::string::npos) << version;
  EXPECT_TRUE(hasArch(*nvrtc_, 80));
  EXPECT_TRUE(hasArch(*nvrtc_, 90));
  EXPECT_FALSE(nvrtc_->libraryPath().empty());
}

TEST_F(NvrtcTest, CompilesForA100AndH100) {
  for (const char *arch : {"sm_80", "sm_90a"}) {
    SCOPED_TRACE(arch);
    Result<CompiledKernels> compiled =
        nvrtc_->compile(kScaleKernel, "scale.onnx", arch, {});
    ASSERT_TRUE(compiled) << compiled.status().message();
    EXPECT_EQ(compiled->arch, arch);
    EXPECT_FALSE(compiled->fromCache);
    ASSERT_GE(compiled->cubin.size(), 4u);
    EXPECT_EQ(compiled->cubin.compare(0, 4,
                                      "\x7f"
                                      "ELF"),
              0);
    EXPECT_NE(compiled->ptx.find(".entry k"), std::string::npos);
    EXPECT_NE(compiled->ptx.find(std::string(".target ") + arch),
              std::string::npos)
        << compiled->ptx.substr(0, 400);
    EXPECT_NE(compiled->log.find("Used "), std::string::npos) << compiled->log;
    ASSERT_EQ(compiled->kernels.size(), 1u) << compiled->log;
    const KernelResources &k = compiled->kernels[0];
    EXPECT_EQ(k.name, "k");
    EXPECT_GT(k.registers, 0);
    EXPECT_EQ(k.spillStoreBytes, 0);
    EXPECT_EQ(k.spillLoadBytes, 0);
    EXPECT_EQ(k.sharedBytes, 0);
  }
}

TEST_F(NvrtcTest, ReportsSharedMemoryAndTakesExtraOptions) {
  const char source[] = "#include \"params.h\"\n"
                        "extern \"C\" __global__ void s(float *out) {\n"
                        "  __shared__ float tile[kTile];\n"
                        "  tile[threadIdx.x] = out[threadIdx.x];\n"
                        "  __syncthreads();\n"
                        "  out[threadIdx.x] = tile[kTile - 1 - threadIdx.x];\n"
                        "}\n";
  Result<CompiledKernels> compiled = nvrtc_->compile(
      source, "tile.onnx", "sm_80",
      {{"params.h", "constexpr int kTile = 256;\n"}}, {"-lineinfo"});
  ASSERT_TRUE(compiled) << compiled.status().message();
  ASSERT_EQ(compiled->kernels.size(), 1u) << compiled->log;
  EXPECT_EQ(compiled->kernels[0].sharedBytes, 1024);
  EXPECT_NE(compiled->ptx.find(".loc"), std::string::npos)
      << "-lineinfo emits line tables";
}

// sm_90a, not sm_90, carries the Hopper-only instructions (wgmma) that
// H100/H200 matmul kernels need.
TEST_F(NvrtcTest, Sm90aEnablesWgmma) {
  const char source[] =
      "extern \"C\" __global__ void w() {\n"
      "  asm volatile(\"wgmma.fence.sync.aligned;\\n\" ::: \"memory\");\n"
      "}\n";
  Result<CompiledKernels> compiled =
      nvrtc_->compile(source, "wgmma.onnx", "sm_90a", {});
  ASSERT_TRUE(compiled) << compiled.status().message();
  EXPECT_NE(compiled->ptx.find("wgmma.fence"), std::string::npos);
  Result<CompiledKernels> plain =
      nvrtc_->compile(source, "wgmma.onnx", "sm_90", {});
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.status().message().find("wgmma"), std::string::npos)
      << plain.status().message();
}

TEST_F(NvrtcTest, SyntaxErrorCarriesNvrtcLog) {
  Result<CompiledKernels> compiled =
      nvrtc_->compile("extern \"C\" __global__ void k() { int x = ; }\n",
                      "broken.onnx", "sm_80", {});
  ASSERT_FALSE(compiled);
  const std::string &message = compiled.status().message();
  EXPECT_NE(message.find("broken.onnx(1): error: expected an expression"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("--gpu-architecture=sm_80"), std::string::npos)
      << message;
}

TEST_F(NvrtcTest, BadOptionNamesTheOptions) {
  Result<CompiledKernels> compiled = nvrtc_->compile(
      kScaleKernel, "scale.onnx", "sm_80", {}, {"--no-such-option"});
  ASSERT_FALSE(compiled);
  EXPECT_NE(compiled.status().message().find("--no-such-option"),
            std::string::npos)
      << compiled.status().message();
}

TEST_F(NvrtcTest, RefusesUnsupportedArchitectures) {
  for (const char *arch : {"sm_10", "foo", "sm_", "sm_80x", "compute_80",
                           "sm_8o", "", "sm_80a", "sm_90f", "sm_90af"}) {
    Result<CompiledKernels> compiled =
        nvrtc_->compile(kScaleKernel, "scale.onnx", arch, {});
    ASSERT_FALSE(compiled) << arch;
    const std::string &message = compiled.status().message();
    EXPECT_NE(message.find(std::string("'") + arch + "'"), std::string::npos)
        << message;
    EXPECT_NE(message.find("sm_80"), std::string::npos) << message;
    EXPECT_NE(message.find("sm_90"), std::string::npos) << message;
  }
}

TEST_F(NvrtcTest, DeviceLibraryCompiles) {
  std::string header =
      readFile(std::string(DSR1_SOURCE_DIR) + "/codegen/cuda/dsr1_device.cuh");
  ASSERT_FALSE(header.empty()) << "cannot read dsr1_device.cuh";
  const char source[] =
      "#include \"dsr1_device.cuh\"\n"
      "extern \"C\" __global__ void r(const float *in, const uint16_t *half,\n"
      "                               const uint16_t *bf, const bool *mask,\n"
      "                               const int *ints, uint16_t *halfOut,\n"
      "                               uint16_t *bfOut, float *sums,\n"
      "                               int *status, int n) {\n"
      "  DSR1_SHARED(float, scratch, 32);\n"
      "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
      "  float v = 0.0f;\n"
      "  if (i < n) {\n"
      "    v = dsr1::load(in + i) + dsr1::halfToFloat(dsr1::load(half + i)) +\n"
      "        dsr1::bf16ToFloat(dsr1::load(bf + i)) +\n"
      "        float(dsr1::floorMod(dsr1::load(ints + i), 7));\n"
      "    if (!dsr1::load(mask + i))\n"
      "      dsr1::fail(status, 3);\n"
      "    halfOut[i] = dsr1::floatToHalf(v);\n"
      "    bfOut[i] = dsr1::floatToBf16(v);\n"
      "  }\n"
      "  float sum = dsr1::blockReduce(v, dsr1::SumOp(), 0.0f, scratch);\n"
      "  float top = dsr1::blockReduce(v, dsr1::MaxOp(), -3.0e38f, scratch);\n"
      "  if (threadIdx.x == 0)\n"
      "    sums[blockIdx.x] = sum + top;\n"
      "}\n";
  for (const char *arch : {"sm_80", "sm_90a"}) {
    SCOPED_TRACE(arch);
    Result<CompiledKernels> compiled = nvrtc_->compile(
        source, "device.onnx", arch, {{"dsr1_device.cuh", header}});
    ASSERT_TRUE(compiled) << compiled.status().message();
    ASSERT_EQ(compiled->kernels.size(), 1u) << compiled->log;
    EXPECT_EQ(compiled->kernels[0].name, "r");
    EXPECT_EQ(compiled->kernels[0].sharedBytes, 32 * 4);
    EXPECT_EQ(compiled->kernels[0].spillStoreBytes, 0);
    EXPECT_EQ(compiled->log.find("warning"), std::string::npos)
        << compiled->log;
  }
}

TEST_F(NvrtcTest, CompileCachedHitsOnTheSecondCompile) {
  TempDir temp;
  std::string dir = temp.path() + "/cache/kernels";
  CompiledKernels first;
  {
    KernelCache cache(dir);
    Result<CompiledKernels> compiled =
        compileCached(*nvrtc_, &cache, kScaleKernel, "scale.onnx", "sm_80", {});
    ASSERT_TRUE(compiled) << compiled.status().message();
    EXPECT_FALSE(compiled->fromCache);
    EXPECT_EQ(cache.misses(), 1);
    EXPECT_EQ(cache.hits(), 0);
    first = *compiled;
  }
  ASSERT_EQ(entries(dir).size(), 1u);

  KernelCache cache(dir);
  Result<CompiledKernels> again =
      compileCached(*nvrtc_, &cache, kScaleKernel, "scale.onnx", "sm_80", {});
  ASSERT_TRUE(again) << again.status().message();
  EXPECT_TRUE(again->fromCache);
  expectSameKernels(*again, first);
  EXPECT_EQ(cache.hits(), 1);
  EXPECT_EQ(cache.misses(), 0);

  // Another source, arch or option set misses and adds an entry.
  std::string changed = std::string(kScaleKernel) + "// changed\n";
  Result<CompiledKernels> other =
      compileCached(*nvrtc_, &cache, changed, "scale.onnx", "sm_80", {});
  ASSERT_TRUE(other) << other.status().message();
  EXPECT_FALSE(other->fromCache);
  other =
      compileCached(*nvrtc_, &cache, kScaleKernel, "scale.onnx", "sm_90a", {});
  ASSERT_TRUE(other) << other.status().message();
  EXPECT_FALSE(other->fromCache);
  EXPECT_EQ(other->arch, "sm_90a");
  other = compileCached(*nvrtc_, &cache, kScaleKernel, "scale.onnx", "sm_80",
                        {}, {"-lineinfo"});
  ASSERT_TRUE(other) << other.status().message();
  EXPECT_FALSE(other->fromCache);
  EXPECT_EQ(cache.misses(), 3);
  EXPECT_EQ(entries(dir).size(), 4u);

  // A truncated entry is recompiled, and the rewritten entry hits again.
  std::string key =
      KernelCache::key(kScaleKernel, {}, "sm_80", nvrtc_->version(),
                       Nvrtc::baseOptions("sm_80"));
  std::string path = dir + "/" + key + ".entry";
  ASSERT_TRUE(fs::exists(path));
  std::string whole = readFile(path);
  writeFile(path, whole.substr(0, whole.size() / 2));
  Result<CompiledKernels> recompiled =
      compileCached(*nvrtc_, &cache, kScaleKernel, "scale.onnx", "sm_80", {});
  ASSERT_TRUE(recompiled) << recompiled.status().message();
  EXPECT_FALSE(recompiled->fromCache);
  EXPECT_EQ(recompiled->cubin, first.cubin);
  EXPECT_EQ(cache.misses(), 4);
  recompiled =
      compileCached(*nvrtc_, &cache, kScaleKernel, "scale.onnx", "sm_80", {});
  ASSERT_TRUE(recompiled);
  EXPECT_TRUE(recompiled->fromCache);

  // No cache: compiles every time.
  Result<CompiledKernels> uncached =
      compileCached(*nvrtc_, nullptr, kScaleKernel, "scale.onnx", "sm_80", {});
  ASSERT_TRUE(uncached);
  EXPECT_FALSE(uncached->fromCache);
}

TEST_F(NvrtcTest, FailedCompilesAreNotCached) {
  TempDir temp;
  KernelCache cache(temp.path());
  for (int i = 0; i < 2; ++i) {
    Result<CompiledKernels> compiled =
        compileCached(*nvrtc_, &cache, "__global__ void k() { int x = ; }",
                      "broken.onnx", "sm_80", {});
    EXPECT_FALSE(compiled);
  }
  EXPECT_EQ(cache.misses(), 2);
  EXPECT_TRUE(entries(temp.path()).empty());
}

} // namespace
