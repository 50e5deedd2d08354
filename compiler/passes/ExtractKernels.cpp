//===- ExtractKernels.cpp - the kernels of a module, for codegen ----------===//
//
// Leaves only the outlined kernel functions, public, so that a code
// generator sees nothing but its entry points.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"

namespace dsr1 {
#define GEN_PASS_DEF_EXTRACTKERNELSPASS
#include "compiler/passes/Passes.h.inc"
} // namespace dsr1

using namespace mlir;

namespace dsr1 {
namespace {

struct ExtractKernelsPass : impl::ExtractKernelsPassBase<ExtractKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    for (auto func :
         llvm::make_early_inc_range(getOperation().getOps<func::FuncOp>())) {
      if (func->hasAttr(kKernelAttrName))
        func.setPublic();
      else
        func.erase();
    }
  }
};

} // namespace
} // namespace dsr1
