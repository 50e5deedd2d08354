"""Writes mlp-train-L.mlir: the training step of an L-layer tanh MLP as a dsr1 graph, and checks
dsr1's gradients against numpy.

A graph small enough for the exact ILP (bench/memory/optimum.py) at any budget, with the shape of
training: the forward activations a_1..a_L are read by the backward pass in reverse order.
Forward a_i = tanh(a_{i-1} W_i); loss 0.5 |a_L - t|^2; backward dz_i = da_i (1 - a_i^2),
dW_i = a_{i-1}^T dz_i, da_{i-1} = dz_i W_i^T. Outputs: dW_1..dW_L.

  mlp_train.py --layers L --out FILE.mlir             # write the graph
  mlp_train.py --layers L --make-inputs DIR            # seeded inputs x, t, W_1..W_L (.npy)
  mlp_train.py --layers L --check DIR OUTPUTS          # compare dsr1's output_N.npy with numpy
"""

import argparse
import sys
from pathlib import Path

import numpy as np

BATCH, WIDTH = 16, 64


def graph(layers: int) -> str:
    t = f"tensor<{BATCH}x{WIDTH}xf32>"
    w = f"tensor<{WIDTH}x{WIDTH}xf32>"
    args = [f"%x: {t}", f"%t: {t}"] + [f"%w{i}: {w}" for i in range(1, layers + 1)]
    lines = [f"// The training step of a {layers}-layer tanh MLP (bench/memory/graphs/mlp_train.py).",
             f"func.func @mlp_train_{layers}({', '.join(args)}) -> ({', '.join([w] * layers)}) {{",
             f"  %one = dsr1.constant dense<1.0> : tensor<f32>"]
    prev = "%x"
    for i in range(1, layers + 1):
        lines.append(f"  %z{i} = dsr1.matmul {prev}, %w{i} : {t}, {w}")
        lines.append(f"  %a{i} = dsr1.tanh %z{i} : {t}")
        prev = f"%a{i}"
    lines.append(f"  %da{layers} = dsr1.sub %a{layers}, %t : {t}, {t}")
    for i in range(layers, 0, -1):
        src = "%x" if i == 1 else f"%a{i - 1}"
        lines += [
            f"  %sq{i} = dsr1.mul %a{i}, %a{i} : {t}, {t}",
            f"  %dt{i} = dsr1.sub %one, %sq{i} : tensor<f32>, {t}",
            f"  %dz{i} = dsr1.mul %da{i}, %dt{i} : {t}, {t}",
            f"  %st{i} = dsr1.transpose {src} perm [1, 0] : {t}",
            f"  %dw{i} = dsr1.matmul %st{i}, %dz{i} : tensor<{WIDTH}x{BATCH}xf32>, {t}",
        ]
        if i > 1:
            lines += [f"  %wt{i} = dsr1.transpose %w{i} perm [1, 0] : {w}",
                      f"  %da{i - 1} = dsr1.matmul %dz{i}, %wt{i} : {t}, {w}"]
    outs = ", ".join(f"%dw{i}" for i in range(1, layers + 1))
    lines.append(f"  return {outs} : {', '.join([w] * layers)}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def names(layers: int):
    return ["x", "t"] + [f"w{i}" for i in range(1, layers + 1)]


def reference(layers: int, values):
    x, t, ws = values[0], values[1], values[2:]
    acts = [x]
    for w in ws:
        acts.append(np.tanh(acts[-1] @ w))
    da = acts[-1] - t
    grads = [None] * layers
    for i in range(layers, 0, -1):
        dz = da * (1 - acts[i] ** 2)
        grads[i - 1] = acts[i - 1].T @ dz
        da = dz @ ws[i - 1].T
    return grads


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--make-inputs", type=Path)
    ap.add_argument("--check", nargs=2, type=Path, metavar=("INPUTS", "OUTPUTS"))
    args = ap.parse_args()
    if args.out:
        args.out.write_text(graph(args.layers))
    if args.make_inputs:
        args.make_inputs.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(0)
        for i, name in enumerate(names(args.layers)):
            scale = 1.0 if i < 2 else 1.0 / np.sqrt(WIDTH)
            np.save(args.make_inputs / f"{i}_{name}.npy",
                    (scale * rng.standard_normal((BATCH if i < 2 else WIDTH, WIDTH)))
                    .astype(np.float32))
    if args.check:
        inputs, outputs = args.check
        values = [np.load(inputs / f"{i}_{n}.npy").astype(np.float64)
                  for i, n in enumerate(names(args.layers))]
        ok = True
        for i, want in enumerate(reference(args.layers, values)):
            got = np.load(outputs / f"output_{i}.npy").astype(np.float64)
            close = np.allclose(got, want, rtol=1e-4, atol=1e-5)
            print(f"dW{i + 1}: {'ok' if close else 'FAIL'} (max abs {np.abs(got - want).max():.3g})")
            ok &= close
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
