// 3D convolution (cross-correlation) over volumes or clips, with PyTorch's
// semantics: NCDHW input, weight [K, C/groups, T, R, S], optional bias [K].
//
//   y[n, k, od, oh, ow] = b[k] + sum_{c, t, r, s} w[k, c, t, r, s] *
//       x[n, g*C/G + c, od*sd + t*dd - pf, oh*sh + r*dh - pt, ow*sw + s*dw - pl]
//
// conv3d records an autograd node; conv3d_backward is the same backward as
// an explicit call (the node calls it too).
#pragma once

#include <array>
#include <cstdint>

#include "convcore/ops/conv.h"
#include "convcore/ops/pad.h"
#include "convcore/tensor.h"

namespace convcore {

struct Conv3dOptions {
  std::array<int64_t, 3> stride{1, 1, 1};  // (d, h, w)
  // (left, right, top, bottom, front, back), as torch.nn.functional.pad on the last three dims
  std::array<int64_t, 6> padding{0, 0, 0, 0, 0, 0};
  std::array<int64_t, 3> dilation{1, 1, 1};  // (d, h, w)
  int64_t groups = 1;
  PaddingMode padding_mode = PaddingMode::Zeros;
  // padding='same' (stride 1 only): the total d*(r-1) per dimension is split
  // with the odd pixel on the right / bottom / back, as PyTorch.
  bool same = false;

  Conv3dOptions& set_stride(int64_t s) { stride = {s, s, s}; return *this; }
  Conv3dOptions& set_padding(int64_t p) { padding = {p, p, p, p, p, p}; return *this; }
  Conv3dOptions& set_padding(int64_t pd, int64_t ph, int64_t pw) {
    padding = {pw, pw, ph, ph, pd, pd};
    return *this;
  }
  Conv3dOptions& set_dilation(int64_t d) { dilation = {d, d, d}; return *this; }
  Conv3dOptions& set_groups(int64_t g) { groups = g; return *this; }
};

// The gradients of one convolution call: input, weight, bias (undefined where
// not requested). Same type for every dimensionality.
using Conv3dGrads = Conv2dGrads;

// input: [N, C, D, H, W], weight: [K, C/groups, T, R, S], bias: [K] or undefined
// returns [N, K, OD, OH, OW], OD = floor((D + pf + pb - (dd*(T-1)+1)) / sd) + 1 (likewise OH, OW)
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv3dOptions& options = Conv3dOptions());

// grad_output: [N, K, OD, OH, OW]; input and weight as for conv3d.
// output_mask selects which of (input, weight, bias) gradients to compute.
Conv3dGrads conv3d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                            const Conv3dOptions& options = Conv3dOptions(),
                            std::array<bool, 3> output_mask = {true, true, true});

// The two halves of conv3d_backward for callers that hold only a shape on
// the other side (conv_transpose3d is built from them).
// grad_output: [N, K, OD, OH, OW], weight: [K, C/groups, T, R, S] -> [N, C, D, H, W] = input_shape
Tensor conv3d_backward_input(const Tensor& grad_output, const Shape& input_shape,
                             const Tensor& weight, const Conv3dOptions& options = Conv3dOptions());
// grad_output: [N, K, OD, OH, OW], input: [N, C, D, H, W] -> [K, C/groups, T, R, S] = weight_shape
Tensor conv3d_backward_weight(const Tensor& grad_output, const Tensor& input,
                              const Shape& weight_shape, const Conv3dOptions& options = Conv3dOptions());

}  // namespace convcore
