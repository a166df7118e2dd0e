// Adaptive average and max pooling (the output size is given; window i of
// `out` along a dim of size `in` covers [floor(i*in/out), ceil((i+1)*in/out)))
// and the global poolings built on them. Plain loops over the N*C planes in
// parallel, one plane per task; pooling every plane to a single value (the
// global average, ResNet's head) runs the vectorised plane_mean kernel.
// Deliberately left out: channels-last layouts.
#include <cmath>
#include <cstring>
#include <limits>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/pooling.h"
#include "kernels/kernels.h"
#include "ops/pool_geometry.h"
#include "ops/pool_internal.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

// Spatial sizes right-aligned into (D, H, W), missing dims 1.
struct Volume {
  int64_t d[3] = {1, 1, 1};
  int64_t numel() const { return d[0] * d[1] * d[2]; }
};
Volume spatial(const Shape& s, int dims) {
  Volume v;
  for (int i = 0; i < dims; ++i) v.d[3 - dims + i] = s[s.ndim() - dims + i];
  return v;
}

inline int64_t window_start(int64_t o, int64_t out, int64_t in) { return (o * in) / out; }
inline int64_t window_end(int64_t o, int64_t out, int64_t in) { return ((o + 1) * in + out - 1) / out; }

// The windows of one output position along each of the three dims.
struct Windows {
  int64_t lo[3], hi[3];
};

// Calls f(output offset, windows) for every output of a volume, in order.
template <class F>
void for_each_window(const Volume& in, const Volume& out, const F& f) {
  Windows w;
  int64_t o = 0;
  for (int64_t a = 0; a < out.d[0]; ++a) {
    w.lo[0] = window_start(a, out.d[0], in.d[0]);
    w.hi[0] = window_end(a, out.d[0], in.d[0]);
    for (int64_t b = 0; b < out.d[1]; ++b) {
      w.lo[1] = window_start(b, out.d[1], in.d[1]);
      w.hi[1] = window_end(b, out.d[1], in.d[1]);
      for (int64_t c = 0; c < out.d[2]; ++c, ++o) {
        w.lo[2] = window_start(c, out.d[2], in.d[2]);
        w.hi[2] = window_end(c, out.d[2], in.d[2]);
        f(o, w);
      }
    }
  }
}

// [N, C, *in] -> [N, C, *output_size], after checking output_size.
Shape adaptive_output_shape(const Shape& input, int dims, const std::vector<int64_t>& output_size,
                            const std::string& what) {
  const std::vector<int64_t> out = per_dim(output_size, dims, "output_size", what);
  std::vector<int64_t> s(input.begin(), input.end() - dims);
  for (int64_t v : out) {
    CONVCORE_CHECK_VALUE(v >= 0, what, ": output_size must be non-negative, got ", v);
    s.push_back(v);
  }
  return Shape(s);
}

struct AdaptiveAvgPoolBackward : Node {
  int dims = 2;
  std::vector<Tensor> backward(const Tensor& grad_output) override {
    return {adaptive_avg_pool_backward(grad_output, inputs[0].shape(), dims)};
  }
  const char* name() const override { return "AdaptiveAvgPoolBackward"; }
};

PoolWithIndices adaptive_max_impl(const Tensor& input, int dims,
                                  const std::vector<int64_t>& output_size, bool want_indices) {
  const std::string what = pool_name("adaptive_max_pool", dims);
  if (check_pool_input(input, dims, what)) {
    PoolWithIndices r = adaptive_max_impl(add_batch_dim(input), dims, output_size, want_indices);
    r.output = drop_batch_dim(r.output);
    return r;
  }
  const Shape out_shape = adaptive_output_shape(input.shape(), dims, output_size, what);
  const bool record = any_requires_grad({input});
  PoolWithIndices r;
  r.output = Tensor::empty(out_shape);
  r.indices.resize(static_cast<size_t>(r.output.numel()));
  const Volume in = spatial(input.shape(), dims), out = spatial(out_shape, dims);
  const int64_t ip = in.numel(), op = out.numel();
  const float* x = input.data();
  float* y = r.output.data();
  int64_t* idx = r.indices.data();
  parallel_for(0, plane_count(input.shape(), dims), [&](int64_t lo, int64_t hi, int) {
    for (int64_t p = lo; p < hi; ++p) {
      const float* xp = x + p * ip;
      for_each_window(in, out, [&](int64_t o, const Windows& w) {
        // As PyTorch: the first element unless something beats -inf; NaN wins.
        float m = -std::numeric_limits<float>::infinity();
        int64_t best = (w.lo[0] * in.d[1] + w.lo[1]) * in.d[2] + w.lo[2];
        for (int64_t a = w.lo[0]; a < w.hi[0]; ++a)
          for (int64_t b = w.lo[1]; b < w.hi[1]; ++b) {
            const int64_t row = (a * in.d[1] + b) * in.d[2];
            for (int64_t c = w.lo[2]; c < w.hi[2]; ++c) {
              const float v = xp[row + c];
              if (v > m || v != v) {
                m = v;
                best = row + c;
              }
            }
          }
        y[p * op + o] = m;
        idx[p * op + o] = best;
      });
    }
  });
  if (record)
    attach_max_index_backward(r.output, input, dims,
                              want_indices ? r.indices : std::move(r.indices),
                              "AdaptiveMaxPoolBackward");
  if (!want_indices) r.indices.clear();
  return r;
}

}  // namespace

Tensor adaptive_avg_pool(const Tensor& input, int dims, const std::vector<int64_t>& output_size) {
  const std::string what = pool_name("adaptive_avg_pool", dims);
  if (check_pool_input(input, dims, what))
    return drop_batch_dim(adaptive_avg_pool(add_batch_dim(input), dims, output_size));
  const Shape out_shape = adaptive_output_shape(input.shape(), dims, output_size, what);
  Tensor y = Tensor::empty(out_shape);
  const Volume in = spatial(input.shape(), dims), out = spatial(out_shape, dims);
  const int64_t ip = in.numel(), op = out.numel();
  const float* x = input.data();
  float* yp = y.data();
  if (op == 1) {  // global average: one vectorised mean per plane
    const auto kernel = kernels::active().plane_mean;
    parallel_for(0, plane_count(input.shape(), dims), [&](int64_t lo, int64_t hi, int) {
      kernel(hi - lo, ip, x + lo * ip, yp + lo);
    });
  } else {
    parallel_for(0, plane_count(input.shape(), dims), [&](int64_t lo, int64_t hi, int) {
      for (int64_t p = lo; p < hi; ++p) {
        const float* xp = x + p * ip;
        for_each_window(in, out, [&](int64_t o, const Windows& w) {
          float s = 0.0f;
          for (int64_t a = w.lo[0]; a < w.hi[0]; ++a)
            for (int64_t b = w.lo[1]; b < w.hi[1]; ++b) {
              const float* row = xp + (a * in.d[1] + b) * in.d[2];
              for (int64_t c = w.lo[2]; c < w.hi[2]; ++c) s += row[c];
            }
          const int64_t count = (w.hi[0] - w.lo[0]) * (w.hi[1] - w.lo[1]) * (w.hi[2] - w.lo[2]);
          yp[p * op + o] = s / static_cast<float>(count);
        });
      }
    });
  }
  if (any_requires_grad({input})) {
    auto node = std::make_shared<AdaptiveAvgPoolBackward>();
    node->dims = dims;
    node->inputs = {input};
    set_history(y, node);
  }
  return y;
}

Tensor adaptive_avg_pool_backward(const Tensor& grad_output, const Shape& input_shape, int dims) {
  const std::string what = pool_name("adaptive_avg_pool", dims) + "_backward";
  CONVCORE_CHECK_VALUE(dims >= 1 && dims <= 3, what, ": dims must be 1, 2 or 3, got ", dims);
  CONVCORE_CHECK_VALUE(grad_output.defined(), what, ": grad_output is an undefined tensor");
  const int nd = input_shape.ndim();
  CONVCORE_CHECK_VALUE((nd == dims + 1 || nd == dims + 2) && grad_output.ndim() == nd, what,
                       ": input_shape and grad_output must both have ", dims + 1, " or ",
                       dims + 2, " dims, got ", input_shape.str(), " and ",
                       grad_output.shape().str());
  std::vector<int64_t> out_size(grad_output.shape().end() - dims, grad_output.shape().end());
  check_grad_shape(grad_output, adaptive_output_shape(input_shape, dims, out_size, what), what);
  Tensor dx = Tensor::empty(input_shape);
  const Volume in = spatial(input_shape, dims), out = spatial(grad_output.shape(), dims);
  const int64_t ip = in.numel(), op = out.numel();
  const float* dy = grad_output.data();
  float* g = dx.data();
  parallel_for(0, plane_count(input_shape, dims), [&](int64_t lo, int64_t hi, int) {
    for (int64_t p = lo; p < hi; ++p) {
      float* gp = g + p * ip;
      std::memset(gp, 0, static_cast<size_t>(ip) * sizeof(float));
      for_each_window(in, out, [&](int64_t o, const Windows& w) {
        const int64_t count = (w.hi[0] - w.lo[0]) * (w.hi[1] - w.lo[1]) * (w.hi[2] - w.lo[2]);
        const float delta = dy[p * op + o] / static_cast<float>(count);
        for (int64_t a = w.lo[0]; a < w.hi[0]; ++a)
          for (int64_t b = w.lo[1]; b < w.hi[1]; ++b) {
            float* row = gp + (a * in.d[1] + b) * in.d[2];
            for (int64_t c = w.lo[2]; c < w.hi[2]; ++c) row[c] += delta;
          }
      });
    }
  });
  return dx;
}

Tensor adaptive_max_pool(const Tensor& input, int dims, const std::vector<int64_t>& output_size) {
  return adaptive_max_impl(input, dims, output_size, false).output;
}

PoolWithIndices adaptive_max_pool_with_indices(const Tensor& input, int dims,
                                               const std::vector<int64_t>& output_size) {
  return adaptive_max_impl(input, dims, output_size, true);
}

Tensor global_avg_pool2d(const Tensor& input) {
  check_pool_input(input, 2, "global_avg_pool2d");
  return adaptive_avg_pool(input, 2, {1, 1});
}

Tensor global_max_pool2d(const Tensor& input) {
  check_pool_input(input, 2, "global_max_pool2d");
  return adaptive_max_pool(input, 2, {1, 1});
}

}  // namespace convcore
