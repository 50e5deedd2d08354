"""Compares the outputs dsr1-run wrote for fold-noise.onnxtxt with numpy's, bit for bit."""
import sys
from pathlib import Path

import numpy as np

inputs, outputs = Path(sys.argv[1]), Path(sys.argv[2])
x = np.load(inputs / "0_x.npy")
m = np.load(inputs / "1_m.npy")
want = {
    "neutral": x,
    "round_trip": x,
    "unit_moved": x.reshape(1, 2, 3),
    "picked": x,
    "sliced": x,
    "mask": (m != 0).reshape(2, 1, 1, 3),
    # +0.0 turns -0.0 into +0.0: not x, so the pass must keep the add.
    "plus_zero": x + np.float32(0.0),
}
for i, (name, expected) in enumerate(want.items()):
    got = np.load(outputs / f"output_{i}.npy")
    same = got.dtype == expected.dtype and got.shape == expected.shape and \
        got.tobytes() == expected.tobytes()
    print(f"{name}: {'bitwise equal' if same else f'DIFFERENT: {got!r} vs {expected!r}'}")
