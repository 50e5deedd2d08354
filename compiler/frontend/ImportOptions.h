//===- ImportOptions.h - What every frontend is told ----------*- C++ -*-===//
//
// The options the ONNX and TorchScript importers share: shapes, element
// types and values of graph inputs known before import, and progress.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_IMPORTOPTIONS_H
#define DSR1_FRONTEND_IMPORTOPTIONS_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace dsr1 {

struct ImportOptions {
  /// Shapes that replace the declared (often symbolic) shapes of graph inputs,
  /// by input name: pinning `batch` and `sequence` lets shape subgraphs fold.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Element types of graph inputs by name, as MLIR spells them ("f32",
  /// "i64", "i1"): formats that do not declare them (TorchScript) need them.
  llvm::StringMap<std::string> inputElementTypes;
  /// Shapes of the graph inputs by position (initializers listed as inputs
  /// do not count), as read off the data a model is run on; `inputShapes`
  /// wins where both name an input.
  std::vector<llvm::SmallVector<int64_t>> inputShapesByPosition;
  /// Element types by position, as read off the same data (see
  /// inputElementTypes); `inputElementTypes` wins where both give one.
  std::vector<std::string> inputElementTypesByPosition;
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

/// Parses an input shape override, "input_ids=1x128" or, with an element
/// type, "input_ids=1x128:i64", into `options`; "x=:f32" is rank 0.
llvm::LogicalResult parseShapeOverride(llvm::StringRef text,
                                       ImportOptions &options,
                                       std::string &error);

/// Parses every --input-shape value of a tool into `options`; on a bad one,
/// `error` says which and why.
llvm::LogicalResult parseShapeOverrides(llvm::ArrayRef<std::string> texts,
                                        ImportOptions &options,
                                        std::string &error);

/// The first input name the shape overrides give that is not among
/// `inputNames` (the model's), if any.
std::optional<std::string>
unknownShapeOverride(const ImportOptions &options,
                     llvm::ArrayRef<std::string> inputNames);

/// Parses a symbolic dim value, "batch=1", into `options`.
llvm::LogicalResult parseDimOverride(llvm::StringRef text,
                                     ImportOptions &options,
                                     std::string &error);

} // namespace dsr1

#endif // DSR1_FRONTEND_IMPORTOPTIONS_H
