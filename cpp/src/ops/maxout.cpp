// Maxout / feature pooling (Goodfellow et al. 2013): the max over groups of
// consecutive channels. Output channel j of [N, C / groups, ...] is the max
// of input channels j*groups .. (j+1)*groups - 1. Ties and NaN go to the
// first channel, as torch.max(dim) does on x.view(N, C/groups, groups, ...).
// The backward recomputes which channel won from the saved input (one more
// pass over it) instead of storing an index per output.
#include <algorithm>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/pooling.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

constexpr int64_t kSpan = 256;  // positions per block in the backward

// v beats the running max m: greater, or the first NaN.
inline bool beats(float v, float m) { return v > m || (v != v && m == m); }

struct Layout {
  int64_t n, c, groups, spatial;  // input [n, c, spatial...]
};

Layout check_maxout(const Tensor& input, int64_t groups, const char* what) {
  CONVCORE_CHECK_VALUE(input.defined(), what, ": input is an undefined tensor");
  CONVCORE_CHECK_TYPE(input.device() == Device::CPU, what, ": input must be a CPU tensor");
  CONVCORE_CHECK_VALUE(input.ndim() >= 2, what, ": input must be [N, C, ...], got shape ",
                       input.shape().str());
  CONVCORE_CHECK_VALUE(groups >= 1, what, ": groups must be positive, got ", groups);
  const int64_t c = input.size(1);
  CONVCORE_CHECK_VALUE(c % groups == 0, what, ": the channel count ", c,
                       " must be a multiple of groups (", groups, ")");
  return {input.size(0), c, groups, input.numel() / std::max<int64_t>(1, input.size(0) * c)};
}

struct MaxoutBackward : Node {
  int64_t groups = 1;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    return {maxout_backward(grad_output, inputs[0], groups)};
  }
  const char* name() const override { return "MaxoutBackward"; }
};

}  // namespace

Tensor maxout(const Tensor& input, int64_t groups) {
  const Layout L = check_maxout(input, groups, "maxout");
  std::vector<int64_t> shape = input.shape().vec();
  shape[1] = L.c / L.groups;
  Tensor y = Tensor::empty(Shape(shape));
  const int64_t S = L.spatial, G = L.groups, co = L.c / L.groups;
  const float* x = input.data();
  float* yp = y.data();
  parallel_for(0, L.n * co, [&](int64_t lo, int64_t hi, int) {
    for (int64_t t = lo; t < hi; ++t) {  // t = n * co + j
      const float* src = x + t * G * S;  // channel j*G of image n
      float* dst = yp + t * S;
      std::copy(src, src + S, dst);
      for (int64_t k = 1; k < G; ++k) {
        const float* s = src + k * S;
        for (int64_t i = 0; i < S; ++i) dst[i] = beats(s[i], dst[i]) ? s[i] : dst[i];
      }
    }
  });
  if (any_requires_grad({input})) {
    auto node = std::make_shared<MaxoutBackward>();
    node->groups = groups;
    node->inputs = {input};
    set_history(y, node);
  }
  return y;
}

Tensor maxout_backward(const Tensor& grad_output, const Tensor& input, int64_t groups) {
  const Layout L = check_maxout(input, groups, "maxout_backward");
  std::vector<int64_t> shape = input.shape().vec();
  shape[1] = L.c / L.groups;
  CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.shape() == Shape(shape),
                       "maxout_backward: grad_output must have shape ", Shape(shape).str(),
                       ", got ", grad_output.defined() ? grad_output.shape().str() : "nothing");
  Tensor dx = Tensor::empty(input.shape());
  const int64_t S = L.spatial, G = L.groups, co = L.c / L.groups;
  const float* x = input.data();
  const float* g = grad_output.data();
  float* d = dx.data();
  parallel_for(0, L.n * co, [&](int64_t lo, int64_t hi, int) {
    float m[kSpan];
    int32_t win[kSpan];
    for (int64_t t = lo; t < hi; ++t) {
      const float* src = x + t * G * S;
      const float* gt = g + t * S;
      float* dt = d + t * G * S;
      for (int64_t i0 = 0; i0 < S; i0 += kSpan) {
        const int64_t len = std::min(kSpan, S - i0);
        for (int64_t i = 0; i < len; ++i) {
          m[i] = src[i0 + i];
          win[i] = 0;
        }
        for (int64_t k = 1; k < G; ++k) {
          const float* s = src + k * S + i0;
          for (int64_t i = 0; i < len; ++i) {
            const bool b = beats(s[i], m[i]);
            m[i] = b ? s[i] : m[i];
            win[i] = b ? static_cast<int32_t>(k) : win[i];
          }
        }
        for (int64_t k = 0; k < G; ++k) {
          float* dk = dt + k * S + i0;
          for (int64_t i = 0; i < len; ++i) dk[i] = win[i] == k ? gt[i0 + i] : 0.0f;
        }
      }
    }
  });
  return dx;
}

}  // namespace convcore
