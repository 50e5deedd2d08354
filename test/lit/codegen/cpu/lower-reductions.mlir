// RUN: dsr1-opt %s --split-input-file -dsr1-lower-to-linalg | FileCheck %s

// The reduced dim is dropped from the output, then restored as size 1.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @reduce_sum_keepdims
// CHECK-SAME: (%{{.*}}: memref<i32>, %[[X:.*]]: tensor<2x3x4xf32> {bufferization.writable = false})
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: arith.addf
// CHECK: tensor.expand_shape %[[SUM]] {{\[\[}}0], [1, 2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
func.func @reduce_sum_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.reduce_sum %x axes [1] : tensor<2x3x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// Empty axes reduce every dim; the f16 sum runs in f32, and one generic
// divides by the count and rounds back.
// CHECK-DAG: #[[$ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @reduce_mean_all_f16
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<f32>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$ALL]]], iterator_types = ["reduction", "reduction"]}
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: %[[N:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: %[[MEAN:.*]] = arith.divf %{{.*}}, %[[N]] : f32
// CHECK: arith.truncf %[[MEAN]] : f32 to f16
// CHECK: return %{{.*}} : tensor<f16>
func.func @reduce_mean_all_f16(%x: tensor<2x3xf16>) -> tensor<f16> attributes {dsr1.kernel} {
  %0 = dsr1.reduce_mean %x axes [] {keepdims = false} : tensor<2x3xf16>
  return %0 : tensor<f16>
}

// -----

// An integer mean is taken in f64 and truncated toward zero.
// CHECK-LABEL: func.func @reduce_mean_int
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.uitofp %{{.*}} : i8 to f64
// CHECK: arith.divf
// CHECK: arith.fptoui %{{.*}} : f64 to i8
func.func @reduce_mean_int(%x: tensor<2x3xui8>) -> tensor<2xui8> attributes {dsr1.kernel} {
  %0 = dsr1.reduce_mean %x axes [1] {keepdims = false} : tensor<2x3xui8>
  return %0 : tensor<2xui8>
}

// -----

// An unsigned max starts from 0 and compares unsigned.
// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @reduce_max_unsigned
// CHECK: %[[LOW:.*]] = arith.constant 0 : i8
// CHECK: linalg.fill ins(%[[LOW]] : i8)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$RED]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.maxui
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 3]
func.func @reduce_max_unsigned(%x: tensor<2x3xui8>) -> tensor<1x3xui8> attributes {dsr1.kernel} {
  %0 = dsr1.reduce_max %x axes [0] : tensor<2x3xui8>
  return %0 : tensor<1x3xui8>
}

// -----

// On bools max is any and min is all: unsigned compares from false (max) and true (min).
// CHECK-LABEL: func.func @reduce_bool
// CHECK: %[[FALSE:.*]] = arith.constant false
// CHECK: linalg.fill ins(%[[FALSE]] : i1)
// CHECK: arith.maxui %{{.*}} : i1
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: linalg.fill ins(%[[TRUE]] : i1)
// CHECK: arith.minui %{{.*}} : i1
func.func @reduce_bool(%x: tensor<4x2xi1>) -> (tensor<4x1xi1>, tensor<4x1xi1>) attributes {dsr1.kernel} {
  %0 = dsr1.reduce_max %x axes [1] : tensor<4x2xi1>
  %1 = dsr1.reduce_min %x axes [1] : tensor<4x2xi1>
  return %0, %1 : tensor<4x1xi1>, tensor<4x1xi1>
}

// -----

// Over an empty set the max is the lowest value of the type (ONNX): the
// fill, since the reduction runs no iteration.
// CHECK-LABEL: func.func @reduce_max_empty_set
// CHECK: %[[LOWEST:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[LOWEST]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x0xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.maximumf
func.func @reduce_max_empty_set(%x: tensor<2x0xf32>) -> tensor<2x1xf32> attributes {dsr1.kernel} {
  %0 = dsr1.reduce_max %x axes [1] : tensor<2x0xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// A float min starts from +inf and propagates NaN (minimumf).
// CHECK-LABEL: func.func @reduce_min_f32
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: linalg.fill ins(%[[INF]] : f32)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.minimumf
// CHECK-NOT: tensor.expand_shape
// CHECK: return %{{.*}} : tensor<2xf32>
func.func @reduce_min_f32(%x: tensor<2x3xf32>) -> tensor<2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.reduce_min %x axes [1] {keepdims = false} : tensor<2x3xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @reduce_prod_i32
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: linalg.fill ins(%[[ONE]] : i32)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$RED]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK: arith.muli
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [1, 3, 1] : tensor<3xi32> into tensor<1x3x1xi32>
func.func @reduce_prod_i32(%x: tensor<2x3x4xi32>) -> tensor<1x3x1xi32> attributes {dsr1.kernel} {
  %0 = dsr1.reduce_prod %x axes [0, 2] : tensor<2x3x4xi32>
  return %0 : tensor<1x3x1xi32>
}

// -----

// The value and the index reduce together; the last of equal maxima wins
// (oge), and so does a NaN.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @arg_max_last
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[VALS:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[IDXS:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<2xi64>)
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]], #[[$RED]]], iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<2x5xf32>) outs(%[[VALS]], %[[IDXS]] : tensor<2xf32>, tensor<2xi64>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[BEST:.*]]: f32, %{{.*}}: i64):
// CHECK: arith.cmpf oge, %[[IN]], %[[BEST]] : f32
// CHECK: arith.cmpf uno, %[[IN]], %[[IN]] : f32
// CHECK: linalg.index 1 : index
// CHECK: tensor.expand_shape %[[R]]#1 {{\[\[}}0, 1]] output_shape [2, 1] : tensor<2xi64> into tensor<2x1xi64>
func.func @arg_max_last(%x: tensor<2x5xf32>) -> tensor<2x1xi64> attributes {dsr1.kernel} {
  %0 = dsr1.arg_max %x axis 1 {select_last_index = true} : tensor<2x5xf32>
  return %0 : tensor<2x1xi64>
}

// -----

// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @arg_min_signed
// CHECK: %[[MAX:.*]] = arith.constant 2147483647 : i32
// CHECK: linalg.fill ins(%[[MAX]] : i32)
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#{{.*}}, #[[$RED]], #[[$RED]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.cmpi slt
// CHECK: linalg.index 0 : index
// CHECK: return %[[R]]#1 : tensor<3xi64>
func.func @arg_min_signed(%x: tensor<4x3xi32>) -> tensor<3xi64> attributes {dsr1.kernel} {
  %0 = dsr1.arg_min %x axis 0 {keepdims = false} : tensor<4x3xi32>
  return %0 : tensor<3xi64>
}

// -----

// max, then the sum of exp(x - max), then exp(x - max) / sum, all in f32.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax_f16
// CHECK-SAME: %[[X:[a-z0-9]*]]: tensor<2x8xf16> {bufferization.writable = false}
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x8xf16>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.maximumf
// CHECK: %[[E:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]] : tensor<2x8xf16>, tensor<2xf32>) outs(%{{.*}} : tensor<2x8xf32>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<2x8xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[E]], %[[SUM]] : tensor<2x8xf32>, tensor<2xf32>) outs(%{{.*}} : tensor<2x8xf16>)
// CHECK-NOT: math.exp
// CHECK: arith.divf
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @softmax_f16(%x: tensor<2x8xf16>) -> tensor<2x8xf16> attributes {dsr1.kernel} {
  %0 = dsr1.softmax %x axis 1 : tensor<2x8xf16>
  return %0 : tensor<2x8xf16>
}

// -----

// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @log_softmax
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$RED]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK: math.log
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: %[[SHIFTED:.*]] = arith.subf
// CHECK-NOT: math.log
// CHECK: arith.subf %[[SHIFTED]], %{{.*}} : f32
func.func @log_softmax(%x: tensor<3x2xf32>) -> tensor<3x2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.log_softmax %x axis 0 : tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Mean and variance over dims [1, 3), then one generic that reads scale and
// bias broadcast to the input.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[$SCALE:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$BIAS:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: %[[X:[a-z0-9]*]]: tensor<2x3x4xf32> {bufferization.writable = false}, %[[G:[a-z0-9]*]]: tensor<3x4xf32> {bufferization.writable = false}, %[[B:[a-z0-9]*]]: tensor<4xf32> {bufferization.writable = false}
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK: %[[MEAN:.*]] = linalg.generic
// CHECK: %[[COUNT:.*]] = arith.constant 1.200000e+01 : f32
// CHECK: arith.divf %{{.*}}, %[[COUNT]]
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]], #[[$RED]]], iterator_types = ["parallel", "reduction", "reduction"]} ins(%[[X]], %[[MEAN]] :
// CHECK: arith.mulf
// CHECK: %[[INV:.*]] = linalg.generic
// CHECK: arith.constant 1.000000e-03 : f32
// CHECK: math.sqrt
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]], #[[$RED]], #[[$SCALE]], #[[$BIAS]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[MEAN]], %[[INV]], %[[G]], %[[B]] :
func.func @layer_norm(%x: tensor<2x3x4xf32>, %g: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> attributes {dsr1.kernel} {
  %0 = dsr1.layer_norm %x, %g, %b axis 1 {epsilon = 1.0e-03 : f64} : tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm_no_bias_bf16
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x4xbf16>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4xbf16>, tensor<2xf32>, tensor<2xf32>, tensor<4xbf16>) outs(%{{.*}} : tensor<2x4xbf16>)
// CHECK-NOT: arith.addf
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @layer_norm_no_bias_bf16(%x: tensor<2x4xbf16>, %g: tensor<4xbf16>) -> tensor<2x4xbf16> attributes {dsr1.kernel} {
  %0 = dsr1.layer_norm %x, %g axis 1 : tensor<2x4xbf16>, tensor<4xbf16>
  return %0 : tensor<2x4xbf16>
}

// -----

// Elementwise: every parameter is read along the channel dim.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK-NOT: "reduction"
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$C]], #[[$C]], #[[$C]], #[[$C]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK: math.sqrt
// CHECK: arith.divf
func.func @batch_norm(%x: tensor<1x3x2x2xf32>, %c: tensor<3xf32>) -> tensor<1x3x2x2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.batch_norm %x, %c, %c, %c, %c : tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

// Statistics per [n, c] over the spatial dims; scale and bias per channel.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$NC:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @instance_norm
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$NC]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$NC]], #[[$NC]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$NC]], #[[$NC]], #[[$C]], #[[$C]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
func.func @instance_norm(%x: tensor<2x3x5xf32>, %c: tensor<3xf32>) -> tensor<2x3x5xf32> attributes {dsr1.kernel} {
  %0 = dsr1.instance_norm %x, %c, %c : tensor<2x3x5xf32>, tensor<3xf32>, tensor<3xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// A scalar scan from the end along dim 1 that stores the sum before adding.
// CHECK-LABEL: func.func @cumsum_exclusive_reverse
// CHECK-SAME: %[[X:[a-z0-9]*]]: tensor<2x5xi64> {bufferization.writable = false}
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[Y:.*]] = %{{.*}}) -> (tensor<2x5xi64>)
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[YK:.*]] = %[[Y]], %[[ACC:.*]] = %{{.*}}) -> (tensor<2x5xi64>, i64)
// CHECK: %[[LAST:.*]] = arith.constant 4 : index
// CHECK: %[[POS:.*]] = arith.subi %[[LAST]], %[[K]] : index
// CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[I]], %[[POS]]]
// CHECK: %[[SUM:.*]] = arith.addi %[[ACC]], %[[V]] : i64
// CHECK: %[[NEW:.*]] = tensor.insert %[[ACC]] into %[[YK]][%[[I]], %[[POS]]]
// CHECK: scf.yield %[[NEW]], %[[SUM]]
func.func @cumsum_exclusive_reverse(%x: tensor<2x5xi64>) -> tensor<2x5xi64> attributes {dsr1.kernel} {
  %0 = dsr1.cumsum %x axis 1 {exclusive = true, reverse = true} : tensor<2x5xi64>
  return %0 : tensor<2x5xi64>
}

// -----

// cumprod is the same scan with a product that starts at 1; f16 multiplies in f32 and rounds
// each stored value.
// CHECK-LABEL: func.func @cumprod_f16
// CHECK-SAME: %[[X:[a-z0-9]*]]: tensor<3x4xf16> {bufferization.writable = false}
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[YK:.*]] = %{{.*}}, %[[ACC:.*]] = %[[ONE]]) -> (tensor<3x4xf16>, f32)
// CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[K]], %{{.*}}]
// CHECK: %[[W:.*]] = arith.extf %[[V]] : f16 to f32
// CHECK: %[[P:.*]] = arith.mulf %[[ACC]], %[[W]] : f32
// CHECK: %[[R:.*]] = arith.truncf %[[P]] : f32 to f16
// CHECK: %[[NEW:.*]] = tensor.insert %[[R]] into %[[YK]][%[[K]], %{{.*}}]
// CHECK: scf.yield %[[NEW]], %[[P]]
// CHECK-NOT: arith.addf
func.func @cumprod_f16(%x: tensor<3x4xf16>) -> tensor<3x4xf16> attributes {dsr1.kernel} {
  %0 = dsr1.cumprod %x axis 0 : tensor<3x4xf16>
  return %0 : tensor<3x4xf16>
}

// -----

// k selection passes: a reduction finds the next element after the previous
// choice, and a parallel generic stores it at position p.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @top_k
// CHECK: %[[K:.*]] = arith.constant 2 : index
// CHECK: %[[R:.*]]:2 = scf.for %[[P:.*]] = %{{.*}} to %[[K]] step %{{.*}} iter_args(%[[V:.*]] = %{{.*}}, %[[I:.*]] = %{{.*}}) -> (tensor<3x2xf32>, tensor<3x2xi64>)
// CHECK: %[[BEST:.*]]:2 = linalg.generic {indexing_maps = [#[[$ID]], #[[$RED]], #[[$RED]]], iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<3x6xf32>)
// CHECK: tensor.extract %[[V]]
// CHECK: tensor.extract %[[I]]
// CHECK: %[[STORED:.*]]:2 = linalg.generic {indexing_maps = [#[[$RED]], #[[$RED]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[BEST]]#0, %[[BEST]]#1 : tensor<3xf32>, tensor<3xi64>) outs(%[[V]], %[[I]] : tensor<3x2xf32>, tensor<3x2xi64>)
// CHECK: arith.cmpi eq, %{{.*}}, %[[P]] : index
// CHECK: scf.yield %[[STORED]]#0, %[[STORED]]#1
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @top_k(%x: tensor<3x6xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) attributes {dsr1.kernel} {
  %0:2 = dsr1.top_k %x k 2 axis 1 : tensor<3x6xf32>
  return %0#0, %0#1 : tensor<3x2xf32>, tensor<3x2xi64>
}
