//===- CudaEmitter.cpp - dsr1 kernels to CUDA C++ -------------------------===//
//
// Every value of a kernel is generated as a scalar expression of its element
// at an index (`ScalarEmitter::scalar`): elementwise ops combine their
// operands' scalars, data movement maps the index, and reductions,
// contractions and windows become loops. The family templates then decide
// the launch around those expressions:
//   pointwise  one thread per result element, grid-stride (elementwise, data
//              movement, direct convolution, pooling; the fallback);
//   row        one block per row of a trailing-axes reduction (reductions,
//              softmax, log-softmax, layer/instance norm, global pooling):
//              row statistics are block reductions, then every thread writes
//              its share of the row;
//   gemm       a SIMT GEMM tiled through shared memory with the fused
//              epilogue evaluated on the register tile;
//   gemm-tc    the same for f16, bf16 and tf32 products on tensor cores:
//              mma.sync warps fed by a cp.async pipeline and ldmatrix,
//              the epilogue evaluated on the accumulator fragments;
//   attention  one block per query row with an online softmax over chunks
//              of keys staged in shared memory;
//   recurrent  one block per direction and batch entry stepping an LSTM,
//              GRU or RNN cell through the sequence.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaEmitter.h"

#include "codegen/cuda/Tuner.h"

#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <functional>
#include <set>

using namespace mlir;

namespace dsr1::cuda {

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

FailureOr<CudaParams> CudaParams::parse(llvm::StringRef text,
                                        std::string &error) {
  CudaParams params;
  struct Field {
    const char *name;
    int CudaParams::*member;
    int min = 1, max = 1 << 30;
  };
  static const Field fields[] = {
      {"pointwise-block", &CudaParams::pointwiseBlock},
      {"elements-per-thread", &CudaParams::elementsPerThread},
      {"row-block", &CudaParams::rowBlock},
      {"tile-m", &CudaParams::tileM},
      {"tile-n", &CudaParams::tileN},
      {"tile-k", &CudaParams::tileK},
      {"thread-m", &CudaParams::threadM},
      {"thread-n", &CudaParams::threadN},
      {"attention-block", &CudaParams::attentionBlock},
      {"attention-chunk", &CudaParams::attentionChunk},
      {"recurrent-block", &CudaParams::recurrentBlock},
      {"tc-tile-m", &CudaParams::tcTileM},
      {"tc-tile-n", &CudaParams::tcTileN},
      {"tc-tile-k", &CudaParams::tcTileK},
      {"tc-warps", &CudaParams::tcWarps},
      {"tc-stages", &CudaParams::tcStages},
      {"tc-swizzle", &CudaParams::tcSwizzle, 0, 1},
      {"tc-split-k", &CudaParams::tcSplitK, 1, 16},
      {"attention-tc-block-q", &CudaParams::attnTcBlockQ},
      {"attention-tc-block-kv", &CudaParams::attnTcBlockKv},
      {"attention-tc-warps", &CudaParams::attnTcWarps},
      {"decode-split-keys", &CudaParams::decodeSplitKeys},
      {"decode-block", &CudaParams::decodeBlock},
      {"conv-tc-min-channels", &CudaParams::convTcMinChannels}};
  llvm::SmallVector<llvm::StringRef> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef item : items) {
    auto [name, value] = item.trim().split('=');
    const Field *field = llvm::find_if(
        fields, [&](const Field &f) { return name.trim() == f.name; });
    if (field == std::end(fields)) {
      error = "unknown CUDA parameter '" + name.trim().str() + "' (known:";
      for (const Field &f : fields)
        error += std::string(" ") + f.name;
      error += ")";
      return failure();
    }
    int parsed = 0;
    if (value.trim().getAsInteger(10, parsed) || parsed < field->min ||
        parsed > field->max) {
      error = "CUDA parameter '" + name.trim().str() + "' needs " +
              (field->max == 1 ? std::string("0 or 1")
                               : std::string("a positive integer")) +
              ", not '" + value.trim().str() + "'";
      return failure();
    }
    params.*(field->member) = parsed;
  }
  auto require = [&](bool ok, const std::string &what) {
    if (!ok && error.empty())
      error = "CUDA parameters: " + what;
    return ok;
  };
  bool ok =
      require(params.pointwiseBlock <= 1024,
              "pointwise-block is at most 1024") &&
      require(params.rowBlock % 32 == 0 && params.rowBlock <= 1024,
              "row-block is a multiple of 32, at most 1024") &&
      require(params.attentionBlock % 32 == 0 && params.attentionBlock <= 1024,
              "attention-block is a multiple of 32, at most 1024") &&
      require(params.recurrentBlock % 32 == 0 && params.recurrentBlock <= 1024,
              "recurrent-block is a multiple of 32, at most 1024") &&
      require(params.tileM % params.threadM == 0 &&
                  params.tileN % params.threadN == 0,
              "tile-m and tile-n are multiples of thread-m and "
              "thread-n") &&
      require((params.tileM / params.threadM) *
                      (params.tileN / params.threadN) <=
                  1024,
              "a GEMM tile needs at most 1024 threads") &&
      require((params.tileM + params.tileN) * params.tileK * 8 <= 48 * 1024,
              "the GEMM tiles need at most 48 KiB of shared memory") &&
      require(params.attentionChunk * 4 <= 32 * 1024,
              "attention-chunk is at most 8192 keys") &&
      require(params.tcTileM % 16 == 0 && params.tcTileN % 16 == 0 &&
                  params.tcTileK % 16 == 0,
              "tc-tile-m, tc-tile-n and tc-tile-k are multiples of 16 (the "
              "mma shapes: m16n8k16, two n8 tiles per ldmatrix.x4)") &&
      require(params.tcWarps <= 32, "tc-warps is at most 32 (1024 threads)") &&
      require(params.tcStages >= 2 && params.tcStages <= 4,
              "tc-stages is 2, 3 or 4 (shared-memory stages of the cp.async "
              "pipeline)") &&
      require(params.tcWarpsM() > 0,
              "no layout of tc-warps warps tiles tc-tile-m x tc-tile-n in "
              "warp tiles of multiples of 16x16 (tc-tile-m must be a multiple "
              "of 16 x warps down and tc-tile-n of 16 x warps across)") &&
      require((params.tcTileM / params.tcWarpsM()) *
                      (params.tcTileN /
                       (params.tcWarps / std::max(1, params.tcWarpsM()))) <=
                  64 * 32,
              "a warp's tile of the tensor-core GEMM (tc-tile-m x tc-tile-n "
              "over tc-warps) is at most 2048 elements, e.g. 64x32 (64 f32 "
              "accumulators a lane; more spill): add warps or shrink the "
              "tile") &&
      require(params.tcSharedBytes() <= 48 * 1024,
              "the tensor-core GEMM's stages need at most 48 KiB of shared "
              "memory (tc-stages x the A and B tiles, counted in f32 with "
              "their padding): lower tc-stages, tc-tile-k or the tile") &&
      require(params.attnTcWarps <= 16,
              "attention-tc-warps is at most 16 (512 threads)") &&
      require(params.attnTcBlockQ % (16 * params.attnTcWarps) == 0 &&
                  params.attnTcBlockQ / params.attnTcWarps <= 32,
              "attention-tc-block-q is 16 or 32 query rows a warp "
              "(attention-tc-warps x 16 or x 32)") &&
      require(params.attnTcBlockKv % 16 == 0 && params.attnTcBlockKv <= 128,
              "attention-tc-block-kv is a multiple of 16, at most 128") &&
      require(params.decodeBlock % 32 == 0 && params.decodeBlock <= 1024,
              "decode-block is a multiple of 32, at most 1024");
  if (!ok)
    return failure();
  return params;
}

int64_t CudaParams::tcSharedBytes() const {
  // The largest case: f32 (tf32) elements, either layout of each operand,
  // rows padded by at most 8 elements (see gemmTc).
  auto tile = [&](int64_t rows) {
    return std::max(rows * (tcTileK + 8), int64_t(tcTileK) * (rows + 8)) * 4;
  };
  return tcStages * (tile(tcTileM) + tile(tcTileN));
}

int CudaParams::tcWarpsM() const {
  // Of the layouts that split the tile into warp tiles of multiples of
  // 16x16, the one with the squarest warp tile: it loads the fewest
  // fragments per mma.
  int best = 0;
  int64_t bestScore = 0;
  for (int down = 1; down <= tcWarps; ++down) {
    if (tcWarps % down)
      continue;
    int across = tcWarps / down;
    if (tcTileM % (16 * down) || tcTileN % (16 * across))
      continue;
    int64_t wm = tcTileM / down, wn = tcTileN / across;
    int64_t score = std::max(wm, wn) * 1000 / std::min(wm, wn);
    if (!best || score < bestScore) {
      best = down;
      bestScore = score;
    }
  }
  return best;
}

namespace {

//===----------------------------------------------------------------------===//
// Text helpers
//===----------------------------------------------------------------------===//

using Index = SmallVector<std::string, 6>;

std::string num(int64_t value) { return std::to_string(value); }

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string join(ArrayRef<std::string> parts, StringRef separator) {
  std::string text;
  for (auto [i, part] : llvm::enumerate(parts))
    text += (i ? separator.str() : "") + part;
  return text;
}

/// `a + b` with the zeros folded away.
std::string add(const std::string &a, const std::string &b) {
  if (a == "0")
    return b;
  if (b == "0")
    return a;
  return "(" + a + " + " + b + ")";
}

/// `a * k` for a constant k, folded where it is 0 or 1.
std::string mul(const std::string &a, int64_t k) {
  if (k == 0 || a == "0")
    return "0";
  if (k == 1)
    return a;
  return "(" + a + " * " + num(k) + ")";
}

/// The row-major linear offset of `idx` in `shape`.
std::string linear(const Index &idx, ArrayRef<int64_t> shape) {
  std::string offset = "0";
  int64_t stride = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] != 1)
      offset = add(mul(idx[d], stride), offset);
    stride *= shape[d];
  }
  return offset;
}

/// The index of an operand of shape `shape` read at `idx` of a result it
/// broadcasts to (numpy rules: aligned at the right, size-1 dimensions
/// read element 0).
Index broadcastIndex(const Index &idx, ArrayRef<int64_t> shape) {
  Index result;
  size_t offset = idx.size() - shape.size();
  for (auto [d, size] : llvm::enumerate(shape))
    result.push_back(size == 1 ? std::string("0") : idx[offset + d]);
  return result;
}

/// A C++ literal of `value` in a float type of `bits` bits.
std::string floatLiteral(double value, unsigned bits) {
  if (std::isnan(value))
    return bits == 64 ? "(double)NAN" : "NAN";
  if (std::isinf(value))
    return std::string(value < 0 ? "-" : "") +
           (bits == 64 ? "(double)INFINITY" : "INFINITY");
  std::string text;
  llvm::raw_string_ostream os(text);
  if (bits == 64)
    os << llvm::format("%.17g", value);
  else
    os << llvm::format("%.9g", value);
  if (text.find_first_of(".eE") == std::string::npos)
    text += ".0";
  if (bits != 64)
    text += "f";
  return text;
}

/// Text with indentation, one statement a line.
class Code {
public:
  void line(const std::string &text) {
    out_.append(2 * depth_, ' ');
    out_ += text;
    out_ += '\n';
  }
  void open(const std::string &header) {
    line(header + " {");
    ++depth_;
  }
  void close(const std::string &tail = "}") {
    --depth_;
    line(tail);
  }
  std::string &text() { return out_; }

private:
  std::string out_;
  int depth_ = 0;
};

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// How an element type is stored and computed in generated code.
struct CType {
  /// The C type of a buffer element ("float", "uint16_t" for f16/bf16).
  std::string storage;
  /// The C type scalars are computed in (f16/bf16 compute in float).
  std::string compute;
  bool isFloat = false;
  bool isBool = false;
  bool isUnsigned = false;
  /// 16 for f16 and bf16 (stored as their bits), else 0.
  unsigned narrow = 0;
  bool bf16 = false;
  /// Bits of the compute type.
  unsigned bits = 32;
};

FailureOr<CType> ctypeOf(Type type, Operation *at) {
  CType t;
  if (type.isF32()) {
    t.storage = t.compute = "float";
    t.isFloat = true;
  } else if (type.isF64()) {
    t.storage = t.compute = "double";
    t.isFloat = true;
    t.bits = 64;
  } else if (type.isF16() || type.isBF16()) {
    t.storage = "uint16_t";
    t.compute = "float";
    t.isFloat = true;
    t.narrow = 16;
    t.bf16 = type.isBF16();
  } else if (type.isInteger(1)) {
    t.storage = t.compute = "bool";
    t.isBool = true;
    t.bits = 8;
  } else if (auto integer = dyn_cast<IntegerType>(type)) {
    unsigned width = integer.getWidth();
    if (width != 8 && width != 16 && width != 32 && width != 64)
      return at->emitError() << "cuda: no CUDA type for " << type;
    t.isUnsigned = integer.isUnsigned();
    t.storage = t.compute =
        (t.isUnsigned ? "uint" : "int") + std::to_string(width) + "_t";
    t.bits = width;
  } else {
    return at->emitError() << "cuda: no CUDA type for " << type;
  }
  return t;
}

FailureOr<CType> ctypeOf(Value value, Operation *at) {
  return ctypeOf(cast<ShapedType>(value.getType()).getElementType(), at);
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

/// The type partial sums of `t` accumulate in.
std::string accumulator(const CType &t) {
  if (t.isFloat)
    return t.bits == 64 ? "double" : "float";
  if (t.isBool)
    return "int64_t";
  return t.compute;
}

/// `expr`, an operand element of the matrix product or convolution `op`, as
/// the product reads it: rounded to TF32 when `op` computes in TF32.
std::string productInput(Operation *op, const std::string &expr,
                         const std::string &type) {
  auto precision = op->getAttrOfType<PrecisionAttr>("precision");
  if (!precision || precision.getValue() != Precision::tf32 || type != "float")
    return "(" + type + ")" + expr;
  return "dsr1::roundTf32((float)" + expr + ")";
}

/// `expr` (compute type) rounded to the storage precision of `t`: an f16 or
/// bf16 value computed inside a kernel is what the unfused op would have
/// stored, as the cpu device computes it.
std::string roundToStorage(const std::string &expr, const CType &t) {
  if (!t.narrow)
    return expr;
  return t.bf16 ? "dsr1::bf16ToFloat(dsr1::floatToBf16(" + expr + "))"
                : "dsr1::halfToFloat(dsr1::floatToHalf(" + expr + "))";
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum class Combine { sum, prod, max, min };

const char *functor(Combine kind) {
  switch (kind) {
  case Combine::sum:
    return "dsr1::SumOp()";
  case Combine::prod:
    return "dsr1::ProdOp()";
  case Combine::max:
    return "dsr1::MaxOp()";
  case Combine::min:
    return "dsr1::MinOp()";
  }
  return "";
}

/// The start of a `kind` reduction in `type`; `boolean`: of bools held in
/// an integer type (max is any, min is all).
std::string identity(Combine kind, const std::string &type,
                     bool boolean = false) {
  if (boolean && (kind == Combine::max || kind == Combine::min))
    return kind == Combine::max ? "(" + type + ")0" : "(" + type + ")1";
  bool isFloat = type == "float" || type == "double";
  switch (kind) {
  case Combine::sum:
    return "(" + type + ")0";
  case Combine::prod:
    return "(" + type + ")1";
  case Combine::max:
    return isFloat ? "(" + type + ")-INFINITY" : "dsr1::lowest<" + type + ">()";
  case Combine::min:
    return isFloat ? "(" + type + ")INFINITY" : "dsr1::highest<" + type + ">()";
  }
  return "";
}

/// A row statistic: the reduced axes of an op's input (the rest are the
/// "outer" index the statistic depends on).
struct Reduction {
  Value input;
  SmallVector<int64_t> axes;
};

/// The reduction structure of a row op, or nothing for ops without one.
std::optional<Reduction> reductionOf(Operation *op) {
  auto trailing = [](Value input, int64_t from) {
    Reduction r{input, {}};
    for (int64_t d = from, e = shapeOf(input).size(); d < e; ++d)
      r.axes.push_back(d);
    return r;
  };
  if (auto reduce = dyn_cast<ReduceSumOp>(op))
    return Reduction{reduce.getInput(), SmallVector<int64_t>(reduce.getAxes())};
  if (auto reduce = dyn_cast<ReduceMeanOp>(op))
    return Reduction{reduce.getInput(), SmallVector<int64_t>(reduce.getAxes())};
  if (auto reduce = dyn_cast<ReduceMaxOp>(op))
    return Reduction{reduce.getInput(), SmallVector<int64_t>(reduce.getAxes())};
  if (auto reduce = dyn_cast<ReduceMinOp>(op))
    return Reduction{reduce.getInput(), SmallVector<int64_t>(reduce.getAxes())};
  if (auto reduce = dyn_cast<ReduceProdOp>(op))
    return Reduction{reduce.getInput(), SmallVector<int64_t>(reduce.getAxes())};
  if (auto softmax = dyn_cast<SoftmaxOp>(op))
    return Reduction{softmax.getInput(), {int64_t(softmax.getAxis())}};
  if (auto softmax = dyn_cast<LogSoftmaxOp>(op))
    return Reduction{softmax.getInput(), {int64_t(softmax.getAxis())}};
  if (auto norm = dyn_cast<LayerNormOp>(op))
    return trailing(norm.getInput(), norm.getAxis());
  if (auto norm = dyn_cast<InstanceNormOp>(op))
    return trailing(norm.getInput(), 2);
  if (auto pool = dyn_cast<GlobalAvgPoolOp>(op))
    return trailing(pool.getInput(), 2);
  if (auto pool = dyn_cast<GlobalMaxPoolOp>(op))
    return trailing(pool.getInput(), 2);
  return std::nullopt;
}

/// Every axis when `axes` is empty (a reduce op's "all of them").
SmallVector<int64_t> normalizedAxes(const Reduction &r) {
  if (!r.axes.empty())
    return r.axes;
  SmallVector<int64_t> all;
  for (int64_t d = 0, e = shapeOf(r.input).size(); d < e; ++d)
    all.push_back(d);
  return all;
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/// A matmul or gemm as C[batch, m, n] = sum_k A[batch, m, k] B[batch, k, n],
/// with its operands' indexing.
struct Contraction {
  Operation *op = nullptr;
  Value lhs, rhs, bias;
  bool transA = false, transB = false;
  double alpha = 1, beta = 1;
  int64_t m = 1, n = 1, k = 1;
  /// The result's batch dimensions (before M and N).
  SmallVector<int64_t> batch;
  /// Rank-1 operands (numpy matmul): no M or no N dimension.
  bool vectorLhs = false, vectorRhs = false;

  static std::optional<Contraction> of(Operation *op) {
    Contraction c;
    c.op = op;
    if (auto gemm = dyn_cast<GemmOp>(op)) {
      c.lhs = gemm.getA();
      c.rhs = gemm.getB();
      c.bias = gemm.getC();
      c.transA = gemm.getTransA();
      c.transB = gemm.getTransB();
      c.alpha = gemm.getAlpha().convertToDouble();
      c.beta = gemm.getBeta().convertToDouble();
    } else if (auto matmul = dyn_cast<MatMulOp>(op)) {
      c.lhs = matmul.getLhs();
      c.rhs = matmul.getRhs();
    } else {
      return std::nullopt;
    }
    ArrayRef<int64_t> a = shapeOf(c.lhs), b = shapeOf(c.rhs);
    c.vectorLhs = a.size() == 1;
    c.vectorRhs = b.size() == 1;
    c.k = c.vectorLhs ? a[0] : (c.transA ? a[a.size() - 2] : a.back());
    if (!c.vectorLhs)
      c.m = c.transA ? a.back() : a[a.size() - 2];
    if (!c.vectorRhs)
      c.n = c.transB ? b[b.size() - 2] : b.back();
    ArrayRef<int64_t> result = shapeOf(op->getResult(0));
    size_t kept = (c.vectorLhs ? 0 : 1) + (c.vectorRhs ? 0 : 1);
    c.batch.assign(result.begin(), result.end() - kept);
    return c;
  }

  /// The batch, m and n parts of a result index.
  void split(const Index &idx, Index &batchIdx, std::string &mi,
             std::string &ni) const {
    size_t nb = batch.size();
    batchIdx.assign(idx.begin(), idx.begin() + nb);
    mi = vectorLhs ? "0" : idx[nb];
    ni = vectorRhs ? "0" : idx[nb + (vectorLhs ? 0 : 1)];
  }

  Index lhsIndex(const Index &batchIdx, const std::string &mi,
                 const std::string &ki) const {
    return operandIndex(lhs, vectorLhs, transA, batchIdx, mi, ki, ki);
  }
  Index rhsIndex(const Index &batchIdx, const std::string &ki,
                 const std::string &ni) const {
    return operandIndex(rhs, vectorRhs, transB, batchIdx, ki, ni, ki);
  }

private:
  /// Element (row, col) of a matrix operand stored transposed or not, at
  /// the result's batch index; a vector operand is indexed by `k` alone.
  static Index operandIndex(Value operand, bool vector, bool transposed,
                            const Index &batchIdx, const std::string &row,
                            const std::string &col, const std::string &k) {
    if (vector)
      return {k};
    Index full = broadcastIndex(batchIdx, shapeOf(operand).drop_back(2));
    full.push_back(transposed ? col : row);
    full.push_back(transposed ? row : col);
    return full;
  }
};

/// The tensor-core instruction a product runs on: mma.m16n8k16 for f16 and
/// bf16 operands, mma.m16n8k8 .tf32 for f32 operands of a TF32 product;
/// `none` (the SIMT template) for f32, f64, integer and mixed operands.
enum class TensorCoreKind { none, f16, bf16, tf32 };

TensorCoreKind tensorCoreKind(const Contraction &c) {
  Type a = cast<ShapedType>(c.lhs.getType()).getElementType();
  Type b = cast<ShapedType>(c.rhs.getType()).getElementType();
  Type r = cast<ShapedType>(c.op->getResult(0).getType()).getElementType();
  // The accumulator is f32: a result wider than that stays SIMT.
  if (!(r.isF32() || r.isF16() || r.isBF16()))
    return TensorCoreKind::none;
  if (a.isF16() && b.isF16())
    return TensorCoreKind::f16;
  if (a.isBF16() && b.isBF16())
    return TensorCoreKind::bf16;
  auto precision = c.op->getAttrOfType<PrecisionAttr>("precision");
  if (a.isF32() && b.isF32() && precision &&
      precision.getValue() == Precision::tf32)
    return TensorCoreKind::tf32;
  return TensorCoreKind::none;
}

/// A convolution runs as an implicit GEMM on tensor cores for the operand
/// types a contraction would (f16, bf16; f32 in a TF32 product).
TensorCoreKind tensorCoreKind(ConvOp op) {
  Type element = cast<ShapedType>(op.getInput().getType()).getElementType();
  Type r = cast<ShapedType>(op.getResult().getType()).getElementType();
  if (!(r.isF32() || r.isF16() || r.isBF16()))
    return TensorCoreKind::none;
  if (element.isF16())
    return TensorCoreKind::f16;
  if (element.isBF16())
    return TensorCoreKind::bf16;
  auto precision = op.getPrecisionAttr();
  if (element.isF32() && precision && precision.getValue() == Precision::tf32)
    return TensorCoreKind::tf32;
  return TensorCoreKind::none;
}

/// The sizes of a dsr1.attention, in either layout: rank 3 with the heads
/// packed in the last dimension, or rank 4 with them explicit.
struct AttentionShape {
  bool packed;
  int64_t batch, heads, qLen, kvLen, dk, dv;
  double scale; // scale, or 1 / sqrt(dk)

  explicit AttentionShape(AttentionOp op) {
    ArrayRef<int64_t> q = shapeOf(op.getQuery()), k = shapeOf(op.getKey()),
                      v = shapeOf(op.getValue());
    packed = q.size() == 3;
    batch = q[0];
    heads = op.getNumHeads();
    qLen = packed ? q[1] : q[2];
    kvLen = packed ? k[1] : k[2];
    dk = packed ? q[2] / heads : q[3];
    dv = packed ? v[2] / heads : v[3];
    scale = op.getScale() ? op.getScale()->convertToDouble()
                          : 1.0 / std::sqrt(double(dk));
  }
  /// The index of (seq, d) of an operand of head dim `depth` for the (b, h)
  /// in scope.
  Index at(const std::string &seq, const std::string &d, int64_t depth) const {
    if (packed)
      return {"b", seq, add(mul("h", depth), d)};
    return {"b", "h", seq, d};
  }
};

/// The tensor-core flash template takes f16 and bf16 attention whose head
/// dims are multiples of 16 (the mma's K for Q Kᵀ, two n8 tiles of an
/// ldmatrix for P V) up to 128 (the output and query fragments stay in
/// registers), without the scores as a result.
TensorCoreKind tensorCoreKind(AttentionOp op) {
  Type element = cast<ShapedType>(op.getQuery().getType()).getElementType();
  Type r = cast<ShapedType>(op.getResult().getType()).getElementType();
  if (op.getReturnScores() || !(r.isF32() || r.isF16() || r.isBF16()))
    return TensorCoreKind::none;
  AttentionShape shape(op);
  auto fits = [](int64_t d) { return d > 0 && d % 16 == 0 && d <= 128; };
  if (!fits(shape.dk) || !fits(shape.dv))
    return TensorCoreKind::none;
  if (element.isF16())
    return TensorCoreKind::f16;
  if (element.isBF16())
    return TensorCoreKind::bf16;
  return TensorCoreKind::none;
}

//===----------------------------------------------------------------------===//
// The scalar emitter
//===----------------------------------------------------------------------===//

/// One `__global__` function being written: its code and the memo of the
/// scalars already computed in each open scope.
class ScalarEmitter {
public:
  ScalarEmitter(func::FuncOp kernel, Code &code)
      : kernel_(kernel), code_(code) {
    unsigned id = 0;
    kernel.walk([&](Operation *op) {
      for (Value result : op->getResults())
        ids_[result] = id++;
    });
    for (BlockArgument arg : kernel.getArguments())
      ids_[arg] = id++;
    scopes_.emplace_back();
  }

  /// The element of `value` at `idx` (one index expression per dimension)
  /// as a C++ expression in the value's compute type.
  FailureOr<std::string> scalar(Value value, const Index &idx);

  /// Row statistics of `op` (a row op) at the outer index `outer` (the
  /// input's index with the reduced axes left out): its reduced value, or
  /// (max, sum) for softmax, (mean, rstd) for norms.
  FailureOr<SmallVector<std::string, 2>> stats(Operation *op,
                                               const Index &outer);

  /// Opens a scope ("{" in the code): what is computed inside is forgotten
  /// at its end.
  void open(const std::string &header) {
    code_.open(header);
    scopes_.emplace_back();
  }
  void close(const std::string &tail = "}") {
    scopes_.pop_back();
    code_.close(tail);
  }
  /// Makes `expr` the value of `value` at `idx` in the current scope.
  void remember(Value value, const Index &idx, const std::string &expr) {
    scopes_.back()[key(value, idx)] = expr;
  }

  /// A fresh variable name.
  std::string fresh(StringRef prefix = "v") {
    return prefix.str() + std::to_string(counter_++);
  }
  /// Declares `const type name = expr;` and returns the name.
  std::string define(const std::string &type, const std::string &expr) {
    std::string name = fresh();
    code_.line("const " + type + " " + name + " = " + expr + ";");
    return name;
  }
  /// Emits the decomposition of the linear index `lin` over `shape` into one
  /// variable per dimension (size-1 dimensions are "0").
  Index delinearize(const std::string &lin, ArrayRef<int64_t> shape);

  /// The kernel argument name of block argument `arg` and the status word's
  /// code for bad data in it.
  static std::string argName(unsigned n) { return "a" + std::to_string(n); }

  /// Row statistics may be computed cooperatively (a strided loop and a
  /// block reduction) here: set by the row template where every thread of
  /// the block executes the code being emitted.
  bool cooperative = false;
  /// The accumulator types block reductions used (each needs its scratch
  /// array, `scratch_<type>`).
  std::set<std::string> scratchTypes;

  Code &code() { return code_; }

private:
  std::string key(Value value, const Index &idx) {
    return std::to_string(ids_.lookup(value)) + "@" + join(idx, ",");
  }
  std::optional<std::string> lookup(const std::string &k) const {
    for (const auto &scope : llvm::reverse(scopes_)) {
      auto it = scope.find(k);
      if (it != scope.end())
        return it->second;
    }
    return std::nullopt;
  }

  FailureOr<std::string> compute(Value value, const Index &idx);
  FailureOr<std::string> load(BlockArgument arg, const Index &idx);
  /// The element of `indices` at `at` as an index into a dimension of
  /// `size`: negative ones count from the end; one out of range sets the
  /// status word (naming the operand that holds it) and reads element 0.
  FailureOr<std::string> checkedIndex(Value indices, const Index &at,
                                      int64_t size);
  FailureOr<std::string> elementwise(Operation *op, const Index &idx,
                                     const CType &t);
  FailureOr<std::string> contraction(const Contraction &c, const Index &idx);
  template <typename ConvLikeOp>
  FailureOr<std::string> convolution(ConvLikeOp op, const Index &idx);
  FailureOr<std::string> cumulative(Operation *op, Value input, int64_t axis,
                                    bool exclusive, bool reverse, bool product,
                                    const Index &idx);
  template <typename PoolOp>
  FailureOr<std::string> pool(PoolOp op, const Index &idx, bool isMax);
  FailureOr<std::string> argReduce(Operation *op, Value input, int64_t axis,
                                   bool keepdims, bool last, bool isMax,
                                   const Index &idx);
  FailureOr<std::string> rowOp(Operation *op, Value result, const Index &idx);
  /// Reduces `element(full index)` over `axes` of `shape` at `outer` (the
  /// index of the kept axes), combined by `kind` in `type`.
  FailureOr<std::string>
  reduce(Combine kind, const std::string &type, ArrayRef<int64_t> shape,
         ArrayRef<int64_t> axes, const Index &outer,
         llvm::function_ref<FailureOr<std::string>(const Index &)> element,
         bool boolean = false);

  func::FuncOp kernel_;
  Code &code_;
  llvm::DenseMap<Value, unsigned> ids_;
  SmallVector<llvm::StringMap<std::string>> scopes_;
  unsigned counter_ = 0;
};

Index ScalarEmitter::delinearize(const std::string &lin,
                                 ArrayRef<int64_t> shape) {
  Index idx;
  int64_t stride = product(shape);
  // An empty shape's loop never runs: its index is never read.
  if (stride == 0)
    return Index(shape.size(), "0");
  for (auto [d, size] : llvm::enumerate(shape)) {
    stride /= size;
    if (size == 1) {
      idx.push_back("0");
      continue;
    }
    std::string expr =
        stride == 1 ? lin : "(" + lin + " / " + num(stride) + ")";
    if (d != 0)
      expr = "(" + expr + " % " + num(size) + ")";
    // Not every dimension's index is read (broadcasts skip some).
    std::string name = fresh();
    code_.line("[[maybe_unused]] const int64_t " + name + " = " + expr + ";");
    idx.push_back(name);
  }
  return idx;
}

FailureOr<std::string> ScalarEmitter::scalar(Value value, const Index &idx) {
  std::string k = key(value, idx);
  if (std::optional<std::string> known = lookup(k))
    return *known;
  FailureOr<std::string> expr = compute(value, idx);
  if (failed(expr))
    return failure();
  // Literals and names need no variable of their own.
  FailureOr<CType> t = ctypeOf(value, kernel_);
  if (failed(t))
    return failure();
  std::string result = *expr;
  if (!isa<BlockArgument>(value))
    result = roundToStorage(result, *t);
  bool simple = llvm::all_of(result, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  if (!simple)
    result = define(t->compute, result);
  scopes_.back()[k] = result;
  return result;
}

FailureOr<std::string> ScalarEmitter::load(BlockArgument arg,
                                           const Index &idx) {
  FailureOr<CType> t = ctypeOf(arg, kernel_);
  if (failed(t))
    return failure();
  std::string ptr =
      argName(arg.getArgNumber()) + " + " + linear(idx, shapeOf(arg));
  std::string raw = "dsr1::load(" + ptr + ")";
  if (t->narrow)
    return std::string(t->bf16 ? "dsr1::bf16ToFloat(" : "dsr1::halfToFloat(") +
           raw + ")";
  return raw;
}

FailureOr<std::string>
ScalarEmitter::checkedIndex(Value indices, const Index &at, int64_t size) {
  FailureOr<std::string> raw = scalar(indices, at);
  if (failed(raw))
    return failure();
  std::string g = fresh("g");
  code_.line("int64_t " + g + " = (int64_t)" + *raw + ";");
  code_.line("if (" + g + " < 0) " + g + " += " + num(size) + ";");
  unsigned operand = 0;
  if (auto arg = dyn_cast<BlockArgument>(indices))
    operand = arg.getArgNumber();
  code_.open("if (" + g + " < 0 || " + g + " >= " + num(size) + ")");
  code_.line("dsr1::fail(status, " + num(1 + operand) + ");");
  code_.line(g + " = 0;");
  code_.close();
  return g;
}

FailureOr<std::string> ScalarEmitter::compute(Value value, const Index &idx) {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return load(arg, idx);
  Operation *op = value.getDefiningOp();
  FailureOr<CType> t = ctypeOf(value, op);
  if (failed(t))
    return failure();
  ArrayRef<int64_t> resultShape = shapeOf(value);

  // Data movement: the same element at another index.
  if (auto reshape = dyn_cast<ReshapeOp>(op)) {
    std::string lin = linear(idx, resultShape);
    Value input = reshape.getInput();
    return scalar(input, delinearize(lin, shapeOf(input)));
  }
  if (auto expand = dyn_cast<ExpandOp>(op))
    return scalar(expand.getInput(),
                  broadcastIndex(idx, shapeOf(expand.getInput())));
  if (auto transpose = dyn_cast<TransposeOp>(op)) {
    Index in(idx.size());
    for (auto [d, p] : llvm::enumerate(transpose.getPerm()))
      in[p] = idx[d];
    return scalar(transpose.getInput(), in);
  }
  if (auto slice = dyn_cast<SliceOp>(op)) {
    Value input = slice.getInput();
    ArrayRef<int64_t> in = shapeOf(input);
    Index at = idx;
    ArrayRef<int64_t> starts = slice.getStarts();
    std::optional<ArrayRef<int64_t>> axes = slice.getAxes();
    std::optional<ArrayRef<int64_t>> steps = slice.getSteps();
    for (size_t i = 0; i < starts.size(); ++i) {
      int64_t axis = axes && !axes->empty() ? (*axes)[i] : int64_t(i);
      if (axis < 0)
        axis += in.size();
      int64_t step = steps && !steps->empty() ? (*steps)[i] : 1;
      int64_t size = in[axis];
      int64_t start = starts[i] < 0 ? starts[i] + size : starts[i];
      start = step > 0 ? std::clamp<int64_t>(start, 0, size)
                       : std::clamp<int64_t>(start, 0, size - 1);
      at[axis] = add(num(start), mul(idx[axis], step));
    }
    return scalar(input, at);
  }
  if (auto split = dyn_cast<SplitOp>(op)) {
    int64_t axis = split.getAxis();
    int64_t offset = 0;
    unsigned which = cast<OpResult>(value).getResultNumber();
    for (unsigned i = 0; i < which; ++i)
      offset += split.getSizes()[i];
    Index at = idx;
    at[axis] = add(idx[axis], num(offset));
    return scalar(split.getInput(), at);
  }
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    int64_t axis = concat.getAxis();
    std::string result = fresh();
    code_.line(t->compute + " " + result + ";");
    int64_t offset = 0;
    auto inputs = concat.getInputs();
    for (auto [i, input] : llvm::enumerate(inputs)) {
      int64_t size = shapeOf(input)[axis];
      std::string condition =
          i + 1 == inputs.size()
              ? ""
              : "if (" + idx[axis] + " < " + num(offset + size) + ")";
      open(i == 0 ? condition : "else " + condition);
      Index at = idx;
      at[axis] = add(idx[axis], num(-offset));
      if (offset == 0)
        at[axis] = idx[axis];
      FailureOr<std::string> element = scalar(input, at);
      if (failed(element))
        return failure();
      code_.line(result + " = " + *element + ";");
      close();
      offset += size;
    }
    return result;
  }
  if (auto pad = dyn_cast<PadOp>(op)) {
    Value input = pad.getInput();
    ArrayRef<int64_t> in = shapeOf(input);
    ArrayRef<int64_t> pads = pad.getPads();
    size_t rank = in.size();
    Index at;
    for (size_t d = 0; d < rank; ++d)
      at.push_back(define("int64_t", add(idx[d], num(-pads[d]))));
    PadMode mode = pad.getMode();
    if (mode == PadMode::constant) {
      std::string result = fresh();
      code_.line(t->compute + " " + result + " = (" + t->compute + ")" +
                 (t->isFloat
                      ? floatLiteral(pad.getValue().convertToDouble(), t->bits)
                      : num(int64_t(pad.getValue().convertToDouble()))) +
                 ";");
      std::string inside;
      for (size_t d = 0; d < rank; ++d)
        inside += (d ? " && " : "") + at[d] + " >= 0 && " + at[d] + " < " +
                  num(in[d]);
      open("if (" + (inside.empty() ? std::string("true") : inside) + ")");
      FailureOr<std::string> element = scalar(input, at);
      if (failed(element))
        return failure();
      code_.line(result + " = " + *element + ";");
      close();
      return result;
    }
    Index mapped;
    for (size_t d = 0; d < rank; ++d) {
      std::string n = num(in[d]), i = at[d];
      std::string expr;
      if (mode == PadMode::edge)
        expr = "(" + i + " < 0 ? 0 : (" + i + " >= " + n + " ? " + n +
               " - 1 : " + i + "))";
      else if (mode == PadMode::wrap)
        expr = "dsr1::floorMod<int64_t>(" + i + ", " + n + ")";
      else // reflect: period 2n - 2
        expr = in[d] == 1 ? std::string("0")
                          : "dsr1::reflect(" + i + ", (int64_t)" + n + ")";
      mapped.push_back(define("int64_t", expr));
    }
    return scalar(input, mapped);
  }
  if (auto gather = dyn_cast<GatherOp>(op)) {
    Value data = gather.getData(), indices = gather.getIndices();
    int64_t axis = gather.getAxis();
    size_t ri = shapeOf(indices).size();
    FailureOr<std::string> g = checkedIndex(
        indices, Index(idx.begin() + axis, idx.begin() + axis + ri),
        shapeOf(data)[axis]);
    if (failed(g))
      return failure();
    Index in(idx.begin(), idx.begin() + axis);
    in.push_back(*g);
    in.append(idx.begin() + axis + ri, idx.end());
    return scalar(data, in);
  }
  if (auto gather = dyn_cast<GatherElementsOp>(op)) {
    int64_t axis = gather.getAxis();
    FailureOr<std::string> g =
        checkedIndex(gather.getIndices(), idx, shapeOf(gather.getData())[axis]);
    if (failed(g))
      return failure();
    Index in = idx;
    in[axis] = *g;
    return scalar(gather.getData(), in);
  }
  if (auto constant = dyn_cast<ConstantOp>(op)) {
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!dense || !dense.isSplat())
      return op->emitError() << "cuda: a kernel can only hold splat constants";
    if (t->isFloat)
      return floatLiteral(dense.getSplatValue<APFloat>().convertToDouble(),
                          t->bits);
    if (t->isBool)
      return std::string(dense.getSplatValue<bool>() ? "true" : "false");
    return "(" + t->compute + ")" +
           num(dense.getSplatValue<APInt>().getSExtValue());
  }

  // Contractions and windows: loops.
  if (std::optional<Contraction> c = Contraction::of(op))
    return contraction(*c, idx);
  if (auto conv = dyn_cast<ConvOp>(op))
    return convolution(conv, idx);
  if (auto conv = dyn_cast<ConvTransposeOp>(op))
    return convolution(conv, idx);
  if (auto cum = dyn_cast<CumSumOp>(op))
    return cumulative(op, cum.getInput(), cum.getAxis(), cum.getExclusive(),
                      cum.getReverse(), /*product=*/false, idx);
  if (auto cum = dyn_cast<CumProdOp>(op))
    return cumulative(op, cum.getInput(), cum.getAxis(), cum.getExclusive(),
                      cum.getReverse(), /*product=*/true, idx);
  if (auto pool = dyn_cast<MaxPoolOp>(op))
    return this->pool(pool, idx, /*isMax=*/true);
  if (auto pool = dyn_cast<AvgPoolOp>(op))
    return this->pool(pool, idx, /*isMax=*/false);
  if (auto arg = dyn_cast<ArgMaxOp>(op))
    return argReduce(op, arg.getInput(), arg.getAxis(), arg.getKeepdims(),
                     arg.getSelectLastIndex(), /*isMax=*/true, idx);
  if (auto arg = dyn_cast<ArgMinOp>(op))
    return argReduce(op, arg.getInput(), arg.getAxis(), arg.getKeepdims(),
                     arg.getSelectLastIndex(), /*isMax=*/false, idx);
  if (reductionOf(op))
    return rowOp(op, value, idx);
  if (auto norm = dyn_cast<BatchNormOp>(op)) {
    // Inference batch norm: per channel (dimension 1) affine.
    Index channel = {idx.size() > 1 ? idx[1] : std::string("0")};
    FailureOr<std::string> x = scalar(norm.getInput(), idx);
    FailureOr<std::string> scale = scalar(norm.getScale(), channel);
    FailureOr<std::string> bias = scalar(norm.getBias(), channel);
    FailureOr<std::string> mean = scalar(norm.getMean(), channel);
    FailureOr<std::string> var = scalar(norm.getVariance(), channel);
    if (failed(x) || failed(scale) || failed(bias) || failed(mean) ||
        failed(var))
      return failure();
    std::string eps =
        floatLiteral(norm.getEpsilon().convertToDouble(), t->bits);
    std::string sqrt = t->bits == 64 ? "sqrt" : "sqrtf";
    return "(" + *x + " - " + *mean + ") / " + sqrt + "(" + *var + " + " + eps +
           ") * " + *scale + " + " + *bias;
  }
  return elementwise(op, idx, *t);
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

FailureOr<std::string>
ScalarEmitter::elementwise(Operation *op, const Index &idx, const CType &t) {
  // Operands, broadcast to the result's index.
  SmallVector<std::string, 3> x;
  SmallVector<CType, 3> types;
  // An op whose operand has more dimensions than its result is no
  // elementwise op: nothing below covers it.
  for (Value operand : op->getOperands())
    if (shapeOf(operand).size() > idx.size())
      return op->emitError() << "cuda: no CUDA kernel family covers '"
                             << op->getName().getStringRef() << "' yet";
  for (Value operand : op->getOperands()) {
    FailureOr<std::string> element =
        scalar(operand, broadcastIndex(idx, shapeOf(operand)));
    FailureOr<CType> type = ctypeOf(operand, op);
    if (failed(element) || failed(type))
      return failure();
    x.push_back(*element);
    types.push_back(*type);
  }
  bool f64 = !types.empty() && types[0].bits == 64 && types[0].isFloat;
  // The float function `name` in the operand's precision.
  auto fn = [&](StringRef name, ArrayRef<std::string> args) {
    return (name + (f64 ? "" : "f")).str() + "(" + join(args, ", ") + ")";
  };
  auto lit = [&](double value) { return floatLiteral(value, f64 ? 64 : 32); };
  const CType &in = types.empty() ? t : types[0];
  std::string ct = in.compute;

  return llvm::TypeSwitch<Operation *, FailureOr<std::string>>(op)
      .Case([&](AbsOp) -> FailureOr<std::string> {
        if (in.isFloat)
          return fn("fabs", {x[0]});
        if (in.isUnsigned)
          return x[0];
        return "(" + x[0] + " < 0 ? (" + ct + ")-" + x[0] + " : " + x[0] + ")";
      })
      .Case([&](CeilOp) { return fn("ceil", {x[0]}); })
      .Case([&](FloorOp) { return fn("floor", {x[0]}); })
      .Case([&](RoundOp) { return fn("rint", {x[0]}); })
      .Case([&](AcosOp) { return fn("acos", {x[0]}); })
      .Case([&](AsinOp) { return fn("asin", {x[0]}); })
      .Case([&](AtanOp) { return fn("atan", {x[0]}); })
      .Case([&](CosOp) { return fn("cos", {x[0]}); })
      .Case([&](SinOp) { return fn("sin", {x[0]}); })
      .Case([&](ErfOp) { return fn("erf", {x[0]}); })
      .Case([&](ExpOp) { return fn("exp", {x[0]}); })
      .Case([&](LogOp) { return fn("log", {x[0]}); })
      .Case([&](SqrtOp) { return fn("sqrt", {x[0]}); })
      .Case([&](TanhOp) { return fn("tanh", {x[0]}); })
      .Case([&](RsqrtOp) { return lit(1) + " / " + fn("sqrt", {x[0]}); })
      .Case([&](NegOp) { return "(" + ct + ")(-" + x[0] + ")"; })
      .Case([&](NotOp) -> FailureOr<std::string> {
        return in.isBool ? "!" + x[0] : "(" + ct + ")(~" + x[0] + ")";
      })
      .Case([&](ReciprocalOp) { return lit(1) + " / " + x[0]; })
      .Case([&](ReluOp) -> FailureOr<std::string> {
        if (in.isFloat)
          return "(" + x[0] + " > 0 || " + x[0] + " != " + x[0] + " ? " + x[0] +
                 " : " + lit(0) + ")";
        return "(" + x[0] + " > 0 ? " + x[0] + " : (" + ct + ")0)";
      })
      .Case([&](SigmoidOp) {
        return lit(1) + " / (" + lit(1) + " + " + fn("exp", {"-" + x[0]}) + ")";
      })
      .Case([&](SignOp) {
        return "(" + ct + ")((" + x[0] + " > 0) - (" + x[0] + " < 0))";
      })
      .Case([&](SoftplusOp) {
        return "(" + x[0] + " > " + lit(20) + " ? " + x[0] + " : " +
               fn("log1p", {fn("exp", {x[0]})}) + ")";
      })
      .Case([&](ClipOp clip) -> FailureOr<std::string> {
        std::string v = x[0];
        auto bound = [&](double b) {
          return in.isFloat ? lit(b) : "(" + ct + ")" + num(int64_t(b));
        };
        if (std::optional<APFloat> lo = clip.getMin())
          v = define(ct, "(" + v + " < " + bound(lo->convertToDouble()) +
                             " ? " + bound(lo->convertToDouble()) + " : " + v +
                             ")");
        if (std::optional<APFloat> hi = clip.getMax())
          v = "(" + v + " > " + bound(hi->convertToDouble()) + " ? " +
              bound(hi->convertToDouble()) + " : " + v + ")";
        return v;
      })
      .Case([&](EluOp elu) {
        return "(" + x[0] + " > 0 ? " + x[0] + " : " +
               lit(elu.getAlpha().convertToDouble()) + " * (" +
               fn("exp", {x[0]}) + " - " + lit(1) + "))";
      })
      .Case([&](GeluOp gelu) {
        if (gelu.getApproximate() == GeluApproximation::tanh)
          return lit(0.5) + " * " + x[0] + " * (" + lit(1) + " + " +
                 fn("tanh", {lit(std::sqrt(2.0 / M_PI)) + " * (" + x[0] +
                             " + " + lit(0.044715) + " * " + x[0] + " * " +
                             x[0] + " * " + x[0] + ")"}) +
                 ")";
        return lit(0.5) + " * " + x[0] + " * (" + lit(1) + " + " +
               fn("erf", {x[0] + " * " + lit(M_SQRT1_2)}) + ")";
      })
      .Case([&](HardSigmoidOp hs) {
        std::string v = lit(hs.getAlpha().convertToDouble()) + " * " + x[0] +
                        " + " + lit(hs.getBeta().convertToDouble());
        return fn("fmax", {lit(0), fn("fmin", {lit(1), v})});
      })
      .Case([&](LeakyReluOp lr) {
        return "(" + x[0] + " >= 0 ? " + x[0] + " : " +
               lit(lr.getAlpha().convertToDouble()) + " * " + x[0] + ")";
      })
      .Case([&](AddOp) { return "(" + ct + ")(" + x[0] + " + " + x[1] + ")"; })
      .Case([&](SubOp) { return "(" + ct + ")(" + x[0] + " - " + x[1] + ")"; })
      .Case([&](MulOp) { return "(" + ct + ")(" + x[0] + " * " + x[1] + ")"; })
      .Case([&](DivOp) -> FailureOr<std::string> {
        if (in.isFloat)
          return x[0] + " / " + x[1];
        // Integer division by zero gives 0, never a trap.
        return "(" + x[1] + " == 0 ? (" + ct + ")0 : (" + ct + ")(" + x[0] +
               " / " + x[1] + "))";
      })
      .Case([&](MaxOp) -> FailureOr<std::string> {
        return "dsr1::MaxOp()(" + x[0] + ", " + x[1] + ")";
      })
      .Case([&](MinOp) -> FailureOr<std::string> {
        return "dsr1::MinOp()(" + x[0] + ", " + x[1] + ")";
      })
      .Case([&](ModOp mod) -> FailureOr<std::string> {
        if (in.isFloat)
          return std::string(mod.getFmod() ? "dsr1::fmodTrunc("
                                           : "dsr1::fmodFloor(") +
                 x[0] + ", " + x[1] + ")";
        return "(" + x[1] + " == 0 ? (" + ct + ")0 : " +
               (mod.getFmod() ? "(" + ct + ")(" + x[0] + " % " + x[1] + ")"
                              : "dsr1::floorMod<" + ct + ">(" + x[0] + ", " +
                                    x[1] + ")") +
               ")";
      })
      .Case([&](PowOp) -> FailureOr<std::string> {
        if (in.isFloat)
          return "dsr1::pow(" + x[0] + ", " + x[1] + ")";
        return "dsr1::ipow<" + ct + ">(" + x[0] + ", " + x[1] + ")";
      })
      .Case([&](AndOp) -> FailureOr<std::string> {
        return in.isBool ? "(" + x[0] + " && " + x[1] + ")"
                         : "(" + ct + ")(" + x[0] + " & " + x[1] + ")";
      })
      .Case([&](OrOp) -> FailureOr<std::string> {
        return in.isBool ? "(" + x[0] + " || " + x[1] + ")"
                         : "(" + ct + ")(" + x[0] + " | " + x[1] + ")";
      })
      .Case([&](XorOp) -> FailureOr<std::string> {
        return in.isBool ? "(" + x[0] + " != " + x[1] + ")"
                         : "(" + ct + ")(" + x[0] + " ^ " + x[1] + ")";
      })
      .Case([&](EqualOp) { return "(" + x[0] + " == " + x[1] + ")"; })
      .Case([&](GreaterOp) { return "(" + x[0] + " > " + x[1] + ")"; })
      .Case([&](GreaterEqualOp) { return "(" + x[0] + " >= " + x[1] + ")"; })
      .Case([&](LessOp) { return "(" + x[0] + " < " + x[1] + ")"; })
      .Case([&](LessEqualOp) { return "(" + x[0] + " <= " + x[1] + ")"; })
      .Case([&](WhereOp) {
        return "(" + x[0] + " ? " + x[1] + " : " + x[2] + ")";
      })
      .Case([&](CastOp) -> FailureOr<std::string> {
        if (t.isBool)
          return "(" + x[0] + " != 0)";
        return "(" + t.compute + ")" + x[0];
      })
      .Default([&](Operation *other) -> FailureOr<std::string> {
        return other->emitError() << "cuda: no CUDA kernel family covers '"
                                  << other->getName().getStringRef() << "' yet";
      });
}

//===----------------------------------------------------------------------===//
// Loops: contractions, convolution, pooling, arg-reductions
//===----------------------------------------------------------------------===//

FailureOr<std::string> ScalarEmitter::contraction(const Contraction &c,
                                                  const Index &idx) {
  FailureOr<CType> t = ctypeOf(c.op->getResult(0), c.op);
  if (failed(t))
    return failure();
  std::string acc = fresh("acc");
  std::string type = accumulator(*t);
  code_.line(type + " " + acc + " = 0;");
  Index batchIdx;
  std::string mi, ni;
  c.split(idx, batchIdx, mi, ni);
  std::string k = fresh("k");
  open("for (int64_t " + k + " = 0; " + k + " < " + num(c.k) + "; ++" + k +
       ")");
  FailureOr<std::string> a = scalar(c.lhs, c.lhsIndex(batchIdx, mi, k));
  FailureOr<std::string> b = scalar(c.rhs, c.rhsIndex(batchIdx, k, ni));
  if (failed(a) || failed(b))
    return failure();
  code_.line(acc + " += " + productInput(c.op, *a, type) + " * " +
             productInput(c.op, *b, type) + ";");
  close();
  if (c.alpha != 1)
    code_.line(acc + " *= (" + type + ")" + floatLiteral(c.alpha, 64) + ";");
  if (c.bias) {
    Index mn = {mi, ni};
    FailureOr<std::string> bias =
        scalar(c.bias, broadcastIndex(mn, shapeOf(c.bias)));
    if (failed(bias))
      return failure();
    code_.line(acc + " += (" + type + ")" + floatLiteral(c.beta, 64) + " * (" +
               type + ")" + *bias + ";");
  }
  return "(" + t->compute + ")" + acc;
}

template <typename ConvLikeOp>
FailureOr<std::string> ScalarEmitter::convolution(ConvLikeOp op,
                                                  const Index &idx) {
  // A transposed convolution gathers, for output o, the inputs i with
  // o = i * stride + k * dilation - pad; a convolution reads input
  // o * stride + k * dilation - pad.
  constexpr bool transposed = std::is_same_v<ConvLikeOp, ConvTransposeOp>;
  FailureOr<CType> t = ctypeOf(op.getResult(), op);
  if (failed(t))
    return failure();
  Value input = op.getInput(), weight = op.getWeight();
  ArrayRef<int64_t> in = shapeOf(input), w = shapeOf(weight);
  size_t spatial = in.size() - 2;
  int64_t groups = op.getGroup();
  // Weights are [M, C / group, k...], transposed [C, M / group, k...].
  int64_t perGroupIn = transposed ? in[1] / groups : w[1];
  int64_t perGroupOut = transposed ? w[1] : w[0] / groups;
  auto attr = [&](std::optional<ArrayRef<int64_t>> values, size_t i,
                  int64_t fallback) {
    return values && !values->empty() ? (*values)[i] : fallback;
  };
  std::string type = accumulator(*t);
  std::string acc = fresh("acc");
  code_.line(type + " " + acc + " = 0;");
  std::string g = define("int64_t", "(" + idx[1] + " / " + num(perGroupOut) +
                                        ") * " + num(perGroupIn));
  std::string c = fresh("c");
  open("for (int64_t " + c + " = 0; " + c + " < " + num(perGroupIn) + "; ++" +
       c + ")");
  Index inIdx = {idx[0], add(g, c)};
  Index wIdx = {idx[1], c};
  if (transposed)
    wIdx = {add(g, c),
            define("int64_t", "(" + idx[1] + " % " + num(perGroupOut) + ")")};
  std::string inside;
  for (size_t d = 0; d < spatial; ++d) {
    std::string k = fresh("k");
    open("for (int64_t " + k + " = 0; " + k + " < " + num(w[2 + d]) + "; ++" +
         k + ")");
    int64_t stride = attr(op.getStrides(), d, 1);
    int64_t dilation = attr(op.getDilations(), d, 1);
    int64_t pad = attr(op.getPads(), d, 0);
    std::string pos;
    if (transposed) {
      std::string at =
          define("int64_t", add(add(idx[2 + d], num(pad)), mul(k, -dilation)));
      pos = define("int64_t", "(" + at + " / " + num(stride) + ")");
      inside += (d ? " && " : "") + at + " >= 0 && " + at + " % " +
                num(stride) + " == 0 && " + pos + " < " + num(in[2 + d]);
    } else {
      pos =
          define("int64_t", add(add(mul(idx[2 + d], stride), mul(k, dilation)),
                                num(-pad)));
      inside +=
          (d ? " && " : "") + pos + " >= 0 && " + pos + " < " + num(in[2 + d]);
    }
    inIdx.push_back(pos);
    wIdx.push_back(k);
  }
  open("if (" + (inside.empty() ? std::string("true") : inside) + ")");
  FailureOr<std::string> x = scalar(input, inIdx);
  FailureOr<std::string> y = scalar(weight, wIdx);
  if (failed(x) || failed(y))
    return failure();
  code_.line(acc + " += " + productInput(op, *x, type) + " * " +
             productInput(op, *y, type) + ";");
  close();
  for (size_t d = 0; d < spatial; ++d)
    close();
  close();
  if (Value bias = op.getBias()) {
    FailureOr<std::string> b = scalar(bias, {idx[1]});
    if (failed(b))
      return failure();
    code_.line(acc + " += (" + type + ")" + *b + ";");
  }
  return "(" + t->compute + ")" + acc;
}

FailureOr<std::string> ScalarEmitter::cumulative(Operation *op, Value input,
                                                 int64_t axis, bool exclusive,
                                                 bool reverse, bool product,
                                                 const Index &idx) {
  FailureOr<CType> t = ctypeOf(input, op);
  if (failed(t))
    return failure();
  std::string type = accumulator(*t);
  std::string acc = fresh("acc"), j = fresh("j");
  code_.line(type + " " + acc + " = " + (product ? "1" : "0") + ";");
  // Elements before idx[axis] (after it when reversed), itself unless
  // exclusive.
  std::string i = idx[axis], n = num(shapeOf(input)[axis]);
  std::string lo = reverse ? (exclusive ? add(i, "1") : i) : "0";
  std::string hi = reverse ? n : (exclusive ? i : add(i, "1"));
  open("for (int64_t " + j + " = " + lo + "; " + j + " < " + hi + "; ++" + j +
       ")");
  Index at = idx;
  at[axis] = j;
  FailureOr<std::string> x = scalar(input, at);
  if (failed(x))
    return failure();
  code_.line(acc + " = " + acc + (product ? " * " : " + ") + "(" + type + ")" +
             *x + ";");
  close();
  return "(" + t->compute + ")" + acc;
}

template <typename PoolOp>
FailureOr<std::string> ScalarEmitter::pool(PoolOp op, const Index &idx,
                                           bool isMax) {
  FailureOr<CType> t = ctypeOf(op.getResult(), op);
  if (failed(t))
    return failure();
  Value input = op.getInput();
  ArrayRef<int64_t> in = shapeOf(input);
  ArrayRef<int64_t> kernel = op.getKernelShape();
  size_t spatial = kernel.size();
  auto attr = [&](std::optional<ArrayRef<int64_t>> values, size_t i,
                  int64_t fallback) {
    return values && !values->empty() ? (*values)[i] : fallback;
  };
  std::string type = accumulator(*t);
  std::string acc = fresh("acc");
  code_.line(type + " " + acc + " = " +
             identity(isMax ? Combine::max : Combine::sum, type) + ";");
  // avg_pool's divisor: the taps inside the input, or inside input + pads
  // with count_include_pad.
  std::string count = fresh("count");
  code_.line("int64_t " + count + " = 0;");
  Index inIdx = {idx[0], idx[1]};
  std::string inside, padded;
  for (size_t s = 0; s < spatial; ++s) {
    std::string k = fresh("k");
    open("for (int64_t " + k + " = 0; " + k + " < " + num(kernel[s]) + "; ++" +
         k + ")");
    int64_t padBegin = attr(op.getPads(), s, 0);
    int64_t padEnd = attr(op.getPads(), spatial + s, 0);
    std::string pos =
        define("int64_t", add(add(mul(idx[2 + s], attr(op.getStrides(), s, 1)),
                                  mul(k, attr(op.getDilations(), s, 1))),
                              num(-padBegin)));
    inside +=
        (s ? " && " : "") + pos + " >= 0 && " + pos + " < " + num(in[2 + s]);
    padded += (s ? " && " : "") + pos + " >= " + num(-padBegin) + " && " + pos +
              " < " + num(in[2 + s] + padEnd);
    inIdx.push_back(pos);
  }
  bool includePad = false;
  if constexpr (std::is_same_v<PoolOp, AvgPoolOp>)
    includePad = op.getCountIncludePad();
  if (includePad)
    code_.line("if (" + padded + ") ++" + count + ";");
  open("if (" + inside + ")");
  FailureOr<std::string> x = scalar(input, inIdx);
  if (failed(x))
    return failure();
  if (isMax)
    code_.line(acc + " = dsr1::MaxOp()(" + acc + ", (" + type + ")" + *x +
               ");");
  else
    code_.line(acc + " += (" + type + ")" + *x + ";");
  if (!includePad)
    code_.line("++" + count + ";");
  close();
  for (size_t s = 0; s < spatial; ++s)
    close();
  if (isMax)
    return "(" + t->compute + ")" + acc;
  return "(" + t->compute + ")(" + count + " ? " + acc + " / (" + type + ")" +
         count + " : (" + type + ")0)";
}

FailureOr<std::string> ScalarEmitter::argReduce(Operation *op, Value input,
                                                int64_t axis, bool keepdims,
                                                bool last, bool isMax,
                                                const Index &idx) {
  FailureOr<CType> t = ctypeOf(input, op);
  if (failed(t))
    return failure();
  ArrayRef<int64_t> in = shapeOf(input);
  Index at;
  for (size_t d = 0, r = 0; d < in.size(); ++d) {
    if (static_cast<int64_t>(d) == axis) {
      at.push_back("");
      if (keepdims)
        ++r;
      continue;
    }
    at.push_back(idx[r++]);
  }
  std::string best = fresh("best"), where = fresh("at"), j = fresh("j");
  code_.line(t->compute + " " + best + " = 0;");
  code_.line("int64_t " + where + " = -1;");
  open("for (int64_t " + j + " = 0; " + j + " < " + num(in[axis]) + "; ++" + j +
       ")");
  at[axis] = j;
  FailureOr<std::string> x = scalar(input, at);
  if (failed(x))
    return failure();
  std::string better =
      isMax ? (last ? " >= " : " > ") : (last ? " <= " : " < ");
  code_.open("if (" + where + " < 0 || " + *x + better + best + ")");
  code_.line(best + " = " + *x + ";");
  code_.line(where + " = " + j + ";");
  code_.close();
  close();
  return where;
}

//===----------------------------------------------------------------------===//
// Row ops: reductions, softmax, norms, global pooling
//===----------------------------------------------------------------------===//

FailureOr<std::string> ScalarEmitter::reduce(
    Combine kind, const std::string &type, ArrayRef<int64_t> shape,
    ArrayRef<int64_t> axes, const Index &outer,
    llvm::function_ref<FailureOr<std::string>(const Index &)> element,
    bool boolean) {
  SmallVector<int64_t> inner;
  for (int64_t a : axes)
    inner.push_back(shape[a]);
  int64_t count = product(inner);
  std::string part = fresh("part"), j = fresh("j");
  code_.line(type + " " + part + " = " + identity(kind, type, boolean) + ";");
  if (cooperative)
    open("for (int64_t " + j + " = threadIdx.x; " + j + " < " + num(count) +
         "; " + j + " += blockDim.x)");
  else
    open("for (int64_t " + j + " = 0; " + j + " < " + num(count) + "; ++" + j +
         ")");
  // Inner index over the reduced axes only, merged with the outer one.
  Index innerIdx = delinearize(j, inner);
  Index full;
  for (size_t d = 0, o = 0, r = 0; d < shape.size(); ++d) {
    if (llvm::is_contained(axes, static_cast<int64_t>(d)))
      full.push_back(innerIdx[r++]);
    else
      full.push_back(outer[o++]);
  }
  bool wasCooperative = cooperative;
  cooperative = false; // Nested statistics are per thread.
  FailureOr<std::string> x = element(full);
  cooperative = wasCooperative;
  if (failed(x))
    return failure();
  code_.line(part + " = " + functor(kind) + "(" + part + ", (" + type + ")" +
             *x + ");");
  close();
  if (!cooperative)
    return part;
  scratchTypes.insert(type);
  return define(type, "dsr1::blockReduce(" + part + ", " + functor(kind) +
                          ", " + identity(kind, type, boolean) + ", scratch_" +
                          type + ")");
}

FailureOr<SmallVector<std::string, 2>>
ScalarEmitter::stats(Operation *op, const Index &outer) {
  std::string k = "stats" + std::to_string(ids_.lookup(op->getResult(0))) +
                  "@" + join(outer, ",");
  if (std::optional<std::string> known = lookup(k)) {
    SmallVector<StringRef, 2> parts;
    StringRef(*known).split(parts, ' ');
    return SmallVector<std::string, 2>(parts.begin(), parts.end());
  }
  std::optional<Reduction> r = reductionOf(op);
  FailureOr<CType> t = ctypeOf(r->input, op);
  if (failed(t))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(r->input);
  SmallVector<int64_t> axes = normalizedAxes(*r);
  std::string type = accumulator(*t);
  int64_t count = 1;
  for (int64_t a : axes)
    count *= shape[a];
  auto element = [&](const Index &full) { return scalar(r->input, full); };
  bool f64 = type == "double";
  auto fn = [&](StringRef name) { return (name + (f64 ? "" : "f")).str(); };
  auto lit = [&](double v) { return floatLiteral(v, f64 ? 64 : 32); };
  SmallVector<std::string, 2> result;

  auto combineOf = [&]() -> Combine {
    if (isa<ReduceMaxOp, GlobalMaxPoolOp>(op))
      return Combine::max;
    if (isa<ReduceMinOp>(op))
      return Combine::min;
    if (isa<ReduceProdOp>(op))
      return Combine::prod;
    return Combine::sum;
  };
  if (isa<SoftmaxOp, LogSoftmaxOp>(op)) {
    FailureOr<std::string> max =
        reduce(Combine::max, type, shape, axes, outer, element);
    if (failed(max))
      return failure();
    FailureOr<std::string> sum =
        reduce(Combine::sum, type, shape, axes, outer,
               [&](const Index &full) -> FailureOr<std::string> {
                 FailureOr<std::string> x = scalar(r->input, full);
                 if (failed(x))
                   return failure();
                 return fn("exp") + "((" + type + ")" + *x + " - " + *max + ")";
               });
    if (failed(sum))
      return failure();
    result = {*max, *sum};
  } else if (isa<LayerNormOp, InstanceNormOp>(op)) {
    FailureOr<std::string> sum =
        reduce(Combine::sum, type, shape, axes, outer, element);
    if (failed(sum))
      return failure();
    std::string mean = define(type, *sum + " / " + lit(double(count)));
    FailureOr<std::string> squares =
        reduce(Combine::sum, type, shape, axes, outer,
               [&](const Index &full) -> FailureOr<std::string> {
                 FailureOr<std::string> x = scalar(r->input, full);
                 if (failed(x))
                   return failure();
                 std::string d =
                     define(type, "(" + type + ")" + *x + " - " + mean);
                 return d + " * " + d;
               });
    if (failed(squares))
      return failure();
    double eps = isa<LayerNormOp>(op)
                     ? cast<LayerNormOp>(op).getEpsilon().convertToDouble()
                     : cast<InstanceNormOp>(op).getEpsilon().convertToDouble();
    std::string rstd =
        define(type, lit(1) + " / " + fn("sqrt") + "(" + *squares + " / " +
                         lit(double(count)) + " + " + lit(eps) + ")");
    result = {mean, rstd};
  } else {
    Combine kind = combineOf();
    // Bools reduce as integers (shuffles have no bool form).
    std::string reduceType =
        t->isFloat ? type : (t->isBool ? std::string("int32_t") : t->compute);
    FailureOr<std::string> value = reduce(kind, reduceType, shape, axes, outer,
                                          element, /*boolean=*/t->isBool);
    if (failed(value))
      return failure();
    std::string v = *value;
    if (isa<ReduceMeanOp, GlobalAvgPoolOp>(op))
      v = define(reduceType, v + " / (" + reduceType + ")" + num(count));
    result = {v};
  }
  scopes_.back()[k] = join(result, " ");
  return result;
}

FailureOr<std::string> ScalarEmitter::rowOp(Operation *op, Value value,
                                            const Index &idx) {
  std::optional<Reduction> r = reductionOf(op);
  ArrayRef<int64_t> in = shapeOf(r->input);
  SmallVector<int64_t> axes = normalizedAxes(*r);
  bool reducesShape =
      !isa<SoftmaxOp, LogSoftmaxOp, LayerNormOp, InstanceNormOp>(op);
  // The outer index: the input's kept axes, read off the result index.
  Index outer;
  if (!reducesShape) {
    for (size_t d = 0; d < in.size(); ++d)
      if (!llvm::is_contained(axes, static_cast<int64_t>(d)))
        outer.push_back(idx[d]);
  } else {
    bool keepdims = shapeOf(value).size() == in.size();
    for (size_t d = 0, o = 0; d < in.size(); ++d) {
      bool reduced = llvm::is_contained(axes, static_cast<int64_t>(d));
      if (!reduced)
        outer.push_back(idx[o]);
      if (!reduced || keepdims)
        ++o;
    }
  }
  FailureOr<SmallVector<std::string, 2>> s = stats(op, outer);
  if (failed(s))
    return failure();
  FailureOr<CType> t = ctypeOf(value, op);
  if (failed(t))
    return failure();
  if (reducesShape)
    return "(" + t->compute + ")" + (*s)[0];
  bool f64 = t->bits == 64 && t->isFloat;
  std::string type = f64 ? "double" : "float";
  auto fn = [&](StringRef name) { return (name + (f64 ? "" : "f")).str(); };
  FailureOr<std::string> x = scalar(r->input, idx);
  if (failed(x))
    return failure();
  if (isa<SoftmaxOp>(op))
    return fn("exp") + "((" + type + ")" + *x + " - " + (*s)[0] + ") / " +
           (*s)[1];
  if (isa<LogSoftmaxOp>(op))
    return "(" + type + ")" + *x + " - " + (*s)[0] + " - " + fn("log") + "(" +
           (*s)[1] + ")";
  // Norms: (x - mean) * rstd * scale + bias, scale and bias over the
  // normalised axes (layer norm) or the channel (instance norm).
  Value scale, bias;
  Index affine;
  if (auto norm = dyn_cast<LayerNormOp>(op)) {
    scale = norm.getScale();
    bias = norm.getBias();
    affine = broadcastIndex(idx, shapeOf(scale));
  } else {
    auto instance = cast<InstanceNormOp>(op);
    scale = instance.getScale();
    bias = instance.getBias();
    affine = {idx[1]};
  }
  FailureOr<std::string> gamma = scalar(scale, affine);
  if (failed(gamma))
    return failure();
  std::string y = "((" + type + ")" + *x + " - " + (*s)[0] + ") * " + (*s)[1] +
                  " * (" + type + ")" + *gamma;
  if (bias) {
    FailureOr<std::string> beta =
        scalar(bias, isa<LayerNormOp>(op) ? broadcastIndex(idx, shapeOf(bias))
                                          : affine);
    if (failed(beta))
      return failure();
    y += " + (" + type + ")" + *beta;
  }
  return y;
}

//===----------------------------------------------------------------------===//
// Family templates
//===----------------------------------------------------------------------===//

/// One operand of a tensor-core GEMM, as the template stages its tiles: A
/// (m x k) or B (k x n). The callbacks run with `dim` ("m" or "n"), `k` and
/// the batch index in scope.
struct TcOperand {
  std::string array; // the shared tile: "As" or "Bs"
  bool kContiguous;  // shared rows run along k (else along m or n)
  int64_t extent;    // the matrix's extent in m or n
  std::string dim;   // "m" or "n"
  /// Staging by cp.async, when set: the argument and the offset of element
  /// (dim, k) in it. Rows along the shared layout must be contiguous in the
  /// argument, and the extent there a multiple of 16 bytes.
  std::string argument;
  std::function<std::string(ScalarEmitter &, const Index &)> address;
  /// Scalar staging otherwise: assigns `value` for an element inside the
  /// matrix, as the element's bits (`raw`) or as a float.
  bool raw = false;
  std::function<LogicalResult(ScalarEmitter &, const Index &)> stage;
};

/// A batch of products C = A B on tensor cores, and what to do with each
/// element of C (`m`, `n` in scope; `acc` its f32 sum).
struct TcGemm {
  TensorCoreKind kind;
  int64_t m, n, k;
  SmallVector<int64_t> batch; // grid.z slices
  TcOperand a, b;
  std::function<LogicalResult(ScalarEmitter &, const Index &batchIdx,
                              const std::string &acc)>
      epilogue;
};

/// Writes one kernel function's `__global__` functions.
class KernelEmitter {
public:
  KernelEmitter(func::FuncOp kernel, const CudaParams &params,
                const KernelTunings *tunings, Code &code, std::string &thunks)
      : kernel_(kernel), params_(params), tunings_(tunings), code_(code),
        thunks_(thunks) {}

  FailureOr<CudaKernel> emit();

private:
  /// The `__global__` signature (status, operands, results) and the emu
  /// thunk that calls it from CUDA-style kernel parameters.
  LogicalResult begin(const std::string &name, int maxThreads,
                      uint64_t workspaceBytes = 0);
  Value result(unsigned i) {
    return kernel_.front().getTerminator()->getOperand(i);
  }
  unsigned numResults() { return kernel_.getNumResults(); }
  std::string resultName(unsigned i) {
    return ScalarEmitter::argName(kernel_.getNumArguments() + i);
  }
  /// Adds a launch of `name` over `grid` blocks of `block` threads (x only).
  void addLaunch(const std::string &name, Dim3 grid, int64_t block,
                 bool cooperative);
  /// Stores `value` as element (b, h, i, d) of the attention's output, in
  /// every result of the kernel.
  LogicalResult storeAttention(AttentionOp op, const AttentionShape &shape,
                               const CType &t, const std::string &value);
  /// Stores `expr` (compute type) as element `offset` of result `i`.
  LogicalResult store(unsigned i, const std::string &offset,
                      const std::string &expr);
  /// Evaluates `results` at `idx`, then stores them all at `offset`: an
  /// in-place result may overwrite the operand element it reads.
  LogicalResult storeAll(ScalarEmitter &s, ArrayRef<unsigned> results,
                         const Index &idx, const std::string &offset);

  LogicalResult pointwise(ArrayRef<unsigned> results, const std::string &name);
  LogicalResult row(Operation *anchor, const std::string &name);
  LogicalResult gemm(const Contraction &c, const std::string &name);
  LogicalResult gemmTc(const Contraction &c, TensorCoreKind kind,
                       const std::string &name);
  LogicalResult convTc(ConvOp conv, TensorCoreKind kind,
                       const std::string &name);
  /// The tensor-core GEMM template over any description of its operands
  /// and epilogue (a contraction's, or a convolution's implicit GEMM).
  LogicalResult tensorCoreGemm(const TcGemm &g, const std::string &name);
  /// The fused epilogue of a GEMM at the result element (m, n) in scope:
  /// `element` is the product's accumulated value; the scale, bias and
  /// everything fused after the product are applied, and every result of
  /// the kernel stored.
  /// The launch of a GEMM template: a block per tm x tn output tile, a
  /// grid.z slice per batch.
  void addGemmLaunch(const std::string &name, int64_t m, int64_t n, int64_t tm,
                     int64_t tn, int64_t batches, int64_t threads);
  LogicalResult gemmEpilogue(ScalarEmitter &s, const Contraction &c,
                             const CType &t, const Index &batchIdx,
                             const std::string &element);
  LogicalResult attention(AttentionOp op, const std::string &name);
  LogicalResult attentionTc(AttentionOp op, TensorCoreKind kind,
                            const std::string &name);
  /// Split-kv decoding: true when `op` has one query row a head and keys
  /// enough for more than one split.
  bool isDecode(AttentionOp op);
  /// What every attention template checks first (the op alone in its
  /// kernel, its results returned, no scores) and its result's type.
  FailureOr<CType> attentionResultType(AttentionOp op);
  /// With the scaled score in `x` (f32) and b, h, i, j in scope: the
  /// softcap, the mask (-inf where false, or added), then log2 units.
  LogicalResult scoreInLog2(ScalarEmitter &s, AttentionOp op);
  LogicalResult attentionDecode(AttentionOp op, const std::string &name);
  LogicalResult recurrent(Operation *op, const std::string &name);

  /// The row ops of the kernel if it can run as the row template: every
  /// one reduces the same trailing axes of inputs of one shape, and every
  /// result has that shape or the reduced one.
  std::optional<SmallVector<Operation *>> rowOps();

  /// Switches to the tuned parameters of `problem`, if there are any.
  void useTuned(const TuneProblem &problem);

  func::FuncOp kernel_;
  /// The parameters this kernel is generated with: the module's, or its
  /// tuned ones.
  CudaParams params_;
  const KernelTunings *tunings_;
  Code &code_;
  std::string &thunks_;
  CudaKernel out_;
};

void KernelEmitter::useTuned(const TuneProblem &problem) {
  if (!tunings_)
    return;
  if (std::optional<CudaParams> tuned = tunings_->lookup(problem, params_)) {
    params_ = *tuned;
    out_.tuned = true;
  }
}

/// The tuner's name of a tensor-core precision.
static std::string precisionName(TensorCoreKind kind) {
  return kind == TensorCoreKind::f16    ? "fp16"
         : kind == TensorCoreKind::bf16 ? "bf16"
                                        : "tf32";
}

LogicalResult KernelEmitter::begin(const std::string &name, int maxThreads,
                                   uint64_t workspaceBytes) {
  std::vector<std::string> params = {"int *status"}, casts = {"*(int **)p[0]"};
  unsigned n = 1;
  auto add = [&](Type type, bool isResult, unsigned index) -> LogicalResult {
    FailureOr<CType> t =
        ctypeOf(cast<ShapedType>(type).getElementType(), kernel_);
    if (failed(t))
      return failure();
    std::string ptr = (isResult ? "" : "const ") + t->storage + " *";
    params.push_back(ptr + ScalarEmitter::argName(index));
    casts.push_back("*(" + ptr + "*)p[" + std::to_string(n++) + "]");
    return success();
  };
  for (auto [i, type] : llvm::enumerate(kernel_.getArgumentTypes()))
    if (failed(add(type, false, i)))
      return failure();
  for (auto [i, type] : llvm::enumerate(kernel_.getResultTypes()))
    if (failed(add(type, true, kernel_.getNumArguments() + i)))
      return failure();
  // The workspace comes last: the session's buffer on a GPU, the emulating
  // thread's under cuda-emu.
  if (workspaceBytes) {
    params.push_back("float *ws");
    casts.push_back("(float *)dsr1_emu::workspace(" +
                    std::to_string(workspaceBytes) + ")");
    out_.workspaceBytes = std::max(out_.workspaceBytes, workspaceBytes);
  }
  code_.line("");
  code_.open("extern \"C\" __global__ void __launch_bounds__(" +
             std::to_string(maxThreads) + ", 1) " + name + "(" +
             join(params, ", ") + ")");
  thunks_ += "extern \"C\" void " + name + "__emu(void **p) { " + name + "(" +
             join(casts, ", ") + "); }\n";
  return success();
}

LogicalResult KernelEmitter::store(unsigned i, const std::string &offset,
                                   const std::string &expr) {
  FailureOr<CType> t = ctypeOf(result(i), kernel_);
  if (failed(t))
    return failure();
  std::string value = expr;
  if (t->narrow)
    value = std::string(t->bf16 ? "dsr1::floatToBf16(" : "dsr1::floatToHalf(") +
            expr + ")";
  code_.line(resultName(i) + "[" + offset + "] = " + value + ";");
  return success();
}

void KernelEmitter::addLaunch(const std::string &name, Dim3 grid, int64_t block,
                              bool cooperative) {
  GridLaunch launch;
  launch.function = name;
  launch.grid = grid;
  launch.block.x = static_cast<uint32_t>(block);
  launch.cooperative = cooperative;
  out_.launches.push_back(launch);
}

LogicalResult KernelEmitter::storeAttention(AttentionOp op,
                                            const AttentionShape &shape,
                                            const CType &t,
                                            const std::string &value) {
  std::string offset =
      linear(shape.at("i", "d", shape.dv), shapeOf(op.getResult()));
  for (unsigned r = 0; r < numResults(); ++r)
    if (failed(store(r, offset, "(" + t.compute + ")(" + value + ")")))
      return failure();
  return success();
}

LogicalResult KernelEmitter::storeAll(ScalarEmitter &s,
                                      ArrayRef<unsigned> results,
                                      const Index &idx,
                                      const std::string &offset) {
  SmallVector<std::string> values;
  for (unsigned r : results) {
    FailureOr<std::string> v = s.scalar(result(r), idx);
    if (failed(v))
      return failure();
    values.push_back(*v);
  }
  for (auto [r, v] : llvm::zip(results, values))
    if (failed(store(r, offset, v)))
      return failure();
  return success();
}

LogicalResult KernelEmitter::pointwise(ArrayRef<unsigned> results,
                                       const std::string &name) {
  ArrayRef<int64_t> shape = shapeOf(result(results.front()));
  int64_t count = product(shape);
  if (count == 0)
    return success(); // Empty results: nothing to launch.
  int block = params_.pointwiseBlock, per = params_.elementsPerThread;
  if (failed(begin(name, block)))
    return failure();
  ScalarEmitter s(kernel_, code_);
  code_.line("const int64_t stride = (int64_t)gridDim.x * blockDim.x * " +
             num(per) + ";");
  s.open("for (int64_t base = (int64_t)blockIdx.x * blockDim.x * " + num(per) +
         " + threadIdx.x; base < " + num(count) + "; base += stride)");
  std::string i = "base";
  if (per > 1) {
    s.open("for (int e = 0; e < " + num(per) + "; ++e)");
    code_.line("const int64_t i = base + (int64_t)e * blockDim.x;");
    code_.line("if (i >= " + num(count) + ") break;");
    i = "i";
  }
  if (failed(storeAll(s, results, s.delinearize(i, shape), i)))
    return failure();
  if (per > 1)
    s.close();
  s.close();
  code_.close();
  int64_t blocks = std::max<int64_t>(1, (count + int64_t(block) * per - 1) /
                                            (int64_t(block) * per));
  addLaunch(name, {uint32_t(std::min<int64_t>(blocks, 1 << 20)), 1, 1}, block,
            /*cooperative=*/false);
  return success();
}

std::optional<SmallVector<Operation *>> KernelEmitter::rowOps() {
  SmallVector<Operation *> ops;
  std::optional<SmallVector<int64_t>> shape;
  int64_t from = -1;
  bool ok = true;
  kernel_.walk([&](Operation *op) {
    std::optional<Reduction> r = reductionOf(op);
    if (!r)
      return;
    ArrayRef<int64_t> in = shapeOf(r->input);
    SmallVector<int64_t> axes = normalizedAxes(*r);
    // Trailing size-1 dimensions may join a single softmax axis.
    int64_t first = axes.front();
    for (int64_t d = first, e = in.size(); d < e; ++d)
      if (!llvm::is_contained(axes, d) && in[d] != 1)
        ok = false;
    for (int64_t a : axes)
      if (a < first)
        ok = false;
    if (!shape) {
      shape = SmallVector<int64_t>(in);
      from = first;
    } else if (ArrayRef<int64_t>(*shape) != in || from != first) {
      ok = false;
    }
    ops.push_back(op);
  });
  if (!ok || ops.empty())
    return std::nullopt;
  ArrayRef<int64_t> full = *shape;
  ArrayRef<int64_t> outer = full.take_front(from);
  for (unsigned i = 0; i < numResults(); ++i) {
    ArrayRef<int64_t> r = shapeOf(result(i));
    bool isFull = r == full;
    bool isReduced =
        r.take_front(outer.size()) == outer && product(r) == product(outer);
    if (!isFull && !isReduced)
      return std::nullopt;
  }
  return ops;
}

LogicalResult KernelEmitter::row(Operation *anchor, const std::string &name) {
  std::optional<Reduction> r = reductionOf(anchor);
  ArrayRef<int64_t> full = shapeOf(r->input);
  int64_t from = normalizedAxes(*r).front();
  ArrayRef<int64_t> outerShape = full.take_front(from);
  ArrayRef<int64_t> innerShape = full.drop_front(from);
  int64_t rows = product(outerShape), inner = product(innerShape);
  if (rows == 0)
    return success(); // No rows: nothing to launch.
  // A block no wider than the row (in whole warps).
  int block = static_cast<int>(std::min<int64_t>(
      params_.rowBlock, std::max<int64_t>(32, (inner + 31) / 32 * 32)));
  if (failed(begin(name, block)))
    return failure();
  ScalarEmitter s(kernel_, code_);
  s.cooperative = true;
  // The scratch arrays go here once the body says which types it reduces.
  size_t declarations = code_.text().size();
  s.open("for (int64_t row = blockIdx.x; row < " + num(rows) +
         "; row += gridDim.x)");
  Index outer = s.delinearize("row", outerShape);
  // Every statistic once per row, cooperatively, in program order.
  SmallVector<Operation *> ops = *rowOps();
  for (Operation *op : ops) {
    // The op's kept axes: the row's outer index, then size-1 dimensions
    // among the reduced ones (a softmax axis followed by 1s).
    std::optional<Reduction> r = reductionOf(op);
    SmallVector<int64_t> axes = normalizedAxes(*r);
    Index opOuter;
    for (int64_t d = 0, e = full.size(); d < e; ++d)
      if (!llvm::is_contained(axes, d))
        opOuter.push_back(d < from ? outer[d] : std::string("0"));
    if (failed(s.stats(op, opOuter)))
      return failure();
  }
  s.cooperative = false;
  // Results of the reduced shape: one thread writes them.
  SmallVector<unsigned> fullResults, reducedResults;
  for (unsigned i = 0; i < numResults(); ++i)
    (shapeOf(result(i)) == full ? fullResults : reducedResults).push_back(i);
  if (!reducedResults.empty()) {
    s.open("if (threadIdx.x == 0)");
    for (unsigned i : reducedResults) {
      ArrayRef<int64_t> shape = shapeOf(result(i));
      Index idx(outer.begin(), outer.end());
      idx.resize(shape.size(), "0");
      FailureOr<std::string> v = s.scalar(result(i), idx);
      if (failed(v) || failed(store(i, "row", *v)))
        return failure();
    }
    s.close();
  }
  if (!fullResults.empty()) {
    s.open("for (int64_t j = threadIdx.x; j < " + num(inner) +
           "; j += blockDim.x)");
    Index idx(outer.begin(), outer.end());
    Index innerIdx = s.delinearize("j", innerShape);
    idx.append(innerIdx.begin(), innerIdx.end());
    if (failed(storeAll(s, fullResults, idx, "row * " + num(inner) + " + j")))
      return failure();
    s.close();
  }
  s.close();
  code_.close();
  std::string scratch;
  for (const std::string &type : s.scratchTypes)
    scratch += "  DSR1_SHARED(" + type + ", scratch_" + type + ", 32);\n";
  code_.text().insert(declarations, scratch);
  addLaunch(name, {uint32_t(std::min<int64_t>(rows, 1 << 20)), 1, 1}, block,
            /*cooperative=*/true);
  return success();
}

LogicalResult KernelEmitter::gemm(const Contraction &c,
                                  const std::string &name) {
  FailureOr<CType> t = ctypeOf(c.op->getResult(0), c.op);
  if (failed(t))
    return failure();
  std::string acc = accumulator(*t);
  int tm = params_.tileM, tn = params_.tileN, tk = params_.tileK;
  int rm = params_.threadM, rn = params_.threadN;
  int cols = tn / rn, threads = (tm / rm) * cols;
  int64_t batches = product(c.batch);
  if (batches == 0 || c.m == 0 || c.n == 0)
    return success(); // An empty product: nothing to launch.
  if (failed(begin(name, threads)))
    return failure();
  ScalarEmitter s(kernel_, code_);
  code_.line("DSR1_SHARED(" + acc + ", As, " + num(tk * tm) + ");");
  code_.line("DSR1_SHARED(" + acc + ", Bs, " + num(tk * tn) + ");");
  code_.line("const int tx = threadIdx.x % " + num(cols) +
             ", ty = threadIdx.x / " + num(cols) + ";");
  s.open("for (int64_t bz = blockIdx.z; bz < " + num(batches) +
         "; bz += gridDim.z)");
  Index batchIdx = s.delinearize("bz", c.batch);
  code_.line("const int64_t m0 = (int64_t)blockIdx.y * " + num(tm) +
             ", n0 = (int64_t)blockIdx.x * " + num(tn) + ";");
  code_.line(acc + " acc[" + num(rm) + "][" + num(rn) + "];");
  code_.line("#pragma unroll");
  code_.open("for (int i = 0; i < " + num(rm) + "; ++i)");
  code_.line("#pragma unroll");
  code_.line("for (int j = 0; j < " + num(rn) + "; ++j) acc[i][j] = 0;");
  code_.close();
  s.open("for (int64_t k0 = 0; k0 < " + num(c.k) + "; k0 += " + num(tk) + ")");
  // Stages a K slice of A (m by k) or B (k by n) in shared memory, k-major;
  // elements outside the matrices are zeros. `dim` names the other
  // dimension ("m" or "n"), `tile` its extent in the block.
  auto stage = [&](const std::string &array, Value operand, int tile,
                   const std::string &dim, int64_t extent, bool kOuter,
                   const Index &at) -> LogicalResult {
    s.open("for (int e = threadIdx.x; e < " + num(tile * tk) +
           "; e += " + num(threads) + ")");
    // Consecutive threads read consecutive elements of the operand's rows.
    if (kOuter)
      code_.line("const int kk = e / " + num(tile) + ", ii = e % " + num(tile) +
                 ";");
    else
      code_.line("const int ii = e / " + num(tk) + ", kk = e % " + num(tk) +
                 ";");
    code_.line("const int64_t " + dim + " = " + dim + "0 + ii, k = k0 + kk;");
    code_.line(acc + " value = 0;");
    s.open("if (" + dim + " < " + num(extent) + " && k < " + num(c.k) + ")");
    FailureOr<std::string> v = s.scalar(operand, at);
    if (failed(v))
      return failure();
    code_.line("value = " + productInput(c.op, *v, acc) + ";");
    s.close();
    code_.line(array + "[kk * " + num(tile) + " + ii] = value;");
    s.close();
    return success();
  };
  if (failed(stage("As", c.lhs, tm, "m", c.m, c.transA,
                   c.lhsIndex(batchIdx, "m", "k"))) ||
      failed(stage("Bs", c.rhs, tn, "n", c.n, !c.transB,
                   c.rhsIndex(batchIdx, "k", "n"))))
    return failure();
  code_.line("__syncthreads();");
  code_.line("#pragma unroll 4");
  code_.open("for (int kk = 0; kk < " + num(tk) + "; ++kk)");
  code_.line(acc + " a[" + num(rm) + "], b[" + num(rn) + "];");
  code_.line("#pragma unroll");
  code_.line("for (int i = 0; i < " + num(rm) + "; ++i) a[i] = As[kk * " +
             num(tm) + " + ty * " + num(rm) + " + i];");
  code_.line("#pragma unroll");
  code_.line("for (int j = 0; j < " + num(rn) + "; ++j) b[j] = Bs[kk * " +
             num(tn) + " + tx * " + num(rn) + " + j];");
  code_.line("#pragma unroll");
  code_.open("for (int i = 0; i < " + num(rm) + "; ++i)");
  code_.line("#pragma unroll");
  code_.line("for (int j = 0; j < " + num(rn) +
             "; ++j) acc[i][j] += a[i] * "
             "b[j];");
  code_.close();
  code_.close();
  code_.line("__syncthreads();");
  s.close();
  // The epilogue: the product's element is acc[i][j]; everything fused
  // after it is evaluated on it.
  code_.line("#pragma unroll");
  s.open("for (int i = 0; i < " + num(rm) + "; ++i)");
  code_.line("#pragma unroll");
  s.open("for (int j = 0; j < " + num(rn) + "; ++j)");
  code_.line("const int64_t m = m0 + ty * " + num(rm) + " + i, n = n0 + tx * " +
             num(rn) + " + j;");
  if (failed(gemmEpilogue(s, c, *t, batchIdx, "acc[i][j]")))
    return failure();
  s.close();
  s.close();
  s.close();
  code_.close();
  addGemmLaunch(name, c.m, c.n, tm, tn, batches, threads);
  return success();
}

void KernelEmitter::addGemmLaunch(const std::string &name, int64_t m, int64_t n,
                                  int64_t tm, int64_t tn, int64_t batches,
                                  int64_t threads) {
  addLaunch(name,
            {uint32_t((n + tn - 1) / tn), uint32_t((m + tm - 1) / tm),
             uint32_t(std::min<int64_t>(batches, 65535))},
            threads, /*cooperative=*/true);
}

LogicalResult KernelEmitter::gemmEpilogue(ScalarEmitter &s,
                                          const Contraction &c, const CType &t,
                                          const Index &batchIdx,
                                          const std::string &element) {
  std::string acc = accumulator(t);
  s.open("if (m < " + num(c.m) + " && n < " + num(c.n) + ")");
  Index idx(batchIdx.begin(), batchIdx.end());
  if (!c.vectorLhs)
    idx.push_back("m");
  if (!c.vectorRhs)
    idx.push_back("n");
  std::string product = element;
  if (c.alpha != 1)
    product = "(" + acc + ")" + floatLiteral(c.alpha, 64) + " * " + product;
  if (c.bias) {
    Index mn = {"m", "n"};
    FailureOr<std::string> bias =
        s.scalar(c.bias, broadcastIndex(mn, shapeOf(c.bias)));
    if (failed(bias))
      return failure();
    product += " + (" + acc + ")" + floatLiteral(c.beta, 64) + " * (" + acc +
               ")" + *bias;
  }
  s.remember(
      c.op->getResult(0), idx,
      s.define(t.compute,
               roundToStorage("(" + t.compute + ")(" + product + ")", t)));
  auto all = llvm::to_vector(llvm::seq(0u, numResults()));
  if (failed(storeAll(s, all, idx, linear(idx, shapeOf(c.op->getResult(0))))))
    return failure();
  s.close();
  return success();
}

LogicalResult KernelEmitter::gemmTc(const Contraction &c, TensorCoreKind kind,
                                    const std::string &name) {
  FailureOr<CType> t = ctypeOf(c.op->getResult(0), c.op);
  if (failed(t))
    return failure();
  const bool tf32 = kind == TensorCoreKind::tf32;
  const int vec = tf32 ? 4 : 8; // elements in a 16-byte copy
  // A (m x k) is k-contiguous unless transposed, B (k x n) is n-contiguous
  // unless transposed. cp.async moves whole 16-byte pieces of a row: the
  // operand must be the kernel's own argument (not computed in the kernel),
  // with rows of a multiple of 16 bytes so that a piece is either inside the
  // matrix or outside it, never partly (and every piece 16-aligned, with
  // buffers 256-aligned). Otherwise its tiles are staged by scalar loads,
  // which guard each element.
  auto operand = [&](const std::string &array, Value value, bool kContiguous,
                     int64_t extent, const std::string &dim, bool isLhs) {
    TcOperand o;
    o.array = array;
    o.kContiguous = kContiguous;
    o.extent = extent;
    o.dim = dim;
    auto at = [&c, isLhs](const Index &batchIdx) {
      return isLhs ? c.lhsIndex(batchIdx, "m", "k")
                   : c.rhsIndex(batchIdx, "k", "n");
    };
    auto arg = dyn_cast<BlockArgument>(value);
    if (arg && shapeOf(value).back() % vec == 0) {
      o.argument = ScalarEmitter::argName(arg.getArgNumber());
      o.address = [at, value](ScalarEmitter &, const Index &batchIdx) {
        return linear(at(batchIdx), shapeOf(value));
      };
    }
    // An f16/bf16 argument is copied as its bits; a value computed in the
    // kernel (a fused producer) is evaluated, then converted.
    o.raw = !tf32 && arg;
    o.stage = [this, at, value, arg, raw = o.raw](
                  ScalarEmitter &s, const Index &batchIdx) -> LogicalResult {
      if (raw) {
        code_.line("value = dsr1::load(" +
                   ScalarEmitter::argName(arg.getArgNumber()) + " + " +
                   linear(at(batchIdx), shapeOf(value)) + ");");
        return success();
      }
      FailureOr<std::string> v = s.scalar(value, at(batchIdx));
      if (failed(v))
        return failure();
      code_.line("value = (float)" + *v + ";");
      return success();
    };
    return o;
  };
  GemmProblem problem;
  problem.m = c.m;
  problem.n = c.n;
  problem.k = c.k;
  problem.batch = product(c.batch);
  problem.precision = precisionName(kind);
  problem.transA = c.transA;
  problem.transB = c.transB;
  useTuned(*tuneProblem(problem));
  TcGemm g;
  g.kind = kind;
  g.m = c.m;
  g.n = c.n;
  g.k = c.k;
  g.batch = c.batch;
  g.a = operand("As", c.lhs, !c.transA, c.m, "m", true);
  g.b = operand("Bs", c.rhs, c.transB, c.n, "n", false);
  g.epilogue = [&](ScalarEmitter &s, const Index &batchIdx,
                   const std::string &acc) {
    return gemmEpilogue(s, c, *t, batchIdx, acc);
  };
  return tensorCoreGemm(g, name);
}

LogicalResult KernelEmitter::tensorCoreGemm(const TcGemm &g,
                                            const std::string &name) {
  int64_t batches = product(g.batch);
  if (batches == 0 || g.m == 0 || g.n == 0)
    return success(); // An empty product: nothing to launch.
  const int tm = params_.tcTileM, tn = params_.tcTileN, tk = params_.tcTileK;
  const int warps = params_.tcWarps, stages = params_.tcStages;
  const int warpsM = params_.tcWarpsM(), warpsN = warps / warpsM;
  const int wtm = tm / warpsM, wtn = tn / warpsN; // a warp's tile
  const int mi = wtm / 16, ni = wtn / 8;          // its mma tiles
  const int threads = warps * 32;
  const TensorCoreKind kind = g.kind;
  const bool tf32 = kind == TensorCoreKind::tf32;
  // Shared tiles hold the operands as the mma reads them: 16-bit bits for
  // f16/bf16, f32 for tf32 (rounded with cvt.rna as fragments are loaded).
  const std::string elem = tf32 ? "float" : "uint16_t";
  const int ks = tf32 ? 8 : 16; // K of one mma
  const int vec = tf32 ? 4 : 8; // elements in a 16-byte copy
  const int64_t tiles = (g.k + tk - 1) / tk;
  // Split-k: the K tiles are shared out among `splits` blocks per output
  // tile, each writing its f32 partial products to the workspace; a second
  // launch sums them and applies the epilogue. No more splits than tiles.
  const int64_t splits = std::min<int64_t>(params_.tcSplitK, tiles);
  const int64_t perSplit = (tiles + splits - 1) / std::max<int64_t>(1, splits);
  const uint64_t workspace =
      splits > 1 ? uint64_t(splits * batches * g.m * g.n) * 4 : 0;

  // Each operand's tile is stored in shared memory in the order its rows
  // are contiguous in global memory, so a 16-byte cp.async moves a piece of
  // one row. 16-bit tiles whose rows are a power of two of 16-byte chunks
  // are XOR-swizzled (tc-swizzle, dsr1::swizzle16); other rows are padded
  // so the lanes of an ldmatrix phase or a tf32 fragment load hit distinct
  // banks: 8 16-bit elements (16 bytes) make a 16-bit row an odd number of
  // 16-byte units; tf32 rows get 4 floats when k-contiguous and 8 when
  // m/n-contiguous (the fragment loads walk the other dimension by 4 lanes).
  struct Layout {
    const TcOperand *o;
    int rows;     // the tile's extent in M (A) or N (B)
    int pitch;    // elements a shared row
    int size;     // elements a stage
    bool swizzle; // swizzle16<pitch / 8> instead of padding
  };
  auto layout = [&](const TcOperand &o, int rows) {
    int width = o.kContiguous ? tk : rows; // elements of a shared row
    int chunks = width / 8;
    bool swizzle = !tf32 && params_.tcSwizzle && width % 8 == 0 &&
                   (chunks & (chunks - 1)) == 0;
    int pad = swizzle ? 0 : !tf32 ? 8 : (o.kContiguous ? 4 : 8);
    int pitch = width + pad;
    return Layout{&o, rows, pitch, (o.kContiguous ? rows : tk) * pitch,
                  swizzle};
  };
  // The element at shared row `row`, position `col` of a stage.
  auto place = [](const Layout &l, const std::string &row,
                  const std::string &col) {
    if (l.swizzle)
      return "dsr1::swizzle16<" + num(l.pitch / 8) + ">(" + row + ", " + col +
             ")";
    return "(" + row + ") * " + num(l.pitch) + " + " + col;
  };
  Layout ops[2] = {layout(g.a, tm), layout(g.b, tn)};

  if (failed(begin(name, threads, workspace)))
    return failure();
  ScalarEmitter s(kernel_, code_);
  for (const Layout &l : ops)
    code_.line("DSR1_SHARED_TILE(" + elem + ", " + l.o->array + ", " +
               num(stages * l.size) + ");");
  code_.line("const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;");
  code_.line("const int wm = (warp / " + num(warpsN) + ") * " + num(wtm) +
             ", wn = (warp % " + num(warpsN) + ") * " + num(wtn) + ";");
  // The mma fragment coordinates: the group of 4 lanes and the lane in it.
  code_.line("const int grp = lane >> 2, tig = lane & 3;");
  s.open("for (int64_t bz = blockIdx.z; bz < " + num(batches * splits) +
         "; bz += gridDim.z)");
  std::string batch = "bz";
  if (splits > 1) {
    code_.line("const int64_t split = bz % " + num(splits) + ", batch = bz / " +
               num(splits) + ";");
    batch = "batch";
  }
  Index batchIdx = s.delinearize(batch, g.batch);
  code_.line("const int64_t m0 = (int64_t)blockIdx.y * " + num(tm) +
             ", n0 = (int64_t)blockIdx.x * " + num(tn) + ";");
  code_.line("float acc[" + num(mi) + "][" + num(ni) + "][4];");
  code_.line("#pragma unroll");
  code_.open("for (int i = 0; i < " + num(mi) + "; ++i)");
  code_.line("#pragma unroll");
  code_.open("for (int j = 0; j < " + num(ni) + "; ++j)");
  code_.line("acc[i][j][0] = acc[i][j][1] = acc[i][j][2] = acc[i][j][3] = 0;");
  code_.close();
  code_.close();
  // One loop both fills and consumes the pipeline: step kt issues the
  // loads of K tile kt into stage kt % S and, once S - 1 tiles are in
  // flight, computes tile kt - (S - 1). Every step commits a group (empty
  // past the last tile) so that cp_async_wait<S - 1> always means "tile
  // kt - (S - 1) has landed". The stage a step fills was last read by the
  // previous step, which ended with a barrier.
  // With split-k a block takes tiles kFirst .. kFirst + kTiles - 1.
  std::string kTiles = num(tiles), kFirst = "0";
  if (splits > 1) {
    code_.line("const int64_t kFirst = split * " + num(perSplit) +
               ", kTiles = " + num(tiles) + " - kFirst < " + num(perSplit) +
               " ? " + num(tiles) + " - kFirst : " + num(perSplit) + ";");
    kTiles = "kTiles";
    kFirst = "kFirst";
  }
  s.open("for (int kt = 0; kt < " +
         (splits > 1 ? kTiles + " + " + num(stages - 1)
                     : num(tiles + stages - 1)) +
         "; ++kt)");
  s.open("if (kt < " + kTiles + ")");
  code_.line("const int stage = kt % " + num(stages) + ";");
  code_.line(
      "const int64_t k0 = " +
      (splits > 1 ? "(" + kFirst + " + kt)" : std::string("(int64_t)kt")) +
      " * " + num(tk) + ";");
  for (const Layout &l : ops) {
    const TcOperand &o = *l.o;
    // The element (r, kk) of the tile in its stage.
    auto slot = [&](const std::string &r, const std::string &kk) {
      return "stage * " + num(l.size) + " + " +
             (o.kContiguous ? place(l, r, kk) : place(l, kk, r));
    };
    int inner = o.kContiguous ? tk : l.rows; // elements of a shared row
    if (o.address) {
      int pieces = l.rows * tk / vec;
      s.open("for (int e = threadIdx.x; e < " + num(pieces) +
             "; e += " + num(threads) + ")");
      if (o.kContiguous)
        code_.line("const int r = e / " + num(inner / vec) + ", kk = (e % " +
                   num(inner / vec) + ") * " + num(vec) + ";");
      else
        code_.line("const int kk = e / " + num(inner / vec) + ", r = (e % " +
                   num(inner / vec) + ") * " + num(vec) + ";");
      code_.line("const int64_t " + o.dim + " = " + o.dim +
                 "0 + r, k = k0 + kk;");
      code_.line("const bool valid = " + o.dim + " < " + num(o.extent) +
                 " && k < " + num(g.k) + ";");
      // An invalid piece reads nothing: the operand's base stands in.
      code_.line("dsr1::cp_async_16_zfill(" + o.array + ", " + slot("r", "kk") +
                 ", valid ? " + o.argument + " + " + o.address(s, batchIdx) +
                 " : " + o.argument + ", valid);");
      s.close();
      continue;
    }
    // Scalar staging: consecutive threads take consecutive elements of a
    // shared row, which are consecutive in global memory for an argument.
    s.open("for (int e = threadIdx.x; e < " + num(l.rows * tk) +
           "; e += " + num(threads) + ")");
    if (o.kContiguous)
      code_.line("const int r = e / " + num(tk) + ", kk = e % " + num(tk) +
                 ";");
    else
      code_.line("const int kk = e / " + num(l.rows) + ", r = e % " +
                 num(l.rows) + ";");
    code_.line("const int64_t " + o.dim + " = " + o.dim +
               "0 + r, k = k0 + kk;");
    code_.line((o.raw ? elem : std::string("float")) + " value = 0;");
    s.open("if (" + o.dim + " < " + num(o.extent) + " && k < " + num(g.k) +
           ")");
    if (failed(o.stage(s, batchIdx)))
      return failure();
    s.close();
    // f16/bf16 values are exact in their own type: the conversion only
    // packs the bits.
    std::string stored =
        o.raw                          ? "value"
        : kind == TensorCoreKind::f16  ? "dsr1::floatToHalf(value)"
        : kind == TensorCoreKind::bf16 ? "dsr1::floatToBf16(value)"
                                       : "value";
    code_.line(o.array + "[" + slot("r", "kk") + "] = " + stored + ";");
    s.close();
  }
  s.close();
  code_.line("dsr1::cp_async_commit();");
  s.open("if (kt >= " + num(stages - 1) + ")");
  code_.line("dsr1::cp_async_wait<" + num(stages - 1) + ">();");
  code_.line("__syncthreads();");
  code_.line("const int stage = (kt - " + num(stages - 1) + ") % " +
             num(stages) + ";");
  code_.line("#pragma unroll");
  code_.open("for (int ks = 0; ks < " + num(tk) + "; ks += " + num(ks) + ")");
  code_.line("uint32_t fa[" + num(mi) + "][4], fb[" + num(ni) + "][2];");
  const Layout &A = ops[0], &B = ops[1];
  auto at = [&](const Layout &l, const std::string &r, const std::string &k) {
    return l.o->array + "[stage * " + num(l.size) + " + " +
           (l.o->kContiguous ? place(l, r, k) : place(l, k, r)) + "]";
  };
  code_.line("#pragma unroll");
  code_.open("for (int i = 0; i < " + num(mi) + "; ++i)");
  if (tf32) {
    // The m16n8k8 .tf32 A fragment: (grp, tig), (grp + 8, tig),
    // (grp, tig + 4), (grp + 8, tig + 4); cvt.rna as the cpu device rounds.
    for (int q = 0; q < 4; ++q)
      code_.line("fa[i][" + num(q) + "] = dsr1::toTf32(" +
                 at(A, "wm + i * 16 + grp" + std::string(q & 1 ? " + 8" : ""),
                    "ks + tig" + std::string(q & 2 ? " + 4" : "")) +
                 ");");
  } else if (A.o->kContiguous) {
    // Lane l gives row l % 16 at column 8 * (l / 16): the four 8x8
    // matrices of a 16x16 A fragment in order.
    code_.line("dsr1::ldmatrix_x4(fa[i], As, stage * " + num(A.size) + " + " +
               place(A, "wm + i * 16 + lane % 16", "ks + (lane / 16) * 8") +
               ");");
  } else {
    // A stored k-major: the transposing load, lane l giving k row
    // l % 8 + 8 * (l / 16) at m column 8 * ((l / 8) % 2).
    code_.line("dsr1::ldmatrix_x4_trans(fa[i], As, stage * " + num(A.size) +
               " + " +
               place(A, "ks + lane % 8 + (lane / 16) * 8",
                     "wm + i * 16 + ((lane / 8) % 2) * 8") +
               ");");
  }
  code_.close();
  if (tf32) {
    code_.line("#pragma unroll");
    code_.open("for (int j = 0; j < " + num(ni) + "; ++j)");
    // The B fragment: (k tig, n grp) and (k tig + 4, n grp).
    for (int q = 0; q < 2; ++q)
      code_.line(
          "fb[j][" + num(q) + "] = dsr1::toTf32(" +
          at(B, "wn + j * 8 + grp", "ks + tig" + std::string(q ? " + 4" : "")) +
          ");");
    code_.close();
  } else {
    // One ldmatrix.x4 gives the B fragments of two n8 tiles: matrices
    // (n tile j, k 0-7), (j, k 8-15), (j + 1, k 0-7), (j + 1, k 8-15).
    code_.line("#pragma unroll");
    code_.open("for (int j = 0; j < " + num(ni) + "; j += 2)");
    code_.line("uint32_t r[4];");
    if (B.o->kContiguous)
      code_.line("dsr1::ldmatrix_x4(r, Bs, stage * " + num(B.size) + " + " +
                 place(B, "wn + j * 8 + lane % 8 + (lane / 16) * 8",
                       "ks + ((lane / 8) % 2) * 8") +
                 ");");
    else
      code_.line("dsr1::ldmatrix_x4_trans(r, Bs, stage * " + num(B.size) +
                 " + " +
                 place(B, "ks + lane % 8 + ((lane / 8) % 2) * 8",
                       "wn + j * 8 + (lane / 16) * 8") +
                 ");");
    code_.line("fb[j][0] = r[0];");
    code_.line("fb[j][1] = r[1];");
    code_.line("fb[j + 1][0] = r[2];");
    code_.line("fb[j + 1][1] = r[3];");
    code_.close();
  }
  const char *mma = kind == TensorCoreKind::f16    ? "dsr1::mma_m16n8k16"
                    : kind == TensorCoreKind::bf16 ? "dsr1::mma_m16n8k16_bf16"
                                                   : "dsr1::mma_m16n8k8_tf32";
  code_.line("#pragma unroll");
  code_.open("for (int i = 0; i < " + num(mi) + "; ++i)");
  code_.line("#pragma unroll");
  code_.line("for (int j = 0; j < " + num(ni) + "; ++j) " + mma +
             "(acc[i][j], fa[i], fb[j], acc[i][j]);");
  code_.close();
  code_.close();
  code_.line("__syncthreads();");
  s.close();
  s.close();
  // The epilogue from the accumulator fragments: element q of mma tile
  // (i, j) is C[grp + 8 * (q / 2)][2 * tig + q % 2] of the tile.
  code_.line("#pragma unroll");
  s.open("for (int i = 0; i < " + num(mi) + "; ++i)");
  code_.line("#pragma unroll");
  s.open("for (int j = 0; j < " + num(ni) + "; ++j)");
  code_.line("#pragma unroll");
  s.open("for (int q = 0; q < 4; ++q)");
  code_.line("const int64_t m = m0 + wm + i * 16 + grp + (q >> 1) * 8, n = n0 "
             "+ wn + j * 8 + tig * 2 + (q & 1);");
  if (splits > 1) {
    // The partial product, for the reduction below.
    code_.line("if (m < " + num(g.m) + " && n < " + num(g.n) +
               ") ws[((split * " + num(batches) + " + batch) * " + num(g.m) +
               " + m) * " + num(g.n) + " + n] = acc[i][j][q];");
  } else if (failed(g.epilogue(s, batchIdx, "acc[i][j][q]"))) {
    return failure();
  }
  s.close();
  s.close();
  s.close();
  s.close();
  code_.close();
  addGemmLaunch(name, g.m, g.n, tm, tn, batches * splits, threads);
  if (splits == 1)
    return success();

  // The reduction: a thread per element of C sums its splits in order (the
  // same result every run) and applies the epilogue.
  const int64_t elements = batches * g.m * g.n;
  if (failed(begin(name + "_reduce", 256, workspace)))
    return failure();
  ScalarEmitter r(kernel_, code_);
  r.open("for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; "
         "e < " +
         num(elements) + "; e += (int64_t)gridDim.x * blockDim.x)");
  code_.line("const int64_t batch = e / " + num(g.m * g.n) + ", m = (e / " +
             num(g.n) + ") % " + num(g.m) + ", n = e % " + num(g.n) + ";");
  Index reduceIdx = r.delinearize("batch", g.batch);
  code_.line("float sum = 0;");
  code_.line("for (int k = 0; k < " + num(splits) + "; ++k) sum += ws[k * " +
             num(elements) + " + e];");
  if (failed(g.epilogue(r, reduceIdx, "sum")))
    return failure();
  r.close();
  code_.close();
  addLaunch(
      name + "_reduce",
      {uint32_t(std::min<int64_t>((elements + 255) / 256, 1 << 20)), 1, 1}, 256,
      /*cooperative=*/false);
  return success();
}

// Convolution as an implicit GEMM on tensor cores: per image and group,
//   C [out channels x output pixels] =
//       W [out channels x (in channels x window)] X [(in channels x window)
//       x output pixels],
// X gathered from the input as its tiles are staged, zeros in the padding.
// W's rows are contiguous (cp.async where they are whole 16-byte pieces);
// X is staged element by element, or by cp.async for a 1x1 window with unit
// strides and no padding, where its rows are the input's channel planes.
// Output pixels run along n, so the epilogue writes rows of the NC[D]HW
// result.
LogicalResult KernelEmitter::convTc(ConvOp op, TensorCoreKind kind,
                                    const std::string &name) {
  FailureOr<CType> t = ctypeOf(op.getResult(), op);
  if (failed(t))
    return failure();
  Value input = op.getInput(), weight = op.getWeight();
  ArrayRef<int64_t> in = shapeOf(input), w = shapeOf(weight),
                    out = shapeOf(op.getResult());
  const size_t spatial = in.size() - 2;
  const int64_t groups = op.getGroup();
  const int64_t icg = w[1], ocg = w[0] / groups;
  const int64_t window = product(w.drop_front(2));
  const int64_t pixels = product(out.drop_front(2));
  const bool tf32 = kind == TensorCoreKind::tf32;
  const int vec = tf32 ? 4 : 8;
  auto attr = [&](std::optional<ArrayRef<int64_t>> values, size_t i,
                  int64_t fallback) {
    return values && !values->empty() ? (*values)[i] : fallback;
  };
  SmallVector<int64_t> windowShape = {icg};
  windowShape.append(w.begin() + 2, w.end());
  SmallVector<int64_t> pixelShape(out.begin() + 2, out.end());
  // A 2-D convolution with one stride, padding and dilation is a problem
  // the tuner knows.
  if (spatial == 2) {
    ConvProblem problem;
    problem.n = in[0];
    problem.c = in[1];
    problem.h = in[2];
    problem.w = in[3];
    problem.oc = w[0];
    problem.kh = w[2];
    problem.kw = w[3];
    problem.stride = attr(op.getStrides(), 0, 1);
    problem.pad = attr(op.getPads(), 0, 0);
    problem.dilation = attr(op.getDilations(), 0, 1);
    problem.groups = groups;
    problem.precision = precisionName(kind);
    bool uniform = true;
    for (size_t d = 0; d < 2; ++d)
      uniform = uniform && attr(op.getStrides(), d, 1) == problem.stride &&
                attr(op.getDilations(), d, 1) == problem.dilation &&
                attr(op.getPads(), d, 0) == problem.pad &&
                attr(op.getPads(), 2 + d, 0) == problem.pad;
    if (uniform)
      useTuned(*tuneProblem(problem));
  }
  // The output channel of row m of group `grp`.
  auto channel = [&](const Index &batchIdx) {
    return "(" + batchIdx[1] + " * " + num(ocg) + " + m)";
  };

  TcGemm g;
  g.kind = kind;
  g.m = ocg;
  g.n = pixels;
  g.k = icg * window;
  g.batch = {out[0], groups};

  g.a.array = "As";
  g.a.kContiguous = true;
  g.a.extent = ocg;
  g.a.dim = "m";
  auto weightArg = dyn_cast<BlockArgument>(weight);
  if (weightArg && g.k % vec == 0) {
    g.a.argument = ScalarEmitter::argName(weightArg.getArgNumber());
    g.a.address = [&, k = g.k](ScalarEmitter &, const Index &batchIdx) {
      return channel(batchIdx) + " * " + num(k) + " + k";
    };
  }
  g.a.raw = !tf32 && weightArg;
  g.a.stage = [&](ScalarEmitter &s, const Index &batchIdx) -> LogicalResult {
    if (g.a.raw) {
      code_.line("value = dsr1::load(" +
                 ScalarEmitter::argName(weightArg.getArgNumber()) + " + " +
                 channel(batchIdx) + " * " + num(g.k) + " + k);");
      return success();
    }
    Index wIdx = {channel(batchIdx)};
    wIdx.append(s.delinearize("k", windowShape));
    FailureOr<std::string> v = s.scalar(weight, wIdx);
    if (failed(v))
      return failure();
    code_.line("value = (float)" + *v + ";");
    return success();
  };

  g.b.array = "Bs";
  g.b.kContiguous = false;
  g.b.extent = pixels;
  g.b.dim = "n";
  auto inputArg = dyn_cast<BlockArgument>(input);
  bool pointwiseWindow = window == 1;
  for (size_t d = 0; d < spatial; ++d)
    pointwiseWindow = pointwiseWindow && attr(op.getStrides(), d, 1) == 1 &&
                      attr(op.getPads(), d, 0) == 0 &&
                      attr(op.getPads(), spatial + d, 0) == 0;
  // The channel plane of X row k: the image's channel k of the group.
  auto plane = [&](const Index &batchIdx, const std::string &ic) {
    return "(" + batchIdx[0] + " * " + num(in[1]) + " + " + batchIdx[1] +
           " * " + num(icg) + " + " + ic + ")";
  };
  if (pointwiseWindow && inputArg && pixels % vec == 0) {
    g.b.argument = ScalarEmitter::argName(inputArg.getArgNumber());
    g.b.address = [&](ScalarEmitter &, const Index &batchIdx) {
      return plane(batchIdx, "k") + " * " + num(pixels) + " + n";
    };
  }
  g.b.raw = !tf32 && inputArg;
  g.b.stage = [&](ScalarEmitter &s, const Index &batchIdx) -> LogicalResult {
    Index kIdx = s.delinearize("k", windowShape);
    Index nIdx = s.delinearize("n", pixelShape);
    Index inIdx = {batchIdx[0], add(mul(batchIdx[1], icg), kIdx[0])};
    std::string inside;
    for (size_t d = 0; d < spatial; ++d) {
      int64_t stride = attr(op.getStrides(), d, 1);
      int64_t dilation = attr(op.getDilations(), d, 1);
      int64_t pad = attr(op.getPads(), d, 0);
      std::string pos = s.define(
          "int64_t", add(add(mul(nIdx[d], stride), mul(kIdx[1 + d], dilation)),
                         num(-pad)));
      inside +=
          (d ? " && " : "") + pos + " >= 0 && " + pos + " < " + num(in[2 + d]);
      inIdx.push_back(pos);
    }
    s.open("if (" + (inside.empty() ? std::string("true") : inside) + ")");
    if (g.b.raw) {
      code_.line("value = dsr1::load(" +
                 ScalarEmitter::argName(inputArg.getArgNumber()) + " + " +
                 linear(inIdx, in) + ");");
    } else {
      FailureOr<std::string> v = s.scalar(input, inIdx);
      if (failed(v))
        return failure();
      code_.line("value = (float)" + *v + ";");
    }
    s.close();
    return success();
  };

  g.epilogue = [&](ScalarEmitter &s, const Index &batchIdx,
                   const std::string &acc) -> LogicalResult {
    s.open("if (m < " + num(ocg) + " && n < " + num(pixels) + ")");
    Index idx = {batchIdx[0], s.define("int64_t", channel(batchIdx))};
    idx.append(s.delinearize("n", pixelShape));
    std::string value = acc;
    if (Value bias = op.getBias()) {
      FailureOr<std::string> b = s.scalar(bias, {idx[1]});
      if (failed(b))
        return failure();
      value += " + (float)" + *b;
    }
    s.remember(
        op.getResult(), idx,
        s.define(t->compute,
                 roundToStorage("(" + t->compute + ")(" + value + ")", *t)));
    auto all = llvm::to_vector(llvm::seq(0u, numResults()));
    if (failed(storeAll(s, all, idx, linear(idx, out))))
      return failure();
    s.close();
    return success();
  };
  return tensorCoreGemm(g, name);
}

/// The keys of batch entry `b` (in scope) an attention may read: its
/// kv_lengths entry, else all of them.
static FailureOr<std::string> validKeys(ScalarEmitter &s, AttentionOp op,
                                        int64_t kvLen) {
  Value lengths = op.getKvLengths();
  if (!lengths)
    return num(kvLen);
  FailureOr<std::string> n = s.scalar(lengths, {"b"});
  if (failed(n))
    return failure();
  return s.define("int64_t", "(int64_t)" + *n);
}

/// The position of query row `i` in the key sequence: i, after
/// query_offset earlier keys, or the last rows of the `valid` keys.
static std::string queryPosition(AttentionOp op, int64_t qLen,
                                 const std::string &valid,
                                 const std::string &i) {
  if (IntegerAttr offset = op.getQueryOffsetAttr())
    return add(i, num(offset.getInt()));
  if (op.getBottomRight())
    return "(" + i + " + " + valid + " - " + num(qLen) + ")";
  return i;
}

/// The condition that key `j` is visible to a query at `position`: inside
/// the valid keys, causal, inside the windows.
static std::string visibleKeys(AttentionOp op, const std::string &valid,
                               const std::string &position,
                               const std::string &j) {
  std::string visible = "true";
  if (op.getKvLengths())
    visible += " && " + j + " < " + valid;
  if (op.getCausal())
    visible += " && " + j + " <= " + position;
  if (IntegerAttr w = op.getWindowLeftAttr())
    visible += " && " + position + " - " + j + " <= " + num(w.getInt());
  if (IntegerAttr w = op.getWindowRightAttr())
    visible += " && " + j + " - " + position + " <= " + num(w.getInt());
  return visible;
}

/// True when `op` is the kernel's only op and its results are returned,
/// each at most once in order: the templates that own a whole kernel.
static LogicalResult requireSoleOp(func::FuncOp kernel, Operation *op,
                                   StringRef family) {
  for (Operation &other : kernel.front().without_terminator())
    if (&other != op)
      return other.emitError()
             << "cuda: the " << family << " template cannot fuse '"
             << other.getName().getStringRef() << "' into its kernel";
  for (Value value : kernel.front().getTerminator()->getOperands())
    if (value.getDefiningOp() != op)
      return op->emitError() << "cuda: the " << family
                             << " template returns only its op's results";
  return success();
}

FailureOr<CType> KernelEmitter::attentionResultType(AttentionOp op) {
  if (op.getReturnScores())
    return op.emitError()
           << "cuda: attention that returns its scores has no CUDA template";
  if (failed(requireSoleOp(kernel_, op, "attention")))
    return failure();
  return ctypeOf(op.getResult(), op);
}

LogicalResult KernelEmitter::attention(AttentionOp op,
                                       const std::string &name) {
  FailureOr<CType> t = attentionResultType(op);
  if (failed(t))
    return failure();
  std::string type = accumulator(*t);
  bool f64 = type == "double";
  auto fn = [&](StringRef n) { return (n + (f64 ? "" : "f")).str(); };
  auto lit = [&](double v) { return floatLiteral(v, f64 ? 64 : 32); };
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  const AttentionShape shape(op);
  const int64_t heads = shape.heads, batch = shape.batch, qLen = shape.qLen,
                kvLen = shape.kvLen, dk = shape.dk, dv = shape.dv;
  const double scale = shape.scale;
  // No more threads than the widest of a row's loops (keys, head dims) can
  // use, in whole warps.
  int64_t widest = std::max({kvLen, dk, dv});
  int block = static_cast<int>(std::min<int64_t>(
      params_.attentionBlock, std::max<int64_t>(32, (widest + 31) / 32 * 32)));
  int64_t chunk =
      std::max<int64_t>(1, std::min<int64_t>(params_.attentionChunk, kvLen));
  int64_t per = (dv + block - 1) / block;
  int64_t rows = batch * heads * qLen;
  if (rows == 0 || dv == 0)
    return success(); // No query rows: nothing to launch.
  auto at = [&](Value, const std::string &seq, const std::string &d,
                int64_t depth) { return shape.at(seq, d, depth); };

  if (failed(begin(name, block)))
    return failure();
  ScalarEmitter s(kernel_, code_);
  code_.line("DSR1_SHARED(" + type + ", qs, " + num(std::max<int64_t>(1, dk)) +
             ");");
  code_.line("DSR1_SHARED(" + type + ", ps, " + num(chunk) + ");");
  code_.line("DSR1_SHARED(" + type + ", scratch, 32);");
  s.open("for (int64_t row = blockIdx.x; row < " + num(rows) +
         "; row += gridDim.x)");
  code_.line("const int64_t i = row % " + num(qLen) + ", h = (row / " +
             num(qLen) + ") % " + num(heads) + ", b = row / " +
             num(qLen * heads) + ";");
  s.open("for (int64_t d = threadIdx.x; d < " + num(dk) + "; d += blockDim.x)");
  FailureOr<std::string> qv = s.scalar(q, at(q, "i", "d", dk));
  if (failed(qv))
    return failure();
  code_.line("qs[d] = (" + type + ")" + *qv + ";");
  s.close();
  code_.line("__syncthreads();");
  // Which keys query i sees: kv_lengths, its position, causal, windows.
  FailureOr<std::string> valid = validKeys(s, op, kvLen);
  if (failed(valid))
    return failure();
  std::string positionName = s.fresh();
  code_.line("[[maybe_unused]] const int64_t " + positionName + " = " +
             queryPosition(op, qLen, *valid, "i") + ";");
  std::string visible = visibleKeys(op, *valid, positionName, "j");

  code_.line(type + " m = -INFINITY, l = 0;");
  code_.line(type + " o[" + num(per) + "];");
  code_.line("for (int t = 0; t < " + num(per) + "; ++t) o[t] = 0;");
  s.open("for (int64_t j0 = 0; j0 < " + num(kvLen) + "; j0 += " + num(chunk) +
         ")");
  code_.line("const int64_t len = " + num(kvLen) + " - j0 < " + num(chunk) +
             " ? " + num(kvLen) + " - j0 : " + num(chunk) + ";");
  code_.line(type + " localMax = -INFINITY;");
  s.open("for (int64_t jj = threadIdx.x; jj < len; jj += blockDim.x)");
  code_.line("const int64_t j = j0 + jj;");
  code_.line(type + " score = -INFINITY;");
  s.open("if (" + visible + ")");
  code_.line(type + " dot = 0;");
  s.open("for (int64_t d = 0; d < " + num(dk) + "; ++d)");
  FailureOr<std::string> kv = s.scalar(k, at(k, "j", "d", dk));
  if (failed(kv))
    return failure();
  code_.line("dot += qs[d] * (" + type + ")" + *kv + ";");
  s.close();
  code_.line("score = dot * " + lit(scale) + ";");
  if (std::optional<APFloat> cap = op.getSoftcap())
    code_.line("score = " + lit(cap->convertToDouble()) + " * " + fn("tanh") +
               "(score / " + lit(cap->convertToDouble()) + ");");
  if (Value mask = op.getMask()) {
    Index full = {"b", "h", "i", "j"};
    FailureOr<std::string> mv =
        s.scalar(mask, broadcastIndex(full, shapeOf(mask)));
    if (failed(mv))
      return failure();
    if (cast<ShapedType>(mask.getType()).getElementType().isInteger(1))
      code_.line("if (!" + *mv + ") score = -INFINITY;");
    else
      code_.line("score += (" + type + ")" + *mv + ";");
  }
  s.close();
  code_.line("ps[jj] = score;");
  code_.line("localMax = dsr1::MaxOp()(localMax, score);");
  s.close();
  code_.line("const " + type +
             " chunkMax = dsr1::blockReduce(localMax, dsr1::MaxOp(), (" + type +
             ")-INFINITY, scratch);");
  code_.line("const " + type + " mNew = dsr1::MaxOp()(m, chunkMax);");
  code_.line("const " + type + " alpha = m == -INFINITY ? (" + type +
             ")0 : " + fn("exp") + "(m - mNew);");
  code_.line(type + " localSum = 0;");
  s.open("for (int64_t jj = threadIdx.x; jj < len; jj += blockDim.x)");
  code_.line("const " + type + " score = ps[jj];");
  code_.line("const " + type + " p = score == -INFINITY ? (" + type +
             ")0 : " + fn("exp") + "(score - mNew);");
  code_.line("ps[jj] = p;");
  code_.line("localSum += p;");
  s.close();
  code_.line("l = l * alpha + dsr1::blockReduce(localSum, dsr1::SumOp(), (" +
             type + ")0, scratch);");
  s.open("for (int t = 0; t < " + num(per) + "; ++t)");
  code_.line("const int64_t d = threadIdx.x + (int64_t)t * blockDim.x;");
  code_.line("if (d >= " + num(dv) + ") break;");
  code_.line(type + " acc = o[t] * alpha;");
  s.open("for (int64_t jj = 0; jj < len; ++jj)");
  code_.line("const int64_t j = j0 + jj;");
  FailureOr<std::string> vv = s.scalar(v, at(v, "j", "d", dv));
  if (failed(vv))
    return failure();
  code_.line("acc += ps[jj] * (" + type + ")" + *vv + ";");
  s.close();
  code_.line("o[t] = acc;");
  s.close();
  code_.line("m = mNew;");
  code_.line("__syncthreads();");
  s.close();
  // A query that sees no key yields zeros.
  s.open("for (int t = 0; t < " + num(per) + "; ++t)");
  code_.line("const int64_t d = threadIdx.x + (int64_t)t * blockDim.x;");
  code_.line("if (d >= " + num(dv) + ") break;");
  if (failed(storeAttention(op, shape, *t, "l > 0 ? o[t] / l : 0")))
    return failure();
  s.close();
  s.close();
  code_.close();
  addLaunch(name, {uint32_t(std::min<int64_t>(rows, 1 << 20)), 1, 1}, block,
            /*cooperative=*/true);
  return success();
}

LogicalResult KernelEmitter::scoreInLog2(ScalarEmitter &s, AttentionOp op) {
  if (std::optional<APFloat> cap = op.getSoftcap())
    code_.line("x = " + floatLiteral(cap->convertToDouble(), 32) +
               " * tanhf(x / " + floatLiteral(cap->convertToDouble(), 32) +
               ");");
  if (Value mask = op.getMask()) {
    FailureOr<std::string> mv =
        s.scalar(mask, broadcastIndex({"b", "h", "i", "j"}, shapeOf(mask)));
    if (failed(mv))
      return failure();
    if (cast<ShapedType>(mask.getType()).getElementType().isInteger(1))
      code_.line("if (!" + *mv + ") x = -INFINITY;");
    else
      code_.line("x += (float)" + *mv + ";");
  }
  code_.line("x *= 1.44269504088896340736f;");
  return success();
}

// The flash-attention template on tensor cores (FlashAttention-2's
// schedule): a block takes `br` query rows of one (batch, head), each warp
// 16 or 32 of them, and streams the keys in tiles of `bc` through shared
// memory. A warp's scores S = Q Kᵀ stay in mma accumulators; the online
// softmax rescales its output fragments, and the probabilities P, rounded
// to the operands' type, become the A fragments of O += P V without
// leaving registers. K and V have one buffer each, and their cp.async
// groups interleave so that each load overlaps the other product:
//   K(t) lands -> S = Q K(t)ᵀ -> load K(t+1) -> softmax ->
//   V(t) lands -> O += P V(t) -> load V(t+1).
// Q is staged once through V's buffer and kept as fragments.
LogicalResult KernelEmitter::attentionTc(AttentionOp op, TensorCoreKind kind,
                                         const std::string &name) {
  FailureOr<CType> t = attentionResultType(op);
  if (failed(t))
    return failure();
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  const AttentionShape shape(op);
  const int64_t heads = shape.heads, batch = shape.batch, qLen = shape.qLen,
                kvLen = shape.kvLen, dk = shape.dk, dv = shape.dv;
  if (batch * heads == 0 || qLen == 0)
    return success(); // No query rows: nothing to launch.
  AttentionProblem problem;
  problem.batch = batch;
  problem.heads = heads;
  problem.sq = qLen;
  problem.skv = kvLen;
  problem.dk = dk;
  problem.dv = dv;
  problem.causal = op.getCausal();
  problem.precision = precisionName(kind);
  useTuned(*tuneProblem(problem));
  const int warps = params_.attnTcWarps, br = params_.attnTcBlockQ;
  const int mi = br / warps / 16; // a warp's m16 tiles
  const int threads = warps * 32;
  // Rows padded by 8 elements (16 bytes): the 8 rows of an ldmatrix phase
  // fall in distinct banks. The key tile shrinks until K and V fit the 48
  // KiB of static shared memory (Q, staged in V's buffer, must fit too).
  const int64_t kPitch = dk + 8, vPitch = dv + 8;
  int64_t bc = params_.attnTcBlockKv;
  auto sharedBytes = [&](int64_t keys) {
    return 2 * (keys * kPitch + std::max(keys * vPitch, br * kPitch));
  };
  // Halved in multiples of 16: a step of the products takes 16 keys.
  while (bc > 16 && sharedBytes(bc) > 48 * 1024)
    bc = std::max<int64_t>(16, bc / 2 / 16 * 16);
  if (sharedBytes(bc) > 48 * 1024)
    return op.emitError() << "cuda: the tensor-core attention's tiles need "
                          << sharedBytes(bc)
                          << " bytes of shared memory (48 KiB at most): "
                             "lower attention-tc-block-q";
  const int64_t ni = bc / 8; // n8 tiles of a score row
  const int64_t vSize = std::max(bc * vPitch, br * kPitch);
  const std::string pack =
      kind == TensorCoreKind::f16 ? "dsr1::packHalf2" : "dsr1::packBf162";
  const std::string mma = kind == TensorCoreKind::f16
                              ? "dsr1::mma_m16n8k16"
                              : "dsr1::mma_m16n8k16_bf16";
  // One ldmatrix.x4 (`load`, into r) gives the B fragments of two n8 tiles,
  // n and n + 1, of `acc`; every m16 tile of the warp multiplies its A
  // fragment `a` (of i) by both.
  auto mmaPair = [&](const std::string &load, const std::string &acc,
                     const std::string &n, const std::string &a) {
    code_.line("uint32_t r[4];");
    code_.line(load);
    code_.line("const uint32_t b0[2] = {r[0], r[1]}, b1[2] = {r[2], r[3]};");
    code_.line("#pragma unroll");
    code_.open("for (int i = 0; i < " + num(mi) + "; ++i)");
    code_.line(mma + "(" + acc + "[i][" + n + "], " + a + ", b0, " + acc +
               "[i][" + n + "]);");
    code_.line(mma + "(" + acc + "[i][" + n + " + 1], " + a + ", b1, " + acc +
               "[i][" + n + " + 1]);");
    code_.close();
  };
  std::string qArg =
      ScalarEmitter::argName(cast<BlockArgument>(q).getArgNumber());
  std::string kArg =
      ScalarEmitter::argName(cast<BlockArgument>(k).getArgNumber());
  std::string vArg =
      ScalarEmitter::argName(cast<BlockArgument>(v).getArgNumber());
  // The element offset of (seq, d) of an operand of head dim `depth` for
  // the (b, h) in scope: rows of `depth` elements are contiguous.
  auto offset = [&](Value operand, const std::string &seq, const std::string &d,
                    int64_t depth) {
    return linear(shape.at(seq, d, depth), shapeOf(operand));
  };

  if (failed(begin(name, threads)))
    return failure();
  ScalarEmitter s(kernel_, code_);
  code_.line("DSR1_SHARED_TILE(uint16_t, Ks, " + num(bc * kPitch) + ");");
  code_.line("DSR1_SHARED_TILE(uint16_t, Vs, " + num(vSize) + ");");
  code_.line("const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;");
  code_.line("const int grp = lane >> 2, tig = lane & 3;");
  s.open("for (int64_t bh = blockIdx.y; bh < " + num(batch * heads) +
         "; bh += gridDim.y)");
  code_.line("const int64_t h = bh % " + num(heads) + ", b = bh / " +
             num(heads) + ";");
  code_.line("const int64_t i0 = (int64_t)blockIdx.x * " + num(br) + ";");
  FailureOr<std::string> valid = validKeys(s, op, kvLen);
  if (failed(valid))
    return failure();
  // The key tiles any row of the block can see: the keys stored, cut by
  // the causal bound of the last row and the left window of the first.
  std::string last = "(i0 + " + num(br - 1) + " < " + num(qLen) + " ? i0 + " +
                     num(br - 1) + " : " + num(qLen - 1) + ")";
  code_.line("int64_t jEnd = " +
             (op.getKvLengths() ? *valid + " < " + num(kvLen) + " ? " + *valid +
                                      " : " + num(kvLen)
                                : num(kvLen)) +
             ", jBegin = 0;");
  if (op.getCausal() || op.getWindowRightAttr()) {
    std::string bound = queryPosition(op, qLen, *valid, last) + " + 1";
    if (IntegerAttr w = op.getWindowRightAttr())
      bound += (op.getCausal() ? " + 0" : " + " + num(w.getInt()));
    code_.line("if (" + bound + " < jEnd) jEnd = " + bound + ";");
  }
  if (IntegerAttr w = op.getWindowLeftAttr())
    code_.line("jBegin = " + queryPosition(op, qLen, *valid, "i0") + " - " +
               num(w.getInt()) + ";");
  code_.line("if (jBegin < 0) jBegin = 0;");
  code_.line("jBegin -= jBegin % " + num(bc) + ";");
  code_.line("const int64_t tiles = jEnd > jBegin ? (jEnd - jBegin + " +
             num(bc - 1) + ") / " + num(bc) + " : 0;");
  // Issues the copies of a (rows x depth) tile of `arg` starting at row
  // `row0` into `array`; rows past `extent` are zero-filled.
  auto issue = [&](const std::string &array, const std::string &arg,
                   Value operand, int64_t rows, int64_t depth, int64_t pitch,
                   const std::string &row0, int64_t extent) {
    int64_t pieces = depth / 8;
    s.open("for (int e = threadIdx.x; e < " + num(rows * pieces) +
           "; e += " + num(threads) + ")");
    code_.line("const int r = e / " + num(pieces) + ", c = (e % " +
               num(pieces) + ") * 8;");
    code_.line("const int64_t row = " + row0 + " + r;");
    code_.line("const bool in = row < " + num(extent) + ";");
    code_.line("dsr1::cp_async_16_zfill(" + array + ", r * " + num(pitch) +
               " + c, in ? " + arg + " + " +
               offset(operand, "row", "c", depth) + " : " + arg + ", in);");
    s.close();
  };
  auto issueKv = [&](bool isKey, const std::string &tile) {
    s.open("if (" + tile + " < tiles)");
    std::string row0 = "jBegin + (" + tile + ") * " + num(bc);
    if (isKey)
      issue("Ks", kArg, k, bc, dk, kPitch, row0, kvLen);
    else
      issue("Vs", vArg, v, bc, dv, vPitch, row0, kvLen);
    s.close();
    code_.line("dsr1::cp_async_commit();");
  };
  // Q through V's buffer into fragments; K(0) meanwhile.
  issue("Vs", qArg, q, br, dk, kPitch, "i0", qLen);
  code_.line("dsr1::cp_async_commit();");
  issueKv(true, "0");
  code_.line("dsr1::cp_async_wait<1>();");
  code_.line("__syncthreads();");
  code_.line("uint32_t qf[" + num(mi) + "][" + num(dk / 16) + "][4];");
  code_.line("#pragma unroll");
  code_.open("for (int i = 0; i < " + num(mi) + "; ++i)");
  code_.line("#pragma unroll");
  code_.line("for (int d = 0; d < " + num(dk / 16) +
             "; ++d) dsr1::ldmatrix_x4(qf[i][d], Vs, (warp * " + num(mi * 16) +
             " + i * 16 + lane % 16) * " + num(kPitch) +
             " + d * 16 + (lane / 16) * 8);");
  code_.close();
  code_.line("__syncthreads();");
  issueKv(false, "0");
  // A lane holds rows grp and grp + 8 of each m16 tile: their running max
  // (log2 units) and its share of their sums.
  code_.line("float o[" + num(mi) + "][" + num(dv / 8) + "][4];");
  code_.line("float rowMax[" + num(mi) + "][2], rowSum[" + num(mi) + "][2];");
  code_.line("#pragma unroll");
  code_.open("for (int i = 0; i < " + num(mi) + "; ++i)");
  code_.line("rowMax[i][0] = rowMax[i][1] = -INFINITY;");
  code_.line("rowSum[i][0] = rowSum[i][1] = 0;");
  code_.line("#pragma unroll");
  code_.line("for (int d = 0; d < " + num(dv / 8) +
             "; ++d) o[i][d][0] = o[i][d][1] = o[i][d][2] = o[i][d][3] = 0;");
  code_.close();

  s.open("for (int64_t tile = 0; tile < tiles; ++tile)");
  code_.line("const int64_t j0 = jBegin + tile * " + num(bc) + ";");
  code_.line("dsr1::cp_async_wait<1>();");
  code_.line("__syncthreads();");
  code_.line("float sc[" + num(mi) + "][" + num(ni) + "][4];");
  code_.line("#pragma unroll");
  code_.open("for (int i = 0; i < " + num(mi) + "; ++i)");
  code_.line("#pragma unroll");
  code_.line("for (int j = 0; j < " + num(ni) +
             "; ++j) sc[i][j][0] = sc[i][j][1] = sc[i][j][2] = sc[i][j][3] = "
             "0;");
  code_.close();
  code_.line("#pragma unroll");
  code_.open("for (int d = 0; d < " + num(dk / 16) + "; ++d)");
  code_.line("#pragma unroll");
  code_.open("for (int j = 0; j < " + num(ni) + "; j += 2)");
  // Keys are the n of Q Kᵀ, stored k (= d) contiguous: matrices (keys j,
  // d 0-7), (j, d 8-15), (j + 1, d 0-7), (j + 1, d 8-15).
  mmaPair("dsr1::ldmatrix_x4(r, Ks, (j * 8 + lane % 8 + (lane / 16) * 8) * " +
              num(kPitch) + " + d * 16 + ((lane / 8) % 2) * 8);",
          "sc", "j", "qf[i][d]");
  code_.close();
  code_.close();
  code_.line("__syncthreads();");
  issueKv(true, "tile + 1");
  // The scores in log2 units: scaled, capped, masked; -inf where a key is
  // not visible (or past the keys).
  code_.line("#pragma unroll");
  s.open("for (int mt = 0; mt < " + num(mi) + "; ++mt)");
  code_.line("#pragma unroll");
  s.open("for (int nt = 0; nt < " + num(ni) + "; ++nt)");
  code_.line("#pragma unroll");
  s.open("for (int e = 0; e < 4; ++e)");
  code_.line("const int64_t i = i0 + warp * " + num(mi * 16) +
             " + mt * 16 + grp + (e >> 1) * 8;");
  code_.line("const int64_t j = j0 + nt * 8 + tig * 2 + (e & 1);");
  std::string position = s.fresh();
  code_.line("[[maybe_unused]] const int64_t " + position + " = " +
             queryPosition(op, qLen, *valid, "i") + ";");
  code_.line("float x = -INFINITY;");
  s.open("if (i < " + num(qLen) + " && j < " + num(kvLen) + " && " +
         visibleKeys(op, *valid, position, "j") + ")");
  code_.line("x = sc[mt][nt][e] * " + floatLiteral(shape.scale, 32) + ";");
  if (failed(scoreInLog2(s, op)))
    return failure();
  s.close();
  code_.line("sc[mt][nt][e] = x;");
  s.close();
  s.close();
  // Online softmax per row: the quad of lanes holding a row agrees on its
  // max; exp2 against 0 when the row has seen no key yet.
  code_.line("#pragma unroll");
  s.open("for (int half = 0; half < 2; ++half)");
  code_.line("float mx = rowMax[mt][half];");
  code_.line("#pragma unroll");
  code_.line("for (int nt = 0; nt < " + num(ni) +
             "; ++nt) mx = fmaxf(mx, fmaxf(sc[mt][nt][2 * half], "
             "sc[mt][nt][2 * half + 1]));");
  code_.line("mx = fmaxf(mx, __shfl_xor_sync(dsr1::kFullMask, mx, 1));");
  code_.line("mx = fmaxf(mx, __shfl_xor_sync(dsr1::kFullMask, mx, 2));");
  code_.line("const float base = mx == -INFINITY ? 0.f : mx;");
  code_.line("const float alpha = exp2f(rowMax[mt][half] - base);");
  code_.line("rowMax[mt][half] = mx;");
  code_.line("float sum = 0;");
  code_.line("#pragma unroll");
  s.open("for (int nt = 0; nt < " + num(ni) + "; ++nt)");
  code_.line("sc[mt][nt][2 * half] = exp2f(sc[mt][nt][2 * half] - base);");
  code_.line("sc[mt][nt][2 * half + 1] = exp2f(sc[mt][nt][2 * half + 1] - "
             "base);");
  code_.line("sum += sc[mt][nt][2 * half] + sc[mt][nt][2 * half + 1];");
  s.close();
  code_.line("rowSum[mt][half] = rowSum[mt][half] * alpha + sum;");
  code_.line("#pragma unroll");
  code_.line("for (int d = 0; d < " + num(dv / 8) +
             "; ++d) o[mt][d][2 * half] *= alpha, o[mt][d][2 * half + 1] *= "
             "alpha;");
  s.close();
  s.close();
  code_.line("dsr1::cp_async_wait<1>();");
  code_.line("__syncthreads();");
  // O += P V: the accumulators of n8 tiles 2c and 2c + 1 are the A
  // fragment of keys 16c..16c+15; V (k = keys, n = d) is n-contiguous, so
  // the transposing ldmatrix gives its B fragments.
  code_.line("#pragma unroll");
  code_.open("for (int c = 0; c < " + num(bc / 16) + "; ++c)");
  code_.line("uint32_t pa[" + num(mi) + "][4];");
  code_.line("#pragma unroll");
  code_.open("for (int i = 0; i < " + num(mi) + "; ++i)");
  code_.line("pa[i][0] = " + pack + "(sc[i][2 * c][0], sc[i][2 * c][1]);");
  code_.line("pa[i][1] = " + pack + "(sc[i][2 * c][2], sc[i][2 * c][3]);");
  code_.line("pa[i][2] = " + pack +
             "(sc[i][2 * c + 1][0], sc[i][2 * c + 1][1]);");
  code_.line("pa[i][3] = " + pack +
             "(sc[i][2 * c + 1][2], sc[i][2 * c + 1][3]);");
  code_.close();
  code_.line("#pragma unroll");
  code_.open("for (int d = 0; d < " + num(dv / 8) + "; d += 2)");
  mmaPair("dsr1::ldmatrix_x4_trans(r, Vs, (c * 16 + lane % 8 + ((lane / 8) "
          "% 2) * 8) * " +
              num(vPitch) + " + d * 8 + (lane / 16) * 8);",
          "o", "d", "pa[i]");
  code_.close();
  code_.close();
  code_.line("__syncthreads();");
  issueKv(false, "tile + 1");
  s.close();
  // O / l, the row's sum gathered from its quad; a row that saw no key
  // yields zeros. Element e of tile (mt, d): row grp + 8 (e / 2), column
  // 8 d + 2 tig + e % 2.
  code_.line("#pragma unroll");
  s.open("for (int mt = 0; mt < " + num(mi) + "; ++mt)");
  code_.line("#pragma unroll");
  s.open("for (int half = 0; half < 2; ++half)");
  code_.line("float l = rowSum[mt][half];");
  code_.line("l += __shfl_xor_sync(dsr1::kFullMask, l, 1);");
  code_.line("l += __shfl_xor_sync(dsr1::kFullMask, l, 2);");
  code_.line("const int64_t i = i0 + warp * " + num(mi * 16) +
             " + mt * 16 + grp + half * 8;");
  s.open("if (i < " + num(qLen) + ")");
  code_.line("#pragma unroll");
  s.open("for (int dt = 0; dt < " + num(dv / 8) + "; ++dt)");
  code_.line("#pragma unroll");
  s.open("for (int e = 0; e < 2; ++e)");
  code_.line("const int64_t d = dt * 8 + tig * 2 + e;");
  if (failed(storeAttention(op, shape, *t,
                            "l > 0 ? o[mt][dt][2 * half + e] / l : 0.f")))
    return failure();
  s.close();
  s.close();
  s.close();
  s.close();
  s.close();
  // The next (batch, head) stages Q in V's buffer again.
  code_.line("__syncthreads();");
  s.close();
  code_.close();
  addLaunch(name,
            {uint32_t((qLen + br - 1) / br),
             uint32_t(std::min<int64_t>(batch * heads, 65535)), 1},
            threads, /*cooperative=*/true);
  return success();
}

bool KernelEmitter::isDecode(AttentionOp op) {
  AttentionShape shape(op);
  Type r = cast<ShapedType>(op.getResult().getType()).getElementType();
  // The query and every warp's output row in static shared memory.
  int64_t shared = ((params_.decodeBlock / 32) * shape.dv + shape.dk) * 4;
  return shape.qLen == 1 && shape.kvLen > params_.decodeSplitKeys &&
         !r.isF64() && !op.getReturnScores() && shared <= 40 * 1024;
}

// Split-kv decoding (flash-decoding): with one query row a head there are
// only batch x heads rows, too few blocks to fill a GPU, and each must read
// every key. The keys are split instead: a block per (split, batch, head)
// computes its keys' running max, sum and unnormalised output (each warp
// takes every warps-th key: the dot product across the lanes, the output's
// dims across the lanes), merges its warps, and writes them to the
// workspace; a second launch merges the splits of each row and writes the
// output. Scores are in log2 units, as in the tensor-core template.
LogicalResult KernelEmitter::attentionDecode(AttentionOp op,
                                             const std::string &name) {
  FailureOr<CType> t = attentionResultType(op);
  if (failed(t))
    return failure();
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  const AttentionShape shape(op);
  const int64_t heads = shape.heads, kvLen = shape.kvLen, dk = shape.dk,
                dv = shape.dv;
  const int64_t rows = shape.batch * heads;
  if (rows == 0 || dv == 0)
    return success();
  const int64_t splitKeys = params_.decodeSplitKeys;
  const int64_t splits = (kvLen + splitKeys - 1) / splitKeys;
  const int block = params_.decodeBlock, warps = block / 32;
  const int64_t per = (dv + 31) / 32; // output dims a lane holds
  const int64_t record = 2 + dv;      // max, sum, output of a split
  const uint64_t workspace = uint64_t(rows * splits * record) * 4;
  auto at = [&](Value, const std::string &seq, const std::string &d,
                int64_t depth) { return shape.at(seq, d, depth); };
  auto rowScope = [&](ScalarEmitter &s, const std::string &first,
                      const std::string &step) {
    s.open("for (int64_t bh = " + first + "; bh < " + num(rows) +
           "; bh += " + step + ")");
    code_.line("const int64_t h = bh % " + num(heads) + ", b = bh / " +
               num(heads) + ";");
    code_.line("[[maybe_unused]] const int64_t i = 0;");
  };

  // The splits.
  if (failed(begin(name + "_split", block, workspace)))
    return failure();
  {
    ScalarEmitter s(kernel_, code_);
    code_.line("DSR1_SHARED(float, qs, " + num(std::max<int64_t>(1, dk)) +
               ");");
    code_.line("DSR1_SHARED(float, wm, " + num(warps) + ");");
    code_.line("DSR1_SHARED(float, wl, " + num(warps) + ");");
    code_.line("DSR1_SHARED(float, wo, " + num(warps * dv) + ");");
    code_.line("const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;");
    rowScope(s, "blockIdx.y", "gridDim.y");
    FailureOr<std::string> valid = validKeys(s, op, kvLen);
    if (failed(valid))
      return failure();
    std::string position = s.fresh();
    code_.line("[[maybe_unused]] const int64_t " + position + " = " +
               queryPosition(op, 1, *valid, "i") + ";");
    s.open("for (int64_t d = threadIdx.x; d < " + num(dk) +
           "; d += blockDim.x)");
    FailureOr<std::string> qv = s.scalar(q, at(q, "i", "d", dk));
    if (failed(qv))
      return failure();
    code_.line("qs[d] = (float)" + *qv + " * " + floatLiteral(shape.scale, 32) +
               ";");
    s.close();
    code_.line("__syncthreads();");
    code_.line("const int64_t j0 = (int64_t)blockIdx.x * " + num(splitKeys) +
               ", j1 = j0 + " + num(splitKeys) + " < " + num(kvLen) +
               " ? j0 + " + num(splitKeys) + " : " + num(kvLen) + ";");
    code_.line("float m = -INFINITY, l = 0, o[" + num(per) + "];");
    code_.line("for (int t = 0; t < " + num(per) + "; ++t) o[t] = 0;");
    s.open("for (int64_t j = j0 + warp; j < j1; j += " + num(warps) + ")");
    // A key every lane agrees on: the dot product summed over the warp.
    code_.line("float dot = 0;");
    s.open("for (int64_t d = lane; d < " + num(dk) + "; d += 32)");
    FailureOr<std::string> kv = s.scalar(k, at(k, "j", "d", dk));
    if (failed(kv))
      return failure();
    code_.line("dot += qs[d] * (float)" + *kv + ";");
    s.close();
    code_.line("for (int offset = 16; offset > 0; offset /= 2) dot += "
               "__shfl_xor_sync(dsr1::kFullMask, dot, offset);");
    code_.line("float x = -INFINITY;");
    s.open("if (" + visibleKeys(op, *valid, position, "j") + ")");
    code_.line("x = dot;");
    if (failed(scoreInLog2(s, op)))
      return failure();
    s.close();
    code_.line("if (x == -INFINITY) continue;");
    code_.line("const float mNew = fmaxf(m, x), alpha = exp2f(m - mNew), p = "
               "exp2f(x - mNew);");
    code_.line("l = l * alpha + p;");
    s.open("for (int t = 0; t < " + num(per) + "; ++t)");
    code_.line("const int64_t d = lane + t * 32;");
    code_.line("if (d >= " + num(dv) + ") break;");
    FailureOr<std::string> vv = s.scalar(v, at(v, "j", "d", dv));
    if (failed(vv))
      return failure();
    code_.line("o[t] = o[t] * alpha + p * (float)" + *vv + ";");
    s.close();
    code_.line("m = mNew;");
    s.close();
    // The block's warps merged into the split's record.
    code_.line("if (lane == 0) wm[warp] = m, wl[warp] = l;");
    s.open("for (int t = 0; t < " + num(per) + "; ++t)");
    code_.line("const int64_t d = lane + t * 32;");
    code_.line("if (d < " + num(dv) + ") wo[warp * " + num(dv) +
               " + d] = o[t];");
    s.close();
    code_.line("__syncthreads();");
    code_.line("float top = -INFINITY;");
    code_.line("for (int w = 0; w < " + num(warps) +
               "; ++w) top = fmaxf(top, wm[w]);");
    code_.line("const float base = top == -INFINITY ? 0.f : top;");
    code_.line("float *out = ws + (bh * " + num(splits) + " + blockIdx.x) * " +
               num(record) + ";");
    s.open("if (threadIdx.x == 0)");
    code_.line("float sum = 0;");
    code_.line("for (int w = 0; w < " + num(warps) +
               "; ++w) sum += wl[w] * exp2f(wm[w] - base);");
    code_.line("out[0] = top;");
    code_.line("out[1] = sum;");
    s.close();
    s.open("for (int64_t d = threadIdx.x; d < " + num(dv) +
           "; d += blockDim.x)");
    code_.line("float sum = 0;");
    code_.line("for (int w = 0; w < " + num(warps) + "; ++w) sum += wo[w * " +
               num(dv) + " + d] * exp2f(wm[w] - base);");
    code_.line("out[2 + d] = sum;");
    s.close();
    code_.line("__syncthreads();");
    s.close();
    code_.close();
  }
  addLaunch(name + "_split",
            {uint32_t(splits), uint32_t(std::min<int64_t>(rows, 65535)), 1},
            block, /*cooperative=*/true);

  // The merge: a block per row.
  if (failed(begin(name + "_merge", block, workspace)))
    return failure();
  {
    ScalarEmitter s(kernel_, code_);
    rowScope(s, "blockIdx.x", "gridDim.x");
    code_.line("const float *in = ws + bh * " + num(splits * record) + ";");
    code_.line("float top = -INFINITY, sum = 0;");
    code_.line("for (int64_t k = 0; k < " + num(splits) +
               "; ++k) top = "
               "fmaxf(top, in[k * " +
               num(record) + "]);");
    code_.line("const float base = top == -INFINITY ? 0.f : top;");
    code_.line("for (int64_t k = 0; k < " + num(splits) +
               "; ++k) sum += in[k * " + num(record) + " + 1] * exp2f(in[k * " +
               num(record) + "] - base);");
    s.open("for (int64_t d = threadIdx.x; d < " + num(dv) +
           "; d += blockDim.x)");
    code_.line("float acc = 0;");
    code_.line("for (int64_t k = 0; k < " + num(splits) +
               "; ++k) acc += in[k * " + num(record) +
               " + 2 + d] * exp2f(in[k * " + num(record) + "] - base);");
    if (failed(storeAttention(op, shape, *t, "sum > 0 ? acc / sum : 0.f")))
      return failure();
    s.close();
    s.close();
    code_.close();
  }
  addLaunch(name + "_merge", {uint32_t(std::min<int64_t>(rows, 1 << 20)), 1, 1},
            block, /*cooperative=*/false);
  return success();
}

LogicalResult KernelEmitter::recurrent(Operation *op, const std::string &name) {
  if (failed(requireSoleOp(kernel_, op, "recurrent")))
    return failure();
  enum class Cell { lstm, gru, rnn };
  Cell cell = isa<LstmOp>(op)  ? Cell::lstm
              : isa<GruOp>(op) ? Cell::gru
                               : Cell::rnn;
  Value x, w, r, bias, h0, c0, peepholes, lengths;
  int64_t hidden = 0;
  RnnDirection direction = RnnDirection::forward;
  bool linearBeforeReset = false;
  if (auto lstm = dyn_cast<LstmOp>(op)) {
    x = lstm.getX(), w = lstm.getW(), r = lstm.getR(), bias = lstm.getBias();
    h0 = lstm.getInitialH(), c0 = lstm.getInitialC();
    peepholes = lstm.getPeepholes(), lengths = lstm.getSequenceLens();
    hidden = lstm.getHiddenSize(), direction = lstm.getDirection();
  } else if (auto gru = dyn_cast<GruOp>(op)) {
    x = gru.getX(), w = gru.getW(), r = gru.getR(), bias = gru.getBias();
    h0 = gru.getInitialH(), lengths = gru.getSequenceLens();
    hidden = gru.getHiddenSize(), direction = gru.getDirection();
    linearBeforeReset = gru.getLinearBeforeReset();
  } else {
    auto rnn = cast<SimpleRnnOp>(op);
    x = rnn.getX(), w = rnn.getW(), r = rnn.getR(), bias = rnn.getBias();
    h0 = rnn.getInitialH(), lengths = rnn.getSequenceLens();
    hidden = rnn.getHiddenSize(), direction = rnn.getDirection();
  }
  FailureOr<CType> t = ctypeOf(x, op);
  if (failed(t))
    return failure();
  std::string type = accumulator(*t);
  bool f64 = type == "double";
  auto fn = [&](StringRef n) { return (n + (f64 ? "" : "f")).str(); };
  auto sigmoid = [&](const std::string &v) {
    return "(" + type + ")1 / ((" + type + ")1 + " + fn("exp") + "(-(" + v +
           ")))";
  };
  ArrayRef<int64_t> xs = shapeOf(x);
  int64_t seq = xs[0], batch = xs[1], input = xs[2];
  int64_t dirs = direction == RnnDirection::bidirectional ? 2 : 1;
  int64_t gates = cell == Cell::lstm ? 4 : cell == Cell::gru ? 3 : 1;
  int block = static_cast<int>(std::min<int64_t>(
      params_.recurrentBlock, std::max<int64_t>(32, (hidden + 31) / 32 * 32)));
  int64_t per = (hidden + block - 1) / block;
  if (dirs * batch == 0 || hidden == 0)
    return success(); // Every result is empty: nothing to launch.

  if (failed(begin(name, block)))
    return failure();
  ScalarEmitter s(kernel_, code_);
  // The hidden state, the LSTM's cell state, the GRU's r (.) h.
  code_.line("DSR1_SHARED(" + type + ", hs, " + num(hidden) + ");");
  if (cell == Cell::lstm)
    code_.line("DSR1_SHARED(" + type + ", cs, " + num(hidden) + ");");
  if (cell == Cell::gru)
    code_.line("DSR1_SHARED(" + type + ", rh, " + num(hidden) + ");");
  s.open("for (int64_t blockRow = blockIdx.x; blockRow < " + num(dirs * batch) +
         "; blockRow += gridDim.x)");
  code_.line("const int64_t dir = blockRow / " + num(batch) +
             ", b = blockRow % " + num(batch) + ";");
  code_.line(
      "const bool reverse = " +
      std::string(direction == RnnDirection::reverse ? "true" : "dir == 1") +
      ";");
  std::string length = num(seq);
  if (lengths) {
    FailureOr<std::string> n = s.scalar(lengths, {"b"});
    if (failed(n))
      return failure();
    length = s.define("int64_t", "(int64_t)" + *n);
  }
  // Initial states.
  s.open("for (int64_t u = threadIdx.x; u < " + num(hidden) +
         "; u += blockDim.x)");
  Index state = {"dir", "b", "u"};
  if (h0) {
    FailureOr<std::string> v = s.scalar(h0, state);
    if (failed(v))
      return failure();
    code_.line("hs[u] = (" + type + ")" + *v + ";");
  } else {
    code_.line("hs[u] = 0;");
  }
  if (cell == Cell::lstm) {
    if (c0) {
      FailureOr<std::string> v = s.scalar(c0, state);
      if (failed(v))
        return failure();
      code_.line("cs[u] = (" + type + ")" + *v + ";");
    } else {
      code_.line("cs[u] = 0;");
    }
  }
  s.close();
  code_.line("__syncthreads();");

  // The pre-activation of gate `g` for unit u: x_t W^T + Wb (+ h R^T + Rb
  // unless `recurrentPart` is false) with h read from `hidden` (shared).
  auto gate = [&](int64_t g, const std::string &hiddenArray, bool inputPart,
                  bool recurrentPart) -> FailureOr<std::string> {
    std::string acc = s.fresh("pre");
    code_.line(type + " " + acc + " = 0;");
    std::string unit = add("u", num(g * hidden));
    if (inputPart) {
      s.open("for (int64_t i = 0; i < " + num(input) + "; ++i)");
      FailureOr<std::string> xv = s.scalar(x, {"t", "b", "i"});
      FailureOr<std::string> wv = s.scalar(w, {"dir", unit, "i"});
      if (failed(xv) || failed(wv))
        return failure();
      code_.line(acc + " += (" + type + ")" + *xv + " * (" + type + ")" + *wv +
                 ";");
      s.close();
      if (bias) {
        FailureOr<std::string> bv = s.scalar(bias, {"dir", unit});
        if (failed(bv))
          return failure();
        code_.line(acc + " += (" + type + ")" + *bv + ";");
      }
    }
    if (recurrentPart) {
      s.open("for (int64_t i = 0; i < " + num(hidden) + "; ++i)");
      FailureOr<std::string> rv = s.scalar(r, {"dir", unit, "i"});
      if (failed(rv))
        return failure();
      code_.line(acc + " += " + hiddenArray + "[i] * (" + type + ")" + *rv +
                 ";");
      s.close();
      if (bias) {
        FailureOr<std::string> bv =
            s.scalar(bias, {"dir", add("u", num((gates + g) * hidden))});
        if (failed(bv))
          return failure();
        code_.line(acc + " += (" + type + ")" + *bv + ";");
      }
    }
    return acc;
  };
  auto peephole = [&](int64_t g) -> FailureOr<std::string> {
    FailureOr<std::string> p =
        s.scalar(peepholes, {"dir", add("u", num(g * hidden))});
    if (failed(p))
      return failure();
    return "(" + type + ")" + *p;
  };

  s.open("for (int64_t step = 0; step < " + num(seq) + "; ++step)");
  code_.line("const int64_t t = reverse ? " + num(seq - 1) + " - step : step;");
  // Past a batch entry's length the states stay and the output is 0.
  code_.line("const bool active = t < " + length + ";");
  // This thread's units' new states (and the GRU's update gates).
  code_.line(type + " hn[" + num(per) + "];");
  if (cell == Cell::lstm)
    code_.line(type + " cn[" + num(per) + "];");
  if (cell == Cell::gru)
    code_.line(type + " zn[" + num(per) + "];");
  // Opens the loop over this thread's units (u), n-th of `per`.
  auto units = [&]() {
    s.open("for (int64_t n = 0; n < " + num(per) + "; ++n)");
    code_.line("const int64_t u = threadIdx.x + n * blockDim.x;");
    code_.line("if (u >= " + num(hidden) + ") break;");
  };
  if (cell == Cell::gru) {
    // z and r first: the candidate needs r (.) h of every unit.
    units();
    code_.line("if (!active) continue;");
    FailureOr<std::string> z = gate(0, "hs", true, true);
    FailureOr<std::string> rr = gate(1, "hs", true, true);
    if (failed(z) || failed(rr))
      return failure();
    code_.line("zn[n] = " + sigmoid(*z) + ";");
    code_.line("const " + type + " reset = " + sigmoid(*rr) + ";");
    code_.line("rh[u] = " +
               std::string(linearBeforeReset ? "reset" : "reset * hs[u]") +
               ";");
    s.close();
    code_.line("__syncthreads();");
    units();
    code_.line("if (!active) continue;");
    std::string candidate;
    if (linearBeforeReset) {
      FailureOr<std::string> xh = gate(2, "hs", true, false);
      FailureOr<std::string> hh = gate(2, "hs", false, true);
      if (failed(xh) || failed(hh))
        return failure();
      candidate = *xh + " + rh[u] * " + *hh;
    } else {
      FailureOr<std::string> xh = gate(2, "hs", true, false);
      FailureOr<std::string> hh = gate(2, "rh", false, true);
      if (failed(xh) || failed(hh))
        return failure();
      candidate = *xh + " + " + *hh;
    }
    code_.line("const " + type + " cand = " + fn("tanh") + "(" + candidate +
               ");");
    code_.line("hn[n] = ((" + type + ")1 - zn[n]) * cand + zn[n] * hs[u];");
    s.close();
  } else if (cell == Cell::lstm) {
    units();
    code_.line("if (!active) continue;");
    FailureOr<std::string> gi = gate(0, "hs", true, true);
    FailureOr<std::string> go = gate(1, "hs", true, true);
    FailureOr<std::string> gf = gate(2, "hs", true, true);
    FailureOr<std::string> gc = gate(3, "hs", true, true);
    if (failed(gi) || failed(go) || failed(gf) || failed(gc))
      return failure();
    std::string pi, po, pf;
    if (peepholes) {
      FailureOr<std::string> a = peephole(0), b = peephole(1), c = peephole(2);
      if (failed(a) || failed(b) || failed(c))
        return failure();
      pi = " + " + *a + " * cs[u]";
      pf = " + " + *c + " * cs[u]";
      po = " + " + *b + " * cn[n]";
    }
    code_.line("const " + type + " in = " + sigmoid(*gi + pi) + ";");
    code_.line("const " + type + " forget = " + sigmoid(*gf + pf) + ";");
    code_.line("cn[n] = forget * cs[u] + in * " + fn("tanh") + "(" + *gc +
               ");");
    code_.line("const " + type + " out = " + sigmoid(*go + po) + ";");
    code_.line("hn[n] = out * " + fn("tanh") + "(cn[n]);");
    s.close();
  } else {
    units();
    code_.line("if (!active) continue;");
    FailureOr<std::string> g = gate(0, "hs", true, true);
    if (failed(g))
      return failure();
    code_.line("hn[n] = " + fn("tanh") + "(" + *g + ");");
    s.close();
  }
  code_.line("__syncthreads();");
  // Publish the step: states, and every returned output.
  units();
  code_.line("if (active) hs[u] = hn[n];");
  if (cell == Cell::lstm)
    code_.line("if (active) cs[u] = cn[n];");
  for (unsigned i = 0; i < numResults(); ++i) {
    if (cast<OpResult>(result(i)).getResultNumber() != 0)
      continue;
    Index yIdx = {"t", "dir", "b", "u"};
    if (failed(store(i, linear(yIdx, shapeOf(result(i))),
                     "(" + t->compute + ")(active ? hn[n] : (" + type + ")0)")))
      return failure();
  }
  s.close();
  code_.line("__syncthreads();");
  s.close();
  // The last states.
  s.open("for (int64_t u = threadIdx.x; u < " + num(hidden) +
         "; u += blockDim.x)");
  for (unsigned i = 0; i < numResults(); ++i) {
    unsigned which = cast<OpResult>(result(i)).getResultNumber();
    if (which == 0)
      continue;
    Index sIdx = {"dir", "b", "u"};
    if (failed(
            store(i, linear(sIdx, shapeOf(result(i))),
                  "(" + t->compute + ")" + (which == 1 ? "hs[u]" : "cs[u]"))))
      return failure();
  }
  s.close();
  code_.line("__syncthreads();");
  s.close();
  code_.close();
  addLaunch(name, {uint32_t(dirs * batch), 1, 1}, block,
            /*cooperative=*/true);
  return success();
}

FailureOr<CudaKernel> KernelEmitter::emit() {
  out_.symbol = kernel_.getSymName().str();
  std::string base = out_.symbol;
  Block &body = kernel_.front();
  // Templates that take the whole kernel.
  for (Operation &op : body.without_terminator()) {
    if (auto attention = dyn_cast<AttentionOp>(op)) {
      if (isDecode(attention)) {
        out_.family = "attention-decode";
        if (failed(attentionDecode(attention, base + "_attention_decode")))
          return failure();
        return out_;
      }
      TensorCoreKind kind = tensorCoreKind(attention);
      if (kind != TensorCoreKind::none) {
        out_.family = "attention-tc";
        if (failed(attentionTc(attention, kind, base + "_attention_tc")))
          return failure();
        return out_;
      }
      out_.family = "attention";
      if (failed(this->attention(attention, base + "_attention")))
        return failure();
      return out_;
    }
    if (isa<LstmOp, GruOp, SimpleRnnOp>(op)) {
      out_.family = "recurrent";
      if (failed(recurrent(&op, base + "_recurrent")))
        return failure();
      return out_;
    }
  }
  // A GEMM whose results all have the product's shape: the tiled template.
  SmallVector<Contraction> contractions;
  for (Operation &op : body.without_terminator())
    if (std::optional<Contraction> c = Contraction::of(&op))
      contractions.push_back(*c);
  if (contractions.size() == 1 && !contractions[0].vectorLhs &&
      !contractions[0].vectorRhs) {
    ArrayRef<int64_t> shape = shapeOf(contractions[0].op->getResult(0));
    bool same = llvm::all_of(llvm::seq(0u, numResults()), [&](unsigned i) {
      return shapeOf(result(i)) == shape;
    });
    if (same) {
      // The one place the GEMM template is chosen: tensor cores for f16,
      // bf16 and tf32 products, the SIMT template for the rest.
      TensorCoreKind kind = tensorCoreKind(contractions[0]);
      if (kind != TensorCoreKind::none) {
        out_.family = "gemm-tc";
        if (failed(gemmTc(contractions[0], kind, base + "_gemm_tc")))
          return failure();
        return out_;
      }
      out_.family = "gemm";
      if (failed(gemm(contractions[0], base + "_gemm")))
        return failure();
      return out_;
    }
  }
  // A convolution whose results all have its shape: the implicit GEMM.
  SmallVector<ConvOp> convs(body.getOps<ConvOp>());
  if (contractions.empty() && convs.size() == 1) {
    ArrayRef<int64_t> shape = shapeOf(convs[0].getResult());
    bool same = llvm::all_of(llvm::seq(0u, numResults()), [&](unsigned i) {
      return shapeOf(result(i)) == shape;
    });
    TensorCoreKind kind = tensorCoreKind(convs[0]);
    int64_t perGroup = shapeOf(convs[0].getWeight())[0] /
                       std::max<int64_t>(1, convs[0].getGroup());
    if (same && kind != TensorCoreKind::none &&
        perGroup >= params_.convTcMinChannels) {
      out_.family = "conv-tc";
      if (failed(convTc(convs[0], kind, base + "_conv_tc")))
        return failure();
      return out_;
    }
  }
  if (contractions.empty()) {
    if (std::optional<SmallVector<Operation *>> ops = rowOps()) {
      out_.family = "row";
      if (failed(row(ops->front(), base + "_row")))
        return failure();
      return out_;
    }
  }
  // Pointwise: one launch per distinct result shape.
  out_.family = "pointwise";
  SmallVector<SmallVector<unsigned>> groups;
  for (unsigned i = 0; i < numResults(); ++i) {
    auto group = llvm::find_if(groups, [&](const SmallVector<unsigned> &g) {
      return shapeOf(result(g.front())) == shapeOf(result(i));
    });
    if (group == groups.end())
      groups.push_back({i});
    else
      group->push_back(i);
  }
  for (auto [n, group] : llvm::enumerate(groups))
    if (failed(pointwise(group, base + "_pointwise" +
                                    (groups.size() > 1 ? std::to_string(n)
                                                       : std::string()))))
      return failure();
  return out_;
}

} // namespace

FailureOr<CudaModule> emitCuda(ModuleOp module, const CudaParams &params,
                               const KernelTunings *tunings) {
  CudaModule result;
  Code code;
  std::string thunks;
  code.line("// Generated by dsr1: CUDA kernels for NVRTC and cuda-emu.");
  code.line("#include \"dsr1_device.cuh\"");
  bool ok = true;
  for (auto kernel : module.getOps<func::FuncOp>()) {
    if (!kernel->hasAttr(kKernelAttrName) || kernel.isExternal())
      continue;
    KernelEmitter emitter(kernel, params, tunings, code, thunks);
    FailureOr<CudaKernel> emitted = emitter.emit();
    if (failed(emitted)) {
      ok = false;
      continue;
    }
    result.kernels.push_back(std::move(*emitted));
  }
  if (!ok)
    return failure();
  code.line("");
  code.line("#ifdef DSR1_CUDA_EMU");
  code.text() += thunks;
  code.line("#endif");
  result.source = std::move(code.text());
  return result;
}

} // namespace dsr1::cuda
