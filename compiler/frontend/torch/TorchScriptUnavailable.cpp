//===- TorchScriptUnavailable.cpp - The frontend in a build without torch ===//

#include "compiler/frontend/torch/TorchScriptImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"

using namespace mlir;

namespace dsr1::torch_frontend {

bool torchScriptAvailable() { return false; }

OwningOpRef<ModuleOp> importTorchScriptFile(MLIRContext &context,
                                            llvm::StringRef path,
                                            const ImportOptions &) {
  emitError(FileLineColLoc::get(&context, path, 0, 0))
      << "this build of dsr1 has no TorchScript support: it was configured "
         "without libtorch. Install it (pip install torch==2.15.0) and "
         "rebuild (scripts/build.sh, or cmake -DDSR1_ENABLE_TORCH=ON), or "
         "export the model to ONNX (torch.onnx.export) instead";
  return nullptr;
}

} // namespace dsr1::torch_frontend
