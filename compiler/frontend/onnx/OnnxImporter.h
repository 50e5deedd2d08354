//===- OnnxImporter.h - ONNX models into the dsr1 dialect -------*- C++ -*-===//
//
// Reads an ONNX model (binary protobuf, or the ONNX textual syntax) and builds
// a module with one func.func of dsr1 ops.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_ONNX_ONNXIMPORTER_H
#define DSR1_FRONTEND_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace dsr1::onnx_frontend {

struct ImportOptions {
  /// Shapes that replace the declared (often symbolic) shapes of graph inputs,
  /// by input name: pinning `batch` and `sequence` lets shape subgraphs fold.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Shapes of the graph inputs by position (initializers listed as inputs
  /// do not count), as read off the data a model is run on; `inputShapes`
  /// wins where both name an input.
  std::vector<llvm::SmallVector<int64_t>> inputShapesByPosition;
  /// Values of graph inputs by position (an empty vector: not given). Where
  /// an op needs an input at compile time (a shape, axes, pads, a clip
  /// bound) and that input is a graph input with a given value, the value is
  /// used: the module is then specific to it. dsr1-run, which compiles for
  /// the data it runs on, gives the small inputs' values.
  std::vector<std::vector<double>> inputValues;
  /// Values for symbolic dims (dim_param) by name, applied to every input.
  llvm::StringMap<int64_t> dimValues;
  /// Parse the file as ONNX textual syntax rather than binary protobuf
  /// (also chosen by the extension .onnxtxt).
  bool textFormat = false;
  /// Report progress on stderr (for a terminal): large models take seconds.
  bool showProgress = false;
};

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

/// Parses an input shape override, "input_ids=1x128", into `options`.
llvm::LogicalResult parseShapeOverride(llvm::StringRef text,
                                       ImportOptions &options,
                                       std::string &error);

/// Parses a symbolic dim value, "batch=1", into `options`.
llvm::LogicalResult parseDimOverride(llvm::StringRef text,
                                     ImportOptions &options,
                                     std::string &error);

} // namespace dsr1::onnx_frontend

#endif // DSR1_FRONTEND_ONNX_ONNXIMPORTER_H
