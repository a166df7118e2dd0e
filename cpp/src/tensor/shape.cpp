#include "convcore/shape.h"

#include "convcore/error.h"

namespace convcore {

Shape::Shape(std::initializer_list<int64_t> dims) : Shape(std::vector<int64_t>(dims)) {}

Shape::Shape(const std::vector<int64_t>& dims) {
  CONVCORE_CHECK_VALUE(dims.size() <= static_cast<size_t>(kMaxDims), "shape: at most ", kMaxDims,
                       " dimensions are supported, got ", dims.size());
  n_ = static_cast<int>(dims.size());
  for (int i = 0; i < n_; ++i) {
    CONVCORE_CHECK_VALUE(dims[i] >= 0, "shape: sizes must be non-negative, got ", dims[i],
                         " in dimension ", i);
    d_[i] = dims[i];
  }
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < n_; ++i) n *= d_[i];
  return n;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < n_; ++i) s += (i ? ", " : "") + std::to_string(d_[i]);
  return s + "]";
}

bool Shape::operator==(const Shape& o) const {
  if (n_ != o.n_) return false;
  for (int i = 0; i < n_; ++i)
    if (d_[i] != o.d_[i]) return false;
  return true;
}

}  // namespace convcore
