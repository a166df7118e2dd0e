// convcore._C: wires the binding areas together and maps C++ errors to
// Python exceptions with the same message.
#include "bindings.h"

namespace convcore::python {

PYBIND11_MODULE(_C, m) {
  m.doc() = "convcore's compiled core";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const convcore::TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const convcore::ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  bind_runtime(m);
  bind_tensor(m);
  bind_tensor_ops(m);
  bind_conv(m);
  bind_conv_variants(m);
  bind_signal(m);
  bind_pooling(m);
  bind_activation(m);
  bind_norm(m);
  bind_dropout(m);
  bind_linear(m);
  bind_loss(m);
  bind_optim(m);
}

}  // namespace convcore::python
