#!/usr/bin/env python3
# tensors.py - the raw .bin files of examples/host-app against ONNX test data.
#
#   tensors.py to-bin DATA_DIR OUT_DIR     input_N.pb -> OUT_DIR/input_N.bin
#   tensors.py compare OUT_DIR DATA_DIR [--rtol R --atol A]
#                                          OUT_DIR/output_N.bin vs output_N.pb
import argparse
import glob
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper


def read_pb(path):
    tensor = TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return tensor.name, numpy_helper.to_array(tensor)


def numbered(folder, prefix):
    paths = glob.glob(os.path.join(folder, prefix + "_*.pb"))
    return sorted(paths, key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))


def to_bin(args):
    os.makedirs(args.out, exist_ok=True)
    for i, path in enumerate(numbered(args.data, "input")):
        _, array = read_pb(path)
        with open(os.path.join(args.out, "input_%d.bin" % i), "wb") as f:
            f.write(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes())
    return 0


def compare(args):
    failed = 0
    expected = numbered(args.data, "output")
    if not expected:
        print("no output_N.pb in %s" % args.data)
        return 1
    for i, path in enumerate(expected):
        name, want = read_pb(path)
        got_path = os.path.join(args.outputs, "output_%d.bin" % i)
        raw = np.fromfile(got_path, dtype=want.dtype.newbyteorder("<"))
        if raw.size != want.size:
            print("FAIL %s '%s': %d elements, expected %d" % (got_path, name, raw.size, want.size))
            failed += 1
            continue
        got = raw.reshape(want.shape)
        ok = np.allclose(got, want, rtol=args.rtol, atol=args.atol)
        diff = np.max(np.abs(got.astype(np.float64) - want.astype(np.float64))) if want.size else 0.0
        print("%s output %d '%s' %s: max abs diff %.3g" % ("ok  " if ok else "FAIL", i, name,
                                                        list(want.shape), diff))
        failed += not ok
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("to-bin")
    p.add_argument("data")
    p.add_argument("out")
    p.set_defaults(run=to_bin)
    p = sub.add_parser("compare")
    p.add_argument("outputs")
    p.add_argument("data")
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--atol", type=float, default=1e-5)
    p.set_defaults(run=compare)
    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
