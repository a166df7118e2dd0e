// Tensor: an owning, reference-counted, contiguous float32 array of up to
// five dimensions, plus the autograd state that makes it differentiable.
//
// Storage is 64-byte aligned when convcore allocates it; tensors that wrap
// foreign memory (NumPy arrays) keep that memory alive through an owner
// handle and may be less aligned, so kernels use unaligned loads.
// Deliberately left out: strides (every tensor is contiguous, views only
// reshape or take a contiguous slice of the same storage), dtypes other than
// float32, and CUDA storage (the Device field is where it will go).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convcore/shape.h"

namespace convcore {

enum class Device : uint8_t { CPU = 0, CUDA = 1 };
const char* device_name(Device d);

// A flat block of floats, released when the last tensor using it goes away.
class Storage {
 public:
  // Uninitialised, 64-byte aligned memory for `numel` floats.
  static std::shared_ptr<Storage> allocate(size_t numel, Device device = Device::CPU);
  // Memory owned elsewhere; `owner` is kept alive as long as the storage is.
  static std::shared_ptr<Storage> wrap(float* data, size_t numel, std::shared_ptr<void> owner);

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  float* data() const { return data_; }
  size_t numel() const { return numel_; }
  Device device() const { return device_; }

 private:
  Storage(float* data, size_t numel, Device device, std::shared_ptr<void> owner)
      : data_(data), numel_(numel), device_(device), owner_(std::move(owner)) {}
  float* data_;
  size_t numel_;
  Device device_;
  std::shared_ptr<void> owner_;  // null when convcore allocated data_ itself
};

struct Node;
struct TensorImpl;

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor ("no gradient", "no bias")

  static Tensor empty(const Shape& shape, Device device = Device::CPU);
  static Tensor zeros(const Shape& shape);
  static Tensor full(const Shape& shape, float value);
  static Tensor scalar(float value) { return full(Shape{}, value); }
  // Shares `data`; `owner` keeps it alive. No copy.
  static Tensor from_blob(float* data, const Shape& shape, std::shared_ptr<void> owner);
  static Tensor from_vector(const std::vector<float>& values, const Shape& shape);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int ndim() const { return shape().ndim(); }
  int64_t size(int dim) const;  // negative dims count from the end
  int64_t numel() const { return shape().numel(); }
  Device device() const;
  float* data() const;
  float item() const;  // the value of a one-element tensor

  // Autograd state.
  bool requires_grad() const;
  Tensor& set_requires_grad(bool value);  // leaves only
  bool is_leaf() const;
  Tensor grad() const;
  void set_grad(const Tensor& grad) const;
  const std::shared_ptr<Node>& grad_fn() const;
  // Reverse-mode pass from this tensor; `grad` defaults to 1 for a scalar.
  void backward(const Tensor& grad = Tensor()) const;

  // A tensor sharing this one's memory, cut off from the graph.
  Tensor detach() const;
  // A fresh copy of the data (not recorded by autograd).
  Tensor clone() const;
  // The same memory under another shape with the same number of elements;
  // not recorded by autograd (convcore::reshape is the differentiable one).
  Tensor view_as_shape(const Shape& shape) const;
  // Elements [begin, end) of dimension 0, sharing memory; not recorded.
  Tensor slice0(int64_t begin, int64_t end) const;

  std::string repr() const;
  TensorImpl* impl() const { return impl_.get(); }
  bool same(const Tensor& other) const { return impl_ == other.impl_; }
  // True when this handle is the only one to its TensorImpl and that is the
  // only user of its storage: no one else can see writes to it (autograd
  // then keeps a gradient instead of copying it).
  bool is_unique() const;

 private:
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<TensorImpl> impl_;
  friend struct TensorImpl;
  friend void set_history(Tensor& output, std::shared_ptr<Node> node);
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  bool requires_grad = false;
  Tensor grad;                    // accumulated gradient (leaves only)
  std::shared_ptr<Node> grad_fn;  // the op that produced this tensor, if recorded
};

}  // namespace convcore
