"""numpy reference for Inputs/transformer-block-train.mlir.

Usage: transformer-block-train.py INPUTS OUTPUTS [--make-inputs]
With --make-inputs, writes seeded random inputs to INPUTS; otherwise compares the outputs dsr1-run
wrote to OUTPUTS (output_N.npy) with the graph computed in float64 (rtol 1e-4, atol 1e-5).
"""

import math
import sys
from pathlib import Path

import numpy as np

SHAPES = [("x", (8, 16)), ("d", (8, 16)), ("gamma", (16,)), ("wq", (16, 16)), ("wk", (16, 16)),
          ("wv", (16, 16)), ("w1", (16, 64)), ("w2", (64, 16))]


def reference(x, d, gamma, wq, wk, wv, w1, w2):
    mean = x.mean(axis=1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
    ln = (x - mean) / np.sqrt(var + 1e-5) * gamma
    q, k, v = ln @ wq, ln @ wk, ln @ wv
    s = q @ k.T
    e = np.exp(s - s.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    y = p @ v + x
    m = y @ w1
    g = 0.5 * m * (1 + np.vectorize(math.erf)(m / math.sqrt(2)))
    dw2 = g.T @ d
    dm = (d @ w2.T) * g
    dw1 = y.T @ dm
    dy = dm @ w1.T + d
    dp = dy @ v.T
    dv = p.T @ dy
    ds = dp * p
    dq = ds @ k
    dk = ds.T @ q
    return [ln.T @ dq, ln.T @ dk, ln.T @ dv, dw1, dw2]


def main() -> int:
    inputs, outputs = Path(sys.argv[1]), Path(sys.argv[2])
    if "--make-inputs" in sys.argv:
        inputs.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(0)
        for i, (name, shape) in enumerate(SHAPES):
            np.save(inputs / f"{i}_{name}.npy", (0.5 * rng.standard_normal(shape)).astype(np.float32))
        return 0
    args = [np.load(inputs / f"{i}_{name}.npy").astype(np.float64)
            for i, (name, _) in enumerate(SHAPES)]
    ok = True
    for i, want in enumerate(reference(*args)):
        got = np.load(outputs / f"output_{i}.npy").astype(np.float64)
        close = got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-5)
        err = np.abs(got - want).max() if got.shape == want.shape else float("inf")
        print(f"output {i}: {'ok' if close else 'FAIL'} (max abs {err:.3g})")
        ok &= close
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
