// Result type inference of every dsr1 op, read back from the generic form, which prints result types.
// The expected shapes are worked out by hand from the numpy / ONNX rules each op documents.
// RUN: dsr1-opt %s --split-input-file --mlir-print-op-generic | FileCheck %s

// CHECK-LABEL: sym_name = "broadcasting"
func.func @broadcasting(%a: tensor<4x1xf32>, %b: tensor<3xf32>, %c: tensor<?x1xf32>, %d: tensor<1x3xf32>,
                        %e: tensor<?xf32>, %f: tensor<5xf32>, %g: tensor<1xf32>, %s: tensor<f32>,
                        %m: tensor<2x2xf32>, %h: tensor<?x3xf32>) {
  // CHECK: "dsr1.add"{{.*}} -> tensor<4x3xf32>
  %0 = dsr1.add %a, %b : tensor<4x1xf32>, tensor<3xf32>
  // CHECK: "dsr1.sub"{{.*}} -> tensor<?x3xf32>
  %1 = dsr1.sub %c, %b : tensor<?x1xf32>, tensor<3xf32>
  // CHECK: "dsr1.mul"{{.*}} -> tensor<?x3xf32>
  %2 = dsr1.mul %h, %d : tensor<?x3xf32>, tensor<1x3xf32>
  // A dynamic dim against a known dim > 1 must be that dim at run time.
  // CHECK: "dsr1.div"{{.*}} -> tensor<5xf32>
  %3 = dsr1.div %e, %f : tensor<?xf32>, tensor<5xf32>
  // A dynamic dim against 1 stays dynamic.
  // CHECK: "dsr1.max"{{.*}} -> tensor<?xf32>
  %4 = dsr1.max %g, %e : tensor<1xf32>, tensor<?xf32>
  // CHECK: "dsr1.min"{{.*}} -> tensor<2x2xf32>
  %5 = dsr1.min %s, %m : tensor<f32>, tensor<2x2xf32>
  // CHECK: "dsr1.pow"{{.*}} -> tensor<f32>
  %6 = dsr1.pow %s, %s : tensor<f32>, tensor<f32>
  return
}

// -----

// CHECK-LABEL: sym_name = "comparisons_and_select"
func.func @comparisons_and_select(%a: tensor<4x1xi64>, %b: tensor<3xi64>, %mask: tensor<1x1x4x4xi1>,
                                  %x: tensor<2x12x4x4xf16>, %y: tensor<f16>, %p: tensor<2x1xi1>, %q: tensor<3xi1>) {
  // CHECK: "dsr1.equal"{{.*}} -> tensor<4x3xi1>
  %0 = dsr1.equal %a, %b : tensor<4x1xi64>, tensor<3xi64>
  // CHECK: "dsr1.less"{{.*}} -> tensor<4x3xi1>
  %1 = dsr1.less %a, %b : tensor<4x1xi64>, tensor<3xi64>
  // CHECK: "dsr1.greater_equal"{{.*}} -> tensor<4x3xi1>
  %2 = dsr1.greater_equal %a, %b : tensor<4x1xi64>, tensor<3xi64>
  // CHECK: "dsr1.and"{{.*}} -> tensor<2x3xi1>
  %3 = dsr1.and %p, %q : tensor<2x1xi1>, tensor<3xi1>
  // CHECK: "dsr1.where"{{.*}} -> tensor<2x12x4x4xf16>
  %4 = dsr1.where %mask, %x, %y : tensor<1x1x4x4xi1>, tensor<2x12x4x4xf16>, tensor<f16>
  // Bitwise ops and shifts keep the integer type and broadcast.
  // CHECK: "dsr1.or"{{.*}} -> tensor<4x3xi64>
  %5 = dsr1.or %a, %b : tensor<4x1xi64>, tensor<3xi64>
  // CHECK: "dsr1.shift_right"{{.*}} -> tensor<4x3xi64>
  %6 = dsr1.shift_right %a, %b : tensor<4x1xi64>, tensor<3xi64>
  return
}

// -----

// CHECK-LABEL: sym_name = "unary_keeps_type"
func.func @unary_keeps_type(%x: tensor<2x?xbf16>, %i: tensor<7xi8>) {
  // CHECK: "dsr1.exp"{{.*}} -> tensor<2x?xbf16>
  %0 = dsr1.exp %x : tensor<2x?xbf16>
  // CHECK: "dsr1.gelu"{{.*}} -> tensor<2x?xbf16>
  %1 = dsr1.gelu %x : tensor<2x?xbf16>
  // CHECK: "dsr1.relu"{{.*}} -> tensor<7xi8>
  %2 = dsr1.relu %i : tensor<7xi8>
  // CHECK: "dsr1.cast"{{.*}} -> tensor<2x?xi8>
  %3 = dsr1.cast %x to i8 : tensor<2x?xbf16>
  return
}

// -----

// CHECK-LABEL: sym_name = "matmul"
func.func @matmul(%a: tensor<8x?x64x32xf32>, %b: tensor<32x16xf32>, %v: tensor<4xf32>, %w: tensor<3xf32>,
                  %c: tensor<2x3x5xf32>, %d: tensor<2x3x4xf32>, %e: tensor<1x5x3x4xf32>,
                  %f: tensor<7x1x4x6xf32>, %g: tensor<?x?xf32>, %h: tensor<?x6xf32>) {
  // CHECK: "dsr1.matmul"{{.*}} -> tensor<8x?x64x16xf32>
  %0 = dsr1.matmul %a, %b : tensor<8x?x64x32xf32>, tensor<32x16xf32>
  // Vector . vector is a scalar.
  // CHECK: "dsr1.matmul"{{.*}} -> tensor<f32>
  %1 = dsr1.matmul %v, %v : tensor<4xf32>, tensor<4xf32>
  // A 1-D lhs is a row vector whose added dim is dropped.
  // CHECK: "dsr1.matmul"{{.*}} -> tensor<2x5xf32>
  %2 = dsr1.matmul %w, %c : tensor<3xf32>, tensor<2x3x5xf32>
  // A 1-D rhs is a column vector whose added dim is dropped.
  // CHECK: "dsr1.matmul"{{.*}} -> tensor<2x3xf32>
  %3 = dsr1.matmul %d, %v : tensor<2x3x4xf32>, tensor<4xf32>
  // Batch dims broadcast.
  // CHECK: "dsr1.matmul"{{.*}} -> tensor<7x5x3x6xf32>
  %4 = dsr1.matmul %e, %f : tensor<1x5x3x4xf32>, tensor<7x1x4x6xf32>
  // CHECK: "dsr1.matmul"{{.*}} -> tensor<?x6xf32>
  %5 = dsr1.matmul %g, %h : tensor<?x?xf32>, tensor<?x6xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "gemm"
func.func @gemm(%a: tensor<16x4xf32>, %b: tensor<8x16xf32>, %c: tensor<1x8xf32>, %s: tensor<f32>) {
  // CHECK: "dsr1.gemm"{{.*}} -> tensor<4x8xf32>
  %0 = dsr1.gemm %a, %b, %c {trans_a = true, trans_b = true} : tensor<16x4xf32>, tensor<8x16xf32>, tensor<1x8xf32>
  // CHECK: "dsr1.gemm"{{.*}} -> tensor<8x4xf32>
  %1 = dsr1.gemm %b, %a, %s : tensor<8x16xf32>, tensor<16x4xf32>, tensor<f32>
  return
}

// -----

// CHECK-LABEL: sym_name = "conv"
func.func @conv(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>, %x1: tensor<2x8x?xf32>,
                %w1: tensor<8x1x3xf32>, %x2: tensor<1x4x10xf32>, %w2: tensor<6x2x3xf32>,
                %x3: tensor<1x2x8x8x8xf32>, %w3: tensor<4x2x3x3x3xf32>, %x4: tensor<?x1x10x10xf32>,
                %w4: tensor<1x1x3x3xf32>) {
  // (224 + 3 + 3 - 7) / 2 + 1 = 112
  // CHECK: "dsr1.conv"{{.*}} -> tensor<1x64x112x112xf32>
  %0 = dsr1.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>} : tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>
  // Depthwise, dilated, dynamic length.
  // CHECK: "dsr1.conv"{{.*}} -> tensor<2x8x?xf32>
  %1 = dsr1.conv %x1, %w1 {group = 8 : i64, dilations = array<i64: 2>} : tensor<2x8x?xf32>, tensor<8x1x3xf32>
  // 1-D, two groups: 10 - 3 + 1 = 8
  // CHECK: "dsr1.conv"{{.*}} -> tensor<1x6x8xf32>
  %2 = dsr1.conv %x2, %w2 {group = 2 : i64} : tensor<1x4x10xf32>, tensor<6x2x3xf32>
  // 3-D: (8 + 2 - 3) / 2 + 1 = 4
  // CHECK: "dsr1.conv"{{.*}} -> tensor<1x4x4x4x4xf32>
  %3 = dsr1.conv %x3, %w3 {strides = array<i64: 2, 2, 2>, pads = array<i64: 1, 1, 1, 1, 1, 1>} : tensor<1x2x8x8x8xf32>, tensor<4x2x3x3x3xf32>
  // Dilation 2 spans 5: 10 - 5 + 1 = 6; asymmetric pads 1 + 0 give 7 in the last dim.
  // CHECK: "dsr1.conv"{{.*}} -> tensor<?x1x6x7xf32>
  %4 = dsr1.conv %x4, %w4 {dilations = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 0>} : tensor<?x1x10x10xf32>, tensor<1x1x3x3xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "pooling"
func.func @pooling(%x: tensor<1x64x112x112xf32>, %y: tensor<1x1x5x5xf32>, %z: tensor<2x8x?xf32>) {
  // (112 + 2 - 3) / 2 + 1 = 56
  // CHECK: "dsr1.max_pool"{{.*}} -> tensor<1x64x56x56xf32>
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x64x112x112xf32>
  // floor((5 - 2) / 2) + 1 = 2
  // CHECK: "dsr1.avg_pool"{{.*}} -> tensor<1x1x2x2xf32>
  %1 = dsr1.avg_pool %y {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32>
  // ceil((5 - 2) / 2) + 1 = 3
  // CHECK: "dsr1.avg_pool"{{.*}} -> tensor<1x1x3x3xf32>
  %2 = dsr1.avg_pool %y {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : tensor<1x1x5x5xf32>
  // ceil((5 + 2 - 2) / 2) + 1 = 4, but the 4th window would start in the end padding: 3 (PyTorch).
  // CHECK: "dsr1.max_pool"{{.*}} -> tensor<1x1x3x3xf32>
  %3 = dsr1.max_pool %y {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : tensor<1x1x5x5xf32>
  // CHECK: "dsr1.global_avg_pool"{{.*}} -> tensor<1x64x1x1xf32>
  %4 = dsr1.global_avg_pool %x : tensor<1x64x112x112xf32>
  // CHECK: "dsr1.global_max_pool"{{.*}} -> tensor<2x8x1xf32>
  %5 = dsr1.global_max_pool %z : tensor<2x8x?xf32>
  // The window of max_pool, the result i64.
  // CHECK: "dsr1.max_pool_indices"{{.*}} -> tensor<1x1x3x3xi64>
  %6 = dsr1.max_pool_indices %y {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true, column_major = true} : tensor<1x1x5x5xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "attention"
func.func @attention(%q: tensor<2x16x768xf16>, %k: tensor<2x197x768xf16>, %v: tensor<2x197x384xf16>,
                     %q4: tensor<1x12x?x64xf16>, %k4: tensor<1x12x50x64xf16>, %v4: tensor<1x12x50x80xf16>,
                     %qd: tensor<?x16x64xf16>, %kd: tensor<3x20x64xf16>) {
  // CHECK: "dsr1.attention"{{.*}} -> tensor<2x16x384xf16>
  %0 = dsr1.attention %q, %k, %v {num_heads = 12 : i64} : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x384xf16>
  // CHECK: "dsr1.attention"{{.*}} -> tensor<1x12x?x80xf16>
  %1 = dsr1.attention %q4, %k4, %v4 {num_heads = 12 : i64, causal} : tensor<1x12x?x64xf16>, tensor<1x12x50x64xf16>, tensor<1x12x50x80xf16>
  // The batch is known from key and value.
  // CHECK: "dsr1.attention"{{.*}} -> tensor<3x16x64xf16>
  %2 = dsr1.attention %qd, %kd, %kd {num_heads = 4 : i64} : tensor<?x16x64xf16>, tensor<3x20x64xf16>, tensor<3x20x64xf16>
  // The scores are [B, H, Sq, Skv] in either layout, B from key and value.
  // CHECK: "dsr1.attention"{{.*}} -> (tensor<3x16x64xf16>, tensor<3x4x16x20xf16>)
  %3:2 = dsr1.attention %qd, %kd, %kd {num_heads = 4 : i64, return_scores = #dsr1.attention_scores<probs>} : tensor<?x16x64xf16>, tensor<3x20x64xf16>, tensor<3x20x64xf16>
  // CHECK: "dsr1.attention"{{.*}} -> (tensor<1x12x?x80xf16>, tensor<1x12x?x50xf16>)
  %4:2 = dsr1.attention %q4, %k4, %v4 {num_heads = 12 : i64, return_scores = #dsr1.attention_scores<raw>} : tensor<1x12x?x64xf16>, tensor<1x12x50x64xf16>, tensor<1x12x50x80xf16>
  return
}

// -----

// CHECK-LABEL: sym_name = "reductions"
func.func @reductions(%x: tensor<4x?x8xf32>) {
  // CHECK: "dsr1.reduce_sum"{{.*}} -> tensor<4x1x8xf32>
  %0 = dsr1.reduce_sum %x axes [1] : tensor<4x?x8xf32>
  // CHECK: "dsr1.reduce_mean"{{.*}} -> tensor<?xf32>
  %1 = dsr1.reduce_mean %x axes [0, 2] {keepdims = false} : tensor<4x?x8xf32>
  // Empty axes reduce everything.
  // CHECK: "dsr1.reduce_max"{{.*}} -> tensor<1x1x1xf32>
  %2 = dsr1.reduce_max %x axes [] : tensor<4x?x8xf32>
  // CHECK: "dsr1.reduce_min"{{.*}} -> tensor<f32>
  %3 = dsr1.reduce_min %x axes [] {keepdims = false} : tensor<4x?x8xf32>
  // Index reductions give i64.
  // CHECK: "dsr1.arg_max"{{.*}} -> tensor<4x1x8xi64>
  %5 = dsr1.arg_max %x axis 1 : tensor<4x?x8xf32>
  // CHECK: "dsr1.arg_min"{{.*}} -> tensor<?x8xi64>
  %6 = dsr1.arg_min %x axis 0 {keepdims = false} : tensor<4x?x8xf32>
  // CHECK: "dsr1.softmax"{{.*}} -> tensor<4x?x8xf32>
  %4 = dsr1.softmax %x axis 2 : tensor<4x?x8xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "norms"
func.func @norms(%x: tensor<2x?x768xf32>, %g: tensor<768xf32>, %s: tensor<1xf32>, %n: tensor<?x32x7x7xf32>, %c: tensor<32xf32>) {
  // CHECK: "dsr1.layer_norm"{{.*}} -> tensor<2x?x768xf32>
  %0 = dsr1.layer_norm %x, %g, %s axis 2 : tensor<2x?x768xf32>, tensor<768xf32>, tensor<1xf32>
  // CHECK: "dsr1.batch_norm"{{.*}} -> tensor<?x32x7x7xf32>
  %1 = dsr1.batch_norm %n, %c, %c, %c, %c : tensor<?x32x7x7xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>
  // CHECK: "dsr1.instance_norm"{{.*}} -> tensor<?x32x7x7xf32>
  %2 = dsr1.instance_norm %n, %c, %c : tensor<?x32x7x7xf32>, tensor<32xf32>, tensor<32xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "concat_split"
func.func @concat_split(%a: tensor<2x3xf32>, %b: tensor<2x?xf32>, %c: tensor<?x4xf32>, %x: tensor<2x?x768xf32>) {
  // CHECK: "dsr1.concat"{{.*}} -> tensor<2x?xf32>
  %0 = dsr1.concat %a, %b axis 1 : tensor<2x3xf32>, tensor<2x?xf32>
  // The other dims are taken from whichever input knows them.
  // CHECK: "dsr1.concat"{{.*}} -> tensor<2x7xf32>
  %1 = dsr1.concat %a, %c axis 1 : tensor<2x3xf32>, tensor<?x4xf32>
  // CHECK: "dsr1.concat"{{.*}} -> tensor<2x3xf32>
  %2 = dsr1.concat %a axis 0 : tensor<2x3xf32>
  // CHECK: "dsr1.split"{{.*}} -> (tensor<2x?x256xf32>, tensor<2x?x512xf32>)
  %3:2 = dsr1.split %x axis 2 sizes [256, 512] : tensor<2x?x768xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "reshape"
func.func @reshape(%x: tensor<2x?x768xf32>, %y: tensor<4x6xf32>, %z: tensor<2x3x4xf32>, %d: tensor<?x4xf32>, %e: tensor<2x?x4xf32>, %w: tensor<?x3x4xf32>) {
  // CHECK: "dsr1.reshape"{{.*}} -> tensor<2x?x12x64xf32>
  %0 = dsr1.reshape %x to [0, 0, 12, 64] : tensor<2x?x768xf32>
  // CHECK: "dsr1.reshape"{{.*}} -> tensor<8x3xf32>
  %1 = dsr1.reshape %y to [-1, 3] : tensor<4x6xf32>
  // CHECK: "dsr1.reshape"{{.*}} -> tensor<2x12xf32>
  %2 = dsr1.reshape %z to [0, -1] : tensor<2x3x4xf32>
  // CHECK: "dsr1.reshape"{{.*}} -> tensor<?xf32>
  %3 = dsr1.reshape %d to [-1] : tensor<?x4xf32>
  // CHECK: "dsr1.reshape"{{.*}} -> tensor<2x?xf32>
  %4 = dsr1.reshape %e to [2, -1] : tensor<2x?x4xf32>
  // CHECK: "dsr1.reshape"{{.*}} -> tensor<24xf32>
  %5 = dsr1.reshape %z to [24] : tensor<2x3x4xf32>
  // A dynamic dim copied to the same index cancels out: the -1 is 4 here, 3 * 4 below.
  // CHECK: "dsr1.reshape"{{.*}} -> tensor<2x?x4xf32>
  %6 = dsr1.reshape %e to [0, 0, -1] : tensor<2x?x4xf32>
  // CHECK: "dsr1.reshape"{{.*}} -> tensor<?x12xf32>
  %7 = dsr1.reshape %w to [0, -1] : tensor<?x3x4xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "slice"
func.func @slice(%m: tensor<2x10xf32>, %d: tensor<?x10xf32>) {
  // numpy m[:, 0:-1]
  // CHECK: "dsr1.slice"{{.*}} -> tensor<2x9xf32>
  %0 = dsr1.slice %m {starts = array<i64: 0>, ends = array<i64: -1>, axes = array<i64: 1>} : tensor<2x10xf32>
  // numpy m[2:0:-1, 0::3]: the start clamps to 1, one row; 0, 3, 6, 9: four columns.
  // CHECK: "dsr1.slice"{{.*}} -> tensor<1x4xf32>
  %1 = dsr1.slice %m {starts = array<i64: 2, 0>, ends = array<i64: 0, 9223372036854775807>, steps = array<i64: -1, 3>} : tensor<2x10xf32>
  // numpy m[:, -3:], m[:, -100:4]
  // CHECK: "dsr1.slice"{{.*}} -> tensor<2x3xf32>
  %2 = dsr1.slice %m {starts = array<i64: -3>, ends = array<i64: 9223372036854775807>, axes = array<i64: 1>} : tensor<2x10xf32>
  // CHECK: "dsr1.slice"{{.*}} -> tensor<2x4xf32>
  %3 = dsr1.slice %m {starts = array<i64: -100>, ends = array<i64: 4>, axes = array<i64: 1>} : tensor<2x10xf32>
  // numpy m[:, ::-1] reverses all ten.
  // CHECK: "dsr1.slice"{{.*}} -> tensor<2x10xf32>
  %4 = dsr1.slice %m {starts = array<i64: -1>, ends = array<i64: -9223372036854775807>, axes = array<i64: 1>, steps = array<i64: -1>} : tensor<2x10xf32>
  // An empty slice: m[:, 5:5].
  // CHECK: "dsr1.slice"{{.*}} -> tensor<2x0xf32>
  %5 = dsr1.slice %m {starts = array<i64: 5>, ends = array<i64: 5>, axes = array<i64: 1>} : tensor<2x10xf32>
  // The most negative step still takes the start element: m[:, 5:0:-2**63] is [5].
  // CHECK: "dsr1.slice"{{.*}} -> tensor<2x1xf32>
  %7 = dsr1.slice %m {starts = array<i64: 5>, ends = array<i64: 0>, axes = array<i64: 1>, steps = array<i64: -9223372036854775808>} : tensor<2x10xf32>
  // CHECK: "dsr1.slice"{{.*}} -> tensor<?x5xf32>
  %6 = dsr1.slice %d {starts = array<i64: 0, 0>, ends = array<i64: 1, 5>} : tensor<?x10xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "gather_pad_expand_transpose"
func.func @gather_pad_expand_transpose(%t: tensor<30522x768xf32>, %ids: tensor<2x?xi64>, %u: tensor<2x3x4xf32>,
                                      %i: tensor<i32>, %img: tensor<1x3x32x32xf32>, %d: tensor<?x4xf32>,
                                      %s: tensor<3x1xf32>, %e: tensor<?x1xf32>, %x: tensor<2x?x12x64xf32>, %rs: tensor<?x2x3xf32>) {
  // CHECK: "dsr1.gather"{{.*}} -> tensor<2x?x768xf32>
  %0 = dsr1.gather %t[%ids] axis 0 : tensor<30522x768xf32>, tensor<2x?xi64>
  // A scalar index removes the axis.
  // CHECK: "dsr1.gather"{{.*}} -> tensor<2x4xf32>
  %1 = dsr1.gather %u[%i] axis 1 : tensor<2x3x4xf32>, tensor<i32>
  // CHECK: "dsr1.pad"{{.*}} -> tensor<1x3x34x34xf32>
  %2 = dsr1.pad %img [0, 0, 1, 1, 0, 0, 1, 1] : tensor<1x3x32x32xf32>
  // Negative pads crop.
  // CHECK: "dsr1.pad"{{.*}} -> tensor<1x3x30x32xf32>
  %3 = dsr1.pad %img [0, 0, -1, 0, 0, 0, -1, 0] : tensor<1x3x32x32xf32>
  // CHECK: "dsr1.pad"{{.*}} -> tensor<?x6xf32>
  %4 = dsr1.pad %d [1, 1, 1, 1] : tensor<?x4xf32>
  // CHECK: "dsr1.expand"{{.*}} -> tensor<2x3x4xf32>
  %5 = dsr1.expand %s to [2, 1, 4] : tensor<3x1xf32>
  // CHECK: "dsr1.expand"{{.*}} -> tensor<?x5xf32>
  %6 = dsr1.expand %e to [1, 5] : tensor<?x1xf32>
  // -1 keeps an unresized (here dynamic) dim.
  // CHECK: "dsr1.resize"{{.*}} -> tensor<?x4x6xf32>
  %8 = dsr1.resize %rs to [-1, 4, 6] {scales = array<f64: 1.0, 2.0, 2.0>} : tensor<?x2x3xf32>
  // CHECK: "dsr1.transpose"{{.*}} -> tensor<2x12x?x64xf32>
  %7 = dsr1.transpose %x perm [0, 2, 1, 3] : tensor<2x?x12x64xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "bitcast_grid_sample"
func.func @bitcast_grid_sample(%f: tensor<2x?xf32>, %b: tensor<3xi1>, %h: tensor<4xf16>,
                               %x: tensor<?x3x8x8xf32>, %g: tensor<2x5x6x2xf32>,
                               %v: tensor<1x2x4x4x4xf64>, %gv: tensor<?x3x?x5x3xf32>) {
  // CHECK: "dsr1.bitcast"{{.*}} -> tensor<2x?xi32>
  %0 = dsr1.bitcast %f to i32 : tensor<2x?xf32>
  // A bool is one byte.
  // CHECK: "dsr1.bitcast"{{.*}} -> tensor<3xui8>
  %1 = dsr1.bitcast %b to ui8 : tensor<3xi1>
  // CHECK: "dsr1.bitcast"{{.*}} -> tensor<4xbf16>
  %2 = dsr1.bitcast %h to bf16 : tensor<4xf16>
  // The batch comes from whichever operand knows it; the spatial dims from the grid.
  // CHECK: "dsr1.grid_sample"{{.*}} -> tensor<2x3x5x6xf32>
  %3 = dsr1.grid_sample %x, %g : tensor<?x3x8x8xf32>, tensor<2x5x6x2xf32>
  // CHECK: "dsr1.grid_sample"{{.*}} -> tensor<1x2x3x?x5xf64>
  %4 = dsr1.grid_sample %v, %gv : tensor<1x2x4x4x4xf64>, tensor<?x3x?x5x3xf32>
  return
}

// -----

// CHECK-LABEL: sym_name = "recurrences"
func.func @recurrences(%x: tensor<?x4x16xf32>, %w: tensor<2x128x16xf32>, %r: tensor<2x128x32xf32>,
                       %gw: tensor<1x96x16xf32>, %gr: tensor<1x96x32xf32>,
                       %rw: tensor<2x32x16xf32>, %rr: tensor<2x32x32xf32>) {
  // CHECK: "dsr1.lstm"{{.*}} -> (tensor<?x2x4x32xf32>, tensor<2x4x32xf32>, tensor<2x4x32xf32>)
  %0:3 = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64, direction = #dsr1.rnn_direction<bidirectional>} : tensor<?x4x16xf32>, tensor<2x128x16xf32>, tensor<2x128x32xf32>
  // CHECK: "dsr1.gru"{{.*}} -> (tensor<?x1x4x32xf32>, tensor<1x4x32xf32>)
  %1:2 = dsr1.gru %x, %gw, %gr {hidden_size = 32 : i64} : tensor<?x4x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32>
  // CHECK: "dsr1.rnn"{{.*}} -> (tensor<?x2x4x32xf32>, tensor<2x4x32xf32>)
  %2:2 = dsr1.rnn %x, %rw, %rr {hidden_size = 32 : i64, direction = #dsr1.rnn_direction<bidirectional>} : tensor<?x4x16xf32>, tensor<2x32x16xf32>, tensor<2x32x32xf32>
  return
}

// -----

// Linear attention: Dk = 64 / 8 = 8, Dv = 48 / 4 = 12; the output [B, T, 8 * 12], the state
// [B, 4, 8, 12] in the initial state's element type (else the query's); B and T from any
// operand.
// CHECK-LABEL: sym_name = "linear_attention"
func.func @linear_attention(%q: tensor<?x16x64xf16>, %k: tensor<2x?x32xf16>, %v: tensor<2x16x48xf16>,
                            %s: tensor<?x4x8x12xf32>, %g: tensor<2x16x32xf16>) {
  // CHECK: "dsr1.linear_attention"{{.*}} -> (tensor<2x16x96xf16>, tensor<2x4x8x12xf16>)
  %0:2 = dsr1.linear_attention %q, %k, %v {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<?x16x64xf16>, tensor<2x?x32xf16>, tensor<2x16x48xf16>
  // CHECK: "dsr1.linear_attention"{{.*}} -> (tensor<2x16x96xf16>, tensor<2x4x8x12xf32>)
  %1:2 = dsr1.linear_attention %q, %k, %v state %s : tensor<?x4x8x12xf32> decay %g : tensor<2x16x32xf16> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<gated>} : tensor<?x16x64xf16>, tensor<2x?x32xf16>, tensor<2x16x48xf16>
  return
}

// -----

// Peepholes [dirs, 3 * hidden] and one length per batch entry.
// CHECK-LABEL: sym_name = "recurrence_lengths"
func.func @recurrence_lengths(%x: tensor<5x4x16xf32>, %w: tensor<2x128x16xf32>, %r: tensor<2x128x32xf32>,
                              %p: tensor<2x96xf32>, %lens: tensor<4xi32>, %glens: tensor<?xi64>,
                              %gw: tensor<1x96x16xf32>, %gr: tensor<1x96x32xf32>) {
  // CHECK: "dsr1.lstm"{{.*}} -> (tensor<5x2x4x32xf32>, tensor<2x4x32xf32>, tensor<2x4x32xf32>)
  %0:3 = dsr1.lstm %x, %w, %r peepholes %p sequence_lens %lens {hidden_size = 32 : i64, direction = #dsr1.rnn_direction<bidirectional>} : tensor<5x4x16xf32>, tensor<2x128x16xf32>, tensor<2x128x32xf32> peepholes tensor<2x96xf32> sequence_lens tensor<4xi32>
  // CHECK: "dsr1.gru"{{.*}} -> (tensor<5x1x4x32xf32>, tensor<1x4x32xf32>)
  %1:2 = dsr1.gru %x, %gw, %gr sequence_lens %glens {hidden_size = 32 : i64} : tensor<5x4x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32> sequence_lens tensor<?xi64>
  return
}

// -----

// CHECK-LABEL: sym_name = "more_ops"
func.func @more_ops(%x: tensor<1x8x16x16xf32>, %w: tensor<8x4x3x3xf32>, %x1: tensor<?x4x7xf32>,
                    %w1: tensor<4x3x5xf32>, %d: tensor<3x?xf32>, %i: tensor<3x2xi64>,
                    %u: tensor<3x2xf32>, %ni: tensor<5x2xi64>, %nu: tensor<5x6xf32>,
                    %nd: tensor<2x3x6xf32>) {
  // 2 * (16 - 1) + 1 + (3 - 1) + 1 - 1 - 1 = 32; M = 4 per group.
  // CHECK: "dsr1.conv_transpose"{{.*}} -> tensor<1x4x32x32xf32>
  %0 = dsr1.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : tensor<1x8x16x16xf32>, tensor<8x4x3x3xf32>
  // Two groups of 3 output channels; dilation 2: 3 * (7 - 1) + 2 * (5 - 1) + 1 = 27.
  // CHECK: "dsr1.conv_transpose"{{.*}} -> tensor<?x6x27xf32>
  %1 = dsr1.conv_transpose %x1, %w1 {strides = array<i64: 3>, dilations = array<i64: 2>, group = 2 : i64} : tensor<?x4x7xf32>, tensor<4x3x5xf32>
  // CHECK: "dsr1.cumsum"{{.*}} -> tensor<3x?xf32>
  %2 = dsr1.cumsum %d axis 1 : tensor<3x?xf32>
  // CHECK: "dsr1.cumprod"{{.*}} -> tensor<3x?xf32>
  %cp = dsr1.cumprod %d axis 0 {exclusive = true, reverse = true} : tensor<3x?xf32>
  // CHECK: "dsr1.top_k"{{.*}} -> (tensor<1x?xf32>, tensor<1x?xi64>)
  %3:2 = dsr1.top_k %d k 1 axis 0 : tensor<3x?xf32>
  // CHECK: "dsr1.gather_elements"{{.*}} -> tensor<3x2xf32>
  %4 = dsr1.gather_elements %d[%i] axis 1 : tensor<3x?xf32>, tensor<3x2xi64>
  // CHECK: "dsr1.scatter_elements"{{.*}} -> tensor<3x?xf32>
  %5 = dsr1.scatter_elements %d[%i], %u axis 1 : tensor<3x?xf32>, tensor<3x2xi64>, tensor<3x2xf32>
  // updates = indices.shape[:-1] + data.shape[2:] = 5 + [6].
  // CHECK: "dsr1.scatter_nd"{{.*}} -> tensor<2x3x6xf32>
  %6 = dsr1.scatter_nd %nd[%ni], %nu : tensor<2x3x6xf32>, tensor<5x2xi64>, tensor<5x6xf32>
  return
}
