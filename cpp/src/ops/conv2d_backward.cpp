// conv2d backward: gradients of input, weight and bias.
//
//   grad_input  = col2im(w^T * dy)   per image and group (the transposed convolution)
//   grad_weight = sum_n dy * im2col(x)^T   ("sharing in forward = adding in backward")
//   grad_bias   = sum over images and positions of dy
#include <algorithm>
#include <cstring>

#include "convcore/error.h"
#include "ops/conv2d_plan.h"
#include "ops/gemm.h"
#include "ops/im2col.h"
#include "runtime/parallel.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {

// dx_ng [Cg, H, W] = col2im(w_g^T [crs, Kg] * dy_ng [Kg, hw]), one chunk of
// output positions at a time so the im2col gradient slice stays in cache.
// parallel: split each chunk's GEMM and col2im across threads.
void backward_data_gemm(const Conv2dGeometry& g, const Conv2dPlan& plan, const float* dy,
                        const float* w, float* dx, int64_t n, int64_t grp, bool parallel) {
  const int64_t crs = g.crs(), hw = g.hw();
  const float* dyg = dy + (n * g.K + grp * g.Kg) * hw;
  float* dxg = dx + (n * g.C + grp * g.Cg) * g.in_plane();
  const StridedPackA a{w + grp * g.Kg * crs, 1, crs};  // w_g transposed
  const kernels::KernelTable& kt = *plan.kernels;
  if (plan.algo == Conv2dAlgo::Pointwise) {
    const StridedPackB b{dyg, hw, 1};
    parallel ? gemm_parallel(kt, crs, hw, g.Kg, a, b, dxg, hw, false)
             : gemm_serial(kt, crs, hw, g.Kg, a, b, dxg, hw, false);
    return;
  }
  std::fill(dxg, dxg + g.Cg * g.in_plane(), 0.0f);
  const int64_t chunk = plan.col_chunk;
  float* col = thread_workspace(kWsCol, static_cast<size_t>(crs * chunk));
  for (int64_t h0 = 0; h0 < hw; h0 += chunk) {
    const int64_t len = std::min(chunk, hw - h0);
    const StridedPackB b{dyg + h0, hw, 1};
    if (parallel) {
      gemm_parallel(kt, crs, len, g.Kg, a, b, col, len, false);
      // Rows of one input channel touch only that channel's plane.
      parallel_for(0, g.Cg, [&](int64_t lo, int64_t hi, int) {
        for (int64_t r = lo * g.R * g.S; r < hi * g.R * g.S; ++r)
          col2im_run_add(g, col + r * len, r, h0, len, dxg);
      });
    } else {
      gemm_serial(kt, crs, len, g.Kg, a, b, col, len, false);
      for (int64_t r = 0; r < crs; ++r) col2im_run_add(g, col + r * len, r, h0, len, dxg);
    }
  }
}

Tensor backward_data(const Conv2dGeometry& g, const Conv2dPlan& plan, const Tensor& dy,
                     const Tensor& w) {
  Tensor dx = Tensor::empty(Shape{g.N, g.C, g.H, g.W});
  const float* dyp = dy.data();
  const float* wp = w.data();
  float* dxp = dx.data();
  if (plan.algo == Conv2dAlgo::Depthwise) {
    const auto dg = depthwise_geometry(g);
    parallel_for(0, g.N * g.C, [&](int64_t lo, int64_t hi, int) {
      for (int64_t i = lo; i < hi; ++i) {  // input plane i = (n, c) gathers its Kg outputs
        float* plane = dxp + i * g.in_plane();
        std::fill(plane, plane + g.in_plane(), 0.0f);
        const int64_t n = i / g.C, c = i % g.C;
        for (int64_t k = c * g.Kg; k < (c + 1) * g.Kg; ++k)
          plan.kernels->depthwise_backward_data(dg, dyp + (n * g.K + k) * g.hw(),
                                                wp + k * g.R * g.S, plane);
      }
    });
  } else if (plan.parallel_over_images) {
    parallel_for(0, g.N * g.G, [&](int64_t lo, int64_t hi, int) {
      for (int64_t i = lo; i < hi; ++i) backward_data_gemm(g, plan, dyp, wp, dxp, i / g.G, i % g.G, false);
    });
  } else {
    for (int64_t i = 0; i < g.N * g.G; ++i) backward_data_gemm(g, plan, dyp, wp, dxp, i / g.G, i % g.G, true);
  }
  return dx;
}

// Weight gradient. Work is cut into units (image, group, slice of output
// positions); each thread sums its units into a private [K, crs] buffer and
// the buffers are added in thread order, so the result depends only on the
// thread count.
Tensor backward_weight(const Conv2dGeometry& g, const Conv2dPlan& plan, const Tensor& dy,
                       const Tensor& x) {
  const int64_t crs = g.crs(), hw = g.hw(), wsize = g.K * crs;
  Tensor dw = Tensor::zeros(Shape{g.K, g.Cg, g.R, g.S});
  const float* dyp = dy.data();
  const float* xp = x.data();
  if (plan.algo == Conv2dAlgo::Depthwise) {
    const auto dg = depthwise_geometry(g);
    float* dwp = dw.data();
    parallel_for(0, g.K, [&](int64_t lo, int64_t hi, int) {
      for (int64_t k = lo; k < hi; ++k)
        for (int64_t n = 0; n < g.N; ++n)
          plan.kernels->depthwise_backward_weight(dg, dyp + (n * g.K + k) * hw,
                                                  xp + (n * g.C + k / g.Kg) * g.in_plane(),
                                                  dwp + k * g.R * g.S);
    });
    return dw;
  }
  const int64_t images = g.N * g.G;
  if (images == 0) return dw;
  const int threads = plan.threads;
  const int64_t parts = images >= threads ? 1 : (threads + images - 1) / images;
  const int64_t units = images * parts;
  const int used = parallel_threads(units);
  std::vector<float*> partial(static_cast<size_t>(used), nullptr);
  const kernels::KernelTable& kt = *plan.kernels;
  parallel_for(0, units, [&](int64_t lo, int64_t hi, int t) {
    float* acc = thread_workspace(kWsReduce, static_cast<size_t>(wsize));
    std::fill(acc, acc + wsize, 0.0f);
    partial[static_cast<size_t>(t)] = acc;
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t img = u / parts, part = u % parts, n = img / g.G, grp = img % g.G;
      const int64_t h0 = hw * part / parts, h1 = hw * (part + 1) / parts;
      if (h0 == h1) continue;
      const float* dyg = dy.data() + (n * g.K + grp * g.Kg) * hw;
      const float* xg = xp + (n * g.C + grp * g.Cg) * g.in_plane();
      const StridedPackA a{dyg + h0, hw, 1};  // dy_ng [Kg, hw], columns h0..h1
      float* c = acc + grp * g.Kg * crs;
      if (plan.algo == Conv2dAlgo::Pointwise) {
        const StridedPackB b{xg + h0, 1, g.in_plane()};  // x_ng^T [hw, Cg]
        gemm_serial(kt, g.Kg, crs, h1 - h0, a, b, c, crs, true);
      } else {
        const Im2colTransposedPackB full{&g, xg};
        auto b = [&](int64_t p0, int64_t k, int64_t j0, int64_t nn, int NR, float* dst) {
          full(p0 + h0, k, j0, nn, NR, dst);
        };
        gemm_serial(kt, g.Kg, crs, h1 - h0, a, b, c, crs, true);
      }
    }
  });
  float* dwp = dw.data();
  parallel_for(0, wsize, [&](int64_t lo, int64_t hi, int) {
    for (const float* p : partial)
      if (p)
        for (int64_t i = lo; i < hi; ++i) dwp[i] += p[i];
  });
  return dw;
}

Tensor backward_bias(const Conv2dGeometry& g, const Tensor& dy) {
  Tensor db = Tensor::empty(Shape{g.K});
  const float* dyp = dy.data();
  float* dbp = db.data();
  const int64_t hw = g.hw();
  parallel_for(0, g.K, [&](int64_t lo, int64_t hi, int) {
    for (int64_t k = lo; k < hi; ++k) {
      constexpr int kLanes = 16;  // independent partial sums: vectorisable, fixed order
      float part[kLanes] = {};
      float tail = 0.0f;
      for (int64_t n = 0; n < g.N; ++n) {
        const float* p = dyp + (n * g.K + k) * hw;
        int64_t i = 0;
        for (; i + kLanes <= hw; i += kLanes)
          for (int j = 0; j < kLanes; ++j) part[j] += p[i + j];
        for (; i < hw; ++i) tail += p[i];
      }
      for (float v : part) tail += v;
      dbp[k] = tail;
    }
  });
  return db;
}

}  // namespace

Conv2dGrads conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                            const Conv2dOptions& options, std::array<bool, 3> output_mask) {
  CONVCORE_CHECK_VALUE(weight.defined() && weight.ndim() == 4,
                       "conv2d_backward: weight must be 4-D [K, C/groups, R, S]");
  Conv2dOptions o = resolve_same_padding(options, weight.size(2), weight.size(3), "conv2d_backward");
  const bool any_pad = std::any_of(o.padding.begin(), o.padding.end(), [](int64_t p) { return p != 0; });
  if (o.padding_mode != PaddingMode::Zeros && any_pad) {
    CONVCORE_CHECK_VALUE(input.defined() && input.ndim() == 4,
                         "conv2d_backward: input must be 4-D [N, C, H, W]");
    const Tensor padded = pad2d(input.detach(), o.padding, o.padding_mode);
    Conv2dOptions inner = o;
    inner.padding = {0, 0, 0, 0};
    inner.padding_mode = PaddingMode::Zeros;
    Conv2dGrads grads = conv2d_backward(grad_output, padded, weight, inner, output_mask);
    if (grads.input.defined())
      grads.input = pad2d_backward(grads.input, o.padding, o.padding_mode, input.size(2), input.size(3));
    return grads;
  }
  o.padding_mode = PaddingMode::Zeros;
  const Conv2dGeometry g = make_conv2d_geometry(input, weight, Tensor(), o, "conv2d_backward");
  CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.shape() == Shape({g.N, g.K, g.OH, g.OW}),
                       "conv2d_backward: grad_output must have the output's shape ",
                       Shape({g.N, g.K, g.OH, g.OW}).str(), ", got ",
                       grad_output.defined() ? grad_output.shape().str() : std::string("nothing"));
  const Conv2dPlan& plan = conv2d_plan(g);
  Conv2dGrads out;
  if (output_mask[0]) out.input = backward_data(g, plan, grad_output, weight);
  if (output_mask[1]) out.weight = backward_weight(g, plan, grad_output, input);
  if (output_mask[2]) out.bias = backward_bias(g, grad_output);
  return out;
}

}  // namespace convcore
