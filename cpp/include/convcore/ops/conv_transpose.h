// Transposed convolution ("learnable upsampling", sometimes miscalled
// deconvolution) in 1D, 2D and 3D with PyTorch's semantics: the weight is
// [C_in, C_out/groups, kernel...], and per spatial dimension
//
//   out = (in - 1) * s - 2 * p + d * (r - 1) + 1 + output_padding
//
// with output_padding < s or < d. Its forward is the input gradient of the
// convolution conv(out-sized x, weight) with the same stride, padding,
// dilation and groups; its input gradient is that convolution's forward, and
// its weight gradient that convolution's weight gradient with the roles of
// input and grad_output swapped.
#pragma once

#include <array>
#include <cstdint>

#include "convcore/ops/conv.h"
#include "convcore/ops/conv1d.h"
#include "convcore/ops/conv3d.h"
#include "convcore/tensor.h"

namespace convcore {

struct ConvTranspose1dOptions {
  int64_t stride = 1, padding = 0, output_padding = 0;
  int64_t groups = 1;
  int64_t dilation = 1;
};

struct ConvTranspose2dOptions {  // (h, w) pairs; padding is symmetric per dimension
  std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, output_padding{0, 0};
  int64_t groups = 1;
  std::array<int64_t, 2> dilation{1, 1};

  ConvTranspose2dOptions& set_stride(int64_t s) { stride = {s, s}; return *this; }
  ConvTranspose2dOptions& set_padding(int64_t p) { padding = {p, p}; return *this; }
  ConvTranspose2dOptions& set_output_padding(int64_t p) { output_padding = {p, p}; return *this; }
  ConvTranspose2dOptions& set_dilation(int64_t d) { dilation = {d, d}; return *this; }
  ConvTranspose2dOptions& set_groups(int64_t g) { groups = g; return *this; }
};

struct ConvTranspose3dOptions {  // (d, h, w) triples; padding is symmetric per dimension
  std::array<int64_t, 3> stride{1, 1, 1}, padding{0, 0, 0}, output_padding{0, 0, 0};
  int64_t groups = 1;
  std::array<int64_t, 3> dilation{1, 1, 1};

  ConvTranspose3dOptions& set_stride(int64_t s) { stride = {s, s, s}; return *this; }
  ConvTranspose3dOptions& set_padding(int64_t p) { padding = {p, p, p}; return *this; }
  ConvTranspose3dOptions& set_output_padding(int64_t p) { output_padding = {p, p, p}; return *this; }
  ConvTranspose3dOptions& set_dilation(int64_t d) { dilation = {d, d, d}; return *this; }
  ConvTranspose3dOptions& set_groups(int64_t g) { groups = g; return *this; }
};

// input: [N, C_in, L], weight: [C_in, C_out/groups, R], bias: [C_out] or undefined
// returns [N, C_out, OL]
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        const ConvTranspose1dOptions& options = ConvTranspose1dOptions());
// grad_output: [N, C_out, OL]; input and weight as for conv_transpose1d.
Conv1dGrads conv_transpose1d_backward(const Tensor& grad_output, const Tensor& input,
                                      const Tensor& weight, const ConvTranspose1dOptions& options,
                                      std::array<bool, 3> output_mask = {true, true, true});

// input: [N, C_in, H, W], weight: [C_in, C_out/groups, R, S], bias: [C_out] or undefined
// returns [N, C_out, OH, OW]
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        const ConvTranspose2dOptions& options = ConvTranspose2dOptions());
// grad_output: [N, C_out, OH, OW]; input and weight as for conv_transpose2d.
Conv2dGrads conv_transpose2d_backward(const Tensor& grad_output, const Tensor& input,
                                      const Tensor& weight, const ConvTranspose2dOptions& options,
                                      std::array<bool, 3> output_mask = {true, true, true});

// input: [N, C_in, D, H, W], weight: [C_in, C_out/groups, T, R, S], bias: [C_out] or undefined
// returns [N, C_out, OD, OH, OW]
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        const ConvTranspose3dOptions& options = ConvTranspose3dOptions());
// grad_output: [N, C_out, OD, OH, OW]; input and weight as for conv_transpose3d.
Conv3dGrads conv_transpose3d_backward(const Tensor& grad_output, const Tensor& input,
                                      const Tensor& weight, const ConvTranspose3dOptions& options,
                                      std::array<bool, 3> output_mask = {true, true, true});

}  // namespace convcore
