"""Imports every model of the generated set with dsr1-import; symbolic dims take the shapes of the reference inputs."""

import argparse
import subprocess
import sys
from pathlib import Path

import onnx


def input_shapes(model_dir: Path) -> list[str]:
    """--input-shape arguments for the graph inputs whose declared shape is symbolic."""
    model = onnx.load(str(model_dir / "model.onnx"), load_external_data=False)
    symbolic = {
        i.name for i in model.graph.input
        if any(not d.HasField("dim_value") for d in i.type.tensor_type.shape.dim)
    }
    args = []
    for pb in sorted((model_dir / "test_data_set_0").glob("input_*.pb")):
        tensor = onnx.TensorProto()
        tensor.ParseFromString(pb.read_bytes())
        if tensor.name in symbolic:
            args += ["--input-shape", f"{tensor.name}={'x'.join(map(str, tensor.dims))}"]
    return args


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", required=True, type=Path)
    parser.add_argument("--importer", required=True)
    parser.add_argument("--min-count", type=int, default=20)
    args = parser.parse_args()
    dirs = sorted(p for p in args.models.iterdir() if (p / "model.onnx").is_file())
    if len(dirs) < args.min_count:
        print(f"import_models: only {len(dirs)} models in {args.models}", file=sys.stderr)
        return 1
    failures = []
    for d in dirs:
        cmd = [args.importer, str(d / "model.onnx"), "--optimize", "-o", "/dev/null",
               *input_shapes(d)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        status = "imported" if proc.returncode == 0 else "FAILED"
        print(f"{d.name:24s} {status}")
        if proc.returncode != 0:
            failures.append((d.name, proc.stderr.strip()))
    for name, err in failures:
        print(f"--- {name}:\n{err}", file=sys.stderr)
    print(f"{len(dirs) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
