// Optimizer updates and gradient clipping (convcore/ops/optim.h). The
// updates write into their tensors, so parameters and state buffers must be
// convcore Tensors (an array-like would be converted into a copy and the
// update lost); gradients are read only and may be any float array-like.
// python/convcore/optim passes every option explicitly, positionally.
#include "bindings.h"

namespace convcore::python {

namespace {

std::string type_name(const py::handle& obj) {
  return std::string(py::str(py::type::of(obj).attr("__name__")));
}

// A tensor the op writes into: a convcore.Tensor, nothing else.
Tensor inplace_tensor(const py::handle& obj, const char* op, const char* arg) {
  CONVCORE_CHECK_TYPE(py::isinstance<Tensor>(obj), op, ": ", arg,
                      " must be a convcore.Tensor (it is updated in place), got ", type_name(obj));
  return obj.cast<Tensor>();
}

Tensor optional_inplace_tensor(const py::handle& obj, const char* op, const char* arg) {
  return obj.is_none() ? Tensor() : inplace_tensor(obj, op, arg);
}

std::vector<Tensor> inplace_tensors(const py::sequence& seq, const char* op) {
  std::vector<Tensor> out;
  out.reserve(seq.size());
  for (size_t i = 0; i < seq.size(); ++i) {
    const py::object item = seq[i];
    CONVCORE_CHECK_TYPE(py::isinstance<Tensor>(item), op, ": item ", i,
                        " must be a convcore.Tensor (updated in place), got ", type_name(item));
    out.push_back(item.cast<Tensor>());
  }
  return out;
}

SgdOptions sgd_options(double lr, double momentum, double dampening, double weight_decay,
                       bool nesterov, bool maximize) {
  SgdOptions o;
  o.lr = lr;
  o.momentum = momentum;
  o.dampening = dampening;
  o.weight_decay = weight_decay;
  o.nesterov = nesterov;
  o.maximize = maximize;
  return o;
}

AdamOptions adam_options(double lr, double beta1, double beta2, double eps, double weight_decay,
                         bool amsgrad, bool maximize, bool decoupled) {
  AdamOptions o;
  o.lr = lr;
  o.beta1 = beta1;
  o.beta2 = beta2;
  o.eps = eps;
  o.weight_decay = weight_decay;
  o.amsgrad = amsgrad;
  o.maximize = maximize;
  o.decoupled_weight_decay = decoupled;
  return o;
}

RmspropOptions rmsprop_options(double lr, double alpha, double eps, double weight_decay,
                               double momentum, bool centered, bool maximize) {
  RmspropOptions o;
  o.lr = lr;
  o.alpha = alpha;
  o.eps = eps;
  o.weight_decay = weight_decay;
  o.momentum = momentum;
  o.centered = centered;
  o.maximize = maximize;
  return o;
}

}  // namespace

void bind_optim(py::module_& m) {
  m.def("check_sgd_options",
        [](double lr, double momentum, double dampening, double weight_decay, bool nesterov) {
          check_sgd_options(sgd_options(lr, momentum, dampening, weight_decay, nesterov, false));
        },
        py::arg("lr"), py::arg("momentum"), py::arg("dampening"), py::arg("weight_decay"),
        py::arg("nesterov"));
  m.def("check_adam_options",
        [](double lr, double beta1, double beta2, double eps, double weight_decay,
           bool decoupled) {
          check_adam_options(adam_options(lr, beta1, beta2, eps, weight_decay, false, false,
                                          decoupled));
        },
        py::arg("lr"), py::arg("beta1"), py::arg("beta2"), py::arg("eps"),
        py::arg("weight_decay"), py::arg("decoupled_weight_decay"));
  m.def("check_rmsprop_options",
        [](double lr, double alpha, double eps, double weight_decay, double momentum) {
          check_rmsprop_options(rmsprop_options(lr, alpha, eps, weight_decay, momentum, false,
                                                false));
        },
        py::arg("lr"), py::arg("alpha"), py::arg("eps"), py::arg("weight_decay"),
        py::arg("momentum"));

  m.def("sgd_update_",
        [](const py::object& param, const py::object& grad, const py::object& buffer, double lr,
           double momentum, double dampening, double weight_decay, bool nesterov, bool maximize,
           bool init_buffer) {
          Tensor p = inplace_tensor(param, "SGD", "param");
          Tensor g = as_tensor(grad, "grad");
          Tensor b = optional_inplace_tensor(buffer, "SGD", "momentum_buffer");
          const SgdOptions o = sgd_options(lr, momentum, dampening, weight_decay, nesterov, maximize);
          py::gil_scoped_release release;
          sgd_update_(p, g, b, o, init_buffer);
        },
        py::arg("param"), py::arg("grad"), py::arg("momentum_buffer"), py::arg("lr"),
        py::arg("momentum"), py::arg("dampening"), py::arg("weight_decay"), py::arg("nesterov"),
        py::arg("maximize"), py::arg("init_buffer"),
        "One SGD step on one parameter, in place (torch.optim.SGD's formula).");

  m.def("adam_update_",
        [](const py::object& param, const py::object& grad, const py::object& exp_avg,
           const py::object& exp_avg_sq, const py::object& max_exp_avg_sq, int64_t step,
           double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad,
           bool maximize, bool decoupled) {
          const char* op = decoupled ? "AdamW" : "Adam";
          Tensor p = inplace_tensor(param, op, "param");
          Tensor g = as_tensor(grad, "grad");
          Tensor m1 = inplace_tensor(exp_avg, op, "exp_avg");
          Tensor m2 = inplace_tensor(exp_avg_sq, op, "exp_avg_sq");
          Tensor mx = optional_inplace_tensor(max_exp_avg_sq, op, "max_exp_avg_sq");
          const AdamOptions o =
              adam_options(lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled);
          py::gil_scoped_release release;
          adam_update_(p, g, m1, m2, mx, step, o);
        },
        py::arg("param"), py::arg("grad"), py::arg("exp_avg"), py::arg("exp_avg_sq"),
        py::arg("max_exp_avg_sq"), py::arg("step"), py::arg("lr"), py::arg("beta1"),
        py::arg("beta2"), py::arg("eps"), py::arg("weight_decay"), py::arg("amsgrad"),
        py::arg("maximize"), py::arg("decoupled_weight_decay"),
        "One Adam (or AdamW, decoupled_weight_decay=True) step on one parameter, in place.");

  m.def("rmsprop_update_",
        [](const py::object& param, const py::object& grad, const py::object& square_avg,
           const py::object& grad_avg, const py::object& buffer, double lr, double alpha,
           double eps, double weight_decay, double momentum, bool centered, bool maximize) {
          Tensor p = inplace_tensor(param, "RMSprop", "param");
          Tensor g = as_tensor(grad, "grad");
          Tensor s = inplace_tensor(square_avg, "RMSprop", "square_avg");
          Tensor a = optional_inplace_tensor(grad_avg, "RMSprop", "grad_avg");
          Tensor b = optional_inplace_tensor(buffer, "RMSprop", "momentum_buffer");
          const RmspropOptions o =
              rmsprop_options(lr, alpha, eps, weight_decay, momentum, centered, maximize);
          py::gil_scoped_release release;
          rmsprop_update_(p, g, s, a, b, o);
        },
        py::arg("param"), py::arg("grad"), py::arg("square_avg"), py::arg("grad_avg"),
        py::arg("momentum_buffer"), py::arg("lr"), py::arg("alpha"), py::arg("eps"),
        py::arg("weight_decay"), py::arg("momentum"), py::arg("centered"), py::arg("maximize"),
        "One RMSprop step on one parameter, in place (torch.optim.RMSprop's formula).");

  m.def("total_norm",
        [](const py::sequence& tensors, double norm_type) {
          std::vector<Tensor> ts;
          ts.reserve(tensors.size());
          for (size_t i = 0; i < tensors.size(); ++i)
            ts.push_back(as_tensor(tensors[i], "tensors"));
          py::gil_scoped_release release;
          return total_norm(ts, norm_type);
        },
        py::arg("tensors"), py::arg("norm_type") = 2.0,
        "The norm of all the tensors' values together (float64 sums).");
  m.def("clip_grad_norm_",
        [](const py::sequence& grads, double max_norm, double norm_type, bool error_if_nonfinite) {
          std::vector<Tensor> gs = inplace_tensors(grads, "clip_grad_norm_");
          py::gil_scoped_release release;
          return clip_grad_norm_(gs, max_norm, norm_type, error_if_nonfinite);
        },
        py::arg("grads"), py::arg("max_norm"), py::arg("norm_type") = 2.0,
        py::arg("error_if_nonfinite") = false);
  m.def("clip_grad_value_",
        [](const py::sequence& grads, double clip_value) {
          std::vector<Tensor> gs = inplace_tensors(grads, "clip_grad_value_");
          py::gil_scoped_release release;
          clip_grad_value_(gs, clip_value);
        },
        py::arg("grads"), py::arg("clip_value"));
}

}  // namespace convcore::python
