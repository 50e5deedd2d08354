"""A second solver on optimum.py's MILP: HiGHS's best plan and lower bound for a dsr1 plan.

Builds the same Checkmate MILP as optimum.py (build_model), at the live-bytes peak the given dsr1
plan reaches (the simulator's memory model, as compare.py does), and solves it with HiGHS
(`pip install highspy`) instead of CBC. Prints HiGHS's best plan and its lower bound in FLOPs and
as a share of the schedule's FLOPs, next to dsr1's. Used where CBC cannot close the gap, to see
whether an independent solver finds a better plan than dsr1's or a better bound.

    build/bin/dsr1-run GRAPH --plan-only --memory-budget 50% --recompute-expensive \
        --memory-schedule-json plan.json
    python3 bench/memory/highs_bound.py plan.json --time-limit 1500 [--cuts]
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import optimum as opt  # noqa: E402
import schedule as sched  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", type=Path, help="dsr1-run --memory-schedule-json output")
    parser.add_argument("--time-limit", type=float, default=600)
    parser.add_argument("--cuts", action="store_true", help="build_model(cuts=True)")
    parser.add_argument("--cheap", action="store_true",
                        help="recompute cheap kernels only (default: any kernel, as the plan "
                             "was made with --recompute-expensive)")
    args = parser.parse_args()
    try:
        import highspy
    except ImportError:
        print("highs_bound.py: pip install highspy", file=sys.stderr)
        return 1
    data = json.loads(args.plan.read_text())
    schedule = sched.load_schedule(str(args.plan))
    pairs = [(r["launch"], r["before_launch"]) for r in data["recompute"]]
    mine = sched.simulate(schedule, pairs, True)
    model = opt.build_model(schedule, not args.cheap, mine.peak_bytes, cuts=args.cuts)
    total = sum(launch.flops for launch in schedule.launches)
    with tempfile.TemporaryDirectory() as tmp:
        mps = Path(tmp) / "model.mps"
        model.problem.writeMPS(str(mps))
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.readModel(str(mps))
        highs.setOptionValue("time_limit", args.time_limit)
        highs.setOptionValue("threads", 1)
        highs.run()
        info = highs.getInfo()
        status = highs.modelStatusToString(highs.getModelStatus())
    unit = model.flop_unit

    def show(name, units):
        flops = round(units) * unit
        return f"{name} {flops} FLOPs (+{100 * flops / total:.2f}%)"

    print(f"budget {mine.peak_bytes} bytes (dsr1's peak), {len(schedule.launches)} launches, "
          f"HiGHS {highspy.Highs().version()}, {args.time_limit:.0f} s: {status}")
    print(f"  dsr1 {mine.extra_flops} FLOPs (+{100 * mine.extra_flops / total:.2f}%)")
    print("  " + show("HiGHS best", info.objective_function_value))
    print("  " + show("HiGHS lower bound", info.mip_dual_bound))
    return 0


if __name__ == "__main__":
    sys.exit(main())
