// Local response normalisation across channels (AlexNet), forward and
// backward, with its autograd node. The input [N, C, ...] is seen as
// [N, C, inner]; the work is cut into slabs of kLrnColumns columns of one
// image, each handled whole by kernels/lrn.inc (all channels of those
// columns), so slabs are independent and threads never change a result.
// The backward recomputes the divisors rather than saving them: one more
// pass over the input instead of a second tensor of the input's size.
#include <cmath>
#include <vector>

#include "convcore/autograd.h"
#include "convcore/ops/norm.h"
#include "kernels/layer_kernels.h"
#include "ops/layer_common.h"

namespace convcore {

namespace {

struct LrnLayout {
  int64_t N, C, inner;
};

LrnLayout check_lrn(const Tensor& x, int64_t size, double alpha, double beta, double k,
                    const char* op) {
  layers::check_tensor(x, op, "input");
  CONVCORE_CHECK_VALUE(x.ndim() >= 3, op,
                       ": input must have at least 3 dimensions [N, C, ...], got shape ",
                       x.shape().str());
  CONVCORE_CHECK_VALUE(size >= 1, op, ": size must be at least 1, got ", size);
  CONVCORE_CHECK_VALUE(std::isfinite(alpha) && std::isfinite(beta) && std::isfinite(k), op,
                       ": alpha, beta and k must be finite, got alpha=", alpha, ", beta=", beta,
                       ", k=", k);
  LrnLayout L{x.size(0), x.size(1), 1};
  for (int i = 2; i < x.ndim(); ++i) L.inner *= x.size(i);
  return L;
}

kernels::LrnParams lrn_params(int64_t size, double alpha, double beta, double k) {
  // PyTorch pads size/2 channels before and (size-1)/2 after, and always
  // divides the window's sum by size.
  return {size / 2, (size - 1) / 2, static_cast<float>(alpha / static_cast<double>(size)),
          static_cast<float>(beta), static_cast<float>(k)};
}

// f(offset of the slab, width) over every slab of every image.
template <class F>
void over_slabs(const LrnLayout& L, int64_t work_per_column, const F& f) {
  const int64_t per_image = (L.inner + kernels::kLrnColumns - 1) / kernels::kLrnColumns;
  layers::parallel_units(L.N * per_image, kernels::kLrnColumns * work_per_column,
                         [&](int64_t s0, int64_t s1) {
                           for (int64_t s = s0; s < s1; ++s) {
                             const int64_t n = s / per_image;
                             const int64_t j0 = (s % per_image) * kernels::kLrnColumns;
                             f(n * L.C * L.inner + j0,
                               std::min(kernels::kLrnColumns, L.inner - j0));
                           }
                         });
}

struct LrnBackward : Node {
  int64_t size;
  double alpha, beta, k;
  std::vector<Tensor> backward(const Tensor& g) override {
    return {local_response_norm_backward(g, inputs[0], size, alpha, beta, k)};
  }
  const char* name() const override { return "LocalResponseNormBackward"; }
};

}  // namespace

Tensor local_response_norm(const Tensor& input, int64_t size, double alpha, double beta,
                           double k) {
  const LrnLayout L = check_lrn(input, size, alpha, beta, k, "local_response_norm");
  Tensor out = Tensor::empty(input.shape());
  if (input.numel() > 0) {
    const kernels::LrnParams p = lrn_params(size, alpha, beta, k);
    const auto& kt = kernels::layer_kernels();
    const float* X = input.data();
    float* Y = out.data();
    over_slabs(L, L.C * (size + 8), [&](int64_t off, int64_t width) {
      kt.lrn_forward(X + off, Y + off, L.C, L.inner, width, p);
    });
  }
  if (any_requires_grad({input})) {
    auto node = std::make_shared<LrnBackward>();
    node->size = size;
    node->alpha = alpha;
    node->beta = beta;
    node->k = k;
    node->inputs = {input};
    set_history(out, node);
  }
  return out;
}

Tensor local_response_norm_backward(const Tensor& grad_output, const Tensor& input, int64_t size,
                                    double alpha, double beta, double k) {
  const char* op = "local_response_norm_backward";
  const LrnLayout L = check_lrn(input, size, alpha, beta, k, op);
  layers::check_same_shape(grad_output, input.shape(), op, "grad_output", "input");
  Tensor dx = Tensor::empty(input.shape());
  if (input.numel() == 0) return dx;
  const kernels::LrnParams p = lrn_params(size, alpha, beta, k);
  const auto& kt = kernels::layer_kernels();
  const float* G = grad_output.data();
  const float* X = input.data();
  float* D = dx.data();
  const int64_t span = p.before + p.after + 1;
  const int64_t per_image = (L.inner + kernels::kLrnColumns - 1) / kernels::kLrnColumns;
  layers::parallel_units(L.N * per_image, kernels::kLrnColumns * L.C * (2 * size + 16),
                         [&](int64_t s0, int64_t s1) {
                           // The kernel's ring of window channels, once per chunk.
                           std::vector<float> ring(static_cast<size_t>(span * kernels::kLrnColumns));
                           for (int64_t s = s0; s < s1; ++s) {
                             const int64_t n = s / per_image;
                             const int64_t j0 = (s % per_image) * kernels::kLrnColumns;
                             const int64_t off = n * L.C * L.inner + j0;
                             kt.lrn_backward(G + off, X + off, D + off, L.C, L.inner,
                                             std::min(kernels::kLrnColumns, L.inner - j0), p,
                                             ring.data());
                           }
                         });
  return dx;
}

}  // namespace convcore
