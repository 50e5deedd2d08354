// An operand list cut short.
func.func @f(%x: tensor<2xf32>) {
  %0 = dsr1.add %x, : tensor<2xf32>
