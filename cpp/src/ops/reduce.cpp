// Reductions: sum and mean over all elements or a set of dims, with their
// backward (broadcast the gradient back), and sum_to_shape, the backward of
// broadcasting, which every broadcasting op uses.
//
// Sums accumulate in double and each output element is summed in a fixed
// order that does not depend on how the work is split, so results are the
// same for every thread count.
// Deliberately left out: max/min/prod/var, and pairwise or Kahan summation
// (double accumulators are enough for float32 inputs).
#include <algorithm>
#include <cmath>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/tensor_ops.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

constexpr int64_t kSumChunk = 16384;  // fixed chunk of a full reduction

double sum_contiguous(const float* p, int64_t n) {
  // Four accumulators: independent add chains instead of one serial chain.
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += p[j];
    s1 += p[j + 1];
    s2 += p[j + 2];
    s3 += p[j + 3];
  }
  for (; j < n; ++j) s0 += p[j];
  return (s0 + s1) + (s2 + s3);
}

// Sums x over the dims set in `reduce` (a bit per dim); the result keeps
// those dims with size 1. x: [...] -> [...] with reduced dims 1.
Tensor sum_dims_keep(const Tensor& x, unsigned reduce) {
  const Shape& in = x.shape();
  std::vector<int64_t> out_dims = in.vec();
  for (int i = 0; i < in.ndim(); ++i)
    if (reduce >> i & 1u) out_dims[static_cast<size_t>(i)] = 1;
  Tensor out = Tensor::empty(Shape(out_dims));
  const int64_t out_n = out.numel();
  float* Y = out.data();
  const float* X = x.data();
  if (x.numel() == 0) {  // an empty sum is 0
    std::fill(Y, Y + out_n, 0.0f);
    return out;
  }

  // Merge neighbouring dims of the same kind (kept or reduced) and drop
  // size-1 dims: what is left alternates kept/reduced.
  int m = 0;
  int64_t size[kMaxDims];
  bool red[kMaxDims];
  for (int i = 0; i < in.ndim(); ++i) {
    if (in[i] == 1) continue;
    const bool r = reduce >> i & 1u;
    if (m > 0 && red[m - 1] == r) {
      size[m - 1] *= in[i];
    } else {
      size[m] = in[i];
      red[m] = r;
      ++m;
    }
  }
  if (m == 0 || (m == 1 && !red[0])) {  // nothing is actually summed
    std::copy(X, X + out_n, Y);
    return out;
  }
  int64_t stride[kMaxDims];  // element strides in x of the merged dims
  for (int64_t g = m - 1, run = 1; g >= 0; --g) {
    stride[g] = run;
    run *= size[g];
  }

  if (m == 1) {  // a full reduction: fixed chunks in parallel, combined in order
    const int64_t n = size[0], chunks = (n + kSumChunk - 1) / kSumChunk;
    std::vector<double> partial(static_cast<size_t>(chunks));
    parallel_for(0, chunks, [&](int64_t lo, int64_t hi, int) {
      for (int64_t c = lo; c < hi; ++c)
        partial[static_cast<size_t>(c)] =
            sum_contiguous(X + c * kSumChunk, std::min(kSumChunk, n - c * kSumChunk));
    });
    double s = 0;
    for (double v : partial) s += v;
    Y[0] = static_cast<float>(s);
    return out;
  }

  // Kept and reduced merged dims, outermost first.
  int nk = 0, nr = 0;
  int64_t ksize[kMaxDims], kstride[kMaxDims], rsize[kMaxDims], rstride[kMaxDims];
  for (int g = 0; g < m; ++g) {
    if (red[g]) {
      rsize[nr] = size[g];
      rstride[nr++] = stride[g];
    } else {
      ksize[nk] = size[g];
      kstride[nk++] = stride[g];
    }
  }
  int64_t combos = 1;  // index combinations of the reduced dims, innermost excluded if contiguous
  const bool inner_reduced = red[m - 1];
  const int nr_outer = inner_reduced ? nr - 1 : nr;
  for (int r = 0; r < nr_outer; ++r) combos *= rsize[r];
  auto combo_offset = [&](int64_t c) {
    int64_t off = 0;
    for (int r = nr_outer - 1; r >= 0; --r) {
      off += (c % rsize[r]) * rstride[r];
      c /= rsize[r];
    }
    return off;
  };
  auto kept_offset = [&](int64_t o, int first_inner) {  // o over kept dims [0, first_inner)
    int64_t off = 0;
    for (int k = first_inner - 1; k >= 0; --k) {
      off += (o % ksize[k]) * kstride[k];
      o /= ksize[k];
    }
    return off;
  };

  if (inner_reduced) {
    // Each output element: `combos` contiguous runs of the innermost size.
    const int64_t run = rsize[nr - 1];
    parallel_for(0, out_n, [&](int64_t lo, int64_t hi, int) {
      for (int64_t o = lo; o < hi; ++o) {
        const float* base = X + kept_offset(o, nk);
        double s = 0;
        for (int64_t c = 0; c < combos; ++c) s += sum_contiguous(base + combo_offset(c), run);
        Y[o] = static_cast<float>(s);
      }
    });
  } else {
    // The innermost dim is kept: add whole rows of it, in double, a segment
    // at a time so that the accumulator stays on the stack.
    const int64_t width = ksize[nk - 1];
    constexpr int64_t kSeg = 512;
    parallel_for(0, out_n, [&](int64_t lo, int64_t hi, int) {
      double acc[kSeg];
      for (int64_t o = lo; o < hi;) {
        const int64_t row = o / width, col = o % width;
        const int64_t len = std::min({kSeg, width - col, hi - o});
        const float* base = X + kept_offset(row, nk - 1) + col;
        std::fill(acc, acc + len, 0.0);
        for (int64_t c = 0; c < combos; ++c) {
          const float* p = base + combo_offset(c);
          for (int64_t j = 0; j < len; ++j) acc[j] += p[j];
        }
        for (int64_t j = 0; j < len; ++j) Y[o + j] = static_cast<float>(acc[j]);
        o += len;
      }
    });
  }
  return out;
}

// Validated bit mask of dims to reduce; empty `dims` means all of them.
unsigned dims_mask(const Tensor& x, const std::vector<int64_t>& dims, const char* what) {
  CONVCORE_CHECK_VALUE(x.defined(), what, ": input is an undefined tensor");
  const int nd = x.ndim();
  if (dims.empty()) return (1u << nd) - 1u;
  unsigned mask = 0;
  // A 0-d tensor accepts dim 0 or -1, as PyTorch, and reduces nothing.
  const int64_t lim = std::max(nd, 1);
  for (int64_t d : dims) {
    CONVCORE_CHECK_VALUE(d >= -lim && d < lim, what, ": dim ", d, " is out of range for a tensor of ",
                         nd, " dimension", nd == 1 ? "" : "s", " (expected a value in [", -lim, ", ",
                         lim - 1, "])");
    const int w = static_cast<int>(d < 0 ? d + lim : d);
    CONVCORE_CHECK_VALUE(!(mask >> w & 1u), what, ": dim ", w, " appears more than once in dims");
    mask |= 1u << w;
  }
  return nd == 0 ? 0u : mask;
}

Shape reduced_shape(const Shape& in, unsigned mask, bool keepdim) {
  std::vector<int64_t> d;
  for (int i = 0; i < in.ndim(); ++i) {
    if (!(mask >> i & 1u))
      d.push_back(in[i]);
    else if (keepdim)
      d.push_back(1);
  }
  return Shape(d);
}

struct SumBackward : Node {
  unsigned mask;
  float scale;  // 1 for sum, 1/count for mean
  bool is_mean;
  std::vector<Tensor> backward(const Tensor& g) override {
    const Shape& in = inputs[0].shape();
    Tensor gk = g.view_as_shape(reduced_shape(in, mask, true));
    Tensor dx = expand_copy(gk, in);
    if (scale != 1.0f) {
      float* p = dx.data();
      for (int64_t i = 0, n = dx.numel(); i < n; ++i) p[i] *= scale;
    }
    return {dx};
  }
  const char* name() const override { return is_mean ? "MeanBackward" : "SumBackward"; }
};

Tensor reduce(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, bool is_mean) {
  const char* what = is_mean ? "mean" : "sum";
  const unsigned mask = dims_mask(x, dims, what);
  int64_t count = 1;
  for (int i = 0; i < x.ndim(); ++i)
    if (mask >> i & 1u) count *= x.shape()[i];
  Tensor out = sum_dims_keep(x, mask).view_as_shape(reduced_shape(x.shape(), mask, keepdim));
  // The mean of nothing is NaN (0/0), as NumPy and PyTorch.
  const float scale = is_mean ? 1.0f / static_cast<float>(count) : 1.0f;
  if (is_mean) {
    float* p = out.data();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = count ? p[i] * scale : NAN;
  }
  if (any_requires_grad({x})) {
    auto node = std::make_shared<SumBackward>();
    node->mask = mask;
    node->scale = count ? scale : 0.0f;
    node->is_mean = is_mean;
    node->inputs = {x};
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor sum_to_shape(const Tensor& g, const Shape& shape) {
  const Shape& gs = g.shape();
  if (gs == shape) return g;
  const int off = gs.ndim() - shape.ndim();
  CONVCORE_CHECK_VALUE(off >= 0, "sum_to_shape: cannot sum ", gs.str(), " to ", shape.str());
  unsigned mask = 0;
  for (int i = 0; i < gs.ndim(); ++i) {
    const int j = i - off;
    if (j < 0 || (shape[j] == 1 && gs[i] != 1))
      mask |= 1u << i;
    else
      CONVCORE_CHECK_VALUE(shape[j] == gs[i], "sum_to_shape: cannot sum ", gs.str(), " to ",
                           shape.str());
  }
  return sum_dims_keep(g, mask).view_as_shape(shape);
}

Tensor sum(const Tensor& x) { return reduce(x, {}, false, false); }
Tensor mean(const Tensor& x) { return reduce(x, {}, false, true); }
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce(x, dims, keepdim, false);
}
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce(x, dims, keepdim, true);
}

}  // namespace convcore
