// conv3d backward passes on raw pointers:
//
//   grad_input  = at stride 1 (p <= d*(r-1)) a forward convolution of dy with
//                 the flipped, channel-swapped kernel; otherwise
//                 col2vol(w_g^T * dy) in cache-sized pieces of positions
//   grad_weight = sum over positions of dy * vol2col(x)^T, split into ranges
//                 summed in private buffers, added in thread order
//
// Results depend only on the thread count.
#include <algorithm>
#include <limits>
#include <vector>

#include "ops/conv2d_plan.h"  // EvenSplit
#include "ops/conv3d_internal.h"
#include "ops/gemm.h"
#include "ops/gemm_operands.h"
#include "ops/vol2col.h"
#include "runtime/parallel.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {

// The [ctrs, len] vol2col-gradient buffer holds about 1 MiB.
int64_t col_chunk(const Conv3dGeometry& g) {
  return std::max<int64_t>(kConv3dMinColumns, (int64_t{1} << 18) / g.ctrs());
}

void backward_data_as_forward(const Conv3dGeometry& g, const float* dy, const float* w, float* dx) {
  // wt [C, Kg, T, R, S]: wt[grp*Cg + c][k][flipped tap] = w[grp*Kg + k][c][tap]
  const int64_t taps = g.taps();
  std::vector<float> wt(static_cast<size_t>(g.K * g.ctrs()));
  for (int64_t grp = 0; grp < g.G; ++grp)
    for (int64_t k = 0; k < g.Kg; ++k)
      for (int64_t c = 0; c < g.Cg; ++c)
        for (int64_t i = 0; i < taps; ++i)
          wt[static_cast<size_t>(((grp * g.Cg + c) * g.Kg + k) * taps + (taps - 1 - i))] =
              w[((grp * g.Kg + k) * g.Cg + c) * taps + i];
  conv3d_forward_raw(backward_input_as_forward(g), dy, wt.data(), nullptr, dx);
}

// dx of image n, group grp (zeroed by the caller) from dy, piece by piece:
//   dcol [ctrs, len] = w_g^T [ctrs, Kg] * dy [Kg, len], then col2vol.
// shared: the caller is outside any parallel region and each piece's GEMM
// (by rows) and col2vol (by channels) are split across the threads.
void backward_data_image(const Conv3dGeometry& g, const kernels::KernelTable& kt, const PrepackedA& wt,
                         const float* dy, float* dx, int64_t grp, int64_t n, bool shared) {
  const int64_t ctrs = g.ctrs(), vol = g.out_volume(), in_vol = g.in_volume();
  const int64_t chunk = std::min(col_chunk(g), vol);
  float* dxg = dx + grp * g.Cg * in_vol;
  const PlaneSource dys{dy + grp * g.Kg * vol, vol, g.K * vol};
  float* col = thread_workspace(kWsCol, static_cast<size_t>(ctrs * chunk));
  for (int64_t q0 = n * vol; q0 < (n + 1) * vol; q0 += chunk) {
    const int64_t len = std::min(chunk, (n + 1) * vol - q0);
    const auto b = [&](int64_t p0, int64_t k, int64_t j0, int64_t cols, int NR, float* dst) {
      PositionsAsColumns<PlaneSource>{dys}(p0, k, q0 + j0, cols, NR, dst);
    };
    if (!shared) {
      gemm_serial(kt, ctrs, len, g.Kg, wt, b, col, len, false);
      for (int64_t r = 0; r < ctrs; ++r) col2vol_run_add(g, col + r * len, r, q0, len, dxg, g.C * in_vol);
      continue;
    }
    const int64_t mr = kt.sgemm_mr, tiles = (ctrs + mr - 1) / mr;
    parallel_for(0, tiles, [&](int64_t lo, int64_t hi, int) {
      const int64_t r0 = lo * mr, r1 = std::min(ctrs, hi * mr);
      PrepackedA slab = wt;
      slab.row_offset = r0;
      gemm_serial(kt, r1 - r0, len, g.Kg, slab, b, col + r0 * len, len, false);
    });
    // The rows of one input channel write only that channel's volume.
    parallel_for(0, g.Cg, [&](int64_t lo, int64_t hi, int) {
      for (int64_t r = lo * g.taps(); r < hi * g.taps(); ++r)
        col2vol_run_add(g, col + r * len, r, q0, len, dxg, g.C * in_vol);
    });
  }
}

}  // namespace

void conv3d_backward_data_raw(const Conv3dGeometry& g, const float* dy, const float* w, float* dx) {
  const int64_t in_vol = g.in_volume();
  if (g.N * g.C * in_vol == 0) return;
  if (g.out_volume() == 0 || g.K == 0) {
    std::fill(dx, dx + g.N * g.C * in_vol, 0.0f);
    return;
  }
  if (backward_input_is_forward(g)) {
    backward_data_as_forward(g, dy, w, dx);
    return;
  }
  // w_g^T [ctrs, Kg], packed once per call.
  const kernels::KernelTable& kt = kernels::active();
  const int64_t ctrs = g.ctrs(), per_group = prepacked_a_size(kt, ctrs, g.Kg);
  const int64_t m_padded = (ctrs + kt.sgemm_mr - 1) / kt.sgemm_mr * kt.sgemm_mr;
  float* packed = thread_workspace(kWsWeights, static_cast<size_t>(g.G * per_group));
  prepack_a_groups(kt, g.G, ctrs, g.Kg,
                   [&](int64_t grp) { return StridedPackA{w + grp * g.Kg * ctrs, 1, ctrs}; }, packed);
  const auto wt = [&](int64_t grp) { return PrepackedA{packed + grp * per_group, m_padded, 0}; };
  const int64_t units = g.G * g.N;  // (group, image): disjoint slabs of dx
  parallel_for(0, g.N * g.C, [&](int64_t lo, int64_t hi, int) {
    std::fill(dx + lo * in_vol, dx + hi * in_vol, 0.0f);
  });
  if (units < parallel_threads(std::numeric_limits<int64_t>::max())) {
    for (int64_t u = 0; u < units; ++u) backward_data_image(g, kt, wt(u / g.N), dy, dx, u / g.N, u % g.N, true);
    return;
  }
  parallel_for(0, units, [&](int64_t lo, int64_t hi, int) {
    for (int64_t u = lo; u < hi; ++u) backward_data_image(g, kt, wt(u / g.N), dy, dx, u / g.N, u % g.N, false);
  });
}

void conv3d_backward_weight_raw(const Conv3dGeometry& g, const float* dy, const float* x, float* dw) {
  const int64_t ctrs = g.ctrs(), vol = g.out_volume(), in_vol = g.in_volume(), wsize = g.K * ctrs;
  std::fill(dw, dw + wsize, 0.0f);
  const int64_t positions = g.N * vol;
  if (positions == 0 || wsize == 0) return;
  const kernels::KernelTable& kt = kernels::active();
  // Enough position ranges per group to give every thread work, none narrower than the minimum.
  const int64_t threads = parallel_threads(g.G * positions);
  const int64_t parts = std::clamp((threads + g.G - 1) / g.G, int64_t{1},
                                   std::max<int64_t>(1, positions / kConv3dMinColumns));
  const int64_t units = g.G * parts;
  const EvenSplit split{positions, parts};
  std::vector<float*> partial(static_cast<size_t>(parallel_threads(units)), nullptr);
  parallel_for(0, units, [&](int64_t lo, int64_t hi, int t) {
    float* acc = thread_workspace(kWsReduce, static_cast<size_t>(wsize));
    std::fill(acc, acc + wsize, 0.0f);
    partial[static_cast<size_t>(t)] = acc;
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t grp = u / parts, q0 = split.begin(u % parts), q1 = split.end(u % parts);
      if (q0 == q1) continue;
      // dw_g [Kg, ctrs] += dy_g [Kg, positions] * vol2col(x_g)^T [positions, ctrs]
      const RowsAsSlivers<PlaneSource> dys{{dy + grp * g.Kg * vol, vol, g.K * vol}, kt.transpose};
      const RowsAsColumnsTransposed<Vol2colSource> xs{{{&g, x + grp * g.Cg * in_vol, g.C * in_vol}}};
      const auto a = [&](int64_t i0, int64_t m, int64_t p0, int64_t k, int MR, float* dst) {
        dys(i0, m, q0 + p0, k, MR, dst);
      };
      const auto b = [&](int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) {
        xs(q0 + p0, k, j0, n, NR, dst);
      };
      gemm_serial(kt, g.Kg, ctrs, q1 - q0, a, b, acc + grp * g.Kg * ctrs, ctrs, true);
    }
  });
  parallel_for(0, wsize, [&](int64_t lo, int64_t hi, int) {
    for (const float* part : partial)
      if (part)
        for (int64_t i = lo; i < hi; ++i) dw[i] += part[i];
  });
}

}  // namespace convcore
