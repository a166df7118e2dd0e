// Mixed pooling (Yu et al. 2014; Lee et al. 2016's learnable blend):
//   alpha * max_pool2d(x) + (1 - alpha) * avg_pool2d(x)
// over the same windows, composed of recorded ops, so a tensor alpha that
// requires grad receives sum(grad * (max - avg)) through the product.
// alpha is not clamped to [0, 1]: a learned blend may leave it.
#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/pooling.h"
#include "convcore/ops/tensor_ops.h"
#include "ops/pool_geometry.h"

namespace convcore {

namespace {

// Checks the input and windows up front, so errors name mixed_pool2d.
MaxPoolOptions checked_max_options(const Tensor& input, const AvgPoolOptions& o) {
  const char* what = "mixed_pool2d";
  const bool unbatched = check_pool_input(input, 2, what);
  Shape s = input.shape();
  if (unbatched) s = Shape{1, s[0], s[1], s[2]};
  make_pool_geometry(s, 2, o.kernel_size, o.stride, o.padding, {1}, o.ceil_mode, what);
  MaxPoolOptions m;
  m.kernel_size = o.kernel_size;
  m.stride = o.stride;
  m.padding = o.padding;
  m.ceil_mode = o.ceil_mode;
  return m;
}

}  // namespace

Tensor mixed_pool2d(const Tensor& input, const Tensor& alpha, const AvgPoolOptions& options) {
  CONVCORE_CHECK_VALUE(alpha.defined() && alpha.numel() == 1,
                       "mixed_pool2d: alpha must be a number or a one-element tensor, got ",
                       alpha.defined() ? "shape " + alpha.shape().str() : std::string("nothing"));
  const MaxPoolOptions mo = checked_max_options(input, options);
  Tensor m = max_pool(input, 2, mo);
  Tensor a = avg_pool(input, 2, options);
  Tensor w = reshape(alpha, {});  // 0-d: broadcasting keeps the output's shape
  return add(mul(w, m), mul(sub(1.0f, w), a));
}

Tensor mixed_pool2d(const Tensor& input, double alpha, const AvgPoolOptions& options) {
  const MaxPoolOptions mo = checked_max_options(input, options);
  const float w = static_cast<float>(alpha);
  return add(mul(max_pool(input, 2, mo), w), mul(avg_pool(input, 2, options), 1.0f - w));
}

MixedPoolGrads mixed_pool2d_backward(const Tensor& grad_output, const Tensor& input, double alpha,
                                     const AvgPoolOptions& options) {
  NoGradGuard no_grad;
  const MaxPoolOptions mo = checked_max_options(input, options);
  PoolWithIndices m = max_pool_with_indices(input, 2, mo);
  CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.shape() == m.output.shape(),
                       "mixed_pool2d_backward: grad_output must have the output's shape ",
                       m.output.shape().str(), ", got ",
                       grad_output.defined() ? grad_output.shape().str() : std::string("nothing"));
  const Tensor a = avg_pool(input, 2, options);
  const float w = static_cast<float>(alpha);
  Tensor gi = add(mul(max_pool_backward(grad_output, m.indices, input.shape(), 2), w),
                  mul(avg_pool_backward(grad_output, input.shape(), 2, options), 1.0f - w));
  double ga = 0.0;  // in double, in order: sum(g * (max - avg))
  const float* g = grad_output.data();
  const float* mx = m.output.data();
  const float* av = a.data();
  for (int64_t i = 0, n = grad_output.numel(); i < n; ++i)
    ga += static_cast<double>(g[i]) * (static_cast<double>(mx[i]) - av[i]);
  return {gi, ga};
}

}  // namespace convcore
