//===- NodeName.h - the user's name for an op ------------------*- C++ -*-===//
//
// Reports and plans name an op by the ONNX node it came from, which the
// importer puts in the op's location.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_SUPPORT_NODENAME_H
#define DSR1_SUPPORT_NODENAME_H

#include "mlir/IR/Location.h"

#include <string>

namespace dsr1 {

/// The ONNX node name the importer put in a NameLoc (looking into fused
/// locations), else the location printed.
std::string nodeName(mlir::Location loc);

} // namespace dsr1

#endif // DSR1_SUPPORT_NODENAME_H
