// Activations with PyTorch's semantics: leaky ReLU, sigmoid, tanh, LeNet's
// scaled tanh 1.7159 tanh(2x/3), softmax and log-softmax over any dim.
// (ReLU is in tensor_ops.h.) Each records an autograd node when its input
// requires grad; the *_backward functions are the same backward as explicit
// calls. Sigmoid, tanh and the softmaxes differentiate through their saved
// output, so their backward takes the output, not the input.
// exp and tanh are vectorised approximations accurate to a few float ulps.
// Deliberately left out: in-place variants, other dtypes.
#pragma once

#include <cstdint>

#include "convcore/tensor.h"

namespace convcore {

// input: [...] -> [...]: x > 0 ? x : negative_slope * x.
Tensor leaky_relu(const Tensor& input, float negative_slope = 0.01f);
// grad_output, input: [...] -> [...]: grad * (x > 0 ? 1 : negative_slope).
Tensor leaky_relu_backward(const Tensor& grad_output, const Tensor& input, float negative_slope);

// input: [...] -> [...]: min(max(x, min_val), max_val); relu6 is hardtanh(x, 0, 6).
Tensor hardtanh(const Tensor& input, float min_val = -1.0f, float max_val = 1.0f);
// grad_output, input: [...] -> [...]: grad where min_val < x < max_val, else 0 (as PyTorch).
Tensor hardtanh_backward(const Tensor& grad_output, const Tensor& input, float min_val,
                         float max_val);

// input: [...] -> [...]: 1 / (1 + e^-x).
Tensor sigmoid(const Tensor& input);
// grad_output, output: [...] -> [...]: grad * y * (1 - y).
Tensor sigmoid_backward(const Tensor& grad_output, const Tensor& output);

// input: [...] -> [...].
Tensor tanh(const Tensor& input);
// grad_output, output: [...] -> [...]: grad * (1 - y^2).
Tensor tanh_backward(const Tensor& grad_output, const Tensor& output);

// LeNet-5's squashing function (LeCun et al. 1998): A tanh(S x).
constexpr float kScaledTanhA = 1.7159f;
constexpr float kScaledTanhS = 2.0f / 3.0f;
// input: [...] -> [...].
Tensor scaled_tanh(const Tensor& input);
// grad_output, output: [...] -> [...]: grad * S/A * (A^2 - y^2).
Tensor scaled_tanh_backward(const Tensor& grad_output, const Tensor& output);

// input: [...] -> [...], normalised along `dim` (negative counts from the
// end; a 0-d input takes dim 0 or -1). e^(x - max) / sum, and
// x - max - log(sum(e^(x - max))): no overflow, no log of 0.
Tensor softmax(const Tensor& input, int64_t dim);
Tensor log_softmax(const Tensor& input, int64_t dim);
// grad_output, output: [...] -> [...].
// softmax: y * (g - sum_dim(g * y)); log-softmax: g - e^y * sum_dim(g).
Tensor softmax_backward(const Tensor& grad_output, const Tensor& output, int64_t dim);
Tensor log_softmax_backward(const Tensor& grad_output, const Tensor& output, int64_t dim);

}  // namespace convcore
