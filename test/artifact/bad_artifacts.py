"""Damaged and mismatched .dsr1 artifacts must be refused with a clear message naming the file and
what is wrong, exit status 1 and no crash: truncated at every interesting length, a bit flipped in
each part (header, index, weights, cpu object, CUDA source, cubin), lengths in the header that point
past the file or overflow, another format version, a wrong magic, trailing bytes, and artifacts
without code for the device asked for. The intact artifact must run and match the stored reference.
"""

import argparse
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HEADER = 64


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--compiler", required=True)
    parser.add_argument("--runner", required=True)
    parser.add_argument("--model", required=True, type=Path, help="a model folder of the set")
    parser.add_argument("--fake-driver", type=Path,
                        help="libdsr1-fake-cuda.so: also refuse a GPU the artifact has no code for")
    args = parser.parse_args()
    data_dir = args.model / "test_data_set_0"
    failures = 0

    def run(path: Path, *extra, expect=None, ok=False, names_file=True, env=None):
        nonlocal failures
        inputs = [] if "--inputs" in extra else ["--inputs", str(data_dir)]
        proc = subprocess.run([args.runner, str(path), "--quiet", *inputs, *extra],
                              capture_output=True, text=True, timeout=600,
                              env=None if env is None else {**os.environ, **env})
        what = f"{path.name} {' '.join(extra)}".strip()
        if ok:
            good = proc.returncode == 0
        else:
            good = (proc.returncode == 1 and "dsr1-run: error: " in proc.stderr
                    and (str(path) in proc.stderr or not names_file)
                    and (expect is None or expect in proc.stderr))
        if good:
            print(f"ok   {what}: {proc.stderr.strip().splitlines()[-1] if proc.stderr else 'ran'}")
        else:
            failures += 1
            print(f"FAIL {what}: exit {proc.returncode}, expected "
                  f"{'success' if ok else repr(expect)}\n{proc.stdout}{proc.stderr}")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        good = tmp / "model.dsr1"
        subprocess.run([args.compiler, str(args.model / "model.onnx"), "--inputs", str(data_dir),
                        "--target", "cpu,sm_80", "-o", str(good), "--quiet"], check=True)
        blob = good.read_bytes()
        index_offset, index_bytes = struct.unpack_from("<QQ", blob, 16)
        run(good, "--compare", str(data_dir), "--rtol", "1e-4", "--atol", "1e-5", ok=True)

        def variant(name: str, content: bytes) -> Path:
            path = tmp / f"{name}.dsr1"
            path.write_bytes(content)
            return path

        for cut in [0, 7, 40, HEADER - 1, HEADER, index_offset // 2, index_offset,
                    len(blob) - 1]:
            expect = "empty" if cut == 0 else ("not a dsr1 artifact" if cut < 8 else "truncated")
            run(variant(f"truncated-{cut}", blob[:cut]), expect=expect)

        def flipped(at: int) -> bytes:
            b = bytearray(blob)
            b[at] ^= 0x10
            return bytes(b)

        run(variant("flip-magic", flipped(2)), expect="not a dsr1 artifact")
        run(variant("flip-header", flipped(20)), expect="header fails its checksum")
        run(variant("flip-index", flipped(index_offset + index_bytes // 2)),
            expect="index fails its checksum")
        # Sections lie between the header and the index: the weights first (page-aligned),
        # then the cpu object, the CUDA source and headers, the cubin and PTX.
        for name, at in [("weights", 4096 + 8), ("middle", (4096 + index_offset) // 2),
                         ("late", index_offset - 64)]:
            run(variant(f"flip-{name}", flipped(at)), expect="fails its checksum")

        def with_header(**fields) -> bytes:
            b = bytearray(blob)
            offsets = {"version": (8, "<I"), "index_offset": (16, "<Q"), "index_bytes": (24, "<Q"),
                       "file_bytes": (40, "<Q")}
            for key, value in fields.items():
                at, fmt = offsets[key]
                struct.pack_into(fmt, b, at, value)
            return bytes(b)

        run(variant("version-3", with_header(version=3)),
            expect="artifact format version 3, but this dsr1 (0.1.0) reads versions 1 to 2")
        run(variant("version-0", with_header(version=0)), expect="format version 0")
        # Lengths fixed up with a valid header checksum need the writer's hash; without it the
        # header checksum catches them first, which is the message a user sees.
        run(variant("oversized-file", with_header(file_bytes=1 << 62)), expect="checksum")
        run(variant("oversized-index", with_header(index_bytes=(1 << 64) - 1)), expect="checksum")
        run(variant("trailing", blob + b"\0" * 100), expect="bytes, its header says")

        # Devices the artifact holds no code for.
        cpu_only = tmp / "cpu-only.dsr1"
        gpu_only = tmp / "gpu-only.dsr1"
        subprocess.run([args.compiler, str(args.model / "model.onnx"), "--inputs", str(data_dir),
                        "--target", "cpu", "-o", str(cpu_only), "--quiet"], check=True)
        subprocess.run([args.compiler, str(args.model / "model.onnx"), "--inputs", str(data_dir),
                        "--target", "sm_80", "-o", str(gpu_only), "--quiet"], check=True)
        run(cpu_only, "--device", "cuda-emu", expect="holds no code for the cuda-emu device")
        run(gpu_only, "--device", "cpu", expect="holds no code for the cpu device")
        run(gpu_only, "--device", "cuda-emu", "--compare", str(data_dir), "--rtol", "1e-4",
            "--atol", "1e-5", ok=True)
        # A GPU older than every architecture compiled for (the fake driver plays an sm_75).
        if args.fake_driver:
            run(good, "--device", "cuda", expect="(sm_75): compiled for sm_80",
                env={"DSR1_CUDA_DRIVER": str(args.fake_driver), "DSR1_FAKE_CUDA_CC": "75"})
        # Compile-time flags on a compiled model.
        run(good, "--precision", "fp16", expect="applies when compiling")
        # Wrong inputs to a compiled model name the input.
        wrong = tmp / "wrong-inputs"
        wrong.mkdir()
        for f in sorted(data_dir.glob("input_*.pb")):
            (wrong / f.name).write_bytes(f.read_bytes())
        first = sorted(wrong.glob("input_*.pb"))[0]
        first.write_bytes((args.model.parent / "bert" / "test_data_set_0" /
                           "input_0.pb").read_bytes())
        run(good, "--inputs", str(wrong), expect="input 0 'x'", names_file=False)

    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
