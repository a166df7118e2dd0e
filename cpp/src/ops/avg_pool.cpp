// Average pooling, 1-D to 3-D, and its backward. Both passes run the
// kernels of kernels/pooling.inc (the divisor rule lives there once, so the
// backward divides exactly as the forward did) over the N*C planes in
// parallel, one plane per task.
// Deliberately left out: channels-last layouts.
#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/pooling.h"
#include "kernels/kernels.h"
#include "ops/pool_geometry.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

// The checked windows of an average pooling of a batched input shape.
PoolGeometry avg_geometry(const Shape& input, int dims, const AvgPoolOptions& o,
                          const std::string& what) {
  PoolGeometry g = make_pool_geometry(input, dims, o.kernel_size, o.stride, o.padding, {1},
                                      o.ceil_mode, what);
  g.win.count_include_pad = o.count_include_pad;
  g.win.divisor_override = o.divisor_override;
  return g;
}

struct AvgPoolBackward : Node {
  AvgPoolOptions options;
  int dims = 2;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    return {avg_pool_backward(grad_output, inputs[0].shape(), dims, options)};
  }
  const char* name() const override { return "AvgPoolBackward"; }
};

}  // namespace

Tensor avg_pool(const Tensor& input, int dims, const AvgPoolOptions& options) {
  const std::string what = pool_name("avg_pool", dims);
  if (check_pool_input(input, dims, what))
    return drop_batch_dim(avg_pool(add_batch_dim(input), dims, options));
  const PoolGeometry g = avg_geometry(input.shape(), dims, options, what);
  Tensor y = Tensor::empty(g.output_shape);
  const float* x = input.data();
  float* yp = y.data();
  const auto kernel = kernels::active().avg_pool_forward;
  const int64_t ip = g.in_plane(), op = g.out_plane();
  parallel_for(0, g.planes, [&](int64_t lo, int64_t hi, int) {
    kernel(g.win, hi - lo, x + lo * ip, yp + lo * op);
  });
  if (any_requires_grad({input})) {
    auto node = std::make_shared<AvgPoolBackward>();
    node->options = options;
    node->dims = dims;
    node->inputs = {input};
    set_history(y, node);
  }
  return y;
}

Tensor avg_pool_backward(const Tensor& grad_output, const Shape& input_shape, int dims,
                         const AvgPoolOptions& options) {
  const std::string what = pool_name("avg_pool", dims) + "_backward";
  CONVCORE_CHECK_VALUE(dims >= 1 && dims <= 3, what, ": dims must be 1, 2 or 3, got ", dims);
  const int nd = input_shape.ndim();
  CONVCORE_CHECK_VALUE(nd == dims + 1 || nd == dims + 2, what, ": input_shape must have ",
                       dims + 1, " or ", dims + 2, " dims, got ", input_shape.str());
  // An unbatched shape pools exactly like a batch of one.
  const PoolGeometry g = avg_geometry(input_shape, dims, options, what);
  check_grad_shape(grad_output, g.output_shape, what);
  Tensor dx = Tensor::empty(input_shape);
  const float* dy = grad_output.data();
  float* dxp = dx.data();
  const auto kernel = kernels::active().avg_pool_backward;
  const int64_t ip = g.in_plane(), op = g.out_plane();
  parallel_for(0, g.planes, [&](int64_t lo, int64_t hi, int) {
    kernel(g.win, hi - lo, dy + lo * op, dxp + lo * ip);
  });
  return dx;
}

}  // namespace convcore
