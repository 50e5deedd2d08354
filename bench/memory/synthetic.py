"""Synthetic kernel schedules ("dsr1-schedule-1" JSON) for testing and sizing the recompute
optimum (bench/memory/optimum.py): random small DAGs, and training-shaped graphs (a chain of n
forward launches, then n backward launches where backward launch i reads forward launch n-i and
the previous backward launch, so early activations are read late, as in forward+backward).

  python3 bench/memory/synthetic.py training --n 20 --seed 1 --out train20.json
  python3 bench/memory/synthetic.py random --launches 7 --seed 3 --out dag.json
  python3 bench/memory/synthetic.py times --n 10 20 40 80 --budget 50% --time-limit 600

`times` builds the training-shaped graph for each n, solves the optimum at the budget and prints
a table of graph size, ILP size, status, extra FLOPs and solve time (the figures in the final
report of issue 7's optimum part).
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import schedule as sched  # noqa: E402

KIB = 1024


class Builder:
    """Accumulates values and launches in schedule order."""

    def __init__(self, model: str):
        self.model = model
        self.values = []
        self.launches = []

    def value(self, name: str, nbytes: int, kind: str) -> int:
        vid = len(self.values)
        self.values.append({"id": vid, "name": name, "bytes": nbytes, "kind": kind})
        return vid

    def launch(self, name: str, family: str, flops: int, expensive: bool, operands, results):
        self.launches.append({"name": name, "family": family, "flops": flops,
                              "expensive": expensive, "operands": list(operands),
                              "results": list(results)})
        return len(self.launches) - 1

    def json(self) -> dict:
        return {"format": sched.FORMAT, "model": self.model, "values": self.values,
                "launches": self.launches}


def random_dag(rng: random.Random, launches: int, expensive_share: float = 0.25) -> dict:
    """A random DAG: each launch reads one or two earlier values (often an old one, so values
    span gaps), writes one arena value, sometimes two, or an output; some values are never
    read; some launches cost 0 FLOPs (reshapes)."""
    b = Builder(f"random-{launches}")
    available = [b.value("x", 16 * rng.randint(1, 4), "input")]
    for i in range(launches):
        count = min(len(available), rng.choice((1, 1, 2, 2, 3)))
        operands = rng.sample(available, count)
        if rng.random() < 0.5 and available[-1] not in operands:
            operands[0] = available[-1]
        last = i == launches - 1
        kinds = ["output"] if last else ["arena"]
        if not last and rng.random() < 0.2:
            kinds.append(rng.choice(("arena", "output")))
        results = [b.value(f"v{i}_{n}", 16 * rng.randint(1, 6), kind)
                   for n, kind in enumerate(kinds)]
        expensive = rng.random() < expensive_share
        flops = rng.randint(100, 1000) if expensive else rng.choice((0, rng.randint(1, 60)))
        b.launch(f"L{i}", "gemm" if expensive else "elementwise", flops, expensive, operands,
                 results)
        available += results
    return b.json()


def training_graph(n: int, seed: int = 0, expensive_share: float = 0.25) -> dict:
    """n forward launches f1..fn (f1 reads the input), then n backward launches b1..bn: bi reads
    f(n-i) (the input for bn) and b(i-1) (fn for b1). Activation sizes 64 KiB to 1 MiB;
    expensive launches (GEMMs) at random with the given share, costing far more than the
    elementwise ones; bn writes the output."""
    rng = random.Random(seed)
    b = Builder(f"training-{n}-seed{seed}")
    x = b.value("x", 64 * KIB * rng.randint(1, 16), "input")
    forward = [x]
    for k in range(1, n + 1):
        nbytes = 64 * KIB * rng.randint(1, 16)
        v = b.value(f"f{k}", nbytes, "arena")
        expensive = rng.random() < expensive_share
        flops = nbytes * rng.randint(64, 256) if expensive else nbytes // 4 * rng.randint(1, 4)
        b.launch(f"fwd{k}", "gemm" if expensive else "elementwise", flops, expensive,
                 [forward[-1]], [v])
        forward.append(v)
    previous = forward[n]
    for i in range(1, n + 1):
        activation = forward[n - i]
        nbytes = b.values[activation]["bytes"]
        v = b.value(f"g{i}", nbytes, "output" if i == n else "arena")
        expensive = rng.random() < expensive_share
        flops = nbytes * rng.randint(64, 256) if expensive else nbytes // 4 * rng.randint(1, 4)
        b.launch(f"bwd{i}", "gemm" if expensive else "elementwise", flops, expensive,
                 [activation, previous], [v])
        previous = v
    return b.json()


def ilp_size(schedule: sched.Schedule, allow_expensive: bool):
    """(binary variables, constraints) of the optimum's ILP for this schedule."""
    import optimum
    m = optimum.build_model(schedule, allow_expensive, budget=sched.baseline_peak(schedule))
    binaries = sum(1 for v in m.problem.variables() if v.cat == "Integer")
    return binaries, len(m.problem.constraints)


def times(args) -> int:
    import optimum
    solver, name, log = optimum.solver_command(args.time_limit)
    print(f"solver: {name}; budget {args.budget} of the peak without recomputation; "
          f"time limit {args.time_limit} s; expensive share {args.expensive_share}")
    header = (f"{'n':>4} {'launches':>8} {'binaries':>8} {'rows':>7} {'status':>10} "
              f"{'baseline':>10} {'budget':>10} {'peak':>10} {'extra%':>8} {'bound%':>8} "
              f"{'gap':>7} {'build s':>8} {'solve s':>8}")
    print(header)
    try:
        for n in args.n:
            schedule = sched.parse_schedule(training_graph(n, args.seed, args.expensive_share))
            start = time.monotonic()
            binaries, rows = ilp_size(schedule, args.recompute_expensive)
            build = time.monotonic() - start
            budget = optimum.parse_budget(args.budget, sched.baseline_peak(schedule))
            result = optimum.optimise(schedule, budget, args.recompute_expensive,
                                      args.time_limit, solver)
            extra = result["extra_flops_percent"]
            peak = result["peak_bytes"] if result["peak_bytes"] is not None else \
                result.get("min_feasible_peak_bytes")
            gap = result.get("mip_gap")
            bound = result.get("extra_flops_lower_bound")
            bound = 100.0 * bound / result["total_flops"] if bound is not None else None
            print(f"{n:>4} {len(schedule.launches):>8} {binaries:>8} {rows:>7} "
                  f"{result['status']:>10} {result['baseline_peak_bytes']:>10} {budget:>10} "
                  f"{peak if peak is not None else '-':>10} "
                  f"{f'{extra:.3f}' if extra is not None else '-':>8} "
                  f"{f'{bound:.3f}' if bound is not None else '-':>8} "
                  f"{f'{100 * gap:.1f}%' if gap is not None else '-':>7} {build:>8.2f} "
                  f"{result['solve_seconds']:>8.2f}", flush=True)
    finally:
        log.unlink(missing_ok=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("training", help="write a training-shaped schedule")
    p.add_argument("--n", type=int, required=True, help="forward launches (as many backward)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--expensive-share", type=float, default=0.25)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("random", help="write a random small DAG schedule")
    p.add_argument("--launches", type=int, default=7)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("times", help="solve times of the optimum on training-shaped graphs")
    p.add_argument("--n", type=int, nargs="+", default=[10, 20, 40, 80])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--expensive-share", type=float, default=0.25)
    p.add_argument("--budget", default="50%")
    p.add_argument("--time-limit", type=float, default=600)
    p.add_argument("--recompute-expensive", action="store_true")
    args = parser.parse_args()
    if args.command == "times":
        return times(args)
    if args.command == "training":
        data = training_graph(args.n, args.seed, args.expensive_share)
    else:
        data = random_dag(random.Random(args.seed), args.launches)
    sched.parse_schedule(data)  # the generators' output must be a valid schedule
    args.out.write_text(json.dumps(data, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
