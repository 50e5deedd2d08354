#!/usr/bin/env python3
"""Generate small ONNX models of real model families with their real exporters.

Every model is built from a config in code with random (seeded) weights -- no hub
downloads -- and exported with

  * the TorchScript-based exporter (torch.onnx.export(..., dynamo=False)) at a fixed
    opset (17), static shapes                                  -> OUTDIR/<name>/
  * the torch.export-based exporter (dynamo=True, opset 18, IR 10), where it works
                                                               -> OUTDIR/<name>.dynamo/
  * for BERT additionally with symbolic batch/sequence dims (dynamic_axes)
                                                               -> OUTDIR/bert.dynamic/
                                                                  OUTDIR/bert.dynamic.dynamo/

Each model directory uses the ONNX backend-test layout:

  OUTDIR/<name>/model.onnx
  OUTDIR/<name>/test_data_set_0/input_N.pb, output_N.pb   (onnx.TensorProto)

The outputs are computed by onnxruntime (CPUExecutionProvider, graph optimizations
disabled, one thread) on that very model file, and compared with torch's own output.
OUTDIR/manifest.json records per model: family, exporter, opsets, IR version, size,
sha256, op types (with domain), inputs/outputs (names, dtypes, shapes) and the
torch-vs-onnxruntime max abs diff.  Models that fail to export are recorded there too
(under "failures") instead of aborting the run.

Usage:
  generate.py --out DIR [--only NAME ...] [--full] [--no-dynamo] [--keep-metadata]
  generate.py --out DIR --verify     # re-check stored files with onnxruntime only
  generate.py --list

--full builds full-size configs (BERT-base, ViT-B/16, ResNet-50, GPT-2 small, T5-small,
Whisper-tiny, CLIP ViT-B/32, MobileNetV2, EfficientNet-B0, bigger RNNs; random
weights) for benchmarks.  Those are hundreds of MB; do not commit them.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import platform
import random
import shutil
import sys
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

TORCHSCRIPT_OPSET = 17
DYNAMO_OPSET = 18
SEED = 0
WARN_DIFF = 1e-4


# --------------------------------------------------------------------------- helpers


def seed_everything(seed: int = SEED) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def gen(seed: int):
    import torch

    g = torch.Generator()
    g.manual_seed(seed)
    return g


def token_ids(g, batch: int, seq: int, vocab: int, low: int = 3):
    import torch

    return torch.randint(low, vocab, (batch, seq), generator=g, dtype=torch.int64)


def padded_mask(batch: int, seq: int, pad_last_row: int):
    """All ones, except that the last row has `pad_last_row` trailing padding tokens."""
    import torch

    m = torch.ones(batch, seq, dtype=torch.int64)
    if batch > 1 and pad_last_row:
        m[-1, seq - pad_last_row:] = 0
    return m


def randomize_batchnorm(model, seed: int) -> None:
    """Give BatchNorm layers non-trivial running statistics and affine params, so
    that conv+BN folding by the exporters/compilers is actually exercised."""
    import torch

    g = gen(seed)
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                n = mod.num_features
                mod.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
                mod.running_var.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
                if mod.affine:
                    mod.weight.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
                    mod.bias.copy_(torch.randn(n, generator=g) * 0.1)


def hf_attn_kwargs(attention: str = "eager") -> dict:
    # Plain matmul/softmax attention: exports with both exporters and at opset 17. "sdpa"
    # (transformers' default) exports torch's scaled_dot_product_attention decomposition
    # instead: the scale on Q and K, and a NaN guard after the softmax.
    return {"attn_implementation": attention}


class HFWrapper:
    """Builds an nn.Module that calls a transformers model with keyword arguments
    and returns a tuple of the selected output fields, so that both exporters see a
    plain positional signature and a flat output list."""

    def __new__(cls, model, input_names, output_fields, fixed_kwargs=None):
        import torch

        class _Wrapped(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.model = model
                self.input_names = list(input_names)
                self.output_fields = list(output_fields)
                self.fixed_kwargs = dict(fixed_kwargs or {})

            def forward(self, *args):
                kwargs = dict(zip(self.input_names, args))
                kwargs.update(self.fixed_kwargs)
                out = self.model(**kwargs, return_dict=True)
                return tuple(out[f] for f in self.output_fields)

        return _Wrapped().eval()


@dataclass
class Built:
    module: object
    inputs: dict  # name -> torch.Tensor, in the model's positional order
    output_names: list
    config: dict  # a few numbers that describe the size
    dynamic_axes: dict | None = None
    # extra input sets (name -> tensor) to write as test_data_set_1.. (dynamic models)
    extra_inputs: list = field(default_factory=list)
    # torch.export.Dim ranges per symbolic dim name (dynamo exporter)
    dim_ranges: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


@dataclass
class Spec:
    name: str
    family: str
    source: str
    build: Callable[[bool], Built]
    dynamo: bool = True


# --------------------------------------------------------------------------- models


def build_bert(full: bool, dynamic: bool = False, attention: str = "eager") -> Built:
    import torch
    import transformers as T

    if full:
        cfg = T.BertConfig(**hf_attn_kwargs(attention))  # bert-base-uncased geometry
        batch, seq = 1, 128
    else:
        cfg = T.BertConfig(vocab_size=128, hidden_size=32, num_hidden_layers=2,
                           num_attention_heads=4, intermediate_size=64,
                           max_position_embeddings=64, type_vocab_size=2,
                           **hf_attn_kwargs(attention))
        batch, seq = 2, 16
    model = T.BertModel(cfg).eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]

    def make_inputs(b, s, seed):
        g = gen(seed)
        tt = torch.zeros(b, s, dtype=torch.int64)
        tt[:, s // 2:] = 1
        return {"input_ids": token_ids(g, b, s, cfg.vocab_size),
                "attention_mask": padded_mask(b, s, max(1, s // 4)),
                "token_type_ids": tt}

    built = Built(HFWrapper(model, names, ["last_hidden_state", "pooler_output"]),
                  make_inputs(batch, seq, 1), ["last_hidden_state", "pooler_output"],
                  {"hidden": cfg.hidden_size, "layers": cfg.num_hidden_layers,
                   "heads": cfg.num_attention_heads, "vocab": cfg.vocab_size,
                   "batch": batch, "seq": seq})
    if dynamic:
        built.dynamic_axes = {
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "token_type_ids": {0: "batch", 1: "sequence"},
            "last_hidden_state": {0: "batch", 1: "sequence"},
            "pooler_output": {0: "batch"},
        }
        built.extra_inputs = [make_inputs(3, 10 if not full else 64, 2)]
        built.dim_ranges = {"batch": {"min": 1, "max": 1024},
                            "sequence": {"min": 2, "max": cfg.max_position_embeddings}}
    return built


def build_vit(full: bool) -> Built:
    import torch
    import transformers as T

    if full:
        cfg = T.ViTConfig(**hf_attn_kwargs())  # ViT-B/16, 224x224
    else:
        cfg = T.ViTConfig(image_size=32, patch_size=8, num_channels=3, hidden_size=32,
                          num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                          **hf_attn_kwargs())
    model = T.ViTModel(cfg).eval()
    g = gen(1)
    px = torch.randn(1, 3, cfg.image_size, cfg.image_size, generator=g)
    outs = ["last_hidden_state", "pooler_output"]
    return Built(HFWrapper(model, ["pixel_values"], outs), {"pixel_values": px}, outs,
                 {"hidden": cfg.hidden_size, "layers": cfg.num_hidden_layers,
                  "heads": cfg.num_attention_heads, "image": cfg.image_size,
                  "patch": cfg.patch_size})


def build_clip(full: bool) -> Built:
    import torch
    import transformers as T

    if full:
        text = dict(pad_token_id=1, bos_token_id=49406, eos_token_id=49407)
        vision = {}
        cfg = T.CLIPConfig(text_config=text, vision_config=vision, **hf_attn_kwargs())
        batch, seq = 2, 77
    else:
        text = dict(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                    num_attention_heads=4, max_position_embeddings=32, pad_token_id=1,
                    bos_token_id=0, eos_token_id=127)
        vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, image_size=32, patch_size=8)
        cfg = T.CLIPConfig(text_config=text, vision_config=vision, projection_dim=32,
                           **hf_attn_kwargs())
        batch, seq = 2, 12
    model = T.CLIPModel(cfg).eval()
    tc, vc = cfg.text_config, cfg.vision_config
    g = gen(1)
    ids = token_ids(g, batch, seq, tc.eos_token_id - 1)
    mask = padded_mask(batch, seq, seq // 3)
    ids[:, 0] = tc.bos_token_id
    for b in range(batch):  # eos at the last real token, padding after it
        last = int(mask[b].sum()) - 1
        ids[b, last] = tc.eos_token_id
        ids[b, last + 1:] = tc.pad_token_id
    px = torch.randn(1, 3, vc.image_size, vc.image_size, generator=g)
    names = ["input_ids", "pixel_values", "attention_mask"]
    outs = ["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"]
    return Built(HFWrapper(model, names, outs),
                 {"input_ids": ids, "pixel_values": px, "attention_mask": mask}, outs,
                 {"text_hidden": tc.hidden_size, "vision_hidden": vc.hidden_size,
                  "layers": tc.num_hidden_layers, "heads": tc.num_attention_heads,
                  "projection": cfg.projection_dim, "image": vc.image_size, "seq": seq})


def build_t5(full: bool) -> Built:
    import transformers as T

    if full:
        cfg = T.T5Config(decoder_start_token_id=0, pad_token_id=0, eos_token_id=1,
                         **hf_attn_kwargs())  # t5-small geometry
        batch, src, tgt = 1, 64, 16
    else:
        cfg = T.T5Config(vocab_size=128, d_model=32, d_kv=8, d_ff=64, num_layers=2,
                         num_decoder_layers=2, num_heads=4,
                         relative_attention_num_buckets=16, relative_attention_max_distance=32,
                         decoder_start_token_id=0, pad_token_id=0, eos_token_id=1,
                         **hf_attn_kwargs())
        batch, src, tgt = 2, 12, 6
    model = T.T5Model(cfg).eval()
    g = gen(1)
    ids = token_ids(g, batch, src, cfg.vocab_size)
    dec = token_ids(g, batch, tgt, cfg.vocab_size)
    dec[:, 0] = cfg.decoder_start_token_id
    names = ["input_ids", "attention_mask", "decoder_input_ids"]
    outs = ["last_hidden_state", "encoder_last_hidden_state"]
    return Built(HFWrapper(model, names, outs, {"use_cache": False}),
                 {"input_ids": ids, "attention_mask": padded_mask(batch, src, src // 4),
                  "decoder_input_ids": dec}, outs,
                 {"d_model": cfg.d_model, "layers": cfg.num_layers,
                  "decoder_layers": cfg.num_decoder_layers, "heads": cfg.num_heads,
                  "vocab": cfg.vocab_size, "src": src, "tgt": tgt})


def build_gpt2(full: bool, attention: str = "eager") -> Built:
    import transformers as T

    if full:
        cfg = T.GPT2Config(**hf_attn_kwargs(attention))  # gpt2 (124M)
        batch, seq = 1, 128
    else:
        cfg = T.GPT2Config(vocab_size=128, n_positions=32, n_embd=32, n_layer=2, n_head=4,
                           bos_token_id=127, eos_token_id=127, **hf_attn_kwargs(attention))
        batch, seq = 2, 16
    model = T.GPT2LMHeadModel(cfg).eval()
    g = gen(1)
    names = ["input_ids", "attention_mask"]
    return Built(HFWrapper(model, names, ["logits"], {"use_cache": False}),
                 {"input_ids": token_ids(g, batch, seq, cfg.vocab_size),
                  "attention_mask": padded_mask(batch, seq, seq // 4)}, ["logits"],
                 {"hidden": cfg.n_embd, "layers": cfg.n_layer, "heads": cfg.n_head,
                  "vocab": cfg.vocab_size, "batch": batch, "seq": seq})


def build_whisper(full: bool) -> Built:
    import torch
    import transformers as T

    if full:
        # whisper-tiny geometry
        cfg = T.WhisperConfig(vocab_size=51865, num_mel_bins=80, encoder_layers=4,
                              encoder_attention_heads=6, decoder_layers=4,
                              decoder_attention_heads=6, d_model=384, encoder_ffn_dim=1536,
                              decoder_ffn_dim=1536, max_source_positions=1500,
                              max_target_positions=448, **hf_attn_kwargs())
        tgt = 16
    else:
        cfg = T.WhisperConfig(vocab_size=128, num_mel_bins=80, encoder_layers=2,
                              encoder_attention_heads=4, decoder_layers=2,
                              decoder_attention_heads=4, d_model=32, encoder_ffn_dim=64,
                              decoder_ffn_dim=64, max_source_positions=32,
                              max_target_positions=32, pad_token_id=1, bos_token_id=2,
                              eos_token_id=2, decoder_start_token_id=3,
                              begin_suppress_tokens=None, suppress_tokens=None,
                              **hf_attn_kwargs())
        tgt = 6
    model = T.WhisperModel(cfg).eval()
    g = gen(1)
    frames = 2 * cfg.max_source_positions  # the encoder's two convs halve this
    feats = torch.randn(1, cfg.num_mel_bins, frames, generator=g)
    dec = token_ids(g, 1, tgt, cfg.vocab_size, low=4)
    dec[:, 0] = cfg.decoder_start_token_id
    # decoder_attention_mask is passed explicitly: without it transformers' mask code
    # looks for packed sequences with torch.diff, which the TorchScript exporter
    # cannot export (aten::diff has no ONNX symbolic).
    names = ["input_features", "decoder_input_ids", "decoder_attention_mask"]
    outs = ["last_hidden_state", "encoder_last_hidden_state"]
    return Built(HFWrapper(model, names, outs, {"use_cache": False}),
                 {"input_features": feats, "decoder_input_ids": dec,
                  "decoder_attention_mask": torch.ones_like(dec)}, outs,
                 notes=["decoder_attention_mask is an explicit input: without it transformers "
                        "builds a packed-sequence mask with torch.diff (aten::diff), which the "
                        "TorchScript exporter cannot export"],
                 config={"d_model": cfg.d_model, "encoder_layers": cfg.encoder_layers,
                         "decoder_layers": cfg.decoder_layers,
                         "heads": cfg.encoder_attention_heads, "mel_bins": cfg.num_mel_bins,
                         "frames": frames, "tgt": tgt, "vocab": cfg.vocab_size})


def build_resnet(full: bool) -> Built:
    import torch
    import transformers as T

    if full:
        cfg = T.ResNetConfig(num_labels=1000)  # defaults are ResNet-50 (bottleneck, 3-4-6-3)
        image = 224
    else:
        # ResNet-18 topology (basic blocks, 2-2-2-2), narrow
        cfg = T.ResNetConfig(embedding_size=8, hidden_sizes=[8, 12, 16, 32], depths=[2, 2, 2, 2],
                             layer_type="basic", num_labels=10)
        image = 48
    model = T.ResNetForImageClassification(cfg).eval()
    randomize_batchnorm(model, 7)
    g = gen(1)
    px = torch.randn(1, 3, image, image, generator=g)
    return Built(HFWrapper(model, ["pixel_values"], ["logits"]), {"pixel_values": px},
                 ["logits"], {"layer_type": cfg.layer_type, "depths": cfg.depths,
                              "hidden_sizes": cfg.hidden_sizes, "image": image})


def narrow_mobilenet_head(model, last: int, classes: int) -> None:
    """Replaces a torchvision MobileNetV2's final 1x1 conv (1280 channels) and classifier
    with ones of `last` channels."""
    import torch
    from torchvision.ops.misc import Conv2dNormActivation

    old = model.features[-1][0]
    model.features[-1] = Conv2dNormActivation(old.in_channels, last, kernel_size=1,
                                              norm_layer=torch.nn.BatchNorm2d,
                                              activation_layer=torch.nn.ReLU6)
    model.classifier[1] = torch.nn.Linear(last, classes)
    model.last_channel = last


def build_mobilenet_v2(full: bool) -> Built:
    import torch
    import torchvision

    wm, classes, image = (1.0, 1000, 224) if full else (0.1, 10, 48)
    model = torchvision.models.mobilenet_v2(weights=None, width_mult=wm, num_classes=classes)
    notes = []
    if not full:
        # torchvision keeps the final 1x1 conv at 1280 channels for any width_mult < 1;
        # that conv and the classifier would be 55% of the tiny model, so narrow them.
        last = 256
        narrow_mobilenet_head(model, last, classes)
        notes.append(f"final 1x1 conv narrowed from 1280 to {last} channels")
    model = model.eval()
    randomize_batchnorm(model, 7)
    g = gen(1)
    return Built(model, {"input": torch.randn(1, 3, image, image, generator=g)}, ["logits"],
                 {"width_mult": wm, "last_channel": model.last_channel,
                  "num_classes": classes, "image": image}, notes=notes)


def build_efficientnet(full: bool) -> Built:
    import torch
    import torchvision
    from torchvision.models.efficientnet import EfficientNet, _efficientnet_conf

    if full:
        model = torchvision.models.efficientnet_b0(weights=None)
        wm, dm, classes, image = 1.0, 1.0, 1000, 224
    else:
        # EfficientNet-B0 block structure (MBConv + squeeze-excitation, SiLU) scaled down;
        # depth 0.5 keeps stages with 2 blocks, i.e. residual MBConv blocks
        wm, dm, classes, image = 0.15, 0.5, 10, 48
        setting, last = _efficientnet_conf("efficientnet_b0", width_mult=wm, depth_mult=dm)
        model = EfficientNet(setting, dropout=0.2, last_channel=last, num_classes=classes)
    model = model.eval()
    randomize_batchnorm(model, 7)
    g = gen(1)
    return Built(model, {"input": torch.randn(1, 3, image, image, generator=g)}, ["logits"],
                 {"width_mult": wm, "depth_mult": dm, "num_classes": classes, "image": image})


def _rnn_model(kind: str, full: bool):
    import torch

    feat, hidden, layers, classes = (80, 256, 2, 32) if full else (16, 32, 2, 8)
    bidir = kind == "gru"  # the GRU is bidirectional, the LSTM is not
    dirs = 2 if bidir else 1

    class SeqModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            rnn_cls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
            self.rnn = rnn_cls(feat, hidden, num_layers=layers, batch_first=True,
                               bidirectional=bidir)
            self.head = torch.nn.Linear(hidden * dirs, classes)

        def forward(self, x, *state):
            if kind == "lstm":
                y, (h, c) = self.rnn(x, (state[0], state[1]))
                return self.head(y), h, c
            y, h = self.rnn(x, state[0])
            return self.head(y), h

    batch, seq = (4, 100) if full else (2, 10)
    g = gen(1)
    inputs = {"x": torch.randn(batch, seq, feat, generator=g),
              "h0": torch.randn(layers * dirs, batch, hidden, generator=g) * 0.5}
    outs = ["y", "h_n"]
    if kind == "lstm":
        inputs["c0"] = torch.randn(layers * dirs, batch, hidden, generator=g) * 0.5
        outs.append("c_n")
    return Built(SeqModel().eval(), inputs, outs,
                 {"input_size": feat, "hidden": hidden, "layers": layers,
                  "bidirectional": bidir, "batch": batch, "seq": seq})


SPECS = [
    Spec("bert", "bert", "transformers.BertModel", lambda f: build_bert(f)),
    Spec("bert.dynamic", "bert", "transformers.BertModel (dynamic batch/sequence)",
         lambda f: build_bert(f, dynamic=True)),
    Spec("bert.sdpa", "bert", "transformers.BertModel (attn_implementation=sdpa)",
         lambda f: build_bert(f, attention="sdpa")),
    Spec("vit", "vit", "transformers.ViTModel", build_vit),
    Spec("clip", "clip", "transformers.CLIPModel (text + vision towers)", build_clip),
    Spec("t5", "t5", "transformers.T5Model (encoder-decoder)", build_t5),
    Spec("gpt2", "gpt2", "transformers.GPT2LMHeadModel (causal, no KV cache)", build_gpt2),
    Spec("gpt2.sdpa", "gpt2", "transformers.GPT2LMHeadModel (attn_implementation=sdpa)",
         lambda f: build_gpt2(f, attention="sdpa")),
    Spec("whisper", "whisper", "transformers.WhisperModel (audio encoder + text decoder)",
         build_whisper),
    Spec("resnet", "resnet", "transformers.ResNetForImageClassification", build_resnet),
    Spec("mobilenet_v2", "mobilenet_v2", "torchvision.models.mobilenet_v2", build_mobilenet_v2),
    Spec("efficientnet", "efficientnet", "torchvision.models.EfficientNet (B0 layout)",
         build_efficientnet),
    Spec("lstm", "lstm", "torch.nn.LSTM (2 layers) + Linear", lambda f: _rnn_model("lstm", f)),
    Spec("gru", "gru", "torch.nn.GRU (2 layers, bidirectional) + Linear",
         lambda f: _rnn_model("gru", f)),
]


# --------------------------------------------------------------------------- export


def export_torchscript(b: Built, path: str) -> None:
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(b.module, tuple(b.inputs.values()), path, dynamo=False,
                          opset_version=TORCHSCRIPT_OPSET, input_names=list(b.inputs),
                          output_names=b.output_names, dynamic_axes=b.dynamic_axes,
                          do_constant_folding=True)


def export_dynamo(b: Built, path: str) -> None:
    import torch

    dynamic_shapes = None
    if b.dynamic_axes:
        # torch.onnx cannot convert dynamic_axes for a forward(*args) signature itself
        dims: dict = {}
        for axes in b.dynamic_axes.values():
            for dname in axes.values():
                dims.setdefault(dname, torch.export.Dim(dname, **b.dim_ranges.get(dname, {})))
        dynamic_shapes = (tuple({ax: dims[d] for ax, d in b.dynamic_axes[n].items()}
                                if n in b.dynamic_axes else None for n in b.inputs),)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prog = torch.onnx.export(b.module, tuple(b.inputs.values()), None, dynamo=True,
                                 opset_version=DYNAMO_OPSET, input_names=list(b.inputs),
                                 output_names=b.output_names, dynamic_shapes=dynamic_shapes,
                                 optimize=True, verbose=False)
    prog.save(path, external_data=False)


def tensor_to_np(t):
    return t.detach().cpu().numpy()


def torch_outputs(b: Built, inputs: dict) -> list:
    import torch

    b.module.eval()  # the TorchScript exporter restores the module's train/eval state
    with torch.no_grad():
        out = b.module(*inputs.values())
    if not isinstance(out, (tuple, list)):
        out = (out,)
    return [tensor_to_np(o) for o in out]


def ort_session(path: str):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def collect_ops(model) -> Counter:
    """op types (domain, op) over the main graph, nested subgraphs and local functions."""
    import onnx

    ops: Counter = Counter()

    def walk(graph):
        for n in graph.node:
            ops[(n.domain or "ai.onnx", n.op_type)] += 1
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    walk(a.g)
                elif a.type == onnx.AttributeProto.GRAPHS:
                    for sg in a.graphs:
                        walk(sg)

    walk(model.graph)
    for fn in model.functions:
        for n in fn.node:
            ops[(n.domain or "ai.onnx", n.op_type)] += 1
    return ops


def value_info(vi) -> dict:
    import onnx

    tt = vi.type.tensor_type
    shape = []
    for d in tt.shape.dim:
        if d.HasField("dim_value"):
            shape.append(d.dim_value)
        elif d.HasField("dim_param"):
            shape.append(d.dim_param)
        else:
            shape.append(None)
    return {"name": vi.name, "dtype": onnx.helper.tensor_dtype_to_np_dtype(tt.elem_type).name,
            "shape": shape}


def write_test_set(dirpath: str, idx: int, graph_inputs: list, feeds: dict, outputs: list,
                   output_names: list) -> None:
    from onnx import numpy_helper

    d = os.path.join(dirpath, f"test_data_set_{idx}")
    os.makedirs(d, exist_ok=True)
    for i, name in enumerate(graph_inputs):
        t = numpy_helper.from_array(feeds[name], name)
        with open(os.path.join(d, f"input_{i}.pb"), "wb") as f:
            f.write(t.SerializeToString())
    for i, (name, arr) in enumerate(zip(output_names, outputs)):
        t = numpy_helper.from_array(arr, name)
        with open(os.path.join(d, f"output_{i}.pb"), "wb") as f:
            f.write(t.SerializeToString())


def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch: torch {a.shape} vs onnxruntime {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


def check_and_record(spec: Spec, b: Built, exporter: str, name: str, outdir: str,
                     export_seconds: float) -> dict:
    import onnx

    mdir = os.path.join(outdir, name)
    path = os.path.join(mdir, "model.onnx")
    model = onnx.load(path)
    checker = "ok"
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # recorded, not fatal
        checker = f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"

    sess = ort_session(path)
    graph_inputs = [i.name for i in sess.get_inputs()]
    graph_outputs = [o.name for o in sess.get_outputs()]
    input_sets = [b.inputs] + list(b.extra_inputs)
    per_set = []
    worst = 0.0
    for idx, inputs in enumerate(input_sets):
        missing = [n for n in graph_inputs if n not in inputs]
        if missing:
            raise RuntimeError(f"graph inputs {missing} are not model inputs {list(inputs)}")
        feeds = {n: tensor_to_np(inputs[n]) for n in graph_inputs}
        ort_out = sess.run(None, feeds)
        ref = dict(zip(b.output_names, torch_outputs(b, inputs)))
        diffs, scale = {}, {}
        for oname, arr in zip(graph_outputs, ort_out):
            if oname not in ref:
                raise RuntimeError(f"graph output {oname!r} not among {b.output_names}")
            diffs[oname] = max_abs_diff(ref[oname], arr)
            scale[oname] = float(np.max(np.abs(ref[oname]))) if ref[oname].size else 0.0
        write_test_set(mdir, idx, graph_inputs, feeds, ort_out, graph_outputs)
        set_max = max(diffs.values()) if diffs else 0.0
        worst = max(worst, set_max)
        per_set.append({"test_data_set": idx,
                        "input_shapes": {n: list(feeds[n].shape) for n in graph_inputs},
                        "max_abs_diff": diffs,
                        # max |torch output|, to put the absolute diff in scale
                        "max_abs_output": scale})

    flag = "WARN" if worst > WARN_DIFF or not np.isfinite(worst) else "ok"
    top = max((max(s["max_abs_output"].values(), default=0.0) for s in per_set), default=0.0)
    print(f"  {name:24s} {exporter:11s} max|torch-ort| = {worst:.3e} [{flag}]"
          f" (max|out| {top:.3g})"
          f"  size={os.path.getsize(path):,} B  export={export_seconds:.1f}s", flush=True)

    ops = collect_ops(model)
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    return {
        "name": name,
        "family": spec.family,
        "source": spec.source,
        "exporter": exporter,
        "path": os.path.relpath(path, outdir),
        "opset_import": {(o.domain or "ai.onnx"): o.version for o in model.opset_import},
        "opset": next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                      None),
        "ir_version": model.ir_version,
        "producer": f"{model.producer_name} {model.producer_version}".strip(),
        "file_size": os.path.getsize(path),
        "sha256": sha,
        "num_nodes": len(model.graph.node),
        "num_initializers": len(model.graph.initializer),
        "num_functions": len(model.functions),
        "op_types": [f"{d}::{op}" for d, op in sorted(ops)],
        "op_counts": {f"{d}::{op}": c for (d, op), c in sorted(ops.items())},
        "inputs": [value_info(i) for i in model.graph.input
                   if i.name not in {t.name for t in model.graph.initializer}],
        "outputs": [value_info(o) for o in model.graph.output],
        "dynamic": b.dynamic_axes is not None,
        "config": b.config,
        "notes": b.notes,
        "onnx_checker": checker,
        "test_data_sets": per_set,
        "max_abs_diff": worst,
        "diff_ok": bool(worst <= WARN_DIFF),
    }


@contextlib.contextmanager
def captured_output(buf: io.StringIO):
    """Capture Python- and C++-level stdout/stderr (the TorchScript exporter prints the
    whole graph from C++ on some failures) into buf."""
    import tempfile

    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 1)
        os.dup2(tmp.fileno(), 2)
        try:
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
                yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            tmp.seek(0)
            buf.write(tmp.read().decode("utf-8", "replace"))


def strip_metadata(path: str) -> int:
    """Drop per-node doc_string and metadata_props (the dynamo exporter stores stack
    traces and module paths there, about half the file of a tiny model).  Returns the
    number of bytes saved.  Graph structure, names and weights are unchanged."""
    import onnx

    before = os.path.getsize(path)
    model = onnx.load(path)
    changed = False

    def walk(graph):
        nonlocal changed
        for n in graph.node:
            changed |= bool(n.doc_string or n.metadata_props)
            n.doc_string = ""
            del n.metadata_props[:]
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    walk(a.g)
                elif a.type == onnx.AttributeProto.GRAPHS:
                    for sg in a.graphs:
                        walk(sg)
        for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
            changed |= bool(vi.doc_string or vi.metadata_props)
            vi.doc_string = ""
            del vi.metadata_props[:]
        for t in graph.initializer:
            changed |= bool(t.doc_string or t.metadata_props)
            t.doc_string = ""
            del t.metadata_props[:]

    walk(model.graph)
    for fn in model.functions:
        for n in fn.node:
            changed |= bool(n.doc_string or n.metadata_props)
            n.doc_string = ""
            del n.metadata_props[:]
    if not changed:  # keep the exporter's bytes as they are
        return 0
    onnx.save(model, path)
    return before - os.path.getsize(path)


def short_error(e: BaseException) -> str:
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    head = lines[0] if lines else ""
    return f"{type(e).__name__}: {head[:500]}"


def run_one(spec: Spec, exporter: str, full: bool, outdir: str, log_dir: str,
            keep_metadata: bool = False) -> dict:
    name = spec.name + (".dynamo" if exporter == "dynamo" else "")
    mdir = os.path.join(outdir, name)
    shutil.rmtree(mdir, ignore_errors=True)
    os.makedirs(mdir)
    seed_everything(SEED)
    b = spec.build(full)
    path = os.path.join(mdir, "model.onnx")
    buf = io.StringIO()
    t0 = time.time()
    try:
        with captured_output(buf):
            (export_dynamo if exporter == "dynamo" else export_torchscript)(b, path)
    except Exception as e:
        shutil.rmtree(mdir, ignore_errors=True)
        log = os.path.join(log_dir, f"{name}.log")
        with open(log, "w") as f:
            f.write(buf.getvalue())
            f.write(traceback.format_exc())
        raise RuntimeError(f"export failed: {short_error(e)} (log: {log})") from e
    dt = time.time() - t0
    stripped = 0 if keep_metadata else strip_metadata(path)
    try:
        rec = check_and_record(spec, b, exporter, name, outdir, dt)
        rec["metadata_stripped_bytes"] = stripped
        return rec
    except Exception:
        shutil.rmtree(mdir, ignore_errors=True)
        raise


def versions() -> dict:
    import onnx
    import onnxruntime
    import torch
    import torchvision
    import transformers

    v = {"python": platform.python_version(), "numpy": np.__version__,
         "torch": torch.__version__, "torchvision": torchvision.__version__,
         "transformers": transformers.__version__, "onnx": onnx.__version__,
         "onnxruntime": onnxruntime.__version__}
    try:
        import onnxscript

        v["onnxscript"] = onnxscript.__version__
    except Exception:
        v["onnxscript"] = None
    return v


def verify(outdir: str, atol: float = 1e-5) -> int:
    """Re-run every OUTDIR/<name>/model.onnx on its test_data_set_* with onnxruntime and
    compare with the stored outputs.  Needs only onnx, onnxruntime and numpy."""
    import glob

    from onnx import TensorProto, numpy_helper

    def load(pb):
        t = TensorProto()
        with open(pb, "rb") as f:
            t.ParseFromString(f.read())
        return t.name, numpy_helper.to_array(t)

    bad = n = 0
    for mpath in sorted(glob.glob(os.path.join(outdir, "*", "model.onnx"))):
        mdir = os.path.dirname(mpath)
        sess = ort_session(mpath)
        out_names = [o.name for o in sess.get_outputs()]
        for sdir in sorted(glob.glob(os.path.join(mdir, "test_data_set_*"))):
            n += 1
            ins = dict(load(p) for p in sorted(glob.glob(os.path.join(sdir, "input_*.pb")),
                                               key=lambda p: int(p.rsplit("_", 1)[1][:-3])))
            refs = [load(p) for p in sorted(glob.glob(os.path.join(sdir, "output_*.pb")),
                                            key=lambda p: int(p.rsplit("_", 1)[1][:-3]))]
            got = dict(zip(out_names, sess.run(None, ins)))
            worst = max(max_abs_diff(arr, got[name]) for name, arr in refs)
            ok = worst <= atol and len(refs) == len(out_names)
            bad += not ok
            print(f"  {'ok  ' if ok else 'FAIL'} {os.path.relpath(sdir, outdir):40s} "
                  f"max abs diff {worst:.3e}")
    print(f"{n - bad} passed, {bad} failed")
    return 1 if bad or n == 0 else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=False, help="output directory")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="only these models (names from --list; 'bert.dynamic' etc.)")
    ap.add_argument("--full", action="store_true",
                    help="full-size configs for benchmarks (large! do not commit)")
    ap.add_argument("--no-dynamo", action="store_true", help="skip the dynamo exporter")
    ap.add_argument("--keep-metadata", action="store_true",
                    help="keep the exporters' per-node doc_string/metadata_props")
    ap.add_argument("--verify", action="store_true",
                    help="only re-check the existing files in --out with onnxruntime "
                         "against their test_data_set_* (no torch needed)")
    ap.add_argument("--list", action="store_true", help="list model names and exit")
    args = ap.parse_args(argv)

    if args.list:
        for s in SPECS:
            print(f"{s.name:14s} {s.source}")
        return 0
    if not args.out:
        ap.error("--out is required")
    if args.verify:
        return verify(args.out)
    committed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx")
    if args.full and os.path.abspath(args.out) == committed:
        ap.error(f"--full would overwrite the committed tiny models in {committed}; "
                 "pick another --out")

    specs = SPECS
    if args.only:
        known = {s.name for s in SPECS}
        bad = [n for n in args.only if n not in known]
        if bad:
            ap.error(f"unknown model(s) {bad}; known: {sorted(known)}")
        specs = [s for s in SPECS if s.name in args.only]

    import torch

    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    torch.use_deterministic_algorithms(True, warn_only=True)

    outdir = os.path.abspath(args.out)
    os.makedirs(outdir, exist_ok=True)
    log_dir = os.path.join(outdir, "_logs")
    shutil.rmtree(log_dir, ignore_errors=True)
    os.makedirs(log_dir)

    manifest_path = os.path.join(outdir, "manifest.json")
    # With --only, keep the other entries of an existing manifest of the same kind.
    old = {}
    if args.only and os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
        if old.get("full") != args.full:
            old = {}
    models = {m["name"]: m for m in old.get("models", [])}
    failures = {(x["name"], x["exporter"]): x for x in old.get("failures", [])}

    t_start = time.time()
    print(f"generating {len(specs)} model(s) into {outdir} "
          f"({'full' if args.full else 'tiny'} configs)", flush=True)
    for spec in specs:
        exporters = ["torchscript"] + ([] if args.no_dynamo or not spec.dynamo else ["dynamo"])
        for exporter in exporters:
            name = spec.name + (".dynamo" if exporter == "dynamo" else "")
            failures.pop((spec.name, exporter), None)
            models.pop(name, None)
            try:
                models[name] = run_one(spec, exporter, args.full, outdir, log_dir,
                                       args.keep_metadata)
            except Exception as e:
                msg = short_error(e)
                print(f"  {name:24s} {exporter:11s} FAILED: {msg}", flush=True)
                failures[(spec.name, exporter)] = {"name": spec.name, "family": spec.family,
                                                   "exporter": exporter, "error": msg}
    elapsed = time.time() - t_start
    if not os.listdir(log_dir):
        os.rmdir(log_dir)

    order = {s.name: i for i, s in enumerate(SPECS)}

    def key(n):
        base = n[:-len(".dynamo")] if n.endswith(".dynamo") else n
        return (order.get(base, 99), n.endswith(".dynamo"))

    entries = [models[n] for n in sorted(models, key=key)]
    all_ops: dict = {}
    for m in entries:
        for op in m["op_types"]:
            all_ops.setdefault(op, []).append(m["name"])
    manifest = {
        "generator": "test/models/generate.py",
        "full": args.full,
        "seed": SEED,
        "torchscript_opset": TORCHSCRIPT_OPSET,
        "dynamo_opset": DYNAMO_OPSET,
        "reference": "onnxruntime CPUExecutionProvider, ORT_DISABLE_ALL, 1 thread",
        "diff_tolerance": WARN_DIFF,
        "versions": versions(),
        "models": entries,
        "failures": sorted(failures.values(), key=lambda x: (order.get(x["name"], 99),
                                                            x["exporter"])),
        "op_types_union": {op: sorted(v) for op, v in sorted(all_ops.items())},
        "total_model_bytes": sum(m["file_size"] for m in entries),
    }
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=False)
        f.write("\n")

    total = 0
    for root, _, files in os.walk(outdir):
        total += sum(os.path.getsize(os.path.join(root, fn)) for fn in files)
    warn = [m["name"] for m in entries if not m["diff_ok"]]
    print(f"done in {elapsed:.1f}s: {len(entries)} model file(s), {len(failures)} failure(s), "
          f"{total:,} bytes in {outdir}", flush=True)
    if warn:
        print(f"WARNING: torch-vs-onnxruntime diff > {WARN_DIFF} for: {', '.join(warn)}")
    for x in manifest["failures"]:
        print(f"FAILED {x['name']} [{x['exporter']}]: {x['error']}")
    # Only a failing TorchScript export is an error; dynamo failures are recorded.
    hard = [x for x in failures.values() if x["exporter"] == "torchscript"]
    return 1 if hard else 0


if __name__ == "__main__":
    sys.exit(main())
