// Normalisation layers with PyTorch's semantics: batch norm (1D/2D/3D,
// training and evaluation) and local response norm (AlexNet).
// batch_norm and local_response_norm record autograd nodes; the explicit
// forward/backward functions are what those nodes call.
// Deliberately left out: layer/group/instance norm, cumulative moving
// average (momentum=None in PyTorch), channels-last layouts.
#pragma once

#include <array>
#include <cstdint>

#include "convcore/tensor.h"

namespace convcore {

// ---- batch norm (batch_norm.cpp) ----
// input: [N, C], [N, C, L], [N, C, H, W] or [N, C, D, H, W] -> the same shape.
// running_mean, running_var, weight, bias: [C] or undefined (running stats
// both or neither; evaluation needs them).
// training: normalise with the batch mean and biased variance, and update
// the running statistics in place:
//   running = (1 - momentum) * running + momentum * batch
// with the unbiased variance (M / (M - 1), M = values per channel).
// evaluation: normalise with the running statistics.
// y = (x - mean) / sqrt(var + eps) * weight + bias, then the epilogue.
// Statistics are accumulated in double, one channel per thread, so results
// do not depend on the thread count.
//
// The epilogue folds what follows a batch norm in a residual network into
// the same pass over memory: y = relu(bn(x) + residual). Its backward
// recomputes where the relu passed from x and the residual (it saves no
// mask), and returns the residual's gradient too.
struct BatchNormEpilogue {
  Tensor residual;    // like input, added before the relu; undefined: none
  bool relu = false;  // y = max(0, ...)
};

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
                  bool training = false, double momentum = 0.1, double eps = 1e-5,
                  const BatchNormEpilogue& epilogue = {});

struct BatchNormForward {
  Tensor output;       // like input
  Tensor save_mean;    // [C]: the mean used (batch or running)
  Tensor save_invstd;  // [C]: 1 / sqrt(var + eps) used
};
// batch_norm without autograd, also returning the statistics its backward needs.
BatchNormForward batch_norm_forward(const Tensor& input, const Tensor& running_mean,
                                    const Tensor& running_var, const Tensor& weight,
                                    const Tensor& bias, bool training, double momentum,
                                    double eps, const BatchNormEpilogue& epilogue = {});

struct BatchNormGrads {
  Tensor input, weight, bias;  // undefined where not requested
  Tensor residual;             // with an epilogue residual: its gradient
};
// grad_output, input: [N, C, ...]; weight: [C] or undefined (1);
// save_mean, save_invstd: [C] from batch_norm_forward.
// training: the gradient through the batch statistics; evaluation: the
// statistics are constants (an affine map).
// epilogue: the forward's; with relu, bias must be the forward's bias too
// (the mask is recomputed from the pre-activation).
BatchNormGrads batch_norm_backward(const Tensor& grad_output, const Tensor& input,
                                   const Tensor& weight, const Tensor& save_mean,
                                   const Tensor& save_invstd, bool training,
                                   std::array<bool, 3> output_mask = {true, true, true},
                                   const BatchNormEpilogue& epilogue = {},
                                   const Tensor& bias = Tensor());

// ---- local response norm (local_response_norm.cpp) ----
// input: [N, C, ...] (at least 3-D) -> the same shape:
//   y = x / (k + alpha/size * sum_{c' = c - size/2}^{c + (size-1)/2} x_c'^2)^beta
// with the window clipped at the first and last channel (PyTorch's zero
// padding; the divisor is always `size`). AlexNet: size 5, alpha 1e-4,
// beta 0.75, k 2.
Tensor local_response_norm(const Tensor& input, int64_t size, double alpha = 1e-4,
                           double beta = 0.75, double k = 1.0);
// grad_output, input: [N, C, ...] -> the input gradient.
Tensor local_response_norm_backward(const Tensor& grad_output, const Tensor& input, int64_t size,
                                    double alpha = 1e-4, double beta = 0.75, double k = 1.0);

}  // namespace convcore
