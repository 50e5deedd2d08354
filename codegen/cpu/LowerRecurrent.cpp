//===- LowerRecurrent.cpp - LSTM and GRU ----------------------------------===//
//
// The dsr1-to-linalg patterns for the recurrent ops.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"

using namespace mlir;

namespace dsr1::cpu {

void populateRecurrentPatterns(LoweringTypeConverter &converter,
                               RewritePatternSet &patterns) {}

} // namespace dsr1::cpu
