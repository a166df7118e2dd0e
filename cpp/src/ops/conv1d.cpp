// conv1d: a conv2d of unit height. Sequences [N, C, L] and kernels
// [K, C/groups, R] are viewed (no copy) as [N, C, 1, L] and [K, C/groups, 1, R],
// so conv1d runs every conv2d algorithm. The checks are repeated here first
// so that errors speak of conv1d's arguments, not of the 2D view.
#include "convcore/ops/conv1d.h"

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "ops/conv2d_geometry.h"

namespace convcore {

namespace {

void check_tensor(const Tensor& t, const char* op, const char* what, const char* layout) {
  CONVCORE_CHECK_TYPE(t.defined(), op, ": ", what, " is required");
  CONVCORE_CHECK_TYPE(t.device() == Device::CPU, op, ": ", what, " must be a CPU tensor");
  CONVCORE_CHECK_VALUE(t.ndim() == 3, op, ": ", what, " must be 3-D ", layout, ", got shape ",
                       t.shape().str());
}

void check_options(const Conv1dOptions& o, const char* op) {
  CONVCORE_CHECK_VALUE(o.stride >= 1, op, ": stride must be positive, got ", o.stride);
  CONVCORE_CHECK_VALUE(o.dilation >= 1, op, ": dilation must be positive, got ", o.dilation);
  CONVCORE_CHECK_VALUE(o.padding[0] >= 0 && o.padding[1] >= 0, op,
                       ": padding must be non-negative, got (left, right) = (", o.padding[0], ", ",
                       o.padding[1], ")");
  CONVCORE_CHECK_VALUE(o.groups >= 1, op, ": groups must be positive, got ", o.groups);
  CONVCORE_CHECK_VALUE(!o.same || o.stride == 1, op,
                       ": padding='same' is only supported with stride 1, got stride ", o.stride);
}

Shape as_2d(const Shape& s) { return Shape{s[0], s[1], 1, s[2]}; }
Tensor as_2d(const Tensor& t) { return t.defined() ? t.view_as_shape(as_2d(t.shape())) : t; }
Tensor as_1d(const Tensor& t) {  // [A, B, 1, L] -> [A, B, L]
  return t.defined() ? t.view_as_shape(Shape{t.size(0), t.size(1), t.size(3)}) : t;
}

// Every check conv1d makes; returns the geometry of the 2D view.
Conv2dGeometry checked_geometry(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                const Conv1dOptions& options, const char* op) {
  check_tensor(input, op, "input", "[N, C, L]");
  check_tensor(weight, op, "weight", "[K, C/groups, R]");
  check_options(options, op);
  if (bias.defined())
    CONVCORE_CHECK_TYPE(bias.device() == Device::CPU, op, ": bias must be a CPU tensor");
  const Conv2dOptions o = resolve_same_padding(conv1d_as_conv2d(options), 1, weight.size(2), op);
  return make_conv2d_geometry(as_2d(input), as_2d(weight), bias, o, op);
}

struct Conv1dBackward : Node {
  Conv1dOptions options;
  bool has_bias;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    const Tensor& x = inputs[0];
    const Tensor& w = inputs[1];
    Conv1dGrads g = conv1d_backward(grad_output, x, w, options,
                                    {x.requires_grad(), w.requires_grad(),
                                     has_bias && inputs[2].requires_grad()});
    return {g.input, g.weight, has_bias ? g.bias : Tensor()};
  }
  const char* name() const override { return "Conv1dBackward"; }
};

}  // namespace

Conv2dOptions conv1d_as_conv2d(const Conv1dOptions& o) {
  Conv2dOptions r;
  r.stride = {1, o.stride};
  r.padding = {o.padding[0], o.padding[1], 0, 0};
  r.dilation = {1, o.dilation};
  r.groups = o.groups;
  r.padding_mode = o.padding_mode;
  r.same = o.same;
  return r;
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv1dOptions& options) {
  checked_geometry(input, weight, bias, options, "conv1d");
  Tensor y;
  {
    NoGradGuard no_grad;  // conv1d records its own node below
    y = as_1d(conv2d(as_2d(input), as_2d(weight), bias.defined() ? bias.detach() : bias,
                     conv1d_as_conv2d(options)));
  }
  if (any_requires_grad({input, weight, bias})) {
    auto node = std::make_shared<Conv1dBackward>();
    node->options = options;
    node->has_bias = bias.defined();
    node->inputs = {input, weight, bias};
    set_history(y, node);
  }
  return y;
}

Conv1dGrads conv1d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                            const Conv1dOptions& options, std::array<bool, 3> output_mask) {
  const char* op = "conv1d_backward";
  const Conv2dGeometry g = checked_geometry(input, weight, Tensor(), options, op);
  const Shape expected{g.N, g.K, g.OW};
  CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.shape() == expected, op,
                       ": grad_output must have the output's shape ", expected.str(), ", got ",
                       grad_output.defined() ? grad_output.shape().str() : std::string("nothing"));
  Conv2dGrads grads = conv2d_backward(as_2d(grad_output), as_2d(input), as_2d(weight),
                                      conv1d_as_conv2d(options), output_mask);
  return {as_1d(grads.input), as_1d(grads.weight), grads.bias};
}

}  // namespace convcore
