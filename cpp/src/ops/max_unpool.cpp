// Max unpooling: each input value goes back to the position its max pooling
// took it from, everything else zero; the backward gathers the gradient
// from those positions. One plane per task, each plane in input order, so
// a position named twice (overlapping windows) keeps the last value, as
// PyTorch's CPU kernel.
#include <atomic>
#include <cstring>
#include <sstream>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/pooling.h"
#include "ops/pool_geometry.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

struct MaxUnpoolBackward : Node {
  std::vector<int64_t> indices;
  int dims = 2;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    return {max_unpool_backward(grad_output, indices, inputs[0].shape(), dims)};
  }
  const char* name() const override { return "MaxUnpoolBackward"; }
};

void check_indices_count(const std::vector<int64_t>& indices, int64_t expected,
                         const std::string& what, const char* of) {
  CONVCORE_CHECK_VALUE(static_cast<int64_t>(indices.size()) == expected, what,
                       ": indices must hold one entry per element of ", of, " (", expected,
                       "), got ", indices.size());
}

}  // namespace

std::vector<int64_t> max_unpool_output_size(const Shape& input_shape, int dims,
                                            const MaxUnpoolOptions& o) {
  const std::string what = pool_name("max_unpool", dims);
  CONVCORE_CHECK_VALUE(dims >= 1 && dims <= 3, what, ": dims must be 1, 2 or 3, got ", dims);
  CONVCORE_CHECK_VALUE(input_shape.ndim() >= dims, what, ": input must have at least ", dims,
                       " dims, got ", input_shape.str());
  const std::vector<int64_t> k = per_dim(o.kernel_size, dims, "kernel_size", what);
  const std::vector<int64_t> s = o.stride.empty() ? k : per_dim(o.stride, dims, "stride", what);
  const std::vector<int64_t> p = per_dim(o.padding, dims, "padding", what);
  std::vector<int64_t> out(static_cast<size_t>(dims));
  for (int i = 0; i < dims; ++i) {
    CONVCORE_CHECK_VALUE(k[i] > 0, what, ": kernel_size must be positive, got ", k[i]);
    CONVCORE_CHECK_VALUE(s[i] > 0, what, ": stride must be positive, got ", s[i]);
    CONVCORE_CHECK_VALUE(p[i] >= 0, what, ": padding must be non-negative, got ", p[i]);
    const int64_t in = input_shape[input_shape.ndim() - dims + i];
    const int64_t dflt = (in - 1) * s[i] - 2 * p[i] + k[i];
    if (o.output_size.empty()) {
      out[i] = dflt;
    } else {
      CONVCORE_CHECK_VALUE(o.output_size.size() == static_cast<size_t>(dims), what,
                           ": output_size must have ", dims, " entries, got ",
                           o.output_size.size());
      out[i] = o.output_size[i];
      CONVCORE_CHECK_VALUE(out[i] > dflt - s[i] && out[i] < dflt + s[i], what,
                           ": output_size along spatial dim ", i, " must lie strictly between ",
                           dflt - s[i], " and ", dflt + s[i], ", got ", out[i]);
    }
    CONVCORE_CHECK_VALUE(out[i] >= 1, what, ": the output size along spatial dim ", i,
                         " would be ", out[i], "; it must be positive (check padding)");
  }
  return out;
}

Tensor max_unpool(const Tensor& input, const std::vector<int64_t>& indices, int dims,
                  const MaxUnpoolOptions& options) {
  const std::string what = pool_name("max_unpool", dims);
  if (check_pool_input(input, dims, what))
    return drop_batch_dim(max_unpool(add_batch_dim(input), indices, dims, options));
  check_indices_count(indices, input.numel(), what, "input");
  const std::vector<int64_t> out = max_unpool_output_size(input.shape(), dims, options);
  std::vector<int64_t> shape(input.shape().begin(), input.shape().end() - dims);
  shape.insert(shape.end(), out.begin(), out.end());
  Tensor y = Tensor::empty(Shape(shape));
  const int64_t ip = plane_numel(input.shape(), dims), op = plane_numel(y.shape(), dims);
  const float* x = input.data();
  float* yp = y.data();
  const int64_t* idx = indices.data();
  std::atomic<bool> bad{false};
  parallel_for(0, plane_count(input.shape(), dims), [&](int64_t lo, int64_t hi, int) {
    for (int64_t p = lo; p < hi; ++p) {
      float* dst = yp + p * op;
      std::memset(dst, 0, static_cast<size_t>(op) * sizeof(float));
      for (int64_t i = 0; i < ip; ++i) {
        const int64_t k = idx[p * ip + i];
        if (static_cast<uint64_t>(k) < static_cast<uint64_t>(op))
          dst[k] = x[p * ip + i];
        else
          bad.store(true, std::memory_order_relaxed);
      }
    }
  });
  CONVCORE_CHECK_VALUE(!bad.load(), what, ": indices must lie in [0, ", op,
                       ") (the output plane of size ", Shape(out).str(), ")");
  if (any_requires_grad({input})) {
    auto node = std::make_shared<MaxUnpoolBackward>();
    node->indices = indices;
    node->dims = dims;
    node->inputs = {input};
    set_history(y, node);
  }
  return y;
}

Tensor max_unpool_backward(const Tensor& grad_output, const std::vector<int64_t>& indices,
                           const Shape& input_shape, int dims) {
  const std::string what = pool_name("max_unpool", dims) + "_backward";
  CONVCORE_CHECK_VALUE(dims >= 1 && dims <= 3, what, ": dims must be 1, 2 or 3, got ", dims);
  CONVCORE_CHECK_VALUE(grad_output.defined(), what, ": grad_output is an undefined tensor");
  const Shape& gs = grad_output.shape();
  const int nd = input_shape.ndim();
  bool leading_match = gs.ndim() == nd && nd >= dims + 1;
  for (int i = 0; leading_match && i < nd - dims; ++i) leading_match = gs[i] == input_shape[i];
  CONVCORE_CHECK_VALUE(leading_match, what, ": grad_output ", gs.str(), " and input_shape ",
                       input_shape.str(), " must share their leading (non-spatial) dims");
  check_indices_count(indices, input_shape.numel(), what, "the input");
  Tensor dx = Tensor::empty(input_shape);
  const int64_t ip = plane_numel(input_shape, dims), op = plane_numel(gs, dims);
  const float* g = grad_output.data();
  float* d = dx.data();
  const int64_t* idx = indices.data();
  std::atomic<bool> bad{false};
  parallel_for(0, plane_count(input_shape, dims), [&](int64_t lo, int64_t hi, int) {
    for (int64_t p = lo; p < hi; ++p)
      for (int64_t i = 0; i < ip; ++i) {
        const int64_t k = idx[p * ip + i];
        const bool ok = static_cast<uint64_t>(k) < static_cast<uint64_t>(op);
        d[p * ip + i] = ok ? g[p * op + k] : 0.0f;
        if (!ok) bad.store(true, std::memory_order_relaxed);
      }
  });
  CONVCORE_CHECK_VALUE(!bad.load(), what, ": indices must lie in [0, ", op, ")");
  return dx;
}

}  // namespace convcore
