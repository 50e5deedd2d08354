"""What fusion does to each model of the generated set (test/models/onnx), beside what
onnxruntime's own graph optimiser makes of the same model.

Per model: the ONNX node count; the attention blocks in the model (Softmax nodes whose weights
feed a MatMul, counted on the ONNX graph, independently of dsr1); how many dsr1.attention ops
the optimise pipeline leaves and the modalities recorded on them; the number of kernels without
fusion (`--dsr1-optimize-pipeline=fuse=false`, every op its own kernel) and with it; and the
node count of onnxruntime's optimised graph (ORT_ENABLE_ALL, saved with
SessionOptions.optimized_model_filepath), with how many of its nodes are fused attention ops;
and for the transformers, what onnxruntime's offline transformers optimizer
(onnxruntime.transformers.optimizer, the tool ORT's own attention fusion lives in) fuses.

  python3 bench/fusion_report.py [--models test/models/onnx] [--only bert whisper]
"""

import argparse
import collections
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import json

import onnx
import onnxruntime as ort

ort.set_default_logger_severity(3)

ROOT = Path(__file__).resolve().parent.parent
ORT_ATTENTION = {"Attention", "MultiHeadAttention", "GroupQueryAttention",
                 "PackedMultiHeadAttention", "DecoderMaskedMultiHeadAttention"}
MODALITY = re.compile(r"dsr1\.attention .*?\{([^}]*)\}")


def attention_blocks(model: onnx.ModelProto) -> int:
    """Softmax nodes whose output reaches a MatMul (through Cast, Dropout or the NaN guard's
    Where of the scaled_dot_product_attention export at most)."""
    consumers = collections.defaultdict(list)
    for node in model.graph.node:
        for name in node.input:
            consumers[name].append(node)

    def feeds_matmul(name, depth=0):
        for node in consumers[name]:
            if node.op_type == "MatMul":
                return True
            if node.op_type in ("Cast", "Dropout", "Identity", "Where") and depth < 3:
                if feeds_matmul(node.output[0], depth + 1):
                    return True
        return False

    return sum(1 for n in model.graph.node
               if n.op_type == "Softmax" and feeds_matmul(n.output[0]))


def input_shapes(model_dir: Path, model: onnx.ModelProto) -> list:
    """--input-shape arguments pinning the graph inputs to the first test data set's shapes."""
    args = []
    inits = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in inits]
    for i, value in enumerate(inputs):
        pb = model_dir / "test_data_set_0" / f"input_{i}.pb"
        if not pb.is_file():
            continue
        t = onnx.TensorProto()
        t.ParseFromString(pb.read_bytes())
        dims = "x".join(str(d) for d in t.dims) or "scalar"
        args.append(f"--input-shape={value.name}={dims}")
    return args


def dsr1_counts(importer: str, opt: str, model_dir: Path, shapes: list, fuse: bool):
    imported = subprocess.run([importer, str(model_dir / "model.onnx"), *shapes],
                              capture_output=True, text=True)
    if imported.returncode != 0:
        raise RuntimeError(imported.stderr.strip().splitlines()[-1])
    pipeline = "--dsr1-optimize-pipeline=fuse=" + ("true" if fuse else "false")
    optimised = subprocess.run([opt, pipeline, "--dsr1-outline-kernels"],
                               input=imported.stdout, capture_output=True, text=True)
    if optimised.returncode != 0:
        raise RuntimeError(optimised.stderr.strip().splitlines()[-1])
    text = optimised.stdout
    kernels = len(re.findall(r"attributes \{[^}]*dsr1\.kernel", text))
    modalities = collections.Counter()
    for attrs in MODALITY.findall(text):
        q = re.search(r"query_modality = #dsr1.modality<(\w+)>", attrs)
        kv = re.search(r"kv_modality = #dsr1.modality<(\w+)>", attrs)
        modalities[f"{q.group(1) if q else 'unknown'}->{kv.group(1) if kv else 'unknown'}"] += 1
    return kernels, sum(modalities.values()), modalities


def ort_counts(model_path: Path):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "optimized.onnx"
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.optimized_model_filepath = str(out)
        options.intra_op_num_threads = 1
        ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        optimised = onnx.load(str(out), load_external_data=False)
    nodes = len(optimised.graph.node)
    fused = sum(1 for n in optimised.graph.node if n.op_type in ORT_ATTENTION)
    return nodes, fused


# The transformers optimizer's model type per family (Whisper's decoder is BART-shaped).
ORT_MODEL_TYPE = {"bert": "bert", "vit": "vit", "clip": "clip", "gpt2": "gpt2", "t5": "t5",
                  "whisper": "bart"}


def ort_transformers_counts(model_path: Path, family: str, config: dict):
    model_type = ORT_MODEL_TYPE.get(family)
    if not model_type:
        return "-"
    from onnxruntime.transformers import optimizer
    hidden = next(config[k] for k in ("hidden", "d_model", "text_hidden") if k in config)
    try:
        optimised = optimizer.optimize_model(str(model_path), model_type=model_type,
                                             num_heads=config["heads"], hidden_size=hidden,
                                             opt_level=0)
    except Exception as e:  # the tool gives up on some graphs: say so, don't stop
        return f"failed ({type(e).__name__})"
    stats = optimised.get_fused_operator_statistics()
    fused = sum(v for k, v in stats.items() if k in ORT_ATTENTION)
    return f"{fused} of {len(optimised.model.graph.node)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=Path, default=ROOT / "test" / "models" / "onnx")
    parser.add_argument("--importer", default=str(ROOT / "build" / "bin" / "dsr1-import"))
    parser.add_argument("--opt", default=str(ROOT / "build" / "bin" / "dsr1-opt"))
    parser.add_argument("--only", nargs="+", help="only these model directories")
    args = parser.parse_args()

    dirs = sorted(p for p in args.models.iterdir() if (p / "model.onnx").is_file())
    if args.only:
        dirs = [d for d in dirs if d.name in args.only]
    print("| model | ONNX nodes | attention blocks | fused into dsr1.attention | modalities "
          "(query->kv) | dsr1 kernels unfused | dsr1 kernels fused | onnxruntime "
          "ORT_ENABLE_ALL nodes | of which fused attention | ORT transformers optimizer: "
          "fused attention of nodes |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    manifest = {}
    if (args.models / "manifest.json").is_file():
        entries = json.loads((args.models / "manifest.json").read_text())["models"]
        manifest = {e["name"]: e for e in entries}
    failed = False
    for d in dirs:
        model = onnx.load(str(d / "model.onnx"))
        blocks = attention_blocks(model)
        shapes = input_shapes(d, model)
        try:
            unfused, _, _ = dsr1_counts(args.importer, args.opt, d, shapes, fuse=False)
            fused, attentions, modalities = dsr1_counts(args.importer, args.opt, d, shapes,
                                                        fuse=True)
        except RuntimeError as e:
            print(f"| {d.name} | failed: {e} |")
            failed = True
            continue
        ort_nodes, ort_attention = ort_counts(d / "model.onnx")
        entry = manifest.get(d.name, {})
        offline = ort_transformers_counts(d / "model.onnx", entry.get("family", ""),
                                          entry.get("config", {}))
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(modalities.items())) or "-"
        print(f"| {d.name} | {len(model.graph.node)} | {blocks} | {attentions} | {kinds} | "
              f"{unfused} | {fused} | {ort_nodes} | {ort_attention} | {offline} |")
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
