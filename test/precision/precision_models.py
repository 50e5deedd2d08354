"""Runs the generated model set in every precision mode and checks the accuracy against the
stored onnxruntime f32 references, and the trap models whose values leave f16's range.

For each model and mode (`dsr1-run --precision MODE`, calibrated on the model's own inputs):
- no output holds NaN or infinity;
- the error, max |y - ref| / max |ref| per output (the metric of dsr1's accuracy budget),
  is within the mode's tolerance: fp16 and auto 1e-2, tf32 2e-3, bf16 5e-2;
- the precision report's FLOPs of products are mostly in the mode's precision (fp16, bf16:
  at least 90%; tf32: the matrix products and convolutions);
- with --device cuda-emu, the generated CUDA kernels give the cpu device's result in fp16,
  bf16 and tf32 (both round at the same points; only summation order differs); with
  --compiler, they also compile with NVRTC for sm_80 and sm_90a without register spills.

Trap models (built here with onnx.helper, reference from onnxruntime in f32): activations
scaled past 65504 into a LayerNormalization, and a variance computed as ReduceMean(Pow(x, 2))
whose squares overflow f16 while x does not. `auto` must come out finite and within 1e-2;
`fp16` must warn about each overflowing op and keep it in f32 (finite too).
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

TOLERANCE = {"fp16": 1e-2, "auto": 1e-2, "tf32": 2e-3, "bf16": 5e-2}
SHARE = re.compile(r"FLOPs of products \(.*\): f16 ([0-9.]+)% bf16 ([0-9.]+)% "
                   r"tf32 ([0-9.]+)% f32 ([0-9.]+)%")


def read_outputs(folder: Path) -> list:
    files = sorted(folder.glob("output_*.pb"), key=lambda p: int(p.stem.split("_")[1]))
    return [numpy_helper.to_array(onnx.load_tensor(str(f))) for f in files]


def error(outputs: list, reference: list) -> tuple:
    """The budget's metric and the count of non-finite elements."""
    worst, nonfinite = 0.0, 0
    for y, r in zip(outputs, reference):
        if not np.issubdtype(r.dtype, np.floating):
            continue
        y, r = y.astype(np.float64), r.astype(np.float64)
        bad = ~np.isfinite(y)
        nonfinite += int(bad.sum())
        scale = np.abs(r).max() if r.size else 0.0
        diff = np.abs(y - r).max() if r.size else 0.0
        worst = max(worst, np.inf if bad.any() else (diff / scale if scale > 0 else diff))
    return worst, nonfinite


def run(args, model: Path, inputs: Path, extra: list) -> tuple:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [args.runner, str(model), "--inputs", str(inputs), "--outputs", tmp,
               "--precision-report", "--quiet"] + extra
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        if proc.returncode != 0:
            return None, proc
        return read_outputs(Path(tmp)), proc


def check_model(args, model_dir: Path, mode: str) -> list:
    data = model_dir / "test_data_set_0"
    reference = read_outputs(data)
    extra = ["--precision", mode, "--calibration", str(data)]
    outputs, proc = run(args, model_dir / "model.onnx", data, extra)
    if outputs is None:
        return [f"{model_dir.name} {mode}: dsr1-run failed:\n{proc.stderr.strip()}"]
    problems = []
    worst, nonfinite = error(outputs, reference)
    share = SHARE.search(proc.stdout)
    f16, bf16, tf32, f32 = (float(x) for x in share.groups()) if share else (0, 0, 0, 0)
    print(f"{model_dir.name:28} {mode:5} error {worst:9.3g}  non-finite {nonfinite}  "
          f"products f16 {f16:5.1f}% bf16 {bf16:5.1f}% tf32 {tf32:5.1f}% f32 {f32:5.1f}%",
          flush=True)
    if nonfinite or not worst <= TOLERANCE[mode]:
        problems.append(f"{model_dir.name} {mode}: error {worst:.3g} (tolerance "
                        f"{TOLERANCE[mode]}), {nonfinite} non-finite")
    if not share:
        problems.append(f"{model_dir.name} {mode}: no FLOP shares in the precision report")
    elif mode == "fp16" and f16 < 90 or mode == "bf16" and bf16 < 90 or \
            mode == "tf32" and tf32 == 0:
        problems.append(f"{model_dir.name} {mode}: only f16 {f16}% bf16 {bf16}% tf32 {tf32}% "
                        "of the products' FLOPs in reduced precision")
    if args.device != "cpu" and mode in ("fp16", "bf16", "tf32") and \
            (not args.device_models or model_dir.name in args.device_models):
        emu = subprocess.run([args.runner, str(model_dir / "model.onnx"), "--inputs", str(data),
                              "--precision", mode, "--device", args.device, "--against-device",
                              "cpu", "--rtol", "2e-2", "--atol", "2e-3", "--quiet"],
                             capture_output=True, text=True, timeout=args.timeout)
        if emu.returncode != 0:
            problems.append(f"{model_dir.name} {mode} {args.device} vs cpu:\n"
                            f"{emu.stdout.strip()}\n{emu.stderr.strip()}")
    if args.compiler and mode in ("fp16", "bf16", "tf32") and \
            (not args.device_models or model_dir.name in args.device_models):
        problems += check_nvrtc(args, model_dir, mode)
    return problems


def check_nvrtc(args, model_dir: Path, mode: str) -> list:
    """The mode's CUDA kernels compile with NVRTC for sm_80 and sm_90a without spills."""
    data = model_dir / "test_data_set_0"
    proc = subprocess.run([args.compiler, str(model_dir / "model.onnx"), "--inputs", str(data),
                           "--precision", mode, "--emit", "kernels", "--target", "sm_80,sm_90a"],
                          capture_output=True, text=True, timeout=args.timeout)
    if proc.returncode != 0 and "libnvrtc" in proc.stderr:
        print(f"{model_dir.name:28} {mode:5} nvrtc skipped: {proc.stderr.strip()[:120]}")
        return []
    spills = re.search(r"spill bytes in all: (\d+)", proc.stdout)
    if proc.returncode != 0 or not spills:
        return [f"{model_dir.name} {mode} nvrtc: {proc.stderr.strip()[:300]}"]
    if int(spills.group(1)) != 0:
        return [f"{model_dir.name} {mode} nvrtc: {spills.group(1)} spill bytes"]
    print(f"{model_dir.name:28} {mode:5} nvrtc sm_80 and sm_90a, no spills", flush=True)
    return []


def trap_models(folder: Path) -> list:
    """(name, the ops that must be flagged, a model dir) for each trap."""
    rng = np.random.default_rng(0)
    traps = []

    def save(name, nodes, initializers, flagged):
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 8, 64])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8, 64])
        graph = helper.make_graph(nodes, name, [x], [y], initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        d = folder / name
        (d / "test_data_set_0").mkdir(parents=True)
        onnx.save(model, str(d / "model.onnx"))
        inp = rng.standard_normal((2, 8, 64)).astype(np.float32)
        onnx.save_tensor(numpy_helper.from_array(inp, "x"),
                         str(d / "test_data_set_0" / "input_0.pb"))
        session = ort.InferenceSession(str(d / "model.onnx"), providers=["CPUExecutionProvider"])
        (out,) = session.run(None, {"x": inp})
        assert np.isfinite(out).all()
        onnx.save_tensor(numpy_helper.from_array(out, "y"),
                         str(d / "test_data_set_0" / "output_0.pb"))
        traps.append((name, flagged, d))

    def weight(name, scale):
        return numpy_helper.from_array(
            (rng.standard_normal((64, 64)) * scale).astype(np.float32), name)

    const = lambda name, value: numpy_helper.from_array(np.array(value, np.float32), name)
    ones = numpy_helper.from_array(np.ones(64, np.float32), "gamma")
    zeros = numpy_helper.from_array(np.zeros(64, np.float32), "beta")
    # x @ W1 is ~N(0, 8); scaled by 4000 it reaches ~1e5, past 65504.
    save("trap_layernorm",
         [helper.make_node("MatMul", ["x", "w1"], ["h"], name="project"),
          helper.make_node("Mul", ["h", "k"], ["scaled"], name="scale_up"),
          helper.make_node("LayerNormalization", ["scaled", "gamma", "beta"], ["n"], axis=-1,
                           name="norm"),
          helper.make_node("MatMul", ["n", "w2"], ["y"], name="out")],
         [weight("w1", 1.0), const("k", 4000.0), ones, zeros, weight("w2", 0.125)],
         ["scale_up", "norm"])
    # x @ W1 * 100 stays under ~4e3, but its square reaches ~1e7: the variance overflows.
    save("trap_variance",
         [helper.make_node("MatMul", ["x", "w1"], ["h"], name="project"),
          helper.make_node("Mul", ["h", "k"], ["scaled"], name="scale_up"),
          helper.make_node("ReduceMean", ["scaled"], ["mean"], axes=[-1], name="mean"),
          helper.make_node("Sub", ["scaled", "mean"], ["centred"], name="centre"),
          helper.make_node("Pow", ["centred", "two"], ["square"], name="square"),
          helper.make_node("ReduceMean", ["square"], ["variance"], axes=[-1], name="variance"),
          helper.make_node("Add", ["variance", "eps"], ["shifted"], name="add_eps"),
          helper.make_node("Sqrt", ["shifted"], ["deviation"], name="deviation"),
          helper.make_node("Div", ["centred", "deviation"], ["n"], name="normalise"),
          helper.make_node("MatMul", ["n", "w2"], ["y"], name="out")],
         [weight("w1", 1.0), const("k", 100.0), const("two", 2.0), const("eps", 1e-5),
          weight("w2", 0.125)],
         ["square"])
    return traps


def check_trap(args, name: str, flagged: list, d: Path) -> list:
    data = d / "test_data_set_0"
    reference = read_outputs(data)
    problems = []
    for mode in ("auto", "fp16"):
        outputs, proc = run(args, d / "model.onnx", data,
                            ["--precision", mode, "--calibration", str(data)])
        if outputs is None:
            problems.append(f"{name} {mode}: dsr1-run failed:\n{proc.stderr.strip()}")
            continue
        worst, nonfinite = error(outputs, reference)
        print(f"{name:28} {mode:5} error {worst:9.3g}  non-finite {nonfinite}", flush=True)
        if nonfinite or not worst <= 1e-2:
            problems.append(f"{name} {mode}: error {worst:.3g}, {nonfinite} non-finite")
        for node in flagged:
            row = re.search(rf"^  {re.escape(node)} +\S+ +(\S+) +(.*)$", proc.stdout, re.M)
            if not row:
                problems.append(f"{name} {mode}: node {node} not in the precision report")
                continue
            precision, reason = row.groups()
            want = "bf16" if mode == "auto" else "f32"
            if precision != want or "beyond f16's 65504" not in reason:
                problems.append(f"{name} {mode}: node {node} is {precision} ({reason}); "
                                f"expected {want} for its range")
            warned = re.search(rf"warning: node '{re.escape(node)}': kept in f32 in fp16 mode",
                               proc.stderr)
            if mode == "fp16" and not warned:
                problems.append(f"{name} fp16: no warning for node {node}:\n{proc.stderr}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", required=True, type=Path)
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--only", nargs="+", help="only these model directories")
    parser.add_argument("--modes", nargs="+", default=["fp16", "bf16", "tf32", "auto"])
    parser.add_argument("--device", default="cpu",
                        help="also run fp16/bf16/tf32 on this device against the cpu "
                             "(cuda-emu)")
    parser.add_argument("--compiler", help="path to dsr1-compile: the --device-models' "
                        "fp16/bf16/tf32 kernels also compile with NVRTC without spills")
    parser.add_argument("--device-models", nargs="+",
                        help="run only these models on --device (default: all)")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    dirs = sorted(p for p in args.models.iterdir() if (p / "model.onnx").is_file())
    if args.only:
        dirs = [d for d in dirs if d.name in args.only]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, flagged, d in trap_models(Path(tmp)):
            problems += check_trap(args, name, flagged, d)
    for d in dirs:
        for mode in args.modes:
            problems += check_model(args, d, mode)
    for problem in problems:
        print("FAIL:", problem)
    print(f"{len(dirs)} models x {len(args.modes)} modes, 2 trap models: "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
