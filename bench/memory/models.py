#!/usr/bin/env python3
"""Generate the benchmark and test models for dsr1's memory planning and recomputation.

Two models whose shape makes memory planning interesting:

  unet               a U-Net-like CNN with long skip connections: 4 encoder levels
                     (conv-relu-conv-relu, then a 2x2 max pool), a bottleneck, 4 decoder
                     levels (2x2 ConvTranspose up, concat with the encoder's skip of the same
                     level, conv-relu-conv-relu) and a final 1x1 conv.  The skips of the
                     first levels stay live across the whole network.
  transformer_train  ONE graph that is a training step of an N-layer pre-LN transformer
                     encoder: the forward pass (LayerNorm, Q/K/V projections, multi-head
                     softmax attention, output projection, residual, LayerNorm, MLP with
                     erf GELU, residual), a scalar loss 0.5 * mean(y^2), and the
                     backward pass written out with explicit gradient formulas (no
                     autograd), whose outputs are the loss, the gradient of the input x and
                     the gradients of every weight.  The forward activations are used by
                     the backward late and in reverse order, as in any training step.

Both are plain torch modules with seeded weights exported with the TorchScript exporter at
opset 17 (as test/models/generate.py does).  The backward formulas of transformer_train are
checked at generation time against torch.autograd on a float64 copy of the same weights and
inputs (an independent reference: autograd differentiates a forward written with torch's own
layer_norm/gelu/softmax); onnxruntime's outputs of the exported file are checked against the
torch module's.  Any mismatch fails the run.

Each model directory uses the ONNX backend-test layout:

  OUT/<name>/model.onnx
  OUT/<name>/test_data_set_0/input_N.pb, output_N.pb     (onnx.TensorProto)

The reference outputs are onnxruntime's (CPUExecutionProvider, graph optimisations
disabled, one thread) on that very file.  OUT/manifest.json records per model the config,
op types, inputs/outputs, sizes, sha256, the checks' errors and the tool versions.

Usage:
  models.py --out DIR [--only NAME ...] [--size small|full] [--layers K] [--batch B]
            [--seq S] [--base C]
  models.py --out DIR --verify        # re-check stored files with onnxruntime only

--layers K, --batch B and --seq S override transformer_train's layer count, batch and
sequence length (the model is then written as transformer_train.lK.bB.sS, naming only
what differs from the --size default); --base C overrides the U-Net's base channel count
(unet.cC).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time
from dataclasses import dataclass

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "test", "models"))
import generate as G  # noqa: E402  (test/models/generate.py: layout, reference, manifest)

SEED = 0
OPSET = G.TORCHSCRIPT_OPSET
# generation-time checks (see check_gradients and check_ort)
GRAD_RTOL, GRAD_ATOL = 1e-6, 1e-8  # float64 manual backward vs float64 autograd
ORT_RTOL, ORT_ATOL = 1e-4, 1e-5  # float32 onnxruntime vs float32 torch module


@dataclass
class UNetConfig:
    image: int
    base: int
    in_channels: int = 3
    out_channels: int = 2
    levels: int = 4


@dataclass
class TransformerConfig:
    layers: int
    d_model: int
    heads: int
    mlp: int
    batch: int
    seq: int
    eps: float = 1e-5


UNET = {"small": UNetConfig(image=32, base=2), "full": UNetConfig(image=256, base=64)}
TRANSFORMER = {
    "small": TransformerConfig(layers=2, d_model=32, heads=4, mlp=64, batch=2, seq=8),
    "full": TransformerConfig(layers=24, d_model=768, heads=12, mlp=3072, batch=1, seq=128),
}


# --------------------------------------------------------------------------- unet


def build_unet(cfg: UNetConfig) -> G.Built:
    import torch
    from torch import nn

    def double_conv(cin: int, cout: int) -> nn.Sequential:
        return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU())

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            widths = [cfg.base * 2 ** i for i in range(cfg.levels + 1)]
            self.down = nn.ModuleList()
            cin = cfg.in_channels
            for w in widths[:-1]:
                self.down.append(double_conv(cin, w))
                cin = w
            self.pool = nn.MaxPool2d(2)
            self.bottleneck = double_conv(widths[-2], widths[-1])
            self.up = nn.ModuleList()
            self.dec = nn.ModuleList()
            for i in reversed(range(cfg.levels)):
                self.up.append(nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2))
                self.dec.append(double_conv(2 * widths[i], widths[i]))
            self.head = nn.Conv2d(widths[0], cfg.out_channels, 1)

        def forward(self, x):
            skips = []
            for block in self.down:
                x = block(x)
                skips.append(x)
                x = self.pool(x)
            x = self.bottleneck(x)
            for up, dec, skip in zip(self.up, self.dec, reversed(skips)):
                x = dec(torch.cat([skip, up(x)], dim=1))
            return self.head(x)

    if cfg.image % 2 ** cfg.levels:
        raise ValueError(f"unet: image {cfg.image} is not divisible by 2^{cfg.levels}")
    G.seed_everything(SEED)
    model = UNet().eval()
    # He initialisation keeps the activations O(1) through the 23 convolutions, so that the
    # reference comparisons (atol 1e-5) are about values of a meaningful size; the head is
    # scaled to outputs of about 1
    with torch.no_grad():
        g = G.gen(SEED)
        for mod in model.modules():
            if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d)):
                fan_in = mod.weight[0].numel() if isinstance(mod, nn.Conv2d) else (
                    mod.weight.shape[0] * mod.weight[0, 0].numel()
                    // (mod.stride[0] * mod.stride[1]))
                std = math.sqrt(2.0 / fan_in) if mod is not model.head else 0.1 / fan_in ** .5
                mod.weight.copy_(torch.randn(mod.weight.shape, generator=g) * std)
                mod.bias.copy_(torch.randn(mod.bias.shape, generator=g) * 0.1)
    x = torch.randn(1, cfg.in_channels, cfg.image, cfg.image, generator=G.gen(1))
    params = sum(p.numel() for p in model.parameters())
    return G.Built(model, {"x": x}, ["y"],
                   {"image": cfg.image, "base": cfg.base, "levels": cfg.levels,
                    "in_channels": cfg.in_channels, "out_channels": cfg.out_channels,
                    "upsampling": "ConvTranspose 2x2 stride 2", "parameters": params})


# --------------------------------------------------------------------------- transformer


WEIGHTS = ["ln1_g", "ln1_b", "wq", "bq", "wk", "bk", "wv", "bv", "wo", "bo",
           "ln2_g", "ln2_b", "w1", "b1", "w2", "b2"]


def init_weights(cfg: TransformerConfig, seed: int) -> list:
    """Per layer a dict name -> float32 tensor; matrices are [in, out] (y = x @ W + b)."""
    import torch

    g = G.gen(seed)
    d, f = cfg.d_model, cfg.mlp

    def mat(n_in, n_out):
        return torch.randn(n_in, n_out, generator=g) / math.sqrt(n_in)

    def vec(n, mean=0.0, std=0.1):
        return mean + std * torch.randn(n, generator=g)

    layers = []
    for _ in range(cfg.layers):
        layers.append({"ln1_g": vec(d, 1.0), "ln1_b": vec(d), "wq": mat(d, d), "bq": vec(d),
                       "wk": mat(d, d), "bk": vec(d), "wv": mat(d, d), "bv": vec(d),
                       "wo": mat(d, d), "bo": vec(d), "ln2_g": vec(d, 1.0), "ln2_b": vec(d),
                       "w1": mat(d, f), "b1": vec(f), "w2": mat(f, d), "b2": vec(d)})
    return layers


def reference_loss(cfg: TransformerConfig, layers: list, x):
    """The forward pass and loss with torch's own ops (layer_norm, gelu, softmax): what
    torch.autograd differentiates to check the explicit backward of TrainStep."""
    import torch
    import torch.nn.functional as F

    b, s, d, h = cfg.batch, cfg.seq, cfg.d_model, cfg.heads
    dh = d // h
    for w in layers:
        a = F.layer_norm(x, (d,), w["ln1_g"], w["ln1_b"], cfg.eps)
        q, k, v = [(a @ w[m] + w[bias]).reshape(b, s, h, dh).transpose(1, 2)
                   for m, bias in (("wq", "bq"), ("wk", "bk"), ("wv", "bv"))]
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1)
        ctx = (p @ v).transpose(1, 2).reshape(b, s, d)
        x = x + ctx @ w["wo"] + w["bo"]
        a2 = F.layer_norm(x, (d,), w["ln2_g"], w["ln2_b"], cfg.eps)
        x = x + F.gelu(a2 @ w["w1"] + w["b1"], approximate="none") @ w["w2"] + w["b2"]
    return 0.5 * (x * x).mean()


def build_transformer(cfg: TransformerConfig) -> G.Built:
    import torch
    from torch import nn

    if cfg.d_model % cfg.heads:
        raise ValueError(f"transformer_train: d_model {cfg.d_model} is not divisible by "
                         f"heads {cfg.heads}")

    class TrainStep(nn.Module):
        """forward(x) -> (loss, dL/dx, dL/dW for every weight, layer by layer in WEIGHTS
        order).  Forward and backward are explicit tensor ops; the activations the
        backward needs are kept exactly as autograd would keep them."""

        def __init__(self, layers):
            super().__init__()
            self.params = nn.ModuleList()
            for w in layers:
                m = nn.Module()
                for name in WEIGHTS:
                    m.register_parameter(name, nn.Parameter(w[name].clone(),
                                                            requires_grad=False))
                self.params.append(m)

        @staticmethod
        def layer_norm(x, g, beta):
            mu = x.mean(dim=-1, keepdim=True)
            xc = x - mu
            rstd = 1.0 / torch.sqrt((xc * xc).mean(dim=-1, keepdim=True) + cfg.eps)
            xhat = xc * rstd
            return xhat * g + beta, xhat, rstd

        @staticmethod
        def layer_norm_backward(dout, g, xhat, rstd):
            dxhat = dout * g
            dg = (dout * xhat).sum(dim=(0, 1))
            dbeta = dout.sum(dim=(0, 1))
            dx = rstd * (dxhat - dxhat.mean(dim=-1, keepdim=True)
                         - xhat * (dxhat * xhat).mean(dim=-1, keepdim=True))
            return dx, dg, dbeta

        def forward(self, x):
            b, s, d, h = cfg.batch, cfg.seq, cfg.d_model, cfg.heads
            dh = d // h
            scale = 1.0 / math.sqrt(dh)
            inv_sqrt2 = 1.0 / math.sqrt(2.0)
            inv_sqrt2pi = 1.0 / math.sqrt(2.0 * math.pi)

            def heads(t):  # [b, s, d] -> [b, h, s, dh]
                return t.reshape(b, s, h, dh).transpose(1, 2)

            def merge(t):  # [b, h, s, dh] -> [b, s, d]
                return t.transpose(1, 2).reshape(b, s, d)

            def wgrad(inp, dout):  # sum over tokens of inp^T dout: [in, out]
                return inp.reshape(b * s, -1).transpose(0, 1) @ dout.reshape(b * s, -1)

            saved = []
            for w in self.params:
                a, xhat1, rstd1 = self.layer_norm(x, w.ln1_g, w.ln1_b)
                q = heads(a @ w.wq + w.bq)
                k = heads(a @ w.wk + w.bk)
                v = heads(a @ w.wv + w.bv)
                p = torch.softmax((q @ k.transpose(-1, -2)) * scale, dim=-1)
                ctx = merge(p @ v)
                hres = x + (ctx @ w.wo + w.bo)
                a2, xhat2, rstd2 = self.layer_norm(hres, w.ln2_g, w.ln2_b)
                u = a2 @ w.w1 + w.b1
                m = 0.5 * u * (1.0 + torch.erf(u * inv_sqrt2))
                x = hres + (m @ w.w2 + w.b2)
                saved.append((a, xhat1, rstd1, q, k, v, p, ctx, xhat2, rstd2, a2, u, m))

            loss = 0.5 * (x * x).mean()
            dy = x * (1.0 / (b * s * d))
            grads = []
            for w, act in zip(reversed(self.params), reversed(saved)):
                a, xhat1, rstd1, q, k, v, p, ctx, xhat2, rstd2, a2, u, m = act
                # MLP: y = hres + gelu(a2 @ w1 + b1) @ w2 + b2
                dw2 = wgrad(m, dy)
                db2 = dy.sum(dim=(0, 1))
                dm = dy @ w.w2.transpose(0, 1)
                cdf = 0.5 * (1.0 + torch.erf(u * inv_sqrt2))
                pdf = torch.exp(-0.5 * u * u) * inv_sqrt2pi
                du = dm * (cdf + u * pdf)
                dw1 = wgrad(a2, du)
                db1 = du.sum(dim=(0, 1))
                da2 = du @ w.w1.transpose(0, 1)
                dln2, dg2, dbe2 = self.layer_norm_backward(da2, w.ln2_g, xhat2, rstd2)
                dh_ = dy + dln2
                # attention: hres = x + merge(softmax(q k^T * scale) v) @ wo + bo
                dwo = wgrad(ctx, dh_)
                dbo = dh_.sum(dim=(0, 1))
                dctx = heads(dh_ @ w.wo.transpose(0, 1))
                dp = dctx @ v.transpose(-1, -2)
                dv = p.transpose(-1, -2) @ dctx
                ds = p * (dp - (dp * p).sum(dim=-1, keepdim=True)) * scale
                dq = merge(ds @ k)
                dk = merge(ds.transpose(-1, -2) @ q)
                dv = merge(dv)
                dwq, dwk, dwv = wgrad(a, dq), wgrad(a, dk), wgrad(a, dv)
                dbq, dbk, dbv = dq.sum(dim=(0, 1)), dk.sum(dim=(0, 1)), dv.sum(dim=(0, 1))
                da = (dq @ w.wq.transpose(0, 1) + dk @ w.wk.transpose(0, 1)
                      + dv @ w.wv.transpose(0, 1))
                dln1, dg1, dbe1 = self.layer_norm_backward(da, w.ln1_g, xhat1, rstd1)
                dy = dh_ + dln1
                grads.append([dg1, dbe1, dwq, dbq, dwk, dbk, dwv, dbv, dwo, dbo,
                              dg2, dbe2, dw1, db1, dw2, db2])
            out = [loss, dy]
            for layer_grads in reversed(grads):
                out.extend(layer_grads)
            return tuple(out)

    layers = init_weights(cfg, seed=SEED)
    x = torch.randn(cfg.batch, cfg.seq, cfg.d_model, generator=G.gen(1))
    outs = ["loss", "grad_x"] + [f"grad_l{i}_{n}" for i in range(cfg.layers) for n in WEIGHTS]
    params = sum(t.numel() for w in layers for t in w.values())
    built = G.Built(TrainStep(layers).eval(), {"x": x}, outs,
                    {"layers": cfg.layers, "d_model": cfg.d_model, "heads": cfg.heads,
                     "mlp": cfg.mlp, "batch": cfg.batch, "seq": cfg.seq, "eps": cfg.eps,
                     "gelu": "erf", "norm": "pre-LN, explicit (mean/sub/mul/sqrt/div)",
                     "loss": "0.5 * mean(y^2)", "parameters": params},
                    notes=["weights are initializers; outputs: loss, grad_x, then per layer "
                           "the gradients in the order " + ", ".join(WEIGHTS),
                           "exported with do_constant_folding=False so that the weight "
                           "transposes of the backward stay Transpose nodes instead of "
                           "doubling the weights in the file"])
    built.layers = layers
    return built


def check_gradients(cfg: TransformerConfig, b: G.Built) -> dict:
    """The explicit backward of b.module against torch.autograd of reference_loss, both in
    float64 on the same weights and input.  Raises on any mismatch."""
    import torch

    layers64 = [{n: t.double().requires_grad_(True) for n, t in w.items()} for w in b.layers]
    x64 = b.inputs["x"].double().requires_grad_(True)
    loss = reference_loss(cfg, layers64, x64)
    flat = [x64] + [w[n] for w in layers64 for n in WEIGHTS]
    ref = [loss.detach()] + [g.detach() for g in torch.autograd.grad(loss, flat)]
    module64 = copy.deepcopy(b.module).double()
    with torch.no_grad():
        got = module64(b.inputs["x"].double())
    worst, bad = 0.0, []
    for name, r, o in zip(b.output_names, ref, got):
        if r.shape != o.shape:
            bad.append(f"{name}: shape {tuple(o.shape)} != autograd {tuple(r.shape)}")
            continue
        err = (o - r).abs()
        # the worst element relative to the allowed error atol + rtol * |ref|
        ratio = float((err / (GRAD_ATOL + GRAD_RTOL * r.abs())).max())
        worst = max(worst, float(err.max()))
        if not ratio <= 1.0:
            bad.append(f"{name}: max abs err {float(err.max()):.3e} (max |ref| "
                       f"{float(r.abs().max()):.3e})")
    if bad:
        raise RuntimeError("explicit backward differs from torch.autograd (float64, rtol "
                           f"{GRAD_RTOL}, atol {GRAD_ATOL}): " + "; ".join(bad[:8]))
    scale = max(float(r.abs().max()) for r in ref[1:])
    print(f"  transformer_train: {len(ref)} outputs match torch.autograd in float64 "
          f"(max abs err {worst:.2e}, largest gradient {scale:.3g})", flush=True)
    return {"reference": "torch.autograd of a forward with F.layer_norm/F.gelu/softmax, "
                         "float64", "rtol": GRAD_RTOL, "atol": GRAD_ATOL,
            "max_abs_err": worst, "max_abs_grad": scale}


# --------------------------------------------------------------------------- export, checks


def export(b: G.Built, path: str, constant_folding: bool) -> None:
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(b.module, tuple(b.inputs.values()), path, dynamo=False,
                          opset_version=OPSET, input_names=list(b.inputs),
                          output_names=b.output_names, do_constant_folding=constant_folding)


def memory_stats(path: str) -> dict:
    """Sizes in bytes of the exported graph's values, as a reference for dsr1's memory
    report (before any dsr1 pass, so dsr1's own numbers differ where it folds or fuses):

      intermediate_bytes  every node output that is not a graph output (Constant nodes
                          excluded), i.e. what allocating each value separately costs
      output_bytes        the graph outputs; input_bytes: the graph inputs
      liveness_peak_bytes the largest sum of live values over the exporter's node order,
                          a value being live from its producer (graph inputs: from the
                          start) to its last consumer (graph outputs: to the end), a
                          node's inputs and outputs live together
      liveness_peak_without_outputs_bytes
                          the same with graph outputs not counted at all (as if written
                          into buffers the caller provides): for transformer_train the
                          weight gradients are as large as the weights and would
                          otherwise dominate the peak
    """
    import onnx

    model = onnx.shape_inference.infer_shapes(onnx.load(path), strict_mode=True)
    g = model.graph
    consts = {t.name for t in g.initializer}
    sizes = {}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        tt = vi.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
        if None in dims:
            raise RuntimeError(f"{path}: no static shape for {vi.name!r}")
        itemsize = onnx.helper.tensor_dtype_to_np_dtype(tt.elem_type).itemsize
        sizes[vi.name] = int(np.prod(dims, dtype=np.int64)) * itemsize
    outputs = {o.name for o in g.output}
    inputs = [i.name for i in g.input if i.name not in consts]
    last_use = {}
    for i, n in enumerate(g.node):
        if n.op_type == "Constant":
            consts.update(n.output)
        for name in n.input:
            last_use[name] = i

    def liveness_peak(count_outputs: bool) -> int:
        live = {name: sizes[name] for name in inputs}
        peak = cur = sum(live.values())
        for i, n in enumerate(g.node):
            for name in n.output:
                if name in consts or not name or (name in outputs and not count_outputs):
                    continue
                live[name] = sizes[name]
                cur += sizes[name]
            peak = max(peak, cur)
            for name in set(n.input) | set(n.output):
                if name in live and name not in outputs and last_use.get(name, -1) <= i:
                    cur -= live.pop(name)
        return peak

    intermediate = 0
    for n in g.node:
        for name in n.output:
            if name in consts or not name:
                continue
            if name not in sizes:
                raise RuntimeError(f"{path}: shape inference gave no type for {name!r}")
            if name not in outputs:
                intermediate += sizes[name]
    return {"intermediate_bytes": intermediate,
            "output_bytes": sum(sizes[o] for o in outputs),
            "input_bytes": sum(sizes[x] for x in inputs),
            "liveness_peak_bytes": liveness_peak(True),
            "liveness_peak_without_outputs_bytes": liveness_peak(False),
            "nodes": len(g.node),
            "note": "the ONNX graph as exported, before any dsr1 pass; liveness over the "
                    "exporter's node order (see memory_stats in models.py)"}


def check_ort(b: G.Built, path: str) -> dict:
    """onnxruntime's outputs of the exported file against the float32 torch module:
    |ort - torch| <= atol + rtol * max|torch| for every element of every output.  Raises
    on any mismatch."""
    sess = G.ort_session(path)
    feeds = {i.name: G.tensor_to_np(b.inputs[i.name]) for i in sess.get_inputs()}
    names = [o.name for o in sess.get_outputs()]
    if names != b.output_names:
        raise RuntimeError(f"{path}: graph outputs {names[:4]}... != {b.output_names[:4]}...")
    got = sess.run(None, feeds)
    ref = G.torch_outputs(b, b.inputs)
    bad = []
    worst = 0.0
    for name, r, o in zip(names, ref, got):
        if r.shape != o.shape:
            bad.append(f"{name}: shape {o.shape} != torch {r.shape}")
            continue
        err = np.abs(o.astype(np.float64) - r.astype(np.float64))
        # relative to the tensor's largest magnitude: float32 sums in a different order
        # differ by that much on elements that are near zero by cancellation
        allowed = ORT_ATOL + ORT_RTOL * (np.max(np.abs(r)) if r.size else 0.0)
        worst = max(worst, float(np.max(err / allowed)) if err.size else 0.0)
        if not np.all(err <= allowed):
            bad.append(f"{name}: max abs err {float(err.max()):.3e}")
    if bad:
        raise RuntimeError(f"onnxruntime differs from torch (rtol {ORT_RTOL}, atol "
                           f"{ORT_ATOL}): " + "; ".join(bad[:8]))
    return {"rtol": ORT_RTOL, "atol": ORT_ATOL, "max_err_over_allowed": worst}


def run_one(name: str, family: str, source: str, build, outdir: str,
            constant_folding: bool, extra_check=None) -> dict:
    import shutil

    mdir = os.path.join(outdir, name)
    shutil.rmtree(mdir, ignore_errors=True)
    os.makedirs(mdir)
    path = os.path.join(mdir, "model.onnx")
    try:
        b = build()
        checks = {}
        if extra_check:
            checks["gradients"] = extra_check(b)
        t1 = time.time()
        export(b, path, constant_folding)
        dt = time.time() - t1
        spec = G.Spec(name, family, source, lambda full: b, dynamo=False)
        rec = G.check_and_record(spec, b, "torchscript", name, outdir, dt)
        checks["onnxruntime_vs_torch"] = check_ort(b, path)
    except Exception:
        shutil.rmtree(mdir, ignore_errors=True)
        raise
    rec["checks"] = checks
    rec["memory"] = memory_stats(path)
    data = os.path.join(mdir, "test_data_set_0")
    rec["test_data_bytes"] = sum(os.path.getsize(os.path.join(data, f))
                                 for f in os.listdir(data))
    return rec


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--only", nargs="+", metavar="NAME", choices=["unet", "transformer_train"],
                    help="only these models")
    ap.add_argument("--size", choices=["small", "full"], default="small",
                    help="small test configs (default) or full-size benchmark configs")
    ap.add_argument("--layers", type=int, metavar="K",
                    help="transformer_train with K layers (written as transformer_train.lK)")
    ap.add_argument("--batch", type=int, metavar="B", help="transformer_train with batch B")
    ap.add_argument("--seq", type=int, metavar="S",
                    help="transformer_train with sequence length S")
    ap.add_argument("--base", type=int, metavar="C",
                    help="unet with C base channels (written as unet.cC)")
    ap.add_argument("--verify", action="store_true",
                    help="only re-check the stored files in --out with onnxruntime")
    args = ap.parse_args(argv)
    if args.verify:
        return G.verify(args.out)
    for opt in ("layers", "batch", "seq", "base"):
        if getattr(args, opt) is not None and getattr(args, opt) < 1:
            ap.error(f"--{opt} must be at least 1")

    committed = os.path.join(REPO, "test", "models", "memory")
    if args.size == "full" and os.path.abspath(args.out) == committed:
        ap.error(f"--size full would write hundreds of MB into {committed}; pick another "
                 "--out (bench/models/ is git-ignored)")

    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True, warn_only=True)

    ucfg = copy.copy(UNET[args.size])
    tcfg = copy.copy(TRANSFORMER[args.size])
    uname, tname = "unet", "transformer_train"
    if args.base is not None and args.base != ucfg.base:
        ucfg.base, uname = args.base, f"unet.c{args.base}"
    toverride = ""
    for opt, tag in (("layers", "l"), ("batch", "b"), ("seq", "s")):
        value = getattr(args, opt)
        if value is not None:
            toverride += f" --{opt} {value}"
            if value != getattr(tcfg, opt):
                setattr(tcfg, opt, value)
                tname += f".{tag}{value}"
    jobs = {
        "unet": lambda: run_one(uname, "unet", "torch.nn U-Net (bench/memory/models.py)",
                                lambda: build_unet(ucfg), outdir, True),
        "transformer_train": lambda: run_one(
            tname, "transformer_train",
            "explicit forward+backward training step (bench/memory/models.py)",
            lambda: build_transformer(tcfg), outdir, False,
            lambda b: check_gradients(tcfg, b)),
    }
    outdir = os.path.abspath(args.out)
    os.makedirs(outdir, exist_ok=True)
    manifest_path = os.path.join(outdir, "manifest.json")
    old = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
    models = {m["name"]: m for m in old.get("models", [])}
    print(f"generating {args.size} model(s) into {outdir}", flush=True)
    failed = []
    for key in args.only or list(jobs):
        try:
            rec = jobs[key]()
        except Exception as e:
            failed.append(f"{key}: {G.short_error(e)}")
            print(f"  {key}: FAILED: {G.short_error(e)}", flush=True)
            continue
        rec["size"] = args.size
        rec["command"] = ("bench/memory/models.py --size " + args.size
                          + (toverride if key == "transformer_train" else "")
                          + (f" --base {args.base}" if key == "unet"
                             and args.base is not None else ""))
        models[rec["name"]] = rec
    manifest = {
        "generator": "bench/memory/models.py",
        "seed": SEED,
        "torchscript_opset": OPSET,
        "reference": "onnxruntime CPUExecutionProvider, ORT_DISABLE_ALL, 1 thread",
        "versions": G.versions(),
        "models": [models[n] for n in sorted(models)],
    }
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    for msg in failed:
        print(f"FAILED {msg}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
