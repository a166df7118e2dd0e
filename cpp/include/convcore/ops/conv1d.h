// 1D convolution (cross-correlation) over sequences with PyTorch's
// semantics: NCL input, weight [K, C/groups, R], optional bias [K].
//
//   y[n, k, o] = b[k] + sum_{c, r} w[k, c, r] * x[n, g*C/G + c, o*s + r*d - pl]
//
// It runs on conv2d with a unit height: [N, C, L] is viewed (no copy) as
// [N, C, 1, L], so it takes every conv2d algorithm and its speed.
#pragma once

#include <array>
#include <cstdint>

#include "convcore/ops/conv.h"
#include "convcore/ops/pad.h"
#include "convcore/tensor.h"

namespace convcore {

struct Conv1dOptions {
  int64_t stride = 1;
  std::array<int64_t, 2> padding{0, 0};  // (left, right)
  int64_t dilation = 1;
  int64_t groups = 1;
  PaddingMode padding_mode = PaddingMode::Zeros;
  // padding='same' (stride 1 only): the odd pixel of d*(r-1) goes on the right, as PyTorch.
  bool same = false;

  Conv1dOptions& set_stride(int64_t s) { stride = s; return *this; }
  Conv1dOptions& set_padding(int64_t p) { padding = {p, p}; return *this; }
  Conv1dOptions& set_dilation(int64_t d) { dilation = d; return *this; }
  Conv1dOptions& set_groups(int64_t g) { groups = g; return *this; }
};

using Conv1dGrads = Conv2dGrads;  // input, weight, bias

// input: [N, C, L], weight: [K, C/groups, R], bias: [K] or undefined
// returns [N, K, OL], OL = floor((L + pl + pr - (d*(R-1)+1)) / s) + 1
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv1dOptions& options = Conv1dOptions());

// grad_output: [N, K, OL]; input and weight as for conv1d.
// output_mask selects which of (input, weight, bias) gradients to compute.
Conv1dGrads conv1d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                            const Conv1dOptions& options = Conv1dOptions(),
                            std::array<bool, 3> output_mask = {true, true, true});

// The conv2d options of the same convolution on [N, C, 1, L].
Conv2dOptions conv1d_as_conv2d(const Conv1dOptions& options);

}  // namespace convcore
