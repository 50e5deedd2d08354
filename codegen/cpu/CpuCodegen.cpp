//===- CpuCodegen.cpp - dsr1 kernels to host machine code -----------------===//
//
// The upstream MLIR lowering (linalg -> loops -> LLVM) after dsr1's own
// -dsr1-lower-to-linalg, and the ExecutionEngine that JIT-compiles it.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CpuCodegen.h"
#include "codegen/cpu/Passes.h"
#include "runtime/cpu/CpuLibrary.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/TargetSelect.h"

#include <map>

using namespace mlir;

namespace dsr1::cpu {

void registerCodegenDialects(DialectRegistry &registry) {
  registry.insert<affine::AffineDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, index::IndexDialect, linalg::LinalgDialect,
                  LLVM::LLVMDialect, math::MathDialect, memref::MemRefDialect,
                  scf::SCFDialect, tensor::TensorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

void buildCpuCodegenPipeline(OpPassManager &pm, bool useBlas) {
  pm.addPass(createLowerToLinalgPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  // A fused group's ops become one loop nest before bufferization, so its
  // intermediates need no buffers.
  pm.addNestedPass<func::FuncOp>(createFuseLinalgPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Results become out-parameters, and a result computed into a fresh
  // buffer is computed in the caller's instead (this needs memref.alloc's
  // AllocationOpInterface model, registered above).
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createCanonicalizerPass());
  if (useBlas)
    pm.addPass(createCallBlasPass());

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Strided metadata first: it leaves affine.apply ops for lower-affine.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // f16/bf16 math runs in f32, then rounds (what the GPU libraries do).
  pm.addPass(math::createMathExtendToSupportedTypes());
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void canonicalizeConstantGlobals(ModuleOp module) {
  // Contents (type, value, alignment) -> the globals holding them, in a
  // std::map so that the new order is the contents' order.
  std::map<std::string, SmallVector<LLVM::GlobalOp>> byContents;
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    if (!global.getConstant() ||
        global.getLinkage() != LLVM::Linkage::Private ||
        !global.getValueAttr() || !global.getInitializerRegion().empty())
      continue;
    std::string key;
    llvm::raw_string_ostream os(key);
    os << global.getGlobalType() << "|" << global.getValueAttr() << "|"
       << global.getAlignment().value_or(0) << "|" << global.getAddrSpace();
    byContents[key].push_back(global);
  }
  // Merge duplicates, then rename in two steps (to names no global has,
  // then to the final ones) so that no rename meets a name still in use.
  SmallVector<LLVM::GlobalOp> ordered;
  for (auto &[contents, globals] : byContents) {
    for (LLVM::GlobalOp duplicate : llvm::drop_begin(globals)) {
      (void)SymbolTable::replaceAllSymbolUses(
          duplicate.getSymNameAttr(), globals.front().getSymNameAttr(), module);
      duplicate.erase();
    }
    ordered.push_back(globals.front());
  }
  auto rename = [&](LLVM::GlobalOp global, const std::string &name) {
    auto attr = StringAttr::get(module.getContext(), name);
    (void)SymbolTable::replaceAllSymbolUses(global.getSymNameAttr(), attr,
                                            module);
    global.setSymNameAttr(attr);
  };
  for (auto [index, global] : llvm::enumerate(ordered))
    rename(global, "__dsr1_renaming_" + std::to_string(index));
  Block *body = module.getBody();
  Operation *insertAfter = nullptr;
  for (auto [index, global] : llvm::enumerate(ordered)) {
    rename(global, "__dsr1_constant_" + std::to_string(index));
    if (insertAfter)
      global->moveAfter(insertAfter);
    else
      global->moveBefore(body, body->begin());
    insertAfter = global;
  }
}

void registerCpuCodegenPipeline() {
  PassPipelineRegistration<>(
      "dsr1-cpu-codegen-pipeline",
      "Lower dsr1 kernel functions to the LLVM dialect for the cpu device",
      [](OpPassManager &pm) { buildCpuCodegenPipeline(pm); });
}

namespace {

class JitKernelLibrary : public CpuKernelLibrary {
public:
  explicit JitKernelLibrary(std::unique_ptr<ExecutionEngine> engine)
      : engine(std::move(engine)) {}

  CpuKernelFn lookup(const std::string &symbol) const override {
    llvm::Expected<void (*)(void **)> fn = engine->lookupPacked(symbol);
    if (!fn) {
      llvm::consumeError(fn.takeError());
      return nullptr;
    }
    return *fn;
  }

private:
  std::unique_ptr<ExecutionEngine> engine;
};

} // namespace

std::shared_ptr<const CpuKernelLibrary>
jitCompile(ModuleOp module, int optLevel, std::string &error) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;

  ExecutionEngineOptions options;
  auto transformer = makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                               /*targetMachine=*/nullptr);
  options.transformer = transformer;
  options.jitCodeGenOptLevel = static_cast<llvm::CodeGenOptLevel>(optLevel);
  options.enableGDBNotificationListener = false;
  options.enablePerfNotificationListener = false;
  llvm::Expected<std::unique_ptr<ExecutionEngine>> engine =
      ExecutionEngine::create(module, options);
  if (!engine) {
    error = llvm::toString(engine.takeError());
    return nullptr;
  }
  // Generated code calls the runtime's library routines (BLAS) and, for
  // copies between strided buffers, MLIR's memrefCopy by name.
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto add = [&](const char *name, void *address) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
    };
    for (auto [name, address] : cpuLibrarySymbols())
      add(name, address);
    add("memrefCopy", reinterpret_cast<void *>(&memrefCopy));
    return symbols;
  });
  return std::make_shared<JitKernelLibrary>(std::move(*engine));
}

} // namespace dsr1::cpu
