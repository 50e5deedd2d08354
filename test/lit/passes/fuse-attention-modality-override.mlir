// -dsr1-fuse-attention's `modality=NAME=KIND` option: a graph input's kind over what its name and
// type suggest. Here the image is said to be audio and the tokens an image.
// RUN: dsr1-opt %s -dsr1-fuse-attention="modality=pixel_values=audio,input_ids=image" | FileCheck %s

// CHECK-LABEL: func.func @cross_modal
// CHECK: dsr1.attention {{.*}} {kv_modality = #dsr1.modality<image>, num_heads = 4 : i64, query_modality = #dsr1.modality<image>}
// CHECK: dsr1.attention {{.*}} {kv_modality = #dsr1.modality<audio>, num_heads = 4 : i64, query_modality = #dsr1.modality<image>}
// CHECK: dsr1.attention {{.*}} {num_heads = 4 : i64, query_modality = #dsr1.modality<image>}
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
