// Shared by the binding files: one register function per area, and the
// conversions between Python objects and convcore tensors. Bindings only
// convert, check Python-specific input and release the GIL; no maths here.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "convcore/convcore.h"

namespace convcore::python {

namespace py = pybind11;

void bind_runtime(py::module_& m);
void bind_tensor(py::module_& m);
void bind_tensor_ops(py::module_& m);  // after bind_tensor: adds Tensor methods
void bind_conv(py::module_& m);
void bind_conv_variants(py::module_& m);  // conv1d/3d, transposed, connection table
void bind_signal(py::module_& m);
void bind_pooling(py::module_& m);
void bind_activation(py::module_& m);  // after bind_tensor: adds Tensor methods
void bind_norm(py::module_& m);
void bind_dropout(py::module_& m);
void bind_linear(py::module_& m);
void bind_loss(py::module_& m);
void bind_optim(py::module_& m);  // optimizer updates, gradient clipping

// A tensor sharing the memory of a C-contiguous float32 NumPy array (the
// array stays alive as long as the tensor). Anything else: TypeError/ValueError.
Tensor from_numpy(const py::array& array, const char* arg);
// A Tensor as is, or any array-like converted to float32 (a copy only when
// the dtype or layout requires it). `arg` names the argument in errors.
Tensor as_tensor(const py::handle& obj, const char* arg);
// as_tensor, with None giving an undefined tensor.
Tensor as_optional_tensor(const py::handle& obj, const char* arg);
// A NumPy array viewing the tensor's memory (no copy); it keeps `owner` alive.
py::array to_numpy(const Tensor& t, const py::handle& owner);

// Conv{1,2,3}dOptions from the explicit argument forms functional/ passes
// (their fields share names; only the types of stride/padding/dilation differ).
template <class Options, class Stride, class Padding>
Options conv_options(Stride stride, Padding padding, Stride dilation, int64_t groups,
                     const std::string& padding_mode, bool same) {
  Options o;
  o.stride = stride;
  o.padding = padding;
  o.dilation = dilation;
  o.groups = groups;
  o.padding_mode = parse_padding_mode(padding_mode);
  o.same = same;
  return o;
}

}  // namespace convcore::python
