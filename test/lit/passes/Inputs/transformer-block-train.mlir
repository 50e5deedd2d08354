// A transformer block in the shape of a training step: the forward pass (layer norm, q/k/v,
// softmax attention, residual, GELU MLP), then a backward pass from the output gradient %d that
// reads the forward activations in reverse order. Read by insert-recompute.mlir and
// insert-recompute-numeric.test.
func.func @block_train(%x: tensor<8x16xf32>, %d: tensor<8x16xf32>, %gamma: tensor<16xf32>,
                       %wq: tensor<16x16xf32>, %wk: tensor<16x16xf32>, %wv: tensor<16x16xf32>,
                       %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>)
    -> (tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) {
  // Forward.
  %ln = dsr1.layer_norm %x, %gamma axis 1 : tensor<8x16xf32>, tensor<16xf32> loc("ln")
  %q = dsr1.matmul %ln, %wq : tensor<8x16xf32>, tensor<16x16xf32> loc("q")
  %k = dsr1.matmul %ln, %wk : tensor<8x16xf32>, tensor<16x16xf32> loc("k")
  %v = dsr1.matmul %ln, %wv : tensor<8x16xf32>, tensor<16x16xf32> loc("v")
  %kt = dsr1.transpose %k perm [1, 0] : tensor<8x16xf32> loc("kt")
  %s = dsr1.matmul %q, %kt : tensor<8x16xf32>, tensor<16x8xf32> loc("scores")
  %p = dsr1.softmax %s axis 1 : tensor<8x8xf32> loc("probs")
  %o = dsr1.matmul %p, %v : tensor<8x8xf32>, tensor<8x16xf32> loc("attn")
  %y = dsr1.add %o, %x : tensor<8x16xf32>, tensor<8x16xf32> loc("residual")
  %m = dsr1.matmul %y, %w1 : tensor<8x16xf32>, tensor<16x64xf32> loc("fc1")
  %g = dsr1.gelu %m : tensor<8x64xf32> loc("gelu")
  %z = dsr1.matmul %g, %w2 : tensor<8x64xf32>, tensor<64x16xf32> loc("fc2")
  // Backward from the output's gradient %d (the gradients of gelu and softmax stand in as
  // products with their saved outputs: the shape of the graph is what matters here).
  %gt = dsr1.transpose %g perm [1, 0] : tensor<8x64xf32> loc("gt")
  %dw2 = dsr1.matmul %gt, %d : tensor<64x8xf32>, tensor<8x16xf32> loc("dw2")
  %w2t = dsr1.transpose %w2 perm [1, 0] : tensor<64x16xf32> loc("w2t")
  %dg = dsr1.matmul %d, %w2t : tensor<8x16xf32>, tensor<16x64xf32> loc("dg")
  %dm = dsr1.mul %dg, %g : tensor<8x64xf32>, tensor<8x64xf32> loc("dm")
  %yt = dsr1.transpose %y perm [1, 0] : tensor<8x16xf32> loc("yt")
  %dw1 = dsr1.matmul %yt, %dm : tensor<16x8xf32>, tensor<8x64xf32> loc("dw1")
  %w1t = dsr1.transpose %w1 perm [1, 0] : tensor<16x64xf32> loc("w1t")
  %dy0 = dsr1.matmul %dm, %w1t : tensor<8x64xf32>, tensor<64x16xf32> loc("dy0")
  %dy = dsr1.add %dy0, %d : tensor<8x16xf32>, tensor<8x16xf32> loc("dy")
  %vt = dsr1.transpose %v perm [1, 0] : tensor<8x16xf32> loc("vt")
  %dp = dsr1.matmul %dy, %vt : tensor<8x16xf32>, tensor<16x8xf32> loc("dp")
  %pt = dsr1.transpose %p perm [1, 0] : tensor<8x8xf32> loc("pt")
  %dv = dsr1.matmul %pt, %dy : tensor<8x8xf32>, tensor<8x16xf32> loc("dv")
  %ds = dsr1.mul %dp, %p : tensor<8x8xf32>, tensor<8x8xf32> loc("ds")
  %dq = dsr1.matmul %ds, %k : tensor<8x8xf32>, tensor<8x16xf32> loc("dq")
  %dst = dsr1.transpose %ds perm [1, 0] : tensor<8x8xf32> loc("dst")
  %dk = dsr1.matmul %dst, %q : tensor<8x8xf32>, tensor<8x16xf32> loc("dk")
  %lnt = dsr1.transpose %ln perm [1, 0] : tensor<8x16xf32> loc("lnt")
  %dwq = dsr1.matmul %lnt, %dq : tensor<16x8xf32>, tensor<8x16xf32> loc("dwq")
  %dwk = dsr1.matmul %lnt, %dk : tensor<16x8xf32>, tensor<8x16xf32> loc("dwk")
  %dwv = dsr1.matmul %lnt, %dv : tensor<16x8xf32>, tensor<8x16xf32> loc("dwv")
  return %dwq, %dwk, %dwv, %dw1, %dw2 : tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>
}
