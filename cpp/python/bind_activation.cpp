// Activations (convcore/ops/activation.h): module functions, their explicit
// backward functions, and the Tensor methods sigmoid/tanh/softmax/log_softmax.
#include "bindings.h"

namespace convcore::python {

namespace {
// f(tensor) with the GIL released.
template <class F>
auto unary(F f) {
  return [f](const py::object& x) {
    Tensor t = as_tensor(x, "input");
    py::gil_scoped_release release;
    return f(t);
  };
}
// f(grad_output, saved) with the GIL released.
template <class F>
auto unary_backward(F f, const char* saved) {
  return [f, saved](const py::object& g, const py::object& s) {
    Tensor gt = as_tensor(g, "grad_output"), st = as_tensor(s, saved);
    py::gil_scoped_release release;
    return f(gt, st);
  };
}
}  // namespace

void bind_activation(py::module_& m) {
  m.def("leaky_relu",
        [](const py::object& x, float slope) {
          Tensor t = as_tensor(x, "input");
          py::gil_scoped_release release;
          return leaky_relu(t, slope);
        },
        py::arg("input"), py::arg("negative_slope") = 0.01f);
  m.def("leaky_relu_backward",
        [](const py::object& g, const py::object& x, float slope) {
          Tensor gt = as_tensor(g, "grad_output"), xt = as_tensor(x, "input");
          py::gil_scoped_release release;
          return leaky_relu_backward(gt, xt, slope);
        },
        py::arg("grad_output"), py::arg("input"), py::arg("negative_slope"));
  m.def("hardtanh",
        [](const py::object& x, float min_val, float max_val) {
          Tensor t = as_tensor(x, "input");
          py::gil_scoped_release release;
          return hardtanh(t, min_val, max_val);
        },
        py::arg("input"), py::arg("min_val") = -1.0f, py::arg("max_val") = 1.0f);
  m.def("hardtanh_backward",
        [](const py::object& g, const py::object& x, float min_val, float max_val) {
          Tensor gt = as_tensor(g, "grad_output"), xt = as_tensor(x, "input");
          py::gil_scoped_release release;
          return hardtanh_backward(gt, xt, min_val, max_val);
        },
        py::arg("grad_output"), py::arg("input"), py::arg("min_val"), py::arg("max_val"));
  m.def("sigmoid", unary([](const Tensor& t) { return sigmoid(t); }), py::arg("input"));
  m.def("tanh", unary([](const Tensor& t) { return tanh(t); }), py::arg("input"));
  m.def("scaled_tanh", unary([](const Tensor& t) { return scaled_tanh(t); }), py::arg("input"));
  m.def("sigmoid_backward", unary_backward(&sigmoid_backward, "output"), py::arg("grad_output"),
        py::arg("output"));
  m.def("tanh_backward", unary_backward(&tanh_backward, "output"), py::arg("grad_output"),
        py::arg("output"));
  m.def("scaled_tanh_backward", unary_backward(&scaled_tanh_backward, "output"),
        py::arg("grad_output"), py::arg("output"));

  using SoftmaxFn = Tensor (*)(const Tensor&, int64_t);
  using SoftmaxBackwardFn = Tensor (*)(const Tensor&, const Tensor&, int64_t);
  auto def_softmax = [&m](const char* name, SoftmaxFn fn, const char* back_name,
                          SoftmaxBackwardFn back) {
    m.def(name,
          [fn](const py::object& x, int64_t dim) {
            Tensor t = as_tensor(x, "input");
            py::gil_scoped_release release;
            return fn(t, dim);
          },
          py::arg("input"), py::arg("dim"));
    m.def(back_name,
          [back](const py::object& g, const py::object& y, int64_t dim) {
            Tensor gt = as_tensor(g, "grad_output"), yt = as_tensor(y, "output");
            py::gil_scoped_release release;
            return back(gt, yt, dim);
          },
          py::arg("grad_output"), py::arg("output"), py::arg("dim"));
  };
  def_softmax("softmax", &softmax, "softmax_backward", &softmax_backward);
  def_softmax("log_softmax", &log_softmax, "log_softmax_backward", &log_softmax_backward);

  auto cls = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  cls.def("sigmoid", [](const Tensor& self) {
    py::gil_scoped_release release;
    return sigmoid(self);
  });
  cls.def("tanh", [](const Tensor& self) {
    py::gil_scoped_release release;
    return tanh(self);
  });
  cls.def("softmax",
          [](const Tensor& self, int64_t dim) {
            py::gil_scoped_release release;
            return softmax(self, dim);
          },
          py::arg("dim"));
  cls.def("log_softmax",
          [](const Tensor& self, int64_t dim) {
            py::gil_scoped_release release;
            return log_softmax(self, dim);
          },
          py::arg("dim"));
}

}  // namespace convcore::python
