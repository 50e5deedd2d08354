//===- main.cpp - a host application on dsr1's C++ API --------------------===//
//
// host-app-cpp MODEL [--device cpu|cuda-emu|cuda] [--inputs DIR]
//              [--outputs DIR]
//
// MODEL is a .dsr1 artifact (loaded: no compiler involved) or a model file
// (.onnx: compiled in process). Four threads share the one Model, each with
// a Session of its own, and run it on the same inputs: input_N.bin from DIR
// (raw little-endian bytes), or deterministic synthetic values. Prints each
// output's name, shape and first values, checks every thread computed the
// same, and writes output_N.bin to --outputs.
//
//===----------------------------------------------------------------------===//

#include <dsr1/dsr1.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

static int fail(const std::string &message) {
  std::cerr << "host-app-cpp: error: " << message << "\n";
  return 1;
}

static bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The model's inputs: read from DIR/input_N.bin, or synthetic.
static dsr1::Result<std::vector<dsr1::Tensor>>
makeInputs(const dsr1::Model &model, const std::string &dir) {
  std::vector<dsr1::Tensor> inputs;
  for (size_t i = 0; i < model.inputs().size(); ++i) {
    const dsr1::TensorInfo &info = model.inputs()[i];
    dsr1::Tensor tensor = dsr1::Tensor::allocate(info.dtype, info.shape);
    if (!dir.empty()) {
      std::string path = dir + "/input_" + std::to_string(i) + ".bin";
      std::ifstream file(path, std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(file)), {});
      if (!file.is_open() || bytes.size() != info.bytes())
        return dsr1::Status::error(path + ": expected " +
                                   std::to_string(info.bytes()) +
                                   " bytes for input '" + info.name + "'");
      std::memcpy(tensor.data(), bytes.data(), bytes.size());
    } else {
      // Small values every element type holds (token ids stay in range).
      for (int64_t k = 0; k < tensor.numElements(); ++k) {
        if (info.dtype == dsr1::DataType::f32)
          tensor.dataAs<float>()[k] = static_cast<float>(k % 7) * 0.25f;
        else if (info.dtype == dsr1::DataType::i64)
          tensor.dataAs<int64_t>()[k] = 1 + k % 5;
        else if (info.dtype == dsr1::DataType::i32)
          tensor.dataAs<int32_t>()[k] = 1 + k % 5;
        else
          return dsr1::Status::error(
              "no synthetic values for input '" + info.name + "' of type " +
              dsr1::dataTypeName(info.dtype) + ": give --inputs");
      }
    }
    inputs.push_back(std::move(tensor));
  }
  return inputs;
}

static void print(const dsr1::TensorInfo &info, const dsr1::Tensor &tensor) {
  std::cout << "output '" << info.name << "' " << dsr1::dataTypeName(info.dtype)
            << "[";
  for (size_t d = 0; d < info.shape.size(); ++d)
    std::cout << (d ? "x" : "") << info.shape[d];
  std::cout << "]:";
  for (int64_t k = 0; k < tensor.numElements() && k < 4; ++k) {
    if (info.dtype == dsr1::DataType::f32)
      std::cout << " " << tensor.dataAs<float>()[k];
    else if (info.dtype == dsr1::DataType::i64)
      std::cout << " " << tensor.dataAs<int64_t>()[k];
  }
  std::cout << (tensor.numElements() > 4 ? " ...\n" : "\n");
}

int main(int argc, char **argv) {
  const char *usage = "usage: host-app-cpp MODEL [--device cpu|cuda-emu|cuda] "
                      "[--inputs DIR] [--outputs DIR]";
  std::string modelPath, device = "cpu", inputsDir, outputsDir;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--device" && i + 1 < argc)
      device = argv[++i];
    else if (arg == "--inputs" && i + 1 < argc)
      inputsDir = argv[++i];
    else if (arg == "--outputs" && i + 1 < argc)
      outputsDir = argv[++i];
    else if (modelPath.empty() && arg[0] != '-')
      modelPath = arg;
    else
      return fail(usage);
  }
  if (modelPath.empty())
    return fail(usage);
  dsr1::Result<dsr1::Device> target = dsr1::parseDevice(device);
  if (!target)
    return fail(target.status().message());

  // An artifact is loaded as it is; a model file is compiled in process
  // first (for the device's target; nothing is written to disk).
  dsr1::Result<std::shared_ptr<dsr1::Model>> model =
      dsr1::Status::error("not loaded");
  if (endsWith(modelPath, ".dsr1")) {
    model = dsr1::Model::load(modelPath, *target);
  } else {
    dsr1::Compiler compiler;
    model =
        compiler.compile(modelPath, dsr1::Compiler::CompileOptions(), *target);
  }
  if (!model)
    return fail(model.status().message());
  std::cout << "dsr1 " << dsr1::version() << ": " << modelPath << " on "
            << device << ", " << (*model)->inputs().size() << " input(s)\n";

  dsr1::Result<std::vector<dsr1::Tensor>> inputs =
      makeInputs(**model, inputsDir);
  if (!inputs)
    return fail(inputs.status().message());

  // One Model, four threads, a Session each: sessions are not shared.
  constexpr int kThreads = 4;
  std::vector<std::vector<dsr1::Tensor>> outputs(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      dsr1::Result<std::unique_ptr<dsr1::Session>> session =
          (*model)->createSession();
      if (!session) {
        errors[t] = session.status().message();
        return;
      }
      dsr1::Result<std::vector<dsr1::Tensor>> result = (*session)->run(*inputs);
      if (!result)
        errors[t] = result.status().message();
      else
        outputs[t] = std::move(*result);
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    if (!errors[t].empty())
      return fail("thread " + std::to_string(t) + ": " + errors[t]);

  for (size_t o = 0; o < outputs[0].size(); ++o) {
    const dsr1::Tensor &first = outputs[0][o];
    print((*model)->outputs()[o], first);
    for (int t = 1; t < kThreads; ++t)
      if (std::memcmp(outputs[t][o].data(), first.data(), first.bytes()) != 0)
        return fail("thread " + std::to_string(t) + " computed another '" +
                    (*model)->outputs()[o].name + "'");
    if (!outputsDir.empty()) {
      std::string path = outputsDir + "/output_" + std::to_string(o) + ".bin";
      std::ofstream file(path, std::ios::binary);
      file.write(static_cast<const char *>(first.data()),
                 static_cast<std::streamsize>(first.bytes()));
      if (!file)
        return fail("cannot write " + path);
    }
  }
  std::cout << kThreads << " sessions on " << kThreads
            << " threads computed the same outputs\n";
  return 0;
}
