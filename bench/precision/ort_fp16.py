#!/usr/bin/env python3
"""Peer baseline for dsr1's mixed precision: onnxruntime's own float16 conversions.

For each model directory (model.onnx + test_data_set_0/input_N.pb, input_N feeding
the graph's N-th input) this runs, on onnxruntime's CPUExecutionProvider with one
intra-op and one inter-op thread and graph_optimization_level ORT_ENABLE_BASIC:

  f32       the original model; its outputs are the reference.
  ort-fp16  onnxconverter_common.float16.convert_float_to_float16(keep_io_types=True).
  ort-amp   onnxconverter_common.auto_mixed_precision.auto_convert_mixed_precision(
            keep_io_types=True) whose validate_fn accepts a candidate when
            max_rel_error <= 1e-2 against the f32 reference (rtol=None: AMP's own rtol
            would add an elementwise allclose with atol=1e-8 on top). It runs in a child process
            killed after --amp-time-limit seconds. Stock AMP aborts on the first candidate
            that onnxruntime cannot load or run; here such a candidate is counted and
            treated as rejected, so the bisection keeps going (amp_ort_rejections says
            how often that happened; 0 means the run was exactly the stock algorithm).

Per variant that runs it records:
  max_rel_error  max over outputs of max|y - ref| / max|ref| (float64; a NaN/inf in y
                 makes it inf), the normwise metric dsr1 uses too;
  nonfinite      NaN/inf elements over all outputs;
  f16_gemm_flops_share  FLOPs of MatMul/Gemm/Conv/ConvTranspose (and com.microsoft Fused*)
                 nodes whose first input is FLOAT16, over all such FLOPs (gemm_gflops is
                 the total); shapes from onnx shape inference on the converted model,
                 falling back (by node name) to the original model's, completed where
                 static inference fails by the shapes seen in an f32 run;
  cpu_ep_f16_exec_share  the same share over the graph the CPU EP really executes (its
                 optimized model, saved at session creation): ORT's InsertCast pass
                 wraps float16 nodes that lack a CPU float16 kernel in Casts and runs
                 them in float32, so this is usually far below f16_gemm_flops_share;
  latency_p50_ms median of 5 runs after 1 warm-up (information only).
A variant that cannot be converted, loaded or run gets a status string instead.

Run:  python3 bench/precision/ort_fp16.py --json bench/precision/ort_fp16.json \\
          --markdown bench/precision/ort_fp16.md [--models DIR ...] [--amp-time-limit S]
"""
import argparse, copy, contextlib, json, os, subprocess, sys, tempfile, time, warnings

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

warnings.filterwarnings("ignore", module="onnxconverter_common")  # fp16 clamping chatter
import onnxconverter_common
from onnxconverter_common import auto_mixed_precision, float16

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = [os.path.join(HERE, "..", "models", m) for m in ("bert", "vit", "resnet", "whisper")]
THREADS = 1
AMP_TOL = 1e-2
GEMM_OPS = {"MatMul", "Gemm", "Conv", "ConvTranspose", "FusedMatMul", "FusedGemm", "FusedConv"}
T0 = time.time()


def log(msg):
    print(f"[{time.time() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def first_line(exc):
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def load_feeds(model, model_dir):
    inits = {i.name for i in model.graph.initializer}
    names = [i.name for i in model.graph.input if i.name not in inits]
    paths = [os.path.join(model_dir, "test_data_set_0", f"input_{k}.pb") for k in range(len(names))]
    return {n: numpy_helper.to_array(onnx.load_tensor(p)) for n, p in zip(names, paths) if os.path.exists(p)}


def session(model, optimized_path=None):
    so = ort.SessionOptions()
    if optimized_path:  # the graph the CPU EP really executes (after ORT's InsertCast pass)
        so.optimized_model_filepath = optimized_path
    so.intra_op_num_threads = so.inter_op_num_threads = THREADS
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def max_rel_error(ys, refs):
    worst = 0.0
    for y, r in zip(ys, refs):
        y, r = np.asarray(y, np.float64), np.asarray(r, np.float64)
        if y.shape != r.shape or not np.all(np.isfinite(y)):
            return float("inf")
        if y.size == 0:
            continue
        diff, scale = float(np.max(np.abs(y - r))), float(np.max(np.abs(r)))
        worst = max(worst, diff / scale if scale > 0 else (0.0 if diff == 0 else float("inf")))
    return worst


def tensor_info(model):
    """name -> (elem_type, dims or None) after shape inference (dims None if not static)."""
    try:
        model = onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception as e:  # keep going with whatever the model already declares
        log(f"  shape inference failed: {first_line(e)}")
    info = {}
    for vi in list(model.graph.input) + list(model.graph.value_info) + list(model.graph.output):
        tt = vi.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
        static = tt.HasField("shape") and all(d is not None for d in dims)
        info[vi.name] = (tt.elem_type, dims if static else None)
    for init in model.graph.initializer:
        info[init.name] = (init.data_type, list(init.dims))
    return info


def node_flops(node, info):
    shp = lambda i: info.get(node.input[i], (0, None))[1] if i < len(node.input) else None
    out = info.get(node.output[0], (0, None))[1]
    attr = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    a, w = shp(0), shp(1)
    if node.op_type in ("MatMul", "FusedMatMul", "Gemm", "FusedGemm"):
        if out is None or not a:
            return None
        k = a[-2] if attr.get("transA", 0) and len(a) > 1 else a[-1]
        return 2 * int(np.prod(out, dtype=np.int64)) * k
    # Conv: N*Cout*Hout*Wout outputs x (Cin/g)*kh*kw MACs; ConvTranspose: every input
    # element scatters (Cout/g)*kh*kw MACs. Weight dims [Cout|Cin, C/g, kh, kw].
    per = a if node.op_type == "ConvTranspose" else out
    return None if per is None or w is None else 2 * int(np.prod(per, dtype=np.int64)) * int(np.prod(w[1:]))


def observed_shapes(model, feeds):
    """tensor_info of the f32 model, GEMM/conv tensors that static inference left without
    a static shape filled in from one f32 run that also returns them (onnx shape inference
    loses e.g. the whole Whisper decoder and BERT's attention products)."""
    info = tensor_info(model)
    missing = sorted({t for n in model.graph.node if n.op_type in GEMM_OPS
                      for t in list(n.input[:2]) + [n.output[0]] if t and info.get(t, (0, None))[1] is None})
    if not missing:
        return info
    outputs = list(model.graph.output)
    model.graph.output.extend(onnx.ValueInfoProto(name=t) for t in missing)
    try:
        for t, y in zip(missing, session(model).run(missing, feeds)):
            info[t] = (info.get(t, (0, None))[0], list(y.shape))
    except Exception as e:
        log(f"  could not observe shapes: {first_line(e)}")
    finally:
        del model.graph.output[:]
        model.graph.output.extend(outputs)
    return info


def gemm_flops(converted, original_info):
    """(f16 share, total GFLOPs, nodes without static shapes) of GEMM/conv nodes."""
    info = tensor_info(converted)
    f16 = total = unknown = 0
    for node in converted.graph.node:
        if node.op_type not in GEMM_OPS:
            continue
        flops = node_flops(node, info)
        if flops is None and node.name in original_info["by_node"]:
            flops = node_flops(original_info["by_node"][node.name], original_info["info"])
        if flops is None:
            unknown += 1
            continue
        total += flops
        if info.get(node.input[0], (0, None))[0] == onnx.TensorProto.FLOAT16:
            f16 += flops
    return (f16 / total if total else None), total / 1e9, unknown


def measure(model, feeds, refs, original_info):
    """Run a (converted) model: metrics dict, or a status for a load/run failure."""
    with tempfile.TemporaryDirectory(prefix="ort_opt_") as tmp:
        try:
            sess = session(model, os.path.join(tmp, "opt.onnx"))
            ys = sess.run(None, feeds)
            times = []
            for _ in range(5):
                t = time.perf_counter()
                sess.run(None, feeds)
                times.append((time.perf_counter() - t) * 1e3)
        except Exception as e:
            return {"status": "does not run: " + first_line(e)}
        del sess
        try:
            exec_share = gemm_flops(onnx.load(os.path.join(tmp, "opt.onnx")), original_info)[0]
        except Exception as e:
            log(f"  could not read ORT's optimized graph: {first_line(e)}")
            exec_share = None
    share, gflops, unknown = gemm_flops(model, original_info)
    res = {"status": "ok", "max_rel_error": max_rel_error(ys, refs),
           "nonfinite": int(sum(np.size(y) - np.count_nonzero(np.isfinite(y)) for y in ys)),
           "f16_gemm_flops_share": share, "cpu_ep_f16_exec_share": exec_share,
           "gemm_gflops": gflops, "latency_p50_ms": float(np.median(times))}
    if unknown:
        res["gemm_nodes_without_shapes"] = unknown
    return res


def amp_worker(model_dir, tmp):
    """Child process: run AMP, write tmp/amp.onnx and tmp/amp.json (progress kept current)."""
    model = onnx.load(os.path.join(model_dir, "model.onnx"))
    feeds = load_feeds(model, model_dir)
    ref = np.load(os.path.join(tmp, "ref.npz"))
    refs = [ref[f"arr_{i}"] for i in range(len(ref.files))]
    stats = {"attempts": 0, "accepted": 0, "ort_rejections": 0, "first_ort_error": None, "fp32_nodes": None}

    def dump():  # atomically, so a parent that kills us on timeout still reads the progress
        with open(os.path.join(tmp, "amp.json.part"), "w") as f:
            json.dump(stats, f)
        os.replace(os.path.join(tmp, "amp.json.part"), os.path.join(tmp, "amp.json"))
    stock_run = auto_mixed_precision.get_tensor_values_using_ort
    stock_convert = float16.convert_float_to_float16

    def run(model, feed, output_names=None, sess_options=None):
        if output_names is not None:  # dtype discovery on the f32 model: failures are fatal
            return stock_run(model, feed, output_names, sess_options)
        try:
            return stock_run(model, feed, None, sess_options)
        except Exception as e:
            stats["ort_rejections"] += 1
            stats["first_ort_error"] = stats["first_ort_error"] or first_line(e)
            log(f"  amp: onnxruntime rejected a candidate: {first_line(e)[:120]}")
            dump()
            return None

    def convert(model, **kw):
        stats["attempts"] += 1
        block = list(kw.get("node_block_list") or [])
        stats["fp32_nodes"], stats["fp32_node_names"] = len(block), block if len(block) <= 50 else None
        log(f"  amp: attempt {stats['attempts']}, {stats['fp32_nodes']} nodes kept in f32")
        return stock_convert(model, **kw)

    def validate(_res0, res1):
        ok = res1 is not None and max_rel_error(res1, refs) <= AMP_TOL
        stats["accepted"] += ok and stats["attempts"] > 0  # not AMP's f32 self-check
        dump()
        return ok

    auto_mixed_precision.get_tensor_values_using_ort = run
    float16.convert_float_to_float16 = convert
    ort.set_default_logger_severity(3)
    with contextlib.redirect_stdout(sys.stderr if os.environ.get("AMP_VERBOSE") else open(os.devnull, "w")):
        try:
            out = auto_mixed_precision.auto_convert_mixed_precision(
                model, feeds, validate, rtol=None, keep_io_types=True)
            onnx.save(out, os.path.join(tmp, "amp.onnx"))
            stats["status"] = "ok"
        except Exception as e:
            stats["status"] = "failed: " + first_line(e)
    dump()


def run_amp(model_dir, refs, limit):
    """Run AMP in a child with a wall-clock limit: (model or None, record dict)."""
    with tempfile.TemporaryDirectory(prefix="ort_amp_") as tmp:
        np.savez(os.path.join(tmp, "ref.npz"), *refs)
        cmd = [sys.executable, os.path.abspath(__file__), "--amp-worker", model_dir, tmp]
        try:
            status = None
            code = subprocess.run(cmd, stdout=subprocess.DEVNULL, timeout=limit).returncode
        except subprocess.TimeoutExpired:  # subprocess.run has killed the child
            status = f"timed out after {limit:g} s"
        path = os.path.join(tmp, "amp.json")
        stats = {}
        if os.path.exists(path):
            with open(path) as f:
                stats = json.load(f)
        status = status or stats.pop("status", None) or f"failed: AMP child exited with code {code}"
        stats.pop("status", None)
        rec = {"status": status}
        rec.update({"amp_" + k: v for k, v in stats.items()})
        model = onnx.load(os.path.join(tmp, "amp.onnx")) if rec["status"] == "ok" else None
        return model, rec


def bench_model(model_dir, amp_limit):
    name = os.path.basename(os.path.normpath(model_dir))
    rec = {"model": name, "path": os.path.relpath(model_dir), "variants": {}}
    try:
        model = onnx.load(os.path.join(model_dir, "model.onnx"))
        feeds = load_feeds(model, model_dir)
        refs = session(model).run(None, feeds)
    except Exception as e:
        rec["status"] = "f32 reference failed: " + first_line(e)
        return rec
    original_info = {"info": observed_shapes(model, feeds), "by_node": {n.name: n for n in model.graph.node if n.name}}

    def variant(label, make):
        t = time.time()
        log(f"{name}: {label}")
        try:
            converted, extra = make()
        except Exception as e:
            converted, extra = None, {"status": "conversion failed: " + first_line(e)}
        res = dict(extra)
        if converted is not None:
            res.update(measure(converted, feeds, refs, original_info))
        res["elapsed_s"] = round(time.time() - t, 1)
        rec["variants"][label] = res
        log(f"{name}: {label} -> {res['status']}, max_rel_error={res.get('max_rel_error')}, "
            f"f16 share={res.get('f16_gemm_flops_share')} ({res['elapsed_s']} s)")

    variant("f32", lambda: (model, {}))
    variant("ort-fp16", lambda: (float16.convert_float_to_float16(copy.deepcopy(model), keep_io_types=True), {}))
    variant("ort-amp", lambda: run_amp(os.path.abspath(model_dir), refs, amp_limit))
    return rec


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def markdown(report):
    lines = [f"onnxruntime {report['onnxruntime']} CPUExecutionProvider, {report['threads']} thread, "
             f"ORT_ENABLE_BASIC; onnxconverter_common {report['onnxconverter_common']}; "
             f"AMP tolerance max_rel_error <= {AMP_TOL:g}, limit {report['amp_time_limit_s']:g} s, "
             "candidates ORT cannot load/run count as rejected.",
             "max_rel_error = max over outputs of max|y - ref| / max|ref|; f16 GEMM/conv FLOPs: share "
             "in the converted graph; f16 as run by CPU EP: share in the graph ORT executes after "
             "wrapping fp16 nodes without CPU fp16 kernels in Casts (computed in f32).", "",
             "| model | variant | status | max_rel_error | nonfinite | f16 GEMM/conv FLOPs | "
             "f16 as run by CPU EP | GEMM/conv GFLOPs | p50 ms | notes |", "|---" * 10 + "|"]
    for m in report["models"]:
        if "status" in m:
            lines.append(f"| {m['model']} | — | {m['status']} |" + " |" * 7)
        for label, v in m["variants"].items():
            notes = []
            if "amp_attempts" in v:
                notes.append(f"{v['amp_attempts']} candidates, {v['amp_accepted']} accepted, "
                             f"last kept {v['amp_fp32_nodes']} nodes f32")
            if v.get("amp_ort_rejections"):
                notes.append(f"{v['amp_ort_rejections']} candidates rejected by ORT (first: {v['amp_first_ort_error']})")
            if v.get("gemm_nodes_without_shapes"):
                notes.append(f"{v['gemm_nodes_without_shapes']} GEMM nodes without shapes")
            notes.append(f"{v['elapsed_s']} s")
            pct = lambda x: "—" if x is None else f"{100 * x:.1f}%"
            lines.append(" | ".join([f"| {m['model']}", label, v["status"].replace("|", "/"),
                                     fmt(v.get("max_rel_error"), ".3g"), fmt(v.get("nonfinite"), "d"),
                                     pct(v.get("f16_gemm_flops_share")), pct(v.get("cpu_ep_f16_exec_share")),
                                     fmt(v.get("gemm_gflops"), ".2f"), fmt(v.get("latency_p50_ms"), ".1f"),
                                     "; ".join(notes).replace("|", "/") + " |"]))
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--amp-worker":
        return amp_worker(sys.argv[2], sys.argv[3])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=MODELS)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    ap.add_argument("--amp-time-limit", type=float, default=900)
    args = ap.parse_args()
    ort.set_default_logger_severity(3)
    report = {"onnxruntime": ort.__version__, "onnxconverter_common": onnxconverter_common.__version__,
              "onnx": onnx.__version__, "provider": "CPUExecutionProvider", "threads": THREADS,
              "graph_optimization_level": "ORT_ENABLE_BASIC", "amp_time_limit_s": args.amp_time_limit,
              "amp_tolerance": AMP_TOL, "amp_ort_failure_counts_as_rejection": True, "models": []}
    for d in args.models:
        report["models"].append(bench_model(d, args.amp_time_limit))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    md = markdown(report)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
    print(md)


if __name__ == "__main__":
    main()
