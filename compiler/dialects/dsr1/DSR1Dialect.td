//===- DSR1Dialect.td - the dsr1 dialect declaration ------*- tablegen -*-===//
//
// The dsr1 dialect: a tensor graph at the level a model compiler reasons about.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DIALECT_TD
#define DSR1_DIALECT_TD

include "mlir/IR/OpBase.td"

def DSR1_Dialect : Dialect {
  let name = "dsr1";
  let cppNamespace = "::dsr1";
  let summary = "Tensor graph dialect of the dsr1 model compiler";
  let description = [{
    The `dsr1` dialect holds a trained network as a graph of value-semantic tensor operations:
    elementwise ops with numpy broadcasting, matmul / gemm / conv, pooling, reductions, softmax,
    normalisations, data movement, `dsr1.attention` and the LSTM / GRU recurrences. Every op
    verifies its operands and infers its result types, with static or dynamic (`?`) dimensions, so
    a malformed graph is reported at the op that is wrong.

    Axis attributes are non-negative (the frontends normalise ONNX's negative axes). Compute ops
    may carry a `#dsr1.precision<...>` attribute; attention records the modality of its query and
    key/value sources in `#dsr1.modality<...>`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

#endif // DSR1_DIALECT_TD
