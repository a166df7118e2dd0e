// Losses (convcore/ops/loss.h). Class-index targets arrive as integer NumPy
// arrays and become ClassTarget; the Python layer decides between indices
// and probabilities (by dtype, as PyTorch) and maps the legacy
// size_average/reduce arguments to a reduction name.
#include "bindings.h"

namespace convcore::python {

namespace {

ClassTarget class_target(const py::object& obj) {
  py::array arr;
  try {
    arr = py::array::ensure(obj);
  } catch (const py::error_already_set&) {
  }
  CONVCORE_CHECK_TYPE(arr, "target: expected an integer array of class indices, got ",
                      std::string(py::str(py::type::of(obj).attr("__name__"))));
  const char kind = arr.dtype().kind();
  CONVCORE_CHECK_TYPE(kind == 'i' || kind == 'u', "target: class indices must be integers, got dtype ",
                      std::string(py::str(arr.dtype())));
  CONVCORE_CHECK_VALUE(arr.ndim() <= kMaxDims, "target: at most ", kMaxDims,
                       " dimensions are supported, got ", arr.ndim());
  auto a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
  CONVCORE_CHECK_TYPE(a, "target: could not convert to int64");
  ClassTarget t;
  t.shape = Shape(std::vector<int64_t>(a.shape(), a.shape() + a.ndim()));
  t.values.assign(a.data(), a.data() + a.size());
  return t;
}

py::object optional(const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); }

}  // namespace

void bind_loss(py::module_& m) {
  m.def("nll_loss",
        [](const py::object& input, const py::object& target, const py::object& weight,
           int64_t ignore_index, const std::string& reduction) {
          Tensor x = as_tensor(input, "input"), w = as_optional_tensor(weight, "weight");
          ClassTarget t = class_target(target);
          Reduction r = parse_reduction(reduction);
          py::gil_scoped_release release;
          return nll_loss(x, t, w, ignore_index, r);
        },
        py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
        py::arg("ignore_index") = -100, py::arg("reduction") = "mean");
  m.def("nll_loss_backward",
        [](const py::object& grad_output, const py::object& input, const py::object& target,
           const py::object& weight, int64_t ignore_index, const std::string& reduction,
           double label_smoothing) {
          Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input"),
                 w = as_optional_tensor(weight, "weight");
          ClassTarget t = class_target(target);
          Reduction r = parse_reduction(reduction);
          py::gil_scoped_release release;
          return nll_loss_backward(g, x, t, w, ignore_index, r, label_smoothing);
        },
        py::arg("grad_output"), py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
        py::arg("ignore_index") = -100, py::arg("reduction") = "mean",
        py::arg("label_smoothing") = 0.0);
  m.def("cross_entropy_indices",
        [](const py::object& input, const py::object& target, const py::object& weight,
           int64_t ignore_index, const std::string& reduction, double label_smoothing) {
          Tensor x = as_tensor(input, "input"), w = as_optional_tensor(weight, "weight");
          ClassTarget t = class_target(target);
          Reduction r = parse_reduction(reduction);
          py::gil_scoped_release release;
          return cross_entropy(x, t, w, ignore_index, r, label_smoothing);
        },
        py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("ignore_index"),
        py::arg("reduction"), py::arg("label_smoothing"));
  m.def("cross_entropy_probs",
        [](const py::object& input, const py::object& target, const py::object& weight,
           const std::string& reduction, double label_smoothing) {
          Tensor x = as_tensor(input, "input"), y = as_tensor(target, "target"),
                 w = as_optional_tensor(weight, "weight");
          Reduction r = parse_reduction(reduction);
          py::gil_scoped_release release;
          return cross_entropy(x, y, w, r, label_smoothing);
        },
        py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("reduction"),
        py::arg("label_smoothing"));
  m.def("cross_entropy_backward_indices",
        [](const py::object& grad_output, const py::object& input, const py::object& target,
           const py::object& weight, int64_t ignore_index, const std::string& reduction,
           double label_smoothing) {
          Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input"),
                 w = as_optional_tensor(weight, "weight");
          ClassTarget t = class_target(target);
          Reduction r = parse_reduction(reduction);
          py::gil_scoped_release release;
          return cross_entropy_backward(g, x, t, w, ignore_index, r, label_smoothing).input;
        },
        py::arg("grad_output"), py::arg("input"), py::arg("target"), py::arg("weight"),
        py::arg("ignore_index"), py::arg("reduction"), py::arg("label_smoothing"));
  m.def("cross_entropy_backward_probs",
        [](const py::object& grad_output, const py::object& input, const py::object& target,
           const py::object& weight, const std::string& reduction, double label_smoothing) {
          Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input"),
                 y = as_tensor(target, "target"), w = as_optional_tensor(weight, "weight");
          Reduction r = parse_reduction(reduction);
          LossGrads lg;
          {
            py::gil_scoped_release release;
            lg = cross_entropy_backward(g, x, y, w, r, label_smoothing);
          }
          return py::make_tuple(optional(lg.input), optional(lg.target));
        },
        py::arg("grad_output"), py::arg("input"), py::arg("target"), py::arg("weight"),
        py::arg("reduction"), py::arg("label_smoothing"));
  m.def("binary_cross_entropy_with_logits",
        [](const py::object& input, const py::object& target, const py::object& weight,
           const std::string& reduction, const py::object& pos_weight) {
          Tensor x = as_tensor(input, "input"), y = as_tensor(target, "target"),
                 w = as_optional_tensor(weight, "weight"),
                 pw = as_optional_tensor(pos_weight, "pos_weight");
          Reduction r = parse_reduction(reduction);
          py::gil_scoped_release release;
          return binary_cross_entropy_with_logits(x, y, w, r, pw);
        },
        py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
        py::arg("reduction") = "mean", py::arg("pos_weight") = py::none());
  m.def("binary_cross_entropy_with_logits_backward",
        [](const py::object& grad_output, const py::object& input, const py::object& target,
           const py::object& weight, const std::string& reduction, const py::object& pos_weight) {
          Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input"),
                 y = as_tensor(target, "target"), w = as_optional_tensor(weight, "weight"),
                 pw = as_optional_tensor(pos_weight, "pos_weight");
          Reduction r = parse_reduction(reduction);
          LossGrads lg;
          {
            py::gil_scoped_release release;
            lg = binary_cross_entropy_with_logits_backward(g, x, y, w, r, pw);
          }
          return py::make_tuple(optional(lg.input), optional(lg.target));
        },
        py::arg("grad_output"), py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
        py::arg("reduction") = "mean", py::arg("pos_weight") = py::none());
  m.def("mse_loss",
        [](const py::object& input, const py::object& target, const std::string& reduction,
           const py::object& weight) {
          Tensor x = as_tensor(input, "input"), y = as_tensor(target, "target"),
                 w = as_optional_tensor(weight, "weight");
          Reduction r = parse_reduction(reduction);
          py::gil_scoped_release release;
          return mse_loss(x, y, r, w);
        },
        py::arg("input"), py::arg("target"), py::arg("reduction") = "mean",
        py::arg("weight") = py::none());
  m.def("mse_loss_backward",
        [](const py::object& grad_output, const py::object& input, const py::object& target,
           const std::string& reduction) {
          Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input"),
                 y = as_tensor(target, "target");
          Reduction r = parse_reduction(reduction);
          LossGrads lg;
          {
            py::gil_scoped_release release;
            lg = mse_loss_backward(g, x, y, r);
          }
          return py::make_tuple(optional(lg.input), optional(lg.target));
        },
        py::arg("grad_output"), py::arg("input"), py::arg("target"), py::arg("reduction") = "mean");
}

}  // namespace convcore::python
