//===- Artifact.h - a model compiled ahead of time, in one file -*- C++ -*-===//
//
// A .dsr1 artifact holds everything a device needs to run a model without
// the compiler: the plan, the weights (page-aligned, used in place from a
// read-only mapping), the cpu device's shared object, the CUDA source with
// the device headers it includes, a cubin and PTX per GPU architecture, the
// IO signature with the model's symbolic dim names, the precision and memory
// reports, and the dsr1 version that wrote it.
//
// Layout: a 64-byte header (magic, format version, the index's place and
// checksum), the index (a FlatBuffer, runtime/artifact.fbs) and the
// sections it points at, each with an XXH3-64 checksum. readArtifact checks
// all of it before anything is used: a file of another format version is
// refused naming both versions; a truncated, corrupted or inconsistent one
// gets a message saying what is wrong, never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_ARTIFACT_H
#define DSR1_RUNTIME_ARTIFACT_H

#include "runtime/Plan.h"
#include "runtime/Result.h"
#include "runtime/cuda/CudaDevice.h"
#include "runtime/cuda/CudaPlan.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dsr1 {

/// The version of the file format this build writes. Bump it on any change
/// to artifact.fbs or to the header that an older reader would misread.
/// 2: CUDA kernels may need a workspace (CudaKernel.workspace_bytes).
constexpr uint32_t kArtifactFormatVersion = 2;
/// The oldest version this build still reads (what it lacks reads as the
/// schema's defaults).
constexpr uint32_t kOldestArtifactFormatVersion = 1;
/// The first bytes of every artifact.
constexpr char kArtifactMagic[8] = {'D', 'S', 'R', '1', 'A', 'R', 'T', '\n'};

/// This dsr1's version ("0.1.0").
const char *dsr1Version();

/// The cpu device's code: a shared object and the CPU it was compiled for.
struct CpuCode {
  std::string_view sharedObject;
  /// The host CPU ("znver3") and its features ("+avx2", ...), LLVM's names.
  std::string cpuName;
  std::vector<std::string> cpuFeatures;
};

/// The CUDA devices' code (cuda and cuda-emu).
struct CudaCode {
  /// The generated source and the grid launches of every kernel.
  cuda::CudaModule module;
  /// The headers the source includes (dsr1_device.cuh, cuda_emu.h), as they
  /// were when it was generated. cuda-emu compiles against the device
  /// library stored here, but against its own cuda_emu.h, which must match
  /// the emulator running it.
  std::vector<std::pair<std::string, std::string>> headers;
  /// A cubin and the PTX of its virtual architecture per target arch.
  std::vector<cuda::DeviceBinary> binaries;
};

/// What a compile stage cost, for reports ("import", 1.25).
struct StageTime {
  std::string name;
  double seconds = 0;
};

/// What dsr1-compile writes.
struct ArtifactContents {
  /// The model file it was compiled from, as given.
  std::string model;
  /// "cpu", "sm_80", "sm_90a", ...
  std::vector<std::string> targets;
  std::shared_ptr<const Plan> plan;
  /// Per input (output) and axis, the model's symbolic name for the axis,
  /// "" for a fixed one; empty when the model names none.
  std::vector<std::vector<std::string>> inputDimNames, outputDimNames;
  std::string precisionReport;
  /// Set when "cpu" is a target (the object's bytes must stay alive until
  /// writeArtifact returns).
  std::optional<CpuCode> cpu;
  /// Set when a GPU architecture is a target.
  std::optional<CudaCode> cuda;
  std::vector<StageTime> stages;
};

/// A loaded artifact. Its plan's weights and its cpu object point into the
/// file's mapping, which lives as long as the artifact or the plan.
struct Artifact : ArtifactContents {
  /// The file (or the label given to parseArtifact), for messages.
  std::string path;
  /// The version of dsr1 that wrote it.
  std::string writtenBy;
  /// The file's format version.
  uint32_t formatVersion = kArtifactFormatVersion;
  uint64_t fileBytes = 0;
  /// Bytes of the weights section.
  uint64_t weightBytes = 0;
  /// The file's bytes (a read-only mapping), which the plan's weights and the
  /// cpu object point into.
  std::shared_ptr<const void> mapping;

  bool hasTarget(const std::string &target) const;
  /// The GPU architectures among the targets.
  std::vector<std::string> gpuArchs() const;
};

/// Writes `contents` to `path` (through a temporary file renamed into
/// place, so a failed write never leaves half an artifact). Errors name the
/// path and the cause.
Status writeArtifact(const std::string &path, const ArtifactContents &contents);

/// Maps `path` read-only and checks it (see the file comment).
Result<std::shared_ptr<const Artifact>> readArtifact(const std::string &path);

/// The same from bytes in memory that `owner` keeps alive (fuzzing, or an
/// artifact embedded in a host application). `label` names it in messages.
Result<std::shared_ptr<const Artifact>>
parseArtifact(std::shared_ptr<const void> owner, const uint8_t *data,
              size_t size, const std::string &label);

/// A human summary: version, targets, signature, kernels, arena, weights,
/// sections and their sizes, compile stages. Lines end in newlines.
std::string describeArtifact(const Artifact &artifact);

} // namespace dsr1

#endif // DSR1_RUNTIME_ARTIFACT_H
