// Tensor operations: the functions of convcore/ops/tensor_ops.h in _C, and
// the Python operators and methods of convcore.Tensor (t + 1, a @ b, t[2:5],
// t.sum(dim=1)). Operands may be Tensors, Python numbers or array-likes.
// Only argument conversion and the GIL here; every check is in C++.
#include <Python.h>

#include "bindings.h"

namespace convcore::python {

namespace {

// Python's exception for convcore::IndexError: both IndexError (so that
// `for row in t` stops at the end) and ValueError (what every other bad
// argument raises). Created once and never freed: it lives as long as _C.
PyObject* g_index_error = nullptr;

// A Python int or float becomes a 0-d tensor directly; anything else goes
// through as_tensor (Tensors as is, NumPy arrays shared when float32).
Tensor operand(const py::handle& obj, const char* arg) {
  if (PyFloat_Check(obj.ptr()) || PyLong_Check(obj.ptr()))
    return Tensor::scalar(static_cast<float>(obj.cast<double>()));
  return as_tensor(obj, arg);
}

// For operators: an operand we cannot use gives NotImplemented, so that
// Python tries the other operand's reflected method, then raises TypeError.
bool try_operand(const py::handle& obj, Tensor& out) {
  try {
    out = operand(obj, "other");
    return true;
  } catch (const convcore::TypeError&) {
    return false;
  }
}

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);

py::object binary_op(BinaryFn fn, const Tensor& self, const py::object& other, bool reflected) {
  Tensor o;
  if (!try_operand(other, o)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
  Tensor r;
  {
    py::gil_scoped_release release;
    r = reflected ? fn(o, self) : fn(self, o);
  }
  return py::cast(std::move(r));
}

// dim=None -> every dim; an int; or a sequence of ints.
std::vector<int64_t> dims_arg(const py::object& dim) {
  if (dim.is_none()) return {};
  if (PyIndex_Check(dim.ptr()) && !PyBool_Check(dim.ptr())) return {dim.cast<int64_t>()};
  CONVCORE_CHECK_TYPE(py::isinstance<py::sequence>(dim) && !py::isinstance<py::str>(dim),
                      "dim: expected None, an int or a sequence of ints, got ",
                      std::string(py::str(py::type::of(dim).attr("__name__"))));
  return dim.cast<std::vector<int64_t>>();
}

// reshape(2, 3) and reshape((2, 3)) alike, as PyTorch.
std::vector<int64_t> shape_args(const py::args& args, const char* what) {
  if (args.size() == 1 && !PyIndex_Check(args[0].ptr())) {
    CONVCORE_CHECK_TYPE(py::isinstance<py::sequence>(args[0]), what,
                        ": expected ints or one sequence of ints, got ",
                        std::string(py::str(py::type::of(args[0]).attr("__name__"))));
    return args[0].cast<std::vector<int64_t>>();
  }
  return args.cast<std::vector<int64_t>>();
}

int64_t slice_bound(const py::object& v, int64_t dflt) {
  if (v.is_none()) return dflt;
  CONVCORE_CHECK_TYPE(PyIndex_Check(v.ptr()), "index: slice bounds must be ints or None, got ",
                      std::string(py::str(py::type::of(v).attr("__name__"))));
  return v.cast<int64_t>();
}

Tensor getitem(const Tensor& t, const py::object& idx) {
  if (PyIndex_Check(idx.ptr()) && !PyBool_Check(idx.ptr())) {
    const int64_t i = idx.cast<int64_t>();
    py::gil_scoped_release release;
    return select(t, i);
  }
  if (PySlice_Check(idx.ptr())) {
    py::object start = idx.attr("start"), stop = idx.attr("stop"), step = idx.attr("step");
    const int64_t b = slice_bound(start, 0), e = slice_bound(stop, INT64_MAX),
                  s = slice_bound(step, 1);
    py::gil_scoped_release release;
    return slice(t, b, e, s);
  }
  throw convcore::TypeError(
      "index: only the first dimension can be indexed, with an int or a slice with a positive "
      "step; got " + std::string(py::str(py::type::of(idx).attr("__name__"))));
}

// A real-number exponent: a Python or NumPy scalar (tensor exponents are
// not supported).
float exponent_arg(const py::object& e) {
  CONVCORE_CHECK_TYPE(!py::isinstance<Tensor>(e) && py::hasattr(e, "__float__"),
                      "pow: exponent must be a real number, got ",
                      std::string(py::str(py::type::of(e).attr("__name__"))));
  const double v = PyFloat_AsDouble(e.ptr());
  if (v == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  return static_cast<float>(v);
}

template <class F>
auto unary_fn(F f) {
  return [f](const py::object& x) {
    Tensor t = as_tensor(x, "input");
    py::gil_scoped_release release;
    return f(t);
  };
}

}  // namespace

void bind_tensor_ops(py::module_& m) {
  // ---- the exception for out-of-range indices ----
  py::tuple bases = py::make_tuple(py::handle(PyExc_IndexError), py::handle(PyExc_ValueError));
  g_index_error = PyErr_NewException("convcore._C.IndexError", bases.ptr(), nullptr);
  if (!g_index_error) throw py::error_already_set();
  m.attr("IndexError") = py::handle(g_index_error);
  // Registered after module.cpp's translator, so tried before it.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const convcore::IndexError& e) {
      PyErr_SetString(g_index_error, e.what());
    }
  });

  // ---- module functions ----
  auto def_binary = [&m](const char* name, BinaryFn fn, const char* doc) {
    m.def(name,
          [fn](const py::object& a, const py::object& b) {
            Tensor x = operand(a, "a"), y = operand(b, "b");
            py::gil_scoped_release release;
            return fn(x, y);
          },
          py::arg("a"), py::arg("b"), doc);
  };
  def_binary("add", static_cast<BinaryFn>(&add), "a + b with NumPy broadcasting.");
  def_binary("sub", static_cast<BinaryFn>(&sub), "a - b with NumPy broadcasting.");
  def_binary("mul", static_cast<BinaryFn>(&mul), "a * b with NumPy broadcasting.");
  def_binary("div", static_cast<BinaryFn>(&div), "a / b with NumPy broadcasting.");
  def_binary("matmul", &matmul, "a @ b as numpy.matmul: [..., M, K] @ [..., K, N] -> [..., M, N].");

  m.def("neg", unary_fn([](const Tensor& t) { return neg(t); }), py::arg("input"));
  m.def("exp", unary_fn([](const Tensor& t) { return exp(t); }), py::arg("input"));
  m.def("log", unary_fn([](const Tensor& t) { return log(t); }), py::arg("input"));
  m.def("relu", unary_fn([](const Tensor& t) { return relu(t); }), py::arg("input"));
  m.def("pow",
        [](const py::object& x, float e) {
          Tensor t = as_tensor(x, "input");
          py::gil_scoped_release release;
          return pow(t, e);
        },
        py::arg("input"), py::arg("exponent"), "input ** exponent for a scalar exponent.");

  auto reduction = [](bool is_mean) {
    return [is_mean](const py::object& x, const py::object& dim, bool keepdim) {
      Tensor t = as_tensor(x, "input");
      std::vector<int64_t> dims = dims_arg(dim);
      py::gil_scoped_release release;
      return is_mean ? mean(t, dims, keepdim) : sum(t, dims, keepdim);
    };
  };
  m.def("sum", reduction(false), py::arg("input"), py::arg("dim") = py::none(),
        py::arg("keepdim") = false, "Sum over all elements (dim=None) or over dim(s).");
  m.def("mean", reduction(true), py::arg("input"), py::arg("dim") = py::none(),
        py::arg("keepdim") = false, "Mean over all elements (dim=None) or over dim(s).");

  m.def("reshape",
        [](const py::object& x, const std::vector<int64_t>& shape) {
          Tensor t = as_tensor(x, "input");
          py::gil_scoped_release release;
          return reshape(t, shape);
        },
        py::arg("input"), py::arg("shape"), "The same memory under a new shape; one entry may be -1.");
  m.def("flatten",
        [](const py::object& x, int64_t start_dim, int64_t end_dim) {
          Tensor t = as_tensor(x, "input");
          py::gil_scoped_release release;
          return flatten(t, start_dim, end_dim);
        },
        py::arg("input"), py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  m.def("permute",
        [](const py::object& x, const std::vector<int64_t>& dims) {
          Tensor t = as_tensor(x, "input");
          py::gil_scoped_release release;
          return permute(t, dims);
        },
        py::arg("input"), py::arg("dims"), "A contiguous copy with dims reordered.");
  m.def("transpose",
        [](const py::object& x, int64_t d0, int64_t d1) {
          Tensor t = as_tensor(x, "input");
          py::gil_scoped_release release;
          return transpose(t, d0, d1);
        },
        py::arg("input"), py::arg("dim0"), py::arg("dim1"), "A contiguous copy with two dims swapped.");
  m.def("select",
        [](const py::object& x, int64_t index) {
          Tensor t = as_tensor(x, "input");
          py::gil_scoped_release release;
          return select(t, index);
        },
        py::arg("input"), py::arg("index"), "Row `index` of the first dim (shares memory).");
  m.def("slice",
        [](const py::object& x, int64_t start, int64_t end, int64_t step) {
          Tensor t = as_tensor(x, "input");
          py::gil_scoped_release release;
          return slice(t, start, end, step);
        },
        py::arg("input"), py::arg("start"), py::arg("end"), py::arg("step") = 1,
        "Rows start:end:step of the first dim (step 1 shares memory).");
  m.def("cat",
        [](const py::sequence& tensors, int64_t dim) {
          CONVCORE_CHECK_TYPE(!py::isinstance<py::str>(tensors) && !py::isinstance<Tensor>(tensors),
                              "cat: tensors must be a sequence of Tensors");
          std::vector<Tensor> xs;
          for (size_t i = 0; i < tensors.size(); ++i) {
            const std::string arg = "tensors[" + std::to_string(i) + "]";
            xs.push_back(as_tensor(tensors[i], arg.c_str()));
          }
          py::gil_scoped_release release;
          return cat(xs, dim);
        },
        py::arg("tensors"), py::arg("dim") = 0,
        "Concatenation along dim, as torch.cat; each piece gets its slice of the gradient.");

  // ---- Tensor operators and methods ----
  auto cls = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  // Makes NumPy's operators defer to ours: ndarray + Tensor gives a Tensor.
  cls.attr("__array_priority__") = 1000;
  auto def_op = [&cls](const char* name, BinaryFn fn, bool reflected) {
    cls.def(name, [fn, reflected](const Tensor& self, const py::object& other) {
      return binary_op(fn, self, other, reflected);
    });
  };
  def_op("__add__", static_cast<BinaryFn>(&add), false);
  def_op("__radd__", static_cast<BinaryFn>(&add), true);
  def_op("__sub__", static_cast<BinaryFn>(&sub), false);
  def_op("__rsub__", static_cast<BinaryFn>(&sub), true);
  def_op("__mul__", static_cast<BinaryFn>(&mul), false);
  def_op("__rmul__", static_cast<BinaryFn>(&mul), true);
  def_op("__truediv__", static_cast<BinaryFn>(&div), false);
  def_op("__rtruediv__", static_cast<BinaryFn>(&div), true);
  def_op("__matmul__", &matmul, false);
  def_op("__rmatmul__", &matmul, true);

  auto pow_method = [](const Tensor& self, const py::object& e) {
    const float ev = exponent_arg(e);
    py::gil_scoped_release release;
    return pow(self, ev);
  };
  cls.def("__pow__", pow_method);
  cls.def("pow", pow_method, py::arg("exponent"));
  cls.def("__neg__", [](const Tensor& self) {
    py::gil_scoped_release release;
    return neg(self);
  });
  cls.def("neg", [](const Tensor& self) {
    py::gil_scoped_release release;
    return neg(self);
  });
  cls.def("exp", [](const Tensor& self) {
    py::gil_scoped_release release;
    return exp(self);
  });
  cls.def("log", [](const Tensor& self) {
    py::gil_scoped_release release;
    return log(self);
  });
  cls.def("relu", [](const Tensor& self) {
    py::gil_scoped_release release;
    return relu(self);
  });
  cls.def("matmul", [](const Tensor& self, const py::object& other) {
    Tensor o = operand(other, "other");
    py::gil_scoped_release release;
    return matmul(self, o);
  });
  cls.def("__getitem__", &getitem);
  cls.def("sum",
          [](const Tensor& self, const py::object& dim, bool keepdim) {
            std::vector<int64_t> dims = dims_arg(dim);
            py::gil_scoped_release release;
            return sum(self, dims, keepdim);
          },
          py::arg("dim") = py::none(), py::arg("keepdim") = false);
  cls.def("mean",
          [](const Tensor& self, const py::object& dim, bool keepdim) {
            std::vector<int64_t> dims = dims_arg(dim);
            py::gil_scoped_release release;
            return mean(self, dims, keepdim);
          },
          py::arg("dim") = py::none(), py::arg("keepdim") = false);
  auto reshape_method = [](const char* what) {
    return [what](const Tensor& self, const py::args& args) {
      std::vector<int64_t> shape = shape_args(args, what);
      py::gil_scoped_release release;
      return reshape(self, shape);
    };
  };
  cls.def("reshape", reshape_method("reshape"));
  cls.def("view", reshape_method("view"));
  cls.def("flatten",
          [](const Tensor& self, int64_t start_dim, int64_t end_dim) {
            py::gil_scoped_release release;
            return flatten(self, start_dim, end_dim);
          },
          py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  cls.def("transpose",
          [](const Tensor& self, int64_t d0, int64_t d1) {
            py::gil_scoped_release release;
            return transpose(self, d0, d1);
          },
          py::arg("dim0"), py::arg("dim1"));
  cls.def("permute", [](const Tensor& self, const py::args& args) {
    std::vector<int64_t> dims = shape_args(args, "permute");
    py::gil_scoped_release release;
    return permute(self, dims);
  });
  cls.def("t", [](const Tensor& self) {
    CONVCORE_CHECK_VALUE(self.ndim() <= 2, "t: expected a tensor of at most 2 dimensions, got ",
                         self.shape().str(), " (use transpose(dim0, dim1))");
    py::gil_scoped_release release;
    return self.ndim() < 2 ? self : transpose(self, 0, 1);
  });
}

}  // namespace convcore::python
