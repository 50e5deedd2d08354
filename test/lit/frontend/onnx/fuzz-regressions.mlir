// Inputs the fuzzer found crashing the importer: each must end in a located diagnostic, exit 1.
// RUN: not dsr1-import %dsr1_src_root/test/fuzz/regressions/attention23-scalar-key.onnx 2>&1 | FileCheck %s --check-prefix=ATTN
// ATTN: error: node 'Attention_0' (Attention, opset 23): query, key and value must all be 3-D or all 4-D
// RUN: not dsr1-import %dsr1_src_root/test/fuzz/regressions/typed-data-huge-shape.onnx 2>&1 | FileCheck %s --check-prefix=HUGE
// HUGE: error: tensor 'w' holds 0 bytes of data, its shape needs 1431322837401600
// RUN: not dsr1-import %dsr1_src_root/test/fuzz/regressions/conv-same-zero-stride.onnx 2>&1 | FileCheck %s --check-prefix=STRIDE
// STRIDE: error: node 'MaxPool_0' (MaxPool, opset 22): 'strides' entries must be in [1, 2^31], got [2, 0]
// RUN: not dsr1-import %dsr1_src_root/test/fuzz/regressions/allocator-poisoning.onnx 2>&1 | FileCheck %s --check-prefix=POISON
// POISON: error: node 'Add_43' (Add) reads 'Attention_test_attention_causal_boolmask_nan_robustness_expanded_function_RangeRow2D', which no earlier node
// RUN: not dsr1-import %dsr1_src_root/test/fuzz/regressions/mod-bad-broadcast.onnx 2>&1 | FileCheck %s --check-prefix=MOD
// MOD: error: node 'Mod_0' (Mod, opset 28): 'dsr1.mod' op operands are not broadcast-compatible: 96 and 6
// RUN: not dsr1-import %dsr1_src_root/test/fuzz/regressions/convinteger-scalar-weight.onnx 2>&1 | FileCheck %s --check-prefix=CONVINT
// CONVINT: error: node 'ConvInteger_0' (ConvInteger, opset 10): w's zero point of shape 2 does not fit its operand scalar
// RUN: not dsr1-import %dsr1_src_root/test/fuzz/regressions/sqrt-of-integers-fold.onnx 2>&1 | FileCheck %s --check-prefix=SQRTINT
// SQRTINT: error: node 'Constant_27' (Constant, opset 25): attribute 'vclue' is not supported
