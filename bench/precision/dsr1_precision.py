"""dsr1's per-op precision on the full-size models: accuracy and the share of GEMM/conv FLOPs
in f16/bf16 per mode, beside onnxruntime's own float16 conversions (ort_fp16.py).

For each model of bench/models (BERT-base, ViT-B/16, ResNet-50, Whisper) and each mode
(fp32, tf32, fp16, bf16, auto), `dsr1-run --precision MODE` runs the model on its stored inputs
(test_data_set_0) and the outputs are compared with the stored onnxruntime f32 outputs:
- error: max |y - ref| / max |ref| per output, the largest over the outputs (the metric of
  dsr1's accuracy budget and of ort_fp16.py);
- non-finite: NaN/inf elements in the outputs;
- the FLOP shares of products (matmul, gemm, conv, attention) per precision, from
  `--precision-report`.
Calibration (ranges, and auto's accuracy budget) uses a *different* input set made here from
the stored one: float inputs redrawn with the same mean and deviation, integer inputs (token
ids) shuffled. So auto is judged on inputs it did not see.

    python3 bench/precision/dsr1_precision.py --runner build/bin/dsr1-run \
        --json bench/precision/dsr1.json --markdown bench/precision/dsr1.md
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "test" / "precision"))
from precision_models import SHARE, error, read_outputs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1] / "models"
MODES = ["fp32", "tf32", "fp16", "bf16", "auto"]
NAMES = {"bert": "BERT-base (seq 128)", "vit": "ViT-B/16", "resnet": "ResNet-50",
         "whisper": "Whisper-tiny (audio + text, cross-attention)"}


def calibration_set(data: Path, out: Path, seed: int = 1) -> None:
    """Inputs of the stored set's kind but other values."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True)
    for f in sorted(data.glob("input_*.pb")):
        tensor = onnx.load_tensor(str(f))
        x = numpy_helper.to_array(tensor)
        if np.issubdtype(x.dtype, np.floating):
            y = (rng.standard_normal(x.shape) * x.std() + x.mean()).astype(x.dtype)
        else:
            y = rng.permutation(x.reshape(-1)).reshape(x.shape)
        onnx.save_tensor(numpy_helper.from_array(y, tensor.name), str(out / f.name))


def measure(args, name: str, mode: str, calibration: Path) -> dict:
    data = ROOT / name / "test_data_set_0"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [args.runner, str(ROOT / name / "model.onnx"), "--inputs", str(data), "--outputs",
               tmp, "--precision", mode, "--calibration", str(calibration),
               "--accuracy-budget", str(args.budget), "--precision-report", "--quiet"]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            return {"model": name, "mode": mode, "status": proc.stderr.strip()[-500:]}
        outputs = read_outputs(Path(tmp))
    worst, nonfinite = error(outputs, read_outputs(data))
    share = SHARE.search(proc.stdout)
    f16, bf16, tf32, f32 = (float(x) for x in share.groups())
    trials = re.findall(r"^    (\d+) demoted: error (\S+), (\d+) non-finite", proc.stdout, re.M)
    candidates = re.search(r"(\d+) ops could be demoted", proc.stdout)
    warnings = proc.stderr.count("warning:")
    return {"model": name, "mode": mode, "status": "ok", "max_rel_error": worst,
            "nonfinite": nonfinite, "products_f16": f16, "products_bf16": bf16,
            "products_tf32": tf32, "products_f32": f32, "seconds": round(seconds, 1),
            "warnings": warnings,
            "auto_trials": [{"demoted": int(d), "error": float(e), "nonfinite": int(n)}
                            for d, e, n in trials],
            "auto_candidates": int(candidates.group(1)) if candidates else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--models", nargs="+", default=["bert", "vit", "resnet", "whisper"])
    parser.add_argument("--modes", nargs="+", default=MODES)
    parser.add_argument("--budget", type=float, default=1e-2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            calibration = Path(tmp) / name
            calibration_set(ROOT / name / "test_data_set_0", calibration)
            for mode in args.modes:
                print(f"{name} {mode}...", file=sys.stderr, flush=True)
                row = measure(args, name, mode, calibration)
                print(json.dumps(row), file=sys.stderr, flush=True)
                rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    lines = ["| model | mode | max rel error vs f32 | NaN/inf | products in f16 | in bf16 | "
             "in f16 or bf16 | in tf32 | dsr1-run s |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["status"] != "ok":
            lines.append(f"| {NAMES.get(r['model'], r['model'])} | {r['mode']} | failed: "
                         f"{r['status'][:80]} | | | | | | |")
            continue
        lines.append(f"| {NAMES.get(r['model'], r['model'])} | {r['mode']} | "
                     f"{r['max_rel_error']:.2e} | {r['nonfinite']} | {r['products_f16']:.1f}% | "
                     f"{r['products_bf16']:.1f}% | "
                     f"{r['products_f16'] + r['products_bf16']:.1f}% | "
                     f"{r['products_tf32']:.1f}% | {r['seconds']} |")
    table = "\n".join(lines) + "\n"
    print(table)
    if args.markdown:
        args.markdown.write_text(table)
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
