"""dsr1 (cpu device) against onnxruntime (CPU execution provider) on the same models, machine and
thread count: p50 latency of each and their ratio.

The models are the full-size configs of test/models/generate.py (BERT-base at sequence 128,
ResNet-50 at 224x224, ViT-B/16 at 224x224, batch 1, random weights), exported with
torch.onnx; `--generate` builds them (needs torch and transformers, see bench/README.md).
Each dsr1 run also compares its outputs with the onnxruntime reference stored beside the
model, so that a fast wrong answer cannot pass for a result.
"""

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

MODELS = ["bert", "resnet", "vit"]
ROOT = Path(__file__).resolve().parent.parent


def load_inputs(data: Path, session: ort.InferenceSession) -> dict:
    tensors = []
    for pb in sorted(data.glob("input_*.pb"), key=lambda p: int(p.stem.split("_")[1])):
        t = onnx.TensorProto()
        t.ParseFromString(pb.read_bytes())
        tensors.append(numpy_helper.to_array(t))
    return {i.name: t for i, t in zip(session.get_inputs(), tensors)}


def time_onnxruntime(model: Path, data: Path, threads: int, warmup: int, iterations: int):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    feeds = load_inputs(data, session)
    for _ in range(warmup):
        session.run(None, feeds)
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def time_dsr1(runner: str, model: Path, data: Path, threads: int, warmup: int,
              iterations: int, extra: list):
    start = time.monotonic()
    check = subprocess.run([runner, str(model), "--quiet", "--inputs", str(data), "--compare",
                            str(data), "--rtol", "1e-3", "--atol", "1e-4",
                            "--num-threads", str(threads), *extra],
                           capture_output=True, text=True)
    compile_and_run = time.monotonic() - start
    errors = re.findall(r"max abs ([0-9.e+-]+|nan|inf)", check.stdout)
    max_abs = max((float(e) for e in errors), default=float("nan"))
    if check.returncode != 0:
        reason = (check.stderr.strip() or check.stdout.strip()).splitlines()[-1:]
        return None, compile_and_run, max_abs, reason[0] if reason else "failed"
    proc = subprocess.run([runner, str(model), "--quiet", "--inputs", str(data), "--warmup",
                           str(warmup), "--iterations", str(iterations),
                           "--num-threads", str(threads), *extra],
                          capture_output=True, text=True, check=True)
    p50 = float(re.search(r"p50 ([0-9.]+)", proc.stdout).group(1))
    return p50, compile_and_run, max_abs, ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=Path, default=ROOT / "bench" / "models")
    parser.add_argument("--runner", default=str(ROOT / "build" / "bin" / "dsr1-run"))
    parser.add_argument("--only", nargs="+", default=MODELS, choices=MODELS)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for onnxruntime and for dsr1's library routines (BLAS)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--no-fuse", action="store_true",
                        help="dsr1 without fusion groups: one kernel per op (dsr1-run --no-fuse)")
    parser.add_argument("--generate", action="store_true",
                        help="export the full-size models first (needs torch, transformers)")
    args = parser.parse_args()

    if args.generate:
        subprocess.run([sys.executable, str(ROOT / "test" / "models" / "generate.py"), "--out",
                        str(args.models), "--full", "--no-dynamo", "--only", *args.only],
                       check=True)
    rows = []
    for name in args.only:
        model = args.models / name / "model.onnx"
        data = args.models / name / "test_data_set_0"
        if not model.is_file():
            print(f"bench: {model} is missing; run with --generate", file=sys.stderr)
            return 1
        ort_ms = time_onnxruntime(model, data, args.threads, args.warmup, args.iterations)
        dsr1_ms, first_run_s, max_abs, reason = time_dsr1(
            args.runner, model, data, args.threads, args.warmup, args.iterations,
            ["--no-fuse"] if args.no_fuse else [])
        rows.append((name, dsr1_ms, ort_ms, first_run_s, max_abs, reason))
        print(f"{name}: done", file=sys.stderr)

    print(f"threads: {args.threads}; p50 of {args.iterations} runs after {args.warmup} warm-up")
    print("| model | dsr1 p50 ms | onnxruntime p50 ms | dsr1 / onnxruntime | dsr1 compile+first "
          "run s | max abs error vs reference |")
    print("|---|---|---|---|---|---|")
    for name, dsr1_ms, ort_ms, first_run_s, max_abs, reason in rows:
        if dsr1_ms is None:
            print(f"| {name} | failed: {reason[:80]} | {ort_ms:.1f} | - | {first_run_s:.1f} | "
                  f"{max_abs:.2e} |")
        else:
            print(f"| {name} | {dsr1_ms:.1f} | {ort_ms:.1f} | {dsr1_ms / ort_ms:.2f}x | "
                  f"{first_run_s:.1f} | {max_abs:.2e} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
