//===- OutlineKernels.cpp - one kernel function per unit of codegen -------===//
//
// Moves each dsr1 compute op or fusion group of a graph function into a
// private kernel function and calls it, so that the graph function is the
// schedule and each kernel is what a code generator compiles.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Fusion.h"
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

/// Creates the private kernel function `name` and the call that replaces
/// `op`; `fill` writes the body and returns the values it returns.
func::FuncOp
makeKernel(Operation *op, ValueRange operands, StringRef name,
           FusionFamily family, SymbolTable &symbols, func::FuncOp graph,
           function_ref<SmallVector<Value>(OpBuilder &, IRMapping &)> fill) {
  OpBuilder builder(graph);
  auto kernel = func::FuncOp::create(
      op->getLoc(), name,
      builder.getFunctionType(operands.getTypes(), op->getResultTypes()));
  kernel.setPrivate();
  kernel->setAttr(kKernelAttrName, builder.getUnitAttr());
  kernel->setAttr(kFamilyAttrName,
                  FusionFamilyAttr::get(builder.getContext(), family));
  // Appends to the module, renaming on a clash with an existing symbol.
  symbols.insert(kernel);

  Block *body = kernel.addEntryBlock();
  builder.setInsertionPointToStart(body);
  IRMapping mapping;
  mapping.map(operands, body->getArguments());
  SmallVector<Value> results = fill(builder, mapping);
  func::ReturnOp::create(builder, op->getLoc(), results);

  builder.setInsertionPoint(op);
  auto call = func::CallOp::create(builder, op->getLoc(), kernel, operands);
  op->replaceAllUsesWith(call.getResults());
  op->erase();
  return kernel;
}

/// `g(%x) { %y = dsr1.relu %x }` => `g(%x) { %y = call @g_k0_relu(%x) }` and
/// `func.func private @g_k0_relu(%x) attributes {dsr1.kernel} { dsr1.relu }`.
func::FuncOp outline(Operation *op, func::FuncOp graph, unsigned index,
                     SymbolTable &symbols) {
  std::string name = (graph.getSymName() + "_k" + Twine(index) + "_" +
                      op->getName().stripDialect())
                         .str();
  return makeKernel(op, op->getOperands(), name, fusionFamilyOf(op), symbols,
                    graph, [&](OpBuilder &builder, IRMapping &mapping) {
                      return SmallVector<Value>(
                          builder.clone(*op, mapping)->getResults());
                    });
}

/// `%r = dsr1.fusion gemm (%x, %w) { body; dsr1.yield %v }` =>
/// `%r = call @g_k0_gemm(%x, %w)`, the kernel's body the group's ops.
func::FuncOp outlineGroup(FusionOp group, func::FuncOp graph, unsigned index,
                          SymbolTable &symbols) {
  Block &body = group.getBodyBlock();
  // A constant inside a group (folding within the group makes them) joins
  // the weights in the graph: kernels hold no constant tensors.
  SmallVector<Value> operands(group.getInputs());
  SmallVector<ConstantOp> constants(body.getOps<ConstantOp>());
  for (ConstantOp constant : constants) {
    constant->moveBefore(group);
    operands.push_back(constant.getResult());
  }
  std::string name = (graph.getSymName() + "_k" + Twine(index) + "_" +
                      stringifyFusionFamily(group.getFamily()))
                         .str();
  return makeKernel(group, operands, name, group.getFamily(), symbols, graph,
                    [&](OpBuilder &builder, IRMapping &mapping) {
                      for (auto [argument, input] :
                           llvm::zip(body.getArguments(), group.getInputs()))
                        mapping.map(argument, mapping.lookup(input));
                      for (Operation &op : body.without_terminator())
                        builder.clone(op, mapping);
                      SmallVector<Value> results;
                      for (Value value : group.getYield().getValues())
                        results.push_back(mapping.lookup(value));
                      return results;
                    });
}

struct OutlineKernelsPass : impl::OutlineKernelsPassBase<OutlineKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (func::FuncOp graph : graphFunctions(module)) {
      SmallVector<Operation *> ops;
      // A group's ops are its kernel's, not kernels of their own.
      graph.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (!isKernelOp(op))
          return WalkResult::advance();
        ops.push_back(op);
        return isa<FusionOp>(op) ? WalkResult::skip() : WalkResult::advance();
      });
      unsigned index = 0;
      for (Operation *op : ops) {
        if (auto group = dyn_cast<FusionOp>(op))
          outlineGroup(group, graph, index++, symbols);
        else
          outline(op, graph, index++, symbols);
      }
    }
  }
};

} // namespace
} // namespace dsr1
