"""Runs dsr1-import over the materialised ONNX backend node tests and reports what imports."""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import expected_list

UNSUPPORTED_OP = re.compile(r"unsupported ONNX ops?: (.*)")
OP_ENTRY = re.compile(r"([\w.:]+) \((?:opset \d+|domain '[^']*' is not imported)\)")


def run_one(importer: str, test_dir: Path, timeout: float) -> dict:
    """Imports one test model; classifies the outcome."""
    try:
        proc = subprocess.run(
            [importer, str(test_dir / "model.onnx"), "-o", os.devnull],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"status": "crash", "reason": f"timed out after {timeout:.0f} s"}
    message = proc.stderr.strip().splitlines()
    first = message[0] if message else ""
    first = re.sub(r"^.*?error: ", "", first)
    if proc.returncode == 0:
        return {"status": "imported"}
    if proc.returncode == 1 and first:
        return {"status": "refused", "reason": first}
    # A signal (negative code), an abort, or a failure with no message.
    return {"status": "crash", "reason": f"exit code {proc.returncode}: {first}"}


def categorise(reason: str) -> str:
    """Groups refusal messages: node names and shapes vary, the cause does not."""
    reason = re.sub(r"node '[^']*'", "node", reason)
    reason = re.sub(r"'[^']*'", "'…'", reason)
    reason = re.sub(r"\b\d+(x\d+)*\b", "N", reason)
    return reason[:140]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", required=True, type=Path, help="materialised node tests")
    parser.add_argument("--importer", required=True, help="path to dsr1-import")
    parser.add_argument("--expected", type=Path, help="tests that must import (one per line)")
    parser.add_argument("--update-expected", action="store_true",
                        help="rewrite --expected with the tests that import now")
    parser.add_argument("--report", type=Path, help="write a JSON report here")
    parser.add_argument("--min-count", type=int, default=1500,
                        help="fail when fewer tests than this are found")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    tests = sorted(p for p in args.tests.iterdir() if (p / "model.onnx").is_file())
    if len(tests) < args.min_count:
        print(f"import_node_tests: only {len(tests)} tests in {args.tests}, expected at least "
              f"{args.min_count}: the corpus is missing or partial", file=sys.stderr)
        return 1

    start = time.monotonic()
    results = {}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {t.name: pool.submit(run_one, args.importer, t, args.timeout) for t in tests}
        for done, (name, future) in enumerate(futures.items(), 1):
            results[name] = future.result()
            if sys.stderr.isatty() and done % 100 == 0:
                print(f"\r{done}/{len(tests)} imported or refused", end="", file=sys.stderr)
    if sys.stderr.isatty():
        print(file=sys.stderr)

    counts = collections.Counter(r["status"] for r in results.values())
    missing_ops = collections.Counter()
    reasons = collections.Counter()
    for r in results.values():
        if r["status"] != "refused":
            continue
        reasons[categorise(r["reason"])] += 1
        m = UNSUPPORTED_OP.search(r["reason"])
        if m:
            for op in OP_ENTRY.findall(m.group(1)):
                missing_ops[op] += 1

    total = len(tests)
    print(f"ONNX node tests: {total} total, {counts['imported']} imported "
          f"({100.0 * counts['imported'] / total:.1f}%), {counts['refused']} refused with a "
          f"message, {counts['crash']} crashed ({time.monotonic() - start:.0f} s)")
    print(f"op types missing ({len(missing_ops)}): "
          + ", ".join(f"{op} ({n})" for op, n in sorted(missing_ops.items())))
    print("most common refusals:")
    for reason, n in reasons.most_common(15):
        print(f"  {n:4d}  {reason}")

    if args.report:
        args.report.write_text(json.dumps(
            {"total": total, "counts": counts, "missing_ops": missing_ops, "tests": results},
            indent=1, sort_keys=True))

    status = 0
    crashes = sorted(n for n, r in results.items() if r["status"] == "crash")
    if crashes:
        status = 1
        print(f"FAIL: {len(crashes)} tests crashed the importer:", file=sys.stderr)
        for name in crashes:
            print(f"  {name}: {results[name]['reason']}", file=sys.stderr)

    imported = sorted(n for n, r in results.items() if r["status"] == "imported")
    if args.expected:
        status |= expected_list.check(results, imported, args.expected, args.update_expected,
                                      "import")
    return status


if __name__ == "__main__":
    sys.exit(main())
