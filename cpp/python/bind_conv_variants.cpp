// conv1d, conv3d, the transposed convolutions, the connection-table conv2d
// and pad3d. Argument forms (ints, tuples, 'same') are turned into explicit
// options by convcore/functional/_conv_variants.py; this file takes them explicit.
#include "bindings.h"

namespace convcore::python {

namespace {

// The tensors of a call: x, w, b for a forward; dy, x, w for a backward.
struct Operands {
  Tensor a, b, c;
};
Operands forward_operands(const py::object& input, const py::object& weight, const py::object& bias) {
  return {as_tensor(input, "input"), as_tensor(weight, "weight"), as_optional_tensor(bias, "bias")};
}
Operands backward_operands(const py::object& grad_output, const py::object& input,
                           const py::object& weight) {
  return {as_tensor(grad_output, "grad_output"), as_tensor(input, "input"), as_tensor(weight, "weight")};
}

py::tuple grads_tuple(const Conv2dGrads& g) {
  auto opt = [](const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); };
  return py::make_tuple(opt(g.input), opt(g.weight), opt(g.bias));
}



// A 2-D array of 0/1 (checked in Python) as the C++ table.
ConnectionTable connection_table(const py::array_t<uint8_t, py::array::c_style | py::array::forcecast>& t) {
  CONVCORE_CHECK_VALUE(t.ndim() == 2,
                       "connection_table: expected a 2-D (out_channels, in_channels) array, got ",
                       t.ndim(), " dimensions");
  ConnectionTable table;
  table.out_channels = t.shape(0);
  table.in_channels = t.shape(1);
  table.connected.assign(t.data(), t.data() + t.size());
  return table;
}


// conv_transpose{1,2,3}d(input, weight, bias, stride, padding, output_padding, groups, dilation),
// Size an int64_t or a std::array per spatial dimension.
template <class Options, class Size, class Fn>
void bind_conv_transpose(py::module_& m, const char* name, Fn fn) {
  m.def(name, [fn](const py::object& input, const py::object& weight, const py::object& bias,
                   Size stride, Size padding, Size output_padding, int64_t groups, Size dilation) {
    const Operands t = forward_operands(input, weight, bias);
    Options o;
    o.stride = stride, o.padding = padding, o.output_padding = output_padding, o.groups = groups;
    o.dilation = dilation;
    py::gil_scoped_release release;
    return fn(t.a, t.b, t.c, o);
  });
}
}  // namespace

void bind_conv_variants(py::module_& m) {
  m.def("conv1d", [](const py::object& input, const py::object& weight, const py::object& bias,
                     int64_t stride, std::array<int64_t, 2> padding, int64_t dilation, int64_t groups,
                     const std::string& padding_mode, bool same) {
    const Operands t = forward_operands(input, weight, bias);
    const auto o = conv_options<Conv1dOptions>(stride, padding, dilation, groups, padding_mode, same);
    py::gil_scoped_release release;
    return conv1d(t.a, t.b, t.c, o);
  });
  m.def("conv1d_backward", [](const py::object& grad_output, const py::object& input,
                              const py::object& weight, int64_t stride, std::array<int64_t, 2> padding,
                              int64_t dilation, int64_t groups, const std::string& padding_mode, bool same,
                              std::array<bool, 3> mask) {
    const Operands t = backward_operands(grad_output, input, weight);
    const auto o = conv_options<Conv1dOptions>(stride, padding, dilation, groups, padding_mode, same);
    Conv1dGrads g;
    {
      py::gil_scoped_release release;
      g = conv1d_backward(t.a, t.b, t.c, o, mask);
    }
    return grads_tuple(g);
  });
  m.def("conv3d", [](const py::object& input, const py::object& weight, const py::object& bias,
                     std::array<int64_t, 3> stride, std::array<int64_t, 6> padding,
                     std::array<int64_t, 3> dilation, int64_t groups, const std::string& padding_mode,
                     bool same) {
    const Operands t = forward_operands(input, weight, bias);
    const auto o = conv_options<Conv3dOptions>(stride, padding, dilation, groups, padding_mode, same);
    py::gil_scoped_release release;
    return conv3d(t.a, t.b, t.c, o);
  });
  m.def("conv3d_backward", [](const py::object& grad_output, const py::object& input,
                              const py::object& weight, std::array<int64_t, 3> stride,
                              std::array<int64_t, 6> padding, std::array<int64_t, 3> dilation,
                              int64_t groups, const std::string& padding_mode, bool same,
                              std::array<bool, 3> mask) {
    const Operands t = backward_operands(grad_output, input, weight);
    const auto o = conv_options<Conv3dOptions>(stride, padding, dilation, groups, padding_mode, same);
    Conv3dGrads g;
    {
      py::gil_scoped_release release;
      g = conv3d_backward(t.a, t.b, t.c, o, mask);
    }
    return grads_tuple(g);
  });
  bind_conv_transpose<ConvTranspose1dOptions, int64_t>(m, "conv_transpose1d", conv_transpose1d);
  bind_conv_transpose<ConvTranspose2dOptions, std::array<int64_t, 2>>(m, "conv_transpose2d", conv_transpose2d);
  bind_conv_transpose<ConvTranspose3dOptions, std::array<int64_t, 3>>(m, "conv_transpose3d", conv_transpose3d);
  m.def("conv2d_connection_table",
        [](const py::object& input, const py::object& weight,
           const py::array_t<uint8_t, py::array::c_style | py::array::forcecast>& connections,
           const py::object& bias,
           std::array<int64_t, 2> stride, std::array<int64_t, 4> padding, std::array<int64_t, 2> dilation,
           int64_t groups, const std::string& padding_mode, bool same) {
          const Operands t = forward_operands(input, weight, bias);
          const ConnectionTable table = connection_table(connections);
          Conv2dOptions o;
          o.stride = stride, o.padding = padding, o.dilation = dilation, o.groups = groups;
          o.padding_mode = parse_padding_mode(padding_mode);
          o.same = same;
          py::gil_scoped_release release;
          return conv2d_connection_table(t.a, t.b, table, t.c, o);
        });
  m.def("pad3d", [](const py::object& input, std::array<int64_t, 6> padding, const std::string& mode,
                    float value) {
    Tensor x = as_tensor(input, "input");
    PaddingMode pm = parse_padding_mode(mode);
    py::gil_scoped_release release;
    return pad3d(x, padding, pm, value);
  });
}

}  // namespace convcore::python
