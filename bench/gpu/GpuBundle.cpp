//===- GpuBundle.cpp - a compiled model packed for the GPU check ----------===//
//
// Little-endian fields in a fixed order after a magic line; every length is
// checked against what is left of the file when read.
//
//===----------------------------------------------------------------------===//

#include "bench/gpu/GpuBundle.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace dsr1::gpucheck {

namespace {

constexpr char kMagic[] = "dsr1-gpu-bundle 3\n";

class Writer {
public:
  void u64(uint64_t v) { bytes(&v, sizeof(v)); }
  void str(const std::string &s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }
  void bytes(const void *p, size_t n) {
    out.append(static_cast<const char *>(p), n);
  }
  void tensor(const HostTensor &t) {
    str(t.name);
    u64(static_cast<uint64_t>(t.dtype));
    u64(t.shape.size());
    for (int64_t d : t.shape)
      u64(static_cast<uint64_t>(d));
    u64(t.data.size());
    bytes(t.data.data(), t.data.size());
  }
  void spec(const TensorSpec &s) {
    str(s.name);
    u64(static_cast<uint64_t>(s.dtype));
    u64(s.shape.size());
    for (int64_t d : s.shape)
      u64(static_cast<uint64_t>(d));
  }
  void dim(const cuda::Dim3 &d) {
    u64(d.x);
    u64(d.y);
    u64(d.z);
  }
  std::string out;
};

class Reader {
public:
  explicit Reader(const std::string &data) : data(data) {}
  bool ok = true;
  uint64_t u64() {
    uint64_t v = 0;
    take(&v, sizeof(v));
    return v;
  }
  /// A count of items of at least `unit` bytes each: bounded by the bytes
  /// left, so a corrupt count cannot make a huge allocation.
  uint64_t count(uint64_t unit = 1) {
    uint64_t n = u64();
    if (n > (data.size() - pos) / unit)
      ok = false;
    return ok ? n : 0;
  }
  std::string str() {
    uint64_t n = count();
    std::string s;
    if (ok) {
      s = data.substr(pos, n);
      pos += n;
    }
    return s;
  }
  void take(void *p, size_t n) {
    if (!ok || data.size() - pos < n) {
      ok = false;
      std::memset(p, 0, n);
      return;
    }
    std::memcpy(p, data.data() + pos, n);
    pos += n;
  }
  DType dtype() {
    uint64_t v = u64();
    if (v > static_cast<uint64_t>(DType::u64) + 32)
      ok = false;
    return static_cast<DType>(v);
  }
  std::vector<int64_t> shape() {
    std::vector<int64_t> s(count(8));
    for (int64_t &d : s)
      d = static_cast<int64_t>(u64());
    return s;
  }
  HostTensor tensor() {
    HostTensor t;
    t.name = str();
    t.dtype = dtype();
    t.shape = shape();
    uint64_t n = count();
    if (ok) {
      t.data.assign(data.begin() + pos, data.begin() + pos + n);
      pos += n;
    }
    return t;
  }
  TensorSpec spec() {
    TensorSpec s;
    s.name = str();
    s.dtype = dtype();
    s.shape = shape();
    return s;
  }
  cuda::Dim3 dim() {
    cuda::Dim3 d;
    d.x = static_cast<uint32_t>(u64());
    d.y = static_cast<uint32_t>(u64());
    d.z = static_cast<uint32_t>(u64());
    return d;
  }
  const std::string &data;
  size_t pos = 0;
};

} // namespace

Status writeBundle(const std::string &path, const Bundle &b) {
  Writer w;
  w.bytes(kMagic, sizeof(kMagic) - 1);
  w.str(b.model);
  w.u64(b.timingOnly);
  const Plan &p = b.plan;
  w.u64(p.inputs.size());
  for (const TensorSpec &s : p.inputs)
    w.spec(s);
  w.u64(p.outputs.size());
  for (const TensorSpec &s : p.outputs)
    w.spec(s);
  w.u64(p.weights.size());
  for (const Weight &t : p.weights)
    w.tensor({t.name, t.dtype, t.shape,
              std::vector<uint8_t>(t.data, t.data + t.bytes)});
  w.u64(p.kernels.size());
  for (const KernelInfo &k : p.kernels) {
    w.str(k.symbol);
    w.str(k.node);
    w.str(k.op);
  }
  w.u64(p.launches.size());
  for (const Launch &l : p.launches) {
    w.u64(static_cast<uint64_t>(l.kind));
    w.u64(l.kernel);
    w.u64(l.args.size());
    for (const BufferRef &r : l.args) {
      w.u64(static_cast<uint64_t>(r.kind));
      w.u64(r.index);
      w.u64(r.offset);
      w.u64(r.bytes);
    }
    w.u64(l.argNames.size());
    for (const std::string &n : l.argNames)
      w.str(n);
  }
  w.u64(p.arenaBytes);
  w.str(b.code.source);
  w.u64(b.code.kernels.size());
  for (const cuda::CudaKernel &k : b.code.kernels) {
    w.str(k.symbol);
    w.str(k.family);
    w.u64(k.workspaceBytes);
    w.u64(k.launches.size());
    for (const cuda::GridLaunch &g : k.launches) {
      w.str(g.function);
      w.dim(g.grid);
      w.dim(g.block);
      w.u64(g.cooperative);
    }
  }
  w.u64(b.binaries.size());
  for (const cuda::DeviceBinary &bin : b.binaries) {
    w.str(bin.arch);
    w.str(bin.cubin);
    w.str(bin.ptx);
  }
  w.u64(b.inputs.size());
  for (const HostTensor &t : b.inputs)
    w.tensor(t);
  w.u64(b.expected.size());
  for (const HostTensor &t : b.expected)
    w.tensor(t);
  std::ofstream file(path, std::ios::binary);
  file.write(w.out.data(), static_cast<std::streamsize>(w.out.size()));
  if (!file)
    return Status::error("cannot write " + path);
  return Status::ok();
}

Result<Bundle> readBundle(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return Status::error("cannot read " + path);
  std::string data((std::istreambuf_iterator<char>(file)),
                   std::istreambuf_iterator<char>());
  if (data.compare(0, sizeof(kMagic) - 1, kMagic) != 0)
    return Status::error(path + " is not a dsr1 GPU bundle (version 3)");
  Reader r(data);
  r.pos = sizeof(kMagic) - 1;
  Bundle b;
  b.model = r.str();
  b.timingOnly = r.u64() != 0;
  Plan &p = b.plan;
  for (uint64_t i = 0, n = r.count(); i < n && r.ok; ++i)
    p.inputs.push_back(r.spec());
  for (uint64_t i = 0, n = r.count(); i < n && r.ok; ++i)
    p.outputs.push_back(r.spec());
  for (uint64_t i = 0, n = r.count(); i < n && r.ok; ++i)
    p.addWeight(r.tensor());
  for (uint64_t i = 0, n = r.count(); i < n && r.ok; ++i) {
    KernelInfo k;
    k.symbol = r.str();
    k.node = r.str();
    k.op = r.str();
    p.kernels.push_back(k);
  }
  for (uint64_t i = 0, n = r.count(); i < n && r.ok; ++i) {
    Launch l;
    l.kind = static_cast<Launch::Kind>(r.u64() & 1);
    l.kernel = static_cast<uint32_t>(r.u64());
    for (uint64_t j = 0, m = r.count(32); j < m && r.ok; ++j) {
      BufferRef ref;
      ref.kind = static_cast<BufferRef::Kind>(r.u64() & 3);
      ref.index = static_cast<uint32_t>(r.u64());
      ref.offset = r.u64();
      ref.bytes = r.u64();
      l.args.push_back(ref);
    }
    for (uint64_t j = 0, m = r.count(8); j < m && r.ok; ++j)
      l.argNames.push_back(r.str());
    p.launches.push_back(std::move(l));
  }
  p.arenaBytes = r.u64();
  b.code.source = r.str();
  for (uint64_t i = 0, n = r.count(); i < n && r.ok; ++i) {
    cuda::CudaKernel k;
    k.symbol = r.str();
    k.family = r.str();
    k.workspaceBytes = r.u64();
    for (uint64_t j = 0, m = r.count(); j < m && r.ok; ++j) {
      cuda::GridLaunch g;
      g.function = r.str();
      g.grid = r.dim();
      g.block = r.dim();
      g.cooperative = r.u64() != 0;
      k.launches.push_back(g);
    }
    b.code.kernels.push_back(std::move(k));
  }
  for (uint64_t i = 0, n = r.count(); i < n && r.ok; ++i) {
    cuda::DeviceBinary bin;
    bin.arch = r.str();
    bin.cubin = r.str();
    bin.ptx = r.str();
    b.binaries.push_back(std::move(bin));
  }
  for (uint64_t i = 0, n = r.count(); i < n && r.ok; ++i)
    b.inputs.push_back(r.tensor());
  for (uint64_t i = 0, n = r.count(); i < n && r.ok; ++i)
    b.expected.push_back(r.tensor());
  if (b.timingOnly)
    for (HostTensor &t : b.inputs)
      t.fillForTiming();
  if (!r.ok || r.pos != data.size())
    return Status::error(path + ": truncated or corrupt GPU bundle");
  if (Status s = p.verify(); !s)
    return Status::error(path + ": " + s.message());
  return b;
}

} // namespace dsr1::gpucheck
