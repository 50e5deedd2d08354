//===- Progress.cpp - compile stages on a terminal and in reports ---------===//

#include "compiler/driver/Progress.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace dsr1 {

void Progress::stage(llvm::StringRef description, llvm::StringRef name) {
  finish();
  running = true;
  current = (name.empty() ? description : name).str();
  start = std::chrono::steady_clock::now();
  if (!show)
    return;
  llvm::errs() << "dsr1: " << description << "...";
  llvm::errs().flush();
}

void Progress::finish() {
  if (!running)
    return;
  running = false;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (times) {
    bool merged = false;
    for (StageTime &time : *times)
      if (time.name == current) {
        time.seconds += seconds;
        merged = true;
      }
    if (!merged)
      times->push_back({current, seconds});
  }
  if (show)
    llvm::errs() << llvm::format(" %.2f s\n", seconds);
}

} // namespace dsr1
