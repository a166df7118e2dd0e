// Dropout and the random stream (convcore/ops/dropout.h, convcore/random.h).
#include "bindings.h"

namespace convcore::python {

void bind_dropout(py::module_& m) {
  m.def("dropout",
        [](const py::object& input, double p, bool training) {
          Tensor x = as_tensor(input, "input");
          py::gil_scoped_release release;
          return dropout(x, p, training);
        },
        py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true);
  m.def("dropout2d",
        [](const py::object& input, double p, bool training) {
          Tensor x = as_tensor(input, "input");
          py::gil_scoped_release release;
          return dropout2d(x, p, training);
        },
        py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true);
  m.def("manual_seed", &manual_seed, py::arg("seed"), "Seed convcore's random stream (uint64).");
  m.def("initial_seed", &initial_seed, "The seed the random stream was last seeded with.");
  m.def("get_random_state", [] {
    RandomState st = get_random_state();
    return py::make_tuple(st.seed, st.counter);
  }, "(seed, counter): where the random stream stands.");
  m.def("set_random_state", [](uint64_t seed, uint64_t counter) {
    set_random_state(RandomState{seed, counter});
  }, py::arg("seed"), py::arg("counter"), "Puts the random stream back at (seed, counter).");
}

}  // namespace convcore::python
