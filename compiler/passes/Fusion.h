//===- Fusion.h - which ops fuse, and into which kernel family --*- C++ -*-===//
//
// The classification shared by -dsr1-fuse-elementwise, which forms groups,
// and -dsr1-outline-kernels, which names every kernel's family.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_PASSES_FUSION_H
#define DSR1_PASSES_FUSION_H

#include "compiler/dialects/dsr1/DSR1Ops.h"

namespace dsr1 {

/// The kernel function attribute holding a kernel's FusionFamilyAttr.
constexpr llvm::StringLiteral kFamilyAttrName = "dsr1.family";

/// True for the ops computed one element at a time from their operands read
/// through numpy broadcasting (unary, binary, comparisons, where, cast, and
/// expand, which only broadcasts): they fuse with each other and into the
/// prologue or epilogue of an anchor.
bool isFusibleElementwise(mlir::Operation *op);

/// The family of an op that anchors a group (matmul, gemm, conv, softmax,
/// norms, reductions), or nullopt for an op that is not an anchor.
std::optional<FusionFamily> anchorFamily(mlir::Operation *op);

/// The family of the kernel an op makes on its own.
FusionFamily fusionFamilyOf(mlir::Operation *op);

} // namespace dsr1

#endif // DSR1_PASSES_FUSION_H
