//===- Lowering.h - dsr1 to linalg: shared pieces ---------------*- C++ -*-===//
//
// What every family of dsr1-to-linalg conversion patterns shares: the type
// converter (unsigned integers become signless; the op keeps the signedness
// for its semantics), builders for linalg.generic over broadcast operands,
// scalar helpers, and the status word a kernel reports bad data through.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_CODEGEN_CPU_LOWERING_H
#define DSR1_CODEGEN_CPU_LOWERING_H

#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>

namespace dsr1::cpu {

/// Unsigned integer element types become signless integers of the same
/// width (arith and linalg want signless); everything else is unchanged.
class LoweringTypeConverter : public mlir::TypeConverter {
public:
  LoweringTypeConverter();
};

/// The signless element type of `type` (`ui8` -> `i8`).
mlir::Type signlessElementType(mlir::Type type);
/// `type` with its element type made signless.
mlir::RankedTensorType signlessTensorType(mlir::Type type);

/// True if `type` (or its element type) is an unsigned integer.
bool isUnsigned(mlir::Type type);

/// A scalar constant of `type` (float, integer or index) holding `value`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);
mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc,
                          int64_t value);

/// How a cast to an 8- or 4-bit float handles overflow and, for
/// f8E8M0FNU, rounds (dsr1.cast's `saturate` and `round_mode`).
struct NarrowFloatCast {
  bool saturate = true;
  RoundMode roundMode = RoundMode::up;
};

/// Converts a scalar between element types with ONNX Cast semantics (floats
/// to integers truncate toward zero; to bool is `!= 0`). `fromUnsigned` and
/// `toUnsigned` carry the signedness the signless types lost.
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::Type to, bool fromUnsigned,
                          bool toUnsigned, NarrowFloatCast narrow = {});

/// LLVM has no 8- or 4-bit floats (dsr1::isNarrowFloat): casts to and from
/// them are built on their bits.
/// A narrow float widened exactly (rounded once, for f16/bf16 targets) to
/// the ordinary float type `to`.
mlir::Value extendNarrowFloat(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value value, mlir::FloatType to);
/// An f32 rounded to nearest even in the narrow float type `to`.
mlir::Value truncateToNarrowFloat(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value value, mlir::FloatType to,
                                  bool saturate, RoundMode roundMode);

/// The indexing map that reads an operand of `operandType` broadcast to
/// `resultType` by numpy rules (aligned at the right, size-1 dims stretch).
mlir::AffineMap broadcastMap(mlir::RankedTensorType operandType,
                             mlir::RankedTensorType resultType);

/// Computes the body for one element: the scalar operands (one per input,
/// already converted to signless types) in, the result scalar out.
using ScalarBody = std::function<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                             mlir::ValueRange)>;

/// A `linalg.generic` with only parallel loops producing `resultType` into a
/// `tensor.empty`, input i read through `inputMaps[i]`, computing `body`
/// per element.
mlir::Value buildParallel(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::RankedTensorType resultType,
                          mlir::ValueRange inputs,
                          llvm::ArrayRef<mlir::AffineMap> inputMaps,
                          const ScalarBody &body);

/// A `linalg.generic` producing `resultType` (signless) from `inputs`, each
/// broadcast to the result by numpy rules, computing `body` per element.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, const ScalarBody &body);

/// `tensor.empty` of `type`.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);
/// A tensor of `type` filled with `value` (linalg.fill).
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value value);

/// The status word of the kernel that `op` is in (its first argument): a
/// `memref<i32>` that stays kStatusOk unless the kernel meets bad data.
mlir::Value kernelStatus(mlir::Operation *op);
/// Stores kStatusBadOperand + `operand` into the status word if `bad` (i1).
void reportBadOperand(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Operation *op, mlir::Value bad, unsigned operand);

/// The pattern families, one file each.
void populateElementwisePatterns(LoweringTypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateStructuredPatterns(LoweringTypeConverter &converter,
                                mlir::RewritePatternSet &patterns);
void populateReductionPatterns(LoweringTypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(LoweringTypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);
void populateRecurrentPatterns(LoweringTypeConverter &converter,
                               mlir::RewritePatternSet &patterns);

} // namespace dsr1::cpu

#endif // DSR1_CODEGEN_CPU_LOWERING_H
