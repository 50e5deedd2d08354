//===- OnnxImportFuzzer.cpp - libFuzzer target for the ONNX importer ------===//
//
// Feeds arbitrary bytes to the importer as a binary ModelProto. Any crash,
// abort, sanitizer report or leak is a bug: malformed models must end in a
// diagnostic. scripts/fuzz.sh builds and runs it.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  onnx::ModelProto model;
  if (size > (1u << 20) || !model.ParseFromArray(data, static_cast<int>(size)))
    return 0;
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  // Diagnostics are the expected outcome; keep them off the terminal.
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  // External data must stay inside a folder that holds nothing.
  (void)dsr1::onnx_frontend::importOnnxModel(context, model, "/nonexistent",
                                             "fuzz.onnx");
  return 0;
}
