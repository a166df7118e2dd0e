// Tensor: construction, accessors, views and repr. The maths lives in ops/.
#include "convcore/tensor.h"

#include <cstring>
#include <sstream>

#include "convcore/autograd.h"
#include "convcore/error.h"

namespace convcore {

Tensor Tensor::empty(const Shape& shape, Device device) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::allocate(static_cast<size_t>(shape.numel()), device);
  impl->shape = shape;
  return Tensor(std::move(impl));
}

Tensor Tensor::zeros(const Shape& shape) { return full(shape, 0.0f); }

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape);
  float* p = t.data();
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = value;
  return t;
}

Tensor Tensor::from_blob(float* data, const Shape& shape, std::shared_ptr<void> owner) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::wrap(data, static_cast<size_t>(shape.numel()), std::move(owner));
  impl->shape = shape;
  return Tensor(std::move(impl));
}

Tensor Tensor::from_vector(const std::vector<float>& values, const Shape& shape) {
  CONVCORE_CHECK_VALUE(static_cast<int64_t>(values.size()) == shape.numel(), "from_vector: ",
                       values.size(), " values do not fill shape ", shape.str());
  Tensor t = empty(shape);
  if (!values.empty()) std::memcpy(t.data(), values.data(), values.size() * sizeof(float));
  return t;
}

static TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl) {
  if (!impl) throw std::logic_error("convcore: use of an undefined tensor");
  return *impl;
}

const Shape& Tensor::shape() const { return checked(impl_).shape; }
Device Tensor::device() const { return checked(impl_).storage->device(); }
float* Tensor::data() const { return checked(impl_).storage->data() + impl_->offset; }

int64_t Tensor::size(int dim) const {
  int nd = ndim();
  int d = dim < 0 ? dim + nd : dim;
  CONVCORE_CHECK_VALUE(d >= 0 && d < nd, "dim: expected a value in [", -nd, ", ", nd - 1, "], got ",
                       dim);
  return shape()[d];
}

float Tensor::item() const {
  CONVCORE_CHECK_VALUE(numel() == 1, "item: the tensor must hold exactly one element, it holds ",
                       numel(), " (shape ", shape().str(), ")");
  return data()[0];
}

bool Tensor::requires_grad() const { return checked(impl_).requires_grad; }

Tensor& Tensor::set_requires_grad(bool value) {
  CONVCORE_CHECK_VALUE(is_leaf() || value,
                       "requires_grad: only leaf tensors can stop requiring grad; use detach()");
  impl_->requires_grad = value;
  return *this;
}

bool Tensor::is_leaf() const { return checked(impl_).grad_fn == nullptr; }
Tensor Tensor::grad() const { return checked(impl_).grad; }

void Tensor::set_grad(const Tensor& grad) const {
  CONVCORE_CHECK_VALUE(!grad.defined() || grad.shape() == shape(), "grad: expected shape ",
                       shape().str(), ", got ", grad.shape().str());
  checked(impl_).grad = grad;
}

const std::shared_ptr<Node>& Tensor::grad_fn() const { return checked(impl_).grad_fn; }

void Tensor::backward(const Tensor& grad) const { run_backward(*this, grad); }

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = checked(impl_).storage;
  impl->offset = impl_->offset;
  impl->shape = impl_->shape;
  return Tensor(std::move(impl));
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape());
  if (numel()) std::memcpy(out.data(), data(), static_cast<size_t>(numel()) * sizeof(float));
  return out;
}

Tensor Tensor::view_as_shape(const Shape& new_shape) const {
  CONVCORE_CHECK_VALUE(new_shape.numel() == numel(), "view: shape ", new_shape.str(), " holds ",
                       new_shape.numel(), " elements, the tensor ", shape().str(), " holds ",
                       numel());
  Tensor v = detach();
  v.impl_->shape = new_shape;
  return v;
}

Tensor Tensor::slice0(int64_t begin, int64_t end) const {
  CONVCORE_CHECK_VALUE(ndim() >= 1 && 0 <= begin && begin <= end && end <= shape()[0],
                       "slice: range [", begin, ", ", end, ") is outside dimension 0 of shape ",
                       shape().str());
  Tensor v = detach();
  int64_t inner = shape()[0] ? numel() / shape()[0] : 0;
  v.impl_->offset += begin * inner;
  v.impl_->shape[0] = end - begin;
  return v;
}

std::string Tensor::repr() const {
  if (!impl_) return "Tensor(undefined)";
  std::ostringstream os;
  os << "Tensor(shape=" << shape().str();
  const int64_t n = numel();
  os << ", data=[";
  const int64_t show = n <= 8 ? n : 6;
  for (int64_t i = 0; i < show; ++i) os << (i ? ", " : "") << data()[i];
  if (show < n) os << ", ... (" << n << " values)";
  os << "]";
  if (impl_->grad_fn)
    os << ", grad_fn=" << impl_->grad_fn->name();
  else if (impl_->requires_grad)
    os << ", requires_grad=True";
  return os.str() + ")";
}

bool Tensor::is_unique() const {
  return impl_ && impl_.use_count() == 1 && impl_->storage.use_count() == 1;
}

}  // namespace convcore
