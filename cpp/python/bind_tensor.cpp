// convcore.Tensor: construction, NumPy interop (buffer protocol, no copies)
// and the autograd surface (requires_grad, grad, backward, detach).
#include "bindings.h"

namespace convcore::python {

void bind_tensor(py::module_& m) {
  py::class_<Tensor>(m, "Tensor", py::buffer_protocol(), R"doc(
A contiguous float32 array of up to 5 dimensions that can record gradients.
np.asarray(t) and t.numpy() view its memory without copying.
Tensor(data, requires_grad=False): from a Tensor, a detached tensor sharing
its memory (so Python subclasses such as convcore.nn.Parameter can wrap one);
from anything else, a float32 copy.)doc")
      .def(py::init([](const py::object& data, bool requires_grad) {
             Tensor t = py::isinstance<Tensor>(data) ? data.cast<const Tensor&>().detach()
                                                     : as_tensor(data, "data").clone();
             t.set_requires_grad(requires_grad);
             return t;
           }),
           py::arg("data"), py::arg("requires_grad") = false)
      .def_buffer([](Tensor& t) {
        std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
        std::vector<py::ssize_t> strides(shape.size());
        py::ssize_t s = sizeof(float);
        for (int i = t.ndim() - 1; i >= 0; --i) {
          strides[static_cast<size_t>(i)] = s;
          s *= shape[static_cast<size_t>(i)];
        }
        return py::buffer_info(t.data(), sizeof(float), py::format_descriptor<float>::format(),
                               t.ndim(), shape, strides);
      })
      .def_property_readonly("shape", [](const Tensor& t) { return py::tuple(py::cast(t.shape().vec())); })
      .def_property_readonly("ndim", &Tensor::ndim)
      .def_property_readonly("size", &Tensor::numel, "Number of elements, as numpy.ndarray.size.")
      .def("numel", &Tensor::numel)
      .def("__len__", [](const Tensor& t) {
        CONVCORE_CHECK_TYPE(t.ndim() > 0, "len() of a 0-d tensor");
        return t.size(0);
      })
      .def_property_readonly("dtype", [](const Tensor&) { return py::dtype::of<float>(); })
      .def_property_readonly("device", [](const Tensor& t) { return std::string(device_name(t.device())); })
      .def_property(
          "requires_grad", &Tensor::requires_grad,
          [](Tensor& t, bool v) { t.set_requires_grad(v); })
      .def("requires_grad_", [](Tensor& t, bool v) { t.set_requires_grad(v); return t; },
           py::arg("requires_grad") = true)
      .def_property(
          "grad", [](const Tensor& t) -> py::object {
            Tensor g = t.grad();
            return g.defined() ? py::cast(g) : py::none();
          },
          [](const Tensor& t, const py::object& g) { t.set_grad(as_optional_tensor(g, "grad")); })
      .def_property_readonly("is_leaf", &Tensor::is_leaf)
      .def_property_readonly("grad_fn", [](const Tensor& t) -> py::object {
        if (!t.grad_fn()) return py::none();
        return py::str(t.grad_fn()->name());
      })
      .def("backward",
           [](const Tensor& t, const py::object& grad) {
             Tensor g = as_optional_tensor(grad, "grad");
             py::gil_scoped_release release;
             t.backward(g);
           },
           py::arg("grad") = py::none(),
           "Accumulate d(self)/d(leaf) into every leaf's .grad; grad defaults to 1 for a scalar.")
      .def("detach", &Tensor::detach, "A tensor sharing this memory, outside the graph.")
      .def("clone", &Tensor::clone)
      .def("item", &Tensor::item)
      .def("numpy", [](py::object self) { return to_numpy(self.cast<Tensor>(), self); },
           "A NumPy array sharing this tensor's memory.")
      .def("tolist", [](py::object self) { return to_numpy(self.cast<Tensor>(), self).attr("tolist")(); })
      .def("__repr__", &Tensor::repr)
      // Pickling (worker processes, copy.deepcopy) carries the values and requires_grad,
      // not the graph: an unpickled tensor is a leaf, as torch's are.
      .def(py::pickle(
          [](py::object self) {
            const Tensor& t = self.cast<const Tensor&>();
            return py::make_tuple(to_numpy(t, self).attr("copy")(), t.requires_grad());
          },
          [](const py::tuple& state) {
            CONVCORE_CHECK_VALUE(state.size() == 2, "Tensor.__setstate__: expected (array, "
                                 "requires_grad), got a tuple of ", state.size());
            Tensor t = as_tensor(state[0], "state").clone();
            t.set_requires_grad(state[1].cast<bool>());
            return t;
          }));

  m.def("tensor",
        [](const py::object& data, bool requires_grad) {
          Tensor t = as_tensor(data, "data").clone();
          t.set_requires_grad(requires_grad);
          return t;
        },
        py::arg("data"), py::arg("requires_grad") = false,
        "A new tensor holding a float32 copy of data (a Tensor, array or nested lists).");
  m.def("from_numpy", [](const py::array& a) { return from_numpy(a, "array"); }, py::arg("array"),
        "A tensor sharing the memory of a C-contiguous float32 NumPy array.");
  m.def("zeros", [](const std::vector<int64_t>& shape, bool rg) {
          Tensor t = Tensor::zeros(Shape(shape));
          return t.set_requires_grad(rg);
        }, py::arg("shape"), py::arg("requires_grad") = false);
  m.def("ones", [](const std::vector<int64_t>& shape, bool rg) {
          Tensor t = Tensor::full(Shape(shape), 1.0f);
          return t.set_requires_grad(rg);
        }, py::arg("shape"), py::arg("requires_grad") = false);
}

}  // namespace convcore::python
