// Shape changes: reshape/flatten (views of the same memory), permute and
// transpose (contiguous copies, since convcore tensors have no strides), and
// indexing of the first dim (select, slice), each with its backward.
// Deliberately left out: indexing other dims, negative slice steps, advanced
// (tensor) indexing, squeeze/unsqueeze as separate ops (reshape covers them).
#include <cstring>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/tensor_ops.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

constexpr int64_t kGrain = 16384;

void check_input(const Tensor& x, const char* what) {
  CONVCORE_CHECK_VALUE(x.defined(), what, ": input is an undefined tensor");
}

// dim in [-nd, nd) -> [0, nd), or ValueError naming `arg`.
int wrap_dim(int64_t dim, int nd, const char* what, const char* arg) {
  CONVCORE_CHECK_VALUE(nd > 0, what, ": ", arg, " ", dim, " is out of range: the tensor has no dimensions");
  CONVCORE_CHECK_VALUE(dim >= -nd && dim < nd, what, ": ", arg, " ", dim,
                       " is out of range for a tensor of ", nd, " dimension", nd == 1 ? "" : "s",
                       " (expected a value in [", -nd, ", ", nd - 1, "])");
  return static_cast<int>(dim < 0 ? dim + nd : dim);
}

struct ReshapeBackward : Node {
  Shape in_shape;
  std::vector<Tensor> backward(const Tensor& g) override { return {g.view_as_shape(in_shape)}; }
  const char* name() const override { return "ReshapeBackward"; }
};

// A view of x under `shape`, recorded as a reshape.
Tensor reshape_to(const Tensor& x, const Shape& shape) {
  Tensor out = x.view_as_shape(shape);
  if (any_requires_grad({x})) {
    auto node = std::make_shared<ReshapeBackward>();
    node->in_shape = x.shape();
    node->inputs = {x};
    set_history(out, node);
  }
  return out;
}

// y = x with dims permuted; perm validated. x: [...] -> [x.shape[perm[i]]...].
Tensor permute_copy(const Tensor& x, const std::vector<int>& perm) {
  const Shape& in = x.shape();
  const int nd = in.ndim();
  int64_t in_stride[kMaxDims];
  for (int64_t i = nd - 1, run = 1; i >= 0; --i) {
    in_stride[i] = run;
    run *= in[static_cast<int>(i)];
  }
  std::vector<int64_t> od(static_cast<size_t>(nd));
  int64_t st[kMaxDims];  // input stride of each output dim
  for (int i = 0; i < nd; ++i) {
    od[static_cast<size_t>(i)] = in[perm[static_cast<size_t>(i)]];
    st[i] = in_stride[perm[static_cast<size_t>(i)]];
  }
  Tensor out = Tensor::empty(Shape(od));
  const int64_t n = out.numel();
  if (n == 0) return out;
  if (nd == 0) {
    out.data()[0] = x.data()[0];
    return out;
  }
  const int64_t inner = od.back(), ist = st[nd - 1];
  const float* X = x.data();
  float* Y = out.data();
  parallel_for(0, (n + kGrain - 1) / kGrain, [&](int64_t c0, int64_t c1, int) {
    const int64_t hi = std::min(n, c1 * kGrain);
    for (int64_t pos = c0 * kGrain; pos < hi;) {
      int64_t row = pos / inner, col = pos % inner, off = 0;
      for (int d = nd - 2; d >= 0; --d) {
        off += (row % od[static_cast<size_t>(d)]) * st[d];
        row /= od[static_cast<size_t>(d)];
      }
      const int64_t len = std::min(inner - col, hi - pos);
      const float* src = X + off + col * ist;
      for (int64_t j = 0; j < len; ++j) Y[pos + j] = src[j * ist];
      pos += len;
    }
  });
  return out;
}

struct PermuteBackward : Node {
  std::vector<int> inverse;
  std::vector<Tensor> backward(const Tensor& g) override { return {permute_copy(g, inverse)}; }
  const char* name() const override { return "PermuteBackward"; }
};

// The rows start, start + step, ... (len of them) of x's first dim.
struct SliceBackward : Node {
  int64_t start, step, len;
  bool select;  // the output dropped the first dim
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor& x = inputs[0];
    Tensor dx = Tensor::zeros(x.shape());
    const int64_t row = x.size(0) ? x.numel() / x.size(0) : 0;
    const float* G = g.data();
    float* D = dx.data();
    parallel_for(0, len, [&](int64_t lo, int64_t hi, int) {
      for (int64_t r = lo; r < hi; ++r)
        std::memcpy(D + (start + r * step) * row, G + r * row, static_cast<size_t>(row) * sizeof(float));
    });
    return {dx};
  }
  const char* name() const override { return select ? "SelectBackward" : "SliceBackward"; }
};

void record_slice(Tensor& out, const Tensor& x, int64_t start, int64_t step, int64_t len, bool select) {
  if (!any_requires_grad({x})) return;
  auto node = std::make_shared<SliceBackward>();
  node->start = start;
  node->step = step;
  node->len = len;
  node->select = select;
  node->inputs = {x};
  set_history(out, node);
}

}  // namespace

Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape) {
  check_input(x, "reshape");
  CONVCORE_CHECK_VALUE(shape.size() <= static_cast<size_t>(kMaxDims), "reshape: shape has ",
                       shape.size(), " dimensions; at most ", kMaxDims, " are supported");
  std::vector<int64_t> dims = shape;
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      CONVCORE_CHECK_VALUE(infer < 0, "reshape: only one dimension of shape can be -1, got -1 in "
                           "dimensions ", infer, " and ", i);
      infer = static_cast<int>(i);
    } else {
      CONVCORE_CHECK_VALUE(dims[i] >= 0, "reshape: shape sizes must be non-negative or -1, got ",
                           dims[i], " in dimension ", i);
      known *= dims[i];
    }
  }
  const int64_t n = x.numel();
  if (infer >= 0) {
    CONVCORE_CHECK_VALUE(known != 0 && n % known == 0, "reshape: cannot infer the -1 dimension: ",
                         n, " elements of ", x.shape().str(), " are not a multiple of ", known);
    dims[static_cast<size_t>(infer)] = n / known;
  }
  const Shape target(dims);
  CONVCORE_CHECK_VALUE(target.numel() == n, "reshape: shape ", target.str(), " holds ",
                       target.numel(), " elements, but the input ", x.shape().str(), " holds ", n);
  return reshape_to(x, target);
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  check_input(x, "flatten");
  const Shape& s = x.shape();
  if (s.ndim() == 0) {  // as PyTorch: a 0-d tensor flattens to [1]
    wrap_dim(start_dim, 1, "flatten", "start_dim");
    wrap_dim(end_dim, 1, "flatten", "end_dim");
    return reshape_to(x, Shape{1});
  }
  const int a = wrap_dim(start_dim, s.ndim(), "flatten", "start_dim");
  const int b = wrap_dim(end_dim, s.ndim(), "flatten", "end_dim");
  CONVCORE_CHECK_VALUE(a <= b, "flatten: start_dim (", start_dim, ") must not come after end_dim (",
                       end_dim, ") for a tensor of shape ", s.str());
  std::vector<int64_t> d(s.begin(), s.begin() + a);
  int64_t merged = 1;
  for (int i = a; i <= b; ++i) merged *= s[i];
  d.push_back(merged);
  d.insert(d.end(), s.begin() + b + 1, s.end());
  return reshape_to(x, Shape(d));
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  check_input(x, "permute");
  const int nd = x.ndim();
  CONVCORE_CHECK_VALUE(static_cast<int>(dims.size()) == nd, "permute: dims must list each of the ",
                       nd, " dimensions once, got ", dims.size(), " entries");
  std::vector<int> perm(dims.size()), inverse(dims.size(), -1);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int d = wrap_dim(dims[i], nd, "permute", "dim");
    CONVCORE_CHECK_VALUE(inverse[static_cast<size_t>(d)] < 0, "permute: dim ", d,
                         " appears more than once in dims");
    perm[i] = d;
    inverse[static_cast<size_t>(d)] = static_cast<int>(i);
  }
  Tensor out = permute_copy(x, perm);
  if (any_requires_grad({x})) {
    auto node = std::make_shared<PermuteBackward>();
    node->inverse = inverse;
    node->inputs = {x};
    set_history(out, node);
  }
  return out;
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  check_input(x, "transpose");
  const int nd = x.ndim();
  if (nd == 0) {  // as PyTorch: dims 0/-1 of a 0-d tensor are allowed
    wrap_dim(dim0, 1, "transpose", "dim0");
    wrap_dim(dim1, 1, "transpose", "dim1");
    return permute(x, {});
  }
  std::vector<int64_t> perm(static_cast<size_t>(nd));
  for (int i = 0; i < nd; ++i) perm[static_cast<size_t>(i)] = i;
  std::swap(perm[static_cast<size_t>(wrap_dim(dim0, nd, "transpose", "dim0"))],
            perm[static_cast<size_t>(wrap_dim(dim1, nd, "transpose", "dim1"))]);
  return permute(x, perm);
}

Tensor select(const Tensor& x, int64_t index) {
  check_input(x, "select");
  CONVCORE_CHECK_VALUE(x.ndim() >= 1, "index: a 0-d tensor cannot be indexed");
  const int64_t n = x.size(0);
  if (index < -n || index >= n)
    throw IndexError(detail::concat("index: ", index, " is out of range for dimension 0 of size ", n,
                                    " (shape ", x.shape().str(), ")"));
  const int64_t i = index < 0 ? index + n : index;
  std::vector<int64_t> d(x.shape().begin() + 1, x.shape().end());
  Tensor out = x.slice0(i, i + 1).view_as_shape(Shape(d));
  record_slice(out, x, i, 1, 1, true);
  return out;
}

Tensor slice(const Tensor& x, int64_t start, int64_t end, int64_t step) {
  check_input(x, "slice");
  CONVCORE_CHECK_VALUE(x.ndim() >= 1, "slice: a 0-d tensor cannot be sliced");
  CONVCORE_CHECK_VALUE(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = x.size(0);
  // Python's rules: negative counts from the end, then clamp to [0, n].
  auto clamp = [n](int64_t v) { return std::min(n, std::max<int64_t>(0, v < 0 ? v + n : v)); };
  start = clamp(start);
  end = clamp(end);
  const int64_t len = end > start ? (end - start + step - 1) / step : 0;
  Tensor out;
  if (step == 1) {
    out = x.slice0(start, start + len);
  } else {
    std::vector<int64_t> d = x.shape().vec();
    d[0] = len;
    out = Tensor::empty(Shape(d));
    const int64_t row = n ? x.numel() / n : 0;
    for (int64_t r = 0; r < len; ++r)
      std::memcpy(out.data() + r * row, x.data() + (start + r * step) * row,
                  static_cast<size_t>(row) * sizeof(float));
  }
  record_slice(out, x, start, step, len, false);
  return out;
}

}  // namespace convcore
