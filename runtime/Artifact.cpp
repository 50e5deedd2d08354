//===- Artifact.cpp - writing and checking .dsr1 artifacts ----------------===//
//
// The header is written field by field in little-endian order; the index is
// a FlatBuffer checked by its verifier before any field is read; every
// section is bounds-checked and checksummed (XXH3-64) before it is used; the
// plan decoded from it goes through Plan::verify like any other.
//
//===----------------------------------------------------------------------===//

#include "runtime/Artifact.h"

#include "runtime/artifact_generated.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DSR1_VERSION
#error "DSR1_VERSION must be defined by the build"
#endif

namespace dsr1 {

const char *dsr1Version() { return DSR1_VERSION; }

namespace {

// The header: magic and format version stay at these offsets in every
// version, so any reader can say which version a file is.
constexpr uint64_t kHeaderBytes = 64;
constexpr size_t kVersionAt = 8;
constexpr size_t kIndexOffsetAt = 16;
constexpr size_t kIndexBytesAt = 24;
constexpr size_t kIndexChecksumAt = 32;
constexpr size_t kFileBytesAt = 40;
constexpr size_t kHeaderChecksumAt = 48;
// Sections start on a cache line; the weights on a page, so a mapping of
// the file hands them out aligned for any load.
constexpr uint64_t kSectionAlignment = 64;
constexpr uint64_t kWeightsAlignment = 4096;
// Bounds on what a reader accepts, so a crafted index cannot make the
// verifier or the decoder walk forever.
constexpr flatbuffers::uoffset_t kMaxDepth = 64;
constexpr flatbuffers::uoffset_t kMaxTables = 1u << 24;

uint64_t checksum(const void *data, size_t size) {
  return XXH3_64bits(data, size);
}

uint64_t alignTo(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

void put32(uint8_t *at, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    at[i] = static_cast<uint8_t>(value >> (8 * i));
}
void put64(uint8_t *at, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    at[i] = static_cast<uint8_t>(value >> (8 * i));
}
uint32_t get32(const uint8_t *at) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value |= static_cast<uint32_t>(at[i]) << (8 * i);
  return value;
}
uint64_t get64(const uint8_t *at) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= static_cast<uint64_t>(at[i]) << (8 * i);
  return value;
}

const char *sectionKindName(fb::SectionKind kind) {
  switch (kind) {
  case fb::SectionKind::Weights:
    return "weights";
  case fb::SectionKind::CpuObject:
    return "cpu object";
  case fb::SectionKind::CudaSource:
    return "CUDA source";
  case fb::SectionKind::DeviceHeader:
    return "device header";
  case fb::SectionKind::Cubin:
    return "cubin";
  case fb::SectionKind::Ptx:
    return "PTX";
  }
  return "unknown";
}

/// A section to write: bytes that stay alive until the file is written.
struct PendingSection {
  fb::SectionKind kind;
  std::string name;
  std::vector<std::string_view> pieces;
  /// Each piece starts at this alignment within the section.
  uint64_t pieceAlignment = 1;
  uint64_t alignment = kSectionAlignment;
  uint64_t offset = 0, bytes = 0;
};

/// Writes through stdio, remembering the first error.
class FileWriter {
public:
  explicit FileWriter(FILE *file) : file(file) {}
  void write(const void *data, size_t size) {
    if (ok && size && std::fwrite(data, 1, size, file) != size)
      ok = false;
    position += size;
  }
  void padTo(uint64_t offset) {
    static const uint8_t zeros[kWeightsAlignment] = {};
    while (position < offset)
      write(zeros, std::min<uint64_t>(offset - position, sizeof(zeros)));
  }
  bool ok = true;
  uint64_t position = 0;

private:
  FILE *file;
};

flatbuffers::Offset<
    flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>>
stringVector(flatbuffers::FlatBufferBuilder &fbb,
             const std::vector<std::string> &strings) {
  return fbb.CreateVectorOfStrings(strings);
}

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Tensor>>>
tensorVector(flatbuffers::FlatBufferBuilder &fbb,
             const std::vector<TensorSpec> &specs,
             const std::vector<std::vector<std::string>> &dimNames) {
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (size_t i = 0; i < specs.size(); ++i) {
    std::vector<std::string> names =
        i < dimNames.size() ? dimNames[i] : std::vector<std::string>();
    tensors.push_back(fb::CreateTensor(fbb, fbb.CreateString(specs[i].name),
                                       static_cast<uint8_t>(specs[i].dtype),
                                       fbb.CreateVector(specs[i].shape),
                                       stringVector(fbb, names)));
  }
  return fbb.CreateVector(tensors);
}

std::vector<PendingSection> collectSections(const ArtifactContents &contents) {
  std::vector<PendingSection> sections;
  PendingSection weights{
      fb::SectionKind::Weights, "", {}, kArenaAlignment, kWeightsAlignment};
  for (const Weight &w : contents.plan->weights)
    weights.pieces.emplace_back(reinterpret_cast<const char *>(w.data),
                                w.bytes);
  sections.push_back(std::move(weights));
  if (contents.cpu)
    sections.push_back(
        {fb::SectionKind::CpuObject, "", {contents.cpu->sharedObject}});
  if (contents.cuda) {
    const CudaCode &code = *contents.cuda;
    sections.push_back({fb::SectionKind::CudaSource, "", {code.module.source}});
    for (const auto &[name, text] : code.headers)
      sections.push_back({fb::SectionKind::DeviceHeader, name, {text}});
    for (const cuda::DeviceBinary &binary : code.binaries) {
      sections.push_back({fb::SectionKind::Cubin, binary.arch, {binary.cubin}});
      sections.push_back({fb::SectionKind::Ptx, binary.arch, {binary.ptx}});
    }
  }
  return sections;
}

flatbuffers::DetachedBuffer
buildIndex(const ArtifactContents &contents,
           const std::vector<PendingSection> &sections,
           const std::vector<uint64_t> &checksums) {
  const Plan &plan = *contents.plan;
  flatbuffers::FlatBufferBuilder fbb(1 << 16);

  std::vector<flatbuffers::Offset<fb::Weight>> weights;
  uint64_t weightOffset = 0;
  for (const Weight &w : plan.weights) {
    weightOffset = alignTo(weightOffset, kArenaAlignment);
    weights.push_back(fb::CreateWeight(
        fbb, fbb.CreateString(w.name), static_cast<uint8_t>(w.dtype),
        fbb.CreateVector(w.shape), weightOffset, w.bytes));
    weightOffset += w.bytes;
  }
  std::vector<flatbuffers::Offset<fb::Kernel>> kernels;
  for (const KernelInfo &k : plan.kernels)
    kernels.push_back(fb::CreateKernel(fbb, fbb.CreateString(k.symbol),
                                       fbb.CreateString(k.node),
                                       fbb.CreateString(k.op)));
  std::vector<flatbuffers::Offset<fb::Launch>> launches;
  for (const Launch &launch : plan.launches) {
    std::vector<fb::Buffer> args;
    for (const BufferRef &ref : launch.args)
      args.emplace_back(static_cast<uint8_t>(ref.kind), ref.index, ref.offset,
                        ref.bytes);
    launches.push_back(fb::CreateLaunch(
        fbb, static_cast<uint8_t>(launch.kind), launch.kernel,
        fbb.CreateVectorOfStructs(args), stringVector(fbb, launch.argNames)));
  }
  const MemoryReport &m = plan.memory;
  auto memory = fb::CreateMemoryReport(
      fbb, m.naiveBytes, m.lowerBoundBytes, m.budgetBytes, m.unconstrainedBytes,
      fbb.CreateString(m.strategy), m.recomputed, m.extraFlops, m.totalFlops);

  std::vector<flatbuffers::Offset<fb::CudaKernel>> cudaKernels;
  if (contents.cuda)
    for (const cuda::CudaKernel &kernel : contents.cuda->module.kernels) {
      std::vector<flatbuffers::Offset<fb::GridLaunch>> grids;
      for (const cuda::GridLaunch &g : kernel.launches) {
        fb::Dim3 grid(g.grid.x, g.grid.y, g.grid.z);
        fb::Dim3 block(g.block.x, g.block.y, g.block.z);
        grids.push_back(fb::CreateGridLaunch(fbb, fbb.CreateString(g.function),
                                             &grid, &block, g.cooperative));
      }
      cudaKernels.push_back(fb::CreateCudaKernel(
          fbb, fbb.CreateString(kernel.symbol), fbb.CreateString(kernel.family),
          fbb.CreateVector(grids), kernel.workspaceBytes));
    }
  std::vector<flatbuffers::Offset<fb::Section>> sectionTable;
  for (size_t i = 0; i < sections.size(); ++i)
    sectionTable.push_back(fb::CreateSection(
        fbb, sections[i].kind, fbb.CreateString(sections[i].name),
        sections[i].offset, sections[i].bytes, checksums[i]));
  std::vector<flatbuffers::Offset<fb::Stage>> stages;
  for (const StageTime &stage : contents.stages)
    stages.push_back(
        fb::CreateStage(fbb, fbb.CreateString(stage.name), stage.seconds));

  auto version = fbb.CreateString(dsr1Version());
  auto model = fbb.CreateString(contents.model);
  auto targets = stringVector(fbb, contents.targets);
  auto inputs = tensorVector(fbb, plan.inputs, contents.inputDimNames);
  auto outputs = tensorVector(fbb, plan.outputs, contents.outputDimNames);
  auto weightTable = fbb.CreateVector(weights);
  auto kernelTable = fbb.CreateVector(kernels);
  auto launchTable = fbb.CreateVector(launches);
  auto precision = fbb.CreateString(contents.precisionReport);
  auto cpuName = fbb.CreateString(contents.cpu ? contents.cpu->cpuName : "");
  auto cpuFeatures =
      stringVector(fbb, contents.cpu ? contents.cpu->cpuFeatures
                                     : std::vector<std::string>());
  auto cudaTable = cudaKernels.empty() ? 0 : fbb.CreateVector(cudaKernels);
  auto sectionVector = fbb.CreateVector(sectionTable);
  auto stageVector = fbb.CreateVector(stages);
  fb::ArtifactBuilder builder(fbb);
  builder.add_dsr1_version(version);
  builder.add_model(model);
  builder.add_targets(targets);
  builder.add_inputs(inputs);
  builder.add_outputs(outputs);
  builder.add_weights(weightTable);
  builder.add_kernels(kernelTable);
  builder.add_launches(launchTable);
  builder.add_arena_bytes(plan.arenaBytes);
  builder.add_memory(memory);
  builder.add_precision_report(precision);
  builder.add_cpu_name(cpuName);
  builder.add_cpu_features(cpuFeatures);
  builder.add_cuda_kernels(cudaTable);
  builder.add_sections(sectionVector);
  builder.add_stages(stageVector);
  fb::FinishArtifactBuffer(fbb, builder.Finish());
  return fbb.Release();
}

} // namespace

Status writeArtifact(const std::string &path,
                     const ArtifactContents &contents) {
  if (!contents.plan)
    return Status::error("cannot write " + path + ": no plan to write");
  std::vector<PendingSection> sections = collectSections(contents);

  // Lay the sections out after the header, then the index after them: its
  // size depends on nothing that follows it.
  uint64_t offset = kHeaderBytes;
  for (PendingSection &section : sections) {
    offset = alignTo(offset, section.alignment);
    section.offset = offset;
    uint64_t bytes = 0;
    for (std::string_view piece : section.pieces)
      bytes = alignTo(bytes, section.pieceAlignment) + piece.size();
    section.bytes = bytes;
    offset += bytes;
  }
  // Checksums of the bytes as they will lie in the file, padding included.
  std::vector<uint64_t> checksums;
  for (const PendingSection &section : sections) {
    XXH3_state_t *state = XXH3_createState();
    XXH3_64bits_reset(state);
    uint64_t at = 0;
    static const uint8_t zeros[kArenaAlignment] = {};
    for (std::string_view piece : section.pieces) {
      uint64_t aligned = alignTo(at, section.pieceAlignment);
      XXH3_64bits_update(state, zeros, aligned - at);
      XXH3_64bits_update(state, piece.data(), piece.size());
      at = aligned + piece.size();
    }
    checksums.push_back(XXH3_64bits_digest(state));
    XXH3_freeState(state);
  }
  flatbuffers::DetachedBuffer index = buildIndex(contents, sections, checksums);
  uint64_t indexOffset = alignTo(offset, kSectionAlignment);
  uint64_t fileBytes = indexOffset + index.size();

  uint8_t header[kHeaderBytes] = {};
  std::memcpy(header, kArtifactMagic, sizeof(kArtifactMagic));
  put32(header + kVersionAt, kArtifactFormatVersion);
  put32(header + kVersionAt + 4, kHeaderBytes);
  put64(header + kIndexOffsetAt, indexOffset);
  put64(header + kIndexBytesAt, index.size());
  put64(header + kIndexChecksumAt, checksum(index.data(), index.size()));
  put64(header + kFileBytesAt, fileBytes);
  put64(header + kHeaderChecksumAt, checksum(header, kHeaderChecksumAt));

  std::string temporary = path + ".tmp" + std::to_string(getpid());
  FILE *file = std::fopen(temporary.c_str(), "wb");
  if (!file)
    return Status::error("cannot write " + path + ": " + std::strerror(errno));
  FileWriter out(file);
  out.write(header, sizeof(header));
  for (const PendingSection &section : sections) {
    out.padTo(section.offset);
    uint64_t start = out.position;
    for (std::string_view piece : section.pieces) {
      out.padTo(start + alignTo(out.position - start, section.pieceAlignment));
      out.write(piece.data(), piece.size());
    }
  }
  out.padTo(indexOffset);
  out.write(index.data(), index.size());
  int error = out.ok ? 0 : errno;
  if (std::fclose(file) != 0 && !error)
    error = errno;
  if (!error && std::rename(temporary.c_str(), path.c_str()) != 0)
    error = errno;
  if (error) {
    std::remove(temporary.c_str());
    return Status::error("cannot write " + path + ": " + std::strerror(error));
  }
  return Status::ok();
}

namespace {

/// Decodes a verified index into an Artifact, checking what the verifier
/// cannot: enum ranges, section bounds and checksums, the plan.
class Decoder {
public:
  Decoder(const uint8_t *data, uint64_t size, Artifact &artifact)
      : data(data), size(size), artifact(artifact) {}

  Status decode(const fb::Artifact &index);

private:
  Status bad(const std::string &what) const {
    return Status::error(artifact.path + ": corrupt artifact: " + what);
  }
  static std::string str(const flatbuffers::String *s) {
    return s ? s->str() : std::string();
  }
  static std::vector<std::string> strings(
      const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>> *v) {
    std::vector<std::string> out;
    if (v)
      for (const flatbuffers::String *s : *v)
        out.push_back(str(s));
    return out;
  }
  Result<DType> dtype(uint8_t value, const std::string &what) const {
    if (value > static_cast<uint8_t>(DType::u2))
      return bad(what + " has unknown element type " + std::to_string(value));
    return static_cast<DType>(value);
  }
  Status tensors(const flatbuffers::Vector<flatbuffers::Offset<fb::Tensor>> *v,
                 const char *what, std::vector<TensorSpec> &specs,
                 std::vector<std::vector<std::string>> &dimNames) const;
  Status sections(const fb::Artifact &index);

  struct Checked {
    std::string what;
    std::string_view content;
    uint64_t checksum;
  };
  /// The sections' checksums are verified once the index has been decoded:
  /// the index has its own checksum, and decoding first lets a fuzzer that
  /// fixes up the header reach the decoder.
  std::vector<Checked> checksums;
  const uint8_t *data;
  uint64_t size;
  Artifact &artifact;
  std::string_view weightsSection;
};

Status
Decoder::tensors(const flatbuffers::Vector<flatbuffers::Offset<fb::Tensor>> *v,
                 const char *what, std::vector<TensorSpec> &specs,
                 std::vector<std::vector<std::string>> &dimNames) const {
  if (!v)
    return Status::ok();
  for (const fb::Tensor *t : *v) {
    TensorSpec spec;
    spec.name = str(t->name());
    Result<DType> type =
        dtype(t->dtype(), std::string(what) + " '" + spec.name + "'");
    if (!type)
      return type.status();
    spec.dtype = *type;
    if (t->shape())
      for (int64_t d : *t->shape()) {
        if (d < 0 || d > (int64_t(1) << 40))
          return bad(std::string(what) + " '" + spec.name + "' has dimension " +
                     std::to_string(d));
        spec.shape.push_back(d);
      }
    std::vector<std::string> names = strings(t->dim_names());
    if (!names.empty() && names.size() != spec.shape.size())
      return bad(std::string(what) + " '" + spec.name + "' names " +
                 std::to_string(names.size()) + " of its " +
                 std::to_string(spec.shape.size()) + " axes");
    specs.push_back(std::move(spec));
    dimNames.push_back(std::move(names));
  }
  return Status::ok();
}

Status Decoder::sections(const fb::Artifact &index) {
  if (!index.sections())
    return Status::ok();
  std::optional<CudaCode> &cuda = artifact.cuda;
  for (const fb::Section *section : *index.sections()) {
    std::string what = std::string(sectionKindName(section->kind())) +
                       " section" +
                       (section->name() && section->name()->size()
                            ? " '" + section->name()->str() + "'"
                            : std::string());
    uint64_t offset = section->offset(), bytes = section->bytes();
    if (offset < kHeaderBytes || offset > size || bytes > size - offset)
      return bad(what + " lies outside the file (bytes [" +
                 std::to_string(offset) + ", +" + std::to_string(bytes) +
                 ") of " + std::to_string(size) + ")");
    std::string_view content(reinterpret_cast<const char *>(data + offset),
                             bytes);
    checksums.push_back({what, content, section->checksum()});
    std::string name = str(section->name());
    switch (section->kind()) {
    case fb::SectionKind::Weights:
      weightsSection = content;
      artifact.weightBytes = bytes;
      continue;
    case fb::SectionKind::CpuObject:
      if (!artifact.cpu)
        artifact.cpu.emplace();
      artifact.cpu->sharedObject = content;
      continue;
    case fb::SectionKind::CudaSource:
      if (!cuda)
        cuda.emplace();
      cuda->module.source = std::string(content);
      continue;
    case fb::SectionKind::DeviceHeader:
      if (!cuda)
        cuda.emplace();
      cuda->headers.emplace_back(name, std::string(content));
      continue;
    case fb::SectionKind::Cubin:
    case fb::SectionKind::Ptx: {
      if (!cuda)
        cuda.emplace();
      cuda::DeviceBinary *binary = nullptr;
      for (cuda::DeviceBinary &b : cuda->binaries)
        if (b.arch == name)
          binary = &b;
      if (!binary) {
        cuda->binaries.push_back({name, "", ""});
        binary = &cuda->binaries.back();
      }
      (section->kind() == fb::SectionKind::Cubin ? binary->cubin
                                                 : binary->ptx) =
          std::string(content);
      continue;
    }
    }
    // Only a newer writer makes other kinds, and it writes another version.
    return bad("section of unknown kind " +
               std::to_string(static_cast<int>(section->kind())));
  }
  return Status::ok();
}

Status Decoder::decode(const fb::Artifact &index) {
  artifact.writtenBy = str(index.dsr1_version());
  artifact.model = str(index.model());
  artifact.targets = strings(index.targets());
  artifact.precisionReport = str(index.precision_report());
  if (Status s = sections(index); !s)
    return s;

  auto plan = std::make_shared<Plan>();
  if (Status s = tensors(index.inputs(), "input", plan->inputs,
                         artifact.inputDimNames);
      !s)
    return s;
  if (Status s = tensors(index.outputs(), "output", plan->outputs,
                         artifact.outputDimNames);
      !s)
    return s;
  if (index.weights())
    for (const fb::Weight *w : *index.weights()) {
      Weight weight;
      weight.name = str(w->name());
      Result<DType> type = dtype(w->dtype(), "weight '" + weight.name + "'");
      if (!type)
        return type.status();
      weight.dtype = *type;
      if (w->shape())
        weight.shape.assign(w->shape()->begin(), w->shape()->end());
      if (w->offset() % kArenaAlignment != 0 ||
          w->offset() > weightsSection.size() ||
          w->bytes() > weightsSection.size() - w->offset())
        return bad("weight '" + weight.name +
                   "' lies outside the weights section");
      weight.data = reinterpret_cast<const uint8_t *>(weightsSection.data()) +
                    w->offset();
      weight.bytes = w->bytes();
      plan->weights.push_back(std::move(weight));
    }
  if (index.kernels())
    for (const fb::Kernel *k : *index.kernels())
      plan->kernels.push_back({str(k->symbol()), str(k->node()), str(k->op())});
  if (index.launches())
    for (const fb::Launch *l : *index.launches()) {
      Launch launch;
      if (l->kind() > static_cast<uint8_t>(Launch::Kind::copy))
        return bad("a launch of unknown kind " + std::to_string(l->kind()));
      launch.kind = static_cast<Launch::Kind>(l->kind());
      launch.kernel = l->kernel();
      if (l->args())
        for (const fb::Buffer *b : *l->args()) {
          if (b->kind() > static_cast<uint8_t>(BufferRef::Kind::arena))
            return bad("a buffer of unknown kind " + std::to_string(b->kind()));
          launch.args.push_back({static_cast<BufferRef::Kind>(b->kind()),
                                 b->index(), b->offset(), b->bytes()});
        }
      launch.argNames = strings(l->arg_names());
      plan->launches.push_back(std::move(launch));
    }
  plan->arenaBytes = index.arena_bytes();
  if (const fb::MemoryReport *m = index.memory())
    plan->memory = {m->naive_bytes(),   m->lower_bound_bytes(),
                    m->budget_bytes(),  m->unconstrained_bytes(),
                    str(m->strategy()), m->recomputed(),
                    m->extra_flops(),   m->total_flops()};
  if (Status s = plan->verify(); !s)
    return bad(s.message());

  if (artifact.cpu) {
    artifact.cpu->cpuName = str(index.cpu_name());
    artifact.cpu->cpuFeatures = strings(index.cpu_features());
  }
  if (index.cuda_kernels() && index.cuda_kernels()->size()) {
    if (!artifact.cuda)
      return bad("CUDA kernels without CUDA source");
    for (const fb::CudaKernel *k : *index.cuda_kernels()) {
      cuda::CudaKernel kernel;
      kernel.symbol = str(k->symbol());
      kernel.family = str(k->family());
      kernel.workspaceBytes = k->workspace_bytes();
      if (k->launches())
        for (const fb::GridLaunch *g : *k->launches()) {
          cuda::GridLaunch launch;
          launch.function = str(g->function());
          if (const fb::Dim3 *d = g->grid())
            launch.grid = {d->x(), d->y(), d->z()};
          if (const fb::Dim3 *d = g->block())
            launch.block = {d->x(), d->y(), d->z()};
          launch.cooperative = g->cooperative();
          kernel.launches.push_back(std::move(launch));
        }
      artifact.cuda->module.kernels.push_back(std::move(kernel));
    }
  }
  if (index.stages())
    for (const fb::Stage *stage : *index.stages())
      artifact.stages.push_back({str(stage->name()), stage->seconds()});
  for (const Checked &section : checksums)
    if (checksum(section.content.data(), section.content.size()) !=
        section.checksum)
      return bad(section.what + " fails its checksum");
  artifact.plan = std::move(plan);
  return Status::ok();
}

} // namespace

Result<std::shared_ptr<const Artifact>>
parseArtifact(std::shared_ptr<const void> owner, const uint8_t *data,
              size_t size, const std::string &label) {
  auto fail = [&](const std::string &what) {
    return Status::error(label + ": " + what);
  };
  if (size < sizeof(kArtifactMagic) ||
      std::memcmp(data, kArtifactMagic, sizeof(kArtifactMagic)) != 0)
    return fail("not a dsr1 artifact (no DSR1ART header; dsr1-compile -o "
                "writes one)");
  if (size < kHeaderBytes)
    return fail("truncated artifact: " + std::to_string(size) +
                " bytes, shorter than its header");
  uint32_t version = get32(data + kVersionAt);
  if (version < kOldestArtifactFormatVersion ||
      version > kArtifactFormatVersion)
    return fail("artifact format version " + std::to_string(version) +
                ", but this dsr1 (" + dsr1Version() + ") reads versions " +
                std::to_string(kOldestArtifactFormatVersion) + " to " +
                std::to_string(kArtifactFormatVersion) +
                ": compile the model again with this dsr1-compile");
  if (get64(data + kHeaderChecksumAt) != checksum(data, kHeaderChecksumAt))
    return fail("corrupt artifact: the header fails its checksum");
  uint64_t fileBytes = get64(data + kFileBytesAt);
  if (fileBytes != size)
    return fail(std::string(fileBytes > size ? "truncated" : "corrupt") +
                " artifact: " + std::to_string(size) +
                " bytes, its header "
                "says " +
                std::to_string(fileBytes));
  uint64_t indexOffset = get64(data + kIndexOffsetAt);
  uint64_t indexBytes = get64(data + kIndexBytesAt);
  if (indexOffset < kHeaderBytes || indexOffset % 8 != 0 ||
      indexOffset > size || indexBytes > size - indexOffset ||
      indexBytes > FLATBUFFERS_MAX_BUFFER_SIZE)
    return fail("corrupt artifact: its index lies outside the file");
  const uint8_t *indexData = data + indexOffset;
  if (get64(data + kIndexChecksumAt) != checksum(indexData, indexBytes))
    return fail("corrupt artifact: the index fails its checksum");
  flatbuffers::Verifier verifier(indexData, indexBytes, kMaxDepth, kMaxTables);
  if (!fb::VerifyArtifactBuffer(verifier))
    return fail("corrupt artifact: the index is not a valid dsr1 index");

  auto artifact = std::make_shared<Artifact>();
  artifact->path = label;
  artifact->fileBytes = size;
  artifact->formatVersion = version;
  Decoder decoder(data, size, *artifact);
  if (Status s = decoder.decode(*fb::GetArtifact(indexData)); !s)
    return s;
  // The plan's weights and the cpu object point into `data`.
  auto plan = std::const_pointer_cast<Plan>(artifact->plan);
  plan->weightStorage.push_back(owner);
  artifact->mapping = std::move(owner);
  return std::shared_ptr<const Artifact>(std::move(artifact));
}

Result<std::shared_ptr<const Artifact>> readArtifact(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error("cannot open " + path + ": " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Status::error("cannot read " + path + ": not a regular file");
  }
  size_t size = static_cast<size_t>(info.st_size);
  if (size == 0) {
    ::close(fd);
    return Status::error(path + ": not a dsr1 artifact (the file is empty)");
  }
  void *mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int error = errno;
  ::close(fd);
  if (mapped == MAP_FAILED)
    return Status::error("cannot map " + path + ": " + std::strerror(error));
  std::shared_ptr<const void> mapping(
      mapped, [size](const void *p) { ::munmap(const_cast<void *>(p), size); });
  return parseArtifact(mapping, static_cast<const uint8_t *>(mapped), size,
                       path);
}

bool Artifact::hasTarget(const std::string &target) const {
  for (const std::string &t : targets)
    if (t == target)
      return true;
  return false;
}

std::vector<std::string> Artifact::gpuArchs() const {
  std::vector<std::string> archs;
  for (const std::string &t : targets)
    if (t.rfind("sm_", 0) == 0)
      archs.push_back(t);
  return archs;
}

static std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f MiB", bytes / 1048576.0);
  return text;
}

std::string describeArtifact(const Artifact &artifact) {
  const Plan &plan = *artifact.plan;
  std::string text = artifact.path + ": dsr1 artifact, format version " +
                     std::to_string(artifact.formatVersion) +
                     ", written by dsr1 " + artifact.writtenBy + "\n";
  text += "  model: " + artifact.model + "\n  targets:";
  for (const std::string &t : artifact.targets)
    text += " " + t;
  text += "\n";
  auto signature = [&](const char *what, const std::vector<TensorSpec> &specs,
                       const std::vector<std::vector<std::string>> &names) {
    for (size_t i = 0; i < specs.size(); ++i) {
      text += std::string("  ") + what + " " + specs[i].describe();
      if (i < names.size()) {
        std::string symbolic;
        for (size_t d = 0; d < names[i].size(); ++d)
          if (!names[i][d].empty())
            symbolic += (symbolic.empty() ? "" : ", ") + std::string("axis ") +
                        std::to_string(d) + " = " + names[i][d];
        if (!symbolic.empty())
          text += " (" + symbolic + ")";
      }
      text += "\n";
    }
  };
  signature("input", plan.inputs, artifact.inputDimNames);
  signature("output", plan.outputs, artifact.outputDimNames);
  text += "  kernels: " + std::to_string(plan.kernels.size()) +
          ", launches: " + std::to_string(plan.launches.size()) + "\n";
  text += "  arena: " + megabytes(plan.arenaBytes) + " (" +
          std::to_string(plan.arenaBytes) + " bytes)\n";
  text += "  weights: " + std::to_string(plan.weights.size()) + ", " +
          megabytes(artifact.weightBytes) + "\n";
  if (artifact.cpu)
    text += "  cpu object: " + megabytes(artifact.cpu->sharedObject.size()) +
            " for " + artifact.cpu->cpuName + "\n";
  if (artifact.cuda)
    for (const cuda::DeviceBinary &b : artifact.cuda->binaries)
      text += "  " + b.arch + ": cubin " + megabytes(b.cubin.size()) +
              ", PTX " + megabytes(b.ptx.size()) + "\n";
  text += "  file: " + megabytes(artifact.fileBytes) + "\n";
  if (!artifact.stages.empty()) {
    text += "  compile stages:";
    double total = 0;
    for (const StageTime &stage : artifact.stages) {
      char cell[96];
      std::snprintf(cell, sizeof(cell), " %s %.2f s,", stage.name.c_str(),
                    stage.seconds);
      text += cell;
      total += stage.seconds;
    }
    char cell[48];
    std::snprintf(cell, sizeof(cell), " total %.2f s\n", total);
    text += cell;
  }
  return text;
}

} // namespace dsr1
