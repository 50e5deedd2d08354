//===- DSR1Dialect.cpp - dsr1 dialect registration
//--------------------------===//
//
// Registers the dsr1 ops and attributes and materialises folded constants.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dsr1;

#include "compiler/dialects/dsr1/DSR1Dialect.cpp.inc"
#include "compiler/dialects/dsr1/DSR1Enums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "compiler/dialects/dsr1/DSR1Attrs.cpp.inc"

void DSR1Dialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "compiler/dialects/dsr1/DSR1Attrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "compiler/dialects/dsr1/DSR1Ops.cpp.inc"
      >();
}

Operation *DSR1Dialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
