//===- Result.h - Status and Result for the dsr1 runtime --------*- C++ -*-===//
//
// The runtime's error types are the public API's (include/dsr1/Result.h):
// internal code keeps including this path.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_RESULT_H
#define DSR1_RUNTIME_RESULT_H

#include "dsr1/Result.h"

#endif // DSR1_RUNTIME_RESULT_H
