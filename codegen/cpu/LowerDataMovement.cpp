//===- LowerDataMovement.cpp - concat, slice, gather, scatter, pad, transpose
// and reshapes -===//
//
// The dsr1-to-linalg patterns for concat, slice, gather, scatter, pad,
// transpose and reshapes.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"

using namespace mlir;

namespace dsr1::cpu {

void populateDataMovementPatterns(LoweringTypeConverter &converter,
                                  RewritePatternSet &patterns) {}

} // namespace dsr1::cpu
