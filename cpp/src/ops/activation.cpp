// Elementwise activations and their backward: leaky ReLU, hardtanh (relu6),
// sigmoid, tanh and LeNet's scaled tanh. The forward passes run the per-ISA kernels of
// kernels/activation.inc in fixed chunks over the threads; the backward
// passes are plain arithmetic on the saved output (sigmoid, tanh) or input
// (leaky ReLU, hardtanh), which the compiler vectorises at any level; so is
// hardtanh's forward, a clamp.
#include "convcore/ops/activation.h"

#include <algorithm>

#include "convcore/autograd.h"
#include "kernels/layer_kernels.h"
#include "ops/layer_common.h"

namespace convcore {

namespace {

using layers::check_same_shape;
using layers::check_tensor;
using layers::for_chunks;

enum class Act { LeakyRelu, Sigmoid, Tanh, ScaledTanh, Hardtanh };

// dx = g * f(y) for the activations differentiated through their output.
template <class F>
Tensor backward_from_output(const Tensor& g, const Tensor& y, const F& f) {
  Tensor dx = Tensor::empty(y.shape());
  const float* G = g.data();
  const float* Y = y.data();
  float* D = dx.data();
  for_chunks(y.numel(), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) D[i] = G[i] * f(Y[i]);
  });
  return dx;
}

void check_backward_args(const Tensor& g, const Tensor& saved, const char* op, const char* arg) {
  check_tensor(saved, op, arg);
  check_same_shape(g, saved.shape(), op, "grad_output", arg);
}

struct ActivationBackward : Node {
  Act act;
  float slope = 0.0f;
  float min_val = 0.0f, max_val = 0.0f;  // Hardtanh
  Tensor output;  // detached, for the activations differentiated through it
  std::vector<Tensor> backward(const Tensor& g) override {
    switch (act) {
      case Act::LeakyRelu: return {leaky_relu_backward(g, inputs[0], slope)};
      case Act::Sigmoid: return {sigmoid_backward(g, output)};
      case Act::Tanh: return {tanh_backward(g, output)};
      case Act::ScaledTanh: return {scaled_tanh_backward(g, output)};
      case Act::Hardtanh: return {hardtanh_backward(g, inputs[0], min_val, max_val)};
    }
    return {Tensor()};
  }
  const char* name() const override {
    static const char* const names[] = {"LeakyReluBackward", "SigmoidBackward", "TanhBackward",
                                        "ScaledTanhBackward", "HardtanhBackward"};
    return names[static_cast<int>(act)];
  }
};

Tensor record(Tensor out, const Tensor& x, Act act, float slope = 0.0f, float min_val = 0.0f,
              float max_val = 0.0f) {
  if (any_requires_grad({x})) {
    auto node = std::make_shared<ActivationBackward>();
    node->act = act;
    node->slope = slope;
    node->min_val = min_val;
    node->max_val = max_val;
    if (act != Act::LeakyRelu && act != Act::Hardtanh) node->output = out.detach();
    node->inputs = {x};
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor leaky_relu(const Tensor& input, float negative_slope) {
  check_tensor(input, "leaky_relu", "input");
  Tensor out = Tensor::empty(input.shape());
  const auto& k = kernels::layer_kernels();
  const float* X = input.data();
  float* Y = out.data();
  for_chunks(input.numel(), [&](int64_t lo, int64_t hi) {
    k.leaky_relu(X + lo, Y + lo, hi - lo, negative_slope);
  });
  return record(out, input, Act::LeakyRelu, negative_slope);
}

Tensor leaky_relu_backward(const Tensor& grad_output, const Tensor& input, float negative_slope) {
  check_backward_args(grad_output, input, "leaky_relu_backward", "input");
  Tensor dx = Tensor::empty(input.shape());
  const auto& k = kernels::layer_kernels();
  const float* G = grad_output.data();
  const float* X = input.data();
  float* D = dx.data();
  for_chunks(input.numel(), [&](int64_t lo, int64_t hi) {
    k.leaky_relu_backward(G + lo, X + lo, D + lo, hi - lo, negative_slope);
  });
  return dx;
}

Tensor hardtanh(const Tensor& input, float min_val, float max_val) {
  check_tensor(input, "hardtanh", "input");
  CONVCORE_CHECK_VALUE(min_val <= max_val, "hardtanh: min_val (", min_val,
                       ") must not exceed max_val (", max_val, ")");
  Tensor out = Tensor::empty(input.shape());
  const float* X = input.data();
  float* Y = out.data();
  for_chunks(input.numel(), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) Y[i] = std::min(std::max(X[i], min_val), max_val);
  });
  return record(out, input, Act::Hardtanh, 0.0f, min_val, max_val);
}

Tensor hardtanh_backward(const Tensor& grad_output, const Tensor& input, float min_val,
                         float max_val) {
  check_backward_args(grad_output, input, "hardtanh_backward", "input");
  Tensor dx = Tensor::empty(input.shape());
  const float* G = grad_output.data();
  const float* X = input.data();
  float* D = dx.data();
  for_chunks(input.numel(), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) D[i] = X[i] > min_val && X[i] < max_val ? G[i] : 0.0f;
  });
  return dx;
}

Tensor sigmoid(const Tensor& input) {
  check_tensor(input, "sigmoid", "input");
  Tensor out = Tensor::empty(input.shape());
  const auto& k = kernels::layer_kernels();
  const float* X = input.data();
  float* Y = out.data();
  for_chunks(input.numel(), [&](int64_t lo, int64_t hi) { k.sigmoid(X + lo, Y + lo, hi - lo); });
  return record(out, input, Act::Sigmoid);
}

Tensor sigmoid_backward(const Tensor& grad_output, const Tensor& output) {
  check_backward_args(grad_output, output, "sigmoid_backward", "output");
  return backward_from_output(grad_output, output, [](float y) { return y * (1.0f - y); });
}

namespace {
Tensor tanh_forward(const Tensor& input, float a, float b, const char* op) {
  check_tensor(input, op, "input");
  Tensor out = Tensor::empty(input.shape());
  const auto& k = kernels::layer_kernels();
  const float* X = input.data();
  float* Y = out.data();
  for_chunks(input.numel(), [&](int64_t lo, int64_t hi) { k.tanh(X + lo, Y + lo, hi - lo, a, b); });
  return out;
}
}  // namespace

Tensor tanh(const Tensor& input) {
  return record(tanh_forward(input, 1.0f, 1.0f, "tanh"), input, Act::Tanh);
}

Tensor tanh_backward(const Tensor& grad_output, const Tensor& output) {
  check_backward_args(grad_output, output, "tanh_backward", "output");
  return backward_from_output(grad_output, output, [](float y) { return 1.0f - y * y; });
}

Tensor scaled_tanh(const Tensor& input) {
  return record(tanh_forward(input, kScaledTanhA, kScaledTanhS, "scaled_tanh"), input,
                Act::ScaledTanh);
}

Tensor scaled_tanh_backward(const Tensor& grad_output, const Tensor& output) {
  check_backward_args(grad_output, output, "scaled_tanh_backward", "output");
  // d/dx A tanh(Sx) = A S (1 - tanh^2) = S/A (A^2 - y^2).
  constexpr float kA2 = kScaledTanhA * kScaledTanhA, kSoverA = kScaledTanhS / kScaledTanhA;
  return backward_from_output(grad_output, output, [](float y) { return kSoverA * (kA2 - y * y); });
}

}  // namespace convcore
