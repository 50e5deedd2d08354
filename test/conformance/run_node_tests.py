"""Compiles and runs the ONNX backend node tests on the cpu device with dsr1-run.

Each test's model is compiled and run on every test_data_set_K, and its outputs compared with
the expected ones at the ONNX backend default tolerance (rtol 1e-3, atol 1e-7). Every test is
reported as passed, failed (wrong numbers, a runtime error) or unsupported (the import or the
code generator refuses an op), with the reason. A crash or a timeout always fails the run; so
does any change to the checked-in list of passing tests, in either direction.
"""

import argparse
import collections
import fnmatch
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import expected_list

# Messages that mean "dsr1 does not do this yet", as opposed to a wrong answer.
UNSUPPORTED = re.compile(
    r"unsupported ONNX op|failed to legalize operation|is not supported|does not support|"
    r"which dsr1 does not support|not (yet )?implemented|is not a tensor|"
    r"must be a constant|imports no default-domain|are not supported|cannot cast to|"
    r"must be constant|no lowering for|no CUDA kernel family covers|template cannot fuse|"
    r"no CUDA type for|"
    r"has no CUDA template")


def last_error(text: str) -> str:
    lines = [l for l in text.strip().splitlines() if l.strip()]
    errors = [l for l in lines if "error" in l or "FAIL" in l]
    line = (errors or lines or [""])[0]
    return re.sub(r"^.*?error: ", "", line)[:300]


def run_one(runner: str, test_dir: Path, timeout: float, rtol: float, atol: float,
            device: str = "cpu") -> dict:
    sets = sorted(p for p in test_dir.iterdir() if p.name.startswith("test_data_set_"))
    if not sets:
        return {"status": "failed", "reason": "no test_data_set_* folder"}
    start = time.monotonic()
    for data in sets:
        command = [runner, str(test_dir / "model.onnx"), "--device", device, "--quiet",
                   "--compare", str(data), "--rtol", str(rtol), "--atol", str(atol)]
        if any(data.glob("input_*")):
            command += ["--inputs", str(data)]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"status": "crash", "reason": f"timed out after {timeout:.0f} s"}
        if proc.returncode < 0 or proc.returncode > 1:
            return {"status": "crash",
                    "reason": f"exit code {proc.returncode}: {last_error(proc.stderr)}"}
        if proc.returncode == 1:
            reason = last_error(proc.stderr + "\n" + proc.stdout)
            status = "unsupported" if UNSUPPORTED.search(proc.stderr) else "failed"
            return {"status": status, "reason": f"{data.name}: {reason}"}
    return {"status": "passed", "seconds": round(time.monotonic() - start, 2)}


def categorise(reason: str) -> str:
    """Groups messages: node names and shapes vary, the cause does not."""
    reason = re.sub(r"^test_data_set_\d+: ", "", reason)
    reason = re.sub(r"node '[^']*'", "node", reason)
    reason = re.sub(r"loc\(.*?\): ", "", reason)
    reason = re.sub(r"'[^']*'", "'…'", reason)
    reason = re.sub(r"\b\d+(\.\d+)?(e[-+]?\d+)?(x\d+)*\b", "N", reason)
    return reason[:140]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", required=True, type=Path, help="materialised node tests")
    parser.add_argument("--runner", required=True, help="path to dsr1-run")
    parser.add_argument("--expected", type=Path, help="tests that must pass (one per line)")
    parser.add_argument("--update-expected", action="store_true",
                        help="rewrite --expected with the tests that pass now")
    parser.add_argument("--report", type=Path, help="write a JSON report here")
    parser.add_argument("--filter", action="append",
                        help="only tests matching this glob (repeatable); no list check")
    parser.add_argument("--min-count", type=int, default=1500,
                        help="fail when fewer tests than this are found")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-7)
    parser.add_argument("--device", default="cpu",
                        help="dsr1-run --device (cuda-emu: the tests' CUDA kernels on the CPU)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every test that does not pass, with its reason")
    args = parser.parse_args()

    tests = sorted(p for p in args.tests.iterdir() if (p / "model.onnx").is_file())
    if not args.filter and len(tests) < args.min_count:
        print(f"run_node_tests: only {len(tests)} tests in {args.tests}, expected at least "
              f"{args.min_count}: the corpus is missing or partial", file=sys.stderr)
        return 1
    if args.filter:
        tests = [t for t in tests if any(fnmatch.fnmatch(t.name, f) for f in args.filter)]

    start = time.monotonic()
    results = {}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {t.name: pool.submit(run_one, args.runner, t, args.timeout, args.rtol,
                                       args.atol, args.device) for t in tests}
        for done, (name, future) in enumerate(futures.items(), 1):
            results[name] = future.result()
            if sys.stderr.isatty() and (done % 20 == 0 or done == len(tests)):
                print(f"\r{done}/{len(tests)} run", end="", file=sys.stderr)
    if sys.stderr.isatty():
        print(file=sys.stderr)

    counts = collections.Counter(r["status"] for r in results.values())
    total = len(tests)
    pct = 100.0 * counts["passed"] / total if total else 0.0
    print(f"ONNX node tests on {args.device}: {total} total, {counts['passed']} passed ({pct:.1f}%), "
          f"{counts['failed']} failed, {counts['unsupported']} unsupported, "
          f"{counts['crash']} crashed ({time.monotonic() - start:.0f} s)")
    for status in ("failed", "unsupported"):
        reasons = collections.Counter(categorise(r["reason"]) for r in results.values()
                                      if r["status"] == status)
        if reasons:
            print(f"most common reasons ({status}):")
            for reason, n in reasons.most_common(12):
                print(f"  {n:4d}  {reason}")
    if args.verbose:
        for name, r in sorted(results.items()):
            if r["status"] != "passed":
                print(f"{r['status']:11s} {name}: {r.get('reason', '')}")

    if args.report:
        args.report.write_text(json.dumps(
            {"total": total, "counts": counts, "tests": results}, indent=1, sort_keys=True))

    status = 0
    crashes = sorted(n for n, r in results.items() if r["status"] == "crash")
    if crashes:
        status = 1
        print(f"FAIL: {len(crashes)} tests crashed or timed out:", file=sys.stderr)
        for name in crashes:
            print(f"  {name}: {results[name]['reason']}", file=sys.stderr)

    passed = sorted(n for n, r in results.items() if r["status"] == "passed")
    if args.expected and not args.filter:
        status |= expected_list.check(results, passed, args.expected, args.update_expected,
                                      "pass")
    return status


if __name__ == "__main__":
    sys.exit(main())
