// conv_transpose1d/2d/3d, built from the passes of the matching convolution
// conv(x_out, weight) whose input has the transposed convolution's output
// shape (see conv_transpose.h):
//   forward      = that convolution's input gradient, of the input
//   grad_input   = that convolution's forward, of grad_output
//   grad_weight  = that convolution's weight gradient with grad_output as its
//                  input and the transposed input as its output gradient
// conv_transpose1d runs as conv_transpose2d of unit height.
//
// output_padding >= stride (legal when dilation is larger) makes the matching
// convolution's output floor(output_padding / stride) longer than the input:
// the input is then extended with zeros at the end (those outputs receive no
// gradient) and the input gradient cropped back.
// Deliberately left out, as in torch.nn.functional: padding modes other than
// zeros, per-side and 'same' padding, and an output_size argument.
#include <functional>
#include <string>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/conv_transpose.h"
#include "convcore/ops/tensor_ops.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

// One transposed convolution with nd = 1, 2 or 3 spatial dimensions.
struct Spec {
  const char* op;
  int nd;
  std::array<int64_t, 3> stride, padding, output_padding, dilation;  // first nd entries used
  int64_t groups;
};

// The matching convolution's passes (zero padding, same stride/dilation/groups).
struct ConvPasses {
  std::function<Tensor(const Tensor& dy, const Shape& x_shape, const Tensor& w)> backward_input;
  std::function<Tensor(const Tensor& x, const Tensor& w)> forward;
  std::function<Tensor(const Tensor& dy, const Tensor& x, const Shape& w_shape)> backward_weight;
};

std::string tuple_str(const std::array<int64_t, 3>& a, int nd) {
  if (nd == 1) return std::to_string(a[0]);
  std::string s = "(";
  for (int i = 0; i < nd; ++i) s += (i ? ", " : "") + std::to_string(a[i]);
  return s + ")";
}

void check_tensor(const Tensor& t, const char* op, const char* what) {
  CONVCORE_CHECK_TYPE(t.defined(), op, ": ", what, " is required");
  CONVCORE_CHECK_TYPE(t.device() == Device::CPU, op, ": ", what, " must be a CPU tensor");
}

struct Sizes {
  Shape output;       // [N, C_out, out...]
  Shape conv_output;  // the matching convolution's output on `output`: [N, C_in, in + op/s...]
};

// Every argument check; the output shape.
Sizes check(const Spec& s, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  const char* op = s.op;
  static const char* kLayouts[] = {"", "L", "H, W", "D, H, W"};
  static const char* kKernels[] = {"", "R", "R, S", "T, R, S"};
  check_tensor(input, op, "input");
  check_tensor(weight, op, "weight");
  if (bias.defined()) check_tensor(bias, op, "bias");
  CONVCORE_CHECK_VALUE(input.ndim() == s.nd + 2, op, ": input must be ", s.nd + 2, "-D [N, C_in, ",
                       kLayouts[s.nd], "], got shape ", input.shape().str());
  CONVCORE_CHECK_VALUE(weight.ndim() == s.nd + 2, op, ": weight must be ", s.nd + 2,
                       "-D [C_in, C_out/groups, ", kKernels[s.nd], "], got shape ", weight.shape().str());
  for (int i = 0; i < s.nd; ++i) {
    CONVCORE_CHECK_VALUE(s.stride[i] >= 1, op, ": stride must be positive, got ", tuple_str(s.stride, s.nd));
    CONVCORE_CHECK_VALUE(s.dilation[i] >= 1, op, ": dilation must be positive, got ",
                         tuple_str(s.dilation, s.nd));
    CONVCORE_CHECK_VALUE(s.padding[i] >= 0, op, ": padding must be non-negative, got ",
                         tuple_str(s.padding, s.nd));
    CONVCORE_CHECK_VALUE(s.output_padding[i] >= 0, op, ": output_padding must be non-negative, got ",
                         tuple_str(s.output_padding, s.nd));
    CONVCORE_CHECK_VALUE(s.output_padding[i] < s.stride[i] || s.output_padding[i] < s.dilation[i], op,
                         ": output_padding must be smaller than either stride or dilation, got output_padding ",
                         tuple_str(s.output_padding, s.nd), " with stride ", tuple_str(s.stride, s.nd),
                         " and dilation ", tuple_str(s.dilation, s.nd));
  }
  CONVCORE_CHECK_VALUE(s.groups >= 1, op, ": groups must be positive, got ", s.groups);
  const int64_t N = input.size(0), C_in = input.size(1);
  CONVCORE_CHECK_VALUE(C_in % s.groups == 0, op, ": input channels (", C_in,
                       ") must be divisible by groups (", s.groups, ")");
  CONVCORE_CHECK_VALUE(weight.size(0) == C_in, op, ": weight.shape[0] must be the input channels (",
                       C_in, "), got ", weight.size(0), " (weight shape ", weight.shape().str(), ")");
  for (int d = 1; d < weight.ndim(); ++d)
    CONVCORE_CHECK_VALUE(weight.size(d) >= 1, op, ": weight must have non-zero sizes, got shape ",
                         weight.shape().str());
  const int64_t C_out = weight.size(1) * s.groups;
  if (bias.defined())
    CONVCORE_CHECK_VALUE(bias.ndim() == 1 && bias.size(0) == C_out, op, ": bias must have shape [", C_out,
                         "], got ", bias.shape().str());
  std::vector<int64_t> out{N, C_out}, conv_out{N, C_in};
  for (int i = 0; i < s.nd; ++i) {
    const int64_t in = input.size(2 + i), r = weight.size(2 + i);
    const int64_t size = (in - 1) * s.stride[i] - 2 * s.padding[i] + s.dilation[i] * (r - 1) + 1 +
                         s.output_padding[i];
    CONVCORE_CHECK_VALUE(in >= 1 && size >= 1, op, ": the output would have size ", size,
                         " along spatial dimension ", i, " (input ", in, ", kernel ", r, ", stride ",
                         s.stride[i], ", padding ", s.padding[i], ", dilation ", s.dilation[i],
                         ", output_padding ", s.output_padding[i], "); it must be at least 1");
    out.push_back(size);
    conv_out.push_back(in + s.output_padding[i] / s.stride[i]);
  }
  return {Shape(out), Shape(conv_out)};
}

// t: [N, C, spatial...] -> [N, C, sizes...]: the leading box copied, the rest
// zero (or cropped away). t itself when the shapes agree.
Tensor resize_end(const Tensor& t, const Shape& shape) {
  if (t.shape() == shape) return t;
  const int nd = t.ndim() - 2;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  for (int i = 0; i < nd; ++i) in[3 - nd + i] = t.size(2 + i), out[3 - nd + i] = shape[2 + i];
  Tensor r = Tensor::zeros(shape);
  const float* src = t.data();
  float* dst = r.data();
  const int64_t keep_d = std::min(in[0], out[0]), keep_h = std::min(in[1], out[1]),
                keep_w = std::min(in[2], out[2]);
  parallel_for(0, shape[0] * shape[1], [&](int64_t lo, int64_t hi, int) {
    for (int64_t p = lo; p < hi; ++p)
      for (int64_t d = 0; d < keep_d; ++d)
        for (int64_t h = 0; h < keep_h; ++h) {
          const float* s = src + ((p * in[0] + d) * in[1] + h) * in[2];
          std::copy(s, s + keep_w, dst + ((p * out[0] + d) * out[1] + h) * out[2]);
        }
  });
  return r;
}

Tensor forward(const Spec& s, const ConvPasses& conv, const Tensor& input, const Tensor& weight,
               const Tensor& bias) {
  const Sizes z = check(s, input, weight, bias);
  NoGradGuard no_grad;  // the public function records the node
  Tensor y = conv.backward_input(resize_end(input.detach(), z.conv_output), z.output, weight.detach());
  if (bias.defined() && y.numel() > 0) {
    const int64_t K = y.size(1), plane = y.numel() / (y.size(0) * K);
    const float* b = bias.data();
    float* yp = y.data();
    parallel_for(0, y.size(0) * K, [&](int64_t lo, int64_t hi, int) {
      for (int64_t p = lo; p < hi; ++p)
        for (int64_t i = 0; i < plane; ++i) yp[p * plane + i] += b[p % K];
    });
  }
  return y;
}

Conv2dGrads backward(const Spec& s, const ConvPasses& conv, const Tensor& grad_output,
                     const Tensor& input, const Tensor& weight, std::array<bool, 3> mask) {
  const Sizes z = check(s, input, weight, Tensor());
  CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.shape() == z.output, s.op,
                       "_backward: grad_output must have the output's shape ", z.output.str(), ", got ",
                       grad_output.defined() ? grad_output.shape().str() : std::string("nothing"));
  NoGradGuard no_grad;
  const Tensor dy = grad_output.detach(), w = weight.detach();
  Conv2dGrads out;
  if (mask[0]) out.input = resize_end(conv.forward(dy, w), input.shape());
  if (mask[1]) out.weight = conv.backward_weight(resize_end(input.detach(), z.conv_output), dy, w.shape());
  if (mask[2]) {
    std::vector<int64_t> dims{0};
    for (int i = 0; i < s.nd; ++i) dims.push_back(2 + i);
    out.bias = sum(dy, dims);
  }
  return out;
}

template <class Options>
using BackwardFn = Conv2dGrads (*)(const Tensor&, const Tensor&, const Tensor&, const Options&,
                                   std::array<bool, 3>);

template <class Options>
struct ConvTransposeBackward : Node {
  Options options;
  bool has_bias;
  BackwardFn<Options> fn;
  const char* node_name;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    const Tensor& x = inputs[0];
    const Tensor& w = inputs[1];
    Conv2dGrads g = fn(grad_output, x, w, options,
                       {x.requires_grad(), w.requires_grad(), has_bias && inputs[2].requires_grad()});
    return {g.input, g.weight, has_bias ? g.bias : Tensor()};
  }
  const char* name() const override { return node_name; }
};

template <class Options>
Tensor record(Tensor y, const Options& o, const Tensor& input, const Tensor& weight, const Tensor& bias,
              BackwardFn<Options> fn, const char* name) {
  if (any_requires_grad({input, weight, bias})) {
    auto node = std::make_shared<ConvTransposeBackward<Options>>();
    node->options = o;
    node->has_bias = bias.defined();
    node->fn = fn;
    node->node_name = name;
    node->inputs = {input, weight, bias};
    set_history(y, node);
  }
  return y;
}

// ---- the three dimensionalities ----

Spec spec1(const ConvTranspose1dOptions& o) {
  return {"conv_transpose1d", 1, {o.stride, 1, 1}, {o.padding, 0, 0}, {o.output_padding, 0, 0},
          {o.dilation, 1, 1}, o.groups};
}
Spec spec2(const ConvTranspose2dOptions& o) {
  return {"conv_transpose2d", 2, {o.stride[0], o.stride[1], 1}, {o.padding[0], o.padding[1], 0},
          {o.output_padding[0], o.output_padding[1], 0}, {o.dilation[0], o.dilation[1], 1}, o.groups};
}
Spec spec3(const ConvTranspose3dOptions& o) {
  return {"conv_transpose3d", 3, o.stride, o.padding, o.output_padding, o.dilation, o.groups};
}

Conv2dOptions conv_options2(const Spec& s) {
  Conv2dOptions c;
  c.stride = {s.stride[0], s.stride[1]};
  c.padding = {s.padding[1], s.padding[1], s.padding[0], s.padding[0]};
  c.dilation = {s.dilation[0], s.dilation[1]};
  c.groups = s.groups;
  return c;
}

ConvPasses passes2(const Spec& s) {
  const Conv2dOptions c = conv_options2(s);
  return {[c](const Tensor& dy, const Shape& xs, const Tensor& w) {
            return conv2d_backward_input(dy, xs, w, c);
          },
          [c](const Tensor& x, const Tensor& w) { return conv2d(x, w, Tensor(), c); },
          [c](const Tensor& dy, const Tensor& x, const Shape& ws) {
            return conv2d_backward_weight(dy, x, ws, c);
          }};
}

// 1D on the 2D passes: [A, B, L] viewed as [A, B, 1, L].
Shape as_2d(const Shape& s) { return Shape{s[0], s[1], 1, s[2]}; }
Tensor as_2d(const Tensor& t) { return t.view_as_shape(as_2d(t.shape())); }
Tensor as_1d(const Tensor& t) { return t.view_as_shape(Shape{t.size(0), t.size(1), t.size(3)}); }

ConvPasses passes1(const Spec& s1) {
  Spec s = s1;
  s.nd = 2;
  s.stride = {1, s1.stride[0], 1}, s.padding = {0, s1.padding[0], 0};
  s.output_padding = {0, s1.output_padding[0], 0}, s.dilation = {1, s1.dilation[0], 1};
  const Conv2dOptions c = conv_options2(s);
  return {[c](const Tensor& dy, const Shape& xs, const Tensor& w) {
            return as_1d(conv2d_backward_input(as_2d(dy), as_2d(xs), as_2d(w), c));
          },
          [c](const Tensor& x, const Tensor& w) { return as_1d(conv2d(as_2d(x), as_2d(w), Tensor(), c)); },
          [c](const Tensor& dy, const Tensor& x, const Shape& ws) {
            return as_1d(conv2d_backward_weight(as_2d(dy), as_2d(x), as_2d(ws), c));
          }};
}

ConvPasses passes3(const Spec& s) {
  Conv3dOptions c;
  c.stride = s.stride;
  c.padding = {s.padding[2], s.padding[2], s.padding[1], s.padding[1], s.padding[0], s.padding[0]};
  c.dilation = s.dilation;
  c.groups = s.groups;
  return {[c](const Tensor& dy, const Shape& xs, const Tensor& w) {
            return conv3d_backward_input(dy, xs, w, c);
          },
          [c](const Tensor& x, const Tensor& w) { return conv3d(x, w, Tensor(), c); },
          [c](const Tensor& dy, const Tensor& x, const Shape& ws) {
            return conv3d_backward_weight(dy, x, ws, c);
          }};
}

}  // namespace

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose1dOptions& o) {
  const Spec s = spec1(o);
  return record(forward(s, passes1(s), input, weight, bias), o, input, weight, bias,
                &conv_transpose1d_backward, "ConvTranspose1dBackward");
}

Conv1dGrads conv_transpose1d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                      const ConvTranspose1dOptions& o, std::array<bool, 3> mask) {
  const Spec s = spec1(o);
  return backward(s, passes1(s), grad_output, input, weight, mask);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose2dOptions& o) {
  const Spec s = spec2(o);
  return record(forward(s, passes2(s), input, weight, bias), o, input, weight, bias,
                &conv_transpose2d_backward, "ConvTranspose2dBackward");
}

Conv2dGrads conv_transpose2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                      const ConvTranspose2dOptions& o, std::array<bool, 3> mask) {
  const Spec s = spec2(o);
  return backward(s, passes2(s), grad_output, input, weight, mask);
}

Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose3dOptions& o) {
  const Spec s = spec3(o);
  return record(forward(s, passes3(s), input, weight, bias), o, input, weight, bias,
                &conv_transpose3d_backward, "ConvTranspose3dBackward");
}

Conv3dGrads conv_transpose3d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                      const ConvTranspose3dOptions& o, std::array<bool, 3> mask) {
  const Spec s = spec3(o);
  return backward(s, passes3(s), grad_output, input, weight, mask);
}

}  // namespace convcore
