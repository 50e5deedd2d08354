"""Writes one-op ONNX Attention models (opset 23, [B, H, S, D] f32) with random inputs, for
timing dsr1.attention's cpu kernel on its own.

    python3 bench/attention_models.py --out /tmp/attn-bench --seq 128 512 2048 4096
    build/bin/dsr1-run /tmp/attn-bench/s2048/model.onnx \\
        --inputs /tmp/attn-bench/s2048/test_data_set_0 --warmup 3 --iterations 20
    /usr/bin/time -v build/bin/dsr1-run /tmp/attn-bench/s4096/model.onnx \\
        --inputs /tmp/attn-bench/s4096/test_data_set_0     # "Maximum resident set size"

BERT-base shapes by default (B = 1, H = 12, D = 64); `--causal` adds is_causal (directory
sN_causal).
"""

import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seq", type=int, nargs="+", default=[128, 512, 2048, 4096])
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--depth", type=int, default=64)
    parser.add_argument("--causal", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for s in args.seq:
        shape = [args.batch, args.heads, s, args.depth]
        d = args.out / (f"s{s}_causal" if args.causal else f"s{s}")
        data = d / "test_data_set_0"
        data.mkdir(parents=True, exist_ok=True)
        node = helper.make_node("Attention", ["Q", "K", "V"], ["Y"], is_causal=int(args.causal))
        graph = helper.make_graph(
            [node], "attention",
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape) for n in "QKV"],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, shape)])
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)]),
                  d / "model.onnx")
        for i, n in enumerate("QKV"):
            x = rng.standard_normal(shape).astype(np.float32)
            onnx.save_tensor(numpy_helper.from_array(x, n), data / f"input_{i}.pb")
        print(d)


if __name__ == "__main__":
    main()
