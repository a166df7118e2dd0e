// Pooling: the functions of convcore/ops/pooling.h in _C. Argument forms
// (ints, tuples, None) are made explicit by convcore/functional/_pooling.py;
// indices travel as NumPy int64 arrays (returned without a copy).
#include "bindings.h"

namespace convcore::python {

namespace {

using Ints = std::vector<int64_t>;

// Hands the vector to NumPy: the array owns it, no copy.
py::array indices_array(std::vector<int64_t>&& v, const Shape& shape) {
  auto* held = new std::vector<int64_t>(std::move(v));
  py::capsule owner(held, [](void* p) { delete static_cast<std::vector<int64_t>*>(p); });
  std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  return py::array_t<int64_t>(dims, held->data(), owner);
}

// An integer array-like of exactly `shape`, as int64 values in C order.
std::vector<int64_t> indices_arg(const py::handle& obj, const Shape& shape, const char* of) {
  py::array arr;
  try {
    arr = py::array::ensure(obj);
  } catch (const py::error_already_set&) {
  }
  CONVCORE_CHECK_TYPE(arr && (arr.dtype().kind() == 'i' || arr.dtype().kind() == 'u'),
                      "indices: expected an integer array (as returned with return_indices=True), got ",
                      arr ? std::string(py::str(arr.dtype()))
                          : std::string(py::str(py::type::of(obj).attr("__name__"))));
  auto a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
  CONVCORE_CHECK_TYPE(a, "indices: could not convert to int64");
  std::vector<int64_t> dims(a.shape(), a.shape() + a.ndim());
  CONVCORE_CHECK_VALUE(dims == shape.vec(), "indices: must have the shape of ", of, " ",
                       shape.str(), ", got ", Shape(dims).str());
  return std::vector<int64_t>(a.data(), a.data() + a.size());
}

py::object with_indices(PoolWithIndices&& r, bool return_indices) {
  if (!return_indices) return py::cast(std::move(r.output));
  py::array idx = indices_array(std::move(r.indices), r.output.shape());
  return py::make_tuple(std::move(r.output), idx);
}

AvgPoolOptions avg_options(const Ints& kernel, const Ints& stride, const Ints& padding,
                           bool ceil_mode, bool count_include_pad, int64_t divisor_override) {
  AvgPoolOptions o;
  o.kernel_size = kernel;
  o.stride = stride;
  o.padding = padding;
  o.ceil_mode = ceil_mode;
  o.count_include_pad = count_include_pad;
  o.divisor_override = divisor_override;
  return o;
}

}  // namespace

void bind_pooling(py::module_& m) {
  m.def("max_pool", [](const py::object& input, int dims, const Ints& kernel, const Ints& stride,
                       const Ints& padding, const Ints& dilation, bool ceil_mode,
                       bool return_indices) {
    Tensor x = as_tensor(input, "input");
    MaxPoolOptions o{kernel, stride, padding, dilation, ceil_mode};
    PoolWithIndices r;
    {
      py::gil_scoped_release release;
      if (return_indices)
        r = max_pool_with_indices(x, dims, o);
      else
        r.output = max_pool(x, dims, o);
    }
    return with_indices(std::move(r), return_indices);
  });
  m.def("max_pool_backward", [](const py::object& grad_output, const py::object& indices,
                                const Ints& input_shape, int dims) {
    Tensor g = as_tensor(grad_output, "grad_output");
    std::vector<int64_t> idx = indices_arg(indices, g.shape(), "grad_output");
    py::gil_scoped_release release;
    return max_pool_backward(g, idx, Shape(input_shape), dims);
  });
  m.def("avg_pool", [](const py::object& input, int dims, const Ints& kernel, const Ints& stride,
                       const Ints& padding, bool ceil_mode, bool count_include_pad,
                       int64_t divisor_override) {
    Tensor x = as_tensor(input, "input");
    AvgPoolOptions o = avg_options(kernel, stride, padding, ceil_mode, count_include_pad,
                                   divisor_override);
    py::gil_scoped_release release;
    return avg_pool(x, dims, o);
  });
  m.def("avg_pool_backward", [](const py::object& grad_output, const Ints& input_shape, int dims,
                                const Ints& kernel, const Ints& stride, const Ints& padding,
                                bool ceil_mode, bool count_include_pad, int64_t divisor_override) {
    Tensor g = as_tensor(grad_output, "grad_output");
    AvgPoolOptions o = avg_options(kernel, stride, padding, ceil_mode, count_include_pad,
                                   divisor_override);
    py::gil_scoped_release release;
    return avg_pool_backward(g, Shape(input_shape), dims, o);
  });
  m.def("lp_pool", [](const py::object& input, int dims, double norm_type, const Ints& kernel,
                      const Ints& stride, bool ceil_mode) {
    Tensor x = as_tensor(input, "input");
    py::gil_scoped_release release;
    return lp_pool(x, dims, norm_type, kernel, stride, ceil_mode);
  });
  m.def("adaptive_avg_pool", [](const py::object& input, int dims, const Ints& output_size) {
    Tensor x = as_tensor(input, "input");
    py::gil_scoped_release release;
    return adaptive_avg_pool(x, dims, output_size);
  });
  m.def("adaptive_avg_pool_backward",
        [](const py::object& grad_output, const Ints& input_shape, int dims) {
          Tensor g = as_tensor(grad_output, "grad_output");
          py::gil_scoped_release release;
          return adaptive_avg_pool_backward(g, Shape(input_shape), dims);
        });
  m.def("adaptive_max_pool", [](const py::object& input, int dims, const Ints& output_size,
                                bool return_indices) {
    Tensor x = as_tensor(input, "input");
    PoolWithIndices r;
    {
      py::gil_scoped_release release;
      if (return_indices)
        r = adaptive_max_pool_with_indices(x, dims, output_size);
      else
        r.output = adaptive_max_pool(x, dims, output_size);
    }
    return with_indices(std::move(r), return_indices);
  });
  m.def("global_avg_pool2d", [](const py::object& input) {
    Tensor x = as_tensor(input, "input");
    py::gil_scoped_release release;
    return global_avg_pool2d(x);
  });
  m.def("global_max_pool2d", [](const py::object& input) {
    Tensor x = as_tensor(input, "input");
    py::gil_scoped_release release;
    return global_max_pool2d(x);
  });
  m.def("max_unpool", [](const py::object& input, const py::object& indices, int dims,
                         const Ints& kernel, const Ints& stride, const Ints& padding,
                         const Ints& output_size) {
    Tensor x = as_tensor(input, "input");
    std::vector<int64_t> idx = indices_arg(indices, x.shape(), "input");
    MaxUnpoolOptions o{kernel, stride, padding, output_size};
    py::gil_scoped_release release;
    return max_unpool(x, idx, dims, o);
  });
  m.def("spatial_pyramid_pool2d",
        [](const py::object& input, const Ints& levels, const std::string& mode) {
          Tensor x = as_tensor(input, "input");
          PoolMode pm = parse_pool_mode(mode);
          py::gil_scoped_release release;
          return spatial_pyramid_pool2d(x, levels, pm);
        });
  m.def("mixed_pool2d", [](const py::object& input, const py::object& alpha, const Ints& kernel,
                           const Ints& stride, const Ints& padding, bool ceil_mode,
                           bool count_include_pad) {
    Tensor x = as_tensor(input, "input");
    AvgPoolOptions o = avg_options(kernel, stride, padding, ceil_mode, count_include_pad, 0);
    if (py::isinstance<Tensor>(alpha)) {
      Tensor a = alpha.cast<Tensor>();
      py::gil_scoped_release release;
      return mixed_pool2d(x, a, o);
    }
    CONVCORE_CHECK_TYPE(PyFloat_Check(alpha.ptr()) || PyLong_Check(alpha.ptr()) ||
                            py::hasattr(alpha, "__float__"),
                        "alpha: expected a number or a one-element convcore.Tensor, got ",
                        std::string(py::str(py::type::of(alpha).attr("__name__"))));
    const double a = alpha.cast<double>();
    py::gil_scoped_release release;
    return mixed_pool2d(x, a, o);
  });
  m.def("spatial_pyramid_pool2d_backward", [](const py::object& grad_output, const py::object& input,
                                               const Ints& levels, const std::string& mode) {
    Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input");
    PoolMode pm = parse_pool_mode(mode);
    py::gil_scoped_release release;
    return spatial_pyramid_pool2d_backward(g, x, levels, pm);
  });
  m.def("mixed_pool2d_backward", [](const py::object& grad_output, const py::object& input,
                                    double alpha, const Ints& kernel, const Ints& stride,
                                    const Ints& padding, bool ceil_mode, bool count_include_pad) {
    Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input");
    AvgPoolOptions o = avg_options(kernel, stride, padding, ceil_mode, count_include_pad, 0);
    MixedPoolGrads r;
    {
      py::gil_scoped_release release;
      r = mixed_pool2d_backward(g, x, alpha, o);
    }
    return py::make_tuple(r.input, r.alpha);
  });
  m.def("maxout", [](const py::object& input, int64_t groups) {
    Tensor x = as_tensor(input, "input");
    py::gil_scoped_release release;
    return maxout(x, groups);
  });
  m.def("maxout_backward", [](const py::object& grad_output, const py::object& input,
                              int64_t groups) {
    Tensor g = as_tensor(grad_output, "grad_output"), x = as_tensor(input, "input");
    py::gil_scoped_release release;
    return maxout_backward(g, x, groups);
  });
}

}  // namespace convcore::python
