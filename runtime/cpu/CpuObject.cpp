//===- CpuObject.cpp - cpu kernels from a compiled shared object ----------===//
//
// The object is handed to the dynamic loader without touching the disk where
// the kernel allows (memfd_create), and binds to this runtime's routines
// through its table rather than by symbol lookup in the process, so a
// process that does not export them (a static executable, a library loaded
// RTLD_LOCAL) runs it all the same.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/CpuObject.h"
#include "runtime/cpu/CpuLibrary.h"
#include "runtime/cpu/CpuObjectAbi.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

namespace dsr1 {
namespace {

/// The loaded object. The memfd stays open while the object is loaded: the
/// loader knows it by the name /proc/self/fd/N, and a later object given the
/// same descriptor number would otherwise be taken for this one.
class SharedObjectLibrary : public CpuKernelLibrary {
public:
  SharedObjectLibrary(void *handle, int fd) : handle(handle), fd(fd) {}
  ~SharedObjectLibrary() override {
    dlclose(handle);
    if (fd >= 0)
      close(fd);
  }
  SharedObjectLibrary(const SharedObjectLibrary &) = delete;
  SharedObjectLibrary &operator=(const SharedObjectLibrary &) = delete;

  CpuKernelFn lookup(const std::string &symbol) const override {
    std::string packed = kCpuObjectPackedPrefix + symbol;
    return reinterpret_cast<CpuKernelFn>(dlsym(handle, packed.c_str()));
  }

private:
  void *handle;
  int fd;
};

Status writeAll(int fd, const uint8_t *data, size_t size) {
  while (size > 0) {
    ssize_t written = write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return Status::error(std::strerror(errno));
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return Status::ok();
}

/// Whether [offset, offset + length) lies within `size` bytes.
bool within(uint64_t offset, uint64_t length, size_t size) {
  return offset <= size && length <= size - offset;
}

/// The checks the dynamic loader does not make before it maps the file: it
/// maps segments as the program headers say, and a segment past the end of
/// a truncated file faults (SIGBUS) when the loader reads it. So the headers
/// must describe an object for this machine whose every segment is in the
/// file. The contents are trusted beyond that (an artifact's checksums
/// cover corruption).
Status checkElf(const uint8_t *data, size_t size) {
  ElfW(Ehdr) header;
  if (size < sizeof(header))
    return Status::error("not an ELF object (" + std::to_string(size) +
                         " bytes)");
  std::memcpy(&header, data, sizeof(header));
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return Status::error("not an ELF object");
#if __SIZEOF_POINTER__ == 8
  const int elfClass = ELFCLASS64;
#else
  const int elfClass = ELFCLASS32;
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const int elfData = ELFDATA2LSB;
#else
  const int elfData = ELFDATA2MSB;
#endif
  if (header.e_ident[EI_CLASS] != elfClass ||
      header.e_ident[EI_DATA] != elfData)
    return Status::error("an ELF object of another word size or byte order");
  if (header.e_type != ET_DYN)
    return Status::error("an ELF file that is no shared object");
#if defined(__x86_64__)
  if (header.e_machine != EM_X86_64)
    return Status::error("an ELF object for another machine (e_machine " +
                         std::to_string(header.e_machine) + ")");
#endif
  if (header.e_phentsize != sizeof(ElfW(Phdr)) || header.e_phnum == 0 ||
      !within(header.e_phoff, uint64_t(header.e_phnum) * sizeof(ElfW(Phdr)),
              size))
    return Status::error("truncated or corrupt ELF program headers");
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    ElfW(Phdr) segment;
    std::memcpy(&segment, data + header.e_phoff + i * sizeof(segment),
                sizeof(segment));
    if (!within(segment.p_offset, segment.p_filesz, size))
      return Status::error("truncated ELF object: segment " +
                           std::to_string(i) + " ends at byte " +
                           std::to_string(segment.p_offset + segment.p_filesz) +
                           " of " + std::to_string(size));
  }
  // The linker writes the section headers last: a file cut short anywhere
  // loses them, even where every segment survives.
  if (header.e_shnum != 0 &&
      !within(header.e_shoff, uint64_t(header.e_shnum) * header.e_shentsize,
              size))
    return Status::error("truncated ELF object (its section headers end past "
                         "byte " +
                         std::to_string(size) + ")");
  return Status::ok();
}

std::string dlerrorText() {
  const char *text = dlerror();
  return text ? text : "unknown dynamic loader error";
}

/// dlopen of `size` bytes at `data`. `fd` is the descriptor to keep open
/// while the object is loaded (-1 when none needs to be).
Result<void *> openFromMemory(const uint8_t *data, size_t size, int &fd,
                              const std::string &label) {
  fd = memfd_create("dsr1-cpu-object", MFD_CLOEXEC);
  if (fd >= 0) {
    if (Status written = writeAll(fd, data, size); !written) {
      close(fd);
      fd = -1;
      return Status::error(
          label +
          ": cannot write the cpu object to a memfd: " + written.message());
    }
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL))
      return handle;
    std::string error = dlerrorText();
    close(fd);
    fd = -1;
    // A loader that cannot open through /proc (no /proc mounted) gets the
    // file instead; bad bytes fail there too and report the same.
    if (access("/proc/self/fd", F_OK) == 0)
      return Status::error(label + ": cannot load the cpu object: " + error);
  }

  // No memfd (an old kernel, a seccomp filter): an unlinked temporary file,
  // which the mapping keeps alive.
  const char *dir = std::getenv("TMPDIR");
  std::string pattern =
      std::string(dir && *dir ? dir : "/tmp") + "/dsr1-cpu-object-XXXXXX";
  std::vector<char> path(pattern.begin(), pattern.end());
  path.push_back('\0');
  int file = mkstemp(path.data());
  if (file < 0)
    return Status::error(label +
                         ": cannot create a temporary file for the "
                         "cpu object: " +
                         std::strerror(errno));
  Status written = writeAll(file, data, size);
  close(file);
  void *handle = nullptr;
  std::string error;
  if (written) {
    handle = dlopen(path.data(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      error = dlerrorText();
  }
  unlink(path.data());
  if (!written)
    return Status::error(label + ": cannot write the cpu object to " +
                         path.data() + ": " + written.message());
  if (!handle)
    return Status::error(label + ": cannot load the cpu object: " + error);
  return handle;
}

struct FeatureTest {
  const char *name;
  bool (*supported)();
};

// __builtin_cpu_supports takes a string literal only, hence one function per
// feature. The names are LLVM's, which GCC's and Clang's builtins share.
#define DSR1_FEATURE(name)                                                     \
  {                                                                            \
    name, [] { return __builtin_cpu_supports(name) != 0; }                     \
  }

#if defined(__x86_64__) || defined(__i386__)
const FeatureTest kFeatureTests[] = {
    DSR1_FEATURE("cmov"),
    DSR1_FEATURE("mmx"),
    DSR1_FEATURE("popcnt"),
    DSR1_FEATURE("sse"),
    DSR1_FEATURE("sse2"),
    DSR1_FEATURE("sse3"),
    DSR1_FEATURE("ssse3"),
    DSR1_FEATURE("sse4.1"),
    DSR1_FEATURE("sse4.2"),
    DSR1_FEATURE("sse4a"),
    DSR1_FEATURE("avx"),
    DSR1_FEATURE("avx2"),
    DSR1_FEATURE("fma"),
    DSR1_FEATURE("fma4"),
    DSR1_FEATURE("xop"),
    DSR1_FEATURE("f16c"),
    DSR1_FEATURE("bmi"),
    DSR1_FEATURE("bmi2"),
    DSR1_FEATURE("lzcnt"),
    DSR1_FEATURE("movbe"),
    DSR1_FEATURE("adx"),
    DSR1_FEATURE("aes"),
    DSR1_FEATURE("pclmul"),
    DSR1_FEATURE("vpclmulqdq"),
    DSR1_FEATURE("gfni"),
    DSR1_FEATURE("sha"),
    DSR1_FEATURE("avxvnni"),
    DSR1_FEATURE("avx512f"),
    DSR1_FEATURE("avx512vl"),
    DSR1_FEATURE("avx512bw"),
    DSR1_FEATURE("avx512dq"),
    DSR1_FEATURE("avx512cd"),
    DSR1_FEATURE("avx512vbmi"),
    DSR1_FEATURE("avx512vbmi2"),
    DSR1_FEATURE("avx512ifma"),
    DSR1_FEATURE("avx512vnni"),
    DSR1_FEATURE("avx512bitalg"),
    DSR1_FEATURE("avx512vpopcntdq"),
    DSR1_FEATURE("avx512bf16"),
    DSR1_FEATURE("avx512fp16"),
    DSR1_FEATURE("avx512vp2intersect"),
    DSR1_FEATURE("amx-tile"),
    DSR1_FEATURE("amx-int8"),
    DSR1_FEATURE("amx-bf16"),
};
#endif

#undef DSR1_FEATURE

} // namespace

Result<std::shared_ptr<const CpuKernelLibrary>>
loadCpuObject(const uint8_t *data, size_t size, const std::string &label) {
  if (!data || size == 0)
    return Status::error(label + ": the cpu object is empty");
  if (Status valid = checkElf(data, size); !valid)
    return Status::error(label +
                         ": cannot load the cpu object: " + valid.message());
  int fd = -1;
  Result<void *> handle = openFromMemory(data, size, fd, label);
  if (!handle)
    return handle.status();
  // Owns the handle (and descriptor) from here, so every error unloads it.
  auto library = std::make_shared<SharedObjectLibrary>(*handle, fd);

  using AbiFn = int (*)();
  using BindFn = void (*)(void *const *, int);
  auto abi = reinterpret_cast<AbiFn>(dlsym(*handle, kCpuObjectAbiSymbol));
  auto bind = reinterpret_cast<BindFn>(dlsym(*handle, kCpuObjectBindSymbol));
  if (!abi || !bind)
    return Status::error(
        label +
        ": the shared object is no dsr1 cpu object "
        "(it exports no " +
        std::string(abi ? kCpuObjectBindSymbol : kCpuObjectAbiSymbol) + ")");
  if (int version = abi(); version != kCpuObjectAbiVersion)
    return Status::error(label + ": the cpu object has ABI version " +
                         std::to_string(version) + ", this runtime loads " +
                         std::to_string(kCpuObjectAbiVersion));

  void *table[kCpuObjectRoutineCount] = {};
  table[kCpuObjectSgemm] = reinterpret_cast<void *>(&dsr1_cpu_sgemm);
  table[kCpuObjectDgemm] = reinterpret_cast<void *>(&dsr1_cpu_dgemm);
  table[kCpuObjectMemrefCopy] = reinterpret_cast<void *>(&dsr1_memref_copy);
  bind(table, kCpuObjectRoutineCount);
  return std::shared_ptr<const CpuKernelLibrary>(std::move(library));
}

Status checkCpuFeatures(const std::vector<std::string> &features) {
  std::string missing;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  for (const std::string &feature : features) {
    if (feature.size() < 2 || feature[0] != '+')
      continue;
    std::string name = feature.substr(1);
    for (const FeatureTest &test : kFeatureTests) {
      if (name != test.name)
        continue;
      if (!test.supported())
        missing += (missing.empty() ? "" : ", ") + feature;
      break;
    }
  }
#else
  (void)features;
#endif
  if (missing.empty())
    return Status::ok();
  return Status::error("the cpu code needs features this CPU lacks: " +
                       missing);
}

} // namespace dsr1
