// conv2d forward on the GEMM paths (pointwise and implicit GEMM):
//   y[n, g*Kg : (g+1)*Kg, :] = w_g [Kg, crs] * im2col(x_n,g) [crs, OH*OW] + bias
// with the weights packed once per call and shared by all threads.
#include <algorithm>

#include "ops/conv2d_internal.h"
#include "ops/gemm.h"
#include "ops/gemm_operands.h"
#include "ops/im2col.h"
#include "runtime/parallel.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {

struct ForwardUnit {
  int64_t grp, q0, q1, m0, m1;  // group, positions [q0, q1), output rows [m0, m1) of Kg
  bool one_image;               // positions lie in one image: write y in place
};

ForwardUnit forward_unit(const Conv2dGeometry& g, const Conv2dPlan& p, int64_t u) {
  const int64_t chunks = p.forward_chunks(g), slabs = p.forward_slabs;
  const int64_t grp = u / (chunks * slabs), c = (u / slabs) % chunks, slab = u % slabs;
  const int64_t mr = p.kernels->sgemm_mr, hw = g.hw();
  const EvenSplit tiles{(g.Kg + mr - 1) / mr, slabs};
  ForwardUnit f{grp, 0, 0, tiles.begin(slab) * mr, std::min(g.Kg, tiles.end(slab) * mr), true};
  if (p.images_per_chunk == 1) {
    const int64_t n = c / p.pieces_per_image, piece = c % p.pieces_per_image;
    const EvenSplit split{hw, p.pieces_per_image};
    f.q0 = n * hw + split.begin(piece);
    f.q1 = n * hw + split.end(piece);
  } else {
    f.q0 = c * p.images_per_chunk * hw;
    f.q1 = std::min(g.N, (c + 1) * p.images_per_chunk) * hw;
    f.one_image = false;
  }
  return f;
}

template <class Source>
void run_unit(const Conv2dGeometry& g, const Conv2dPlan& p, const ForwardUnit& f,
              const PrepackedA& a, const Source& src, const float* bias, float* y) {
  const int64_t hw = g.hw(), rows = f.m1 - f.m0, len = f.q1 - f.q0;
  const int64_t k0 = f.grp * g.Kg + f.m0;  // first output channel
  const auto b = [&](int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) {
    PositionsAsColumns<Source>{src}(p0, k, f.q0 + j0, n, NR, dst);
  };
  float* c;
  int64_t ldc;
  if (f.one_image) {  // straight into y
    const int64_t n = f.q0 / hw;
    c = y + (n * g.K + k0) * hw + (f.q0 - n * hw);
    ldc = hw;
  } else {  // several images: a [rows, len] buffer, scattered below
    c = thread_workspace(kWsCol, static_cast<size_t>(rows * len));
    ldc = len;
  }
  if (bias)
    for (int64_t i = 0; i < rows; ++i) std::fill(c + i * ldc, c + i * ldc + len, bias[k0 + i]);
  gemm_serial(*p.kernels, rows, len, g.crs(), a, b, c, ldc, bias != nullptr);
  if (!f.one_image)
    for (int64_t q = f.q0; q < f.q1; q += hw) {
      const int64_t n = q / hw;
      for (int64_t i = 0; i < rows; ++i)
        std::copy(c + i * len + (q - f.q0), c + i * len + (q - f.q0) + hw, y + (n * g.K + k0 + i) * hw);
    }
}

}  // namespace

void conv2d_forward_gemm(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                         const float* w, const float* bias, float* y) {
  const kernels::KernelTable& kt = *p.kernels;
  const int64_t crs = g.crs(), per_group = prepacked_a_size(kt, g.Kg, crs);
  float* packed = thread_workspace(kWsWeights, static_cast<size_t>(g.G * per_group));
  parallel_for(0, g.G, [&](int64_t lo, int64_t hi, int) {
    for (int64_t grp = lo; grp < hi; ++grp)
      prepack_a(kt, g.Kg, crs, StridedPackA{w + grp * g.Kg * crs, crs, 1}, packed + grp * per_group);
  });
  const int64_t units = g.G * p.forward_chunks(g) * p.forward_slabs;
  parallel_for(0, units, [&](int64_t lo, int64_t hi, int) {
    for (int64_t u = lo; u < hi; ++u) {
      const ForwardUnit f = forward_unit(g, p, u);
      if (f.m0 >= f.m1 || f.q0 >= f.q1) continue;
      const PrepackedA a{packed + f.grp * per_group, (g.Kg + kt.sgemm_mr - 1) / kt.sgemm_mr * kt.sgemm_mr, f.m0};
      const float* xg = x + f.grp * g.Cg * g.in_plane();
      if (p.algo == Conv2dAlgo::Pointwise)
        run_unit(g, p, f, a, PlaneSource{xg, g.in_plane(), g.C * g.in_plane()}, bias, y);
      else
        run_unit(g, p, f, a, Im2colSource{&g, xg, g.C * g.in_plane()}, bias, y);
    }
  });
}

void conv2d_forward_depthwise(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                              const float* w, const float* bias, float* y) {
  const auto dg = depthwise_geometry(g);
  parallel_for(0, g.N * g.K, [&](int64_t lo, int64_t hi, int) {
    for (int64_t i = lo; i < hi; ++i) {
      const int64_t n = i / g.K, k = i % g.K, c = k / g.Kg;
      p.kernels->depthwise_forward(dg, x + (n * g.C + c) * g.in_plane(), w + k * g.R * g.S,
                                   bias ? bias[k] : 0.0f, y + i * g.hw());
    }
  });
}

}  // namespace convcore
