//===- ImportOptions.cpp - Parsing the shared import options ------------===//

#include "compiler/frontend/ImportOptions.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace dsr1 {

LogicalResult parseDimOverride(StringRef text, ImportOptions &options,
                               std::string &error) {
  auto [name, value] = text.rsplit('=');
  int64_t d;
  if (name.empty() || value.getAsInteger(10, d) || d < 0) {
    error = "expected NAME=SIZE (e.g. batch=1), got '" + text.str() + "'";
    return failure();
  }
  options.dimValues[name] = d;
  return success();
}

LogicalResult parseShapeOverride(StringRef text, ImportOptions &options,
                                 std::string &error) {
  auto [name, spec] = text.rsplit('=');
  auto [dims, element] = spec.split(':');
  // "x=:f32" is a rank-0 input (no dims, an element type).
  if (name.empty() || (dims.empty() && !spec.contains(':'))) {
    error = "expected NAME=DIMS[:TYPE] (e.g. input_ids=1x128:i64), got '" +
            text.str() + "'";
    return failure();
  }
  static constexpr llvm::StringLiteral kTypes[] = {
      "f16", "bf16", "f32", "f64", "i1", "i8", "i16", "i32", "i64", "u8"};
  if (!element.empty() && !llvm::is_contained(kTypes, element)) {
    error = "bad element type '" + element.str() + "' in '" + text.str() +
            "' (one of " +
            llvm::join(std::begin(kTypes), std::end(kTypes), ", ") + ")";
    return failure();
  }
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  if (!dims.empty())
    dims.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t d;
    if (part.getAsInteger(10, d) || d < 0) {
      error = "bad dim '" + part.str() + "' in '" + text.str() + "'";
      return failure();
    }
    shape.push_back(d);
  }
  options.inputShapes[name] = shape;
  if (!element.empty())
    options.inputElementTypes[name] = element.str();
  return success();
}

std::optional<std::string>
unknownShapeOverride(const ImportOptions &options,
                     ArrayRef<std::string> inputNames) {
  for (const auto &entry : options.inputShapes)
    if (!llvm::is_contained(inputNames, entry.getKey()))
      return entry.getKey().str();
  return std::nullopt;
}

LogicalResult parseShapeOverrides(ArrayRef<std::string> texts,
                                  ImportOptions &options, std::string &error) {
  for (const std::string &text : texts)
    if (failed(parseShapeOverride(text, options, error))) {
      error = "--input-shape: " + error;
      return failure();
    }
  return success();
}

} // namespace dsr1
