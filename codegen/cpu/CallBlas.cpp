//===- CallBlas.cpp - matrix products on buffers through BLAS -------------===//
//
// Finds the linalg contractions that are (batched) matrix products over
// strided buffers and calls the runtime's BLAS wrappers for them: a tuned
// library beats generated loops by an order of magnitude on GEMM.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/SymbolTable.h"

namespace dsr1::cpu {
#define GEN_PASS_DEF_CALLBLASPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace dsr1::cpu

using namespace mlir;

namespace dsr1::cpu {
namespace {

/// A group of loops collapsed into one: its trip count and the element
/// stride of each operand (A, B, C) along it (0 where it does not appear).
struct CollapsedDim {
  int64_t size = 1;
  int64_t stride[3] = {0, 0, 0};
};

/// A matrix operand in BLAS terms.
struct BlasMatrix {
  bool transposed = false;
  int64_t ld = 1;
};

class ContractionMatcher {
public:
  explicit ContractionMatcher(linalg::LinalgOp op) : op(op) {}

  /// Fills the strides of every operand along every loop; false if a buffer
  /// is not strided or an indexing expression is not a plain loop index or
  /// the constant 0.
  bool analyse() {
    loopSizes = op.getStaticLoopRanges();
    for (int64_t size : loopSizes)
      if (ShapedType::isDynamic(size))
        return false;
    for (unsigned operand = 0; operand < 3; ++operand) {
      Value buffer = op->getOperand(operand);
      auto type = dyn_cast<MemRefType>(buffer.getType());
      SmallVector<int64_t> strides;
      int64_t offset;
      if (!type || !type.hasStaticShape() ||
          failed(type.getStridesAndOffset(strides, offset)) ||
          llvm::any_of(strides, ShapedType::isDynamic))
        return false;
      offsets[operand] = offset;
      loopStrides[operand].assign(loopSizes.size(), 0);
      AffineMap map = op.getIndexingMapsArray()[operand];
      for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
        if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
          loopStrides[operand][dim.getPosition()] += strides[pos];
          continue;
        }
        auto constant = dyn_cast<AffineConstantExpr>(expr);
        if (!constant || constant.getValue() != 0)
          return false;
      }
    }
    return true;
  }

  /// Collapses loops `dims` (in loop order) into one, if every operand
  /// steps through them as one strided dimension.
  std::optional<CollapsedDim> collapse(ArrayRef<unsigned> dims) const {
    CollapsedDim result;
    SmallVector<unsigned> live;
    for (unsigned d : dims)
      if (loopSizes[d] != 1)
        live.push_back(d);
    if (live.empty())
      return result;
    for (unsigned operand = 0; operand < 3; ++operand) {
      for (size_t i = 0; i + 1 < live.size(); ++i)
        if (loopStrides[operand][live[i]] !=
            loopStrides[operand][live[i + 1]] * loopSizes[live[i + 1]])
          return std::nullopt;
      result.stride[operand] = loopStrides[operand][live.back()];
    }
    for (unsigned d : live)
      result.size *= loopSizes[d];
    return result;
  }

  int64_t offset(unsigned operand) const { return offsets[operand]; }

private:
  linalg::LinalgOp op;
  SmallVector<int64_t> loopSizes;
  SmallVector<int64_t> loopStrides[3];
  int64_t offsets[3] = {0, 0, 0};
};

/// How BLAS reads a rows x cols matrix whose elements are `rowStride` and
/// `colStride` apart: row-major with leading dimension ld, or its transpose.
std::optional<BlasMatrix> asBlasMatrix(int64_t rows, int64_t cols,
                                       int64_t rowStride, int64_t colStride) {
  if ((cols == 1 || colStride == 1) &&
      (rows == 1 || rowStride >= std::max<int64_t>(cols, 1)))
    return BlasMatrix{false,
                      rows == 1 ? std::max<int64_t>(cols, 1) : rowStride};
  if ((rows == 1 || rowStride == 1) &&
      (cols == 1 || colStride >= std::max<int64_t>(rows, 1)))
    return BlasMatrix{true, cols == 1 ? std::max<int64_t>(rows, 1) : colStride};
  return std::nullopt;
}

func::FuncOp declareGemm(ModuleOp module, StringRef name) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  SmallVector<Type> args(15, b.getI64Type());
  auto decl = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType(args, {}));
  decl.setPrivate();
  return decl;
}

/// The address of element 0 of `buffer` (its aligned pointer plus its
/// offset), as i64. A dynamic offset (a tile of a larger buffer taken inside
/// a loop, as the attention kernel's) is read off the buffer's metadata.
Value address(OpBuilder &b, Location loc, Value buffer, int64_t offset) {
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  Value addr = arith::IndexCastOp::create(b, loc, b.getI64Type(), base);
  int64_t elementBytes =
      cast<MemRefType>(buffer.getType()).getElementTypeBitWidth() / 8;
  if (ShapedType::isDynamic(offset)) {
    Value dynamic =
        memref::ExtractStridedMetadataOp::create(b, loc, buffer).getOffset();
    Value bytes = arith::MulIOp::create(
        b, loc, arith::IndexCastOp::create(b, loc, b.getI64Type(), dynamic),
        arith::ConstantIntOp::create(b, loc, b.getI64Type(), elementBytes));
    return arith::AddIOp::create(b, loc, addr, bytes);
  }
  int64_t bytes = offset * elementBytes;
  if (bytes == 0)
    return addr;
  return arith::AddIOp::create(
      b, loc, addr,
      arith::ConstantIntOp::create(b, loc, b.getI64Type(), bytes));
}

/// `linalg.<contraction> ins(A, B) outs(C)` => `call @dsr1_cpu_?gemm(...)`.
LogicalResult rewriteAsGemm(linalg::LinalgOp op, ModuleOp module) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics() || !linalg::isaContractionOpInterface(op))
    return failure();
  Type element = getElementTypeOrSelf(op->getOperand(0).getType());
  if (!element.isF32() && !element.isF64())
    return failure();
  for (Value operand : op->getOperands())
    if (getElementTypeOrSelf(operand.getType()) != element)
      return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims))
    return failure();
  ContractionMatcher matcher(op);
  if (!matcher.analyse())
    return failure();
  std::optional<CollapsedDim> batch = matcher.collapse(dims->batch);
  std::optional<CollapsedDim> m = matcher.collapse(dims->m);
  std::optional<CollapsedDim> n = matcher.collapse(dims->n);
  std::optional<CollapsedDim> k = matcher.collapse(dims->k);
  if (!batch || !m || !n || !k)
    return failure();
  // Distinct batches must not write the same elements.
  if (batch->size > 1 && batch->stride[2] == 0)
    return failure();
  unsigned lhs = 0, rhs = 1;
  std::optional<BlasMatrix> c =
      asBlasMatrix(m->size, n->size, m->stride[2], n->stride[2]);
  // cblas writes C row-major only: a column-major C is computed as
  // Cᵀ = Bᵀ Aᵀ, swapping the operands and the roles of m and n.
  if (c && c->transposed) {
    std::swap(m, n);
    std::swap(lhs, rhs);
    c = asBlasMatrix(m->size, n->size, m->stride[2], n->stride[2]);
  }
  std::optional<BlasMatrix> a =
      asBlasMatrix(m->size, k->size, m->stride[lhs], k->stride[lhs]);
  std::optional<BlasMatrix> b =
      asBlasMatrix(k->size, n->size, k->stride[rhs], n->stride[rhs]);
  if (!a || !b || !c || c->transposed)
    return failure();

  OpBuilder builder(op);
  Location loc = op.getLoc();
  auto i64 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(builder, loc, builder.getI64Type(), v);
  };
  func::FuncOp callee = declareGemm(module, element.isF32() ? "dsr1_cpu_sgemm"
                                                            : "dsr1_cpu_dgemm");
  SmallVector<Value> args = {
      i64(batch->size),
      i64(m->size),
      i64(n->size),
      i64(k->size),
      address(builder, loc, op->getOperand(lhs), matcher.offset(lhs)),
      i64(batch->stride[lhs]),
      i64(a->ld),
      i64(a->transposed),
      address(builder, loc, op->getOperand(rhs), matcher.offset(rhs)),
      i64(batch->stride[rhs]),
      i64(b->ld),
      i64(b->transposed),
      address(builder, loc, op->getOperand(2), matcher.offset(2)),
      i64(batch->stride[2]),
      i64(c->ld)};
  func::CallOp::create(builder, loc, callee, args);
  op->erase();
  return success();
}

struct CallBlasPass : impl::CallBlasPassBase<CallBlasPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> candidates;
    module.walk([&](linalg::LinalgOp op) { candidates.push_back(op); });
    for (linalg::LinalgOp op : candidates)
      (void)rewriteAsGemm(op, module);
  }
};

} // namespace
} // namespace dsr1::cpu
