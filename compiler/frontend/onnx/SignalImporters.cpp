//===- SignalImporters.cpp - ONNX spectral ops into dsr1 --------*- C++ -*-===//
//
// DFT, STFT and MelWeightMatrix as compositions of existing dsr1 ops: a DFT
// of static length is a matrix product with a constant matrix of cosines and
// sines, an STFT gathers the frames, windows them and takes their DFT, and a
// mel weight matrix with constant inputs is a constant.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/onnx/NodeImporter.h"

#include <cmath>

using namespace mlir;

namespace dsr1::onnx_frontend {
namespace {

/// cos and sin of 2 pi j / n for 0 <= j < n, exact at the quarter turns: a
/// real signal's spectrum then has exactly zero imaginary parts where it
/// should (at 0 and n / 2), as the FFT the reference uses gives.
std::pair<double, double> unitRoot(int64_t j, int64_t n) {
  if ((4 * j) % n == 0) {
    switch (4 * j / n) {
    case 0:
      return {1.0, 0.0};
    case 1:
      return {0.0, 1.0};
    case 2:
      return {-1.0, 0.0};
    default:
      return {0.0, -1.0};
    }
  }
  double angle = 2.0 * M_PI * static_cast<double>(j) / static_cast<double>(n);
  return {std::cos(angle), std::sin(angle)};
}

/// A constant of `shape` holding `values` (computed in double) rounded once
/// to the float type `element`.
Value floatConstant(NodeContext &ctx, ArrayRef<int64_t> shape, Type element,
                    ArrayRef<double> values) {
  return ctx.constant(
      roundedFloatElements(RankedTensorType::get(shape, element), values));
}

bool isComputeFloat(Type t) {
  return t.isF16() || t.isBF16() || t.isF32() || t.isF64();
}

/// The DFT of `x`, [..., n, ..., c] with c = 1 (real) or 2 (complex: real and
/// imaginary parts), along `axis` (not the last), with the ONNX DFT's
/// `length`, `inverse` and `onesided`, as the onnx reference computes it
/// (numpy's fft, ifft and, for inverse and onesided, irfft):
///
///   forward  y[k] = sum_n x[n] e^{-2 pi i k n / L}     (k < L, or L / 2 + 1)
///   inverse  y[t] = 1 / L sum_n x[n] e^{2 pi i t n / L}
///   irfft    y[t] = 1 / L sum_{k <= L/2} w_k Re(x[k] e^{2 pi i t k / L}),
///            w_k 1 at k = 0 and k = L / 2, 2 otherwise (a real result)
///
/// The input is cut to L values (L / 2 + 1 for irfft), or taken as padded
/// with zeros to that many. Each is linear in the real and imaginary parts,
/// so with the axis moved next to the parts and the two dims merged, it is
/// one matrix product with a constant [n * c, K * c'] matrix whose rows are
/// the input's (value, part) pairs and columns the output's: built in
/// double, stored in x's type.
FailureOr<Value> buildDft(NodeContext &ctx, Value x, int64_t axis,
                          int64_t length, bool inverse, bool onesided) {
  auto type = NodeContext::typeOf(x);
  int64_t rank = type.getRank();
  int64_t parts = type.getDimSize(rank - 1);
  int64_t n = type.getDimSize(axis);
  if (ShapedType::isDynamic(n))
    return ctx.error() << "the DFT axis (dim " << axis
                       << ") must be static (pin it with --input-shape / "
                          "--dim)";
  bool irfft = inverse && onesided;
  int64_t outParts = irfft ? 1 : 2;
  int64_t outLength = !inverse && onesided ? length / 2 + 1 : length;
  int64_t used = std::min(n, irfft ? length / 2 + 1 : length);
  int64_t rows = n * parts, cols = outLength * outParts;
  std::optional<int64_t> count = checkedProduct({rows, cols});
  if (failed(ctx.checkBuildSize(count.value_or(-1), "a DFT matrix")))
    return failure();

  std::vector<double> w(static_cast<size_t>(*count), 0.0);
  auto at = [&](int64_t in, int64_t inPart, int64_t out,
                int64_t outPart) -> double & {
    return w[(in * parts + inPart) * cols + out * outParts + outPart];
  };
  double scale = inverse ? 1.0 / static_cast<double>(length) : 1.0;
  for (int64_t i = 0; i < used; ++i) {
    for (int64_t o = 0; o < outLength; ++o) {
      auto [c, s] = unitRoot((i * o) % length, length);
      if (irfft) {
        double weight = (i == 0 || 2 * i == length) ? scale : 2.0 * scale;
        at(i, 0, o, 0) = weight * c;
        if (parts == 2)
          at(i, 1, o, 0) = -weight * s;
        continue;
      }
      // e^{-i theta} (forward) or e^{i theta} (inverse) times (a + i b).
      double sn = inverse ? s : -s;
      at(i, 0, o, 0) = scale * c;
      at(i, 0, o, 1) = scale * sn;
      if (parts == 2) {
        at(i, 1, o, 0) = -scale * sn;
        at(i, 1, o, 1) = scale * c;
      }
    }
  }
  // -0.0 (from negating an exact zero) reads badly in the IR; it is +0.0.
  for (double &v : w)
    v += 0.0;
  Value matrix =
      floatConstant(ctx, {rows, cols}, type.getElementType(), ArrayRef(w));

  // Move the axis next to the parts: [..., n, c].
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  perm.push_back(rank - 1);
  bool moved = axis != rank - 2;
  Value v = moved ? ctx.create<TransposeOp>(x, perm) : x;
  SmallVector<int64_t> flat(rank - 2, 0);
  flat.push_back(rows);
  v = ctx.create<ReshapeOp>(v, flat);
  v = ctx.create<MatMulOp>(v, matrix, /*precision=*/nullptr);
  SmallVector<int64_t> split(rank - 2, 0);
  split.append({outLength, outParts});
  v = ctx.create<ReshapeOp>(v, split);
  if (moved && v) {
    SmallVector<int64_t> inverse(rank);
    for (auto [i, p] : llvm::enumerate(perm))
      inverse[p] = static_cast<int64_t>(i);
    v = ctx.create<TransposeOp>(v, inverse);
  }
  if (!v)
    return failure(); // A build failed and said why.
  return v;
}

/// Checks that `x` holds signal values as DFT and STFT take them: a float
/// tensor of at least `minRank` whose last dim is 1 (real) or 2 (complex).
LogicalResult checkSignal(NodeContext &ctx, Value x, int64_t minRank,
                          int64_t maxRank) {
  auto type = NodeContext::typeOf(x);
  if (!isComputeFloat(type.getElementType()))
    return ctx.error() << "needs a float input, got " << type;
  if (type.getRank() < minRank || type.getRank() > maxRank) {
    InFlightDiagnostic diag = ctx.error();
    diag << "needs an input of rank " << minRank;
    if (maxRank > minRank)
      diag << " or more";
    return diag << " ([..., signal, 1 or 2]), got " << type;
  }
  int64_t parts = type.getDimSize(type.getRank() - 1);
  if (parts != 1 && parts != 2)
    return ctx.error() << "the last dim must be 1 (real) or 2 (complex "
                          "values), got "
                       << type;
  return success();
}

/// DFT: the axis is an attribute (default 1) before opset 20 and an input
/// (default -2) from 20.
template <bool AxisInput> LogicalResult importDft(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x) || failed(checkSignal(ctx, *x, 2, INT64_MAX)))
    return failure();
  auto type = NodeContext::typeOf(*x);
  int64_t rank = type.getRank();
  int64_t axis = AxisInput ? -2 : ctx.intAttr("axis", 1);
  if (AxisInput && ctx.input(2)) {
    FailureOr<int64_t> a = ctx.constantIndex(2, "axis");
    if (failed(a))
      return failure();
    axis = *a;
  }
  // The last dim holds the parts of each value, not an axis of the signal.
  if (axis < -rank || axis > rank - 2 || axis == -1)
    return ctx.error() << "axis " << axis << " is out of range for rank "
                       << rank
                       << " (the last dim holds the real and "
                          "imaginary parts)";
  if (axis < 0)
    axis += rank;
  bool inverse = ctx.intAttr("inverse", 0) != 0;
  bool onesided = ctx.intAttr("onesided", 0) != 0;
  int64_t n = type.getDimSize(axis);
  int64_t length;
  if (ctx.input(1)) {
    FailureOr<int64_t> l = ctx.constantIndex(1, "dft_length");
    if (failed(l))
      return failure();
    length = *l;
  } else if (ShapedType::isDynamic(n)) {
    return ctx.error() << "the DFT axis (dim " << axis
                       << ") must be static (pin it with --input-shape / "
                          "--dim)";
  } else {
    length = inverse && onesided ? 2 * (n - 1) : n;
  }
  if (length <= 0)
    return ctx.error() << "the DFT length must be positive, got " << length;
  FailureOr<Value> y = buildDft(ctx, *x, axis, length, inverse, onesided);
  if (failed(y))
    return failure();
  return ctx.setResults(*y);
}

/// STFT: frames of frame_length values every frame_step values of the signal
/// ([batch, length, 1 or 2]), gathered into [batch, frames, frame_length, c],
/// times the window, and their DFT along the frame.
LogicalResult importStft(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x) || failed(checkSignal(ctx, *x, 3, 3)))
    return failure();
  FailureOr<int64_t> step = ctx.constantIndex(1, "frame_step");
  if (failed(step))
    return failure();
  auto type = NodeContext::typeOf(*x);
  int64_t signalLength = type.getDimSize(1);
  if (ShapedType::isDynamic(signalLength))
    return ctx.error() << "the signal length (dim 1) must be static (pin it "
                          "with --input-shape / --dim)";
  Value window = ctx.input(2);
  int64_t windowLength = ShapedType::kDynamic;
  if (window) {
    auto windowType = NodeContext::typeOf(window);
    if (windowType.getRank() != 1 ||
        ShapedType::isDynamic(windowType.getDimSize(0)))
      return ctx.error() << "the window must be 1-D of a static size, got "
                         << windowType;
    windowLength = windowType.getDimSize(0);
  }
  int64_t frameLength = window ? windowLength : signalLength;
  if (ctx.input(3)) {
    FailureOr<int64_t> l = ctx.constantIndex(3, "frame_length");
    if (failed(l))
      return failure();
    frameLength = *l;
    if (window && frameLength != windowLength)
      return ctx.error() << "frame_length " << frameLength
                         << " differs from the window's length "
                         << windowLength;
  }
  if (*step <= 0)
    return ctx.error() << "frame_step must be positive, got " << *step;
  if (frameLength <= 0 || frameLength > signalLength)
    return ctx.error() << "frame_length " << frameLength
                       << " must be positive and at most the signal length "
                       << signalLength;
  bool onesided = ctx.intAttr("onesided", 1) != 0;
  int64_t frames = (signalLength - frameLength) / *step + 1;
  std::optional<int64_t> count = checkedProduct({frames, frameLength});
  if (failed(ctx.checkBuildSize(count.value_or(-1), "the frame indices")))
    return failure();
  SmallVector<int64_t> positions;
  positions.reserve(*count);
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t j = 0; j < frameLength; ++j)
      positions.push_back(f * *step + j);
  Value indices = ctx.constant(DenseElementsAttr::get(
      RankedTensorType::get({frames, frameLength}, ctx.builder.getI64Type()),
      ArrayRef(positions)));
  Value framed = ctx.create<GatherOp>(*x, indices, uint64_t(1));
  if (window) {
    Value column =
        ctx.create<ReshapeOp>(window, ArrayRef<int64_t>{frameLength, 1});
    framed = ctx.create<MulOp>(framed, column);
  }
  if (!framed)
    return failure(); // A build failed and said why.
  FailureOr<Value> y = buildDft(ctx, framed, /*axis=*/2, frameLength,
                                /*inverse=*/false, onesided);
  if (failed(y))
    return failure();
  return ctx.setResults(*y);
}

/// MelWeightMatrix with constant inputs: the [dft_length / 2 + 1,
/// num_mel_bins] matrix of triangular filters, computed in double in the
/// onnx reference's order of operations (the band edges are truncated to
/// spectrogram bins, so their rounding matters).
LogicalResult importMelWeightMatrix(NodeContext &ctx) {
  FailureOr<int64_t> bins = ctx.constantIndex(0, "num_mel_bins");
  FailureOr<int64_t> dftLength = ctx.constantIndex(1, "dft_length");
  FailureOr<int64_t> sampleRate = ctx.constantIndex(2, "sample_rate");
  if (failed(bins) || failed(dftLength) || failed(sampleRate))
    return failure();
  std::optional<double> lower = ctx.constantScalar(3);
  std::optional<double> upper = ctx.constantScalar(4);
  if (!lower || !upper)
    return ctx.error() << "input #" << (lower ? 4 : 3) << " ("
                       << (lower ? "upper" : "lower")
                       << "_edge_hertz) must be a constant scalar";
  int64_t dtype = ctx.intAttr("output_datatype", 1);
  Type element = onnxElementType(ctx.builder.getContext(), dtype);
  bool integer =
      element && element.isInteger() && element.getIntOrFloatBitWidth() >= 8;
  if (!element || !(integer || isComputeFloat(element)))
    return ctx.error() << "output_datatype " << describeOnnxType(dtype)
                       << " is not supported";
  if (*bins <= 0 || *dftLength <= 0 || *sampleRate <= 0)
    return ctx.error() << "num_mel_bins, dft_length and sample_rate must be "
                          "positive, got "
                       << *bins << ", " << *dftLength << " and " << *sampleRate;
  if (!std::isfinite(*lower) || !std::isfinite(*upper))
    return ctx.error() << "the band edges must be finite, got " << *lower
                       << " and " << *upper;
  int64_t spectrogramBins = *dftLength / 2 + 1;
  std::optional<int64_t> count = checkedProduct({spectrogramBins, *bins});
  if (failed(ctx.checkBuildSize(count.value_or(-1), "a mel weight matrix")))
    return failure();

  auto mel = [](double hertz) {
    return 2595.0 * std::log1p(hertz / 700.0) / std::log(10.0);
  };
  double lowMel = mel(*lower), highMel = mel(*upper);
  double melStep = (highMel - lowMel) / static_cast<double>(*bins + 2);
  SmallVector<int64_t> edges;
  for (int64_t i = 0; i < *bins + 2; ++i) {
    double m = static_cast<double>(i) * melStep + lowMel;
    double hertz = 700.0 * std::expm1(m / 2595.0 * std::log(10.0));
    double bin = std::floor(static_cast<double>(*dftLength + 1) * hertz /
                            static_cast<double>(*sampleRate));
    if (!(bin >= 0 && bin < static_cast<double>(spectrogramBins)))
      return ctx.error() << "mel band edge " << i << " (" << hertz
                         << " Hz) falls outside the " << spectrogramBins
                         << " spectrogram bins";
    edges.push_back(static_cast<int64_t>(bin));
  }
  std::vector<double> w(static_cast<size_t>(*count), 0.0);
  auto at = [&](int64_t j, int64_t i) -> double & { return w[j * *bins + i]; };
  for (int64_t i = 0; i < *bins; ++i) {
    int64_t left = edges[i], center = edges[i + 1], right = edges[i + 2];
    int64_t rise = center - left, fall = right - center;
    if (rise == 0)
      at(center, i) = 1.0;
    for (int64_t j = left; rise != 0 && j <= center; ++j)
      at(j, i) = static_cast<double>(j - left) / static_cast<double>(rise);
    for (int64_t j = center; fall > 0 && j < right; ++j)
      at(j, i) = static_cast<double>(right - j) / static_cast<double>(fall);
  }
  SmallVector<int64_t> shape{spectrogramBins, *bins};
  if (!integer)
    return ctx.setResults(floatConstant(ctx, shape, element, ArrayRef(w)));
  // numpy's astype truncates towards zero.
  SmallVector<APInt> values;
  for (double v : w)
    values.push_back(APInt(element.getIntOrFloatBitWidth(),
                           static_cast<uint64_t>(static_cast<int64_t>(v)),
                           /*isSigned=*/true));
  return ctx.setResults(ctx.constant(
      DenseElementsAttr::get(RankedTensorType::get(shape, element), values)));
}

} // namespace

void registerSignalImporters(OpRegistry &r) {
  r.add("", "DFT", 17, 19, importDft</*AxisInput=*/false>);
  r.add("", "DFT", 20, kMaxOpset, importDft</*AxisInput=*/true>);
  r.add("", "STFT", 17, kMaxOpset, importStft);
  r.add("", "MelWeightMatrix", 17, kMaxOpset, importMelWeightMatrix);
}

} // namespace dsr1::onnx_frontend
