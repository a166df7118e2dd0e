// Power-average (LP) pooling, PyTorch's definition: the average pooling of
// x^p, times the kernel volume, to the power 1/p. It runs the average
// pooling kernel on x^p; the backward, from the output alone, is
//   dx = x^(p-1) * avg_pool_backward(grad * kk * y^(1-p)),
// with 0 where y == 0 (PyTorch's relu sends nothing back there).
// Deliberately left out: padding (PyTorch's lp_pool has none) and an
// infinite p (use max pooling).
#include <cmath>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/pooling.h"
#include "ops/pool_geometry.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

constexpr int64_t kGrain = 16384;  // elements per parallel chunk

AvgPoolOptions lp_avg_options(const std::vector<int64_t>& kernel_size,
                              const std::vector<int64_t>& stride, bool ceil_mode) {
  AvgPoolOptions o;
  o.kernel_size = kernel_size;
  o.stride = stride;
  o.ceil_mode = ceil_mode;
  return o;
}

void check_norm_type(double p, const std::string& what) {
  CONVCORE_CHECK_VALUE(std::isfinite(p) && p != 0.0, what,
                       ": norm_type must be a finite nonzero number, got ", p);
}

// Product of the kernel sizes (checked by the pooling geometry).
float kernel_volume(const std::vector<int64_t>& kernel_size, int dims, const std::string& what) {
  int64_t kk = 1;
  for (int64_t k : per_dim(kernel_size, dims, "kernel_size", what)) kk *= k;
  return static_cast<float>(kk);
}

// f applied to each element of x into a new tensor of x's shape.
template <class F>
Tensor map_elements(const Tensor& x, const F& f) {
  Tensor y = Tensor::empty(x.shape());
  const float* a = x.data();
  float* b = y.data();
  const int64_t n = x.numel();
  parallel_for(0, (n + kGrain - 1) / kGrain, [&](int64_t c0, int64_t c1, int) {
    const int64_t hi = std::min(n, c1 * kGrain);
    for (int64_t i = c0 * kGrain; i < hi; ++i) b[i] = f(a[i]);
  });
  return y;
}

// x^p with PyTorch's exact special cases for the usual powers.
float power(float x, float p) {
  if (p == 1.0f) return x;
  if (p == 2.0f) return x * x;
  if (p == 3.0f) return x * x * x;
  return std::pow(x, p);
}

struct LpPoolBackward : Node {
  Tensor output;  // detached, so that the graph has no cycle
  int dims = 2;
  double norm_type = 2.0;
  std::vector<int64_t> kernel_size, stride;
  bool ceil_mode = false;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    return {lp_pool_backward(grad_output, inputs[0], output, dims, norm_type, kernel_size, stride,
                             ceil_mode)};
  }
  const char* name() const override { return "LpPoolBackward"; }
};

}  // namespace

Tensor lp_pool(const Tensor& input, int dims, double norm_type,
               const std::vector<int64_t>& kernel_size, const std::vector<int64_t>& stride,
               bool ceil_mode) {
  const std::string what = pool_name("lp_pool", dims);
  if (check_pool_input(input, dims, what))
    return drop_batch_dim(lp_pool(add_batch_dim(input), dims, norm_type, kernel_size, stride, ceil_mode));
  check_norm_type(norm_type, what);
  // Checked here too so that errors name lp_pool, not its average pooling.
  make_pool_geometry(input.shape(), dims, kernel_size, stride, {0}, {1}, ceil_mode, what);
  const float kk = kernel_volume(kernel_size, dims, what);
  const float p = static_cast<float>(norm_type), inv_p = static_cast<float>(1.0 / norm_type);
  Tensor y;
  {
    NoGradGuard no_grad;  // the parts are not recorded; LpPoolBackward is
    Tensor powered = map_elements(input, [p](float v) { return power(v, p); });
    Tensor avg = avg_pool(powered, dims, lp_avg_options(kernel_size, stride, ceil_mode));
    y = map_elements(avg, [kk, p, inv_p](float a) {
      const float s = a * kk;
      return p == 1.0f ? s : p == 2.0f ? std::sqrt(s) : std::pow(s, inv_p);
    });
  }
  if (any_requires_grad({input})) {
    auto node = std::make_shared<LpPoolBackward>();
    node->output = y.detach();
    node->dims = dims;
    node->norm_type = norm_type;
    node->kernel_size = kernel_size;
    node->stride = stride;
    node->ceil_mode = ceil_mode;
    node->inputs = {input};
    set_history(y, node);
  }
  return y;
}

Tensor lp_pool_backward(const Tensor& grad_output, const Tensor& input, const Tensor& output,
                        int dims, double norm_type, const std::vector<int64_t>& kernel_size,
                        const std::vector<int64_t>& stride, bool ceil_mode) {
  const std::string what = pool_name("lp_pool", dims) + "_backward";
  CONVCORE_CHECK_VALUE(input.defined() && output.defined(), what,
                       ": input and output must be defined tensors");
  check_norm_type(norm_type, what);
  const float kk = kernel_volume(kernel_size, dims, what);
  check_grad_shape(grad_output, output.shape(), what);
  const float p = static_cast<float>(norm_type);
  // G = grad * kk * y^(1-p): the gradient reaching avg_pool(x^p) times p.
  Tensor G = Tensor::empty(output.shape());
  {
    const float* g = grad_output.data();
    const float* y = output.data();
    float* out = G.data();
    const int64_t n = output.numel();
    parallel_for(0, (n + kGrain - 1) / kGrain, [&](int64_t c0, int64_t c1, int) {
      const int64_t hi = std::min(n, c1 * kGrain);
      for (int64_t i = c0 * kGrain; i < hi; ++i) {
        const float yv = y[i];
        const float scale = p == 1.0f ? 1.0f : p == 2.0f ? 1.0f / yv : std::pow(yv, 1.0f - p);
        out[i] = yv == 0.0f ? 0.0f : g[i] * kk * scale;
      }
    });
  }
  // avg_pool_backward checks that output's shape is the pooling of input's.
  Tensor dx = avg_pool_backward(G, input.shape(), dims, lp_avg_options(kernel_size, stride, ceil_mode));
  if (p != 1.0f) {
    float* d = dx.data();
    const float* x = input.data();
    const int64_t n = dx.numel();
    parallel_for(0, (n + kGrain - 1) / kGrain, [&](int64_t c0, int64_t c1, int) {
      const int64_t hi = std::min(n, c1 * kGrain);
      for (int64_t i = c0 * kGrain; i < hi; ++i) d[i] *= power(x[i], p - 1.0f);
    });
  }
  return dx;
}

}  // namespace convcore
