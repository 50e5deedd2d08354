// Every diagnostic the dsr1 ops emit: ODS constraints, shape inference and op verifiers.
// RUN: dsr1-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// Elementwise unary: wrong element types (ODS)
//===----------------------------------------------------------------------===//

func.func @abs_unsigned(%x: tensor<4xui32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xui32>'}}
  %0 = dsr1.abs %x : tensor<4xui32>
  return
}

// -----

func.func @ceil_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.ceil %x : tensor<4xi32>
  return
}

// -----

func.func @cos_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.cos %x : tensor<4xi32>
  return
}

// -----

func.func @erf_integer(%x: tensor<4xi64>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi64>'}}
  %0 = dsr1.erf %x : tensor<4xi64>
  return
}

// -----

func.func @exp_integer(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2x3xi32>'}}
  %0 = dsr1.exp %x : tensor<2x3xi32>
  return
}

// -----

func.func @floor_bool(%x: tensor<4xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi1>'}}
  %0 = dsr1.floor %x : tensor<4xi1>
  return
}

// -----

func.func @log_integer(%x: tensor<4xi8>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi8>'}}
  %0 = dsr1.log %x : tensor<4xi8>
  return
}

// -----

func.func @neg_unsigned(%x: tensor<4xui8>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xui8>'}}
  %0 = dsr1.neg %x : tensor<4xui8>
  return
}

// -----

func.func @not_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 1-bit signless integer or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<4xf32>'}}
  %0 = dsr1.not %x : tensor<4xf32>
  return
}

// -----

func.func @reciprocal_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.reciprocal %x : tensor<4xi32>
  return
}

// -----

func.func @relu_bool(%x: tensor<4xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = dsr1.relu %x : tensor<4xi1>
  return
}

// -----

func.func @round_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.round %x : tensor<4xi32>
  return
}

// -----

func.func @rsqrt_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.rsqrt %x : tensor<4xi32>
  return
}

// -----

func.func @sigmoid_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.sigmoid %x : tensor<4xi32>
  return
}

// -----

func.func @sign_unsigned(%x: tensor<4xui16>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xui16>'}}
  %0 = dsr1.sign %x : tensor<4xui16>
  return
}

// -----

func.func @sin_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.sin %x : tensor<4xi32>
  return
}

// -----

func.func @softplus_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.softplus %x : tensor<4xi32>
  return
}

// -----

func.func @sqrt_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.sqrt %x : tensor<4xi32>
  return
}

// -----

func.func @tanh_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.tanh %x : tensor<4xi32>
  return
}

// -----

func.func @unary_f8_element(%x: tensor<4xf8E4M3FN>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xf8E4M3FN>'}}
  %0 = dsr1.exp %x : tensor<4xf8E4M3FN>
  return
}

// -----

func.func @unary_result_shape_differs(%x: tensor<4xf32>) {
  // expected-error @+2 {{'dsr1.exp' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<5xf32>'}}
  // expected-error @+1 {{'dsr1.exp' op failed to infer returned types}}
  %0 = "dsr1.exp"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @unary_result_element_differs(%x: tensor<4xf32>) {
  // expected-error @+2 {{'dsr1.tanh' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dsr1.tanh"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @unary_result_dynamic_differs(%x: tensor<4xf32>) {
  // expected-error @+2 {{'dsr1.relu' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<?xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dsr1.relu"(%x) : (tensor<4xf32>) -> tensor<?xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise unary with parameters
//===----------------------------------------------------------------------===//

func.func @clip_min_greater_than_max(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.clip' op min (2) is greater than max (1)}}
  %0 = dsr1.clip %x {min = 2.0 : f64, max = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @clip_bool(%x: tensor<4xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<4xi1>'}}
  %0 = dsr1.clip %x {min = 0.0 : f64} : tensor<4xi1>
  return
}

// -----

func.func @clip_integer_bound(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'min' failed to satisfy constraint: 64-bit float attribute}}
  %0 = dsr1.clip %x {min = 0 : i64} : tensor<4xf32>
  return
}

// -----

func.func @elu_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.elu %x : tensor<4xi32>
  return
}

// -----

func.func @elu_f32_alpha(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'alpha' failed to satisfy constraint: 64-bit float attribute}}
  %0 = dsr1.elu %x {alpha = 1.0 : f32} : tensor<4xf32>
  return
}

// -----

func.func @gelu_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.gelu %x : tensor<4xi32>
  return
}

// -----

func.func @gelu_bad_approximation(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'approximate' failed to satisfy constraint: GELU formula}}
  %0 = dsr1.gelu %x {approximate = "tanh"} : tensor<4xf32>
  return
}

// -----

func.func @hard_sigmoid_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.hard_sigmoid %x : tensor<4xi32>
  return
}

// -----

func.func @leaky_relu_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.leaky_relu %x : tensor<4xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise binary: broadcasting, element types
//===----------------------------------------------------------------------===//

func.func @add_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.add' op operands are not broadcast-compatible: 2x3 and 4}}
  %0 = dsr1.add %a, %b : tensor<2x3xf32>, tensor<4xf32>
  return
}

// -----

func.func @add_not_broadcastable_leading(%a: tensor<2x?x3xf32>, %b: tensor<5x1x3xf32>) {
  // expected-error @+1 {{'dsr1.add' op operands are not broadcast-compatible: 2x?x3 and 5x1x3}}
  %0 = dsr1.add %a, %b : tensor<2x?x3xf32>, tensor<5x1x3xf32>
  return
}

// -----

func.func @add_element_type_mismatch(%a: tensor<2x3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'dsr1.add' op failed to verify that all of {lhs, rhs} have same element type}}
  %0 = dsr1.add %a, %b : tensor<2x3xf32>, tensor<3xi32>
  return
}

// -----

func.func @add_bool(%a: tensor<3xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<3xi1>'}}
  %0 = dsr1.add %a, %b : tensor<3xi1>, tensor<3xi1>
  return
}

// -----

func.func @add_result_shape_differs(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'dsr1.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{'dsr1.add' op failed to infer returned types}}
  %0 = "dsr1.add"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @div_not_broadcastable(%a: tensor<2xi32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'dsr1.div' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.div %a, %b : tensor<2xi32>, tensor<3xi32>
  return
}

// -----

func.func @max_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.max' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.max %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @min_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.min' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.min %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @mul_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.mul' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.mul %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @mul_element_width_mismatch(%a: tensor<2xf32>, %b: tensor<2xf16>) {
  // expected-error @+1 {{'dsr1.mul' op failed to verify that all of {lhs, rhs} have same element type}}
  %0 = dsr1.mul %a, %b : tensor<2xf32>, tensor<2xf16>
  return
}

// -----

func.func @pow_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.pow' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.pow %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @pow_bool(%a: tensor<2xi1>, %b: tensor<2xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<2xi1>'}}
  %0 = dsr1.pow %a, %b : tensor<2xi1>, tensor<2xi1>
  return
}

// -----

func.func @sub_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.sub' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.sub %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @and_not_broadcastable(%a: tensor<2xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'dsr1.and' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.and %a, %b : tensor<2xi1>, tensor<3xi1>
  return
}

// -----

func.func @and_float(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 1-bit signless integer or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<2xf32>'}}
  %0 = dsr1.and %a, %b : tensor<2xf32>, tensor<2xf32>
  return
}

// -----

func.func @or_not_broadcastable(%a: tensor<2xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'dsr1.or' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.or %a, %b : tensor<2xi1>, tensor<3xi1>
  return
}

// -----

// Bitwise on integers, logical on booleans, never on a mix.
func.func @or_bool_and_integer(%a: tensor<2xi1>, %b: tensor<2xi8>) {
  // expected-error @+1 {{'dsr1.or' op failed to verify that all of {lhs, rhs} have same element type}}
  %0 = dsr1.or %a, %b : tensor<2xi1>, tensor<2xi8>
  return
}

// -----

func.func @shift_float(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = dsr1.shift_left %a, %b : tensor<2xf32>, tensor<2xf32>
  return
}

// -----

func.func @shift_bool(%a: tensor<2xi1>, %b: tensor<2xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = dsr1.shift_right %a, %b : tensor<2xi1>, tensor<2xi1>
  return
}

// -----

func.func @shift_types_differ(%a: tensor<2xui8>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'dsr1.shift_left' op failed to verify that all of {lhs, rhs} have same element type}}
  %0 = dsr1.shift_left %a, %b : tensor<2xui8>, tensor<2xi64>
  return
}

// -----

func.func @shift_not_broadcastable(%a: tensor<2xi32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'dsr1.shift_right' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.shift_right %a, %b : tensor<2xi32>, tensor<3xi32>
  return
}

// -----

func.func @acos_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dsr1.acos %x : tensor<4xi32>
  return
}

// -----

func.func @cumprod_axis(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.cumprod' op axis 1 is out of range for rank 1}}
  %0 = dsr1.cumprod %x axis 1 : tensor<4xf32>
  return
}

// -----

func.func @xor_not_broadcastable(%a: tensor<2xi1>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'dsr1.xor' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.xor %a, %b : tensor<2xi1>, tensor<3xi1>
  return
}

// -----

func.func @equal_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.equal' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.equal %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @equal_bool(%a: tensor<2xi1>, %b: tensor<2xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<2xi1>'}}
  %0 = dsr1.equal %a, %b : tensor<2xi1>, tensor<2xi1>
  return
}

// -----

func.func @equal_element_type_mismatch(%a: tensor<2xi32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'dsr1.equal' op failed to verify that all of {lhs, rhs} have same element type}}
  %0 = dsr1.equal %a, %b : tensor<2xi32>, tensor<2xi64>
  return
}

// -----

func.func @equal_result_not_bool(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = "dsr1.equal"(%a, %b) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @greater_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.greater' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.greater %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @greater_equal_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.greater_equal' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.greater_equal %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @less_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.less' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.less %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @less_equal_not_broadcastable(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.less_equal' op operands are not broadcast-compatible: 2 and 3}}
  %0 = dsr1.less_equal %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @where_not_broadcastable(%c: tensor<4xi1>, %x: tensor<3xf32>, %y: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.where' op operands are not broadcast-compatible: 4, 3 and 3}}
  %0 = dsr1.where %c, %x, %y : tensor<4xi1>, tensor<3xf32>, tensor<3xf32>
  return
}

// -----

func.func @where_third_not_broadcastable(%c: tensor<2x1xi1>, %x: tensor<1x3xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.where' op operands are not broadcast-compatible: 2x1, 1x3 and 4}}
  %0 = dsr1.where %c, %x, %y : tensor<2x1xi1>, tensor<1x3xf32>, tensor<4xf32>
  return
}

// -----

func.func @where_condition_not_bool(%c: tensor<3xf32>, %x: tensor<3xf32>, %y: tensor<3xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = dsr1.where %c, %x, %y : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
  return
}

// -----

func.func @where_element_type_mismatch(%c: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xf16>) {
  // expected-error @+1 {{'dsr1.where' op failed to verify that all of {x, y} have same element type}}
  %0 = dsr1.where %c, %x, %y : tensor<3xi1>, tensor<3xf32>, tensor<3xf16>
  return
}

// -----

func.func @where_result_element_differs(%c: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xf32>) {
  // expected-error @+2 {{'dsr1.where' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<3xi1>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dsr1.where"(%c, %x, %y) : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return
}

// -----

//===----------------------------------------------------------------------===//
// dsr1.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_rank0(%a: tensor<f32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.matmul' op operands must have rank >= 1, got scalar and 4}}
  %0 = dsr1.matmul %a, %b : tensor<f32>, tensor<4xf32>
  return
}

// -----

func.func @matmul_contracted_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'dsr1.matmul' op contracted dimensions differ: 2x3 and 4x5 (3 vs 4)}}
  %0 = dsr1.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32>
  return
}

// -----

func.func @matmul_vector_contracted_mismatch(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.matmul' op contracted dimensions differ: 3 and 4 (3 vs 4)}}
  %0 = dsr1.matmul %a, %b : tensor<3xf32>, tensor<4xf32>
  return
}

// -----

func.func @matmul_batch_mismatch(%a: tensor<2x4x3xf32>, %b: tensor<5x3x6xf32>) {
  // expected-error @+1 {{'dsr1.matmul' op batch dimensions are not broadcast-compatible: 2x4x3 and 5x3x6}}
  %0 = dsr1.matmul %a, %b : tensor<2x4x3xf32>, tensor<5x3x6xf32>
  return
}

// -----

func.func @matmul_element_type_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) {
  // expected-error @+1 {{'dsr1.matmul' op failed to verify that all of {lhs, rhs} have same element type}}
  %0 = dsr1.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf16>
  return
}

// -----

func.func @matmul_bool(%a: tensor<2x3xi1>, %b: tensor<3x4xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<2x3xi1>'}}
  %0 = dsr1.matmul %a, %b : tensor<2x3xi1>, tensor<3x4xi1>
  return
}

// -----

func.func @matmul_bad_precision(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{attribute 'precision' failed to satisfy constraint: arithmetic precision of a compute op}}
  %0 = dsr1.matmul %a, %b {precision = "fp8"} : tensor<2x3xf32>, tensor<3x4xf32>
  return
}

// -----

func.func @matmul_result_shape_differs(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+2 {{'dsr1.matmul' op inferred type(s) 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<4x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dsr1.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<4x2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// dsr1.gemm
//===----------------------------------------------------------------------===//

func.func @gemm_a_rank(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{'dsr1.gemm' op operand 'a' must have rank 2, got 3 (2x4x8)}}
  %0 = dsr1.gemm %a, %b : tensor<2x4x8xf32>, tensor<8x16xf32>
  return
}

// -----

func.func @gemm_b_rank(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.gemm' op operand 'b' must have rank 2, got 1 (8)}}
  %0 = dsr1.gemm %a, %b : tensor<4x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @gemm_k_mismatch(%a: tensor<4x8xf32>, %b: tensor<7x16xf32>) {
  // expected-error @+1 {{'dsr1.gemm' op contracted dimensions differ: op(a) is 4x8, op(b) is 7x16}}
  %0 = dsr1.gemm %a, %b : tensor<4x8xf32>, tensor<7x16xf32>
  return
}

// -----

func.func @gemm_k_mismatch_transposed(%a: tensor<8x4xf32>, %b: tensor<16x8xf32>) {
  // expected-error @+1 {{'dsr1.gemm' op contracted dimensions differ: op(a) is 4x8, op(b) is 16x8}}
  %0 = dsr1.gemm %a, %b {trans_a = true} : tensor<8x4xf32>, tensor<16x8xf32>
  return
}

// -----

func.func @gemm_c_not_broadcastable(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.gemm' op operand 'c' (4) does not broadcast to the result 4x16}}
  %0 = dsr1.gemm %a, %b, %c : tensor<4x8xf32>, tensor<8x16xf32>, tensor<4xf32>
  return
}

// -----

func.func @gemm_c_rank_too_high(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<1x4x16xf32>) {
  // expected-error @+1 {{'dsr1.gemm' op operand 'c' (1x4x16) does not broadcast to the result 4x16}}
  %0 = dsr1.gemm %a, %b, %c : tensor<4x8xf32>, tensor<8x16xf32>, tensor<1x4x16xf32>
  return
}

// -----

func.func @gemm_c_unranked(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<*xf32>) {
  // expected-error @+1 {{'dsr1.gemm' op operand 'c' must be a ranked tensor}}
  %0 = dsr1.gemm %a, %b, %c : tensor<4x8xf32>, tensor<8x16xf32>, tensor<*xf32>
  return
}

// -----

func.func @gemm_element_type_mismatch(%a: tensor<4x8xf32>, %b: tensor<8x16xbf16>) {
  // expected-error @+1 {{'dsr1.gemm' op failed to verify that all of {a, b} have same element type}}
  %0 = dsr1.gemm %a, %b : tensor<4x8xf32>, tensor<8x16xbf16>
  return
}

// -----

func.func @gemm_bool_transpose_flag(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{attribute 'trans_a' failed to satisfy constraint: bool attribute}}
  %0 = dsr1.gemm %a, %b {trans_a = 1 : i64} : tensor<4x8xf32>, tensor<8x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// dsr1.conv
//===----------------------------------------------------------------------===//

func.func @conv_input_rank_low(%x: tensor<3x8xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op operand 'input' must have rank 3 to 5, got 2 (3x8)}}
  %0 = dsr1.conv %x, %w : tensor<3x8xf32>, tensor<4x3xf32>
  return
}

// -----

func.func @conv_input_rank_high(%x: tensor<1x3x4x4x4x4xf32>, %w: tensor<4x3x1x1x1x1xf32>) {
  // expected-error @+1 {{'dsr1.conv' op operand 'input' must have rank 3 to 5, got 6 (1x3x4x4x4x4)}}
  %0 = dsr1.conv %x, %w : tensor<1x3x4x4x4x4xf32>, tensor<4x3x1x1x1x1xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op operand 'weight' must have rank 4, got 3 (4x3x3)}}
  %0 = dsr1.conv %x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3xf32>
  return
}

// -----

func.func @conv_channels_not_divisible_by_group(%x: tensor<1x6x8xf32>, %w: tensor<4x1x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op input channels (6) are not divisible by group (4)}}
  %0 = dsr1.conv %x, %w {group = 4 : i64} : tensor<1x6x8xf32>, tensor<4x1x3xf32>
  return
}

// -----

func.func @conv_weight_channels_mismatch(%x: tensor<1x3x8xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op weight has 2 input channels per group, expected 3 (3 channels / group 1)}}
  %0 = dsr1.conv %x, %w : tensor<1x3x8xf32>, tensor<4x2x3xf32>
  return
}

// -----

func.func @conv_grouped_weight_channels_mismatch(%x: tensor<1x8x8xf32>, %w: tensor<4x8x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op weight has 8 input channels per group, expected 4 (8 channels / group 2)}}
  %0 = dsr1.conv %x, %w {group = 2 : i64} : tensor<1x8x8xf32>, tensor<4x8x3xf32>
  return
}

// -----

func.func @conv_out_channels_not_divisible_by_group(%x: tensor<1x4x8xf32>, %w: tensor<3x2x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op output channels (3) are not divisible by group (2)}}
  %0 = dsr1.conv %x, %w {group = 2 : i64} : tensor<1x4x8xf32>, tensor<3x2x3xf32>
  return
}

// -----

func.func @conv_group_zero(%x: tensor<1x4x8xf32>, %w: tensor<4x4x3xf32>) {
  // expected-error @+1 {{attribute 'group' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = dsr1.conv %x, %w {group = 0 : i64} : tensor<1x4x8xf32>, tensor<4x4x3xf32>
  return
}

// -----

func.func @conv_group_negative(%x: tensor<1x4x8xf32>, %w: tensor<4x4x3xf32>) {
  // expected-error @+1 {{attribute 'group' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = dsr1.conv %x, %w {group = -1 : i64} : tensor<1x4x8xf32>, tensor<4x4x3xf32>
  return
}

// -----

func.func @conv_bias_rank(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'dsr1.conv' op operand 'bias' must have rank 1, got 2 (1x4)}}
  %0 = dsr1.conv %x, %w, %b : tensor<1x3x8xf32>, tensor<4x3x3xf32>, tensor<1x4xf32>
  return
}

// -----

func.func @conv_bias_size(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'dsr1.conv' op bias has 5 elements, expected one per output channel (4)}}
  %0 = dsr1.conv %x, %w, %b : tensor<1x3x8xf32>, tensor<4x3x3xf32>, tensor<5xf32>
  return
}

// -----

func.func @conv_bias_unranked(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{'dsr1.conv' op operand 'bias' must be a ranked tensor}}
  %0 = dsr1.conv %x, %w, %b : tensor<1x3x8xf32>, tensor<4x3x3xf32>, tensor<*xf32>
  return
}

// -----

func.func @conv_strides_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op 'strides' has 1 entries, expected 2}}
  %0 = dsr1.conv %x, %w {strides = array<i64: 2>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_strides_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op 'strides' entries must be >= 1, got [1, 0]}}
  %0 = dsr1.conv %x, %w {strides = array<i64: 1, 0>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_dilations_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op 'dilations' has 3 entries, expected 2}}
  %0 = dsr1.conv %x, %w {dilations = array<i64: 1, 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_dilations_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op 'dilations' entries must be >= 1, got [0, 1]}}
  %0 = dsr1.conv %x, %w {dilations = array<i64: 0, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_pads_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op 'pads' has 2 entries, expected 4}}
  %0 = dsr1.conv %x, %w {pads = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_pads_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op 'pads' entries must be >= 0, got [1, -1, 1, 1]}}
  %0 = dsr1.conv %x, %w {pads = array<i64: 1, -1, 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_window_does_not_fit(%x: tensor<1x3x8x2xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op window of 3 (dilation 1) does not fit spatial dimension 1 of size 2 with its padding}}
  %0 = dsr1.conv %x, %w : tensor<1x3x8x2xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_dilated_window_does_not_fit(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv' op window of 3 (dilation 4) does not fit spatial dimension 0 of size 8 with its padding}}
  %0 = dsr1.conv %x, %w {dilations = array<i64: 4>} : tensor<1x3x8xf32>, tensor<4x3x3xf32>
  return
}

// -----

func.func @conv_element_type_mismatch(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf16>) {
  // expected-error @+1 {{'dsr1.conv' op failed to verify that all of {input, weight} have same element type}}
  %0 = dsr1.conv %x, %w : tensor<1x3x8xf32>, tensor<4x3x3xf16>
  return
}

// -----

// Integer convolutions sum in i32 or i64: 8-bit operands are widened first (ConvInteger).
func.func @conv_integer(%x: tensor<1x3x8xi8>, %w: tensor<4x3x3xi8>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<1x3x8xi8>'}}
  %0 = dsr1.conv %x, %w : tensor<1x3x8xi8>, tensor<4x3x3xi8>
  return
}

// -----

//===----------------------------------------------------------------------===//
// dsr1.attention
//===----------------------------------------------------------------------===//

func.func @attention_missing_num_heads(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op requires attribute 'num_heads'}}
  %0 = dsr1.attention %q, %q, %q : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_num_heads_zero(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{attribute 'num_heads' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 0 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_num_heads_negative(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{attribute 'num_heads' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = dsr1.attention %q, %q, %q {num_heads = -4 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_query_rank_low(%q: tensor<16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op operand 'query' must have rank 3 to 4, got 2 (16x64)}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64} : tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>
  return
}

// -----

func.func @attention_query_rank_high(%q: tensor<1x2x4x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op operand 'query' must have rank 3 to 4, got 5 (1x2x4x16x64)}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64} : tensor<1x2x4x16x64xf32>, tensor<1x2x4x16x64xf32>, tensor<1x2x4x16x64xf32>
  return
}

// -----

func.func @attention_key_rank(%q: tensor<2x16x64xf32>, %k: tensor<2x4x16x16xf32>) {
  // expected-error @+1 {{'dsr1.attention' op operand 'key' must have rank 3, got 4 (2x4x16x16)}}
  %0 = dsr1.attention %q, %k, %q {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x4x16x16xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_value_rank(%q: tensor<2x4x16x16xf32>, %v: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op operand 'value' must have rank 4, got 3 (2x16x64)}}
  %0 = dsr1.attention %q, %q, %v {num_heads = 4 : i64} : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_batch_mismatch(%q: tensor<2x16x64xf32>, %kv: tensor<3x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op batch dimensions differ: query 2x16x64, key 3x16x64, value 3x16x64}}
  %0 = dsr1.attention %q, %kv, %kv {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<3x16x64xf32>, tensor<3x16x64xf32>
  return
}

// -----

func.func @attention_batch_mismatch_through_dynamic(%q: tensor<2x16x64xf32>, %k: tensor<?x16x64xf32>, %v: tensor<3x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op batch dimensions differ: query 2x16x64, key ?x16x64, value 3x16x64}}
  %0 = dsr1.attention %q, %k, %v {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<?x16x64xf32>, tensor<3x16x64xf32>
  return
}

// -----

func.func @attention_kv_seq_mismatch(%q: tensor<2x16x64xf32>, %k: tensor<2x10x64xf32>, %v: tensor<2x12x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op key and value sequence lengths differ: 2x10x64 and 2x12x64}}
  %0 = dsr1.attention %q, %k, %v {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x10x64xf32>, tensor<2x12x64xf32>
  return
}

// -----

func.func @attention_qk_feature_mismatch(%q: tensor<2x4x16x16xf32>, %k: tensor<2x4x16x32xf32>) {
  // expected-error @+1 {{'dsr1.attention' op query and key feature sizes differ: 2x4x16x16 and 2x4x16x32}}
  %0 = dsr1.attention %q, %k, %k {num_heads = 4 : i64} : tensor<2x4x16x16xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>
  return
}

// -----

func.func @attention_query_features_not_divisible(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op query feature size 64 is not divisible by num_heads (12)}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 12 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_key_features_not_divisible(%q: tensor<2x16x?xf32>, %k: tensor<2x16x60xf32>) {
  // expected-error @+1 {{'dsr1.attention' op key feature size 60 is not divisible by num_heads (8)}}
  %0 = dsr1.attention %q, %k, %q {num_heads = 8 : i64} : tensor<2x16x?xf32>, tensor<2x16x60xf32>, tensor<2x16x?xf32>
  return
}

// -----

func.func @attention_value_features_not_divisible(%q: tensor<2x16x64xf32>, %v: tensor<2x16x30xf32>) {
  // expected-error @+1 {{'dsr1.attention' op value feature size 30 is not divisible by num_heads (4)}}
  %0 = dsr1.attention %q, %q, %v {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x30xf32>
  return
}

// -----

func.func @attention_query_head_count(%q: tensor<2x4x16x16xf32>) {
  // expected-error @+1 {{'dsr1.attention' op query has 4 heads in dimension 1, num_heads is 8}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 8 : i64} : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>
  return
}

// -----

func.func @attention_key_head_count(%q: tensor<2x?x16x16xf32>, %kv: tensor<2x2x16x16xf32>) {
  // expected-error @+1 {{'dsr1.attention' op key has 2 heads in dimension 1, num_heads is 4}}
  %0 = dsr1.attention %q, %kv, %kv {num_heads = 4 : i64} : tensor<2x?x16x16xf32>, tensor<2x2x16x16xf32>, tensor<2x2x16x16xf32>
  return
}

// -----

func.func @attention_value_head_count(%q: tensor<2x4x16x16xf32>, %v: tensor<2x1x16x16xf32>) {
  // expected-error @+1 {{'dsr1.attention' op value has 1 heads in dimension 1, num_heads is 4}}
  %0 = dsr1.attention %q, %q, %v {num_heads = 4 : i64} : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x1x16x16xf32>
  return
}

// -----

func.func @attention_mask_not_broadcastable(%q: tensor<2x16x64xf32>, %kv: tensor<2x10x64xf32>, %m: tensor<16x16xi1>) {
  // expected-error @+1 {{'dsr1.attention' op mask (16x16) does not broadcast to the attention scores 2x4x16x10}}
  %0 = dsr1.attention %q, %kv, %kv mask %m {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<16x16xi1>
  return
}

// -----

func.func @attention_mask_rank_too_high(%q: tensor<2x16x64xf32>, %m: tensor<1x1x1x16x16xf32>) {
  // expected-error @+1 {{'dsr1.attention' op mask (1x1x1x16x16) does not broadcast to the attention scores 2x4x16x16}}
  %0 = dsr1.attention %q, %q, %q mask %m {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<1x1x1x16x16xf32>
  return
}

// -----

func.func @attention_mask_unranked(%q: tensor<2x16x64xf32>, %m: tensor<*xi1>) {
  // expected-error @+1 {{'dsr1.attention' op operand 'mask' must be a ranked tensor}}
  %0 = dsr1.attention %q, %q, %q mask %m {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<*xi1>
  return
}

// -----

func.func @attention_mask_integer(%q: tensor<2x16x64xf32>, %m: tensor<16x16xi32>) {
  // expected-error @+1 {{'dsr1.attention' op operand 'mask' has element type i32, expected i1 or a float type}}
  %0 = dsr1.attention %q, %q, %q mask %m {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<16x16xi32>
  return
}

// -----

func.func @attention_scale_zero(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op scale must be positive and finite, got 0}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64, scale = 0.0 : f64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_scale_negative(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op scale must be positive and finite, got -0.125}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64, scale = -0.125 : f64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_scale_infinite(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op scale must be positive and finite, got inf}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64, scale = 0x7FF0000000000000 : f64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_kv_lengths_batch(%q: tensor<2x16x64xf32>, %n: tensor<3xi64>) {
  // expected-error @+1 {{'dsr1.attention' op kv_lengths must be an integer vector of the batch size (2), got 3xi64}}
  %0 = dsr1.attention %q, %q, %q kv_lengths %n : tensor<3xi64> {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_kv_lengths_rank(%q: tensor<2x16x64xf32>, %n: tensor<2x1xi64>) {
  // expected-error @+1 {{'dsr1.attention' op kv_lengths must be an integer vector of the batch size (2), got 2x1xi64}}
  %0 = dsr1.attention %q, %q, %q kv_lengths %n : tensor<2x1xi64> {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_kv_lengths_float(%q: tensor<2x16x64xf32>, %n: tensor<2xf32>) {
  // expected-error @+1 {{'dsr1.attention' op kv_lengths must be an integer vector of the batch size (2), got 2xf32}}
  %0 = dsr1.attention %q, %q, %q kv_lengths %n : tensor<2xf32> {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_window_negative(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op window_left must be non-negative, got -1}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64, window_left = -1 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_window_right_negative(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op window_right must be non-negative, got -2}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64, window_right = -2 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

// Where the queries stand is one rule or the other.
func.func @attention_offset_and_bottom_right(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op query_offset and bottom_right exclude each other}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64, causal, bottom_right, query_offset = 3 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

// No softcap is no attribute, not a softcap of 0.
func.func @attention_softcap_zero(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'dsr1.attention' op softcap must be positive and finite, got 0}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64, softcap = 0.0 : f64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

func.func @attention_element_type_mismatch(%q: tensor<2x16x64xf32>, %kv: tensor<2x16x64xf16>) {
  // expected-error @+1 {{'dsr1.attention' op failed to verify that all of {query, key, value} have same element type}}
  %0 = dsr1.attention %q, %kv, %kv {num_heads = 4 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf16>, tensor<2x16x64xf16>
  return
}

// -----

func.func @attention_integer(%q: tensor<2x16x64xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2x16x64xi32>'}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64} : tensor<2x16x64xi32>, tensor<2x16x64xi32>, tensor<2x16x64xi32>
  return
}

// -----

func.func @attention_bad_modality(%q: tensor<2x16x64xf32>) {
  // expected-error @+1 {{attribute 'query_modality' failed to satisfy constraint: kind of input an attention source comes from}}
  %0 = dsr1.attention %q, %q, %q {num_heads = 4 : i64, query_modality = "text"} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// dsr1.avg_pool, dsr1.max_pool, dsr1.global_avg_pool, dsr1.global_max_pool
//===----------------------------------------------------------------------===//

func.func @avg_pool_missing_kernel_shape(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.avg_pool' op requires attribute 'kernel_shape'}}
  %0 = dsr1.avg_pool %x : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @avg_pool_input_rank(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{'dsr1.avg_pool' op operand 'input' must have rank >= 3, got 2 (3x8)}}
  %0 = dsr1.avg_pool %x {kernel_shape = array<i64: 2>} : tensor<3x8xf32>
  return
}

// -----

func.func @avg_pool_kernel_shape_size(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.avg_pool' op 'kernel_shape' has 3 entries, expected 2}}
  %0 = dsr1.avg_pool %x {kernel_shape = array<i64: 2, 2, 2>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @avg_pool_kernel_shape_empty(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.avg_pool' op 'kernel_shape' must have one entry per spatial dimension}}
  %0 = dsr1.avg_pool %x {kernel_shape = array<i64>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @avg_pool_kernel_shape_zero(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.avg_pool' op 'kernel_shape' entries must be >= 1, got [2, 0]}}
  %0 = dsr1.avg_pool %x {kernel_shape = array<i64: 2, 0>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @avg_pool_strides_size(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.avg_pool' op 'strides' has 1 entries, expected 2}}
  %0 = dsr1.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @avg_pool_window_too_big(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.avg_pool' op window of 9 (dilation 1) does not fit spatial dimension 0 of size 8 with its padding}}
  %0 = dsr1.avg_pool %x {kernel_shape = array<i64: 9, 2>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @avg_pool_integer(%x: tensor<1x3x8x8xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x3x8x8xi32>'}}
  %0 = dsr1.avg_pool %x {kernel_shape = array<i64: 2, 2>} : tensor<1x3x8x8xi32>
  return
}

// -----

func.func @mod_mixed_types(%x: tensor<4xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{'dsr1.mod' op failed to verify that all of {lhs, rhs} have same element type}}
  %0 = dsr1.mod %x, %y : tensor<4xf32>, tensor<4xi32>
  return
}

// -----

func.func @mod_bad_broadcast(%x: tensor<4xf32>, %y: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.mod' op operands are not broadcast-compatible: 4 and 3}}
  %0 = dsr1.mod %x, %y : tensor<4xf32>, tensor<3xf32>
  return
}

// -----

// Max pooling takes integers too, but not bools.
func.func @max_pool_bool(%x: tensor<1x3x8x8xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<1x3x8x8xi1>'}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 2, 2>} : tensor<1x3x8x8xi1>
  return
}

// -----

func.func @max_pool_missing_kernel_shape(%x: tensor<1x3x8xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op requires attribute 'kernel_shape'}}
  %0 = dsr1.max_pool %x {strides = array<i64: 2>} : tensor<1x3x8xf32>
  return
}

// -----

func.func @max_pool_input_rank(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op operand 'input' must have rank >= 3, got 1 (8)}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 2>} : tensor<8xf32>
  return
}

// -----

func.func @max_pool_kernel_shape_size(%x: tensor<1x3x8x8x8xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op 'kernel_shape' has 2 entries, expected 3}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 2, 2>} : tensor<1x3x8x8x8xf32>
  return
}

// -----

func.func @max_pool_pads_size(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op 'pads' has 2 entries, expected 4}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @max_pool_pads_negative(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op 'pads' entries must be >= 0, got [0, 0, -1, 0]}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, -1, 0>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @max_pool_strides_zero(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op 'strides' entries must be >= 1, got [0, 2]}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 0, 2>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @max_pool_dilations_size(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op 'dilations' has 1 entries, expected 2}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, dilations = array<i64: 2>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @max_pool_dilations_zero(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op 'dilations' entries must be >= 1, got [1, 0]}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, dilations = array<i64: 1, 0>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @max_pool_window_too_big(%x: tensor<1x3x8x4xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op window of 3 (dilation 2) does not fit spatial dimension 1 of size 4 with its padding}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, dilations = array<i64: 1, 2>} : tensor<1x3x8x4xf32>
  return
}

// -----

func.func @max_pool_bad_ceil_mode(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{attribute 'ceil_mode' failed to satisfy constraint: bool attribute}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3, 3>, ceil_mode = 1 : i64} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @max_pool_kernel_shape_not_array(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{attribute 'kernel_shape' failed to satisfy constraint: i64 dense array attribute}}
  %0 = dsr1.max_pool %x {kernel_shape = [3, 3]} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @global_avg_pool_rank(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{'dsr1.global_avg_pool' op operand 'input' must have rank >= 3, got 2 (3x8)}}
  %0 = dsr1.global_avg_pool %x : tensor<3x8xf32>
  return
}

// -----

func.func @global_max_pool_rank(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.global_max_pool' op operand 'input' must have rank >= 3, got 1 (8)}}
  %0 = dsr1.global_max_pool %x : tensor<8xf32>
  return
}

// -----

func.func @global_max_pool_integer(%x: tensor<1x3x8xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x3x8xi32>'}}
  %0 = dsr1.global_max_pool %x : tensor<1x3x8xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// Bools reduce by max and min (any, all) only.
func.func @reduce_sum_bool(%x: tensor<4x8xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<4x8xi1>'}}
  %0 = dsr1.reduce_sum %x axes [1] : tensor<4x8xi1>
  return
}

// -----

func.func @reduce_max_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'dsr1.reduce_max' op axes [2] must be distinct and in [0, 2)}}
  %0 = dsr1.reduce_max %x axes [2] : tensor<4x8xf32>
  return
}

// -----

func.func @reduce_mean_axis_negative(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'dsr1.reduce_mean' op axes [-1] must be distinct and in [0, 2)}}
  %0 = dsr1.reduce_mean %x axes [-1] : tensor<4x8xf32>
  return
}

// -----

func.func @reduce_min_axes_duplicate(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'dsr1.reduce_min' op axes [1, 1] must be distinct and in [0, 2)}}
  %0 = dsr1.reduce_min %x axes [1, 1] : tensor<4x8xf32>
  return
}

// -----

func.func @reduce_prod_axis_of_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'dsr1.reduce_prod' op axes [0] must be distinct and in [0, 0)}}
  %0 = dsr1.reduce_prod %x axes [0] : tensor<f32>
  return
}

// -----

func.func @reduce_sum_axis_out_of_range(%x: tensor<4x8x2xi32>) {
  // expected-error @+1 {{'dsr1.reduce_sum' op axes [0, 3] must be distinct and in [0, 3)}}
  %0 = dsr1.reduce_sum %x axes [0, 3] : tensor<4x8x2xi32>
  return
}

// -----

func.func @reduce_sum_bool(%x: tensor<4xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<4xi1>'}}
  %0 = dsr1.reduce_sum %x axes [0] : tensor<4xi1>
  return
}

// -----

func.func @reduce_sum_bad_keepdims(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'keepdims' failed to satisfy constraint: bool attribute}}
  %0 = dsr1.reduce_sum %x axes [0] {keepdims = 0 : i64} : tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// dsr1.softmax, dsr1.log_softmax, normalisations
//===----------------------------------------------------------------------===//

func.func @softmax_axis_out_of_range(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'dsr1.softmax' op axis 2 is out of range for rank 2}}
  %0 = dsr1.softmax %x axis 2 : tensor<2x8xf32>
  return
}

// -----

func.func @softmax_axis_negative(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'dsr1.softmax' op axis -1 is out of range for rank 2 (axes are in [0, 2))}}
  %0 = dsr1.softmax %x axis -1 : tensor<2x8xf32>
  return
}

// -----

func.func @softmax_integer(%x: tensor<2x8xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2x8xi32>'}}
  %0 = dsr1.softmax %x axis 1 : tensor<2x8xi32>
  return
}

// -----

func.func @log_softmax_axis_out_of_range(%x: tensor<2x8x4xf16>) {
  // expected-error @+1 {{'dsr1.log_softmax' op axis 5 is out of range for rank 3}}
  %0 = dsr1.log_softmax %x axis 5 : tensor<2x8x4xf16>
  return
}

// -----

func.func @log_softmax_axis_of_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'dsr1.log_softmax' op axis 0 is out of range for rank 0}}
  %0 = dsr1.log_softmax %x axis 0 : tensor<f32>
  return
}

// -----

func.func @layer_norm_axis_out_of_range(%x: tensor<2x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.layer_norm' op axis 2 is out of range for rank 2}}
  %0 = dsr1.layer_norm %x, %s axis 2 : tensor<2x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @layer_norm_axis_negative(%x: tensor<2x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.layer_norm' op axis -1 is out of range for rank 2 (axes are in [0, 2))}}
  %0 = dsr1.layer_norm %x, %s axis -1 : tensor<2x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<2x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.layer_norm' op scale (4) does not broadcast to the normalised shape 8}}
  %0 = dsr1.layer_norm %x, %s axis 1 : tensor<2x8xf32>, tensor<4xf32>
  return
}

// -----

func.func @layer_norm_scale_rank_too_high(%x: tensor<2x4x8xf32>, %s: tensor<2x4x8xf32>) {
  // expected-error @+1 {{'dsr1.layer_norm' op scale (2x4x8) does not broadcast to the normalised shape 4x8}}
  %0 = dsr1.layer_norm %x, %s axis 1 : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  return
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %b: tensor<2x8xf32>) {
  // expected-error @+1 {{'dsr1.layer_norm' op bias (2x8) does not broadcast to the normalised shape 8}}
  %0 = dsr1.layer_norm %x, %s, %b axis 1 : tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>
  return
}

// -----

func.func @layer_norm_bias_unranked(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{'dsr1.layer_norm' op operand 'bias' must be a ranked tensor}}
  %0 = dsr1.layer_norm %x, %s, %b axis 1 : tensor<2x8xf32>, tensor<8xf32>, tensor<*xf32>
  return
}

// -----

func.func @layer_norm_element_type_mismatch(%x: tensor<2x8xf32>, %s: tensor<8xf16>) {
  // expected-error @+1 {{'dsr1.layer_norm' op operand 'scale' has element type f16, expected f32}}
  %0 = dsr1.layer_norm %x, %s axis 1 : tensor<2x8xf32>, tensor<8xf16>
  return
}

// -----

func.func @layer_norm_bad_epsilon(%x: tensor<2x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{attribute 'epsilon' failed to satisfy constraint: 64-bit float attribute}}
  %0 = dsr1.layer_norm %x, %s axis 1 {epsilon = 1.0e-05 : f32} : tensor<2x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_input_rank(%x: tensor<8xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.batch_norm' op operand 'input' must have rank >= 2, got 1 (8)}}
  %0 = dsr1.batch_norm %x, %p, %p, %p, %p : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_scale_rank(%x: tensor<2x8xf32>, %s: tensor<1x8xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.batch_norm' op operand 'scale' must have rank 1, got 2 (1x8)}}
  %0 = dsr1.batch_norm %x, %s, %p, %p, %p : tensor<2x8xf32>, tensor<1x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_scale_size(%x: tensor<2x8xf32>, %s: tensor<4xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.batch_norm' op scale has 4 elements, the input has 8 channels}}
  %0 = dsr1.batch_norm %x, %s, %p, %p, %p : tensor<2x8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_bias_size(%x: tensor<2x8xf32>, %b: tensor<4xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.batch_norm' op bias has 4 elements, the input has 8 channels}}
  %0 = dsr1.batch_norm %x, %p, %b, %p, %p : tensor<2x8xf32>, tensor<8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_mean_size(%x: tensor<2x8x4xf32>, %m: tensor<4xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.batch_norm' op mean has 4 elements, the input has 8 channels}}
  %0 = dsr1.batch_norm %x, %p, %p, %m, %p : tensor<2x8x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_variance_size(%x: tensor<2x8xf32>, %v: tensor<16xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.batch_norm' op variance has 16 elements, the input has 8 channels}}
  %0 = dsr1.batch_norm %x, %p, %p, %p, %v : tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>
  return
}

// -----

func.func @batch_norm_variance_rank(%x: tensor<2x8xf32>, %v: tensor<f32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.batch_norm' op operand 'variance' must have rank 1, got 0 (scalar)}}
  %0 = dsr1.batch_norm %x, %p, %p, %p, %v : tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @batch_norm_element_type_mismatch(%x: tensor<2x8xf32>, %p: tensor<8xf32>, %v: tensor<8xf16>) {
  // expected-error @+1 {{'dsr1.batch_norm' op failed to verify that all of {input, scale, bias, mean, variance} have same element type}}
  %0 = dsr1.batch_norm %x, %p, %p, %p, %v : tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf16>
  return
}

// -----

func.func @instance_norm_input_rank(%x: tensor<2x8xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.instance_norm' op operand 'input' must have rank >= 3, got 2 (2x8)}}
  %0 = dsr1.instance_norm %x, %p, %p : tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @instance_norm_scale_size(%x: tensor<2x8x4xf32>, %s: tensor<4xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.instance_norm' op scale has 4 elements, the input has 8 channels}}
  %0 = dsr1.instance_norm %x, %s, %p : tensor<2x8x4xf32>, tensor<4xf32>, tensor<8xf32>
  return
}

// -----

func.func @instance_norm_bias_size(%x: tensor<2x8x4xf32>, %b: tensor<2xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.instance_norm' op bias has 2 elements, the input has 8 channels}}
  %0 = dsr1.instance_norm %x, %p, %b : tensor<2x8x4xf32>, tensor<8xf32>, tensor<2xf32>
  return
}

// -----

func.func @instance_norm_bias_rank(%x: tensor<2x8x4xf32>, %b: tensor<8x1xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.instance_norm' op operand 'bias' must have rank 1, got 2 (8x1)}}
  %0 = dsr1.instance_norm %x, %p, %b : tensor<2x8x4xf32>, tensor<8xf32>, tensor<8x1xf32>
  return
}

// -----

func.func @instance_norm_element_type_mismatch(%x: tensor<2x8x4xf32>, %s: tensor<8xf64>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.instance_norm' op failed to verify that all of {input, scale, bias} have same element type}}
  %0 = dsr1.instance_norm %x, %s, %p : tensor<2x8x4xf32>, tensor<8xf64>, tensor<8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

func.func @cast_to_index(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.cast' op 'to' must be an integer or floating-point element type, got index}}
  %0 = dsr1.cast %x to index : tensor<4xf32>
  return
}

// -----

func.func @cast_from_index(%x: tensor<4xindex>) {
  // expected-error-re @+1 {{operand #0 must be ranked tensor of 16-bit float or {{.*}} or f8E4M3FN type or {{.*}} or 2-bit unsigned integer values, but got 'tensor<4xindex>'}}
  %0 = dsr1.cast %x to f32 : tensor<4xindex>
  return
}

// -----

func.func @cast_to_odd_width(%x: tensor<4xf32>) {
  // expected-error-re @+1 {{'dsr1.cast' op attribute 'to' failed to satisfy constraint: type attribute of 16-bit float or {{.*}} or 2-bit unsigned integer}}
  %0 = dsr1.cast %x to i3 : tensor<4xf32>
  return
}

// -----

// The narrow types are storage only: no arithmetic on them.
func.func @add_narrow_float(%x: tensor<4xf8E4M3FN>) {
  // expected-error-re @+1 {{'dsr1.add' op operand #0 must be ranked tensor of 16-bit float or {{.*}} but got 'tensor<4xf8E4M3FN>'}}
  %0 = dsr1.add %x, %x : tensor<4xf8E4M3FN>, tensor<4xf8E4M3FN>
  return
}

// -----

func.func @cast_round_mode(%x: tensor<4xf32>) {
  // expected-error @+2 {{expected ::dsr1::RoundMode to be one of: up, down, nearest}}
  // expected-error @+1 {{failed to parse DSR1_RoundModeAttr parameter 'value' which is to be a `::dsr1::RoundMode`}}
  %0 = dsr1.cast %x to f8E8M0FNU {round_mode = #dsr1.round_mode<sideways>} : tensor<4xf32>
  return
}

// -----

func.func @cast_result_element_differs(%x: tensor<4xf32>) {
  // expected-error @+2 {{'dsr1.cast' op inferred type(s) 'tensor<4xf16>' are incompatible with return type(s) of operation 'tensor<4xbf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dsr1.cast"(%x) <{to = f16}> : (tensor<4xf32>) -> tensor<4xbf16>
  return
}

// -----

func.func @bitcast_width_differs(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.bitcast' op cannot reinterpret f32 as i16: the bit widths differ}}
  %0 = dsr1.bitcast %x to i16 : tensor<4xf32>
  return
}

// -----

func.func @bitcast_bool_to_float(%x: tensor<4xi1>) {
  // expected-error @+1 {{'dsr1.bitcast' op cannot reinterpret i1 as f16: the bit widths differ}}
  %0 = dsr1.bitcast %x to f16 : tensor<4xi1>
  return
}

// -----

func.func @bitcast_to_index(%x: tensor<4xi64>) {
  // expected-error @+1 {{'dsr1.bitcast' op 'to' must be an integer or floating-point element type, got index}}
  %0 = dsr1.bitcast %x to index : tensor<4xi64>
  return
}

// -----

func.func @bitcast_without_to(%x: tensor<4xi64>) {
  // expected-error @+1 {{'dsr1.bitcast' op requires attribute 'to'}}
  %0 = "dsr1.bitcast"(%x) : (tensor<4xi64>) -> tensor<4xf64>
  return
}

// -----

func.func @grid_sample_rank_too_low(%x: tensor<2x3xf32>, %g: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.grid_sample' op operand 'input' must have rank >= 3, got 2 (2x3)}}
  %0 = dsr1.grid_sample %x, %g : tensor<2x3xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @grid_sample_grid_rank(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x2xf32>) {
  // expected-error @+1 {{'dsr1.grid_sample' op operand 'grid' must have rank 4, got 3 (1x4x2)}}
  %0 = dsr1.grid_sample %x, %g : tensor<1x3x8x8xf32>, tensor<1x4x2xf32>
  return
}

// -----

func.func @grid_sample_batch_differs(%x: tensor<1x3x8x8xf32>, %g: tensor<2x4x4x2xf32>) {
  // expected-error @+1 {{'dsr1.grid_sample' op 'input' and 'grid' disagree in the batch dim (1x3x8x8 vs 2x4x4x2)}}
  %0 = dsr1.grid_sample %x, %g : tensor<1x3x8x8xf32>, tensor<2x4x4x2xf32>
  return
}

// -----

func.func @grid_sample_coordinates(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x3xf32>) {
  // expected-error @+1 {{'dsr1.grid_sample' op the last dim of 'grid' must be 2, one coordinate per spatial dim of the input, got 1x4x4x3}}
  %0 = dsr1.grid_sample %x, %g : tensor<1x3x8x8xf32>, tensor<1x4x4x3xf32>
  return
}

// -----

func.func @grid_sample_integer_input(%x: tensor<1x3x8x8xi32>, %g: tensor<1x4x4x2xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x3x8x8xi32>'}}
  %0 = dsr1.grid_sample %x, %g : tensor<1x3x8x8xi32>, tensor<1x4x4x2xf32>
  return
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.concat' op axis 2 is out of range for rank 2}}
  %0 = dsr1.concat %a, %a axis 2 : tensor<2x3xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @concat_axis_negative(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.concat' op axis -1 is out of range for rank 2 (axes are in [0, 2))}}
  %0 = dsr1.concat %a, %a axis -1 : tensor<2x3xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @concat_rank_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) {
  // expected-error @+1 {{'dsr1.concat' op input #1 has rank 3, input #0 has 2}}
  %0 = dsr1.concat %a, %b axis 0 : tensor<2x3xf32>, tensor<2x3x1xf32>
  return
}

// -----

func.func @concat_dim_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %c: tensor<2x4xf32>) {
  // expected-error @+1 {{'dsr1.concat' op input #2 (2x4) differs from the others in dimension 1, which is not the concatenation axis}}
  %0 = dsr1.concat %a, %b, %c axis 0 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x4xf32>
  return
}

// -----

func.func @concat_unranked_input(%a: tensor<2x3xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{'dsr1.concat' op operand 'input #1' must be a ranked tensor}}
  %0 = dsr1.concat %a, %b axis 0 : tensor<2x3xf32>, tensor<*xf32>
  return
}

// -----

func.func @concat_element_type_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) {
  // expected-error @+1 {{'dsr1.concat' op requires the same element type for all operands}}
  %0 = dsr1.concat %a, %b axis 0 : tensor<2x3xf32>, tensor<2x3xf16>
  return
}

// -----

func.func @concat_no_inputs() {
  // expected-error @+1 {{'dsr1.concat' op expected 1 or more operands, but found 0}}
  %0 = "dsr1.concat"() <{axis = 0 : i64}> : () -> tensor<f32>
  return
}

// -----

func.func @constant_not_a_tensor() {
  // expected-error @+1 {{'dsr1.constant' op value must be a ranked tensor elements attribute}}
  %0 = dsr1.constant dense<1.0> : vector<2xf32>
  return
}

// -----

func.func @constant_index_elements() {
  // expected-error @+1 {{result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer}}
  %0 = dsr1.constant dense<1> : tensor<2xindex>
  return
}

// -----

func.func @constant_result_type_differs() {
  // expected-error @+2 {{'dsr1.constant' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<2xf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dsr1.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<2xf16>
  return
}

// -----

func.func @expand_incompatible(%x: tensor<3x2xf32>) {
  // expected-error @+1 {{'dsr1.expand' op input 3x2 cannot be expanded to [2, 3, 4]}}
  %0 = dsr1.expand %x to [2, 3, 4] : tensor<3x2xf32>
  return
}

// -----

func.func @expand_negative(%x: tensor<3x1xf32>) {
  // expected-error @+1 {{'dsr1.expand' op shape [3, -1] has a negative entry}}
  %0 = dsr1.expand %x to [3, -1] : tensor<3x1xf32>
  return
}

// -----

func.func @gather_data_scalar(%x: tensor<f32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'dsr1.gather' op operand 'data' must have rank >= 1, got 0 (scalar)}}
  %0 = dsr1.gather %x[%i] axis 0 : tensor<f32>, tensor<2xi64>
  return
}

// -----

func.func @gather_axis_out_of_range(%x: tensor<4x6xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'dsr1.gather' op axis 2 is out of range for rank 2}}
  %0 = dsr1.gather %x[%i] axis 2 : tensor<4x6xf32>, tensor<2xi64>
  return
}

// -----

func.func @gather_axis_negative(%x: tensor<4x6xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'dsr1.gather' op axis -1 is out of range for rank 2 (axes are in [0, 2))}}
  %0 = dsr1.gather %x[%i] axis -1 : tensor<4x6xf32>, tensor<2xi64>
  return
}

// -----

func.func @gather_float_indices(%x: tensor<4x6xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = dsr1.gather %x[%i] axis 0 : tensor<4x6xf32>, tensor<2xf32>
  return
}

// -----

func.func @gather_i16_indices(%x: tensor<4x6xf32>, %i: tensor<2xi16>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi16>'}}
  %0 = dsr1.gather %x[%i] axis 0 : tensor<4x6xf32>, tensor<2xi16>
  return
}

// -----

func.func @pad_wrong_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.pad' op 'pads' has 2 entries, expected 4 (begin and end of each of 2 dimensions)}}
  %0 = dsr1.pad %x [1, 1] : tensor<2x3xf32>
  return
}

// -----

func.func @pad_negative_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.pad' op padding [0, -2, 0, -2] leaves dimension 1 of size 3 with a negative size}}
  %0 = dsr1.pad %x [0, -2, 0, -2] : tensor<2x3xf32>
  return
}

// -----

func.func @pad_bad_mode(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{attribute 'mode' failed to satisfy constraint: how dsr1.pad fills the border}}
  %0 = dsr1.pad %x [0, 0, 1, 1] {mode = "reflect"} : tensor<2x3xf32>
  return
}

// -----

func.func @reshape_element_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.reshape' op cannot reshape 2x3 (6 elements) to 4x2 (8 elements)}}
  %0 = dsr1.reshape %x to [4, 2] : tensor<2x3xf32>
  return
}

// -----

func.func @reshape_inferred_not_divisible(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.reshape' op cannot reshape 2x3 (6 elements) to [4, -1]}}
  %0 = dsr1.reshape %x to [4, -1] : tensor<2x3xf32>
  return
}

// -----

func.func @reshape_inferred_with_zero_size(%x: tensor<2x0xf32>) {
  // expected-error @+1 {{'dsr1.reshape' op cannot reshape 2x0 (0 elements) to [-1, 0]}}
  %0 = dsr1.reshape %x to [-1, 0] : tensor<2x0xf32>
  return
}

// -----

func.func @reshape_two_inferred(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.reshape' op shape [-1, -1] has more than one -1}}
  %0 = dsr1.reshape %x to [-1, -1] : tensor<2x3xf32>
  return
}

// -----

func.func @reshape_zero_beyond_rank(%x: tensor<6xf32>) {
  // expected-error @+1 {{'dsr1.reshape' op shape entry 0 at index 1 copies a dimension the rank-1 input does not have}}
  %0 = dsr1.reshape %x to [6, 0] : tensor<6xf32>
  return
}

// -----

func.func @reshape_negative_entry(%x: tensor<6xf32>) {
  // expected-error @+1 {{'dsr1.reshape' op shape entry -2 at index 0 is negative}}
  %0 = dsr1.reshape %x to [-2, -3] : tensor<6xf32>
  return
}

// -----

func.func @slice_missing_starts(%x: tensor<10xf32>) {
  // expected-error @+1 {{'dsr1.slice' op requires attributes 'starts' and 'ends'}}
  %0 = dsr1.slice %x {ends = array<i64: 5>} : tensor<10xf32>
  return
}

// -----

func.func @slice_missing_ends(%x: tensor<10xf32>) {
  // expected-error @+1 {{'dsr1.slice' op requires attributes 'starts' and 'ends'}}
  %0 = dsr1.slice %x {starts = array<i64: 0>} : tensor<10xf32>
  return
}

// -----

func.func @slice_starts_ends_sizes(%x: tensor<10x4xf32>) {
  // expected-error @+1 {{'dsr1.slice' op 'starts' has 2 entries, 'ends' has 1}}
  %0 = dsr1.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 5>} : tensor<10x4xf32>
  return
}

// -----

func.func @slice_axes_size(%x: tensor<10x4xf32>) {
  // expected-error @+1 {{'dsr1.slice' op 'axes' has 2 entries, 'starts' has 1}}
  %0 = dsr1.slice %x {starts = array<i64: 0>, ends = array<i64: 5>, axes = array<i64: 0, 1>} : tensor<10x4xf32>
  return
}

// -----

func.func @slice_steps_size(%x: tensor<10x4xf32>) {
  // expected-error @+1 {{'dsr1.slice' op 'steps' has 2 entries, 'starts' has 1}}
  %0 = dsr1.slice %x {starts = array<i64: 0>, ends = array<i64: 5>, steps = array<i64: 1, 1>} : tensor<10x4xf32>
  return
}

// -----

func.func @slice_too_many_axes(%x: tensor<10xf32>) {
  // expected-error @+1 {{'dsr1.slice' op slices 2 axes of a rank-1 input}}
  %0 = dsr1.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 5, 5>} : tensor<10xf32>
  return
}

// -----

func.func @slice_axis_out_of_range(%x: tensor<10x4xf32>) {
  // expected-error @+1 {{'dsr1.slice' op axes [2] must be distinct and in [0, 2)}}
  %0 = dsr1.slice %x {starts = array<i64: 0>, ends = array<i64: 5>, axes = array<i64: 2>} : tensor<10x4xf32>
  return
}

// -----

func.func @slice_axes_duplicate(%x: tensor<10x4xf32>) {
  // expected-error @+1 {{'dsr1.slice' op axes [1, 1] must be distinct and in [0, 2)}}
  %0 = dsr1.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 2, 3>, axes = array<i64: 1, 1>} : tensor<10x4xf32>
  return
}

// -----

func.func @slice_zero_step(%x: tensor<10xf32>) {
  // expected-error @+1 {{'dsr1.slice' op 'steps' must not contain 0}}
  %0 = dsr1.slice %x {starts = array<i64: 0>, ends = array<i64: 5>, steps = array<i64: 0>} : tensor<10xf32>
  return
}

// -----

func.func @slice_starts_not_array(%x: tensor<10xf32>) {
  // expected-error @+1 {{attribute 'starts' failed to satisfy constraint: i64 dense array attribute}}
  %0 = dsr1.slice %x {starts = [0], ends = array<i64: 5>} : tensor<10xf32>
  return
}

// -----

func.func @split_axis_out_of_range(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'dsr1.split' op axis 2 is out of range for rank 2}}
  %a, %b = dsr1.split %x axis 2 sizes [3, 3] : tensor<4x6xf32>
  return
}

// -----

func.func @split_sizes_empty(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'dsr1.split' op 'sizes' must not be empty}}
  dsr1.split %x axis 1 sizes [] : tensor<4x6xf32>
  return
}

// -----

func.func @split_sizes_negative(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'dsr1.split' op 'sizes' [8, -2] has a negative entry}}
  %a, %b = dsr1.split %x axis 1 sizes [8, -2] : tensor<4x6xf32>
  return
}

// -----

func.func @split_sizes_sum(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'dsr1.split' op 'sizes' [3, 2] add up to 5, dimension 1 has size 6}}
  %a, %b = dsr1.split %x axis 1 sizes [3, 2] : tensor<4x6xf32>
  return
}

// -----

func.func @split_result_count(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{operation defines 3 results but was provided 2 to bind}}
  %a, %b = dsr1.split %x axis 1 sizes [2, 2, 2] : tensor<4x6xf32>
  return
}

// -----

func.func @transpose_perm_too_short(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'dsr1.transpose' op perm [1, 0] is not a permutation of the 3 dimensions}}
  %0 = dsr1.transpose %x perm [1, 0] : tensor<2x3x4xf32>
  return
}

// -----

func.func @transpose_perm_duplicate(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.transpose' op perm [1, 1] is not a permutation of the 2 dimensions}}
  %0 = dsr1.transpose %x perm [1, 1] : tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.transpose' op perm [0, 2] is not a permutation of the 2 dimensions}}
  %0 = dsr1.transpose %x perm [0, 2] : tensor<2x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
func.func @lstm_peepholes_shape(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>, %p: tensor<1x128xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'peepholes' is 1x128, expected 1x96 (1 direction, hidden_size 32)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r peepholes %p {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> peepholes tensor<1x128xf32>
  return
}

// -----

func.func @rnn_sequence_lens_shape(%x: tensor<5x2x16xf32>, %w: tensor<1x32x16xf32>, %r: tensor<1x32x32xf32>, %l: tensor<3xi32>) {
  // expected-error @+1 {{'dsr1.rnn' op operand 'sequence_lens' is 3, expected 2 (one length per batch entry)}}
  %y, %h = dsr1.rnn %x, %w, %r sequence_lens %l {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x32x16xf32>, tensor<1x32x32xf32> sequence_lens tensor<3xi32>
  return
}

// -----

func.func @gru_sequence_lens_type(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x32xf32>, %l: tensor<2xf32>) {
  // expected-error @+1 {{'dsr1.gru' op operand #3 must be tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %y, %h = dsr1.gru %x, %w, %r sequence_lens %l {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32> sequence_lens tensor<2xf32>
  return
}

// -----

// dsr1.lstm, dsr1.gru
//===----------------------------------------------------------------------===//

func.func @lstm_missing_hidden_size(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op requires attribute 'hidden_size'}}
  %y, %h, %c = dsr1.lstm %x, %w, %r : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32>
  return
}

// -----

func.func @lstm_hidden_size_zero(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{attribute 'hidden_size' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 0 : i64} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32>
  return
}

// -----

func.func @lstm_x_rank(%x: tensor<2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'x' must have rank 3, got 2 (2x16)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64} : tensor<2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32>
  return
}

// -----

func.func @lstm_w_rank(%x: tensor<5x2x16xf32>, %w: tensor<128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'w' must have rank 3, got 2 (128x16)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<128x16xf32>, tensor<1x128x32xf32>
  return
}

// -----

func.func @lstm_r_rank(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x1x128x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'r' must have rank 3, got 4 (1x1x128x32)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x1x128x32xf32>
  return
}

// -----

func.func @lstm_w_gates(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'w' is 1x96x16, expected 1x128x16 (1 direction, hidden_size 32)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x128x32xf32>
  return
}

// -----

func.func @lstm_w_input_size(%x: tensor<5x2x16xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'w' is 1x128x8, expected 1x128x16 (1 direction, hidden_size 32)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>
  return
}

// -----

func.func @lstm_r_shape(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x16xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'r' is 1x128x16, expected 1x128x32 (1 direction, hidden_size 32)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x16xf32>
  return
}

// -----

func.func @lstm_bias_shape(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>, %b: tensor<1x128xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'bias' is 1x128, expected 1x256 (1 direction, hidden_size 32)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r bias %b {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> bias tensor<1x128xf32>
  return
}

// -----

func.func @lstm_bias_unranked(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'bias' must be a ranked tensor}}
  %y, %h, %c = dsr1.lstm %x, %w, %r bias %b {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> bias tensor<*xf32>
  return
}

// -----

func.func @lstm_initial_h_shape(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>, %h0: tensor<1x3x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'initial_h' is 1x3x32, expected 1x2x32 (1 direction, hidden_size 32)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r initial_h %h0 {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> initial_h tensor<1x3x32xf32>
  return
}

// -----

func.func @lstm_initial_c_shape(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>, %c0: tensor<2x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'initial_c' is 2x32, expected 1x2x32 (1 direction, hidden_size 32)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r initial_c %c0 {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> initial_c tensor<2x32xf32>
  return
}

// -----

func.func @lstm_bidirectional_weights(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'w' is 1x128x16, expected 2x128x16 (2 directions, hidden_size 32)}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64, direction = #dsr1.rnn_direction<bidirectional>} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32>
  return
}

// -----

func.func @lstm_bad_direction(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{attribute 'direction' failed to satisfy constraint: direction of an LSTM / GRU}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64, direction = "forward"} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32>
  return
}

// -----

func.func @lstm_integer(%x: tensor<5x2x16xi32>, %w: tensor<1x128x16xi32>, %r: tensor<1x128x32xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<5x2x16xi32>'}}
  %y, %h, %c = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x16xi32>, tensor<1x128x16xi32>, tensor<1x128x32xi32>
  return
}

// -----

func.func @gru_missing_hidden_size(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x32xf32>) {
  // expected-error @+1 {{'dsr1.gru' op requires attribute 'hidden_size'}}
  %y, %h = dsr1.gru %x, %w, %r : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32>
  return
}

// -----

func.func @gru_hidden_size_negative(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x32xf32>) {
  // expected-error @+1 {{attribute 'hidden_size' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %y, %h = dsr1.gru %x, %w, %r {hidden_size = -32 : i64} : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32>
  return
}

// -----

func.func @gru_x_rank(%x: tensor<5x2x3x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x32xf32>) {
  // expected-error @+1 {{'dsr1.gru' op operand 'x' must have rank 3, got 4 (5x2x3x16)}}
  %y, %h = dsr1.gru %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x3x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32>
  return
}

// -----

func.func @gru_w_gates(%x: tensor<5x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x96x32xf32>) {
  // expected-error @+1 {{'dsr1.gru' op operand 'w' is 1x128x16, expected 1x96x16 (1 direction, hidden_size 32)}}
  %y, %h = dsr1.gru %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x128x16xf32>, tensor<1x96x32xf32>
  return
}

// -----

func.func @gru_r_shape(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x16xf32>) {
  // expected-error @+1 {{'dsr1.gru' op operand 'r' is 1x96x16, expected 1x96x32 (1 direction, hidden_size 32)}}
  %y, %h = dsr1.gru %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x96x16xf32>
  return
}

// -----

func.func @gru_bias_shape(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x32xf32>, %b: tensor<1x96xf32>) {
  // expected-error @+1 {{'dsr1.gru' op operand 'bias' is 1x96, expected 1x192 (1 direction, hidden_size 32)}}
  %y, %h = dsr1.gru %x, %w, %r bias %b {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32> bias tensor<1x96xf32>
  return
}

// -----

func.func @gru_initial_h_shape(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x32xf32>, %h0: tensor<1x2x16xf32>) {
  // expected-error @+1 {{'dsr1.gru' op operand 'initial_h' is 1x2x16, expected 1x2x32 (1 direction, hidden_size 32)}}
  %y, %h = dsr1.gru %x, %w, %r initial_h %h0 {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32> initial_h tensor<1x2x16xf32>
  return
}

// -----

func.func @gru_initial_h_unranked(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x32xf32>, %h0: tensor<*xf32>) {
  // expected-error @+1 {{'dsr1.gru' op operand 'initial_h' must be a ranked tensor}}
  %y, %h = dsr1.gru %x, %w, %r initial_h %h0 {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32> initial_h tensor<*xf32>
  return
}

// -----

func.func @gru_bidirectional_initial_h(%x: tensor<5x2x16xf32>, %w: tensor<2x96x16xf32>, %r: tensor<2x96x32xf32>, %h0: tensor<1x2x32xf32>) {
  // expected-error @+1 {{'dsr1.gru' op operand 'initial_h' is 1x2x32, expected 2x2x32 (2 directions, hidden_size 32)}}
  %y, %h = dsr1.gru %x, %w, %r initial_h %h0 {hidden_size = 32 : i64, direction = #dsr1.rnn_direction<bidirectional>} : tensor<5x2x16xf32>, tensor<2x96x16xf32>, tensor<2x96x32xf32> initial_h tensor<1x2x32xf32>
  return
}

// -----

func.func @gru_bad_linear_before_reset(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x32xf32>) {
  // expected-error @+1 {{attribute 'linear_before_reset' failed to satisfy constraint: bool attribute}}
  %y, %h = dsr1.gru %x, %w, %r {hidden_size = 32 : i64, linear_before_reset = 1 : i64} : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32>
  return
}

// -----

func.func @gru_result_shape_differs(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x96x32xf32>) {
  // expected-error @+2 {{'dsr1.gru' op inferred type(s) 'tensor<5x1x2x32xf32>', 'tensor<1x2x32xf32>' are incompatible with return type(s) of operation 'tensor<5x2x32xf32>', 'tensor<1x2x32xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %h = "dsr1.gru"(%x, %w, %r) <{hidden_size = 32 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>}> : (tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32>) -> (tensor<5x2x32xf32>, tensor<1x2x32xf32>)
  return
}

// -----

// dsr1.rnn has one gate: w and r have hidden_size rows per direction, the bias twice that.
func.func @rnn_w_gates(%x: tensor<5x2x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x32x32xf32>) {
  // expected-error @+1 {{'dsr1.rnn' op operand 'w' is 1x96x16, expected 1x32x16 (1 direction, hidden_size 32)}}
  %y, %h = dsr1.rnn %x, %w, %r {hidden_size = 32 : i64} : tensor<5x2x16xf32>, tensor<1x96x16xf32>, tensor<1x32x32xf32>
  return
}

// -----

func.func @rnn_bias_shape(%x: tensor<5x2x16xf32>, %w: tensor<2x32x16xf32>, %r: tensor<2x32x32xf32>, %b: tensor<2x32xf32>) {
  // expected-error @+1 {{'dsr1.rnn' op operand 'bias' is 2x32, expected 2x64 (2 directions, hidden_size 32)}}
  %y, %h = dsr1.rnn %x, %w, %r bias %b {hidden_size = 32 : i64, direction = #dsr1.rnn_direction<bidirectional>} : tensor<5x2x16xf32>, tensor<2x32x16xf32>, tensor<2x32x32xf32> bias tensor<2x32xf32>
  return
}

// -----

func.func @rnn_initial_h_type(%x: tensor<5x2x16xf16>, %w: tensor<1x32x16xf16>, %r: tensor<1x32x32xf16>, %h0: tensor<1x2x32xf32>) {
  // expected-error @+1 {{'dsr1.rnn' op operand 'initial_h' has element type f32, expected f16}}
  %y, %h = dsr1.rnn %x, %w, %r initial_h %h0 {hidden_size = 32 : i64} : tensor<5x2x16xf16>, tensor<1x32x16xf16>, tensor<1x32x32xf16> initial_h tensor<1x2x32xf32>
  return
}

// -----

func.func @rnn_missing_hidden_size(%x: tensor<5x2x16xf32>, %w: tensor<1x32x16xf32>, %r: tensor<1x32x32xf32>) {
  // expected-error @+1 {{'dsr1.rnn' op requires attribute 'hidden_size'}}
  %y, %h = dsr1.rnn %x, %w, %r : tensor<5x2x16xf32>, tensor<1x32x16xf32>, tensor<1x32x32xf32>
  return
}

// -----

// Attributes written in an op's own syntax reach type inference before ODS checks them: a
// negative axis must be an error, not an out-of-bounds read.
func.func @split_axis_negative(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'dsr1.split' op axis -1 is out of range for rank 2 (axes are in [0, 2))}}
  %a, %b = dsr1.split %x axis -1 sizes [3, 3] : tensor<4x6xf32>
  return
}

// -----

func.func @gather_axis_very_negative(%x: tensor<4x6xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'dsr1.gather' op axis -2 is out of range for rank 2}}
  %0 = dsr1.gather %x[%i] axis -2 : tensor<4x6xf32>, tensor<2xi64>
  return
}

// -----

func.func @reshape_element_count_overflows(%x: tensor<2xf32>) {
  // expected-error @+1 {{'dsr1.reshape' op shape [4611686018427387904, 4] has more elements than int64_t can count}}
  %0 = dsr1.reshape %x to [4611686018427387904, 4] : tensor<2xf32>
  return
}

// -----

func.func @lstm_hidden_size_overflows(%x: tensor<5x4x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op hidden_size 4611686018427387904 is out of range}}
  %y:3 = dsr1.lstm %x, %w, %r {hidden_size = 4611686018427387904 : i64} : tensor<5x4x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32>
  return
}

// -----

func.func @max_pool_dilation_overflows(%x: tensor<1x3x8xf32>) {
  // expected-error @+1 {{'dsr1.max_pool' op window of 3 (dilation 9223372036854775807) does not fit spatial dimension 0 of size 8}}
  %0 = dsr1.max_pool %x {kernel_shape = array<i64: 3>, dilations = array<i64: 9223372036854775807>} : tensor<1x3x8xf32>
  return
}

// -----

func.func @conv_bias_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'dsr1.conv' op operand 'bias' has element type f16, expected f32}}
  %0 = dsr1.conv %x, %w, %b : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf16>
  return
}

// -----

func.func @gemm_c_element_type(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<4xi32>) {
  // expected-error @+1 {{'dsr1.gemm' op operand 'c' has element type i32, expected f32}}
  %0 = dsr1.gemm %a, %b, %c : tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xi32>
  return
}

// -----

func.func @layer_norm_bias_element_type(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf16>) {
  // expected-error @+1 {{'dsr1.layer_norm' op operand 'bias' has element type f16, expected f32}}
  %0 = dsr1.layer_norm %x, %s, %b axis 1 : tensor<2x8xf32>, tensor<8xf32>, tensor<8xf16>
  return
}

// -----

func.func @lstm_weight_element_type(%x: tensor<5x4x16xf32>, %w: tensor<1x128x16xf16>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{'dsr1.lstm' op operand 'w' has element type f16, expected f32}}
  %y:3 = dsr1.lstm %x, %w, %r {hidden_size = 32 : i64} : tensor<5x4x16xf32>, tensor<1x128x16xf16>, tensor<1x128x32xf32>
  return
}

// -----

func.func @gru_initial_h_element_type(%x: tensor<5x4x16xbf16>, %w: tensor<1x96x16xbf16>, %r: tensor<1x96x32xbf16>, %h: tensor<1x4x32xf32>) {
  // expected-error @+1 {{'dsr1.gru' op operand 'initial_h' has element type f32, expected bf16}}
  %y:2 = dsr1.gru %x, %w, %r initial_h %h {hidden_size = 32 : i64} : tensor<5x4x16xbf16>, tensor<1x96x16xbf16>, tensor<1x96x32xbf16> initial_h tensor<1x4x32xf32>
  return
}

// -----

func.func @cast_to_function_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.cast' op 'to' must be an integer or floating-point element type, got () -> ()}}
  %0 = dsr1.cast %x to () -> () : tensor<4xf32>
  return
}

// -----

// An attribute written both in the op's syntax and in its dictionary is ambiguous.
func.func @attribute_given_twice(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.softmax' op attribute 'axis' is given twice, with different values}}
  %0 = dsr1.softmax %x axis 1 {axis = 0 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @arg_max_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.arg_max' op axis 2 is out of range for rank 2}}
  %0 = dsr1.arg_max %x axis 2 : tensor<2x3xf32>
  return
}

// -----

func.func @arg_min_on_bool(%x: tensor<2x3xi1>) {
  // expected-error @+1 {{'dsr1.arg_min' op operand #0 must be ranked tensor of}}
  %0 = dsr1.arg_min %x axis 0 : tensor<2x3xi1>
  return
}

// -----

func.func @resize_roi_without_crop(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.resize' op 'roi' is given exactly for coordinate mode tf_crop_and_resize}}
  %0 = dsr1.resize %x to [16] {scales = array<f64: 2.0>, roi = array<f64: 0.0, 1.0>} : tensor<8xf32>
  return
}

// -----

func.func @resize_crop_without_roi(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.resize' op 'roi' is given exactly for coordinate mode tf_crop_and_resize}}
  %0 = dsr1.resize %x to [16] {scales = array<f64: 2.0>, coordinate_mode = #dsr1.coordinate_mode<tf_crop_and_resize>} : tensor<8xf32>
  return
}

// -----

func.func @resize_roi_size(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.resize' op 'roi' needs 2 entries (starts, then ends), got 3}}
  %0 = dsr1.resize %x to [16] {scales = array<f64: 2.0>, coordinate_mode = #dsr1.coordinate_mode<tf_crop_and_resize>, roi = array<f64: 0.0, 0.5, 1.0>} : tensor<8xf32>
  return
}

// -----

func.func @max_pool_indices_rank(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{'dsr1.max_pool_indices' op operand 'input' must have rank >= 3, got 2 (2x6)}}
  %0 = dsr1.max_pool_indices %x {kernel_shape = array<i64: 2>} : tensor<2x6xf32>
  return
}

// -----

func.func @resize_sizes_rank(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'dsr1.resize' op 'sizes' and 'scales' need one entry per dim of the rank-4 input, got 2 and 4}}
  %0 = dsr1.resize %x to [16, 16] {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_scale_not_positive(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.resize' op 'scales' must be positive}}
  %0 = dsr1.resize %x to [16] {scales = array<f64: 0.0>} : tensor<8xf32>
  return
}

// -----

func.func @resize_keep_with_scale(%x: tensor<?xf32>) {
  // expected-error @+1 {{'dsr1.resize' op 'sizes' entry -1 at index 0 must be a size, or -1 for an unresized dim (scale 1)}}
  %0 = dsr1.resize %x to [-1] {scales = array<f64: 2.0>} : tensor<?xf32>
  return
}

// -----

func.func @resize_without_scales(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dsr1.resize' op requires attribute 'scales'}}
  %0 = dsr1.resize %x to [16] : tensor<8xf32>
  return
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x8x4x4xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'dsr1.conv_transpose' op weight has 6 input channels, the input has 8}}
  %0 = dsr1.conv_transpose %x, %w : tensor<1x8x4x4xf32>, tensor<6x4x3x3xf32>
  return
}

// -----

func.func @conv_transpose_negative_output(%x: tensor<1x1x1xf32>, %w: tensor<1x1x1xf32>) {
  // expected-error @+1 {{'dsr1.conv_transpose' op spatial dimension 0 of size 1 gives no valid output size}}
  %0 = dsr1.conv_transpose %x, %w {pads = array<i64: 1, 1>} : tensor<1x1x1xf32>, tensor<1x1x1xf32>
  return
}

// -----

func.func @conv_transpose_bias(%x: tensor<1x2x4xf32>, %w: tensor<2x3x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'dsr1.conv_transpose' op bias has 2 elements, expected one per output channel (3)}}
  %0 = dsr1.conv_transpose %x, %w, %b : tensor<1x2x4xf32>, tensor<2x3x3xf32>, tensor<2xf32>
  return
}

// -----

func.func @cumsum_axis(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.cumsum' op axis 1 is out of range for rank 1}}
  %0 = dsr1.cumsum %x axis 1 : tensor<4xf32>
  return
}

// -----

func.func @top_k_too_many(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'dsr1.top_k' op k = 5 is not in [0, 4], the size of dimension 1}}
  %0:2 = dsr1.top_k %x k 5 axis 1 : tensor<2x4xf32>
  return
}

// -----

func.func @gather_elements_rank(%x: tensor<2x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'dsr1.gather_elements' op operand 'indices' must have rank 2, got 1 (2)}}
  %0 = dsr1.gather_elements %x[%i] axis 0 : tensor<2x4xf32>, tensor<2xi64>
  return
}

// -----

func.func @scatter_elements_updates(%x: tensor<2x4xf32>, %i: tensor<2x2xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{'dsr1.scatter_elements' op updates is 2x3, expected 2x2}}
  %0 = dsr1.scatter_elements %x[%i], %u axis 1 : tensor<2x4xf32>, tensor<2x2xi64>, tensor<2x3xf32>
  return
}

// -----

func.func @scatter_nd_index_depth(%x: tensor<2x4xf32>, %i: tensor<3x3xi64>, %u: tensor<3xf32>) {
  // expected-error @+1 {{'dsr1.scatter_nd' op the last dim of indices (3) must be static and in [1, 2]}}
  %0 = dsr1.scatter_nd %x[%i], %u : tensor<2x4xf32>, tensor<3x3xi64>, tensor<3xf32>
  return
}

// -----

func.func @scatter_nd_updates(%x: tensor<2x4xf32>, %i: tensor<3x1xi64>, %u: tensor<3x5xf32>) {
  // expected-error @+1 {{'dsr1.scatter_nd' op updates is 3x5, expected 3x4}}
  %0 = dsr1.scatter_nd %x[%i], %u : tensor<2x4xf32>, tensor<3x1xi64>, tensor<3x5xf32>
  return
}

// -----

func.func @linear_attention_heads(%q: tensor<2x16x64xf32>, %k: tensor<2x16x24xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op q_num_heads (8) must be a positive multiple of kv_num_heads (3)}}
  %0:2 = dsr1.linear_attention %q, %k, %k {q_num_heads = 8 : i64, kv_num_heads = 3 : i64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x16x64xf32>, tensor<2x16x24xf32>, tensor<2x16x24xf32>
  return
}

// -----

func.func @linear_attention_key_features(%q: tensor<2x16x64xf32>, %k: tensor<2x16x24xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op query [B, T, 8 * Dk], key [B, T, 4 * Dk] and value [B, T, 4 * Dv] do not fit: 2x16x64, 2x16x24 and 2x16x24}}
  %0:2 = dsr1.linear_attention %q, %k, %k {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x16x64xf32>, tensor<2x16x24xf32>, tensor<2x16x24xf32>
  return
}

// -----

func.func @linear_attention_length(%q: tensor<2x16x64xf32>, %k: tensor<2x15x32xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op query, key and value must agree in batch and length, got 2x16x64, 2x15x32 and 2x15x32}}
  %0:2 = dsr1.linear_attention %q, %k, %k {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x16x64xf32>, tensor<2x15x32xf32>, tensor<2x15x32xf32>
  return
}

// -----

func.func @linear_attention_dynamic_features(%q: tensor<2x16x?xf32>, %k: tensor<2x16x32xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op needs static feature sizes, got 2x16x?, 2x16x32 and 2x16x32}}
  %0:2 = dsr1.linear_attention %q, %k, %k {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x16x?xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @linear_attention_missing_decay(%q: tensor<2x16x64xf32>, %k: tensor<2x16x32xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op update rule gated needs decay}}
  %0:2 = dsr1.linear_attention %q, %k, %k {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<gated>} : tensor<2x16x64xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @linear_attention_unused_beta(%q: tensor<2x16x64xf32>, %k: tensor<2x16x32xf32>, %b: tensor<2x16x4xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op update rule gated needs decay}}
  %0:2 = dsr1.linear_attention %q, %k, %k beta %b : tensor<2x16x4xf32> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<gated>} : tensor<2x16x64xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @linear_attention_beta_for_linear(%q: tensor<2x16x64xf32>, %k: tensor<2x16x32xf32>, %b: tensor<2x16x4xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op update rule linear takes no beta}}
  %0:2 = dsr1.linear_attention %q, %k, %k beta %b : tensor<2x16x4xf32> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x16x64xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @linear_attention_decay_width(%q: tensor<2x16x64xf32>, %k: tensor<2x16x32xf32>, %g: tensor<2x16x8xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op decay must be [B, T, 4] or [B, T, 32], got 2x16x8}}
  %0:2 = dsr1.linear_attention %q, %k, %k decay %g : tensor<2x16x8xf32> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<gated>} : tensor<2x16x64xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @linear_attention_beta_width(%q: tensor<2x16x64xf32>, %k: tensor<2x16x32xf32>, %b: tensor<2x16x2xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op beta must be [B, T, 4] or [B, T, 1], got 2x16x2}}
  %0:2 = dsr1.linear_attention %q, %k, %k beta %b : tensor<2x16x2xf32> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<delta>} : tensor<2x16x64xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @linear_attention_state_shape(%q: tensor<2x16x64xf32>, %k: tensor<2x16x32xf32>, %s: tensor<2x4x8x4xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op initial_state must be [B, Hkv, Dk, Dv] = 2x4x8x8, got 2x4x8x4}}
  %0:2 = dsr1.linear_attention %q, %k, %k state %s : tensor<2x4x8x4xf32> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x16x64xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @linear_attention_scale(%q: tensor<2x16x64xf32>, %k: tensor<2x16x32xf32>) {
  // expected-error @+1 {{'dsr1.linear_attention' op scale must be positive and finite, got -1}}
  %0:2 = dsr1.linear_attention %q, %k, %k {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, scale = -1.0 : f64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x16x64xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @linear_attention_beta_type(%q: tensor<2x16x64xf32>, %k: tensor<2x16x32xf32>, %b: tensor<2x16x1xf16>) {
  // expected-error @+1 {{'dsr1.linear_attention' op operand 'beta' has element type f16, expected f32}}
  %0:2 = dsr1.linear_attention %q, %k, %k beta %b : tensor<2x16x1xf16> {q_num_heads = 8 : i64, kv_num_heads = 4 : i64, update_rule = #dsr1.linear_attention_rule<delta>} : tensor<2x16x64xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
  return
}

//===----------------------------------------------------------------------===//
// Fusion groups
//===----------------------------------------------------------------------===//

// -----

func.func @fusion_unknown_family(%x: tensor<4xf32>) {
  // expected-error @+1 {{unknown fusion family 'loops'}}
  %0 = dsr1.fusion loops (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %n = dsr1.neg %a : tensor<4xf32>
    dsr1.yield %n : tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_empty(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.fusion' op groups no op}}
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    dsr1.yield %a : tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_yield_types(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.fusion' op yields 1 values of types 'tensor<4xf32>' but has results of types 'tensor<4xi32>'}}
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xi32> {
  ^bb0(%a: tensor<4xf32>):
    %n = dsr1.neg %a : tensor<4xf32>
    dsr1.yield %n : tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_yield_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.fusion' op yields 2 values}}
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %n = dsr1.neg %a : tensor<4xf32>
    dsr1.yield %n, %n : tensor<4xf32>, tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_argument_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.fusion' op operand 0 has type 'tensor<4xf32>' but its body argument has 'tensor<4xf16>'}}
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf16> {
  ^bb0(%a: tensor<4xf16>):
    %n = dsr1.neg %a : tensor<4xf16>
    dsr1.yield %n : tensor<4xf16>
  }
  return
}

// -----

func.func @fusion_argument_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.fusion' op has 1 operands but its body takes 2 arguments}}
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    %n = dsr1.add %a, %b : tensor<4xf32>, tensor<4xf32>
    dsr1.yield %n : tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_foreign_op(%x: tensor<4xf32>) {
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    // expected-error @+1 {{'arith.addf' op cannot be part of a 'dsr1.fusion' group (only dsr1 ops can)}}
    %n = arith.addf %a, %a : tensor<4xf32>
    dsr1.yield %n : tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_nested(%x: tensor<4xf32>) {
  %0 = dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    // expected-error @+1 {{'dsr1.fusion' op cannot be nested in another group}}
    %n = dsr1.fusion elementwise (%a) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%b: tensor<4xf32>):
      %m = dsr1.neg %b : tensor<4xf32>
      dsr1.yield %m : tensor<4xf32>
    }
    dsr1.yield %n : tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_captures(%x: tensor<4xf32>) {
  // expected-note @+1 {{required by region isolation constraints}}
  %0 = dsr1.fusion elementwise () : () -> tensor<4xf32> {
    // expected-error @+1 {{'dsr1.neg' op using value defined outside the region}}
    %n = dsr1.neg %x : tensor<4xf32>
    dsr1.yield %n : tensor<4xf32>
  }
  return
}

// -----

func.func @yield_outside(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.yield' op expects parent op 'dsr1.fusion'}}
  dsr1.yield %x : tensor<4xf32>
  return
}

// -----

func.func @fusion_no_block(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dsr1.fusion' op expects a non-empty block}}
  dsr1.fusion elementwise (%x) : (tensor<4xf32>) -> () {
  }
  return
}
