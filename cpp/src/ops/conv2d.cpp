// conv2d: the op, its padding modes and its autograd node. The passes are
// in conv2d_forward.cpp and conv2d_backward.cpp, argument checks in
// conv2d_geometry.cpp, the choice of algorithm in conv2d_plan.cpp.
#include <algorithm>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "ops/conv2d_internal.h"

namespace convcore {

namespace {

// Conv with zero padding only (other modes were applied by pad2d first).
Tensor conv2d_zero_padded(const Tensor& x, const Tensor& w, const Tensor& b,
                          const Conv2dGeometry& g) {
  Tensor y = Tensor::empty(Shape{g.N, g.K, g.OH, g.OW});
  if (y.numel() == 0) return y;
  const Conv2dPlan& plan = conv2d_plan(g);
  conv2d_forward(g, plan, x.data(), w.data(), b.defined() ? b.data() : nullptr, y.data());
  return y;
}

struct Conv2dBackward : Node {
  Conv2dOptions options;  // zero padding, already resolved
  bool has_bias;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    const Tensor& x = inputs[0];
    const Tensor& w = inputs[1];
    Conv2dGrads g = conv2d_backward(grad_output, x, w, options,
                                    {x.requires_grad(), w.requires_grad(),
                                     has_bias && inputs[2].requires_grad()});
    return {g.input, g.weight, has_bias ? g.bias : Tensor()};
  }
  const char* name() const override { return "Conv2dBackward"; }
};

void check_float_cpu(const Tensor& t, const char* what) {
  if (t.defined())
    CONVCORE_CHECK_TYPE(t.device() == Device::CPU, "conv2d: ", what, " must be a CPU tensor");
}

}  // namespace

void conv2d_forward(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x, const float* w,
                    const float* bias, float* y) {
  switch (p.algo) {
    case Conv2dAlgo::Depthwise: return conv2d_forward_depthwise(g, p, x, w, bias, y);
    case Conv2dAlgo::Direct: return conv2d_forward_direct(g, p, x, w, bias, y);
    case Conv2dAlgo::Dense: return conv2d_forward_dense(g, x, w, bias, y);
    case Conv2dAlgo::Winograd: return conv2d_forward_winograd(g, p, x, w, bias, y);
    default: return conv2d_forward_gemm(g, p, x, w, bias, y);
  }
}

std::string conv2d_algorithm(const Shape& input, const Shape& weight, const Conv2dOptions& options) {
  CONVCORE_CHECK_VALUE(weight.ndim() == 4, "conv2d_algorithm: weight must be 4-D [K, C/groups, R, S], got ",
                       weight.str());
  Conv2dOptions o = resolve_same_padding(options, weight[2], weight[3], "conv2d_algorithm");
  o.padding_mode = PaddingMode::Zeros;  // other modes pad first, then run unpadded
  const Conv2dGeometry g = make_conv2d_geometry(input, weight, o, "conv2d_algorithm");
  const Conv2dPlan& p = conv2d_plan(g);
  switch (p.algo) {
    case Conv2dAlgo::Dense: return "dense";
    case Conv2dAlgo::Depthwise: return "depthwise";
    case Conv2dAlgo::Pointwise: return "pointwise";
    case Conv2dAlgo::Direct: return p.direct_rows ? "direct_rows" : "direct";
    case Conv2dAlgo::PaddedGemm: return "padded_gemm";
    case Conv2dAlgo::ImplicitGemm: return "implicit_gemm";
    case Conv2dAlgo::Winograd: return "winograd";
  }
  return "unknown";
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv2dOptions& options) {
  check_float_cpu(input, "input");
  check_float_cpu(weight, "weight");
  check_float_cpu(bias, "bias");
  CONVCORE_CHECK_VALUE(weight.defined() && weight.ndim() == 4,
                       "conv2d: weight must be 4-D [K, C/groups, R, S], got ",
                       weight.defined() ? weight.shape().str() : std::string("nothing"));
  Conv2dOptions o = resolve_same_padding(options, weight.size(2), weight.size(3), "conv2d");
  const bool any_pad = std::any_of(o.padding.begin(), o.padding.end(), [](int64_t p) { return p != 0; });
  if (o.padding_mode != PaddingMode::Zeros && any_pad) {
    // As PyTorch: pad explicitly (differentiably), then convolve unpadded.
    CONVCORE_CHECK_VALUE(input.defined() && input.ndim() == 4,
                         "conv2d: input must be 4-D [N, C, H, W], got ",
                         input.defined() ? input.shape().str() : std::string("nothing"));
    Tensor padded = pad2d(input, o.padding, o.padding_mode);
    o.padding = {0, 0, 0, 0};
    o.padding_mode = PaddingMode::Zeros;
    return conv2d(padded, weight, bias, o);
  }
  o.padding_mode = PaddingMode::Zeros;
  const Conv2dGeometry g = make_conv2d_geometry(input, weight, bias, o, "conv2d");
  Tensor y = conv2d_zero_padded(input, weight, bias, g);
  if (any_requires_grad({input, weight, bias})) {
    auto node = std::make_shared<Conv2dBackward>();
    node->options = o;
    node->has_bias = bias.defined();
    node->inputs = {input, weight, bias};
    set_history(y, node);
  }
  return y;
}

}  // namespace convcore
