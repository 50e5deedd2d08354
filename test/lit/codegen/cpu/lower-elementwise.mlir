// -dsr1-lower-to-linalg, elementwise family: one linalg.generic per op, operands read through
// numpy-broadcast maps, unsigned integers as signless with unsigned arithmetic.
// RUN: dsr1-opt %s --split-input-file -dsr1-lower-to-linalg -verify-diagnostics | FileCheck %s

// The kernel gains its status word first; each operand's size-1 dims are pinned to 0 and the
// rank-2 operand is aligned with the last two dims.
// CHECK-DAG: #[[$XMAP:.+]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[$YMAP:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%{{.*}}: memref<i32>, %[[X:.+]]: tensor<3x1x5xf32> {bufferization.writable = false}, %[[Y:.+]]: tensor<4x1xf32> {bufferization.writable = false}) -> tensor<3x4x5xf32>
// CHECK: %[[E:.+]] = tensor.empty() : tensor<3x4x5xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$XMAP]], #[[$YMAP]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[Y]] : tensor<3x1x5xf32>, tensor<4x1xf32>) outs(%[[E]] : tensor<3x4x5xf32>)
// CHECK: arith.addf
// CHECK-NOT: dsr1.
func.func @add_broadcast(%x: tensor<3x1x5xf32>, %y: tensor<4x1xf32>) -> tensor<3x4x5xf32> attributes {dsr1.kernel} {
  %0 = dsr1.add %x, %y : tensor<3x1x5xf32>, tensor<4x1xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// ui8 becomes i8 in the signature; division is unsigned and guarded against a zero divisor.
// CHECK-LABEL: func.func @div_unsigned
// CHECK-SAME: (%{{.*}}: memref<i32>, %{{.*}}: tensor<6xi8> {bufferization.writable = false}, %{{.*}}: tensor<6xi8> {bufferization.writable = false}) -> tensor<6xi8>
// CHECK: arith.cmpi eq
// CHECK: arith.divui
// CHECK-NOT: arith.divsi
// CHECK: arith.select
func.func @div_unsigned(%x: tensor<6xui8>, %y: tensor<6xui8>) -> tensor<6xui8> attributes {dsr1.kernel} {
  %0 = dsr1.div %x, %y : tensor<6xui8>, tensor<6xui8>
  return %0 : tensor<6xui8>
}

// -----

// Signed division: also guarded against INT_MIN / -1, which traps on x86.
// CHECK-LABEL: func.func @div_signed
// CHECK: arith.divsi
// CHECK-NOT: arith.divui
func.func @div_signed(%x: tensor<6xi32>, %y: tensor<6xi32>) -> tensor<6xi32> attributes {dsr1.kernel} {
  %0 = dsr1.div %x, %y : tensor<6xi32>, tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

// Integer pow: exponentiation by squaring in an scf.while over the exponent's bits; a negative
// signed exponent gives 1 for base 1, +-1 for base -1 and 0 otherwise. Unsigned exponents are
// never negative.
// CHECK-LABEL: func.func @pow_integer
// CHECK: linalg.generic
// CHECK: arith.cmpi slt
// CHECK: scf.while
// CHECK: scf.condition
// CHECK: arith.trunci
// CHECK: arith.muli
// CHECK: arith.muli
// CHECK: arith.shrui
// CHECK: scf.yield
// CHECK: arith.select
// CHECK-NOT: math.powf
// CHECK: linalg.generic
// CHECK-NOT: arith.cmpi slt
// CHECK: scf.while
func.func @pow_integer(%x: tensor<6xi32>, %y: tensor<6xi32>, %u: tensor<6xui8>) -> (tensor<6xi32>, tensor<6xui8>) attributes {dsr1.kernel} {
  %0 = dsr1.pow %x, %y : tensor<6xi32>, tensor<6xi32>
  %1 = dsr1.pow %u, %u : tensor<6xui8>, tensor<6xui8>
  return %0, %1 : tensor<6xi32>, tensor<6xui8>
}

// -----

// Float mod: remf (C's fmod, exact, x for an infinite divisor), then for numpy's mod a zero takes
// the divisor's sign and a remainder of the other sign moves by one divisor. Integers take the
// remainder by 1 where the divisor is 0 or -1, which would trap.
// CHECK-LABEL: func.func @mod
// CHECK: %[[R:.*]] = arith.remf
// CHECK: math.copysign
// CHECK: arith.xori
// CHECK: arith.addf %[[R]]
// CHECK: arith.select
// CHECK: arith.remf
// CHECK-NOT: math.copysign
// CHECK: linalg.yield
// CHECK: arith.ori
// CHECK: arith.remsi
// CHECK: arith.andi
// CHECK: arith.select
// CHECK: arith.remui
func.func @mod(%x: tensor<4xf32>, %y: tensor<4xf32>, %a: tensor<4xi32>, %u: tensor<4xui8>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xui8>) attributes {dsr1.kernel} {
  %0 = dsr1.mod %x, %y : tensor<4xf32>, tensor<4xf32>
  %1 = dsr1.mod %x, %y {fmod = true} : tensor<4xf32>, tensor<4xf32>
  %2 = dsr1.mod %a, %a : tensor<4xi32>, tensor<4xi32>
  %3 = dsr1.mod %u, %u : tensor<4xui8>, tensor<4xui8>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xui8>
}

// -----

// Casts keep the source's signedness: ui16 -> f32 is uitofp, i16 -> f32 sitofp, f32 -> bool
// compares with zero.
// CHECK-LABEL: func.func @casts
// CHECK: arith.uitofp %{{.*}} : i16 to f32
// CHECK: arith.sitofp %{{.*}} : i16 to f32
// CHECK: arith.cmpf une
func.func @casts(%u: tensor<3xui16>, %s: tensor<3xi16>, %f: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xi1>) attributes {dsr1.kernel} {
  %0 = dsr1.cast %u to f32 : tensor<3xui16>
  %1 = dsr1.cast %s to f32 : tensor<3xi16>
  %2 = dsr1.cast %f to i1 : tensor<3xf32>
  return %0, %1, %2 : tensor<3xf32>, tensor<3xf32>, tensor<3xi1>
}

// -----

// The 8- and 4-bit floats are bits to LLVM. Narrowing rounds the f32 bits to
// nearest even (subnormals through math.roundeven) and saturates at the
// largest finite value (126 = 448 in f8E4M3FN), or without `saturate`
// overflows to the format's infinity (124 in f8E5M2); NaN keeps its sign.
// Widening looks the value up in a table of all 256 encodings. To i4 goes
// through i32 and keeps the low bits.
// CHECK-LABEL: func.func @narrow_types
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: math.roundeven
// CHECK: %[[$MAX:.*]] = arith.constant 126 : i32
// CHECK: arith.select %{{.*}}, %[[$MAX]], %{{.*}} : i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: arith.bitcast %{{.*}} : i8 to f8E4M3FN
// CHECK: arith.constant dense<"0x{{[0-9A-F]+}}"> : tensor<256xf16>
// CHECK: arith.bitcast %{{.*}} : f8E4M3FN to i8
// CHECK: arith.index_castui %{{.*}} : i8 to index
// CHECK: tensor.extract
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK-NEXT: arith.trunci %{{.*}} : i32 to i4
// CHECK: %[[$INF:.*]] = arith.constant 124 : i32
// CHECK: arith.select %{{.*}}, %[[$INF]], %{{.*}} : i32
// CHECK: arith.bitcast %{{.*}} : i8 to f8E5M2
func.func @narrow_types(%f: tensor<3xf32>, %e: tensor<3xf8E4M3FN>) -> (tensor<3xf8E4M3FN>, tensor<3xf16>, tensor<3xi4>, tensor<3xf8E5M2>) attributes {dsr1.kernel} {
  %0 = dsr1.cast %f to f8E4M3FN : tensor<3xf32>
  %1 = dsr1.cast %e to f16 : tensor<3xf8E4M3FN>
  %2 = dsr1.cast %f to i4 : tensor<3xf32>
  %3 = dsr1.cast %f to f8E5M2 {saturate = false} : tensor<3xf32>
  return %0, %1, %2, %3 : tensor<3xf8E4M3FN>, tensor<3xf16>, tensor<3xi4>, tensor<3xf8E5M2>
}

// -----

// f8E8M0FNU keeps the f32 exponent and rounds it as round_mode says: `down`
// never adds one.
// CHECK-LABEL: func.func @e8m0_down
// CHECK: %[[$EXP:.*]] = arith.andi
// CHECK: %[[$NO:.*]] = arith.constant false
// CHECK: arith.andi %[[$NO]]
// CHECK: arith.bitcast %{{.*}} : i8 to f8E8M0FNU
func.func @e8m0_down(%f: tensor<3xf32>) -> tensor<3xf8E8M0FNU> attributes {dsr1.kernel} {
  %0 = dsr1.cast %f to f8E8M0FNU {round_mode = #dsr1.round_mode<down>} : tensor<3xf32>
  return %0 : tensor<3xf8E8M0FNU>
}

// -----

// Bitcasts keep the bits: arith.bitcast between widths that match, nothing
// where only the signedness changes, and bools as bytes holding 0 or 1.
// CHECK-LABEL: func.func @bitcasts
// CHECK-SAME: %{{[^ ]+}}: tensor<3xf32> {bufferization.writable = false}, %[[U:[^ ]+]]: tensor<3xi32> {bufferization.writable = false}
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: linalg.generic {{.+}} ins(%[[U]] : tensor<3xi32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: i32, %{{.+}}: i32):
// CHECK-NEXT: linalg.yield %[[IN]] : i32
// CHECK: arith.extui %{{.*}} : i1 to i8
// CHECK: arith.cmpi ne, %{{.*}}, %{{.*}} : i8
func.func @bitcasts(%f: tensor<3xf32>, %u: tensor<3xui32>, %b: tensor<3xi1>, %y: tensor<3xui8>) -> (tensor<3xi32>, tensor<3xi32>, tensor<3xui8>, tensor<3xi1>) attributes {dsr1.kernel} {
  %0 = dsr1.bitcast %f to i32 : tensor<3xf32>
  %1 = dsr1.bitcast %u to i32 : tensor<3xui32>
  %2 = dsr1.bitcast %b to ui8 : tensor<3xi1>
  %3 = dsr1.bitcast %y to i1 : tensor<3xui8>
  return %0, %1, %2, %3 : tensor<3xi32>, tensor<3xi32>, tensor<3xui8>, tensor<3xi1>
}

// -----

// Comparisons of unsigned operands use unsigned predicates.
// CHECK-LABEL: func.func @compare
// CHECK: arith.cmpi ult
// CHECK: arith.cmpi slt
// CHECK: arith.cmpf ogt
func.func @compare(%a: tensor<2xui32>, %b: tensor<2xi32>, %c: tensor<2xf16>) -> (tensor<2xi1>, tensor<2xi1>, tensor<2xi1>) attributes {dsr1.kernel} {
  %0 = dsr1.less %a, %a : tensor<2xui32>, tensor<2xui32>
  %1 = dsr1.less %b, %b : tensor<2xi32>, tensor<2xi32>
  %2 = dsr1.greater %c, %c : tensor<2xf16>, tensor<2xf16>
  return %0, %1, %2 : tensor<2xi1>, tensor<2xi1>, tensor<2xi1>
}

// -----

// Graph functions are not lowered: only kernels are this pass's business.
// CHECK-LABEL: func.func @graph
// CHECK-SAME: (%{{.*}}: tensor<2xf32>)
// CHECK-NEXT: dsr1.constant
// CHECK-NEXT: dsr1.add
func.func @graph(%x: tensor<2xf32>) -> tensor<2xf32> {
  %w = dsr1.constant dense<1.0> : tensor<2xf32>
  %0 = dsr1.add %x, %w : tensor<2xf32>, tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Shapes must be static by code generation time: a symbolic dim is an error at the op.
func.func @symbolic(%x: tensor<?xf32>) -> tensor<?xf32> attributes {dsr1.kernel} {
  // expected-error @+1 {{failed to legalize operation 'dsr1.exp'}}
  %0 = dsr1.exp %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Bitwise ops on integers: and/or/xor as on i1; not flips every bit (xor with all ones, -1),
// where on i1 it is the xor with true.
// CHECK-LABEL: func.func @bitwise
// CHECK: arith.andi %{{.*}}, %{{.*}} : i16
// CHECK: arith.ori %{{.*}}, %{{.*}} : i16
// CHECK: %[[ONES:.+]] = arith.constant -1 : i16
// CHECK: arith.xori %{{.*}}, %[[ONES]] : i16
// CHECK: %[[TRUE:.+]] = arith.constant true
// CHECK: arith.xori %{{.*}}, %[[TRUE]] : i1
func.func @bitwise(%x: tensor<4xi16>, %y: tensor<4xi16>, %b: tensor<4xi1>) -> (tensor<4xi16>, tensor<4xi16>, tensor<4xi16>, tensor<4xi1>) attributes {dsr1.kernel} {
  %0 = dsr1.and %x, %y : tensor<4xi16>, tensor<4xi16>
  %1 = dsr1.or %x, %y : tensor<4xi16>, tensor<4xi16>
  %2 = dsr1.not %x : tensor<4xi16>
  %3 = dsr1.not %b : tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi16>, tensor<4xi16>, tensor<4xi16>, tensor<4xi1>
}

// -----

// Shifts: arith's shifts are poison for an amount outside [0, width), so the amount is compared
// (unsigned, which catches negative amounts too) and replaced first. Left: 0 past the width.
// Unsigned right: logical, 0 past the width. Signed right: arithmetic, by width - 1 past it.
// CHECK-LABEL: func.func @shifts
// CHECK: linalg.generic
// CHECK: %[[W:.+]] = arith.constant 8 : i8
// CHECK: %[[OUT:.+]] = arith.cmpi uge, %[[N:.+]], %[[W]] : i8
// CHECK: %[[AMT:.+]] = arith.select %[[OUT]], %{{.*}}, %[[N]] : i8
// CHECK: %[[SHL:.+]] = arith.shli %{{.*}}, %[[AMT]] : i8
// CHECK: arith.select %[[OUT]], %{{.*}}, %[[SHL]] : i8
// CHECK: linalg.generic
// CHECK: arith.cmpi uge
// CHECK: arith.shrui
// CHECK-NOT: arith.shrsi
// CHECK: linalg.generic
// CHECK: %[[W32:.+]] = arith.constant 32 : i32
// CHECK: %[[OUT32:.+]] = arith.cmpi uge, %[[M:.+]], %[[W32]] : i32
// CHECK: %[[LAST:.+]] = arith.constant 31 : i32
// CHECK: %[[AMT32:.+]] = arith.select %[[OUT32]], %[[LAST]], %[[M]] : i32
// CHECK: arith.shrsi %{{.*}}, %[[AMT32]] : i32
func.func @shifts(%u: tensor<4xui8>, %n: tensor<4xui8>, %s: tensor<4xi32>, %m: tensor<1xi32>) -> (tensor<4xui8>, tensor<4xui8>, tensor<4xi32>) attributes {dsr1.kernel} {
  %0 = dsr1.shift_left %u, %n : tensor<4xui8>, tensor<4xui8>
  %1 = dsr1.shift_right %u, %n : tensor<4xui8>, tensor<4xui8>
  %2 = dsr1.shift_right %s, %m : tensor<4xi32>, tensor<1xi32>
  return %0, %1, %2 : tensor<4xui8>, tensor<4xui8>, tensor<4xi32>
}

// -----

// The inverse trigonometric functions are math ops (math-to-libm calls acosf, asinf, atanf).
// CHECK-LABEL: func.func @inverse_trig
// CHECK: math.acos %{{.*}} : f32
// CHECK: math.asin %{{.*}} : f32
// CHECK: math.atan %{{.*}} : f32
func.func @inverse_trig(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) attributes {dsr1.kernel} {
  %0 = dsr1.acos %x : tensor<4xf32>
  %1 = dsr1.asin %x : tensor<4xf32>
  %2 = dsr1.atan %x : tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
