//===- OutlineKernels.cpp - one kernel function per unit of codegen -------===//
//
// Moves each dsr1 compute op of a graph function into a private kernel
// function and calls it, so that the graph function is the schedule and each
// kernel is what a code generator compiles.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace dsr1 {
#define GEN_PASS_DEF_OUTLINEKERNELSPASS
#include "compiler/passes/Passes.h.inc"
} // namespace dsr1

using namespace mlir;

namespace dsr1 {
namespace {

/// True for the ops that become kernels: every dsr1 op but constants, which
/// stay in the graph as the model's weights.
bool isKernelOp(Operation *op) {
  return isa<DSR1Dialect>(op->getDialect()) && !isa<ConstantOp>(op);
}

/// `g(%x) { %y = dsr1.relu %x }` => `g(%x) { %y = call @g_k0_relu(%x) }` and
/// `func.func private @g_k0_relu(%x) attributes {dsr1.kernel} { dsr1.relu }`.
func::FuncOp outline(Operation *op, func::FuncOp graph, unsigned index,
                     SymbolTable &symbols) {
  std::string name = (graph.getSymName() + "_k" + Twine(index) + "_" +
                      op->getName().stripDialect())
                         .str();
  OpBuilder builder(graph);
  auto kernel = func::FuncOp::create(
      op->getLoc(), name,
      builder.getFunctionType(op->getOperandTypes(), op->getResultTypes()));
  kernel.setPrivate();
  kernel->setAttr(kKernelAttrName, builder.getUnitAttr());
  // Appends to the module, renaming on a clash with an existing symbol.
  symbols.insert(kernel);

  Block *body = kernel.addEntryBlock();
  builder.setInsertionPointToStart(body);
  IRMapping mapping;
  mapping.map(op->getOperands(), body->getArguments());
  Operation *clone = builder.clone(*op, mapping);
  func::ReturnOp::create(builder, op->getLoc(), clone->getResults());

  builder.setInsertionPoint(op);
  auto call =
      func::CallOp::create(builder, op->getLoc(), kernel, op->getOperands());
  op->replaceAllUsesWith(call.getResults());
  op->erase();
  return kernel;
}

struct OutlineKernelsPass : impl::OutlineKernelsPassBase<OutlineKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> graphs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func->hasAttr(kKernelAttrName) && !func.isExternal())
        graphs.push_back(func);
    for (func::FuncOp graph : graphs) {
      SmallVector<Operation *> ops;
      graph.walk([&](Operation *op) {
        if (isKernelOp(op))
          ops.push_back(op);
      });
      unsigned index = 0;
      for (Operation *op : ops)
        outline(op, graph, index++, symbols);
    }
  }
};

} // namespace
} // namespace dsr1
