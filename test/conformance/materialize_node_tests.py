"""Writes the ONNX backend node tests to disk in the backend-test layout, with a manifest."""

# Layout written under --out:
#
#   manifest.json
#   <test_name>/model.onnx
#   <test_name>/test_data_set_K/input_N.pb, output_N.pb
#
# A .pb file holds an onnx.TensorProto for a tensor value, and the matching
# onnx.SequenceProto / onnx.OptionalProto / onnx.MapProto for other values, as
# the ONNX runner (onnx.backend.test.runner) expects.
#
# manifest.json: generator, onnx_version, count, non_tensor_count, and per test
# its name, data_sets, inputs, outputs, input_kinds / output_kinds (tensor,
# sequence, optional, map: which proto each .pb holds), non_tensor, ir_version,
# opset_imports (domain -> version, "" = ai.onnx), op_types (graph and
# subgraphs; "domain::Op" outside ai.onnx), rtol, atol and source (memory or
# copied).
#
# onnx >= 1.23 builds the node tests in memory (TestCase.model / .data_sets);
# older releases ship them as folders (TestCase.model_dir), which are copied.

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

GENERATOR = "materialize_node_tests.py"
MANIFEST = "manifest.json"
DEFAULT_MIN_COUNT = 1500
PROGRESS_EVERY = 200
# Test names become folder names: refuse anything that could leave --out.
SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")


class CaseError(Exception):
    """A test case that cannot be written; the message names what is wrong."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- values to protos -------------------------------------------------------


def _tensor_proto(value: Any, name: str) -> onnx.TensorProto:
    # Some cases hand over TensorProtos (float8, int4, ... that numpy cannot
    # hold); keep them as they are, apart from giving them the value's name.
    if isinstance(value, onnx.TensorProto):
        tensor = onnx.TensorProto()
        tensor.CopyFrom(value)
        if name and not tensor.name:
            tensor.name = name
        return tensor
    if isinstance(value, (list, tuple, dict)) or value is None:
        raise CaseError(f"{name!r}: expected a tensor, got {type(value).__name__}")
    # np.asarray: a few cases pass numpy scalars (np.float32(2.0)), not arrays.
    return numpy_helper.from_array(np.asarray(value), name)


def _sequence_proto(
    value: Any, elem_type: onnx.TypeProto | None, name: str
) -> onnx.SequenceProto:
    if not isinstance(value, (list, tuple)):
        raise CaseError(f"{name!r}: expected a sequence, got {type(value).__name__}")
    kind = elem_type.WhichOneof("value") if elem_type is not None else None
    if kind is None:
        # No declared element type: let numpy_helper infer it from the values.
        return numpy_helper.from_list(list(value), name)
    seq = onnx.SequenceProto()
    if name:
        seq.name = name
    # Set from the declared type so that an empty sequence keeps its kind.
    if kind == "tensor_type":
        seq.elem_type = onnx.SequenceProto.TENSOR
        seq.tensor_values.extend(_tensor_proto(v, "") for v in value)
    elif kind == "sequence_type":
        seq.elem_type = onnx.SequenceProto.SEQUENCE
        inner = elem_type.sequence_type.elem_type
        seq.sequence_values.extend(_sequence_proto(v, inner, "") for v in value)
    elif kind == "map_type":
        seq.elem_type = onnx.SequenceProto.MAP
        seq.map_values.extend(_map_proto(v, "") for v in value)
    elif kind == "optional_type":
        seq.elem_type = onnx.SequenceProto.OPTIONAL
        inner = elem_type.optional_type.elem_type
        seq.optional_values.extend(_optional_proto(v, inner, "") for v in value)
    else:
        raise CaseError(f"{name!r}: sequences of {kind} are not supported")
    return seq


def _optional_proto(
    value: Any, elem_type: onnx.TypeProto | None, name: str
) -> onnx.OptionalProto:
    if value is None:
        # An empty optional is written as upstream's generator wrote it
        # (elem_type UNDEFINED, no value), which is what its readers expect.
        return numpy_helper.from_optional(None, name)
    kind = elem_type.WhichOneof("value") if elem_type is not None else None
    if kind is None:
        return numpy_helper.from_optional(value, name)
    opt = onnx.OptionalProto()
    if name:
        opt.name = name
    if kind == "tensor_type":
        opt.elem_type = onnx.OptionalProto.TENSOR
        opt.tensor_value.CopyFrom(_tensor_proto(value, ""))
    elif kind == "sequence_type":
        opt.elem_type = onnx.OptionalProto.SEQUENCE
        inner = elem_type.sequence_type.elem_type
        opt.sequence_value.CopyFrom(_sequence_proto(value, inner, ""))
    elif kind == "map_type":
        opt.elem_type = onnx.OptionalProto.MAP
        opt.map_value.CopyFrom(_map_proto(value, ""))
    elif kind == "optional_type":
        opt.elem_type = onnx.OptionalProto.OPTIONAL
        inner = elem_type.optional_type.elem_type
        opt.optional_value.CopyFrom(_optional_proto(value, inner, ""))
    else:
        raise CaseError(f"{name!r}: optionals of {kind} are not supported")
    return opt


def _map_proto(value: Any, name: str) -> onnx.MapProto:
    if not isinstance(value, dict):
        raise CaseError(f"{name!r}: expected a map, got {type(value).__name__}")
    return numpy_helper.from_dict(value, name)


def value_to_proto(value: Any, type_proto: onnx.TypeProto, name: str) -> tuple[Any, str]:
    """Serialises one input/output value as the proto its declared type calls for.

    Returns the proto and its kind ("tensor", "sequence", "optional", "map").
    Where the graph declares no type, the Python value decides.
    """
    kind = type_proto.WhichOneof("value")
    if kind is None:
        if isinstance(value, dict):
            kind = "map_type"
        elif isinstance(value, (list, tuple)):
            kind = "sequence_type"
        elif value is None:
            kind = "optional_type"
        else:
            kind = "tensor_type"
    if kind == "tensor_type":
        return _tensor_proto(value, name), "tensor"
    if kind == "sequence_type":
        inner = type_proto.sequence_type.elem_type if type_proto.HasField("sequence_type") else None
        return _sequence_proto(value, inner, name), "sequence"
    if kind == "optional_type":
        inner = type_proto.optional_type.elem_type if type_proto.HasField("optional_type") else None
        return _optional_proto(value, inner, name), "optional"
    if kind == "map_type":
        return _map_proto(value, name), "map"
    raise CaseError(f"{name!r}: values of type {kind} are not supported")


# --- model facts for the manifest --------------------------------------------


def _graphs(graph: onnx.GraphProto):
    """The graph and, recursively, every subgraph held in a node attribute."""
    yield graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("g"):
                yield from _graphs(attr.g)
            for sub in attr.graphs:
                yield from _graphs(sub)


def op_types(model: onnx.ModelProto) -> list[str]:
    """Sorted op types of the graph and its subgraphs; "domain::Op" outside ai.onnx."""
    ops = set()
    for graph in _graphs(model.graph):
        for node in graph.node:
            domain = node.domain if node.domain not in ("", "ai.onnx") else ""
            ops.add(f"{domain}::{node.op_type}" if domain else node.op_type)
    return sorted(ops)


def value_kind(type_proto: onnx.TypeProto) -> str:
    kind = type_proto.WhichOneof("value")
    return kind[: -len("_type")] if kind else "unknown"


def model_entry(model: onnx.ModelProto) -> dict[str, Any]:
    """The manifest fields that come from the model alone."""
    return {
        "ir_version": model.ir_version,
        # "" is the default domain (ai.onnx); kept as ONNX writes it.
        "opset_imports": {o.domain: o.version for o in model.opset_import},
        "op_types": op_types(model),
    }


# --- writing one case ---------------------------------------------------------


def _graph_values(
    values: Sequence[Any], declared: Sequence[onnx.ValueInfoProto], what: str
) -> None:
    if len(values) != len(declared):
        raise CaseError(
            f"{len(values)} {what} values for the {len(declared)} {what}s the graph declares"
        )


def write_in_memory_case(case: Any, dest: Path) -> dict[str, Any]:
    """Writes a case built by onnx (model and data sets in memory) to dest."""
    model: onnx.ModelProto = case.model
    if not case.data_sets:
        raise CaseError("no data sets")
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    graph_inputs = [vi for vi in graph.input if vi.name not in initializers]

    dest.mkdir()
    (dest / "model.onnx").write_bytes(model.SerializeToString())
    kinds: dict[str, list[str]] = {}
    for k, (inputs, outputs) in enumerate(case.data_sets):
        _graph_values(inputs, graph_inputs, "input")
        _graph_values(outputs, graph.output, "output")
        data_dir = dest / f"test_data_set_{k}"
        data_dir.mkdir()
        for prefix, values, declared in (
            ("input", inputs, graph_inputs),
            ("output", outputs, graph.output),
        ):
            written = []
            for j, (value, vi) in enumerate(zip(values, declared)):
                try:
                    proto, kind = value_to_proto(value, vi.type, vi.name)
                except CaseError:
                    raise
                except Exception as e:  # numpy_helper raises TypeError/ValueError/...
                    raise CaseError(f"{prefix} {j} ({vi.name!r}): {type(e).__name__}: {e}") from e
                written.append(kind)
                (data_dir / f"{prefix}_{j}.pb").write_bytes(proto.SerializeToString())
            # Every data set has the same graph, so the kinds agree; keep the first.
            kinds.setdefault(prefix, written)
    return {
        "source": "memory",
        "data_sets": len(case.data_sets),
        "inputs": len(kinds["input"]),
        "outputs": len(kinds["output"]),
        **model_entry(model),
        "input_kinds": kinds["input"],
        "output_kinds": kinds["output"],
    }


def copy_on_disk_case(case: Any, dest: Path) -> dict[str, Any]:
    """Copies a case shipped as a folder (onnx <= 1.22) to dest."""
    src = Path(case.model_dir)
    if not (src / "model.onnx").is_file():
        raise CaseError(f"{src} has no model.onnx")
    data_sets = sorted(p for p in src.glob("test_data_set_*") if p.is_dir())
    if not data_sets:
        raise CaseError(f"{src} has no test_data_set_* folder")
    shutil.copytree(src, dest)
    model = onnx.load(str(dest / "model.onnx"), load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    graph_inputs = [vi for vi in model.graph.input if vi.name not in initializers]
    n_inputs = len(list(data_sets[0].glob("input_*.pb")))
    n_outputs = len(list(data_sets[0].glob("output_*.pb")))
    return {
        "source": "copied",
        "data_sets": len(data_sets),
        "inputs": n_inputs,
        "outputs": n_outputs,
        **model_entry(model),
        # The files follow the declared types (that is how the runner reads them).
        "input_kinds": [value_kind(vi.type) for vi in graph_inputs[:n_inputs]],
        "output_kinds": [value_kind(vi.type) for vi in model.graph.output[:n_outputs]],
    }


def write_case(case: Any, dest: Path) -> dict[str, Any]:
    if not SAFE_NAME.fullmatch(case.name):
        raise CaseError("the name is not usable as a folder name")
    if case.model is not None:
        entry = write_in_memory_case(case, dest)
    elif case.model_dir and Path(case.model_dir).is_dir():
        entry = copy_on_disk_case(case, dest)
    else:
        raise CaseError(f"neither a model nor a model folder (model_dir={case.model_dir!r})")
    kinds = entry["input_kinds"] + entry["output_kinds"]
    entry["non_tensor"] = any(k != "tensor" for k in kinds)
    return {"name": case.name, **entry, "rtol": case.rtol, "atol": case.atol}


# --- the corpus ---------------------------------------------------------------


def load_node_cases() -> list[Any]:
    from onnx.backend.test.loader import load_model_tests

    # Building the cases runs every op's numpy reference, some of which
    # overflow or divide by zero on purpose; those warnings are noise here.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        cases = load_model_tests(kind="node")
    return sorted(cases, key=lambda c: c.name)


def check_out_dir(out: Path) -> None:
    """Refuses to replace a folder this script did not write."""
    if out.exists() and not out.is_dir():
        sys.exit(f"error: {out} exists and is not a folder; remove it or choose another --out")
    if not out.is_dir() or not any(out.iterdir()):
        return
    try:
        generator = json.loads((out / MANIFEST).read_text()).get("generator")
    except (OSError, ValueError, AttributeError):
        generator = None
    if generator != GENERATOR:
        sys.exit(
            f"error: {out} is not empty and has no {MANIFEST} written by {GENERATOR}; "
            "refusing to replace it (remove it or choose another --out)"
        )


def install(staging: Path, out: Path) -> None:
    """Puts the finished corpus at out, replacing whatever was there."""
    old = out.parent / f".{out.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    if old.exists():
        shutil.rmtree(old)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write the ONNX backend node tests (model.onnx + test_data_set_*/"
        "input_N.pb, output_N.pb) and a manifest.json into a folder.",
    )
    parser.add_argument("--out", required=True, type=Path, help="folder to (re)write")
    parser.add_argument(
        "--min-count",
        type=int,
        default=DEFAULT_MIN_COUNT,
        metavar="N",
        help="fail when fewer than N cases are written (default: %(default)s)",
    )
    parser.add_argument(
        "--filter", metavar="REGEX", help="only tests whose name matches REGEX (re.search)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        name_filter = re.compile(args.filter) if args.filter else None
    except re.error as e:
        sys.exit(f"error: --filter {args.filter!r} is not a valid regex: {e}")
    out = args.out.expanduser().resolve()
    check_out_dir(out)

    start = time.monotonic()
    if not args.quiet:
        log(f"loading the node tests from onnx {onnx.__version__} ...")
    cases = load_node_cases()
    if name_filter:
        cases = [c for c in cases if name_filter.search(c.name)]
    if not args.quiet:
        log(f"writing {len(cases)} node tests to {out}")

    # Everything goes to a staging folder first: a failed run leaves --out as it was.
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        entries, failures = [], []
        seen = set()
        for i, case in enumerate(cases, 1):
            try:
                if case.name in seen:
                    raise CaseError("a second test with this name")
                seen.add(case.name)
                entries.append(write_case(case, staging / case.name))
            except Exception as e:  # one broken case must not hide the others
                failures.append((case.name, f"{type(e).__name__}: {e}"))
            if not args.quiet and (i % PROGRESS_EVERY == 0 or i == len(cases)):
                log(f"  {i}/{len(cases)} ({len(failures)} failed)")

        if failures:
            log(f"error: {len(failures)} of {len(cases)} node tests could not be written:")
            for name, why in failures:
                log(f"  {name}: {why}")
            log(f"{out} was left unchanged")
            return 1
        if len(entries) < args.min_count:
            log(
                f"error: only {len(entries)} node tests were written, fewer than --min-count "
                f"{args.min_count} (onnx {onnx.__version__}"
                + (f", --filter {args.filter!r}" if args.filter else "")
                + f"); {out} was left unchanged"
            )
            return 1

        non_tensor = [e["name"] for e in entries if e["non_tensor"]]
        manifest = {
            "generator": GENERATOR,
            "onnx_version": onnx.__version__,
            "numpy_version": np.__version__,
            "filter": args.filter,
            "count": len(entries),
            "non_tensor_count": len(non_tensor),
            "tests": entries,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
        install(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)

    log(
        f"wrote {len(entries)} node tests ({len(non_tensor)} with non-tensor data) "
        f"from onnx {onnx.__version__} to {out} in {time.monotonic() - start:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
