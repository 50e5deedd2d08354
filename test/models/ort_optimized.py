"""The com.microsoft attention form as it really occurs: models of the generated set rewritten by
onnxruntime's transformers optimizer (onnxruntime.transformers.optimizer), which fuses attention
blocks into com.microsoft Attention (packed QKV weights, mask_index = ReduceSum(attention_mask))
and the rest into EmbedLayerNormalization / SkipLayerNormalization / BiasGelu / QuickGelu.

Each rewritten model must import with one dsr1.attention per com.microsoft Attention node (and
per block the optimizer left as Softmax, which -dsr1-fuse-attention fuses), and match the stored onnxruntime outputs of the original model on the cpu device (rtol 1e-4, atol
1e-5).
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import onnx
import onnxruntime as ort

ort.set_default_logger_severity(3)

# Model, the optimizer's model type. The others of the set keep their attention unfused in this
# optimizer (see bench/fusion_report.py), so they would test nothing new here.
MODELS = [("bert", "bert"), ("bert.dynamic", "bert"), ("clip", "clip")]
ATTENTION = {"Attention", "MultiHeadAttention"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", required=True, type=Path)
    parser.add_argument("--importer", required=True, help="path to dsr1-import")
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    args = parser.parse_args()
    from onnxruntime.transformers import optimizer

    manifest = {e["name"]: e for e in
                json.loads((args.models / "manifest.json").read_text())["models"]}
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, model_type in MODELS:
            config = manifest[name]["config"]
            hidden = next(config[k] for k in ("hidden", "text_hidden") if k in config)
            optimised = optimizer.optimize_model(str(args.models / name / "model.onnx"),
                                                 model_type=model_type,
                                                 num_heads=config["heads"],
                                                 hidden_size=hidden, opt_level=0)
            path = Path(tmp) / f"{name}.onnx"
            optimised.save_model_to_file(str(path))
            nodes = onnx.load(str(path)).graph.node
            microsoft = sum(1 for n in nodes
                            if n.op_type in ATTENTION and n.domain == "com.microsoft")
            # Blocks the optimizer left unfused are -dsr1-fuse-attention's to fuse.
            expected = microsoft + sum(1 for n in nodes if n.op_type == "Softmax")
            problems = []
            if microsoft == 0:
                problems.append("the optimizer fused no attention (its version changed?)")
            # Symbolic dims pinned to the first data set's shapes, as dsr1-run does.
            shapes = []
            for i, value in enumerate(onnx.load(str(path)).graph.input):
                pb = args.models / name / "test_data_set_0" / f"input_{i}.pb"
                t = onnx.TensorProto()
                t.ParseFromString(pb.read_bytes())
                shapes.append(f"--input-shape={value.name}=" + "x".join(map(str, t.dims)))
            ir = subprocess.run([args.importer, str(path), "--optimize", *shapes],
                                capture_output=True, text=True)
            found = ir.stdout.count("dsr1.attention")
            if ir.returncode != 0:
                problems.append("import failed: " + ir.stderr.strip())
            elif found != expected:
                problems.append(f"{found} dsr1.attention for {expected} attention blocks")
            for data in sorted((args.models / name).glob("test_data_set_*")):
                run = subprocess.run([args.runner, str(path), "--quiet", "--inputs", str(data),
                                      "--compare", str(data), "--rtol", "1e-4", "--atol",
                                      "1e-5"], capture_output=True, text=True)
                if run.returncode != 0:
                    problems.append(f"{data.name}: " + (run.stdout.strip() or
                                                        run.stderr.strip()))
            print(f"{name:14s} com.microsoft attention {microsoft}, other blocks "
                  f"{expected - microsoft}, dsr1.attention {found}: "
                  + ("ok" if not problems else "FAIL " + "; ".join(problems)))
            if problems:
                failures.append(name)
    if failures:
        print("ort_optimized: failed: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
