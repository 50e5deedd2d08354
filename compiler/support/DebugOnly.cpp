//===- DebugOnly.cpp - -debug-only for dsr1's explanations ----------------===//
//
// The option behind isDebugEnabled, registered by the tools that explain.
//
//===----------------------------------------------------------------------===//

#include "compiler/support/DebugOnly.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"

#include <memory>

using namespace llvm;

namespace dsr1 {
namespace {

StringSet<> &enabledTypes() {
  static StringSet<> types;
  return types;
}

struct DebugOnlyParser {
  void operator=(const std::string &value) const {
    SmallVector<StringRef> types;
    StringRef(value).split(types, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
    for (StringRef type : types)
      enabledTypes().insert(type.trim());
  }
};

} // namespace

void registerDebugOnlyOption() {
  static std::unique_ptr<
      cl::opt<DebugOnlyParser, true, cl::parser<std::string>>>
      option;
  if (option)
    return;
  // An LLVM with assertions has its own -debug-only, which dsr1 cannot read
  // in a build without them: dsr1's then goes by another name.
  StringRef name = cl::getRegisteredOptions().count("debug-only")
                       ? "dsr1-debug-only"
                       : "debug-only";
  static DebugOnlyParser storage;
  option =
      std::make_unique<cl::opt<DebugOnlyParser, true, cl::parser<std::string>>>(
          name,
          cl::desc("Explain the decisions of the named passes, comma-separated "
                   "(e.g. dsr1-fuse-attention)"),
          cl::value_desc("pass names"), cl::location(storage),
          cl::ValueRequired, cl::ZeroOrMore);
}

bool isDebugEnabled(StringRef type) { return enabledTypes().contains(type); }

raw_ostream &debugStream() { return errs(); }

} // namespace dsr1
