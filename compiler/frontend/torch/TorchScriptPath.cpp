//===- TorchScriptPath.cpp - Recognising TorchScript files --------------===//

#include "compiler/frontend/torch/TorchScriptImporter.h"

#include "llvm/Support/Path.h"

namespace dsr1::torch_frontend {

bool isTorchScriptPath(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  return ext == ".pt" || ext == ".pth" || ext == ".torchscript";
}

} // namespace dsr1::torch_frontend
