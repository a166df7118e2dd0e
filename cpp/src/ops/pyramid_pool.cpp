// Spatial pyramid pooling (He et al., SPP-net): adaptive pooling of the
// same feature map to several grids, each flattened, concatenated into one
// vector per image whose length depends only on C and the levels. It is
// composed of recorded ops (adaptive pooling, reshape) and a column
// concatenation whose node slices the gradient back into the levels.
#include <algorithm>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/pooling.h"
#include "convcore/ops/tensor_ops.h"
#include "ops/pool_geometry.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

// parts: [N, k_i] each -> [N, sum k_i].
struct ConcatColumnsBackward : Node {
  std::vector<Tensor> backward(const Tensor& g) override {
    const int64_t n = g.size(0), total = g.size(1);
    std::vector<Tensor> grads;
    int64_t col = 0;
    for (const Tensor& part : inputs) {
      const int64_t k = part.size(1);
      Tensor d = Tensor::empty(part.shape());
      const float* src = g.data();
      float* dst = d.data();
      for (int64_t i = 0; i < n; ++i)
        std::copy(src + i * total + col, src + i * total + col + k, dst + i * k);
      grads.push_back(part.requires_grad() ? d : Tensor());
      col += k;
    }
    return grads;
  }
  const char* name() const override { return "ConcatColumnsBackward"; }
};

Tensor concat_columns(const std::vector<Tensor>& parts) {
  const int64_t n = parts[0].size(0);
  int64_t total = 0;
  for (const Tensor& p : parts) total += p.size(1);
  Tensor y = Tensor::empty(Shape{n, total});
  float* dst = y.data();
  parallel_for(0, n, [&](int64_t lo, int64_t hi, int) {
    for (int64_t i = lo; i < hi; ++i) {
      int64_t col = 0;
      for (const Tensor& p : parts) {
        const int64_t k = p.size(1);
        std::copy(p.data() + i * k, p.data() + (i + 1) * k, dst + i * total + col);
        col += k;
      }
    }
  });
  bool record = false;
  for (const Tensor& p : parts) record = record || any_requires_grad({p});
  if (record) {
    auto node = std::make_shared<ConcatColumnsBackward>();
    node->inputs = parts;
    set_history(y, node);
  }
  return y;
}

}  // namespace

PoolMode parse_pool_mode(const std::string& name) {
  if (name == "max") return PoolMode::Max;
  if (name == "avg") return PoolMode::Avg;
  throw ValueError("mode: expected 'max' or 'avg', got '" + name + "'");
}

Tensor spatial_pyramid_pool2d(const Tensor& input, const std::vector<int64_t>& levels,
                              PoolMode mode) {
  const char* what = "spatial_pyramid_pool2d";
  if (check_pool_input(input, 2, what)) {
    Tensor y = spatial_pyramid_pool2d(add_batch_dim(input), levels, mode);
    return reshape(y, {y.size(1)});
  }
  CONVCORE_CHECK_VALUE(!levels.empty(), what, ": levels must hold at least one grid size");
  for (int64_t l : levels)
    CONVCORE_CHECK_VALUE(l >= 1, what, ": every level must be a positive grid size, got ", l);
  const int64_t n = input.size(0), c = input.size(1);
  std::vector<Tensor> parts;
  for (int64_t l : levels) {
    Tensor t = mode == PoolMode::Max ? adaptive_max_pool(input, 2, {l, l})
                                     : adaptive_avg_pool(input, 2, {l, l});
    parts.push_back(reshape(t, {n, c * l * l}));
  }
  return parts.size() == 1 ? parts[0] : concat_columns(parts);
}

Tensor spatial_pyramid_pool2d_backward(const Tensor& grad_output, const Tensor& input,
                                       const std::vector<int64_t>& levels, PoolMode mode) {
  const char* what = "spatial_pyramid_pool2d_backward";
  if (check_pool_input(input, 2, what)) {
    CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.ndim() == 1, what,
                         ": grad_output of an unbatched input must be 1-D");
    Tensor g = spatial_pyramid_pool2d_backward(reshape(grad_output, {1, grad_output.size(0)}),
                                               add_batch_dim(input), levels, mode);
    return reshape(g, input.shape().vec());
  }
  NoGradGuard no_grad;
  const int64_t n = input.size(0), c = input.size(1);
  int64_t total = 0;
  for (int64_t l : levels) {
    CONVCORE_CHECK_VALUE(l >= 1, what, ": every level must be a positive grid size, got ", l);
    total += c * l * l;
  }
  CONVCORE_CHECK_VALUE(!levels.empty(), what, ": levels must hold at least one grid size");
  CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.shape() == Shape({n, total}), what,
                       ": grad_output must have shape ", Shape({n, total}).str(), ", got ",
                       grad_output.defined() ? grad_output.shape().str() : std::string("nothing"));
  Tensor grad_input = Tensor::zeros(input.shape());
  int64_t col = 0;
  for (int64_t l : levels) {
    const int64_t k = c * l * l;
    Tensor part = Tensor::empty(Shape{n, c, l, l});  // this level's columns of grad_output
    for (int64_t i = 0; i < n; ++i)
      std::copy(grad_output.data() + i * total + col, grad_output.data() + i * total + col + k,
                part.data() + i * k);
    const Tensor d = mode == PoolMode::Max
                         ? max_pool_backward(part, adaptive_max_pool_with_indices(input, 2, {l, l}).indices,
                                             input.shape(), 2)
                         : adaptive_avg_pool_backward(part, input.shape(), 2);
    grad_input = add(grad_input, d);
    col += k;
  }
  return grad_input;
}

}  // namespace convcore
