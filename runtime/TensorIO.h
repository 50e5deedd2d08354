//===- TensorIO.h - tensors from and to files: TensorProto, .npy -*- C++
//-*-===//
//
// The runtime's file formats for inputs and outputs: serialized ONNX
// TensorProto (`input_N.pb`, the ONNX backend-test layout) and NumPy `.npy`.
// Every failure names the file and what is wrong with it.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_TENSORIO_H
#define DSR1_RUNTIME_TENSORIO_H

#include "runtime/HostTensor.h"
#include "runtime/Result.h"

#include <string>
#include <vector>

namespace dsr1 {

/// The name of an ONNX TensorProto.DataType ("FLOAT16", "FLOAT8E4M3FN", ...),
/// including the types newer than Debian's libonnx knows; null if unknown.
const char *onnxDataTypeName(int32_t type);

/// Reads a serialized onnx.TensorProto (raw_data, the typed fields, or
/// external data beside the file).
Result<HostTensor> readTensorProto(const std::string &path);
/// Writes `tensor` as an onnx.TensorProto with raw_data.
Status writeTensorProto(const std::string &path, const HostTensor &tensor);

/// Reads a NumPy .npy file (format 1.0 to 3.0, little-endian, C order). The
/// tensor is named after the file (without .npy).
Result<HostTensor> readNpy(const std::string &path);
/// Writes `tensor` as a .npy file (format 1.0; bf16 has no NumPy type and is
/// refused).
Status writeNpy(const std::string &path, const HostTensor &tensor);

/// The tensors of a test-data folder: `<prefix>_0.pb`, `<prefix>_1.pb`, ...
/// in order (the ONNX backend-test layout), or, when there is no such file,
/// every `.npy` file sorted by name. Fails on a missing folder, no tensors, or
/// a gap in the numbering.
Result<std::vector<HostTensor>> readTensorDir(const std::string &dir,
                                              const std::string &prefix);

} // namespace dsr1

#endif // DSR1_RUNTIME_TENSORIO_H
