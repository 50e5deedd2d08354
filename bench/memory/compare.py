"""dsr1's memory plan and recomputation strategies side by side, with the optimum where it is
computable.

For each model: the arena without planning (naive), planned, and the lower bound; then at
budgets of 75% and 50% of the planned arena, the arena each strategy reaches (dsr1's greedy and
Chen et al.'s sqrt checkpointing, with cheap kernels only and with --recompute-expensive) and
the FLOPs it adds, or the smallest arena it can reach when the budget cannot be met.

With --optimum, for the schedules of at most --optimum-max-launches launches, the exact optimum
(bench/memory/optimum.py, CBC) is computed at the peak dsr1's plan reaches under the
simulator's memory model (bench/memory/schedule.py: live bytes, no in-place reuse), warm
started from dsr1's plan, so the two are compared on the same problem.

  python3 bench/memory/compare.py --runner build/bin/dsr1-run [--optimum] [--only NAME ...]
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import schedule as sched  # noqa: E402

MODELS = {
    "resnet50": ROOT / "bench/models/resnet",
    "bert-base": ROOT / "bench/models/bert",
    "unet": ROOT / "bench/models/memory/unet",
    "transformer_train-24": ROOT / "bench/models/memory/transformer_train",
    "transformer_train-2 (small)": ROOT / "test/models/memory/transformer_train",
    "transformer_train-1 (small)": ROOT / "test/models/memory/transformer_train.l1",
    "transformer block (lit)": ROOT / "test/lit/passes/Inputs/transformer-block-train.mlir",
    "mlp_train-8": HERE / "graphs/mlp-train-8.mlir",
    "mlp_train-12": HERE / "graphs/mlp-train-12.mlir",
}

# How to make inputs for the .mlir graphs ({dir}: where the .npy files go).
MAKE_INPUTS = {
    "transformer-block-train.mlir": [
        str(ROOT / "test/lit/passes/Inputs/transformer-block-train.py"), "{dir}", "{dir}",
        "--make-inputs"],
    "mlp-train-8.mlir": [str(HERE / "graphs/mlp_train.py"), "--layers", "8", "--make-inputs",
                         "{dir}"],
    "mlp-train-12.mlir": [str(HERE / "graphs/mlp_train.py"), "--layers", "12", "--make-inputs",
                          "{dir}"],
}

BYTES = r"[0-9.]+ MiB \((\d+) bytes\)"
NAIVE = re.compile(r"naive \(a buffer per intermediate\)\s+" + BYTES)
PLANNED = re.compile(r"^  planned\s+" + BYTES, re.M)
LOWER = re.compile(r"lower bound \(most live at once\)\s+" + BYTES)
WITH = re.compile(r"planned with recomputation\s+" + BYTES + r".*?(\d+) launches recomputed")
EXTRA = re.compile(r"extra FLOPs\s+\S+ \(([0-9.]+)% of")
UNMET = re.compile(r"smallest arena reachable by recomputing [a-z ]+ is (\d+) bytes")


def mib(value: int) -> str:
    return f"{value / 2**20:.4g}"


def inputs_for(model: Path, tmp: Path) -> Path:
    """The model's test data; for a .mlir graph, random inputs of its argument types."""
    if model.suffix != ".mlir":
        return model / "test_data_set_0"
    command = [arg.replace("{dir}", str(tmp / "in")) for arg in MAKE_INPUTS[model.name]]
    subprocess.run([sys.executable] + command, check=True)
    return tmp / "in"


def model_file(model: Path) -> str:
    return str(model if model.suffix == ".mlir" else model / "model.onnx")


def dsr1(args, model: Path, data: Path, extra) -> subprocess.CompletedProcess:
    cmd = [args.runner, model_file(model), "--inputs", str(data), "--plan-only",
           "--memory-report"] + extra
    return subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)


def measure(args, name: str, model: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        data = inputs_for(model, tmp)
        start = time.time()
        base = dsr1(args, model, data, ["--memory-schedule-json", str(tmp / "schedule.json")])
        if base.returncode != 0:
            raise SystemExit(f"{name}: dsr1-run failed:\n{base.stderr}")
        row = {"name": name, "naive": int(NAIVE.search(base.stdout).group(1)),
               "planned": int(PLANNED.search(base.stdout).group(1)),
               "lower": int(LOWER.search(base.stdout).group(1)),
               "launches": len(json.loads((tmp / "schedule.json").read_text())["launches"]),
               "plan_seconds": time.time() - start, "budgets": {}}
        for budget in ["75%", "50%"]:
            for strategy in ["dsr1", "sqrt"]:
                for expensive in [False, True]:
                    flags = ["--memory-budget", budget, "--recompute-strategy", strategy]
                    if expensive:
                        flags.append("--recompute-expensive")
                    plan = tmp / f"plan-{budget[:-1]}-{strategy}-{int(expensive)}.json"
                    start = time.time()
                    proc = dsr1(args, model, data, flags + ["--memory-schedule-json", str(plan)])
                    seconds = time.time() - start
                    key = (budget, strategy, expensive)
                    if proc.returncode != 0:
                        unmet = UNMET.search(proc.stderr)
                        if not unmet:
                            raise SystemExit(f"{name} {key}: dsr1-run failed:\n{proc.stderr}")
                        row["budgets"][key] = {"met": False, "smallest": int(unmet.group(1)),
                                               "seconds": seconds}
                        continue
                    found, extra = WITH.search(proc.stdout), EXTRA.search(proc.stdout)
                    result = {"met": True, "arena": int(found.group(1)),
                              "recomputed": int(found.group(2)),
                              "extra_percent": float(extra.group(1)), "seconds": seconds}
                    if args.optimum and strategy == "dsr1" and \
                            row["launches"] <= args.optimum_max_launches:
                        result["optimum"] = optimum(args, plan, expensive, tmp)
                    row["budgets"][key] = result
        return row


def optimum(args, plan_path: Path, expensive: bool, tmp: Path) -> dict:
    """The optimum at the live-bytes peak dsr1's plan reaches (the simulator's model)."""
    data = json.loads(plan_path.read_text())
    schedule = sched.load_schedule(str(plan_path))
    pairs = [(r["launch"], r["before_launch"]) for r in data["recompute"]]
    mine = sched.simulate(schedule, pairs, True)
    warm = tmp / "warm.json"
    warm.write_text(json.dumps({"recomputed": data["recompute"]}))
    out = tmp / "optimum.json"
    cmd = [sys.executable, str(HERE / "optimum.py"), str(plan_path), "--budget",
           str(mine.peak_bytes), "--time-limit", str(args.time_limit), "--warm-start",
           str(warm), "--json", str(out)]
    if expensive:
        cmd.append("--recompute-expensive")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 3) or not out.exists():
        return {"status": f"failed ({proc.returncode})", "mine_flops": mine.extra_flops}
    result = json.loads(out.read_text())
    return {"status": result["status"], "flops": result.get("extra_flops"),
            "lower_bound": result.get("extra_flops_lower_bound", result.get("extra_flops")),
            "mine_flops": mine.extra_flops, "peak": mine.peak_bytes,
            "seconds": result.get("solve_seconds")}


def print_rows(rows) -> None:
    print("| model | launches | naive MiB | planned MiB | lower bound MiB | planned / lower bound |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['name']} | {row['launches']} | {mib(row['naive'])} | "
              f"{mib(row['planned'])} | {mib(row['lower'])} | "
              f"{row['planned'] / row['lower']:.3f} |")
    print()
    print("| model | budget | kernels recomputed | sqrt: arena MiB, extra FLOPs | "
          "dsr1: arena MiB, extra FLOPs | optimum (at dsr1's live peak) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        for budget in ["75%", "50%"]:
            for expensive in [False, True]:
                cells = []
                for strategy in ["sqrt", "dsr1"]:
                    r = row["budgets"][(budget, strategy, expensive)]
                    cells.append(f"{mib(r['arena'])}, +{r['extra_percent']:.2f}%" if r["met"]
                                 else f"not met (smallest {mib(r['smallest'])})")
                opt = row["budgets"][(budget, "dsr1", expensive)].get("optimum")
                if not opt:
                    cell = "-"
                elif opt.get("flops") is None:
                    cell = opt["status"]
                else:
                    ratio = opt["mine_flops"] / opt["flops"] if opt["flops"] else float("inf")
                    cell = (f"{opt['status']}: {opt['flops']} vs dsr1 {opt['mine_flops']} FLOPs "
                            f"(dsr1/opt {ratio:.3f}; bound {opt['lower_bound']}, "
                            f"{opt['seconds']:.0f} s)")
                print(f"| {row['name']} | {budget} | {'any' if expensive else 'cheap'} | "
                      f"{cells[0]} | {cells[1]} | {cell} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--only", nargs="*", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--optimum", action="store_true",
                        help="also solve the ILP for the small schedules")
    parser.add_argument("--optimum-max-launches", type=int, default=40)
    parser.add_argument("--time-limit", type=float, default=300)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args()
    rows = []
    for name in args.only:
        path = MODELS[name]
        if not path.exists():
            print(f"{name}: {path} is missing (see bench/memory/README.md to generate it)",
                  file=sys.stderr)
            continue
        print(f"{name}...", file=sys.stderr, flush=True)
        rows.append(measure(args, name, path))
    print_rows(rows)
    if args.json:
        args.json.write_text(json.dumps(
            [{**r, "budgets": {" ".join(map(str, k)): v for k, v in r["budgets"].items()}}
             for r in rows], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
