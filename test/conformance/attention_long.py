"""Checks dsr1.attention's online-softmax cpu kernel at long and odd sequence lengths.

The ONNX node tests cover every attribute of Attention, but at 4 to 6 tokens: one block of
queries and one of keys. This builds opset-23 to 25 Attention models at lengths that span many
blocks and end in partial ones (Sq, Skv = 1000, 777, ...), with the visibility rules that let the
kernel skip blocks (causal, a KV cache inside the op, padding through nonpad_kv_seqlen, sliding
windows), boolean and
additive masks (with queries that see no key), packed [B, S, H*D] and [B, H, S, D] layouts, f32
and f16. The reference is the ONNX reference implementation (onnx.reference), computed in f32;
for f16 models it runs on the inputs widened to f32 and is rounded to f16 once, which is what
dsr1 computes (f16 attention in f32). dsr1-run compares at rtol 1e-4 (f32) or 2e-3 (f16, two
ulp).
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator


def case(name, opset, dtype, shapes, attrs, mask=None, lengths=None, past=None):
    """`past`: the shapes of past_key and past_value (a KV cache inside the op)."""
    return dict(name=name, opset=opset, dtype=dtype, shapes=shapes, attrs=attrs, mask=mask,
                lengths=lengths, past=past)


def build(c, elem):
    names = ["Q", "K", "V"]
    inputs = [helper.make_tensor_value_info(n, elem, s) for n, s in zip(names, c["shapes"])]
    node_inputs = list(names)
    if c["mask"] is not None:
        m = c["mask"]
        melem = TensorProto.BOOL if m.dtype == np.bool_ else elem
        inputs.append(helper.make_tensor_value_info("mask", melem, list(m.shape)))
        node_inputs.append("mask")
    if c["past"] is not None:
        if c["mask"] is None:
            node_inputs.append("")
        for n, shape in zip(["past_key", "past_value"], c["past"]):
            inputs.append(helper.make_tensor_value_info(n, elem, shape))
            node_inputs.append(n)
    if c["lengths"] is not None:
        if c["mask"] is None:
            node_inputs.append("")
        node_inputs += ["", ""]
        inputs.append(helper.make_tensor_value_info("lengths", TensorProto.INT64,
                                                    [len(c["lengths"])]))
        node_inputs.append("lengths")
    node = helper.make_node("Attention", node_inputs, ["Y"], **c["attrs"])
    graph = helper.make_graph([node], c["name"], inputs,
                              [helper.make_tensor_value_info("Y", elem, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", c["opset"])])


def feeds(c, rng):
    out = {}
    for n, s in zip("QKV", c["shapes"]):
        out[n] = rng.standard_normal(s).astype(np.float32)
    if c["mask"] is not None:
        out["mask"] = c["mask"]
    if c["past"] is not None:
        for n, shape in zip(["past_key", "past_value"], c["past"]):
            out[n] = rng.standard_normal(shape).astype(np.float32)
    if c["lengths"] is not None:
        out["lengths"] = np.array(c["lengths"], dtype=np.int64)
    return out


def cases(rng):
    b, h, s, d = 2, 3, 1000, 40
    # Padding: batch 1 keeps its first 613 keys. The mask spells out the query dimension:
    # onnx.reference (1.23) takes the causal frontier's query length from a mask's shape, so a
    # [B, 1, 1, Skv] mask would make it see one query.
    pad = np.ones((b, 1, s, s), dtype=np.bool_)
    pad[1, :, :, 613:] = False
    # An additive mask where every 97th query sees no key at all (its output is zeros).
    sq, skv = 1000, 777
    add = np.where(rng.random((sq, skv)) < 0.3, -np.inf, 0.0).astype(np.float32)
    add[::97, :] = -np.inf
    add += np.where(np.isfinite(add), rng.standard_normal((sq, skv)).astype(np.float32), 0)
    return [
        case("causal_padding_f32", 23, np.float32, [[b, h, s, d]] * 3, dict(is_causal=1),
             mask=pad),
        case("causal_padding_f16", 23, np.float16, [[b, h, s, d]] * 3, dict(is_causal=1),
             mask=pad),
        # Packed [B, S, H*D], Sq != Skv, an additive mask, a scale and a softcap.
        case("packed_additive_f32", 23, np.float32,
             [[1, sq, 4 * 24], [1, skv, 4 * 24], [1, skv, 4 * 20]],
             dict(q_num_heads=4, kv_num_heads=4, scale=0.3, softcap=4.0), mask=add),
        case("packed_additive_f16", 23, np.float16,
             [[1, sq, 4 * 24], [1, skv, 4 * 24], [1, skv, 4 * 20]],
             dict(q_num_heads=4, kv_num_heads=4, scale=0.3, softcap=4.0),
             mask=add.astype(np.float16)),
        # A padded cache (nonpad_kv_seqlen): the 300 queries are the last of each batch's valid
        # keys (bottom right), causal.
        case("padded_cache_causal_f32", 24, np.float32,
             [[2, 2, 300, 32], [2, 2, 1000, 32], [2, 2, 1000, 32]], dict(is_causal=1),
             lengths=[1000, 457]),
        # A cache inside the op: 300 new queries after 700 cached keys (query_offset), causal.
        case("past_cache_causal_f32", 23, np.float32,
             [[1, 2, 300, 24], [1, 2, 300, 24], [1, 2, 300, 24]], dict(is_causal=1),
             past=[[1, 2, 700, 24], [1, 2, 700, 24]]),
        # A sliding window around each query, in both directions.
        case("window_f32", 25, np.float32, [[1, 2, 700, 16]] * 3,
             dict(left_window_size=150, right_window_size=40)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--only", nargs="+", help="only these cases")
    args = parser.parse_args()
    rng = np.random.default_rng(5)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for c in cases(rng):
            if args.only and c["name"] not in args.only:
                continue
            start = time.monotonic()
            x = feeds(c, rng)
            # The reference runs in f32 on the (f16-rounded) inputs, rounded once at the end.
            half = c["dtype"] == np.float16
            ref_in = {k: (v.astype(np.float16).astype(np.float32) if half and v.dtype == np.float32
                          else v.astype(np.float32) if v.dtype == np.float16 else v)
                      for k, v in x.items()}
            (expected,) = ReferenceEvaluator(build(c, TensorProto.FLOAT)).run(None, ref_in)
            elem = TensorProto.FLOAT16 if half else TensorProto.FLOAT
            d = Path(tmp) / c["name"]
            data = d / "test_data_set_0"
            data.mkdir(parents=True)
            onnx.save(build(c, elem), d / "model.onnx")
            for i, (k, v) in enumerate(x.items()):
                if half and v.dtype == np.float32:
                    v = v.astype(np.float16)
                onnx.save_tensor(numpy_helper.from_array(v, k), data / f"input_{i}.pb")
            onnx.save_tensor(numpy_helper.from_array(expected.astype(c["dtype"]), "Y"),
                             data / "output_0.pb")
            tol = ["--rtol", "2e-3", "--atol", "1e-3"] if half else ["--rtol", "1e-4",
                                                                     "--atol", "1e-5"]
            proc = subprocess.run([args.runner, str(d / "model.onnx"), "--quiet", "--inputs",
                                   str(data), "--compare", str(data)] + tol,
                                  capture_output=True, text=True)
            result = (proc.stdout.strip() or proc.stderr.strip()).splitlines()
            status = "ok" if proc.returncode == 0 else "FAIL"
            print(f"{c['name']:26s} {status} {result[-1] if result else ''} "
                  f"({time.monotonic() - start:.1f} s)")
            if proc.returncode != 0:
                failures.append(c["name"])
                print("\n".join(result[-5:]))
    if failures:
        print("failed: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
