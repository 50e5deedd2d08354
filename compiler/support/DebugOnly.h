//===- DebugOnly.h - -debug-only for dsr1's explanations --------*- C++ -*-===//
//
// LLVM's -debug-only exists only in builds with assertions, and Debian's LLVM
// has none; dsr1's passes explain their decisions under the same flag in any
// build.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_SUPPORT_DEBUGONLY_H
#define DSR1_SUPPORT_DEBUGONLY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace dsr1 {

/// Registers `-debug-only=<type>[,<type>...]` with the command line parser
/// (`-dsr1-debug-only` where LLVM, built with assertions, has its own); call
/// before parsing.
void registerDebugOnlyOption();

/// True when `-debug-only` names `type`.
bool isDebugEnabled(llvm::StringRef type);

/// Where explanations go (stderr, like LLVM's dbgs()).
llvm::raw_ostream &debugStream();

} // namespace dsr1

#endif // DSR1_SUPPORT_DEBUGONLY_H
