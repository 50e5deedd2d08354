"""Runs every CUDA kernel family on cuda-emu and checks it against the cpu device and onnxruntime.

For each family (elementwise with broadcasting, row reductions, softmax, norms, pooling, data
movement, recurrent cells, GEMM, convolution, attention) one ONNX model holds several
independent cases at ragged shapes (sizes that are not multiples of the block, size 1, long
rows). The model runs with `dsr1-run --device cuda-emu --against-device cpu` under several
family parameter sets (--cuda-params; the "small" set with --detect-races, so that a
shared-memory race in any template fails), and its outputs must match the cpu device and the
onnxruntime outputs (rtol 1e-4, atol 1e-5: both devices compute in f32).

The tensor-core GEMM (gemm_tc) runs instead under --precision fp16, bf16 and tf32 and two
tile parameter sets (TC_PARAMS, one with --detect-races), against the cpu device at the
precision's tolerance (TC_MODES), and so does the implicit-GEMM convolution (conv_tc); the
tensor-core attention (attention_tc) likewise in fp16
and bf16 (ATTN_TC_PARAMS, ATTN_TC_MODES).

With --compiler (dsr1-compile) and NVRTC present, every family's kernels also compile for
sm_80 and sm_90a, and ptxas must report no register spills; gemm_tc's must be gemm-tc kernels,
conv_tc's conv-tc and attention_tc's attention-tc kernels, with mma.sync.aligned in the PTX of
both targets.
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OPSET = 18
RNG = np.random.default_rng(7)

# Parameter sets: the defaults, everything small (many blocks, several chunks and K slices),
# everything wide.
PARAMS = {
    "default": "",
    "small": ("pointwise-block=64,elements-per-thread=4,row-block=32,tile-m=32,tile-n=32,"
              "tile-k=8,thread-m=2,thread-n=2,attention-block=32,attention-chunk=16,"
              "recurrent-block=32"),
    "wide": ("pointwise-block=1024,row-block=1024,tile-m=128,tile-n=64,tile-k=8,thread-m=8,"
             "thread-n=4,attention-block=256,attention-chunk=64,recurrent-block=128"),
}


class Graph:
    """An ONNX graph under construction: inputs with random data, nodes, outputs."""

    def __init__(self, name, opset=OPSET):
        self.name = name
        self.opset = opset
        self.nodes, self.inputs, self.outputs, self.inits, self.data = [], [], [], [], {}
        self.count = 0

    def fresh(self, prefix="t"):
        self.count += 1
        return f"{prefix}{self.count}"

    def input(self, shape, dtype=np.float32, low=-2.0, high=2.0):
        name = self.fresh("x")
        if dtype == np.int64:
            value = RNG.integers(int(low), int(high), size=shape).astype(np.int64)
        else:
            value = RNG.uniform(low, high, size=shape).astype(dtype)
        self.inputs.append(helper.make_tensor_value_info(
            name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)), list(shape)))
        self.data[name] = value
        return name

    def typed_input(self, shape, elem_type):
        """An input of ONNX type `elem_type` without data (timing-only bundles: the GPU check
        generates the values)."""
        name = self.fresh("x")
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, list(shape)))
        return name

    def mask(self, shape, keep=0.7):
        """A boolean mask input keeping about `keep` of the positions."""
        name = self.fresh("m")
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.BOOL, list(shape)))
        self.data[name] = RNG.uniform(size=shape) < keep
        return name

    def const(self, value):
        name = self.fresh("c")
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type, inputs, outputs=1, **attrs):
        names = [self.fresh() for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, name=self.fresh(op_type),
                                           **attrs))
        return names[0] if outputs == 1 else names

    def output(self, name):
        self.outputs.append(helper.make_tensor_value_info(name, TensorProto.UNDEFINED, None))

    def save(self, folder: Path, reference=True):
        """model.onnx, and with `reference` the inputs and onnxruntime's outputs in
        test_data_set_0."""
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)])
        model.ir_version = 8 if self.opset <= 18 else 10
        model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        folder.mkdir(parents=True, exist_ok=True)
        onnx.save(model, folder / "model.onnx")
        if not reference:
            return
        data = folder / "test_data_set_0"
        data.mkdir(exist_ok=True)
        session = ort.InferenceSession(str(folder / "model.onnx"),
                                       providers=["CPUExecutionProvider"])
        feeds = {i.name: self.data[i.name] for i in self.inputs}
        results = session.run(None, feeds)
        for k, i in enumerate(self.inputs):
            onnx.save_tensor(numpy_helper.from_array(self.data[i.name], i.name),
                             data / f"input_{k}.pb")
        for k, (o, value) in enumerate(zip(self.outputs, results)):
            onnx.save_tensor(numpy_helper.from_array(value, o.name), data / f"output_{k}.pb")


class MlirGraph:
    """A dsr1 module for what no ONNX op onnxruntime runs expresses: one function @main of
    `signature` (argument types, result types) and `body`, with random f32 inputs (and the
    integer inputs given) saved as .npy files."""

    def __init__(self, name):
        self.name = name
        self.args, self.lines, self.results, self.data = [], [], [], {}

    def input(self, shape, value=None):
        name = f"a{len(self.args)}"
        if value is None:
            value = RNG.uniform(-2.0, 2.0, size=shape).astype(np.float32)
        self.args.append((name, value))
        return f"%{name}"

    def save(self, folder: Path):
        def ty(value):
            kind = {np.dtype(np.float32): "f32", np.dtype(np.int64): "i64",
                    np.dtype(np.bool_): "i1"}[value.dtype]
            return f"tensor<{'x'.join(str(d) for d in value.shape)}x{kind}>"
        args = ", ".join(f"%{n}: {ty(v)}" for n, v in self.args)
        results = ", ".join(t for _, t in self.results)
        text = [f"func.func @main({args}) -> ({results}) {{"] + [f"  {l}" for l in self.lines]
        text.append(f"  return {', '.join(n for n, _ in self.results)} : {results}")
        text.append("}")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.mlir").write_text("\n".join(text) + "\n")
        data = folder / "test_data_set_0"
        data.mkdir(exist_ok=True)
        for k, (_, value) in enumerate(self.args):
            np.save(data / f"input_{k}.npy", value)


def model_file(folder: Path) -> Path:
    onnx_file = folder / "model.onnx"
    return onnx_file if onnx_file.exists() else folder / "model.mlir"


def elementwise():
    g = Graph("elementwise")
    for shape, other in [((1,), (1,)), ((7, 13), (13,)), ((3, 1, 37), (5, 1)),
                         ((2, 3, 5, 129), (3, 1, 129))]:
        a, b = g.input(shape), g.input(other)
        s = g.op("Add", [a, b])
        t = g.op("Mul", [g.op("Relu", [s]), g.op("Sigmoid", [b])])
        u = g.op("Div", [g.op("Erf", [t]), g.op("Add", [g.op("Abs", [a]), g.const(np.float32(1))])])
        g.output(g.op("Where", [g.op("Greater", [a, b]), u, g.op("Tanh", [s])]))
        g.output(g.op("Clip", [g.op("Sqrt", [g.op("Abs", [s])]), g.const(np.float32(0.1)),
                               g.const(np.float32(1.2))]))
    return g


def reductions():
    g = Graph("reductions")
    for shape in [(1, 1), (3, 7), (5, 129), (2, 3, 1000)]:
        x = g.input(shape)
        axes = g.const(np.array([-1], np.int64))
        g.output(g.op("ReduceSum", [x, axes], keepdims=1))
        g.output(g.op("ReduceMean", [g.op("Mul", [x, x]), axes], keepdims=0))
        g.output(g.op("ReduceMax", [x, axes], keepdims=1))
        g.output(g.op("ReduceMin", [x, g.const(np.array([0], np.int64))], keepdims=1))
        # RMS norm: a reduction consumed at the full shape (one row kernel).
        ms = g.op("ReduceMean", [g.op("Pow", [x, g.const(np.float32(2))]), axes], keepdims=1)
        g.output(g.op("Mul", [x, g.op("Reciprocal", [g.op("Sqrt", [
            g.op("Add", [ms, g.const(np.float32(1e-6))])])])]))
    g.output(g.op("ArgMax", [g.input((4, 9))], axis=1, keepdims=0))
    # An empty reduced axis (the identity) and an empty result (no launch).
    g.output(g.op("ReduceSum", [g.input((2, 0, 4)), g.const(np.array([1], np.int64))],
                  keepdims=1))
    g.output(g.op("Relu", [g.input((3, 0))]))
    x = g.input((3, 37))
    for exclusive, reverse in [(0, 0), (1, 0), (0, 1), (1, 1)]:
        g.output(g.op("CumSum", [x, g.const(np.int64(1))], exclusive=exclusive,
                      reverse=reverse))
    return g


def softmax():
    g = Graph("softmax")
    for shape in [(1, 1), (4, 7), (2, 3, 129), (3, 1030)]:
        x = g.input(shape, low=-8, high=8)
        g.output(g.op("Softmax", [x], axis=-1))
        g.output(g.op("LogSoftmax", [x], axis=-1))
    g.output(g.op("Softmax", [g.input((3, 5, 4))], axis=1))  # not the last axis
    return g


def norms():
    g = Graph("norms")
    for shape in [(1, 1), (3, 7), (2, 5, 257)]:
        x = g.input(shape)
        scale, bias = g.input(shape[-1:]), g.input(shape[-1:])
        g.output(g.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=1e-5))
    x = g.input((2, 3, 4, 5))
    g.output(g.op("LayerNormalization", [x, g.input((4, 5)), g.input((4, 5))], axis=2))
    x = g.input((2, 3, 9, 11))
    g.output(g.op("InstanceNormalization", [x, g.input((3,)), g.input((3,))], epsilon=1e-5))
    g.output(g.op("BatchNormalization", [x, g.input((3,)), g.input((3,)), g.input((3,)),
                                         g.input((3,), low=0.5, high=2)]))
    return g


def pooling():
    g = Graph("pooling")
    x = g.input((2, 3, 13, 11))
    g.output(g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    g.output(g.op("AveragePool", [x], kernel_shape=[3, 2], strides=[2, 1], pads=[1, 0, 1, 1]))
    g.output(g.op("AveragePool", [x], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                  count_include_pad=1))
    g.output(g.op("MaxPool", [g.input((1, 2, 17))], kernel_shape=[4], strides=[3],
                  dilations=[2], ceil_mode=1))
    g.output(g.op("GlobalAveragePool", [x]))
    g.output(g.op("GlobalMaxPool", [g.input((1, 5, 7, 7))]))
    return g


def data_movement():
    g = Graph("data_movement")
    table = g.input((50, 13))
    g.output(g.op("Gather", [table, g.input((3, 7), np.int64, -50, 50)], axis=0))
    g.output(g.op("Gather", [g.input((4, 9, 5)), g.input((6,), np.int64, 0, 9)], axis=1))
    a, b, c = g.input((2, 3, 5)), g.input((2, 1, 5)), g.input((2, 7, 5))
    g.output(g.op("Concat", [a, b, c], axis=1))
    x = g.input((5, 11, 7))
    g.output(g.op("Slice", [x, g.const(np.array([1, -1], np.int64)),
                            g.const(np.array([4, -12], np.int64)),
                            g.const(np.array([0, 1], np.int64)),
                            g.const(np.array([2, -3], np.int64))]))
    g.output(g.op("Transpose", [x], perm=[2, 0, 1]))
    g.output(g.op("Pad", [x, g.const(np.array([1, 0, 2, 0, 3, 1], np.int64)),
                          g.const(np.float32(0.5))], mode="constant"))
    g.output(g.op("Pad", [x, g.const(np.array([0, 2, 1, 0, 3, 2], np.int64))], mode="reflect"))
    g.output(g.op("Pad", [x, g.const(np.array([2, 0, 0, 1, 0, 3], np.int64))], mode="edge"))
    g.output(g.op("Expand", [g.input((3, 1)), g.const(np.array([2, 3, 4], np.int64))]))
    for part in g.op("Split", [x, g.const(np.array([4, 7], np.int64))], outputs=2, axis=1):
        g.output(g.op("Neg", [part]))
    g.output(g.op("Reshape", [g.op("Transpose", [x], perm=[1, 0, 2]),
                              g.const(np.array([11, 35], np.int64))]))
    return g


def recurrent():
    g = Graph("recurrent")
    seq, batch, inp, hid = 5, 3, 7, 9
    x = g.input((seq, batch, inp))
    for op, gates in [("LSTM", 4), ("GRU", 3), ("RNN", 1)]:
        for direction in ["forward", "bidirectional"]:
            dirs = 2 if direction == "bidirectional" else 1
            w = g.input((dirs, gates * hid, inp), low=-0.5, high=0.5)
            r = g.input((dirs, gates * hid, hid), low=-0.5, high=0.5)
            bias = g.input((dirs, 2 * gates * hid), low=-0.5, high=0.5)
            lens = g.const(np.array([5, 2, 4], np.int32))
            h0 = g.input((dirs, batch, hid))
            ins = [x, w, r, bias, lens, h0]
            attrs = {"hidden_size": hid, "direction": direction}
            if op == "GRU":
                attrs["linear_before_reset"] = 1 if direction == "forward" else 0
            outs = g.op(op, ins, outputs=2, **attrs)
            for o in outs:
                g.output(o)
    # One long hidden state (more units than threads) and the reverse direction.
    big = 300
    x = g.input((3, 2, 4))
    outs = g.op("LSTM", [x, g.input((1, 4 * big, 4), low=-0.2, high=0.2),
                         g.input((1, 4 * big, big), low=-0.1, high=0.1)],
                outputs=3, hidden_size=big, direction="reverse")
    for o in outs:
        g.output(o)
    return g


def gemm():
    g = Graph("gemm")
    for m, k, n in [(1, 1, 1), (7, 13, 5), (65, 33, 130), (128, 64, 64)]:
        a, b = g.input((m, k)), g.input((k, n))
        g.output(g.op("MatMul", [a, b]))
    # Batched, with a broadcast batch and a fused bias + activation epilogue.
    a, b, bias = g.input((3, 17, 9, 31)), g.input((17, 31, 6)), g.input((6,))
    g.output(g.op("Relu", [g.op("Add", [g.op("MatMul", [a, b]), bias])]))
    g.output(g.op("Gemm", [g.input((9, 20)), g.input((11, 9)), g.input((11,))], transA=1,
                  transB=1, alpha=0.5, beta=2.0))
    g.output(g.op("Gemm", [g.input((5, 8)), g.input((8, 3))]))
    g.output(g.op("MatMul", [g.input((4, 6)), g.input((6,))]))  # matrix-vector
    return g


def gemm_tc():
    """Matrix products for the tensor-core template (run under --precision fp16/bf16/tf32).

    M, N and K from {1, 7, 16, 33, 65, 129}: ragged against every tile and, for 1, 7, 33, 65
    and 129, not multiples of 8 (the scalar staging path); 16 and the batched case's multiples
    of 8 take cp.async where the operand is the kernel's argument. Operands are multiples of
    1/8 in [-2, 2], exact in f16, bf16 and TF32, so every product and partial sum is exact in
    f32 and the sums do not depend on their order: both devices round only the result. The
    tf32 runs add operands that are not exact in TF32 (x3), which checks the rounding to
    nearest of cvt.rna (truncating them is ~1e-3 off).
    """
    g = Graph("gemm_tc")

    def dyadic(shape):
        name = g.input(shape)
        g.data[name] = (np.round(g.data[name] * 8) / 8).astype(np.float32)
        return name

    def weight(shape):
        return g.const((RNG.integers(-16, 17, size=shape) / 8).astype(np.float32))

    for m, k, n in [(1, 1, 1), (7, 16, 33), (33, 7, 65), (65, 129, 16), (129, 33, 7),
                    (16, 65, 129), (16, 16, 16), (33, 64, 40)]:
        a = dyadic((m, k))
        b = weight((k, n)) if (m + n) % 2 else dyadic((k, n))
        mm = g.op("MatMul", [a, b])
        # bias + activation + residual, fused after the product.
        act = g.op("Relu", [g.op("Add", [mm, weight((n,))])])
        g.output(g.op("Add", [act, dyadic((m, n))]))
    # Batched with a broadcast batch (grid.z), bias and a sigmoid.
    a, b = dyadic((3, 2, 33, 24)), dyadic((2, 24, 16))
    g.output(g.op("Sigmoid", [g.op("Add", [g.op("MatMul", [a, b]), weight((16,))])]))
    # Gemm with transposed operands (the k-major and n-major shared layouts), alpha, beta.
    g.output(g.op("Gemm", [dyadic((16, 24)), weight((40, 16)), weight((40,))], transA=1,
                  transB=1, alpha=0.5, beta=2.0))
    g.output(g.op("Gemm", [dyadic((65, 7)), dyadic((33, 65)), weight((33,))], transA=1,
                  transB=1))
    g.output(g.op("Gemm", [dyadic((33, 16)), weight((129, 16))], transB=1))
    # An operand computed in the kernel (a transpose fused into it, if fusion does) and a
    # transposed one read in place.
    g.output(g.op("MatMul", [g.op("Transpose", [dyadic((24, 33))], perm=[1, 0]),
                             weight((24, 16))]))
    g.output(g.op("MatMul", [g.op("Mul", [dyadic((7, 16)), dyadic((7, 16))]),
                             weight((16, 9))]))
    # Not exact in TF32: the rounding to nearest.
    g.output(g.op("MatMul", [g.input((33, 65)), g.input((65, 24))]))
    return g


def conv():
    g = Graph("conv")
    x = g.input((2, 4, 11, 9))
    g.output(g.op("Relu", [g.op("Conv", [x, g.input((6, 4, 3, 3)), g.input((6,))],
                                pads=[1, 1, 1, 1])]))
    g.output(g.op("Conv", [x, g.input((8, 2, 3, 2))], group=2, strides=[2, 1],
                  dilations=[1, 2], pads=[0, 1, 2, 0]))
    g.output(g.op("Conv", [x, g.input((4, 1, 3, 3)), g.input((4,))], group=4,
                  pads=[1, 1, 1, 1]))  # depthwise
    g.output(g.op("Conv", [g.input((1, 3, 17)), g.input((5, 3, 4))], strides=[3]))  # 1-D
    g.output(g.op("Conv", [g.input((1, 1, 1, 1)), g.input((1, 1, 1, 1))]))
    # Transposed: strides, pads, output padding, dilations, groups, bias.
    g.output(g.op("ConvTranspose", [g.input((2, 4, 5, 6)), g.input((4, 3, 3, 2)),
                                    g.input((3,))], strides=[2, 3], pads=[1, 0, 0, 1],
                  output_padding=[1, 2]))
    g.output(g.op("ConvTranspose", [g.input((1, 4, 7)), g.input((4, 1, 3))], group=2,
                  dilations=[2]))
    return g


def conv_tc():
    """Convolutions for the implicit-GEMM tensor-core template (run under --precision fp16,
    bf16 and tf32): output channels, pixels and the reduction (in channels x window) ragged
    against the tiles and, in most cases, not multiples of 8 (scalar staging); a 1x1 stride-1
    convolution with aligned channel planes (cp.async for both operands); strides, dilations,
    asymmetric padding, groups, depthwise, 1-D, a 7x7 stride-2 stem; bias, activation and a
    residual fused after the product."""
    g = Graph("conv_tc")
    x = g.input((2, 19, 13, 13))
    y = g.op("Conv", [x, g.input((70, 19, 3, 3)), g.input((70,))], pads=[1, 1, 1, 1])
    g.output(g.op("Add", [g.op("Relu", [y]), g.input((2, 70, 13, 13))]))
    g.output(g.op("Conv", [g.input((2, 32, 8, 8)), g.input((48, 32, 1, 1)), g.input((48,))]))
    g.output(g.op("Conv", [x, g.input((8, 19, 1, 1))], strides=[2, 2]))
    g.output(g.op("Conv", [g.input((1, 12, 17, 11)), g.input((18, 6, 3, 2))], group=2,
                  strides=[2, 1], dilations=[2, 2], pads=[0, 1, 2, 0]))
    g.output(g.op("Conv", [g.input((2, 16, 9, 9)), g.input((16, 1, 3, 3)), g.input((16,))],
                  group=16, pads=[1, 1, 1, 1]))  # depthwise
    g.output(g.op("Conv", [g.input((2, 24, 50)), g.input((40, 24, 5))], strides=[2],
                  pads=[2, 2]))  # 1-D
    g.output(g.op("Sigmoid", [g.op("Conv", [g.input((1, 3, 32, 32)), g.input((16, 3, 7, 7))],
                                   strides=[2, 2], pads=[3, 3, 3, 3])]))
    return g


def attention():
    g = Graph("attention")
    # The exporter form fuse-attention recognises: softmax(Q K^T * scale + mask) V, heads
    # explicit, query and key lengths different (cross-attention), lengths 1, 7 and 129.
    for b, h, sq, skv, d in [(1, 1, 1, 1, 8), (2, 3, 7, 129, 16), (1, 2, 129, 7, 64)]:
        q, k, v = g.input((b, h, sq, d)), g.input((b, h, skv, d)), g.input((b, h, skv, d))
        mask = g.input((b, 1, 1, skv), low=-1, high=0)
        scores = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]),
                              g.const(np.float32(1 / np.sqrt(d)))])
        g.output(g.op("MatMul", [g.op("Softmax", [g.op("Add", [scores, mask])], axis=-1), v]))
    return g


def attention_tc():
    """Attention for the tensor-core flash template (run under --precision fp16 and bf16).

    Head dims 16, 64, 80, 96 and 128; query and key lengths 1, 7, 16, 33, 65 and 129 (ragged
    against the 64-row and 64-key tiles, and several key tiles); the exporter form fuse-attention
    recognises with an additive mask, and ONNX Attention with causal masks (also with
    Sq != Skv, top-left), a boolean mask that hides every key of some rows (zeros), softcap,
    heads packed in the last dimension, and a past KV cache (queries after 16 cached keys).
    """
    g = Graph("attention_tc", opset=23)
    for b, h, sq, skv, d in [(1, 2, 7, 129, 64), (2, 1, 129, 7, 80), (1, 1, 1, 33, 96),
                             (1, 2, 65, 65, 128), (1, 1, 16, 16, 16)]:
        q, k, v = g.input((b, h, sq, d)), g.input((b, h, skv, d)), g.input((b, h, skv, d))
        scores = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]),
                              g.const(np.float32(1 / np.sqrt(d)))])
        if d != 96:
            scores = g.op("Add", [scores, g.input((b, 1, 1, skv), low=-1, high=0)])
        g.output(g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v]))
    # Causal self-attention over several key tiles, and top-left causal with Sq < Skv.
    for sq, skv in [(129, 129), (33, 100)]:
        q, k, v = g.input((1, 2, sq, 64)), g.input((1, 2, skv, 64)), g.input((1, 2, skv, 64))
        g.output(g.op("Attention", [q, k, v], is_causal=1))
    # A boolean mask with fully masked rows, and softcap.
    q, k, v = g.input((2, 2, 33, 32)), g.input((2, 2, 70, 32)), g.input((2, 2, 70, 32))
    m = g.mask((2, 1, 33, 70))
    g.data[m][0, 0, 5, :] = False
    g.data[m][1, 0, 32, :] = False
    g.output(g.op("Attention", [q, k, v, m], softcap=3.0, scale=0.3))
    # Heads packed in the last dimension ([B, S, H * D]).
    q, k, v = g.input((2, 17, 4 * 32)), g.input((2, 40, 4 * 32)), g.input((2, 40, 4 * 32))
    g.output(g.op("Attention", [q, k, v], q_num_heads=4, kv_num_heads=4))
    # Queries after a cache of 16 keys: causal from position 16 on (query_offset).
    q, k, v = g.input((1, 2, 7, 64)), g.input((1, 2, 7, 64)), g.input((1, 2, 7, 64))
    pk, pv = g.input((1, 2, 16, 64)), g.input((1, 2, 16, 64))
    y, present_k, present_v = g.op("Attention", [q, k, v, "", pk, pv], outputs=3, is_causal=1)
    g.output(y)
    return g


def attention_tc_cache():
    """Attention over a KV cache for the tensor-core flash template, as a dsr1 module (no
    onnxruntime op has these forms): valid lengths per batch entry (kv_lengths) with the
    queries the last of the valid keys (bottom_right), causal, left and right windows, queries
    after a fixed number of cached keys (query_offset). Batch entry 1 has 5 valid keys for 7
    queries: its first rows see no key (zeros). Also value head dims other than the query's."""
    g = MlirGraph("attention_tc_cache")
    q, k, v = g.input((2, 4, 7, 64)), g.input((2, 4, 150, 64)), g.input((2, 4, 150, 64))
    n = g.input((2,), np.array([129, 5], dtype=np.int64))
    types = "tensor<2x4x7x64xf32>, tensor<2x4x150x64xf32>, tensor<2x4x150x64xf32>"
    g.lines.append(f"%0 = dsr1.attention {q}, {k}, {v} kv_lengths {n} : tensor<2xi64> "
                   f"{{num_heads = 4 : i64, causal, bottom_right, window_left = 40 : i64}} : "
                   f"{types}")
    g.lines.append(f"%1 = dsr1.attention {q}, {k}, {v} {{num_heads = 4 : i64, "
                   f"query_offset = 100 : i64, window_left = 70 : i64, window_right = 3 : i64}}"
                   f" : {types}")
    g.lines.append(f"%2 = dsr1.attention {q}, {k}, {v} kv_lengths {n} : tensor<2xi64> "
                   f"{{num_heads = 4 : i64}} : {types}")
    # Value head dims other than the query's: 128 for 64, 32 for 128.
    q2, k2, v2 = g.input((1, 2, 40, 64)), g.input((1, 2, 90, 64)), g.input((1, 2, 90, 128))
    g.lines.append(f"%3 = dsr1.attention {q2}, {k2}, {v2} {{num_heads = 2 : i64, causal}} : "
                   "tensor<1x2x40x64xf32>, tensor<1x2x90x64xf32>, tensor<1x2x90x128xf32>")
    q3, k3, v3 = g.input((1, 2, 40, 128)), g.input((1, 2, 90, 128)), g.input((1, 2, 90, 32))
    g.lines.append(f"%4 = dsr1.attention {q3}, {k3}, {v3} {{num_heads = 2 : i64}} : "
                   "tensor<1x2x40x128xf32>, tensor<1x2x90x128xf32>, tensor<1x2x90x32xf32>")
    g.results = [(f"%{i}", "tensor<2x4x7x64xf32>") for i in range(3)] + \
        [("%3", "tensor<1x2x40x128xf32>"), ("%4", "tensor<1x2x40x32xf32>")]
    return g


def attention_decode():
    """One query row a head over many keys: the split-kv decoding kernels (attention-decode),
    as a dsr1 module. A padded cache (kv_lengths) with the query the last valid key
    (bottom_right), causal and a left window; softcap; heads packed in the last dimension with a
    boolean mask that hides every key of one row (zeros); head dims 64, 48 and 128, key lengths
    1000 and 700 (ragged against every split)."""
    g = MlirGraph("attention_decode")
    q, k, v = g.input((2, 4, 1, 64)), g.input((2, 4, 1000, 64)), g.input((2, 4, 1000, 48))
    n = g.input((2,), np.array([900, 3], dtype=np.int64))
    qp, kp = g.input((3, 1, 256)), g.input((3, 700, 256))
    keep = RNG.uniform(size=(3, 1, 1, 700)) < 0.7
    keep[2, 0, 0, :] = False
    m = g.input((3, 1, 1, 700), keep)
    types = "tensor<2x4x1x64xf32>, tensor<2x4x1000x64xf32>, tensor<2x4x1000x48xf32>"
    g.lines.append(f"%0 = dsr1.attention {q}, {k}, {v} kv_lengths {n} : tensor<2xi64> "
                   f"{{num_heads = 4 : i64, causal, bottom_right, window_left = 600 : i64}} : "
                   f"{types}")
    g.lines.append(f"%1 = dsr1.attention {q}, {k}, {v} {{num_heads = 4 : i64, "
                   f"softcap = 2.0 : f64}} : {types}")
    g.lines.append(f"%2 = dsr1.attention {qp}, {kp}, {kp} mask {m} {{num_heads = 2 : i64}} : "
                   f"tensor<3x1x256xf32>, tensor<3x700x256xf32>, tensor<3x700x256xf32>, "
                   f"tensor<3x1x1x700xi1>")
    g.results = [("%0", "tensor<2x4x1x48xf32>"), ("%1", "tensor<2x4x1x48xf32>"),
                 ("%2", "tensor<3x1x256xf32>")]
    return g


FAMILIES = [elementwise, reductions, softmax, norms, pooling, data_movement, recurrent, gemm,
            gemm_tc, conv, conv_tc, attention, attention_tc, attention_tc_cache,
            attention_decode]

# The tensor-core GEMM runs in each precision that selects it, under two tile parameter sets
# (the default 64x64x16 with 4 warps and 2 stages; 32x64x32 with 2 warps and 3 stages, where
# K tiles are two mma k-steps and the pipeline is deeper than some products' K; the default
# tiles padded instead of swizzled, with K split 3 ways and a reduction launch), the small one
# with race detection and with depthwise convolutions on tensor cores too. Tolerances are the precision's: the results are rounded to f16 or bf16
# (one ulp apart at most, through activations computed by different libraries); tf32 results
# are f32.
TC_PARAMS = {
    "tc-default": "",
    "tc-small": ("tc-tile-m=32,tc-tile-n=64,tc-tile-k=32,tc-warps=2,tc-stages=3,"
                 "conv-tc-min-channels=1"),
    "tc-padded-split": "tc-swizzle=0,tc-split-k=3",
}
TC_MODES = {"fp16": ("2e-3", "1e-3"), "bf16": ("1.6e-2", "1e-2"), "tf32": ("1e-4", "1e-4")}

# The tensor-core attention in f16 and bf16, under the default tiles (64 query rows over 4
# warps, 64-key tiles) and small ones (one warp of 32 rows: two m16 tiles a warp; 16-key tiles:
# many online-softmax steps), the small ones with race detection. Its probabilities are rounded
# to the operands' type before P V, as on the GPU, so results may be an ulp further apart.
ATTN_TC_PARAMS = {
    "tc-default": "",
    "tc-small": "attention-tc-block-q=32,attention-tc-warps=1,attention-tc-block-kv=16",
}
ATTN_TC_MODES = {"fp16": ("2e-3", "1e-3"), "bf16": ("1.6e-2", "1e-2")}

# Split-kv decoding in f32 (no --precision: onnxruntime's tolerance), f16 and bf16, with the
# default splits (256 keys, 128 threads) and small ones (64 keys, 2 warps) under race detection.
DECODE_PARAMS = {"tc-default": "", "tc-small": "decode-split-keys=64,decode-block=64"}
DECODE_MODES = {"fp32": ("1e-4", "1e-5"), **ATTN_TC_MODES}

# Families run in several precisions against the cpu device: (modes, parameter sets, the
# kernel family that must be chosen, whether it runs on tensor cores).
TC_FAMILIES = {
    "gemm_tc": (TC_MODES, TC_PARAMS, "gemm-tc", True),
    "conv_tc": (TC_MODES, TC_PARAMS, "conv-tc", True),
    "attention_tc": (ATTN_TC_MODES, ATTN_TC_PARAMS, "attention-tc", True),
    "attention_tc_cache": (ATTN_TC_MODES, ATTN_TC_PARAMS, "attention-tc", True),
    "attention_decode": (DECODE_MODES, DECODE_PARAMS, "attention-decode", False),
}


def precision_flags(mode):
    """dsr1-run/dsr1-compile flags of a mode: fp32 is the graph as it is."""
    return [] if mode in (None, "fp32") else ["--precision", mode]


def run(cmd, timeout):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def check_nvrtc(args, name, folder: Path, mode) -> list:
    """The family's kernels compile for sm_80 and sm_90a without spills; in a precision `mode`
    the family's kernels are the tensor-core ones (gemm-tc, attention-tc: mma.sync in the
    PTX)."""
    data = folder / "test_data_set_0"
    extra = precision_flags(mode)
    label = f"nvrtc {mode}" if mode else "nvrtc"
    proc = run([args.compiler, str(model_file(folder)), "--emit", "kernels", "--inputs",
                str(data), "--target", "sm_80,sm_90a"] + extra, args.timeout)
    if proc.returncode != 0 and "libnvrtc" in proc.stderr:
        print(f"{name:14s} {label:8s} skipped: {proc.stderr.strip()[:200]}")
        return []
    spills = re.search(r"spill bytes in all: (\d+)", proc.stdout)
    if proc.returncode != 0 or not spills:
        print(f"{name:14s} {label:8s} FAIL {proc.stderr.strip()[:300]}")
        return [f"{name} [{label}]: {proc.stderr.strip()[:300]}"]
    if int(spills.group(1)) != 0:
        print(f"{name:14s} {label:8s} FAIL {spills.group(1)} spill bytes\n{proc.stdout}")
        return [f"{name} [{label}]: {spills.group(1)} spill bytes"]
    rows = proc.stdout.split("node\n", 1)[-1].splitlines()
    launches = len([r for r in rows if not r.startswith("spill bytes")])
    if mode:
        _, _, kind, tensor_cores = TC_FAMILIES[name]
        tc = len([r for r in rows if f" {kind} " in r])
        problems = [] if tc else [f"{name} [{label}]: no {kind} kernel\n{proc.stdout}"]
        for target in ("sm_80", "sm_90a") if tensor_cores else ():
            ptx = run([args.compiler, str(model_file(folder)), "--emit", "ptx", "--inputs",
                       str(data), "--target", target] + extra, args.timeout)
            mmas = ptx.stdout.count("mma.sync.aligned")
            if ptx.returncode != 0 or mmas == 0:
                problems.append(f"{name} [{label}]: no mma.sync.aligned in the {target} PTX "
                                f"{ptx.stderr.strip()[:200]}")
        if problems:
            print(f"{name:14s} {label:8s} FAIL {problems[0][:300]}")
            return problems
        print(f"{name:14s} {label:8s} ok   sm_80 and sm_90a, no spills ({launches} launches, "
              f"{tc} {kind} rows" + (", mma.sync in the PTX)" if tensor_cores else ")"))
        return []
    print(f"{name:14s} {label:8s} ok   sm_80 and sm_90a, no spills ({launches} launches)")
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--compiler", help="path to dsr1-compile (NVRTC and spill checks)")
    parser.add_argument("--only", nargs="+", help="only these families")
    parser.add_argument("--params", nargs="+", default=list(PARAMS), choices=list(PARAMS))
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for family in FAMILIES:
            name = family.__name__
            if args.only and name not in args.only:
                continue
            folder = Path(tmp) / name
            family().save(folder)
            data = folder / "test_data_set_0"
            # (label, extra dsr1-run arguments, parameters, races, rtol, atol)
            tc = TC_FAMILIES.get(name)
            if tc:
                modes, tc_params, _, _ = tc
                runs = [(f"{mode} {pname}", precision_flags(mode), tc_params[pname],
                         pname == "tc-small", *modes[mode])
                        for mode in modes for pname in tc_params]
            else:
                runs = [(pname, [], PARAMS[pname], pname == "small", "1e-4", "1e-5")
                        for pname in args.params]
            for label, extra, params, races, rtol, atol in runs:
                cmd = [args.runner, str(model_file(folder)), "--quiet", "--inputs", str(data),
                       "--device", "cuda-emu", "--against-device", "cpu", "--rtol", rtol,
                       "--atol", atol] + extra
                if not tc:
                    # In reduced precision the cpu device is the reference (onnxruntime is f32).
                    cmd += ["--compare", str(data)]
                if params:
                    cmd += ["--cuda-params", params]
                if races:
                    cmd.append("--detect-races")  # every barrier interval is checked
                proc = run(cmd, args.timeout)
                outputs = proc.stdout.count("vs cpu: ok")
                if proc.returncode != 0 or (tc and outputs == 0):
                    lines = (proc.stdout + proc.stderr).strip().splitlines()
                    bad = [l for l in lines if "FAIL" in l or "error" in l] or lines[-3:]
                    failures.append(f"{name} [{label}]: " + " | ".join(bad[:4]))
                    print(f"{name:14s} {label:8s} FAIL {' | '.join(bad[:4])[:300]}")
                    continue
                print(f"{name:14s} {label:8s} ok   {outputs} outputs match the cpu device"
                      + ("" if tc else " and onnxruntime"))
            if not args.compiler:
                continue
            for mode in (tc[0] if tc else [None]):
                failures += check_nvrtc(args, name, folder, mode)
    print(f"{len(failures)} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
