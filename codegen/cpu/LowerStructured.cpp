//===- LowerStructured.cpp - matmul, gemm, convolution and pooling -===//
//
// The dsr1-to-linalg patterns for matmul, gemm, convolution and pooling.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"

using namespace mlir;

namespace dsr1::cpu {

void populateStructuredPatterns(LoweringTypeConverter &converter,
                                RewritePatternSet &patterns) {}

} // namespace dsr1::cpu
