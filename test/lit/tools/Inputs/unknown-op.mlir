// An op the dialect does not have.
func.func @f(%a: tensor<2xf32>) {
  %0 = dsr1.frobnicate %a : tensor<2xf32>
  return
}
