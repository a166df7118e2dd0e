// NumPy <-> Tensor conversions shared by every binding.
#include "bindings.h"

namespace convcore::python {

namespace {
// Keeps a Python object alive from C++; takes the GIL to let it go, since the
// last reference may drop on a thread that does not hold it.
std::shared_ptr<void> keep_alive(const py::handle& obj) {
  auto* held = new py::object(py::reinterpret_borrow<py::object>(obj));
  return std::shared_ptr<void>(held, [](void* p) {
    py::gil_scoped_acquire gil;
    delete static_cast<py::object*>(p);
  });
}

Shape shape_of(const py::array& a, const char* arg) {
  CONVCORE_CHECK_VALUE(a.ndim() <= kMaxDims, arg, ": at most ", kMaxDims,
                       " dimensions are supported, got an array with ", a.ndim());
  std::vector<int64_t> dims(a.shape(), a.shape() + a.ndim());
  return Shape(dims);
}
}  // namespace

Tensor from_numpy(const py::array& a, const char* arg) {
  CONVCORE_CHECK_TYPE(py::isinstance<py::array_t<float>>(a) && a.dtype().equal(py::dtype::of<float>()),
                      arg, ": expected a float32 array, got dtype ", std::string(py::str(a.dtype())),
                      " (convert with .astype(np.float32), or use convcore.tensor() to copy)");
  CONVCORE_CHECK_VALUE(a.flags() & py::array::c_style, arg,
                       ": expected a C-contiguous array; this one is strided "
                       "(use np.ascontiguousarray(), or convcore.tensor() to copy)");
  Shape shape = shape_of(a, arg);
  float* data = static_cast<float*>(const_cast<void*>(a.data()));
  return Tensor::from_blob(data, shape, keep_alive(a));
}

Tensor as_tensor(const py::handle& obj, const char* arg) {
  if (py::isinstance<Tensor>(obj)) return obj.cast<Tensor>();
  py::array arr;
  try {
    arr = py::array::ensure(obj);
  } catch (const py::error_already_set&) {
  }
  CONVCORE_CHECK_TYPE(arr, arg, ": expected a convcore.Tensor or an array-like of numbers, got ",
                      std::string(py::str(py::type::of(obj).attr("__name__"))));
  const char kind = arr.dtype().kind();
  CONVCORE_CHECK_TYPE(kind == 'f' || kind == 'i' || kind == 'u' || kind == 'b', arg,
                      ": expected real numbers, got an array of dtype ",
                      std::string(py::str(arr.dtype())));
  if (arr.dtype().equal(py::dtype::of<float>()) && (arr.flags() & py::array::c_style))
    return from_numpy(arr, arg);
  auto converted = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(arr);
  CONVCORE_CHECK_TYPE(converted, arg, ": could not convert to float32");
  return from_numpy(converted, arg);
}

Tensor as_optional_tensor(const py::handle& obj, const char* arg) {
  return obj.is_none() ? Tensor() : as_tensor(obj, arg);
}

py::array to_numpy(const Tensor& t, const py::handle& owner) {
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  return py::array_t<float>(shape, t.data(), owner);
}

}  // namespace convcore::python
