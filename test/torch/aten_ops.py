"""Every lowering of the aten table, run on the cpu device against torch.

Each case is a small function of tensors, traced (torch.jit.trace) or scripted, saved as a
TorchScript file, imported and run by dsr1-run on random inputs, and compared with torch's own
outputs (rtol 1e-4, atol 1e-5; exact for integers and bools). The op kinds the cases' graphs hold
are collected: every kind of `dsr1-import --list-aten-ops` that carries tensor semantics must be
among them (the rest, import-time values and identities, are in NOT_TENSOR_OPS). Exits 1 when any case fails.

    python3 test/torch/aten_ops.py --runner build/bin/dsr1-run --importer build/bin/dsr1-import
        [--device cuda-emu]     # the CUDA kernels on cuda-emu, against torch and the cpu device
"""

import argparse
import concurrent.futures
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx.numpy_helper
import torch
import torch.nn.functional as F

torch.manual_seed(0)
G = torch.Generator().manual_seed(0)


def rand(*shape, low=-2.0, high=2.0):
    return torch.rand(*shape, generator=G) * (high - low) + low


def positive(*shape):
    return rand(*shape, low=0.1, high=3.0)


def ints(*shape, high=5, low=0):
    return torch.randint(low, high, shape, generator=G)


def bools(*shape):
    return torch.rand(*shape, generator=G) > 0.5


class Fn(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


class ScriptedConvs(torch.nn.Module):
    """The conv ops a scripted graph names (a trace records aten::_convolution)."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(rand(4, 2, 3, 3))
        self.w1 = torch.nn.Parameter(rand(4, 2, 3))
        self.wt = torch.nn.Parameter(rand(2, 3, 2, 2))
        self.b = torch.nn.Parameter(rand(4))
        self.w3 = torch.nn.Parameter(rand(3, 2, 2, 2, 2))
        self.wt1 = torch.nn.Parameter(rand(2, 3, 3))

    def forward(self, x: torch.Tensor, x1: torch.Tensor):
        return (F.conv2d(x, self.w, self.b, 1, 1), F.conv1d(x1, self.w1, None, 2),
                F.conv_transpose2d(x, self.wt, None, 2),
                F.conv3d(x.unsqueeze(2).expand(1, 2, 3, 6, 6), self.w3),
                F.conv_transpose1d(x1, self.wt1, None, 2, 1, 1),
                torch.convolution(x, self.w, self.b, [2, 2], [0, 0], [1, 1], False, [0, 0], 1))


class ScriptedCreation(torch.nn.Module):
    """Creation ops with sizes from the input (a trace folds them to constants), and the
    aliases and identities a scripted graph keeps."""

    def forward(self, x: torch.Tensor):
        n = x.size(0)
        return (torch.arange(n), torch.arange(1, n + 3, 2), torch.zeros(n, 2),
                torch.ones([2, n], dtype=torch.int64), torch.full([n], 0.5),
                torch.constant_pad_nd(x, [1, 1], 2.0))


class ScriptedRnns(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(4, 6, num_layers=2, batch_first=True, bidirectional=True)
        self.gru = torch.nn.GRU(4, 5, num_layers=1)
        self.lstm_nobias = torch.nn.LSTM(4, 3, bias=False)

    def forward(self, x: torch.Tensor):
        y, (h, c) = self.lstm(x)
        z, hg = self.gru(x.transpose(0, 1))
        w, (h2, c2) = self.lstm_nobias(x.transpose(0, 1))
        return y, h, c, z, hg, w, h2, c2


# (name, function or scriptable module, inputs, what it is about). A function is traced, a
# module scripted. The op kinds a case covers are read off its graph, not taken from here.
CASES = [
    # Elementwise arithmetic and promotion.
    ("add_alpha", lambda a, b: torch.add(a, b, alpha=2.5), [rand(2, 3), rand(3)], ["aten::add"]),
    ("sub_rsub", lambda a, b: (a - b, torch.rsub(a, b, alpha=2), 1.5 - a),
     [rand(2, 3), rand(2, 1)], ["aten::sub", "aten::rsub"]),
    ("mul_div", lambda a, b: (a * b, a / b, a * 3), [rand(4, 3), positive(3)],
     ["aten::mul", "aten::div"]),
    ("div_modes", lambda a, b: (torch.div(a, b, rounding_mode="trunc"),
                                torch.div(a, b, rounding_mode="floor"), a // b),
     [rand(5, 4, low=-9, high=9), positive(4)], ["aten::floor_divide"]),
    ("int_div", lambda a, b: (a / b, a // b, a % b, torch.remainder(a, -b)),
     [ints(6, low=-9, high=9), ints(6, low=1, high=4)], ["aten::remainder"]),
    ("pow", lambda a, b: (a ** 2, torch.pow(a, b), 2.0 ** b), [positive(3, 2), rand(3, 2)],
     ["aten::pow"]),
    ("minmax_binary", lambda a, b: (torch.maximum(a, b), torch.minimum(a, b), torch.max(a, b)),
     [rand(3, 4), rand(4)], ["aten::maximum", "aten::minimum"]),
    ("compare", lambda a, b: (a == b, a != b, a < b, a <= b, a > b, a >= b, a > 0.5),
     [ints(4, 3).float(), ints(3).float()],
     ["aten::eq", "aten::ne", "aten::lt", "aten::le", "aten::gt", "aten::ge"]),
    ("logical", lambda a, b: (a & b, a | b, torch.logical_and(a, b), torch.logical_or(a, b),
                              torch.logical_xor(a, b), torch.logical_not(a), ~a),
     [bools(3, 4), bools(4)],
     ["aten::__and__", "aten::__or__", "aten::logical_and", "aten::logical_or",
      "aten::logical_xor", "aten::logical_not", "aten::bitwise_not"]),
    ("bitwise_int", lambda a, b: (torch.bitwise_and(a, b), torch.bitwise_or(a, b), ~a),
     [ints(5, high=100), ints(5, high=100)], ["aten::bitwise_and", "aten::bitwise_or"]),
    ("where_masked", lambda c, x, y: (torch.where(c, x, y), torch.where(c, x, 0.0),
                                      x.masked_fill(c, -1.5)),
     [bools(2, 3), rand(2, 3), rand(3)], ["aten::where", "aten::masked_fill"]),
    ("clamp", lambda x, lo: (torch.clamp(x, -0.5, 0.7), torch.clamp(x, min=0.1),
                             x.clamp(max=0.2), torch.clamp(x, lo), torch.clip(x, -1, 1),
                             torch.clamp_min(x, 0.3), torch.clamp_max(x, 0.3)),
     [rand(3, 4), rand(4)], ["aten::clamp", "aten::clip", "aten::clamp_min", "aten::clamp_max"]),
    ("activations", lambda x: (F.relu(x), F.relu6(x * 4), F.hardtanh(x, -0.5, 0.5),
                               torch.sigmoid(x), torch.tanh(x), F.silu(x), F.gelu(x),
                               F.gelu(x, approximate="tanh"), F.hardsigmoid(x * 4),
                               F.hardswish(x * 4), F.leaky_relu(x, 0.2), F.elu(x, 0.7),
                               F.softplus(x), F.softplus(x * 8, beta=2, threshold=5)),
     [rand(3, 5)],
     ["aten::relu", "aten::relu6", "aten::hardtanh", "aten::sigmoid", "aten::tanh",
      "aten::silu", "aten::gelu", "aten::hardsigmoid", "aten::hardswish", "aten::leaky_relu",
      "aten::elu", "aten::softplus"]),
    ("unary", lambda x, p: (torch.abs(x), torch.neg(x), torch.exp(x), torch.log(p),
                            torch.sqrt(p), torch.rsqrt(p), torch.reciprocal(p), torch.sin(x),
                            torch.cos(x), torch.erf(x), torch.floor(x), torch.ceil(x),
                            torch.round(x * 3), torch.sign(x)),
     [rand(4, 3), positive(4, 3)],
     ["aten::abs", "aten::neg", "aten::exp", "aten::log", "aten::sqrt", "aten::rsqrt",
      "aten::reciprocal", "aten::sin", "aten::cos", "aten::erf", "aten::floor", "aten::ceil",
      "aten::round", "aten::sign"]),
    ("conversions", lambda x, i, o: (x.to(torch.float16).to(torch.float32), i.float(),
                                     x.to(torch.int32), x.type_as(i), x.contiguous().clone(),
                                     x.detach(), F.dropout(x, 0.3, training=False),
                                     x.to(o.dtype)),
     [rand(3, 4) * 4, ints(3, 4), ints(2)],
     ["aten::to", "aten::type_as", "aten::contiguous", "aten::clone", "aten::detach",
      "aten::dropout"]),
    # Creation.
    ("creation", lambda x: (torch.zeros(2, 3) + x.sum(), torch.ones(3, dtype=torch.int64),
                            torch.full((2, 2), 1.5), torch.full((2,), 7), torch.zeros_like(x),
                            torch.ones_like(x, dtype=torch.int32), torch.full_like(x, 2.5),
                            x.new_zeros((2, 2)), x.new_ones(3), x.new_full((2,), -3.0),
                            torch.arange(5), torch.arange(1, 7, 2), torch.arange(0.0, 1.0, 0.25),
                            torch.empty_like(x).zero_()),
     [rand(2, 3)],
     ["aten::zeros", "aten::ones", "aten::full", "aten::zeros_like", "aten::ones_like",
      "aten::full_like", "aten::new_zeros", "aten::new_ones", "aten::new_full", "aten::arange"]),
    ("triangles", lambda x: (torch.tril(x), torch.triu(x, 1), torch.tril(x, -1)),
     [rand(2, 4, 5)], ["aten::tril", "aten::triu"]),
    # Reductions.
    ("reductions", lambda x: (x.mean(), x.mean(1), x.mean((0, 2), keepdim=True), x.sum(),
                              x.sum(-1), x.sum(1, keepdim=True), x.amax(1), x.amin((0, 1)),
                              x.max(), x.min(), torch.max(x, 2)[0], torch.max(x, 2)[1],
                              torch.min(x, 1, keepdim=True)[0], x.argmax(), x.argmax(1),
                              x.argmin(2, keepdim=True)),
     [rand(2, 3, 4)],
     ["aten::mean", "aten::sum", "aten::amax", "aten::amin", "aten::max", "aten::min",
      "aten::argmax", "aten::argmin"]),
    ("var_std", lambda x: (x.var(), x.var(1), x.std(2, keepdim=True), x.std(unbiased=False),
                           torch.var(x, (0, 2), correction=0)),
     [rand(3, 4, 5)], ["aten::var", "aten::std"]),
    ("cumsum_anyall", lambda x, b: (torch.cumsum(x, 1), torch.cumsum(b, 0), b.any(), b.all(1),
                                    (x > 0).any(0, keepdim=True)),
     [rand(3, 4), bools(3, 4)], ["aten::cumsum", "aten::any", "aten::all"]),
    ("int_sum", lambda i, b: (i.sum(), i.sum(0), b.sum(1)), [ints(3, 4), bools(3, 4)], []),
    # Shapes.
    ("views", lambda x: (x.view(6, 4), x.reshape(-1), x.view(2, -1, 2), x.flatten(),
                         x.flatten(1), torch.flatten(x, 0, 1), x.unflatten(2, (2, 2)),
                         x.view_as(torch.zeros(4, 6)), x.reshape_as(torch.zeros(24))),
     [rand(2, 3, 4)],
     ["aten::view", "aten::reshape", "aten::flatten", "aten::unflatten", "aten::view_as",
      "aten::reshape_as"]),
    ("permutes", lambda x: (x.permute(2, 0, 1), x.transpose(0, 2), x[0].t(), x.mT),
     [rand(2, 3, 4)], ["aten::permute", "aten::transpose", "aten::t", "aten::mT"]),
    ("squeezes", lambda x: (x.unsqueeze(0), x.unsqueeze(-1), x.squeeze(), x.squeeze(1),
                            x.squeeze((1, 3))),
     [rand(2, 1, 3, 1)], ["aten::unsqueeze", "aten::squeeze"]),
    ("expands", lambda x, y: (x.expand(4, 3, 2), x.expand(-1, 3, -1), x.expand_as(y),
                              x.repeat(2, 1, 3), x.repeat(2, 2, 1, 1)),
     [rand(1, 3, 2), rand(5, 3, 2)], ["aten::expand", "aten::expand_as", "aten::repeat"]),
    ("slices", lambda x: (x[1:], x[:, ::2], x[..., 1:-1], x[:, -2:], x[0], x[:, 1], x[-1, -1],
                          x.narrow(2, 1, 2), x[:, 1:100]),
     [rand(3, 4, 5)], ["aten::slice", "aten::select", "aten::narrow"]),
    ("joins", lambda a, b: (torch.cat([a, b]), torch.cat([a, b], 1), torch.cat([a, b.int()], -1),
                            torch.stack([a, b]), torch.stack([a, b], 2), torch.concat([a, a])),
     [rand(2, 3), rand(2, 3)], ["aten::cat", "aten::concat", "aten::stack"]),
    ("splits", lambda x: (*torch.split(x, 2, 1), *torch.split(x, [1, 4], 1), *x.chunk(3, 1),
                          *x.unbind(0), *torch.split_with_sizes(x, [2, 1], 0)),
     [rand(3, 5)], ["aten::split", "aten::split_with_sizes", "aten::chunk", "aten::unbind"]),
    ("gathers", lambda x, i, j: (torch.index_select(x, 1, i), torch.gather(x, 1, j),
                                 x[i], x[:, i], x[i, :2], x[i.view(3, 1), i.view(1, 3)],
                                 x[:, :, i][..., 0]),
     [rand(4, 5, 3), torch.tensor([2, 0, 1]), ints(4, 2, 3, high=5)],
     ["aten::index_select", "aten::gather", "aten::index"]),
    ("pads", lambda x: (F.pad(x, (1, 2)), F.pad(x, (1, 1, 2, 0), value=3.0),
                        F.pad(x, (2, 1, 1, 1), mode="reflect"),
                        F.pad(x, (1, 1, 1, 1), mode="replicate"),
                        F.pad(x, (1, 2, 1, 0), mode="circular")),
     [rand(1, 2, 4, 5)], ["aten::constant_pad_nd", "aten::pad"]),
    # Products.
    ("products", lambda a, b, c, v: (a @ b, torch.matmul(c, b), torch.mm(a, b), torch.bmm(c, c.mT),
                                     torch.matmul(c, v), torch.matmul(v, b)),
     [rand(3, 4), rand(4, 5), rand(2, 3, 4), rand(4)],
     ["aten::matmul", "aten::mm", "aten::bmm"]),
    ("linear_addmm", lambda x, w, b, m: (F.linear(x, w, b), F.linear(x, w),
                                         torch.addmm(b, x[0], w.t(), beta=0.5, alpha=2.0),
                                         torch.baddbmm(m, x, w.t().expand(2, 4, 5), alpha=0.5)),
     [rand(2, 3, 4), rand(5, 4), rand(5), rand(2, 3, 5)],
     ["aten::linear", "aten::addmm", "aten::baddbmm"]),
    # Convolutions and pools.
    ("convs", lambda x, w, b, w1, x1, wt: (F.conv2d(x, w, b, stride=2, padding=1),
                                           F.conv2d(x, w, None, padding="same", dilation=2),
                                           F.conv2d(x, w1, groups=3),
                                           F.conv1d(x1, w1[:, :, :, 0], padding=1, groups=3),
                                           F.conv_transpose2d(x, wt, stride=2, padding=1,
                                                              output_padding=1)),
     [rand(1, 3, 8, 8), rand(6, 3, 3, 3), rand(6), rand(6, 1, 3, 3), rand(1, 3, 10),
      rand(3, 2, 3, 3)],
     ["aten::_convolution", "aten::_convolution_mode", "aten::conv2d", "aten::conv1d",
      "aten::conv_transpose2d",
      "aten::convolution"]),
    ("pools", lambda x, y: (F.max_pool2d(x, 2), F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
                            F.avg_pool2d(x, 2), F.avg_pool2d(x, 3, 1, 1, count_include_pad=False),
                            F.adaptive_avg_pool2d(x, 1), F.adaptive_avg_pool2d(x, (2, 4)),
                            F.max_pool1d(y, 2), F.avg_pool1d(y, 3, 2),
                            F.adaptive_avg_pool1d(y, 3)),
     [rand(1, 2, 8, 8), rand(1, 2, 9)],
     ["aten::max_pool2d", "aten::avg_pool2d", "aten::adaptive_avg_pool2d", "aten::max_pool1d",
      "aten::avg_pool1d", "aten::adaptive_avg_pool1d"]),
    # Normalisations, softmax, embedding.
    ("norms", lambda x, g, b, m, v, img: (F.layer_norm(x, (4,), g, b, 1e-3), F.layer_norm(x, (3, 4)),
                                          F.batch_norm(img, m, v, g, b, False, 0.1, 1e-4),
                                          F.batch_norm(img, m, v), F.group_norm(img, 2, g, b),
                                          F.group_norm(img, 4)),
     [rand(2, 3, 4), rand(4), rand(4), rand(4), positive(4), rand(2, 4, 3, 3)],
     ["aten::layer_norm", "aten::batch_norm", "aten::group_norm"]),
    ("softmaxes", lambda x: (F.softmax(x, -1), F.softmax(x, 0), F.log_softmax(x, 1),
                             torch.softmax(x, 1, dtype=torch.float64).float()),
     [rand(3, 4, 5)], ["aten::softmax", "aten::log_softmax"]),
    ("embedding", lambda w, i: (F.embedding(i, w), F.embedding(i.int(), w)),
     [rand(10, 4), ints(2, 3, high=10)], ["aten::embedding"]),
    ("sdpa", lambda q, k, v, m, b: (F.scaled_dot_product_attention(q, k, v),
                                    F.scaled_dot_product_attention(q, k, v, is_causal=True),
                                    F.scaled_dot_product_attention(q, k, v, attn_mask=m),
                                    F.scaled_dot_product_attention(q, k, v, attn_mask=b, scale=0.3),
                                    F.scaled_dot_product_attention(q[0], k[0], v[0])),
     [rand(2, 3, 5, 8), rand(2, 3, 7, 8), rand(2, 3, 7, 6), rand(2, 1, 5, 7),
      torch.rand(5, 7, generator=G) > 0.3],
     ["aten::scaled_dot_product_attention"]),
    ("scripted_convs", ScriptedConvs(), [rand(1, 2, 6, 6), rand(1, 2, 9)], ["conv forms"]),
    ("scripted_creation", ScriptedCreation(), [rand(3, 4)], ["creation from sizes"]),
    ("scripted_rnns", ScriptedRnns(), [rand(2, 5, 4)], ["lstm, gru"]),
]

# Ops of the table whose semantics are not tensor math (import-time values, identities,
# environment queries), covered by the model set and the lit tests rather than here.
NOT_TENSOR_OPS = {
    "aten::Bool", "aten::Float", "aten::Int", "aten::ScalarImplicit", "aten::__contains__",
    "aten::__getitem__", "aten::__is__", "aten::__isnot__", "aten::__not__", "aten::dim",
    "aten::floordiv", "aten::format", "aten::is_autocast_enabled", "aten::is_floating_point",
    "aten::is_grad_enabled", "aten::item", "aten::len", "aten::list", "aten::numel",
    "aten::size", "aten::sym_size", "aten::truediv", "aten::warn", "prim::NumToTensor",
    "prim::is_meta", "prim::is_mkldnn", "prim::is_nested", "prim::is_quantized",
    "prim::is_sparse", "prim::max", "prim::min", "prim::type", "aten::alias",
    "aten::alpha_dropout", "aten::feature_dropout", "aten::lift_fresh", "aten::lift_fresh_copy",
    "aten::resolve_conj", "aten::resolve_neg", "aten::_reshape_alias", "aten::_softmax",
    "aten::_log_softmax", "aten::scalar_tensor",
    # Uninitialised memory in torch (dsr1 fills zeros): nothing to compare.
    "aten::new_empty", "aten::empty_like",
    # Aliases torch 2.15's scripting and freezing rewrite before the importer sees a graph
    # (to clamp, cat, nothing); kept in the table for other producers of aten graphs.
    "aten::clip", "aten::concat", "aten::detach", "aten::dropout",
}

DTYPE = {np.dtype("float32"): "f32", np.dtype("float64"): "f64", np.dtype("int64"): "i64",
         np.dtype("int32"): "i32", np.dtype("bool"): "i1", np.dtype("float16"): "f16"}


def flatten(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flatten(o)]
    return [out]


def node_kinds(module) -> set:
    """The op kinds of the graph the importer sees (frozen and inlined)."""
    graph = torch.jit.freeze(module.eval()).graph
    torch._C._jit_pass_inline(graph)
    kinds = set()

    def walk(block):
        for node in block.nodes():
            kinds.add(node.kind())
            for inner in node.blocks():
                walk(inner)
    walk(graph)
    return kinds


def run_case(args, name, fn, inputs, tmp: Path):
    """(result line, op kinds the case's graph holds)."""
    with torch.no_grad():
        if isinstance(fn, torch.nn.Module):
            traced = torch.jit.script(fn.eval())
        else:
            traced = torch.jit.trace(Fn(fn).eval(), tuple(inputs), check_trace=False)
        expected = flatten(traced(*inputs))
        kinds = node_kinds(torch.jit.load(save_to(traced, tmp / name)))
    case = tmp / name
    data = case / "test_data_set_0"
    data.mkdir(parents=True)
    for i, t in enumerate(inputs):
        (data / f"input_{i}.pb").write_bytes(
            onnx.numpy_helper.from_array(t.numpy(), f"input_{i}").SerializeToString())
    for i, t in enumerate(expected):
        (data / f"output_{i}.pb").write_bytes(
            onnx.numpy_helper.from_array(t.numpy(), f"output_{i}").SerializeToString())
    cmd = [args.runner, str(case / "model.pt"), "--quiet", "--inputs", str(data), "--compare",
           str(data), "--rtol", "1e-4", "--atol", "1e-5"]
    if args.device != "cpu":  # the generated CUDA kernels, also against the cpu device
        cmd += ["--device", args.device, "--against-device", "cpu"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        lines = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        detail = "; ".join(l for l in lines if "error" in l or "FAIL" in l or "mismatch" in l)
        return f"FAIL {detail[:600] or lines[-1] if lines else proc.returncode}", kinds
    worst = max((float(m.group(1)) for m in
                 re.finditer(r"max abs ([0-9.e+-]+)", proc.stdout)), default=0.0)
    return f"ok   {len(expected)} outputs, max abs {worst:.1e}", kinds


def save_to(module, case: Path) -> str:
    case.mkdir(parents=True, exist_ok=True)
    path = str(case / "model.pt")
    module.save(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runner", required=True)
    parser.add_argument("--importer", required=True)
    parser.add_argument("--only", nargs="+")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="dsr1-run --device (cpu, cuda-emu)")
    args = parser.parse_args()

    table = subprocess.run([args.importer, "--list-aten-ops"], capture_output=True, text=True,
                           check=True).stdout.split()
    covered = set()
    failures = []
    cases = [c for c in CASES if c[1] is not None and (not args.only or c[0] in args.only)]
    with tempfile.TemporaryDirectory() as tmpdir, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {c[0]: pool.submit(run_case, args, c[0], c[1], c[2], Path(tmpdir))
                   for c in cases}
        for name, future in futures.items():
            try:
                result, kinds = future.result()
                covered |= kinds
            except Exception as err:  # a case torch itself cannot trace is a bug here
                result = f"FAIL {type(err).__name__}: {err}"
            print(f"{name:16s} {result}")
            if result.startswith("FAIL"):
                failures.append(name)
    missing = sorted(set(table) - covered - NOT_TENSOR_OPS)
    if missing and not args.only:
        print(f"aten_ops: no case holds {', '.join(missing)}")
        failures.append("coverage")
    print(f"{len(cases)} cases over {len(covered & set(table))} op kinds of the table, "
          f"{len(failures)} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
