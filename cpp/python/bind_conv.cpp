// Convolution and padding. Argument forms (ints, pairs, 'same') are turned
// into Conv2dOptions by convcore/functional.py; this file takes them explicit.
#include "bindings.h"

namespace convcore::python {


void bind_conv(py::module_& m) {
  m.def("conv2d",
        [](const py::object& input, const py::object& weight, const py::object& bias,
           std::array<int64_t, 2> stride, std::array<int64_t, 4> padding,
           std::array<int64_t, 2> dilation, int64_t groups, const std::string& padding_mode,
           bool same) {
          Tensor x = as_tensor(input, "input"), w = as_tensor(weight, "weight"),
                 b = as_optional_tensor(bias, "bias");
          const auto o = conv_options<Conv2dOptions>(stride, padding, dilation, groups, padding_mode, same);
          py::gil_scoped_release release;
          return conv2d(x, w, b, o);
        });
  m.def("conv2d_algorithm",
        [](const std::vector<int64_t>& input_shape, const std::vector<int64_t>& weight_shape,
           std::array<int64_t, 2> stride, std::array<int64_t, 4> padding,
           std::array<int64_t, 2> dilation, int64_t groups, bool same) {
          const auto o = conv_options<Conv2dOptions>(stride, padding, dilation, groups, "zeros", same);
          return conv2d_algorithm(Shape(input_shape), Shape(weight_shape), o);
        });
  m.def("conv2d_backward",
        [](const py::object& grad_output, const py::object& input, const py::object& weight,
           std::array<int64_t, 2> stride, std::array<int64_t, 4> padding,
           std::array<int64_t, 2> dilation, int64_t groups, const std::string& padding_mode,
           bool same, std::array<bool, 3> mask) {
          Tensor dy = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input"),
                 w = as_tensor(weight, "weight");
          const auto o = conv_options<Conv2dOptions>(stride, padding, dilation, groups, padding_mode, same);
          Conv2dGrads g;
          {
            py::gil_scoped_release release;
            g = conv2d_backward(dy, x, w, o, mask);
          }
          auto opt = [](const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); };
          return py::make_tuple(opt(g.input), opt(g.weight), opt(g.bias));
        });
  m.def("pad2d",
        [](const py::object& input, std::array<int64_t, 4> padding, const std::string& mode,
           float value) {
          Tensor x = as_tensor(input, "input");
          PaddingMode pm = parse_padding_mode(mode);
          py::gil_scoped_release release;
          return pad2d(x, padding, pm, value);
        });
}

}  // namespace convcore::python
