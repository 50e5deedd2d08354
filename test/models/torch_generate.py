#!/usr/bin/env python3
"""Generate small TorchScript models (traced and scripted) for the TorchScript importer.

Every model is built from a config in code with random, seeded weights (nothing is
downloaded) and saved, not frozen, with torch.jit.save:

  OUTDIR/<name>/model.pt
  OUTDIR/<name>/test_data_set_0/input_N.pb, output_N.pb   (onnx.TensorProto)

Inputs are in forward()'s positional order; outputs are the saved module's outputs
(reloaded with torch.jit.load, eval, no_grad), tuples flattened in order.
OUTDIR/manifest.json records per model the mode (trace/script), source, config, size,
sha256, inputs/outputs, the eager-vs-saved max abs diff and `aten_ops`: node kinds of
the graph the importer sees (freeze + inline + remove_mutation + constant propagation
+ dce), and `all_ops`, their union over all models.

The HF/torchvision builders of generate.py (the ONNX set) are reused, with their small
configs.

Usage:
  torch_generate.py --out DIR [--only NAME ...]
  torch_generate.py --out DIR --verify     # needs only torch, numpy, onnx
  torch_generate.py --list
"""


import argparse
import glob
import hashlib
import json
import os
import sys
import time
import warnings
from collections import Counter
from typing import Optional

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WARN_BYTES = 200 * 1024
MAX_BYTES = 400 * 1024
RTOL, ATOL = 1e-5, 1e-6


def _G():
    sys.path.insert(0, HERE)
    import generate as G

    return G


# --------------------------------------------------------------------------- scripted models


# MobileNetV2 stages (t, c, n, s) with the block counts cut from 1-2-3-4-3-3-1 to
# 1-2-2-2-1-1-1: a TorchScript archive has a record per tensor and a code file per
# submodule, so generate.py's 17-block model.pt would be ~600 KB. Stages with n=2 keep
# residual blocks.
MOBILENET_SETTING = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2], [6, 64, 2, 2],
                     [6, 96, 1, 1], [6, 160, 1, 2], [6, 320, 1, 1]]


def build_small_mobilenet_v2():
    import torch
    import torchvision

    G = _G()
    wm, classes, image, last = 0.1, 10, 48, 128
    G.seed_everything()
    model = torchvision.models.mobilenet_v2(weights=None, width_mult=wm, num_classes=classes,
                                            inverted_residual_setting=MOBILENET_SETTING)
    # torchvision keeps the final 1x1 conv at 1280 channels for width_mult < 1: narrow it
    G.narrow_mobilenet_head(model, last, classes)
    model = model.eval()
    G.randomize_batchnorm(model, 7)
    x = torch.randn(1, 3, image, image, generator=G.gen(1))
    return (model, {"input": x}, "torchvision.models.mobilenet_v2 (stages cut to 1-2-2-2-1-1-1)",
            {"width_mult": wm, "inverted_residual_setting": MOBILENET_SETTING,
             "last_channel": last, "num_classes": classes, "image": image},
            [f"blocks per stage cut to 1-2-2-2-1-1-1 and the final 1x1 conv narrowed to {last} "
             "channels to keep model.pt small"])


def build_resnet18_script():
    """torchvision's ResNet (BasicBlock, 2-2-2-2 = ResNet-18 topology), narrowed to
    widths 8-12-16-32 by rebuilding the layers with ResNet._make_layer."""
    import torch
    from torchvision.models.resnet import BasicBlock, ResNet

    G = _G()
    widths, depths, classes, image = [8, 12, 16, 24], [2, 2, 2, 2], 10, 32

    class SmallResNet(ResNet):
        def __init__(self):
            super().__init__(BasicBlock, [1, 1, 1, 1], num_classes=classes)
            nn = torch.nn
            self.inplanes = widths[0]
            self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(widths[0])
            self.layer1 = self._make_layer(BasicBlock, widths[0], depths[0])
            self.layer2 = self._make_layer(BasicBlock, widths[1], depths[1], stride=2)
            self.layer3 = self._make_layer(BasicBlock, widths[2], depths[2], stride=2)
            self.layer4 = self._make_layer(BasicBlock, widths[3], depths[3], stride=2)
            self.fc = nn.Linear(widths[3], classes)

    G.seed_everything()
    model = SmallResNet().eval()
    G.randomize_batchnorm(model, 7)
    x = torch.randn(1, 3, image, image, generator=G.gen(1))
    return (model, {"x": x}, "torchvision.models.resnet.ResNet(BasicBlock) narrowed (scripted)",
            {"block": "BasicBlock", "depths": depths, "widths": widths, "num_classes": classes,
             "image": image}, [])


def build_rnn_script(kind: str):
    import torch

    G = _G()
    feat, hidden, layers, classes, batch, seq = 16, 32, 2, 8, 2, 10
    # the LSTM is batch_first and unidirectional, the GRU is seq-first and bidirectional
    bidir = kind == "gru"
    batch_first = kind == "lstm"
    dirs = 2 if bidir else 1

    class LSTMModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.LSTM(feat, hidden, num_layers=layers, batch_first=batch_first,
                                     bidirectional=bidir)
            self.head = torch.nn.Linear(hidden * dirs, classes)

        def forward(self, x, h0, c0):
            y, (h, c) = self.rnn(x, (h0, c0))
            return self.head(y), h, c

    class GRUModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.GRU(feat, hidden, num_layers=layers, batch_first=batch_first,
                                    bidirectional=bidir)
            self.head = torch.nn.Linear(hidden * dirs, classes)

        def forward(self, x, h0):
            y, h = self.rnn(x, h0)
            return self.head(y), h

    G.seed_everything()
    model = (LSTMModel() if kind == "lstm" else GRUModel()).eval()
    g = G.gen(1)
    xshape = (batch, seq, feat) if batch_first else (seq, batch, feat)
    inputs = {"x": torch.randn(*xshape, generator=g),
              "h0": torch.randn(layers * dirs, batch, hidden, generator=g) * 0.5}
    if kind == "lstm":
        inputs["c0"] = torch.randn(layers * dirs, batch, hidden, generator=g) * 0.5
    src = f"torch.nn.{kind.upper()} ({layers} layers{', bidirectional' if bidir else ''}" \
          f"{', batch_first' if batch_first else ''}) + Linear (scripted)"
    return model, inputs, src, {"input_size": feat, "hidden": hidden, "layers": layers,
                                "bidirectional": bidir, "batch_first": batch_first,
                                "batch": batch, "seq": seq, "classes": classes}, []


def _sdpa_modules():
    import torch.nn.functional as F
    from torch import Tensor, nn

    class MHA(nn.Module):
        """Multi-head attention with separate q/k/v/o projections and F.sdpa."""

        def __init__(self, d: int, heads: int, causal: bool):
            super().__init__()
            self.heads = heads
            self.dh = d // heads
            self.causal = causal
            self.q = nn.Linear(d, d)
            self.k = nn.Linear(d, d)
            self.v = nn.Linear(d, d)
            self.o = nn.Linear(d, d)

        def split(self, x: Tensor) -> Tensor:
            b, s, _ = x.shape
            return x.view(b, s, self.heads, self.dh).transpose(1, 2)

        def forward(self, x: Tensor, kv: Tensor, mask: Optional[Tensor] = None) -> Tensor:
            b, s, d = x.shape
            q, k, v = self.split(self.q(x)), self.split(self.k(kv)), self.split(self.v(kv))
            if self.causal:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=False)
            return self.o(y.transpose(1, 2).reshape(b, s, d))

    class MLP(nn.Module):
        def __init__(self, d: int, ff: int):
            super().__init__()
            self.fc1 = nn.Linear(d, ff)
            self.fc2 = nn.Linear(ff, d)

        def forward(self, x: Tensor) -> Tensor:
            return self.fc2(F.gelu(self.fc1(x)))

    class EncoderBlock(nn.Module):
        """Pre-LN encoder block; `mask` is an additive float mask [B, 1, S, S]."""

        def __init__(self, d: int = 32, heads: int = 4, ff: int = 64):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.attn = MHA(d, heads, causal=False)
            self.ln2 = nn.LayerNorm(d)
            self.mlp = MLP(d, ff)
            self.ln_f = nn.LayerNorm(d)

        def forward(self, x: Tensor, mask: Tensor) -> Tensor:
            h = self.ln1(x)
            x = x + self.attn(h, h, mask)
            x = x + self.mlp(self.ln2(x))
            return self.ln_f(x)

    class DecoderBlock(nn.Module):
        """Pre-LN decoder block: causal self-attention (is_causal=True), cross-attention
        to an encoder memory of another length with an additive mask, GELU MLP."""

        def __init__(self, d: int = 32, heads: int = 4, ff: int = 64):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.self_attn = MHA(d, heads, causal=True)
            self.ln2 = nn.LayerNorm(d)
            self.cross_attn = MHA(d, heads, causal=False)
            self.ln3 = nn.LayerNorm(d)
            self.mlp = MLP(d, ff)
            self.ln_f = nn.LayerNorm(d)

        def forward(self, x: Tensor, memory: Tensor, memory_mask: Tensor) -> Tensor:
            h = self.ln1(x)
            x = x + self.self_attn(h, h, None)
            x = x + self.cross_attn(self.ln2(x), memory, memory_mask)
            x = x + self.mlp(self.ln3(x))
            return self.ln_f(x)

    return EncoderBlock, DecoderBlock


def _additive_mask(batch: int, q: int, kv: int, pad_last_row: int):
    """[B, 1, q, kv] float mask: 0 where attended, -1e4 on the last row's trailing keys."""
    import torch

    m = torch.zeros(batch, 1, q, kv)
    if pad_last_row:
        m[-1, :, :, kv - pad_last_row:] = -1e4
    return m


def build_encoder_sdpa_script():
    import torch

    G = _G()
    d, heads, ff, batch, seq = 32, 4, 64, 2, 8
    EncoderBlock, _ = _sdpa_modules()
    G.seed_everything()
    model = EncoderBlock(d, heads, ff).eval()
    g = G.gen(1)
    inputs = {"x": torch.randn(batch, seq, d, generator=g),
              "mask": _additive_mask(batch, seq, seq, 3)}
    return (model, inputs, "custom pre-LN encoder block with F.scaled_dot_product_attention "
            "(additive float mask) (scripted)",
            {"d_model": d, "heads": heads, "ff": ff, "batch": batch, "seq": seq}, [])


def build_decoder_sdpa_script():
    import torch

    G = _G()
    d, heads, ff, batch, tgt, src = 32, 4, 64, 2, 8, 12
    _, DecoderBlock = _sdpa_modules()
    G.seed_everything()
    model = DecoderBlock(d, heads, ff).eval()
    g = G.gen(1)
    inputs = {"x": torch.randn(batch, tgt, d, generator=g),
              "memory": torch.randn(batch, src, d, generator=g),
              "memory_mask": _additive_mask(batch, tgt, src, 4)}
    return (model, inputs, "custom pre-LN decoder block: causal self-attention (is_causal=True) "
            "+ cross-attention (q len 8, kv len 12) with F.scaled_dot_product_attention "
            "(scripted)",
            {"d_model": d, "heads": heads, "ff": ff, "batch": batch, "tgt": tgt, "src": src},
            [])


def build_encoder_layer_script():
    import torch
    from torch import Tensor, nn

    G = _G()
    d, heads, ff, layers, batch, seq = 32, 4, 64, 2, 2, 8

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(d_model=d, nhead=heads, dim_feedforward=ff,
                                               dropout=0.0, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers=layers,
                                                 enable_nested_tensor=False)

        def forward(self, src: Tensor, src_key_padding_mask: Tensor) -> Tensor:
            return self.encoder(src, src_key_padding_mask=src_key_padding_mask)

    G.seed_everything()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Encoder().eval()
    g = G.gen(1)
    pad = torch.zeros(batch, seq, dtype=torch.bool)
    pad[-1, seq - 3:] = True  # True = padding
    inputs = {"src": torch.randn(batch, seq, d, generator=g), "src_key_padding_mask": pad}
    return (model, inputs, "torch.nn.TransformerEncoder(2 x TransformerEncoderLayer, "
            "batch_first, dropout 0, enable_nested_tensor=False) (scripted)",
            {"d_model": d, "heads": heads, "ff": ff, "layers": layers, "batch": batch,
             "seq": seq}, [])


def build_control_flow_script():
    import torch
    from torch import Tensor, nn

    G = _G()
    d, steps, batch = 8, 3, 2

    class ControlFlow(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(d, d) for _ in range(steps)])
            self.wide = nn.Linear(d, d)
            self.narrow = nn.Linear(d, d)

        def forward(self, x: Tensor) -> Tensor:
            # shape-dependent branch: static after freezing for a fixed input shape
            if x.size(1) > 4:
                x = self.wide(x)
            else:
                x = self.narrow(x)
            for blk in self.blocks:  # unrolled over the ModuleList
                x = x + torch.relu(blk(x))
            for i in range(3):  # loop over a constant range
                x = x * 0.5 + float(i)
            return x

    G.seed_everything()
    model = ControlFlow().eval()
    return (model, {"x": torch.randn(batch, d, generator=G.gen(1))},
            "custom module: if on x.size(1), for over nn.ModuleList and over range(3) (scripted)",
            {"features": d, "steps": steps, "batch": batch}, [])


# --------------------------------------------------------------------------- model table


def _hf(fn, *a, **kw):
    def build():
        b = fn(False, *a, **kw)
        return b.module, b.inputs, None, b.config, list(b.notes)
    return build


def _rnn_trace(kind):
    def build():
        G = _G()
        b = G._rnn_model(kind, False)
        return b.module, b.inputs, None, b.config, list(b.notes)
    return build


def model_table():
    G = _G()
    # name -> (mode, source, build) ; build() -> (module, inputs, source|None, config, notes)
    return {
        "bert.trace": ("trace", "transformers.BertModel", _hf(G.build_bert)),
        "bert.sdpa.trace": ("trace", "transformers.BertModel (attn_implementation=sdpa)",
                            _hf(G.build_bert, attention="sdpa")),
        "vit.trace": ("trace", "transformers.ViTModel", _hf(G.build_vit)),
        "clip.trace": ("trace", "transformers.CLIPModel (text + vision towers)",
                       _hf(G.build_clip)),
        "t5.trace": ("trace", "transformers.T5Model (encoder-decoder)", _hf(G.build_t5)),
        "gpt2.trace": ("trace", "transformers.GPT2LMHeadModel (causal, no KV cache)",
                       _hf(G.build_gpt2)),
        "gpt2.sdpa.trace": ("trace", "transformers.GPT2LMHeadModel (attn_implementation=sdpa)",
                            _hf(G.build_gpt2, attention="sdpa")),
        "whisper.trace": ("trace", "transformers.WhisperModel (audio encoder + text decoder)",
                          _hf(G.build_whisper)),
        "resnet.trace": ("trace", "transformers.ResNetForImageClassification",
                         _hf(G.build_resnet)),
        "mobilenet_v2.trace": ("trace", None, build_small_mobilenet_v2),
        "lstm.trace": ("trace", "torch.nn.LSTM (2 layers, batch_first) + Linear",
                       _rnn_trace("lstm")),
        "gru.trace": ("trace", "torch.nn.GRU (2 layers, bidirectional, batch_first) + Linear",
                      _rnn_trace("gru")),
        "mobilenet_v2.script": ("script", None, build_small_mobilenet_v2),
        "resnet18.script": ("script", None, build_resnet18_script),
        "lstm.script": ("script", None, lambda: build_rnn_script("lstm")),
        "gru.script": ("script", None, lambda: build_rnn_script("gru")),
        "encoder_sdpa.script": ("script", None, build_encoder_sdpa_script),
        "decoder_sdpa.script": ("script", None, build_decoder_sdpa_script),
        "encoder_layer.script": ("script", None, build_encoder_layer_script),
        "control_flow.script": ("script", None, build_control_flow_script),
    }


# --------------------------------------------------------------------------- helpers


def _flatten(out) -> list:
    if isinstance(out, (tuple, list)):
        r = []
        for o in out:
            r.extend(_flatten(o))
        return r
    return [out]


def run_module(m, inputs: list) -> list:
    import torch

    with torch.no_grad():
        return [o.detach().cpu().numpy() for o in _flatten(m(*inputs))]


def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    if a.dtype == np.bool_:
        return float(np.any(a != b))
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


def importer_graph(path: str):
    """The graph the C++ importer sees: load, freeze, inline, remove mutation, constant
    propagation, dce."""
    import torch

    m = torch.jit.load(path).eval()
    f = torch.jit.freeze(m)
    g = f.graph
    torch._C._jit_pass_inline(g)
    torch._C._jit_pass_remove_mutation(g)
    torch._C._jit_pass_constant_propagation(g)
    torch._C._jit_pass_dce(g)
    return f, g


def walk_nodes(block_or_graph):
    for n in block_or_graph.nodes():
        yield n
        for b in n.blocks():
            yield from walk_nodes(b)


def node_kinds(g) -> Counter:
    return Counter(n.kind() for n in walk_nodes(g))


def graph_remarks(kinds: Counter) -> list:
    r = []
    ctl = sorted(k for k in kinds if k in ("prim::If", "prim::Loop"))
    if ctl:
        r.append(f"control flow left after freezing: {', '.join(ctl)}")
    inplace = sorted(k for k in kinds if k.startswith("aten::") and k.endswith("_")
                     and not k.endswith("__"))
    if inplace:
        r.append(f"in-place ops left after remove_mutation: {', '.join(inplace)}")
    shape = sorted(k for k in kinds if k in ("aten::size", "prim::NumToTensor", "aten::Int",
                                             "aten::ScalarImplicit", "aten::Float",
                                             "prim::shape", "aten::len", "aten::dim"))
    if shape:
        r.append(f"shape/scalar ops left: {', '.join(f'{k} x{kinds[k]}' for k in shape)}")
    return r


def strip_debug_info(path: str) -> None:
    """Drop the *.debug_pkl records (source ranges, which embed the generating machine's
    site-packages paths and source text) from a torch.jit.save archive.  Keeps every other
    record with its compression, and pads stored records to 64-byte alignment like
    torch's writer.  torch.jit.load does not need the debug records."""
    import struct
    import zipfile

    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i)) for i in zin.infolist() if not i.filename.endswith(".debug_pkl")]
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        with zipfile.ZipFile(raw, "w") as zout:
            for info, data in items:
                ni = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                ni.compress_type = info.compress_type
                ni.external_attr = 0o600 << 16
                if ni.compress_type == zipfile.ZIP_STORED:
                    start = raw.tell() + 30 + len(info.filename.encode()) + 4
                    pad = (-start) % 64
                    ni.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad  # 'FB' padding
                zout.writestr(ni, data)
    os.replace(tmp, path)


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def tensor_info(name, arr) -> dict:
    return {"name": name, "dtype": str(arr.dtype), "shape": list(arr.shape)}


def versions() -> dict:
    import platform

    import onnx
    import torch

    v = {"python": platform.python_version(), "numpy": np.__version__,
         "torch": torch.__version__, "onnx": onnx.__version__}
    for mod in ("torchvision", "transformers"):
        try:
            v[mod] = __import__(mod).__version__
        except Exception:
            v[mod] = None
    return v


def write_test_set(mdir: str, input_names: list, feeds: dict, outputs: list,
                   output_names: list) -> None:
    G = _G()
    for f in glob.glob(os.path.join(mdir, "test_data_set_0", "*.pb")):
        os.remove(f)
    G.write_test_set(mdir, 0, input_names, feeds, outputs, output_names)


# --------------------------------------------------------------------------- generate


def generate_one(name: str, mode: str, source: str | None, build, outdir: str) -> dict:
    import torch

    G = _G()
    G.seed_everything()
    module, inputs, src2, config, notes = build()
    source = source or src2
    module = module.eval()
    args = tuple(inputs.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.no_grad():
            eager = run_module(module, list(args))
            if mode == "trace":
                sm = torch.jit.trace(module, args, check_trace=False, _store_inputs=False)
            else:
                sm = torch.jit.script(module)
    mdir = os.path.join(outdir, name)
    os.makedirs(mdir, exist_ok=True)
    path = os.path.join(mdir, "model.pt")
    torch.jit.save(sm, path)
    strip_debug_info(path)

    loaded = torch.jit.load(path).eval()
    saved = run_module(loaded, list(args))
    if len(saved) != len(eager):
        raise RuntimeError(f"{len(saved)} outputs from the saved module, {len(eager)} eager")
    diffs = [max_abs_diff(a, b) for a, b in zip(eager, saved)]

    # forward's argument names as the saved module sees them
    # forward's argument names as the saved module's schema has them (for traced modules
    # these are the traced graph's names, e.g. `input`/`hx` for an RNN); the .pb tensors
    # carry these names, the manifest also keeps the builder's name as `label`
    arg_names = [a.name for a in loaded.forward.schema.arguments[1:]]
    if len(arg_names) != len(inputs):
        raise RuntimeError(f"forward takes {arg_names}, the builder gives {list(inputs)}")
    feeds = {a: v.detach().cpu().numpy() for a, v in zip(arg_names, inputs.values())}
    out_names = [f"output_{i}" for i in range(len(saved))]
    write_test_set(mdir, arg_names, feeds, saved, out_names)

    _, g = importer_graph(path)
    kinds = node_kinds(g)
    size = os.path.getsize(path)
    remarks = graph_remarks(kinds)
    if "sdpa" in name:
        has = kinds.get("aten::scaled_dot_product_attention", 0)
        remarks.append(f"aten::scaled_dot_product_attention x{has}" if has else
                       "NO aten::scaled_dot_product_attention in the graph")
    return {
        "name": name, "mode": mode, "source": source, "config": config, "notes": notes,
        "file": f"{name}/model.pt", "file_size": size, "sha256": sha256(path),
        "inputs": [dict(tensor_info(a, feeds[a]), label=k) for a, k in zip(arg_names, inputs)],
        "outputs": [tensor_info(n, a) for n, a in zip(out_names, saved)],
        "eager_vs_saved_max_abs_diff": max(diffs) if diffs else 0.0,
        "eager_vs_saved_per_output": diffs,
        "node_count": sum(kinds.values()),
        "aten_ops": dict(sorted(kinds.items())),
        "remarks": remarks,
    }


def generate(outdir: str, only: list | None) -> int:
    import torch

    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    torch.use_deterministic_algorithms(True, warn_only=True)
    table = model_table()
    names = list(table)
    if only:
        bad = [n for n in only if n not in table]
        if bad:
            print(f"unknown model(s) {bad}; known: {names}", file=sys.stderr)
            return 2
        names = [n for n in names if n in only]
    os.makedirs(outdir, exist_ok=True)
    manifest_path = os.path.join(outdir, "manifest.json")
    old = {}
    if only and os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
    models = {m["name"]: m for m in old.get("models", [])}
    failures = {x["name"]: x for x in old.get("failures", [])}

    t0 = time.time()
    for name in names:
        mode, source, build = table[name]
        models.pop(name, None)
        failures.pop(name, None)
        try:
            models[name] = generate_one(name, mode, source, build, outdir)
            m = models[name]
            print(f"  {name:22s} {mode:6s} {m['file_size']:>8,} B  {m['node_count']:4d} nodes  "
                  f"diff {m['eager_vs_saved_max_abs_diff']:.1e}", flush=True)
        except Exception as e:
            msg = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
            print(f"  {name:22s} FAILED: {msg}", flush=True)
            failures[name] = {"name": name, "mode": mode, "error": msg}

    order = {n: i for i, n in enumerate(table)}
    entries = [models[n] for n in sorted(models, key=lambda n: order.get(n, 99))]
    union: dict = {}
    for m in entries:
        for k in m["aten_ops"]:
            union.setdefault(k, []).append(m["name"])
    manifest = {
        "generator": "test/models/torch_generate.py",
        "seed": _G().SEED,
        "reference": "outputs of the saved module (torch.jit.load, eval, no_grad), CPU",
        "importer_graph": "torch.jit.freeze, then inline, remove_mutation, "
                          "constant_propagation, dce; node kinds counted over nested blocks",
        "versions": versions(),
        "models": entries,
        "failures": sorted(failures.values(), key=lambda x: order.get(x["name"], 99)),
        "all_ops": sorted(union),
        "all_ops_models": {k: v for k, v in sorted(union.items())},
        "total_model_bytes": sum(m["file_size"] for m in entries),
    }
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    print(f"\ndone in {time.time() - t0:.1f}s: {len(entries)} models, {len(failures)} failures, "
          f"{manifest['total_model_bytes']:,} bytes of model.pt")
    print(f"\n{'model':22s} {'mode':6s} {'bytes':>8s} {'nodes':>5s} {'diff':>8s}  remarks")
    rc = 0
    for m in entries:
        print(f"{m['name']:22s} {m['mode']:6s} {m['file_size']:>8,} {m['node_count']:>5d} "
              f"{m['eager_vs_saved_max_abs_diff']:8.1e}  {'; '.join(m['remarks'])}")
        if m["file_size"] > MAX_BYTES:
            print(f"ERROR: {m['name']} model.pt is over {MAX_BYTES:,} bytes")
            rc = 1
        elif m["file_size"] > WARN_BYTES:
            print(f"WARNING: {m['name']} model.pt is over {WARN_BYTES:,} bytes")
    for x in manifest["failures"]:
        print(f"FAILED {x['name']}: {x['error']}")
        rc = 1
    print(f"\nall_ops ({len(union)}):")
    print(", ".join(sorted(union)))
    return rc


# --------------------------------------------------------------------------- verify


def verify(outdir: str) -> int:
    """Reload every OUTDIR/*/model.pt, run it on test_data_set_* and compare with the
    stored outputs.  Needs only torch, numpy and onnx."""
    import torch
    from onnx import TensorProto, numpy_helper

    def load(pb):
        t = TensorProto()
        with open(pb, "rb") as f:
            t.ParseFromString(f.read())
        return numpy_helper.to_array(t)

    def idx(p):
        return int(p.rsplit("_", 1)[1][:-3])

    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    bad = n = 0
    for path in sorted(glob.glob(os.path.join(outdir, "*", "model.pt"))):
        mdir = os.path.dirname(path)
        m = torch.jit.load(path).eval()
        for sdir in sorted(glob.glob(os.path.join(mdir, "test_data_set_*"))):
            n += 1
            ins = [torch.from_numpy(load(p).copy())
                   for p in sorted(glob.glob(os.path.join(sdir, "input_*.pb")), key=idx)]
            refs = [load(p) for p in sorted(glob.glob(os.path.join(sdir, "output_*.pb")),
                                            key=idx)]
            try:
                got = run_module(m, ins)
                ok = len(got) == len(refs) and all(
                    a.shape == b.shape and a.dtype == b.dtype
                    and np.allclose(a, b, rtol=RTOL, atol=ATOL) for a, b in zip(got, refs))
                worst = max((max_abs_diff(a, b) for a, b in zip(got, refs)), default=0.0)
                msg = f"max abs diff {worst:.3e}"
            except Exception as e:
                ok, msg = False, f"{type(e).__name__}: {e}"
            bad += not ok
            print(f"  {'ok  ' if ok else 'FAIL'} {os.path.relpath(sdir, outdir):45s} {msg}")
    print(f"{n - bad} passed, {bad} failed")
    return 1 if bad or n == 0 else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="output directory (test/models/torch)")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="only these models")
    ap.add_argument("--verify", action="store_true",
                    help="re-check model.pt files in --out against their test_data_set_* "
                         "(needs only torch, numpy, onnx)")
    ap.add_argument("--list", action="store_true", help="list model names and exit")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)  # torch.jit.* deprecation
    if args.list:
        for n, (mode, src, _) in model_table().items():
            print(f"{n:22s} {mode:6s} {src or ''}")
        return 0
    if not args.out:
        ap.error("--out is required")
    if args.verify:
        return verify(args.out)
    if os.environ.get("PYTHONHASHSEED") != "0":
        # TorchScript emits a scripted module's __constants__ (a set of names) in set order,
        # so the saved code and hence model.pt depend on str hashing: pin it.
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, os.path.abspath(__file__)] + sys.argv[1:])
    return generate(os.path.abspath(args.out), args.only)


if __name__ == "__main__":
    sys.exit(main())
