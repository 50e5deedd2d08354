"""Inputs and numpy references for dsr1-run-precision.test: scale-shift.onnxtxt
(y = relu(x * s + b)) computed in float16, and in bf16 (f32 arithmetic rounded to bf16 after
every op, as a bf16 GPU kernel stores it), on inputs exactly representable in both."""

import sys
from pathlib import Path

import numpy as np

out = Path(sys.argv[1])
x = np.array([[1.5, -2.25, 3.0], [-4.125, 5.5, -6.0]], np.float32) * 1.01
s = np.array([2.0, 0.5, -1.0], np.float32) * 1.003
b = np.array([0.5, -1.0, 2.0], np.float32)


def bf16(v):
    bits = np.asarray(v, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
    return bits.astype(np.uint32).view(np.float32)


def f16(v):
    return np.asarray(v, np.float32).astype(np.float16).astype(np.float32)


for name, rnd in (("f16", f16), ("bf16", bf16)):
    y = np.maximum(rnd(rnd(rnd(x) * rnd(s)) + rnd(b)), 0)
    np.save(out / name / "0_y.npy", y.astype(np.float32))
    np.save(out / name / "1_s.npy", s)
for folder in (out / "in", out / "sets" / "test_data_set_0"):
    np.save(folder / "0_x.npy", x)
    np.save(folder / "1_s.npy", s)
np.save(out / "sets" / "test_data_set_1" / "0_x.npy", x * -2)
np.save(out / "sets" / "test_data_set_1" / "1_s.npy", s)
np.save(out / "one" / "0_x.npy", x)
