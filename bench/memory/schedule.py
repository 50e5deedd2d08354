"""The kernel schedule of a compiled model (`dsr1-run --memory-schedule-json`, format
"dsr1-schedule-1") and an independent simulator of its arena memory under a recompute plan.

The simulator is the reference the recompute planners are checked against: bench/memory/optimum.py
verifies every ILP solution with it, and the C++ heuristics' plans can be checked the same way.

Memory model. Only "arena" values count; "input", "weight" and "output" values cost nothing and
are always available once written. The schedule is executed as a sequence of instances: before
launch t, the launches the plan recomputes before t (in schedule order), then launch t itself.
Every read of an arena value is served by its latest (re)computation before the reader, and a
computed copy stays resident from its instance to the last read it serves (just its own instance
if it serves none). The resident bytes at an instance are the arena values it reads or writes plus
those kept resident across it for a later read; the peak is the maximum over all instances.

A recompute plan is a list of {"launch": i, "before_launch": t} (indices into "launches"): launch
i is executed again right before launch t, producing all its results again. Extra FLOPs are the
sum of the "flops" of the re-executions.

  python3 bench/memory/schedule.py SCHEDULE.json [--plan PLAN.json] [--recompute-expensive]

PLAN.json is either such a list or an object with a "recomputed" list (optimum.py's --json
output). Prints the peak without recomputation and, with --plan, the plan's peak and extra FLOPs;
exits 1 with the reason if the schedule or the plan is invalid.
"""

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "dsr1-schedule-1"
KINDS = ("input", "weight", "output", "arena")


class ScheduleError(ValueError):
    """The schedule JSON is malformed or not a valid schedule (e.g. a value read before it is
    written)."""


class PlanError(ValueError):
    """A recompute plan is invalid for its schedule."""


@dataclass(frozen=True)
class Value:
    id: int
    name: str
    bytes: int
    kind: str


@dataclass(frozen=True)
class Launch:
    index: int
    name: str
    family: str
    flops: int
    expensive: bool
    operands: tuple  # distinct value ids, in first-occurrence order
    results: tuple


@dataclass
class Schedule:
    model: str
    values: dict  # id -> Value
    launches: list  # of Launch, in schedule order
    producer: dict = field(default_factory=dict)  # value id -> launch index (produced values)
    readers: dict = field(default_factory=dict)  # value id -> sorted launch indices reading it

    def is_arena(self, vid: int) -> bool:
        return self.values[vid].kind == "arena"

    def arena_operands(self, i: int) -> list:
        return [v for v in self.launches[i].operands if self.is_arena(v)]

    def arena_results(self, i: int) -> list:
        return [v for v in self.launches[i].results if self.is_arena(v)]

    def total_flops(self) -> int:
        """FLOPs of one pass of the schedule, without recomputation."""
        return sum(launch.flops for launch in self.launches)

    def can_recompute(self, i: int, allow_expensive: bool) -> bool:
        return allow_expensive or not self.launches[i].expensive


def _field(obj: dict, key: str, types, where: str):
    if not isinstance(obj, dict) or key not in obj:
        raise ScheduleError(f"{where}: missing field '{key}'")
    value = obj[key]
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise ScheduleError(f"{where}: field '{key}' must be {types}, got a bool")
    if not isinstance(value, types):
        raise ScheduleError(f"{where}: field '{key}' has type {type(value).__name__}")
    return value


def parse_schedule(data: dict) -> Schedule:
    """Builds and validates a Schedule from the decoded JSON; raises ScheduleError."""
    if not isinstance(data, dict):
        raise ScheduleError("schedule: top level must be an object")
    fmt = data.get("format")
    if fmt != FORMAT:
        raise ScheduleError(f"schedule: format is {fmt!r}, expected {FORMAT!r}")
    values = {}
    for n, v in enumerate(_field(data, "values", list, "schedule")):
        where = f"values[{n}]"
        vid = _field(v, "id", int, where)
        nbytes = _field(v, "bytes", int, where)
        kind = _field(v, "kind", str, where)
        if vid in values:
            raise ScheduleError(f"{where}: duplicate value id {vid}")
        if nbytes < 0:
            raise ScheduleError(f"{where}: negative bytes {nbytes}")
        if kind not in KINDS:
            raise ScheduleError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        values[vid] = Value(vid, str(v.get("name", f"v{vid}")), nbytes, kind)

    launches, producer, readers = [], {}, {}
    for t, raw in enumerate(_field(data, "launches", list, "schedule")):
        where = f"launches[{t}]"
        name = str(raw.get("name", f"launch{t}")) if isinstance(raw, dict) else ""
        where = f"launches[{t}] ({name})"
        flops = _field(raw, "flops", int, where)
        if flops < 0:
            raise ScheduleError(f"{where}: negative flops {flops}")
        expensive = _field(raw, "expensive", bool, where)
        operands = list(dict.fromkeys(_field(raw, "operands", list, where)))
        results = _field(raw, "results", list, where)
        for vid in operands + results:
            if not isinstance(vid, int) or isinstance(vid, bool) or vid not in values:
                raise ScheduleError(f"{where}: unknown value id {vid!r}")
        if len(set(results)) != len(results):
            raise ScheduleError(f"{where}: a value appears twice among the results")
        for vid in operands:
            kind = values[vid].kind
            if kind not in ("input", "weight") and vid not in producer:
                raise ScheduleError(f"{where}: reads value {vid} ({values[vid].name}) before any "
                                    "launch writes it")
            readers.setdefault(vid, []).append(t)
        for vid in results:
            if values[vid].kind in ("input", "weight"):
                raise ScheduleError(f"{where}: writes {values[vid].kind} value {vid}")
            if vid in producer:
                raise ScheduleError(f"{where}: value {vid} is already written by launch "
                                    f"{producer[vid]}")
            if vid in operands:
                raise ScheduleError(f"{where}: value {vid} is both operand and result")
            producer[vid] = t
        launches.append(Launch(t, name, str(raw.get("family", "")), flops, expensive,
                               tuple(operands), tuple(results)))
    for vid, v in values.items():
        if v.kind in ("arena", "output") and vid not in producer:
            raise ScheduleError(f"value {vid} ({v.name}) is {v.kind} but no launch writes it")
    return Schedule(str(data.get("model", "")), values, launches, producer, readers)


def load_schedule(path) -> Schedule:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ScheduleError(f"{path}: {err}") from err
    return parse_schedule(data)


def parse_plan(data) -> list:
    """A plan from decoded JSON: a list of {launch, before_launch} or an object holding one under
    "recomputed". Returns a list of (launch, before_launch) pairs; raises PlanError."""
    if isinstance(data, dict):
        if "recomputed" not in data:
            raise PlanError("plan: object without a 'recomputed' list")
        data = data["recomputed"]
    if not isinstance(data, list):
        raise PlanError("plan: expected a list of {launch, before_launch}")
    plan = []
    for n, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise PlanError(f"plan[{n}]: not an object")
        pair = []
        for key in ("launch", "before_launch"):
            x = entry.get(key)
            if not isinstance(x, int) or isinstance(x, bool):
                raise PlanError(f"plan[{n}]: '{key}' must be an integer, got {x!r}")
            pair.append(x)
        plan.append(tuple(pair))
    return plan


def plan_to_json(plan) -> list:
    return [{"launch": i, "before_launch": t} for i, t in sorted(plan, key=lambda p: (p[1], p[0]))]


@dataclass
class Simulation:
    peak_bytes: int
    extra_flops: int
    resident: list  # bytes resident at each instance
    instances: list  # (launch, before_launch) per instance; before_launch == launch: original
    peak_instance: int  # index into instances of the first instance at the peak
    copies: list  # (value id, first instance, last instance) of every computed arena copy


def simulate(schedule: Schedule, plan=(), allow_expensive: bool = False) -> Simulation:
    """Peak arena bytes and extra FLOPs of the schedule under a recompute plan (pairs
    (launch, before_launch)); raises PlanError if the plan is invalid."""
    n = len(schedule.launches)
    seen = set()
    before = {}
    for i, t in plan:
        if not (0 <= i < n and 0 <= t < n):
            raise PlanError(f"recompute of launch {i} before launch {t}: no such launch "
                            f"(the schedule has {n})")
        if t <= i:
            raise PlanError(f"recompute of launch {i} before launch {t}: a launch can only be "
                            "re-executed after its original execution")
        if (i, t) in seen:
            raise PlanError(f"recompute of launch {i} before launch {t} appears twice")
        if not schedule.can_recompute(i, allow_expensive):
            raise PlanError(f"recompute of launch {i} ({schedule.launches[i].name}) before launch "
                            f"{t}: it is expensive ({schedule.launches[i].family}) and "
                            "recomputing expensive launches was not allowed")
        seen.add((i, t))
        before.setdefault(t, []).append(i)

    instances = []
    for t in range(n):
        for i in sorted(before.get(t, ())):
            instances.append((i, t))
        instances.append((t, t))

    # Per arena value: the instance of its current copy, and that copy's last read so far.
    current = {}  # vid -> [produced_at, last_read]
    written = set()  # output values written so far
    intervals = []  # (value id, start, end) of every copy
    extra = 0
    for e, (i, t) in enumerate(instances):
        launch = schedule.launches[i]
        if i != t:
            extra += launch.flops
        for vid in launch.operands:
            kind = schedule.values[vid].kind
            if kind in ("input", "weight"):
                continue
            if vid not in current and vid not in written:
                where = "recompute" if i != t else "launch"
                raise PlanError(f"{where} of launch {i} ({launch.name}) before launch {t} reads "
                                f"value {vid} ({schedule.values[vid].name}), which is not "
                                "resident there")
            if kind == "arena":
                current[vid][1] = e
        for vid in launch.results:
            if not schedule.is_arena(vid):
                written.add(vid)
                continue
            if vid in current:
                intervals.append((vid, current[vid][0], current[vid][1]))
            current[vid] = [e, e]
    for vid, (start, end) in current.items():
        intervals.append((vid, start, end))

    delta = [0] * (len(instances) + 1)
    for vid, start, end in intervals:
        delta[start] += schedule.values[vid].bytes
        delta[end + 1] -= schedule.values[vid].bytes
    resident, level = [], 0
    for e in range(len(instances)):
        level += delta[e]
        resident.append(level)
    peak = max(resident, default=0)
    return Simulation(peak, extra, resident, instances,
                      resident.index(peak) if resident else 0, sorted(intervals))


def drop_useless(schedule: Schedule, plan, allow_expensive: bool = False) -> list:
    """The plan without the re-executions none of whose results serve a read (repeatedly, as
    dropping one can make the re-executions feeding it useless): each costs FLOPs and memory
    for nothing, so the result is never worse."""
    plan = list(plan)
    while True:
        sim = simulate(schedule, plan, allow_expensive)
        serving = set()
        for vid, start, end in sim.copies:
            if end > start:
                serving.add(start)
        kept = [(i, t) for e, (i, t) in enumerate(sim.instances) if i != t and e in serving]
        if len(kept) == len(plan):
            return plan
        plan = kept


def baseline_peak(schedule: Schedule) -> int:
    """The peak without recomputation: every value resident from its launch to its last read."""
    return simulate(schedule).peak_bytes


def launch_floor(schedule: Schedule) -> int:
    """No plan gets below this: the arena operands and results of each launch are resident
    together while it runs."""
    return max((sum(schedule.values[v].bytes
                    for v in schedule.arena_operands(t) + schedule.arena_results(t))
                for t in range(len(schedule.launches))), default=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("schedule", type=Path, help="dsr1-schedule-1 JSON")
    parser.add_argument("--plan", type=Path, help="recompute plan JSON")
    parser.add_argument("--recompute-expensive", action="store_true",
                        help="allow the plan to recompute expensive launches")
    args = parser.parse_args()
    try:
        schedule = load_schedule(args.schedule)
        base = simulate(schedule)
        print(f"{schedule.model or args.schedule}: {len(schedule.launches)} launches, "
              f"{sum(1 for v in schedule.values.values() if v.kind == 'arena')} arena values, "
              f"{schedule.total_flops()} flops")
        print(f"peak without recomputation: {base.peak_bytes} bytes "
              f"(launch floor {launch_floor(schedule)})")
        if args.plan:
            try:
                plan = parse_plan(json.loads(args.plan.read_text()))
            except (OSError, json.JSONDecodeError) as err:
                raise PlanError(f"{args.plan}: {err}") from err
            sim = simulate(schedule, plan, args.recompute_expensive)
            total = schedule.total_flops()
            percent = 100.0 * sim.extra_flops / total if total else 0.0
            i, t = sim.instances[sim.peak_instance]
            print(f"plan: {len(plan)} recomputations, peak {sim.peak_bytes} bytes "
                  f"(at launch {i} before {t}), extra flops {sim.extra_flops} ({percent:.2f}%)")
    except (ScheduleError, PlanError) as err:
        print(f"schedule.py: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
