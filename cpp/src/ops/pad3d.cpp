// pad3d: padding of NCDHW tensors, as two pad2d passes over zero-copy views.
// Every mode maps each padded index to a source index one dimension at a
// time, so the dimensions can be padded separately: the depth first, as the
// "height" of [N, C, D, H*W] (whole H*W planes are its rows), then height
// and width of [N, C*D', H, W]. Both passes and the reshapes around them are
// differentiable, so the autograd graph is simply their chain.
#include <algorithm>

#include "convcore/error.h"
#include "convcore/ops/pad.h"
#include "convcore/ops/tensor_ops.h"

namespace convcore {

namespace {

// pad2d would report a depth problem as one of the "height"; check here
// with the right names.
void check_dim(int64_t n, int64_t before, int64_t after, PaddingMode mode, const char* dim) {
  const int64_t limit = std::max(before, after);
  if (mode == PaddingMode::Reflect)
    CONVCORE_CHECK_VALUE(limit < n, "pad3d: reflect padding must be smaller than the input ", dim,
                         " (", n, "), got ", limit);
  if (mode == PaddingMode::Circular)
    CONVCORE_CHECK_VALUE(limit <= n, "pad3d: circular padding must be at most the input ", dim,
                         " (", n, "), got ", limit);
  if (mode == PaddingMode::Replicate && limit > 0)
    CONVCORE_CHECK_VALUE(n > 0, "pad3d: replicate padding needs a non-empty input ", dim);
}

void check_padding(const std::array<int64_t, 6>& p) {
  for (int64_t v : p)
    CONVCORE_CHECK_VALUE(v >= 0,
                         "pad3d: padding must be non-negative, got (left, right, top, bottom, front, back) = (",
                         p[0], ", ", p[1], ", ", p[2], ", ", p[3], ", ", p[4], ", ", p[5], ")");
}

}  // namespace

Tensor pad3d(const Tensor& input, std::array<int64_t, 6> p, PaddingMode mode, float value) {
  CONVCORE_CHECK_VALUE(input.defined() && input.ndim() == 5,
                       "pad3d: input must be 5-D [N, C, D, H, W], got ",
                       input.defined() ? input.shape().str() : std::string("nothing"));
  check_padding(p);
  const int64_t N = input.size(0), C = input.size(1), D = input.size(2), H = input.size(3),
                W = input.size(4);
  check_dim(D, p[4], p[5], mode, "depth");
  check_dim(H, p[2], p[3], mode, "height");
  check_dim(W, p[0], p[1], mode, "width");
  const int64_t Dp = D + p[4] + p[5];
  Tensor planes = pad2d(reshape(input, {N, C, D, H * W}), {0, 0, p[4], p[5]}, mode, value);
  Tensor rows = pad2d(reshape(planes, {N, C * Dp, H, W}), {p[0], p[1], p[2], p[3]}, mode, value);
  return reshape(rows, {N, C, Dp, H + p[2] + p[3], W + p[0] + p[1]});
}

Tensor pad3d_backward(const Tensor& grad_output, std::array<int64_t, 6> p, PaddingMode mode,
                      int64_t D, int64_t H, int64_t W) {
  check_padding(p);
  const int64_t Dp = D + p[4] + p[5], Hp = H + p[2] + p[3], Wp = W + p[0] + p[1];
  CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.ndim() == 5 && grad_output.size(2) == Dp &&
                           grad_output.size(3) == Hp && grad_output.size(4) == Wp,
                       "pad3d_backward: grad_output must be [N, C, ", Dp, ", ", Hp, ", ", Wp, "], got ",
                       grad_output.defined() ? grad_output.shape().str() : std::string("nothing"));
  const int64_t N = grad_output.size(0), C = grad_output.size(1);
  Tensor rows = pad2d_backward(grad_output.view_as_shape(Shape{N, C * Dp, Hp, Wp}),
                               {p[0], p[1], p[2], p[3]}, mode, H, W);
  Tensor planes = pad2d_backward(rows.view_as_shape(Shape{N, C, Dp, H * W}), {0, 0, p[4], p[5]},
                                 mode, D, H * W);
  return planes.view_as_shape(Shape{N, C, D, H, W});
}

}  // namespace convcore
