"""dsr1's tensor-core kernels on the GPU against their peers, in TFLOP/s and fractions of the peak.

Reads what dsr1-gpu-check measured (--json) on the bundles of make_bundles.py --tensor-cores
(and, for whole models, on the model-set bundles), and times the peers on the same GPU:

- GEMMs against cuBLAS (cublasGemmEx, f16 in, f32 compute), loaded with ctypes from the CUDA
  runtime and cuBLAS libraries on the machine (or the ones torch ships);
- attention against torch's scaled_dot_product_attention with the flash backend, when torch with
  CUDA is installed;
- the decoding step against the same SDPA call on one query row;
- convolutions against torch's conv2d (cuDNN), when torch with CUDA is installed;
- whole models of the model set against onnxruntime's CUDA execution provider, when
  onnxruntime-gpu is installed.

Every line gives dsr1's kernel time (CUDA events, per run), TFLOP/s, the fraction of the GPU's
dense f16/bf16 tensor peak, the peer's TFLOP/s and the ratio dsr1 / peer (above 1: dsr1 is
faster). A peer that cannot run here says why and is skipped; nothing is estimated.

Usage: python3 bench/gpu/tensor_cores.py --results RESULTS.json... --cases tc_cases.json
                                         [--models test/models/onnx] [--iterations 50]
"""

import argparse
import ctypes
import ctypes.util
import glob
import json
import sys
import time
from pathlib import Path

# Dense f16/bf16 tensor peaks (TFLOP/s), datasheets: H100/H200 SXM 989, H100 PCIe 756, A100 312.
PEAKS = [("H200", 989.0), ("H100 PCIe", 756.0), ("H100", 989.0), ("A100", 312.0)]


def peak_of(gpu: str):
    for name, tflops in PEAKS:
        if name.lower() in gpu.lower():
            return tflops
    return None


def kernel_ms(record) -> float:
    """Per run, the launches of the tensor-core family (the casts around none here)."""
    families = ("gemm-tc", "conv-tc", "attention-tc", "attention-decode")
    return sum(k["ms"] for k in record["kernels"] if k["family"] in families)


class Cublas:
    """cublasGemmEx through ctypes: C = A B in f16 with f32 compute, column-major as cuBLAS
    wants (C^T = B^T A^T, the same FLOPs)."""

    def __init__(self):
        def load(names):
            for name in names:
                found = ctypes.util.find_library(name) or name
                for candidate in [found] + glob.glob(f"/usr/local/cuda*/lib64/lib{name}.so*") + \
                        glob.glob(f"/usr/lib/x86_64-linux-gnu/lib{name}.so*") + torch_libs(name):
                    try:
                        return ctypes.CDLL(candidate)
                    except OSError:
                        continue
            raise OSError(f"no lib{names[0]}.so found")

        self.rt = load(["cudart"])
        self.blas = load(["cublas"])
        self.handle = ctypes.c_void_p()
        self.check(self.blas.cublasCreate_v2(ctypes.byref(self.handle)), "cublasCreate")

    @staticmethod
    def check(status, what):
        if status != 0:
            raise RuntimeError(f"{what} failed ({status})")

    def malloc(self, nbytes):
        p = ctypes.c_void_p()
        self.check(self.rt.cudaMalloc(ctypes.byref(p), ctypes.c_size_t(nbytes)), "cudaMalloc")
        self.check(self.rt.cudaMemset(p, 0, ctypes.c_size_t(nbytes)), "cudaMemset")
        return p

    def time_gemm(self, m, n, k, iterations):
        a, b, c = self.malloc(2 * m * k), self.malloc(2 * k * n), self.malloc(2 * m * n)
        alpha, beta = ctypes.c_float(1.0), ctypes.c_float(0.0)
        CUDA_R_16F, COMPUTE_32F, DEFAULT = 2, 68, -1  # cudaDataType, cublasComputeType, algo

        def gemm():
            self.check(self.blas.cublasGemmEx(
                self.handle, 0, 0, n, m, k, ctypes.byref(alpha), b, CUDA_R_16F, n, a,
                CUDA_R_16F, k, ctypes.byref(beta), c, CUDA_R_16F, n, COMPUTE_32F, DEFAULT),
                "cublasGemmEx")

        for _ in range(5):
            gemm()
        start, stop = ctypes.c_void_p(), ctypes.c_void_p()
        self.rt.cudaEventCreate(ctypes.byref(start))
        self.rt.cudaEventCreate(ctypes.byref(stop))
        self.rt.cudaEventRecord(start, None)
        for _ in range(iterations):
            gemm()
        self.rt.cudaEventRecord(stop, None)
        self.check(self.rt.cudaEventSynchronize(stop), "cudaEventSynchronize")
        ms = ctypes.c_float()
        self.rt.cudaEventElapsedTime(ctypes.byref(ms), start, stop)
        for p in (a, b, c):
            self.rt.cudaFree(p)
        return ms.value / iterations


def torch_libs(name):
    """The CUDA libraries a pip torch ships (nvidia-*-cu12 wheels), if any."""
    try:
        import nvidia  # noqa: F401  (the namespace package of those wheels)
        base = Path(nvidia.__path__[0])
    except Exception:
        return []
    return [str(p) for p in base.glob(f"*/lib/lib{name}.so*")]


def torch_cuda():
    try:
        import torch
    except Exception as e:  # noqa: BLE001 (any import failure means: no torch here)
        return None, f"torch not installed ({e.__class__.__name__})"
    if not torch.cuda.is_available():
        return None, "torch without CUDA"
    return torch, None


def time_sdpa(torch, case, iterations):
    """torch's SDPA, flash backend only, on the case's shape; ms per call (CUDA events)."""
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel
    dtype = torch.bfloat16 if case["dtype"] == "bfloat16" else torch.float16
    shape_q = (case["batch"], case["heads"], case["sq"], case["d"])
    shape_kv = (case["batch"], case["heads"], case["skv"], case["d"])
    q = torch.randn(shape_q, device="cuda", dtype=dtype)
    k = torch.randn(shape_kv, device="cuda", dtype=dtype)
    v = torch.randn(shape_kv, device="cuda", dtype=dtype)
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
        for _ in range(5):
            F.scaled_dot_product_attention(q, k, v, is_causal=case["causal"])
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(iterations):
            F.scaled_dot_product_attention(q, k, v, is_causal=case["causal"])
        stop.record()
        torch.cuda.synchronize()
    return start.elapsed_time(stop) / iterations


def time_conv(torch, case, iterations):
    """torch's conv2d (cuDNN, f16) on the case's shape; ms per call (CUDA events)."""
    import torch.nn.functional as F
    torch.backends.cudnn.benchmark = True
    x = torch.randn((case["n"], case["c"], case["hw"], case["hw"]), device="cuda",
                    dtype=torch.float16)
    w = torch.randn((case["oc"], case["c"], case["kernel"], case["kernel"]), device="cuda",
                    dtype=torch.float16)
    for _ in range(5):
        F.conv2d(x, w, stride=case["stride"], padding=case["pad"])
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iterations):
        F.conv2d(x, w, stride=case["stride"], padding=case["pad"])
    stop.record()
    torch.cuda.synchronize()
    return start.elapsed_time(stop) / iterations


def time_ort(model: Path, iterations):
    """onnxruntime's CUDA EP on the model's test_data_set_0 inputs: p50 ms of session.run."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        raise RuntimeError("onnxruntime has no CUDAExecutionProvider (onnxruntime-gpu needed)")
    session = ort.InferenceSession(str(model), providers=["CUDAExecutionProvider"])
    feeds = {}
    data = model.parent / "test_data_set_0"
    for i, spec in enumerate(session.get_inputs()):
        tensor = onnx.TensorProto()
        tensor.ParseFromString((data / f"input_{i}.pb").read_bytes())
        feeds[spec.name] = numpy_helper.to_array(tensor)
    for _ in range(5):
        session.run(None, feeds)
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        session.run(None, feeds)
        times.append(1e3 * (time.perf_counter() - t0))
    return float(np.median(times))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True, type=Path, nargs="+",
                        help="dsr1-gpu-check --json files")
    parser.add_argument("--cases", required=True, type=Path, help="tc_cases.json")
    parser.add_argument("--models", type=Path, help="test/models/onnx, for onnxruntime")
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()

    files = [json.loads(path.read_text()) for path in args.results]
    results = {"gpu": files[0]["gpu"], "bundles": [b for f in files for b in f["bundles"]]}
    cases = json.loads(args.cases.read_text())
    gpu = results["gpu"]
    peak = peak_of(gpu)
    print(f"GPU: {gpu}; dense f16/bf16 tensor peak: "
          + (f"{peak:.0f} TFLOP/s" if peak else "unknown (no fraction of peak)"))
    records = {r["model"]: r for r in results["bundles"]}

    cublas, cublas_error = None, None
    try:
        cublas = Cublas()
    except Exception as e:  # noqa: BLE001
        cublas_error = str(e)
    torch, torch_error = torch_cuda()

    print(f"{'kernel':22s} {'dsr1 ms':>9s} {'TFLOP/s':>8s} {'peak':>6s}  "
          f"{'peer':28s} {'peer ms':>9s} {'TFLOP/s':>8s} {'dsr1/peer':>9s}")
    for name, case in cases.items():
        record = records.get(name)
        if not record:
            print(f"{name:22s} not measured (no bundle result)")
            continue
        ms = kernel_ms(record)
        tflops = case["flops"] / ms / 1e9 if ms > 0 else 0.0
        fraction = f"{100 * tflops / peak:5.1f}%" if peak else "    -"
        peer, peer_ms, why = "", None, None
        try:
            if case["kind"] == "gemm":
                peer = "cuBLAS cublasGemmEx f16"
                if cublas is None:
                    why = cublas_error
                else:
                    peer_ms = cublas.time_gemm(case["m"], case["n"], case["k"], args.iterations)
            elif case["kind"] in ("attention", "decode"):
                peer = "torch SDPA (flash)"
                if torch is None:
                    why = torch_error
                else:
                    peer_ms = time_sdpa(torch, case, args.iterations)
            elif case["kind"] == "conv":
                peer = "torch conv2d (cuDNN)"
                if torch is None:
                    why = torch_error
                else:
                    peer_ms = time_conv(torch, case, args.iterations)
        except Exception as e:  # noqa: BLE001 (a peer failing must not hide dsr1's figures)
            why = f"{e.__class__.__name__}: {e}"
        line = f"{name:22s} {ms:9.4f} {tflops:8.1f} {fraction:>6s}  {peer:28s}"
        if peer_ms:
            peer_tflops = case["flops"] / peer_ms / 1e9
            line += f" {peer_ms:9.4f} {peer_tflops:8.1f} {peer_ms / ms:8.2f}x"
        else:
            line += f" skipped: {why}"
        if case["kind"] == "decode":
            line += f"  ({case['bytes'] / ms / 1e6:.0f} GB/s of K and V)"
        print(line)

    if args.models:
        print("\nwhole models: dsr1 (cuda device, CUDA graph, run p50) vs onnxruntime CUDA EP "
              "(session.run p50)")
        for record in results["bundles"]:
            model = args.models / record["model"] / "model.onnx"
            if record.get("timing_only") or not model.is_file():
                continue
            try:
                ort_ms = time_ort(model, args.iterations)
            except Exception as e:  # noqa: BLE001
                print(f"  {record['model']:20s} dsr1 {record['graph_ms']:8.3f} ms  onnxruntime "
                      f"skipped: {e}")
                continue
            print(f"  {record['model']:20s} dsr1 {record['graph_ms']:8.3f} ms  onnxruntime "
                  f"{ort_ms:8.3f} ms  dsr1 speedup {ort_ms / record['graph_ms']:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
