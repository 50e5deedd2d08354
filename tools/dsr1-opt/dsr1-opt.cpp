//===- dsr1-opt.cpp - mlir-opt with the dsr1 dialect, passes and pipelines ===//
//
// The driver for lit tests and pass development: parses a module, runs the
// passes asked for, and prints the result.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CpuCodegen.h"
#include "codegen/cpu/Passes.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Passes.h"
#include "compiler/pipelines/Pipelines.h"
#include "compiler/support/DebugOnly.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  dsr1::registerDebugOnlyOption();
  mlir::registerTransformsPasses();
  dsr1::registerDSR1Passes();
  dsr1::cpu::registerDSR1CpuPasses();
  dsr1::registerPipelines();
  dsr1::cpu::registerCpuCodegenPipeline();

  mlir::DialectRegistry registry;
  registry.insert<dsr1::DSR1Dialect>();
  dsr1::cpu::registerCodegenDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dsr1 optimizer driver\n", registry));
}
