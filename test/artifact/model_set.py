"""Compiles every model of the generated set into a .dsr1 artifact, loads it and runs it on the
cpu and cuda-emu devices, and requires the outputs to equal, bit for bit, those of the same model
compiled and run in process (`dsr1-run model.onnx`): the artifact changes where the code comes
from, never what it computes.

Each model is compiled for its first reference data set (`--inputs`), by default for the cpu and
sm_80 (the CUDA source cuda-emu runs is the same for every architecture). Prints one line per model and
device; fails if any compile, load or run fails or any output differs in a single bit.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(cmd, timeout):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))}\n{proc.stdout}{proc.stderr}")
    return proc


def outputs(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("output_*.pb"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", required=True, type=Path)
    parser.add_argument("--compiler", required=True, help="path to dsr1-compile")
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--devices", nargs="+", default=["cpu", "cuda-emu"])
    parser.add_argument("--targets", default="cpu,sm_80", help="dsr1-compile --target")
    parser.add_argument("--only", nargs="+", help="only these model directories")
    parser.add_argument("--skip-variants", action="store_true",
                        help="skip the exporter variants (.dynamo and the like)")
    parser.add_argument("--min-count", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    dirs = []
    for d in sorted(p for p in args.models.iterdir() if p.is_dir()):
        if args.only and d.name not in args.only:
            continue
        if args.skip_variants and "." in d.name:
            continue
        model = d / "model.onnx" if (d / "model.onnx").is_file() else d / "model.pt"
        data = sorted(d.glob("test_data_set_*"))
        if model.is_file() and data:
            dirs.append((d.name, model, data[0]))
    if len(dirs) < args.min_count:
        print(f"only {len(dirs)} models under {args.models}, expected {args.min_count}")
        return 1

    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, model, data in dirs:
            artifact = tmp / f"{name}.dsr1"
            try:
                start = time.time()
                run([args.compiler, model, "-o", artifact, "--target", args.targets, "--inputs",
                     data, "--quiet"], args.timeout)
                compile_s = time.time() - start
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                print(f"FAIL {name}: dsr1-compile: {e}")
                failures += 1
                continue
            size = artifact.stat().st_size
            for device in args.devices:
                got, want = tmp / f"{name}.{device}.artifact", tmp / f"{name}.{device}.jit"
                try:
                    run([args.runner, artifact, "--device", device, "--quiet", "--inputs", data,
                         "--outputs", got], args.timeout)
                    run([args.runner, model, "--device", device, "--quiet", "--inputs", data,
                         "--outputs", want], args.timeout)
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    print(f"FAIL {name} on {device}: {e}")
                    failures += 1
                    continue
                a, b = outputs(got), outputs(want)
                if not a or a.keys() != b.keys():
                    print(f"FAIL {name} on {device}: outputs {sorted(a)} vs {sorted(b)}")
                    failures += 1
                    continue
                differ = [k for k in a if a[k] != b[k]]
                if differ:
                    print(f"FAIL {name} on {device}: {', '.join(differ)} differ from the "
                          f"in-process run")
                    failures += 1
                    continue
                print(f"ok   {name:24s} {device:9s} {len(a)} output(s) bit-equal; artifact "
                      f"{size / 1024:.0f} KiB, compiled in {compile_s:.1f} s")
    print(f"{len(dirs)} models, {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
