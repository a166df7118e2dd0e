// conv2d forward on the GEMM paths:
//   y[n, g*Kg : (g+1)*Kg, :] = w_g [Kg, crs] * im2col(x_n,g) [crs, OH*OW] + bias
// with the weights packed once per call and shared by all threads.
//
// Stride-1 convolutions (PaddedGemm) first copy their images into a
// zero-padded buffer (padded_image.h). On its "padded grid" of positions
// every im2col row is a contiguous run, so packing is a plain copy; the
// Wp - OW extra columns per row are computed and dropped on the way out.
#include <algorithm>
#include <optional>
#include <vector>

#include "ops/conv2d_internal.h"
#include "ops/gemm.h"
#include "ops/gemm_operands.h"
#include "ops/im2col.h"
#include "ops/padded_image.h"
#include "runtime/parallel.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {

struct ForwardUnit {
  int64_t grp, n0, n1, piece;  // group, images [n0, n1), piece of one image's positions
  int64_t m0, m1;              // output rows [m0, m1) of the group's Kg
};

ForwardUnit forward_unit(const Conv2dGeometry& g, const Conv2dPlan& p, int64_t u) {
  const int64_t chunks = p.forward_chunks(g), slabs = p.forward_slabs;
  const int64_t grp = u / (chunks * slabs), c = (u / slabs) % chunks, slab = u % slabs;
  const int64_t mr = p.kernels->sgemm_mr;
  const EvenSplit tiles{(g.Kg + mr - 1) / mr, slabs};
  const int64_t first = (c / p.pieces_per_image) * p.images_per_chunk;
  return {grp, first, std::min(g.N, first + p.images_per_chunk), c % p.pieces_per_image,
          tiles.begin(slab) * mr, std::min(g.Kg, tiles.end(slab) * mr)};
}

// Positions [q0, q1) of a unit, out of `per_image` per image, counted from image n_base.
void unit_positions(const Conv2dPlan& p, const ForwardUnit& f, int64_t per_image, int64_t n_base,
                    int64_t& q0, int64_t& q1) {
  const EvenSplit split{per_image, p.pieces_per_image};
  q0 = (f.n0 - n_base) * per_image;
  q1 = (f.n1 - n_base) * per_image;
  if (p.pieces_per_image > 1) q1 = q0 + split.end(f.piece), q0 += split.begin(f.piece);
}

void fill_bias(float* c, int64_t ldc, int64_t rows, int64_t len, const float* bias) {
  for (int64_t i = 0; i < rows; ++i) std::fill(c + i * ldc, c + i * ldc + len, bias[i]);
}

// Im2col / pointwise unit: straight into y when its positions lie in one
// image, else through a [rows, len] buffer scattered image by image.
template <class PackA, class PackB>
void run_positions_unit(const Conv2dGeometry& g, const Conv2dPlan& p, const ForwardUnit& f,
                        const PackA& a, const PackB& pack, const float* bias, float* y) {
  const int64_t hw = g.hw(), rows = f.m1 - f.m0, k0 = f.grp * g.Kg + f.m0;
  int64_t q0, q1;
  unit_positions(p, f, hw, 0, q0, q1);
  const int64_t len = q1 - q0;
  const auto b = [&](int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) {
    pack(p0, k, q0 + j0, n, NR, dst);
  };
  const bool direct = f.n1 - f.n0 == 1;
  float* c = direct ? y + (f.n0 * g.K + k0) * hw + (q0 - f.n0 * hw)
                    : thread_workspace(kWsCol, static_cast<size_t>(rows * len));
  const int64_t ldc = direct ? hw : len;
  if (bias) fill_bias(c, ldc, rows, len, bias + k0);
  gemm_serial(*p.kernels, rows, len, g.crs(), a, b, c, ldc, bias != nullptr);
  if (!direct)
    for (int64_t n = f.n0; n < f.n1; ++n)
      for (int64_t i = 0; i < rows; ++i) {
        const float* from = c + i * len + (n - f.n0) * hw;
        std::copy(from, from + hw, y + (n * g.K + k0 + i) * hw);
      }
}

// Stride-1 unit on the padded grid (see the file comment).
template <class PackA>
void run_padded_unit(const Conv2dGeometry& g, const Conv2dPlan& p, const ForwardUnit& f,
                     const PackA& a, const PaddedImage& img, const float* x, const float* bias,
                     float* y) {
  const int64_t Wp = img.Wp, grid = img.grid(g), images = f.n1 - f.n0;
  int64_t q0, q1;
  unit_positions(p, f, grid, f.n0, q0, q1);
  const int64_t len = q1 - q0;
  // A piece of one image pads only the band of rows its positions read;
  // whole images are padded whole. The last tap's run overhangs the buffer
  // by (S-1)*dw zeros.
  const bool band = images == 1 && p.pieces_per_image > 1;
  const int64_t row0 = band ? q0 / Wp : 0;
  const int64_t in_rows = band ? (q1 + Wp - 1) / Wp - row0 + (g.R - 1) * g.dh : img.Hp;
  const int64_t padded = g.Cg * in_rows * Wp, slack = (g.S - 1) * g.dw;
  float* xp = thread_workspace(kWsPad, static_cast<size_t>(images * padded + slack));
  for (int64_t n = f.n0; n < f.n1; ++n) img.fill(g, x, n, f.grp, xp + (n - f.n0) * padded, row0, in_rows);
  std::fill(xp + images * padded, xp + images * padded + slack, 0.0f);
  const std::vector<int64_t> band_offsets = band ? img.tap_offsets(g, in_rows) : std::vector<int64_t>();

  const int64_t rows = f.m1 - f.m0, k0 = f.grp * g.Kg + f.m0, first = q0 - row0 * Wp;
  const PositionsAsColumns<PlaneSource> pack{{xp, grid, padded, band ? band_offsets.data() : img.off.data()}};
  const auto b = [&](int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) {
    pack(p0, k, first + j0, n, NR, dst);
  };
  float* c = thread_workspace(kWsCol, static_cast<size_t>(rows * len));
  if (bias) fill_bias(c, len, rows, len, bias + k0);
  gemm_serial(*p.kernels, rows, len, g.crs(), a, b, c, len, bias != nullptr);
  // Keep the columns ow < OW of each grid row.
  for (int64_t q = q0; q < q1;) {
    const int64_t n = f.n0 + q / grid, oh = (q % grid) / Wp, ow = q % Wp;
    const int64_t run = std::min(q1 - q, Wp - ow), keep = std::max<int64_t>(0, std::min(run, g.OW - ow));
    for (int64_t i = 0; i < rows && keep > 0; ++i) {
      const float* from = c + i * len + (q - q0);
      std::copy(from, from + keep, y + (n * g.K + k0 + i) * g.hw() + oh * g.OW + ow);
    }
    q += run;
  }
}

}  // namespace

void conv2d_forward_gemm(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                         const float* w, const float* bias, float* y) {
  const kernels::KernelTable& kt = *p.kernels;
  const int64_t crs = g.crs(), per_group = prepacked_a_size(kt, g.Kg, crs);
  const int64_t m_padded = (g.Kg + kt.sgemm_mr - 1) / kt.sgemm_mr * kt.sgemm_mr;
  // Weights shared by several position chunks are packed once, up front.
  // When each group's positions form one chunk, every weight is used by one
  // unit only, for few tiles of columns (batch 1): the micro-kernel then
  // reads them in place, saving the packing pass over them (the 9 MiB of a
  // 512-channel 3x3 layer, a fifth of ResNet-18's time at batch 1).
  const bool prepack = p.forward_chunks(g) > 1;
  float* packed = nullptr;
  if (prepack) {
    packed = thread_workspace(kWsWeights, static_cast<size_t>(g.G * per_group));
    prepack_a_groups(kt, g.G, g.Kg, crs, [&](int64_t grp) { return StridedPackA{w + grp * g.Kg * crs, crs, 1}; },
                     packed);
  }
  std::optional<PaddedImage> img;  // the tap offsets, for PaddedGemm only
  if (p.algo == Conv2dAlgo::PaddedGemm) img.emplace(g);
  const int64_t units = g.G * p.forward_chunks(g) * p.forward_slabs;
  parallel_for(0, units, [&](int64_t lo, int64_t hi, int) {
    for (int64_t u = lo; u < hi; ++u) {
      const ForwardUnit f = forward_unit(g, p, u);
      if (f.m0 >= f.m1 || f.n0 >= f.n1) continue;
      const float* xg = x + f.grp * g.Cg * g.in_plane();
      const auto run = [&](const auto& a) {
        switch (p.algo) {
          case Conv2dAlgo::PaddedGemm:
            return run_padded_unit(g, p, f, a, *img, x, bias, y);
          case Conv2dAlgo::Pointwise:
            return run_positions_unit(
                g, p, f, a, PositionsAsColumns<PlaneSource>{{xg, g.in_plane(), g.C * g.in_plane()}}, bias, y);
          default:
            return run_positions_unit(g, p, f, a, Im2colColumns{{&g, xg, g.C * g.in_plane()}}, bias, y);
        }
      };
      if (prepack)
        run(PrepackedA{packed + f.grp * per_group, m_padded, f.m0});
      else
        run(InPlaceA{w + (f.grp * g.Kg + f.m0) * crs, crs});
    }
  });
}

}  // namespace convcore
