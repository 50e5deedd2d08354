"""Compiles the GPU check's models into bundles (dsr1-run --device cuda --gpu-bundle).

Each bundle holds one model compiled for sm_80 and sm_90a (NVRTC), its plan and weights, its
inputs and the cpu device's outputs on them; dsr1-gpu-check runs it on a GPU. The models:

- the generated model set (test/models/onnx; one exporter of each model),
- the kernel-family cases of test/cuda/families.py,
- larger cases for timings: a 768^3 f32 GEMM, attention over 512 tokens (12 heads of 64), and
  one full-width BERT-base encoder layer (hidden 768, 12 heads, FFN 3072, batch 1, 128 tokens,
  a 128-token vocabulary; needs torch and transformers, given with --torch-python).

Bundles hold their weights, so the total stays small enough to copy to a GPU machine.

With --tensor-cores, timing-only bundles (no inputs or reference stored; the GPU check generates
the inputs) of the tensor-core kernels at full size: GEMM 4096^3 and BERT-base and ViT-B/16
shapes in f16, attention at FlashAttention's benchmark shape in bf16 (full and causal), a decoding
step over a 4096-token cache in f16, and ResNet-50 convolutions in f16; and tc_cases.json, what
bench/gpu/tensor_cores.py needs of each (FLOPs, bytes, the peer to compare with).
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from onnx import TensorProto

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


def tensor_core_cases():
    """(graph, case) pairs: single-op graphs on f16/bf16 inputs (no casts around the kernel)
    and what tensor_cores.py needs of each."""
    f16, bf16 = TensorProto.FLOAT16, TensorProto.BFLOAT16
    cases = []

    def matmul(name, m, k, n):
        g = families.Graph(name)
        g.output(g.op("MatMul", [g.typed_input((m, k), f16), g.typed_input((k, n), f16)]))
        cases.append((g, {"kind": "gemm", "m": m, "n": n, "k": k, "dtype": "float16",
                          "flops": 2.0 * m * n * k}))

    matmul("tc_gemm_4096", 4096, 4096, 4096)
    matmul("tc_bert_qkv", 1024, 768, 768)        # BERT-base, 8 x 128 tokens
    matmul("tc_bert_ffn_up", 1024, 768, 3072)
    matmul("tc_bert_ffn_down", 1024, 3072, 768)
    matmul("tc_vit_qkv", 1576, 768, 2304)        # ViT-B/16, 8 x 197 tokens, fused QKV
    matmul("tc_vit_mlp", 1576, 768, 3072)
    for causal in (False, True):
        b, h, s, d = 8, 16, 2048, 128
        g = families.Graph("tc_attention" + ("_causal" if causal else ""), opset=23)
        q, k, v = (g.typed_input((b, h, s, d), bf16) for _ in range(3))
        g.output(g.op("Attention", [q, k, v], is_causal=int(causal)))
        pairs = s * (s + 1) / 2 if causal else s * s
        cases.append((g, {"kind": "attention", "batch": b, "heads": h, "sq": s, "skv": s,
                          "d": d, "causal": causal, "dtype": "bfloat16",
                          "flops": 4.0 * b * h * pairs * d}))
    g = families.Graph("tc_decode", opset=23)
    q = g.typed_input((1, 32, 1, 128), f16)
    k, v = (g.typed_input((1, 32, 4096, 128), f16) for _ in range(2))
    g.output(g.op("Attention", [q, k, v]))
    cases.append((g, {"kind": "decode", "batch": 1, "heads": 32, "sq": 1, "skv": 4096, "d": 128,
                      "causal": False, "dtype": "float16", "flops": 4.0 * 32 * 4096 * 128,
                      "bytes": 2.0 * 32 * 4096 * 128 * 2}))

    def conv(name, n, c, hw, oc, kernel, stride=1, pad=0):
        g = families.Graph(name)
        x, w = g.typed_input((n, c, hw, hw), f16), g.typed_input((oc, c, kernel, kernel), f16)
        g.output(g.op("Conv", [x, w], strides=[stride, stride], pads=[pad] * 4))
        out = (hw + 2 * pad - kernel) // stride + 1
        cases.append((g, {"kind": "conv", "dtype": "float16", "n": n, "c": c, "hw": hw,
                          "oc": oc, "kernel": kernel, "stride": stride, "pad": pad,
                          "flops": 2.0 * n * oc * out * out * c * kernel * kernel}))

    conv("tc_resnet_conv3", 32, 128, 28, 128, 3, pad=1)
    conv("tc_resnet_conv2", 32, 64, 56, 64, 3, pad=1)
    conv("tc_resnet_1x1", 32, 256, 56, 64, 1)
    return cases


def bundle(runner, model: Path, data: Path, out: Path, extra=()) -> bool:
    inputs = ["--inputs", str(data)] if data else []
    proc = subprocess.run([runner, str(model), "--quiet", *inputs, "--device", "cuda",
                           "--gpu-bundle", str(out), *extra], capture_output=True, text=True)
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
    parser.add_argument("--tensor-cores", action="store_true",
                        help="only the timing-only bundles of the tensor-core kernels")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ok = True
    if args.tensor_cores:
        described = {}
        with tempfile.TemporaryDirectory() as tmp:
            for graph, case in tensor_core_cases():
                folder = Path(tmp) / graph.name
                graph.save(folder, reference=False)
                ok &= bundle(args.runner, folder / "model.onnx", None,
                             args.out / f"{graph.name}.bundle", ["--gpu-bundle-timing-only"])
                described[graph.name] = case
        (args.out / "tc_cases.json").write_text(json.dumps(described, indent=1) + "\n")
        return 0 if ok else 1
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
