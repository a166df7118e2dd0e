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
//
// The weight gradient (winograd.inc says how) shares the input transform:
// per block, the output gradient's tiles are transformed as V is, into
// Y: [36][slivers][K][lanes], and each thread sums Y_p V_p^T over its blocks'
// tiles (the lanes) into its own [36][K][C]; those are added and taken back
// to 3x3 filters at the end.
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

// How tiles map to the lanes (Conv2dPlan::winograd_batch):
//
//   row mode    tiles numbered (n, ty, tx); a sliver holds L consecutive
//               ones. A tile row (n, ty)'s 6 input rows, for every channel,
//               are copied into a zero-padded band [C][6][4*tw + 2], where
//               each tile's patch is a 6x6 window 4 columns after the last
//               one's; a sliver's patches are gathered from runs of them.
//   batch mode  narrow maps at batch >= L: sliver (group, ty, tx) holds the
//               same tile of the L images of one group (lane l: image
//               group * L + l, zero past N). Its band [C][6][4*tw + 2][L]
//               interleaves those images, lanes innermost, so every patch
//               element is one vector of the band, read in place.
//
// A band row r (a "tile row") is (n, ty) or (group, ty): index r = n * th + ty
// or group * th + ty. The output gradient's bands are the same with 4 rows
// of 4*tw columns.
struct TileGrid {
  int64_t th, tw, lanes;
  bool batch;
  TileGrid(const Conv2dGeometry& g, const Conv2dPlan& p)
      : th(ceil_div(g.OH, 4)), tw(ceil_div(g.OW, 4)), lanes(p.kernels->winograd_lanes),
        batch(p.winograd_batch) {}
  int64_t width(int size) const { return size == 6 ? 4 * tw + 2 : 4 * tw; }  // band columns
  int64_t band_size(int64_t channels, int size) const {
    return channels * size * width(size) * (batch ? lanes : 1);
  }
};

// Fills band row r of `channels` planes [height][width] per image (image n's
// at planes + n * image_stride): rows r0 .. r0 + size of the map, band column
// j holding map column j - left, zeros outside the map (and past N).
void fill_band(const Conv2dGeometry& g, const kernels::KernelTable& kt, const TileGrid& grid,
               const float* planes, int64_t image_stride, int64_t channels, int64_t height,
               int64_t width, int size, int64_t r, int64_t left, float* band) {
  const int64_t wb = grid.width(size), r0 = r % grid.th * 4 - (size == 6 ? g.pt : 0);
  const int64_t lo = std::min(left, wb), hi = std::clamp(left + width, lo, wb);
  if (!grid.batch) {
    const float* image = planes + r / grid.th * image_stride;
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < size; ++i) {
        float* row = band + (c * size + i) * wb;
        const int64_t h = r0 + i;
        if (h < 0 || h >= height) {
          std::fill(row, row + wb, 0.0f);
          continue;
        }
        const float* src = image + (c * height + h) * width + (lo - left);  // map column lo - left
        std::fill(row, row + lo, 0.0f);
        std::copy(src, src + (hi - lo), row + lo);
        std::fill(row + hi, row + wb, 0.0f);
      }
    return;
  }
  const int64_t L = grid.lanes, n0 = r / grid.th * L, images = std::clamp<int64_t>(g.N - n0, 0, L);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < size; ++i) {
      float* row = band + (c * size + i) * wb * L;
      const int64_t h = r0 + i;
      if (h < 0 || h >= height) {
        std::fill(row, row + wb * L, 0.0f);
        continue;
      }
      std::fill(row, row + lo * L, 0.0f);
      std::fill(row + hi * L, row + wb * L, 0.0f);
      // [images][columns] -> [columns][L]: the images' rows, interleaved.
      const float* src = planes + n0 * image_stride + (c * height + h) * width + (lo - left);
      kt.transpose(images, hi - lo, src, image_stride, row + lo * L, L);
      if (images < L)  // lanes past the last image
        for (int64_t j = lo; j < hi; ++j) std::fill(row + j * L + images, row + (j + 1) * L, 0.0f);
    }
}

// Row mode: consecutive tiles of one tile row that share a sliver of lanes.
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

// One block: tiles [t0, t0 + tiles) (batch mode: whole slivers, tile t in
// lane t % L of sliver t / L), its slivers and the band rows they touch.
struct TileBlock {
  int64_t t0, tiles, slivers, row0, rows;
  TileBlock(const TileGrid& grid, int64_t first, int64_t count)
      : t0(first), tiles(count), slivers(ceil_div(count, grid.lanes)) {
    const int64_t per_row = grid.batch ? grid.tw * grid.lanes : grid.tw;
    row0 = first / per_row;
    rows = (first + count - 1) / per_row - row0 + 1;
  }
};

// A block's bands for `channels` planes per image, one after another (kWsPackA
// for the input, kWsPackB for the output gradient).
float* fill_bands(const Conv2dGeometry& g, const kernels::KernelTable& kt, const TileGrid& grid,
                  const TileBlock& b, const float* planes, int64_t image_stride, int64_t channels,
                  int64_t height, int64_t width, int size, int64_t left, WorkspaceSlot slot) {
  const int64_t band_size = grid.band_size(channels, size);
  float* bands = thread_workspace(slot, static_cast<size_t>(b.rows * band_size));
  for (int64_t i = 0; i < b.rows; ++i)
    fill_band(g, kt, grid, planes, image_stride, channels, height, width, size, b.row0 + i, left,
              bands + i * band_size);
  return bands;
}

// Transforms of one block, lanes along tiles: point p of sliver s and row r
// (a channel) at out + (p * slivers + s) * channels * L + r * L. Every tile's
// size x size window of the bands goes through `transform`; lanes past the
// last tile are zero.
void transform_block(const kernels::KernelTable& kt, const TileGrid& grid, const TileBlock& b,
                     const float* bands, int64_t channels, int size,
                     kernels::WinogradInputKernel transform, float* out) {
  const int64_t L = grid.lanes, wb = grid.width(size), band_size = grid.band_size(channels, size);
  const int64_t vstride = b.slivers * channels * L;
  if (grid.batch) {  // the windows are read in place
    for (int64_t s = 0; s < b.slivers; ++s) {
      const int64_t sliver = b.t0 / L + s, r = sliver / grid.tw, tx = sliver % grid.tw;
      const float* band = bands + (r - b.row0) * band_size + 4 * tx * L;
      for (int64_t c = 0; c < channels; ++c)
        transform(band + c * size * wb * L, wb * L, out + (s * channels + c) * L, vstride);
    }
    return;
  }
  alignas(64) float buf[kPoints * kMaxLanes];
  std::vector<TileRun> runs;
  for (int64_t s = 0; s < b.slivers; ++s) {
    sliver_runs(grid, b.t0 + s * L, std::min<int64_t>(L, b.tiles - s * L), runs);
    std::fill(buf, buf + size * size * L, 0.0f);  // lanes past the last tile stay zero
    for (int64_t c = 0; c < channels; ++c) {
      for (const TileRun& run : runs)
        kt.winograd_gather(bands + (run.tile_row - b.row0) * band_size + c * size * wb + 4 * run.tx0, wb,
                           size, static_cast<int>(run.count), buf + run.lane);
      transform(buf, size * L, out + (s * channels + c) * L, vstride);
    }
  }
}

// V for a block (workspaces kWsPackA for its bands, kWsPad for V).
float* transform_input_block(const Conv2dGeometry& g, const kernels::KernelTable& kt,
                             const TileGrid& grid, const TileBlock& b, const float* x) {
  const float* bands =
      fill_bands(g, kt, grid, b, x, g.C * g.in_plane(), g.C, g.H, g.W, 6, g.pl, kWsPackA);
  float* v = thread_workspace(kWsPad, static_cast<size_t>(kPoints * b.slivers * grid.lanes * g.C));
  transform_block(kt, grid, b, bands, g.C, 6, kt.winograd_input, v);
  return v;
}

// One forward unit: a block of tiles, output channels [k0, k1) (k0 a
// multiple of MR). Workspaces: those of transform_input_block, kWsCol (M).
void forward_unit(const Conv2dGeometry& g, const Conv2dPlan& p, const float* u, const float* x,
                  const float* bias, float* y, const TileGrid& grid, const TileBlock& b, int64_t k0,
                  int64_t k1) {
  const kernels::KernelTable& kt = *p.kernels;
  const int L = kt.winograd_lanes, mr = kt.sgemm_mr;
  const int64_t block = b.slivers * L;
  const int64_t rows = ceil_div(k1 - k0, mr) * mr, u_point = ceil_div(g.K, mr) * mr * g.C;
  const float* v = transform_input_block(g, kt, grid, b, x);
  float* m = thread_workspace(kWsCol, static_cast<size_t>(kPoints * rows * block));
  // M_p = U_p V_p: the micro-kernel straight on the packed operands.
  for (int pt = 0; pt < kPoints; ++pt)
    for (int64_t s = 0; s < b.slivers; ++s) {
      const float* vs = v + (pt * b.slivers + s) * g.C * L;
      for (int64_t r = 0; r < rows; r += mr)
        kt.sgemm(g.C, u + pt * u_point + (k0 + r) * g.C, vs, m + (pt * rows + r) * block + s * L, block,
                 false);
    }
  // y = A^T M A + bias.
  alignas(64) float buf[16 * kMaxLanes];
  if (grid.batch) {
    // Per band row and k: the row's tiles (those of this block) into an
    // output band [4][4*tw][L], whose rows are then transposed into the L
    // images' output rows.
    std::vector<float> out_band(static_cast<size_t>(16 * grid.tw * L));
    const int64_t s0 = b.t0 / L, s1 = s0 + b.slivers;
    for (int64_t r = s0 / grid.tw; r * grid.tw < s1; ++r) {
      const int64_t first = r * grid.tw;  // the row's tiles tx0 .. tx1 in this block
      const int64_t tx0 = std::max(s0, first) - first, tx1 = std::min(s1, first + grid.tw) - first;
      const int64_t n0 = r / grid.th * L, images = std::min<int64_t>(L, g.N - n0), oh0 = r % grid.th * 4;
      const int64_t col0 = 4 * tx0, cols = std::min(4 * tx1, g.OW) - col0;
      for (int64_t k = k0; k < k1; ++k) {
        const float add = bias ? bias[k] : 0.0f;
        for (int64_t tx = tx0; tx < tx1; ++tx) {
          kt.winograd_output(m + (k - k0) * block + (r * grid.tw + tx - s0) * L, rows * block, buf);
          for (int e = 0; e < 16; ++e) {
            float* dst = out_band.data() + ((e / 4) * 4 * grid.tw + 4 * tx + e % 4) * L;
            for (int l = 0; l < L; ++l) dst[l] = buf[e * L + l] + add;
          }
        }
        for (int64_t a = 0; a < std::min<int64_t>(4, g.OH - oh0); ++a)
          kt.transpose(cols, images, out_band.data() + (a * 4 * grid.tw + col0) * L, L,
                       y + ((n0 * g.K + k) * g.OH + oh0 + a) * g.OW + col0, g.K * g.hw());
      }
    }
    return;
  }
  // Row mode: run by run, whole tiles through the scatter kernel, a last one
  // that overhangs OW clipped here.
  std::vector<TileRun> runs;
  for (int64_t s = 0; s < b.slivers; ++s) {
    sliver_runs(grid, b.t0 + s * L, std::min<int64_t>(L, b.tiles - s * L), runs);
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
          for (int64_t j = 0; j < ow_n; ++j)
            dst[a * g.OW + 4 * full + j] = buf[(a * 4 + j) * L + l] + add;
      }
    }
  }
}

// One weight-gradient unit: a block of tiles, its products summed into
// sums: [36][K][C]. Workspaces: those of transform_input_block, kWsPackB
// (output-gradient bands), kWsCol (their transforms, Y).
void weight_unit(const Conv2dGeometry& g, const kernels::KernelTable& kt, const float* dy,
                 const float* x, const TileGrid& grid, const TileBlock& b, float* sums) {
  const int L = kt.winograd_lanes;
  const float* v = transform_input_block(g, kt, grid, b, x);
  const float* bands = fill_bands(g, kt, grid, b, dy, g.K * g.hw(), g.K, g.OH, g.OW, 4, 0, kWsPackB);
  float* yt = thread_workspace(kWsCol, static_cast<size_t>(kPoints * b.slivers * L * g.K));
  transform_block(kt, grid, b, bands, g.K, 4, kt.winograd_grad_output, yt);
  // sums_p [K, C] += Y_p [K, tiles] V_p [C, tiles]^T, summed along the lanes.
  const int ri = kt.winograd_dot_rows, rj = kt.winograd_dot_cols;
  for (int pt = 0; pt < kPoints; ++pt) {
    const float* yp = yt + pt * b.slivers * g.K * L;
    const float* vp = v + pt * b.slivers * g.C * L;
    float* sp = sums + pt * g.K * g.C;
    for (int64_t k = 0; k < g.K; k += ri)
      for (int64_t c = 0; c < g.C; c += rj)
        kt.winograd_dot(static_cast<int>(std::min<int64_t>(ri, g.K - k)),
                        static_cast<int>(std::min<int64_t>(rj, g.C - c)), b.slivers, yp + k * L,
                        g.K * L, vp + c * L, g.C * L, sp + k * g.C + c, g.C);
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
  const TileGrid grid(g, p);
  const int64_t total = p.winograd_tiles, blocks = ceil_div(total, p.winograd_block);
  const EvenSplit slabs{row_tiles, p.winograd_slabs};
  parallel_for(0, blocks * p.winograd_slabs, [&](int64_t lo, int64_t hi, int) {
    for (int64_t unit = lo; unit < hi; ++unit) {
      const int64_t bi = unit / p.winograd_slabs, slab = unit % p.winograd_slabs;
      const int64_t t0 = bi * p.winograd_block, k0 = slabs.begin(slab) * mr;
      const int64_t k1 = std::min(g.K, slabs.end(slab) * mr);
      const TileBlock block(grid, t0, std::min(p.winograd_block, total - t0));
      if (k0 < k1) forward_unit(g, p, u, x, bias, y, grid, block, k0, k1);
    }
  });
}

void conv2d_backward_weight_winograd(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                                     const float* x, float* dw) {
  const kernels::KernelTable& kt = *p.kernels;
  const TileGrid grid(g, p);
  const int64_t total = p.winograd_tiles, per_block = p.winograd_weight_block;
  const int64_t blocks = ceil_div(total, per_block), sums_size = kPoints * g.K * g.C;
  // Each thread sums its blocks' products into its own [36][K][C].
  std::vector<float*> sums(static_cast<size_t>(parallel_threads(blocks)), nullptr);
  parallel_for(0, blocks, [&](int64_t lo, int64_t hi, int t) {
    float* mine = thread_workspace(kWsReduce, static_cast<size_t>(sums_size));
    std::fill(mine, mine + sums_size, 0.0f);
    sums[static_cast<size_t>(t)] = mine;
    for (int64_t bi = lo; bi < hi; ++bi) {
      const int64_t t0 = bi * per_block;
      weight_unit(g, kt, dy, x, grid, TileBlock(grid, t0, std::min(per_block, total - t0)), mine);
    }
  });
  // dw[k][c] += G^T (sum over threads) G, L input channels at a time.
  const int L = kt.winograd_lanes;
  const int64_t chunks = ceil_div(g.C, L);
  parallel_for(0, g.K * chunks, [&](int64_t lo, int64_t hi, int) {
    alignas(64) float m[kPoints * kMaxLanes], out[9 * kMaxLanes];
    for (int64_t unit = lo; unit < hi; ++unit) {
      const int64_t k = unit / chunks, c0 = unit % chunks * L, count = std::min<int64_t>(L, g.C - c0);
      std::fill(m, m + kPoints * L, 0.0f);
      for (const float* part : sums) {
        if (!part) continue;
        for (int pt = 0; pt < kPoints; ++pt) {
          const float* src = part + (pt * g.K + k) * g.C + c0;
          for (int64_t c = 0; c < count; ++c) m[pt * L + c] += src[c];
        }
      }
      kt.winograd_filter_grad(m, L, out);
      for (int64_t c = 0; c < count; ++c)
        for (int tap = 0; tap < 9; ++tap) dw[(k * g.C + c0 + c) * 9 + tap] += out[tap * L + c];
    }
  });
}

}  // namespace convcore
