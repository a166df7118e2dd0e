// Batch norm and local response norm (convcore/ops/norm.h).
#include "bindings.h"

namespace convcore::python {

namespace {
// Running statistics are updated in place, so they must be a Tensor or a
// float32 C-contiguous array whose memory we can share: a converted copy
// would silently lose the update.
Tensor running_stat(const py::object& obj, const char* arg) {
  if (obj.is_none()) return Tensor();
  if (py::isinstance<Tensor>(obj)) return obj.cast<Tensor>();
  CONVCORE_CHECK_TYPE(py::isinstance<py::array>(obj), arg,
                      ": expected a convcore.Tensor or a float32 NumPy array (it is updated in "
                      "place), got ",
                      std::string(py::str(py::type::of(obj).attr("__name__"))));
  return from_numpy(obj.cast<py::array>(), arg);
}

py::object optional(const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); }

BatchNormEpilogue epilogue(const py::object& residual, bool relu) {
  BatchNormEpilogue e;
  e.residual = as_optional_tensor(residual, "residual");
  e.relu = relu;
  return e;
}
}  // namespace

void bind_norm(py::module_& m) {
  m.def("batch_norm",
        [](const py::object& input, const py::object& running_mean, const py::object& running_var,
           const py::object& weight, const py::object& bias, bool training, double momentum,
           double eps, const py::object& residual, bool relu) {
          Tensor x = as_tensor(input, "input"), rm = running_stat(running_mean, "running_mean"),
                 rv = running_stat(running_var, "running_var"),
                 w = as_optional_tensor(weight, "weight"), b = as_optional_tensor(bias, "bias");
          const BatchNormEpilogue e = epilogue(residual, relu);
          py::gil_scoped_release release;
          return batch_norm(x, rm, rv, w, b, training, momentum, eps, e);
        },
        py::arg("input"), py::arg("running_mean"), py::arg("running_var"),
        py::arg("weight") = py::none(), py::arg("bias") = py::none(), py::arg("training") = false,
        py::arg("momentum") = 0.1, py::arg("eps") = 1e-5, py::kw_only(),
        py::arg("residual") = py::none(), py::arg("relu") = false);
  m.def("batch_norm_forward",
        [](const py::object& input, const py::object& running_mean, const py::object& running_var,
           const py::object& weight, const py::object& bias, bool training, double momentum,
           double eps, const py::object& residual, bool relu) {
          Tensor x = as_tensor(input, "input"), rm = running_stat(running_mean, "running_mean"),
                 rv = running_stat(running_var, "running_var"),
                 w = as_optional_tensor(weight, "weight"), b = as_optional_tensor(bias, "bias");
          const BatchNormEpilogue e = epilogue(residual, relu);
          BatchNormForward f;
          {
            py::gil_scoped_release release;
            f = batch_norm_forward(x, rm, rv, w, b, training, momentum, eps, e);
          }
          return py::make_tuple(f.output, f.save_mean, f.save_invstd);
        },
        py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight"),
        py::arg("bias"), py::arg("training"), py::arg("momentum"), py::arg("eps"), py::kw_only(),
        py::arg("residual") = py::none(), py::arg("relu") = false,
        "batch_norm without autograd: (output, save_mean, save_invstd).");
  m.def("batch_norm_backward",
        [](const py::object& grad_output, const py::object& input, const py::object& weight,
           const py::object& save_mean, const py::object& save_invstd, bool training,
           std::array<bool, 3> mask, const py::object& residual, bool relu,
           const py::object& bias) {
          Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input"),
                 w = as_optional_tensor(weight, "weight"), sm = as_tensor(save_mean, "save_mean"),
                 si = as_tensor(save_invstd, "save_invstd"), b = as_optional_tensor(bias, "bias");
          const BatchNormEpilogue e = epilogue(residual, relu);
          BatchNormGrads r;
          {
            py::gil_scoped_release release;
            r = batch_norm_backward(g, x, w, sm, si, training, mask, e, b);
          }
          return py::make_tuple(optional(r.input), optional(r.weight), optional(r.bias),
                                optional(r.residual));
        },
        py::arg("grad_output"), py::arg("input"), py::arg("weight"), py::arg("save_mean"),
        py::arg("save_invstd"), py::arg("training"),
        py::arg("output_mask") = std::array<bool, 3>{true, true, true}, py::kw_only(),
        py::arg("residual") = py::none(), py::arg("relu") = false, py::arg("bias") = py::none(),
        "(grad_input, grad_weight, grad_bias, grad_residual) of batch_norm; None where masked "
        "off or absent. With relu, bias is the forward's (the mask is recomputed).");
  m.def("local_response_norm",
        [](const py::object& input, int64_t size, double alpha, double beta, double k) {
          Tensor x = as_tensor(input, "input");
          py::gil_scoped_release release;
          return local_response_norm(x, size, alpha, beta, k);
        },
        py::arg("input"), py::arg("size"), py::arg("alpha") = 1e-4, py::arg("beta") = 0.75,
        py::arg("k") = 1.0);
  m.def("local_response_norm_backward",
        [](const py::object& grad_output, const py::object& input, int64_t size, double alpha,
           double beta, double k) {
          Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input");
          py::gil_scoped_release release;
          return local_response_norm_backward(g, x, size, alpha, beta, k);
        },
        py::arg("grad_output"), py::arg("input"), py::arg("size"), py::arg("alpha") = 1e-4,
        py::arg("beta") = 0.75, py::arg("k") = 1.0);
}

}  // namespace convcore::python
