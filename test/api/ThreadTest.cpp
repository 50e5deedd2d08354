//===- ThreadTest.cpp - one model, many sessions, many threads ------------===//
//
// dsr1-thread-test ARTIFACT [THREADS] [RUNS]: loads one Model (cpu device)
// and shares it between THREADS threads, each creating its own Session and
// running it RUNS times on inputs of its own, while other threads create and
// destroy sessions and drop their handles on the model. Every output must
// equal, byte for byte, what a single thread computes for the same inputs
// beforehand. scripts/tsan.sh builds it with ThreadSanitizer, which checks
// the runtime's own code (the artifact, the model, sessions, the kernel
// library's binding); the generated kernels are not instrumented, and the
// byte comparison is what checks them.
//
//===----------------------------------------------------------------------===//

#include "dsr1/dsr1.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

/// Inputs from `seed`: floats in [-1, 1), integers 0 (a valid index and
/// mask value for every model of the set).
std::vector<dsr1::Tensor> makeInputs(const dsr1::Model &model, unsigned seed) {
  std::vector<dsr1::Tensor> inputs;
  uint32_t state = seed * 2654435761u + 1;
  for (const dsr1::TensorInfo &info : model.inputs()) {
    dsr1::Tensor tensor = dsr1::Tensor::allocate(info.dtype, info.shape);
    if (info.dtype == dsr1::DataType::f32) {
      float *values = tensor.dataAs<float>();
      for (int64_t i = 0; i < tensor.numElements(); ++i) {
        state = state * 1664525u + 1013904223u;
        values[i] = static_cast<float>(state >> 8) / (1u << 23) - 1.0f;
      }
    } else {
      std::memset(tensor.data(), 0, tensor.bytes());
    }
    inputs.push_back(std::move(tensor));
  }
  return inputs;
}

bool sameBytes(const std::vector<dsr1::Tensor> &a,
               const std::vector<dsr1::Tensor> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].bytes() != b[i].bytes() ||
        std::memcmp(a[i].data(), b[i].data(), a[i].bytes()) != 0)
      return false;
  return true;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ARTIFACT [THREADS] [RUNS]\n", argv[0]);
    return 2;
  }
  int threads = argc > 2 ? std::atoi(argv[2]) : 8;
  int runs = argc > 3 ? std::atoi(argv[3]) : 10;
  dsr1::Result<std::shared_ptr<dsr1::Model>> loaded =
      dsr1::Model::load(argv[1], dsr1::Device::cpu);
  if (!loaded) {
    std::fprintf(stderr, "error: %s\n", loaded.status().message().c_str());
    return 1;
  }
  std::shared_ptr<dsr1::Model> model = *loaded;

  // The expected outputs, one thread at a time.
  std::vector<std::vector<dsr1::Tensor>> inputs, expected;
  {
    dsr1::Result<std::unique_ptr<dsr1::Session>> session =
        model->createSession();
    if (!session) {
      std::fprintf(stderr, "error: %s\n", session.status().message().c_str());
      return 1;
    }
    for (int t = 0; t < threads; ++t) {
      inputs.push_back(makeInputs(*model, t));
      dsr1::Result<std::vector<dsr1::Tensor>> out = (*session)->run(inputs[t]);
      if (!out) {
        std::fprintf(stderr, "error: %s\n", out.status().message().c_str());
        return 1;
      }
      expected.push_back(std::move(*out));
    }
  }

  std::atomic<int> failures{0}, completed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t, handle = model] {
      // Half the threads hold their own handle and drop it early: the model
      // lives as long as any session or handle.
      std::shared_ptr<dsr1::Model> mine = handle;
      dsr1::Result<std::unique_ptr<dsr1::Session>> session =
          mine->createSession();
      if (t % 2)
        mine.reset();
      if (!session) {
        std::fprintf(stderr, "thread %d: %s\n", t,
                     session.status().message().c_str());
        ++failures;
        return;
      }
      // Outputs into wrapped buffers of the caller's on odd runs.
      std::vector<std::vector<uint8_t>> storage;
      std::vector<dsr1::Tensor> wrapped;
      for (const dsr1::Tensor &want : expected[t]) {
        storage.emplace_back(want.bytes());
        wrapped.push_back(dsr1::Tensor::wrap(storage.back().data(),
                                             want.dtype(), want.shape()));
      }
      for (int r = 0; r < runs; ++r) {
        bool same = false;
        if (r % 2) {
          dsr1::Status ran = (*session)->run(inputs[t], wrapped);
          same = ran && sameBytes(wrapped, expected[t]);
        } else {
          dsr1::Result<std::vector<dsr1::Tensor>> out =
              (*session)->run(inputs[t]);
          same = out && sameBytes(*out, expected[t]);
        }
        if (!same) {
          std::fprintf(stderr, "thread %d run %d: outputs differ\n", t, r);
          ++failures;
          return;
        }
        ++completed;
      }
      // Sessions created and destroyed while others run.
      for (int r = 0; r < 3; ++r)
        if (!handle->createSession())
          ++failures;
    });
  model.reset();
  for (std::thread &thread : pool)
    thread.join();
  std::printf("%d threads x %d runs: %d completed bit-equal, %d failure(s)\n",
              threads, runs, completed.load(), failures.load());
  return failures ? 1 : 0;
}
