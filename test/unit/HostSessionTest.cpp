//===- HostSessionTest.cpp - plans, the HostSession, the plan builder -----===//
//
// The runtime half runs hand-made plans over hand-written kernels (no MLIR):
// launch order, arena and copies, and every error a caller can cause. The
// compiler half builds plans from outlined graphs and checks the arena
// layout: intermediates that are never live together share memory, and a
// kernel's results never overlap its operands.
//
//===----------------------------------------------------------------------===//

#include "runtime/HostSession.h"
#include "compiler/dialects/dsr1/DSR1Ops.h"
#include "compiler/driver/BuildPlan.h"
#include "compiler/driver/CompileModel.h"
#include "compiler/passes/Passes.h"
#include "test/unit/TestTensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

using namespace dsr1;
using namespace dsr1::test;

namespace {

//===----------------------------------------------------------------------===//
// Runtime
//===----------------------------------------------------------------------===//

float *buffer(void **args, int i) { return *static_cast<float **>(args[i]); }

/// args: status, a, b, out (3 floats each).
void addKernel(void **args) {
  for (int i = 0; i < 3; ++i)
    buffer(args, 3)[i] = buffer(args, 1)[i] + buffer(args, 2)[i];
}
/// args: status, x, out.
void doubleKernel(void **args) {
  for (int i = 0; i < 3; ++i)
    buffer(args, 2)[i] = 2 * buffer(args, 1)[i];
}
/// Reports its operand 1 as holding a bad index.
void badIndexKernel(void **args) {
  **static_cast<int32_t **>(args[0]) = kStatusBadOperand + 1;
}

class FakeLibrary : public CpuKernelLibrary {
public:
  CpuKernelFn lookup(const std::string &symbol) const override {
    static const std::map<std::string, CpuKernelFn> kernels = {
        {"add", addKernel},
        {"double", doubleKernel},
        {"bad_index", badIndexKernel}};
    auto it = kernels.find(symbol);
    return it == kernels.end() ? nullptr : it->second;
  }
};

std::unique_ptr<HostSession> makeSession(std::shared_ptr<Plan> plan) {
  auto session = HostSession::create(plan, std::make_shared<FakeLibrary>());
  EXPECT_TRUE(session.isOk()) << session.status().message();
  return session ? std::move(*session) : nullptr;
}

TEST(HostSession, RunsLaunchesInOrderThroughTheArena) {
  std::unique_ptr<HostSession> session = makeSession(samplePlan());
  ASSERT_TRUE(session);
  for (int run = 0; run < 2; ++run) {
    auto outputs = session->run({f32({1, 2, 3}, "x")});
    ASSERT_TRUE(outputs.isOk()) << outputs.status().message();
    ASSERT_EQ(outputs->size(), 2u);
    EXPECT_EQ((*outputs)[0].name, "y");
    EXPECT_EQ(floats((*outputs)[0]), (std::vector<float>{22, 44, 66}));
    EXPECT_EQ(floats((*outputs)[1]), (std::vector<float>{1, 2, 3}));
  }
}

TEST(HostSession, RefusesWrongInputsNamingThem) {
  std::unique_ptr<HostSession> session = makeSession(samplePlan());
  ASSERT_TRUE(session);
  auto none = session->run({});
  ASSERT_FALSE(none.isOk());
  EXPECT_EQ(none.status().message(),
            "the model takes 1 input(s) ('x' f32[3]), 0 given");

  HostTensor wrongShape = f32({1, 2, 3, 4});
  auto shape = session->run({wrongShape});
  ASSERT_FALSE(shape.isOk());
  EXPECT_EQ(shape.status().message(), "input 0 'x' f32[3]: given f32[4]");

  HostTensor wrongType = f32({1, 2, 3}, "x_file");
  wrongType.dtype = DType::i32;
  auto dtype = session->run({wrongType});
  ASSERT_FALSE(dtype.isOk());
  EXPECT_EQ(dtype.status().message(),
            "input 0 'x' f32[3]: given i32[3] (from 'x_file')");

  HostTensor truncated = f32({1, 2, 3});
  truncated.data.resize(8);
  auto bytes = session->run({truncated});
  ASSERT_FALSE(bytes.isOk());
  EXPECT_EQ(bytes.status().message(),
            "input 'x' f32[3] holds 8 bytes, its shape needs 12");
}

TEST(HostSession, KernelStatusNamesTheNodeAndInput) {
  auto plan = samplePlan();
  plan->kernels[1] = {"bad_index", "gather_node", "gather"};
  plan->launches[1].argNames = {"data", "indices"};
  std::unique_ptr<HostSession> session = makeSession(plan);
  ASSERT_TRUE(session);
  auto outputs = session->run({f32({1, 2, 3})});
  ASSERT_FALSE(outputs.isOk());
  EXPECT_EQ(outputs.status().message(),
            "node 'gather_node' (gather): input 'indices' holds an index out "
            "of range");
}

TEST(HostSession, MissingKernelIsAnError) {
  auto plan = samplePlan();
  plan->kernels[0].symbol = "nowhere";
  auto session = HostSession::create(plan, std::make_shared<FakeLibrary>());
  ASSERT_FALSE(session.isOk());
  EXPECT_EQ(session.status().message(),
            "no code for kernel 'nowhere' (node 'add_node')");
}

TEST(Plan, VerifyRejectsOutOfRangeBuffers) {
  auto plan = samplePlan();
  EXPECT_TRUE(plan->verify().isOk());

  auto pastArena = samplePlan();
  pastArena->launches[0].args[2].offset = 64;
  EXPECT_NE(pastArena->verify().message().find("outside the arena"),
            std::string::npos)
      << pastArena->verify().message();

  auto badInput = samplePlan();
  badInput->launches[0].args[0].index = 3;
  EXPECT_EQ(badInput->verify().message(),
            "invalid plan: launch 0: input index 3 out of range");

  auto badWeight = samplePlan();
  badWeight->weights[0].bytes = 4;
  EXPECT_EQ(badWeight->verify().message(),
            "invalid plan: weight 'w' holds 4 bytes, its shape needs 12");

  auto badKernel = samplePlan();
  badKernel->launches[1].kernel = 7;
  EXPECT_EQ(badKernel->verify().message(),
            "invalid plan: launch 1 names kernel 7 of 2");

  auto session =
      HostSession::create(badKernel, std::make_shared<FakeLibrary>());
  EXPECT_FALSE(session.isOk());
}

//===----------------------------------------------------------------------===//
// Plan builder
//===----------------------------------------------------------------------===//

class PlanBuilder : public ::testing::Test {
protected:
  PlanBuilder() { context.loadDialect<DSR1Dialect, mlir::func::FuncDialect>(); }

  /// Parses `source`, plans its memory (unless `planMemory` is false) and
  /// builds the plan.
  mlir::FailureOr<Plan> build(llvm::StringRef source, bool planMemory = true) {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    if (!module)
      return mlir::failure();
    mlir::PassManager passes(&context);
    passes.addPass(createPlanMemoryPass());
    if (planMemory && failed(passes.run(*module)))
      return mlir::failure();
    return buildPlan(module->lookupSymbol<mlir::func::FuncOp>("g"));
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

// A chain x -> a -> b -> c -> y: a and c can share memory, b cannot share
// with either neighbour; y is written straight into the output.
constexpr const char *kChain = R"mlir(
func.func @g(%x: tensor<16xf32> {onnx.name = "x"}) -> (tensor<16xf32> {onnx.name = "y"}) {
  %a = call @k(%x) : (tensor<16xf32>) -> tensor<16xf32> loc("a")
  %b = call @k(%a) : (tensor<16xf32>) -> tensor<16xf32> loc("b")
  %c = call @k(%b) : (tensor<16xf32>) -> tensor<16xf32> loc("c")
  %y = call @k(%c) : (tensor<16xf32>) -> tensor<16xf32> loc("y")
  return %y : tensor<16xf32>
}
func.func private @k(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dsr1.kernel} {
  %0 = dsr1.relu %x : tensor<16xf32>
  return %0 : tensor<16xf32>
}
)mlir";

TEST_F(PlanBuilder, ChainReusesTheArena) {
  mlir::FailureOr<Plan> plan = build(kChain);
  ASSERT_TRUE(succeeded(plan));
  ASSERT_EQ(plan->launches.size(), 4u);
  const BufferRef &a = plan->launches[0].args[1];
  const BufferRef &b = plan->launches[1].args[1];
  const BufferRef &c = plan->launches[2].args[1];
  const BufferRef &y = plan->launches[3].args[1];
  EXPECT_EQ(a.kind, BufferRef::Kind::arena);
  EXPECT_EQ(c.kind, BufferRef::Kind::arena);
  EXPECT_EQ(y.kind, BufferRef::Kind::output);
  EXPECT_NE(a.offset, b.offset);
  EXPECT_NE(b.offset, c.offset);
  EXPECT_EQ(a.offset, c.offset);
  EXPECT_EQ(plan->arenaBytes, 2 * kArenaAlignment);
  EXPECT_EQ(plan->kernels[1].node, "b");
  EXPECT_EQ(plan->launches[1].argNames, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(plan->verify().isOk());
}

// Outputs that no kernel writes: an input returned, a weight returned, and a
// kernel result returned twice become copies.
constexpr const char *kCopies = R"mlir(
func.func @g(%x: tensor<2xf32> {onnx.name = "x"}) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %w = dsr1.constant dense<[1.0, 2.0]> : tensor<2xf32> loc("w")
  %r = call @k(%x) : (tensor<2xf32>) -> tensor<2xf32> loc("r")
  return %x, %w, %r, %r : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}
func.func private @k(%x: tensor<2xf32>) -> tensor<2xf32> attributes {dsr1.kernel} {
  %0 = dsr1.relu %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}
)mlir";

TEST_F(PlanBuilder, OutputsNotWrittenByKernelsAreCopies) {
  mlir::FailureOr<Plan> plan = build(kCopies);
  ASSERT_TRUE(succeeded(plan));
  ASSERT_EQ(plan->weights.size(), 1u);
  EXPECT_EQ(plan->weights[0].name, "w");
  ASSERT_EQ(plan->launches.size(), 4u);
  EXPECT_EQ(plan->launches[0].args[1].kind, BufferRef::Kind::output);
  EXPECT_EQ(plan->launches[0].args[1].index, 2u);
  for (size_t i = 1; i < 4; ++i)
    EXPECT_EQ(plan->launches[i].kind, Launch::Kind::copy);
  EXPECT_EQ(plan->launches[1].args[0].kind, BufferRef::Kind::input);
  EXPECT_EQ(plan->launches[2].args[0].kind, BufferRef::Kind::weight);
  EXPECT_EQ(plan->launches[3].args[0].kind, BufferRef::Kind::output);
  EXPECT_EQ(plan->launches[3].args[1].index, 3u);
  EXPECT_EQ(plan->outputs[0].name, "output_0");
  EXPECT_EQ(plan->arenaBytes, 0u);
}

TEST_F(PlanBuilder, UnplannedGraphsAreRefused) {
  std::string diagnostic;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostic = d.str();
    return mlir::success();
  });
  EXPECT_TRUE(failed(build(kChain, /*planMemory=*/false)));
  EXPECT_EQ(diagnostic, "the graph's memory is not planned (run "
                        "-dsr1-plan-memory first)");
}

TEST_F(PlanBuilder, SymbolicShapesAreRefused) {
  std::string diagnostic;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostic = d.str();
    return mlir::success();
  });
  mlir::FailureOr<Plan> plan = build(R"mlir(
func.func @g(%x: tensor<?xf32> {onnx.name = "tokens"}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
)mlir");
  EXPECT_TRUE(failed(plan));
  EXPECT_NE(diagnostic.find("'tokens' has the shape 'tensor<?xf32>' with "
                            "unknown dims"),
            std::string::npos)
      << diagnostic;
}

} // namespace

//===----------------------------------------------------------------------===//
// Compiled models
//===----------------------------------------------------------------------===//

// An RNN carries its state from initial_h through every step. The cpu code
// generator once bufferized that carried state in place into the operand's
// buffer, so a run overwrote the caller's initial_h with the last state and
// a second run with the same inputs computed something else.
constexpr const char *kRnn = R"mlir(
func.func @g(%x: tensor<3x1x2xf32> {onnx.name = "x"}, %w: tensor<1x2x2xf32> {onnx.name = "w"},
             %r: tensor<1x2x2xf32> {onnx.name = "r"}, %h: tensor<1x1x2xf32> {onnx.name = "h0"})
    -> (tensor<1x1x2xf32> {onnx.name = "y_h"}) {
  %y, %y_h = dsr1.rnn %x, %w, %r initial_h %h {hidden_size = 2 : i64} : tensor<3x1x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32> initial_h tensor<1x1x2xf32>
  return %y_h : tensor<1x1x2xf32>
}
)mlir";

TEST(CompiledModel, InputsAreNotWrittenAndRunsRepeat) {
  mlir::DialectRegistry registry;
  registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kRnn, &context);
  ASSERT_TRUE(module);
  mlir::FailureOr<CompiledModel> compiled =
      compileModule(*module, CompileOptions());
  ASSERT_TRUE(mlir::succeeded(compiled));
  auto session = HostSession::create(compiled->plan, compiled->kernels);
  ASSERT_TRUE(session.isOk()) << session.status().message();

  auto tensor = [](const char *name, std::vector<int64_t> shape,
                   std::vector<float> values) {
    HostTensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.data.resize(values.size() * sizeof(float));
    std::memcpy(t.data.data(), values.data(), t.data.size());
    return t;
  };
  std::vector<HostTensor> inputs = {
      tensor("x", {3, 1, 2}, {0.5f, -1, 0.25f, 2, -0.75f, 1}),
      tensor("w", {1, 2, 2}, {0.5f, -0.25f, 0.75f, 0.5f}),
      tensor("r", {1, 2, 2}, {0.5f, 1, -1, 0.5f}),
      tensor("h0", {1, 1, 2}, {0.75f, -0.5f})};
  std::vector<uint8_t> h0 = inputs[3].data;
  auto first = (*session)->run(inputs);
  ASSERT_TRUE(first.isOk()) << first.status().message();
  EXPECT_EQ(inputs[3].data, h0) << "the run wrote into the input initial_h";
  auto second = (*session)->run(inputs);
  ASSERT_TRUE(second.isOk());
  EXPECT_EQ((*first)[0].data, (*second)[0].data);

  // The state by hand: h = tanh(W x_t + R h), three steps from h0.
  float h[2] = {0.75f, -0.5f};
  const float x[3][2] = {{0.5f, -1}, {0.25f, 2}, {-0.75f, 1}};
  for (const auto &xt : x) {
    float next[2];
    next[0] = std::tanh(0.5f * xt[0] - 0.25f * xt[1] + 0.5f * h[0] + h[1]);
    next[1] = std::tanh(0.75f * xt[0] + 0.5f * xt[1] - h[0] + 0.5f * h[1]);
    h[0] = next[0];
    h[1] = next[1];
  }
  float got[2];
  std::memcpy(got, (*first)[0].data.data(), sizeof(got));
  EXPECT_NEAR(got[0], h[0], 1e-6);
  EXPECT_NEAR(got[1], h[1], 1e-6);
}
