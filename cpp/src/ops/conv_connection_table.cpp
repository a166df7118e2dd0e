// conv2d_connection_table: conv2d with the unconnected kernels of the weight
// zeroed, and a weight gradient zeroed at the same kernels (the gradient of
// w * mask is dw * mask; writing zeros makes it exactly +0).
#include "convcore/ops/conv_connection_table.h"

#include <algorithm>

#include "convcore/autograd.h"
#include "convcore/error.h"

namespace convcore {

namespace {

void check_table(const Tensor& weight, const ConnectionTable& t, const char* op) {
  CONVCORE_CHECK_TYPE(weight.defined(), op, ": weight is required");
  CONVCORE_CHECK_VALUE(weight.ndim() == 4, op, ": weight must be 4-D [K, C/groups, R, S], got shape ",
                       weight.shape().str());
  CONVCORE_CHECK_VALUE(t.out_channels == weight.size(0) && t.in_channels == weight.size(1), op,
                       ": connection_table must have shape (out_channels, in_channels / groups) = (",
                       weight.size(0), ", ", weight.size(1), "), got (", t.out_channels, ", ",
                       t.in_channels, ")");
  CONVCORE_CHECK_VALUE(static_cast<int64_t>(t.connected.size()) == t.out_channels * t.in_channels, op,
                       ": connection_table holds ", t.connected.size(), " entries, expected ",
                       t.out_channels * t.in_channels);
}

// Zeroes the [R, S] kernel of every unconnected (k, c) of w: [K, Cg, R, S].
void zero_unconnected(float* w, const ConnectionTable& t, int64_t kernel) {
  const int64_t pairs = static_cast<int64_t>(t.connected.size());
  for (int64_t i = 0; i < pairs; ++i)
    if (!t.connected[static_cast<size_t>(i)]) std::fill(w + i * kernel, w + (i + 1) * kernel, 0.0f);
}

struct ConnectionTableConv2dBackward : Node {
  ConnectionTable table;
  Conv2dOptions options;
  bool has_bias;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    const Tensor& x = inputs[0];
    const Tensor& w = inputs[1];
    Conv2dGrads g = conv2d_connection_table_backward(
        grad_output, x, w, table, options,
        {x.requires_grad(), w.requires_grad(), has_bias && inputs[2].requires_grad()});
    return {g.input, g.weight, has_bias ? g.bias : Tensor()};
  }
  const char* name() const override { return "ConnectionTableConv2dBackward"; }
};

}  // namespace

Tensor apply_connection_table(const Tensor& weight, const ConnectionTable& table) {
  check_table(weight, table, "conv2d_connection_table");
  Tensor masked = weight.clone();
  zero_unconnected(masked.data(), table, weight.size(2) * weight.size(3));
  return masked;
}

Tensor conv2d_connection_table(const Tensor& input, const Tensor& weight, const ConnectionTable& table,
                               const Tensor& bias, const Conv2dOptions& options) {
  Tensor y;
  {
    NoGradGuard no_grad;  // recorded below as one node
    y = conv2d(input, apply_connection_table(weight, table), bias, options);
  }
  if (any_requires_grad({input, weight, bias})) {
    auto node = std::make_shared<ConnectionTableConv2dBackward>();
    node->table = table;
    node->options = options;
    node->has_bias = bias.defined();
    node->inputs = {input, weight, bias};
    set_history(y, node);
  }
  return y;
}

Conv2dGrads conv2d_connection_table_backward(const Tensor& grad_output, const Tensor& input,
                                             const Tensor& weight, const ConnectionTable& table,
                                             const Conv2dOptions& options, std::array<bool, 3> output_mask) {
  NoGradGuard no_grad;
  Conv2dGrads g = conv2d_backward(grad_output, input.detach(), apply_connection_table(weight, table),
                                  options, output_mask);
  if (g.weight.defined()) zero_unconnected(g.weight.data(), table, weight.size(2) * weight.size(3));
  return g;
}

}  // namespace convcore
