//===- NeuralNetImporters.cpp - ONNX contractions, norms, pooling, RNNs
//-----===//
//
// MatMul, Einsum, Det, Gemm, Conv, Col2Im, pooling, normalisations, softmax,
// reductions, Resize, GridSample, AffineGrid, RNN, LSTM, GRU, the opset-23
// Attention op and ai.onnx.preview FlexAttention.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/NodeImporter.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>
#include <map>
#include <sstream>

using namespace mlir;

namespace dsr1::onnx_frontend {
namespace {

DenseI64ArrayAttr i64Array(NodeContext &ctx, ArrayRef<int64_t> values) {
  return ctx.builder.getDenseI64ArrayAttr(values);
}

/// Det by cofactor expansion along the first row, on tensors of the batch
/// shape: exact arithmetic, but n! products, so matrices up to 4 x 4.
LogicalResult importDet(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  int64_t rank = type.getRank();
  if (rank < 2 || !type.hasStaticShape() ||
      type.getDimSize(rank - 1) != type.getDimSize(rank - 2) ||
      !isa<FloatType>(type.getElementType()))
    return ctx.error() << "needs static float square matrices (..., M, M), "
                          "got "
                       << type;
  int64_t m = type.getDimSize(rank - 1);
  if (m < 1 || m > 4)
    return ctx.error() << "determinants of " << m << " x " << m
                       << " matrices are not supported (1 to 4)";
  Builder &b = ctx.builder;
  auto batch = type.getShape().drop_back(2);
  SmallVector<SmallVector<Value>> entries(m);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < m; ++j) {
      Value e =
          ctx.create<SliceOp>(*x, b.getDenseI64ArrayAttr({i, j}),
                              b.getDenseI64ArrayAttr({i + 1, j + 1}),
                              b.getDenseI64ArrayAttr({rank - 2, rank - 1}),
                              b.getDenseI64ArrayAttr({1, 1}));
      FailureOr<Value> scalar =
          reshapeTo(ctx, e, batch, SmallVector<int64_t>(batch.size(), -1));
      if (failed(scalar))
        return failure();
      entries[i].push_back(*scalar);
    }
  // The determinant of the rows from `row` on and the columns in `cols`.
  std::function<Value(int64_t, ArrayRef<int64_t>)> minor =
      [&](int64_t row, ArrayRef<int64_t> cols) -> Value {
    if (cols.size() == 1)
      return entries[row][cols[0]];
    Value det;
    for (auto [k, col] : llvm::enumerate(cols)) {
      SmallVector<int64_t> rest(cols.begin(), cols.end());
      rest.erase(rest.begin() + k);
      Value term = ctx.create<MulOp>(entries[row][col], minor(row + 1, rest));
      det = !det         ? term
            : k % 2 == 0 ? ctx.create<AddOp>(det, term)
                         : ctx.create<SubOp>(det, term);
      if (!det)
        return nullptr;
    }
    return det;
  };
  return ctx.setResults(minor(0, llvm::to_vector(llvm::seq<int64_t>(0, m))));
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// One operand of an Einsum as it is rewritten: its value and the label of
/// each of its dims. Letters are their character codes; the dims an ellipsis
/// stands for get labels from kEllipsisLabel up, aligned at the right across
/// operands, so that they broadcast like numpy's.
struct EinsumTerm {
  Value value;
  SmallVector<int> labels;
};

constexpr int kEllipsisLabel = 1000;

/// The labels of one term of an Einsum equation ("ij", "...ii", "b...k"), for
/// an operand of rank `rank` (-1 for the output, whose ellipsis stands for
/// `ellipsisDims` dims). Failure when the term is malformed.
FailureOr<SmallVector<int>> parseEinsumTerm(NodeContext &ctx, StringRef term,
                                            int64_t rank,
                                            int64_t &ellipsisDims) {
  SmallVector<int> letters;
  int64_t ellipsisAt = -1;
  for (size_t i = 0; i < term.size(); ++i) {
    if (term.substr(i).starts_with("...") && ellipsisAt < 0) {
      ellipsisAt = letters.size();
      i += 2;
    } else if (llvm::isAlpha(term[i])) {
      letters.push_back(term[i]);
    } else {
      return ctx.error() << "equation term '" << term
                         << "' holds something other than letters and one "
                            "ellipsis";
    }
  }
  int64_t dims = 0;
  if (rank >= 0) {
    dims = rank - static_cast<int64_t>(letters.size());
    if (dims < 0 || (ellipsisAt < 0 && dims != 0))
      return ctx.error() << "equation term '" << term << "' does not fit an "
                         << "input of rank " << rank;
    ellipsisDims = std::max(ellipsisDims, dims);
  } else {
    dims = ellipsisAt < 0 ? 0 : ellipsisDims;
  }
  if (ellipsisAt < 0)
    return letters;
  SmallVector<int> labels(letters.begin(), letters.begin() + ellipsisAt);
  for (int64_t d = 0; d < dims; ++d)
    labels.push_back(kEllipsisLabel + (rank >= 0 ? -dims : 0) + d);
  labels.append(letters.begin() + ellipsisAt, letters.end());
  return labels;
}

/// Einsum as a composition: the diagonals of repeated labels within a term
/// (a transpose, a reshape of the two dims into one of n * n elements and a
/// slice with step n + 1), sums over labels nothing else needs, then one
/// batched matmul per further operand (batch labels, the labels of each side,
/// the contracted labels, each group reshaped into one dim), and a final sum
/// and transpose into the output's order. Shapes must be static.
LogicalResult importEinsum(NodeContext &ctx) {
  std::string equation = ctx.stringAttr("equation", "");
  llvm::erase_if(equation, [](char c) { return c == ' '; });
  int numInputs = ctx.numInputs();
  if (numInputs < 1)
    return ctx.error() << "needs at least one input";
  StringRef eq(equation);
  auto [lhs, rhs] = eq.split("->");
  bool explicitOutput = eq.contains("->");
  SmallVector<StringRef> termTexts;
  lhs.split(termTexts, ',');
  if (static_cast<int>(termTexts.size()) != numInputs)
    return ctx.error() << "equation '" << equation << "' has "
                       << termTexts.size() << " input terms for " << numInputs
                       << " inputs";

  SmallVector<EinsumTerm> terms;
  int64_t ellipsisDims = 0;
  for (int i = 0; i < numInputs; ++i) {
    FailureOr<Value> x = ctx.requiredInput(i);
    if (failed(x))
      return failure();
    auto type = NodeContext::typeOf(*x);
    if (!type.hasStaticShape())
      return ctx.error() << "input #" << i << " needs a static shape, got "
                         << formatShape(type.getShape())
                         << " (pin it with --input-shape / --dim)";
    FailureOr<SmallVector<int>> labels =
        parseEinsumTerm(ctx, termTexts[i], type.getRank(), ellipsisDims);
    if (failed(labels))
      return failure();
    terms.push_back({*x, *labels});
  }
  // Ellipsis labels were numbered from the right of each term; make them
  // count from 0 at the left of the widest.
  for (EinsumTerm &term : terms)
    for (int &label : term.labels)
      if (label < kEllipsisLabel && label >= kEllipsisLabel - ellipsisDims)
        label += ellipsisDims;

  SmallVector<int> output;
  if (explicitOutput) {
    FailureOr<SmallVector<int>> labels =
        parseEinsumTerm(ctx, rhs, -1, ellipsisDims);
    if (failed(labels))
      return failure();
    output = *labels;
  } else {
    // numpy's implicit output: the broadcast dims, then every letter used
    // once, in alphabetical order.
    for (int64_t d = 0; d < ellipsisDims; ++d)
      output.push_back(kEllipsisLabel + d);
    std::map<int, int> counts;
    for (const EinsumTerm &term : terms)
      for (int label : term.labels)
        if (label < kEllipsisLabel)
          ++counts[label];
    for (auto [label, count] : counts)
      if (count == 1)
        output.push_back(label);
  }
  std::map<int, int64_t> sizes;
  for (const EinsumTerm &term : terms)
    for (auto [label, size] : llvm::zip_equal(
             term.labels, NodeContext::typeOf(term.value).getShape())) {
      int64_t &known = sizes.try_emplace(label, size).first->second;
      if (known == 1)
        known = size;
      else if (size != 1 && size != known)
        return ctx.error() << "a label of equation '" << equation
                           << "' has the sizes " << known << " and " << size;
    }
  for (auto [i, label] : llvm::enumerate(output))
    if (!sizes.count(label) ||
        llvm::is_contained(ArrayRef(output).take_front(i), label))
      return ctx.error() << "the output of equation '" << equation
                         << "' names a label twice or one no input has";
  if (llvm::any_of(sizes, [](auto entry) { return entry.second == 0; }))
    return ctx.error() << "empty tensors (a dim of size 0) are not supported";

  auto shapeOf = [&](ArrayRef<int> labels) {
    SmallVector<int64_t> shape;
    for (int label : labels)
      shape.push_back(sizes[label]);
    return shape;
  };
  // Transposes `term` so that its labels come in the order `order`.
  auto permute = [&](EinsumTerm &term, ArrayRef<int> order) {
    if (ArrayRef(term.labels) == order)
      return;
    SmallVector<int64_t> perm;
    for (int label : order)
      perm.push_back(llvm::find(term.labels, label) - term.labels.begin());
    term.value = ctx.create<TransposeOp>(term.value, perm);
    term.labels.assign(order.begin(), order.end());
  };
  // Sums `term` over every label `keep` says no.
  auto sumOut = [&](EinsumTerm &term, function_ref<bool(int)> keep) {
    SmallVector<int64_t> axes;
    SmallVector<int> kept;
    for (auto [d, label] : llvm::enumerate(term.labels)) {
      if (keep(label))
        kept.push_back(label);
      else
        axes.push_back(d);
    }
    if (axes.empty() || !term.value)
      return;
    term.value = ctx.create<ReduceSumOp>(term.value, i64Array(ctx, axes),
                                         ctx.builder.getBoolAttr(false));
    term.labels = kept;
  };
  // A label is needed after operand `i` if the output or a later operand
  // has it.
  auto neededAfter = [&](size_t i, int label) {
    if (llvm::is_contained(output, label))
      return true;
    for (size_t j = i + 1; j < terms.size(); ++j)
      if (llvm::is_contained(terms[j].labels, label))
        return true;
    return false;
  };

  for (auto [i, term] : llvm::enumerate(terms)) {
    // A label repeated within a term reads the diagonal.
    for (size_t p = 0; p < term.labels.size() && term.value; ++p) {
      auto rest = ArrayRef(term.labels).drop_front(p + 1);
      auto it = llvm::find(rest, term.labels[p]);
      if (it == rest.end())
        continue;
      int label = term.labels[p];
      size_t q = p + 1 + (it - rest.begin());
      int64_t n = NodeContext::typeOf(term.value).getDimSize(p);
      if (NodeContext::typeOf(term.value).getDimSize(q) != n)
        return ctx.error() << "the diagonal of label '" << char(label)
                           << "' needs equal dims, got " << n << " and "
                           << NodeContext::typeOf(term.value).getDimSize(q);
      SmallVector<int> order;
      for (auto [d, l] : llvm::enumerate(term.labels))
        if (d != p && d != q)
          order.push_back(l);
      SmallVector<int> front = order;
      order.push_back(label);
      order.push_back(label);
      // permute() cannot tell the two equal labels apart: transpose here.
      SmallVector<int64_t> perm;
      for (auto [d, l] : llvm::enumerate(term.labels))
        if (d != p && d != q)
          perm.push_back(d);
      perm.push_back(p);
      perm.push_back(q);
      term.value = ctx.create<TransposeOp>(term.value, perm);
      SmallVector<int64_t> flat = shapeOf(front);
      flat.push_back(n * n);
      FailureOr<Value> merged = reshapeTo(
          ctx, term.value, flat, SmallVector<int64_t>(flat.size(), -1));
      if (failed(merged))
        return failure();
      int64_t last = flat.size() - 1;
      term.value = ctx.create<SliceOp>(
          *merged, i64Array(ctx, {0}), i64Array(ctx, {n * n}),
          i64Array(ctx, {last}), i64Array(ctx, {n + 1}));
      front.push_back(label);
      term.labels = front;
      p = static_cast<size_t>(-1); // Look again from the start.
    }
    // Labels no other operand and not the output have are summed now.
    sumOut(term, [&, i = i](int label) {
      if (llvm::is_contained(output, label))
        return true;
      for (auto [j, other] : llvm::enumerate(terms))
        if (j != i && llvm::is_contained(other.labels, label))
          return true;
      return false;
    });
  }

  EinsumTerm acc = terms.front();
  for (size_t i = 1; i < terms.size() && acc.value; ++i) {
    EinsumTerm &rhsTerm = terms[i];
    // What only one side has and nothing later needs is summed first.
    sumOut(acc, [&](int label) {
      return neededAfter(i, label) || llvm::is_contained(rhsTerm.labels, label);
    });
    sumOut(rhsTerm, [&](int label) {
      return neededAfter(i, label) || llvm::is_contained(acc.labels, label);
    });
    SmallVector<int> batch, left, right, contracted;
    for (int label : acc.labels) {
      if (!llvm::is_contained(rhsTerm.labels, label))
        left.push_back(label);
      else if (neededAfter(i, label))
        batch.push_back(label);
      else
        contracted.push_back(label);
    }
    for (int label : rhsTerm.labels)
      if (!llvm::is_contained(acc.labels, label))
        right.push_back(label);
    // A size-1 dim against a larger one broadcasts.
    auto broadcast = [&](EinsumTerm &term) {
      SmallVector<int64_t> shape = shapeOf(term.labels);
      if (term.value &&
          ArrayRef(shape) != NodeContext::typeOf(term.value).getShape())
        term.value = ctx.create<ExpandOp>(term.value, shape);
    };
    broadcast(acc);
    broadcast(rhsTerm);
    SmallVector<int> leftOrder = batch, rightOrder = batch;
    leftOrder.append(left);
    leftOrder.append(contracted);
    rightOrder.append(contracted);
    rightOrder.append(right);
    permute(acc, leftOrder);
    permute(rhsTerm, rightOrder);
    auto product = [&](ArrayRef<int> labels) {
      int64_t p = 1;
      for (int label : labels)
        p *= sizes[label];
      return p;
    };
    int64_t b = product(batch), m = product(left), k = product(contracted),
            n = product(right);
    SmallVector<int64_t> noSource(3, -1);
    FailureOr<Value> lhs3 = reshapeTo(ctx, acc.value, {b, m, k}, noSource);
    if (failed(lhs3))
      return failure();
    FailureOr<Value> rhs3 = reshapeTo(ctx, rhsTerm.value, {b, k, n}, noSource);
    if (failed(rhs3))
      return failure();
    Value product3 = ctx.create<MatMulOp>(*lhs3, *rhs3, /*precision=*/nullptr);
    SmallVector<int> labels = batch;
    labels.append(left);
    labels.append(right);
    SmallVector<int64_t> shape = shapeOf(labels);
    FailureOr<Value> back =
        reshapeTo(ctx, product3, shape, SmallVector<int64_t>(shape.size(), -1));
    if (failed(back))
      return failure();
    acc = {*back, labels};
  }
  sumOut(acc, [&](int label) { return llvm::is_contained(output, label); });
  // Every output label is some operand's, and was kept: the labels are now
  // the output's, in some order.
  if (acc.value)
    permute(acc, output);
  return ctx.setResults(acc.value);
}

LogicalResult importMatMul(NodeContext &ctx) {
  FailureOr<Value> a = ctx.requiredInput(0), b = ctx.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  return ctx.setResults(ctx.create<MatMulOp>(*a, *b, /*precision=*/nullptr));
}

LogicalResult importGemm(NodeContext &ctx) {
  FailureOr<Value> a = ctx.requiredInput(0), b = ctx.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  Builder &bld = ctx.builder;
  return ctx.setResults(ctx.create<GemmOp>(
      *a, *b, ctx.input(2), bld.getF64FloatAttr(ctx.floatAttr("alpha", 1.0f)),
      bld.getF64FloatAttr(ctx.floatAttr("beta", 1.0f)),
      bld.getBoolAttr(ctx.intAttr("transA", 0)),
      bld.getBoolAttr(ctx.intAttr("transB", 0)), /*precision=*/nullptr));
}

/// The window attributes of Conv and the pools, with auto_pad resolved into
/// explicit pads (which needs the spatial input dims when it is SAME_*).
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

FailureOr<Window> readWindow(NodeContext &ctx, RankedTensorType input,
                             ArrayRef<int64_t> kernel) {
  size_t spatial = input.getRank() - 2;
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides =
      ctx.intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  w.dilations =
      ctx.intsAttr("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  w.pads = ctx.intsAttr("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (w.kernel.size() != spatial || w.strides.size() != spatial ||
      w.dilations.size() != spatial || w.pads.size() != 2 * spatial)
    return ctx.error() << "kernel_shape, strides, dilations and pads must have "
                       << spatial << " (pads: " << 2 * spatial
                       << ") entries for a rank-" << input.getRank()
                       << " input";
  // The importer computes with these before the dsr1 verifier sees them.
  for (auto [name, values, min] :
       {std::tuple<StringRef, ArrayRef<int64_t>, int64_t>{"kernel_shape",
                                                          w.kernel, 1},
        {"strides", w.strides, 1},
        {"dilations", w.dilations, 1},
        {"pads", w.pads, 0}})
    for (int64_t v : values)
      if (!ShapedType::isDynamic(v) && (v < min || v > (int64_t(1) << 31)))
        return ctx.error() << "'" << name << "' entries must be in [" << min
                           << ", 2^31], got " << formatList(values);
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return w;
  if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
    return w;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.error() << "auto_pad '" << autoPad << "' is not one of NOTSET, "
                       << "SAME_UPPER, SAME_LOWER, VALID";
  // SAME: output = ceil(input / stride); the padding that needs, split with
  // the odd element at the end (UPPER) or the beginning (LOWER).
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2);
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(w.kernel[i]))
      return ctx.error() << "auto_pad " << autoPad
                         << " needs static spatial and kernel dims";
    int64_t out = (in + w.strides[i] - 1) / w.strides[i];
    int64_t span = w.dilations[i] * (w.kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + span - in);
    int64_t small = total / 2, large = total - small;
    w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
    w.pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
  }
  return w;
}

} // namespace

FailureOr<Value> convFromAttributes(NodeContext &ctx, Value x, Value w,
                                    Value bias) {
  auto input = NodeContext::typeOf(x), weight = NodeContext::typeOf(w);
  if (input.getRank() < 3 || input.getRank() > 5 ||
      weight.getRank() != input.getRank())
    return ctx.error() << "expects 1-D to 3-D convolution (input rank 3 to 5, "
                          "weight of the same rank)";
  SmallVector<int64_t> kernel =
      ctx.intsAttr("kernel_shape")
          .value_or(SmallVector<int64_t>(weight.getShape().drop_front(2)));
  FailureOr<Window> win = readWindow(ctx, input, kernel);
  if (failed(win))
    return failure();
  Value y = ctx.create<ConvOp>(
      x, w, bias, i64Array(ctx, win->strides), i64Array(ctx, win->pads),
      i64Array(ctx, win->dilations),
      ctx.builder.getI64IntegerAttr(ctx.intAttr("group", 1)),
      /*precision=*/nullptr);
  if (!y)
    return failure();
  return y;
}

namespace {

LogicalResult importConv(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), w = ctx.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> y = convFromAttributes(ctx, *x, *w, ctx.input(2));
  return failed(y) ? failure() : ctx.setResults(*y);
}

/// Col2Im: each of the K = prod(block_shape) columns of a block is placed on
/// the image at its offset (strided positions by interleaving zeros, then a
/// pad that also crops the padding away), and the K images are added. Only
/// zeros are added where a column does not land, so the sum is exact.
LogicalResult importCol2Im(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> image = ctx.constantInts(1, "image_shape");
  if (failed(image))
    return failure();
  FailureOr<SmallVector<int64_t>> block = ctx.constantInts(2, "block_shape");
  if (failed(block))
    return failure();
  int64_t r = image->size();
  SmallVector<int64_t> dilations =
      ctx.intsAttr("dilations").value_or(SmallVector<int64_t>(r, 1));
  SmallVector<int64_t> strides =
      ctx.intsAttr("strides").value_or(SmallVector<int64_t>(r, 1));
  SmallVector<int64_t> pads =
      ctx.intsAttr("pads").value_or(SmallVector<int64_t>(2 * r, 0));
  if (r < 1 || static_cast<int64_t>(block->size()) != r ||
      static_cast<int64_t>(dilations.size()) != r ||
      static_cast<int64_t>(strides.size()) != r ||
      static_cast<int64_t>(pads.size()) != 2 * r)
    return ctx.error() << "image_shape, block_shape, dilations, strides and "
                          "pads (twice) need one entry per spatial dim";
  auto type = NodeContext::typeOf(*x);
  if (type.getRank() != 3 || !type.hasStaticShape())
    return ctx.error() << "needs a static 3-D input (N, C * prod(block_shape), "
                          "L), got "
                       << type;
  std::optional<int64_t> blockSize = checkedProduct(*block);
  int64_t n = type.getDimSize(0), columns = type.getDimSize(1);
  if (!blockSize || *blockSize <= 0 || columns % *blockSize != 0)
    return ctx.error() << "input dim 1 (" << columns
                       << ") is not a multiple of the block size";
  int64_t channels = columns / *blockSize;
  SmallVector<int64_t> counts; // The blocks along each spatial dim.
  for (int64_t d = 0; d < r; ++d) {
    int64_t span = dilations[d] * ((*block)[d] - 1) + 1;
    int64_t room = (*image)[d] + pads[d] + pads[d + r] - span;
    if ((*image)[d] <= 0 || (*block)[d] <= 0 || dilations[d] <= 0 ||
        strides[d] <= 0 || room < 0)
      return ctx.error() << "no block fits spatial dim " << d;
    counts.push_back(room / strides[d] + 1);
  }
  std::optional<int64_t> blocks = checkedProduct(counts);
  if (!blocks || *blocks != type.getDimSize(2))
    return ctx.error() << "input dim 2 (" << type.getDimSize(2)
                       << ") is not the number of blocks, "
                       << blocks.value_or(-1);
  if (*blockSize > 1024)
    return ctx.error() << "blocks of more than 1024 elements are not "
                          "supported";
  Builder &b = ctx.builder;
  SmallVector<int64_t> split = {n, channels, *blockSize};
  split.append(counts);
  Value columnsByOffset = ctx.create<ReshapeOp>(*x, split);
  bool strided = llvm::any_of(strides, [](int64_t s) { return s > 1; });
  Value sum;
  SmallVector<int64_t> offset(r, 0);
  for (int64_t k = 0; k < *blockSize; ++k) {
    Value column = ctx.create<SliceOp>(
        columnsByOffset, b.getDenseI64ArrayAttr({k}),
        b.getDenseI64ArrayAttr({k + 1}), b.getDenseI64ArrayAttr({2}),
        b.getDenseI64ArrayAttr({1}));
    SmallVector<int64_t> shape = {n, channels}, lengths;
    for (int64_t d = 0; d < r; ++d) {
      shape.push_back(counts[d]);
      if (strided)
        shape.push_back(1);
    }
    column = ctx.create<ReshapeOp>(column, shape);
    if (strided) {
      // [.., L, 1, ..] padded to [.., L, s, ..]: stride - 1 zeros after each.
      SmallVector<int64_t> gaps(2 * shape.size(), 0);
      for (int64_t d = 0; d < r; ++d)
        gaps[shape.size() + 3 + 2 * d] = strides[d] - 1;
      column =
          ctx.create<PadOp>(column, b.getDenseI64ArrayAttr(gaps),
                            PadModeAttr::get(b.getContext(), PadMode::constant),
                            b.getF64FloatAttr(0.0));
      SmallVector<int64_t> merged = {n, channels};
      for (int64_t d = 0; d < r; ++d)
        merged.push_back(counts[d] * strides[d]);
      column = ctx.create<ReshapeOp>(column, merged);
    }
    SmallVector<int64_t> place(2 * (r + 2), 0);
    for (int64_t d = 0; d < r; ++d) {
      int64_t length = counts[d] * (strided ? strides[d] : 1);
      int64_t begin = offset[d] * dilations[d] - pads[d];
      place[2 + d] = begin;
      place[r + 4 + d] = (*image)[d] - begin - length;
    }
    column =
        ctx.create<PadOp>(column, b.getDenseI64ArrayAttr(place),
                          PadModeAttr::get(b.getContext(), PadMode::constant),
                          b.getF64FloatAttr(0.0));
    sum = sum ? ctx.create<AddOp>(sum, column) : column;
    for (int64_t d = r - 1; d >= 0 && ++offset[d] == (*block)[d]; --d)
      offset[d] = 0;
  }
  return ctx.setResults(sum);
}

/// CausalConvWithState (opset 27), the stateful depthwise causal conv of
/// Mamba and Gated DeltaNet, as the reference computes it: the input [B, C, L]
/// after its carry state [B, C, k - 1] (zeros without past_state) is convolved
/// with the per-channel kernels [C, 1, k] (group C, no padding), then SiLU in
/// f32 if asked; present_state is the last k - 1 positions of that sequence.
LogicalResult importCausalConvWithState(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), w = ctx.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  Value bias = ctx.input(2), past = ctx.input(3);
  std::string activation = ctx.stringAttr("activation", "none");
  if (activation != "none" && activation != "silu" && activation != "swish")
    return ctx.error() << "activation '" << activation
                       << "' is not one of none, silu, swish";
  auto input = NodeContext::typeOf(*x), weight = NodeContext::typeOf(*w);
  int64_t channels = input.getRank() == 3 ? input.getDimSize(1) : -1;
  if (input.getRank() != 3 || weight.getRank() != 3 ||
      weight.getDimSize(1) != 1 || ShapedType::isDynamic(channels) ||
      weight.getDimSize(0) != channels ||
      ShapedType::isDynamic(weight.getDimSize(2)) ||
      ShapedType::isDynamic(input.getDimSize(2)))
    return ctx.error() << "expects an input [B, C, L] and a weight [C, 1, k] "
                          "with static C, L and k, got "
                       << formatShape(input.getShape()) << " and "
                       << formatShape(weight.getShape());
  int64_t k = weight.getDimSize(2), length = input.getDimSize(2);
  if (past) {
    // Any other length would shift the output against the input.
    SmallVector<int64_t> expected = {input.getDimSize(0), channels, k - 1};
    ArrayRef<int64_t> shape = NodeContext::typeOf(past).getShape();
    if (shape.size() != 3 || shape[1] != channels || shape[2] != k - 1 ||
        (!ShapedType::isDynamic(shape[0]) &&
         !ShapedType::isDynamic(expected[0]) && shape[0] != expected[0]))
      return ctx.error() << "past_state must be [B, C, k - 1] = "
                         << formatShape(expected) << ", got "
                         << formatShape(shape);
  }
  Builder &b = ctx.builder;
  Value padded = *x;
  if (past)
    padded = ctx.create<ConcatOp>(ValueRange{past, *x}, uint64_t(2));
  else if (k > 1)
    padded =
        ctx.create<PadOp>(*x, b.getDenseI64ArrayAttr({0, 0, k - 1, 0, 0, 0}),
                          PadModeAttr::get(b.getContext(), PadMode::constant),
                          b.getF64FloatAttr(0.0));
  Value y = ctx.create<ConvOp>(
      padded, *w, bias, i64Array(ctx, {1}), i64Array(ctx, {0, 0}),
      i64Array(ctx, {1}), b.getI64IntegerAttr(channels), /*precision=*/nullptr);
  if (activation != "none" && y) {
    // x * sigmoid(x) of the convolution rounded to its type, computed in f32
    // (f16 and bf16 widened) and rounded once.
    Type element = NodeContext::typeOf(y).getElementType();
    bool narrow = element.getIntOrFloatBitWidth() < 32;
    Value wide = narrow ? ctx.create<CastOp>(y, b.getF32Type()) : y;
    y = ctx.create<MulOp>(wide, ctx.create<SigmoidOp>(wide));
    if (narrow)
      y = ctx.create<CastOp>(y, element);
  }
  Value present = ctx.create<SliceOp>(padded, b.getDenseI64ArrayAttr({length}),
                                      b.getDenseI64ArrayAttr({length + k - 1}),
                                      b.getDenseI64ArrayAttr({2}),
                                      b.getDenseI64ArrayAttr({1}));
  return ctx.setResults({y, present});
}

/// ConvTranspose: pads given, from auto_pad, or from output_shape (ONNX:
/// total = stride * (in - 1) + output_padding + span - out, split with the
/// odd element at the end for SAME_UPPER and at the start otherwise).
LogicalResult importConvTranspose(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), w = ctx.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  auto input = NodeContext::typeOf(*x), weight = NodeContext::typeOf(*w);
  int64_t rank = input.getRank();
  if (rank < 3 || rank > 5 || weight.getRank() != rank)
    return ctx.error() << "expects 1-D to 3-D transposed convolution (input "
                          "rank 3 to 5, weight of the same rank)";
  size_t spatial = rank - 2;
  SmallVector<int64_t> kernel =
      ctx.intsAttr("kernel_shape")
          .value_or(SmallVector<int64_t>(weight.getShape().drop_front(2)));
  SmallVector<int64_t> strides =
      ctx.intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> dilations =
      ctx.intsAttr("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> outputPadding =
      ctx.intsAttr("output_padding").value_or(SmallVector<int64_t>(spatial, 0));
  SmallVector<int64_t> pads =
      ctx.intsAttr("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  std::optional<SmallVector<int64_t>> outputShape =
      ctx.intsAttr("output_shape");
  if (kernel.size() != spatial || strides.size() != spatial ||
      dilations.size() != spatial || outputPadding.size() != spatial ||
      pads.size() != 2 * spatial)
    return ctx.error() << "kernel_shape, strides, dilations, output_padding "
                          "and pads must have "
                       << spatial << " (pads: " << 2 * spatial << ") entries";
  // Bounded so that the padding arithmetic below cannot overflow.
  constexpr int64_t kLimit = int64_t(1) << 31;
  auto inRange = [&](ArrayRef<int64_t> values, int64_t min) {
    return llvm::all_of(values, [&](int64_t v) {
      return ShapedType::isDynamic(v) || (v >= min && v <= kLimit);
    });
  };
  if (!inRange(kernel, 1) || !inRange(strides, 1) || !inRange(dilations, 1) ||
      !inRange(outputPadding, 0) || !inRange(pads, 0) ||
      (ctx.intsAttr("output_shape") &&
       !inRange(*ctx.intsAttr("output_shape"), 0)) ||
      !inRange(input.getShape(), 0))
    return ctx.error() << "kernel_shape, strides, dilations (>= 1), "
                          "output_padding, pads, output_shape and input "
                          "dims (>= 0) must be at most 2^31";
  if (autoPad == "VALID") {
    pads.assign(2 * spatial, 0);
  } else if (outputShape || autoPad == "SAME_UPPER" ||
             autoPad == "SAME_LOWER") {
    if (autoPad != "NOTSET" && autoPad != "SAME_UPPER" &&
        autoPad != "SAME_LOWER")
      return ctx.error() << "auto_pad '" << autoPad << "' is not supported";
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = input.getDimSize(i + 2);
      if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel[i]))
        return ctx.error() << "output_shape and SAME padding need static "
                              "spatial and kernel dims";
      // SAME aims at in * stride; output_shape names the spatial dims
      // (or all dims, in some exporters).
      int64_t out = in * strides[i];
      if (outputShape)
        out = (*outputShape)[outputShape->size() - spatial + i];
      int64_t total = strides[i] * (in - 1) + outputPadding[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - out;
      if (total < 0) { // A larger output: extra rows get only the bias
        outputPadding[i] -= total; // (onnxruntime's behaviour).
        total = 0;
      }
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? total / 2 : total - total / 2;
      pads[i + spatial] = upper ? total - total / 2 : total / 2;
    }
  } else if (autoPad != "NOTSET") {
    return ctx.error() << "auto_pad '" << autoPad << "' is not supported";
  }
  return ctx.setResults(ctx.create<ConvTransposeOp>(
      *x, *w, ctx.input(2), i64Array(ctx, strides), i64Array(ctx, pads),
      i64Array(ctx, dilations), i64Array(ctx, outputPadding),
      ctx.builder.getI64IntegerAttr(ctx.intAttr("group", 1)),
      /*precision=*/nullptr));
}

/// CumSum and CumProd (opset 26).
template <typename OpT> LogicalResult importCumulative(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  FailureOr<int64_t> axisValue = ctx.constantIndex(1, "axis");
  if (failed(axisValue))
    return failure();
  FailureOr<int64_t> axis =
      ctx.axis(*axisValue, NodeContext::typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  return ctx.setResults(ctx.create<OpT>(*x, static_cast<uint64_t>(*axis),
                                        ctx.intAttr("exclusive", 0) != 0,
                                        ctx.intAttr("reverse", 0) != 0));
}

LogicalResult importTopK(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t k;
  if (ctx.opset < 10) {
    k = ctx.intAttr("k", -1);
  } else {
    FailureOr<SmallVector<int64_t>> given = ctx.constantInts(1, "k");
    if (failed(given))
      return failure();
    if (given->size() != 1)
      return ctx.error() << "k must hold one value";
    k = given->front();
  }
  FailureOr<int64_t> axis =
      ctx.axis(ctx.intAttr("axis", -1), NodeContext::typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  Operation *op = ctx.build<TopKOp>(
      *x, static_cast<uint64_t>(k), static_cast<uint64_t>(*axis),
      ctx.intAttr("largest", 1) != 0, ctx.intAttr("sorted", 1) != 0);
  return op ? ctx.setResults(op->getResults()) : failure();
}

template <typename PoolOp> LogicalResult importPool(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  // storage_order only lays out MaxPool's Indices output.
  int64_t storageOrder = ctx.intAttr("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return ctx.error() << "storage_order " << storageOrder << " is not 0 or 1";
  if (std::is_same_v<PoolOp, AvgPoolOp> && ctx.hasOutput(1))
    return ctx.error() << "AveragePool has one output";
  auto input = NodeContext::typeOf(*x);
  if (input.getRank() < 3)
    return ctx.error() << "expects an input of rank >= 3 (N, C, spatial...)";
  std::optional<SmallVector<int64_t>> kernel = ctx.intsAttr("kernel_shape");
  if (!kernel)
    return ctx.error() << "needs the kernel_shape attribute";
  FailureOr<Window> win = readWindow(ctx, input, *kernel);
  if (failed(win))
    return failure();
  Builder &b = ctx.builder;
  BoolAttr ceil = b.getBoolAttr(ctx.intAttr("ceil_mode", 0));
  if constexpr (std::is_same_v<PoolOp, AvgPoolOp>)
    return ctx.setResults(ctx.create<AvgPoolOp>(
        *x, i64Array(ctx, win->kernel), i64Array(ctx, win->strides),
        i64Array(ctx, win->pads), i64Array(ctx, win->dilations), ceil,
        b.getBoolAttr(ctx.intAttr("count_include_pad", 0))));
  else {
    Value y = ctx.create<MaxPoolOp>(
        *x, i64Array(ctx, win->kernel), i64Array(ctx, win->strides),
        i64Array(ctx, win->pads), i64Array(ctx, win->dilations), ceil);
    if (!ctx.hasOutput(1))
      return ctx.setResults(y);
    Value indices = ctx.create<MaxPoolIndicesOp>(
        *x, i64Array(ctx, win->kernel), i64Array(ctx, win->strides),
        i64Array(ctx, win->pads), i64Array(ctx, win->dilations), ceil,
        b.getBoolAttr(storageOrder == 1));
    return ctx.setResults({y, indices});
  }
}

/// LpPool: (sum of |x|^p over each window)^(1/p), the padding counting as 0.
/// The sum is an average pool that counts the padding, times the kernel size.
LogicalResult importLpPool(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto input = NodeContext::typeOf(*x);
  if (input.getRank() < 3)
    return ctx.error() << "expects an input of rank >= 3 (N, C, spatial...)";
  std::optional<SmallVector<int64_t>> kernel = ctx.intsAttr("kernel_shape");
  if (!kernel)
    return ctx.error() << "needs the kernel_shape attribute";
  FailureOr<Window> win = readWindow(ctx, input, *kernel);
  if (failed(win))
    return failure();
  // With ceil_mode a last window may reach past the padding, where an
  // average no longer counts the whole kernel.
  if (ctx.intAttr("ceil_mode", 0))
    return ctx.error() << "ceil_mode=1 is not supported";
  float p = ctx.intAttr("p", 2);
  if (p <= 0)
    return ctx.error() << "p must be positive, got " << p;
  Value powered;
  if (p == 2) {
    powered = ctx.create<MulOp>(*x, *x);
  } else {
    Value magnitude = ctx.create<AbsOp>(*x);
    Value exponent = ctx.scalarLike(*x, p);
    powered = ctx.create<PowOp>(magnitude, exponent);
  }
  Builder &b = ctx.builder;
  Value mean = ctx.create<AvgPoolOp>(
      powered, i64Array(ctx, win->kernel), i64Array(ctx, win->strides),
      i64Array(ctx, win->pads), i64Array(ctx, win->dilations),
      b.getBoolAttr(false), b.getBoolAttr(true));
  std::optional<int64_t> count = checkedProduct(win->kernel);
  if (!count)
    return ctx.error() << "kernel_shape " << formatList(win->kernel)
                       << " is too large";
  Value size = ctx.scalarLike(*x, static_cast<double>(*count));
  Value sum = ctx.create<MulOp>(mean, size);
  if (p == 2)
    return ctx.setResults(ctx.create<SqrtOp>(sum));
  Value root = ctx.scalarLike(*x, 1.0 / p);
  return ctx.setResults(ctx.create<PowOp>(sum, root));
}

/// LRN: x / (bias + alpha / size * s)^beta, s the sum of x^2 over the
/// channels c - floor((size - 1) / 2) to c + ceil((size - 1) / 2). That sum
/// is an average pool over the channels of [N, 1, C, rest] that counts the
/// padding, times size.
LogicalResult importLrn(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  int64_t size = ctx.intAttr("size", 0);
  float alpha = ctx.floatAttr("alpha", 1e-4f);
  float beta = ctx.floatAttr("beta", 0.75f);
  float bias = ctx.floatAttr("bias", 1.0f);
  if (type.getRank() < 3)
    return ctx.error() << "expects an input of rank >= 3 (N, C, spatial...)";
  if (size <= 0 || size > (int64_t(1) << 31))
    return ctx.error() << "size must be in [1, 2^31], got " << size;
  ArrayRef<int64_t> shape = type.getShape();
  std::optional<int64_t> rest = checkedProduct(shape.drop_front(2));
  if (ShapedType::isDynamic(shape[1]) || !rest)
    return ctx.error() << "needs static channel and spatial dims, got "
                       << formatShape(shape);
  Value square = ctx.create<MulOp>(*x, *x);
  Value stacked = ctx.create<ReshapeOp>(
      square, SmallVector<int64_t>{0, 1, shape[1], *rest});
  Builder &b = ctx.builder;
  Value mean = ctx.create<AvgPoolOp>(
      stacked, i64Array(ctx, {size, 1}), i64Array(ctx, {1, 1}),
      i64Array(ctx, {(size - 1) / 2, 0, size / 2, 0}), i64Array(ctx, {1, 1}),
      b.getBoolAttr(false), b.getBoolAttr(true));
  SmallVector<int64_t> back(shape);
  back[0] = 0;
  Value sum = ctx.create<ReshapeOp>(mean, back);
  // alpha / size * sum = alpha * mean.
  Value scale = ctx.scalarLike(*x, alpha);
  Value scaled = ctx.create<MulOp>(sum, scale);
  Value offset = ctx.scalarLike(*x, bias);
  Value base = ctx.create<AddOp>(scaled, offset);
  Value exponent = ctx.scalarLike(*x, beta);
  Value denominator = ctx.create<PowOp>(base, exponent);
  return ctx.setResults(ctx.create<DivOp>(*x, denominator));
}

LogicalResult importBatchNorm(NodeContext &ctx) {
  SmallVector<Value> in;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = ctx.requiredInput(i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  APFloat epsilon(static_cast<double>(ctx.floatAttr("epsilon", 1e-5f)));
  float momentum = ctx.floatAttr("momentum", 0.9f);
  bool training = ctx.opset >= 14 && ctx.intAttr("training_mode", 0) != 0;
  // Before opset 14 the training outputs included the saved batch statistics,
  // a different contract that no current exporter writes.
  if (!training && (ctx.hasOutput(1) || ctx.hasOutput(2)))
    return ctx.error() << "the running statistics outputs need "
                          "training_mode = 1 (opset 14 and later)";
  if (!training)
    return ctx.setResults(
        ctx.create<BatchNormOp>(in[0], in[1], in[2], in[3], in[4], epsilon));
  // Training normalises with the batch statistics over every dim but the
  // channels (the population variance) and blends them into the running
  // ones: running * momentum + batch * (1 - momentum).
  int64_t rank = NodeContext::typeOf(in[0]).getRank();
  if (rank < 2)
    return ctx.error() << "the input needs a channel dim (rank >= 2)";
  SmallVector<int64_t> dims{0};
  for (int64_t d = 2; d < rank; ++d)
    dims.push_back(d);
  auto axes = i64Array(ctx, dims);
  Value kept =
      ctx.create<ReduceMeanOp>(in[0], axes, ctx.builder.getBoolAttr(true));
  Value centred = ctx.create<SubOp>(in[0], kept);
  Value batchVar =
      ctx.create<ReduceMeanOp>(ctx.create<MulOp>(centred, centred), axes,
                               ctx.builder.getBoolAttr(false));
  Value batchMean =
      ctx.create<ReduceMeanOp>(in[0], axes, ctx.builder.getBoolAttr(false));
  Value y = ctx.create<BatchNormOp>(in[0], in[1], in[2], batchMean, batchVar,
                                    epsilon);
  auto blend = [&](Value running, Value batch) -> Value {
    if (!batch)
      return nullptr; // An earlier build failed and has said why.
    Type element = NodeContext::typeOf(running).getElementType();
    if (NodeContext::typeOf(batch).getElementType() != element)
      batch = ctx.create<CastOp>(batch, element);
    Value old = ctx.create<MulOp>(running, ctx.scalarLike(running, momentum));
    Value now =
        ctx.create<MulOp>(batch, ctx.scalarLike(running, 1.0 - momentum));
    return ctx.create<AddOp>(old, now);
  };
  return ctx.setResults({y, blend(in[3], batchMean), blend(in[4], batchVar)});
}

LogicalResult importInstanceNorm(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), s = ctx.requiredInput(1),
                   b = ctx.requiredInput(2);
  if (failed(x) || failed(s) || failed(b))
    return failure();
  return ctx.setResults(ctx.create<InstanceNormOp>(
      *x, *s, *b,
      ctx.builder.getF64FloatAttr(ctx.floatAttr("epsilon", 1e-5f))));
}

LogicalResult importLayerNorm(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), scale = ctx.requiredInput(1);
  if (failed(x) || failed(scale))
    return failure();
  // The statistics are computed in f32 whatever stash_type says.
  (void)ctx.attr("stash_type");
  int64_t rank = NodeContext::typeOf(*x).getRank();
  FailureOr<int64_t> axis = ctx.axis(ctx.intAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  float epsilon = ctx.floatAttr("epsilon", 1e-5f);
  Value y = ctx.create<LayerNormOp>(*x, *scale, ctx.input(2),
                                    static_cast<uint64_t>(*axis),
                                    APFloat(static_cast<double>(epsilon)));
  if (!ctx.hasOutput(1) && !ctx.hasOutput(2))
    return ctx.setResults(y);
  // The optional Mean and InvStdDev outputs, over the normalised dims with
  // those dims kept as 1.
  auto axes = i64Array(ctx, llvm::to_vector(llvm::seq<int64_t>(*axis, rank)));
  BoolAttr keep = ctx.builder.getBoolAttr(true);
  Value mean = ctx.create<ReduceMeanOp>(*x, axes, keep);
  Value centred = ctx.create<SubOp>(*x, mean);
  Value var =
      ctx.create<ReduceMeanOp>(ctx.create<MulOp>(centred, centred), axes, keep);
  Value invStd =
      ctx.create<RsqrtOp>(ctx.create<AddOp>(var, ctx.scalarLike(*x, epsilon)));
  return ctx.setResults({y, mean, invStd});
}

/// Softmax and LogSoftmax. Before opset 13 they normalised over all dims from
/// `axis` on (the input coerced to 2-D); from 13 over `axis` alone.
template <typename OpT> LogicalResult importSoftmax(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis =
      ctx.axis(ctx.intAttr("axis", ctx.opset < 13 ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  if (ctx.opset >= 13 || *axis == rank - 1)
    return ctx.setResults(ctx.create<OpT>(*x, static_cast<uint64_t>(*axis)));
  ArrayRef<int64_t> trailing = type.getShape().drop_front(*axis);
  if (!ShapedType::isStaticShape(trailing))
    return ctx.error() << "opset-" << ctx.opset
                       << " softmax over several dims needs them static";
  SmallVector<int64_t> flat(*axis, 0);
  flat.push_back(-1);
  Value flattened = ctx.create<ReshapeOp>(*x, flat);
  Value normalised = ctx.create<OpT>(flattened, static_cast<uint64_t>(*axis));
  SmallVector<int64_t> back(*axis, 0);
  llvm::append_range(back, trailing);
  return ctx.setResults(ctx.create<ReshapeOp>(normalised, back));
}

/// NegativeLogLikelihoodLoss on log-probabilities `x` [N, C, d...] with
/// targets [N, d...] and optional class weights [C], as the op's ONNX
/// function body computes it: loss[n, d] = -x[n, t, d] * w[t] (t = target[n,
/// d]), 0 where t is ignore_index; `mean` divides the sum by the sum of the
/// weights applied (the count of targets not ignored, without weights).
FailureOr<Value> buildNllLoss(NodeContext &ctx, Value x, Value target,
                              Value weight) {
  std::string reduction = ctx.stringAttr("reduction", "mean");
  const onnx::AttributeProto *ignore =
      ctx.typedAttr("ignore_index", onnx::AttributeProto::INT);
  if (!x)
    return failure(); // An earlier build of this node failed and said why.
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return ctx.error() << "reduction '" << reduction
                       << "' is not one of none, sum, mean";
  auto xType = NodeContext::typeOf(x);
  ArrayRef<int64_t> targetShape = NodeContext::typeOf(target).getShape();
  if (xType.getRank() < 2 ||
      static_cast<int64_t>(targetShape.size()) != xType.getRank() - 1)
    return ctx.error() << "expects input [N, C, d...] and target [N, d...], "
                          "got "
                       << formatShape(xType.getShape()) << " and "
                       << formatShape(targetShape);
  // The target with a class axis of 1, [N, 1, d...]: the index shape
  // GatherElements takes, and the shape the loss is computed in.
  SmallVector<int64_t> withClass(targetShape), source = {0, -1};
  withClass.insert(withClass.begin() + 1, 1);
  for (size_t i = 1; i < targetShape.size(); ++i)
    source.push_back(i);
  FailureOr<Value> t = reshapeTo(ctx, target, withClass, source);
  if (failed(t) || !*t) // Null: a bad attribute type failed the node.
    return failure();
  // An ignore_index the target type cannot hold matches no target.
  Type targetElement = NodeContext::typeOf(*t).getElementType();
  bool ignoring =
      ignore && (targetElement.isInteger(64) ||
                 (ignore->i() >= std::numeric_limits<int32_t>::min() &&
                  ignore->i() <= std::numeric_limits<int32_t>::max()));
  Value mask;
  if (ignoring) {
    // Ignored targets may lie outside [0, C): they read class 0 instead, and
    // the mask then zeroes what they read.
    Value ignored = ctx.scalarLike(*t, static_cast<double>(ignore->i()));
    mask = ctx.create<EqualOp>(*t, ignored);
    Value zeroIndex = ctx.scalarLike(*t, 0);
    *t = ctx.create<WhereOp>(mask, zeroIndex, *t);
  }
  Value picked = ctx.create<GatherElementsOp>(x, *t, uint64_t(1));
  Value zero = mask ? ctx.scalarLike(x, 0) : nullptr;
  // Masked before the negation: a log-probability may be -inf, and -inf * 0
  // would be NaN.
  if (mask)
    picked = ctx.create<WhereOp>(mask, zero, picked);
  Value loss = ctx.create<NegOp>(picked);
  Value weights; // [N, 1, d...], null when every weight is 1.
  if (weight)
    weights = ctx.create<GatherOp>(weight, *t, uint64_t(0));
  if (mask) {
    Value kept = weights ? weights : ctx.scalarLike(x, 1);
    weights = ctx.create<WhereOp>(mask, zero, kept);
  }
  if (weights)
    loss = ctx.create<MulOp>(loss, weights);
  if (reduction == "none") {
    SmallVector<int64_t> back = {0};
    for (size_t i = 1; i < targetShape.size(); ++i)
      back.push_back(i + 1);
    return reshapeTo(ctx, loss, targetShape, back);
  }
  auto all = i64Array(ctx, {});
  BoolAttr drop = ctx.builder.getBoolAttr(false);
  if (reduction == "sum")
    return ctx.create<ReduceSumOp>(loss, all, drop);
  if (!weights)
    return ctx.create<ReduceMeanOp>(loss, all, drop);
  Value total = ctx.create<ReduceSumOp>(loss, all, drop);
  Value applied = ctx.create<ReduceSumOp>(weights, all, drop);
  return ctx.create<DivOp>(total, applied);
}

LogicalResult importNllLoss(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), target = ctx.requiredInput(1);
  if (failed(x) || failed(target))
    return failure();
  FailureOr<Value> loss = buildNllLoss(ctx, *x, *target, ctx.input(2));
  return failed(loss) ? failure() : ctx.setResults(*loss);
}

/// SoftmaxCrossEntropyLoss: NegativeLogLikelihoodLoss on the log-softmax of
/// the scores over the class axis, which is also the optional log_prob
/// output.
LogicalResult importSoftmaxCrossEntropyLoss(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), target = ctx.requiredInput(1);
  if (failed(x) || failed(target))
    return failure();
  if (NodeContext::typeOf(*x).getRank() < 2)
    return ctx.error() << "expects scores [N, C, d...], got "
                       << formatShape(NodeContext::typeOf(*x).getShape());
  Value logProb = ctx.create<LogSoftmaxOp>(*x, uint64_t(1));
  FailureOr<Value> loss = buildNllLoss(ctx, logProb, *target, ctx.input(2));
  return failed(loss) ? failure() : ctx.setResults({*loss, logProb});
}

/// The axes and keepdims of a ReduceX node: axes as an attribute (ReduceSum
/// before 13, the others before 18) or as an optional input, normalised and
/// sorted. `noop` is set when the node reduces nothing (empty axes with
/// noop_with_empty_axes).
struct Reduction {
  SmallVector<int64_t> axes;
  bool keepdims = true;
  bool noop = false;
};

FailureOr<Reduction> readReduction(NodeContext &ctx, Value x,
                                   int64_t axesInputSince) {
  int64_t rank = NodeContext::typeOf(x).getRank();
  Reduction r;
  if (ctx.opset < axesInputSince) {
    r.axes = ctx.intsAttr("axes").value_or(SmallVector<int64_t>());
  } else if (ctx.input(1)) {
    FailureOr<SmallVector<int64_t>> given = ctx.constantInts(1, "axes");
    if (failed(given))
      return failure();
    r.axes = *given;
  }
  r.noop = ctx.intAttr("noop_with_empty_axes", 0) != 0 && r.axes.empty();
  r.keepdims = ctx.intAttr("keepdims", 1) != 0;
  for (int64_t &a : r.axes) {
    FailureOr<int64_t> normalised = ctx.axis(a, rank);
    if (failed(normalised))
      return failure();
    a = *normalised;
  }
  llvm::sort(r.axes);
  return r;
}

template <typename OpT>
Value reduce(NodeContext &ctx, Value x, const Reduction &r, bool keepdims) {
  return ctx.create<OpT>(x, i64Array(ctx, r.axes),
                         ctx.builder.getBoolAttr(keepdims));
}

template <typename OpT> LogicalResult importReduce(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  FailureOr<Reduction> r =
      readReduction(ctx, *x, std::is_same_v<OpT, ReduceSumOp> ? 13 : 18);
  if (failed(r))
    return failure();
  if (r->noop)
    return ctx.setResults(*x);
  return ctx.setResults(reduce<OpT>(ctx, *x, *r, r->keepdims));
}

/// ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum and ReduceLogSumExp as
/// compositions (axes as inputs from opset 18). With noop_with_empty_axes
/// the elementwise part still applies, as the ONNX reference does.
enum class ReduceKind { L1, L2, SumSquare, LogSum, LogSumExp };

template <ReduceKind kind>
LogicalResult importReduceComposite(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  FailureOr<Reduction> r = readReduction(ctx, *x, 18);
  if (failed(r))
    return failure();
  auto sum = [&](Value v) {
    return r->noop ? v : reduce<ReduceSumOp>(ctx, v, *r, r->keepdims);
  };
  Value result;
  switch (kind) {
  case ReduceKind::L1:
    result = sum(ctx.create<AbsOp>(*x));
    break;
  case ReduceKind::L2:
    result = ctx.create<SqrtOp>(sum(ctx.create<MulOp>(*x, *x)));
    break;
  case ReduceKind::SumSquare:
    result = sum(ctx.create<MulOp>(*x, *x));
    break;
  case ReduceKind::LogSum:
    result = ctx.create<LogOp>(sum(*x));
    break;
  case ReduceKind::LogSumExp: {
    if (r->noop) {
      result = *x;
      break;
    }
    // max + log(sum(exp(x - max))): no overflow for large inputs.
    Value m = reduce<ReduceMaxOp>(ctx, *x, *r, /*keepdims=*/true);
    Value s = reduce<ReduceSumOp>(
        ctx, ctx.create<ExpOp>(ctx.create<SubOp>(*x, m)), *r, true);
    result = ctx.create<AddOp>(ctx.create<LogOp>(s), m);
    if (!r->keepdims) // Drop the size-1 axes: a max over them is a squeeze.
      result = reduce<ReduceMaxOp>(ctx, result, *r, false);
    break;
  }
  }
  return ctx.setResults(result);
}

/// RMSNormalization (opset 23): x / sqrt(mean(x^2 over [axis, rank)) + eps)
/// * scale.
LogicalResult importRmsNorm(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), scale = ctx.requiredInput(1);
  if (failed(x) || failed(scale))
    return failure();
  (void)ctx.attr("stash_type"); // The statistics are f32 whatever it says.
  int64_t rank = NodeContext::typeOf(*x).getRank();
  FailureOr<int64_t> axis = ctx.axis(ctx.intAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(*axis, rank));
  Value meanSquare =
      ctx.create<ReduceMeanOp>(ctx.create<MulOp>(*x, *x), i64Array(ctx, axes),
                               ctx.builder.getBoolAttr(true));
  Value eps = ctx.scalarLike(*x, ctx.floatAttr("epsilon", 1e-5f));
  Value inv = ctx.create<RsqrtOp>(ctx.create<AddOp>(meanSquare, eps));
  return ctx.setResults(ctx.create<MulOp>(ctx.create<MulOp>(*x, inv), *scale));
}

/// GroupNormalization: statistics over each group of C / num_groups channels
/// and the spatial dims, then a per-channel (opset 21) or per-group (opset
/// 18) scale and bias.
LogicalResult importGroupNorm(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), scale = ctx.requiredInput(1),
                   bias = ctx.requiredInput(2);
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  (void)ctx.attr("stash_type"); // The statistics are f32 whatever it says.
  ArrayRef<int64_t> shape = NodeContext::typeOf(*x).getShape();
  int64_t groups = ctx.intAttr("num_groups", 0);
  if (shape.size() < 2 || !ShapedType::isStaticShape(shape.drop_front()) ||
      groups <= 0 || shape[1] % groups)
    return ctx.error() << "needs static channel and spatial dims divisible "
                          "into num_groups ("
                       << groups << ") groups, got " << formatShape(shape);
  int64_t channels = shape[1], rank = shape.size();
  // [N, G, C/G, spatial...]: the statistics are over dims 2 and up.
  SmallVector<int64_t> grouped = {0, groups, channels / groups};
  llvm::append_range(grouped, shape.drop_front(2));
  Value g = ctx.create<ReshapeOp>(*x, grouped);
  auto axes = i64Array(ctx, llvm::to_vector(llvm::seq<int64_t>(2, rank + 1)));
  BoolAttr keep = ctx.builder.getBoolAttr(true);
  Value mean = ctx.create<ReduceMeanOp>(g, axes, keep);
  Value centred = ctx.create<SubOp>(g, mean);
  Value square = ctx.create<MulOp>(centred, centred);
  Value var = ctx.create<ReduceMeanOp>(square, axes, keep);
  Value eps = ctx.scalarLike(*x, ctx.floatAttr("epsilon", 1e-5f));
  Value shifted = ctx.create<AddOp>(var, eps);
  Value inv = ctx.create<RsqrtOp>(shifted);
  Value normal = ctx.create<MulOp>(centred, inv);
  // Parameters broadcast over the dims after the one they index.
  auto param = [&](Value p, int64_t size, int64_t trailing) {
    SmallVector<int64_t> to = {size};
    to.append(trailing, 1);
    return ctx.create<ReshapeOp>(p, to);
  };
  Value result;
  if (ctx.opset < 21) { // scale and bias are [G]
    Value s = param(*scale, groups, rank - 1);
    Value b = param(*bias, groups, rank - 1);
    Value scaled = ctx.create<MulOp>(normal, s);
    Value biased = ctx.create<AddOp>(scaled, b);
    SmallVector<int64_t> back(shape);
    back[0] = 0;
    result = ctx.create<ReshapeOp>(biased, back);
  } else { // scale and bias are [C]
    SmallVector<int64_t> back(shape);
    back[0] = 0;
    Value flat = ctx.create<ReshapeOp>(normal, back);
    Value s = param(*scale, channels, rank - 2);
    Value b = param(*bias, channels, rank - 2);
    Value scaled = ctx.create<MulOp>(flat, s);
    result = ctx.create<AddOp>(scaled, b);
  }
  return ctx.setResults(result);
}

/// LpNormalization: x / ||x||_p along one axis, p in {1, 2}; 0 where the
/// norm is 0.
LogicalResult importLpNorm(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  FailureOr<int64_t> axis =
      ctx.axis(ctx.intAttr("axis", -1), NodeContext::typeOf(*x).getRank());
  int64_t p = ctx.intAttr("p", 2);
  if (failed(axis))
    return failure();
  if (p != 1 && p != 2)
    return ctx.error() << "p must be 1 or 2, got " << p;
  auto axes = i64Array(ctx, {*axis});
  BoolAttr keep = ctx.builder.getBoolAttr(true);
  Value norm;
  if (p == 1) {
    Value magnitude = ctx.create<AbsOp>(*x);
    norm = ctx.create<ReduceSumOp>(magnitude, axes, keep);
  } else {
    Value square = ctx.create<MulOp>(*x, *x);
    Value sum = ctx.create<ReduceSumOp>(square, axes, keep);
    norm = ctx.create<SqrtOp>(sum);
  }
  // A zero norm (an all-zero slice) gives 0, not 0 / 0 = NaN, as the ONNX
  // reference does.
  Value quotient = ctx.create<DivOp>(*x, norm);
  Value zero = ctx.scalarLike(norm, 0);
  Value isZero = ctx.create<EqualOp>(norm, zero);
  return ctx.setResults(ctx.create<WhereOp>(isZero, zero, quotient));
}

/// MeanVarianceNormalization: (x - mean) / sqrt(var + 1e-9) over `axes`.
LogicalResult importMeanVarianceNorm(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = NodeContext::typeOf(*x).getRank();
  SmallVector<int64_t> axes =
      ctx.intsAttr("axes").value_or(SmallVector<int64_t>{0, 2, 3});
  for (int64_t &a : axes) {
    FailureOr<int64_t> normalised = ctx.axis(a, rank);
    if (failed(normalised))
      return failure();
    a = *normalised;
  }
  llvm::sort(axes);
  auto axesAttr = i64Array(ctx, axes);
  BoolAttr keep = ctx.builder.getBoolAttr(true);
  Value mean = ctx.create<ReduceMeanOp>(*x, axesAttr, keep);
  Value centred = ctx.create<SubOp>(*x, mean);
  Value square = ctx.create<MulOp>(centred, centred);
  Value var = ctx.create<ReduceMeanOp>(square, axesAttr, keep);
  Value eps = ctx.scalarLike(*x, 1e-9);
  Value shifted = ctx.create<AddOp>(var, eps);
  Value std = ctx.create<SqrtOp>(shifted);
  return ctx.setResults(ctx.create<DivOp>(centred, std));
}

/// Hardmax: 1 at the (first) maximum along `axis`, 0 elsewhere.
LogicalResult importHardmax(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  FailureOr<int64_t> axis = ctx.axis(ctx.intAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = type.getDimSize(*axis);
  if (ShapedType::isDynamic(dim))
    return ctx.error() << "needs a static dim " << *axis;
  if (failed(ctx.checkBuildSize(dim, "a position constant")))
    return failure();
  // Positions 0..dim-1 laid along `axis`, compared with the argmax.
  SmallVector<int64_t> iotaShape(type.getRank() - *axis, 1);
  iotaShape[0] = dim;
  auto iotaType = RankedTensorType::get(iotaShape, ctx.builder.getI64Type());
  Value iota = ctx.constant(DenseElementsAttr::get(
      iotaType, ArrayRef(llvm::to_vector(llvm::seq<int64_t>(0, dim)))));
  Value index =
      ctx.create<ArgMaxOp>(*x, static_cast<uint64_t>(*axis), true, false);
  Value hit = ctx.create<EqualOp>(index, iota);
  return ctx.setResults(ctx.create<CastOp>(hit, type.getElementType()));
}

/// Resize (opset 11+) with constant scales or sizes. The output shape is
/// computed here (ONNX: floor(in * scale), or the sizes given, adjusted by
/// keep_aspect_ratio_policy), so the resized dims must be static.
LogicalResult importResize(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  int64_t rank = type.getRank();
  std::string coordinate =
      ctx.stringAttr("coordinate_transformation_mode", "half_pixel");
  bool crops = coordinate == "tf_crop_and_resize";
  // roi and extrapolation_value only matter for tf_crop_and_resize.
  (void)ctx.input(1);
  double extrapolation = ctx.floatAttr("extrapolation_value", 0.0f);
  std::optional<CoordinateMode> coordMode = symbolizeCoordinateMode(coordinate);
  std::optional<ResizeMode> mode =
      symbolizeResizeMode(ctx.stringAttr("mode", "nearest"));
  std::optional<NearestMode> nearest = symbolizeNearestMode(
      ctx.stringAttr("nearest_mode", "round_prefer_floor"));
  if (!coordMode || !mode || !nearest)
    return ctx.error() << "mode, coordinate_transformation_mode or "
                          "nearest_mode has a value dsr1 does not know";
  SmallVector<int64_t> axes = ctx.intsAttr("axes").value_or(
      llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  for (int64_t &a : axes) {
    FailureOr<int64_t> normalised = ctx.axis(a, rank);
    if (failed(normalised))
      return failure();
    a = *normalised;
  }
  // The region of interest, for every dim (starts, then ends; an axis not
  // resized keeps [0, 1]): given for the resized axes, in their order.
  DenseF64ArrayAttr roiAttr;
  if (crops) {
    DenseElementsAttr given = ctx.constantAttr(1);
    if (!given || !isa<FloatType>(given.getElementType()))
      return ctx.error() << "tf_crop_and_resize needs a constant float roi";
    if (given.getNumElements() != 2 * static_cast<int64_t>(axes.size()))
      return ctx.error() << "roi must hold " << 2 * axes.size()
                         << " values (starts, then ends, per resized axis)";
    SmallVector<double> roi(rank, 0.0);
    roi.append(rank, 1.0);
    auto values = llvm::to_vector(given.getValues<APFloat>());
    for (auto [i, axis] : llvm::enumerate(axes)) {
      roi[axis] = values[i].convertToDouble();
      roi[rank + axis] = values[axes.size() + i].convertToDouble();
    }
    roiAttr = ctx.builder.getDenseF64ArrayAttr(roi);
  }
  SmallVector<double> scales(rank, 1.0);
  SmallVector<int64_t> sizes(rank, -1);
  DenseElementsAttr scaleAttr = ctx.constantAttr(2);
  bool haveScales = scaleAttr && scaleAttr.getNumElements() > 0;
  bool haveSizes = ctx.input(3) != nullptr;
  if (haveScales == haveSizes)
    return ctx.error() << "needs exactly one of constant scales or sizes";
  auto inDim = [&](int64_t axis) -> FailureOr<int64_t> {
    int64_t d = type.getDimSize(axis);
    if (ShapedType::isDynamic(d))
      return ctx.error() << "resized dim " << axis << " must be static";
    return d;
  };
  if (haveScales) {
    if (!isa<FloatType>(scaleAttr.getElementType()) ||
        scaleAttr.getNumElements() != static_cast<int64_t>(axes.size()))
      return ctx.error() << "scales must hold one float per resized axis";
    for (auto [axis, scale] :
         llvm::zip_equal(axes, scaleAttr.getValues<APFloat>())) {
      scales[axis] = scale.convertToDouble();
      if (scales[axis] == 1.0)
        continue;
      FailureOr<int64_t> in = inDim(axis);
      if (failed(in))
        return failure();
      double size = std::floor(*in * scales[axis]);
      if (!(size >= 0 && size <= static_cast<double>(int64_t(1) << 40)))
        return ctx.error() << "scale " << scales[axis] << " of dim " << axis
                           << " gives no valid size";
      sizes[axis] = static_cast<int64_t>(size);
    }
  } else {
    FailureOr<SmallVector<int64_t>> given = ctx.constantInts(3, "sizes");
    if (failed(given))
      return failure();
    if (given->size() != axes.size())
      return ctx.error() << "sizes must hold one entry per resized axis";
    std::string policy = ctx.stringAttr("keep_aspect_ratio_policy", "stretch");
    double common = policy == "not_larger" ? INFINITY : 0.0;
    for (auto [axis, size] : llvm::zip_equal(axes, *given)) {
      FailureOr<int64_t> in = inDim(axis);
      if (failed(in))
        return failure();
      double scale = static_cast<double>(size) / *in;
      scales[axis] = scale;
      sizes[axis] = size;
      common = policy == "not_larger"    ? std::min(common, scale)
               : policy == "not_smaller" ? std::max(common, scale)
                                         : common;
    }
    if (policy == "not_larger" || policy == "not_smaller") {
      for (int64_t axis : axes) {
        scales[axis] = common;
        double size = std::round(common * type.getDimSize(axis));
        if (!(size >= 0 && size <= static_cast<double>(int64_t(1) << 40)))
          return ctx.error() << "sizes give no valid size for dim " << axis;
        sizes[axis] = static_cast<int64_t>(size);
      }
    } else if (policy != "stretch") {
      return ctx.error() << "keep_aspect_ratio_policy '" << policy
                         << "' is not stretch, not_larger or not_smaller";
    }
  }
  Builder &b = ctx.builder;
  return ctx.setResults(ctx.create<ResizeOp>(
      *x, b.getDenseI64ArrayAttr(sizes), b.getDenseF64ArrayAttr(scales),
      ResizeModeAttr::get(b.getContext(), *mode),
      CoordinateModeAttr::get(b.getContext(), *coordMode),
      NearestModeAttr::get(b.getContext(), *nearest),
      b.getF64FloatAttr(ctx.floatAttr("cubic_coeff_a", -0.75f)),
      b.getBoolAttr(ctx.intAttr("exclude_outside", 0) != 0),
      b.getBoolAttr(ctx.intAttr("antialias", 0) != 0), roiAttr,
      b.getF64FloatAttr(extrapolation)));
}

/// GridSample: opsets 16 to 19 sample 4-D inputs with the modes bilinear,
/// nearest and bicubic; opset 20 renamed them linear and cubic and allowed
/// any number of spatial dims.
LogicalResult importGridSample(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), grid = ctx.requiredInput(1);
  if (failed(x) || failed(grid))
    return failure();
  bool renamed = ctx.opset >= 20;
  std::string modeName =
      ctx.stringAttr("mode", renamed ? "linear" : "bilinear");
  std::optional<ResizeMode> mode;
  if (modeName == "nearest")
    mode = ResizeMode::nearest;
  else if (modeName == (renamed ? "linear" : "bilinear"))
    mode = ResizeMode::linear;
  else if (modeName == (renamed ? "cubic" : "bicubic"))
    mode = ResizeMode::cubic;
  else
    return ctx.error() << "mode '" << modeName << "' is not "
                       << (renamed ? "linear, nearest or cubic"
                                   : "bilinear, nearest or bicubic");
  std::string paddingName = ctx.stringAttr("padding_mode", "zeros");
  std::optional<GridPadding> padding = symbolizeGridPadding(paddingName);
  if (!padding)
    return ctx.error() << "padding_mode '" << paddingName
                       << "' is not zeros, border or reflection";
  bool align = ctx.intAttr("align_corners", 0) != 0;
  auto type = NodeContext::typeOf(*x);
  if (!renamed && type.getRank() != 4)
    return ctx.error() << "opset " << ctx.opset
                       << " samples 4-D inputs only, got rank "
                       << type.getRank();
  if (!isa<FloatType>(type.getElementType()))
    return ctx.error() << "sampling a " << type.getElementType()
                       << " input is not supported (floating-point only)";
  Builder &b = ctx.builder;
  return ctx.setResults(ctx.create<GridSampleOp>(
      *x, *grid, ResizeModeAttr::get(b.getContext(), *mode),
      GridPaddingAttr::get(b.getContext(), *padding), b.getBoolAttr(align)));
}

/// AffineGrid: the normalised positions of every output element ([x, y, 1]
/// or [x, y, z, 1], x along the last dim, as GridSample reads them) as a
/// constant, times theta transposed: one batched matmul.
LogicalResult importAffineGrid(NodeContext &ctx) {
  FailureOr<Value> theta = ctx.requiredInput(0);
  if (failed(theta))
    return failure();
  FailureOr<SmallVector<int64_t>> size = ctx.constantInts(1, "size");
  if (failed(size))
    return failure();
  bool align = ctx.intAttr("align_corners", 0) != 0;
  auto thetaType = NodeContext::typeOf(*theta);
  int64_t spatial = static_cast<int64_t>(size->size()) - 2;
  if (spatial != 2 && spatial != 3)
    return ctx.error() << "size must hold 4 (N, C, H, W) or 5 (N, C, D, H, W) "
                          "entries, got "
                       << size->size();
  if (!isa<FloatType>(thetaType.getElementType()) || thetaType.getRank() != 3 ||
      !thetaType.hasStaticShape() || thetaType.getDimSize(0) != (*size)[0] ||
      thetaType.getDimSize(1) != spatial ||
      thetaType.getDimSize(2) != spatial + 1)
    return ctx.error() << "theta must be a static float tensor of shape ("
                       << (*size)[0] << ", " << spatial << ", " << spatial + 1
                       << "), got " << thetaType;
  ArrayRef<int64_t> dims = ArrayRef(*size).drop_front(2);
  if (llvm::any_of(dims, [](int64_t d) { return d <= 0; }))
    return ctx.error() << "the spatial sizes must be positive";
  std::optional<int64_t> positions = checkedProduct(dims);
  if (!positions || failed(ctx.checkBuildSize(*positions * (spatial + 1),
                                              "a grid of positions")))
    return failure();
  // The centres of the corner elements at -1 and 1, or their outer edges.
  auto coordinate = [&](int64_t length, int64_t k) {
    if (align)
      return length == 1 ? -1.0 : -1.0 + 2.0 * k / (length - 1);
    return -1.0 + (2.0 * k + 1.0) / length;
  };
  SmallVector<double> base;
  SmallVector<int64_t> at(spatial, 0);
  for (int64_t p = 0; p < *positions; ++p) {
    for (int64_t d = spatial - 1; d >= 0; --d)
      base.push_back(coordinate(dims[d], at[d]));
    base.push_back(1.0);
    for (int64_t d = spatial - 1; d >= 0 && ++at[d] == dims[d]; --d)
      at[d] = 0;
  }
  auto baseType = RankedTensorType::get({1, *positions, spatial + 1},
                                        ctx.builder.getF64Type());
  Value grid = ctx.constant(DenseElementsAttr::get(baseType, ArrayRef(base)));
  Type element = thetaType.getElementType();
  if (!element.isF64())
    grid = ctx.create<CastOp>(grid, element);
  Value thetaT = ctx.create<TransposeOp>(*theta, SmallVector<int64_t>{0, 2, 1});
  Value moved = ctx.create<MatMulOp>(grid, thetaT, /*precision=*/nullptr);
  SmallVector<int64_t> shape = {(*size)[0]};
  shape.append(dims.begin(), dims.end());
  shape.push_back(spatial);
  return ctx.setResults(ctx.create<ReshapeOp>(moved, shape));
}

/// Upsample (opsets 7 to 9, Resize's predecessor) in nearest mode with
/// whole-number scales: every element repeated `scale` times along each dim,
/// which is a nearest resize with asymmetric coordinates rounded down. ONNX
/// leaves the rounding of fractional scales and the linear mode's coordinates
/// loosely defined; those are refused rather than guessed.
LogicalResult importUpsample(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = NodeContext::typeOf(*x);
  SmallVector<double> scales;
  if (ctx.opset < 9) {
    const onnx::AttributeProto *given =
        ctx.typedAttr("scales", onnx::AttributeProto::FLOATS);
    if (!given)
      return ctx.error() << "needs the scales attribute";
    scales.assign(given->floats().begin(), given->floats().end());
  } else {
    DenseElementsAttr given = ctx.constantAttr(1);
    if (!given || !isa<FloatType>(given.getElementType()))
      return ctx.error() << "input #1 (scales) must be a constant float tensor";
    for (const APFloat &scale : given.getValues<APFloat>())
      scales.push_back(scale.convertToDouble());
  }
  std::string mode = ctx.stringAttr("mode", "nearest");
  if (mode != "nearest")
    return ctx.error() << "mode '" << mode << "' is not supported (nearest)";
  if (static_cast<int64_t>(scales.size()) != type.getRank())
    return ctx.error() << "scales must hold one value per dim";
  SmallVector<int64_t> sizes(type.getRank(), -1);
  for (auto [axis, scale] : llvm::enumerate(scales)) {
    if (!(scale >= 1 && scale <= 1024 && std::floor(scale) == scale)) {
      std::ostringstream text; // 1.5, where a diagnostic would say 1.5e+00
      text << scale;
      return ctx.error() << "scale " << text.str() << " of dim " << axis
                         << " is not supported (whole numbers from 1 to 1024)";
    }
    if (scale == 1)
      continue;
    int64_t in = type.getDimSize(axis);
    if (ShapedType::isDynamic(in))
      return ctx.error() << "upsampled dim " << axis << " must be static";
    sizes[axis] = in * static_cast<int64_t>(scale);
  }
  Builder &b = ctx.builder;
  return ctx.setResults(ctx.create<ResizeOp>(
      *x, b.getDenseI64ArrayAttr(sizes), b.getDenseF64ArrayAttr(scales),
      ResizeModeAttr::get(b.getContext(), ResizeMode::nearest),
      CoordinateModeAttr::get(b.getContext(), CoordinateMode::asymmetric),
      NearestModeAttr::get(b.getContext(), NearestMode::floor),
      b.getF64FloatAttr(-0.75), b.getBoolAttr(false), b.getBoolAttr(false),
      /*roi=*/nullptr, b.getF64FloatAttr(0.0)));
}

template <typename OpT> LogicalResult importArgReduce(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  FailureOr<int64_t> axis =
      ctx.axis(ctx.intAttr("axis", 0), NodeContext::typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  return ctx.setResults(ctx.create<OpT>(
      *x, static_cast<uint64_t>(*axis), ctx.intAttr("keepdims", 1) != 0,
      ctx.intAttr("select_last_index", 0) != 0));
}

/// True if the node's `activations` are absent or name `defaults` (the
/// activations of one direction) for each of its `dirs` directions. ONNX
/// names are compared without case, as onnxruntime does.
bool hasDefaultActivations(NodeContext &ctx, ArrayRef<StringRef> defaults,
                           int64_t dirs) {
  const onnx::AttributeProto *a =
      ctx.typedAttr("activations", onnx::AttributeProto::STRINGS);
  if (!a)
    return !ctx.attr("activations");
  if (a->strings_size() != static_cast<int>(defaults.size() * dirs))
    return false;
  for (int i = 0; i < a->strings_size(); ++i)
    if (!StringRef(a->strings(i))
             .equals_insensitive(defaults[i % defaults.size()]))
      return false;
  return true;
}

/// RNN, LSTM and GRU with the default activations and no clipping; per-batch
/// sequence lengths and LSTM peepholes are operands of the dsr1 op. dsr1's
/// recurrences take the sequence-first layout:
/// layout=1 (batch first) is transposed into it, and the results back.
template <typename OpT> LogicalResult importRnn(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), w = ctx.requiredInput(1),
                   r = ctx.requiredInput(2);
  if (failed(x) || failed(w) || failed(r))
    return failure();
  int64_t layout = ctx.intAttr("layout", 0);
  if (layout != 0 && layout != 1)
    return ctx.error() << "layout " << layout << " is not 0 or 1";
  bool batchFirst = layout == 1;
  Value sequenceLens = ctx.input(4);
  if (sequenceLens &&
      !NodeContext::typeOf(sequenceLens).getElementType().isInteger(32))
    return ctx.error() << "sequence_lens must be an int32 tensor";
  std::string direction = ctx.stringAttr("direction", "forward");
  std::optional<RnnDirection> dir = symbolizeRnnDirection(direction);
  if (!dir)
    return ctx.error() << "direction '" << direction << "' is not one of "
                       << "forward, reverse, bidirectional";
  // Some exporters spell the default activations out; those are the form
  // dsr1 computes. Anything else (and any clip) is not.
  SmallVector<StringRef, 3> defaults;
  if constexpr (std::is_same_v<OpT, LstmOp>)
    defaults = {"Sigmoid", "Tanh", "Tanh"};
  else if constexpr (std::is_same_v<OpT, GruOp>)
    defaults = {"Sigmoid", "Tanh"};
  else
    defaults = {"Tanh"};
  int64_t dirs = *dir == RnnDirection::bidirectional ? 2 : 1;
  if (!hasDefaultActivations(ctx, defaults, dirs) || ctx.attr("clip"))
    return ctx.error() << "custom activations and clip are not supported";
  if (!ctx.attr("hidden_size"))
    return ctx.error() << "needs the hidden_size attribute";
  if constexpr (std::is_same_v<OpT, LstmOp>) {
    if (ctx.intAttr("input_forget", 0))
      return ctx.error() << "input_forget is not supported";
  }
  IntegerAttr hidden =
      ctx.builder.getI64IntegerAttr(ctx.intAttr("hidden_size", 0));
  auto directionAttr = RnnDirectionAttr::get(ctx.builder.getContext(), *dir);
  // X [B, S, I] -> [S, B, I] and the initial states [B, D, H] -> [D, B, H]
  // (the same swap); an absent input stays absent.
  auto swapLeading = [&](Value v) -> Value {
    if (!v || !batchFirst)
      return v;
    return ctx.create<TransposeOp>(v, SmallVector<int64_t>{1, 0, 2});
  };
  Value seqX = swapLeading(*x);
  Value initialH = swapLeading(ctx.input(5));
  SmallVector<Value> results;
  if constexpr (std::is_same_v<OpT, LstmOp>) {
    Value initialC = swapLeading(ctx.input(6));
    Operation *op =
        ctx.build<LstmOp>(seqX, *w, *r, ctx.input(3), initialH, initialC,
                          ctx.input(7), sequenceLens, hidden, directionAttr,
                          /*precision=*/nullptr);
    if (!op)
      return failure();
    results.assign(op->result_begin(), op->result_end());
  } else if constexpr (std::is_same_v<OpT, SimpleRnnOp>) {
    Operation *op = ctx.build<SimpleRnnOp>(seqX, *w, *r, ctx.input(3), initialH,
                                           sequenceLens, hidden, directionAttr,
                                           /*precision=*/nullptr);
    if (!op)
      return failure();
    results.assign(op->result_begin(), op->result_end());
  } else {
    Operation *op = ctx.build<GruOp>(
        seqX, *w, *r, ctx.input(3), initialH, sequenceLens, hidden,
        directionAttr,
        ctx.builder.getBoolAttr(ctx.intAttr("linear_before_reset", 0)),
        /*precision=*/nullptr);
    if (!op)
      return failure();
    results.assign(op->result_begin(), op->result_end());
  }
  if (batchFirst) {
    // Y [S, D, B, H] -> [B, S, D, H]; the last states [D, B, H] -> [B, D, H].
    results[0] =
        ctx.create<TransposeOp>(results[0], SmallVector<int64_t>{2, 0, 1, 3});
    for (Value &state : llvm::drop_begin(results))
      state = ctx.create<TransposeOp>(state, SmallVector<int64_t>{1, 0, 2});
  }
  return ctx.setResults(results);
}

/// Grouped-query attention: each of the `kvHeads` heads of `x` (k or v, in
/// the layout of `rank`) repeated `group` times in place, h0 h0 h1 h1 ..., so
/// that query head h reads kv head h / group, as the ONNX reference does.
Value repeatHeads(NodeContext &ctx, Value x, int64_t rank, int64_t kvHeads,
                  int64_t group) {
  ArrayRef<int64_t> s = NodeContext::typeOf(x).getShape();
  SmallVector<int64_t> split, expanded, merged;
  if (rank == 4) { // [B, Hkv, S, D] -> [B, Hkv, 1, S, D]
    split = {s[0], s[1], 1, s[2], s[3]};
    expanded = {s[0], s[1], group, s[2], s[3]};
    merged = {s[0], s[1] * group, s[2], s[3]};
  } else { // [B, S, Hkv * D] -> [B, S, Hkv, 1, D]
    int64_t depth = s[2] / kvHeads;
    split = {s[0], s[1], kvHeads, 1, depth};
    expanded = {s[0], s[1], kvHeads, group, depth};
    merged = {s[0], s[1], s[2] * group};
  }
  Value one = ctx.create<ReshapeOp>(x, split);
  Value repeated = ctx.create<ExpandOp>(one, expanded);
  return ctx.create<ReshapeOp>(repeated, merged);
}

/// [B, S, H * D] -> [B, H, S, D], the layout of an Attention cache.
static Value splitHeads(NodeContext &ctx, Value x, int64_t heads) {
  Value split = ctx.create<ReshapeOp>(x, SmallVector<int64_t>{0, 0, heads, -1});
  return ctx.create<TransposeOp>(split, SmallVector<int64_t>{0, 2, 1, 3});
}

/// The Attention op (opsets 23 to 25): q, k, v in [B, H, S, D] or [B, S, H*D]
/// with q_num_heads / kv_num_heads, an optional boolean or additive mask,
/// causal, softcap, a sliding window (25); a KV cache inside the op (past
/// key/value concatenated with k/v into the present ones) or outside it (the
/// per-batch valid lengths nonpad_kv_seqlen, 24); the scores at a chosen stage
/// (qk_matmul_output). Grouped-query attention repeats the k/v heads.
LogicalResult importAttention23(NodeContext &ctx) {
  FailureOr<Value> q = ctx.requiredInput(0), k = ctx.requiredInput(1),
                   v = ctx.requiredInput(2);
  if (failed(q) || failed(k) || failed(v))
    return failure();
  Value mask = ctx.input(3), pastKey = ctx.input(4), pastValue = ctx.input(5),
        lengths = ctx.input(6);
  if (!pastKey != !pastValue)
    return ctx.error() << "past_key and past_value must be given together";
  if (lengths && pastKey)
    return ctx.error() << "nonpad_kv_seqlen (an external KV cache) cannot be "
                          "combined with past_key and past_value";
  // Softmax runs in f32 whatever softmax_precision asks: at least the
  // precision any of its values (f16, bf16, f32) asks for.
  (void)ctx.attr("softmax_precision");
  int64_t mode = ctx.intAttr("qk_matmul_output_mode", 0);
  if (mode < 0 || mode > 3)
    return ctx.error() << "qk_matmul_output_mode must be 0 to 3, got " << mode;
  float softcap = ctx.floatAttr("softcap", 0.0f);
  if (!std::isfinite(softcap))
    return ctx.error() << "softcap must be finite";
  int64_t rank = NodeContext::typeOf(*q).getRank();
  for (Value operand : {*q, *k, *v})
    if (NodeContext::typeOf(operand).getRank() != rank ||
        (rank != 3 && rank != 4))
      return ctx.error() << "query, key and value must all be 3-D or all 4-D";
  int64_t heads = rank == 4 ? NodeContext::typeOf(*q).getDimSize(1)
                            : ctx.intAttr("q_num_heads", 0);
  int64_t kvHeads = rank == 4 ? NodeContext::typeOf(*k).getDimSize(1)
                              : ctx.intAttr("kv_num_heads", heads);
  if (heads <= 0 || ShapedType::isDynamic(heads))
    return ctx.error() << "needs a known head count (q_num_heads for 3-D "
                          "inputs)";
  if (kvHeads <= 0 || ShapedType::isDynamic(kvHeads))
    return ctx.error() << "needs a known key/value head count";

  // The cache is [B, Hkv, S, D] in both layouts: with a cache, 3-D inputs are
  // split into heads and the result merged back at the end.
  bool cached = pastKey || ctx.hasOutput(1) || ctx.hasOutput(2);
  bool merge = cached && rank == 3;
  if (merge) {
    *q = splitHeads(ctx, *q, heads);
    *k = splitHeads(ctx, *k, kvHeads);
    *v = splitHeads(ctx, *v, kvHeads);
    rank = 4;
  }
  // The new keys' length, before the cache is prepended.
  int64_t newKeys = NodeContext::typeOf(*k).getDimSize(rank == 4 ? 2 : 1);
  if (pastKey) {
    *k = ctx.create<ConcatOp>(ValueRange{pastKey, *k}, uint64_t(2));
    *v = ctx.create<ConcatOp>(ValueRange{pastValue, *v}, uint64_t(2));
  }
  Value presentKey = *k, presentValue = *v;
  if (!*k || !*v)
    return failure(); // A build failed and has said why.

  if (kvHeads != heads) {
    if (heads % kvHeads ||
        (rank == 4 && NodeContext::typeOf(*v).getDimSize(1) != kvHeads))
      return ctx.error() << "grouped-query attention needs the " << heads
                         << " query heads to be a multiple of the key/value "
                            "heads, got "
                         << kvHeads;
    for (Value operand : {*k, *v}) {
      auto type = NodeContext::typeOf(operand);
      if (!type.hasStaticShape() || (rank == 3 && type.getDimSize(2) % kvHeads))
        return ctx.error() << "grouped-query attention needs static key and "
                              "value shapes, with "
                           << kvHeads << " heads, got "
                           << formatShape(type.getShape());
    }
    *k = repeatHeads(ctx, *k, rank, kvHeads, heads / kvHeads);
    *v = repeatHeads(ctx, *v, rank, kvHeads, heads / kvHeads);
  }

  // A mask shorter than the keys (it need only cover the valid ones) is
  // padded with masked positions: -inf, or false. As in the reference, this
  // applies to a last dimension of 1 too, which is then not broadcast.
  int64_t seqDim = rank == 4 ? 2 : 1;
  int64_t kvLen = NodeContext::typeOf(presentKey).getDimSize(seqDim);
  if (mask) {
    auto maskType = NodeContext::typeOf(mask);
    int64_t maskLen =
        maskType.getRank() ? maskType.getShape().back() : ShapedType::kDynamic;
    if (!ShapedType::isDynamic(maskLen) && !ShapedType::isDynamic(kvLen) &&
        maskLen < kvLen) {
      SmallVector<int64_t> pads(2 * maskType.getRank(), 0);
      pads.back() = kvLen - maskLen;
      bool boolean = maskType.getElementType().isInteger(1);
      mask = ctx.create<PadOp>(
          mask, ctx.builder.getDenseI64ArrayAttr(pads),
          PadModeAttr::get(ctx.builder.getContext(), PadMode::constant),
          ctx.builder.getF64FloatAttr(
              boolean ? 0.0 : -std::numeric_limits<double>::infinity()));
    }
  }

  // Sliding window (opset 25): keys j with p - left <= j <= p + right for the
  // query at position p (-1: unbounded).
  int64_t left = ctx.intAttr("left_window_size", -1),
          right = ctx.intAttr("right_window_size", -1);
  if (left < -1 || right < -1)
    return ctx.error() << "left_window_size and right_window_size must be -1 "
                          "or non-negative, got "
                       << left << " and " << right;
  Builder &b = ctx.builder;
  IntegerAttr windowLeft = left >= 0 ? b.getI64IntegerAttr(left) : nullptr;
  IntegerAttr windowRight = right >= 0 ? b.getI64IntegerAttr(right) : nullptr;
  FloatAttr scale;
  if (const onnx::AttributeProto *s = ctx.attr("scale"))
    scale = b.getF64FloatAttr(s->f());
  // The reference applies softcap only when it is positive.
  FloatAttr cap = softcap > 0 ? b.getF64FloatAttr(softcap) : FloatAttr();
  auto scores = ctx.hasOutput(3)
                    ? AttentionScoresAttr::get(
                          b.getContext(), static_cast<AttentionScores>(mode))
                    : AttentionScoresAttr();
  // Where the queries stand among the keys, for the causal frontier and the
  // window: after the past_key.shape[2] cached keys (internal cache), the
  // last of the nonpad_kv_seqlen[b] valid keys (external cache), or at 0.
  // With a past of unknown length, queries as many as the new keys (decoding)
  // are the last of all keys, which bottom_right says without the length.
  bool causal = ctx.intAttr("is_causal", 0) != 0;
  bool bottomRight = lengths != nullptr;
  IntegerAttr queryOffset;
  if (pastKey) {
    int64_t pastLen = NodeContext::typeOf(pastKey).getDimSize(2);
    int64_t queries = NodeContext::typeOf(*q).getDimSize(2);
    if (!ShapedType::isDynamic(pastLen))
      queryOffset = b.getI64IntegerAttr(pastLen);
    else if (!ShapedType::isDynamic(queries) && queries == newKeys)
      bottomRight = true;
    else if (causal || windowLeft || windowRight)
      return ctx.error() << "a causal mask or window over past_key needs a "
                            "static past length, or as many queries as new "
                            "keys";
  }
  Operation *attention = ctx.build<AttentionOp>(
      *q, *k, *v, mask, lengths, heads, scale, causal, Modality::unknown,
      Modality::unknown, /*precision=*/nullptr, cap, bottomRight, queryOffset,
      windowLeft, windowRight, scores);
  if (!attention)
    return failure();
  Value y = attention->getResult(0);
  if (merge) { // [B, H, Sq, Dv] -> [B, Sq, H * Dv]
    y = ctx.create<TransposeOp>(y, SmallVector<int64_t>{0, 2, 1, 3});
    y = ctx.create<ReshapeOp>(y, SmallVector<int64_t>{0, 0, -1});
  }
  SmallVector<Value, 4> results = {y, presentKey, presentValue};
  if (scores)
    results.push_back(attention->getResult(1));
  return ctx.setResults(results);
}

/// ai.onnx.preview FlexAttention: softmax(score_mod(Q K^T * scale)), through
/// prob_mod, times V. The modifier subgraphs act on the whole score tensor,
/// so they are imported inline on it; dsr1.attention has no place for them,
/// hence a composition, computed as the reference does (Q and K each scaled
/// by sqrt(scale), the softmax and the product with V in softmax_precision).
LogicalResult importFlexAttention(NodeContext &ctx) {
  FailureOr<Value> q = ctx.requiredInput(0), k = ctx.requiredInput(1),
                   v = ctx.requiredInput(2);
  if (failed(q) || failed(k) || failed(v))
    return failure();
  for (Value operand : {*q, *k, *v})
    if (NodeContext::typeOf(operand).getRank() != 4)
      return ctx.error() << "query, key and value must be 4-D, got "
                         << operand.getType();
  Type element = NodeContext::typeOf(*q).getElementType();
  int64_t heads = NodeContext::typeOf(*q).getDimSize(1);
  int64_t kvHeads = NodeContext::typeOf(*k).getDimSize(1);
  int64_t headSize = NodeContext::typeOf(*q).getDimSize(3);
  if (heads != kvHeads) {
    if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(kvHeads) ||
        kvHeads <= 0 || heads % kvHeads ||
        NodeContext::typeOf(*v).getDimSize(1) != kvHeads ||
        !NodeContext::typeOf(*k).hasStaticShape() ||
        !NodeContext::typeOf(*v).hasStaticShape())
      return ctx.error() << "grouped-query attention needs static key and "
                            "value shapes and the query heads a multiple of "
                            "their heads, got "
                         << heads << " and " << kvHeads;
    *k = repeatHeads(ctx, *k, 4, kvHeads, heads / kvHeads);
    *v = repeatHeads(ctx, *v, 4, kvHeads, heads / kvHeads);
  }
  double scale;
  if (const onnx::AttributeProto *given =
          ctx.typedAttr("scale", onnx::AttributeProto::FLOAT)) {
    scale = given->f();
  } else {
    if (ShapedType::isDynamic(headSize))
      return ctx.error() << "the default scale needs a static head size";
    scale = 1.0 / std::sqrt(static_cast<double>(headSize));
  }
  Builder &b = ctx.builder;
  // The softmax (and what feeds it) runs in f32 for f16 and bf16 inputs, in
  // the input type for f32 and f64, unless softmax_precision says otherwise.
  Type compute = element.isF64() ? b.getF64Type() : b.getF32Type();
  if (const onnx::AttributeProto *precision =
          ctx.typedAttr("softmax_precision", onnx::AttributeProto::INT)) {
    switch (precision->i()) {
    case onnx::TensorProto::FLOAT:
      compute = b.getF32Type();
      break;
    case onnx::TensorProto::FLOAT16:
      compute = b.getF16Type();
      break;
    case onnx::TensorProto::BFLOAT16:
      compute = b.getBF16Type();
      break;
    case onnx::TensorProto::DOUBLE:
      compute = b.getF64Type();
      break;
    default:
      return ctx.error() << "softmax_precision "
                         << describeOnnxType(precision->i())
                         << " is not supported (FLOAT, FLOAT16, BFLOAT16 or "
                            "DOUBLE)";
    }
  }
  const onnx::GraphProto *scoreMod = ctx.graphAttr("score_mod");
  const onnx::GraphProto *probMod = ctx.graphAttr("prob_mod");
  // A modifier gives one tensor of its input's shape, in `compute`.
  auto modify = [&](StringRef name, const onnx::GraphProto *graph,
                    Value x) -> Value {
    if (!graph || !x)
      return x;
    FailureOr<SmallVector<Value>> out = ctx.inlineGraph(name, *graph, {x});
    if (failed(out))
      return nullptr;
    if (out->size() != 1 || NodeContext::typeOf(out->front()).getShape() !=
                                NodeContext::typeOf(x).getShape()) {
      ctx.error() << name << " must give one tensor of its input's shape "
                  << x.getType();
      return nullptr;
    }
    Value y = out->front();
    return NodeContext::typeOf(y).getElementType() == compute
               ? y
               : ctx.create<CastOp>(y, compute);
  };
  auto castTo = [&](Value x, Type type) -> Value {
    if (!x || NodeContext::typeOf(x).getElementType() == type)
      return x;
    return ctx.create<CastOp>(x, type);
  };
  // As the reference: sqrt(scale) rounded to f32, then to the input type.
  Value root = ctx.scalar(
      element, static_cast<double>(std::sqrt(static_cast<float>(scale))));
  Value qs = ctx.create<MulOp>(*q, root);
  Value ks = ctx.create<MulOp>(*k, root);
  Value kt = ctx.create<TransposeOp>(ks, SmallVector<int64_t>{0, 1, 3, 2});
  Value scores =
      castTo(ctx.create<MatMulOp>(qs, kt, /*precision=*/nullptr), compute);
  scores = modify("score_mod", scoreMod, scores);
  if (!scores)
    return failure();
  Value probs =
      modify("prob_mod", probMod, ctx.create<SoftmaxOp>(scores, uint64_t(3)));
  if (!probs)
    return failure();
  Value y = ctx.create<MatMulOp>(probs, castTo(*v, compute),
                                 /*precision=*/nullptr);
  return ctx.setResults(castTo(y, NodeContext::typeOf(*v).getElementType()));
}

/// LinearAttention (opset 27): the recurrence of linear attention, gated
/// linear attention, DeltaNet and Gated DeltaNet, as dsr1.linear_attention.
LogicalResult importLinearAttention(NodeContext &ctx) {
  FailureOr<Value> q = ctx.requiredInput(0), k = ctx.requiredInput(1),
                   v = ctx.requiredInput(2);
  if (failed(q) || failed(k) || failed(v))
    return failure();
  // A tuning hint for chunked prefill; the result is the recurrence's.
  (void)ctx.attr("chunk_size");
  std::string rule = ctx.stringAttr("update_rule", "gated_delta");
  std::optional<LinearAttentionRule> parsed =
      symbolizeLinearAttentionRule(rule);
  if (!parsed)
    return ctx.error() << "update_rule '" << rule
                       << "' is not one of linear, gated, delta, gated_delta";
  int64_t heads = ctx.intAttr("q_num_heads", 0),
          kvHeads = ctx.intAttr("kv_num_heads", 0);
  if (heads <= 0 || kvHeads <= 0)
    return ctx.error() << "needs positive q_num_heads and kv_num_heads, got "
                       << heads << " and " << kvHeads;
  // 0, the default, means 1 / sqrt(Dk).
  float scale = ctx.floatAttr("scale", 0.0f);
  Builder &b = ctx.builder;
  Operation *op = ctx.build<LinearAttentionOp>(
      *q, *k, *v, ctx.input(3), ctx.input(4), ctx.input(5),
      b.getI64IntegerAttr(heads), b.getI64IntegerAttr(kvHeads),
      scale != 0.0f ? b.getF64FloatAttr(scale) : FloatAttr(),
      LinearAttentionRuleAttr::get(b.getContext(), *parsed));
  if (!op)
    return failure();
  return ctx.setResults(op->getResults());
}

/// RotaryEmbedding (opset 23), as the ONNX reference computes it: the first
/// R = rotary_embedding_dim (default: the head size) features of each head
/// split into halves x1, x2 (or the even and odd features, interleaved) and
/// rotated by the cached angle of the token's position,
///   (cos * x1 - sin * x2, sin * x1 + cos * x2),
/// the other features passed through. The caches are [max_pos, R / 2] read at
/// position_ids [B, S], or already [B, S, R / 2]. Input: [B, H, S, D], or
/// [B, S, H * D] with num_heads.
LogicalResult importRotaryEmbedding(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0), cosIn = ctx.requiredInput(1),
                   sinIn = ctx.requiredInput(2);
  if (failed(x) || failed(cosIn) || failed(sinIn))
    return failure();
  Value positions = ctx.input(3);
  bool interleaved = ctx.intAttr("interleaved", 0) != 0;
  int64_t numHeads = ctx.intAttr("num_heads", 0);
  int64_t rotaryDim = ctx.intAttr("rotary_embedding_dim", 0);
  auto type = NodeContext::typeOf(*x);
  ArrayRef<int64_t> shape = type.getShape();
  if ((type.getRank() != 3 && type.getRank() != 4) || !type.hasStaticShape())
    return ctx.error() << "needs a static 3-D or 4-D input, got "
                       << formatShape(shape);
  bool packed = type.getRank() == 3;
  int64_t batch = shape[0], seq = packed ? shape[1] : shape[2];
  if (packed && (numHeads <= 0 || shape[2] % numHeads))
    return ctx.error() << "a 3-D input needs num_heads dividing its hidden "
                          "size "
                       << shape[2] << ", got " << numHeads;
  int64_t heads = packed ? numHeads : shape[1];
  int64_t depth = packed ? shape[2] / numHeads : shape[3];
  if (rotaryDim == 0)
    rotaryDim = depth;
  if (rotaryDim < 0 || rotaryDim > depth || rotaryDim % 2)
    return ctx.error() << "rotary_embedding_dim " << rotaryDim
                       << " must be even and at most the head size " << depth;
  int64_t half = rotaryDim / 2;

  // The angles of each token: [B, S, R / 2].
  Value cosines = *cosIn, sines = *sinIn;
  if (positions) {
    cosines = ctx.create<GatherOp>(cosines, positions, 0);
    sines = ctx.create<GatherOp>(sines, positions, 0);
  }
  SmallVector<int64_t> angleShape = {batch, seq, half};
  for (Value cache : {cosines, sines})
    if (cache &&
        NodeContext::typeOf(cache).getShape() != ArrayRef<int64_t>(angleShape))
      return ctx.error() << "the cos and sin caches must give "
                         << formatShape(angleShape) << ", got "
                         << formatShape(NodeContext::typeOf(cache).getShape());
  // Heads in the order of the input's: [B, S, H, D] for packed input.
  SmallVector<int64_t> headsShape =
      packed ? SmallVector<int64_t>{batch, seq, heads, depth}
             : SmallVector<int64_t>(shape);
  SmallVector<int64_t> angleBroadcast =
      packed ? SmallVector<int64_t>{batch, seq, 1, half}
             : SmallVector<int64_t>{batch, 1, seq, half};
  Value input = packed ? ctx.create<ReshapeOp>(*x, headsShape) : *x;
  cosines = ctx.create<ReshapeOp>(cosines, angleBroadcast);
  sines = ctx.create<ReshapeOp>(sines, angleBroadcast);

  Builder &b = ctx.builder;
  auto slice = [&](Value v, int64_t start, int64_t end, int64_t step) {
    return ctx.create<SliceOp>(
        v, b.getDenseI64ArrayAttr({start}), b.getDenseI64ArrayAttr({end}),
        b.getDenseI64ArrayAttr({3}), b.getDenseI64ArrayAttr({step}));
  };
  Value x1 =
      interleaved ? slice(input, 0, rotaryDim, 2) : slice(input, 0, half, 1);
  Value x2 = interleaved ? slice(input, 1, rotaryDim, 2)
                         : slice(input, half, rotaryDim, 1);
  Value cx1 = ctx.create<MulOp>(cosines, x1);
  Value sx2 = ctx.create<MulOp>(sines, x2);
  Value real = ctx.create<SubOp>(cx1, sx2);
  Value sx1 = ctx.create<MulOp>(sines, x1);
  Value cx2 = ctx.create<MulOp>(cosines, x2);
  Value imag = ctx.create<AddOp>(sx1, cx2);
  Value rotated;
  if (interleaved) { // real and imag alternate: [.., R / 2, 2] -> [.., R].
    SmallVector<int64_t> pairShape(headsShape);
    pairShape.back() = half;
    pairShape.push_back(1);
    Value r = ctx.create<ReshapeOp>(real, pairShape);
    Value i = ctx.create<ReshapeOp>(imag, pairShape);
    Value pairs = ctx.create<ConcatOp>(SmallVector<Value>{r, i}, uint64_t(4));
    SmallVector<int64_t> rotatedShape(headsShape);
    rotatedShape.back() = rotaryDim;
    rotated = ctx.create<ReshapeOp>(pairs, rotatedShape);
  } else {
    rotated = ctx.create<ConcatOp>(SmallVector<Value>{real, imag}, uint64_t(3));
  }
  Value result = rotated;
  if (rotaryDim < depth) {
    Value rest = slice(input, rotaryDim, depth, 1);
    result =
        ctx.create<ConcatOp>(SmallVector<Value>{rotated, rest}, uint64_t(3));
  }
  if (packed)
    result = ctx.create<ReshapeOp>(result, SmallVector<int64_t>(shape));
  return ctx.setResults(result);
}

} // namespace

void registerNeuralNetImporters(OpRegistry &r) {
  constexpr int64_t lo = kMinOpset, hi = kMaxOpset;
  // An op registered from an opset below `lo` has had its current form since
  // then (or its importer reads the older one); older forms are refused.
  r.add("", "MatMul", 1, hi, importMatMul);
  r.add("", "Gemm", 7, hi, importGemm);
  r.add("", "Conv", lo, hi, importConv);
  r.add("", "ConvTranspose", lo, hi, importConvTranspose);
  r.add("", "CausalConvWithState", 27, hi, importCausalConvWithState);
  r.add("", "CumSum", lo, hi, importCumulative<CumSumOp>);
  r.add("", "CumProd", 26, hi, importCumulative<CumProdOp>);
  r.add("", "TopK", 1, hi, importTopK);
  r.add("", "MaxPool", lo, hi, importPool<MaxPoolOp>);
  r.add("", "AveragePool", lo, hi, importPool<AvgPoolOp>);
  r.add("", "LpPool", lo, hi, importLpPool);
  r.add("", "LRN", lo, hi, importLrn);
  r.add("", "GlobalAveragePool", 1, hi, [](NodeContext &ctx) {
    FailureOr<Value> x = ctx.requiredInput(0);
    return failed(x) ? failure()
                     : ctx.setResults(ctx.create<GlobalAvgPoolOp>(*x));
  });
  r.add("", "GlobalMaxPool", 1, hi, [](NodeContext &ctx) {
    FailureOr<Value> x = ctx.requiredInput(0);
    return failed(x) ? failure()
                     : ctx.setResults(ctx.create<GlobalMaxPoolOp>(*x));
  });
  r.add("", "BatchNormalization", lo, hi, importBatchNorm);
  r.add("", "InstanceNormalization", 6, hi, importInstanceNorm);
  r.add("", "LayerNormalization", 17, hi, importLayerNorm);
  r.add("", "Softmax", 1, hi, importSoftmax<SoftmaxOp>);
  r.add("", "LogSoftmax", 1, hi, importSoftmax<LogSoftmaxOp>);
  r.add("", "NegativeLogLikelihoodLoss", 12, hi, importNllLoss);
  r.add("", "SoftmaxCrossEntropyLoss", 12, hi, importSoftmaxCrossEntropyLoss);
  r.add("", "ArgMax", lo, hi, importArgReduce<ArgMaxOp>);
  r.add("", "ArgMin", lo, hi, importArgReduce<ArgMinOp>);
  r.add("", "ReduceSum", 1, hi, importReduce<ReduceSumOp>);
  r.add("", "ReduceMean", 1, hi, importReduce<ReduceMeanOp>);
  r.add("", "ReduceMax", 1, hi, importReduce<ReduceMaxOp>);
  r.add("", "ReduceMin", 1, hi, importReduce<ReduceMinOp>);
  r.add("", "ReduceProd", 1, hi, importReduce<ReduceProdOp>);
  r.add("", "ReduceL1", 1, hi, importReduceComposite<ReduceKind::L1>);
  r.add("", "ReduceL2", 1, hi, importReduceComposite<ReduceKind::L2>);
  r.add("", "ReduceSumSquare", 1, hi,
        importReduceComposite<ReduceKind::SumSquare>);
  r.add("", "ReduceLogSum", 1, hi, importReduceComposite<ReduceKind::LogSum>);
  r.add("", "ReduceLogSumExp", 1, hi,
        importReduceComposite<ReduceKind::LogSumExp>);
  r.add("", "RMSNormalization", 23, hi, importRmsNorm);
  r.add("", "GroupNormalization", 18, hi, importGroupNorm);
  r.add("", "LpNormalization", 1, hi, importLpNorm);
  r.add("", "MeanVarianceNormalization", 9, hi, importMeanVarianceNorm);
  r.add("", "Hardmax", 13, hi, importHardmax);
  r.add("", "Resize", lo, hi, importResize);
  r.add("", "Upsample", 7, 9, importUpsample);
  r.add("", "GridSample", 16, hi, importGridSample);
  r.add("", "Einsum", 12, hi, importEinsum);
  r.add("", "AffineGrid", 20, hi, importAffineGrid);
  r.add("", "Col2Im", 18, hi, importCol2Im);
  r.add("", "Det", 11, hi, importDet);
  r.add("", "LSTM", lo, hi, importRnn<LstmOp>);
  r.add("", "GRU", lo, hi, importRnn<GruOp>);
  r.add("", "RNN", lo, hi, importRnn<SimpleRnnOp>);
  r.add("", "Attention", 23, hi, importAttention23);
  r.add("", "RotaryEmbedding", 23, hi, importRotaryEmbedding);
  r.add("", "LinearAttention", 27, hi, importLinearAttention);
  r.add("ai.onnx.preview", "FlexAttention", 1, kAnyVersion,
        importFlexAttention);
}

} // namespace dsr1::onnx_frontend
