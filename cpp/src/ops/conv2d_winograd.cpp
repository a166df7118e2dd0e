// conv2d by Winograd's minimal filtering F(4x4, 3x3) (Conv2dAlgo::Winograd):
// 3x3 kernels, stride 1, dilation 1, one group. Each 4x4 tile of outputs
// comes from a 6x6 patch of input, and in the transformed domain
// (kernels/winograd.inc) the sum over input channels becomes 36 independent
// matrix products, one per point p of the 6x6 tile:
//
//   M_p [K, tiles] = U_p [K, C] * V_p [C, tiles]
//     U_p = (G w G^T)[p], the filters' transforms, made once per call
//     V_p = (B^T d B)[p], the input patches' transforms
//   y tile = A^T M A (+ bias)
//
// 36 multiply-adds per (input, output) channel pair and 16 outputs instead
// of 144: a quarter of the direct product's, for transforms whose cost grows
// with C and K only, not with their product.
//
// Tiles (n, ty, tx), numbered in that order, are processed in blocks whose
// transforms stay in L2, each block by one thread (or, when blocks are fewer
// than threads, by several, each for a slab of the output channels). A
// block first copies its tile rows' input into zero-padded bands, so that
// reading patches (stride-4 deinterleaves) and writing output tiles run
// branch-free along vectors of tiles:
//   V: [36][slivers][C][lanes]  each (p, sliver) a packed B operand of the micro-kernel
//   M: [36][rows][block]        rows = the slab's output channels, rounded up to MR
//   U: [36][K / MR][C][MR]      each (p, row tile) a packed A operand, rows past K zero
#include <algorithm>
#include <vector>

#include "ops/conv2d_internal.h"
#include "runtime/parallel.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {

constexpr int kPoints = 36, kMaxLanes = 32;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// u: [36][ceil(K/MR)][C][MR], see the file comment. The filter kernel's
// lanes run along the MR output channels of one row tile (MR <= lanes), so
// each (point, channel) is one contiguous run of MR values, the layout the
// micro-kernel reads. Rows k >= K are zero.
void transform_filters(const Conv2dGeometry& g, const kernels::KernelTable& kt, const float* w,
                       float* u) {
  const int mr = kt.sgemm_mr, L = kt.winograd_lanes;
  const int64_t row_tiles = ceil_div(g.K, mr), per_point = row_tiles * mr * g.C;
  parallel_for(0, row_tiles, [&](int64_t lo, int64_t hi, int) {
    alignas(64) float f[9 * kMaxLanes] = {}, out[kPoints * kMaxLanes];
    for (int64_t tile = lo; tile < hi; ++tile) {
      const int rows = static_cast<int>(std::min<int64_t>(mr, g.K - tile * mr));
      for (int64_t c = 0; c < g.C; ++c) {
        for (int i = 0; i < rows; ++i) {
          const float* src = w + ((tile * mr + i) * g.C + c) * 9;
          for (int tap = 0; tap < 9; ++tap) f[tap * L + i] = src[tap];
        }
        kt.winograd_filter(f, out);
        float* dst = u + (tile * g.C + c) * mr;
        for (int p = 0; p < kPoints; ++p)  // (a loop: too short for a memcpy call to pay)
          for (int i = 0; i < mr; ++i) dst[p * per_point + i] = i < rows ? out[p * L + i] : 0.0f;
      }
    }
  });
}

// A tile row (n, ty) is tile-row index n * th + ty. Its 6 input rows, for
// every channel, are copied into a zero-padded band [C][6][4*tw + 2], so
// that every tile's patch is a plain 6x6 window of it, 4 columns after the
// last one's.
struct TileGrid {
  int64_t th, tw, band_width;
  explicit TileGrid(const Conv2dGeometry& g)
      : th(ceil_div(g.OH, 4)), tw(ceil_div(g.OW, 4)), band_width(4 * tw + 2) {}
  int64_t band_size(const Conv2dGeometry& g) const { return g.C * 6 * band_width; }
};

void fill_band(const Conv2dGeometry& g, const TileGrid& grid, const float* x, int64_t tile_row,
               float* band) {
  const int64_t n = tile_row / grid.th, ih0 = tile_row % grid.th * 4 - g.pt;
  const int64_t wb = grid.band_width;
  // Band columns [lo, hi) hold image columns [lo - pl, hi - pl); the rest are padding.
  const int64_t lo = std::min(g.pl, wb), hi = std::clamp(g.pl + g.W, lo, wb);
  for (int64_t c = 0; c < g.C; ++c) {
    const float* plane = x + (n * g.C + c) * g.in_plane();
    for (int64_t i = 0; i < 6; ++i) {
      float* row = band + (c * 6 + i) * wb;
      const int64_t ih = ih0 + i;
      if (ih < 0 || ih >= g.H) {
        std::fill(row, row + wb, 0.0f);
        continue;
      }
      std::fill(row, row + lo, 0.0f);
      std::copy(plane + ih * g.W + (lo - g.pl), plane + ih * g.W + (hi - g.pl), row + lo);
      std::fill(row + hi, row + wb, 0.0f);
    }
  }
}

// Consecutive tiles of one tile row that share a sliver of lanes.
struct TileRun {
  int64_t lane, count;  // lanes [lane, lane + count) of the sliver
  int64_t tile_row, tx0;
};

// The runs of sliver tiles [first, first + count) (grid numbering).
void sliver_runs(const TileGrid& grid, int64_t first, int64_t count, std::vector<TileRun>& runs) {
  runs.clear();
  for (int64_t l = 0; l < count;) {
    const int64_t t = first + l, tx0 = t % grid.tw, n = std::min(count - l, grid.tw - tx0);
    runs.push_back({l, n, t / grid.tw, tx0});
    l += n;
  }
}

// One unit: tiles [t0, t0 + tiles) of the grid, output channels [k0, k1)
// (k0 a multiple of MR). Workspaces: kWsPackA (bands), kWsPad (V), kWsCol (M).
void winograd_unit(const Conv2dGeometry& g, const Conv2dPlan& p, const float* u, const float* x,
                   const float* bias, float* y, int64_t t0, int64_t tiles, int64_t k0, int64_t k1) {
  const kernels::KernelTable& kt = *p.kernels;
  const int L = kt.winograd_lanes, mr = kt.sgemm_mr;
  const TileGrid grid(g);
  const int64_t slivers = ceil_div(tiles, L), block = slivers * L;
  const int64_t rows = ceil_div(k1 - k0, mr) * mr, u_point = ceil_div(g.K, mr) * mr * g.C;
  const int64_t row0 = t0 / grid.tw, bands = (t0 + tiles - 1) / grid.tw - row0 + 1;
  float* band = thread_workspace(kWsPackA, static_cast<size_t>(bands * grid.band_size(g)));
  float* v = thread_workspace(kWsPad, static_cast<size_t>(kPoints * block * g.C));
  float* m = thread_workspace(kWsCol, static_cast<size_t>(kPoints * rows * block));
  alignas(64) float buf[kPoints * kMaxLanes];  // gathered patches, then output tiles
  std::vector<TileRun> runs;

  for (int64_t b = 0; b < bands; ++b) fill_band(g, grid, x, row0 + b, band + b * grid.band_size(g));
  // V_p for every point p, a sliver of tiles and one channel at a time.
  for (int64_t s = 0; s < slivers; ++s) {
    sliver_runs(grid, t0 + s * L, std::min<int64_t>(L, tiles - s * L), runs);
    std::fill(buf, buf + kPoints * L, 0.0f);  // lanes past the last tile stay zero
    for (int64_t c = 0; c < g.C; ++c) {
      for (const TileRun& r : runs) {
        const float* src = band + (r.tile_row - row0) * grid.band_size(g) + c * 6 * grid.band_width;
        kt.winograd_gather(src + 4 * r.tx0, grid.band_width, static_cast<int>(r.count), buf + r.lane);
      }
      kt.winograd_input(buf, v + (s * g.C + c) * L, slivers * g.C * L);
    }
  }
  // M_p = U_p V_p: the micro-kernel straight on the packed operands.
  for (int pt = 0; pt < kPoints; ++pt)
    for (int64_t s = 0; s < slivers; ++s) {
      const float* b = v + (pt * slivers + s) * g.C * L;
      for (int64_t r = 0; r < rows; r += mr)
        kt.sgemm(g.C, u + pt * u_point + (k0 + r) * g.C, b, m + (pt * rows + r) * block + s * L, block,
                 false);
    }
  // y = A^T M A + bias, run by run; a last tile that overhangs OW is clipped here.
  for (int64_t s = 0; s < slivers; ++s) {
    sliver_runs(grid, t0 + s * L, std::min<int64_t>(L, tiles - s * L), runs);
    for (int64_t k = k0; k < k1; ++k) {
      const float add = bias ? bias[k] : 0.0f;
      kt.winograd_output(m + (k - k0) * block + s * L, rows * block, buf);
      for (const TileRun& r : runs) {
        const int64_t n = r.tile_row / grid.th, oh0 = r.tile_row % grid.th * 4, ow0 = 4 * r.tx0;
        const int oh_n = static_cast<int>(std::min<int64_t>(4, g.OH - oh0));
        const int64_t full = std::min(r.count, (g.OW - ow0) / 4);
        float* dst = y + ((n * g.K + k) * g.OH + oh0) * g.OW + ow0;
        kt.winograd_scatter(buf + r.lane, static_cast<int>(full), oh_n, add, dst, g.OW);
        if (full == r.count) continue;
        const int64_t l = r.lane + full, ow_n = g.OW - ow0 - 4 * full;
        for (int a = 0; a < oh_n; ++a)
          for (int64_t b = 0; b < ow_n; ++b) dst[a * g.OW + 4 * full + b] = buf[(a * 4 + b) * L + l] + add;
      }
    }
  }
}

}  // namespace

void conv2d_forward_winograd(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                             const float* w, const float* bias, float* y) {
  const kernels::KernelTable& kt = *p.kernels;
  const int mr = kt.sgemm_mr;
  const int64_t row_tiles = ceil_div(g.K, mr);
  float* u = thread_workspace(kWsWeights, static_cast<size_t>(kPoints * row_tiles * mr * g.C));
  transform_filters(g, kt, w, u);
  const int64_t total = winograd_tiles(g), blocks = ceil_div(total, p.winograd_block);
  const EvenSplit slabs{row_tiles, p.winograd_slabs};
  parallel_for(0, blocks * p.winograd_slabs, [&](int64_t lo, int64_t hi, int) {
    for (int64_t unit = lo; unit < hi; ++unit) {
      const int64_t b = unit / p.winograd_slabs, slab = unit % p.winograd_slabs;
      const int64_t t0 = b * p.winograd_block, k0 = slabs.begin(slab) * mr;
      const int64_t k1 = std::min(g.K, slabs.end(slab) * mr);
      if (k0 < k1)
        winograd_unit(g, p, u, x, bias, y, t0, std::min(p.winograd_block, total - t0), k0, k1);
    }
  });
}

}  // namespace convcore
