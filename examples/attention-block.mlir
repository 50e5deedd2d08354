// A cross-modal transformer block as an exporter leaves it: text tokens attend to image patches,
// with the head split / merge, shape arithmetic and duplicated casts still in the graph.
// `bash scripts/demo.sh` parses, verifies and optimises it with dsr1-opt --dsr1-optimize-pipeline.

func.func @cross_modal_block(%text: tensor<?x16x256xf32>, %patches: tensor<?x197x256xf32>,
                             %wq: tensor<256x256xf32>, %wkv: tensor<256x512xf32>,
                             %wo: tensor<256x256xf32>, %gamma: tensor<256xf32>,
                             %beta: tensor<256xf32>) -> tensor<?x16x256xf32> {
  // Pre-norm on the text stream.
  %x = dsr1.layer_norm %text, %gamma, %beta axis 2 {epsilon = 1.0e-05 : f64}
      : tensor<?x16x256xf32>, tensor<256xf32>, tensor<256xf32>

  // Projections: queries from text, keys and values from the image patches.
  %q = dsr1.matmul %x, %wq : tensor<?x16x256xf32>, tensor<256x256xf32>
  %kv = dsr1.matmul %patches, %wkv : tensor<?x197x256xf32>, tensor<256x512xf32>
  %k, %v = dsr1.split %kv axis 2 sizes [256, 256] : tensor<?x197x512xf32>

  // Exporter noise: a head split immediately undone, and constant shape arithmetic.
  %qh = dsr1.reshape %q to [0, 0, 8, 32] : tensor<?x16x256xf32>
  %qt = dsr1.transpose %qh perm [0, 2, 1, 3] : tensor<?x16x8x32xf32>
  %qb = dsr1.transpose %qt perm [0, 2, 1, 3] : tensor<?x8x16x32xf32>
  %qm = dsr1.reshape %qb to [0, 0, 256] : tensor<?x16x8x32xf32>
  %heads = dsr1.constant dense<4> : tensor<i64>
  %two = dsr1.constant dense<2> : tensor<i64>
  %n = dsr1.mul %heads, %two : tensor<i64>, tensor<i64>

  %attn = dsr1.attention %qm, %k, %v {num_heads = 8 : i64,
                                      query_modality = #dsr1.modality<text>,
                                      kv_modality = #dsr1.modality<image>}
      : tensor<?x16x256xf32>, tensor<?x197x256xf32>, tensor<?x197x256xf32>
  %o = dsr1.matmul %attn, %wo : tensor<?x16x256xf32>, tensor<256x256xf32>
  %y = dsr1.add %text, %o : tensor<?x16x256xf32>, tensor<?x16x256xf32>
  return %y : tensor<?x16x256xf32>
}
