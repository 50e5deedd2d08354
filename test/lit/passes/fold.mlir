// -dsr1-fold: constant folding and canonicalisation to a fixed point, every rewrite exact, with
// the near-misses that must stay.
// RUN: dsr1-opt %s --split-input-file -dsr1-fold | FileCheck %s

//===----------------------------------------------------------------------===//
// Shape arithmetic
//===----------------------------------------------------------------------===//

// A Shape -> Gather -> Unsqueeze -> Concat -> Reshape subgraph whose shape is constant by now.
// CHECK-LABEL: func.func @shape_subgraph
// CHECK-SAME: (%[[X:.+]]: tensor<2x16x32xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.reshape %[[X]] to [2, 16, 4, 8] : tensor<2x16x32xf32>
// CHECK-NEXT: return %[[R]]
func.func @shape_subgraph(%x: tensor<2x16x32xf32>) -> tensor<2x16x4x8xf32> {
  %shape = dsr1.constant dense<[2, 16, 32]> : tensor<3xi64>
  %i0 = dsr1.constant dense<[0, 1]> : tensor<2xi64>
  %bs = dsr1.gather %shape[%i0] axis 0 : tensor<3xi64>, tensor<2xi64>
  %heads = dsr1.constant dense<4> : tensor<1xi64>
  %hd = dsr1.constant dense<32> : tensor<1xi64>
  %d = dsr1.div %hd, %heads : tensor<1xi64>, tensor<1xi64>
  %s = dsr1.concat %bs, %heads, %d axis 0 : tensor<2xi64>, tensor<1xi64>, tensor<1xi64>
  %c = dsr1.cast %s to i64 : tensor<4xi64>
  %r = dsr1.reshape %x to [2, 16, 4, 8] : tensor<2x16x32xf32>
  return %r : tensor<2x16x4x8xf32>
}

// -----

// The scale 1 / sqrt(head_dim) that exporters compute from a constant.
// CHECK-LABEL: func.func @scale_chain
// CHECK-NEXT: %[[C:.+]] = dsr1.constant dense<1.250000e-01> : tensor<f32>
// CHECK-NEXT: return %[[C]]
func.func @scale_chain() -> tensor<f32> {
  %d = dsr1.constant dense<64> : tensor<i64>
  %f = dsr1.cast %d to f32 : tensor<i64>
  %s = dsr1.sqrt %f : tensor<f32>
  %one = dsr1.constant dense<1.0> : tensor<f32>
  %r = dsr1.div %one, %s : tensor<f32>, tensor<f32>
  return %r : tensor<f32>
}

// -----

// Transposes and reshapes of small constants become constants.
// CHECK-LABEL: func.func @constant_data_movement
// CHECK-NEXT: %[[C:.+]] = dsr1.constant dense<{{\[}}[1, 3], [2, 4]]> : tensor<2x2xi32>
// CHECK-NEXT: %[[R:.+]] = dsr1.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
// CHECK-NEXT: return %[[C]], %[[R]]
func.func @constant_data_movement() -> (tensor<2x2xi32>, tensor<4xi32>) {
  %c = dsr1.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %t = dsr1.transpose %c perm [1, 0] : tensor<2x2xi32>
  %r = dsr1.reshape %c to [4] : tensor<2x2xi32>
  return %t, %r : tensor<2x2xi32>, tensor<4xi32>
}

// -----

// A dense_resource blob that something else reads too is never copied into a folded constant.
// CHECK-LABEL: func.func @weight_stays
// CHECK-NEXT: %[[W:.+]] = dsr1.constant dense_resource<w> : tensor<2x2xf32>
// CHECK-NEXT: %[[T:.+]] = dsr1.transpose %[[W]] perm [1, 0] : tensor<2x2xf32>
// CHECK-NEXT: return %[[T]], %[[W]]
func.func @weight_stays() -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = dsr1.constant dense_resource<w> : tensor<2x2xf32>
  %t = dsr1.transpose %w perm [1, 0] : tensor<2x2xf32>
  return %t, %w : tensor<2x2xf32>, tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @identity_cast
// CHECK-SAME: (%[[X:.+]]: tensor<4xi64>)
// CHECK-NEXT: return %[[X]]
func.func @identity_cast(%x: tensor<4xi64>) -> tensor<4xi64> {
  %0 = dsr1.cast %x to i64 : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Round trips through a wider type are the identity.
// CHECK-LABEL: func.func @exact_round_trips
// CHECK-SAME: (%[[F:.+]]: tensor<4xf32>, %[[I:.+]]: tensor<4xi32>, %[[B:.+]]: tensor<4xi1>, %[[H:.+]]: tensor<4xbf16>)
// CHECK-NEXT: return %[[F]], %[[I]], %[[B]], %[[H]]
func.func @exact_round_trips(%f: tensor<4xf32>, %i: tensor<4xi32>, %b: tensor<4xi1>,
                             %h: tensor<4xbf16>)
    -> (tensor<4xf32>, tensor<4xi32>, tensor<4xi1>, tensor<4xbf16>) {
  %0 = dsr1.cast %f to f64 : tensor<4xf32>
  %1 = dsr1.cast %0 to f32 : tensor<4xf64>
  %2 = dsr1.cast %i to i64 : tensor<4xi32>
  %3 = dsr1.cast %2 to i32 : tensor<4xi64>
  %4 = dsr1.cast %b to i64 : tensor<4xi1>
  %5 = dsr1.cast %4 to i1 : tensor<4xi64>
  %6 = dsr1.cast %h to f32 : tensor<4xbf16>
  %7 = dsr1.cast %6 to bf16 : tensor<4xf32>
  return %1, %3, %5, %7 : tensor<4xf32>, tensor<4xi32>, tensor<4xi1>, tensor<4xbf16>
}

// -----

// An exact first cast composes with any second one.
// CHECK-LABEL: func.func @exact_chains
// CHECK-SAME: (%[[A:.+]]: tensor<4xi8>, %[[H:.+]]: tensor<4xf16>, %[[U:.+]]: tensor<4xui16>)
// CHECK-NEXT: %[[C0:.+]] = dsr1.cast %[[A]] to f32 : tensor<4xi8>
// CHECK-NEXT: %[[C1:.+]] = dsr1.cast %[[H]] to f64 : tensor<4xf16>
// CHECK-NEXT: %[[C2:.+]] = dsr1.cast %[[U]] to i8 : tensor<4xui16>
// CHECK-NEXT: %[[C3:.+]] = dsr1.cast %[[H]] to i32 : tensor<4xf16>
// CHECK-NEXT: return %[[C0]], %[[C1]], %[[C2]], %[[C3]]
func.func @exact_chains(%a: tensor<4xi8>, %h: tensor<4xf16>, %u: tensor<4xui16>)
    -> (tensor<4xf32>, tensor<4xf64>, tensor<4xi8>, tensor<4xi32>) {
  %0 = dsr1.cast %a to i32 : tensor<4xi8>
  %1 = dsr1.cast %0 to f32 : tensor<4xi32>
  %2 = dsr1.cast %h to f32 : tensor<4xf16>
  %3 = dsr1.cast %2 to f64 : tensor<4xf32>
  %4 = dsr1.cast %u to i32 : tensor<4xui16>
  %5 = dsr1.cast %4 to i8 : tensor<4xi32>
  %6 = dsr1.cast %h to f64 : tensor<4xf16>
  %7 = dsr1.cast %6 to i32 : tensor<4xf64>
  return %1, %3, %5, %7 : tensor<4xf32>, tensor<4xf64>, tensor<4xi8>, tensor<4xi32>
}

// -----

// Near-misses: the first cast loses values (f32 -> f16 rounds, i64 -> i32 wraps, i32 -> f32
// rounds above 2^24, f32 -> i32 truncates, ui8 -> i8 wraps, anything -> i1), or a narrow float
// saturates. Each chain stays as it is.
// CHECK-LABEL: func.func @lossy_chains
// CHECK-COUNT-14: dsr1.cast
// CHECK-NOT: dsr1.cast
func.func @lossy_chains(%f: tensor<4xf32>, %l: tensor<4xi64>, %i: tensor<4xi32>,
                        %u: tensor<4xui8>)
    -> (tensor<4xf32>, tensor<4xi64>, tensor<4xi32>, tensor<4xf32>, tensor<4xui8>,
        tensor<4xf32>, tensor<4xf32>) {
  %0 = dsr1.cast %f to f16 : tensor<4xf32>
  %1 = dsr1.cast %0 to f32 : tensor<4xf16>
  %2 = dsr1.cast %l to i32 : tensor<4xi64>
  %3 = dsr1.cast %2 to i64 : tensor<4xi32>
  %4 = dsr1.cast %i to f32 : tensor<4xi32>
  %5 = dsr1.cast %4 to i32 : tensor<4xf32>
  %6 = dsr1.cast %f to i32 : tensor<4xf32>
  %7 = dsr1.cast %6 to f32 : tensor<4xi32>
  %8 = dsr1.cast %u to i8 : tensor<4xui8>
  %9 = dsr1.cast %8 to ui8 : tensor<4xi8>
  %10 = dsr1.cast %f to i1 : tensor<4xf32>
  %11 = dsr1.cast %10 to f32 : tensor<4xi1>
  %12 = dsr1.cast %f to f8E4M3FN : tensor<4xf32>
  %13 = dsr1.cast %12 to f32 : tensor<4xf8E4M3FN>
  return %1, %3, %5, %7, %9, %11, %13
      : tensor<4xf32>, tensor<4xi64>, tensor<4xi32>, tensor<4xf32>, tensor<4xui8>,
        tensor<4xf32>, tensor<4xf32>
}

// -----

// f16 and bf16 do not hold each other's values: f16 -> bf16 -> f32 stays.
// CHECK-LABEL: func.func @half_to_bfloat
// CHECK-NEXT: dsr1.cast %{{.+}} to bf16 : tensor<4xf16>
// CHECK-NEXT: dsr1.cast %{{.+}} to f32 : tensor<4xbf16>
func.func @half_to_bfloat(%h: tensor<4xf16>) -> tensor<4xf32> {
  %0 = dsr1.cast %h to bf16 : tensor<4xf16>
  %1 = dsr1.cast %0 to f32 : tensor<4xbf16>
  return %1 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.reshape %[[X]] to [4, 6] : tensor<2x3x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = dsr1.reshape %x to [6, 4] : tensor<2x3x4xf32>
  %1 = dsr1.reshape %0 to [24] : tensor<6x4xf32>
  %2 = dsr1.reshape %1 to [4, 6] : tensor<24xf32>
  return %2 : tensor<4x6xf32>
}

// -----

// Unsqueeze then squeeze: reshapes back to the input's shape.
// CHECK-LABEL: func.func @unsqueeze_squeeze
// CHECK-SAME: (%[[X:.+]]: tensor<2x?xf32>)
// CHECK-NEXT: return %[[X]]
func.func @unsqueeze_squeeze(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %0 = dsr1.reshape %x to [1, 2, -1] : tensor<2x?xf32>
  %1 = dsr1.reshape %0 to [2, -1] : tensor<1x2x?xf32>
  return %1 : tensor<2x?xf32>
}

// -----

// The inner reshape has another use: it stays for that one, the outer one reads the input.
// CHECK-LABEL: func.func @reshape_used_elsewhere
// CHECK-SAME: (%[[X:.+]]: tensor<2x6xf32>)
// CHECK-NEXT: %[[A:.+]] = dsr1.reshape %[[X]] to [3, 4] : tensor<2x6xf32>
// CHECK-NEXT: %[[B:.+]] = dsr1.reshape %[[X]] to [12] : tensor<2x6xf32>
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @reshape_used_elsewhere(%x: tensor<2x6xf32>) -> (tensor<3x4xf32>, tensor<12xf32>) {
  %0 = dsr1.reshape %x to [3, 4] : tensor<2x6xf32>
  %1 = dsr1.reshape %0 to [12] : tensor<3x4xf32>
  return %0, %1 : tensor<3x4xf32>, tensor<12xf32>
}

// -----

// A dynamic dim copied (0) from an inner reshape's dynamic dim cannot be resolved: both stay.
// CHECK-LABEL: func.func @reshape_chain_dynamic_copy
// CHECK-NEXT: dsr1.reshape %{{.+}} to [-1, 4]
// CHECK-NEXT: dsr1.reshape %{{.+}} to [0, 2, 2]
func.func @reshape_chain_dynamic_copy(%x: tensor<?x8xf32>) -> tensor<?x2x2xf32> {
  %0 = dsr1.reshape %x to [-1, 4] : tensor<?x8xf32>
  %1 = dsr1.reshape %0 to [0, 2, 2] : tensor<?x4xf32>
  return %1 : tensor<?x2x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Transposes
//===----------------------------------------------------------------------===//

// The head split and its inverse cancel.
// CHECK-LABEL: func.func @transpose_pair_identity
// CHECK-SAME: (%[[X:.+]]: tensor<2x?x4x8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_pair_identity(%x: tensor<2x?x4x8xf32>) -> tensor<2x?x4x8xf32> {
  %0 = dsr1.transpose %x perm [0, 2, 1, 3] : tensor<2x?x4x8xf32>
  %1 = dsr1.transpose %0 perm [0, 2, 1, 3] : tensor<2x4x?x8xf32>
  return %1 : tensor<2x?x4x8xf32>
}

// -----

// A pair that does not compose to the identity stays one transpose.
// CHECK-LABEL: func.func @transpose_pair
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4x5xf32>)
// CHECK-NEXT: %[[T:.+]] = dsr1.transpose %[[X]] perm [0, 2, 3, 1] : tensor<2x3x4x5xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_pair(%x: tensor<2x3x4x5xf32>) -> tensor<2x4x5x3xf32> {
  %0 = dsr1.transpose %x perm [0, 2, 1, 3] : tensor<2x3x4x5xf32>
  %1 = dsr1.transpose %0 perm [0, 1, 3, 2] : tensor<2x4x3x5xf32>
  return %1 : tensor<2x4x5x3xf32>
}

// -----

// Moving only a unit dim keeps the elements in place: a reshape, which then merges with the
// next one (an LSTM output with one direction).
// CHECK-LABEL: func.func @unit_dim_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<10x1x2x32xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.reshape %[[X]] to [10, 2, 32] : tensor<10x1x2x32xf32>
// CHECK-NEXT: return %[[R]]
func.func @unit_dim_transpose(%x: tensor<10x1x2x32xf32>) -> tensor<10x2x32xf32> {
  %0 = dsr1.transpose %x perm [0, 2, 1, 3] : tensor<10x1x2x32xf32>
  %1 = dsr1.reshape %0 to [10, 2, 32] : tensor<10x2x1x32xf32>
  return %1 : tensor<10x2x32xf32>
}

// -----

// With dynamic dims: one that keeps its index is copied (0), one that moves is inferred (-1).
// CHECK-LABEL: func.func @unit_dim_transpose_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x1x?xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.reshape %[[X]] to [0, -1, 1] : tensor<?x1x?xf32>
// CHECK-NEXT: return %[[R]]
func.func @unit_dim_transpose_dynamic(%x: tensor<?x1x?xf32>) -> tensor<?x?x1xf32> {
  %0 = dsr1.transpose %x perm [0, 2, 1] : tensor<?x1x?xf32>
  return %0 : tensor<?x?x1xf32>
}

// -----

// Near-misses: a transpose that reorders dims that are not 1, and one with two dynamic dims
// that move (no reshape infers both).
// CHECK-LABEL: func.func @real_transposes
// CHECK-NEXT: dsr1.transpose %{{.+}} perm [0, 2, 1] : tensor<1x3x4xf32>
// CHECK-NEXT: dsr1.transpose %{{.+}} perm [1, 2, 0] : tensor<1x?x?xf32>
func.func @real_transposes(%x: tensor<1x3x4xf32>, %y: tensor<1x?x?xf32>)
    -> (tensor<1x4x3xf32>, tensor<?x?x1xf32>) {
  %0 = dsr1.transpose %x perm [0, 2, 1] : tensor<1x3x4xf32>
  %1 = dsr1.transpose %y perm [1, 2, 0] : tensor<1x?x?xf32>
  return %0, %1 : tensor<1x4x3xf32>, tensor<?x?x1xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Expand, slice, concat, pad
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @identity_expand_pad
// CHECK-SAME: (%[[X:.+]]: tensor<2x?xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @identity_expand_pad(%x: tensor<2x?xf32>) -> (tensor<2x?xf32>, tensor<2x?xf32>) {
  %0 = dsr1.expand %x to [2, 1] : tensor<2x?xf32>
  %1 = dsr1.pad %x [0, 0, 0, 0] {mode = #dsr1.pad_mode<reflect>} : tensor<2x?xf32>
  return %0, %1 : tensor<2x?xf32>, tensor<2x?xf32>
}

// -----

// An expand that only puts 1s in front is a reshape.
// CHECK-LABEL: func.func @expand_adds_unit_dims
// CHECK-SAME: (%[[X:.+]]: tensor<32xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.reshape %[[X]] to [1, 1, 32] : tensor<32xf32>
// CHECK-NEXT: return %[[R]]
func.func @expand_adds_unit_dims(%x: tensor<32xf32>) -> tensor<1x1x32xf32> {
  %0 = dsr1.expand %x to [1, 1, 1] : tensor<32xf32>
  return %0 : tensor<1x1x32xf32>
}

// -----

// Near-misses: an expand that stretches a dim, and one whose dynamic input dim may be a 1 that
// stretches to 4.
// CHECK-LABEL: func.func @expand_broadcasts
// CHECK-NEXT: dsr1.expand %{{.+}} to [3, 4] : tensor<1x4xf32>
// CHECK-NEXT: dsr1.expand %{{.+}} to [4] : tensor<?xf32>
func.func @expand_broadcasts(%x: tensor<1x4xf32>, %y: tensor<?xf32>)
    -> (tensor<3x4xf32>, tensor<4xf32>) {
  %0 = dsr1.expand %x to [3, 4] : tensor<1x4xf32>
  %1 = dsr1.expand %y to [4] : tensor<?xf32>
  return %0, %1 : tensor<3x4xf32>, tensor<4xf32>
}

// -----

// A small constant expanded is a constant (a causal mask repeated per batch).
// CHECK-LABEL: func.func @expand_constant
// CHECK-NEXT: %[[C:.+]] = dsr1.constant dense<{{\[}}{{\[}}[true, false], [true, true]], {{\[}}[true, false], [true, true]]]> : tensor<2x2x2xi1>
// CHECK-NEXT: return %[[C]]
func.func @expand_constant() -> tensor<2x2x2xi1> {
  %c = dsr1.constant dense<[[[true, false], [true, true]]]> : tensor<1x2x2xi1>
  %0 = dsr1.expand %c to [2, 1, 1] : tensor<1x2x2xi1>
  return %0 : tensor<2x2x2xi1>
}

// -----

// Slices that keep everything: bounds past the ends, INT64_MAX on a dynamic dim.
// CHECK-LABEL: func.func @identity_slices
// CHECK-SAME: (%[[X:.+]]: tensor<4x?xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @identity_slices(%x: tensor<4x?xf32>) -> (tensor<4x?xf32>, tensor<4x?xf32>) {
  %0 = dsr1.slice %x {starts = array<i64: -10>, ends = array<i64: 100>, axes = array<i64: 0>}
      : tensor<4x?xf32>
  %1 = dsr1.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 4, 9223372036854775807>,
                      steps = array<i64: 1, 1>} : tensor<4x?xf32>
  return %0, %1 : tensor<4x?xf32>, tensor<4x?xf32>
}

// -----

// Near-misses: the last element dropped on a dynamic dim, a reversed dim of the same size.
// CHECK-LABEL: func.func @real_slices
// CHECK-COUNT-2: dsr1.slice
func.func @real_slices(%x: tensor<4x?xf32>) -> (tensor<4x?xf32>, tensor<4x?xf32>) {
  %0 = dsr1.slice %x {starts = array<i64: 0>, ends = array<i64: -1>, axes = array<i64: 1>}
      : tensor<4x?xf32>
  %1 = dsr1.slice %x {starts = array<i64: -1>, ends = array<i64: -100>, axes = array<i64: 0>,
                      steps = array<i64: -1>} : tensor<4x?xf32>
  return %0, %1 : tensor<4x?xf32>, tensor<4x?xf32>
}

// -----

// A slice that takes one input of a concat is that input; one within an input slices it.
// CHECK-LABEL: func.func @slice_of_concat
// CHECK-SAME: (%[[A:.+]]: tensor<2x1xi64>, %[[B:.+]]: tensor<2x3xi64>)
// CHECK-NEXT: %[[S:.+]] = dsr1.slice %[[B]] {axes = array<i64: 1>, ends = array<i64: 3>, starts = array<i64: 1>} : tensor<2x3xi64>
// CHECK-NEXT: return %[[A]], %[[B]], %[[S]]
func.func @slice_of_concat(%a: tensor<2x1xi64>, %b: tensor<2x3xi64>)
    -> (tensor<2x1xi64>, tensor<2x3xi64>, tensor<2x2xi64>) {
  %c = dsr1.concat %a, %b axis 1 : tensor<2x1xi64>, tensor<2x3xi64>
  %0 = dsr1.slice %c {starts = array<i64: 0>, ends = array<i64: 1>, axes = array<i64: 1>}
      : tensor<2x4xi64>
  %1 = dsr1.slice %c {starts = array<i64: 1>, ends = array<i64: 100>, axes = array<i64: 1>}
      : tensor<2x4xi64>
  %2 = dsr1.slice %c {starts = array<i64: -2>, ends = array<i64: 4>, axes = array<i64: 1>}
      : tensor<2x4xi64>
  return %0, %1, %2 : tensor<2x1xi64>, tensor<2x3xi64>, tensor<2x2xi64>
}

// -----

// Near-misses: a range across two inputs, a step of 2, a slice of another axis.
// CHECK-LABEL: func.func @slice_of_concat_spanning
// CHECK: dsr1.concat
// CHECK-COUNT-3: dsr1.slice %{{.+}} : tensor<2x4xi64>
func.func @slice_of_concat_spanning(%a: tensor<2x1xi64>, %b: tensor<2x3xi64>)
    -> (tensor<2x2xi64>, tensor<2x1xi64>, tensor<1x4xi64>) {
  %c = dsr1.concat %a, %b axis 1 : tensor<2x1xi64>, tensor<2x3xi64>
  %0 = dsr1.slice %c {starts = array<i64: 0>, ends = array<i64: 2>, axes = array<i64: 1>}
      : tensor<2x4xi64>
  %1 = dsr1.slice %c {starts = array<i64: 1>, ends = array<i64: 3>, axes = array<i64: 1>,
                      steps = array<i64: 2>} : tensor<2x4xi64>
  %2 = dsr1.slice %c {starts = array<i64: 0>, ends = array<i64: 1>, axes = array<i64: 0>}
      : tensor<2x4xi64>
  return %0, %1, %2 : tensor<2x2xi64>, tensor<2x1xi64>, tensor<1x4xi64>
}

// -----

// CHECK-LABEL: func.func @real_pad
// CHECK-NEXT: dsr1.pad
func.func @real_pad(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %0 = dsr1.pad %x [0, 0, 0, 1] : tensor<2x3xf32>
  return %0 : tensor<2x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Gathers at constant indices
//===----------------------------------------------------------------------===//

// The mask gather of the dynamo exporter (GatherND at 0..31): a reshape.
// CHECK-LABEL: func.func @gather_iota
// CHECK-SAME: (%[[M:.+]]: tensor<2x16xi64>)
// CHECK-NEXT: %[[B:.+]] = dsr1.cast %[[M]] to i1 : tensor<2x16xi64>
// CHECK-NEXT: %[[R:.+]] = dsr1.reshape %[[B]] to [2, 1, 1, 16] : tensor<2x16xi1>
// CHECK-NEXT: return %[[R]]
func.func @gather_iota(%m: tensor<2x16xi64>) -> tensor<2x1x1x16xi1> {
  %b = dsr1.cast %m to i1 : tensor<2x16xi64>
  %r = dsr1.reshape %b to [32] : tensor<2x16xi1>
  %ids = dsr1.constant dense<[[[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]]],
                              [[[16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                                 31]]]]> : tensor<2x1x1x16xi64>
  %g = dsr1.gather %r[%ids] axis 0 : tensor<32xi1>, tensor<2x1x1x16xi64>
  return %g : tensor<2x1x1x16xi1>
}

// -----

// A vector of evenly spaced indices is a strided slice: rows 2..4 of a table, every other row
// backwards (negative indices count from the end).
// CHECK-LABEL: func.func @gather_ranges
// CHECK-SAME: (%[[T:.+]]: tensor<8x4xf32>)
// CHECK-NEXT: %[[P:.+]] = dsr1.slice %[[T]] {axes = array<i64: 0>, ends = array<i64: 5>, starts = array<i64: 2>} : tensor<8x4xf32>
// CHECK-NEXT: %[[B:.+]] = dsr1.slice %[[T]] {axes = array<i64: 0>, ends = array<i64: -9223372036854775808>, starts = array<i64: 7>, steps = array<i64: -2>} : tensor<8x4xf32>
// CHECK-NEXT: return %[[P]], %[[B]]
func.func @gather_ranges(%t: tensor<8x4xf32>) -> (tensor<3x4xf32>, tensor<4x4xf32>) {
  %rows = dsr1.constant dense<[2, 3, 4]> : tensor<3xi64>
  %0 = dsr1.gather %t[%rows] axis 0 : tensor<8x4xf32>, tensor<3xi64>
  %back = dsr1.constant dense<[-1, 5, -5, 1]> : tensor<4xi32>
  %1 = dsr1.gather %t[%back] axis 0 : tensor<8x4xf32>, tensor<4xi32>
  return %0, %1 : tensor<3x4xf32>, tensor<4x4xf32>
}

// -----

// Part of an axis in another shape would be a slice and a reshape, two kernels for one: the
// positions 0..3 of a table as a 1x4 index and the class token (a single index) stay gathers.
// CHECK-LABEL: func.func @gather_part_reshaped
// CHECK-COUNT-2: dsr1.gather
func.func @gather_part_reshaped(%t: tensor<8x4xf32>, %h: tensor<2x5x4xf32>)
    -> (tensor<1x4x4xf32>, tensor<2x4xf32>) {
  %pos = dsr1.constant dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>
  %0 = dsr1.gather %t[%pos] axis 0 : tensor<8x4xf32>, tensor<1x4xi64>
  %cls = dsr1.constant dense<0> : tensor<i64>
  %1 = dsr1.gather %h[%cls] axis 1 : tensor<2x5x4xf32>, tensor<i64>
  return %0, %1 : tensor<1x4x4xf32>, tensor<2x4xf32>
}

// -----

// Near-misses: indices not evenly spaced, a repeated index, an index out of range (left to run
// time, which reports it), indices that are not constant.
// CHECK-LABEL: func.func @real_gathers
// CHECK-COUNT-4: dsr1.gather
func.func @real_gathers(%t: tensor<8x4xf32>, %ids: tensor<3xi64>)
    -> (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<3x4xf32>) {
  %a = dsr1.constant dense<[0, 1, 3]> : tensor<3xi64>
  %0 = dsr1.gather %t[%a] axis 0 : tensor<8x4xf32>, tensor<3xi64>
  %b = dsr1.constant dense<[2, 2]> : tensor<2xi64>
  %1 = dsr1.gather %t[%b] axis 0 : tensor<8x4xf32>, tensor<2xi64>
  %c = dsr1.constant dense<[7, 8]> : tensor<2xi64>
  %2 = dsr1.gather %t[%c] axis 0 : tensor<8x4xf32>, tensor<2xi64>
  %3 = dsr1.gather %t[%ids] axis 0 : tensor<8x4xf32>, tensor<3xi64>
  return %0, %1, %2, %3 : tensor<3x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<3x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Where with a constant condition
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @where_constant_condition
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>, %[[Y:.+]]: tensor<2x3xf32>, %[[Z:.+]]: tensor<3xf32>)
// CHECK-NEXT: %[[E:.+]] = dsr1.expand %[[Z]] to [2, 3] : tensor<3xf32>
// CHECK-NEXT: return %[[X]], %[[E]]
func.func @where_constant_condition(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>, %z: tensor<3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %t = dsr1.constant dense<true> : tensor<2x3xi1>
  %f = dsr1.constant dense<false> : tensor<i1>
  %0 = dsr1.where %t, %x, %y : tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>
  %1 = dsr1.where %f, %x, %z : tensor<i1>, tensor<2x3xf32>, tensor<3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A condition that is not a splat stays a where.
// CHECK-LABEL: func.func @where_mixed_condition
// CHECK-NEXT: dsr1.constant
// CHECK-NEXT: dsr1.where
func.func @where_mixed_condition(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  %c = dsr1.constant dense<[true, false]> : tensor<2xi1>
  %0 = dsr1.where %c, %x, %y : tensor<2xi1>, tensor<2xf32>, tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Arithmetic identities
//===----------------------------------------------------------------------===//

// x * 1, 1 * x, x / 1, x + (-0.0), (-0.0) + x, x - 0.0: bitwise x for every float x.
// CHECK-LABEL: func.func @float_identities
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @float_identities(%x: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>) {
  %one = dsr1.constant dense<1.0> : tensor<f32>
  %ones = dsr1.constant dense<1.0> : tensor<3xf32>
  %nz = dsr1.constant dense<-0.0> : tensor<1x1xf32>
  %z = dsr1.constant dense<0.0> : tensor<f32>
  %0 = dsr1.mul %x, %one : tensor<2x3xf32>, tensor<f32>
  %1 = dsr1.mul %ones, %x : tensor<3xf32>, tensor<2x3xf32>
  %2 = dsr1.div %x, %one : tensor<2x3xf32>, tensor<f32>
  %3 = dsr1.add %x, %nz : tensor<2x3xf32>, tensor<1x1xf32>
  %4 = dsr1.add %nz, %x : tensor<1x1xf32>, tensor<2x3xf32>
  %5 = dsr1.sub %x, %z : tensor<2x3xf32>, tensor<f32>
  return %0, %1, %2, %3, %4, %5
      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>
}

// -----

// Near-misses: x + 0.0 turns -0.0 into +0.0, x - (-0.0) likewise, 1 / x and 0 - x are not x
// and 1.00000012 is not 1.
// CHECK-LABEL: func.func @float_near_identities
// CHECK: dsr1.add
// CHECK: dsr1.sub
// CHECK: dsr1.div
// CHECK: dsr1.sub
// CHECK: dsr1.mul
// CHECK: return
func.func @float_near_identities(%x: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %z = dsr1.constant dense<0.0> : tensor<f32>
  %nz = dsr1.constant dense<-0.0> : tensor<f32>
  %one = dsr1.constant dense<1.0> : tensor<f32>
  %almost = dsr1.constant dense<1.00000012> : tensor<f32>
  %0 = dsr1.add %x, %z : tensor<2x3xf32>, tensor<f32>
  %1 = dsr1.sub %x, %nz : tensor<2x3xf32>, tensor<f32>
  %2 = dsr1.div %one, %x : tensor<f32>, tensor<2x3xf32>
  %3 = dsr1.sub %z, %x : tensor<f32>, tensor<2x3xf32>
  %4 = dsr1.mul %x, %almost : tensor<2x3xf32>, tensor<f32>
  return %0, %1, %2, %3, %4
      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Integer and boolean identities: 0 and +0 are the same there.
// CHECK-LABEL: func.func @integer_identities
// CHECK-SAME: (%[[I:.+]]: tensor<4xi64>, %[[B:.+]]: tensor<4xi1>)
// CHECK-NEXT: return %[[I]], %[[I]], %[[I]], %[[I]], %[[B]], %[[B]]
func.func @integer_identities(%i: tensor<4xi64>, %b: tensor<4xi1>)
    -> (tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xi1>, tensor<4xi1>) {
  %zero = dsr1.constant dense<0> : tensor<i64>
  %one = dsr1.constant dense<1> : tensor<i64>
  %true = dsr1.constant dense<true> : tensor<4xi1>
  %false = dsr1.constant dense<false> : tensor<i1>
  %0 = dsr1.add %zero, %i : tensor<i64>, tensor<4xi64>
  %1 = dsr1.sub %i, %zero : tensor<4xi64>, tensor<i64>
  %2 = dsr1.div %i, %one : tensor<4xi64>, tensor<i64>
  %3 = dsr1.shift_left %i, %zero : tensor<4xi64>, tensor<i64>
  %4 = dsr1.and %true, %b : tensor<4xi1>, tensor<4xi1>
  %5 = dsr1.or %b, %false : tensor<4xi1>, tensor<i1>
  return %0, %1, %2, %3, %4, %5
      : tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xi1>, tensor<4xi1>
}

// -----

// The neutral constant broadcasts x: an expand (the attention mask and-ed with all-true).
// CHECK-LABEL: func.func @identity_broadcasts
// CHECK-SAME: (%[[M:.+]]: tensor<2x1x1x16xi1>, %[[X:.+]]: tensor<?x4xf32>)
// CHECK-NEXT: %[[E:.+]] = dsr1.expand %[[M]] to [2, 1, 16, 16] : tensor<2x1x1x16xi1>
// CHECK-NEXT: %[[F:.+]] = dsr1.expand %[[X]] to [1, 3, 1, 4] : tensor<?x4xf32>
// CHECK-NEXT: return %[[E]], %[[F]]
func.func @identity_broadcasts(%m: tensor<2x1x1x16xi1>, %x: tensor<?x4xf32>)
    -> (tensor<2x1x16x16xi1>, tensor<1x3x?x4xf32>) {
  %true = dsr1.constant dense<true> : tensor<1x1x16x1xi1>
  %0 = dsr1.and %m, %true : tensor<2x1x1x16xi1>, tensor<1x1x16x1xi1>
  %ones = dsr1.constant dense<1.0> : tensor<1x3x1x1xf32>
  %1 = dsr1.mul %ones, %x : tensor<1x3x1x1xf32>, tensor<?x4xf32>
  return %0, %1 : tensor<2x1x16x16xi1>, tensor<1x3x?x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Small blobs, index ranges
//===----------------------------------------------------------------------===//

// An op on a small dense_resource table that nothing else reads folds (T5's relative positions,
// a transposed weight); one that has no folder (log) leaves the blob as it is, and a blob of
// more than 1024 elements is never read.
// CHECK-LABEL: func.func @small_blobs
// CHECK-DAG: %[[A:.+]] = dsr1.constant dense<[3, 0, 2, 1]> : tensor<4xi64>
// CHECK-DAG: %[[F:.+]] = dsr1.constant dense_resource<f> : tensor<2xf32>
// CHECK-DAG: %[[B:.+]] = dsr1.constant dense_resource<big> : tensor<1025xi8>
// CHECK-DAG: %[[L:.+]] = dsr1.log %[[F]] : tensor<2xf32>
// CHECK-DAG: %[[N:.+]] = dsr1.neg %[[B]] : tensor<1025xi8>
// CHECK-DAG: %[[T:.+]] = dsr1.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: return %[[A]], %[[L]], %[[N]], %[[T]]
func.func @small_blobs() -> (tensor<4xi64>, tensor<2xf32>, tensor<1025xi8>, tensor<2x2xf32>) {
  %r = dsr1.constant dense_resource<r> : tensor<4xi64>
  %0 = dsr1.abs %r : tensor<4xi64>
  %w = dsr1.constant dense_resource<w> : tensor<2x2xf32>
  %3 = dsr1.transpose %w perm [1, 0] : tensor<2x2xf32>
  %f = dsr1.constant dense_resource<f> : tensor<2xf32>
  %1 = dsr1.log %f : tensor<2xf32>
  %b = dsr1.constant dense_resource<big> : tensor<1025xi8>
  %2 = dsr1.neg %b : tensor<1025xi8>
  return %0, %1, %2, %3 : tensor<4xi64>, tensor<2xf32>, tensor<1025xi8>, tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      r: "0x08000000FDFFFFFFFFFFFFFF00000000000000000200000000000000FFFFFFFFFFFFFFFF",
      f: "0x040000000000803F00000040",
      w: "0x040000000000803F000000400000404000008040",
      big: "0x01000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    }
  }
#-}

// -----

// An arg_max index is never negative: the exporters' `where(i < 0, i + n, i)` is i.
// CHECK-LABEL: func.func @nonnegative_index
// CHECK-SAME: (%[[X:.+]]: tensor<2x12xf32>)
// CHECK-DAG: %[[T:.+]] = dsr1.constant dense<true> : tensor<2xi1>
// CHECK-DAG: %[[I:.+]] = dsr1.arg_max %[[X]]
// CHECK-NOT: dsr1.less
// CHECK: return %[[I]], %[[T]]
func.func @nonnegative_index(%x: tensor<2x12xf32>) -> (tensor<2xi64>, tensor<2xi1>) {
  %i = dsr1.arg_max %x axis 1 {keepdims = false} : tensor<2x12xf32>
  %zero = dsr1.constant dense<0> : tensor<i64>
  %n = dsr1.constant dense<12> : tensor<i64>
  %neg = dsr1.less %i, %zero : tensor<2xi64>, tensor<i64>
  %wrapped = dsr1.add %i, %n : tensor<2xi64>, tensor<i64>
  %0 = dsr1.where %neg, %wrapped, %i : tensor<2xi1>, tensor<2xi64>, tensor<2xi64>
  %1 = dsr1.greater_equal %i, %zero : tensor<2xi64>, tensor<i64>
  return %0, %1 : tensor<2xi64>, tensor<2xi1>
}

// -----

// Near-misses: an arg_max compared with 1 (it may be 0), i <= 0 (it may be 0), and a value that
// may be negative.
// CHECK-LABEL: func.func @maybe_negative
// CHECK: dsr1.less %{{.+}}, %{{.+}} : tensor<2xi64>, tensor<i64>
// CHECK: dsr1.less_equal %{{.+}}, %{{.+}} : tensor<2xi64>, tensor<i64>
// CHECK: dsr1.less %{{.+}}, %{{.+}} : tensor<2xi64>, tensor<i64>
func.func @maybe_negative(%x: tensor<2x12xf32>, %y: tensor<2xi64>)
    -> (tensor<2xi1>, tensor<2xi1>, tensor<2xi1>) {
  %i = dsr1.arg_max %x axis 1 {keepdims = false} : tensor<2x12xf32>
  %zero = dsr1.constant dense<0> : tensor<i64>
  %one = dsr1.constant dense<1> : tensor<i64>
  %0 = dsr1.less %i, %one : tensor<2xi64>, tensor<i64>
  %1 = dsr1.less_equal %i, %zero : tensor<2xi64>, tensor<i64>
  %2 = dsr1.less %y, %zero : tensor<2xi64>, tensor<i64>
  return %0, %1, %2 : tensor<2xi1>, tensor<2xi1>, tensor<2xi1>
}

// -----

// torch's scaled_dot_product_attention export transposes K per head through [B * H, S, D]: the
// merge, the transpose of the last two dims and the split back are one transpose of the heads.
// CHECK-LABEL: func.func @transpose_under_merged_dims
// CHECK-SAME: (%[[K:.+]]: tensor<2x4x16x8xf32>)
// CHECK-NEXT: %[[T:.+]] = dsr1.transpose %[[K]] perm [0, 1, 3, 2] : tensor<2x4x16x8xf32>
// CHECK-NEXT: return %[[T]] : tensor<2x4x8x16xf32>
func.func @transpose_under_merged_dims(%k: tensor<2x4x16x8xf32>) -> tensor<2x4x8x16xf32> {
  %m = dsr1.reshape %k to [8, 16, 8] : tensor<2x4x16x8xf32>
  %t = dsr1.transpose %m perm [0, 2, 1] : tensor<8x16x8xf32>
  %r = dsr1.reshape %t to [2, 4, 8, 16] : tensor<8x8x16xf32>
  return %r : tensor<2x4x8x16xf32>
}

// -----

// Near-misses: the split back is another split of the merged dim ([4, 2], not [2, 4]), and a
// transpose that moves the merged dim.
// CHECK-LABEL: func.func @transpose_across_merged_dims
// CHECK: dsr1.reshape
// CHECK-NEXT: dsr1.transpose {{.+}} perm [0, 2, 1]
// CHECK-NEXT: dsr1.reshape {{.+}} to [4, 2, 8, 16]
// CHECK: dsr1.transpose {{.+}} perm [1, 0, 2]
// CHECK-NEXT: dsr1.reshape
func.func @transpose_across_merged_dims(%k: tensor<2x4x16x8xf32>)
    -> (tensor<4x2x8x16xf32>, tensor<16x2x4x8xf32>) {
  %m = dsr1.reshape %k to [8, 16, 8] : tensor<2x4x16x8xf32>
  %t = dsr1.transpose %m perm [0, 2, 1] : tensor<8x16x8xf32>
  %r = dsr1.reshape %t to [4, 2, 8, 16] : tensor<8x8x16xf32>
  %u = dsr1.transpose %m perm [1, 0, 2] : tensor<8x16x8xf32>
  %s = dsr1.reshape %u to [16, 2, 4, 8] : tensor<16x8x8xf32>
  return %r, %s : tensor<4x2x8x16xf32>, tensor<16x2x4x8xf32>
}
