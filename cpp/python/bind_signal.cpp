// convcore.signal's direct method: correlate/convolve on float32 arrays.
// Dtype handling, the FFT method and method='auto' are in python/convcore/signal.py.
#include "bindings.h"

namespace convcore::python {

void bind_signal(py::module_& m) {
  m.def("signal_correlate", [](const py::object& in1, const py::object& in2, const std::string& mode) {
    Tensor a = as_tensor(in1, "in1"), b = as_tensor(in2, "in2");
    const signal::Mode md = signal::parse_mode(mode);
    py::gil_scoped_release release;
    return signal::correlate(a, b, md);
  });
  m.def("signal_convolve", [](const py::object& in1, const py::object& in2, const std::string& mode) {
    Tensor a = as_tensor(in1, "in1"), b = as_tensor(in2, "in2");
    const signal::Mode md = signal::parse_mode(mode);
    py::gil_scoped_release release;
    return signal::convolve(a, b, md);
  });
}

}  // namespace convcore::python
