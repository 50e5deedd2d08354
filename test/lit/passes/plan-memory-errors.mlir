// -dsr1-plan-memory and -dsr1-insert-recompute plan a schedule of kernel calls: a graph that
// still holds dsr1 ops (not outlined) is an error naming the op.
// RUN: dsr1-opt %s --split-input-file -dsr1-plan-memory -verify-diagnostics
// RUN: dsr1-opt %s --split-input-file -dsr1-insert-recompute="memory-budget=1K" -verify-diagnostics

func.func @not_outlined(%x: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error @below {{cannot plan 'dsr1.exp': the graph must hold only constants and kernel calls (run -dsr1-outline-kernels first)}}
  %a = dsr1.exp %x : tensor<16xf32>
  return %a : tensor<16xf32>
}
