"""Compiles the GPU check's models into bundles (dsr1-run --device cuda --gpu-bundle).

Each bundle holds one model compiled for sm_80 and sm_90a (NVRTC), its plan and weights, its
inputs and the cpu device's outputs on them; dsr1-gpu-check runs it on a GPU. The models:

- the generated model set (test/models/onnx; one exporter of each model),
- the kernel-family cases of test/cuda/families.py,
- larger cases for timings: a 768^3 f32 GEMM, attention over 512 tokens (12 heads of 64), and
  one full-width BERT-base encoder layer (hidden 768, 12 heads, FFN 3072, batch 1, 128 tokens,
  a 128-token vocabulary; needs torch and transformers, given with --torch-python).

Bundles hold their weights, so the total stays small enough to copy to a GPU machine.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test" / "cuda"))
import families  # noqa: E402

BERT_LAYER = r'''
import sys, torch, numpy as np, onnx
from onnx import numpy_helper
from transformers import BertConfig, BertModel
out = sys.argv[1]
torch.manual_seed(0)
config = BertConfig(hidden_size=768, num_hidden_layers=1, num_attention_heads=12,
                    intermediate_size=3072, vocab_size=128, max_position_embeddings=128)
bert = BertModel(config).eval()


class Positional(torch.nn.Module):
    """BertModel called with keywords, as the exporter cannot."""

    def __init__(self):
        super().__init__()
        self.bert = bert

    def forward(self, ids, mask):
        out = self.bert(input_ids=ids, attention_mask=mask, return_dict=True)
        return out["last_hidden_state"], out["pooler_output"]


model = Positional().eval()
ids = torch.randint(0, 128, (1, 128))
mask = torch.ones(1, 128, dtype=torch.int64)
torch.onnx.export(model, (ids, mask), out + "/model.onnx",
                  input_names=["input_ids", "attention_mask"],
                  output_names=["last_hidden_state", "pooler_output"], opset_version=17,
                  dynamo=False)
import os
os.makedirs(out + "/test_data_set_0", exist_ok=True)
for i, (name, t) in enumerate([("input_ids", ids), ("attention_mask", mask)]):
    onnx.save_tensor(numpy_helper.from_array(t.numpy(), name),
                     out + f"/test_data_set_0/input_{i}.pb")
'''


def gemm_case():
    g = families.Graph("gemm_768")
    a, b = g.input((768, 768)), g.input((768, 768))
    g.output(g.op("MatMul", [a, b]))
    return g


def attention_case():
    g = families.Graph("attention_512")
    q, k, v = (g.input((1, 12, 512, 64)) for _ in range(3))
    scores = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]),
                          g.const(np.float32(0.125))])
    g.output(g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v]))
    return g


def bundle(runner, model: Path, data: Path, out: Path) -> bool:
    proc = subprocess.run([runner, str(model), "--quiet", "--inputs", str(data), "--device",
                           "cuda", "--gpu-bundle", str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"{model}: FAIL {proc.stderr.strip()[:300]}")
        return False
    print(f"{out.name}: {out.stat().st_size / 1e6:.1f} MB")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--torch-python", help="a Python with torch and transformers")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ok = True
    models = ROOT / "test" / "models" / "onnx"
    for d in sorted(models.iterdir()):
        if (d / "model.onnx").is_file() and "." not in d.name:
            ok &= bundle(args.runner, d / "model.onnx", d / "test_data_set_0",
                         args.out / f"{d.name}.bundle")
    with tempfile.TemporaryDirectory() as tmp:
        cases = [f() for f in families.FAMILIES] + [gemm_case(), attention_case()]
        for case in cases:
            folder = Path(tmp) / case.name
            case.save(folder)
            ok &= bundle(args.runner, folder / "model.onnx", folder / "test_data_set_0",
                         args.out / f"{case.name}.bundle")
        if args.torch_python:
            folder = Path(tmp) / "bert_base_layer"
            folder.mkdir()
            proc = subprocess.run([args.torch_python, "-c", BERT_LAYER, str(folder)],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"bert_base_layer: FAIL {proc.stderr.strip()[-300:]}")
                ok = False
            else:
                ok &= bundle(args.runner, folder / "model.onnx", folder / "test_data_set_0",
                             args.out / "bert_base_layer.bundle")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
