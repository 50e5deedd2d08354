//===- dsr1-import.cpp - import a model and print its dsr1 module ---------===//
//
// dsr1-import MODEL.onnx|MODEL.pt [-o OUT.mlir] [--input-shape NAME=DIMS]
// [--dim N=V] [--optimize]: the ONNX and TorchScript frontends on their own,
// for users and lit tests.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/NodeImporter.h"
#include "compiler/frontend/onnx/OnnxImporter.h"
#include "compiler/frontend/torch/AtenOps.h"
#include "compiler/frontend/torch/TorchScriptImporter.h"
#include "compiler/pipelines/Pipelines.h"
#include "compiler/support/DebugOnly.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputPath(cl::Positional,
                                      cl::desc("<model.onnx | model.pt>"),
                                      cl::init("-"));
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("filename"),
                                       cl::init("-"));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Shape of a graph input, NAME=DIMS[:TYPE] "
                         "(input_ids=1x128:i64; TYPE for TorchScript)"),
                cl::value_desc("name=dims"));
static cl::list<std::string>
    dimValues("dim", cl::desc("Value of a symbolic dim, NAME=SIZE (batch=1)"),
              cl::value_desc("name=size"));
static cl::opt<bool>
    textSyntax("text", cl::desc("Read the ONNX textual syntax (also chosen "
                                "by the extension .onnxtxt)"));
static cl::opt<bool> optimize("optimize",
                              cl::desc("Run the dsr1-optimize-pipeline after "
                                       "importing"));
static cl::opt<bool> listOps("list-ops",
                             cl::desc("List the ONNX ops dsr1 imports"));
static cl::opt<bool>
    listAtenOps("list-aten-ops",
                cl::desc("List the aten and prim ops the TorchScript "
                         "frontend maps (with libtorch or without)"));
static cl::opt<bool> splitInput(
    "split-input-file",
    cl::desc("Import each '// -----' chunk of a text file on its own"));

/// Optimises `module` if asked, then prints it.
static LogicalResult emit(MLIRContext &context, ModuleOp module,
                          raw_ostream &os) {
  if (optimize) {
    PassManager pm(&context);
    dsr1::buildOptimizePipeline(pm);
    if (failed(pm.run(module)))
      return failure();
  }
  module.print(os);
  os << "\n";
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  dsr1::registerDebugOnlyOption();
  cl::ParseCommandLineOptions(argc, argv,
                              "dsr1-import: ONNX or TorchScript model to dsr1 "
                              "dialect\n");
  if (listOps) {
    for (const std::string &name :
         dsr1::onnx_frontend::OpRegistry::get().names())
      llvm::outs() << name << "\n";
    return 0;
  }
  if (listAtenOps) {
    for (const std::string &name : dsr1::torch_frontend::supportedAtenOps())
      llvm::outs() << name << "\n";
    return 0;
  }
  dsr1::onnx_frontend::ImportOptions options;
  options.textFormat = textSyntax;
  options.showProgress = llvm::errs().is_displayed();
  std::string error;
  for (const std::string &spec : inputShapes)
    if (failed(dsr1::onnx_frontend::parseShapeOverride(spec, options, error))) {
      llvm::errs() << "dsr1-import: --input-shape: " << error << "\n";
      return 1;
    }
  for (const std::string &spec : dimValues)
    if (failed(dsr1::onnx_frontend::parseDimOverride(spec, options, error))) {
      llvm::errs() << "dsr1-import: --dim: " << error << "\n";
      return 1;
    }

  MLIRContext context;
  auto output = openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "dsr1-import: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  if (!splitInput) {
    OwningOpRef<ModuleOp> module =
        dsr1::torch_frontend::isTorchScriptPath(inputPath)
            ? dsr1::torch_frontend::importTorchScriptFile(context, inputPath,
                                                          options)
            : dsr1::onnx_frontend::importOnnxFile(context, inputPath, options);
    if (!module || failed(emit(context, *module, output->os())))
      return 1;
    output->keep();
    return 0;
  }
  // Split mode (for lit tests with many small models in one file): each chunk
  // is imported on its own, and a failing chunk does not stop the rest.
  auto input = openInputFile(inputPath, &error);
  if (!input) {
    llvm::errs() << "dsr1-import: " << error << "\n";
    return 1;
  }
  options.textFormat = true;
  bool anyFailed = false;
  SmallVector<StringRef> chunks;
  input->getBuffer().split(chunks, "// -----");
  for (auto [i, chunk] : llvm::enumerate(chunks)) {
    if (i)
      output->os() << "// -----\n";
    OwningOpRef<ModuleOp> module = dsr1::onnx_frontend::importOnnxBuffer(
        context, chunk, inputPath, options);
    anyFailed |= !module || failed(emit(context, *module, output->os()));
  }
  output->keep();
  return anyFailed ? 1 : 0;
}
