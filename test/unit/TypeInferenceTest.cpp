//===- TypeInferenceTest.cpp - builder-level tests of dsr1 type inference
//---===//
//
// Ops built from C++ (as the frontends and passes build them) get their result
// types inferred, and a bad combination is refused with a diagnostic at the
// op's location.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialects/dsr1/DSR1Ops.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class TypeInferenceTest : public ::testing::Test {
protected:
  TypeInferenceTest() : builder(&context) {
    context.loadDialect<dsr1::DSR1Dialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A function whose arguments have `types`; the builder inserts into its
  /// body.
  ValueRange arguments(ArrayRef<Type> types) {
    auto fn = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                   builder.getFunctionType(types, {}));
    Block *body = fn.addEntryBlock();
    builder.setInsertionPointToEnd(body);
    return body->getArguments();
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape, Type element = nullptr) {
    return RankedTensorType::get(shape,
                                 element ? element : builder.getF32Type());
  }

  /// Runs the op's inference on `operands` and `attrs` as the parser does,
  /// collecting the diagnostic it reports.
  template <typename OpT>
  LogicalResult infer(ValueRange operands, ArrayRef<NamedAttribute> attrs,
                      SmallVectorImpl<Type> &types) {
    diagnostics.clear();
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      diagnostics += diag.str();
      return success();
    });
    return OpT::inferReturnTypes(
        &context, loc(), operands, DictionaryAttr::get(&context, attrs),
        OpaqueProperties(nullptr), RegionRange(), types);
  }

  Location loc() { return FileLineColLoc::get(&context, "model.onnx", 7, 3); }

  static constexpr int64_t kDyn = ShapedType::kDynamic;

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  std::string diagnostics;
};

TEST_F(TypeInferenceTest, BinaryBroadcastsWithDynamicDims) {
  ValueRange args =
      arguments({tensor({kDyn, 1}), tensor({3}), tensor({5}), tensor({kDyn})});
  auto add = dsr1::AddOp::create(builder, loc(), args[0], args[1]);
  EXPECT_EQ(add.getType(), tensor({kDyn, 3}));
  auto sub = dsr1::SubOp::create(builder, loc(), args[3], args[2]);
  EXPECT_EQ(sub.getType(), tensor({5}));
  auto less = dsr1::LessOp::create(builder, loc(), args[0], args[1]);
  EXPECT_EQ(less.getType(), tensor({kDyn, 3}, builder.getI1Type()));
}

TEST_F(TypeInferenceTest, BitwiseOpsAndShiftsKeepTheIntegerType) {
  Type u16 = builder.getIntegerType(16, /*isSigned=*/false);
  ValueRange args = arguments({tensor({kDyn, 1}, u16), tensor({4}, u16)});
  auto bitAnd = dsr1::AndOp::create(builder, loc(), args[0], args[1]);
  EXPECT_EQ(bitAnd.getType(), tensor({kDyn, 4}, u16));
  auto bitNot = dsr1::NotOp::create(builder, loc(), args[1]);
  EXPECT_EQ(bitNot.getType(), tensor({4}, u16));
  auto shift = dsr1::ShiftRightOp::create(builder, loc(), args[1], args[0]);
  EXPECT_EQ(shift.getType(), tensor({kDyn, 4}, u16));
  for (Operation *op :
       {bitAnd.getOperation(), bitNot.getOperation(), shift.getOperation()})
    EXPECT_TRUE(succeeded(verify(op)));
}

TEST_F(TypeInferenceTest, CumProdKeepsItsInputType) {
  Type u16 = builder.getIntegerType(16, /*isSigned=*/false);
  ValueRange args = arguments({tensor({kDyn, 3}, u16)});
  auto cumprod = dsr1::CumProdOp::create(builder, loc(), args[0], 1,
                                         /*exclusive=*/true,
                                         /*reverse=*/false);
  EXPECT_EQ(cumprod.getType(), tensor({kDyn, 3}, u16));
  EXPECT_TRUE(succeeded(verify(cumprod)));
}

TEST_F(TypeInferenceTest, MatMulBroadcastsBatchDims) {
  ValueRange args =
      arguments({tensor({1, 5, 3, 4}), tensor({7, 1, 4, 6}), tensor({4})});
  auto mm = dsr1::MatMulOp::create(builder, loc(), args[0], args[1],
                                   /*precision=*/nullptr);
  EXPECT_EQ(mm.getType(), tensor({7, 5, 3, 6}));
  auto mv = dsr1::MatMulOp::create(builder, loc(), args[0], args[2],
                                   /*precision=*/nullptr);
  EXPECT_EQ(mv.getType(), tensor({1, 5, 3}));
  EXPECT_FALSE(mm.getPrecision().has_value());
}

TEST_F(TypeInferenceTest, ConvOutputShape) {
  ValueRange args = arguments(
      {tensor({1, 3, 224, 224}), tensor({64, 3, 7, 7}), tensor({64})});
  auto conv = dsr1::ConvOp::create(builder, loc(), args[0], args[1], args[2],
                                   builder.getDenseI64ArrayAttr({2, 2}),
                                   builder.getDenseI64ArrayAttr({3, 3, 3, 3}),
                                   builder.getDenseI64ArrayAttr({}),
                                   builder.getI64IntegerAttr(1),
                                   /*precision=*/nullptr);
  EXPECT_EQ(conv.getType(), tensor({1, 64, 112, 112}));
  EXPECT_TRUE(succeeded(verify(conv)));
}

TEST_F(TypeInferenceTest, CrossModalAttentionKeepsModalities) {
  Type f16 = builder.getF16Type();
  ValueRange args =
      arguments({tensor({2, 16, 768}, f16), tensor({2, 197, 768}, f16)});
  auto attn =
      dsr1::AttentionOp::create(builder, loc(), args[0], args[1], args[1],
                                /*mask=*/Value(), /*num_heads=*/12,
                                /*scale=*/nullptr, /*causal=*/false,
                                dsr1::Modality::text, dsr1::Modality::image,
                                /*precision=*/nullptr);
  EXPECT_EQ(attn.getResult().getType(), tensor({2, 16, 768}, f16));
  EXPECT_FALSE(attn.getScores());
  EXPECT_EQ(attn.getQueryModality(), dsr1::Modality::text);
  EXPECT_EQ(attn.getKvModality(), dsr1::Modality::image);
  EXPECT_TRUE(succeeded(verify(attn)));
}

TEST_F(TypeInferenceTest, AttentionReturnsScoresWhenAsked) {
  // A decoding step over a padded cache: the scores are [B, H, Sq, Skv].
  ValueRange args =
      arguments({tensor({2, 4, 1, 8}), tensor({2, 4, 16, 8}),
                 tensor({2, 4, 16, 6}), tensor({2}, builder.getI64Type())});
  auto attn = dsr1::AttentionOp::create(
      builder, loc(), args[0], args[1], args[2], /*mask=*/Value(),
      /*kv_lengths=*/args[3], /*num_heads=*/4, /*scale=*/nullptr,
      /*causal=*/true, dsr1::Modality::unknown, dsr1::Modality::unknown,
      /*precision=*/nullptr, /*softcap=*/nullptr, /*bottom_right=*/true,
      /*query_offset=*/nullptr, /*window_left=*/builder.getI64IntegerAttr(3),
      /*window_right=*/nullptr,
      dsr1::AttentionScoresAttr::get(&context, dsr1::AttentionScores::probs));
  EXPECT_EQ(attn.getResult().getType(), tensor({2, 4, 1, 6}));
  ASSERT_TRUE(attn.getScores());
  EXPECT_EQ(attn.getScores().getType(), tensor({2, 4, 1, 16}));
  EXPECT_TRUE(succeeded(verify(attn)));
}

TEST_F(TypeInferenceTest, LinearAttentionStateKeepsItsElementType) {
  // Dk = 32 / 4 = 8, Dv = 24 / 2 = 12; the state in f32 beside f16
  // activations, as models keep it.
  Type f16 = builder.getF16Type();
  ValueRange args = arguments({tensor({2, 5, 32}, f16), tensor({2, 5, 16}, f16),
                               tensor({2, 5, 24}, f16), tensor({2, 2, 8, 12}),
                               tensor({2, 5, 2}, f16)});
  auto op = dsr1::LinearAttentionOp::create(
      builder, loc(), args[0], args[1], args[2], /*initial_state=*/args[3],
      /*decay=*/args[4], /*beta=*/Value(), /*q_num_heads=*/4,
      /*kv_num_heads=*/2, /*scale=*/nullptr, dsr1::LinearAttentionRule::gated);
  EXPECT_EQ(op.getOutput().getType(), tensor({2, 5, 48}, f16));
  EXPECT_EQ(op.getFinalState().getType(), tensor({2, 2, 8, 12}));
  EXPECT_TRUE(succeeded(verify(op)));
}

TEST_F(TypeInferenceTest, SplitAndRecurrencesHaveOneTypePerResult) {
  ValueRange args = arguments({tensor({2, kDyn, 768}), tensor({kDyn, 4, 16}),
                               tensor({2, 128, 16}), tensor({2, 128, 32}),
                               tensor({1, 32, 16}), tensor({1, 32, 32})});
  auto split = dsr1::SplitOp::create(builder, loc(), args[0], 2,
                                     ArrayRef<int64_t>{256, 512});
  ASSERT_EQ(split.getNumResults(), 2u);
  EXPECT_EQ(split.getResult(1).getType(), tensor({2, kDyn, 512}));
  auto lstm = dsr1::LstmOp::create(
      builder, loc(), args[1], args[2], args[3], Value(), Value(), Value(),
      /*peepholes=*/Value(), /*sequence_lens=*/Value(), /*hidden_size=*/32,
      dsr1::RnnDirection::bidirectional,
      /*precision=*/nullptr);
  EXPECT_EQ(lstm.getY().getType(), tensor({kDyn, 2, 4, 32}));
  EXPECT_EQ(lstm.getYH().getType(), tensor({2, 4, 32}));
  EXPECT_EQ(lstm.getYC().getType(), tensor({2, 4, 32}));
  auto rnn = dsr1::SimpleRnnOp::create(
      builder, loc(), args[1], args[4], args[5], Value(), Value(),
      /*sequence_lens=*/Value(), /*hidden_size=*/32,
      dsr1::RnnDirection::reverse, /*precision=*/nullptr);
  EXPECT_EQ(rnn.getY().getType(), tensor({kDyn, 1, 4, 32}));
  EXPECT_EQ(rnn.getYH().getType(), tensor({1, 4, 32}));
}

TEST_F(TypeInferenceTest, ParserPathSeesAttributesAndDefaults) {
  // The parser hands attr-dict attributes in the dictionary, not in properties;
  // defaults must apply to the ones that are absent (keepdims = true).
  ValueRange args = arguments({tensor({4, kDyn, 8})});
  SmallVector<Type> types;
  ASSERT_TRUE(succeeded(infer<dsr1::ReduceSumOp>(
      args, {builder.getNamedAttr("axes", builder.getDenseI64ArrayAttr({1}))},
      types)));
  EXPECT_EQ(types.front(), tensor({4, 1, 8}));
  types.clear();
  ASSERT_TRUE(succeeded(infer<dsr1::ReduceSumOp>(
      args,
      {builder.getNamedAttr("axes", builder.getDenseI64ArrayAttr({1})),
       builder.getNamedAttr("keepdims", builder.getBoolAttr(false))},
      types)));
  EXPECT_EQ(types.front(), tensor({4, 8}));
}

TEST_F(TypeInferenceTest, BadShapesAreReportedAtTheOpLocation) {
  ValueRange args = arguments({tensor({2, 3}), tensor({4, 5})});
  SmallVector<Type> types;
  EXPECT_TRUE(failed(infer<dsr1::MatMulOp>(args, {}, types)));
  EXPECT_NE(diagnostics.find(
                "'dsr1.matmul' op contracted dimensions differ: 2x3 and 4x5"),
            std::string::npos)
      << diagnostics;
  EXPECT_TRUE(failed(infer<dsr1::AddOp>(args, {}, types)));
  EXPECT_NE(diagnostics.find("not broadcast-compatible: 2x3 and 4x5"),
            std::string::npos)
      << diagnostics;
}

TEST_F(TypeInferenceTest, MissingRequiredAttributeIsAnErrorNotACrash) {
  ValueRange args = arguments({tensor({2, 16, 64})});
  SmallVector<Type> types;
  EXPECT_TRUE(
      failed(infer<dsr1::AttentionOp>({args[0], args[0], args[0]}, {}, types)));
  EXPECT_NE(diagnostics.find("requires attribute 'num_heads'"),
            std::string::npos)
      << diagnostics;
}

TEST_F(TypeInferenceTest, BuilderArgumentsOutOfRangeAreErrorsNotCrashes) {
  // Builders run inference before any attribute constraint is checked.
  ValueRange args = arguments({tensor({1, 4, 8}), tensor({4, 4, 3})});
  SmallVector<Type> types;
  EXPECT_TRUE(failed(infer<dsr1::ConvOp>(
      {args[0], args[1]},
      {builder.getNamedAttr("group", builder.getI64IntegerAttr(0))}, types)));
  EXPECT_NE(diagnostics.find("group must be positive, got 0"),
            std::string::npos)
      << diagnostics;
  EXPECT_TRUE(failed(infer<dsr1::AttentionOp>(
      {args[0], args[0], args[0]},
      {builder.getNamedAttr("num_heads", builder.getI64IntegerAttr(-2))},
      types)));
  EXPECT_NE(diagnostics.find("num_heads must be positive, got -2"),
            std::string::npos)
      << diagnostics;
  EXPECT_TRUE(failed(infer<dsr1::ConcatOp>(
      ValueRange{},
      {builder.getNamedAttr("axis", builder.getI64IntegerAttr(0))}, types)));
  EXPECT_NE(diagnostics.find("needs at least one input"), std::string::npos)
      << diagnostics;
}

TEST_F(TypeInferenceTest, GridSampleTakesItsSpatialDimsFromTheGrid) {
  ValueRange args = arguments({tensor({kDyn, 3, 8, 8}), tensor({2, 4, 5, 2})});
  auto sample = dsr1::GridSampleOp::create(builder, loc(), args[0], args[1]);
  EXPECT_EQ(sample.getType(), tensor({2, 3, 4, 5}));
  EXPECT_EQ(sample.getMode(), dsr1::ResizeMode::linear);
  EXPECT_EQ(sample.getPadding(), dsr1::GridPadding::zeros);
  EXPECT_FALSE(sample.getAlignCorners());
  EXPECT_TRUE(succeeded(verify(sample)));
}

TEST_F(TypeInferenceTest, BitCastWithoutTargetIsAnErrorNotACrash) {
  ValueRange args = arguments({tensor({4})});
  SmallVector<Type> types;
  EXPECT_TRUE(failed(infer<dsr1::BitCastOp>(args, {}, types)));
  EXPECT_NE(diagnostics.find("requires attribute 'to'"), std::string::npos)
      << diagnostics;
  auto bits =
      dsr1::BitCastOp::create(builder, loc(), args[0], builder.getI32Type());
  EXPECT_EQ(bits.getType(), tensor({4}, builder.getI32Type()));
}

TEST_F(TypeInferenceTest, ConstantTakesItsValueType) {
  arguments({});
  auto type = RankedTensorType::get({3}, builder.getI64Type());
  auto value = DenseElementsAttr::get(type, ArrayRef<int64_t>{2, 12, 64});
  auto constant = dsr1::ConstantOp::create(builder, loc(), value);
  EXPECT_EQ(constant.getType(), type);
  auto cast =
      dsr1::CastOp::create(builder, loc(), constant, builder.getF16Type());
  EXPECT_EQ(cast.getType(), RankedTensorType::get({3}, builder.getF16Type()));
}

} // namespace
