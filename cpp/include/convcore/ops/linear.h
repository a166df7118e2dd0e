// Fully connected layer with PyTorch's semantics: z = x W^T + b, the weight
// stored [out_features, in_features] (the decks' z = W a + b, per row of a
// batch). linear records an autograd node; linear_backward is its backward
// as an explicit call. Both run on the blocked sgemm (all threads).
#pragma once

#include <array>

#include "convcore/tensor.h"

namespace convcore {

// input: [..., in] (at least 1-D), weight: [out, in], bias: [out] or
// undefined -> [..., out].
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

struct LinearGrads {
  Tensor input, weight, bias;  // undefined where not requested
};
// grad_output: [..., out]; input and weight as for linear.
// input: grad W; weight: grad^T x (rows summed); bias: grad summed over rows.
LinearGrads linear_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                            std::array<bool, 3> output_mask = {true, true, true});

}  // namespace convcore
