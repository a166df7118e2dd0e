// Concatenation along one dim (torch.cat) and its backward. Viewing every
// piece as [outer, c_i * inner] (outer: the dims before `dim`, inner: the
// dims after), forward copies row o of each piece to row o of the output at
// the piece's column offset; backward copies the same columns back out.
// Deliberately left out: stack (reshape then cat) and split as an op of its
// own (slicing the gradient is all the backward needs).
#include <cstring>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/tensor_ops.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

constexpr int64_t kParallelFloats = 1 << 16;

// Copies columns [offset, offset + width) of each of `rows` rows of `wide`
// (row length `wide_cols`) to/from the dense [rows, width] `narrow`.
void copy_columns(float* dst, const float* src, int64_t rows, int64_t width, int64_t wide_cols,
                  int64_t offset, bool into_wide) {
  auto rows_lo_hi = [&](int64_t lo, int64_t hi, int) {
    for (int64_t r = lo; r < hi; ++r) {
      float* d = into_wide ? dst + r * wide_cols + offset : dst + r * width;
      const float* s = into_wide ? src + r * width : src + r * wide_cols + offset;
      std::memcpy(d, s, static_cast<size_t>(width) * sizeof(float));
    }
  };
  if (rows * width < kParallelFloats) {
    rows_lo_hi(0, rows, 0);  // a thread team costs more than copying this
  } else {
    parallel_for(0, rows, rows_lo_hi);
  }
}

struct CatBackward : Node {
  int64_t outer = 0, inner = 0, total = 0;  // total: sum of c_i
  std::vector<int64_t> sizes;               // c_i
  std::vector<Tensor> backward(const Tensor& g) override {
    std::vector<Tensor> grads(inputs.size());
    for (size_t i = 0, offset = 0; i < inputs.size(); offset += sizes[i], ++i) {
      if (!inputs[i].requires_grad()) continue;
      grads[i] = Tensor::empty(inputs[i].shape());
      copy_columns(grads[i].data(), g.data(), outer, sizes[i] * inner, total * inner,
                   static_cast<int64_t>(offset) * inner, false);
    }
    return grads;
  }
  const char* name() const override { return "CatBackward"; }
};

}  // namespace

Tensor cat(const std::vector<Tensor>& xs, int64_t dim) {
  CONVCORE_CHECK_VALUE(!xs.empty(), "cat: tensors must be a non-empty list");
  for (size_t i = 0; i < xs.size(); ++i)
    CONVCORE_CHECK_VALUE(xs[i].defined(), "cat: tensors[", i, "] is an undefined tensor");
  const Shape& first = xs[0].shape();
  const int nd = first.ndim();
  CONVCORE_CHECK_VALUE(nd > 0, "cat: zero-dimensional tensors cannot be concatenated");
  CONVCORE_CHECK_VALUE(dim >= -nd && dim < nd, "cat: dim ", dim, " is out of range for ", nd,
                       "-dimensional tensors (expected a value in [", -nd, ", ", nd - 1, "])");
  const int d = static_cast<int>(dim < 0 ? dim + nd : dim);
  int64_t outer = 1, inner = 1, total = 0;
  for (int i = 0; i < d; ++i) outer *= first[i];
  for (int i = d + 1; i < nd; ++i) inner *= first[i];
  std::vector<int64_t> sizes;
  bool needs_grad = false;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Shape& s = xs[i].shape();
    bool same = s.ndim() == nd;
    for (int k = 0; same && k < nd; ++k) same = k == d || s[k] == first[k];
    CONVCORE_CHECK_VALUE(same, "cat: tensors[", i, "] has shape ", s.str(),
                         ", which does not match tensors[0]'s ", first.str(), " outside dim ", d);
    sizes.push_back(s[d]);
    total += s[d];
    needs_grad = needs_grad || any_requires_grad({xs[i]});
  }
  std::vector<int64_t> out_dims = first.vec();
  out_dims[static_cast<size_t>(d)] = total;
  Tensor out = Tensor::empty(Shape(out_dims));
  for (size_t i = 0, offset = 0; i < xs.size(); offset += sizes[i], ++i)
    copy_columns(out.data(), xs[i].data(), outer, sizes[i] * inner, total * inner,
                 static_cast<int64_t>(offset) * inner, true);
  if (needs_grad) {
    auto node = std::make_shared<CatBackward>();
    node->outer = outer;
    node->inner = inner;
    node->total = total;
    node->sizes = std::move(sizes);
    node->inputs = xs;
    set_history(out, node);
  }
  return out;
}

}  // namespace convcore
