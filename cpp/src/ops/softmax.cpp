// softmax and log_softmax along any dim, forward and backward, on the
// per-ISA kernels of kernels/softmax.inc.
//
// The input is seen as [outer, C, inner] with C the softmax dim. inner == 1
// (the last dim, the classifier case) runs contiguous rows; otherwise the
// work is cut into slabs of kSoftmaxColumns columns of one outer index,
// each reduced column by column along the strided C. Rows and slabs are
// independent, so the split over threads never changes a result.
#include <algorithm>

#include "convcore/autograd.h"
#include "convcore/ops/activation.h"
#include "kernels/layer_kernels.h"
#include "ops/layer_common.h"

namespace convcore {

namespace {

using layers::DimSplit;
using layers::parallel_units;

// Runs row(x, y, rows) / columns(x, y, width) over the whole tensor.
template <class Rows, class Columns>
void over_layout(const DimSplit& d, const Rows& rows, const Columns& columns) {
  if (d.inner == 1) {
    parallel_units(d.outer, d.n * 8, [&](int64_t lo, int64_t hi) { rows(lo * d.n, hi - lo); });
    return;
  }
  const int64_t slabs_per_outer = (d.inner + kernels::kSoftmaxColumns - 1) / kernels::kSoftmaxColumns;
  parallel_units(d.outer * slabs_per_outer, d.n * kernels::kSoftmaxColumns * 8,
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t s = lo; s < hi; ++s) {
                     const int64_t o = s / slabs_per_outer;
                     const int64_t j0 = (s % slabs_per_outer) * kernels::kSoftmaxColumns;
                     columns(o * d.n * d.inner + j0,
                             std::min(kernels::kSoftmaxColumns, d.inner - j0));
                   }
                 });
}

struct SoftmaxBackward : Node {
  int64_t dim;
  bool log;
  Tensor output;  // detached
  std::vector<Tensor> backward(const Tensor& g) override {
    return {log ? log_softmax_backward(g, output, dim) : softmax_backward(g, output, dim)};
  }
  const char* name() const override { return log ? "LogSoftmaxBackward" : "SoftmaxBackward"; }
};

Tensor softmax_impl(const Tensor& x, int64_t dim, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  layers::check_tensor(x, op, "input");
  const int d = layers::normalize_dim(dim, x.ndim(), op);
  Tensor out = Tensor::empty(x.shape());
  if (x.numel() > 0) {
    const DimSplit s = layers::split_at(x.shape(), d);
    const auto& k = kernels::layer_kernels();
    const float* X = x.data();
    float* Y = out.data();
    over_layout(
        s, [&](int64_t off, int64_t rows) { k.softmax_rows(X + off, Y + off, rows, s.n, log); },
        [&](int64_t off, int64_t width) {
          k.softmax_columns(X + off, Y + off, s.n, s.inner, width, log);
        });
  }
  if (any_requires_grad({x})) {
    auto node = std::make_shared<SoftmaxBackward>();
    node->dim = dim;
    node->log = log;
    node->output = out.detach();
    node->inputs = {x};
    set_history(out, node);
  }
  return out;
}

Tensor softmax_backward_impl(const Tensor& g, const Tensor& y, int64_t dim, bool log) {
  const char* op = log ? "log_softmax_backward" : "softmax_backward";
  layers::check_tensor(y, op, "output");
  layers::check_same_shape(g, y.shape(), op, "grad_output", "output");
  const int d = layers::normalize_dim(dim, y.ndim(), op);
  Tensor dx = Tensor::empty(y.shape());
  if (y.numel() == 0) return dx;
  const DimSplit s = layers::split_at(y.shape(), d);
  const auto& k = kernels::layer_kernels();
  const float* G = g.data();
  const float* Y = y.data();
  float* D = dx.data();
  over_layout(
      s,
      [&](int64_t off, int64_t rows) {
        k.softmax_backward_rows(G + off, Y + off, D + off, rows, s.n, log);
      },
      [&](int64_t off, int64_t width) {
        k.softmax_backward_columns(G + off, Y + off, D + off, s.n, s.inner, width, log);
      });
  return dx;
}

}  // namespace

Tensor softmax(const Tensor& input, int64_t dim) { return softmax_impl(input, dim, false); }
Tensor log_softmax(const Tensor& input, int64_t dim) { return softmax_impl(input, dim, true); }

Tensor softmax_backward(const Tensor& grad_output, const Tensor& output, int64_t dim) {
  return softmax_backward_impl(grad_output, output, dim, false);
}
Tensor log_softmax_backward(const Tensor& grad_output, const Tensor& output, int64_t dim) {
  return softmax_backward_impl(grad_output, output, dim, true);
}

}  // namespace convcore
