//===- Nvrtc.h - CUDA C++ to cubin and PTX via NVRTC, cached ----*- C++ -*-===//
//
// dsr1 builds and runs without the CUDA toolkit, so NVRTC is never linked:
// Nvrtc::load() opens libnvrtc with dlopen when CUDA code generation is
// asked for. Compiled kernels are kept in an on-disk KernelCache so that
// compiling the same model again compiles nothing. Plain C++17 and libdl,
// no MLIR or LLVM, so the runtime can link it too.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CODEGEN_CUDA_NVRTC_H
#define DSR1_CODEGEN_CUDA_NVRTC_H

#include "runtime/Result.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dsr1::cuda {

/// What ptxas reports for one kernel of a cubin.
struct KernelResources {
  std::string name;
  int registers = 0;
  int sharedBytes = 0; // static shared memory
  int localBytes = 0;  // stack frame
  int spillStoreBytes = 0;
  int spillLoadBytes = 0;
  int constantBytes = 0; // cmem[0] if reported, else 0

  bool operator==(const KernelResources &other) const;
  bool operator!=(const KernelResources &other) const {
    return !(*this == other);
  }
};

/// The result of compiling one source for one architecture.
struct CompiledKernels {
  std::string arch;  // "sm_80", "sm_90a"
  std::string cubin; // ELF binary for `arch`
  /// The PTX of the same source for the matching virtual architecture
  /// (compute_80 for sm_80, compute_90a for sm_90a), which the driver can
  /// JIT for GPUs newer than `arch`.
  std::string ptx;
  std::string log; // NVRTC's log, including the ptxas -v report
  std::vector<KernelResources> kernels;
  bool fromCache = false;
};

/// Parses the resource report of `ptxas -v` (as NVRTC puts it in its log)
/// into one entry per kernel, in the order ptxas reports them. Lines it does
/// not know are skipped, as are non-entry (__noinline__ __device__)
/// functions.
std::vector<KernelResources> parsePtxasLog(const std::string &log);

/// A loaded libnvrtc. Thread-safe: NVRTC compiles distinct programs
/// concurrently and this class keeps no mutable state.
class Nvrtc {
public:
  /// Loads libnvrtc: $DSR1_NVRTC_LIBRARY if set, else the first of
  /// libnvrtc.so, libnvrtc.so.13, libnvrtc.so.12,
  /// $CUDA_HOME/lib64/libnvrtc.so and /usr/local/cuda/lib64/libnvrtc.so that
  /// opens. The error names every library tried and dlerror() of the last.
  static Result<std::shared_ptr<Nvrtc>> load();

  /// "13.0", from nvrtcVersion.
  std::string version() const;
  /// The architectures it can compile for (nvrtcGetSupportedArchs), e.g.
  /// {75, 80, 86, 89, 90, ...}.
  std::vector<int> supportedArchs() const;
  /// The library that was opened.
  const std::string &libraryPath() const { return libraryPath_; }

  /// Compiles `source` (named `name` in messages, e.g. the model file) for
  /// `arch` ("sm_80", "sm_90a"; anything that is not sm_<N>, sm_<N>a with
  /// N >= 90 or sm_<N>f with N >= 100, N supported, is an error naming the
  /// supported ones) into a cubin, with the ptxas -v resource usage parsed
  /// into `kernels`, and into PTX. `headers` are in-memory include files (name,
  /// content) for #include "name" in the source. `extraOptions` are more NVRTC
  /// options (e.g. "-lineinfo"). On failure the message holds NVRTC's full log
  /// and the options used.
  Result<CompiledKernels>
  compile(const std::string &source, const std::string &name,
          const std::string &arch,
          const std::vector<std::pair<std::string, std::string>> &headers,
          const std::vector<std::string> &extraOptions = {}) const;

  /// The options compile() passes for `arch` before `extraOptions`.
  static std::vector<std::string> baseOptions(const std::string &arch);

  Nvrtc(const Nvrtc &) = delete;
  Nvrtc &operator=(const Nvrtc &) = delete;
  ~Nvrtc();

private:
  struct Api;
  Nvrtc(std::string libraryPath, std::unique_ptr<const Api> api,
        std::string version, std::vector<int> archs);

  std::string libraryPath_;
  std::unique_ptr<const Api> api_;
  std::string version_;
  std::vector<int> archs_;
};

/// An on-disk cache of compiled kernels keyed by (hash of source, headers and
/// options; arch; NVRTC version). Each entry is one file under dir() named
/// after its key, written to a temporary file and renamed into place so
/// that concurrent processes never read half an entry. A missing, corrupt
/// or truncated entry is a miss, never an error.
class KernelCache {
public:
  explicit KernelCache(std::string dir);

  /// $DSR1_CACHE_DIR, else $XDG_CACHE_HOME/dsr1, else $HOME/.cache/dsr1
  /// (else dsr1-<uid> in the system temporary directory), with "/kernels"
  /// appended. Empty variables count as unset.
  static std::string defaultDir();

  const std::string &dir() const { return dir_; }

  /// The entry stored under `key`, if there is a valid one.
  std::optional<CompiledKernels> lookup(const std::string &key) const;
  /// Stores `kernels` under `key`, creating dir() and its parents if needed.
  /// fromCache is not stored.
  Status store(const std::string &key, const CompiledKernels &kernels) const;

  /// The key for a compile: "<arch>-nvrtc<version>-<128-bit hash as hex>".
  static std::string
  key(const std::string &source,
      const std::vector<std::pair<std::string, std::string>> &headers,
      const std::string &arch, const std::string &nvrtcVersion,
      const std::vector<std::string> &options);

  /// Lookups that found (did not find) an entry since construction.
  int hits() const { return hits_.load(); }
  int misses() const { return misses_.load(); }

private:
  std::string entryPath(const std::string &key) const;

  std::string dir_;
  mutable std::atomic<int> hits_{0};
  mutable std::atomic<int> misses_{0};
};

/// Nvrtc::compile() through `cache` (null: no caching). A hit returns the
/// stored kernels with fromCache set; a miss compiles and stores the result.
/// A cache that cannot be written does not fail the compile: the cache only
/// saves time. `name` is not part of the key: it only labels messages (and
/// the file of -lineinfo line tables), and the same model read from another
/// path should still hit.
Result<CompiledKernels>
compileCached(const Nvrtc &nvrtc, const KernelCache *cache,
              const std::string &source, const std::string &name,
              const std::string &arch,
              const std::vector<std::pair<std::string, std::string>> &headers,
              const std::vector<std::string> &extraOptions = {});

/// compileCached() for each of `archs` in turn; the first failure ends it.
Result<std::vector<CompiledKernels>> compileForArchs(
    const Nvrtc &nvrtc, const KernelCache *cache, const std::string &source,
    const std::string &name, const std::vector<std::string> &archs,
    const std::vector<std::pair<std::string, std::string>> &headers);

} // namespace dsr1::cuda

#endif // DSR1_CODEGEN_CUDA_NVRTC_H
