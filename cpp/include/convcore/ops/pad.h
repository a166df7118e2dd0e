// Spatial padding of NCHW (pad2d) and NCDHW (pad3d) tensors with PyTorch's
// modes, differentiable.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "convcore/tensor.h"

namespace convcore {

enum class PaddingMode { Zeros, Reflect, Replicate, Circular };
PaddingMode parse_padding_mode(const std::string& name);  // 'zeros', 'reflect', ...
const char* padding_mode_name(PaddingMode mode);

// input: [N, C, H, W]; padding (left, right, top, bottom), each >= 0
// returns [N, C, H + top + bottom, W + left + right]. Reflect needs each pad
// smaller than the padded dimension, circular no larger than it.
Tensor pad2d(const Tensor& input, std::array<int64_t, 4> padding, PaddingMode mode,
             float value = 0.0f);

// grad_output: [N, C, H + top + bottom, W + left + right] -> [N, C, H, W]
Tensor pad2d_backward(const Tensor& grad_output, std::array<int64_t, 4> padding,
                      PaddingMode mode, int64_t H, int64_t W);

// input: [N, C, D, H, W]; padding (left, right, top, bottom, front, back), each >= 0
// returns [N, C, D + front + back, H + top + bottom, W + left + right], the
// same mode rules per dimension as pad2d (pad3d.cpp).
Tensor pad3d(const Tensor& input, std::array<int64_t, 6> padding, PaddingMode mode,
             float value = 0.0f);

// grad_output: [N, C, D + front + back, H + top + bottom, W + left + right] -> [N, C, D, H, W]
Tensor pad3d_backward(const Tensor& grad_output, std::array<int64_t, 6> padding,
                      PaddingMode mode, int64_t D, int64_t H, int64_t W);

}  // namespace convcore
