"""Numeric check of -dsr1-fuse-attention: attention blocks in the forms exporters write, each
built as an ONNX graph, must fuse into dsr1.attention (or, for the near-misses, must not) and
still compute what onnxruntime computes on the unfused graph.

For each form: the model and random inputs are written in the backend-test layout with
onnxruntime's outputs, `dsr1-import --optimize` must show the expected number of dsr1.attention
ops, and `dsr1-run --compare` must match at rtol 1e-4, atol 1e-5.
"""

import argparse
import re
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

B, S, KV, H, D = 2, 7, 9, 3, 4
E = H * D
F32_MIN = float(np.finfo(np.float32).min)


class Graph:
    """A tiny graph builder: one node per call, fresh value names."""

    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def op(self, op_type, *inputs, **attrs):
        self.count += 1
        out = f"v{self.count}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [out],
                                           name=f"{op_type}_{self.count}", **attrs))
        return out

    def const(self, value, dtype=np.float32):
        self.count += 1
        name = f"c{self.count}"
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def split_heads(self, x, seq, perm=(0, 2, 1, 3)):
        shaped = self.op("Reshape", x, self.const([B, seq, H, D], np.int64))
        return self.op("Transpose", shaped, perm=list(perm))

    def merge_heads(self, o):
        t = self.op("Transpose", o, perm=[0, 2, 1, 3])
        return self.op("Reshape", t, self.const([B, S, E], np.int64))


def bmm_model(g, inputs, rng):
    """fairseq / older transformers: heads folded into the batch, [B * H, S, D], torch.bmm, a
    2-D attention mask and a key padding mask applied in 3-D."""
    def fold(x, seq):
        heads = g.split_heads(x, seq)
        return g.op("Reshape", heads, g.const([B * H, seq, D], np.int64))

    q, k, v = fold("query", S), fold("key", KV), fold("value", KV)
    scores = g.op("MatMul", g.op("Mul", q, g.const(1.0 / np.sqrt(D))),
                  g.op("Transpose", k, perm=[0, 2, 1]))
    inputs["attn_mask"] = np.triu(np.full((S, KV), F32_MIN, np.float32), 1)
    keep = rng.random((B * H, S, KV)) < 0.7
    keep[..., 0] = True
    inputs["keep"] = keep
    scores = g.op("Where", "keep", g.op("Add", scores, "attn_mask"), g.const(-np.inf))
    o = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    unfolded = g.op("Reshape", o, g.const([B, H, S, D], np.int64))
    return g.op("Reshape", g.op("Transpose", unfolded, perm=[0, 2, 1, 3]),
                g.const([B, S, E], np.int64))


def attention_model(form):
    """The ONNX model of one form, its inputs, and how many blocks must fuse."""
    rng = np.random.default_rng(zlib.crc32(form.encode()))
    g = Graph()
    inputs = {"query": rng.standard_normal((B, S, E)).astype(np.float32),
              "key": rng.standard_normal((B, KV, E)).astype(np.float32),
              "value": rng.standard_normal((B, KV, E)).astype(np.float32)}
    if form == "bmm_per_batch":
        return finish(g, form, inputs, bmm_model(g, inputs, rng), fused=1)
    q = g.split_heads("query", S)
    v = g.split_heads("value", KV)
    kt = g.split_heads("key", KV, perm=(0, 2, 3, 1))
    scale = 1.0 / np.sqrt(D)
    fused = 1
    if form == "scale_on_q_and_k":
        root = float(np.sqrt(scale))
        q = g.op("Mul", q, g.const(root))
        kt = g.op("Mul", g.const(root), kt)
    scores = g.op("MatMul", q, kt)
    if form == "div_scale":
        scores = g.op("Div", scores, g.const(np.sqrt(D)))
    elif form != "scale_on_q_and_k":
        scores = g.op("Mul", scores, g.const(scale))

    if form in ("padding_mask", "two_masks"):
        pad = np.zeros((B, 1, 1, KV), np.float32)
        pad[1, ..., KV - 3:] = F32_MIN
        inputs["pad"] = pad
        scores = g.op("Add", scores, "pad")
    if form == "two_masks":
        inputs["bias"] = rng.standard_normal((1, H, S, KV)).astype(np.float32)
        scores = g.op("Add", "bias", scores)
    if form in ("bool_mask", "bool_mask_inverted", "sdpa_nan_guard"):
        keep = rng.random((B, 1, S, KV)) < 0.6
        keep[..., 0] = True  # no row masked entirely: onnxruntime's softmax gives NaN there
        if form == "sdpa_nan_guard":
            keep[1, 0, 2, :] = False  # ... but the guard zeroes it, as dsr1.attention does
        inputs["keep"] = keep if form == "bool_mask" else ~keep
        ninf = g.const(-np.inf)
        scores = (g.op("Where", "keep", ninf, scores) if form == "bool_mask_inverted"
                  else g.op("Where", "keep", scores, ninf))
    if form == "causal_where_min":
        # GPT-2: a constant lower-triangular mask and the float32 minimum as the fill. Row 0 of
        # the second batch is masked entirely by the padding: uniform weights, as unfused.
        causal = np.tril(np.ones((S, KV), dtype=bool))
        causal = np.broadcast_to(causal, (B, 1, S, KV)).copy()
        causal[1, 0, 0, :] = False
        scores = g.op("Where", g.const(causal, bool), scores, g.const(F32_MIN))
    if form in ("causal_bool", "causal_fill_and_padding"):
        # A constant causal pattern, as Trilu / a stored tril buffer leave it: it becomes the
        # op's causal attribute. With a finite fill, the padding mask stays a mask.
        tril = np.tril(np.ones((1, 1, S, KV), dtype=bool))
        if form == "causal_bool":
            scores = g.op("Where", g.const(tril, bool), scores, g.const(-np.inf))
        else:
            scores = g.op("Where", g.const(tril, bool), scores, g.const(F32_MIN))
            pad = np.zeros((B, 1, 1, KV), np.float32)
            pad[1, ..., 2:] = F32_MIN
            inputs["pad"] = pad
            scores = g.op("Add", scores, "pad")
    if form == "softmax_over_queries":
        fused = 0
        probs = g.op("Softmax", scores, axis=2)
    else:
        probs = g.op("Softmax", scores, axis=-1)
    if form == "sdpa_nan_guard":
        # torch's scaled_dot_product_attention export: weights of a row masked entirely are
        # NaN after the softmax, and zeroed.
        nan = g.op("Not", g.op("Equal", probs, probs))
        probs = g.op("Where", nan, g.const(0.0), probs)
    out = g.merge_heads(g.op("MatMul", probs, v))
    return finish(g, form, inputs, out, fused)


def finish(g, form, inputs, out, fused):
    """The model with `out` as its output."""
    g.nodes.append(helper.make_node("Identity", [out], ["output"], name="output"))

    def info(name, array):
        kind = TensorProto.BOOL if array.dtype == bool else TensorProto.FLOAT
        return helper.make_tensor_value_info(name, kind, list(array.shape))

    graph = helper.make_graph(g.nodes, form, [info(n, a) for n, a in inputs.items()],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                                             [B, S, E])], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model, inputs, fused


FORMS = ["padding_mask", "div_scale", "scale_on_q_and_k", "two_masks", "bool_mask",
         "bool_mask_inverted", "causal_where_min", "causal_bool", "causal_fill_and_padding",
         "sdpa_nan_guard", "bmm_per_batch", "softmax_over_queries"]
# The forms whose mask is recognised as the causal pattern.
CAUSAL = {"causal_bool", "causal_fill_and_padding"}
CAUSAL_ATTR = re.compile(r"dsr1\.attention [^{]*\{[^}]*\bcausal\b")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--importer", required=True, help="path to dsr1-import")
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for form in FORMS:
            model, inputs, fused = attention_model(form)
            d = Path(tmp) / form
            data = d / "test_data_set_0"
            data.mkdir(parents=True)
            onnx.save(model, d / "model.onnx")
            session = ort.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
            (expected,) = session.run(None, inputs)
            for i, (name, array) in enumerate(inputs.items()):
                (data / f"input_{i}.pb").write_bytes(
                    numpy_helper.from_array(array, name).SerializeToString())
            (data / "output_0.pb").write_bytes(
                numpy_helper.from_array(expected, "output").SerializeToString())

            ir = subprocess.run([args.importer, str(d / "model.onnx"), "--optimize"],
                                capture_output=True, text=True)
            count = ir.stdout.count("dsr1.attention")
            run = subprocess.run([args.runner, str(d / "model.onnx"), "--quiet", "--inputs",
                                  str(data), "--compare", str(data), "--rtol", "1e-4",
                                  "--atol", "1e-5"], capture_output=True, text=True)
            problems = []
            if ir.returncode != 0:
                problems.append("import failed: " + ir.stderr.strip())
            elif count != fused:
                problems.append(f"{count} dsr1.attention after --optimize, expected {fused}")
            elif bool(CAUSAL_ATTR.search(ir.stdout)) != (form in CAUSAL):
                problems.append("causal " + ("not " if form in CAUSAL else "") + "recognised")
            if run.returncode != 0:
                problems.append("differs from onnxruntime: " +
                                (run.stdout.strip() or run.stderr.strip()))
            status = "FAIL " + "; ".join(problems) if problems else "ok"
            print(f"{form:24s} fused {count}: {status}")
            if problems:
                failures.append(form)
    if failures:
        print(f"attention_forms: {len(failures)} of {len(FORMS)} forms failed: "
              + ", ".join(failures), file=sys.stderr)
        return 1
    print(f"attention_forms: all {len(FORMS)} forms ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
