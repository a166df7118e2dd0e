// 2D convolution (cross-correlation, as in every framework) with PyTorch's
// semantics: NCHW input, weight [K, C/groups, R, S], optional bias [K].
//
//   y[n, k, oh, ow] = b[k] + sum_{c, r, s} w[k, c, r, s] * x[n, g*C/G + c, oh*sh + r*dh - pt, ow*sw + s*dw - pl]
//
// conv2d records an autograd node; conv2d_backward is the same backward as
// an explicit call (the node calls it too).
#pragma once

#include <array>
#include <cstdint>

#include "convcore/ops/pad.h"
#include "convcore/tensor.h"

namespace convcore {

struct Conv2dOptions {
  std::array<int64_t, 2> stride{1, 1};        // (h, w)
  std::array<int64_t, 4> padding{0, 0, 0, 0};  // (left, right, top, bottom), as torch.nn.functional.pad
  std::array<int64_t, 2> dilation{1, 1};      // (h, w)
  int64_t groups = 1;
  PaddingMode padding_mode = PaddingMode::Zeros;
  // padding='same': the output keeps the input's size (stride 1 only). The
  // total d*(r-1) is split with the odd pixel on the right/bottom, as PyTorch.
  bool same = false;

  Conv2dOptions& set_stride(int64_t s) { stride = {s, s}; return *this; }
  Conv2dOptions& set_padding(int64_t p) { padding = {p, p, p, p}; return *this; }
  Conv2dOptions& set_padding(int64_t ph, int64_t pw) { padding = {pw, pw, ph, ph}; return *this; }
  Conv2dOptions& set_dilation(int64_t d) { dilation = {d, d}; return *this; }
  Conv2dOptions& set_groups(int64_t g) { groups = g; return *this; }
};

// input: [N, C, H, W], weight: [K, C/groups, R, S], bias: [K] or undefined
// returns [N, K, OH, OW] with OH = floor((H + pt + pb - (dh*(R-1)+1)) / sh) + 1 (likewise OW)
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv2dOptions& options = Conv2dOptions());

// The algorithm conv2d's forward pass takes for these shapes under the
// current instruction set, threads and Winograd setting: "dense",
// "depthwise", "pointwise", "direct", "padded_gemm", "implicit_gemm" or
// "winograd" (docs/ARCHITECTURE.md says when each is chosen). For
// inspection and tests; checks its arguments as conv2d does.
std::string conv2d_algorithm(const Shape& input, const Shape& weight,
                             const Conv2dOptions& options = Conv2dOptions());

struct Conv2dGrads {
  Tensor input, weight, bias;  // undefined where not requested
};

// grad_output: [N, K, OH, OW]; input and weight as for conv2d.
// output_mask selects which of (input, weight, bias) gradients to compute.
Conv2dGrads conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                            const Conv2dOptions& options = Conv2dOptions(),
                            std::array<bool, 3> output_mask = {true, true, true});

// The two halves of conv2d_backward for callers that hold only a shape on
// the other side (conv_transpose2d is built from them).
// grad_output: [N, K, OH, OW], weight: [K, C/groups, R, S] -> [N, C, H, W] = input_shape
Tensor conv2d_backward_input(const Tensor& grad_output, const Shape& input_shape,
                             const Tensor& weight, const Conv2dOptions& options = Conv2dOptions());
// grad_output: [N, K, OH, OW], input: [N, C, H, W] -> [K, C/groups, R, S] = weight_shape
Tensor conv2d_backward_weight(const Tensor& grad_output, const Tensor& input,
                              const Shape& weight_shape, const Conv2dOptions& options = Conv2dOptions());

// The output size along one dimension; throws ValueError when the (dilated)
// kernel does not fit in the padded input.
int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before,
                         int64_t pad_after, int64_t dilation);

}  // namespace convcore
