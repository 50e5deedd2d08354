// The data movement family of -dsr1-lower-to-linalg: transpose, reshape, expand,
// concat, split, slice, pad, gather, scatter, resize and grid_sample.
// RUN: dsr1-opt %s --split-input-file -dsr1-lower-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[STATUS:.+]]: memref<i32>, %[[X:.+]]: tensor<2x3x4xf32> {bufferization.writable = false})
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: return %[[T]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> attributes {dsr1.kernel} {
  %0 = dsr1.transpose %x perm [2, 0, 1] : tensor<2x3x4xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// Unsigned elements become signless; the shape is the static result shape.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: %[[X:[^ ]+]]: tensor<2x3x4xi8> {bufferization.writable = false}
// CHECK: %[[SHAPE:.+]] = arith.constant dense<[6, 4]> : tensor<2xi64>
// CHECK: %[[R:.+]] = tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<2x3x4xi8>, tensor<2xi64>) -> tensor<6x4xi8>
// CHECK: return %[[R]]
func.func @reshape(%x: tensor<2x3x4xui8>) -> tensor<6x4xui8> attributes {dsr1.kernel} {
  %0 = dsr1.reshape %x to [-1, 4] : tensor<2x3x4xui8>
  return %0 : tensor<6x4xui8>
}

// -----

// CHECK-DAG: #[[$BCAST:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[$ID:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic {indexing_maps = [#[[$BCAST]], #[[$ID]]]
// CHECK-SAME: ins(%{{.+}} : tensor<3x1xf32>) outs(%{{.+}} : tensor<2x3x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.expand %x to [2, 1, 4] : tensor<3x1xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Each input is copied into its window of the result, in place.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: %[[A:[^ ]+]]: tensor<2x3xf32> {bufferization.writable = false}, %[[B:[^ ]+]]: tensor<2x5xf32> {bufferization.writable = false}
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<2x8xf32>
// CHECK: %[[W0:.+]] = tensor.extract_slice %[[INIT]][0, 0] [2, 3] [1, 1]
// CHECK: %[[C0:.+]] = linalg.copy ins(%[[A]] : tensor<2x3xf32>) outs(%[[W0]] : tensor<2x3xf32>)
// CHECK: %[[R0:.+]] = tensor.insert_slice %[[C0]] into %[[INIT]][0, 0] [2, 3] [1, 1]
// CHECK: %[[W1:.+]] = tensor.extract_slice %[[R0]][0, 3] [2, 5] [1, 1]
// CHECK: %[[C1:.+]] = linalg.copy ins(%[[B]] : tensor<2x5xf32>) outs(%[[W1]] : tensor<2x5xf32>)
// CHECK: %[[R1:.+]] = tensor.insert_slice %[[C1]] into %[[R0]][0, 3] [2, 5] [1, 1]
// CHECK: return %[[R1]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> attributes {dsr1.kernel} {
  %0 = dsr1.concat %a, %b axis 1 : tensor<2x3xf32>, tensor<2x5xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @split
// CHECK-SAME: %[[X:[^ ]+]]: tensor<2x6xi64> {bufferization.writable = false}
// CHECK: %[[S0:.+]] = tensor.extract_slice %[[X]][0, 0] [2, 2] [1, 1]
// CHECK: %[[C0:.+]] = linalg.copy ins(%[[S0]] : tensor<2x2xi64>)
// CHECK: %[[S1:.+]] = tensor.extract_slice %[[X]][0, 2] [2, 4] [1, 1]
// CHECK: %[[C1:.+]] = linalg.copy ins(%[[S1]] : tensor<2x4xi64>)
// CHECK: return %[[C0]], %[[C1]]
func.func @split(%x: tensor<2x6xi64>) -> (tensor<2x2xi64>, tensor<2x4xi64>) attributes {dsr1.kernel} {
  %0:2 = dsr1.split %x axis 1 sizes [2, 4] : tensor<2x6xi64>
  return %0#0, %0#1 : tensor<2x2xi64>, tensor<2x4xi64>
}

// -----

// Elements 1, 3, 5, 7 of dim 1 (the end -1 is 9).
// CHECK-LABEL: func.func @slice
// CHECK-SAME: %[[X:[^ ]+]]: tensor<4x10xf32> {bufferization.writable = false}
// CHECK: %[[S:.+]] = tensor.extract_slice %[[X]][0, 1] [4, 4] [1, 2] : tensor<4x10xf32> to tensor<4x4xf32>
// CHECK: %[[C:.+]] = linalg.copy ins(%[[S]] : tensor<4x4xf32>)
// CHECK: return %[[C]]
func.func @slice(%x: tensor<4x10xf32>) -> tensor<4x4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.slice %x {starts = array<i64: 1>, ends = array<i64: -1>, axes = array<i64: 1>, steps = array<i64: 2>} : tensor<4x10xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Rows 3 and 1: taken forwards as rows 1 and 3, then read backwards.
// CHECK-DAG: #[[$REV:map[0-9]*]] = affine_map<(d0, d1) -> (-d0 + 1, d1)>
// CHECK-LABEL: func.func @slice_negative_step
// CHECK-SAME: %[[X:[^ ]+]]: tensor<4x10xf32> {bufferization.writable = false}
// CHECK: %[[S:.+]] = tensor.extract_slice %[[X]][1, 0] [2, 10] [2, 1]
// CHECK: linalg.generic {indexing_maps = [#[[$REV]], #{{.+}}]
// CHECK-SAME: ins(%[[S]] : tensor<2x10xf32>)
func.func @slice_negative_step(%x: tensor<4x10xf32>) -> tensor<2x10xf32> attributes {dsr1.kernel} {
  %0 = dsr1.slice %x {starts = array<i64: -1>, ends = array<i64: 0>, steps = array<i64: -2>} : tensor<4x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

// Dim 0 padded by one at each end, dim 1 cropped by one at the end: reads
// are clamped and the pad value selected outside.
// CHECK-LABEL: func.func @pad_constant
// CHECK-SAME: %[[X:[^ ]+]]: tensor<2x3xf32> {bufferization.writable = false}
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<4x2xf32>)
// CHECK: %[[I0:.+]] = linalg.index 0 : index
// CHECK: %[[I1:.+]] = linalg.index 1 : index
// CHECK: %[[SHIFTED:.+]] = arith.subi %[[I0]], %{{.+}} : index
// CHECK: %[[MIN:.+]] = arith.minsi %[[SHIFTED]]
// CHECK: %[[CLAMPED:.+]] = arith.maxsi %[[MIN]]
// CHECK: %[[INSIDE:.+]] = arith.cmpi eq, %[[SHIFTED]], %[[CLAMPED]] : index
// CHECK: %[[E:.+]] = tensor.extract %[[X]][%[[CLAMPED]], %[[I1]]] : tensor<2x3xf32>
// CHECK: %[[V:.+]] = arith.constant 2.500000e+00 : f32
// CHECK: %[[R:.+]] = arith.select %[[INSIDE]], %[[E]], %[[V]] : f32
// CHECK: linalg.yield %[[R]] : f32
func.func @pad_constant(%x: tensor<2x3xf32>) -> tensor<4x2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.pad %x [1, 0, 1, -1] {value = 2.5 : f64} : tensor<2x3xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// The index is folded into one period of the mirror images (2 * (3 - 1)).
// CHECK-LABEL: func.func @pad_reflect
// CHECK-SAME: %[[X:[^ ]+]]: tensor<3x3xf32> {bufferization.writable = false}
// CHECK: linalg.generic
// CHECK: arith.remsi %{{.+}}, %{{.+}} : index
// CHECK: arith.cmpi sge
// CHECK: %[[REFLECTED:.+]] = arith.select
// CHECK: tensor.extract %[[X]][%{{.+}}, %[[REFLECTED]]] : tensor<3x3xf32>
func.func @pad_reflect(%x: tensor<3x3xf32>) -> tensor<3x7xf32> attributes {dsr1.kernel} {
  %0 = dsr1.pad %x [0, 2, 0, 2] {mode = #dsr1.pad_mode<reflect>} : tensor<3x3xf32>
  return %0 : tensor<3x7xf32>
}

// -----

// Wrap: the index minus the begin pad, modulo the size, moved into [0, 3); the unpadded dim 0
// is read as is.
// CHECK-LABEL: func.func @pad_wrap
// CHECK-SAME: %[[X:[^ ]+]]: tensor<3x3xi32> {bufferization.writable = false}
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[J:.+]] = linalg.index 1
// CHECK: %[[C3:.+]] = arith.constant 3 : index
// CHECK: %[[M:.+]] = arith.remsi %{{.+}}, %[[C3]] : index
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[M]]
// CHECK: %[[UP:.+]] = arith.addi %[[M]], %[[C3]]
// CHECK: %[[W:.+]] = arith.select %[[NEG]], %[[UP]], %[[M]]
// CHECK: tensor.extract %[[X]][%[[I]], %[[W]]] : tensor<3x3xi32>
func.func @pad_wrap(%x: tensor<3x3xi32>) -> tensor<3x6xi32> attributes {dsr1.kernel} {
  %0 = dsr1.pad %x [0, 2, 0, 1] {mode = #dsr1.pad_mode<wrap>} : tensor<3x3xi32>
  return %0 : tensor<3x6xi32>
}

// -----

// The indices are checked by a reduction before the gather, which clamps the
// index it reads with.
// CHECK-DAG: #[[$ALL:map[0-9]*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[$IDS:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[STATUS:.+]]: memref<i32>, %[[DATA:.+]]: tensor<5x4xf32> {bufferization.writable = false}, %[[IDS_ARG:.+]]: tensor<2x3xi64> {bufferization.writable = false})
// CHECK: %[[FALSE:.+]] = arith.constant false
// CHECK: %[[FLAG:.+]] = linalg.fill ins(%[[FALSE]] : i1)
// CHECK: %[[ANY:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[$ALL]]], iterator_types = ["reduction", "reduction"]} ins(%[[IDS_ARG]] : tensor<2x3xi64>) outs(%[[FLAG]] : tensor<i1>)
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi sge
// CHECK: arith.ori
// CHECK: %[[BAD:.+]] = tensor.extract %[[ANY]][] : tensor<i1>
// CHECK: scf.if %[[BAD]] {
// CHECK: %[[CODE:.+]] = arith.constant 2 : i32
// CHECK: memref.store %[[CODE]], %[[STATUS]][] : memref<i32>
// CHECK: linalg.generic {indexing_maps = [#[[$IDS]], #{{.+}}]
// CHECK-SAME: ins(%[[IDS_ARG]] : tensor<2x3xi64>) outs(%{{.+}} : tensor<5x2x3xf32>)
// CHECK: ^bb0(%[[IN:.+]]: i64,
// CHECK: %[[I0:.+]] = linalg.index 0 : index
// CHECK: arith.minsi
// CHECK: %[[CLAMPED:.+]] = arith.maxsi
// CHECK: %[[INDEX:.+]] = arith.index_cast %[[CLAMPED]] : i64 to index
// CHECK: tensor.extract %[[DATA]][%[[I0]], %[[INDEX]]] : tensor<5x4xf32>
func.func @gather(%data: tensor<5x4xf32>, %ids: tensor<2x3xi64>) -> tensor<5x2x3xf32> attributes {dsr1.kernel} {
  %0 = dsr1.gather %data[%ids] axis 1 : tensor<5x4xf32>, tensor<2x3xi64>
  return %0 : tensor<5x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @gather_elements
// CHECK-SAME: %[[DATA:[^ ]+]]: tensor<3x4xf32> {bufferization.writable = false}, %[[IDS:[^ ]+]]: tensor<3x2xi32> {bufferization.writable = false}
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction", "reduction"]} ins(%[[IDS]] : tensor<3x2xi32>)
// CHECK: scf.if
// CHECK: linalg.generic {{.+}} ins(%[[IDS]] : tensor<3x2xi32>) outs(%{{.+}} : tensor<3x2xf32>)
// CHECK: %[[I0:.+]] = linalg.index 0 : index
// CHECK: arith.extsi %{{.+}} : i32 to i64
// CHECK: %[[INDEX:.+]] = arith.index_cast
// CHECK: tensor.extract %[[DATA]][%[[I0]], %[[INDEX]]] : tensor<3x4xf32>
func.func @gather_elements(%data: tensor<3x4xf32>, %ids: tensor<3x2xi32>) -> tensor<3x2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.gather_elements %data[%ids] axis 1 : tensor<3x4xf32>, tensor<3x2xi32>
  return %0 : tensor<3x2xf32>
}

// -----

// A copy of data is updated in loops over the indices; an update with a bad
// index keeps the old element.
// CHECK-LABEL: func.func @scatter_elements
// CHECK-SAME: %[[DATA:[^ ]+]]: tensor<3x4xf32> {bufferization.writable = false}, %[[IDS:[^ ]+]]: tensor<3x2xi64> {bufferization.writable = false}, %[[UPD:[^ ]+]]: tensor<3x2xf32> {bufferization.writable = false}
// CHECK: linalg.generic {{.+}} ins(%[[IDS]] : tensor<3x2xi64>) outs(%{{.+}} : tensor<i1>)
// CHECK: scf.if
// CHECK: %[[COPY:.+]] = linalg.copy ins(%[[DATA]] : tensor<3x4xf32>)
// CHECK: %[[RESULT:.+]] = scf.for %[[I:.+]] = {{.+}} iter_args(%[[ACC0:.+]] = %[[COPY]])
// CHECK: scf.for %[[J:.+]] = {{.+}} iter_args(%[[ACC:.+]] = %[[ACC0]])
// CHECK: %[[RAW:.+]] = tensor.extract %[[IDS]][%[[I]], %[[J]]]
// CHECK: %[[INDEX:.+]] = arith.index_cast
// CHECK: %[[U:.+]] = tensor.extract %[[UPD]][%[[I]], %[[J]]]
// CHECK: %[[OLD:.+]] = tensor.extract %[[ACC]][%[[I]], %[[INDEX]]]
// CHECK: %[[SUM:.+]] = arith.addf %[[OLD]], %[[U]] : f32
// CHECK: %[[NEW:.+]] = arith.select %{{.+}}, %[[OLD]], %[[SUM]] : f32
// CHECK: tensor.insert %[[NEW]] into %[[ACC]][%[[I]], %[[INDEX]]]
// CHECK: return %[[RESULT]]
func.func @scatter_elements(%data: tensor<3x4xf32>, %ids: tensor<3x2xi64>, %upd: tensor<3x2xf32>) -> tensor<3x4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.scatter_elements %data[%ids], %upd axis 1 {reduction = #dsr1.scatter_reduction<add>} : tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @scatter_nd
// CHECK-SAME: %[[DATA:[^ ]+]]: tensor<4x5xi32> {bufferization.writable = false}, %[[IDS:[^ ]+]]: tensor<2x1xi64> {bufferization.writable = false}, %[[UPD:[^ ]+]]: tensor<2x5xi32> {bufferization.writable = false}
// CHECK: linalg.generic {{.+}} ins(%[[IDS]] : tensor<2x1xi64>) outs(%{{.+}} : tensor<i1>)
// CHECK: scf.if
// CHECK: %[[COPY:.+]] = linalg.copy ins(%[[DATA]] : tensor<4x5xi32>)
// CHECK: scf.for %[[I:.+]] = {{.+}} iter_args(%{{.+}} = %[[COPY]])
// CHECK: scf.for %[[J:.+]] = {{.+}} iter_args(%[[ACC:.+]] = %{{.+}})
// CHECK: %[[RAW:.+]] = tensor.extract %[[IDS]][%[[I]], %{{.+}}] : tensor<2x1xi64>
// CHECK: %[[INDEX:.+]] = arith.index_cast
// CHECK: %[[U:.+]] = tensor.extract %[[UPD]][%[[I]], %[[J]]]
// CHECK: tensor.extract %[[ACC]][%[[INDEX]], %[[J]]]
// CHECK: tensor.insert %{{.+}} into %[[ACC]][%[[INDEX]], %[[J]]]
func.func @scatter_nd(%data: tensor<4x5xi32>, %ids: tensor<2x1xi64>, %upd: tensor<2x5xi32>) -> tensor<4x5xi32> attributes {dsr1.kernel} {
  %0 = dsr1.scatter_nd %data[%ids], %upd : tensor<4x5xi32>, tensor<2x1xi64>, tensor<2x5xi32>
  return %0 : tensor<4x5xi32>
}

// -----

// Linear upsampling of the last dim by 2 (half_pixel): each output element
// weighs two input elements, by tables of indices and weights. f16 is
// resized in f32.
// CHECK-DAG: #[[$TABLE:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$OUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @resize_linear
// CHECK: %[[WIDE:.+]] = linalg.generic
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: %[[INDICES:.+]] = arith.constant dense<{{\[}}[0, 0], [0, 1], [0, 1], [1, 0]]> : tensor<4x2xi64>
// CHECK: %[[WEIGHTS:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00], [7.500000e-01, 2.500000e-01], [2.500000e-01, 7.500000e-01], [1.000000e+00, 0.000000e+00]]> : tensor<4x2xf32>
// CHECK: %[[ZERO:.+]] = linalg.fill
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$TABLE]], #[[$TABLE]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[WEIGHTS]], %[[INDICES]] : tensor<4x2xf32>, tensor<4x2xi64>) outs(%[[ZERO]] : tensor<1x2x4xf32>)
// CHECK-NEXT: ^bb0(%[[W:.+]]: f32, %[[INDEX:.+]]: i64, %[[ACC:.+]]: f32):
// CHECK: %[[I0:.+]] = linalg.index 0 : index
// CHECK: %[[I1:.+]] = linalg.index 1 : index
// CHECK: %[[I:.+]] = arith.index_cast %[[INDEX]] : i64 to index
// CHECK: %[[E:.+]] = tensor.extract %[[WIDE]][%[[I0]], %[[I1]], %[[I]]] : tensor<1x2x2xf32>
// CHECK: %[[P:.+]] = arith.mulf %[[W]], %[[E]] : f32
// CHECK: %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK: linalg.yield %[[S]] : f32
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<1x2x4xf32>)
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @resize_linear(%x: tensor<1x2x2xf16>) -> tensor<1x2x4xf16> attributes {dsr1.kernel} {
  %0 = dsr1.resize %x to [-1, -1, 4] {mode = #dsr1.resize_mode<linear>, scales = array<f64: 1.0, 1.0, 2.0>} : tensor<1x2x2xf16>
  return %0 : tensor<1x2x4xf16>
}

// -----

// tf_crop_and_resize: each axis resized by its taps (an output outside the input reads nothing),
// then one generic selects the extrapolation value where any axis's constant mask is set. Here
// dim 1 crops [0.25, 1.5] * 3 = [0.75, 4.5] to 2 outputs: the second (4.5) is outside; dim 0
// keeps [0, 1] and is not resized.
// CHECK-LABEL: func.func @resize_crop
// CHECK: linalg.generic
// CHECK: tensor.extract
// CHECK: %[[MASK:.+]] = arith.constant dense<[false, true]> : tensor<2xi1>
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[MASK]] : tensor<2x2xf32>, tensor<2xi1>)
// CHECK: %[[FILL:.+]] = arith.constant 1.000000e+01 : f32
// CHECK: arith.select %{{.+}}, %[[FILL]], %{{.+}} : f32
func.func @resize_crop(%x: tensor<2x4xf32>) -> tensor<2x2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.resize %x to [-1, 2] {mode = #dsr1.resize_mode<linear>, coordinate_mode = #dsr1.coordinate_mode<tf_crop_and_resize>, roi = array<f64: 0.0, 0.25, 1.0, 1.5>, extrapolation_value = 10.0, scales = array<f64: 1.0, 0.5>} : tensor<2x4xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// The roi's arithmetic is f32, as in the ONNX reference: 0.1f * 5 is 0.5, a tie that nearest
// rounds down to element 0 (in f64 it would be 0.50000000745 and round up to 1); the second
// output (6.5) lies outside and reads nothing.
// CHECK-LABEL: func.func @resize_crop_nearest_tie
// CHECK: arith.constant dense<0> : tensor<2x1xi64>
// CHECK: arith.constant dense<[false, true]> : tensor<2xi1>
func.func @resize_crop_nearest_tie(%x: tensor<6xf32>) -> tensor<2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.resize %x to [2] {coordinate_mode = #dsr1.coordinate_mode<tf_crop_and_resize>, roi = array<f64: 0.10000000149011612, 1.2999999523162842>, scales = array<f64: 0.33333333333333331>} : tensor<6xf32>
  return %0 : tensor<2xf32>
}

// -----

// Nearest sampling with reflection: one linalg.generic over the result reads
// the position from the grid (entry 1, the x coordinate, for the last dim of
// the input), rounds it half to even, reflects it into the input and reads the
// element at the clamped index. f16 is sampled in f32.
// CHECK-LABEL: func.func @grid_sample_nearest
// CHECK-SAME: %[[X:[^ ]+]]: tensor<1x2x3x4xf16> {bufferization.writable = false}, %[[G:[^ ]+]]: tensor<1x5x1x2xf32> {bufferization.writable = false}
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<1x2x5x1xf16>)
// CHECK: %[[N:.+]] = linalg.index 0 : index
// CHECK: %[[C:.+]] = linalg.index 1 : index
// CHECK: %[[O0:.+]] = linalg.index 2 : index
// CHECK: %[[O1:.+]] = linalg.index 3 : index
// CHECK: %[[ONE:.+]] = arith.constant 1 : index
// CHECK: tensor.extract %[[G]][%[[N]], %[[O0]], %[[O1]], %[[ONE]]] : tensor<1x5x1x2xf32>
// CHECK: math.roundeven
// CHECK: math.floor
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: %[[H:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK: %[[ZERO:.+]] = arith.constant 0 : index
// CHECK: tensor.extract %[[G]][%[[N]], %[[O0]], %[[O1]], %[[ZERO]]] : tensor<1x5x1x2xf32>
// CHECK: %[[W:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK: %[[E:.+]] = tensor.extract %[[X]][%[[N]], %[[C]], %[[H]], %[[W]]] : tensor<1x2x3x4xf16>
// CHECK: arith.extf %[[E]] : f16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @grid_sample_nearest(%x: tensor<1x2x3x4xf16>, %g: tensor<1x5x1x2xf32>) -> tensor<1x2x5x1xf16> attributes {dsr1.kernel} {
  %0 = dsr1.grid_sample %x, %g {mode = #dsr1.resize_mode<nearest>, padding = #dsr1.grid_padding<reflection>} : tensor<1x2x3x4xf16>, tensor<1x5x1x2xf32>
  return %0 : tensor<1x2x5x1xf16>
}

// -----

// Linear sampling of a 1-D input with zeros padding: two taps, each read at a
// clamped index and replaced by 0 where it lies outside the input.
// CHECK-LABEL: func.func @grid_sample_linear_zeros
// CHECK-SAME: %[[X:[^ ]+]]: tensor<2x1x6xf64> {bufferization.writable = false}
// CHECK: linalg.generic
// CHECK: math.floor
// CHECK: %[[E0:.+]] = tensor.extract %[[X]]
// CHECK: arith.select %{{.+}}, %[[E0]], %{{.+}} : f64
// CHECK: %[[E1:.+]] = tensor.extract %[[X]]
// CHECK: arith.select %{{.+}}, %[[E1]], %{{.+}} : f64
// CHECK-NOT: tensor.extract %[[X]]
// CHECK: linalg.yield %{{.+}} : f64
func.func @grid_sample_linear_zeros(%x: tensor<2x1x6xf64>, %g: tensor<2x3x1xf32>) -> tensor<2x1x3xf64> attributes {dsr1.kernel} {
  %0 = dsr1.grid_sample %x, %g {align_corners = true} : tensor<2x1x6xf64>, tensor<2x3x1xf32>
  return %0 : tensor<2x1x3xf64>
}

// -----

// Cubic sampling of a 2-D input reads 4 x 4 elements.
// CHECK-LABEL: func.func @grid_sample_cubic
// CHECK-COUNT-16: tensor.extract %{{.+}} : tensor<1x1x4x4xf32>
// CHECK-NOT: tensor.extract
func.func @grid_sample_cubic(%x: tensor<1x1x4x4xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.grid_sample %x, %g {mode = #dsr1.resize_mode<cubic>, padding = #dsr1.grid_padding<border>} : tensor<1x1x4x4xf32>, tensor<1x2x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
