"""Tests of the recompute optimum (bench/memory/optimum.py) and the schedule simulator
(bench/memory/schedule.py): hand-made graphs whose optimum is worked out by hand below, the
simulator's memory figures and its rejection of invalid plans and schedules, the command line
(exit codes, --json), and the ILP against brute-force enumeration of every recompute plan on
random DAGs of at most 7 launches.

  python3 test/memory/test_optimum.py [-v] [-k PATTERN]

Needs PuLP and a CBC (apt-get install coinor-cbc; pip install pulp).
"""

import json
import random
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "memory"))
import optimum  # noqa: E402
import schedule as sched  # noqa: E402
import synthetic  # noqa: E402

SOLVER = None  # one CBC for all tests, and its log file
LOG = None


def setUpModule():
    global SOLVER, LOG
    SOLVER, _, LOG = optimum.solver_command(time_limit=None)


def tearDownModule():
    LOG.unlink(missing_ok=True)


def graph(values, launches, model="test"):
    """A schedule from compact tuples: values (name, bytes, kind), launches (name, flops,
    expensive, operand names, result names); value ids are positions in `values`."""
    ids = {name: n for n, (name, _, _) in enumerate(values)}
    return sched.parse_schedule({
        "format": sched.FORMAT, "model": model,
        "values": [{"id": n, "name": name, "bytes": nbytes, "kind": kind}
                   for n, (name, nbytes, kind) in enumerate(values)],
        "launches": [{"name": name, "family": "gemm" if expensive else "elementwise",
                      "flops": flops, "expensive": expensive,
                      "operands": [ids[v] for v in operands],
                      "results": [ids[v] for v in results]}
                     for name, flops, expensive, operands, results in launches]})


def gap_chain():
    """L0 A: x -> a (cheap, 10 flops); L1 B: a -> b (gemm); L2 C: b -> c (gemm);
    L3 D: c, a -> y (output). All arena values 100 bytes; a spans the gap from L0 to L3."""
    return graph([("x", 100, "input"), ("a", 100, "arena"), ("b", 100, "arena"),
                  ("c", 100, "arena"), ("y", 100, "output")],
                 [("A", 10, False, ["x"], ["a"]), ("B", 1000, True, ["a"], ["b"]),
                  ("C", 1000, True, ["b"], ["c"]), ("D", 10, False, ["c", "a"], ["y"])])


def diamond():
    """L0 A: x -> a (cheap, 10 flops, 100 B); L1 B: a -> b (gemm, 100 B); L2 C: b -> c (gemm,
    100 B); L3 D: a -> d (cheap, 20 flops, 50 B); L4 E: c, d -> y (output). a fans out to the
    long branch B, C and the short one D; both join at E."""
    return graph([("x", 100, "input"), ("a", 100, "arena"), ("b", 100, "arena"),
                  ("c", 100, "arena"), ("d", 50, "arena"), ("y", 100, "output")],
                 [("A", 10, False, ["x"], ["a"]), ("B", 1000, True, ["a"], ["b"]),
                  ("C", 1000, True, ["b"], ["c"]), ("D", 20, False, ["a"], ["d"]),
                  ("E", 10, False, ["c", "d"], ["y"])])


def expensive_source():
    """L0 A: x -> a (gemm, 1000 flops, 50 B); L1 E: a -> e (relu, 5 flops, 100 B);
    L2 B: e -> b (gemm, 100 B); L3 C: b -> c (gemm, 50 B); L4 D: c, e -> y (output).
    e, the output of a cheap launch, is read late, but recomputing it needs a, the output of an
    expensive one."""
    return graph([("x", 10, "input"), ("a", 50, "arena"), ("e", 100, "arena"),
                  ("b", 100, "arena"), ("c", 50, "arena"), ("y", 10, "output")],
                 [("A", 1000, True, ["x"], ["a"]), ("E", 5, False, ["a"], ["e"]),
                  ("B", 1000, True, ["e"], ["b"]), ("C", 1000, True, ["b"], ["c"]),
                  ("D", 10, False, ["c", "e"], ["y"])])


def solve(s, budget, allow_expensive=False):
    return optimum.optimise(s, budget, allow_expensive, solver=SOLVER)


class HandMadeOptimum(unittest.TestCase):
    def test_gap_chain(self):
        s = gap_chain()
        # Without recomputation a stays from L0 to L3: L0 {a} 100, L1 {a,b} 200, L2 {a,b,c}
        # 300, L3 {c,a} 200; peak 300 at C.
        self.assertEqual(sched.simulate(s).resident, [100, 200, 300, 200])
        # Budget 200: a must not stay across C. Recomputing A before C puts a back beside b and c
        # (300); before D, A' runs beside c (200) and D reads c, a (200). B and C are gemms and
        # may not be recomputed, so the optimum is one re-execution of A: 10 extra flops.
        r = solve(s, 200)
        self.assertEqual(r["status"], "optimal")
        self.assertEqual(r["extra_flops"], 10)
        self.assertEqual(r["peak_bytes"], 200)
        self.assertEqual(r["recomputed"], [{"launch": 0, "before_launch": 3}])
        self.assertAlmostEqual(r["extra_flops_percent"], 100 * 10 / 2020)
        # 250 admits the same plan and nothing cheaper (a held across C is 300).
        self.assertEqual(solve(s, 250)["extra_flops"], 10)
        # At the peak without recomputation nothing is recomputed.
        self.assertEqual(solve(s, 300)["extra_flops"], 0)
        # Below 200 nothing fits: B reads a and writes b, 200 bytes in any plan.
        r = solve(s, 199)
        self.assertEqual(r["status"], "infeasible")
        self.assertEqual(r["min_feasible_peak_bytes"], 200)

    def test_diamond(self):
        s = diamond()
        # No recomputation: L0 {a} 100, L1 {a,b} 200, L2 {a,b,c} 300, L3 {a,c,d} 250,
        # L4 {c,d} 150: peak 300 at C, because a waits for D.
        self.assertEqual(sched.simulate(s).resident, [100, 200, 300, 250, 150])
        # Budget 250: a must not cross C, so A is recomputed before D (before C would put it
        # beside b and c again): L3's stage holds {c,a} 200 while A' runs and {c,a,d} 250 while D
        # runs. 10 extra flops; recomputing D instead is impossible (D runs after C anyway).
        r = solve(s, 250)
        self.assertEqual((r["status"], r["extra_flops"], r["peak_bytes"]), ("optimal", 10, 250))
        self.assertEqual(r["recomputed"], [{"launch": 0, "before_launch": 3}])
        # 249: c (from a gemm, so never recomputed) must stay from C to E, and D needs a and d
        # beside it: 250 in every plan.
        r = solve(s, 249)
        self.assertEqual(r["status"], "infeasible")
        self.assertEqual(r["min_feasible_peak_bytes"], 250)

    def test_expensive_producer_not_recomputed(self):
        s = expensive_source()
        # No recomputation: L0 {a} 50, L1 {a,e} 150, L2 {e,b} 200, L3 {e,b,c} 250, L4 {c,e}
        # 150: peak 250, e waiting across B and C for D.
        self.assertEqual(sched.simulate(s).resident, [50, 150, 200, 250, 150])
        # Budget 200: e cannot cross C (e,b,c = 250), so E must run again before D; E needs a,
        # and holding a from L0 puts {a,e,b} = 250 at B. So A must run again too, which only
        # --recompute-expensive allows: A' before D ({c,a} 100), E' before D ({c,a,e} 200), D
        # {c,e} 150; B {e,b} 200, C {b,c} 150. Extra 1000 + 5 flops.
        r = solve(s, 200, allow_expensive=True)
        self.assertEqual((r["status"], r["extra_flops"], r["peak_bytes"]),
                         ("optimal", 1005, 200))
        self.assertEqual(r["recomputed"], [{"launch": 0, "before_launch": 4},
                                           {"launch": 1, "before_launch": 4}])
        # Without it the budget is infeasible; the best is holding e (or holding a and
        # recomputing E): 250.
        r = solve(s, 200)
        self.assertEqual(r["status"], "infeasible")
        self.assertEqual(r["min_feasible_peak_bytes"], 250)
        # Budget 250 without recomputation costs nothing: the schedule already fits.
        self.assertEqual(solve(s, 250)["extra_flops"], 0)
        # With the flag and budget 225, the only plans under 250 are the 1005-flop one above.
        self.assertEqual(solve(s, 225, allow_expensive=True)["extra_flops"], 1005)

    def test_pure_chain(self):
        # Each launch reads only its predecessor's result: every value dies at the next launch,
        # so no value is ever kept across a launch that does not read it and recomputation,
        # with the order of the launches fixed, cannot help. The exact answer (the dynamic
        # programme for chains degenerates to this) is: zero extra flops down to the largest
        # adjacent pair, max(b[t-1] + b[t]), and infeasible below it.
        sizes = [30, 80, 20, 60, 70, 10]
        values = [("x", 5, "input")] + [(f"c{t}", b, "arena") for t, b in enumerate(sizes)]
        values.append(("y", 5, "output"))
        names = [v[0] for v in values]
        s = graph(values, [(f"L{t}", 3, False, [names[t]], [names[t + 1]])
                           for t in range(len(sizes) + 1)])
        pair = max(a + b for a, b in zip(sizes, sizes[1:]))  # 60 + 70 = 130
        self.assertEqual(sched.baseline_peak(s), pair)
        self.assertEqual(solve(s, pair)["extra_flops"], 0)
        r = solve(s, pair - 1)
        self.assertEqual((r["status"], r["min_feasible_peak_bytes"]), ("infeasible", pair))

    def test_multi_result_and_unread(self):
        # L0 P: x -> p, q (cheap, 7 flops, 100 B each): one launch, two results; q is read only
        # by L3, p by L1. L1 M: p -> m (gemm, 100 B); L2 N: m -> n (gemm, 100 B); L3 Z: n, q ->
        # y, z; z (arena, 40 B) is never read.
        s = graph([("x", 8, "input"), ("p", 100, "arena"), ("q", 100, "arena"),
                   ("m", 100, "arena"), ("n", 100, "arena"), ("y", 8, "output"),
                   ("z", 40, "arena")],
                  [("P", 7, False, ["x"], ["p", "q"]), ("M", 900, True, ["p"], ["m"]),
                   ("N", 900, True, ["m"], ["n"]), ("Z", 3, False, ["n", "q"], ["y", "z"])])
        # No recomputation: L0 {p,q} 200, L1 {p,q,m} 300, L2 {q,m,n} 300, L3 {n,q,z} 240.
        self.assertEqual(sched.simulate(s).resident, [200, 300, 300, 240])
        # To go below 300, q must not cross M (or N), so P must run again later for Z; but P
        # rewrites p and q together: before N that is {m,p,q} 300, before Z {n,p,q} 300 (p,
        # unread, is freed right after). So no plan beats 300, though every launch alone fits
        # in 240 (Z: {n,q,z}); budget 240 is infeasible and the smallest peak is 300.
        r = solve(s, 240)
        self.assertEqual(r["status"], "infeasible")
        self.assertEqual(r["min_feasible_peak_bytes"], 300)


class WarmStart(unittest.TestCase):
    def test_warm_start(self):
        s = gap_chain()
        solver, _, log = optimum.solver_command(None, warm_start=True)
        try:
            # A plan within the budget, with a useless re-execution (A before C serves no read:
            # D reads the copy made before D), which the warm start drops.
            self.assertEqual(sched.drop_useless(s, [(0, 3), (0, 2)]), [(0, 3)])
            r = optimum.optimise(s, 200, warm_plan=[(0, 3), (0, 2)], warm_solver=solver)
            self.assertEqual(r["warm_start"], {"extra_flops": 20, "peak_bytes": 200,
                                               "used": True})
            self.assertEqual((r["status"], r["extra_flops"]), ("optimal", 10))
            # A plan over the budget is not used; the answer is the same.
            r = optimum.optimise(s, 200, warm_plan=[], warm_solver=solver)
            self.assertFalse(r["warm_start"]["used"])
            self.assertEqual(r["extra_flops"], 10)
        finally:
            log.unlink(missing_ok=True)

    def test_ilp_accounting_of_arbitrary_plans(self):
        # The ILP's memory rows, evaluated on any plan (not only on the plans CBC picks), give
        # the simulator's peak: assign_plan raises otherwise.
        rng = random.Random(11)
        for _ in range(60):
            s = sched.parse_schedule(synthetic.random_dag(rng, rng.randint(4, 8)))
            allow = rng.random() < 0.5
            pairs = [(i, t) for i in range(len(s.launches)) if s.can_recompute(i, allow)
                     for t in range(i + 1, len(s.launches))]
            plan = rng.sample(pairs, min(len(pairs), rng.randint(0, 4)))
            for minimise_peak, cuts in ((False, False), (True, True)):
                m = optimum.build_model(s, allow, sched.baseline_peak(s) * 10, minimise_peak,
                                        cuts)
                sim = optimum.assign_plan(m, plan)
                self.assertEqual(sim.peak_bytes,
                                 sched.simulate(s, sched.drop_useless(s, plan, allow),
                                                allow).peak_bytes)


class Simulator(unittest.TestCase):
    def test_plan_figures(self):
        s = gap_chain()
        sim = sched.simulate(s, [(0, 3)])
        # Instances A, B, C, A', D: {a} 100, {a,b} 200, {b,c} 200, {c,a} 200, {c,a} 200.
        self.assertEqual(sim.instances, [(0, 0), (1, 1), (2, 2), (0, 3), (3, 3)])
        self.assertEqual(sim.resident, [100, 200, 200, 200, 200])
        self.assertEqual((sim.peak_bytes, sim.extra_flops), (200, 10))
        # A recomputed before C instead: instances A, B, A', C, D. The first copy of a dies
        # after B, its last reader; the copy made before C is kept across C for D:
        # {a} 100, {a,b} 200, {b,a} 200, {b,c,a} 300, {c,a} 200.
        sim = sched.simulate(s, [(0, 2)])
        self.assertEqual(sim.resident, [100, 200, 200, 300, 200])
        # Before C and before D: the copy made before C serves no read (D reads the one made
        # before D), so it lives only during its own instance: it costs its flops and {b,a} 200
        # there, and C sees {b,c} 200 again.
        sim = sched.simulate(s, [(0, 3), (0, 2)])
        self.assertEqual(sim.resident, [100, 200, 200, 200, 200, 200])
        self.assertEqual(sim.extra_flops, 20)
        self.assertEqual(sched.launch_floor(s), 200)

    def test_rejects_invalid_plans(self):
        s = gap_chain()
        cases = {
            "only be re-executed after": [(3, 3)],
            "after its original": [(2, 1)],
            "no such launch": [(0, 4)],
            "appears twice": [(0, 3), (0, 3)],
            "expensive": [(1, 3)],
        }
        for message, plan in cases.items():
            with self.subTest(plan=plan):
                with self.assertRaisesRegex(sched.PlanError, message):
                    sched.simulate(s, plan)
        # The expensive one is fine once allowed.
        self.assertEqual(sched.simulate(s, [(1, 3)], allow_expensive=True).extra_flops, 1000)
        for bad, message in (([{"launch": "0", "before_launch": 3}], "integer"),
                             ([{"launch": True, "before_launch": 3}], "integer"),
                             ({"plan": []}, "recomputed"), ([[0, 3]], "not an object")):
            with self.subTest(plan=bad):
                with self.assertRaisesRegex(sched.PlanError, message):
                    sched.parse_plan(bad)
        self.assertEqual(sched.parse_plan({"recomputed": [{"launch": 0, "before_launch": 3}]}),
                         [(0, 3)])

    def test_rejects_invalid_schedules(self):
        def doc(values, launches, fmt=sched.FORMAT):
            return {"format": fmt, "values": values, "launches": launches}

        def v(vid, kind="arena"):
            return {"id": vid, "name": f"v{vid}", "bytes": 4, "kind": kind}

        def launch(ops, res, flops=1):
            return {"name": "L", "family": "f", "flops": flops, "expensive": False,
                    "operands": ops, "results": res}

        cases = [
            (doc([v(0, "input")], [], fmt="dsr1-schedule-0"), "format"),
            (doc([v(0, "input"), v(0)], []), "duplicate value id"),
            (doc([v(0, "scratch")], []), "kind"),
            (doc([v(0), v(1)], [launch([1], [0]), launch([0], [1])]), "before any launch"),
            (doc([v(0, "input"), v(1)], [launch([0], [1]), launch([0], [1])]), "already"),
            (doc([v(0, "input"), v(1)], [launch([0], [0])]), "writes input"),
            (doc([v(0, "input"), v(1)], []), "no launch writes it"),
            (doc([v(0, "input"), v(1)], [launch([0, 7], [1])]), "unknown value"),
            (doc([v(0, "input"), v(1)], [launch([0], [1], flops=-1)]), "negative flops"),
            (doc([v(0, "input"), v(1)], [launch([0], [1], flops=1.5)]), "flops"),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(sched.ScheduleError, message):
                    sched.parse_schedule(data)

    def test_outputs_and_inputs_cost_nothing(self):
        # An output read later is always available and never counted.
        s = graph([("x", 1000, "input"), ("o", 1000, "output"), ("a", 10, "arena"),
                   ("y", 1000, "output")],
                  [("O", 1, False, ["x"], ["o"]), ("A", 1, False, ["o"], ["a"]),
                   ("Y", 1, False, ["a", "o", "x"], ["y"])])
        self.assertEqual(sched.simulate(s).resident, [0, 10, 10])


class CommandLine(unittest.TestCase):
    def run_cli(self, s_json, *args):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "s.json"
            path.write_text(json.dumps(s_json))
            out = Path(tmp) / "out.json"
            proc = subprocess.run([sys.executable, str(ROOT / "bench/memory/optimum.py"),
                                   str(path), "--json", str(out), *args],
                                  capture_output=True, text=True, timeout=300)
            result = json.loads(out.read_text()) if out.exists() else None
        return proc, result

    def test_exit_codes_and_json(self):
        data = synthetic.Builder("gap")
        x = data.value("x", 100, "input")
        a, b, c = (data.value(n, 100, "arena") for n in "abc")
        y = data.value("y", 100, "output")
        data.launch("A", "elementwise", 10, False, [x], [a])
        data.launch("B", "gemm", 1000, True, [a], [b])
        data.launch("C", "gemm", 1000, True, [b], [c])
        data.launch("D", "elementwise", 10, False, [c, a], [y])
        proc, result = self.run_cli(data.json(), "--budget", "67%")  # floor(0.67 * 300) = 201
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(result["budget_bytes"], 201)
        for key, expected in (("status", "optimal"), ("extra_flops", 10), ("peak_bytes", 200),
                              ("baseline_peak_bytes", 300),
                              ("recomputed", [{"launch": 0, "before_launch": 3}])):
            self.assertEqual(result[key], expected, key)
        self.assertIn("CBC", result["solver"])
        self.assertIn("solve_seconds", result)
        proc, result = self.run_cli(data.json(), "--budget", "150")
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertEqual((result["status"], result["min_feasible_peak_bytes"]),
                         ("infeasible", 200))
        self.assertIn("smallest feasible peak is 200", proc.stdout)
        proc, _ = self.run_cli(data.json(), "--budget", "lots")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("--budget", proc.stderr)
        proc, _ = self.run_cli({"format": "x"}, "--budget", "1")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("format", proc.stderr)


def brute_force(s, allow_expensive):
    """Every recompute plan of the schedule, simulated: the Pareto front as a dict peak -> min
    extra flops. Enumerates every subset of the pairs (launch i, before launch t), i < t, i
    recomputable with an arena result, leaving out only pairs that can serve no read: a copy
    made in stage t serves launches run in stage t or later, that is originals k >= t and
    re-executions of k in such stages; a re-execution that serves no read can be dropped from
    any plan without raising its memory or FLOPs."""
    n = len(s.launches)
    last_stage = list(range(n))  # the last stage each launch can usefully run in
    pairs = []
    for i in reversed(range(n)):
        if not s.can_recompute(i, allow_expensive):
            continue
        readers = [k for v in s.arena_results(i) for k in s.readers.get(v, [])]
        last = max([i] + [last_stage[k] for k in readers])
        last_stage[i] = last
        pairs += [(i, t) for t in range(i + 1, last + 1)]
    best = {}
    for mask in range(1 << len(pairs)):
        plan = [p for bit, p in enumerate(pairs) if mask >> bit & 1]
        sim = sched.simulate(s, plan, allow_expensive)
        if sim.peak_bytes not in best or sim.extra_flops < best[sim.peak_bytes]:
            best[sim.peak_bytes] = sim.extra_flops
    return len(pairs), best


def min_flops(best, budget):
    fits = [flops for peak, flops in best.items() if peak <= budget]
    return min(fits) if fits else None


class AgainstBruteForce(unittest.TestCase):
    GRAPHS = 40
    MAX_PAIRS = 12

    def test_random_dags(self):
        rng = random.Random(7)
        checked = budgets = 0
        while checked < self.GRAPHS:
            launches = rng.randint(4, 7)
            s = sched.parse_schedule(synthetic.random_dag(rng, launches))
            allow = rng.random() < 0.3
            pairs, best = brute_force(s, allow)
            if pairs > self.MAX_PAIRS:
                continue
            checked += 1
            peaks = sorted(best)
            candidates = set(peaks) | {peaks[0] - 1, rng.randint(peaks[0], peaks[-1])}
            for budget in sorted(candidates):
                budgets += 1
                with self.subTest(graph=checked, budget=budget, allow=allow):
                    r = solve(s, budget, allow)
                    expected = min_flops(best, budget)
                    if expected is None:
                        self.assertEqual(r["status"], "infeasible")
                        self.assertEqual(r["min_feasible_peak_bytes"], peaks[0])
                    else:
                        self.assertEqual(r["status"], "optimal")
                        self.assertEqual(r["extra_flops"], expected)
                        self.assertLessEqual(r["peak_bytes"], budget)
        print(f"\n  ILP = brute force on {checked} random DAGs, {budgets} budgets",
              file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
