//===- TorchScriptReader.cpp - The libtorch side: .pt to a TorchGraph ---===//
//
// Built into the libdsr1-torchscript plugin, the only code that links libtorch
// (no MLIR here). torch::jit::load, then freeze (parameters become constants,
// methods are inlined), then the usual cleanups (tuples lowered, mutation
// removed, constants propagated, dead code removed); the graph that is left
// is copied out as a TorchGraph (TorchGraph.h) for the importer to walk.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/torch/TorchGraph.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/lower_tuples.h>
#include <torch/csrc/jit/passes/remove_mutation.h>
#include <torch/csrc/jit/serialization/import.h>

#include <unordered_map>

namespace jit = torch::jit;
using namespace dsr1::torch_frontend;

namespace {

TorchConstant fromIValue(const c10::IValue &value) {
  TorchConstant c;
  using Kind = TorchConstant::Kind;
  if (value.isNone()) {
    c.kind = Kind::none;
  } else if (value.isBool()) {
    c.kind = Kind::boolean;
    c.integer = value.toBool();
  } else if (value.isInt()) {
    c.kind = Kind::integer;
    c.integer = value.toInt();
  } else if (value.isDouble()) {
    c.kind = Kind::real;
    c.real = value.toDouble();
  } else if (value.isString()) {
    c.kind = Kind::string;
    c.string = value.toStringRef();
  } else if (value.isDevice()) {
    c.kind = Kind::string;
    c.string = value.toDevice().str();
  } else if (value.isTensor()) {
    c.kind = Kind::tensor;
    at::Tensor t = value.toTensor();
    c.scalarType = static_cast<int64_t>(t.scalar_type());
    c.scalarTypeName = c10::toString(t.scalar_type());
    c.shape.assign(t.sizes().begin(), t.sizes().end());
    if (!t.is_quantized() && !t.is_sparse() && !t.is_complex()) {
      t = t.contiguous();
      const char *data = static_cast<const char *>(t.data_ptr());
      c.bytes.assign(data, data + t.numel() * t.element_size());
    }
  } else if (value.isList()) {
    c.kind = Kind::list;
    for (const c10::IValue &item : value.toListRef())
      c.items.push_back(fromIValue(item));
  } else if (value.isTuple()) {
    c.kind = Kind::list;
    for (const c10::IValue &item : value.toTupleRef().elements())
      c.items.push_back(fromIValue(item));
  } else if (value.isObject()) {
    c.kind = Kind::object;
    c.string = value.type()->str();
  } else {
    c.kind = Kind::object;
    c.string = value.tagKind();
  }
  return c;
}

class Copier {
public:
  explicit Copier(const jit::Module &frozen) : frozen(frozen) {}

  TorchGraph copy(const jit::Graph &graph) {
    TorchGraph out;
    for (const jit::Value *input : graph.inputs()) {
      if (input->type()->cast<c10::ClassType>()) {
        objects[input] = frozen._ivalue(); // self
        continue;
      }
      TorchInput in;
      in.value = id(input);
      in.name = input->debugName();
      in.type = input->type()->str();
      if (auto tensor = input->type()->cast<c10::TensorType>()) {
        in.isTensor = true;
        if (auto sizes = tensor->sizes().concrete_sizes())
          in.shape = *sizes;
        if (auto scalar = tensor->scalarType())
          in.scalarType = static_cast<int64_t>(*scalar);
      }
      out.inputs.push_back(in);
    }
    out.body = copyBlock(*graph.block());
    out.numValues = next;
    return out;
  }

private:
  int64_t id(const jit::Value *v) {
    auto [it, inserted] = ids.try_emplace(v, next);
    if (inserted)
      ++next;
    return it->second;
  }

  TorchBlock copyBlock(const jit::Block &block) {
    TorchBlock out;
    for (const jit::Value *v : block.inputs())
      out.inputs.push_back(id(v));
    for (const jit::Node *node : block.nodes())
      out.nodes.push_back(copyNode(*node));
    for (const jit::Value *v : block.outputs())
      out.outputs.push_back(id(v));
    return out;
  }

  TorchNode copyNode(const jit::Node &node) {
    TorchNode out;
    out.kind = node.kind().toQualString();
    if (const c10::FunctionSchema *schema = node.maybeSchema())
      out.overload = schema->overload_name();
    if (auto source = node.sourceRange().file_line_col()) {
      auto [file, line, column] = *source;
      out.file = file;
      out.line = line;
      out.column = column;
    }
    for (const jit::Value *v : node.inputs())
      out.inputs.push_back(id(v));
    for (const jit::Value *v : node.outputs())
      out.outputs.push_back(id(v));
    if (out.kind == "prim::Constant") {
      if (std::optional<c10::IValue> value = jit::toIValue(node.output()))
        out.constant = fromIValue(*value);
    } else if (out.kind == "prim::GetAttr") {
      // Attributes freezing could not fold (on paths it cannot decide).
      auto object = objects.find(node.input(0));
      if (object != objects.end() && object->second.isObject()) {
        c10::IValue attr =
            object->second.toObject()->getAttr(node.s(c10::attr::name));
        if (attr.isObject())
          objects[node.output()] = attr;
        out.constant = fromIValue(attr);
      }
    }
    for (const jit::Block *block : node.blocks())
      out.blocks.push_back(copyBlock(*block));
    return out;
  }

  const jit::Module &frozen;
  std::unordered_map<const jit::Value *, int64_t> ids;
  std::unordered_map<const jit::Value *, c10::IValue> objects;
  int64_t next = 0;
};

bool read(const char *path, TorchGraph *graph, std::string *error) {
  jit::Module module = jit::load(path, c10::Device(c10::kCPU));
  module.eval();
  jit::Module frozen =
      jit::freeze(module, std::nullopt, /*optimize_numerics=*/false);
  std::shared_ptr<jit::Graph> g = frozen.get_method("forward").graph()->copy();
  jit::Inline(*g);
  jit::LowerSimpleTuples(g);
  jit::RemoveListMutation(g);
  jit::RemoveTensorMutation(g);
  jit::ConstantPropagation(g);
  jit::EliminateDeadCode(g);
  *graph = Copier(frozen).copy(*g);
  return true;
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int64_t dsr1TorchScriptAbi() {
  return kTorchGraphAbi;
}

/// Reads the TorchScript file at `path` into `graph`; on failure returns
/// false with libtorch's message (without its C++ backtrace) in `error`.
__attribute__((visibility("default"))) bool
dsr1ReadTorchScript(const char *path, TorchGraph *graph, std::string *error) {
  try {
    return read(path, graph, error);
  } catch (const c10::Error &e) {
    *error = e.what_without_backtrace();
  } catch (const std::exception &e) {
    *error = e.what();
  }
  return false;
}
}
