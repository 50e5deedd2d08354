//===- Nvrtc.cpp - NVRTC loaded with dlopen, ptxas reports, kernel cache --===//
//
// The NVRTC entry points are declared here rather than taken from nvrtc.h so
// that dsr1 compiles where the CUDA toolkit is not installed; their C ABI
// has been stable since NVRTC 11.2 (the first with nvrtcGetSupportedArchs).
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/Nvrtc.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace dsr1::cuda {

namespace {

// nvrtcResult is a C enum, passed and returned as int; 0 is NVRTC_SUCCESS.
using NvrtcResult = int;
constexpr NvrtcResult kNvrtcSuccess = 0;
struct NvrtcProgramOpaque;
using NvrtcProgram = NvrtcProgramOpaque *;

} // namespace

struct Nvrtc::Api {
  const char *(*getErrorString)(NvrtcResult);
  NvrtcResult (*version)(int *, int *);
  NvrtcResult (*getNumSupportedArchs)(int *);
  NvrtcResult (*getSupportedArchs)(int *);
  NvrtcResult (*createProgram)(NvrtcProgram *, const char *, const char *, int,
                               const char *const *, const char *const *);
  NvrtcResult (*destroyProgram)(NvrtcProgram *);
  NvrtcResult (*compileProgram)(NvrtcProgram, int, const char *const *);
  NvrtcResult (*getPTXSize)(NvrtcProgram, size_t *);
  NvrtcResult (*getPTX)(NvrtcProgram, char *);
  NvrtcResult (*getCUBINSize)(NvrtcProgram, size_t *);
  NvrtcResult (*getCUBIN)(NvrtcProgram, char *);
  NvrtcResult (*getProgramLogSize)(NvrtcProgram, size_t *);
  NvrtcResult (*getProgramLog)(NvrtcProgram, char *);

  std::string errorString(NvrtcResult result) const {
    const char *text = getErrorString(result);
    return text ? text : "NVRTC error " + std::to_string(result);
  }

  /// Resolves every entry point in `handle`; on failure returns the name of
  /// the first one missing.
  std::optional<std::string> resolve(void *handle);

  /// Destroys a program however compile() leaves.
  class ProgramGuard {
  public:
    ProgramGuard(const Api &api, NvrtcProgram program)
        : api_(api), program_(program) {}
    ~ProgramGuard() { api_.destroyProgram(&program_); }
    ProgramGuard(const ProgramGuard &) = delete;
    ProgramGuard &operator=(const ProgramGuard &) = delete;

  private:
    const Api &api_;
    NvrtcProgram program_;
  };
};

namespace {

template <typename Fn>
void bind(void *handle, const char *symbol, Fn &fn, std::string &missing) {
  if (!missing.empty())
    return;
  // POSIX guarantees that the object pointer dlsym returns converts to a
  // function pointer; the copy avoids a cast -Wpedantic warns about.
  void *address = dlsym(handle, symbol);
  if (!address) {
    missing = symbol;
    return;
  }
  static_assert(sizeof(fn) == sizeof(address), "function pointer size");
  std::memcpy(&fn, &address, sizeof(fn));
}

} // namespace

std::optional<std::string> Nvrtc::Api::resolve(void *handle) {
  std::string missing;
  bind(handle, "nvrtcGetErrorString", getErrorString, missing);
  bind(handle, "nvrtcVersion", version, missing);
  bind(handle, "nvrtcGetNumSupportedArchs", getNumSupportedArchs, missing);
  bind(handle, "nvrtcGetSupportedArchs", getSupportedArchs, missing);
  bind(handle, "nvrtcCreateProgram", createProgram, missing);
  bind(handle, "nvrtcDestroyProgram", destroyProgram, missing);
  bind(handle, "nvrtcCompileProgram", compileProgram, missing);
  bind(handle, "nvrtcGetPTXSize", getPTXSize, missing);
  bind(handle, "nvrtcGetPTX", getPTX, missing);
  bind(handle, "nvrtcGetCUBINSize", getCUBINSize, missing);
  bind(handle, "nvrtcGetCUBIN", getCUBIN, missing);
  bind(handle, "nvrtcGetProgramLogSize", getProgramLogSize, missing);
  bind(handle, "nvrtcGetProgramLog", getProgramLog, missing);
  if (missing.empty())
    return std::nullopt;
  return missing;
}

namespace {

std::string envOrEmpty(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

std::string joined(const std::vector<std::string> &parts,
                   const std::string &separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i)
      out += separator;
    out += parts[i];
  }
  return out;
}

/// NVRTC's string outputs count their terminating NUL.
void dropTrailingNuls(std::string &text) {
  while (!text.empty() && text.back() == '\0')
    text.pop_back();
}

/// Parses "sm_<N>", "sm_<N>a" or "sm_<N>f" into N. The suffixes exist only
/// where CUDA defines them: architecture-specific ("a") targets from sm_90,
/// family-specific ("f") ones from sm_100; NVRTC rejects the others with a
/// message that does not name the valid targets.
std::optional<int> archNumber(const std::string &arch) {
  const std::string prefix = "sm_";
  if (arch.compare(0, prefix.size(), prefix) != 0)
    return std::nullopt;
  size_t end = arch.size();
  char suffix = 0;
  if (end > prefix.size() && (arch.back() == 'a' || arch.back() == 'f'))
    suffix = arch[--end];
  if (end == prefix.size() || end - prefix.size() > 4)
    return std::nullopt;
  int number = 0;
  for (size_t i = prefix.size(); i < end; ++i) {
    if (arch[i] < '0' || arch[i] > '9')
      return std::nullopt;
    number = number * 10 + (arch[i] - '0');
  }
  if ((suffix == 'a' && number < 90) || (suffix == 'f' && number < 100))
    return std::nullopt;
  return number;
}

} // namespace

//===----------------------------------------------------------------------===//
// Nvrtc
//===----------------------------------------------------------------------===//

Nvrtc::Nvrtc(std::string libraryPath, std::unique_ptr<const Api> api,
             std::string version, std::vector<int> archs)
    : libraryPath_(std::move(libraryPath)), api_(std::move(api)),
      version_(std::move(version)), archs_(std::move(archs)) {}

// The library stays loaded: libnvrtc loads its builtins library and
// registers process-wide state, and unloading it under those would crash at
// exit. dlopen reference-counts, so loading again costs nothing.
Nvrtc::~Nvrtc() = default;

Result<std::shared_ptr<Nvrtc>> Nvrtc::load() {
  std::vector<std::string> candidates;
  std::string explicitPath = envOrEmpty("DSR1_NVRTC_LIBRARY");
  if (!explicitPath.empty()) {
    candidates.push_back(explicitPath);
  } else {
    candidates = {"libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12"};
    std::string cudaHome = envOrEmpty("CUDA_HOME");
    if (!cudaHome.empty())
      candidates.push_back(cudaHome + "/lib64/libnvrtc.so");
    candidates.push_back("/usr/local/cuda/lib64/libnvrtc.so");
  }

  std::string lastError = "none";
  for (const std::string &candidate : candidates) {
    void *handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *error = dlerror();
      lastError = error ? error : "dlopen failed";
      continue;
    }
    auto api = std::make_unique<Api>();
    if (std::optional<std::string> missing = api->resolve(handle)) {
      // Too old an NVRTC (or not NVRTC at all): a later candidate may do.
      lastError = candidate + " has no " + *missing +
                  " (NVRTC 11.2 or newer is needed)";
      dlclose(handle);
      continue;
    }
    int major = 0, minor = 0;
    NvrtcResult result = api->version(&major, &minor);
    if (result != kNvrtcSuccess) {
      lastError =
          candidate + ": nvrtcVersion failed: " + api->errorString(result);
      dlclose(handle);
      continue;
    }
    int count = 0;
    std::vector<int> archs;
    result = api->getNumSupportedArchs(&count);
    if (result == kNvrtcSuccess && count > 0) {
      archs.resize(size_t(count));
      result = api->getSupportedArchs(archs.data());
    }
    if (result != kNvrtcSuccess || archs.empty()) {
      lastError = candidate + ": nvrtcGetSupportedArchs failed: " +
                  api->errorString(result);
      dlclose(handle);
      continue;
    }
    std::string version = std::to_string(major) + "." + std::to_string(minor);
    return std::shared_ptr<Nvrtc>(new Nvrtc(
        candidate, std::move(api), std::move(version), std::move(archs)));
  }
  return Status::error(
      "CUDA code generation needs the CUDA toolkit's NVRTC (libnvrtc), which "
      "could not be loaded; tried " +
      joined(candidates, ", ") + "; last error: " + lastError +
      ". Install the CUDA toolkit, or set DSR1_NVRTC_LIBRARY to the path of "
      "libnvrtc.so");
}

std::string Nvrtc::version() const { return version_; }

std::vector<int> Nvrtc::supportedArchs() const { return archs_; }

std::vector<std::string> Nvrtc::baseOptions(const std::string &arch) {
  // NVRTC takes --ptxas-options=-v, -Xptxas=-v and "-Xptxas" "-v" alike; the
  // one-string spelling keeps the option list a list of whole options. A
  // real architecture makes one compile yield both the cubin and the PTX,
  // which is the PTX a compute_<N> compile gives.
  return {"-std=c++17", "--gpu-architecture=" + arch, "-Xptxas=-v"};
}

Result<CompiledKernels>
Nvrtc::compile(const std::string &source, const std::string &name,
               const std::string &arch,
               const std::vector<std::pair<std::string, std::string>> &headers,
               const std::vector<std::string> &extraOptions) const {
  std::optional<int> number = archNumber(arch);
  bool supported = false;
  for (int candidate : archs_)
    supported |= number && *number == candidate;
  if (!supported) {
    std::vector<std::string> names;
    for (int candidate : archs_)
      names.push_back("sm_" + std::to_string(candidate));
    return Status::error("cannot compile " + name + " for CUDA architecture '" +
                         arch + "': NVRTC " + version_ + " supports " +
                         joined(names, ", ") +
                         " (from sm_90 also with an 'a' suffix, as in sm_90a, "
                         "for architecture-specific features such as wgmma; "
                         "from sm_100 also with an 'f' suffix)");
  }

  std::vector<std::string> options = baseOptions(arch);
  options.insert(options.end(), extraOptions.begin(), extraOptions.end());
  std::vector<const char *> optionPointers;
  for (const std::string &option : options)
    optionPointers.push_back(option.c_str());
  std::vector<const char *> headerSources, headerNames;
  for (const auto &[headerName, headerSource] : headers) {
    headerNames.push_back(headerName.c_str());
    headerSources.push_back(headerSource.c_str());
  }

  NvrtcProgram program = nullptr;
  NvrtcResult result = api_->createProgram(
      &program, source.c_str(), name.c_str(), int(headers.size()),
      headerSources.data(), headerNames.data());
  if (result != kNvrtcSuccess)
    return Status::error("NVRTC could not create a program for " + name + ": " +
                         api_->errorString(result));
  Api::ProgramGuard guard(*api_, program);

  NvrtcResult compiled = api_->compileProgram(
      program, int(optionPointers.size()), optionPointers.data());
  CompiledKernels out;
  out.arch = arch;
  size_t size = 0;
  if (api_->getProgramLogSize(program, &size) == kNvrtcSuccess && size) {
    out.log.resize(size);
    if (api_->getProgramLog(program, out.log.data()) != kNvrtcSuccess)
      out.log.clear();
    dropTrailingNuls(out.log);
  }
  std::string context =
      " " + name + " for " + arch + " with options " + joined(options, " ");
  if (compiled != kNvrtcSuccess)
    return Status::error("NVRTC could not compile" + context + " (" +
                         api_->errorString(compiled) + "):\n" + out.log);

  result = api_->getCUBINSize(program, &size);
  if (result == kNvrtcSuccess && size) {
    out.cubin.resize(size);
    result = api_->getCUBIN(program, out.cubin.data());
  }
  if (result != kNvrtcSuccess || out.cubin.empty())
    return Status::error("NVRTC produced no cubin compiling" + context + " (" +
                         api_->errorString(result) + ")");
  result = api_->getPTXSize(program, &size);
  if (result == kNvrtcSuccess && size) {
    out.ptx.resize(size);
    result = api_->getPTX(program, out.ptx.data());
    dropTrailingNuls(out.ptx);
  }
  if (result != kNvrtcSuccess || out.ptx.empty())
    return Status::error("NVRTC produced no PTX compiling" + context + " (" +
                         api_->errorString(result) + ")");
  out.kernels = parsePtxasLog(out.log);
  return out;
}

//===----------------------------------------------------------------------===//
// ptxas -v reports
//===----------------------------------------------------------------------===//

bool KernelResources::operator==(const KernelResources &other) const {
  return name == other.name && registers == other.registers &&
         sharedBytes == other.sharedBytes && localBytes == other.localBytes &&
         spillStoreBytes == other.spillStoreBytes &&
         spillLoadBytes == other.spillLoadBytes &&
         constantBytes == other.constantBytes;
}

namespace {

std::string trimmed(const std::string &text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos)
    return "";
  size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

/// The comma-separated items of `text`, trimmed.
std::vector<std::string> items(const std::string &text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    out.push_back(trimmed(item));
  return out;
}

/// Reads "<number> <what>" items such as "360 bytes cmem[0]" into `field`;
/// leaves it alone when the item is anything else.
void readCount(const std::string &item, const std::string &what, int &field) {
  size_t digits = 0;
  while (digits < item.size() && item[digits] >= '0' && item[digits] <= '9')
    ++digits;
  if (digits == 0 || digits > 9 || item.size() != digits + 1 + what.size() ||
      item[digits] != ' ' || item.compare(digits + 1, what.size(), what) != 0)
    return;
  field = std::atoi(item.substr(0, digits).c_str());
}

} // namespace

std::vector<KernelResources> parsePtxasLog(const std::string &log) {
  // ptxas reports an entry as
  //   ptxas info    : Compiling entry function 'k' for 'sm_80'
  //   ptxas info    : Function properties for k
  //   ptxas         .     0 bytes stack frame, 0 bytes spill stores, ...
  //   ptxas info    : Used 10 registers, used 0 barriers, 1024 bytes smem,
  //                   360 bytes cmem[0]
  // and non-inlined device functions with only the "Function properties"
  // part, which must not land on the entry before them.
  const std::string entryMarker = "Compiling entry function '";
  const std::string propertiesMarker = "Function properties for ";
  const std::string usedMarker = ": Used ";
  std::vector<KernelResources> kernels;
  bool propertiesOfCurrent = false;
  std::stringstream stream(log);
  std::string line;
  while (std::getline(stream, line)) {
    if (size_t at = line.find(entryMarker); at != std::string::npos) {
      size_t begin = at + entryMarker.size();
      size_t end = line.find('\'', begin);
      if (end == std::string::npos)
        continue;
      KernelResources kernel;
      kernel.name = line.substr(begin, end - begin);
      kernels.push_back(kernel);
      propertiesOfCurrent = false;
      continue;
    }
    if (size_t at = line.find(propertiesMarker); at != std::string::npos) {
      std::string function = trimmed(line.substr(at + propertiesMarker.size()));
      propertiesOfCurrent = !kernels.empty() && kernels.back().name == function;
      continue;
    }
    if (line.find("bytes stack frame") != std::string::npos) {
      if (!propertiesOfCurrent)
        continue;
      KernelResources &kernel = kernels.back();
      size_t begin = line.find_first_of("0123456789");
      if (begin == std::string::npos)
        continue;
      for (const std::string &item : items(line.substr(begin))) {
        readCount(item, "bytes stack frame", kernel.localBytes);
        readCount(item, "bytes spill stores", kernel.spillStoreBytes);
        readCount(item, "bytes spill loads", kernel.spillLoadBytes);
      }
      propertiesOfCurrent = false;
      continue;
    }
    if (size_t at = line.find(usedMarker);
        at != std::string::npos && !kernels.empty()) {
      KernelResources &kernel = kernels.back();
      for (const std::string &item :
           items(line.substr(at + usedMarker.size()))) {
        readCount(item, "registers", kernel.registers);
        readCount(item, "bytes smem", kernel.sharedBytes);
        readCount(item, "bytes cmem[0]", kernel.constantBytes);
      }
    }
  }
  return kernels;
}

//===----------------------------------------------------------------------===//
// KernelCache
//===----------------------------------------------------------------------===//

namespace {

// The first line of every entry; bump the number when the layout changes so
// that old entries read as misses.
const char kCacheMagic[] = "dsr1-kernel-cache 1";

/// FNV-1a, 64 bits, from a chosen offset basis.
class Fnv1a {
public:
  explicit Fnv1a(uint64_t basis) : state_(basis) {}
  void bytes(const void *data, size_t size) {
    const auto *p = static_cast<const unsigned char *>(data);
    for (size_t i = 0; i < size; ++i) {
      state_ ^= p[i];
      state_ *= 0x100000001b3ull;
    }
  }
  uint64_t value() const { return state_; }

private:
  uint64_t state_;
};

/// Two FNV-1a streams from different bases: 128 bits, so that an accidental
/// collision between two different models is out of reach. Every part is
/// fed with a tag and its length, so that no two lists of parts give the
/// same byte stream.
class KeyHasher {
public:
  void part(char tag, const std::string &text) {
    uint64_t size = text.size();
    unsigned char header[9] = {static_cast<unsigned char>(tag)};
    for (int i = 0; i < 8; ++i)
      header[1 + i] = static_cast<unsigned char>(size >> (8 * i));
    for (Fnv1a *h : {&low_, &high_}) {
      h->bytes(header, sizeof(header));
      h->bytes(text.data(), text.size());
    }
  }
  std::string hex() const {
    char out[33];
    std::snprintf(out, sizeof(out), "%016llx%016llx",
                  static_cast<unsigned long long>(high_.value()),
                  static_cast<unsigned long long>(low_.value()));
    return out;
  }

private:
  Fnv1a low_{0xcbf29ce484222325ull};  // The standard FNV-1a 64 basis.
  Fnv1a high_{0x84222325cbf29ce4ull}; // Its halves swapped.
};

/// Keys become file names: only these characters, so no key escapes dir().
bool isKeyCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

bool isValidKey(const std::string &key) {
  if (key.empty() || key.size() > 200 || key[0] == '.')
    return false;
  for (char c : key)
    if (!isKeyCharacter(c))
      return false;
  return true;
}

std::string sanitized(const std::string &text) {
  std::string out = text;
  for (char &c : out)
    if (!isKeyCharacter(c) || c == '-')
      c = '_';
  return out;
}

void writeBlob(std::string &out, const char *tag, const std::string &blob) {
  out += tag;
  out += ' ' + std::to_string(blob.size()) + '\n';
  out += blob;
  out += '\n';
}

/// Reads an entry, failing (returning false) at the first thing out of
/// place: entries may be truncated or damaged, and must never be trusted.
class EntryReader {
public:
  explicit EntryReader(const std::string &data) : data_(data) {}

  bool line(std::string &out) {
    size_t end = data_.find('\n', pos_);
    if (end == std::string::npos)
      return false;
    out = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return true;
  }
  bool expectLine(const std::string &expected) {
    std::string got;
    return line(got) && got == expected;
  }
  /// "<tag> <count>" with count at most `limit`.
  bool count(const std::string &tag, uint64_t limit, uint64_t &out) {
    std::string got;
    if (!line(got) || got.compare(0, tag.size() + 1, tag + " ") != 0)
      return false;
    std::string digits = got.substr(tag.size() + 1);
    if (digits.empty() || digits.size() > 12 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return false;
    out = std::stoull(digits);
    return out <= limit;
  }
  bool blob(const std::string &tag, std::string &out) {
    uint64_t size = 0;
    if (!count(tag, remaining(), size) || remaining() < size + 1 ||
        data_[pos_ + size] != '\n')
      return false;
    out = data_.substr(pos_, size);
    pos_ += size + 1;
    return true;
  }
  bool atEnd() const { return pos_ == data_.size(); }
  uint64_t remaining() const { return data_.size() - pos_; }

private:
  const std::string &data_;
  size_t pos_ = 0;
};

std::string serialize(const std::string &key, const CompiledKernels &kernels) {
  std::string out = std::string(kCacheMagic) + "\nkey " + key + "\n";
  writeBlob(out, "arch", kernels.arch);
  writeBlob(out, "cubin", kernels.cubin);
  writeBlob(out, "ptx", kernels.ptx);
  writeBlob(out, "log", kernels.log);
  out += "kernels " + std::to_string(kernels.kernels.size()) + "\n";
  for (const KernelResources &k : kernels.kernels) {
    writeBlob(out, "kernel", k.name);
    out += std::to_string(k.registers) + ' ' + std::to_string(k.sharedBytes) +
           ' ' + std::to_string(k.localBytes) + ' ' +
           std::to_string(k.spillStoreBytes) + ' ' +
           std::to_string(k.spillLoadBytes) + ' ' +
           std::to_string(k.constantBytes) + '\n';
  }
  out += "end\n";
  return out;
}

std::optional<CompiledKernels> deserialize(const std::string &key,
                                           const std::string &data) {
  EntryReader reader(data);
  CompiledKernels out;
  uint64_t count = 0;
  if (!reader.expectLine(kCacheMagic) || !reader.expectLine("key " + key) ||
      !reader.blob("arch", out.arch) || !reader.blob("cubin", out.cubin) ||
      !reader.blob("ptx", out.ptx) || !reader.blob("log", out.log) ||
      !reader.count("kernels", reader.remaining(), count))
    return std::nullopt;
  for (uint64_t i = 0; i < count; ++i) {
    KernelResources kernel;
    std::string numbers;
    if (!reader.blob("kernel", kernel.name) || !reader.line(numbers))
      return std::nullopt;
    std::istringstream stream(numbers);
    std::string rest;
    if (!(stream >> kernel.registers >> kernel.sharedBytes >>
          kernel.localBytes >> kernel.spillStoreBytes >>
          kernel.spillLoadBytes >> kernel.constantBytes) ||
        (stream >> rest))
      return std::nullopt;
    out.kernels.push_back(std::move(kernel));
  }
  if (!reader.expectLine("end") || !reader.atEnd())
    return std::nullopt;
  return out;
}

} // namespace

KernelCache::KernelCache(std::string dir) : dir_(std::move(dir)) {}

std::string KernelCache::defaultDir() {
  // Empty variables count as unset, as the XDG base directory spec says.
  std::string base = envOrEmpty("DSR1_CACHE_DIR");
  if (base.empty()) {
    std::string xdg = envOrEmpty("XDG_CACHE_HOME");
    std::string home = envOrEmpty("HOME");
    if (!xdg.empty()) {
      base = xdg + "/dsr1";
    } else if (!home.empty()) {
      base = home + "/.cache/dsr1";
    } else {
      // No home (a bare service account): still cache, per user.
      std::error_code error;
      std::filesystem::path temp = std::filesystem::temp_directory_path(error);
      base = (error ? std::string("/tmp") : temp.string()) + "/dsr1-" +
             std::to_string(getuid());
    }
  }
  return base + "/kernels";
}

std::string KernelCache::entryPath(const std::string &key) const {
  return dir_ + "/" + key + ".entry";
}

std::string KernelCache::key(
    const std::string &source,
    const std::vector<std::pair<std::string, std::string>> &headers,
    const std::string &arch, const std::string &nvrtcVersion,
    const std::vector<std::string> &options) {
  KeyHasher hasher;
  hasher.part('s', source);
  hasher.part('a', arch);
  hasher.part('v', nvrtcVersion);
  hasher.part('H', std::to_string(headers.size()));
  for (const auto &[name, content] : headers) {
    hasher.part('n', name);
    hasher.part('h', content);
  }
  hasher.part('O', std::to_string(options.size()));
  for (const std::string &option : options)
    hasher.part('o', option);
  return sanitized(arch) + "-nvrtc" + sanitized(nvrtcVersion) + "-" +
         hasher.hex();
}

std::optional<CompiledKernels>
KernelCache::lookup(const std::string &key) const {
  std::optional<CompiledKernels> found;
  if (isValidKey(key)) {
    std::ifstream file(entryPath(key), std::ios::binary);
    if (file) {
      std::ostringstream data;
      data << file.rdbuf();
      if (file.good() || file.eof())
        found = deserialize(key, data.str());
    }
  }
  ++(found ? hits_ : misses_);
  return found;
}

Status KernelCache::store(const std::string &key,
                          const CompiledKernels &kernels) const {
  if (!isValidKey(key))
    return Status::error("invalid kernel cache key '" + key + "'");
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error)
    return Status::error("cannot create the kernel cache directory " + dir_ +
                         ": " + error.message());

  // A name no other process or thread uses, in the same directory so that
  // the rename is atomic. No fsync: an entry cut short by a crash reads as a
  // miss and is written again.
  static std::atomic<unsigned> counter{0};
  std::string path = entryPath(key);
  std::string temp = path + ".tmp." + std::to_string(getpid()) + "." +
                     std::to_string(counter.fetch_add(1));
  std::string data = serialize(key, kernels);
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    file.write(data.data(), std::streamsize(data.size()));
    file.close();
    if (!file) {
      std::filesystem::remove(temp, error);
      return Status::error("cannot write the kernel cache entry " + temp);
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    std::filesystem::remove(temp, error);
    return Status::error("cannot rename " + temp + " to " + path + ": " +
                         reason);
  }
  return Status::ok();
}

Result<CompiledKernels>
compileCached(const Nvrtc &nvrtc, const KernelCache *cache,
              const std::string &source, const std::string &name,
              const std::string &arch,
              const std::vector<std::pair<std::string, std::string>> &headers,
              const std::vector<std::string> &extraOptions) {
  if (!cache)
    return nvrtc.compile(source, name, arch, headers, extraOptions);
  std::vector<std::string> options = Nvrtc::baseOptions(arch);
  options.insert(options.end(), extraOptions.begin(), extraOptions.end());
  std::string key =
      KernelCache::key(source, headers, arch, nvrtc.version(), options);
  if (std::optional<CompiledKernels> hit = cache->lookup(key)) {
    hit->fromCache = true;
    return std::move(*hit);
  }
  Result<CompiledKernels> compiled =
      nvrtc.compile(source, name, arch, headers, extraOptions);
  // The cache only saves time: an unwritable one must not fail the compile.
  if (compiled)
    (void)cache->store(key, *compiled);
  return compiled;
}

Result<std::vector<CompiledKernels>> compileForArchs(
    const Nvrtc &nvrtc, const KernelCache *cache, const std::string &source,
    const std::string &name, const std::vector<std::string> &archs,
    const std::vector<std::pair<std::string, std::string>> &headers) {
  std::vector<CompiledKernels> compiled;
  for (const std::string &arch : archs) {
    Result<CompiledKernels> one =
        compileCached(nvrtc, cache, source, name, arch, headers);
    if (!one)
      return one.status();
    compiled.push_back(std::move(*one));
  }
  return compiled;
}

} // namespace dsr1::cuda
