//===- LowerToLinalg.cpp - dsr1 kernels to linalg/tensor/arith/math -------===//
//
// The -dsr1-lower-to-linalg pass and the helpers every pattern family
// shares. The families (elementwise, structured, reductions, data movement)
// live in their own files.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Lowering.h"
#include "codegen/cpu/Passes.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Passes.h"
#include "runtime/Plan.h"

#include "mlir/Dialect/Func/Transforms/FuncConversions.h"

namespace dsr1::cpu {
#define GEN_PASS_DEF_LOWERTOLINALGPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace dsr1::cpu

using namespace mlir;

namespace dsr1::cpu {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

Type signlessElementType(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  if (auto integer = dyn_cast<IntegerType>(type);
      integer && !integer.isSignless())
    return IntegerType::get(type.getContext(), integer.getWidth());
  return type;
}

RankedTensorType signlessTensorType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return tensor.clone(signlessElementType(tensor));
}

bool isUnsigned(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  return type.isUnsignedInteger();
}

LoweringTypeConverter::LoweringTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](IntegerType type) -> Type {
    return IntegerType::get(type.getContext(), type.getWidth());
  });
  addConversion(
      [](RankedTensorType type) -> Type { return signlessTensorType(type); });
  // ui8 and i8 tensors hold the same bytes: the casts the framework inserts
  // between them at kernel boundaries are reinterpretations.
  auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                        Location loc) -> Value {
    return UnrealizedConversionCastOp::create(b, loc, type, inputs)
        .getResult(0);
  };
  addSourceMaterialization(materialize);
  addTargetMaterialization(materialize);
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    APFloat apValue(value);
    bool losesInfo = false;
    apValue.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
    return arith::ConstantOp::create(b, loc, type,
                                     b.getFloatAttr(type, apValue));
  }
  if (type.isIndex())
    return arith::ConstantIndexOp::create(b, loc, static_cast<int64_t>(value));
  auto integer = cast<IntegerType>(type);
  return arith::ConstantOp::create(
      b, loc, type,
      b.getIntegerAttr(type,
                       APInt(integer.getWidth(),
                             static_cast<uint64_t>(static_cast<int64_t>(value)),
                             /*isSigned=*/true, /*implicitTrunc=*/true)));
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value convertScalar(OpBuilder &b, Location loc, Value value, Type to,
                    bool fromUnsigned, bool toUnsigned,
                    NarrowFloatCast narrow) {
  Type from = value.getType();
  if (from == to)
    return value;
  // The 8- and 4-bit floats go through an ordinary float: the target itself
  // when it is one, else f32, which holds every narrow float exactly.
  if (isNarrowFloat(from)) {
    auto wide = dyn_cast<FloatType>(to);
    if (!wide || isNarrowFloat(to))
      wide = b.getF32Type();
    return convertScalar(b, loc, extendNarrowFloat(b, loc, value, wide), to,
                         /*fromUnsigned=*/false, toUnsigned, narrow);
  }
  if (isNarrowFloat(to)) {
    Value wide = convertScalar(b, loc, value, b.getF32Type(), fromUnsigned,
                               /*toUnsigned=*/false);
    return truncateToNarrowFloat(b, loc, wide, cast<FloatType>(to),
                                 narrow.saturate, narrow.roundMode);
  }
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    // Bool is "not zero" (NaN is true, as in C++ and numpy).
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   scalarConstant(b, loc, from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value,
                                 scalarConstant(b, loc, from, 0));
  }
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    if (fromFloat.getWidth() > toFloat.getWidth())
      return arith::TruncFOp::create(b, loc, to, value);
    // f16 <-> bf16: through f32, which holds both exactly.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (fromFloat) {
    // To the 4- and 2-bit integers through i32, keeping the low bits as the
    // ONNX reference does (LLVM's fptosi to i4 would be poison out of range).
    if (to.getIntOrFloatBitWidth() < 8)
      return arith::TruncIOp::create(
          b, loc, to, arith::FPToSIOp::create(b, loc, b.getI32Type(), value));
    if (toUnsigned)
      return arith::FPToUIOp::create(b, loc, to, value);
    return arith::FPToSIOp::create(b, loc, to, value);
  }
  // Bools are 0 or 1 whatever the target, never -1.
  bool unsignedSource = fromUnsigned || from.isInteger(1);
  if (toFloat) {
    if (unsignedSource)
      return arith::UIToFPOp::create(b, loc, to, value);
    return arith::SIToFPOp::create(b, loc, to, value);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  if (fromWidth < toWidth) {
    if (unsignedSource)
      return arith::ExtUIOp::create(b, loc, to, value);
    return arith::ExtSIOp::create(b, loc, to, value);
  }
  return value;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value value) {
  Value empty = emptyTensor(b, loc, type);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

AffineMap broadcastMap(RankedTensorType operandType,
                       RankedTensorType resultType) {
  int64_t resultRank = resultType.getRank();
  int64_t offset = resultRank - operandType.getRank();
  SmallVector<AffineExpr> exprs;
  MLIRContext *context = resultType.getContext();
  for (int64_t i = 0; i < operandType.getRank(); ++i) {
    if (operandType.getDimSize(i) == 1 &&
        resultType.getDimSize(i + offset) != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(i + offset, context));
  }
  return AffineMap::get(resultRank, 0, exprs, context);
}

Value buildParallel(OpBuilder &b, Location loc, RankedTensorType resultType,
                    ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                    const ScalarBody &body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, ValueRange{emptyTensor(b, loc, resultType)},
      maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, const ScalarBody &body) {
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(
        broadcastMap(cast<RankedTensorType>(input.getType()), resultType));
  return buildParallel(b, loc, resultType, inputs, maps, body);
}

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

Value kernelStatus(Operation *op) {
  auto func = op->getParentOfType<func::FuncOp>();
  return func.getArgument(0);
}

void reportBadOperand(OpBuilder &b, Location loc, Operation *op, Value bad,
                      unsigned operand) {
  Value status = kernelStatus(op);
  scf::IfOp::create(b, loc, bad, [&](OpBuilder &then, Location thenLoc) {
    Value code = scalarConstant(then, thenLoc, then.getI32Type(),
                                kStatusBadOperand + operand);
    memref::StoreOp::create(then, thenLoc, code, status, ValueRange{});
    scf::YieldOp::create(then, thenLoc);
  });
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

bool isKernel(Operation *op) {
  auto func = dyn_cast<func::FuncOp>(op);
  if (!func)
    func = op->getParentOfType<func::FuncOp>();
  return func && func->hasAttr(kKernelAttrName);
}

/// A tensor type with no elements and a rank other than 1.
bool isEmptyNd(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && tensor.getNumElements() == 0 &&
         tensor.getRank() != 1;
}

/// Zero-element tensors cross kernel boundaries as `tensor<0xT>`: a bare
/// pointer stands for a memref only when its strides are static, which a
/// shape like 3x0x5 does not give. Inside the kernel such a value is a
/// `tensor.empty` of its real shape (it holds no data to read).
void flattenEmptyBoundaryTensors(func::FuncOp kernel) {
  OpBuilder b(kernel.getBody());
  for (BlockArgument arg : kernel.getArguments()) {
    if (!isEmptyNd(arg.getType()))
      continue;
    auto type = cast<RankedTensorType>(arg.getType());
    Value empty = tensor::EmptyOp::create(b, arg.getLoc(), type.getShape(),
                                          type.getElementType());
    arg.replaceAllUsesWith(empty);
    arg.setType(RankedTensorType::get({0}, type.getElementType()));
  }
  kernel.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      if (!isEmptyNd(operand.get().getType()))
        continue;
      auto type = cast<RankedTensorType>(operand.get().getType());
      operand.set(tensor::EmptyOp::create(b, ret.getLoc(), ArrayRef<int64_t>{0},
                                          type.getElementType()));
    }
    kernel.setType(FunctionType::get(kernel.getContext(),
                                     kernel.getBody().getArgumentTypes(),
                                     ret.getOperandTypes()));
  });
}

struct LowerToLinalgPass : impl::LowerToLinalgPassBase<LowerToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    auto statusType = MemRefType::get({}, IntegerType::get(context, 32));
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func->hasAttr(kKernelAttrName) || func.isExternal())
        continue;
      flattenEmptyBoundaryTensors(func);
      // Operands are the caller's buffers (model inputs, weights, live
      // intermediates): bufferization must not reuse them for its own
      // writes, as it would for an LSTM's carried state.
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        BoolAttr::get(context, false));
      if (failed(func.insertArgument(0, statusType, {}, func.getLoc())))
        return signalPassFailure();
    }

    LoweringTypeConverter converter;
    ConversionTarget target(*context);
    target.addLegalDialect<
        arith::ArithDialect, bufferization::BufferizationDialect,
        linalg::LinalgDialect, math::MathDialect, memref::MemRefDialect,
        scf::SCFDialect, tensor::TensorDialect>();
    target.addLegalOp<ModuleOp>();
    // Graph functions (and their constants) are not this pass's business.
    target.addDynamicallyLegalDialect<DSR1Dialect>(
        [](Operation *op) { return !isKernel(op); });
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp func) {
      return !isKernel(func) ||
             (converter.isSignatureLegal(func.getFunctionType()) &&
              converter.isLegal(&func.getBody()));
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });

    RewritePatternSet patterns(context);
    populateElementwisePatterns(converter, patterns);
    populateStructuredPatterns(converter, patterns);
    populateReductionPatterns(converter, patterns);
    populateDataMovementPatterns(converter, patterns);
    populateRecurrentPatterns(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);

    // An op with no lowering at all is named plainly, before the conversion
    // framework would call it "illegal".
    llvm::DenseSet<OperationName> lowered;
    for (const std::unique_ptr<RewritePattern> &pattern :
         patterns.getNativePatterns())
      if (std::optional<OperationName> root = pattern->getRootKind())
        lowered.insert(*root);
    WalkResult missing = module.walk([&](Operation *op) {
      if (!isa<DSR1Dialect>(op->getDialect()) || !isKernel(op) ||
          lowered.contains(op->getName()))
        return WalkResult::advance();
      op->emitError() << "the cpu code generator has no lowering for '"
                      << op->getName() << "' yet (not supported)";
      return WalkResult::interrupt();
    });
    if (missing.wasInterrupted())
      return signalPassFailure();

    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace dsr1::cpu
