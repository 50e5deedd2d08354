//===- LowerReductions.cpp - reductions, arg max/min, softmax, norms and scans
//-===//
//
// The dsr1-to-linalg patterns for reductions, arg max/min, softmax, norms and
// scans.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"

using namespace mlir;

namespace dsr1::cpu {

void populateReductionPatterns(LoweringTypeConverter &converter,
                               RewritePatternSet &patterns) {}

} // namespace dsr1::cpu
