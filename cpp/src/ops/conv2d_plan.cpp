#include "ops/conv2d_plan.h"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>

#include "convcore/runtime.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// A GEMM wants at least this many columns (output positions) to amortise
// packing its A block and the micro-kernel's stores.
constexpr int64_t kMinColumns = 256;
constexpr int64_t kTargetColumns = 512;
constexpr int64_t kBandColumns = 4096;

// Images per chunk for small images: about kTargetColumns positions, with the
// number of chunks per group a multiple of the thread count where possible.
int64_t images_per_chunk(const Conv2dGeometry& g, int threads) {
  const int64_t ideal = std::max<int64_t>(1, kTargetColumns / g.hw());
  const int64_t per_group_threads = std::max<int64_t>(1, ceil_div(threads, g.G));
  const int64_t chunks = per_group_threads * std::max<int64_t>(1, ceil_div(g.N, per_group_threads * ideal));
  return std::max<int64_t>(1, ceil_div(g.N, chunks));
}

// The padded grid computes Wp - OW throw-away columns per output row: a
// fifth of the work on a 7x7 map. Where each packed im2col element feeds
// many output channels, gathering it (ImplicitGemm) costs less than that,
// once there are enough positions to batch (at batch 1 the grid still wins).
bool padded_grid_wasteful(const Conv2dGeometry& g) {
  const int64_t wp = g.W + g.pl + g.pr;
  return (wp - g.OW) * 8 > wp && g.Kg >= 256 && g.N * g.hw() >= kTargetColumns;
}

// Winograd pays when both channel counts are large enough for its
// transforms (linear in C and in K) to be small next to its 36 products (in
// C*K), and there are enough tiles to amortise the filter transform made on
// every call (36 values per filter tap pair).
constexpr int64_t kWinogradMinChannels = 32, kWinogradMinTiles = 32;
// Each forward block's transforms (V and M, 36 points each) should stay in
// L2. The weight gradient sums its products along the tiles, the lanes, and
// pays a horizontal sum per output value and block: its blocks are as long
// as a thread's share of the tiles, up to 16 MiB of transforms (V and Y).
constexpr int64_t kWinogradBlockBytes = 1 << 20, kWinogradWeightBlockBytes = 16 << 20;

bool winograd_suits(const Conv2dGeometry& g, const kernels::KernelTable& kt) {
  return winograd_enabled() && g.R == 3 && g.S == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 &&
         g.dw == 1 && g.G == 1 && g.C >= kWinogradMinChannels && g.K >= kWinogradMinChannels &&
         winograd_tiles(g) >= kWinogradMinTiles && kt.winograd_lanes == kt.sgemm_nr;
}

// Maps up to this many tiles wide put images along the lanes when the batch
// fills them: in rows of so few tiles, gathering a sliver's patches costs
// more than interleaving the images (64 channels on 8x8 at batch 128:
// forward 3.2 -> 2.5 ms). At 4 tiles the two are even (32 channels on
// 16x16), and row mode is faster on deep layers (256 channels on 14x14 at
// batch 32: 26 against 29 ms).
constexpr int64_t kWinogradBatchWidth = 2;

// Blocks of whole slivers of tiles, as large as L2 allows for their
// transforms, but enough of them for every thread. Every block reads all
// 36 transformed filter matrices, so where those outweigh a block's
// transforms (deep layers: 37 MiB for 512 channels) blocks grow until that
// read is amortised. With fewer blocks than threads, the output channels
// are split too.
void plan_winograd(const Conv2dGeometry& g, int threads, Conv2dPlan& p) {
  const int64_t lanes = p.kernels->winograd_lanes, mr = p.kernels->sgemm_mr;
  const int64_t th = ceil_div(g.OH, 4), tw = ceil_div(g.OW, 4);
  p.winograd_batch = tw <= kWinogradBatchWidth && g.N >= lanes;
  p.winograd_tiles = p.winograd_batch ? ceil_div(g.N, lanes) * lanes * th * tw : winograd_tiles(g);
  const int64_t rows = ceil_div(g.K, mr) * mr, slivers = ceil_div(p.winograd_tiles, lanes);
  const int64_t fit = kWinogradBlockBytes / (36 * 4 * lanes * (g.C + rows));
  const int64_t filters = ceil_div(36 * 4 * rows * g.C, kWinogradBlockBytes);
  const int64_t per_block = std::max<int64_t>(1, std::min(std::max(fit, filters), ceil_div(slivers, threads)));
  p.winograd_block = per_block * lanes;
  const int64_t blocks = ceil_div(slivers, per_block);
  p.winograd_slabs = blocks >= threads ? 1 : std::min(ceil_div(threads, blocks), rows / mr);
  const int64_t weight_fit = kWinogradWeightBlockBytes / (36 * 4 * lanes * (g.C + g.K));
  p.winograd_weight_block = lanes * std::clamp<int64_t>(weight_fit, 1, ceil_div(slivers, threads));
}

// Rows mode at stride 1 where direct_rows_suit. Of 1-4 vectors per tile,
// the count V that loads least per FMA: each tap loads V input vectors and
// KT weights (and its offset) for V * KT FMAs, the channels split into equal
// tiles of KT <= direct_max_tile / V (16 channels on AVX-512: V = 3, two
// tiles of 8; LeNet's 6: V = 4). (Shorter tiles would skip more taps that
// read only padding, see conv2d_direct.cpp, but on LeNet C3's input gradient,
// padding 4, V = 2 and 3 measured within 3% of V = 4.)
void plan_direct_rows(const Conv2dGeometry& g, Conv2dPlan& p) {
  const kernels::KernelTable& kt = *p.kernels;
  p.direct_rows = p.algo == Conv2dAlgo::Direct && g.sh == 1 && g.sw == 1 &&
                  direct_rows_suit(g.Kg, g.OW, kt);
  p.direct_rows_weight = p.direct_rows && g.Kg * 2 <= kt.direct_nr;
  if (!p.direct_rows) return;
  double best = 0.0;
  for (int64_t v = 1; v <= 4 && v <= kt.direct_max_tile; ++v) {
    const int64_t tiles = ceil_div(g.Kg, kt.direct_max_tile / v), channels = ceil_div(g.Kg, tiles);
    const double loads_per_fma = static_cast<double>(tiles * (v + channels + 1)) / (g.Kg * v);
    if (v == 1 || loads_per_fma < best) {
      best = loads_per_fma;
      p.rows_vectors = v;
      p.rows_channels = channels;
    }
  }
  // Weight gradient, only for at most half a vector of channels: with a full
  // one the channel-lane tiles measured faster (16 channels on 32x32: 4.6
  // against 5.8 ms; 6 channels: 0.29 against 0.20 ms for LeNet's C1).
  // Per position vector, a tile of KT channels by TT taps
  // loads KT dy vectors and TT input vectors for KT * TT FMAs; the channel
  // split with the fewest loads per FMA (16 channels on AVX-512: 4 tiles of
  // 4 by 6 taps; LeNet's 6: one of 6 by 4 taps).
  best = 0.0;
  for (int64_t most = 1; most <= std::min<int64_t>(g.Kg, kt.direct_max_tile); ++most) {
    const int64_t tiles = ceil_div(g.Kg, most), channels = ceil_div(g.Kg, tiles);
    const int64_t taps = kt.direct_max_tile / channels;
    const double loads_per_fma =
        static_cast<double>(tiles * (channels + taps)) / static_cast<double>(taps * g.Kg);
    if (most == 1 || loads_per_fma < best) {
      best = loads_per_fma;
      p.rows_weight_channels = channels;
    }
  }
}

Conv2dPlan make_plan(const Conv2dGeometry& g, Isa isa, int threads) {
  Conv2dPlan p{};
  p.kernels = &kernels::table_for(isa);
  p.algo = g.is_dense()                    ? Conv2dAlgo::Dense
           : g.is_depthwise()               ? Conv2dAlgo::Depthwise
           : g.is_pointwise()               ? Conv2dAlgo::Pointwise
           : g.Kg <= kDirectMaxChannels || g.Cg <= kDirectMaxInputs ? Conv2dAlgo::Direct
           : g.sh == 1 && g.sw == 1 && !padded_grid_wasteful(g) ? Conv2dAlgo::PaddedGemm
                                            : Conv2dAlgo::ImplicitGemm;
  const bool stride1 = g.sh == 1 && g.sw == 1;
  p.weight_algo = p.algo == Conv2dAlgo::Direct && g.Kg > kDirectWeightMaxChannels
                      ? (stride1 ? Conv2dAlgo::PaddedGemm : Conv2dAlgo::ImplicitGemm)
                      : p.algo;
  const int64_t mr = p.kernels->sgemm_mr, nr = p.kernels->sgemm_nr;

  // Forward.
  if (g.hw() >= kMinColumns) {
    p.images_per_chunk = 1;
    const int64_t images = g.N * g.G;
    p.pieces_per_image = images >= threads ? 1 : std::min(ceil_div(threads, images), ceil_div(g.hw(), nr));
    // A large image on the padded grid is cut into bands of rows, so that a
    // unit's padded input and its output buffer stay in cache.
    if (p.algo == Conv2dAlgo::PaddedGemm)
      p.pieces_per_image = std::max(p.pieces_per_image, g.OH * (g.W + g.pl + g.pr) / kBandColumns);
  } else {
    p.images_per_chunk = images_per_chunk(g, threads);
    p.pieces_per_image = 1;
  }
  const int64_t units = g.G * p.forward_chunks(g);
  p.forward_slabs = units >= threads ? 1 : std::min(ceil_div(threads, units), ceil_div(g.Kg, mr));

  // Backward data: chunks of whole images (col2im of neighbouring positions
  // overlaps, so two threads must not share an image unless they split by channel).
  p.bwd_images_per_chunk = g.hw() >= kMinColumns ? 1 : images_per_chunk(g, threads);
  p.bwd_share_pieces = g.G * ceil_div(g.N, p.bwd_images_per_chunk) < threads;
  // ~512 KiB of im2col gradient per piece keeps it in L2; whole images where
  // one fits, so that col2im goes plane by plane (col2im_images_add).
  const int64_t col_chunk = std::max(nr, (128 * 1024 / std::max<int64_t>(1, g.crs())) / nr * nr);
  p.col_chunk = col_chunk >= g.hw() ? col_chunk / g.hw() * g.hw() : col_chunk;

  p.direct_kernels = &direct_kernels_for(g.Kg, isa);
  p.direct_row_pieces = std::max<int64_t>(1, std::min(g.OH, ceil_div(threads, g.N * g.G)));
  const int64_t vectors = ceil_div(g.Kg, p.direct_kernels->direct_nr);
  p.direct_vectors = vectors <= 1 ? 1 : vectors <= 2 ? 2 : 4;
  plan_direct_rows(g, p);

  // Weight gradient: enough ranges that every thread has one. Few positions
  // per weight (deep layers at small batch): split dw itself, so that no
  // thread needs a private copy of it to sum into.
  const int64_t ranges = std::max<int64_t>(1, ceil_div(threads, g.G)), col_tiles = ceil_div(g.crs(), nr);
  if (p.weight_algo == Conv2dAlgo::PaddedGemm) {  // whole images per range (padded-grid GEMM)
    p.weight_parts = std::min(g.N, ranges);
    p.weight_col_parts = std::min(ceil_div(ranges, p.weight_parts), col_tiles);
  } else {
    const bool split_columns = g.N * g.hw() < g.crs();
    p.weight_parts = split_columns ? 1 : ranges;
    p.weight_col_parts = split_columns ? std::min(ranges, col_tiles) : 1;
  }
  if (winograd_suits(g, *p.kernels)) {
    p.algo = Conv2dAlgo::Winograd;
    // Narrow images give short runs of tiles per band row, whose gathers
    // cost the weight gradient (two of them per tile) more than its sums
    // save unless the channels are many (measured: 32 channels on a 16x16
    // map, 1.5x slower than the direct kernel; 64 channels on 8x8, 5% faster).
    if (g.C * g.K >= 64 * 64 || g.OW >= 32) p.weight_algo = Conv2dAlgo::Winograd;
    plan_winograd(g, threads, p);
  }
  return p;
}

}  // namespace

bool direct_rows_suit(int64_t channels, int64_t width, const kernels::KernelTable& kt) {
  const int64_t nr = kt.direct_nr;
  return channels <= nr && width * 10 >= ceil_div(width, nr) * nr * kMinRowLanesTenths;
}

const kernels::KernelTable& direct_kernels_for(int64_t channels, Isa isa) {
#ifdef CONVCORE_HAVE_AVX2
  if (isa == Isa::Avx512 && channels <= kernels::table_for(Isa::Avx2).direct_nr)
    return kernels::table_for(Isa::Avx2);
#endif
  return kernels::table_for(isa);
}

int64_t winograd_tiles(const Conv2dGeometry& g) {
  return g.N * ceil_div(g.OH, 4) * ceil_div(g.OW, 4);
}

int64_t Conv2dPlan::forward_chunks(const Conv2dGeometry& g) const {
  return ceil_div(g.N, images_per_chunk) * pieces_per_image;
}

const Conv2dPlan& conv2d_plan(const Conv2dGeometry& g) {
  using Key = std::array<int64_t, 22>;
  static std::mutex mu;
  static std::map<Key, Conv2dPlan> cache;
  const Isa isa = current_isa();
  const int threads = parallel_threads(int64_t{1} << 30);
  const Key key{g.N,  g.C,  g.H,  g.W,  g.K,  g.R,  g.S,  g.G,  g.sh, g.sw, g.dh,
                g.dw, g.pt, g.pb, g.pl, g.pr, g.OH, g.OW, g.Cg, static_cast<int64_t>(isa), threads,
                winograd_enabled()};
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make_plan(g, isa, threads)).first;
  return it->second;  // std::map never moves its nodes
}

}  // namespace convcore
