"""The GPU check's tensor-core pipeline end to end on the fake CUDA driver.

Packs the timing-only bundles (bench/gpu/make_bundles.py --tensor-cores), runs dsr1-gpu-check on
them over libdsr1-fake-cuda.so with --json, and bench/gpu/tensor_cores.py on its results: every
case must be measured, as one kernel of the tensor-core family its shape selects (gemm-tc,
attention-tc, attention-decode, conv-tc), and the report must print a line for each. The fake
driver computes nothing, so this checks the packing, the JSON and the report, not the kernels
(cuda-families does those); on a GPU bench/gpu/run.sh runs the same steps.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_FAMILY = {"gemm": "gemm-tc", "attention": "attention-tc", "decode": "attention-decode",
                   "conv": "conv-tc"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runner", required=True)
    parser.add_argument("--check", required=True, help="dsr1-gpu-check")
    parser.add_argument("--fake-driver", required=True)
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run([sys.executable, str(ROOT / "bench/gpu/make_bundles.py"), "--runner",
                        args.runner, "--out", str(out), "--tensor-cores"], check=True)
        cases = json.loads((out / "tc_cases.json").read_text())
        bundles = sorted(str(p) for p in out.glob("*.bundle"))
        if len(bundles) != len(cases):
            failures.append(f"{len(bundles)} bundles for {len(cases)} cases")
        env = dict(os.environ, DSR1_CUDA_DRIVER=args.fake_driver)
        proc = subprocess.run([args.check, *bundles, "--iterations", "2", "--json",
                               str(out / "results.json")], env=env, capture_output=True,
                              text=True)
        if proc.returncode != 0:
            failures.append(f"dsr1-gpu-check failed: {proc.stdout[-600:]} {proc.stderr[-300:]}")
        results = json.loads((out / "results.json").read_text())
        records = {r["model"]: r for r in results["bundles"]}
        for name, case in cases.items():
            record = records.get(name)
            if not record:
                failures.append(f"{name}: not in the results")
                continue
            families = {k["family"] for k in record["kernels"]}
            want = EXPECTED_FAMILY[case["kind"]]
            if families != {want} or not record["timing_only"]:
                failures.append(f"{name}: kernels {sorted(families)}, expected only {want}")
            if case["flops"] <= 0:
                failures.append(f"{name}: no FLOPs")
        report = subprocess.run([sys.executable, str(ROOT / "bench/gpu/tensor_cores.py"),
                                 "--results", str(out / "results.json"), "--cases",
                                 str(out / "tc_cases.json"), "--iterations", "2"],
                                env=env, capture_output=True, text=True)
        print(report.stdout)
        if report.returncode != 0:
            failures.append(f"tensor_cores.py failed: {report.stderr[-600:]}")
        for name in cases:
            if not any(line.startswith(name + " ") for line in report.stdout.splitlines()):
                failures.append(f"{name}: no line in the report")
    for f in failures:
        print("FAIL", f)
    print(f"{len(failures)} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
