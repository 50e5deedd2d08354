"""Malformed TorchScript files never crash the importer.

Mutates the small TorchScript files of the tests (bit flips, truncation, zeroed runs; a fixed
seed), imports each with dsr1-import, and requires every run to end with exit code 0 or 1 and,
on 1, an error message naming the file: a signal (a crash in libtorch or in dsr1) or a timeout
fails the test, and the mutated file is kept for reproduction.

    python3 test/torch/malformed.py --importer build/bin/dsr1-import [--count 60]
"""

import argparse
import collections
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCES = [ROOT / "test/lit/frontend/torch/Inputs/attention.pt",
           ROOT / "test/lit/frontend/torch/Inputs/raises.pt",
           ROOT / "test/models/torch/control_flow.script/model.pt"]
SHAPES = ["--input-shape=q=2x4x8x16", "--input-shape=k=2x4x8x16", "--input-shape=v=2x4x8x16",
          "--input-shape=keep=2x1x8x8:i1", "--input-shape=x=2x8"]


def mutate(rng: random.Random, data: bytes) -> tuple:
    data = bytearray(data)
    kind = rng.choice(["flip", "truncate", "zero"])
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        data = data[:rng.randrange(len(data))]
    else:
        at = rng.randrange(len(data))
        data[at:at + 16] = bytes(len(data[at:at + 16]))
    return kind, bytes(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--importer", required=True)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources = [p.read_bytes() for p in SOURCES]
    outcomes, failures = collections.Counter(), []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.count):
            kind, data = mutate(rng, rng.choice(sources))
            path = Path(tmp) / f"mutant{n}.pt"
            path.write_bytes(data)
            # Shapes for every input of every source; the ones a model lacks are an error,
            # which is an outcome like any other here.
            cmd = [args.importer, str(path), "-o", "/dev/null"]
            try:
                proc = subprocess.run(cmd + SHAPES[-1:] if n % 2 else cmd + SHAPES[:4],
                                      capture_output=True, timeout=120)
            except subprocess.TimeoutExpired:
                failures.append((n, kind, "timed out", data))
                continue
            outcomes[proc.returncode] += 1
            stderr = proc.stderr.decode("utf-8", "replace")
            if proc.returncode not in (0, 1):
                failures.append((n, kind, f"exit code {proc.returncode}: {stderr[-300:]}", data))
            elif proc.returncode == 1 and f"mutant{n}.pt" not in stderr:
                failures.append((n, kind, f"no message naming the file: {stderr[-300:]}", data))
    for n, kind, why, data in failures:
        keep = Path(tempfile.gettempdir()) / f"dsr1-malformed-{n}.pt"
        keep.write_bytes(data)
        print(f"mutant {n} ({kind}): {why} (kept as {keep})")
    print(f"{args.count} mutated TorchScript files: exit codes {dict(outcomes)}, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
