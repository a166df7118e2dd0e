// pad2d: constant, reflect, replicate and circular padding of NCHW tensors,
// forward and backward. Each output row and column maps to one source row
// and column (or to none: the constant); the backward adds along the same map.
#include <vector>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/pad.h"
#include "runtime/parallel.h"

namespace convcore {

PaddingMode parse_padding_mode(const std::string& name) {
  if (name == "zeros" || name == "constant") return PaddingMode::Zeros;
  if (name == "reflect") return PaddingMode::Reflect;
  if (name == "replicate") return PaddingMode::Replicate;
  if (name == "circular") return PaddingMode::Circular;
  throw ValueError("padding_mode: expected 'zeros', 'reflect', 'replicate' or 'circular', got '" +
                   name + "'");
}

const char* padding_mode_name(PaddingMode mode) {
  switch (mode) {
    case PaddingMode::Zeros: return "zeros";
    case PaddingMode::Reflect: return "reflect";
    case PaddingMode::Replicate: return "replicate";
    case PaddingMode::Circular: return "circular";
  }
  return "?";
}

namespace {

// Source index along a dimension of size n for each of before + n + after
// padded positions; -1 means "the constant".
std::vector<int64_t> source_index(int64_t n, int64_t before, int64_t after, PaddingMode mode,
                                  const char* dim) {
  const int64_t limit = std::max(before, after);
  if (mode == PaddingMode::Reflect)
    CONVCORE_CHECK_VALUE(limit < n, "pad2d: reflect padding must be smaller than the input ", dim,
                         " (", n, "), got ", limit);
  if (mode == PaddingMode::Circular)
    CONVCORE_CHECK_VALUE(limit <= n, "pad2d: circular padding must be at most the input ", dim,
                         " (", n, "), got ", limit);
  if (mode == PaddingMode::Replicate && limit > 0)
    CONVCORE_CHECK_VALUE(n > 0, "pad2d: replicate padding needs a non-empty input ", dim);
  std::vector<int64_t> idx(static_cast<size_t>(before + n + after));
  for (int64_t o = 0; o < static_cast<int64_t>(idx.size()); ++o) {
    int64_t i = o - before;
    if (i < 0 || i >= n) {
      switch (mode) {
        case PaddingMode::Zeros: i = -1; break;
        case PaddingMode::Reflect: i = i < 0 ? -i : 2 * (n - 1) - i; break;
        case PaddingMode::Replicate: i = i < 0 ? 0 : n - 1; break;
        case PaddingMode::Circular: i = ((i % n) + n) % n; break;
      }
    }
    idx[static_cast<size_t>(o)] = i;
  }
  return idx;
}

void check_padding(std::array<int64_t, 4> p) {
  for (int64_t v : p)
    CONVCORE_CHECK_VALUE(v >= 0, "pad2d: padding must be non-negative, got (left, right, top, bottom) = (",
                         p[0], ", ", p[1], ", ", p[2], ", ", p[3], ")");
}

struct Pad2dBackward : Node {
  std::array<int64_t, 4> padding;
  PaddingMode mode;
  int64_t H, W;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    return {pad2d_backward(grad_output, padding, mode, H, W)};
  }
  const char* name() const override { return "Pad2dBackward"; }
};

}  // namespace

Tensor pad2d(const Tensor& input, std::array<int64_t, 4> padding, PaddingMode mode, float value) {
  CONVCORE_CHECK_VALUE(input.defined() && input.ndim() == 4, "pad2d: input must be 4-D [N, C, H, W], got ",
                       input.defined() ? input.shape().str() : std::string("nothing"));
  check_padding(padding);
  const int64_t N = input.size(0), C = input.size(1), H = input.size(2), W = input.size(3);
  const auto rows = source_index(H, padding[2], padding[3], mode, "height");
  const auto cols = source_index(W, padding[0], padding[1], mode, "width");
  const int64_t OH = static_cast<int64_t>(rows.size()), OW = static_cast<int64_t>(cols.size());
  Tensor out = Tensor::empty(Shape{N, C, OH, OW});
  const float* x = input.data();
  float* y = out.data();
  parallel_for(0, N * C, [&](int64_t lo, int64_t hi, int) {
    for (int64_t p = lo; p < hi; ++p)
      for (int64_t i = 0; i < OH; ++i) {
        float* yr = y + (p * OH + i) * OW;
        const int64_t r = rows[static_cast<size_t>(i)];
        if (r < 0) {
          std::fill(yr, yr + OW, value);
          continue;
        }
        const float* xr = x + (p * H + r) * W;
        for (int64_t j = 0; j < OW; ++j) {
          const int64_t c = cols[static_cast<size_t>(j)];
          yr[j] = c < 0 ? value : xr[c];
        }
      }
  });
  if (any_requires_grad({input})) {
    auto node = std::make_shared<Pad2dBackward>();
    node->padding = padding;
    node->mode = mode;
    node->H = H;
    node->W = W;
    node->inputs = {input};
    set_history(out, node);
  }
  return out;
}

Tensor pad2d_backward(const Tensor& grad_output, std::array<int64_t, 4> padding, PaddingMode mode,
                      int64_t H, int64_t W) {
  check_padding(padding);
  const auto rows = source_index(H, padding[2], padding[3], mode, "height");
  const auto cols = source_index(W, padding[0], padding[1], mode, "width");
  const int64_t OH = static_cast<int64_t>(rows.size()), OW = static_cast<int64_t>(cols.size());
  CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.ndim() == 4 && grad_output.size(2) == OH &&
                           grad_output.size(3) == OW,
                       "pad2d_backward: grad_output must be [N, C, ", OH, ", ", OW, "], got ",
                       grad_output.defined() ? grad_output.shape().str() : std::string("nothing"));
  const int64_t N = grad_output.size(0), C = grad_output.size(1);
  Tensor dx = Tensor::zeros(Shape{N, C, H, W});
  const float* g = grad_output.data();
  float* d = dx.data();
  parallel_for(0, N * C, [&](int64_t lo, int64_t hi, int) {
    for (int64_t p = lo; p < hi; ++p)
      for (int64_t i = 0; i < OH; ++i) {
        const int64_t r = rows[static_cast<size_t>(i)];
        if (r < 0) continue;
        const float* gr = g + (p * OH + i) * OW;
        float* dr = d + (p * H + r) * W;
        for (int64_t j = 0; j < OW; ++j)
          if (const int64_t c = cols[static_cast<size_t>(j)]; c >= 0) dr[c] += gr[j];
      }
  });
  return dx;
}

}  // namespace convcore
