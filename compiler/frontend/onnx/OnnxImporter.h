//===- OnnxImporter.h - ONNX models into the dsr1 dialect -------*- C++ -*-===//
//
// Reads an ONNX model (binary protobuf, or the ONNX textual syntax) and builds
// a module with one func.func of dsr1 ops.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_ONNX_ONNXIMPORTER_H
#define DSR1_FRONTEND_ONNX_ONNXIMPORTER_H

#include "compiler/frontend/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace dsr1::onnx_frontend {

using ImportOptions = ::dsr1::ImportOptions;

/// Imports the model at `path`. Reports every problem through the context's
/// diagnostic handler (naming the file, the node and the op) and returns null
/// on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(mlir::MLIRContext &context, llvm::StringRef path,
               const ImportOptions &options = {});

/// Imports a model held in `data` (binary, or text with options.textFormat)
/// as if read from `path` (named in messages; external data beside it).
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxBuffer(mlir::MLIRContext &context, llvm::StringRef data,
                 llvm::StringRef path, const ImportOptions &options = {});

/// Imports a model already in memory. `modelDir` is where external data files
/// are looked up; `sourceName` names the model in locations and messages.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(mlir::MLIRContext &context, const onnx::ModelProto &model,
                llvm::StringRef modelDir, llvm::StringRef sourceName,
                const ImportOptions &options = {});

using ::dsr1::parseDimOverride;
using ::dsr1::parseShapeOverride;

} // namespace dsr1::onnx_frontend

#endif // DSR1_FRONTEND_ONNX_ONNXIMPORTER_H
