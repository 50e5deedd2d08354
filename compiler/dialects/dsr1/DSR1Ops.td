//===- DSR1Ops.td - dsr1 operations -----------------------*- tablegen -*-===//
//
// The operations of the dsr1 dialect. Every op infers its result types (InferTypeOpAdaptor); the
// shape rules and their diagnostics live in DSR1Ops.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_OPS_TD
#define DSR1_OPS_TD

include "compiler/dialects/dsr1/DSR1Dialect.td"
include "compiler/dialects/dsr1/DSR1Attrs.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Types and attribute constraints
//===----------------------------------------------------------------------===//

def DSR1_FloatType : AnyTypeOf<[F16, BF16, F32, F64]>;
def DSR1_IntegerType : AnyTypeOf<[I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;
// Storage-only element types: the 8- and 4-bit floats and the 4- and 2-bit
// integers of ONNX. Tensors of them are moved and cast, never computed on;
// each element takes one byte in memory.
def DSR1_NarrowType : AnyTypeOf<[F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0FNU, F4E2M1FN,
                                 I<4>, UI<4>, I<2>, UI<2>]>;
def DSR1_ElementType : AnyTypeOf<[DSR1_FloatType, DSR1_IntegerType, I1, DSR1_NarrowType]>;

def DSR1_Tensor : RankedTensorOf<[DSR1_ElementType]>;
def DSR1_FloatTensor : RankedTensorOf<[DSR1_FloatType]>;
def DSR1_NumericTensor : RankedTensorOf<[DSR1_FloatType, DSR1_IntegerType]>;
def DSR1_SignedTensor : RankedTensorOf<[DSR1_FloatType, I8, I16, I32, I64]>;
def DSR1_BoolTensor : RankedTensorOf<[I1]>;
def DSR1_IntegerTensor : RankedTensorOf<[DSR1_IntegerType]>;
// Booleans and integers: the logical ops are bitwise on integers.
def DSR1_BitsTensor : RankedTensorOf<[I1, DSR1_IntegerType]>;
def DSR1_IndexTensor : RankedTensorOf<[I32, I64]>;

def DSR1_NonNegI64Attr : ConfinedAttr<I64Attr, [IntNonNegative]>;
def DSR1_PositiveI64Attr : ConfinedAttr<I64Attr, [IntPositive]>;
def DSR1_OptI64Array : DefaultValuedAttr<DenseI64ArrayAttr, "{}">;

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

// Every dsr1 op is free of side effects and infers its result types. A written result type must
// equal the inferred one: the custom assembly prints no result types, so anything else would not
// survive a print / parse round trip. Shapes get more static by refining the operands.
//
// Ops implement `inferReturnTypes(context, location, Adaptor, types)`. The generic entry point is
// written here rather than taken from InferTypeOpAdaptor because the parser of a custom assembly
// format calls it before the attributes of `attr-dict` are moved into the op's properties, and
// the adaptor must see them (see inferWithAdaptor in DSR1Ops.cpp).
class DSR1_Op<string mnemonic, list<Trait> traits = []>
    : Op<DSR1_Dialect, mnemonic,
         traits # [Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  code inferDecl = [{
    static ::llvm::LogicalResult inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types);
  }];
  code inferDef = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, ::mlir::ValueRange operands,
        ::mlir::DictionaryAttr attributes, ::mlir::OpaqueProperties properties,
        ::mlir::RegionRange regions, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferWithAdaptor<$cppClass>(context, location, operands, attributes, properties,
                                         regions, types);
    }
  }];
  let extraClassDeclaration = inferDecl;
  let extraClassDefinition = inferDef;
}

class DSR1_UnaryOp<string mnemonic, Type tensorType, string what, list<Trait> traits = []>
    : DSR1_Op<mnemonic, traits> {
  let summary = "elementwise " # what;
  let description = "Applies " # what # " to every element; the result has the input's type." #
    "\n\n```mlir\n%y = dsr1." # mnemonic # " %x : tensor<2x?xf32>\n```";
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location>, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      types.push_back(adaptor.getInput().getType());
      return ::mlir::success();
    }
  }];
}

// Binary elementwise op with numpy broadcasting. `resultElement` empty: the operands' element type.
class DSR1_BinaryOp<string mnemonic, Type operandType, string what, string resultElement = "",
                    Type resultType = operandType, list<Trait> traits = []>
    : DSR1_Op<mnemonic, traits # [AllElementTypesMatch<["lhs", "rhs"]>]> {
  let summary = "elementwise " # what # " with numpy broadcasting";
  let description = "Computes " # what # " of the operands broadcast against each other " #
    "(numpy rules: shapes aligned at the right, a dimension of 1 stretches)." #
    "\n\n```mlir\n%z = dsr1." # mnemonic # " %x, %y : tensor<4x1xf32>, tensor<3xf32>\n```";
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs resultType:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::dsr1::inferBroadcastResult(location, getOperationName(),
          {adaptor.getLhs().getType(), adaptor.getRhs().getType()}, }] #
          !if(!empty(resultElement), "::mlir::Type()", resultElement) # [{, types);
    }
  }];
  let hasFolder = 1;
}

class DSR1_CompareOp<string mnemonic, string what>
    : DSR1_BinaryOp<mnemonic, DSR1_NumericTensor, what,
                    "::mlir::IntegerType::get(context, 1)", DSR1_BoolTensor>;

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

def DSR1_AbsOp : DSR1_UnaryOp<"abs", DSR1_SignedTensor, "absolute value"> {
  let hasFolder = 1;
}
def DSR1_CeilOp : DSR1_UnaryOp<"ceil", DSR1_FloatTensor, "rounding up"> {
  let hasFolder = 1;
}
def DSR1_AcosOp : DSR1_UnaryOp<"acos", DSR1_FloatTensor, "the arc cosine">;
def DSR1_AsinOp : DSR1_UnaryOp<"asin", DSR1_FloatTensor, "the arc sine">;
def DSR1_AtanOp : DSR1_UnaryOp<"atan", DSR1_FloatTensor, "the arc tangent">;
def DSR1_CosOp : DSR1_UnaryOp<"cos", DSR1_FloatTensor, "cosine">;
def DSR1_ErfOp : DSR1_UnaryOp<"erf", DSR1_FloatTensor, "the error function">;
def DSR1_ExpOp : DSR1_UnaryOp<"exp", DSR1_FloatTensor, "the natural exponential">;
def DSR1_FloorOp : DSR1_UnaryOp<"floor", DSR1_FloatTensor, "rounding down"> {
  let hasFolder = 1;
}
def DSR1_LogOp : DSR1_UnaryOp<"log", DSR1_FloatTensor, "the natural logarithm">;
def DSR1_NegOp : DSR1_UnaryOp<"neg", DSR1_SignedTensor, "negation"> {
  let hasFolder = 1;
}
def DSR1_NotOp : DSR1_UnaryOp<"not", DSR1_BitsTensor,
                              "logical not (bitwise on integers)"> {
  let hasFolder = 1;
}
def DSR1_ReciprocalOp : DSR1_UnaryOp<"reciprocal", DSR1_FloatTensor, "1 / x"> {
  let hasFolder = 1;
}
def DSR1_ReluOp : DSR1_UnaryOp<"relu", DSR1_SignedTensor, "max(x, 0)"> {
  let hasFolder = 1;
}
def DSR1_RoundOp : DSR1_UnaryOp<"round", DSR1_FloatTensor, "rounding half to even"> {
  let hasFolder = 1;
}
def DSR1_RsqrtOp : DSR1_UnaryOp<"rsqrt", DSR1_FloatTensor, "1 / sqrt(x)">;
def DSR1_SigmoidOp : DSR1_UnaryOp<"sigmoid", DSR1_FloatTensor, "the logistic function">;
def DSR1_SignOp : DSR1_UnaryOp<"sign", DSR1_SignedTensor, "the sign (-1, 0 or 1)"> {
  let hasFolder = 1;
}
def DSR1_SinOp : DSR1_UnaryOp<"sin", DSR1_FloatTensor, "sine">;
def DSR1_SoftplusOp : DSR1_UnaryOp<"softplus", DSR1_FloatTensor, "log(1 + exp(x))">;
def DSR1_SqrtOp : DSR1_UnaryOp<"sqrt", DSR1_FloatTensor, "the square root"> {
  let hasFolder = 1;
}
def DSR1_TanhOp : DSR1_UnaryOp<"tanh", DSR1_FloatTensor, "the hyperbolic tangent">;

// Unary ops with parameters.
def DSR1_ClipOp : DSR1_UnaryOp<"clip", DSR1_NumericTensor, "clamping to [min, max]"> {
  let arguments = (ins DSR1_NumericTensor:$input, OptionalAttr<F64Attr>:$min,
                   OptionalAttr<F64Attr>:$max);
  let hasVerifier = 1;
}
def DSR1_EluOp : DSR1_UnaryOp<"elu", DSR1_FloatTensor, "x if x > 0 else alpha * (exp(x) - 1)"> {
  let arguments = (ins DSR1_FloatTensor:$input, DefaultValuedAttr<F64Attr, "1.0">:$alpha);
}
def DSR1_GeluOp : DSR1_UnaryOp<"gelu", DSR1_FloatTensor,
    "x * Phi(x), exactly (erf) or with the tanh approximation"> {
  let arguments = (ins DSR1_FloatTensor:$input,
      DefaultValuedAttr<DSR1_GeluApproximationAttr, "::dsr1::GeluApproximation::none">:
          $approximate);
}
def DSR1_HardSigmoidOp : DSR1_UnaryOp<"hard_sigmoid", DSR1_FloatTensor,
    "max(0, min(1, alpha * x + beta))"> {
  let arguments = (ins DSR1_FloatTensor:$input, DefaultValuedAttr<F64Attr, "0.2">:$alpha,
                   DefaultValuedAttr<F64Attr, "0.5">:$beta);
}
def DSR1_LeakyReluOp : DSR1_UnaryOp<"leaky_relu", DSR1_FloatTensor,
    "x if x >= 0 else alpha * x"> {
  let arguments = (ins DSR1_FloatTensor:$input, DefaultValuedAttr<F64Attr, "0.01">:$alpha);
}

//===----------------------------------------------------------------------===//
// Elementwise binary and ternary
//===----------------------------------------------------------------------===//

def DSR1_AddOp : DSR1_BinaryOp<"add", DSR1_NumericTensor, "addition", "", DSR1_NumericTensor,
                               [Commutative]>;
def DSR1_DivOp : DSR1_BinaryOp<"div", DSR1_NumericTensor, "division">;
def DSR1_MaxOp : DSR1_BinaryOp<"max", DSR1_NumericTensor, "maximum", "", DSR1_NumericTensor,
                               [Commutative]>;
def DSR1_MinOp : DSR1_BinaryOp<"min", DSR1_NumericTensor, "minimum", "", DSR1_NumericTensor,
                               [Commutative]>;
def DSR1_ModOp : DSR1_Op<"mod", [AllElementTypesMatch<["lhs", "rhs"]>]> {
  let summary = "elementwise remainder with numpy broadcasting";
  let description = [{
    ONNX Mod. With `fmod`, C's fmod: the remainder of the division truncated toward zero, with
    the sign of `lhs` (exact for floats, whatever the magnitudes). Without it, numpy's mod (Python's
    `%`): the remainder of the division rounded down, with the sign of `rhs`; for floats
    `x mod inf` is x when the signs agree and inf (with rhs's sign) when they differ, and a zero
    result takes the sign of rhs. A float `x mod 0` is NaN; an integer one is 0, as in numpy
    (never a trap).

    ```mlir
    %r = dsr1.mod %x, %y : tensor<4xf32>, tensor<f32>
    %t = dsr1.mod %a, %b {fmod = true} : tensor<4xi32>, tensor<4xi32>
    ```
  }];
  let arguments = (ins DSR1_NumericTensor:$lhs, DSR1_NumericTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$fmod);
  let results = (outs DSR1_NumericTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::dsr1::inferBroadcastResult(location, getOperationName(),
          {adaptor.getLhs().getType(), adaptor.getRhs().getType()}, ::mlir::Type(), types);
    }
  }];
  let hasFolder = 1;
}
def DSR1_MulOp : DSR1_BinaryOp<"mul", DSR1_NumericTensor, "multiplication", "",
                               DSR1_NumericTensor, [Commutative]>;
def DSR1_PowOp : DSR1_BinaryOp<"pow", DSR1_NumericTensor, "exponentiation (lhs ** rhs)"> {
  let description = [{
    `lhs ** rhs` with numpy broadcasting, both operands of one element type. On integers the
    product wraps in the type (as numpy's integer power does); a negative exponent gives the
    truncated real result, which is 0 unless the base is 1 or -1 (numpy refuses integer bases
    with negative integer exponents; a zero base gives 0 rather than a trap, as integer
    division by zero does).

    ```mlir
    %z = dsr1.pow %x, %y : tensor<4x1xf32>, tensor<3xf32>
    %n = dsr1.pow %i, %e : tensor<3xi32>, tensor<i32>
    ```
  }];
}
def DSR1_SubOp : DSR1_BinaryOp<"sub", DSR1_NumericTensor, "subtraction">;

def DSR1_AndOp : DSR1_BinaryOp<"and", DSR1_BitsTensor, "logical and (bitwise on integers)", "",
                               DSR1_BitsTensor, [Commutative]>;
def DSR1_OrOp : DSR1_BinaryOp<"or", DSR1_BitsTensor, "logical or (bitwise on integers)", "",
                              DSR1_BitsTensor, [Commutative]>;
def DSR1_XorOp : DSR1_BinaryOp<"xor", DSR1_BitsTensor,
                               "logical exclusive or (bitwise on integers)", "",
                               DSR1_BitsTensor, [Commutative]>;

// Shifts by an amount outside [0, bit width) are defined (ONNX BitShift, opset 28): every bit
// shifted out.
def DSR1_ShiftLeftOp : DSR1_BinaryOp<"shift_left", DSR1_IntegerTensor, "left shift"> {
  let description = [{
    `lhs << rhs` with numpy broadcasting; an amount that is negative or not less than the bit
    width gives 0.

    ```mlir
    %z = dsr1.shift_left %x, %n : tensor<4xui8>, tensor<1xui8>
    ```
  }];
}
def DSR1_ShiftRightOp : DSR1_BinaryOp<"shift_right", DSR1_IntegerTensor, "right shift"> {
  let description = [{
    `lhs >> rhs` with numpy broadcasting: logical for unsigned types, arithmetic (the sign bit
    copied in) for signed ones. An amount that is negative or not less than the bit width gives
    0, or -1 for a negative signed `lhs`.

    ```mlir
    %z = dsr1.shift_right %x, %n : tensor<4xi32>, tensor<4xi32>
    ```
  }];
}

def DSR1_EqualOp : DSR1_CompareOp<"equal", "lhs == rhs">;
def DSR1_GreaterOp : DSR1_CompareOp<"greater", "lhs > rhs">;
def DSR1_GreaterEqualOp : DSR1_CompareOp<"greater_equal", "lhs >= rhs">;
def DSR1_LessOp : DSR1_CompareOp<"less", "lhs < rhs">;
def DSR1_LessEqualOp : DSR1_CompareOp<"less_equal", "lhs <= rhs">;

def DSR1_WhereOp : DSR1_Op<"where", [AllElementTypesMatch<["x", "y"]>]> {
  let summary = "elementwise select with numpy broadcasting";
  let description = [{
    `x` where `condition` holds, else `y`; the three operands broadcast together.

    ```mlir
    %r = dsr1.where %mask, %x, %y : tensor<1x1x4x4xi1>, tensor<2x12x4x4xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins DSR1_BoolTensor:$condition, DSR1_Tensor:$x, DSR1_Tensor:$y);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $x `,` $y attr-dict `:` type($condition) `,` type($x) `,` type($y)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def DSR1_MatMulOp : DSR1_Op<"matmul", [AllElementTypesMatch<["lhs", "rhs"]>]> {
  let summary = "matrix product with numpy batch broadcasting";
  let description = [{
    numpy.matmul semantics: the last two dimensions multiply, leading (batch) dimensions broadcast;
    a 1-D operand is a vector (promoted, then the added dimension removed). The contracted
    dimensions must agree where both are known.

    ```mlir
    %c = dsr1.matmul %a, %b : tensor<8x?x64x32xf16>, tensor<32x16xf16>  // -> tensor<8x?x64x16xf16>
    ```
  }];
  let arguments = (ins DSR1_NumericTensor:$lhs, DSR1_NumericTensor:$rhs,
                   OptionalAttr<DSR1_PrecisionAttr>:$precision);
  let results = (outs DSR1_NumericTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
}

def DSR1_GemmOp : DSR1_Op<"gemm", [AllElementTypesMatch<["a", "b"]>]> {
  let summary = "general matrix multiply: alpha * op(a) * op(b) + beta * c";
  let description = [{
    ONNX Gemm: `a` and `b` are 2-D, optionally transposed; the optional `c` broadcasts to the
    [M, N] result.

    ```mlir
    %y = dsr1.gemm %x, %w, %b {trans_b = true} : tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins DSR1_NumericTensor:$a, DSR1_NumericTensor:$b,
                   Optional<DSR1_NumericTensor>:$c,
                   DefaultValuedAttr<F64Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F64Attr, "1.0">:$beta,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_b,
                   OptionalAttr<DSR1_PrecisionAttr>:$precision);
  let results = (outs DSR1_NumericTensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` type($a) `,` type($b) (`,` type($c)^)?
  }];
}

// Floats, and the wide signless integers an integer convolution sums in.
def DSR1_ConvTensor : RankedTensorOf<[DSR1_FloatType, I32, I64]>;

def DSR1_ConvOp : DSR1_Op<"conv", [AllElementTypesMatch<["input", "weight"]>]> {
  let summary = "1-D, 2-D or 3-D convolution (NC[D]HW), grouped and dilated";
  let description = [{
    ONNX Conv semantics. `input` is [N, C, spatial...], `weight` [M, C / group, kernel...], the
    optional `bias` [M]. `strides` and `dilations` have one entry per spatial dimension (empty: all
    1); `pads` has the begin paddings of every spatial dimension, then the end paddings (empty: no
    padding). Integer convolutions (i32, i64: ONNX ConvInteger and QLinearConv, after widening
    their 8-bit operands) sum in their element type and wrap, as numpy's do.

    ```mlir
    %y = dsr1.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
        : tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins DSR1_ConvTensor:$input, DSR1_ConvTensor:$weight,
                   Optional<DSR1_ConvTensor>:$bias,
                   DSR1_OptI64Array:$strides, DSR1_OptI64Array:$pads,
                   DSR1_OptI64Array:$dilations,
                   DefaultValuedAttr<DSR1_PositiveI64Attr, "1">:$group,
                   OptionalAttr<DSR1_PrecisionAttr>:$precision);
  let results = (outs DSR1_ConvTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)?
  }];
}

def DSR1_ConvTransposeOp : DSR1_Op<"conv_transpose",
    [AllElementTypesMatch<["input", "weight"]>]> {
  let summary = "transposed (fractionally strided) convolution, NC[D]HW";
  let description = [{
    ONNX ConvTranspose with explicit pads: `input` [N, C, spatial...], `weight`
    [C, M / group, kernel...], optional `bias` [M]. Each output dim is
    stride * (in - 1) + output_padding + dilation * (kernel - 1) + 1 - pad_begin - pad_end.

    ```mlir
    %y = dsr1.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                                     output_padding = array<i64: 1, 1>}
        : tensor<1x8x16x16xf32>, tensor<8x4x3x3xf32>  // -> tensor<1x4x32x32xf32>
    ```
  }];
  let arguments = (ins DSR1_FloatTensor:$input, DSR1_FloatTensor:$weight,
                   Optional<DSR1_FloatTensor>:$bias,
                   DSR1_OptI64Array:$strides, DSR1_OptI64Array:$pads,
                   DSR1_OptI64Array:$dilations, DSR1_OptI64Array:$output_padding,
                   DefaultValuedAttr<DSR1_PositiveI64Attr, "1">:$group,
                   OptionalAttr<DSR1_PrecisionAttr>:$precision);
  let results = (outs DSR1_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)?
  }];
}

def DSR1_AttentionOp : DSR1_Op<"attention", [AllElementTypesMatch<["query", "key", "value"]>,
                                               AttrSizedOperandSegments]> {
  let summary = "scaled dot-product multi-head attention";
  let description = [{
    softmax(scale * Q Kᵀ + mask) V per head. Two layouts:
    - rank 3, heads packed in the last dimension: q [B, Sq, H*Dk], k [B, Skv, H*Dk],
      v [B, Skv, H*Dv] → [B, Sq, H*Dv];
    - rank 4, heads explicit: q [B, H, Sq, Dk], k [B, H, Skv, Dk], v [B, H, Skv, Dv] →
      [B, H, Sq, Dv].
    `scale` defaults to 1/sqrt(Dk). The optional `mask` broadcasts to [B, H, Sq, Skv]: i1 keeps
    the positions that are true, a float mask (of any float type) is added to the scores. `softcap` (ONNX Attention,
    Gemma 2) bounds the scaled scores s to softcap * tanh(s / softcap) before the mask applies, so
    masked positions stay -inf.

    Which keys a query sees, on top of the mask (a KV cache, padding, local attention):
    - `kv_lengths` (integer [B]): only the first kv_lengths[b] keys of batch b are valid, the
      rest is padding (a cache of capacity Skv filled up to kv_lengths[b]).
    - Query i stands at position p = i in the key sequence; p = i + `query_offset` when the
      queries follow that many earlier keys (a KV cache of that length); or, with
      `bottom_right`, p = i + L - Sq where L is kv_lengths[b] (else Skv): the queries are the
      last Sq tokens of the valid keys, as in decoding over a padded cache. p may be
      negative. `query_offset` and `bottom_right` exclude each other.
    - `causal` lets query i see keys j <= p only (the PyTorch and ONNX convention; top-left
      aligned, j <= i, without an offset, also when Sq != Skv).
    - `window_left` / `window_right` (non-negative; absent: unbounded) let it see keys with
      p - window_left <= j <= p + window_right (sliding-window attention).
    A query that sees no key (every score -inf) yields zeros.

    Self-attention is the case where q, k and v come from the same source; `query_modality`
    and `kv_modality` record where q and k/v come from (text, image, audio), which makes
    cross-modal attention visible to later passes.

    With `return_scores`, a second result holds the [B, H, Sq, Skv] scores at one stage (ONNX
    Attention's qk_matmul_output, or attention weights a model returns): `raw` scale * Q Kᵀ,
    `capped` after the softcap, `biased` after the softcap, the mask and every -inf of the
    visibility rules above, `probs` the softmax weights (zero rows where no key is visible).
    A fused kernel never materialises the scores, so code generation may refuse this form.

    ```mlir
    %o = dsr1.attention %q, %k, %v {num_heads = 12 : i64, query_modality = #dsr1.modality<text>,
                                    kv_modality = #dsr1.modality<image>}
        : tensor<2x16x768xf16>, tensor<2x197x768xf16>, tensor<2x197x768xf16>
    // One decoding step over a padded cache of 64 positions, with a 16-key window.
    %y = dsr1.attention %q1, %kc, %vc kv_lengths %len : tensor<2xi64>
             {num_heads = 8 : i64, causal, bottom_right, window_left = 16 : i64}
        : tensor<2x8x1x64xf16>, tensor<2x8x64x64xf16>, tensor<2x8x64x64xf16>
    ```
  }];
  let arguments = (ins DSR1_FloatTensor:$query, DSR1_FloatTensor:$key, DSR1_FloatTensor:$value,
                   Optional<RankedTensorOf<[DSR1_FloatType, I1]>>:$mask,
                   Optional<DSR1_IndexTensor>:$kv_lengths,
                   DSR1_PositiveI64Attr:$num_heads,
                   OptionalAttr<F64Attr>:$scale,
                   UnitAttr:$causal,
                   DefaultValuedAttr<DSR1_ModalityAttr, "::dsr1::Modality::unknown">:
                       $query_modality,
                   DefaultValuedAttr<DSR1_ModalityAttr, "::dsr1::Modality::unknown">:$kv_modality,
                   OptionalAttr<DSR1_PrecisionAttr>:$precision,
                   OptionalAttr<F64Attr>:$softcap,
                   UnitAttr:$bottom_right,
                   OptionalAttr<I64Attr>:$query_offset,
                   OptionalAttr<I64Attr>:$window_left,
                   OptionalAttr<I64Attr>:$window_right,
                   OptionalAttr<DSR1_AttentionScoresAttr>:$return_scores);
  let results = (outs DSR1_FloatTensor:$result, Optional<DSR1_FloatTensor>:$scores);
  // Builders for plain attention (no softcap, padding, window or scores), which is all most
  // sources set.
  let builders = [
    OpBuilder<(ins "::mlir::TypeRange":$resultTypes, "::mlir::Value":$query, "::mlir::Value":$key,
                   "::mlir::Value":$value, "::mlir::Value":$mask, "uint64_t":$num_heads,
                   "::mlir::FloatAttr":$scale, "bool":$causal,
                   "::dsr1::Modality":$query_modality, "::dsr1::Modality":$kv_modality,
                   "::dsr1::PrecisionAttr":$precision), [{
      build($_builder, $_state, resultTypes, query, key, value, mask, /*kv_lengths=*/{},
            num_heads, scale, causal, query_modality, kv_modality, precision,
            /*softcap=*/::mlir::FloatAttr(), /*bottom_right=*/false,
            /*query_offset=*/::mlir::IntegerAttr(), /*window_left=*/::mlir::IntegerAttr(),
            /*window_right=*/::mlir::IntegerAttr(), /*return_scores=*/nullptr);
    }]>,
    OpBuilder<(ins "::mlir::Value":$query, "::mlir::Value":$key, "::mlir::Value":$value,
                   "::mlir::Value":$mask, "uint64_t":$num_heads, "::mlir::FloatAttr":$scale,
                   "bool":$causal, "::dsr1::Modality":$query_modality,
                   "::dsr1::Modality":$kv_modality, "::dsr1::PrecisionAttr":$precision), [{
      build($_builder, $_state, query, key, value, mask, /*kv_lengths=*/{}, num_heads, scale,
            causal, query_modality, kv_modality, precision, /*softcap=*/::mlir::FloatAttr(),
            /*bottom_right=*/false, /*query_offset=*/::mlir::IntegerAttr(),
            /*window_left=*/::mlir::IntegerAttr(),
            /*window_right=*/::mlir::IntegerAttr(), /*return_scores=*/nullptr);
    }]>
  ];
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^)? (`kv_lengths` $kv_lengths^ `:` type($kv_lengths))?
    attr-dict `:` type($query) `,` type($key) `,` type($value) (`,` type($mask)^)?
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling, reductions and normalisations
//===----------------------------------------------------------------------===//

class DSR1_PoolOp<string mnemonic, string what> : DSR1_Op<mnemonic> {
  let summary = what # " pooling over the spatial dimensions (NC[D]HW)";
  let description = "ONNX " # what # "Pool semantics: `kernel_shape`, `strides`, `dilations` " #
    "one entry per spatial dimension, `pads` the begins then the ends; `ceil_mode` rounds the " #
    "output size up." #
    "\n\n```mlir\n%y = dsr1." # mnemonic # " %x {kernel_shape = array<i64: 3, 3>, " #
    "strides = array<i64: 2, 2>} : tensor<1x64x112x112xf32>\n```";
  let results = (outs DSR1_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferPool<$cppClass>(location, adaptor, types);
    }
  }];
}

def DSR1_AvgPoolOp : DSR1_PoolOp<"avg_pool", "average"> {
  let arguments = (ins DSR1_FloatTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                   DSR1_OptI64Array:$strides, DSR1_OptI64Array:$pads,
                   DSR1_OptI64Array:$dilations,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                   DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
}
// ONNX MaxPool also takes int8 and uint8 (images); the other integers come along at no cost.
def DSR1_MaxPoolOp : DSR1_PoolOp<"max_pool", "max"> {
  let arguments = (ins DSR1_NumericTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                   DSR1_OptI64Array:$strides, DSR1_OptI64Array:$pads,
                   DSR1_OptI64Array:$dilations,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs DSR1_NumericTensor:$result);
}

def DSR1_MaxPoolIndicesOp : DSR1_Op<"max_pool_indices"> {
  let summary = "where each window of max pooling takes its maximum (ONNX MaxPool's Indices)";
  let description = [{
    The windows of `dsr1.max_pool` with the same attributes; each result is the flat index, into
    the whole input, of the first element (in window order) that is larger than every earlier one
    of its window, padding excluded; -1 for a window that holds only padding. The spatial
    position is laid out row-major, or with `column_major` (ONNX storage_order = 1) the first
    spatial dim fastest; the batch and channel always come first:
    (n * C + c) * prod(spatial) + position.

    ```mlir
    %i = dsr1.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : tensor<1x3x4x4xf32>  // -> tensor<1x3x2x2xi64>
    ```
  }];
  let arguments = (ins DSR1_NumericTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                   DSR1_OptI64Array:$strides, DSR1_OptI64Array:$pads,
                   DSR1_OptI64Array:$dilations,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                   DefaultValuedAttr<BoolAttr, "false">:$column_major);
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      if (::mlir::failed(inferPool<$cppClass>(location, adaptor, types)))
        return ::mlir::failure();
      types.back() = ::mlir::cast<::mlir::RankedTensorType>(types.back())
                         .clone(::mlir::IntegerType::get(context, 64));
      return ::mlir::success();
    }
  }];
}

class DSR1_GlobalPoolOp<string mnemonic, string what> : DSR1_Op<mnemonic> {
  let summary = "global " # what # " pooling: every spatial dimension reduced to 1";
  let description = "[N, C, spatial...] → [N, C, 1...]." #
    "\n\n```mlir\n%y = dsr1." # mnemonic # " %x : tensor<1x1280x7x7xf32>\n```";
  let arguments = (ins DSR1_FloatTensor:$input);
  let results = (outs DSR1_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferGlobalPool(location, getOperationName(), adaptor.getInput(), types);
    }
  }];
}
def DSR1_GlobalAvgPoolOp : DSR1_GlobalPoolOp<"global_avg_pool", "average">;
def DSR1_GlobalMaxPoolOp : DSR1_GlobalPoolOp<"global_max_pool", "max">;

class DSR1_ReduceOp<string mnemonic, string what, Type tensorType = DSR1_NumericTensor>
    : DSR1_Op<mnemonic> {
  let summary = what # " over the given axes";
  let description = "Reduces `axes` (empty: all of them); `keepdims` keeps them as size 1." #
    "\n\n```mlir\n%s = dsr1." # mnemonic # " %x axes [1] : tensor<4x?x8xf32>\n```";
  let arguments = (ins tensorType:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input `axes` $axes attr-dict `:` type($input)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferReduce(location, getOperationName(), adaptor.getInput(),
                         adaptor.getAxes(), adaptor.getKeepdims(), types);
    }
  }];
  let hasFolder = 1;
}
// On bools (ONNX ReduceMax / ReduceMin from opset 20) max is any and min is all.
def DSR1_ReduceMaxOp : DSR1_ReduceOp<"reduce_max", "maximum", DSR1_Tensor>;
def DSR1_ReduceMeanOp : DSR1_ReduceOp<"reduce_mean", "mean">;
def DSR1_ReduceMinOp : DSR1_ReduceOp<"reduce_min", "minimum", DSR1_Tensor>;
def DSR1_ReduceProdOp : DSR1_ReduceOp<"reduce_prod", "product">;
def DSR1_ReduceSumOp : DSR1_ReduceOp<"reduce_sum", "sum">;

class DSR1_ArgReduceOp<string mnemonic, string what> : DSR1_Op<mnemonic> {
  let summary = "index of the " # what # " along one axis";
  let description = "The i64 index of the " # what # " along `axis` (the first one, or the " #
    "last with `select_last_index`); `keepdims` keeps the axis as size 1." #
    "\n\n```mlir\n%i = dsr1." # mnemonic # " %x axis 1 {keepdims = false} : tensor<2x?xf32>\n```";
  let arguments = (ins DSR1_NumericTensor:$input, DSR1_NonNegI64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferArgReduce(context, location, getOperationName(), adaptor.getInput(),
                            adaptor.getAxis(), adaptor.getKeepdims(), types);
    }
  }];
}
def DSR1_ArgMaxOp : DSR1_ArgReduceOp<"arg_max", "maximum">;
def DSR1_ArgMinOp : DSR1_ArgReduceOp<"arg_min", "minimum">;

class DSR1_SoftmaxOpBase<string mnemonic, string what> : DSR1_Op<mnemonic> {
  let summary = what # " along one axis";
  let description = "Normalises along `axis`; the statistics are computed in f32 whatever the " #
    "storage type.\n\n```mlir\n%p = dsr1." # mnemonic # " %x axis 3 : tensor<2x12x?x?xf16>\n```";
  let arguments = (ins DSR1_FloatTensor:$input, DSR1_NonNegI64Attr:$axis);
  let results = (outs DSR1_FloatTensor:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferAlongAxis(location, getOperationName(), adaptor.getInput(),
                          adaptor.getAxis(), types);
    }
  }];
}
class DSR1_CumulativeOp<string mnemonic, string what, string identity>
    : DSR1_Op<mnemonic> {
  let summary = "cumulative " # what # " along one axis";
  let description = "y[..., i, ...] = the " # what # " of x[..., j, ...] for j <= i (j < i " #
    "when `exclusive`, where the first element is " # identity # "; from the end when " #
    "`reverse`).\n\n```mlir\n%p = dsr1." # mnemonic # " %x axis 1 : tensor<2x16xi64>\n```";
  let arguments = (ins DSR1_NumericTensor:$input, DSR1_NonNegI64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs DSR1_NumericTensor:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
  let extraClassDefinition = inferDef # [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferAlongAxis(location, getOperationName(), adaptor.getInput(),
                            adaptor.getAxis(), types);
    }
  }];
}
def DSR1_CumSumOp : DSR1_CumulativeOp<"cumsum", "sum", "0">;
def DSR1_CumProdOp : DSR1_CumulativeOp<"cumprod", "product", "1">;

def DSR1_TopKOp : DSR1_Op<"top_k"> {
  let summary = "the k largest (or smallest) elements along one axis, and their indices";
  let description = [{
    Along `axis`, the k largest elements (`largest`) or smallest, in order when `sorted`
    (ties: the lower index first), and their i64 indices.

    ```mlir
    %v, %i = dsr1.top_k %scores k 5 axis 1 : tensor<2x100xf32>
    ```
  }];
  let arguments = (ins DSR1_NumericTensor:$input, DSR1_NonNegI64Attr:$k,
                   DSR1_NonNegI64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$largest,
                   DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs DSR1_NumericTensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input `k` $k `axis` $axis attr-dict `:` type($input)";
}

def DSR1_LogSoftmaxOp : DSR1_SoftmaxOpBase<"log_softmax", "log of softmax">;
def DSR1_SoftmaxOp : DSR1_SoftmaxOpBase<"softmax", "softmax">;

def DSR1_LayerNormOp : DSR1_Op<"layer_norm",
    [AllElementTypesMatch<["input", "scale"]>]> {
  let summary = "layer normalisation over the trailing dimensions from `axis`";
  let description = [{
    (x - mean) / sqrt(var + epsilon) * scale + bias, the statistics over dimensions
    [axis, rank); `scale` and the optional `bias` have the normalised shape (or broadcast to it).

    ```mlir
    %y = dsr1.layer_norm %x, %gamma, %beta axis 2 {epsilon = 1.0e-05 : f64}
        : tensor<2x?x768xf32>, tensor<768xf32>, tensor<768xf32>
    ```
  }];
  let arguments = (ins DSR1_FloatTensor:$input, DSR1_FloatTensor:$scale,
                   Optional<DSR1_FloatTensor>:$bias, DSR1_NonNegI64Attr:$axis,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DSR1_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? `axis` $axis attr-dict `:` type($input) `,` type($scale)
    (`,` type($bias)^)?
  }];
}

def DSR1_BatchNormOp : DSR1_Op<"batch_norm",
    [AllElementTypesMatch<["input", "scale", "bias", "mean", "variance"]>]> {
  let summary = "batch normalisation (inference) over the channel dimension 1";
  let description = [{
    (x - mean[c]) / sqrt(variance[c] + epsilon) * scale[c] + bias[c]; every parameter is [C].

    ```mlir
    %y = dsr1.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f64} : tensor<1x32x56x56xf32>,
        tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>
    ```
  }];
  let arguments = (ins DSR1_FloatTensor:$input, DSR1_FloatTensor:$scale,
                   DSR1_FloatTensor:$bias, DSR1_FloatTensor:$mean,
                   DSR1_FloatTensor:$variance,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DSR1_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` type($input) `,`
    type($scale) `,` type($bias) `,` type($mean) `,` type($variance)
  }];
}

def DSR1_InstanceNormOp : DSR1_Op<"instance_norm",
    [AllElementTypesMatch<["input", "scale", "bias"]>]> {
  let summary = "instance normalisation: statistics per sample and channel";
  let description = [{
    The mean and variance are taken over the spatial dimensions of each [n, c]; `scale` and
    `bias` are [C].

    ```mlir
    %y = dsr1.instance_norm %x, %s, %b : tensor<2x8x?xf32>, tensor<8xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins DSR1_FloatTensor:$input, DSR1_FloatTensor:$scale,
                   DSR1_FloatTensor:$bias, DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DSR1_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` type($input) `,` type($scale) `,` type($bias)
  }];
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def DSR1_CastOp : DSR1_Op<"cast"> {
  let summary = "element type conversion";
  let description = [{
    Converts every element to `to`; the shape is unchanged. Every change of storage precision in
    a dsr1 graph is an explicit cast.

    Floats round to nearest, ties to even. A float too large for a narrow float target (the
    8- and 4-bit formats) becomes its largest finite value when `saturate` is set (the default),
    else infinity or NaN as the format has them; `f4E2M1FN`, which has neither, always saturates.
    `f8E8M0FNU` (a power of two, no sign) rounds the significand as `round_mode` says. Floats to
    integers truncate toward zero; integers to narrower integers, including the 4- and 2-bit
    ones, keep the low bits.

    ```mlir
    %h = dsr1.cast %x to f16 : tensor<2x?xf32>
    %q = dsr1.cast %x to f8E4M3FN {saturate = false} : tensor<16xf32>
    %s = dsr1.cast %x to f8E8M0FNU {round_mode = #dsr1.round_mode<nearest>} : tensor<4xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$input, TypeAttrOf<DSR1_ElementType>:$to,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate,
                       DefaultValuedAttr<DSR1_RoundModeAttr, "::dsr1::RoundMode::up">:$round_mode);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = "$input `to` $to attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def DSR1_BitCastOp : DSR1_Op<"bitcast"> {
  let summary = "reinterpret the bits of every element (ONNX BitCast)";
  let description = [{
    Each element keeps its bit pattern and is read as `to`, which must have the same bit width
    as the input's element type; the shape is unchanged. `i1` (an ONNX bool, one byte) pairs
    with 8-bit integers: a bool becomes 0 or 1, and a byte becomes true when it is not 0.

    ```mlir
    %i = dsr1.bitcast %x to i32 : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$input, TypeAttrOf<DSR1_ElementType>:$to);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = "$input `to` $to attr-dict `:` type($input)";
}

def DSR1_ConcatOp : DSR1_Op<"concat", [SameOperandsElementType]> {
  let summary = "concatenation along one axis";
  let description = [{
    All inputs have the same rank and agree in every dimension but `axis`.

    ```mlir
    %c = dsr1.concat %a, %b axis 1 : tensor<2x3xf32>, tensor<2x?xf32>  // -> tensor<2x?xf32>
    ```
  }];
  let arguments = (ins Variadic<DSR1_Tensor>:$inputs, DSR1_NonNegI64Attr:$axis);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = "$inputs `axis` $axis attr-dict `:` type($inputs)";
  let hasFolder = 1;
}

def DSR1_ConstantOp : DSR1_Op<"constant", [ConstantLike]> {
  let summary = "a constant tensor (weights are dense_resource blobs)";
  let description = [{
    ```mlir
    %c = dsr1.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %w = dsr1.constant dense_resource<fc1_weight> : tensor<768x3072xf16>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def DSR1_ExpandOp : DSR1_Op<"expand"> {
  let summary = "broadcast to a shape (ONNX Expand)";
  let description = [{
    The result shape is the numpy broadcast of the input shape and `shape`, so a 1 in `shape`
    keeps the input's dimension.

    ```mlir
    %e = dsr1.expand %x to [2, 1, 4] : tensor<3x1xf32>  // -> tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = "$input `to` $shape attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def DSR1_GatherOp : DSR1_Op<"gather"> {
  let summary = "gather slices along one axis by index (ONNX Gather)";
  let description = [{
    result = data[:axis] + indices.shape + data[axis + 1:]. Negative indices count from the end.

    ```mlir
    %e = dsr1.gather %table[%ids] axis 0 : tensor<30522x768xf32>, tensor<2x?xi64>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$data, DSR1_IndexTensor:$indices, DSR1_NonNegI64Attr:$axis);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = [{
    $data `[` $indices `]` `axis` $axis attr-dict `:` type($data) `,` type($indices)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def DSR1_GatherElementsOp : DSR1_Op<"gather_elements"> {
  let summary = "gather single elements along one axis (ONNX GatherElements)";
  let description = [{
    result[i][j][k] = data[indices[i][j][k]][j][k] for axis 0 (likewise for other axes);
    `indices` has the rank of `data` and gives the result shape. Negative indices count from the
    end.

    ```mlir
    %g = dsr1.gather_elements %data[%idx] axis 1 : tensor<3x4xf32>, tensor<3x2xi64>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$data, DSR1_IndexTensor:$indices, DSR1_NonNegI64Attr:$axis);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = [{
    $data `[` $indices `]` `axis` $axis attr-dict `:` type($data) `,` type($indices)
  }];
}

def DSR1_ScatterElementsOp : DSR1_Op<"scatter_elements",
    [AllElementTypesMatch<["data", "updates"]>]> {
  let summary = "scatter single elements along one axis (ONNX ScatterElements)";
  let description = [{
    A copy of `data` where, for each position p of `indices` (same shape as `updates`), the
    element at p with its `axis` coordinate replaced by indices[p] becomes updates[p]
    (combined with it by `reduction`).

    ```mlir
    %s = dsr1.scatter_elements %data[%idx], %upd axis 1
        : tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x4xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$data, DSR1_IndexTensor:$indices, DSR1_Tensor:$updates,
                   DSR1_NonNegI64Attr:$axis,
                   DefaultValuedAttr<DSR1_ScatterReductionAttr,
                                     "::dsr1::ScatterReduction::none">:$reduction);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = [{
    $data `[` $indices `]` `,` $updates `axis` $axis attr-dict `:` type($data) `,`
    type($indices) `,` type($updates)
  }];
}

def DSR1_ScatterNDOp : DSR1_Op<"scatter_nd", [AllElementTypesMatch<["data", "updates"]>]> {
  let summary = "scatter slices at N-d indices (ONNX ScatterND)";
  let description = [{
    A copy of `data` where each index tuple indices[i..., :] (of length k) names a slice
    data[t0, ..., tk-1, ...] that becomes updates[i..., ...] (combined by `reduction`);
    updates.shape = indices.shape[:-1] + data.shape[k:].

    ```mlir
    %s = dsr1.scatter_nd %data[%idx], %upd : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$data, DSR1_IndexTensor:$indices, DSR1_Tensor:$updates,
                   DefaultValuedAttr<DSR1_ScatterReductionAttr,
                                     "::dsr1::ScatterReduction::none">:$reduction);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = [{
    $data `[` $indices `]` `,` $updates attr-dict `:` type($data) `,` type($indices) `,`
    type($updates)
  }];
}

def DSR1_PadOp : DSR1_Op<"pad"> {
  let summary = "pad (or, with negative amounts, crop) every dimension";
  let description = [{
    `pads` holds the begin amount of every dimension, then the end amounts. `mode` is constant
    (filled with `value`), reflect, edge or wrap (element i of a dimension of size n reads the
    input at (i - begin) mod n, as if its ends were joined).

    ```mlir
    %p = dsr1.pad %x [0, 0, 1, 1, 0, 0, 1, 1] {mode = #dsr1.pad_mode<reflect>}
        : tensor<1x3x32x32xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$input, DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<DSR1_PadModeAttr, "::dsr1::PadMode::constant">:$mode,
                   DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = "$input $pads attr-dict `:` type($input)";
  let hasFolder = 1;
}

def DSR1_ReshapeOp : DSR1_Op<"reshape"> {
  let summary = "reshape to a new shape with the same number of elements";
  let description = [{
    Each entry of `shape` is a size, 0 (keep the input's dimension at that index) or -1 (the one
    dimension inferred from the element count): the ONNX Reshape rules, so symbolic batch and
    sequence dimensions survive a head split.

    ```mlir
    %h = dsr1.reshape %x to [0, 0, 12, 64] : tensor<?x?x768xf32>  // -> tensor<?x?x12x64xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = "$input `to` $shape attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def DSR1_ResizeOp : DSR1_Op<"resize"> {
  let summary = "resize by interpolation (ONNX Resize)";
  let description = [{
    Resamples `input` to the shape `sizes` (-1: the input's dim, which must not be resized:
    its scale is 1). `scales` (one per dim) are the factors the
    coordinate transform uses, which ONNX lets differ from sizes / input when a model gives
    scales: x_in = f(x_out, scale, in, out) per `coordinate_mode`. `mode` is nearest (rounded
    by `nearest_mode`), linear or cubic (with `cubic_coeff_a` and `exclude_outside`);
    `antialias` widens linear and cubic filters when downsampling. `tf_crop_and_resize` maps the
    output onto the region `roi` (the starts then the ends of every dim, as fractions of
    in - 1) and an output whose coordinate on any dim falls outside the input reads
    `extrapolation_value`; `roi` is given exactly for that mode.

    ```mlir
    %y = dsr1.resize %x to [1, 3, 64, 64] {scales = array<f64: 1.0, 1.0, 2.0, 2.0>,
                                           mode = #dsr1.resize_mode<linear>}
        : tensor<1x3x32x32xf32>
    ```
  }];
  let arguments = (ins DSR1_FloatTensor:$input, DenseI64ArrayAttr:$sizes,
                   DenseF64ArrayAttr:$scales,
                   DefaultValuedAttr<DSR1_ResizeModeAttr, "::dsr1::ResizeMode::nearest">:$mode,
                   DefaultValuedAttr<DSR1_CoordinateModeAttr,
                                     "::dsr1::CoordinateMode::half_pixel">:$coordinate_mode,
                   DefaultValuedAttr<DSR1_NearestModeAttr,
                                     "::dsr1::NearestMode::round_prefer_floor">:$nearest_mode,
                   DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
                   DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                   DefaultValuedAttr<BoolAttr, "false">:$antialias,
                   OptionalAttr<DenseF64ArrayAttr>:$roi,
                   DefaultValuedAttr<F64Attr, "0.0">:$extrapolation_value);
  let results = (outs DSR1_FloatTensor:$result);
  let assemblyFormat = "$input `to` $sizes attr-dict `:` type($input)";
}

def DSR1_GridSampleOp : DSR1_Op<"grid_sample"> {
  let summary = "sample an input at the positions of a grid (ONNX GridSample)";
  let description = [{
    `input` is (N, C, d1, ..., dr) and `grid` (N, o1, ..., or, r); the result is
    (N, C, o1, ..., or). grid[n, o1, ..., or, :] is a position in [-1, 1]^r normalised to the
    input's spatial extent, its first entry for the last spatial dim (x before y, as in
    PyTorch): with `align_corners` -1 and 1 are the centres of the corner elements, otherwise
    their outer edges. `mode` nearest rounds half to even, linear interpolates between 2^r and
    cubic (Keys, a = -0.75) between 4^r elements. `padding` says what a position outside the
    input reads: zeros, the nearest border element, or the input reflected at its borders.

    ```mlir
    %y = dsr1.grid_sample %x, %grid {mode = #dsr1.resize_mode<linear>,
                                     padding = #dsr1.grid_padding<border>}
        : tensor<1x3x32x32xf32>, tensor<1x8x8x2xf32>  // -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins DSR1_FloatTensor:$input, DSR1_FloatTensor:$grid,
                   DefaultValuedAttr<DSR1_ResizeModeAttr, "::dsr1::ResizeMode::linear">:$mode,
                   DefaultValuedAttr<DSR1_GridPaddingAttr,
                                     "::dsr1::GridPadding::zeros">:$padding,
                   DefaultValuedAttr<BoolAttr, "false">:$align_corners);
  let results = (outs DSR1_FloatTensor:$result);
  let assemblyFormat = "$input `,` $grid attr-dict `:` type($input) `,` type($grid)";
}

def DSR1_SliceOp : DSR1_Op<"slice"> {
  let summary = "strided slice (ONNX Slice semantics, static parameters)";
  let description = [{
    For each listed axis, elements from `starts` up to (not including) `ends` in steps of
    `steps`; negative starts and ends count from the end and both are clamped to the dimension,
    as in ONNX. `axes` empty: the first len(starts) axes; `steps` empty: all 1.

    ```mlir
    %s = dsr1.slice %x {starts = array<i64: 0>, ends = array<i64: -1>, axes = array<i64: 1>}
        : tensor<2x10xf32>  // -> tensor<2x9xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$input, DenseI64ArrayAttr:$starts, DenseI64ArrayAttr:$ends,
                   DSR1_OptI64Array:$axes, DSR1_OptI64Array:$steps);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def DSR1_SplitOp : DSR1_Op<"split"> {
  let summary = "split into consecutive pieces along one axis";
  let description = [{
    One result per entry of `sizes`, which add up to the dimension (when it is known).

    ```mlir
    %q, %k, %v = dsr1.split %qkv axis 2 sizes [768, 768, 768] : tensor<2x?x2304xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$input, DSR1_NonNegI64Attr:$axis, DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<DSR1_Tensor>:$results);
  let assemblyFormat = "$input `axis` $axis `sizes` $sizes attr-dict `:` type($input)";
  let hasFolder = 1;
}

def DSR1_TransposeOp : DSR1_Op<"transpose"> {
  let summary = "permute the dimensions";
  let description = [{
    result.shape[i] = input.shape[perm[i]].

    ```mlir
    %t = dsr1.transpose %x perm [0, 2, 1, 3] : tensor<2x?x12x64xf32>  // -> tensor<2x12x?x64xf32>
    ```
  }];
  let arguments = (ins DSR1_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs DSR1_Tensor:$result);
  let assemblyFormat = "$input `perm` $perm attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Recurrences
//===----------------------------------------------------------------------===//

class DSR1_RnnOp<string mnemonic, int gates, string what, string more>
    : DSR1_Op<mnemonic, [AttrSizedOperandSegments]> {
  let summary = what # " over a whole sequence (ONNX layout)";
  let description = "x [seq, batch, input]; w [dirs, " # gates # "*hidden, input]; " #
    "r [dirs, " # gates # "*hidden, hidden]; the optional bias [dirs, " # !mul(gates, 2) #
    "*hidden] (Wb then Rb) and initial states [dirs, batch, hidden]; dirs is 2 when " #
    "`direction` is bidirectional. Results: every step's hidden state [seq, dirs, batch, " #
    "hidden] and the last states [dirs, batch, hidden]. The optional `sequence_lens` [batch] " #
    "(i32 or i64) gives each batch entry its length: past it (the steps a reverse direction " #
    "meets first, too) the states stay as they are and the hidden state written is 0." # more;
  code commonDecl = "static constexpr int64_t kGates = " # gates # ";";
}

def DSR1_LstmOp : DSR1_RnnOp<"lstm", 4, "LSTM (gates i, o, f, c)", [{
    The optional `peepholes` [dirs, 3*hidden] (p_i, p_o, p_f) add p_i * C and p_f * C (the
    previous cell state) to the input and forget gates and p_o * C (the new one) to the output
    gate.

    ```mlir
    %y, %h, %c = dsr1.lstm %x, %w, %r bias %b {hidden_size = 32 : i64}
        : tensor<?x4x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> bias tensor<1x256xf32>
    ```
  }]> {
  let arguments = (ins DSR1_FloatTensor:$x, DSR1_FloatTensor:$w, DSR1_FloatTensor:$r,
                   Optional<DSR1_FloatTensor>:$bias, Optional<DSR1_FloatTensor>:$initial_h,
                   Optional<DSR1_FloatTensor>:$initial_c, Optional<DSR1_FloatTensor>:$peepholes,
                   Optional<TensorOf<[I32, I64]>>:$sequence_lens,
                   DSR1_PositiveI64Attr:$hidden_size,
                   DefaultValuedAttr<DSR1_RnnDirectionAttr, "::dsr1::RnnDirection::forward">:
                       $direction,
                   OptionalAttr<DSR1_PrecisionAttr>:$precision);
  let results = (outs DSR1_FloatTensor:$y, DSR1_FloatTensor:$y_h, DSR1_FloatTensor:$y_c);
  let assemblyFormat = [{
    $x `,` $w `,` $r (`bias` $bias^)? (`initial_h` $initial_h^)? (`initial_c` $initial_c^)?
    (`peepholes` $peepholes^)? (`sequence_lens` $sequence_lens^)?
    attr-dict `:` type($x) `,` type($w) `,` type($r) (`bias` type($bias)^)?
    (`initial_h` type($initial_h)^)? (`initial_c` type($initial_c)^)?
    (`peepholes` type($peepholes)^)? (`sequence_lens` type($sequence_lens)^)?
  }];
  let extraClassDeclaration = inferDecl # commonDecl;
}

def DSR1_GruOp : DSR1_RnnOp<"gru", 3, "GRU (gates z, r, h)", [{
    A GRU has no cell state. `linear_before_reset` applies the recurrent weights before the reset
    gate (the cuDNN / PyTorch form).

    ```mlir
    %y, %h = dsr1.gru %x, %w, %r {hidden_size = 32 : i64, linear_before_reset = true}
        : tensor<?x4x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32>
    ```
  }]> {
  let arguments = (ins DSR1_FloatTensor:$x, DSR1_FloatTensor:$w, DSR1_FloatTensor:$r,
                   Optional<DSR1_FloatTensor>:$bias, Optional<DSR1_FloatTensor>:$initial_h,
                   Optional<TensorOf<[I32, I64]>>:$sequence_lens,
                   DSR1_PositiveI64Attr:$hidden_size,
                   DefaultValuedAttr<DSR1_RnnDirectionAttr, "::dsr1::RnnDirection::forward">:
                       $direction,
                   DefaultValuedAttr<BoolAttr, "false">:$linear_before_reset,
                   OptionalAttr<DSR1_PrecisionAttr>:$precision);
  let results = (outs DSR1_FloatTensor:$y, DSR1_FloatTensor:$y_h);
  let assemblyFormat = [{
    $x `,` $w `,` $r (`bias` $bias^)? (`initial_h` $initial_h^)?
    (`sequence_lens` $sequence_lens^)? attr-dict `:` type($x) `,` type($w) `,` type($r)
    (`bias` type($bias)^)? (`initial_h` type($initial_h)^)?
    (`sequence_lens` type($sequence_lens)^)?
  }];
  let extraClassDeclaration = inferDecl # commonDecl;
}

def DSR1_SimpleRnnOp : DSR1_RnnOp<"rnn", 1, "simple (Elman) RNN", [{
    ONNX's RNN with its default activation: H = tanh(x W^T + H R^T + Wb + Rb).

    ```mlir
    %y, %h = dsr1.rnn %x, %w, %r bias %b {hidden_size = 32 : i64}
        : tensor<?x4x16xf32>, tensor<1x32x16xf32>, tensor<1x32x32xf32> bias tensor<1x64xf32>
    ```
  }]> {
  let arguments = (ins DSR1_FloatTensor:$x, DSR1_FloatTensor:$w, DSR1_FloatTensor:$r,
                   Optional<DSR1_FloatTensor>:$bias, Optional<DSR1_FloatTensor>:$initial_h,
                   Optional<TensorOf<[I32, I64]>>:$sequence_lens,
                   DSR1_PositiveI64Attr:$hidden_size,
                   DefaultValuedAttr<DSR1_RnnDirectionAttr, "::dsr1::RnnDirection::forward">:
                       $direction,
                   OptionalAttr<DSR1_PrecisionAttr>:$precision);
  let results = (outs DSR1_FloatTensor:$y, DSR1_FloatTensor:$y_h);
  let assemblyFormat = [{
    $x `,` $w `,` $r (`bias` $bias^)? (`initial_h` $initial_h^)?
    (`sequence_lens` $sequence_lens^)? attr-dict `:` type($x) `,` type($w) `,` type($r)
    (`bias` type($bias)^)? (`initial_h` type($initial_h)^)?
    (`sequence_lens` type($sequence_lens)^)?
  }];
  let extraClassDeclaration = inferDecl # commonDecl;
}

def DSR1_LinearAttentionOp : DSR1_Op<"linear_attention",
                                     [AllElementTypesMatch<["query", "key", "value"]>,
                                      AttrSizedOperandSegments]> {
  let summary = "linear attention: a recurrent state per head instead of a softmax";
  let description = [{
    The recurrence of linear attention, gated linear attention, DeltaNet and Gated DeltaNet (ONNX
    LinearAttention). q [B, T, Hq*Dk], k [B, T, Hkv*Dk], v [B, T, Hkv*Dv]; the state S [B, Hkv,
    Dk, Dv] starts at `initial_state` (zeros if absent) and per token t, for each kv head:
    - `gated` / `gated_delta`: S = exp(g_t) S, with `decay` g [B, T, Hkv] (one gate per head) or
      [B, T, Hkv*Dk] (one per key feature, scaling S's rows);
    - `delta` / `gated_delta`: v_t = beta_t (v_t - Sᵀ k_t), with `beta` [B, T, Hkv] or [B, T, 1];
    - S = S + k_t ⊗ v_t; then o_t = scale * Sᵀ q_t for each query head, which reads kv head
      h / (Hq / Hkv) (grouped-query).
    `scale` defaults to 1/sqrt(Dk). Results: o [B, T, Hq*Dv] and the last state [B, Hkv, Dk, Dv]
    in the element type of `initial_state` (else of q). f16/bf16 compute in f32.

    ```mlir
    %o, %s = dsr1.linear_attention %q, %k, %v state %s0 : tensor<2x4x8x8xf32>
                 decay %g : tensor<2x16x4xf16> beta %b : tensor<2x16x4xf16>
                 {q_num_heads = 8 : i64, kv_num_heads = 4 : i64,
                  update_rule = #dsr1.linear_attention_rule<gated_delta>}
        : tensor<2x16x64xf16>, tensor<2x16x32xf16>, tensor<2x16x32xf16>
    ```
  }];
  let arguments = (ins DSR1_FloatTensor:$query, DSR1_FloatTensor:$key, DSR1_FloatTensor:$value,
                   Optional<DSR1_FloatTensor>:$initial_state, Optional<DSR1_FloatTensor>:$decay,
                   Optional<DSR1_FloatTensor>:$beta,
                   DSR1_PositiveI64Attr:$q_num_heads, DSR1_PositiveI64Attr:$kv_num_heads,
                   OptionalAttr<F64Attr>:$scale,
                   DSR1_LinearAttentionRuleAttr:$update_rule);
  let results = (outs DSR1_FloatTensor:$output, DSR1_FloatTensor:$final_state);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`state` $initial_state^ `:` type($initial_state))?
    (`decay` $decay^ `:` type($decay))? (`beta` $beta^ `:` type($beta))? attr-dict `:`
    type($query) `,` type($key) `,` type($value)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fusion groups
//===----------------------------------------------------------------------===//

// Not DSR1_Op: a group's result types are those its body yields, not inferred from operands.
def DSR1_FusionOp : Op<DSR1_Dialect, "fusion", [IsolatedFromAbove, SingleBlock, Pure]> {
  let summary = "a group of dsr1 ops that becomes one kernel";
  let description = [{
    The ops of the body are one unit of code generation: -dsr1-outline-kernels makes the group
    one kernel function, and a code generator emits one kernel for it, chosen by `family`
    (`elementwise`, `reduction`: softmax, norms and reductions with their prologue and epilogue,
    `gemm` and `conv`: the product with its epilogue, `attention`, `data_movement`, `other`).
    -dsr1-fuse-elementwise forms the groups.

    The group is isolated from above: its operands are the entry block's arguments, one each, in
    order, and `dsr1.yield` gives its results. The body holds dsr1 compute ops only (no nested
    group). Weights are operands, like any other value from outside. Canonicalisation dissolves
    a group that folding has left with one op or none.

    ```mlir
    %r = dsr1.fusion gemm (%x, %w, %b) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>)
        -> tensor<4x16xf32> {
    ^bb0(%a: tensor<4x8xf32>, %c: tensor<8x16xf32>, %d: tensor<16xf32>):
      %0 = dsr1.matmul %a, %c : tensor<4x8xf32>, tensor<8x16xf32>
      %1 = dsr1.add %0, %d : tensor<4x16xf32>, tensor<16xf32>
      %2 = dsr1.relu %1 : tensor<4x16xf32>
      dsr1.yield %2 : tensor<4x16xf32>
    }
    ```
  }];
  let arguments = (ins DSR1_FusionFamilyAttr:$family, Variadic<DSR1_Tensor>:$inputs);
  let results = (outs Variadic<DSR1_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    custom<FusionFamily>($family) `(` $inputs `)` attr-dict-with-keyword `:`
    functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let hasCanonicalizeMethod = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    ::dsr1::YieldOp getYield();
  }];
}

def DSR1_YieldOp : Op<DSR1_Dialect, "yield", [Pure, Terminator, HasParent<"FusionOp">]> {
  let summary = "the results of a dsr1.fusion group";
  let description = [{
    Ends the body of a `dsr1.fusion`; its operands are the group's results, in order.

    ```mlir
    dsr1.yield %0, %1 : tensor<4xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Variadic<DSR1_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // DSR1_OPS_TD
