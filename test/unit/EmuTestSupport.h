//===- EmuTestSupport.h - what cuda-emu unit tests share --------*- C++ -*-===//
//
// The device headers as they are in the source tree, a kernel cache
// directory for the test process (removed when it exits), and a module of
// test kernels built once per process.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_TEST_UNIT_EMUTESTSUPPORT_H
#define DSR1_TEST_UNIT_EMUTESTSUPPORT_H

#include "runtime/cudaemu/CudaEmu.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdlib.h>
#include <string>
#include <utility>
#include <vector>

namespace dsr1::test {

/// A file of the source tree, by its path from the repository root.
inline std::string readSource(const std::string &path) {
  std::ifstream in(std::string(DSR1_SOURCE_DIR) + "/" + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The headers generated code includes, from the source tree.
inline std::vector<std::pair<std::string, std::string>> emuHeaders() {
  return {{"dsr1_device.cuh", readSource("codegen/cuda/dsr1_device.cuh")},
          {"cuda_emu.h", readSource("runtime/cudaemu/cuda_emu.h")}};
}

/// A kernel cache directory for this test process, removed when it exits.
inline const std::string &emuCacheDir() {
  struct TempDir {
    std::string path;
    TempDir() {
      std::string pattern = testing::TempDir() + "dsr1-unit-emu-XXXXXX";
      if (char *made = mkdtemp(pattern.data()))
        path = made;
    }
    ~TempDir() {
      std::error_code ec;
      if (!path.empty())
        std::filesystem::remove_all(path, ec);
    }
  };
  static const TempDir dir;
  return dir.path;
}

/// `source` built once (the caller keeps the result in a static); a failure
/// is a test failure and null.
inline std::unique_ptr<cudaemu::EmuModule>
buildEmuModule(const std::string &source, const std::string &label) {
  Result<std::unique_ptr<cudaemu::EmuModule>> result =
      cudaemu::EmuModule::build(source, emuHeaders(), emuCacheDir(), label);
  if (!result) {
    ADD_FAILURE() << result.status().message();
    return nullptr;
  }
  return std::move(*result);
}

} // namespace dsr1::test

#endif // DSR1_TEST_UNIT_EMUTESTSUPPORT_H
