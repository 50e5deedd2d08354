// dsr1-opt as a user meets it: the help lists the dsr1 dialect and pipeline, and bad input ends in a located error with exit code 1, never a crash.
// RUN: dsr1-opt --help | FileCheck %s --check-prefix=HELP
// HELP: Available Dialects: {{.*}}dsr1
// HELP: --dsr1-optimize-pipeline

// RUN: not dsr1-opt %S/Inputs/truncated.mlir 2>&1 | FileCheck %s --check-prefix=SYNTAX
// SYNTAX: truncated.mlir:3:20: error: expected SSA operand

// RUN: not dsr1-opt %S/Inputs/bad-shapes.mlir 2>&1 | FileCheck %s --check-prefix=SHAPES
// SHAPES: bad-shapes.mlir:3:8: error: 'dsr1.matmul' op contracted dimensions differ: 2x3 and 4x5 (3 vs 4)

// RUN: not dsr1-opt %S/Inputs/unknown-op.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: unknown-op.mlir:3:8: error: custom op 'dsr1.frobnicate' is unknown

// RUN: not dsr1-opt %S/Inputs/does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: cannot open input file '{{.*}}does-not-exist.mlir': No such file or directory

// Binary junk is an error too.
// RUN: printf '\001\002\003junk' | not dsr1-opt 2>&1 | FileCheck %s --check-prefix=JUNK
// JUNK: error:
