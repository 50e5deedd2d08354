//===- Weights.cpp - Constant tensors the frontends build ---------------===//

#include "compiler/frontend/Weights.h"

#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace dsr1 {

LogicalResult finishMain(OpBuilder &builder, Location loc, func::FuncOp fn,
                         ValueRange results, ArrayRef<std::string> names) {
  SmallVector<DictionaryAttr> resultAttrs;
  for (const std::string &name : names)
    resultAttrs.push_back(builder.getDictionaryAttr(
        builder.getNamedAttr(kIoNameAttr, builder.getStringAttr(name))));
  func::ReturnOp::create(builder, loc, results);
  fn.setFunctionType(builder.getFunctionType(fn.getFunctionType().getInputs(),
                                             TypeRange(results)));
  fn.setAllResultAttrs(resultAttrs);
  return verify(fn->getParentOfType<ModuleOp>());
}

std::string resourceKey(StringRef name) {
  std::string key;
  for (char c : name)
    key.push_back(llvm::isAlnum(c) ? c : '_');
  if (key.empty() || llvm::isDigit(key.front()))
    key.insert(key.begin(), '_');
  return key;
}

Value weightConstant(OpBuilder &builder, Location loc, RankedTensorType type,
                     ArrayRef<char> data, StringRef name) {
  Type element = type.getElementType();
  ElementsAttr attr;
  if (element.isInteger(1)) {
    SmallVector<bool> flags;
    for (char c : data)
      flags.push_back(c != 0);
    attr = DenseElementsAttr::get(type, flags);
  } else if (type.getNumElements() <= kInlineElements) {
    attr = DenseElementsAttr::getFromRawBuffer(type, data);
  } else {
    size_t align = std::max<size_t>(element.getIntOrFloatBitWidth() / 8, 1);
    attr = DenseResourceElementsAttr::get(
        type, resourceKey(name),
        HeapAsmResourceBlob::allocateAndCopyWithAlign(data, align, false));
  }
  return ConstantOp::create(builder, loc, attr);
}

std::optional<std::vector<char>> constantBytes(Value v) {
  auto constant = v ? v.getDefiningOp<ConstantOp>() : ConstantOp();
  if (!constant)
    return std::nullopt;
  auto type = cast<RankedTensorType>(constant.getType());
  Type element = type.getElementType();
  if (!type.hasStaticShape() || !element.isIntOrFloat() ||
      element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  size_t width = element.getIntOrFloatBitWidth() / 8;
  size_t bytes = type.getNumElements() * width;
  Attribute value = constant.getValue();
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      std::vector<char> out(bytes);
      for (size_t at = 0; at < bytes; at += width)
        std::copy(raw.begin(), raw.begin() + width, out.begin() + at);
      return out;
    }
    return std::vector<char>(raw.begin(), raw.end());
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != bytes)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    return std::vector<char>(data.begin(), data.end());
  }
  return std::nullopt;
}

} // namespace dsr1
