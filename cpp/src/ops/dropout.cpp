// dropout and dropout2d, forward and backward, with their autograd node.
// Element i of a call keeps its value when the stream's draw at position
// span.counter + i is at least p * 2^32 (dropout2d: one draw per (n, c)).
// The elementwise case runs kernels/dropout.inc in fixed chunks; the
// backward is the same masking applied to the gradient.
#include <cmath>
#include <vector>

#include "convcore/autograd.h"
#include "convcore/ops/dropout.h"
#include "kernels/layer_kernels.h"
#include "ops/layer_common.h"

namespace convcore {

namespace {

void check_p(double p, const char* op) {
  CONVCORE_CHECK_VALUE(p >= 0.0 && p <= 1.0, op,
                       ": p (the probability of an element to be zeroed) must be between 0 and 1, "
                       "got ", p);
}

// Draws below the threshold drop; p = 1 keeps every draw but scales by 0,
// which is what PyTorch computes (x * 0, so NaN stays NaN).
struct Mask {
  uint32_t threshold;
  float scale;
};
Mask mask_for(double p) {
  if (p >= 1.0) return {0u, 0.0f};
  const double t = std::ldexp(p, 32);  // p * 2^32 < 2^32
  return {static_cast<uint32_t>(std::min(t, 4294967295.0)), static_cast<float>(1.0 / (1.0 - p))};
}

int64_t draws_needed(const Tensor& x, bool channelwise) {
  return channelwise ? x.size(0) * x.size(1) : x.numel();
}

// dst = src through the mask of (p, span).
void apply_mask(const Tensor& src, float* dst, double p, const RandomSpan& span,
                bool channelwise) {
  const Mask m = mask_for(p);
  const float* S = src.data();
  const int64_t n = src.numel();
  if (!channelwise) {
    const auto& k = kernels::layer_kernels();
    layers::for_chunks(n, [&](int64_t lo, int64_t hi) {
      k.dropout(S + lo, dst + lo, hi - lo, span.counter + static_cast<uint64_t>(lo), span.key,
                m.threshold, m.scale);
    });
    return;
  }
  const int64_t planes = src.size(0) * src.size(1);
  const int64_t inner = planes > 0 ? n / planes : 0;
  layers::parallel_units(planes, inner, [&](int64_t p0, int64_t p1) {
    for (int64_t q = p0; q < p1; ++q) {
      const uint32_t h = kernels::random_draw(span.counter + static_cast<uint64_t>(q), span.key);
      const float s = h >= m.threshold ? m.scale : 0.0f;
      const float* a = S + q * inner;
      float* b = dst + q * inner;
      for (int64_t i = 0; i < inner; ++i) b[i] = a[i] * s;
    }
  });
}

struct DropoutBackward : Node {
  double p;
  RandomSpan span;
  bool channelwise;
  std::vector<Tensor> backward(const Tensor& g) override {
    return {dropout_backward(g, p, span, channelwise)};
  }
  const char* name() const override {
    return channelwise ? "FeatureDropoutBackward" : "DropoutBackward";
  }
};

const char* op_name(bool channelwise) { return channelwise ? "dropout2d" : "dropout"; }

void check_input(const Tensor& x, bool channelwise, const char* op) {
  layers::check_tensor(x, op, "input");
  if (channelwise)
    CONVCORE_CHECK_VALUE(x.ndim() >= 2, op, ": input must be [N, C, ...] (at least 2-D), got shape ",
                         x.shape().str());
}

Tensor dropout_impl(const Tensor& input, double p, bool training, bool channelwise) {
  const char* op = op_name(channelwise);
  check_input(input, channelwise, op);
  check_p(p, op);
  if (!training) return input;
  DropoutForward f = dropout_forward(input, p, channelwise);
  if (any_requires_grad({input})) {
    auto node = std::make_shared<DropoutBackward>();
    node->p = p;
    node->span = f.span;
    node->channelwise = channelwise;
    node->inputs = {input};
    set_history(f.output, node);
  }
  return f.output;
}

}  // namespace

DropoutForward dropout_forward(const Tensor& input, double p, bool channelwise) {
  const char* op = op_name(channelwise);
  check_input(input, channelwise, op);
  check_p(p, op);
  DropoutForward f;
  f.span = reserve_random(static_cast<uint64_t>(draws_needed(input, channelwise)));
  f.output = Tensor::empty(input.shape());
  apply_mask(input, f.output.data(), p, f.span, channelwise);
  return f;
}

Tensor dropout_backward(const Tensor& grad_output, double p, const RandomSpan& span,
                        bool channelwise) {
  const char* op = channelwise ? "dropout2d_backward" : "dropout_backward";
  check_input(grad_output, channelwise, op);
  check_p(p, op);
  Tensor dx = Tensor::empty(grad_output.shape());
  apply_mask(grad_output, dx.data(), p, span, channelwise);
  return dx;
}

Tensor dropout(const Tensor& input, double p, bool training) {
  return dropout_impl(input, p, training, false);
}

Tensor dropout2d(const Tensor& input, double p, bool training) {
  return dropout_impl(input, p, training, true);
}

}  // namespace convcore
