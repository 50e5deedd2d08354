"""The attention blocks of the TorchScript set fuse exactly as those of the ONNX set do.

For every traced transformer in test/models/torch whose twin (the same builder, config and
weights seed in test/models/generate.py) is in test/models/onnx, both are imported and optimised
(`dsr1-import --optimize`), and their dsr1.attention ops must be the same, op by op, with SSA
names ignored: the whole op (operand types, mask, heads, scale, causal, modalities) for the
matmul/softmax forms, which both frontends hand to -dsr1-fuse-attention. The `.sdpa` models call
aten::scaled_dot_product_attention, which the TorchScript frontend maps to dsr1.attention
directly (heads explicit, [B, H, S, D], the boolean mask as given), while the ONNX exporter
decomposes it and fusion rebuilds it (heads packed, the mask made additive): for those the
meaning must agree (count, heads, scale to 1e-6, causal, mask or not, modalities). The SDPA
blocks scripted directly (encoder_sdpa, decoder_sdpa) must become dsr1.attention with no
softmax left. Exits 1 on any difference.

    python3 test/models/torch_attention.py --importer build/bin/dsr1-import
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DTYPES = {"int64": "i64", "int32": "i32", "float32": "f32", "bool": "i1", "float16": "f16"}
SSA = re.compile(r"%[A-Za-z0-9_#.]+")


def shape_flags(record) -> list:
    return [f"--input-shape={i['name']}=" + "x".join(map(str, i["shape"])) + ":" +
            DTYPES[i["dtype"]] for i in record["inputs"]]


def attention_ops(importer: str, model: Path, flags: list) -> list:
    proc = subprocess.run([importer, str(model), "--optimize"] + flags, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"{model}: dsr1-import failed:\n{proc.stderr}")
    ops = [SSA.sub("%v", line.strip()) for line in proc.stdout.splitlines()
           if "dsr1.attention" in line]
    return ops, proc.stdout.count("dsr1.softmax")


ATTRS = re.compile(r"\{(.*)\}")


def meaning(op: str) -> tuple:
    """What an attention op computes, apart from its layout."""
    attrs = ATTRS.search(op).group(1)
    scale = re.search(r"scale = ([0-9.e+-]+)", attrs)
    return (re.search(r"num_heads = (\d+)", attrs).group(1), "causal" in attrs,
            " mask " in op, re.findall(r"modality<(\w+)>", attrs),
            round(float(scale.group(1)), 6) if scale else None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--importer", required=True)
    parser.add_argument("--torch-models", type=Path, default=HERE / "torch")
    parser.add_argument("--onnx-models", type=Path, default=HERE / "onnx")
    args = parser.parse_args()
    manifest = json.loads((args.torch_models / "manifest.json").read_text())
    failures, compared = [], 0
    for record in manifest["models"]:
        name = record["name"]
        torch_ops, softmaxes = attention_ops(args.importer, args.torch_models / name / "model.pt",
                                             shape_flags(record))
        if name.endswith(".trace"):
            twin = args.onnx_models / name[:-len(".trace")] / "model.onnx"
            if not twin.is_file() or not torch_ops and "attention" not in json.dumps(record):
                continue
            onnx_ops, _ = attention_ops(args.importer, twin, [])
            compared += 1
            if ".sdpa" in name:
                same = [meaning(o) for o in torch_ops] == [meaning(o) for o in onnx_ops]
            else:
                same = torch_ops == onnx_ops
            print(f"{name:22s} {len(torch_ops)} attention ops from TorchScript, "
                  f"{len(onnx_ops)} from ONNX: {'same' if same else 'DIFFERENT'}")
            if not same:
                failures.append(name)
                for a, b in zip(torch_ops + [""] * len(onnx_ops), onnx_ops + [""] * len(torch_ops)):
                    if a != b:
                        print(f"  torch: {a}\n  onnx:  {b}")
                        break
        elif "sdpa" in name:
            ok = torch_ops and softmaxes == 0
            print(f"{name:22s} {len(torch_ops)} attention ops, {softmaxes} softmax left: "
                  f"{'ok' if ok else 'NOT FUSED'}")
            if not ok:
                failures.append(name)
    if compared < 8:
        print(f"torch_attention: only {compared} models had an ONNX twin", file=sys.stderr)
        return 1
    print(f"{compared} TorchScript/ONNX pairs compared, {len(failures)} differing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
