"""The optimal recompute plan of a kernel schedule under a memory budget, as a mixed-integer
programme solved with CBC: the yardstick dsr1's recompute heuristics (-dsr1-insert-recompute) are
measured against.

Given a "dsr1-schedule-1" JSON (see bench/memory/schedule.py for the format and the memory model)
and a budget, finds the minimum extra FLOPs of re-executing launches such that the arena peak is
at most the budget, with the order of the original launches fixed. The formulation is Checkmate's
MILP with a frozen schedule (Jain et al., "Checkmate: Breaking the Memory Wall with Optimal Tensor
Rematerialization", MLSys 2020): stage t runs launch t, preceded by the recomputations placed
before it; R[t,i] = launch i is (re)executed in stage t, S[t,v] = value v is kept resident from
stage t-1 into stage t, FREE[t,v,k] = v is freed right after launch k in stage t, U[t,k] = arena
bytes resident while launch k runs in stage t. Adapted to dsr1's schedules:

  - memory is accounted per value, not per node: a launch with several results is recomputed as a
    whole (its memory is the sum of its arena results), but each result is kept or freed on its
    own, as in the simulator and in the lead's heuristics;
  - input, weight and output values cost nothing and are always available: they get no S or FREE
    variables and impose no dependency constraint;
  - expensive launches (GEMM, convolution, attention, recurrent) are never recomputed
    (R[t,i] = 0 for t != i) unless --recompute-expensive;
  - values nobody reads are freed right after their launch;
  - FREE is continuous, pinned to 0 or 1 by disaggregated constraints once R and S are
    integral (tighter than Checkmate's big-M form).

Every solution is verified before it is reported: the memory rows, re-evaluated exactly on the
rounded solution, must bound the simulated peak of its plan from above and fit the budget; then,
for the plan without useless re-executions and with every value kept exactly as long as needed,
the rows must give the simulator's peak exactly. A mismatch is an error, not a warning.
(build_model(cuts=True) adds valid cuts that force that minimal storage in the ILP itself; they
made CBC slower on the training-shaped graphs, so they are off by default.)

If the budget is below what any plan reaches, a second ILP (minimum peak, FLOPs ignored) gives
the smallest feasible peak, and the script exits 2.

  python3 bench/memory/optimum.py SCHEDULE.json --budget 50% [--recompute-expensive]
      [--time-limit S] [--json OUT] [--warm-start PLAN.json]

--budget is in bytes or a percentage of the peak without recomputation. CBC is Debian's
(`apt-get install coinor-cbc`) when `cbc` is on PATH, else the one bundled with PuLP
(`pip install pulp`); the output says which. With --time-limit, a solution not proven optimal is
reported with its MIP gap. --json writes {status, extra_flops, extra_flops_percent, peak_bytes,
baseline_peak_bytes, budget_bytes, recomputed: [{launch, before_launch}], solve_seconds, solver,
...}. Exit status: 0 solved, 1 error, 2 budget infeasible, 3 no solution within the time limit.
"""

import argparse
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import schedule as sched  # noqa: E402  (the simulator lives next to this file)

try:
    import pulp
except ImportError:  # reported by main() with the command that installs it
    pulp = None


class VerificationError(RuntimeError):
    """The ILP's solution and the independent simulator disagree."""


def parse_budget(text: str, baseline: int) -> int:
    """Bytes from "123456" or "50%" (of the peak without recomputation)."""
    text = text.strip()
    try:
        if text.endswith("%"):
            percent = float(text[:-1])
            if not 0 <= percent:
                raise ValueError
            return int(math.floor(baseline * percent / 100.0))
        value = int(text)
        if value < 0:
            raise ValueError
        return value
    except ValueError:
        raise ValueError(f"--budget {text!r}: expected bytes (an integer) or a percentage like "
                         "50%") from None


def solver_command(time_limit, warm_start: bool = False):
    """CBC through PuLP: Debian's binary when on PATH, else PuLP's bundled one. With
    warm_start, CBC starts from the variables' initial values (all of them are written)."""
    if pulp is None:
        raise RuntimeError("PuLP is missing: pip install pulp (and apt-get install coinor-cbc)")
    log = tempfile.NamedTemporaryFile(prefix="optimum-cbc-", suffix=".log", delete=False)
    log.close()
    options = dict(msg=False, logPath=log.name, timeLimit=time_limit, gapRel=0.0, threads=1,
                   warmStart=warm_start)
    path = shutil.which("cbc")
    if path:
        solver = pulp.COIN_CMD(path=path, **options)
        version = ""
        try:
            banner = subprocess.run([path, "-quit"], capture_output=True, text=True,
                                    timeout=30).stdout
            match = re.search(r"Version:\s*(\S+)", banner)
            version = f" {match.group(1)}" if match else ""
        except (OSError, subprocess.SubprocessError):
            pass
        name = f"CBC{version} (Debian coinor-cbc, {path}) via PuLP {pulp.__version__}"
    else:
        solver = pulp.PULP_CBC_CMD(**options)
        if not solver.available():
            raise RuntimeError("no CBC: apt-get install coinor-cbc (or a PuLP with its bundled "
                               "CBC)")
        name = f"CBC bundled with PuLP {pulp.__version__}"
    return solver, name, Path(log.name)


def integral_bound(bound: float) -> int:
    """CBC's lower bound rounded up: the scaled objective has integer coefficients and
    integer variables, so every plan's objective is an integer."""
    return int(math.ceil(bound - 1e-6))


def parse_cbc_log(path: Path) -> dict:
    """Result line, objective, lower bound and gap from CBC's log (PuLP reports none of them)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return {}
    info = {}
    match = re.search(r"^Result - (.*)$", text, re.M)
    if match:
        info["result"] = match.group(1).strip()
    for key, label in (("objective", "Objective value"), ("bound", "Lower bound"),
                       ("gap", "Gap")):
        match = re.search(rf"^{label}:\s*([-0-9.eE+]+|inf|-inf|nan)", text, re.M)
        if match:
            info[key] = float(match.group(1))
    return info


@dataclass
class Model:
    """The MILP and what is needed to read a plan back and re-evaluate its memory exactly."""
    schedule: sched.Schedule
    allow_expensive: bool
    unit: int  # bytes per memory unit in the ILP (gcd of the arena sizes)
    flop_unit: int  # FLOPs per objective unit (gcd of the recomputable launches' flops)
    problem: object = None
    R: dict = field(default_factory=dict)  # (t, i) -> binary, i < t
    S: dict = field(default_factory=dict)  # (t, v) -> binary
    F: dict = field(default_factory=dict)  # (t, v, k) -> continuous [0, 1] or int constant
    U: list = field(default_factory=list)  # (t, k, U var, defining expression) in build order
    peak: object = None  # the peak variable (minimum-peak mode)

    def r(self, t: int, i: int):
        return 1 if i == t else self.R.get((t, i), 0)

    def s(self, t: int, v: int):
        return self.S.get((t, v), 0)


def new_variable(prob, name: str, low=None, up=None, cat: str = "Continuous"):
    """A variable of prob: PuLP 3.3 deprecates LpVariable(...) for prob.add_variable."""
    if hasattr(prob, "add_variable"):
        return prob.add_variable(name, low, up, cat=cat)
    return pulp.LpVariable(name, low, up, cat=cat)


def has_one(terms) -> bool:
    """Whether some term is the constant 1. Not `1 in terms`: that compares PuLP variables
    with ==, which builds a constraint, and a constraint is truthy."""
    return any(isinstance(x, int) and x == 1 for x in terms)


def _gcd(numbers) -> int:
    g = 0
    for x in numbers:
        g = math.gcd(g, x)
    return g or 1


def recompute_ranges(schedule: sched.Schedule, allow_expensive: bool):
    """maxstage[i]: the last stage launch i can usefully run in (i itself if never recomputed),
    and last_need[v]: the last stage arena value v can be read in (by a launch or a
    recomputation), computed backwards: recomputing i before t is only useful if some reader of
    one of its results can run in stage t or later."""
    n = len(schedule.launches)
    maxstage = list(range(n))
    last_need = {}
    for i in reversed(range(n)):
        for v in schedule.arena_results(i):
            last_need[v] = max((maxstage[k] for k in schedule.readers.get(v, ())), default=i)
        if schedule.can_recompute(i, allow_expensive):
            maxstage[i] = max([i] + [last_need[v] for v in schedule.arena_results(i)])
    return maxstage, last_need


def build_model(schedule: sched.Schedule, allow_expensive: bool, budget: int = None,
                minimise_peak: bool = False, cuts: bool = False) -> Model:
    """The Checkmate MILP (frozen schedule) for the schedule. With minimise_peak, the objective
    is the peak and budget is ignored; otherwise the extra FLOPs, with every U <= budget."""
    n = len(schedule.launches)
    arena = [v for v in schedule.values.values() if v.kind == "arena"]
    unit = _gcd(v.bytes for v in arena)
    recomputable = [i for i in range(n) if schedule.can_recompute(i, allow_expensive)]
    flop_unit = _gcd(schedule.launches[i].flops for i in recomputable)
    m = Model(schedule, allow_expensive, unit, flop_unit)
    prob = pulp.LpProblem("checkmate_frozen", pulp.LpMinimize)
    m.problem = prob
    size = {v.id: v.bytes // unit for v in arena}
    maxstage, last_need = recompute_ranges(schedule, allow_expensive)
    producer, readers = schedule.producer, schedule.readers
    arena_ops = [schedule.arena_operands(i) for i in range(n)]
    arena_res = [schedule.arena_results(i) for i in range(n)]

    for i in range(n):
        for t in range(i + 1, maxstage[i] + 1):
            m.R[t, i] = new_variable(prob, f"R_{t}_{i}", cat="Binary")
    for v in arena:
        for t in range(producer[v.id] + 1, last_need[v.id] + 1):
            m.S[t, v.id] = new_variable(prob, f"S_{t}_{v.id}", cat="Binary")

    def add(constraint, name):
        prob.addConstraint(constraint, name)

    # Dependencies: a launch run in stage t finds each arena operand computed earlier in the
    # stage or kept from the previous stage.
    for t in range(n):
        for k in [k for k in range(t + 1) if not isinstance(m.r(t, k), int) or k == t]:
            for v in arena_ops[k]:
                p = producer[v]
                add(m.r(t, k) <= m.r(t, p) + m.s(t, v), f"dep_{t}_{k}_{v}")
    # Storage: a value kept into stage t+1 was kept into stage t or computed in it.
    for (t, v), var in m.S.items():
        if t - 1 != producer[v]:
            add(var <= m.s(t - 1, v) + m.r(t - 1, producer[v]), f"keep_{t}_{v}")
    # Cuts (valid: some optimal plan satisfies them; see the module docstring).
    for (t, v), var in m.S.items() if cuts else ():
        p = producer[v]
        if (t, p) in m.R:  # not kept across its own recomputation
            add(var + m.R[t, p] <= 1, f"nodouble_{t}_{v}")
        reads = [m.r(t, k) for k in readers.get(v, ()) if k <= t]
        if not has_one(reads):  # kept into stage t only if read there or kept further
            add(var <= m.s(t + 1, v) + pulp.lpSum(reads), f"used_{t}_{v}")
    for (t, i), var in m.R.items() if cuts else ():  # a recomputation serves a read or is kept
        serves = []
        for v in arena_res[i]:
            serves.append(m.s(t + 1, v))
            serves += [m.r(t, k) for k in readers.get(v, ()) if k <= t]
        if not has_one(serves):
            add(var <= pulp.lpSum(serves), f"useful_{t}_{i}")

    # Memory: U[t,k] = U[t,k'] - frees after k' + results of k, k' the previous launch that can
    # run in stage t; the stage starts with the values kept into it.
    for t in range(n):
        previous = pulp.lpSum(size[v] * var for (tt, v), var in m.S.items() if tt == t)
        frees = 0
        for k in range(t + 1):
            rk = m.r(t, k)
            if isinstance(rk, int) and rk == 0:
                continue
            u = new_variable(prob, f"U_{t}_{k}", 0)
            expr = previous - frees + sum(size[v] for v in arena_res[k]) * rk
            add(u == expr, f"mem_{t}_{k}")
            m.U.append((t, k, u, expr))
            frees = 0
            for v in arena_ops[k] + arena_res[k]:
                f = free_variable(m, t, v, k, rk)
                if not (isinstance(f, int) and f == 0):
                    frees = frees + size[v] * f
            previous = u

    if minimise_peak:
        m.peak = new_variable(prob, "peak", 0)
        prob += m.peak
        for t, k, u, _ in m.U:
            add(u <= m.peak, f"peak_{t}_{k}")
    else:
        prob += pulp.lpSum((schedule.launches[i].flops // flop_unit) * var
                           for (t, i), var in m.R.items())
        limit = budget // unit
        for t, k, u, _ in m.U:
            u.upBound = limit
    return m


def free_variable(m: Model, t: int, v: int, k: int, rk):
    """FREE[t,v,k]: v (an operand or result of k) is freed right after k runs in stage t, i.e. k
    runs, v is not kept into stage t+1 and no later reader of v runs in stage t. Continuous: the
    constraints pin it to 0 or 1 once R and S are integral."""
    later = [m.r(t, j) for j in m.schedule.readers.get(v, ()) if k < j <= t]
    later = [x for x in later if not (isinstance(x, int) and x == 0)]
    keep = m.s(t + 1, v)
    if has_one(later) or has_one([keep]):
        return 0
    hazards = later + ([keep] if not isinstance(keep, int) else [])
    if not hazards and isinstance(rk, int):
        m.F[t, v, k] = rk
        return rk
    prob = m.problem
    f = new_variable(prob, f"F_{t}_{v}_{k}", 0, 1)
    m.F[t, v, k] = f
    if not isinstance(rk, int):
        prob.addConstraint(f <= rk, f"free_runs_{t}_{v}_{k}")
    for n, h in enumerate(hazards):
        prob.addConstraint(f <= 1 - h, f"free_hazard_{t}_{v}_{k}_{n}")
    prob.addConstraint(f >= rk - pulp.lpSum(hazards), f"free_forced_{t}_{v}_{k}")
    return f


def assign_plan(m: Model, plan) -> sched.Simulation:
    """Values of every variable from a plan (a warm start, e.g. a heuristic's plan, or the
    check of a solution): R from the plan without its useless re-executions, S from the
    simulated copies (kept into stage t when a copy made before stage t is still read in or
    after it), FREE by its definition, U by its rows. The ILP's memory figure for the plan must
    equal the simulator's (VerificationError otherwise). Returns the simulation."""
    s = m.schedule
    plan = sched.drop_useless(s, plan, m.allow_expensive)
    outside = [(i, t) for i, t in plan if (t, i) not in m.R]
    if outside:
        raise VerificationError(f"plan: re-executions {outside} serve reads but have no "
                                "variable in the ILP")
    sim = sched.simulate(s, plan, m.allow_expensive)
    chosen = set(plan)
    for (t, i), var in m.R.items():
        var.setInitialValue(1 if (i, t) in chosen else 0)
    first = {}
    for e, (_, t) in enumerate(sim.instances):
        first.setdefault(t, e)
    kept = {(t, vid) for vid, start, end in sim.copies
            for t in range(s.producer[vid] + 1, len(s.launches)) if start < first[t] <= end}
    if kept - set(m.S):
        raise VerificationError(f"plan: kept values {sorted(kept - set(m.S))} have no "
                                "variable in the ILP")
    for key, var in m.S.items():
        var.setInitialValue(1 if key in kept else 0)

    def value(x):
        return x if isinstance(x, int) else int(x.varValue)

    for (t, v, k), f in m.F.items():
        if isinstance(f, int):
            continue
        later = any(value(m.r(t, j)) for j in s.readers.get(v, ()) if k < j <= t)
        f.setInitialValue(int(value(m.r(t, k)) == 1 and not value(m.s(t + 1, v)) and not later))
    peak = 0
    for t, k, u, expr in m.U:
        total = expr.constant + sum(coeff * value(var) for var, coeff in expr.items())
        u.setInitialValue(total)
        if value(m.r(t, k)):
            peak = max(peak, total)
    if m.peak is not None:
        m.peak.setInitialValue(peak)
    if peak * m.unit != sim.peak_bytes:
        raise VerificationError(f"the ILP accounts {peak * m.unit} bytes for the "
                                f"plan, the simulator {sim.peak_bytes}")
    return sim


def _rounded(var, what: str) -> int:
    x = var.varValue
    if x is None:
        raise VerificationError(f"{what} {var.name} has no value in the solution")
    r = int(round(x))
    if abs(x - r) > 1e-5:
        raise VerificationError(f"{what} {var.name} = {x} is not integral")
    return r


def read_solution(m: Model):
    """The plan from R, and the ILP's own peak: the memory rows re-evaluated exactly (integer
    arithmetic on the rounded R, S, FREE) over the instances that run."""
    plan = [(i, t) for (t, i), var in m.R.items() if _rounded(var, "R") == 1]
    values = {}

    def value(x):
        if isinstance(x, (int, float)):
            return x
        if x.name in values:
            return values[x.name]
        return _rounded(x, "variable")

    peak = 0
    for t, k, u, expr in m.U:
        total = expr.constant
        for var, coeff in expr.items():
            total += coeff * value(var)
        if total != int(total):
            raise VerificationError(f"memory row {u.name} evaluates to {total}")
        values[u.name] = int(total)
        if u.varValue is not None and abs(u.varValue - total) > 1e-4 * max(1, abs(total)):
            raise VerificationError(f"{u.name}: solver says {u.varValue}, the rounded "
                                    f"solution gives {total}")
        if value(m.r(t, k)) == 1:
            peak = max(peak, int(total))
    return plan, peak * m.unit


@dataclass
class Answer:
    status: str  # optimal, feasible (time limit), infeasible, unknown
    plan: list = field(default_factory=list)
    extra_flops: int = 0
    peak_bytes: int = 0
    ilp_peak_bytes: int = 0
    objective_bound: float = None
    gap: float = None
    seconds: float = 0.0
    cbc_result: str = ""


def solve(schedule: sched.Schedule, allow_expensive: bool, budget: int = None,
          minimise_peak: bool = False, time_limit: float = None, solver=None,
          warm_plan=None) -> Answer:
    """Builds and solves one ILP and verifies its solution with the simulator. warm_plan, a
    plan within the budget, is CBC's first incumbent (the solver must have warm starts on)."""
    own_log = None
    if solver is None:
        solver, _, own_log = solver_command(time_limit, warm_start=warm_plan is not None)
    m = build_model(schedule, allow_expensive, budget, minimise_peak)
    if warm_plan is not None:
        assign_plan(m, warm_plan)
    start = time.monotonic()
    try:
        m.problem.solve(solver)
        info = parse_cbc_log(Path(solver.optionsDict["logPath"]))
    finally:
        if own_log is not None:
            own_log.unlink(missing_ok=True)
    seconds = time.monotonic() - start
    answer = Answer("unknown", seconds=seconds, cbc_result=info.get("result", ""))
    scale = m.unit if minimise_peak else m.flop_unit
    if m.problem.status == pulp.LpStatusInfeasible or m.problem.sol_status == -1:
        answer.status = "infeasible"
        return answer
    if m.problem.sol_status not in (1, 2):
        if "bound" in info:  # no plan yet, but what any plan must cost is still worth knowing
            answer.objective_bound = integral_bound(info["bound"]) * scale
        return answer
    # The solution as CBC returned it: its memory rows (evaluated exactly) must bound the
    # simulated peak of its plan from above (the ILP may keep values longer than needed, never
    # shorter) and fit the budget, and its objective must be the plan's extra FLOPs.
    raw_plan, raw_peak = read_solution(m)
    raw = sched.simulate(schedule, raw_plan, allow_expensive)
    objective = sum(schedule.launches[i].flops for i, _ in raw_plan)
    if raw.extra_flops != objective:
        raise VerificationError(f"extra flops: ILP {objective}, simulator {raw.extra_flops}")
    if raw.peak_bytes > raw_peak:
        raise VerificationError(f"the ILP accounts a peak of {raw_peak} bytes for its plan, the "
                                f"simulator finds {raw.peak_bytes}: plan {raw_plan}")
    if not minimise_peak and raw_peak > budget:
        raise VerificationError(f"the ILP's solution peaks at {raw_peak} bytes, over the budget "
                                f"{budget}")
    # The plan without useless re-executions, with every value kept exactly as long as needed:
    # the ILP's rows for it must give the simulator's peak exactly (assign_plan raises if not).
    plan = sched.drop_useless(schedule, raw_plan, allow_expensive)
    sim = assign_plan(m, plan)
    ilp_peak = sim.peak_bytes
    if not minimise_peak and sim.peak_bytes > budget:
        raise VerificationError(f"the ILP's plan peaks at {sim.peak_bytes} bytes, over the "
                                f"budget {budget}")
    answer.plan = plan
    answer.extra_flops = sim.extra_flops
    answer.peak_bytes = sim.peak_bytes
    answer.ilp_peak_bytes = ilp_peak
    proven = m.problem.sol_status == 1 and "time" not in answer.cbc_result.lower()
    answer.status = "optimal" if proven else "feasible"
    if "bound" in info:
        answer.objective_bound = integral_bound(info["bound"]) * scale
    if not proven:
        best = answer.peak_bytes if minimise_peak else answer.extra_flops
        if answer.objective_bound is not None:
            answer.gap = (best - answer.objective_bound) / best if best else 0.0
        else:
            answer.gap = info.get("gap")
    return answer


def optimise(schedule: sched.Schedule, budget: int, allow_expensive: bool = False,
             time_limit: float = None, solver=None, warm_plan=None, warm_solver=None) -> dict:
    """The whole answer for one budget, as the --json object (without the solver's name).
    warm_plan: a plan to start CBC from (used if it fits the budget), with warm_solver, a solver
    made by solver_command(..., warm_start=True)."""
    baseline = sched.baseline_peak(schedule)
    total = schedule.total_flops()
    result = {"model": schedule.model, "launches": len(schedule.launches),
              "budget_bytes": budget, "baseline_peak_bytes": baseline,
              "total_flops": total, "recompute_expensive": allow_expensive}
    if warm_plan is not None:
        warm = sched.simulate(schedule, warm_plan, allow_expensive)
        result["warm_start"] = {"extra_flops": warm.extra_flops, "peak_bytes": warm.peak_bytes,
                                "used": warm.peak_bytes <= budget}
        if warm.peak_bytes > budget:
            warm_plan = None
        else:
            solver = warm_solver  # None: solve() makes one with warm starts on
    start = time.monotonic()
    if budget >= baseline:
        # Nothing to recompute: the schedule as it is fits, and extra FLOPs are never negative.
        answer = Answer("optimal", peak_bytes=baseline, ilp_peak_bytes=baseline,
                        cbc_result="budget at or above the peak without recomputation")
    elif budget < sched.launch_floor(schedule):
        answer = Answer("infeasible", cbc_result="budget below the operands and results of one "
                        "launch")
    else:
        answer = solve(schedule, allow_expensive, budget, time_limit=time_limit, solver=solver,
                       warm_plan=warm_plan)
    result.update({
        "status": answer.status,
        "extra_flops": answer.extra_flops if answer.status in ("optimal", "feasible") else None,
        "extra_flops_percent": (100.0 * answer.extra_flops / total if total else 0.0)
        if answer.status in ("optimal", "feasible") else None,
        "peak_bytes": answer.peak_bytes if answer.status in ("optimal", "feasible") else None,
        "recomputed": sched.plan_to_json(answer.plan),
        "cbc_result": answer.cbc_result,
    })
    if answer.status in ("feasible", "unknown"):
        result["mip_gap"] = answer.gap
        result["extra_flops_lower_bound"] = answer.objective_bound
    if answer.status == "infeasible":
        low = solve(schedule, allow_expensive, minimise_peak=True, time_limit=time_limit,
                    solver=solver)
        result["min_feasible_peak_bytes"] = low.peak_bytes if low.status != "unknown" else None
        result["min_feasible_peak_status"] = low.status
        result["min_feasible_peak_plan"] = sched.plan_to_json(low.plan)
        if low.status == "feasible":
            result["min_feasible_peak_lower_bound"] = low.objective_bound
    result["solve_seconds"] = round(time.monotonic() - start, 3)
    return result


def report(result: dict) -> str:
    lines = [f"{result['model'] or 'schedule'}: {result['launches']} launches, "
             f"{result['total_flops']} flops per pass",
             f"solver: {result['solver']}",
             f"peak without recomputation: {result['baseline_peak_bytes']} bytes; "
             f"budget {result['budget_bytes']} bytes"]
    status = result["status"]
    warm = result.get("warm_start")
    if warm:
        lines.append(f"warm start: a plan with {warm['extra_flops']} extra flops, peak "
                     f"{warm['peak_bytes']} bytes: "
                     + ("used" if warm["used"] else "not used, it exceeds the budget"))
    if status in ("optimal", "feasible"):
        lines.append(f"{status}: extra flops {result['extra_flops']} "
                     f"({result['extra_flops_percent']:.3f}%), peak {result['peak_bytes']} bytes, "
                     f"{len(result['recomputed'])} recomputations (verified by the simulator)")
        if status == "feasible":
            gap = result.get("mip_gap")
            lines.append("not proven optimal within the time limit: MIP gap "
                         + (f"{100 * gap:.2f}%" if gap is not None else "unknown")
                         + f", extra flops >= {result.get('extra_flops_lower_bound')}")
        for entry in result["recomputed"]:
            lines.append(f"  recompute launch {entry['launch']} before launch "
                         f"{entry['before_launch']}")
    elif status == "infeasible":
        low = result.get("min_feasible_peak_bytes")
        how = result.get("min_feasible_peak_status")
        lines.append(f"infeasible: no plan reaches {result['budget_bytes']} bytes; the smallest "
                     f"feasible peak is {low} bytes ({how})" if low is not None else
                     "infeasible; the smallest feasible peak was not found within the time limit")
    else:
        lines.append(f"no solution within the time limit ({result['cbc_result']}); extra flops "
                     f">= {result.get('extra_flops_lower_bound')}")
    lines.append(f"solve time {result['solve_seconds']:.2f} s")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("schedule", type=Path, help="dsr1-schedule-1 JSON")
    parser.add_argument("--budget", required=True,
                        help="bytes, or a percentage of the peak without recomputation (50%%)")
    parser.add_argument("--recompute-expensive", action="store_true",
                        help="allow recomputing GEMM/conv/attention/recurrent launches")
    parser.add_argument("--time-limit", type=float, help="CBC time limit per ILP, seconds")
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--warm-start", type=Path, metavar="PLAN.json",
                        help="start CBC from this plan (e.g. a heuristic's), if it fits the "
                        "budget: with --time-limit, large graphs then get a plan at least as "
                        "good and a lower bound")
    args = parser.parse_args()
    logs = []
    try:
        schedule = sched.load_schedule(args.schedule)
        budget = parse_budget(args.budget, sched.baseline_peak(schedule))
        warm_plan = warm_solver = None
        if args.warm_start:
            try:
                warm_plan = sched.parse_plan(json.loads(args.warm_start.read_text()))
            except (OSError, json.JSONDecodeError) as err:
                raise sched.PlanError(f"{args.warm_start}: {err}") from err
            warm_solver, _, log = solver_command(args.time_limit, warm_start=True)
            logs.append(log)
        solver, name, log = solver_command(args.time_limit)
        logs.append(log)
        result = optimise(schedule, budget, args.recompute_expensive, args.time_limit, solver,
                          warm_plan, warm_solver)
        result["solver"] = name
    except (sched.ScheduleError, ValueError, RuntimeError) as err:
        print(f"optimum.py: {err}", file=sys.stderr)
        return 1
    finally:
        for log in logs:
            log.unlink(missing_ok=True)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return {"optimal": 0, "feasible": 0, "infeasible": 2}.get(result["status"], 3)


if __name__ == "__main__":
    sys.exit(main())
