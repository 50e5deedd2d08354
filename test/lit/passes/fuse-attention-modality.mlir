// -dsr1-fuse-attention records where each dsr1.attention's queries and keys/values come from,
// by the graph inputs whose data reaches them (fuse-attention-modality-override.mlir: the option
// that overrides an input's kind).
// RUN: dsr1-opt %s --split-input-file -dsr1-fuse-attention | FileCheck %s

// Token ids are text (by name, and by type: integer [B, S]), pixels an image; the padding mask is
// no source. The cross-attention's result carries its queries' kind (text), and keys mixing text
// and image are of no one kind.
// CHECK-LABEL: func.func @cross_modal
// CHECK: %[[SELF:.+]] = dsr1.attention {{.*}} {kv_modality = #dsr1.modality<text>, num_heads = 4 : i64, query_modality = #dsr1.modality<text>}
// CHECK: %[[CROSS:.+]] = dsr1.attention %[[SELF]], {{.*}} {kv_modality = #dsr1.modality<image>, num_heads = 4 : i64, query_modality = #dsr1.modality<text>}
// CHECK: dsr1.attention %[[CROSS]], {{.*}} {num_heads = 4 : i64, query_modality = #dsr1.modality<text>}
func.func @cross_modal(%ids: tensor<2x6xi64> {onnx.name = "input_ids"},
                       %pixels: tensor<2x3x8x8xf32> {onnx.name = "pixel_values"},
                       %pad: tensor<2x6xi64> {onnx.name = "attention_mask"},
                       %emb: tensor<128x32xf32>) -> tensor<2x6x32xf32> {
  %text = dsr1.gather %emb[%ids] axis 0 : tensor<128x32xf32>, tensor<2x6xi64>
  %patches = dsr1.reshape %pixels to [2, 6, 32] : tensor<2x3x8x8xf32>
  %m = dsr1.cast %pad to f32 : tensor<2x6xi64>
  %mask = dsr1.reshape %m to [2, 1, 1, 6] : tensor<2x6xf32>
  %self = dsr1.attention %text, %text, %text mask %mask {num_heads = 4 : i64}
      : tensor<2x6x32xf32>, tensor<2x6x32xf32>, tensor<2x6x32xf32>, tensor<2x1x1x6xf32>
  %cross = dsr1.attention %self, %patches, %patches {num_heads = 4 : i64}
      : tensor<2x6x32xf32>, tensor<2x6x32xf32>, tensor<2x6x32xf32>
  %h = dsr1.add %cross, %patches : tensor<2x6x32xf32>, tensor<2x6x32xf32>
  %mixed = dsr1.attention %cross, %h, %h {num_heads = 4 : i64}
      : tensor<2x6x32xf32>, tensor<2x6x32xf32>, tensor<2x6x32xf32>
  return %mixed : tensor<2x6x32xf32>
}

// -----

// Whisper: the encoder's input_features are audio. An attention that already has a modality
// keeps it, and its result carries it on.
// CHECK-LABEL: func.func @whisper
// CHECK: %[[GIVEN:.+]] = dsr1.attention {{.*}} {num_heads = 2 : i64, query_modality = #dsr1.modality<image>}
// CHECK: dsr1.attention %[[GIVEN]], {{.*}} {kv_modality = #dsr1.modality<audio>, num_heads = 2 : i64, query_modality = #dsr1.modality<image>}
func.func @whisper(%features: tensor<1x80x64xf32> {onnx.name = "input_features"},
                   %tokens: tensor<1x32xi64>, %emb: tensor<64x32xf32>,
                   %proj: tensor<80x32xf32>) -> tensor<1x32x32xf32> {
  %audio = dsr1.transpose %features perm [0, 2, 1] : tensor<1x80x64xf32>
  %kv = dsr1.matmul %audio, %proj : tensor<1x64x80xf32>, tensor<80x32xf32>
  %text = dsr1.gather %emb[%tokens] axis 0 : tensor<64x32xf32>, tensor<1x32xi64>
  %given = dsr1.attention %text, %kv, %kv {num_heads = 2 : i64,
                                          query_modality = #dsr1.modality<image>}
      : tensor<1x32x32xf32>, tensor<1x64x32xf32>, tensor<1x64x32xf32>
  %o = dsr1.attention %given, %kv, %kv {num_heads = 2 : i64}
      : tensor<1x32x32xf32>, tensor<1x64x32xf32>, tensor<1x64x32xf32>
  return %o : tensor<1x32x32xf32>
}
