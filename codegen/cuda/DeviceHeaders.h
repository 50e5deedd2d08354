//===- DeviceHeaders.h - the headers generated CUDA code includes -*- C++
//-*-===//
//
// dsr1_device.cuh (the device library) and cuda_emu.h (its host
// implementation for cuda-emu), embedded in the binary at build time so that
// an installed dsr1 needs no source tree to compile kernels.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CODEGEN_CUDA_DEVICEHEADERS_H
#define DSR1_CODEGEN_CUDA_DEVICEHEADERS_H

#include <string>
#include <utility>
#include <vector>

namespace dsr1::cuda {

/// (file name, text) of every header generated code may include.
const std::vector<std::pair<std::string, std::string>> &deviceHeaders();

} // namespace dsr1::cuda

#endif // DSR1_CODEGEN_CUDA_DEVICEHEADERS_H
