"""dsr1's TorchScript frontend promotes element types exactly as PyTorch does.

One scripted module adds, divides and compares every pair of operands drawn from tensors of
the dtypes dsr1 holds (with dims and 0-dim) and Python numbers (int, float, bool), and returns
every result. The reference is torch itself: the dtypes of the module's own outputs. dsr1's are
the result types of the imported graph (`dsr1-import`). Every pair must agree; exits 1 otherwise.

    python3 test/torch/promotion.py --importer build/bin/dsr1-import
"""

import argparse
import itertools
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

# torch dtype -> the name dsr1 gives the element type.
DTYPES = {torch.uint8: "ui8", torch.int8: "i8", torch.int16: "i16", torch.int32: "i32",
          torch.int64: "i64", torch.float16: "f16", torch.bfloat16: "bf16",
          torch.float32: "f32", torch.float64: "f64", torch.bool: "i1"}
FLAG = {"ui8": "u8"}  # --input-shape spells unsigned bytes u8
SCALARS = ["3", "0.5", "True"]
OPS = {"add": "+", "div": "/", "lt": "<"}


def pairs_of(names):
    """Ordered pairs with a tensor in them; a bool literal only on the right (TorchScript reads
    `True + t` as int arithmetic)."""
    return [(a, b) for a, b in itertools.product(names, names)
            if not (a in SCALARS and b in SCALARS) and a != "True"]


def module_source(operands) -> str:
    """A module whose forward applies every op to every ordered pair of operands."""
    args = ", ".join(f"t{i}: torch.Tensor" for i in range(len(operands)))
    lines = [f"def forward(self, {args}):", "    out = []"]
    names = [f"t{i}" for i in range(len(operands))] + SCALARS
    for a, b in pairs_of(names):
        for op in OPS.values():
            lines.append(f"    out.append({a} {op} {b})")
    lines.append("    return out")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--importer", required=True)
    args = parser.parse_args()
    operands = [(dtype, shape) for dtype in DTYPES for shape in ([3], [])]
    source = module_source(operands)

    with tempfile.TemporaryDirectory() as tmp:
        # TorchScript compiles from source files: write the module as one.
        (Path(tmp) / "pairs_module.py").write_text(
            "import torch\n\nclass Pairs(torch.nn.Module):\n" +
            "\n".join("    " + line for line in source.splitlines()) + "\n")
        sys.path.insert(0, tmp)
        import pairs_module  # noqa: E402
        module = torch.jit.script(pairs_module.Pairs().eval())
    inputs = [torch.full(shape, 2).to(dtype) for dtype, shape in operands]
    with torch.no_grad():
        expected = [DTYPES[o.dtype] for o in module(*inputs)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pairs.pt"
        torch.jit.save(module, str(path))
        flags = [f"--input-shape=t{i}=" + "x".join(map(str, shape)) + ":" +
                 FLAG.get(DTYPES[dtype], DTYPES[dtype])
                 for i, (dtype, shape) in enumerate(operands)]
        proc = subprocess.run([args.importer, str(path)] + flags, capture_output=True,
                              text=True, timeout=600)
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return 1
    signature = re.search(r"-> \((.*)\) \{", proc.stdout).group(1)
    got = re.findall(r"tensor<(?:[0-9]+x)*([a-z0-9]+)>", signature)
    names = [f"{DTYPES[d]}{'[3]' if s else '[]'}" for d, s in operands] + SCALARS
    pairs = pairs_of(names)
    cases = [(a, op, b) for a, b in pairs for op in OPS]
    if len(got) != len(expected) or len(expected) != len(cases):
        print(f"torch_promotion: {len(got)} results from dsr1, {len(expected)} from torch, "
              f"{len(cases)} cases", file=sys.stderr)
        return 1
    wrong = [(c, e, g) for c, e, g in zip(cases, expected, got) if e != g]
    for (a, op, b), e, g in wrong[:20]:
        print(f"  {a} {op} {b}: torch {e}, dsr1 {g}")
    print(f"{len(cases)} promotions (add, div, lt over {len(names)} operand kinds), "
          f"{len(wrong)} differ from torch")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
