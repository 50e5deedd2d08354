//===- DSR1Attrs.td - dsr1 enums and attributes -----------*- tablegen -*-===//
//
// The precision, modality and small option enums of the dsr1 dialect.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_ATTRS_TD
#define DSR1_ATTRS_TD

include "compiler/dialects/dsr1/DSR1Dialect.td"
include "mlir/IR/EnumAttr.td"

class DSR1_EnumAttr<EnumAttrInfo enumInfo, string mnemonic>
    : EnumAttr<DSR1_Dialect, enumInfo, mnemonic> {
  let assemblyFormat = "`<` $value `>`";
}

// After Triton's TT_InputPrecisionAttr: the arithmetic an op is computed in. Accumulation in
// GEMM, conv, attention and reductions stays f32 whatever the precision.
def DSR1_Precision : I32EnumAttr<"Precision", "arithmetic precision of a compute op", [
    I32EnumAttrCase<"f32", 0>,
    I32EnumAttrCase<"tf32", 1>,
    I32EnumAttrCase<"f16", 2>,
    I32EnumAttrCase<"bf16", 3>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_PrecisionAttr : DSR1_EnumAttr<DSR1_Precision, "precision">;

def DSR1_Modality : I32EnumAttr<"Modality", "kind of input an attention source comes from", [
    I32EnumAttrCase<"unknown", 0>,
    I32EnumAttrCase<"text", 1>,
    I32EnumAttrCase<"image", 2>,
    I32EnumAttrCase<"audio", 3>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_ModalityAttr : DSR1_EnumAttr<DSR1_Modality, "modality">;

// What the scores output of dsr1.attention holds: the stages of ONNX Attention's
// qk_matmul_output_mode 0..3, and the attention weights models return for inspection.
def DSR1_AttentionScores : I32EnumAttr<"AttentionScores",
                                       "stage of the scores dsr1.attention also returns", [
    I32EnumAttrCase<"raw", 0>,
    I32EnumAttrCase<"capped", 1>,
    I32EnumAttrCase<"biased", 2>,
    I32EnumAttrCase<"probs", 3>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_AttentionScoresAttr : DSR1_EnumAttr<DSR1_AttentionScores, "attention_scores">;

def DSR1_LinearAttentionRule : I32EnumAttr<"LinearAttentionRule",
                                           "state update of dsr1.linear_attention", [
    I32EnumAttrCase<"linear", 0>,
    I32EnumAttrCase<"gated", 1>,
    I32EnumAttrCase<"delta", 2>,
    I32EnumAttrCase<"gated_delta", 3>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_LinearAttentionRuleAttr : DSR1_EnumAttr<DSR1_LinearAttentionRule,
                                                 "linear_attention_rule">;

def DSR1_PadMode : I32EnumAttr<"PadMode", "how dsr1.pad fills the border", [
    I32EnumAttrCase<"constant", 0>,
    I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>,
    I32EnumAttrCase<"wrap", 3>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_PadModeAttr : DSR1_EnumAttr<DSR1_PadMode, "pad_mode">;

def DSR1_RnnDirection : I32EnumAttr<"RnnDirection", "direction of an LSTM / GRU", [
    I32EnumAttrCase<"forward", 0>,
    I32EnumAttrCase<"reverse", 1>,
    I32EnumAttrCase<"bidirectional", 2>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_RnnDirectionAttr : DSR1_EnumAttr<DSR1_RnnDirection, "rnn_direction">;

def DSR1_GeluApproximation : I32EnumAttr<"GeluApproximation", "GELU formula", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"tanh", 1>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_GeluApproximationAttr : DSR1_EnumAttr<DSR1_GeluApproximation, "gelu_approximation">;

def DSR1_RoundMode : I32EnumAttr<"RoundMode", "how dsr1.cast rounds to f8E8M0FNU", [
    I32EnumAttrCase<"up", 0>,
    I32EnumAttrCase<"down", 1>,
    I32EnumAttrCase<"nearest", 2>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_RoundModeAttr : DSR1_EnumAttr<DSR1_RoundMode, "round_mode">;

def DSR1_ResizeMode : I32EnumAttr<"ResizeMode", "interpolation of dsr1.resize", [
    I32EnumAttrCase<"nearest", 0>,
    I32EnumAttrCase<"linear", 1>,
    I32EnumAttrCase<"cubic", 2>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_ResizeModeAttr : DSR1_EnumAttr<DSR1_ResizeMode, "resize_mode">;

// What dsr1.grid_sample reads at a position outside the input (ONNX GridSample's
// padding_mode).
def DSR1_GridPadding : I32EnumAttr<"GridPadding", "out-of-input reads of dsr1.grid_sample", [
    I32EnumAttrCase<"zeros", 0>,
    I32EnumAttrCase<"border", 1>,
    I32EnumAttrCase<"reflection", 2>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_GridPaddingAttr : DSR1_EnumAttr<DSR1_GridPadding, "grid_padding">;

// How an output coordinate maps to an input coordinate (ONNX Resize's
// coordinate_transformation_mode).
def DSR1_CoordinateMode : I32EnumAttr<"CoordinateMode",
    "output-to-input coordinate mapping of dsr1.resize", [
    I32EnumAttrCase<"half_pixel", 0>,
    I32EnumAttrCase<"half_pixel_symmetric", 1>,
    I32EnumAttrCase<"pytorch_half_pixel", 2>,
    I32EnumAttrCase<"align_corners", 3>,
    I32EnumAttrCase<"asymmetric", 4>,
    I32EnumAttrCase<"tf_crop_and_resize", 5>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_CoordinateModeAttr : DSR1_EnumAttr<DSR1_CoordinateMode, "coordinate_mode">;

def DSR1_NearestMode : I32EnumAttr<"NearestMode", "rounding of nearest resize", [
    I32EnumAttrCase<"round_prefer_floor", 0>,
    I32EnumAttrCase<"round_prefer_ceil", 1>,
    I32EnumAttrCase<"floor", 2>,
    I32EnumAttrCase<"ceil", 3>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_NearestModeAttr : DSR1_EnumAttr<DSR1_NearestMode, "nearest_mode">;

def DSR1_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "how scatter combines an update with the value it lands on", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"add", 1>,
    I32EnumAttrCase<"mul", 2>,
    I32EnumAttrCase<"max", 3>,
    I32EnumAttrCase<"min", 4>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_ScatterReductionAttr : DSR1_EnumAttr<DSR1_ScatterReduction, "scatter_reduction">;

// The code generator family of a dsr1.fusion group: each back end generates one kernel per group
// from a template of its family (CUDA) or lowers and fuses its ops (cpu).
def DSR1_FusionFamily : I32EnumAttr<"FusionFamily", "code generator family of a fusion group", [
    I32EnumAttrCase<"elementwise", 0>,
    I32EnumAttrCase<"reduction", 1>,
    I32EnumAttrCase<"gemm", 2>,
    I32EnumAttrCase<"conv", 3>,
    I32EnumAttrCase<"attention", 4>,
    I32EnumAttrCase<"data_movement", 5>,
    I32EnumAttrCase<"other", 6>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::dsr1";
}
def DSR1_FusionFamilyAttr : DSR1_EnumAttr<DSR1_FusionFamily, "fusion_family">;

#endif // DSR1_ATTRS_TD
