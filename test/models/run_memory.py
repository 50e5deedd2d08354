"""Memory planning and recomputation on real models: the outputs never change.

For every model under --models (default: the memory set, test/models/memory, and a few of the
generated set), runs dsr1-run once without a budget (against the stored onnxruntime outputs,
rtol 1e-4 / atol 1e-5) and then under each budget (75% and 50% of the planned arena), with each
strategy (dsr1, sqrt), with and without --recompute-expensive. Under a budget the outputs must be
bitwise the outputs without one (recomputation runs the same kernels on the same data), and the
planned arena must be within the budget; a budget that cannot be met must end in the error that
names the smallest reachable arena, never in a crash or a wrong result.

Prints one line per run with the planned arena and the extra FLOPs; fails on any mismatch.
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PLANNED = re.compile(r"planned with recomputation\s+[0-9.]+ MiB \((\d+) bytes\)")
BUDGET = re.compile(r"^budget [0-9.]+ MiB \((\d+) bytes\)", re.M)
EXTRA = re.compile(r"extra FLOPs\s+\S+ \(([0-9.]+)% of")
UNMET = re.compile(r"error: the memory budget of \d+ bytes cannot be met: the smallest arena "
                   r"reachable by recomputing (cheap kernels|any kernel) is \d+ bytes")
DEFAULT_MODELS = ["memory/unet", "memory/transformer_train", "memory/transformer_train.l1",
                  "onnx/bert", "onnx/resnet", "onnx/whisper"]


def run(args, cmd):
    return subprocess.run([args.runner] + cmd, capture_output=True, text=True,
                          timeout=args.timeout)


def check_model(args, model: Path) -> int:
    data = model / "test_data_set_0"
    onnx = str(model / "model.onnx")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        base = run(args, [onnx, "--quiet", "--inputs", str(data), "--outputs", tmp, "--compare",
                          str(data), "--rtol", "1e-4", "--atol", "1e-5"])
        if base.returncode != 0:
            print(f"{model.name:28s} FAIL without a budget:\n{base.stdout}{base.stderr}")
            return 1
        for budget in ["75%", "50%"]:
            for strategy in ["dsr1", "sqrt"]:
                for expensive in [False, True]:
                    cmd = [onnx, "--quiet", "--inputs", str(data), "--compare", tmp, "--rtol",
                           "0", "--atol", "0", "--memory-report", "--memory-budget", budget,
                           "--recompute-strategy", strategy]
                    if expensive:
                        cmd.append("--recompute-expensive")
                    label = (f"{model.name:28s} {budget} {strategy:4s} "
                             f"{'any ' if expensive else 'cheap'}")
                    proc = run(args, cmd)
                    out = proc.stdout + proc.stderr
                    if proc.returncode != 0:
                        if proc.returncode == 1 and UNMET.search(out) and "FAIL" not in out:
                            print(f"{label}: cannot be met (as reported)")
                            continue
                        print(f"{label}: FAIL (exit {proc.returncode})\n{out}")
                        failures += 1
                        continue
                    planned, limit = PLANNED.search(out), BUDGET.search(out)
                    extra = EXTRA.search(out)
                    bitwise = out.count("max abs 0, max rel 0,")
                    if not (planned and limit and extra) or "FAIL" in out or bitwise == 0:
                        print(f"{label}: FAIL (no report or outputs differ)\n{out}")
                        failures += 1
                        continue
                    if int(planned.group(1)) > int(limit.group(1)):
                        print(f"{label}: FAIL (arena {planned.group(1)} over the budget "
                              f"{limit.group(1)})")
                        failures += 1
                        continue
                    print(f"{label}: arena {int(planned.group(1)):>10d} <= budget "
                          f"{int(limit.group(1)):>10d}, +{extra.group(1)}% FLOPs, "
                          f"outputs bitwise equal")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent,
                        help="test/models, which holds memory/ and onnx/")
    parser.add_argument("--only", nargs="*", default=DEFAULT_MODELS,
                        help="models, as paths under --root")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    failures = 0
    for name in args.only:
        model = args.root / name
        if not (model / "model.onnx").is_file():
            print(f"{name}: FAIL: no model.onnx under {model}")
            failures += 1
            continue
        failures += check_model(args, model)
    print(f"{len(args.only)} models, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
