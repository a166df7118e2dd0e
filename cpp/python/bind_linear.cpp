// The fully connected layer (convcore/ops/linear.h).
#include "bindings.h"

namespace convcore::python {

void bind_linear(py::module_& m) {
  m.def("linear",
        [](const py::object& input, const py::object& weight, const py::object& bias) {
          Tensor x = as_tensor(input, "input"), w = as_tensor(weight, "weight"),
                 b = as_optional_tensor(bias, "bias");
          py::gil_scoped_release release;
          return linear(x, w, b);
        },
        py::arg("input"), py::arg("weight"), py::arg("bias") = py::none());
  m.def("linear_backward",
        [](const py::object& grad_output, const py::object& input, const py::object& weight,
           std::array<bool, 3> mask) {
          Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input"),
                 w = as_tensor(weight, "weight");
          LinearGrads r;
          {
            py::gil_scoped_release release;
            r = linear_backward(g, x, w, mask);
          }
          auto opt = [](const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); };
          return py::make_tuple(opt(r.input), opt(r.weight), opt(r.bias));
        },
        py::arg("grad_output"), py::arg("input"), py::arg("weight"),
        py::arg("output_mask") = std::array<bool, 3>{true, true, true},
        "(grad_input, grad_weight, grad_bias) of linear; None where masked off.");
}

}  // namespace convcore::python
