//===- AtenScalarOps.cpp - aten ops on values known at import time ------===//
//
// Shapes, sizes and the Python arithmetic a graph does on them: with static
// shapes all of it is known at import time, so it is evaluated here and
// never becomes a dsr1 op.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/torch/AtenRegistry.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;

namespace dsr1::torch_frontend {

namespace {

using Results = std::vector<AtenValue>;

/// Python's floor division and modulo on ints.
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

FailureOr<AtenValue> scalarBinary(AtenOpContext &ctx, StringRef op,
                                  const AtenValue &a, const AtenValue &b) {
  if (a.isList() && b.isList() && op == "add") {
    std::vector<AtenValue> items = a.list();
    items.insert(items.end(), b.list().begin(), b.list().end());
    return AtenValue::ofList(std::move(items));
  }
  if (a.isList() && b.isList() && (op == "eq" || op == "ne")) {
    bool same = a.list().size() == b.list().size();
    for (size_t i = 0; same && i < a.list().size(); ++i) {
      const AtenValue &x = a.list()[i], &y = b.list()[i];
      same = x.isNumber() && y.isNumber() && x.number() == y.number();
    }
    return AtenValue::ofBool(same == (op == "eq"));
  }
  if (a.kind() == AtenValue::Kind::string &&
      b.kind() == AtenValue::Kind::string && (op == "eq" || op == "ne"))
    return AtenValue::ofBool((a.string() == b.string()) == (op == "eq"));
  if (!a.isNumber() || !b.isNumber())
    return ctx.error() << "cannot evaluate on " << a.describe() << " and "
                       << b.describe();
  bool ints =
      a.kind() != AtenValue::Kind::real && b.kind() != AtenValue::Kind::real;
  double x = a.number(), y = b.number();
  int64_t i = a.integer(), j = b.integer();
  if (op == "eq")
    return AtenValue::ofBool(x == y);
  if (op == "ne")
    return AtenValue::ofBool(x != y);
  if (op == "lt")
    return AtenValue::ofBool(x < y);
  if (op == "le")
    return AtenValue::ofBool(x <= y);
  if (op == "gt")
    return AtenValue::ofBool(x > y);
  if (op == "ge")
    return AtenValue::ofBool(x >= y);
  if (op == "__and__")
    return ints ? AtenValue::ofInt(i & j) : AtenValue::ofBool(x && y);
  if (op == "__or__")
    return ints ? AtenValue::ofInt(i | j) : AtenValue::ofBool(x || y);
  if (op == "div" || op == "truediv") {
    if (y == 0)
      return ctx.error() << "division by zero";
    return AtenValue::ofDouble(x / y);
  }
  if (op == "pow")
    return AtenValue::ofDouble(std::pow(x, y));
  if ((op == "floordiv" || op == "floor_divide" || op == "remainder") && y == 0)
    return ctx.error() << "division by zero";
  if (ints) {
    if (op == "add")
      return AtenValue::ofInt(i + j);
    if (op == "sub")
      return AtenValue::ofInt(i - j);
    if (op == "mul")
      return AtenValue::ofInt(i * j);
    if (op == "floordiv" || op == "floor_divide")
      return AtenValue::ofInt(floorDiv(i, j));
    if (op == "remainder")
      return AtenValue::ofInt(i - floorDiv(i, j) * j);
  } else {
    if (op == "add")
      return AtenValue::ofDouble(x + y);
    if (op == "sub")
      return AtenValue::ofDouble(x - y);
    if (op == "mul")
      return AtenValue::ofDouble(x * y);
    if (op == "floordiv" || op == "floor_divide")
      return AtenValue::ofDouble(std::floor(x / y));
    if (op == "remainder")
      return AtenValue::ofDouble(x - std::floor(x / y) * y);
  }
  return ctx.error() << "has no evaluation on numbers";
}

/// The number (or tensor holding one known value) of argument `i`.
FailureOr<AtenValue> numberArg(AtenOpContext &ctx, size_t i) {
  const AtenValue &a = ctx.arg(i);
  if (a.isNumber())
    return a;
  if (a.isTensor())
    if (auto values = constantValues(a.tensor());
        values && values->size() == 1) {
      Type element = AtenOpContext::typeOf(a.tensor()).getElementType();
      if (isFloat(element))
        return AtenValue::ofDouble((*values)[0]);
      if (element.isInteger(1))
        return AtenValue::ofBool((*values)[0] != 0);
      return AtenValue::ofInt(static_cast<int64_t>((*values)[0]));
    }
  return ctx.error() << "needs a value known at import time; argument #" << i
                     << " is " << a.describe()
                     << " (data-dependent values are not supported)";
}

LogicalResult size(AtenOpContext &ctx, Results &results) {
  FailureOr<Value> x = ctx.tensor(0);
  if (failed(x))
    return failure();
  auto type = AtenOpContext::typeOf(*x);
  if (!type.hasStaticShape())
    return ctx.error() << "the shape " << type << " is not static: give the "
                       << "input shapes (--input-shape or --inputs)";
  if (ctx.size() < 2) {
    std::vector<AtenValue> dims;
    for (int64_t d : type.getShape())
      dims.push_back(AtenValue::ofInt(d));
    results.push_back(AtenValue::ofList(std::move(dims)));
    return success();
  }
  FailureOr<int64_t> d = ctx.integer(1);
  if (failed(d))
    return failure();
  FailureOr<int64_t> axis = ctx.dim(*d, type.getRank());
  if (failed(axis))
    return failure();
  results.push_back(AtenValue::ofInt(type.getDimSize(*axis)));
  return success();
}

LogicalResult getItem(AtenOpContext &ctx, Results &results) {
  const AtenValue &list = ctx.arg(0);
  FailureOr<int64_t> index = ctx.integer(1);
  if (failed(index))
    return failure();
  if (!list.isList())
    return ctx.error() << "indexes " << list.describe() << ", not a list";
  int64_t n = list.list().size(), i = *index < 0 ? *index + n : *index;
  if (i < 0 || i >= n)
    return ctx.error() << "index " << *index << " is out of range for a list "
                       << "of " << n;
  results.push_back(list.list()[i]);
  return success();
}

/// aten::Int, aten::Float, aten::Bool, aten::ScalarImplicit, aten::item.
AtenLowering convertNumber(AtenValue::Kind to) {
  return [to](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<AtenValue> v = numberArg(ctx, 0);
    if (failed(v))
      return failure();
    if (to == AtenValue::Kind::integer)
      results.push_back(AtenValue::ofInt(static_cast<int64_t>(v->number())));
    else if (to == AtenValue::Kind::real)
      results.push_back(AtenValue::ofDouble(v->number()));
    else if (to == AtenValue::Kind::boolean)
      results.push_back(AtenValue::ofBool(v->number() != 0));
    else
      results.push_back(*v);
    return success();
  };
}

LogicalResult numToTensor(AtenOpContext &ctx, Results &results) {
  FailureOr<AtenValue> v = numberArg(ctx, 0);
  if (failed(v))
    return failure();
  Builder &b = ctx.builder;
  Type element = b.getI64Type();
  if (v->kind() == AtenValue::Kind::real)
    element = b.getF64Type();
  else if (v->kind() == AtenValue::Kind::boolean)
    element = b.getI1Type();
  return pushTensor(results, ctx.scalar(element, v->number()));
}

/// prim::min / prim::max: of two numbers, or of a list of numbers.
AtenLowering extremum(bool isMax) {
  return [isMax](AtenOpContext &ctx, Results &results) -> LogicalResult {
    std::vector<AtenValue> items;
    if (ctx.size() == 1 && ctx.arg(0).isList())
      items = ctx.arg(0).list();
    else
      items = {ctx.arg(0), ctx.arg(1)};
    if (items.empty() ||
        llvm::any_of(items, [](const AtenValue &a) { return !a.isNumber(); }))
      return ctx.error() << "needs numbers known at import time";
    const AtenValue *best = &items[0];
    for (const AtenValue &a : items)
      if (isMax ? a.number() > best->number() : a.number() < best->number())
        best = &a;
    results.push_back(*best);
    return success();
  };
}

LogicalResult noResult(AtenOpContext &, Results &) { return success(); }

AtenLowering constantBool(bool value) {
  return [value](AtenOpContext &, Results &results) {
    results.push_back(AtenValue::ofBool(value));
    return success();
  };
}

} // namespace

LogicalResult scalarArithmetic(AtenOpContext &ctx, StringRef op,
                               Results &results) {
  if (op == "neg") {
    const AtenValue &a = ctx.arg(0);
    results.push_back(a.kind() == AtenValue::Kind::real
                          ? AtenValue::ofDouble(-a.number())
                          : AtenValue::ofInt(-a.integer()));
    return success();
  }
  FailureOr<AtenValue> r = scalarBinary(ctx, op, ctx.arg(0), ctx.arg(1));
  if (failed(r))
    return failure();
  results.push_back(*r);
  return success();
}

void registerScalarOps(AtenTable &t) {
  t["aten::size"] = size;
  t["aten::sym_size"] = size;
  t["aten::dim"] = [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    results.push_back(AtenValue::ofInt(AtenOpContext::typeOf(*x).getRank()));
    return success();
  };
  t["aten::numel"] = [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    auto type = AtenOpContext::typeOf(*x);
    if (!type.hasStaticShape())
      return ctx.error() << "the shape " << type << " is not static";
    results.push_back(AtenValue::ofInt(type.getNumElements()));
    return success();
  };
  t["aten::len"] = [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    const AtenValue &a = ctx.arg(0);
    if (a.isList()) {
      results.push_back(AtenValue::ofInt(a.list().size()));
      return success();
    }
    if (a.kind() == AtenValue::Kind::string) {
      results.push_back(AtenValue::ofInt(a.string().size()));
      return success();
    }
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    auto type = AtenOpContext::typeOf(*x);
    if (type.getRank() == 0 || type.isDynamicDim(0))
      return ctx.error() << "len() of " << type;
    results.push_back(AtenValue::ofInt(type.getDimSize(0)));
    return success();
  };
  t["aten::__getitem__"] = getItem;
  t["aten::list"] = [](AtenOpContext &ctx, Results &results) -> LogicalResult {
    results.push_back(ctx.arg(0));
    return success();
  };
  t["aten::Int"] = convertNumber(AtenValue::Kind::integer);
  t["aten::Float"] = convertNumber(AtenValue::Kind::real);
  t["aten::Bool"] = convertNumber(AtenValue::Kind::boolean);
  t["aten::ScalarImplicit"] = convertNumber(AtenValue::Kind::none);
  t["aten::item"] = convertNumber(AtenValue::Kind::none);
  t["prim::NumToTensor"] = numToTensor;
  t["aten::scalar_tensor"] = numToTensor;
  t["prim::min"] = extremum(false);
  t["prim::max"] = extremum(true);
  t["aten::floordiv"] = [](AtenOpContext &ctx, Results &results) {
    return scalarArithmetic(ctx, "floordiv", results);
  };
  t["aten::truediv"] = [](AtenOpContext &ctx, Results &results) {
    return scalarArithmetic(ctx, "div", results);
  };
  t["aten::__not__"] = [](AtenOpContext &ctx,
                          Results &results) -> LogicalResult {
    FailureOr<bool> b = ctx.boolean(0);
    if (failed(b))
      return failure();
    results.push_back(AtenValue::ofBool(!*b));
    return success();
  };
  t["aten::__is__"] = [](AtenOpContext &ctx, Results &results) {
    results.push_back(
        AtenValue::ofBool(ctx.arg(0).isNone() && ctx.arg(1).isNone()));
    return success();
  };
  t["aten::__isnot__"] = [](AtenOpContext &ctx, Results &results) {
    results.push_back(
        AtenValue::ofBool(!(ctx.arg(0).isNone() && ctx.arg(1).isNone())));
    return success();
  };
  t["aten::warn"] = noResult;
  // What a scripted module asks of its environment: dsr1 imports the
  // reference path of modules that have a fast path for inference
  // (nn.TransformerEncoderLayer), as torch takes it with autograd on.
  t["aten::is_grad_enabled"] = constantBool(true);
  t["aten::is_autocast_enabled"] = constantBool(false);
  t["prim::is_nested"] = constantBool(false);
  t["prim::is_sparse"] = constantBool(false);
  t["prim::is_quantized"] = constantBool(false);
  t["prim::is_mkldnn"] = constantBool(false);
  t["prim::is_meta"] = constantBool(false);
  t["prim::type"] = [](AtenOpContext &, Results &results) {
    results.push_back(AtenValue::ofString("cpu"));
    return success();
  };
  t["aten::is_floating_point"] = [](AtenOpContext &ctx,
                                    Results &results) -> LogicalResult {
    FailureOr<Value> x = ctx.tensor(0);
    if (failed(x))
      return failure();
    results.push_back(
        AtenValue::ofBool(isFloat(AtenOpContext::typeOf(*x).getElementType())));
    return success();
  };
  // Messages for exceptions on paths not taken: the format string itself.
  t["aten::format"] = [](AtenOpContext &ctx, Results &results) {
    results.push_back(ctx.arg(0).kind() == AtenValue::Kind::string
                          ? ctx.arg(0)
                          : AtenValue::ofString(""));
    return success();
  };
  t["aten::__contains__"] = [](AtenOpContext &ctx,
                               Results &results) -> LogicalResult {
    const AtenValue &list = ctx.arg(0), &key = ctx.arg(1);
    if (!list.isList())
      return ctx.error() << "needs a list known at import time";
    bool found = llvm::any_of(list.list(), [&](const AtenValue &item) {
      if (item.kind() == AtenValue::Kind::string ||
          key.kind() == AtenValue::Kind::string)
        return item.kind() == key.kind() && item.string() == key.string();
      return item.isNumber() && key.isNumber() && item.number() == key.number();
    });
    results.push_back(AtenValue::ofBool(found));
    return success();
  };
}

} // namespace dsr1::torch_frontend
