// conv3d: the op, its padding modes, its autograd node and the public
// backward entry points. The passes are in conv3d_forward.cpp and
// conv3d_backward.cpp, argument checks in conv3d_geometry.cpp.
//
// Padding modes other than zeros pad explicitly (differentiable pad3d) and
// convolve unpadded, as PyTorch does; the backward then folds the padded
// border back with pad3d_backward.
#include <algorithm>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/tensor_ops.h"
#include "ops/conv3d_internal.h"

namespace convcore {

namespace {

void check_defined_cpu(const Tensor& t, const char* op, const char* what) {
  CONVCORE_CHECK_TYPE(t.defined(), op, ": ", what, " is required");
  CONVCORE_CHECK_TYPE(t.device() == Device::CPU, op, ": ", what, " must be a CPU tensor");
}

bool any_padding(const Conv3dOptions& o) {
  return std::any_of(o.padding.begin(), o.padding.end(), [](int64_t p) { return p != 0; });
}

// Options for the unpadded convolution that follows an explicit pad3d.
Conv3dOptions without_padding(Conv3dOptions o) {
  o.padding = {0, 0, 0, 0, 0, 0};
  o.padding_mode = PaddingMode::Zeros;
  return o;
}

// 'same' resolved; explicit (non-zero-mode) padding is left to the caller.
Conv3dOptions resolved(const Conv3dOptions& options, const Shape& weight, const char* op) {
  CONVCORE_CHECK_VALUE(weight.ndim() == 5, op, ": weight must be 5-D [K, C/groups, T, R, S], got shape ",
                       weight.str());
  return resolve_same_padding(options, weight[2], weight[3], weight[4], op);
}

bool pads_explicitly(const Conv3dOptions& o) {
  return o.padding_mode != PaddingMode::Zeros && any_padding(o);
}

Shape padded_shape(const Shape& x, const Conv3dOptions& o, const char* op) {
  CONVCORE_CHECK_VALUE(x.ndim() == 5, op, ": input must be 5-D [N, C, D, H, W], got shape ", x.str());
  const auto& p = o.padding;
  return Shape{x[0], x[1], x[2] + p[4] + p[5], x[3] + p[2] + p[3], x[4] + p[0] + p[1]};
}

void check_grad_output(const Tensor& dy, const Conv3dGeometry& g, const char* op) {
  const Shape expected{g.N, g.K, g.OD, g.OH, g.OW};
  CONVCORE_CHECK_VALUE(dy.defined() && dy.shape() == expected, op,
                       ": grad_output must have the output's shape ", expected.str(), ", got ",
                       dy.defined() ? dy.shape().str() : std::string("nothing"));
}

struct Conv3dBackward : Node {
  Conv3dOptions options;  // zero padding, already resolved
  bool has_bias;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    const Tensor& x = inputs[0];
    const Tensor& w = inputs[1];
    Conv3dGrads g = conv3d_backward(grad_output, x, w, options,
                                    {x.requires_grad(), w.requires_grad(),
                                     has_bias && inputs[2].requires_grad()});
    return {g.input, g.weight, has_bias ? g.bias : Tensor()};
  }
  const char* name() const override { return "Conv3dBackward"; }
};

}  // namespace

Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv3dOptions& options) {
  check_defined_cpu(input, "conv3d", "input");
  check_defined_cpu(weight, "conv3d", "weight");
  if (bias.defined()) check_defined_cpu(bias, "conv3d", "bias");
  Conv3dOptions o = resolved(options, weight.shape(), "conv3d");
  if (pads_explicitly(o)) {
    padded_shape(input.shape(), o, "conv3d");  // the rank check, with conv3d's message
    return conv3d(pad3d(input, o.padding, o.padding_mode), weight, bias, without_padding(o));
  }
  o.padding_mode = PaddingMode::Zeros;
  const Conv3dGeometry g = make_conv3d_geometry(input.shape(), weight.shape(), o, "conv3d");
  if (bias.defined())
    CONVCORE_CHECK_VALUE(bias.ndim() == 1 && bias.size(0) == g.K, "conv3d: bias must have shape [", g.K,
                         "], got ", bias.shape().str());
  Tensor y = Tensor::empty(Shape{g.N, g.K, g.OD, g.OH, g.OW});
  conv3d_forward_raw(g, input.data(), weight.data(), bias.defined() ? bias.data() : nullptr, y.data());
  if (any_requires_grad({input, weight, bias})) {
    auto node = std::make_shared<Conv3dBackward>();
    node->options = o;
    node->has_bias = bias.defined();
    node->inputs = {input, weight, bias};
    set_history(y, node);
  }
  return y;
}

Tensor conv3d_backward_input(const Tensor& grad_output, const Shape& input_shape,
                             const Tensor& weight, const Conv3dOptions& options) {
  const char* op = "conv3d_backward";
  check_defined_cpu(weight, op, "weight");
  const Conv3dOptions o = resolved(options, weight.shape(), op);
  if (pads_explicitly(o)) {
    // The gradient of the padded input, folded back onto the pixels it copied.
    const Tensor dxp = conv3d_backward_input(grad_output, padded_shape(input_shape, o, op), weight,
                                             without_padding(o));
    return pad3d_backward(dxp, o.padding, o.padding_mode, input_shape[2], input_shape[3], input_shape[4]);
  }
  const Conv3dGeometry g = make_conv3d_geometry(input_shape, weight.shape(), o, op);
  check_grad_output(grad_output, g, op);
  Tensor dx = Tensor::empty(input_shape);
  conv3d_backward_data_raw(g, grad_output.data(), weight.data(), dx.data());
  return dx;
}

Tensor conv3d_backward_weight(const Tensor& grad_output, const Tensor& input,
                              const Shape& weight_shape, const Conv3dOptions& options) {
  const char* op = "conv3d_backward";
  check_defined_cpu(input, op, "input");
  const Conv3dOptions o = resolved(options, weight_shape, op);
  if (pads_explicitly(o)) {
    padded_shape(input.shape(), o, op);
    NoGradGuard no_grad;
    return conv3d_backward_weight(grad_output, pad3d(input, o.padding, o.padding_mode), weight_shape,
                                  without_padding(o));
  }
  const Conv3dGeometry g = make_conv3d_geometry(input.shape(), weight_shape, o, op);
  check_grad_output(grad_output, g, op);
  Tensor dw = Tensor::empty(weight_shape);
  conv3d_backward_weight_raw(g, grad_output.data(), input.data(), dw.data());
  return dw;
}

Conv3dGrads conv3d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                            const Conv3dOptions& options, std::array<bool, 3> output_mask) {
  const char* op = "conv3d_backward";
  check_defined_cpu(input, op, "input");
  check_defined_cpu(weight, op, "weight");
  // Validate everything once, even for the parts that are masked off.
  const Conv3dOptions o = resolved(options, weight.shape(), op);
  Conv3dOptions inner = o;
  if (pads_explicitly(o)) inner = without_padding(o);
  inner.padding_mode = PaddingMode::Zeros;
  const Conv3dGeometry g =
      make_conv3d_geometry(pads_explicitly(o) ? padded_shape(input.shape(), o, op) : input.shape(),
                           weight.shape(), inner, op);
  check_grad_output(grad_output, g, op);
  Conv3dGrads out;
  if (output_mask[0]) out.input = conv3d_backward_input(grad_output, input.shape(), weight, o);
  if (output_mask[1]) out.weight = conv3d_backward_weight(grad_output, input.detach(), weight.shape(), o);
  if (output_mask[2]) {
    NoGradGuard no_grad;
    out.bias = sum(grad_output, {0, 2, 3, 4});
  }
  return out;
}

}  // namespace convcore
