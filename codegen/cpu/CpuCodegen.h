//===- CpuCodegen.h - dsr1 kernels to host machine code ---------*- C++ -*-===//
//
// The cpu code generator: the pass pipeline from a module of dsr1 kernel
// functions to the LLVM dialect, and the in-process JIT that turns the
// result into a kernel library for the runtime, or the shared object that
// holds the same machine code for ahead-of-time artifacts.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CODEGEN_CPU_CPUCODEGEN_H
#define DSR1_CODEGEN_CPU_CPUCODEGEN_H

#include "runtime/HostSession.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dsr1::cpu {

/// Registers what the cpu pipeline creates and translates: linalg, tensor,
/// arith, math, scf, memref, bufferization (with the bufferization models of
/// each), cf and the LLVM dialect with its translation to LLVM IR.
void registerCodegenDialects(mlir::DialectRegistry &registry);

/// The passes from dsr1 kernels (public `dsr1.kernel` functions) to the LLVM
/// dialect: -dsr1-lower-to-linalg, one-shot bufferization with results
/// turned into out-parameters, deallocation, loops, and the LLVM
/// conversions with bare-pointer calls. Each kernel then takes its status
/// word, its operands and its results, as the runtime calls it.
/// `useBlas` = false keeps matrix products as generated loops (to measure
/// what the library buys).
void buildCpuCodegenPipeline(mlir::OpPassManager &pm, bool useBlas = true);

/// Names and orders the private constant globals of a module in the LLVM
/// dialect by their contents (merging identical ones), so that the same
/// kernels always lower to the same text. One-shot bufferization names the
/// globals it makes for constants in the order it visits functions, which
/// comes from a pointer-keyed map: without this, the cpu object cache's key
/// (a hash of the lowered module) would differ from run to run.
void canonicalizeConstantGlobals(mlir::ModuleOp module);

/// Registers `dsr1-cpu-codegen-pipeline` (for dsr1-opt).
void registerCpuCodegenPipeline();

/// JIT-compiles a module in the LLVM dialect at `optLevel` (0-3) for this
/// host. On failure returns null and sets `error`.
std::shared_ptr<const CpuKernelLibrary>
jitCompile(mlir::ModuleOp module, int optLevel, std::string &error);

/// Machine code for the cpu device, loadable without MLIR or LLVM.
struct CpuObject {
  /// An ELF shared object (x86-64 Linux) holding every kernel, for
  /// runtime/cpu's loadCpuObject (the contract is runtime/cpu/CpuObjectAbi.h).
  std::string sharedObject;
  /// The host CPU it was compiled for ("znver3") and its features ("+avx2",
  /// ...), as LLVM names them: the code may use any of them, so a CPU that
  /// lacks one cannot run it (runtime/cpu's checkCpuFeatures).
  std::string cpuName;
  std::vector<std::string> cpuFeatures;
};

/// Compiles a module in the LLVM dialect (after buildCpuCodegenPipeline) at
/// `optLevel` into a shared object, with exactly the optimisation and code
/// generation the JIT applies, so the kernels compute bit for bit what
/// jitCompile's do. The object is linked by the host C compiler ($DSR1_CC,
/// else `cc`). On failure returns nothing and sets `error` (for a failed
/// link: the command and the compiler's output).
std::optional<CpuObject> emitCpuObject(mlir::ModuleOp module, int optLevel,
                                       std::string &error);

} // namespace dsr1::cpu

#endif // DSR1_CODEGEN_CPU_CPUCODEGEN_H
