"""The checked-in lists of node tests that must keep importing / passing: both runners compare
their results with a list, fail on a change in either direction, and rewrite it on request."""

import sys
from pathlib import Path


def check(results: dict, good: list, expected: Path, update: bool, verb: str) -> int:
    """Compares the tests that `verb` ("import", "pass") now with `expected`; returns 1 on any
    difference (a regression, or a newly good test missing from the list), 0 otherwise. With
    `update`, rewrites the list instead."""
    if update:
        expected.write_text("".join(f"{n}\n" for n in good))
        print(f"wrote {len(good)} names to {expected}")
        return 0
    listed = {l.strip() for l in expected.read_text().splitlines()
              if l.strip() and not l.startswith("#")}
    regressed = sorted((listed - set(good)) & set(results))
    new = sorted(set(good) - listed)
    status = 0
    if regressed:
        status = 1
        print(f"FAIL: {len(regressed)} tests that used to {verb} no longer do:", file=sys.stderr)
        for name in regressed:
            print(f"  {name}: {results[name].get('reason', '')}", file=sys.stderr)
    if new:
        status = 1
        print(f"FAIL: {len(new)} tests {verb} now but are not in {expected}; add them "
              f"(--update-expected) so that they keep doing so: " + ", ".join(new[:20])
              + (" ..." if len(new) > 20 else ""), file=sys.stderr)
    return status
