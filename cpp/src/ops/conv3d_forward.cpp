// conv3d forward as an implicit GEMM per group:
//   y[n, g*Kg : (g+1)*Kg, :] = w_g [Kg, Cg*T*R*S] * vol2col(x_n,g) [Cg*T*R*S, OD*OH*OW] + bias
// The weights are packed once per call and shared by all threads; the B
// operand is packed straight from the input volume by Vol2colSource, so no
// vol2col matrix is stored.
//
// Work is cut along output positions q = n * OD*OH*OW + ..., which run
// across the images of the batch: a large volume is one chunk per image
// (split into pieces when there are few images per thread), small volumes
// are batched several images to a chunk so each GEMM has enough columns.
// Deliberately left out: a direct kernel for depthwise 3D (it runs on the
// GEMM with M = channel multiplier), a padded-grid path at stride 1.
#include <algorithm>

#include "ops/conv2d_plan.h"  // EvenSplit
#include "ops/conv3d_internal.h"
#include "ops/gemm.h"
#include "ops/gemm_operands.h"
#include "ops/vol2col.h"
#include "runtime/parallel.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {

struct ForwardSplit {
  int64_t images_per_chunk = 1, pieces_per_image = 1;
  int64_t chunks_per_group(int64_t N) const {
    return (N + images_per_chunk - 1) / images_per_chunk * pieces_per_image;
  }
};

// Depends only on the shape and the thread count, so results do too.
ForwardSplit forward_split(const Conv3dGeometry& g, int64_t threads) {
  ForwardSplit s;
  const int64_t vol = g.out_volume(), units = g.N * g.G;
  if (vol >= kConv3dMinColumns) {
    // About four units per thread evens out the load; no piece under the minimum width.
    if (units < 4 * threads)
      s.pieces_per_image = std::clamp((4 * threads + units - 1) / units, int64_t{1},
                                      vol / kConv3dMinColumns);
  } else {
    const int64_t wide = (kConv3dMinColumns + vol - 1) / vol, keep_threads = units / threads;
    s.images_per_chunk = std::clamp(std::min(wide, keep_threads), int64_t{1}, g.N);
  }
  return s;
}

}  // namespace

void conv3d_forward_raw(const Conv3dGeometry& g, const float* x, const float* w, const float* bias,
                        float* y) {
  if (g.N == 0 || g.K == 0 || g.out_volume() == 0) return;
  const kernels::KernelTable& kt = kernels::active();
  const int64_t ctrs = g.ctrs(), vol = g.out_volume(), in_vol = g.in_volume();
  const int64_t per_group = prepacked_a_size(kt, g.Kg, ctrs);
  const int64_t m_padded = (g.Kg + kt.sgemm_mr - 1) / kt.sgemm_mr * kt.sgemm_mr;
  float* packed = thread_workspace(kWsWeights, static_cast<size_t>(g.G * per_group));
  prepack_a_groups(kt, g.G, g.Kg, ctrs,
                   [&](int64_t grp) { return StridedPackA{w + grp * g.Kg * ctrs, ctrs, 1}; }, packed);

  const ForwardSplit split = forward_split(g, parallel_threads(g.N * g.G * vol));
  const int64_t chunks = split.chunks_per_group(g.N), pieces = split.pieces_per_image;
  parallel_for(0, g.G * chunks, [&](int64_t lo, int64_t hi, int) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t grp = u / chunks, c = u % chunks;
      const int64_t n0 = (c / pieces) * split.images_per_chunk;
      const int64_t n1 = std::min(g.N, n0 + split.images_per_chunk);
      int64_t q0 = n0 * vol, q1 = n1 * vol;
      if (pieces > 1) {
        const EvenSplit part{vol, pieces};
        q1 = q0 + part.end(c % pieces);
        q0 += part.begin(c % pieces);
      }
      const int64_t len = q1 - q0, k0 = grp * g.Kg;
      const PrepackedA a{packed + grp * per_group, m_padded, 0};
      const PositionsAsColumns<Vol2colSource> pack{{&g, x + grp * g.Cg * in_vol, g.C * in_vol}};
      const auto b = [&](int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) {
        pack(p0, k, q0 + j0, n, NR, dst);
      };
      // One image: straight into y. Several: through a [Kg, len] buffer.
      const bool direct = n1 - n0 == 1;
      float* out = direct ? y + (n0 * g.K + k0) * vol + (q0 - n0 * vol)
                          : thread_workspace(kWsCol, static_cast<size_t>(g.Kg * len));
      const int64_t ldc = direct ? vol : len;
      if (bias)
        for (int64_t i = 0; i < g.Kg; ++i) std::fill(out + i * ldc, out + i * ldc + len, bias[k0 + i]);
      gemm_serial(kt, g.Kg, len, ctrs, a, b, out, ldc, bias != nullptr);
      if (!direct)
        for (int64_t n = n0; n < n1; ++n)
          for (int64_t i = 0; i < g.Kg; ++i) {
            const float* from = out + i * len + (n - n0) * vol;
            std::copy(from, from + vol, y + (n * g.K + k0 + i) * vol);
          }
    }
  });
}

}  // namespace convcore
