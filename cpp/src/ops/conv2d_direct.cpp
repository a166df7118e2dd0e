// conv2d for layers with few output channels per group (Conv2dAlgo::Direct):
// forward and weight gradient on the direct kernels of
// kernels/direct_conv2d.inc, which put output channels along the vector
// lanes and read the input straight from a zero-padded copy of each image.
//
// Weights are packed once per call as [group][channel tile][crs][tile width]
// (channels past Kg zero), so a tile's FMAs always use whole vectors. The
// forward and weight-gradient tiles are plan.direct_vectors vectors wide, of
// plan.direct_kernels (a narrower level's for very few channels).
//
// Rows mode (plan.direct_rows: stride 1, at most one vector of output
// channels) turns the tile around: output positions along the lanes, a
// vector being direct_nr consecutive outputs of one row, so that each tap
// loads a few input vectors and broadcasts the tile's weights instead of
// one input per FMA, and the results go straight into NCHW rows (no
// transpose).
#include <algorithm>
#include <utility>
#include <vector>

#include "ops/conv2d_internal.h"
#include "ops/padded_image.h"
#include "runtime/parallel.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// w [K, crs] -> dst [G][ceil(Kg / width)][crs][width], channels past Kg
// zero; tap i of dst is tap order[i] of w when an order is given.
void pack_channel_tiles(const Conv2dGeometry& g, const float* w, int64_t width, float* dst,
                        const int64_t* order = nullptr) {
  const int64_t crs = g.crs(), ktiles = ceil_div(g.Kg, width);
  for (int64_t tile = 0; tile < g.G * ktiles; ++tile) {
    const int64_t grp = tile / ktiles, k0 = (tile % ktiles) * width;
    for (int64_t i = 0; i < crs; ++i)
      for (int64_t j = 0; j < width; ++j) {
        const int64_t k = k0 + j, tap = order ? order[i] : i;
        dst[(tile * crs + i) * width + j] = k < g.Kg ? w[(grp * g.Kg + k) * crs + tap] : 0.0f;
      }
  }
}

// Rows mode orders the taps row-major, (r, c, s), so that the taps of
// filter rows [r0, r1) are one run: a tile of output rows skips the filter
// rows that read only padding for all of them (the input gradient of a 5x5
// layer, a forward with padding 4, skips a fifth to three fifths of its
// taps at the top and bottom: LeNet C3's, 0.41 -> 0.36 ms at batch 64).
struct RowMajorTaps {
  std::vector<int64_t> order, off;  // tap i: (c, r, s) index order[i], offset off[i]
  RowMajorTaps(const Conv2dGeometry& g, const PaddedImage& img) {
    for (int64_t r = 0; r < g.R; ++r)
      for (int64_t c = 0; c < g.Cg; ++c)
        for (int64_t s = 0; s < g.S; ++s) {
          const int64_t i = (c * g.R + r) * g.S + s;
          order.push_back(i);
          off.push_back(img.off[static_cast<size_t>(i)]);
        }
  }
  // The taps [first, last) that output rows [oh0, oh1] need: those of the
  // filter rows r with some oh + r * dh (a padded row, stride 1) among the
  // image's rows, the padded rows [pt, pt + H).
  static std::pair<int64_t, int64_t> needed(const Conv2dGeometry& g, int64_t oh0, int64_t oh1) {
    const int64_t r0 = ceil_div(std::max<int64_t>(0, g.pt - oh1), g.dh);
    const int64_t r1 = std::min(g.R, ceil_div(std::max<int64_t>(0, g.pt + g.H - oh0), g.dh));
    const int64_t per_filter_row = g.Cg * g.S;
    return {r0 * per_filter_row, std::max(r0, r1) * per_filter_row};
  }
};

void forward_direct_rows(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                         const float* w, const float* bias, float* y) {
  const kernels::KernelTable& kt = *p.kernels;
  const int64_t nr = kt.direct_nr, crs = g.crs(), KT = p.rows_channels, V = p.rows_vectors;
  const int64_t ktiles = ceil_div(g.Kg, KT), per_row = ceil_div(g.OW, nr), plane = g.OH * g.OW;
  // w -> [G][ktiles][crs][KT] and bias -> [G][ktiles][KT], zero past Kg.
  const int64_t tiles = g.G * ktiles;
  float* packed = thread_workspace(kWsWeights, static_cast<size_t>(tiles * (crs + 1) * KT));
  float* biases = packed + tiles * crs * KT;
  const PaddedImage img(g);
  const RowMajorTaps taps(g, img);
  pack_channel_tiles(g, w, KT, packed, taps.order.data());
  for (int64_t tile = 0; tile < tiles; ++tile)
    for (int64_t j = 0; j < KT; ++j) {
      const int64_t k = (tile % ktiles) * KT + j;
      biases[tile * KT + j] = bias && k < g.Kg ? bias[tile / ktiles * g.Kg + k] : 0.0f;
    }
  const int64_t pieces = p.direct_row_pieces, padded = img.size(g);
  const EvenSplit rows{g.OH, pieces};
  parallel_for(0, g.N * g.G * pieces, [&](int64_t lo, int64_t hi, int) {
    // A row's last vector reads up to nr - 1 floats past its last input,
    // past the image on the last row: zeros there.
    float* xp = thread_workspace(kWsPad, static_cast<size_t>(padded + nr));
    std::fill(xp + padded, xp + padded + nr, 0.0f);
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t n = u / (g.G * pieces), grp = (u / pieces) % g.G, piece = u % pieces;
      img.fill(g, x, n, grp, xp);
      float* out = y + (n * g.K + grp * g.Kg) * plane;
      const int64_t v1 = rows.end(piece) * per_row;
      for (int64_t v = rows.begin(piece) * per_row; v < v1; v += V) {
        const int nv = static_cast<int>(std::min(V, v1 - v));
        const float* xs[4];
        float* ys[4];
        int count[4];
        for (int j = 0; j < nv; ++j) {
          const int64_t oh = (v + j) / per_row, ow = (v + j) % per_row * nr;
          xs[j] = xp + oh * img.Wp + ow;
          ys[j] = out + oh * g.OW + ow;
          count[j] = static_cast<int>(std::min(nr, g.OW - ow));
        }
        const auto [first, last] = RowMajorTaps::needed(g, v / per_row, (v + nv - 1) / per_row);
        for (int64_t t = 0; t < ktiles; ++t) {
          const int64_t tile = grp * ktiles + t;
          kt.direct_rows(nv, static_cast<int>(KT), last - first, taps.off.data() + first, xs,
                         packed + (tile * crs + first) * KT, biases + tile * KT,
                         static_cast<int>(std::min(KT, g.Kg - t * KT)), ys, plane, count);
          for (int j = 0; j < nv; ++j) ys[j] += KT * plane;
        }
      }
    }
  });
}

// Rows-mode weight gradient. Per image: the padded input (with slack for
// the row ends' overreads) and dy copied with its rows padded to whole
// vectors and its channels to whole tiles, zeros there; then every (channel
// tile, tap tile) sweeps the image's rows into its lane accumulators, one
// private [G][ktiles][ttiles][TT][KT][nr] buffer per thread. The lanes and
// the threads' buffers are summed at the end, in a fixed order.
void backward_weight_direct_rows(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                                 const float* x, float* dw) {
  const kernels::KernelTable& kt = *p.kernels;
  const int64_t nr = kt.direct_nr, crs = g.crs(), KT = p.rows_weight_channels;
  const int64_t TT = kt.direct_max_tile / KT, ktiles = ceil_div(g.Kg, KT), ttiles = ceil_div(crs, TT);
  const int64_t per_row = ceil_div(g.OW, nr), ld_row = per_row * nr, ld_k = g.OH * ld_row;
  const int last_count = static_cast<int>(g.OW - (per_row - 1) * nr);
  const int64_t tile_size = TT * KT * nr, acc_size = g.G * ktiles * ttiles * tile_size;
  const PaddedImage img(g);
  // Tap offsets padded to whole tiles (the extra taps read tap 0; their sums are dropped).
  std::vector<int64_t> off(static_cast<size_t>(ttiles * TT), img.off[0]);
  std::copy(img.off.begin(), img.off.end(), off.begin());
  const int64_t padded = img.size(g), dy_size = ktiles * KT * ld_k;
  std::vector<float*> partial(static_cast<size_t>(parallel_threads(g.N)), nullptr);
  parallel_for(0, g.N, [&](int64_t lo, int64_t hi, int thread) {
    float* acc = thread_workspace(kWsReduce, static_cast<size_t>(acc_size));
    std::fill(acc, acc + acc_size, 0.0f);
    partial[static_cast<size_t>(thread)] = acc;
    float* xp = thread_workspace(kWsPad, static_cast<size_t>(padded + nr));
    std::fill(xp + padded, xp + padded + nr, 0.0f);
    float* dyp = thread_workspace(kWsCol, static_cast<size_t>(dy_size));
    std::fill(dyp, dyp + dy_size, 0.0f);
    for (int64_t n = lo; n < hi; ++n)
      for (int64_t grp = 0; grp < g.G; ++grp) {
        img.fill(g, x, n, grp, xp);
        for (int64_t k = 0; k < g.Kg; ++k)
          for (int64_t oh = 0; oh < g.OH; ++oh) {
            const float* src = dy + ((n * g.K + grp * g.Kg + k) * g.OH + oh) * g.OW;
            std::copy(src, src + g.OW, dyp + k * ld_k + oh * ld_row);
          }
        for (int64_t kt0 = 0; kt0 < ktiles; ++kt0)
          for (int64_t tt = 0; tt < ttiles; ++tt)
            kt.direct_rows_weight(static_cast<int>(KT), g.OH, per_row, last_count,
                                  off.data() + tt * TT, xp, img.Wp, dyp + kt0 * KT * ld_k,
                                  ld_row, ld_k,
                                  acc + ((grp * ktiles + kt0) * ttiles + tt) * tile_size);
      }
  });
  // dw [K, crs] += the threads' buffers, each lane-summed.
  parallel_for(0, g.K, [&](int64_t lo, int64_t hi, int) {
    for (int64_t k = lo; k < hi; ++k) {
      const int64_t grp = k / g.Kg, kt0 = (k % g.Kg) / KT, j = (k % g.Kg) % KT;
      for (const float* part : partial) {
        if (!part) continue;
        for (int64_t i = 0; i < crs; ++i) {
          const float* lanes =
              part + ((grp * ktiles + kt0) * ttiles + i / TT) * tile_size + ((i % TT) * KT + j) * nr;
          float sum = 0.0f;
          for (int64_t l = 0; l < nr; ++l) sum += lanes[l];
          dw[k * crs + i] += sum;
        }
      }
    }
  });
}

}  // namespace

void conv2d_forward_direct(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                           const float* w, const float* bias, float* y) {
  if (p.direct_rows) return forward_direct_rows(g, p, x, w, bias, y);
  const kernels::KernelTable& kt = *p.direct_kernels;
  const int64_t nr = kt.direct_nr * p.direct_vectors, crs = g.crs(), ktiles = ceil_div(g.Kg, nr);
  float* packed = thread_workspace(kWsWeights, static_cast<size_t>(g.G * ktiles * crs * nr));
  pack_channel_tiles(g, w, nr, packed);
  const PaddedImage img(g);
  const int64_t max_positions = kt.direct_max_tile / p.direct_vectors;
  const int64_t tiles = ceil_div(g.OW, max_positions), pieces = p.direct_row_pieces;
  const EvenSplit cols{g.OW, tiles}, rows{g.OH, pieces};
  parallel_for(0, g.N * g.G * pieces, [&](int64_t lo, int64_t hi, int) {
    float* xp = thread_workspace(kWsPad, static_cast<size_t>(img.size(g)));
    float* tile = thread_workspace(kWsCol, static_cast<size_t>(max_positions * nr));
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t n = u / (g.G * pieces), grp = (u / pieces) % g.G, piece = u % pieces;
      img.fill(g, x, n, grp, xp);
      for (int64_t oh = rows.begin(piece); oh < rows.end(piece); ++oh)
        for (int64_t t = 0; t < ktiles; ++t) {
          const float* wt = packed + (grp * ktiles + t) * crs * nr;
          const int64_t k0 = grp * g.Kg + t * nr, kn = std::min(nr, g.Kg - t * nr);
          for (int64_t c = 0; c < tiles; ++c) {
            const int64_t ow0 = cols.begin(c), P = cols.end(c) - ow0;
            kt.direct_forward(static_cast<int>(p.direct_vectors), static_cast<int>(P), crs, img.off.data(),
                              xp + oh * g.sh * img.Wp + ow0 * g.sw, g.sw, wt, tile);
            if (bias)
              for (int64_t q = 0; q < P; ++q)
                for (int64_t j = 0; j < kn; ++j) tile[q * nr + j] += bias[k0 + j];
            // tile [P][nr] -> y's planes k0.., row oh, columns ow0..
            kt.transpose(P, kn, tile, nr, y + ((n * g.K + k0) * g.OH + oh) * g.OW + ow0, g.OH * g.OW);
          }
        }
    }
  });
}

void conv2d_backward_weight_direct(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                                   const float* x, float* dw) {
  if (p.direct_rows_weight) return backward_weight_direct_rows(g, p, dy, x, dw);
  const kernels::KernelTable& kt = *p.direct_kernels;
  const int vectors = static_cast<int>(p.direct_vectors);
  const int64_t nr = kt.direct_nr * vectors, crs = g.crs(), ktiles = ceil_div(g.Kg, nr), hw = g.hw();
  const int64_t acc_size = g.G * ktiles * crs * nr, maxt = kt.direct_max_tile / vectors;
  const PaddedImage img(g);
  // Each thread sums its images into a private [G][ktiles][crs][nr] buffer;
  // the buffers are added in thread order, so the result depends only on the
  // thread count.
  std::vector<float*> partial(static_cast<size_t>(parallel_threads(g.N)), nullptr);
  parallel_for(0, g.N, [&](int64_t lo, int64_t hi, int thread) {
    float* acc = thread_workspace(kWsReduce, static_cast<size_t>(acc_size));
    std::fill(acc, acc + acc_size, 0.0f);
    partial[static_cast<size_t>(thread)] = acc;
    float* xp = thread_workspace(kWsPad, static_cast<size_t>(img.size(g)));
    float* dyt = thread_workspace(kWsCol, static_cast<size_t>(hw * nr));
    for (int64_t n = lo; n < hi; ++n)
      for (int64_t grp = 0; grp < g.G; ++grp) {
        img.fill(g, x, n, grp, xp);
        for (int64_t t = 0; t < ktiles; ++t) {
          // dy of this channel tile as [positions][nr], zero past Kg.
          const int64_t k0 = grp * g.Kg + t * nr, kn = std::min(nr, g.Kg - t * nr);
          if (kn < nr) std::fill(dyt, dyt + hw * nr, 0.0f);
          kt.transpose(kn, hw, dy + (n * g.K + k0) * hw, hw, dyt, nr);
          float* a = acc + (grp * ktiles + t) * crs * nr;
          for (int64_t i0 = 0; i0 < crs; i0 += maxt)
            kt.direct_weight(vectors, static_cast<int>(std::min(maxt, crs - i0)), g.OH, g.OW,
                             g.sh * img.Wp, g.sw, img.off.data() + i0, xp, dyt, a + i0 * nr);
        }
      }
  });
  // dw [K, crs] = the sum of the partials, transposed back.
  parallel_for(0, g.K, [&](int64_t lo, int64_t hi, int) {
    for (int64_t k = lo; k < hi; ++k) {
      const int64_t grp = k / g.Kg, t = (k % g.Kg) / nr, j = (k % g.Kg) % nr;
      for (const float* part : partial) {
        if (!part) continue;
        const float* src = part + (grp * ktiles + t) * crs * nr + j;
        for (int64_t i = 0; i < crs; ++i) dw[k * crs + i] += src[i * nr];
      }
    }
  });
}

}  // namespace convcore
