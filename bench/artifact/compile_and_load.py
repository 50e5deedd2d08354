"""Compile time, load time and size of a .dsr1 artifact, against onnxruntime in the same run.

For one ONNX model (default: full-size BERT-base, bench/models/bert, seq 128, batch 1):
  1. `dsr1-compile --target sm_80,sm_90a,cpu` with an empty code cache (cold), then again (warm):
     wall time and dsr1-compile's own per-stage split (import, passes, codegen, NVRTC,
     serialisation);
  2. loading the artifact through libdsr1's C API (`dsr1_model_load`, cpu device: map, checks,
     checksums, the cpu object), and the first run through a session;
  3. onnxruntime's InferenceSession creation (load + graph optimisation, 1 thread) and first run
     on the same model, as the peer: what a host pays before its first inference either way.
Prints a table; medians of --repeat loads.
"""

import argparse
import ctypes
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def compile_artifact(compiler, model, out, cache, shapes):
    env = {**os.environ, "DSR1_CACHE_DIR": cache}
    cmd = [compiler, model, "--target", "sm_80,sm_90a,cpu", "-o", out]
    for s in shapes:
        cmd += ["--input-shape", s]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    stages = re.search(r"compile time: [0-9.]+ s \((.*)\)", proc.stdout).group(1)
    return wall, stages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(ROOT / "bench/models/bert/model.onnx"))
    parser.add_argument("--shape", action="append",
                        default=["input_ids=1x128:i64", "attention_mask=1x128:i64",
                                 "token_type_ids=1x128:i64"])
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    compiler = f"{args.build}/bin/dsr1-compile"
    lib = ctypes.CDLL(f"{args.build}/lib/libdsr1.so")
    lib.dsr1_last_error.restype = ctypes.c_char_p

    with tempfile.TemporaryDirectory() as tmp:
        artifact = f"{tmp}/model.dsr1"
        cold, cold_stages = compile_artifact(compiler, args.model, artifact, f"{tmp}/cache",
                                             args.shape)
        warm, warm_stages = compile_artifact(compiler, args.model, artifact, f"{tmp}/cache",
                                             args.shape)
        size = os.path.getsize(artifact)

        loads = []
        for _ in range(args.repeat):
            model = ctypes.c_void_p()
            start = time.perf_counter()
            status = lib.dsr1_model_load(artifact.encode(), 0, ctypes.byref(model))
            loads.append(time.perf_counter() - start)
            if status != 0:
                print("load failed:", lib.dsr1_last_error().decode())
                return 1
            lib.dsr1_model_free(model)

    import numpy as np
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    creates = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
        creates.append(time.perf_counter() - start)
    weights = os.path.getsize(args.model)

    load, create = statistics.median(loads), statistics.median(creates)
    print(f"model: {args.model} ({weights / 2**20:.1f} MiB)")
    print(f"dsr1-compile cold: {cold:.2f} s wall ({cold_stages})")
    print(f"dsr1-compile warm: {warm:.2f} s wall ({warm_stages})")
    print(f"artifact: {size / 2**20:.2f} MiB, {size / weights:.3f}x the .onnx file")
    print(f"dsr1 artifact load (dsr1_model_load, cpu): {1e3 * load:.1f} ms median of {args.repeat}")
    print(f"onnxruntime InferenceSession creation:      {1e3 * create:.1f} ms median of "
          f"{args.repeat}")
    print(f"ready to run: dsr1 {create / load:.1f}x faster than onnxruntime; "
          f"load is {cold / load:.0f}x faster than a cold compile, {warm / load:.0f}x than warm")
    return 0


if __name__ == "__main__":
    sys.exit(main())
