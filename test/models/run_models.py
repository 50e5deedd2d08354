"""Runs every model of the generated set on the cpu device with dsr1-run and compares its outputs
with the stored references (rtol 1e-4, atol 1e-5 in f32): onnxruntime's for the ONNX set
(`model.onnx`), torch's own for the TorchScript set (`model.pt`, test/models/torch).

Prints one line per model with the largest errors; fails if any model does not compile, does
not run, or differs. Every reference data set of a model is run (bert.dynamic has two shapes).

With --against-unfused, each data set is also run without fusion (`dsr1-run --fuse=false`) and
the fused outputs must match those too: the optimise pipeline's fusion passes change nothing
beyond the tolerance.

With --device cuda-emu, the models run their generated CUDA kernels on cuda-emu and must match
both the references and the cpu device's outputs (`dsr1-run --against-device cpu`).
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ERRORS = re.compile(r"max abs ([0-9.e+-]+|nan|inf), max rel ([0-9.e+-]+|nan|inf)")


def against_unfused(args, model: Path, data: Path) -> subprocess.CompletedProcess:
    """Runs the model unfused, then fused against the unfused outputs."""
    with tempfile.TemporaryDirectory() as tmp:
        base = [args.runner, str(model), "--quiet", "--inputs", str(data)]
        proc = subprocess.run(base + ["--fuse=false", "--outputs", tmp], capture_output=True,
                              text=True, timeout=args.timeout)
        if proc.returncode != 0:
            return proc
        return subprocess.run(base + ["--compare", tmp, "--rtol", str(args.rtol), "--atol",
                                      str(args.atol)], capture_output=True, text=True,
                              timeout=args.timeout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", required=True, type=Path)
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--only", nargs="+", help="only these model directories")
    parser.add_argument("--min-count", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--against-unfused", action="store_true",
                        help="also compare the fused outputs with the unfused ones")
    parser.add_argument("--device", default="cpu",
                        help="dsr1-run --device; other than cpu, also compared with the cpu")
    parser.add_argument("--runner-arg", action="append", default=[],
                        help="one more dsr1-run argument (repeatable)")
    args = parser.parse_args()
    device_args = [] if args.device == "cpu" else ["--device", args.device,
                                                   "--against-device", "cpu"]

    def model_file(d: Path) -> Path:
        return d / "model.onnx" if (d / "model.onnx").is_file() else d / "model.pt"

    dirs = sorted(p for p in args.models.iterdir() if model_file(p).is_file())
    if args.only:
        dirs = [d for d in dirs if d.name in args.only]
    elif len(dirs) < args.min_count:
        print(f"run_models: only {len(dirs)} models in {args.models}", file=sys.stderr)
        return 1
    failures = []
    for d in dirs:
        for data in sorted(d.glob("test_data_set_*")):
            start = time.monotonic()
            cmd = [args.runner, str(model_file(d)), "--quiet", "--inputs", str(data),
                   "--compare", str(data), "--rtol", str(args.rtol), "--atol", str(args.atol)]
            cmd += device_args + args.runner_arg
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                failures.append(f"{d.name}/{data.name}: timed out")
                print(f"{d.name:24s} {data.name}: TIMEOUT")
                continue
            seconds = time.monotonic() - start
            worst_abs = worst_rel = unfused_abs = 0.0
            for m in ERRORS.finditer(proc.stdout):
                worst_abs = max(worst_abs, float(m.group(1)))
                worst_rel = max(worst_rel, float(m.group(2)))
            if proc.returncode == 0 and args.against_unfused:
                proc = against_unfused(args, model_file(d), data)
                if proc.returncode == 0:
                    for m in ERRORS.finditer(proc.stdout):
                        unfused_abs = max(unfused_abs, float(m.group(1)))
            if proc.returncode == 0:
                extra = (f", vs unfused max abs {unfused_abs:.2e}"
                         if args.against_unfused else "")
                print(f"{d.name:24s} {data.name}: ok   max abs {worst_abs:.2e}, max rel "
                      f"{worst_rel:.2e}{extra} ({seconds:.1f} s)")
                continue
            lines = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
            reason = next((l for l in lines if "error" in l or "FAIL" in l),
                          lines[0] if lines else f"exit code {proc.returncode}")
            print(f"{d.name:24s} {data.name}: FAIL {reason[:200]}")
            failures.append(f"{d.name}/{data.name}: {reason}")
    print(f"{len(dirs)} models, {len(failures)} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
