//===- dsr1.hpp - the C++ API: load or compile a model, run it --*- C++ -*-===//
//
// What a host application uses: a Model is a compiled model bound to a
// device, loaded from a .dsr1 artifact (ahead of time, no compiler involved)
// or compiled in process by a Compiler (JIT); a Session runs it. No function
// throws: failures come back as a Status or Result whose message names the
// file, node, input or tensor at fault.
//
// Threading: a Model is immutable and may be shared by any number of
// threads; a Session is used by one thread at a time, and the sessions of
// one model may run at once on as many threads. A Compiler holds an MLIR
// context: one per thread.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DSR1_HPP
#define DSR1_DSR1_HPP

#include "dsr1/Device.h"
#include "dsr1/Result.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dsr1 {

/// This library's version ("0.1.0").
const char *version();

//===----------------------------------------------------------------------===//
// Element types and devices
//===----------------------------------------------------------------------===//

/// Element types of model inputs and outputs. f16 and bf16 are raw bits
/// (uint16_t); bool_ is one byte per element.
enum class DataType {
  f16,
  bf16,
  f32,
  f64,
  i8,
  i16,
  i32,
  i64,
  u8,
  u16,
  u32,
  u64,
  bool_
};

/// Bytes per element.
size_t elementSize(DataType type);
/// "f32", "bf16", "i64", "bool", ...
const char *dataTypeName(DataType type);

/// "cpu", "cuda-emu" or "cuda"; anything else is an error listing those.
Result<Device> parseDevice(const std::string &name);

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// A model input or output as the model declares it.
struct TensorInfo {
  std::string name;
  DataType dtype = DataType::f32;
  std::vector<int64_t> shape;
  /// Per axis, the model's symbolic name for it ("batch"), "" for a fixed
  /// one; empty when the model names none.
  std::vector<std::string> dimNames;

  /// The bytes a tensor of this type and shape holds.
  size_t bytes() const;
};

/// A dense, row-major, little-endian tensor in host memory. It either owns
/// its bytes (allocate: 64-byte aligned, zeroed) or wraps memory the caller
/// owns and keeps alive (wrap: no copy). Copying an owning tensor copies its
/// bytes; copying a wrapping one wraps the same memory.
class Tensor {
public:
  /// An empty f32 scalar with no data.
  Tensor() = default;
  static Tensor wrap(void *data, DataType dtype, std::vector<int64_t> shape);
  static Tensor allocate(DataType dtype, std::vector<int64_t> shape);

  Tensor(const Tensor &other);
  Tensor &operator=(const Tensor &other);
  Tensor(Tensor &&other) noexcept;
  Tensor &operator=(Tensor &&other) noexcept;
  ~Tensor();

  DataType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  void *data() { return data_; }
  const void *data() const { return data_; }
  /// The elements as T (which the caller matches to dtype()).
  template <typename T> T *dataAs() { return static_cast<T *>(data_); }
  template <typename T> const T *dataAs() const {
    return static_cast<const T *>(data_);
  }
  size_t bytes() const;
  int64_t numElements() const;
  /// Whether the tensor owns its bytes (allocate) or wraps the caller's.
  bool owning() const { return owned_ != nullptr; }

private:
  DataType dtype_ = DataType::f32;
  std::vector<int64_t> shape_;
  void *data_ = nullptr;
  /// data_ when owning, else null.
  void *owned_ = nullptr;
};

//===----------------------------------------------------------------------===//
// Models and sessions
//===----------------------------------------------------------------------===//

class Session;

struct LoadOptions {
  /// cuda-emu: where its compiled kernels are cached (empty: the default
  /// kernel cache's cuda-emu folder, under $DSR1_CACHE_DIR or
  /// ~/.cache/dsr1/kernels).
  std::string cacheDir;
  /// cuda-emu: report shared-memory races between the threads of a block
  /// (slower; for debugging kernels).
  bool detectRaces = false;
};

/// A compiled model bound to a device: its plan and weights, and the
/// device's code (cpu and cuda-emu: loaded once and shared by every session;
/// cuda: the driver, loaded once, each session with its own GPU memory).
/// Immutable and thread-safe; it lives as long as the last shared_ptr to it
/// or to one of its sessions.
class Model : public std::enable_shared_from_this<Model> {
public:
  /// Loads a .dsr1 artifact written by dsr1-compile or
  /// Compiler::compileToFile. Errors name the file: missing, not an
  /// artifact, corrupt, of another format version, or without code for
  /// `device` (or no GPU, for cuda).
  static Result<std::shared_ptr<Model>> load(const std::string &artifactPath,
                                             Device device = Device::cpu,
                                             const LoadOptions &options = {});

  const std::vector<TensorInfo> &inputs() const;
  const std::vector<TensorInfo> &outputs() const;
  Device device() const;
  /// What the model was compiled for: "cpu", "sm_80", "sm_90a", ...
  const std::vector<std::string> &targets() const;
  /// A human summary: version, targets, signature, kernels, sizes.
  std::string describe() const;

  /// A session: its own intermediate memory (one arena), ready to run.
  Result<std::unique_ptr<Session>> createSession() const;

  ~Model();
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  struct Impl;

private:
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct ModelAccess;
};

/// One model's run state. One thread at a time.
class Session {
public:
  /// Runs the model on `inputs` (the model's inputs, in order, of their
  /// dtype and shape; a mismatch names the input) into new owning outputs.
  Result<std::vector<Tensor>> run(const std::vector<Tensor> &inputs);
  /// The same into `outputs`, which the caller provides (allocated or
  /// wrapping its own memory) with the outputs' dtypes and shapes; nothing
  /// is copied on the cpu and cuda-emu devices. Outputs must not overlap the
  /// inputs.
  Status run(const std::vector<Tensor> &inputs, std::vector<Tensor> &outputs);

  const Model &model() const;

  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  struct Impl;

private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct SessionAccess;
};

//===----------------------------------------------------------------------===//
// The in-process compiler
//===----------------------------------------------------------------------===//

/// Compiles ONNX models (and TorchScript, in builds with libtorch, or dsr1
/// modules in .mlir files) in process. It holds an MLIR context: use one
/// Compiler per thread. Diagnostics are never printed; they come back in
/// the Status, one per line ("model.onnx: error: node 'x': ...").
class Compiler {
public:
  /// What dsr1-compile's flags set.
  struct CompileOptions {
    /// "cpu" and GPU architectures ("sm_80", "sm_90a"). compile() adds the
    /// device's own when missing (cpu; sm_80 for cuda-emu; the GPU's for
    /// cuda).
    std::vector<std::string> targets = {"cpu"};
    /// fp32, tf32, fp16 or bf16 (auto needs calibration data: use
    /// dsr1-compile --calibration).
    std::string precision = "fp32";
    /// Fit the arena of intermediates in this budget by recomputation:
    /// bytes ("512K", "1.5G") or a percentage ("50%"); empty: none.
    std::string memoryBudget;
    /// Input shapes (and element types) by input name, as --input-shape:
    /// {"input_ids", "1x128:i64"}. They pin symbolic dims.
    std::map<std::string, std::string> inputShapes;
    /// The LLVM optimisation level of cpu code (0-3).
    int optLevel = 2;
    /// Report each stage on stderr (a terminal's progress).
    bool showProgress = false;
    /// The kernel cache (empty: $DSR1_CACHE_DIR, else ~/.cache/dsr1/kernels).
    std::string cacheDir;
    /// A tuning cache (dsr1-compile --tune-gemm/--tune-conv/--tune-attention
    /// --tuning-cache FILE): the tensor-core kernels found there use their
    /// tuned parameters, those of the first GPU target. Empty: none.
    std::string tuningCache;
  };

  Compiler();
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  /// Compiles `modelPath` and binds the result to `device`, in memory: no
  /// file is written and the weights are not copied again.
  Result<std::shared_ptr<Model>> compile(const std::string &modelPath,
                                         const CompileOptions &options,
                                         Device device = Device::cpu);
  /// Compiles `modelPath` into a .dsr1 artifact at `artifactPath`.
  Status compileToFile(const std::string &modelPath,
                       const std::string &artifactPath,
                       const CompileOptions &options);

  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
  friend struct CompilerAccess;
};

} // namespace dsr1

#endif // DSR1_DSR1_HPP
