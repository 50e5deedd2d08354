"""Writes the small TorchScript files the lit tests of the TorchScript frontend read.

    /work/venv-models/bin/python test/lit/frontend/torch/Inputs/make_inputs.py

Each is a few kB, made from a module written here (fixed seed), saved with
torch.jit.save and stripped of its debug records (which hold this machine's paths).
"""

import os
import sys
import zipfile

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class Unsupported(torch.nn.Module):
    """Three op kinds dsr1 does not map, one of them twice."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.fft.rfft(x).abs()
        z = torch.cumprod(x, 1)
        w = torch.cumprod(x, 0)
        return y.sum() + z.sum() + w.sum() + torch.logdet(x[:, :2])


class DataDependentIf(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if bool(x.sum() > 0):
            return x * 2
        return x - 1


class Raises(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3:
            raise ValueError("expected a 3-D input")
        return x + 1


class Attention(torch.nn.Module):
    """Causal self-attention, and attention with a boolean mask, through
    F.scaled_dot_product_attention: each should become one dsr1.attention."""

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                keep: torch.Tensor) -> torch.Tensor:
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        b = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, scale=0.25)
        return a + b


class Promote(torch.nn.Module):
    """PyTorch's type promotion: int tensor / int -> f32, int tensor + float
    scalar -> f32, f32 tensor + 0-dim f64 tensor -> f32, bool + bool -> bool."""

    def forward(self, i: torch.Tensor, f: torch.Tensor):
        return i / 2, i + 0.5, f + torch.tensor(2.0, dtype=torch.float64), i > 1


def save(module: torch.nn.Module, name: str) -> None:
    path = os.path.join(HERE, name)
    torch.jit.save(torch.jit.script(module.eval()), path)
    # Drop the debug records (absolute paths of this machine, a third of the file).
    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()
                 if not i.filename.endswith(".debug_pkl")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zout:
        for info, data in items:
            info.date_time = (1980, 1, 1, 0, 0, 0)
            zout.writestr(info, data)
    print(f"{path}: {os.path.getsize(path)} bytes")


def main() -> int:
    torch.manual_seed(0)
    save(Unsupported(), "unsupported.pt")
    save(DataDependentIf(), "data_dependent_if.pt")
    save(Raises(), "raises.pt")
    save(Attention(), "attention.pt")
    save(Promote(), "promote.pt")
    with open(os.path.join(HERE, "not_torchscript.pt"), "w") as f:
        f.write("this is not a TorchScript archive\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
