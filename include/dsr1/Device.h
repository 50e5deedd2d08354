//===- Device.h - where a dsr1 model runs -----------------------*- C++ -*-===//
//
// One enum for the public API and the compiler alike, so that a device
// chosen by a host application reaches the compiler without a conversion.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DEVICE_H
#define DSR1_DEVICE_H

namespace dsr1 {

/// The devices a compiled model runs on.
enum class Device {
  /// LLVM-generated host code.
  cpu,
  /// The generated CUDA kernels, compiled by the host compiler and run on the
  /// CPU (threads as fibers): how CUDA code is executed without a GPU.
  cudaEmu,
  /// The generated CUDA kernels on a GPU, through the CUDA driver. (The
  /// in-process compiler only generates their code, CompiledModel::cuda:
  /// NVRTC and the cuda device take it from there.)
  cuda
};

} // namespace dsr1

#endif // DSR1_DEVICE_H
