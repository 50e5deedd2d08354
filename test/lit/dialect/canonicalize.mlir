// Folds and canonicalization patterns of the dsr1 ops, with the near-misses that must stay.
// RUN: dsr1-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @identity_reshape
// CHECK-SAME: (%[[X:.+]]: tensor<2x?x8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity_reshape(%x: tensor<2x?x8xf32>) -> tensor<2x?x8xf32> {
  %0 = dsr1.reshape %x to [0, -1, 8] : tensor<2x?x8xf32>
  return %0 : tensor<2x?x8xf32>
}

// -----

// CHECK-LABEL: func.func @compose_reshapes
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.reshape %[[X]] to [4, -1] : tensor<2x3x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @compose_reshapes(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = dsr1.reshape %x to [6, 4] : tensor<2x3x4xf32>
  %1 = dsr1.reshape %0 to [4, -1] : tensor<6x4xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// The outer reshape copies (0) a dim that the inner reshape made: resolved from the inner result.
// CHECK-LABEL: func.func @compose_reshapes_copy_static
// CHECK-SAME: (%[[X:.+]]: tensor<?x12xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.reshape %[[X]] to [3, -1, 2] : tensor<?x12xf32>
// CHECK-NEXT: return %[[R]]
func.func @compose_reshapes_copy_static(%x: tensor<?x12xf32>) -> tensor<3x?x2xf32> {
  %0 = dsr1.reshape %x to [3, -1] : tensor<?x12xf32>
  %1 = dsr1.reshape %0 to [0, -1, 2] : tensor<3x?xf32>
  return %1 : tensor<3x?x2xf32>
}

// -----

// The outer 0 copies a dim that the inner reshape itself copied from the input.
// CHECK-LABEL: func.func @compose_reshapes_copy_of_copy
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x3xf32>)
// CHECK-NEXT: %[[R:.+]] = dsr1.reshape %[[X]] to [0, 2, 6] : tensor<?x4x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @compose_reshapes_copy_of_copy(%x: tensor<?x4x3xf32>) -> tensor<?x2x6xf32> {
  %0 = dsr1.reshape %x to [0, 12] : tensor<?x4x3xf32>
  %1 = dsr1.reshape %0 to [0, 2, 6] : tensor<?x12xf32>
  return %1 : tensor<?x2x6xf32>
}

// -----

// Near miss: the outer 0 copies a dynamic dim of the inner result, which no shape attribute on
// the original input can name. Both reshapes stay.
// CHECK-LABEL: func.func @compose_reshapes_copy_dynamic
// CHECK: dsr1.reshape
// CHECK: dsr1.reshape
func.func @compose_reshapes_copy_dynamic(%x: tensor<4x?xf32>) -> tensor<?x2x2xf32> {
  %0 = dsr1.reshape %x to [-1, 4] : tensor<4x?xf32>
  %1 = dsr1.reshape %0 to [0, 2, 2] : tensor<?x4xf32>
  return %1 : tensor<?x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @identity_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity_transpose(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dsr1.transpose %x perm [0, 1] : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Transposes that undo each other vanish.
// CHECK-LABEL: func.func @transpose_pair
// CHECK-SAME: (%[[X:.+]]: tensor<2x?x12x64xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_pair(%x: tensor<2x?x12x64xf32>) -> tensor<2x?x12x64xf32> {
  %0 = dsr1.transpose %x perm [0, 2, 1, 3] : tensor<2x?x12x64xf32>
  %1 = dsr1.transpose %0 perm [0, 2, 1, 3] : tensor<2x12x?x64xf32>
  return %1 : tensor<2x?x12x64xf32>
}

// -----

// Two rotations compose into one: x[a, b, c] -> [b, c, a] -> [c, a, b].
// CHECK-LABEL: func.func @transpose_compose
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.+]] = dsr1.transpose %[[X]] perm [2, 0, 1] : tensor<2x3x4xf32>
// CHECK-NEXT: return %[[T]] : tensor<4x2x3xf32>
func.func @transpose_compose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = dsr1.transpose %x perm [1, 2, 0] : tensor<2x3x4xf32>
  %1 = dsr1.transpose %0 perm [1, 2, 0] : tensor<3x4x2xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @identity_cast_expand_concat
// CHECK-SAME: (%[[X:.+]]: tensor<?x4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]]
func.func @identity_cast_expand_concat(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = dsr1.cast %x to f32 : tensor<?x4xf32>
  %1 = dsr1.expand %x to [1, 4] : tensor<?x4xf32>
  %2 = dsr1.concat %x axis 1 : tensor<?x4xf32>
  return %0, %1, %2 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Near misses: a real cast, a real expand, a real transpose.
// CHECK-LABEL: func.func @not_identities
// CHECK: dsr1.cast
// CHECK: dsr1.expand
// CHECK: dsr1.transpose
func.func @not_identities(%x: tensor<?x4xf32>) -> (tensor<?x4xf16>, tensor<3x?x4xf32>, tensor<4x?xf32>) {
  %0 = dsr1.cast %x to f16 : tensor<?x4xf32>
  %1 = dsr1.expand %x to [3, 1, 4] : tensor<?x4xf32>
  %2 = dsr1.transpose %x perm [1, 0] : tensor<?x4xf32>
  return %0, %1, %2 : tensor<?x4xf16>, tensor<3x?x4xf32>, tensor<4x?xf32>
}

// -----

// The shape arithmetic exporters leave behind folds to constants.
// CHECK-LABEL: func.func @fold_integer_arithmetic
// CHECK-DAG: %[[A:.+]] = dsr1.constant dense<[11, 22, 33]> : tensor<3xi64>
// CHECK-DAG: %[[S:.+]] = dsr1.constant dense<[-9, -18, -27]> : tensor<3xi64>
// CHECK-DAG: %[[M:.+]] = dsr1.constant dense<[10, 40, 90]> : tensor<3xi64>
// CHECK-DAG: %[[D:.+]] = dsr1.constant dense<[-3, 3, 2]> : tensor<3xi64>
// CHECK-DAG: %[[MX:.+]] = dsr1.constant dense<[10, 20, 30]> : tensor<3xi64>
// CHECK-DAG: %[[MN:.+]] = dsr1.constant dense<[1, 2, 3]> : tensor<3xi64>
// CHECK: return %[[A]], %[[S]], %[[M]], %[[D]], %[[MX]], %[[MN]]
func.func @fold_integer_arithmetic() -> (tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) {
  %a = dsr1.constant dense<[1, 2, 3]> : tensor<3xi64>
  %b = dsr1.constant dense<[10, 20, 30]> : tensor<3xi64>
  %n = dsr1.constant dense<[-7, 7, 5]> : tensor<3xi64>
  %two = dsr1.constant dense<2> : tensor<1xi64>
  %0 = dsr1.add %a, %b : tensor<3xi64>, tensor<3xi64>
  %1 = dsr1.sub %a, %b : tensor<3xi64>, tensor<3xi64>
  %2 = dsr1.mul %a, %b : tensor<3xi64>, tensor<3xi64>
  // Truncating division, as onnxruntime computes it: -7 / 2 = -3.
  %3 = dsr1.div %n, %two : tensor<3xi64>, tensor<1xi64>
  %4 = dsr1.max %a, %b : tensor<3xi64>, tensor<3xi64>
  %5 = dsr1.min %b, %a : tensor<3xi64>, tensor<3xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>
}

// -----

// Broadcasting [2, 1] against [3] gives [2, 3]: row i is a[i] + b.
// CHECK-LABEL: func.func @fold_broadcast_float
// CHECK: %[[C:.+]] = dsr1.constant dense<{{\[}}[1.100000e+01, 2.100000e+01, 3.100000e+01], [1.200000e+01, 2.200000e+01, 3.200000e+01]]> : tensor<2x3xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_broadcast_float() -> tensor<2x3xf32> {
  %a = dsr1.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = dsr1.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %0 = dsr1.add %a, %b : tensor<2x1xf32>, tensor<3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_compare_logic_pow
// CHECK-DAG: %[[EQ:.+]] = dsr1.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK-DAG: %[[LT:.+]] = dsr1.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG: %[[GE:.+]] = dsr1.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-DAG: %[[AND:.+]] = dsr1.constant dense<false> : tensor<3xi1>
// CHECK-DAG: %[[P:.+]] = dsr1.constant dense<[1.000000e+00, 8.000000e+00]> : tensor<2xf32>
// CHECK: return %[[EQ]], %[[LT]], %[[GE]], %[[AND]], %[[P]]
func.func @fold_compare_logic_pow() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<2xf32>) {
  %a = dsr1.constant dense<[1.0, 2.0, 0x7FC00000]> : tensor<3xf32>
  %b = dsr1.constant dense<[2.0, 2.0, 1.0]> : tensor<3xf32>
  %i = dsr1.constant dense<[1, 5, 3]> : tensor<3xi32>
  %j = dsr1.constant dense<[4, 5, 3]> : tensor<3xi32>
  // NaN compares false.
  %0 = dsr1.equal %a, %b : tensor<3xf32>, tensor<3xf32>
  %1 = dsr1.less %a, %b : tensor<3xf32>, tensor<3xf32>
  %2 = dsr1.greater_equal %i, %j : tensor<3xi32>, tensor<3xi32>
  %3 = dsr1.and %0, %1 : tensor<3xi1>, tensor<3xi1>
  %base = dsr1.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %exp = dsr1.constant dense<3.0> : tensor<f32>
  %4 = dsr1.pow %base, %exp : tensor<2xf32>, tensor<f32>
  return %0, %1, %2, %3, %4 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<2xf32>
}

// -----

// Bitwise ops on integers, and shifts: an amount outside [0, bit width) shifts every bit out (0,
// or -1 for a negative signed value shifted right); unsigned values shift in zeros.
// CHECK-LABEL: func.func @fold_bitwise_and_shifts
// CHECK-DAG: %[[AND:.+]] = dsr1.constant dense<[4, 0, -128]> : tensor<3xi8>
// CHECK-DAG: %[[XOR:.+]] = dsr1.constant dense<[-7, -1, 0]> : tensor<3xi8>
// CHECK-DAG: %[[SHL:.+]] = dsr1.constant dense<[-16, 0, 0]> : tensor<3xi8>
// CHECK-DAG: %[[SHR:.+]] = dsr1.constant dense<[-1, 0, -1]> : tensor<3xi8>
// CHECK-DAG: %[[SHRU:.+]] = dsr1.constant dense<[127, 0]> : tensor<2xui8>
// CHECK: return %[[AND]], %[[XOR]], %[[SHL]], %[[SHR]], %[[SHRU]]
func.func @fold_bitwise_and_shifts() -> (tensor<3xi8>, tensor<3xi8>, tensor<3xi8>, tensor<3xi8>, tensor<2xui8>) {
  %a = dsr1.constant dense<[-4, 1, -128]> : tensor<3xi8>
  %b = dsr1.constant dense<[5, -2, -128]> : tensor<3xi8>
  %n = dsr1.constant dense<[2, 8, -1]> : tensor<3xi8>
  %0 = dsr1.and %a, %b : tensor<3xi8>, tensor<3xi8>
  %1 = dsr1.xor %a, %b : tensor<3xi8>, tensor<3xi8>
  %2 = dsr1.shift_left %a, %n : tensor<3xi8>, tensor<3xi8>
  %3 = dsr1.shift_right %a, %n : tensor<3xi8>, tensor<3xi8>
  %u = dsr1.constant dense<[254, 255]> : tensor<2xui8>
  %m = dsr1.constant dense<[1, 8]> : tensor<2xui8>
  %4 = dsr1.shift_right %u, %m : tensor<2xui8>, tensor<2xui8>
  return %0, %1, %2, %3, %4 : tensor<3xi8>, tensor<3xi8>, tensor<3xi8>, tensor<3xi8>, tensor<2xui8>
}

// -----

// Unsigned division and maximum read the bits as unsigned: 200 / 3 = 66, max(200, 3) = 200.
// CHECK-LABEL: func.func @fold_unsigned
// CHECK-DAG: dsr1.constant dense<66> : tensor<1xui8>
// CHECK-DAG: dsr1.constant dense<200> : tensor<1xui8>
func.func @fold_unsigned() -> (tensor<1xui8>, tensor<1xui8>) {
  %a = dsr1.constant dense<200> : tensor<1xui8>
  %b = dsr1.constant dense<3> : tensor<1xui8>
  %0 = dsr1.div %a, %b : tensor<1xui8>, tensor<1xui8>
  %1 = dsr1.max %a, %b : tensor<1xui8>, tensor<1xui8>
  return %0, %1 : tensor<1xui8>, tensor<1xui8>
}

// -----

// Near misses: an integer division by zero is left to run time; a constant over the size limit
// (1024 elements) is not expanded; an operand that is not constant stops folding.
// CHECK-LABEL: func.func @no_fold
// CHECK: dsr1.div
// CHECK: dsr1.add
// CHECK: dsr1.mul
func.func @no_fold(%x: tensor<3xi64>) -> (tensor<3xi64>, tensor<2048xf32>, tensor<3xi64>) {
  %a = dsr1.constant dense<[1, 2, 3]> : tensor<3xi64>
  %z = dsr1.constant dense<[1, 0, 1]> : tensor<3xi64>
  %0 = dsr1.div %a, %z : tensor<3xi64>, tensor<3xi64>
  %big = dsr1.constant dense<1.0> : tensor<2048xf32>
  %ramp = dsr1.reshape %big to [2048] : tensor<2048xf32>
  %nonsplat = dsr1.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %wide = dsr1.expand %nonsplat to [1024, 2] : tensor<2xf32>
  %flat = dsr1.reshape %wide to [2048] : tensor<1024x2xf32>
  %1 = dsr1.add %flat, %ramp : tensor<2048xf32>, tensor<2048xf32>
  %2 = dsr1.mul %x, %a : tensor<3xi64>, tensor<3xi64>
  return %0, %1, %2 : tensor<3xi64>, tensor<2048xf32>, tensor<3xi64>
}

// -----

// Splats fold at any size: the result is one value.
// CHECK-LABEL: func.func @fold_splat
// CHECK: %[[C:.+]] = dsr1.constant dense<3.000000e+00> : tensor<4096xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_splat() -> tensor<4096xf32> {
  %a = dsr1.constant dense<1.0> : tensor<4096xf32>
  %b = dsr1.constant dense<2.0> : tensor<f32>
  %0 = dsr1.add %a, %b : tensor<4096xf32>, tensor<f32>
  return %0 : tensor<4096xf32>
}

// -----

// CHECK-LABEL: func.func @fold_cast
// CHECK-DAG: %[[H:.+]] = dsr1.constant dense<[1.500000e+00, -2.000000e+00]> : tensor<2xf16>
// CHECK-DAG: %[[I:.+]] = dsr1.constant dense<[1, -2]> : tensor<2xi32>
// CHECK-DAG: %[[B:.+]] = dsr1.constant dense<[true, false]> : tensor<2xi1>
// CHECK-DAG: %[[S:.+]] = dsr1.constant dense<[-1, 127]> : tensor<2xi64>
// CHECK-DAG: %[[U:.+]] = dsr1.constant dense<[255, 1]> : tensor<2xi64>
// CHECK-DAG: %[[F:.+]] = dsr1.constant dense<[2.550000e+02, 1.000000e+00]> : tensor<2xf32>
// CHECK: return %[[H]], %[[I]], %[[B]], %[[S]], %[[U]], %[[F]]
func.func @fold_cast() -> (tensor<2xf16>, tensor<2xi32>, tensor<2xi1>, tensor<2xi64>, tensor<2xi64>, tensor<2xf32>) {
  %f = dsr1.constant dense<[1.5, -2.0]> : tensor<2xf32>
  %0 = dsr1.cast %f to f16 : tensor<2xf32>
  // Float to integer truncates toward zero.
  %g = dsr1.constant dense<[1.9, -2.7]> : tensor<2xf32>
  %1 = dsr1.cast %g to i32 : tensor<2xf32>
  %h = dsr1.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %2 = dsr1.cast %h to i1 : tensor<2xf32>
  // Signed widening sign-extends, unsigned widening zero-extends.
  %s = dsr1.constant dense<[-1, 127]> : tensor<2xi8>
  %u = dsr1.constant dense<[255, 1]> : tensor<2xui8>
  %3 = dsr1.cast %s to i64 : tensor<2xi8>
  %4 = dsr1.cast %u to i64 : tensor<2xui8>
  %5 = dsr1.cast %u to f32 : tensor<2xui8>
  return %0, %1, %2, %3, %4, %5 : tensor<2xf16>, tensor<2xi32>, tensor<2xi1>, tensor<2xi64>, tensor<2xi64>, tensor<2xf32>
}

// -----

// Near miss: 1e10 does not fit in i32; the cast is left to run time.
// CHECK-LABEL: func.func @no_fold_cast_out_of_range
// CHECK: dsr1.cast
func.func @no_fold_cast_out_of_range() -> tensor<1xi32> {
  %f = dsr1.constant dense<1.0e10> : tensor<1xf32>
  %0 = dsr1.cast %f to i32 : tensor<1xf32>
  return %0 : tensor<1xi32>
}

// -----

// CHECK-LABEL: func.func @fold_data_movement
// CHECK-DAG: %[[CAT:.+]] = dsr1.constant dense<{{\[}}[1, 2, 5], [3, 4, 6]]> : tensor<2x3xi64>
// CHECK-DAG: %[[T:.+]] = dsr1.constant dense<{{\[}}[1, 3], [2, 4]]> : tensor<2x2xi64>
// CHECK-DAG: %[[R:.+]] = dsr1.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
// CHECK-DAG: %[[E:.+]] = dsr1.constant dense<7> : tensor<2x3xi64>
// CHECK-DAG: %[[N:.+]] = dsr1.constant dense<[-1, -2]> : tensor<2xi64>
// CHECK: return %[[CAT]], %[[T]], %[[R]], %[[E]], %[[N]]
func.func @fold_data_movement() -> (tensor<2x3xi64>, tensor<2x2xi64>, tensor<4xi64>, tensor<2x3xi64>, tensor<2xi64>) {
  %m = dsr1.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %c = dsr1.constant dense<[[5], [6]]> : tensor<2x1xi64>
  %0 = dsr1.concat %m, %c axis 1 : tensor<2x2xi64>, tensor<2x1xi64>
  %1 = dsr1.transpose %m perm [1, 0] : tensor<2x2xi64>
  %2 = dsr1.reshape %m to [-1] : tensor<2x2xi64>
  %s = dsr1.constant dense<7> : tensor<1xi64>
  %3 = dsr1.expand %s to [2, 3] : tensor<1xi64>
  %v = dsr1.constant dense<[1, 2]> : tensor<2xi64>
  %4 = dsr1.neg %v : tensor<2xi64>
  return %0, %1, %2, %3, %4 : tensor<2x3xi64>, tensor<2x2xi64>, tensor<4xi64>, tensor<2x3xi64>, tensor<2xi64>
}

// -----

// The shape-subgraph ops fold on constants: numpy's s[0:-1], s[::-1], s[[2, 0]] and
// where([T, F, T], a, b).
// CHECK-LABEL: func.func @fold_slice_gather_where
// CHECK-DAG: %[[S:.+]] = dsr1.constant dense<[2, 12]> : tensor<2xi64>
// CHECK-DAG: %[[R:.+]] = dsr1.constant dense<[64, 12, 2]> : tensor<3xi64>
// CHECK-DAG: %[[G:.+]] = dsr1.constant dense<[64, 2]> : tensor<2xi64>
// CHECK-DAG: %[[W:.+]] = dsr1.constant dense<[2, -1, 64]> : tensor<3xi64>
// CHECK: return %[[S]], %[[R]], %[[G]], %[[W]]
func.func @fold_slice_gather_where() -> (tensor<2xi64>, tensor<3xi64>, tensor<2xi64>, tensor<3xi64>) {
  %shape = dsr1.constant dense<[2, 12, 64]> : tensor<3xi64>
  %0 = dsr1.slice %shape {starts = array<i64: 0>, ends = array<i64: -1>} : tensor<3xi64>
  %1 = dsr1.slice %shape {starts = array<i64: -1>, ends = array<i64: -9223372036854775807>, steps = array<i64: -1>} : tensor<3xi64>
  %idx = dsr1.constant dense<[2, -3]> : tensor<2xi64>
  %2 = dsr1.gather %shape[%idx] axis 0 : tensor<3xi64>, tensor<2xi64>
  %c = dsr1.constant dense<[true, false, true]> : tensor<3xi1>
  %m = dsr1.constant dense<-1> : tensor<i64>
  %3 = dsr1.where %c, %shape, %m : tensor<3xi1>, tensor<3xi64>, tensor<i64>
  return %0, %1, %2, %3 : tensor<2xi64>, tensor<3xi64>, tensor<2xi64>, tensor<3xi64>
}

// -----

// Near miss: an index out of range is left to run time, which reports it.
// CHECK-LABEL: func.func @no_fold_gather_out_of_range
// CHECK: dsr1.gather
func.func @no_fold_gather_out_of_range() -> tensor<1xi64> {
  %shape = dsr1.constant dense<[2, 12, 64]> : tensor<3xi64>
  %idx = dsr1.constant dense<[3]> : tensor<1xi64>
  %0 = dsr1.gather %shape[%idx] axis 0 : tensor<3xi64>, tensor<1xi64>
  return %0 : tensor<1xi64>
}

// -----

// Unary folds: floor and ceil of -1.5 and 2.5, round half to even; abs; sign keeps a zero;
// sqrt and reciprocal round once to the element type; not flips bools.
// CHECK-LABEL: func.func @fold_unary
// CHECK-DAG: %[[FL:.+]] = dsr1.constant dense<[-2.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[CE:.+]] = dsr1.constant dense<[-1.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[RO:.+]] = dsr1.constant dense<[0.000000e+00, 2.000000e+00, -2.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[AB:.+]] = dsr1.constant dense<[3, 0, 5]> : tensor<3xi64>
// CHECK-DAG: %[[SI:.+]] = dsr1.constant dense<[-1, 0, 1]> : tensor<3xi64>
// CHECK-DAG: %[[SF:.+]] = dsr1.constant dense<[-1.000000e+00, 0.000000e+00, 1.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[SQ:.+]] = dsr1.constant dense<[2.000000e+00, 1.41421354]> : tensor<2xf32>
// CHECK-DAG: %[[RE:.+]] = dsr1.constant dense<[2.500000e-01, 5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[NO:.+]] = dsr1.constant dense<[false, true]> : tensor<2xi1>
// CHECK: return %[[FL]], %[[CE]], %[[RO]], %[[AB]], %[[SI]], %[[SF]], %[[SQ]], %[[RE]], %[[NO]]
func.func @fold_unary() -> (tensor<2xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi1>) {
  %h = dsr1.constant dense<[-1.5, 2.5]> : tensor<2xf32>
  %0 = dsr1.floor %h : tensor<2xf32>
  %1 = dsr1.ceil %h : tensor<2xf32>
  %r = dsr1.constant dense<[0.5, 1.5, -2.5]> : tensor<3xf32>
  %2 = dsr1.round %r : tensor<3xf32>
  %i = dsr1.constant dense<[-3, 0, 5]> : tensor<3xi64>
  %3 = dsr1.abs %i : tensor<3xi64>
  %4 = dsr1.sign %i : tensor<3xi64>
  %f = dsr1.constant dense<[-3.0, 0.0, 5.0]> : tensor<3xf32>
  %5 = dsr1.sign %f : tensor<3xf32>
  %q = dsr1.constant dense<[4.0, 2.0]> : tensor<2xf32>
  %6 = dsr1.sqrt %q : tensor<2xf32>
  %7 = dsr1.reciprocal %q : tensor<2xf32>
  %b = dsr1.constant dense<[true, false]> : tensor<2xi1>
  %8 = dsr1.not %b : tensor<2xi1>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<2xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi1>
}

// -----

// Near miss: a unary op on a non-constant, or on a constant over the size limit, stays.
// CHECK-LABEL: func.func @no_fold_unary
// CHECK: dsr1.sqrt
// CHECK: dsr1.floor
func.func @no_fold_unary(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<2048xf32>) {
  %0 = dsr1.sqrt %x : tensor<3xf32>
  %nonsplat = dsr1.constant dense<[1.5, 2.5]> : tensor<2xf32>
  %wide = dsr1.expand %nonsplat to [1024, 2] : tensor<2xf32>
  %flat = dsr1.reshape %wide to [2048] : tensor<1024x2xf32>
  %1 = dsr1.floor %flat : tensor<2048xf32>
  return %0, %1 : tensor<3xf32>, tensor<2048xf32>
}

// -----

// Reductions of constants: the product of a shape (Flatten's size), sums over one axis and over
// all (empty axes), max and min over rows without keepdims, a float mean.
// CHECK-LABEL: func.func @fold_reduce
// CHECK-DAG: %[[P:.+]] = dsr1.constant dense<24> : tensor<1xi64>
// CHECK-DAG: %[[S:.+]] = dsr1.constant dense<{{\[}}[5, 7, 9]]> : tensor<1x3xi64>
// CHECK-DAG: %[[A:.+]] = dsr1.constant dense<21> : tensor<1x1xi64>
// CHECK-DAG: %[[MX:.+]] = dsr1.constant dense<[3, 6]> : tensor<2xi64>
// CHECK-DAG: %[[MN:.+]] = dsr1.constant dense<[1, 4]> : tensor<2xi64>
// CHECK-DAG: %[[ME:.+]] = dsr1.constant dense<2.500000e+00> : tensor<1xf32>
// CHECK: return %[[P]], %[[S]], %[[A]], %[[MX]], %[[MN]], %[[ME]]
func.func @fold_reduce() -> (tensor<1xi64>, tensor<1x3xi64>, tensor<1x1xi64>, tensor<2xi64>, tensor<2xi64>, tensor<1xf32>) {
  %shape = dsr1.constant dense<[2, 3, 4]> : tensor<3xi64>
  %0 = dsr1.reduce_prod %shape axes [0] : tensor<3xi64>
  %m = dsr1.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %1 = dsr1.reduce_sum %m axes [0] : tensor<2x3xi64>
  %2 = dsr1.reduce_sum %m axes [] : tensor<2x3xi64>
  %3 = dsr1.reduce_max %m axes [1] {keepdims = false} : tensor<2x3xi64>
  %4 = dsr1.reduce_min %m axes [1] {keepdims = false} : tensor<2x3xi64>
  %f = dsr1.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %5 = dsr1.reduce_mean %f axes [0] : tensor<4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<1xi64>, tensor<1x3xi64>, tensor<1x1xi64>, tensor<2xi64>, tensor<2xi64>, tensor<1xf32>
}

// -----

// Near misses: an integer mean (rounded by the kernel) and an empty input (max has no identity)
// are left to run time.
// CHECK-LABEL: func.func @no_fold_reduce
// CHECK: dsr1.reduce_mean
// CHECK: dsr1.reduce_max
func.func @no_fold_reduce() -> (tensor<1xi64>, tensor<2x1xf32>) {
  %i = dsr1.constant dense<[1, 2]> : tensor<2xi64>
  %0 = dsr1.reduce_mean %i axes [0] : tensor<2xi64>
  %e = dsr1.constant dense<> : tensor<2x0xf32>
  %1 = dsr1.reduce_max %e axes [1] : tensor<2x0xf32>
  return %0, %1 : tensor<1xi64>, tensor<2x1xf32>
}

// -----

// Mod folds as the kernel computes it. numpy's mod (the divisor's sign): -7 mod 3 = 2,
// 7 mod -3 = -2, x mod 0 = 0 for integers; for floats -3 mod inf = inf, 3 mod inf = 3,
// 1 mod -inf = -inf, 0 mod -2 = -0, 1 mod 0 = NaN. C's fmod (the dividend's sign): -7 fmod 3 = -1.
// CHECK-LABEL: func.func @fold_mod
// CHECK-DAG: %[[I:.+]] = dsr1.constant dense<[2, -2, 0]> : tensor<3xi32>
// CHECK-DAG: %[[F:.+]] = dsr1.constant dense<[0x7F800000, 3.000000e+00, 0xFF800000, -0.000000e+00, 0x7FC00000]> : tensor<5xf32>
// CHECK-DAG: %[[C:.+]] = dsr1.constant dense<[-1, 1, 0]> : tensor<3xi32>
// CHECK: return %[[I]], %[[F]], %[[C]]
func.func @fold_mod() -> (tensor<3xi32>, tensor<5xf32>, tensor<3xi32>) {
  %a = dsr1.constant dense<[-7, 7, 5]> : tensor<3xi32>
  %b = dsr1.constant dense<[3, -3, 0]> : tensor<3xi32>
  %0 = dsr1.mod %a, %b : tensor<3xi32>, tensor<3xi32>
  %x = dsr1.constant dense<[-3.0, 3.0, 1.0, 0.0, 1.0]> : tensor<5xf32>
  %y = dsr1.constant dense<[0x7F800000, 0x7F800000, 0xFF800000, -2.0, 0.0]> : tensor<5xf32>
  %1 = dsr1.mod %x, %y : tensor<5xf32>, tensor<5xf32>
  %2 = dsr1.mod %a, %b {fmod = true} : tensor<3xi32>, tensor<3xi32>
  return %0, %1, %2 : tensor<3xi32>, tensor<5xf32>, tensor<3xi32>
}

// -----

// Relu folds: negatives (and -0) to +0, NaN and positives kept; on integers too.
// CHECK-LABEL: func.func @fold_relu
// CHECK-DAG: %[[F:.+]] = dsr1.constant dense<[0.000000e+00, 0.000000e+00, 2.500000e+00, 0x7FC00000]> : tensor<4xf32>
// CHECK-DAG: %[[I:.+]] = dsr1.constant dense<[0, 0, 7]> : tensor<3xi32>
// CHECK: return %[[F]], %[[I]]
func.func @fold_relu() -> (tensor<4xf32>, tensor<3xi32>) {
  %f = dsr1.constant dense<[-1.5, -0.0, 2.5, 0x7FC00000]> : tensor<4xf32>
  %0 = dsr1.relu %f : tensor<4xf32>
  %i = dsr1.constant dense<[-3, 0, 7]> : tensor<3xi32>
  %1 = dsr1.relu %i : tensor<3xi32>
  return %0, %1 : tensor<4xf32>, tensor<3xi32>
}

// -----

// A relu of a non-constant stays.
// CHECK-LABEL: func.func @relu_stays
// CHECK: dsr1.relu
func.func @relu_stays(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dsr1.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Split of a constant folds into its pieces, along an inner axis too.
// CHECK-LABEL: func.func @fold_split
// CHECK-DAG: %[[A:.+]] = dsr1.constant dense<{{\[}}[1], [4]]> : tensor<2x1xi64>
// CHECK-DAG: %[[B:.+]] = dsr1.constant dense<{{\[}}[2, 3], [5, 6]]> : tensor<2x2xi64>
// CHECK-DAG: %[[C:.+]] = dsr1.constant dense<[2, 3]> : tensor<2xi64>
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @fold_split() -> (tensor<2x1xi64>, tensor<2x2xi64>, tensor<2xi64>) {
  %c = dsr1.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0:2 = dsr1.split %c axis 1 sizes [1, 2] : tensor<2x3xi64>
  %v = dsr1.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
  %1:3 = dsr1.split %v axis 0 sizes [1, 2, 1] : tensor<4xi64>
  return %0#0, %0#1, %1#1 : tensor<2x1xi64>, tensor<2x2xi64>, tensor<2xi64>
}

// -----

// A split of a non-constant stays.
// CHECK-LABEL: func.func @split_stays
// CHECK: dsr1.split
func.func @split_stays(%x: tensor<4xi64>) -> (tensor<2xi64>, tensor<2xi64>) {
  %0:2 = dsr1.split %x axis 0 sizes [2, 2] : tensor<4xi64>
  return %0#0, %0#1 : tensor<2xi64>, tensor<2xi64>
}

// -----

// The op-local rewrites that -dsr1-fold relies on also run under -canonicalize (their cases and
// near-misses are in test/lit/passes/fold.mlir): neutral elements, identity pads and slices, an
// exact cast chain, a unit-dim transpose, an expand that stretches nothing, a gather at 0..n-1.
// CHECK-LABEL: func.func @fold_helpers
// CHECK-SAME: (%[[X:.+]]: tensor<4x1xf32>, %[[I:.+]]: tensor<4xi32>)
// CHECK-NEXT: %[[T:.+]] = dsr1.reshape %[[X]] to [1, 4] : tensor<4x1xf32>
// CHECK-NEXT: %[[E:.+]] = dsr1.reshape %[[X]] to [1, 4, 1] : tensor<4x1xf32>
// CHECK-NEXT: %[[G:.+]] = dsr1.reshape %[[X]] to [2, 2, 1] : tensor<4x1xf32>
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[I]], %[[T]], %[[E]], %[[G]]
func.func @fold_helpers(%x: tensor<4x1xf32>, %i: tensor<4xi32>)
    -> (tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xi32>, tensor<1x4xf32>,
        tensor<1x4x1xf32>, tensor<2x2x1xf32>) {
  %one = dsr1.constant dense<1.0> : tensor<f32>
  %0 = dsr1.mul %one, %x : tensor<f32>, tensor<4x1xf32>
  %1 = dsr1.pad %x [0, 0, 0, 0] : tensor<4x1xf32>
  %2 = dsr1.slice %x {starts = array<i64: 0>, ends = array<i64: 4>} : tensor<4x1xf32>
  %w = dsr1.cast %i to i64 : tensor<4xi32>
  %3 = dsr1.cast %w to i32 : tensor<4xi64>
  %4 = dsr1.transpose %x perm [1, 0] : tensor<4x1xf32>
  %5 = dsr1.expand %x to [1, 1, 1] : tensor<4x1xf32>
  %ids = dsr1.constant dense<[[0, 1], [2, 3]]> : tensor<2x2xi64>
  %6 = dsr1.gather %x[%ids] axis 0 : tensor<4x1xf32>, tensor<2x2xi64>
  return %0, %1, %2, %3, %4, %5, %6
      : tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xi32>, tensor<1x4xf32>,
        tensor<1x4x1xf32>, tensor<2x2x1xf32>
}
