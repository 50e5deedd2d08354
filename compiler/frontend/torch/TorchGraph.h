//===- TorchGraph.h - A TorchScript graph as plain data -------*- C++ -*-===//
//
// What the TorchScript reader (the libdsr1-torchscript plugin, the only code
// that links libtorch) hands to the importer: the frozen, cleaned-up forward
// graph as plain C++ data, with no libtorch and no MLIR types. The tools load
// the plugin only when they import a .pt file, so nothing else pays for
// loading libtorch.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_FRONTEND_TORCH_TORCHGRAPH_H
#define DSR1_FRONTEND_TORCH_TORCHGRAPH_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dsr1::torch_frontend {

/// A value known when the file is read: a prim::Constant's, or a module
/// attribute that freezing left behind a prim::GetAttr.
struct TorchConstant {
  enum class Kind {
    none,
    boolean,
    integer,
    real,
    string,
    tensor,
    list,
    object
  };
  Kind kind = Kind::none;
  int64_t integer = 0; // also the bool
  double real = 0;
  std::string string; // also the device
  /// Tensors: c10::ScalarType code, sizes and row-major bytes. A dtype dsr1
  /// does not hold keeps its code; the importer refuses it by name.
  int64_t scalarType = 0;
  std::string scalarTypeName;
  std::vector<int64_t> shape;
  std::vector<char> bytes;
  std::vector<TorchConstant> items;
};

struct TorchBlock;

/// One node. Values are numbered; a node reads `inputs` and defines
/// `outputs`. prim::Constant and resolved prim::GetAttr nodes carry their
/// value in `constant`.
struct TorchNode {
  std::string kind;     // "aten::linear"
  std::string overload; // the schema's overload name
  std::vector<int64_t> inputs, outputs;
  std::optional<TorchConstant> constant;
  /// Where it comes from in the TorchScript code, when recorded.
  std::string file;
  int64_t line = 0, column = 0;
  std::vector<TorchBlock> blocks; // prim::If (2), prim::Loop (1)
};

struct TorchBlock {
  std::vector<int64_t> inputs;
  std::vector<TorchNode> nodes;
  std::vector<int64_t> outputs;
};

struct TorchInput {
  int64_t value = 0;
  std::string name; // forward's argument name
  /// The TorchScript type ("Tensor", "int", ...); only tensors are taken.
  std::string type;
  bool isTensor = false;
  /// Sizes and dtype when the file records them (rarely).
  std::optional<std::vector<int64_t>> shape;
  std::optional<int64_t> scalarType;
};

struct TorchGraph {
  std::vector<TorchInput> inputs; // `self` left out
  TorchBlock body;                // body.inputs unused
  int64_t numValues = 0;
};

/// The plugin's entry point, `dsr1ReadTorchScript`: fills `graph` from the
/// TorchScript file at `path`, or returns false with `error` set.
using ReadTorchScriptFn = bool (*)(const char *path, TorchGraph *graph,
                                   std::string *error);
/// Bumped whenever these structs change: the plugin and the tools must
/// agree (`dsr1TorchScriptAbi`).
constexpr int64_t kTorchGraphAbi = 1;
using TorchScriptAbiFn = int64_t (*)();

} // namespace dsr1::torch_frontend

#endif // DSR1_FRONTEND_TORCH_TORCHGRAPH_H
