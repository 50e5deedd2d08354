//===- AtenOps.cpp - Values, the op context and the lowering table ------===//

#include "compiler/frontend/torch/AtenOps.h"
#include "compiler/frontend/torch/AtenRegistry.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;

namespace dsr1::torch_frontend {

Type elementTypeOf(MLIRContext *context, int64_t scalarType) {
  Builder b(context);
  switch (static_cast<ScalarType>(scalarType)) {
  case ScalarType::u8:
    return IntegerType::get(context, 8, IntegerType::Unsigned);
  case ScalarType::i8:
    return b.getI8Type();
  case ScalarType::i16:
    return b.getI16Type();
  case ScalarType::i32:
    return b.getI32Type();
  case ScalarType::i64:
    return b.getI64Type();
  case ScalarType::f16:
    return b.getF16Type();
  case ScalarType::f32:
    return b.getF32Type();
  case ScalarType::f64:
    return b.getF64Type();
  case ScalarType::boolean:
    return b.getI1Type();
  case ScalarType::bf16:
    return b.getBF16Type();
  }
  return nullptr;
}

std::optional<int64_t> scalarTypeOf(Type element) {
  for (int64_t code : {0, 1, 2, 3, 4, 5, 6, 7, 11, 15})
    if (elementTypeOf(element.getContext(), code) == element)
      return code;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// AtenValue
//===----------------------------------------------------------------------===//

AtenValue AtenValue::ofTensor(Value v) {
  AtenValue a;
  a.valueKind = Kind::tensor;
  a.tensorValue = v;
  return a;
}
AtenValue AtenValue::ofBool(bool b) {
  AtenValue a;
  a.valueKind = Kind::boolean;
  a.intValue = b;
  return a;
}
AtenValue AtenValue::ofInt(int64_t i) {
  AtenValue a;
  a.valueKind = Kind::integer;
  a.intValue = i;
  return a;
}
AtenValue AtenValue::ofDouble(double d) {
  AtenValue a;
  a.valueKind = Kind::real;
  a.realValue = d;
  return a;
}
AtenValue AtenValue::ofString(std::string s) {
  AtenValue a;
  a.valueKind = Kind::string;
  a.stringValue = std::move(s);
  return a;
}
AtenValue AtenValue::ofList(std::vector<AtenValue> items) {
  AtenValue a;
  a.valueKind = Kind::list;
  a.items = std::move(items);
  return a;
}

std::string AtenValue::describe() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  switch (valueKind) {
  case Kind::none:
    os << "None";
    break;
  case Kind::tensor:
    os << "a tensor of type " << tensorValue.getType();
    break;
  case Kind::boolean:
    os << "the bool " << (intValue ? "True" : "False");
    break;
  case Kind::integer:
    os << "the int " << intValue;
    break;
  case Kind::real:
    os << "the float " << realValue;
    break;
  case Kind::string:
    os << "the string '" << stringValue << "'";
    break;
  case Kind::list:
    os << "a list of " << items.size();
    break;
  }
  return text;
}

//===----------------------------------------------------------------------===//
// AtenOpContext
//===----------------------------------------------------------------------===//

InFlightDiagnostic AtenOpContext::error() const {
  InFlightDiagnostic diag = emitError(loc);
  diag << kind << (overload.empty() ? "" : ".") << overload << ": ";
  return diag;
}

FailureOr<Value> AtenOpContext::tensor(size_t i) const {
  if (arg(i).isTensor())
    return arg(i).tensor();
  return error() << "argument #" << i << " must be a tensor, not "
                 << arg(i).describe();
}

FailureOr<Value> AtenOpContext::optionalTensor(size_t i) const {
  if (arg(i).isNone())
    return Value();
  return tensor(i);
}

FailureOr<int64_t> AtenOpContext::integer(size_t i) const {
  const AtenValue &a = arg(i);
  if (a.kind() == AtenValue::Kind::integer ||
      a.kind() == AtenValue::Kind::boolean)
    return a.integer();
  if (a.isTensor())
    if (auto values = constantValues(a.tensor()); values && values->size() == 1)
      return static_cast<int64_t>((*values)[0]);
  return error() << "argument #" << i << " must be an int known at import "
                 << "time, not " << a.describe();
}

FailureOr<int64_t> AtenOpContext::optionalInteger(size_t i,
                                                  int64_t fallback) const {
  if (arg(i).isNone())
    return fallback;
  return integer(i);
}

FailureOr<double> AtenOpContext::number(size_t i) const {
  const AtenValue &a = arg(i);
  if (a.isNumber())
    return a.number();
  if (a.isTensor())
    if (auto values = constantValues(a.tensor()); values && values->size() == 1)
      return (*values)[0];
  return error() << "argument #" << i << " must be a number known at import "
                 << "time, not " << a.describe();
}

FailureOr<double> AtenOpContext::optionalNumber(size_t i,
                                                double fallback) const {
  if (arg(i).isNone())
    return fallback;
  return number(i);
}

FailureOr<bool> AtenOpContext::boolean(size_t i) const {
  FailureOr<int64_t> value = integer(i);
  if (mlir::failed(value))
    return mlir::failure();
  return *value != 0;
}

FailureOr<SmallVector<int64_t>> AtenOpContext::ints(size_t i,
                                                    size_t repeat) const {
  const AtenValue &a = arg(i);
  if (a.isInt())
    return SmallVector<int64_t>(repeat, a.integer());
  if (a.isTensor()) {
    if (auto values = constantValues(a.tensor()))
      return llvm::to_vector(llvm::map_range(
          *values, [](double d) { return static_cast<int64_t>(d); }));
  }
  if (!a.isList())
    return error() << "argument #" << i << " must be a list of ints, not "
                   << a.describe();
  SmallVector<int64_t> values;
  for (const AtenValue &item : a.list()) {
    if (!item.isInt())
      return error() << "argument #" << i << " must be a list of ints known "
                     << "at import time; one item is " << item.describe();
    values.push_back(item.integer());
  }
  return values;
}

FailureOr<SmallVector<Value>> AtenOpContext::tensors(size_t i) const {
  const AtenValue &a = arg(i);
  if (!a.isList())
    return error() << "argument #" << i << " must be a list of tensors, not "
                   << a.describe();
  SmallVector<Value> values;
  for (const AtenValue &item : a.list()) {
    if (!item.isTensor())
      return error() << "argument #" << i << " must be a list of tensors; "
                     << "one item is " << item.describe();
    values.push_back(item.tensor());
  }
  return values;
}

FailureOr<int64_t> AtenOpContext::dim(int64_t value, int64_t rank) const {
  int64_t bound = std::max<int64_t>(rank, 1);
  if (value < -bound || value >= bound)
    return error() << "dim " << value << " is out of range for rank " << rank;
  return value < 0 ? value + bound : value;
}

FailureOr<Type> AtenOpContext::dtype(size_t i, Type fallback) const {
  if (arg(i).isNone())
    return fallback;
  FailureOr<int64_t> code = integer(i);
  if (mlir::failed(code))
    return mlir::failure();
  if (Type t = elementTypeOf(builder.getContext(), *code))
    return t;
  return error() << "dtype code " << *code << " (argument #" << i
                 << ") is not one dsr1 supports";
}

Value AtenOpContext::scalar(Type element, double value) {
  auto type = RankedTensorType::get({}, element);
  DenseElementsAttr attr;
  if (auto f = dyn_cast<FloatType>(element)) {
    APFloat converted(value);
    bool lost;
    converted.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                      &lost);
    attr = DenseElementsAttr::get(type, converted);
  } else if (element.isInteger(1)) {
    attr = DenseElementsAttr::get(type, value != 0);
  } else {
    attr = DenseElementsAttr::get(
        type, APInt(element.getIntOrFloatBitWidth(),
                    static_cast<uint64_t>(static_cast<int64_t>(value)),
                    /*isSigned=*/true, /*implicitTrunc=*/true));
  }
  return ConstantOp::create(builder, loc, cast<ElementsAttr>(attr));
}

Value AtenOpContext::castTo(Value v, Type element) {
  if (!v || typeOf(v).getElementType() == element)
    return v;
  return create<CastOp>(v, element);
}

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

LogicalResult pushTensor(std::vector<AtenValue> &results, Value v) {
  if (!v)
    return failure();
  results.push_back(AtenValue::ofTensor(v));
  return success();
}

std::optional<SmallVector<double>> constantValues(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  SmallVector<double> values;
  Type element = attr.getElementType();
  if (isa<FloatType>(element)) {
    for (APFloat f : attr.getValues<APFloat>())
      values.push_back(f.convertToDouble());
  } else if (element.isInteger(1)) {
    for (bool b : attr.getValues<bool>())
      values.push_back(b);
  } else if (element.isUnsignedInteger()) {
    for (APInt i : attr.getValues<APInt>())
      values.push_back(static_cast<double>(i.getZExtValue()));
  } else {
    for (APInt i : attr.getValues<APInt>())
      values.push_back(static_cast<double>(i.getSExtValue()));
  }
  return values;
}

Value reshapeTo(AtenOpContext &ctx, Value v, ArrayRef<int64_t> shape) {
  if (!v || AtenOpContext::typeOf(v).getShape() == shape)
    return v;
  return ctx.create<ReshapeOp>(v, shape);
}

namespace {

/// 0 bool, 1 integer, 2 float.
int category(Type t) {
  if (t.isInteger(1))
    return 0;
  return isFloat(t) ? 2 : 1;
}

/// torch.promote_types for the element types dsr1 holds.
Type promoteTypes(Type a, Type b) {
  if (!a)
    return b;
  if (!b || a == b)
    return a;
  int ca = category(a), cb = category(b);
  if (ca != cb)
    return ca > cb ? a : b;
  if (ca == 2) {
    // f16 with bf16 meets in f32; otherwise the wider float.
    unsigned wa = a.getIntOrFloatBitWidth(), wb = b.getIntOrFloatBitWidth();
    if (wa == wb)
      return Float32Type::get(a.getContext());
    return wa > wb ? a : b;
  }
  if (ca == 1) {
    bool ua = a.isUnsignedInteger(), ub = b.isUnsignedInteger();
    unsigned wa = a.getIntOrFloatBitWidth(), wb = b.getIntOrFloatBitWidth();
    if (ua != ub) {
      // u8 with a signed type: the signed type, widened to hold u8.
      Type s = ua ? b : a;
      return s.getIntOrFloatBitWidth() > 8
                 ? s
                 : IntegerType::get(a.getContext(), 16);
    }
    return wa >= wb ? a : b;
  }
  return a;
}

/// c10's combine_categories: `higher` wins unless `lower` is of a higher
/// category.
Type combineCategories(Type higher, Type lower) {
  if (!higher)
    return lower;
  if (!lower || isFloat(higher))
    return higher;
  if (higher.isInteger(1) || isFloat(lower))
    return promoteTypes(higher, lower);
  return higher;
}

} // namespace

FailureOr<Type> promotedType(AtenOpContext &ctx, ArrayRef<AtenValue> operands) {
  MLIRContext *context = ctx.builder.getContext();
  Type dims, zeroDim, wrapped;
  for (const AtenValue &a : operands) {
    if (a.isTensor()) {
      auto type = AtenOpContext::typeOf(a.tensor());
      Type &slot = type.getRank() == 0 ? zeroDim : dims;
      slot = promoteTypes(slot, type.getElementType());
    } else if (a.kind() == AtenValue::Kind::real) {
      wrapped = promoteTypes(wrapped, Float32Type::get(context));
    } else if (a.kind() == AtenValue::Kind::integer) {
      wrapped = promoteTypes(wrapped, IntegerType::get(context, 64));
    } else if (a.kind() == AtenValue::Kind::boolean) {
      wrapped = promoteTypes(wrapped, IntegerType::get(context, 1));
    } else {
      return ctx.error() << "an operand is " << a.describe()
                         << ", not a tensor or a number";
    }
  }
  Type result = combineCategories(dims, combineCategories(zeroDim, wrapped));
  if (!result)
    return ctx.error() << "no operands to promote";
  return result;
}

FailureOr<SmallVector<Value>>
operandsAs(AtenOpContext &ctx, ArrayRef<AtenValue> operands, Type element) {
  SmallVector<Value> values;
  for (const AtenValue &a : operands) {
    Value v = a.isTensor() ? ctx.castTo(a.tensor(), element)
                           : ctx.scalar(element, a.number());
    if (!v)
      return failure();
    values.push_back(v);
  }
  return values;
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

namespace {
const AtenTable &table() {
  static const AtenTable instance = [] {
    AtenTable t;
    registerScalarOps(t);
    registerTensorOps(t);
    registerNNOps(t);
    return t;
  }();
  return instance;
}
} // namespace

const AtenLowering *lookupAtenOp(llvm::StringRef kind) {
  auto it = table().find(kind);
  return it == table().end() ? nullptr : &it->second;
}

std::vector<std::string> supportedAtenOps() {
  std::vector<std::string> names;
  for (const auto &entry : table())
    names.push_back(entry.getKey().str());
  llvm::sort(names);
  return names;
}

} // namespace dsr1::torch_frontend
