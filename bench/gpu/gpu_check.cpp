//===- gpu_check.cpp - run compiled models on a GPU and time them ---------===//
//
// dsr1-gpu-check BUNDLE... [--iterations N] [--dump DIR] [--json FILE]:
// for each bundle (dsr1-run --gpu-bundle), runs the model on the cuda
// device, compares every output with the cpu device's (rtol 1e-4, atol 1e-5
// of the output's largest magnitude) with the run captured as a CUDA graph
// and with plain launches, then times whole runs both ways (p50; the ratio
// is the CUDA Graph speedup) and every kernel (CUDA events), and prints the
// slowest kernels and the time per family (--json: all of it, per kernel,
// for bench/gpu/tensor_cores.py). A timing-only bundle runs on generated
// inputs without a comparison. Needs only the CUDA driver: it links no MLIR
// or protobuf, so it runs on a GPU machine that has nothing of dsr1's build.
//
//===----------------------------------------------------------------------===//

#include "bench/gpu/GpuBundle.h"
#include "runtime/Compare.h"
#include "runtime/cuda/CudaDevice.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

using namespace dsr1;

/// Where failing outputs are written (--dump DIR), empty: nowhere.
static std::string dumpDir;

/// A model's whole runs, p50, with a CUDA graph and with plain launches.
struct Speedup {
  std::string model;
  double graphMs, plainMs;
  /// CudaSession::graphStatus() after the graph runs: whether they were.
  std::string graphStatus;
};
static std::vector<Speedup> speedups;

/// One bundle's results for --json.
struct Record {
  std::string model;
  bool passed = false, timingOnly = false;
  double graphMs = 0, plainMs = 0;
  /// Per launch: function, family, ms a run.
  struct Kernel {
    std::string function, family;
    double ms;
  };
  std::vector<Kernel> kernels;
};
static std::vector<Record> records;

/// `text` as a JSON string.
static std::string quoted(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

/// Writes every record to `path`: {"gpu": ..., "bundles": [...]}.
static bool writeJson(const std::string &path, const std::string &gpu) {
  FILE *f = std::fopen(path.c_str(), "w");
  if (!f)
    return false;
  std::fprintf(f, "{\"gpu\": %s, \"bundles\": [", quoted(gpu).c_str());
  for (size_t i = 0; i < records.size(); ++i) {
    const Record &r = records[i];
    std::fprintf(f,
                 "%s\n {\"model\": %s, \"passed\": %s, \"timing_only\": %s, "
                 "\"graph_ms\": %.6f, \"plain_ms\": %.6f, \"kernels\": [",
                 i ? "," : "", quoted(r.model).c_str(),
                 r.passed ? "true" : "false", r.timingOnly ? "true" : "false",
                 r.graphMs, r.plainMs);
    for (size_t k = 0; k < r.kernels.size(); ++k)
      std::fprintf(f, "%s{\"function\": %s, \"family\": %s, \"ms\": %.6f}",
                   k ? ", " : "", quoted(r.kernels[k].function).c_str(),
                   quoted(r.kernels[k].family).c_str(), r.kernels[k].ms);
    std::fprintf(f, "]}");
  }
  std::fprintf(f, "\n]}\n");
  return std::fclose(f) == 0;
}

static int checkBundle(const std::shared_ptr<cuda::CudaDriver> &driver,
                       const std::string &path, int iterations) {
  Result<gpucheck::Bundle> bundle = gpucheck::readBundle(path);
  if (!bundle) {
    std::printf("%s: FAIL %s\n", path.c_str(),
                bundle.status().message().c_str());
    return 1;
  }
  auto plan = std::make_shared<const Plan>(bundle->plan);
  auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<cuda::CudaSession>> session =
      cuda::CudaSession::create(driver, plan, bundle->code, bundle->binaries);
  if (!session) {
    std::printf("%s: FAIL %s\n", bundle->model.c_str(),
                session.status().message().c_str());
    return 1;
  }
  double loadMs = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  bool passed = true;
  double worstAbs = 0, worstRel = 0;
  // Checks one run's outputs against the cpu device's; `how` names the way
  // the run was issued.
  auto check = [&](const char *how) {
    Result<std::vector<HostTensor>> outputs = (*session)->run(bundle->inputs);
    if (!outputs) {
      std::printf("%s: FAIL (%s) %s\n", bundle->model.c_str(), how,
                  outputs.status().message().c_str());
      return false;
    }
    bool same = true;
    // A timing-only bundle has no reference: that it ran is all there is.
    for (size_t i = 0; i < outputs->size() && !bundle->timingOnly; ++i) {
      // f32 sums over long rows (a GEMM's K) round in another order on the
      // GPU than in BLAS: absolute errors are measured against the output's
      // scale, so a result that cancels to near zero is not judged by its
      // relative error alone.
      double scale = 0;
      for (int64_t e = 0; e < bundle->expected[i].numElements(); ++e)
        scale =
            std::max(scale, std::abs(bundle->expected[i].elementAsDouble(e)));
      Comparison c = compareTensors((*outputs)[i], bundle->expected[i], 1e-4,
                                    1e-5 + 1e-5 * scale);
      if (!c.comparable || !c.passed()) {
        same = false;
        std::printf("  output %zu '%s' (%s): FAIL (%s)\n", i,
                    (*outputs)[i].name.c_str(), how,
                    c.summary((*outputs)[i].numElements()).c_str());
        // The first elements of both, to see the pattern of the difference.
        std::printf("    got:     ");
        for (int64_t e = 0;
             e < std::min<int64_t>(12, (*outputs)[i].numElements()); ++e)
          std::printf(" %.4g", (*outputs)[i].elementAsDouble(e));
        std::printf("\n    expected:");
        for (int64_t e = 0;
             e < std::min<int64_t>(12, (*outputs)[i].numElements()); ++e)
          std::printf(" %.4g", bundle->expected[i].elementAsDouble(e));
        std::printf("\n");
        if (!dumpDir.empty()) {
          std::string file = dumpDir + "/" + bundle->model + "_output_" +
                             std::to_string(i) + ".bin";
          if (FILE *f = std::fopen(file.c_str(), "wb")) {
            std::fwrite((*outputs)[i].data.data(), 1, (*outputs)[i].data.size(),
                        f);
            std::fclose(f);
          }
        }
      }
      worstAbs = std::max(worstAbs, c.maxAbsError);
      worstRel = std::max(worstRel, c.maxRelError);
    }
    passed = passed && same;
    return true;
  };
  // Whole runs (inputs in, outputs out), p50 over the iterations.
  auto time = [&]() -> double {
    std::vector<double> ms;
    for (int i = 0; i < iterations; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      if (auto r = (*session)->run(bundle->inputs); !r)
        return -1;
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  };
  // The first run captures the graph, the later ones launch it; then the
  // same with plain launches (a run of its own first, to check them too).
  if (!check("graph"))
    return 1;
  double graphMs = time();
  std::string graphStatus = (*session)->graphStatus();
  (*session)->useGraphs(false);
  if (!check("plain launches"))
    return 1;
  double plainMs = time();
  if (graphMs < 0 || plainMs < 0)
    return 1;
  speedups.push_back({bundle->model, graphMs, plainMs, graphStatus});
  (*session)->enableProfiling();
  for (int i = 0; i < iterations; ++i)
    if (auto r = (*session)->run(bundle->inputs); !r)
      return 1;
  const std::vector<double> &seconds = (*session)->launchSeconds();
  const std::vector<std::string> &names = (*session)->launchNames();
  double kernelMs = 0;
  std::map<std::string, double> byFamily;
  std::map<std::string, std::string> familyOf;
  for (const cuda::CudaKernel &k : bundle->code.kernels)
    for (const cuda::GridLaunch &g : k.launches)
      familyOf[g.function] = k.family;
  std::vector<size_t> order(seconds.size());
  for (size_t i = 0; i < seconds.size(); ++i) {
    order[i] = i;
    kernelMs += 1e3 * seconds[i] / iterations;
    byFamily[familyOf[names[i]]] += 1e3 * seconds[i] / iterations;
  }
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return seconds[a] > seconds[b]; });
  Record record{bundle->model, passed,  bundle->timingOnly,
                graphMs,       plainMs, {}};
  for (size_t i = 0; i < seconds.size(); ++i)
    record.kernels.push_back(
        {names[i], familyOf[names[i]], 1e3 * seconds[i] / iterations});
  records.push_back(std::move(record));
  char compared[96] = "timing only, not compared";
  if (!bundle->timingOnly)
    std::snprintf(compared, sizeof(compared),
                  "max abs %.2e, max rel %.2e vs cpu", worstAbs, worstRel);
  std::printf("%-22s %s on %s (%s): %s; load %.1f ms; run p50 %.3f ms graph, "
              "%.3f ms plain (CUDA Graph speedup %.2fx); %zu kernels %.3f "
              "ms\n",
              bundle->model.c_str(), passed ? "ok  " : "FAIL",
              driver->deviceName().c_str(), (*session)->loaded().c_str(),
              compared, loadMs, graphMs, plainMs,
              graphMs > 0 ? plainMs / graphMs : 0.0, seconds.size(), kernelMs);
  if (graphStatus.rfind("graph:", 0) != 0)
    std::printf("    no CUDA graph: %s\n", graphStatus.c_str());
  for (const auto &[family, t] : byFamily)
    std::printf("    %-10s %9.3f ms %5.1f%%\n", family.c_str(), t,
                kernelMs > 0 ? 100 * t / kernelMs : 0.0);
  for (size_t i = 0; i < std::min<size_t>(order.size(), 5); ++i)
    std::printf("    %9.3f ms  %s\n", 1e3 * seconds[order[i]] / iterations,
                names[order[i]].c_str());
  return passed ? 0 : 1;
}

int main(int argc, char **argv) {
  int iterations = 20;
  std::string jsonPath;
  std::vector<std::string> bundles;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--iterations") && i + 1 < argc)
      iterations = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--dump") && i + 1 < argc)
      dumpDir = argv[++i];
    else if (!std::strcmp(argv[i], "--json") && i + 1 < argc)
      jsonPath = argv[++i];
    else
      bundles.push_back(argv[i]);
  }
  if (bundles.empty()) {
    std::fprintf(stderr, "usage: dsr1-gpu-check BUNDLE... [--iterations N] "
                         "[--dump DIR] [--json FILE]\n");
    return 2;
  }
  Result<std::shared_ptr<cuda::CudaDriver>> driver = cuda::CudaDriver::load();
  if (!driver) {
    std::fprintf(stderr, "dsr1-gpu-check: error: %s\n",
                 driver.status().message().c_str());
    return 1;
  }
  std::printf("GPU: %s (sm_%d)\n", (*driver)->deviceName().c_str(),
              (*driver)->computeCapability());
  int failures = 0;
  for (const std::string &bundle : bundles)
    failures += checkBundle(*driver, bundle, iterations);
  // Whole runs with the launches captured into a graph against plain
  // launches: what the graph saves is launch overhead, so small models gain
  // most.
  if (!speedups.empty()) {
    std::printf("CUDA Graph speedup (run p50, plain / graph):\n");
    for (const Speedup &s : speedups)
      std::printf("    %-22s %9.3f ms graph %9.3f ms plain %6.2fx%s\n",
                  s.model.c_str(), s.graphMs, s.plainMs,
                  s.graphMs > 0 ? s.plainMs / s.graphMs : 0.0,
                  s.graphStatus.rfind("graph:", 0) == 0 ? "" : "  (no graph)");
  }
  std::printf("%zu models, %d failing\n", bundles.size(), failures);
  if (!jsonPath.empty() && !writeJson(jsonPath, (*driver)->deviceName()))
    std::fprintf(stderr, "dsr1-gpu-check: error: cannot write %s\n",
                 jsonPath.c_str());
  return failures ? 1 : 0;
}
