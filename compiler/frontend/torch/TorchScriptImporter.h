//===- TorchScriptImporter.h - TorchScript into the dsr1 dialect -*- C++
//-*-===//
//
// Reads a TorchScript file (torch.jit.save of a traced or scripted module)
// through the libdsr1-torchscript plugin (libtorch: freeze, clean up), and
// maps its forward graph to one func.func of dsr1 ops through the aten table
// (AtenOps.h). The plugin is built when libtorch is found and loaded on first
// use; without it, importing says how to get a build that has it.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_TORCH_TORCHSCRIPTIMPORTER_H
#define DSR1_FRONTEND_TORCH_TORCHSCRIPTIMPORTER_H

#include "compiler/frontend/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace dsr1::torch_frontend {

/// Whether this build can read TorchScript: the plugin is there and loads.
bool torchScriptAvailable();

/// Whether `path` names a TorchScript file by its extension (.pt, .pth,
/// .torchscript).
bool isTorchScriptPath(llvm::StringRef path);

/// Imports the TorchScript file at `path`. Graph inputs take their shapes and
/// element types from `options` (by name, then by position; TorchScript files
/// do not record them; an input with no element type given is f32). Every
/// problem is reported through the context's diagnostic handler, naming the
/// file and, for an op, its kind and Python source line; unsupported ops are
/// all listed at once. Returns null on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importTorchScriptFile(mlir::MLIRContext &context, llvm::StringRef path,
                      const ImportOptions &options = {});

} // namespace dsr1::torch_frontend

#endif // DSR1_FRONTEND_TORCH_TORCHSCRIPTIMPORTER_H
