//===- CudaDevice.h - the cuda device: a plan on a GPU ----------*- C++ -*-===//
//
// The CUDA driver API, loaded with dlopen (dsr1 builds and runs without a
// GPU or driver and says so plainly when one is asked for), and a session
// that runs a plan's generated kernels on a GPU: weights uploaded once, one
// device arena, the kernels' cubin for the GPU's architecture (or their PTX,
// JIT-compiled by the driver), and a status word per launch so bad data is
// reported with the node at fault, as on the host devices. A session works
// on a stream of its own through page-locked staging buffers and replays the
// whole run as a CUDA graph after the first.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_CUDA_CUDADEVICE_H
#define DSR1_RUNTIME_CUDA_CUDADEVICE_H

#include "runtime/HostTensor.h"
#include "runtime/Plan.h"
#include "runtime/Result.h"
#include "runtime/cuda/CudaPlan.h"

#include <memory>
#include <string>
#include <vector>

namespace dsr1::cuda {

/// Compiled code for one architecture: a cubin ("sm_80", "sm_90a") and the
/// PTX of its virtual architecture.
struct DeviceBinary {
  std::string arch;
  std::string cubin;
  std::string ptx;
};

/// The loaded driver and the first GPU it reports (its primary context).
/// Immutable once loaded: one driver may be shared by sessions on any
/// number of threads.
class CudaDriver {
public:
  /// Loads libcuda ($DSR1_CUDA_DRIVER alone when set, else libcuda.so.1,
  /// libcuda.so) and initialises it; an error says why no GPU can be used
  /// (no driver, no device).
  static Result<std::shared_ptr<CudaDriver>> load();
  /// "NVIDIA H200", and the compute capability as major * 10 + minor.
  const std::string &deviceName() const { return name_; }
  int computeCapability() const { return capability_; }
  /// Makes the GPU's context current on the calling thread: every thread
  /// that calls the driver needs it, and a thread starts with none.
  Status makeCurrent() const;

  struct Api;
  const Api &api() const { return *api_; }
  ~CudaDriver();

private:
  CudaDriver() = default;
  void *handle_ = nullptr;
  std::unique_ptr<Api> api_;
  void *context_ = nullptr;
  int device_ = 0;
  std::string name_;
  int capability_ = 0;
};

/// One plan on the GPU. A session is used by one thread at a time; several
/// sessions (of one plan or several) may run on as many threads at once.
class CudaSession {
public:
  /// Loads the binary for the GPU's architecture (an exact cubin, else a
  /// cubin of the same major version, else the PTX of the highest virtual
  /// architecture the GPU runs), uploads the weights, allocates the arena,
  /// the page-locked staging buffers and the session's stream.
  static Result<std::unique_ptr<CudaSession>>
  create(std::shared_ptr<CudaDriver> driver, std::shared_ptr<const Plan> plan,
         const CudaModule &code, const std::vector<DeviceBinary> &binaries);

  /// Runs the plan once: inputs copied in, outputs copied out, one
  /// synchronisation with the GPU at the end.
  Result<std::vector<HostTensor>> run(const std::vector<HostTensor> &inputs);

  /// Whether runs go through a CUDA graph (default on): the first run
  /// captures every copy and launch of a run into a graph, later runs launch
  /// that graph. A driver that cannot capture or instantiate it leaves the
  /// session on plain launches (graphStatus() says why); that is no error.
  void useGraphs(bool on);
  /// How runs are issued, in words: "graph: captured on the next run",
  /// "graph: captured on the first run, launched per run", or "off: "
  /// and the reason ("off: capturing a CUDA graph: cuStreamBeginCapture
  /// failed: ...; plain launches").
  const std::string &graphStatus() const { return graphStatus_; }

  /// Times every grid launch from now on (CUDA events): launchSeconds()[i]
  /// accumulates function launchNames()[i] over all runs. Events between
  /// launches need plain launches: profiling turns graphs off.
  void enableProfiling();
  const std::vector<double> &launchSeconds() const { return seconds_; }
  const std::vector<std::string> &launchNames() const { return names_; }
  /// Which binary was loaded ("sm_90a cubin", "compute_80 PTX").
  const std::string &loaded() const { return loaded_; }

  ~CudaSession();

private:
  CudaSession() = default;
  struct Step;
  /// Puts one whole run on the stream: inputs from the staging buffers,
  /// the status words cleared, every launch, status words and outputs back
  /// to the staging buffers.
  Status enqueue();
  /// Captures enqueue() into graphExec_; on failure says why and cleans up.
  Status capture();
  void setGraphStatus();

  std::shared_ptr<CudaDriver> driver_;
  std::shared_ptr<const Plan> plan_;
  void *module_ = nullptr;
  void *stream_ = nullptr;
  std::vector<Step> steps_;
  uint64_t arena_ = 0, weights_ = 0, io_ = 0, status_ = 0;
  /// Scratch shared by the kernels that need one (the largest of their
  /// CudaKernel::workspaceBytes), or 0.
  uint64_t workspace_ = 0;
  /// Page-locked host memory laid out as io_ then the status words.
  uint8_t *staging_ = nullptr;
  uint64_t ioBytes_ = 0;
  std::vector<uint64_t> weightOffsets_, inputOffsets_, outputOffsets_;
  std::string loaded_;
  bool graphs_ = true;
  /// Why graphs cannot be used (capture or instantiation failed), or empty.
  std::string graphFailure_;
  void *graphExec_ = nullptr;
  std::string graphStatus_;
  bool profiling_ = false;
  /// Two events per grid launch, created once profiling is on.
  std::vector<void *> events_;
  std::vector<double> seconds_;
  std::vector<std::string> names_;
};

} // namespace dsr1::cuda

#endif // DSR1_RUNTIME_CUDA_CUDADEVICE_H
