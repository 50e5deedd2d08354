// Lowering of RNN, LSTM and GRU: per direction, one contraction for every step's input projection (the
// biases that add linearly folded into its initial value), then an scf.for over the steps that
// carries Y and the states, computes H R^T into the step's slice and the gates in a
// linalg.generic that writes the new states over the old ones. Linear attention: an scf.for over
// the tokens carrying the outputs and the per-head state.
// RUN: dsr1-opt %s --split-input-file -dsr1-lower-to-linalg -verify-diagnostics | FileCheck %s

// LSTM forward with bias and initial states: Wb + Rb broadcast over [S, B, 4H], then X W^T
// accumulated into it; the step adds H R^T to its slice of the projection, and the gates i, o, f
// (sigmoids) and c (tanh) give C = f C + i c~ (C read from the carried tensor) and H = o tanh(C).
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$XW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$H:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$R:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @lstm_forward
// CHECK-SAME:    %[[X:[^:]+]]: tensor<5x2x3xf32> {bufferization.writable = false}, %[[W:[^:]+]]: tensor<1x16x3xf32> {bufferization.writable = false}, %[[R:[^:]+]]: tensor<1x16x4xf32> {bufferization.writable = false}, %[[B:[^:]+]]: tensor<1x32xf32> {bufferization.writable = false}, %[[H0:[^:]+]]: tensor<1x2x4xf32> {bufferization.writable = false}, %[[C0:[^:]+]]: tensor<1x2x4xf32> {bufferization.writable = false}
// CHECK-DAG:   %[[W0:.*]] = tensor.extract_slice %[[W]][0, 0, 0] [1, 16, 3] [1, 1, 1] : tensor<1x16x3xf32> to tensor<16x3xf32>
// CHECK-DAG:   %[[R0:.*]] = tensor.extract_slice %[[R]][0, 0, 0] [1, 16, 4] [1, 1, 1] : tensor<1x16x4xf32> to tensor<16x4xf32>
// CHECK-DAG:   %[[B0:.*]] = tensor.extract_slice %[[B]][0, 0] [1, 32] [1, 1] : tensor<1x32xf32> to tensor<32xf32>
// CHECK-DAG:   %[[HI:.*]] = tensor.extract_slice %[[H0]][0, 0, 0] [1, 2, 4] [1, 1, 1] : tensor<1x2x4xf32> to tensor<2x4xf32>
// CHECK-DAG:   %[[CI:.*]] = tensor.extract_slice %[[C0]][0, 0, 0] [1, 2, 4] [1, 1, 1] : tensor<1x2x4xf32> to tensor<2x4xf32>
// CHECK-DAG:   %[[WB:.*]] = tensor.extract_slice %[[B0]][0] [16] [1]
// CHECK-DAG:   %[[RB:.*]] = tensor.extract_slice %[[B0]][16] [16] [1]
// CHECK:       %[[BIAS:.*]] = linalg.generic {indexing_maps = [#[[$ROW]], #[[$ROW]], {{.*}}]{{.*}} ins(%[[WB]], %[[RB]] : tensor<16xf32>, tensor<16xf32>) outs(%{{.*}} : tensor<5x2x16xf32>)
// CHECK-NEXT:  ^bb0
// CHECK-NEXT:    arith.addf
// CHECK-NEXT:    linalg.yield
// CHECK:       %[[XW:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$W]], #[[$XW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]], %[[W0]] : {{.*}}) outs(%[[BIAS]] : tensor<5x2x16xf32>)
// CHECK:       %[[LOOP:.*]]:3 = scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[Y:.*]] = %{{.*}}, %[[HT:.*]] = %[[HI]], %[[CT:.*]] = %[[CI]]) -> (tensor<5x1x2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK:         %[[XWT:.*]] = tensor.extract_slice %[[XW]][%[[T]], 0, 0] [1, 2, 16] [1, 1, 1] : tensor<5x2x16xf32> to tensor<2x16xf32>
// CHECK:         %[[PRE:.*]] = linalg.generic {indexing_maps = [#[[$H]], #[[$R]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[HT]], %[[R0]] : {{.*}}) outs(%[[XWT]] : tensor<2x16xf32>)
// CHECK-DAG:     %[[I:.*]] = tensor.extract_slice %[[PRE]][0, 0] [2, 4] [1, 1]
// CHECK-DAG:     %[[O:.*]] = tensor.extract_slice %[[PRE]][0, 4] [2, 4] [1, 1]
// CHECK-DAG:     %[[F:.*]] = tensor.extract_slice %[[PRE]][0, 8] [2, 4] [1, 1]
// CHECK-DAG:     %[[G:.*]] = tensor.extract_slice %[[PRE]][0, 12] [2, 4] [1, 1]
// CHECK:         %[[NEW:.*]]:2 = linalg.generic {{.*}} ins(%[[I]], %[[O]], %[[F]], %[[G]] : {{.*}}) outs(%[[HT]], %[[CT]] : tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT:    ^bb0(%[[VI:.*]]: f32, %[[VO:.*]]: f32, %[[VF:.*]]: f32, %[[VG:.*]]: f32, %{{.*}}: f32, %[[VC:.*]]: f32):
// CHECK:           %[[SI:.*]] = arith.divf
// CHECK:           %[[SF:.*]] = arith.divf
// CHECK:           %[[TG:.*]] = math.tanh %[[VG]]
// CHECK:           %[[IG:.*]] = arith.mulf %[[SI]], %[[TG]]
// CHECK:           %[[FC:.*]] = arith.mulf %[[SF]], %[[VC]]
// CHECK:           %[[C:.*]] = arith.addf %[[FC]], %[[IG]]
// CHECK:           %[[SO:.*]] = arith.divf
// CHECK:           %[[TC:.*]] = math.tanh %[[C]]
// CHECK:           %[[H:.*]] = arith.mulf %[[SO]], %[[TC]]
// CHECK:           linalg.yield %[[H]], %[[C]]
// CHECK:         %[[YN:.*]] = tensor.insert_slice %[[NEW]]#0 into %[[Y]][%[[T]], 0, 0, 0] [1, 1, 2, 4] [1, 1, 1, 1]
// CHECK:         scf.yield %[[YN]], %[[NEW]]#0, %[[NEW]]#1
// CHECK:       %[[YH:.*]] = tensor.insert_slice %[[LOOP]]#1 into %{{.*}}[0, 0, 0] [1, 2, 4] [1, 1, 1]
// CHECK:       %[[YC:.*]] = tensor.insert_slice %[[LOOP]]#2 into %{{.*}}[0, 0, 0] [1, 2, 4] [1, 1, 1]
// CHECK:       return %[[LOOP]]#0, %[[YH]], %[[YC]]
func.func @lstm_forward(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %b: tensor<1x32xf32>, %h: tensor<1x2x4xf32>, %c: tensor<1x2x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) attributes {dsr1.kernel} {
  %y, %yh, %yc = dsr1.lstm %x, %w, %r bias %b initial_h %h initial_c %c {hidden_size = 4 : i64} : tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32> bias tensor<1x32xf32> initial_h tensor<1x2x4xf32> initial_c tensor<1x2x4xf32>
  return %y, %yh, %yc : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// GRU, bidirectional, f16, no bias or initial state: widened to f32 once; the states start at zero;
// the second direction walks the steps backwards (s = S - 1 - t) and writes Y[s, 1]; z and r come
// from H Rzr^T, then (r H) Rh^T is added to the candidate's slice; the results round to f16.
// CHECK-LABEL: func.func @gru_bidirectional_f16
// CHECK-COUNT-3: arith.extf {{.*}} : f16 to f32
// CHECK:       %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:       %[[XW:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} outs(%{{.*}} : tensor<5x2x12xf32>)
// CHECK:       %[[FWD:.*]]:2 = scf.for %[[T:.*]] = {{.*}} iter_args(%[[Y:.*]] = %{{.*}}, %[[HT:.*]] = %[[ZERO]])
// CHECK:         %[[XWT:.*]] = tensor.extract_slice %[[XW]][%[[T]], 0, 0] [1, 2, 12]
// CHECK:         %[[XZR:.*]] = tensor.extract_slice %[[XWT]][0, 0] [2, 8] [1, 1]
// CHECK:         %[[RZR:.*]] = tensor.extract_slice %{{.*}}[0, 0] [8, 4] [1, 1] : tensor<12x4xf32> to tensor<8x4xf32>
// CHECK:         %[[ZR:.*]] = linalg.generic {{.*}} ins(%[[HT]], %[[RZR]] : {{.*}}) outs(%[[XZR]] : tensor<2x8xf32>)
// CHECK:         %[[RPRE:.*]] = tensor.extract_slice %[[ZR]][0, 4] [2, 4] [1, 1]
// CHECK:         %[[RH:.*]] = linalg.generic {{.*}} ins(%[[RPRE]], %[[HT]] : {{.*}}) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:           math.exp
// CHECK:           arith.mulf
// CHECK:         %[[XH:.*]] = tensor.extract_slice %[[XWT]][0, 8] [2, 4] [1, 1]
// CHECK:         %[[RHW:.*]] = tensor.extract_slice %{{.*}}[8, 0] [4, 4] [1, 1] : tensor<12x4xf32> to tensor<4x4xf32>
// CHECK:         %[[CAND:.*]] = linalg.generic {{.*}} ins(%[[RH]], %[[RHW]] : {{.*}}) outs(%[[XH]] : tensor<2x4xf32>)
// CHECK:         %[[ZPRE:.*]] = tensor.extract_slice %[[ZR]][0, 0] [2, 4] [1, 1]
// CHECK:         %[[NEW:.*]] = linalg.generic {{.*}} ins(%[[ZPRE]], %[[CAND]] : {{.*}}) outs(%[[HT]] : tensor<2x4xf32>)
// CHECK:         tensor.insert_slice %[[NEW]] into %[[Y]][%[[T]], 0, 0, 0] [1, 1, 2, 4]
// CHECK:       %[[BWD:.*]]:2 = scf.for %[[T2:.*]] = {{.*}} iter_args(%{{.*}} = %[[FWD]]#0, %{{.*}} = %{{.*}})
// CHECK:         %[[C4:.*]] = arith.constant 4 : index
// CHECK:         %[[S:.*]] = arith.subi %[[C4]], %[[T2]] : index
// CHECK:         tensor.extract_slice %{{.*}}[%[[S]], 0, 0] [1, 2, 12]
// CHECK:         tensor.insert_slice %{{.*}} into %{{.*}}[%[[S]], 1, 0, 0] [1, 1, 2, 4]
// CHECK:       tensor.insert_slice %[[BWD]]#1 into %{{.*}}[1, 0, 0] [1, 2, 4] [1, 1, 1]
// CHECK:       arith.truncf {{.*}} : f32 to f16
// CHECK:       arith.truncf {{.*}} : f32 to f16
// CHECK:       return {{.*}} : tensor<5x2x2x4xf16>, tensor<2x2x4xf16>
func.func @gru_bidirectional_f16(%x: tensor<5x2x3xf16>, %w: tensor<2x12x3xf16>, %r: tensor<2x12x4xf16>) -> (tensor<5x2x2x4xf16>, tensor<2x2x4xf16>) attributes {dsr1.kernel} {
  %y, %yh = dsr1.gru %x, %w, %r {hidden_size = 4 : i64, direction = #dsr1.rnn_direction<bidirectional>} : tensor<5x2x3xf16>, tensor<2x12x3xf16>, tensor<2x12x4xf16>
  return %y, %yh : tensor<5x2x2x4xf16>, tensor<2x2x4xf16>
}

// -----

// GRU with linear_before_reset: the candidate's recurrent bias Rbh stays out of the projection
// (rows from 2H keep Wb only) and is added to H Rh^T before r multiplies it.
// CHECK-LABEL: func.func @gru_linear_before_reset
// CHECK:       linalg.generic
// CHECK:         %[[SUM:.*]] = arith.addf %[[WB:.*]], %{{.*}} : f32
// CHECK:         %[[ROW:.*]] = linalg.index 2 : index
// CHECK:         %[[C8:.*]] = arith.constant 8 : index
// CHECK:         %[[FOLDS:.*]] = arith.cmpi ult, %[[ROW]], %[[C8]] : index
// CHECK:         arith.select %[[FOLDS]], %[[SUM]], %[[WB]] : f32
// CHECK:       scf.for
// CHECK:         %[[HR:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]{{.*}} outs(%{{.*}} : tensor<2x12xf32>)
// CHECK:         %[[RBH:.*]] = tensor.extract_slice %{{.*}}[20] [4] [1] : tensor<24xf32> to tensor<4xf32>
// CHECK:         linalg.generic {{.*}} ins({{.*}}, %[[RBH]] : {{.*}}, tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%{{.*}}: f32, %{{.*}}: f32, %[[XH:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32, %[[HH:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[Z:.*]] = arith.divf
// CHECK:           %[[R:.*]] = arith.divf
// CHECK:           %[[REC:.*]] = arith.addf %[[HH]], %[[B]]
// CHECK:           %[[GATED:.*]] = arith.mulf %[[R]], %[[REC]]
// CHECK:           %[[PRE:.*]] = arith.addf %[[XH]], %[[GATED]]
// CHECK:           %[[CAND:.*]] = math.tanh %[[PRE]]
// CHECK:           %[[ZH:.*]] = arith.mulf %[[Z]], %{{.*}}
// CHECK:           %[[KEEP:.*]] = arith.subf %{{.*}}, %[[Z]]
// CHECK:           %[[NEW:.*]] = arith.mulf %[[KEEP]], %[[CAND]]
// CHECK:           arith.addf %[[NEW]], %[[ZH]]
func.func @gru_linear_before_reset(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>, %b: tensor<1x24xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>) attributes {dsr1.kernel} {
  %y, %yh = dsr1.gru %x, %w, %r bias %b {hidden_size = 4 : i64, direction = #dsr1.rnn_direction<reverse>, linear_before_reset = true} : tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32> bias tensor<1x24xf32>
  return %y, %yh : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// Without linear_before_reset every recurrent bias folds: no select on the row.
// CHECK-LABEL: func.func @gru_bias_folds
// CHECK:       linalg.generic
// CHECK-NEXT:  ^bb0
// CHECK-NEXT:    arith.addf
// CHECK-NEXT:    linalg.yield
// CHECK-NOT:   linalg.index
// CHECK:       return
func.func @gru_bias_folds(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>, %b: tensor<1x24xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>) attributes {dsr1.kernel} {
  %y, %yh = dsr1.gru %x, %w, %r bias %b {hidden_size = 4 : i64} : tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32> bias tensor<1x24xf32>
  return %y, %yh : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// The simple RNN: one gate, H = tanh(x W^T + H R^T + Wb + Rb), written over the carried H.
// CHECK-LABEL: func.func @rnn_reverse
// CHECK:       %[[XW:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} outs(%{{.*}} : tensor<5x2x4xf32>)
// CHECK:       scf.for %[[T:.*]] = {{.*}} iter_args(%[[Y:.*]] = %{{.*}}, %[[HT:.*]] = %{{.*}})
// CHECK:         %[[S:.*]] = arith.subi %{{.*}}, %[[T]] : index
// CHECK:         %[[XWT:.*]] = tensor.extract_slice %[[XW]][%[[S]], 0, 0] [1, 2, 4]
// CHECK:         %[[PRE:.*]] = linalg.generic {{.*}} ins(%[[HT]], %{{.*}} : tensor<2x4xf32>, tensor<4x4xf32>) outs(%[[XWT]] : tensor<2x4xf32>)
// CHECK:         %[[NEW:.*]] = linalg.generic {{.*}} ins(%[[PRE]] : tensor<2x4xf32>) outs(%[[HT]] : tensor<2x4xf32>)
// CHECK-NEXT:    ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[TH:.*]] = math.tanh %[[V]] : f32
// CHECK-NEXT:      linalg.yield %[[TH]]
// CHECK:         tensor.insert_slice %[[NEW]] into %[[Y]][%[[S]], 0, 0, 0] [1, 1, 2, 4]
func.func @rnn_reverse(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %b: tensor<1x8xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>) attributes {dsr1.kernel} {
  %y, %yh = dsr1.rnn %x, %w, %r bias %b {hidden_size = 4 : i64, direction = #dsr1.rnn_direction<reverse>} : tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32> bias tensor<1x8xf32>
  return %y, %yh : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// The number of steps must be known by code generation time.
func.func @lstm_symbolic(%x: tensor<?x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>) -> (tensor<?x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) attributes {dsr1.kernel} {
  // expected-error @+1 {{failed to legalize operation 'dsr1.lstm'}}
  %y, %yh, %yc = dsr1.lstm %x, %w, %r {hidden_size = 4 : i64} : tensor<?x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>
  return %y, %yh, %yc : tensor<?x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// Gated DeltaNet, 4 query heads over 2 kv heads (Dk = 2, Dv = 3), f16 widened to f32: an scf.for
// over the 3 tokens carries Y [B, T, Hq, Dv] and the state S [B, Hkv, Dk, Dv]. Per token, S is
// decayed by exp(g) of its head and written over itself, the value S holds for k (summed over
// Dk) is subtracted from v and scaled by the one beta, k ⊗ v is added to S (again in place), and
// query head hq reads kv head hq floordiv 2; Y is scaled by 1 / sqrt(2), rounded to f16 and merged
// to [B, T, Hq * Dv].
// CHECK-DAG: #[[$ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$HEAD:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG: #[[$ST:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
// CHECK-DAG: #[[$KR:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 2 + d3)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$V:.*]] = affine_map<(d0, d1, d2) -> (d0, d1 * 3 + d2)>
// CHECK-DAG: #[[$BETA:.*]] = affine_map<(d0, d1, d2) -> (d0, 0)>
// CHECK-DAG: #[[$KW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 2 + d2)>
// CHECK-DAG: #[[$VW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$GQA:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 floordiv 2, d3, d2)>
// CHECK-LABEL: func.func @linear_attention_gated_delta
// CHECK-SAME:    %[[S0:[^:]+]]: tensor<1x2x2x3xf32> {bufferization.writable = false})
// CHECK:       %[[LOOP:.*]]:2 = scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[Y:.*]] = %{{.*}}, %[[S:.*]] = %[[S0]]) -> (tensor<1x3x4x3xf32>, tensor<1x2x2x3xf32>)
// CHECK:         %[[QT:.*]] = tensor.extract_slice %{{.*}}[0, %[[T]], 0] [1, 1, 8] [1, 1, 1] : tensor<1x3x8xf32> to tensor<1x8xf32>
// CHECK:         %[[KT:.*]] = tensor.extract_slice %{{.*}}[0, %[[T]], 0] [1, 1, 4] [1, 1, 1] : tensor<1x3x4xf32> to tensor<1x4xf32>
// CHECK:         %[[VT:.*]] = tensor.extract_slice %{{.*}}[0, %[[T]], 0] [1, 1, 6] [1, 1, 1] : tensor<1x3x6xf32> to tensor<1x6xf32>
// CHECK:         %[[GT:.*]] = tensor.extract_slice %{{.*}}[0, %[[T]], 0] [1, 1, 2] [1, 1, 1] : tensor<1x3x2xf32> to tensor<1x2xf32>
// CHECK:         %[[DECAYED:.*]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$HEAD]], #[[$ID4]]]{{.*}} ins(%[[S]], %[[GT]] : {{.*}}) outs(%[[S]] : tensor<1x2x2x3xf32>)
// CHECK:           math.exp
// CHECK:         %[[HELD:.*]] = linalg.generic {indexing_maps = [#[[$ST]], #[[$KR]], #[[$ROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[DECAYED]], %[[KT]] : {{.*}}) outs(%{{.*}} : tensor<1x2x3xf32>)
// CHECK:         %[[BT:.*]] = tensor.extract_slice %{{.*}}[0, %[[T]], 0] [1, 1, 1] [1, 1, 1] : tensor<1x3x1xf32> to tensor<1x1xf32>
// CHECK:         %[[DV:.*]] = linalg.generic {indexing_maps = [#[[$V]], #{{.*}}, #[[$BETA]], #{{.*}}]{{.*}} ins(%[[VT]], %[[HELD]], %[[BT]] : {{.*}})
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:         %[[NEXT:.*]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$KW]], #[[$VW]], #[[$ID4]]]{{.*}} ins(%[[DECAYED]], %[[KT]], %[[DV]] : {{.*}}) outs(%[[DECAYED]] : tensor<1x2x2x3xf32>)
// CHECK:         %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[$KR]], #[[$GQA]], #[[$ROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[QT]], %[[NEXT]] : {{.*}}) outs(%{{.*}} : tensor<1x4x3xf32>)
// CHECK:         %[[YN:.*]] = tensor.insert_slice %[[OUT]] into %[[Y]][0, %[[T]], 0, 0] [1, 1, 4, 3] [1, 1, 1, 1] : tensor<1x4x3xf32> into tensor<1x3x4x3xf32>
// CHECK:         scf.yield %[[YN]], %[[NEXT]]
// CHECK:       %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[LOOP]]#0 : tensor<1x3x4x3xf32>) outs(%{{.*}} : tensor<1x3x4x3xf16>)
// CHECK:         arith.mulf
// CHECK:         arith.truncf
// CHECK:       %[[O:.*]] = tensor.collapse_shape %[[SCALED]] {{\[\[}}0], [1], [2, 3]] : tensor<1x3x4x3xf16> into tensor<1x3x12xf16>
// CHECK:       return %[[O]], %[[LOOP]]#1 : tensor<1x3x12xf16>, tensor<1x2x2x3xf32>
func.func @linear_attention_gated_delta(%q: tensor<1x3x8xf16>, %k: tensor<1x3x4xf16>, %v: tensor<1x3x6xf16>, %g: tensor<1x3x2xf16>, %b: tensor<1x3x1xf16>, %s: tensor<1x2x2x3xf32>) -> (tensor<1x3x12xf16>, tensor<1x2x2x3xf32>) attributes {dsr1.kernel} {
  %0:2 = dsr1.linear_attention %q, %k, %v state %s : tensor<1x2x2x3xf32> decay %g : tensor<1x3x2xf16> beta %b : tensor<1x3x1xf16> {q_num_heads = 4 : i64, kv_num_heads = 2 : i64, update_rule = #dsr1.linear_attention_rule<gated_delta>} : tensor<1x3x8xf16>, tensor<1x3x4xf16>, tensor<1x3x6xf16>
  return %0#0, %0#1 : tensor<1x3x12xf16>, tensor<1x2x2x3xf32>
}

// -----

// Plain linear attention in f32, no initial state: S starts at zeros, and without decay or beta
// a step is only S + k ⊗ v (v read straight from the token's columns) and the read-out.
// CHECK-DAG: #[[$VR:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 4 + d3)>
// CHECK-LABEL: func.func @linear_attention_linear
// CHECK:       %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x1x2x4xf32>)
// CHECK:       scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[S:.*]] = %[[ZERO]])
// CHECK-NOT:     math.exp
// CHECK:         %[[NEXT:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[$VR]], #{{.*}}]{{.*}} outs(%[[S]] : tensor<2x1x2x4xf32>)
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %[[NEXT]] : tensor<2x2xf32>, tensor<2x1x2x4xf32>) outs(%{{.*}} : tensor<2x1x4xf32>)
// CHECK:       scf.yield
func.func @linear_attention_linear(%q: tensor<2x5x2xf32>, %k: tensor<2x5x2xf32>, %v: tensor<2x5x4xf32>) -> (tensor<2x5x4xf32>, tensor<2x1x2x4xf32>) attributes {dsr1.kernel} {
  %0:2 = dsr1.linear_attention %q, %k, %v {q_num_heads = 1 : i64, kv_num_heads = 1 : i64, scale = 2.0 : f64, update_rule = #dsr1.linear_attention_rule<linear>} : tensor<2x5x2xf32>, tensor<2x5x2xf32>, tensor<2x5x4xf32>
  return %0#0, %0#1 : tensor<2x5x4xf32>, tensor<2x1x2x4xf32>
}

// -----

// LSTM with peepholes and sequence_lens: the peepholes p_i, p_f (times the carried C) and p_o (times
// the new C) are read per column; each step compares its index with every batch entry's length
// and the gates' generic keeps the old H and C past it, while Y gets 0 there.
// CHECK-LABEL: func.func @lstm_peepholes_lengths
// CHECK-SAME:    %{{[^:]+}}: tensor<3x2x3xf32> {bufferization.writable = false}, %{{[^:]+}}: tensor<1x16x3xf32> {bufferization.writable = false}, %{{[^:]+}}: tensor<1x16x4xf32> {bufferization.writable = false}, %[[P:[^:]+]]: tensor<1x12xf32> {bufferization.writable = false}, %[[L:[^:]+]]: tensor<2xi32> {bufferization.writable = false}
// CHECK:       scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step
// CHECK:         %[[TI:.*]] = arith.index_cast %[[T]] : index to i32
// CHECK:         %[[VALID:.*]] = linalg.generic {{.*}} ins(%[[L]] : tensor<2xi32>)
// CHECK:           arith.cmpi slt, %[[TI]]
// CHECK:         %[[NEW:.*]]:2 = linalg.generic {{.*}} ins({{.*}}, %[[VALID]] : {{.*}}tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2xi1>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:           arith.select
// CHECK:           arith.select
// CHECK:           linalg.yield
// CHECK:         %[[YS:.*]] = linalg.generic {{.*}} ins(%[[NEW]]#0, %[[VALID]] : tensor<2x4xf32>, tensor<2xi1>)
// CHECK:           arith.select
// CHECK:         tensor.insert_slice %[[YS]]
func.func @lstm_peepholes_lengths(%x: tensor<3x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %p: tensor<1x12xf32>, %l: tensor<2xi32>) -> (tensor<3x1x2x4xf32>, tensor<1x2x4xf32>) attributes {dsr1.kernel} {
  %y, %yh, %yc = dsr1.lstm %x, %w, %r peepholes %p sequence_lens %l {hidden_size = 4 : i64} : tensor<3x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32> peepholes tensor<1x12xf32> sequence_lens tensor<2xi32>
  return %y, %yh : tensor<3x1x2x4xf32>, tensor<1x2x4xf32>
}
