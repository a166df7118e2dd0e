// Max pooling, 1-D to 3-D, and its backward (shared with adaptive max
// pooling): the op checks its arguments, runs the vectorised kernel of
// kernels/pooling.inc over the N*C planes in parallel, and keeps the argmax
// indices for the backward only when a gradient will be needed.
//
// The backward scatters each gradient onto the element its index names,
// one plane per task: the plane of grad_input is zeroed just before its
// scatter, while it is in cache, instead of in a separate pass.
// Deliberately left out: recomputing the argmax in the backward instead of
// storing it (saves memory, costs a second pass over the input).
#include <atomic>
#include <climits>
#include <cstring>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/pooling.h"
#include "kernels/kernels.h"
#include "ops/pool_geometry.h"
#include "ops/pool_internal.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

struct MaxPoolBackward : Node {
  std::vector<int64_t> indices;
  Shape input_shape;
  int dims = 2;
  const char* op = "MaxPoolBackward";
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    return {max_pool_backward(grad_output, indices, input_shape, dims)};
  }
  const char* name() const override { return op; }
};

PoolWithIndices max_pool_impl(const Tensor& input, int dims, const MaxPoolOptions& o,
                              bool want_indices) {
  const std::string what = pool_name("max_pool", dims);
  if (check_pool_input(input, dims, what)) {
    PoolWithIndices r = max_pool_impl(add_batch_dim(input), dims, o, want_indices);
    r.output = drop_batch_dim(r.output);
    return r;
  }
  const PoolGeometry g = make_pool_geometry(input.shape(), dims, o.kernel_size, o.stride,
                                            o.padding, o.dilation, o.ceil_mode, what);
  // The kernel tracks indices in 32-bit lanes.
  CONVCORE_CHECK_VALUE(g.in_plane() <= INT32_MAX, what,
                       ": input planes of 2^31 elements or more are not supported, got ",
                       g.in_plane());
  const bool record = any_requires_grad({input});
  const bool need_indices = want_indices || record;
  PoolWithIndices r;
  r.output = Tensor::empty(g.output_shape);
  if (need_indices) r.indices.resize(static_cast<size_t>(r.output.numel()));
  const float* x = input.data();
  float* y = r.output.data();
  int64_t* idx = need_indices ? r.indices.data() : nullptr;
  const auto kernel = kernels::active().max_pool_forward;
  const int64_t ip = g.in_plane(), op = g.out_plane();
  parallel_for(0, g.planes, [&](int64_t lo, int64_t hi, int) {
    kernel(g.win, hi - lo, x + lo * ip, y + lo * op, idx ? idx + lo * op : nullptr);
  });
  if (record) {
    auto node = std::make_shared<MaxPoolBackward>();
    node->indices = want_indices ? r.indices : std::move(r.indices);
    node->input_shape = input.shape();
    node->dims = dims;
    node->inputs = {input};
    set_history(r.output, node);
  }
  return r;
}

}  // namespace

void attach_max_index_backward(Tensor& output, const Tensor& input, int dims,
                               std::vector<int64_t> indices, const char* name) {
  auto node = std::make_shared<MaxPoolBackward>();
  node->indices = std::move(indices);
  node->input_shape = input.shape();
  node->dims = dims;
  node->op = name;
  node->inputs = {input};
  set_history(output, node);
}

Tensor max_pool(const Tensor& input, int dims, const MaxPoolOptions& options) {
  return max_pool_impl(input, dims, options, false).output;
}

PoolWithIndices max_pool_with_indices(const Tensor& input, int dims, const MaxPoolOptions& options) {
  return max_pool_impl(input, dims, options, true);
}

Tensor max_pool_backward(const Tensor& grad_output, const std::vector<int64_t>& indices,
                         const Shape& input_shape, int dims) {
  const char* what = "max_pool_backward";
  CONVCORE_CHECK_VALUE(dims >= 1 && dims <= 3, what, ": dims must be 1, 2 or 3, got ", dims);
  CONVCORE_CHECK_VALUE(grad_output.defined(), what, ": grad_output is an undefined tensor");
  const Shape& gs = grad_output.shape();
  const int nd = input_shape.ndim();
  bool leading_match = gs.ndim() == nd && (nd == dims + 1 || nd == dims + 2);
  for (int i = 0; leading_match && i < nd - dims; ++i) leading_match = gs[i] == input_shape[i];
  CONVCORE_CHECK_VALUE(leading_match, what, ": grad_output ", gs.str(), " and input_shape ",
                       input_shape.str(), " must be [N, C, *spatial] (or [C, *spatial]) with ",
                       dims, " spatial dims and the same leading dims");
  CONVCORE_CHECK_VALUE(static_cast<int64_t>(indices.size()) == grad_output.numel(), what,
                       ": indices must hold one entry per element of grad_output (",
                       grad_output.numel(), "), got ", indices.size());
  Tensor dx = Tensor::empty(input_shape);
  const int64_t planes = plane_count(input_shape, dims);
  const int64_t ip = plane_numel(input_shape, dims), op = plane_numel(gs, dims);
  const float* dy = grad_output.data();
  float* g = dx.data();
  const int64_t* idx = indices.data();
  std::atomic<bool> bad{false};
  parallel_for(0, planes, [&](int64_t lo, int64_t hi, int) {
    for (int64_t p = lo; p < hi; ++p) {
      float* gp = g + p * ip;
      const float* dyp = dy + p * op;
      const int64_t* ixp = idx + p * op;
      std::memset(gp, 0, static_cast<size_t>(ip) * sizeof(float));
      for (int64_t i = 0; i < op; ++i) {
        const int64_t k = ixp[i];
        if (static_cast<uint64_t>(k) < static_cast<uint64_t>(ip))
          gp[k] += dyp[i];
        else if (k != -1)
          bad.store(true, std::memory_order_relaxed);
      }
    }
  });
  CONVCORE_CHECK_VALUE(!bad.load(), what, ": indices must lie in [0, ", ip,
                       ") (the input plane) or be -1");
  return dx;
}

}  // namespace convcore
