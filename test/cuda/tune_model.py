"""dsr1-compile --tune on a model, then a compile that uses the tunings, end to end.

A dsr1 module with two f16 matrix products of one shape and a causal attention: --tune must tune
two distinct kernels (gemm-tc once, attention-tc) for sm_90a, each checked on cuda-emu, and write
them to the tuning cache; a compile with --tuning-cache must mark both kernels tuned (--emit
kernels) and the artifact it writes must run on cuda-emu within the f16 tolerance of the cpu
device. Skipped (exit 0 with a message) where NVRTC is not installed.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

MODULE = """\
func.func @main(%x: tensor<2x40x64xf32>, %w: tensor<64x64xf32>, %q: tensor<1x2x33x64xf32>,
                %k: tensor<1x2x70x64xf32>)
    -> (tensor<2x40x64xf32>, tensor<2x40x64xf32>, tensor<1x2x33x64xf32>) {
  %0 = dsr1.matmul %x, %w : tensor<2x40x64xf32>, tensor<64x64xf32>
  %1 = dsr1.relu %0 : tensor<2x40x64xf32>
  %2 = dsr1.matmul %1, %w : tensor<2x40x64xf32>, tensor<64x64xf32>
  %3 = dsr1.attention %q, %k, %k {num_heads = 2 : i64, causal} : tensor<1x2x33x64xf32>, tensor<1x2x70x64xf32>, tensor<1x2x70x64xf32>
  return %1, %2, %3 : tensor<2x40x64xf32>, tensor<2x40x64xf32>, tensor<1x2x33x64xf32>
}
"""


def run(cmd, timeout=900):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--compiler", required=True)
    parser.add_argument("--runner", required=True)
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model = tmp / "model.mlir"
        model.write_text(MODULE)
        data = tmp / "data"
        data.mkdir()
        rng = np.random.default_rng(3)
        for i, shape in enumerate([(2, 40, 64), (64, 64), (1, 2, 33, 64), (1, 2, 70, 64)]):
            np.save(data / f"input_{i}.npy", rng.uniform(-1, 1, shape).astype(np.float32))
        cache = tmp / "tunings.json"
        tune = run([args.compiler, str(model), "--tune", "--precision", "fp16", "--target",
                    "sm_90a", "--tuning-cache", str(cache)])
        if tune.returncode != 0 and "libnvrtc" in tune.stderr:
            print(f"skipped: {tune.stderr.strip()[:200]}")
            return 0
        print(tune.stdout)
        if tune.returncode != 0:
            failures.append(f"--tune failed: {tune.stderr.strip()[-400:]}")
        tuned = [l for l in tune.stdout.splitlines() if l.startswith("tune ")]
        families = sorted(l.split()[1].split("/")[0] for l in tuned)
        if families != ["attention-tc", "gemm-tc"]:
            failures.append(f"tuned {families}, expected one gemm-tc and one attention-tc")
        if tune.stdout.count("checked on cuda-emu at a small shape") != 2:
            failures.append("not every choice was checked on cuda-emu")
        entries = json.loads(cache.read_text())["entries"] if cache.exists() else {}
        if len(entries) != 2:
            failures.append(f"{len(entries)} entries in the tuning cache, expected 2")

        kernels = run([args.compiler, str(model), "--precision", "fp16", "--emit", "kernels",
                       "--target", "sm_90a", "--tuning-cache", str(cache)])
        marked = [l for l in kernels.stdout.splitlines() if "-tc*" in l]
        if kernels.returncode != 0 or len(marked) != 3:
            failures.append(f"expected the 3 tensor-core kernels marked tuned:\n{kernels.stdout}"
                            f"{kernels.stderr.strip()[-300:]}")

        artifact = tmp / "model.dsr1"
        compiled = run([args.compiler, str(model), "-o", str(artifact), "--quiet", "--precision",
                        "fp16", "--target", "cpu,sm_90a", "--tuning-cache", str(cache)])
        if compiled.returncode != 0:
            failures.append(f"compile with the tunings failed: {compiled.stderr[-400:]}")
        else:
            ran = run([args.runner, str(artifact), "--inputs", str(data), "--device", "cuda-emu",
                       "--against-device", "cpu", "--rtol", "2e-3", "--atol", "1e-3"])
            print(ran.stdout)
            if ran.returncode != 0 or ran.stdout.count("vs cpu: ok") != 3:
                failures.append(f"the tuned artifact on cuda-emu: {ran.stdout[-400:]} "
                                f"{ran.stderr[-300:]}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(failures)} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
