// -dsr1-fuse-attention's modality option names graph inputs and kinds; anything else is an error
// at the graph function.
// RUN: dsr1-opt %s --split-input-file -dsr1-fuse-attention="modality=pixels=image" -verify-diagnostics
// RUN: not dsr1-opt %s --split-input-file -dsr1-fuse-attention="modality=input_ids=robot" 2>&1 | FileCheck %s --check-prefix=KIND

// expected-error @+2 {{--modality names 'pixels', which is not a graph input (the inputs: input_ids, arg1)}}
// KIND: error: --modality takes NAME=text|image|audio, got 'input_ids=robot'
func.func @no_such_input(%ids: tensor<2x6xi64> {onnx.name = "input_ids"},
                         %x: tensor<2x6x32xf32>) -> tensor<2x6x32xf32> {
  %o = dsr1.attention %x, %x, %x {num_heads = 4 : i64}
      : tensor<2x6x32xf32>, tensor<2x6x32xf32>, tensor<2x6x32xf32>
  return %o : tensor<2x6x32xf32>
}
