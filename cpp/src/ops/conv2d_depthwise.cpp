// conv2d with groups == C (depthwise): forward and both gradients on the
// direct kernels of kernels/depthwise_conv2d.inc, threaded over planes.
//
// The forward and weight-gradient kernels read a zero-padded copy of each
// input plane (made here, per thread, in the kWsPad workspace), wide enough
// that their column tiles need no bounds checks. At stride 1 the input
// gradient is itself a depthwise forward pass: of dy, padded by
// d*(r-1) - p, with the filter rotated by 180 degrees.
#include <algorithm>
#include <functional>
#include <vector>

#include "ops/conv2d_internal.h"
#include "runtime/parallel.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {

// A plane of h x w copied into a zero buffer of hp x wp at (top, left).
void pad_plane(const float* src, int64_t h, int64_t w, int64_t top, int64_t left, int64_t hp,
               int64_t wp, float* dst) {
  std::fill(dst, dst + top * wp, 0.0f);
  for (int64_t i = 0; i < h; ++i) {
    float* row = dst + (top + i) * wp;
    std::fill(row, row + left, 0.0f);
    std::copy(src + i * w, src + (i + 1) * w, row + left);
    std::fill(row + left + w, row + wp, 0.0f);
  }
  std::fill(dst + (top + h) * wp, dst + hp * wp, 0.0f);
}

// The kernel geometry over a padded plane, and the padding that makes it.
struct PaddedPlane {
  kernels::DepthwiseGeometry g;  // pad_top = pad_left = 0, H x W the padded size
  int64_t top, left, h, w;       // where the original h x w plane sits
  void fill(const float* src, float* dst) const { pad_plane(src, h, w, top, left, g.H, g.W, dst); }
  int64_t size() const { return g.H * g.W; }
};

PaddedPlane padded_input(const Conv2dGeometry& c, int cols) {
  PaddedPlane p{depthwise_geometry(c), c.pt, c.pl, c.H, c.W};
  p.g.H = c.H + c.pt + c.pb;
  p.g.W = std::max(c.W + c.pl + c.pr, kernels::depthwise_padded_width(p.g, cols));
  p.g.pad_top = p.g.pad_left = 0;
  return p;
}

// At stride 1: dx = depthwise conv of dy padded by d*(r-1) - p, flipped filter.
bool data_grad_is_forward(const Conv2dGeometry& g) {
  const int64_t eh = g.dh * (g.R - 1), ew = g.dw * (g.S - 1);
  return g.sh == 1 && g.sw == 1 && g.pt <= eh && g.pb <= eh && g.pl <= ew && g.pr <= ew;
}

PaddedPlane padded_grad_output(const Conv2dGeometry& c, int cols) {
  const int64_t eh = c.dh * (c.R - 1), ew = c.dw * (c.S - 1);
  PaddedPlane p{{}, eh - c.pt, ew - c.pl, c.OH, c.OW};
  p.g = {c.OH + 2 * eh - c.pt - c.pb, 0, c.H, c.W, c.R, c.S, 1, 1, 0, 0, c.dh, c.dw};
  p.g.W = std::max(c.OW + 2 * ew - c.pl - c.pr, kernels::depthwise_padded_width(p.g, cols));
  return p;
}

}  // namespace

void conv2d_forward_depthwise(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                              const float* w, const float* bias, float* y) {
  const PaddedPlane in = padded_input(g, p.kernels->depthwise_cols);
  parallel_for(0, g.N * g.C, [&](int64_t lo, int64_t hi, int) {
    float* xp = thread_workspace(kWsPad, static_cast<size_t>(in.size()));
    for (int64_t i = lo; i < hi; ++i) {  // input plane i = (n, c) feeds outputs c*Kg ... c*Kg + Kg-1
      in.fill(x + i * g.in_plane(), xp);
      const int64_t n = i / g.C, c = i % g.C;
      for (int64_t k = c * g.Kg; k < (c + 1) * g.Kg; ++k)
        p.kernels->depthwise_forward(in.g, xp, w + k * g.R * g.S, bias ? bias[k] : 0.0f,
                                     y + (n * g.K + k) * g.hw());
    }
  });
}

void conv2d_backward_data_depthwise(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                                    const float* w, float* dx) {
  const int64_t rs = g.R * g.S, plane = g.in_plane();
  if (!data_grad_is_forward(g)) {
    const auto dg = depthwise_geometry(g);
    parallel_for(0, g.N * g.C, [&](int64_t lo, int64_t hi, int) {
      for (int64_t i = lo; i < hi; ++i) {  // input plane i = (n, c) gathers its Kg outputs
        float* dxp = dx + i * plane;
        std::fill(dxp, dxp + plane, 0.0f);
        const int64_t n = i / g.C, c = i % g.C;
        for (int64_t k = c * g.Kg; k < (c + 1) * g.Kg; ++k)
          p.kernels->depthwise_backward_data(dg, dy + (n * g.K + k) * g.hw(), w + k * rs, dxp);
      }
    });
    return;
  }
  std::vector<float> flipped(static_cast<size_t>(g.K * rs));
  for (int64_t k = 0; k < g.K; ++k)
    for (int64_t i = 0; i < rs; ++i) flipped[static_cast<size_t>(k * rs + rs - 1 - i)] = w[k * rs + i];
  const PaddedPlane out = padded_grad_output(g, p.kernels->depthwise_cols);
  parallel_for(0, g.N * g.C, [&](int64_t lo, int64_t hi, int) {
    float* dyp = thread_workspace(kWsPad, static_cast<size_t>(out.size()));
    float* part = g.Kg > 1 ? thread_workspace(kWsCol, static_cast<size_t>(plane)) : nullptr;
    for (int64_t i = lo; i < hi; ++i) {
      const int64_t n = i / g.C, c = i % g.C;
      float* dxp = dx + i * plane;
      for (int64_t k = c * g.Kg; k < (c + 1) * g.Kg; ++k) {
        out.fill(dy + (n * g.K + k) * g.hw(), dyp);
        const bool first = k == c * g.Kg;
        p.kernels->depthwise_forward(out.g, dyp, flipped.data() + k * rs, 0.0f, first ? dxp : part);
        if (!first) std::transform(dxp, dxp + plane, part, dxp, std::plus<float>());
      }
    }
  });
}

void conv2d_backward_weight_depthwise(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                                      const float* x, float* dw) {
  const PaddedPlane in = padded_input(g, p.kernels->depthwise_cols);
  parallel_for(0, g.K, [&](int64_t lo, int64_t hi, int) {
    float* xp = thread_workspace(kWsPad, static_cast<size_t>(in.size()));
    for (int64_t k = lo; k < hi; ++k)
      for (int64_t n = 0; n < g.N; ++n) {  // images in order: the sum does not depend on threads
        in.fill(x + (n * g.C + k / g.Kg) * g.in_plane(), xp);
        p.kernels->depthwise_backward_weight(in.g, dy + (n * g.K + k) * g.hw(), xp, dw + k * g.R * g.S);
      }
  });
}

}  // namespace convcore
