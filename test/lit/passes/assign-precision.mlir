// -dsr1-assign-precision: the precision of every op, the casts between them, and why.
// RUN: dsr1-opt %s --split-input-file -dsr1-assign-precision="mode=fp16 explain=true" -verify-diagnostics | FileCheck %s --check-prefix=FP16
// RUN: dsr1-opt %s --split-input-file -dsr1-assign-precision="mode=auto explain=true" | FileCheck %s --check-prefix=AUTO
// RUN: dsr1-opt %s --split-input-file -dsr1-assign-precision="mode=auto bf16=false" | FileCheck %s --check-prefix=NOBF16
// RUN: dsr1-opt %s --split-input-file -dsr1-assign-precision="mode=auto demote-limit=1 allow-tf32=true explain=true" | FileCheck %s --check-prefix=LIMIT
// RUN: dsr1-opt %s --split-input-file -dsr1-assign-precision="mode=auto keep-ranks=0" | FileCheck %s --check-prefix=KEEP
// RUN: dsr1-opt %s --split-input-file -dsr1-assign-precision="mode=tf32" | FileCheck %s --check-prefix=TF32
// RUN: dsr1-opt %s --split-input-file -dsr1-assign-precision="mode=bf16" | FileCheck %s --check-prefix=BF16
// RUN: dsr1-opt %s --split-input-file -dsr1-assign-precision="mode=fp32" | FileCheck %s --check-prefix=FP32
// RUN: not dsr1-opt %s -dsr1-assign-precision="mode=int8" 2>&1 | FileCheck %s --check-prefix=BAD-MODE
// RUN: not dsr1-opt %s -dsr1-assign-precision="mode=bf16 bf16=false" 2>&1 | FileCheck %s --check-prefix=NO-BF16-TARGET
// BAD-MODE: error: unknown precision mode 'int8' (expected fp32, tf32, fp16, bf16 or auto)
// NO-BF16-TARGET: error: bf16 precision needs a target with bf16 (sm_80 or newer)

// A product, its epilogue and a reshape: the input is cast once, the weight is converted, the
// reshape follows in f16 and the result goes back to f32 for the signature.
// FP16-LABEL: func.func @mlp
// FP16-DAG:   %[[X:.*]] = dsr1.cast %arg0 to f16 : tensor<4x8xf32>
// FP16-DAG:   %[[W:.*]] = dsr1.constant dense<5.000000e-01> : tensor<8x16xf16>
// FP16:       %[[M:.*]] = dsr1.matmul %[[X]], %[[W]] {dsr1.precision_reason = "policy: fp16 mode; range unknown (no calibration)", precision = #dsr1.precision<f16>} : tensor<4x8xf16>, tensor<8x16xf16>
// FP16:       %[[G:.*]] = dsr1.gelu %[[M]] {{.*}}: tensor<4x16xf16>
// FP16:       %[[R:.*]] = dsr1.reshape %[[G]] to [64] {dsr1.precision_reason = "follows its operands"} : tensor<4x16xf16>
// FP16:       %[[B:.*]] = dsr1.cast %[[R]] to f32 : tensor<64xf16>
// FP16:       return %[[B]] : tensor<64xf32>
// TF32-LABEL: func.func @mlp
// TF32:       dsr1.matmul %arg0, %{{.*}} {precision = #dsr1.precision<tf32>} : tensor<4x8xf32>, tensor<8x16xf32>
// TF32:       dsr1.gelu %{{.*}} : tensor<4x16xf32>
// TF32-NOT:   dsr1.cast
// TF32:       return
// BF16-LABEL: func.func @mlp
// BF16:       dsr1.matmul {{.*}} {precision = #dsr1.precision<bf16>} : tensor<4x8xbf16>, tensor<8x16xbf16>
// BF16:       dsr1.gelu %{{.*}} : tensor<4x16xbf16>
// FP32-LABEL: func.func @mlp
// FP32-NOT:   dsr1.cast
// FP32-NOT:   precision
// FP32:       return
// The best-ranked op is the product (its FLOPs); with a limit of one the gelu stays f32.
// LIMIT-LABEL: func.func @mlp
// LIMIT:      dsr1.matmul {{.*}} {dsr1.precision_rank = 0 : i64, dsr1.precision_reason = "range: unknown (no calibration)", precision = #dsr1.precision<f16>}
// LIMIT:      %[[WIDE:.*]] = dsr1.cast %{{.*}} to f32 : tensor<4x16xf16>
// LIMIT:      dsr1.gelu %[[WIDE]] {dsr1.precision_rank = 1 : i64, dsr1.precision_reason = "budget: rank 2 of 2 kept in f32"} : tensor<4x16xf32>
// Keeping rank 0 (the product) in f32 and demoting the rest: the gelu reads it through a cast.
// KEEP-LABEL: func.func @mlp
// KEEP:       %[[M:.*]] = dsr1.matmul %arg0, %{{.*}} {precision = #dsr1.precision<f32>} : tensor<4x8xf32>, tensor<8x16xf32>
// KEEP:       %[[H:.*]] = dsr1.cast %[[M]] to f16 : tensor<4x16xf32>
// KEEP:       dsr1.gelu %[[H]] : tensor<4x16xf16>
func.func @mlp(%x: tensor<4x8xf32>) -> tensor<64xf32> {
  %w = dsr1.constant dense<0.5> : tensor<8x16xf32>
  %0 = dsr1.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
  %1 = dsr1.gelu %0 : tensor<4x16xf32>
  %2 = dsr1.reshape %1 to [64] : tensor<4x16xf32>
  return %2 : tensor<64xf32>
}

// -----

// Calibration saw the product reach 1e5: it cannot be f16. fp16 keeps it (and the ops reading
// it) in f32 and warns; auto takes bf16, or f32 on a target without bf16. The sigmoid's result is
// in [0, 1] whatever its input: it fits f16 without calibration.
// FP16-LABEL: func.func @overflow
// FP16:       dsr1.matmul %arg0, %arg1 {{{.*}}dsr1.precision_reason = "range: the result reaches 2e+05 (calibration x2), beyond f16's 65504; kept in f32", precision = #dsr1.precision<f32>} : tensor<4x8xf32>, tensor<8x8xf32>
// FP16:       dsr1.sigmoid %{{.*}} {{.*}}: tensor<4x8xf32>
// FP16:       %[[H:.*]] = dsr1.cast %{{.*}} to f16 : tensor<4x8xf32>
// FP16:       dsr1.tanh %[[H]] {{.*}}: tensor<4x8xf16>
// AUTO-LABEL: func.func @overflow
// AUTO:       dsr1.matmul {{.*}}dsr1.precision_reason = "range: the result reaches 2e+05 (calibration x2), beyond f16's 65504; bf16 has the range"{{.*}}precision = #dsr1.precision<bf16>} : tensor<4x8xbf16>, tensor<8x8xbf16>
// AUTO:       dsr1.sigmoid %{{.*}} {{.*}}: tensor<4x8xbf16>
// AUTO:       %[[H:.*]] = dsr1.cast %{{.*}} to f16 : tensor<4x8xbf16>
// AUTO:       dsr1.tanh %[[H]] {{.*}}: tensor<4x8xf16>
// NOBF16-LABEL: func.func @overflow
// NOBF16:     dsr1.matmul %arg0, %arg1 {{{.*}}precision = #dsr1.precision<f32>} : tensor<4x8xf32>, tensor<8x8xf32>
func.func @overflow(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  // expected-warning @+1 {{kept in f32 in fp16 mode: the result reaches 2e+05 (calibration x2), beyond f16's 65504}}
  %0 = dsr1.matmul %x, %w {dsr1.observed_range = [array<f64: -1.0e5, 1.0e5>]} : tensor<4x8xf32>, tensor<8x8xf32>
  // expected-warning @+1 {{kept in f32 in fp16 mode: operand 0 reaches 2e+05 (calibration x2), beyond f16's 65504}}
  %1 = dsr1.sigmoid %0 : tensor<4x8xf32>
  %2 = dsr1.tanh %1 : tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// torch's mask fill, finfo(float32).min, is beyond bf16's largest finite value (it would round
// to -inf): auto keeps the op that reads it in f32; bf16 mode too, with a warning.
// AUTO-LABEL: func.func @mask_fill
// AUTO:       dsr1.mul %arg0, %{{.*}} {dsr1.precision_reason = "range: operand 1 can reach 3.4e+38, beyond bf16's 3.39e+38; kept in f32"} : tensor<4xf32>, tensor<f32>
// BF16-LABEL: func.func @mask_fill
// BF16:       dsr1.mul %arg0, %{{.*}} : tensor<4xf32>, tensor<f32>
func.func @mask_fill(%m: tensor<4xf32> {dsr1.observed_range = array<f64: 0.0, 1.0>}) -> tensor<4xf32> {
  %min = dsr1.constant dense<-3.4028234663852886e+38> : tensor<f32>
  // expected-warning @+1 {{kept in f32 in fp16 mode: operand 1 can reach 3.4e+38, beyond f16's 65504}}
  %0 = dsr1.mul %m, %min : tensor<4xf32>, tensor<f32>
  return %0 : tensor<4xf32>
}

// -----

// Interval arithmetic from a weight: x in [-1, 1] (observed on the argument, x2 headroom)
// times 1e5 can reach 2e5, and the constant 1e5 is no f16 either; the layer norm after it is
// bounded by its scale and its width (sqrt(15) here).
// FP16-LABEL: func.func @scaled_into_norm
// FP16:       dsr1.mul %arg0, %{{.*}} {dsr1.precision_reason = "range: operand 1 can reach 1e+05, beyond f16's 65504; kept in f32"} : tensor<2x16xf32>, tensor<f32>
// FP16:       dsr1.layer_norm {{.*}} : tensor<2x16xf32>, tensor<16xf32>
// FP16:       %[[N:.*]] = dsr1.cast %{{.*}} to f16
// FP16:       dsr1.relu %[[N]] {dsr1.precision_reason = "policy: fp16 mode; range fits f16"} : tensor<2x16xf16>
func.func @scaled_into_norm(%x: tensor<2x16xf32> {dsr1.observed_range = array<f64: -1.0, 1.0>}) -> tensor<2x16xf32> {
  %s = dsr1.constant dense<1.0e5> : tensor<f32>
  %g = dsr1.constant dense<1.0> : tensor<16xf32>
  // expected-warning @+1 {{kept in f32 in fp16 mode: operand 1 can reach 1e+05, beyond f16's 65504}}
  %0 = dsr1.mul %x, %s : tensor<2x16xf32>, tensor<f32>
  // expected-warning @+1 {{kept in f32 in fp16 mode: operand 0 can reach 2e+05, beyond f16's 65504}}
  %1 = dsr1.layer_norm %0, %g axis 1 : tensor<2x16xf32>, tensor<16xf32>
  %2 = dsr1.relu %1 : tensor<2x16xf32>
  return %2 : tensor<2x16xf32>
}

// -----

// One cast per value however many readers; an f16 value the graph itself widened is read as it
// was; a weight read in f16 and in f32 stays beside its converted copy.
// FP16-LABEL: func.func @shared
// FP16-DAG:   %[[X:.*]] = dsr1.cast %arg0 to f16 : tensor<8xf32>
// FP16-DAG:   %[[C16:.*]] = dsr1.constant dense<2.000000e+00> : tensor<8xf16>
// FP16-DAG:   %[[C32:.*]] = dsr1.constant dense<2.000000e+00> : tensor<8xf32>
// FP16:       dsr1.add %[[X]], %[[C16]] {{.*}}: tensor<8xf16>, tensor<8xf16>
// FP16:       dsr1.mul %[[X]], %arg1 {{.*}}: tensor<8xf16>, tensor<8xf16>
// FP16:       dsr1.mod %arg0, %[[C32]] {{.*}}: tensor<8xf32>, tensor<8xf32>
// FP16-NOT:   dsr1.cast %arg0 to f16
// FP16:       return
func.func @shared(%x: tensor<8xf32>, %h: tensor<8xf16>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %c = dsr1.constant dense<2.0> : tensor<8xf32>
  %wide = dsr1.cast %h to f32 : tensor<8xf16>
  %0 = dsr1.add %x, %c : tensor<8xf32>, tensor<8xf32>
  %1 = dsr1.mul %x, %wide : tensor<8xf32>, tensor<8xf32>
  %2 = dsr1.mod %x, %c {fmod = true} : tensor<8xf32>, tensor<8xf32>
  return %0, %1, %2 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// An embedding lookup (a gather from a weight) read only in f16 gathers from the converted table;
// one also read by an op without an f16 form keeps the f32 table.
// FP16-LABEL: func.func @embedding
// FP16-DAG:   %[[T16:.*]] = dsr1.constant dense<1.500000e+00> : tensor<16x8xf16>
// FP16-DAG:   %[[T32:.*]] = dsr1.constant dense<2.500000e+00> : tensor<16x8xf32>
// FP16:       %[[E:.*]] = dsr1.gather %[[T16]][%arg0] axis 0 {{.*}}: tensor<16x8xf16>, tensor<4xi64>
// FP16:       dsr1.add %[[E]], %[[E]] {{.*}}: tensor<4x8xf16>, tensor<4x8xf16>
// FP16:       %[[F:.*]] = dsr1.gather %[[T32]][%arg0] axis 0 {{.*}}: tensor<16x8xf32>, tensor<4xi64>
// FP16:       dsr1.cumsum %[[F]]
func.func @embedding(%ids: tensor<4xi64>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %table = dsr1.constant dense<1.5> : tensor<16x8xf32>
  %other = dsr1.constant dense<2.5> : tensor<16x8xf32>
  %e = dsr1.gather %table[%ids] axis 0 : tensor<16x8xf32>, tensor<4xi64>
  %0 = dsr1.add %e, %e : tensor<4x8xf32>, tensor<4x8xf32>
  %f = dsr1.gather %other[%ids] axis 0 : tensor<16x8xf32>, tensor<4xi64>
  %1 = dsr1.mul %f, %f : tensor<4x8xf32>, tensor<4x8xf32>
  %2 = dsr1.cumsum %f axis 0 : tensor<4x8xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Near-misses: integer and f64 ops, and a cast from integers, have no f16 form and stay as
// they are; an attention's float mask keeps its type (a -3.4e38 fill is no f16).
// FP16-LABEL: func.func @untouched
// FP16:       dsr1.add %arg0, %arg0 : tensor<4xi64>, tensor<4xi64>
// FP16:       dsr1.mul %arg1, %arg1 : tensor<4xf64>, tensor<4xf64>
// FP16:       dsr1.cast %{{.*}} to f32 {dsr1.precision_reason = "policy: no f16 form of this op"} : tensor<4xi64>
// FP16:       dsr1.attention %{{.*}}, %{{.*}}, %{{.*}} mask %arg3 {{.*}} : tensor<1x4x8xf16>, tensor<1x4x8xf16>, tensor<1x4x8xf16>, tensor<1x1x4x4xf32>
func.func @untouched(%i: tensor<4xi64>, %d: tensor<4xf64>, %q: tensor<1x4x8xf32>,
                     %m: tensor<1x1x4x4xf32>) -> (tensor<4xi64>, tensor<4xf64>, tensor<4xf32>, tensor<1x4x8xf32>) {
  %0 = dsr1.add %i, %i : tensor<4xi64>, tensor<4xi64>
  %1 = dsr1.mul %d, %d : tensor<4xf64>, tensor<4xf64>
  %2 = dsr1.cast %0 to f32 : tensor<4xi64>
  %3 = dsr1.attention %q, %q, %q mask %m {num_heads = 2 : i64} : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x1x4x4xf32>
  return %0, %1, %2, %3 : tensor<4xi64>, tensor<4xf64>, tensor<4xf32>, tensor<1x4x8xf32>
}
