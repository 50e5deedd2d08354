//===- dsr1-opt.cpp - mlir-opt with the dsr1 dialect, passes and pipelines ===//
//
// The driver for lit tests and pass development: parses a module, runs the
// passes asked for, and prints the result.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  dsr1::registerPipelines();

  mlir::DialectRegistry registry;
  registry.insert<dsr1::DSR1Dialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::tensor::TensorDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dsr1 optimizer driver\n", registry));
}
