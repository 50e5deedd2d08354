//===- Progress.h - compile stages on a terminal and in reports -*- C++ -*-===//
//
// A long compile says what it is doing: "dsr1: optimising the graph... 1.20
// s" on stderr when the user watches a terminal, and every stage's time
// recorded for the artifact's report either way.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DRIVER_PROGRESS_H
#define DSR1_DRIVER_PROGRESS_H

#include "runtime/Artifact.h"

#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <string>
#include <vector>

namespace dsr1 {

class Progress {
public:
  /// `show`: print each stage on stderr. `times`: where finished stages'
  /// times go (stage names up to the first space: "NVRTC", "codegen"), if
  /// given.
  explicit Progress(bool show, std::vector<StageTime> *times = nullptr)
      : show(show), times(times) {}
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;
  ~Progress() { finish(); }

  /// Ends the current stage and starts `description`, recorded as `name`
  /// (the description itself when empty).
  void stage(llvm::StringRef description, llvm::StringRef name = "");
  /// Ends the current stage.
  void finish();

private:
  bool show;
  std::vector<StageTime> *times;
  bool running = false;
  std::string current;
  std::chrono::steady_clock::time_point start;
};

} // namespace dsr1

#endif // DSR1_DRIVER_PROGRESS_H
