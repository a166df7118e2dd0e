// How one convolution shape is computed: the algorithm and the split of the
// work into units for the threads. Made once per shape, instruction set and
// thread count, and cached.
//
// Algorithms:
//   Dense         the kernel covers the whole unpadded input (one output
//                 position): a fully connected layer, one GEMM per pass.
//   Depthwise     groups == C (one input channel per group): the direct kernel.
//   Pointwise     1x1, stride 1, no padding: the images are the GEMM operand.
//   PaddedGemm    stride 1: GEMM over a zero-padded copy of the images, where
//                 every im2col row is a contiguous run (conv2d_forward.cpp).
//   Direct        few output channels per group (<= kDirectMaxChannels), or
//                 few input channels (<= kDirectMaxInputs: the stem): output
//                 channels along the vector lanes, taps read straight from a
//                 padded image (conv2d_direct.cpp); no im2col packing. Up to
//                 64 channels its tiles beat the GEMM's, whose 6- or 12-row
//                 tiles and packed operand are poorly used by so few rows.
//   Winograd      3x3, stride 1, one group, with enough channels and tiles
//                 (winograd_suits): F(4x4, 3x3), a quarter of the multiply-
//                 adds (conv2d_winograd.cpp), for the weight gradient too
//                 unless both channels and width are small; the stride-1
//                 input gradient, a forward pass, takes it through the
//                 transposed problem's plan.
//   ImplicitGemm  everything else: GEMM whose operand is packed straight from
//                 the images by the im2col source.
//
// GEMM work is cut along output positions q = n * OH * OW + hw, which run
// across the images of the batch: large images give one chunk per image
// (split further if there are fewer images than threads), small ones are
// batched several to a chunk so each GEMM has enough columns. When there are
// still fewer chunks than threads, the GEMM rows are split into slabs.
#pragma once

#include "kernels/kernels.h"
#include "ops/conv2d_geometry.h"

namespace convcore {

enum class Conv2dAlgo { Dense, Depthwise, Pointwise, Direct, PaddedGemm, ImplicitGemm, Winograd };

constexpr int64_t kDirectMaxChannels = 64, kDirectMaxInputs = 4;
// The direct weight gradient, in tiles of up to 4 vectors of output
// channels, beats the GEMMs up to 64 of them (2-2.7x on the CIFAR ResNet's
// 32- and 64-channel layers); past that (the stem rule's many outputs) the
// GEMM, whose packing is then shared by enough rows.
constexpr int64_t kDirectWeightMaxChannels = 64;

// A split of [0, total) into `parts` near-equal contiguous ranges.
struct EvenSplit {
  int64_t total = 0, parts = 1;
  int64_t begin(int64_t i) const { return total * i / parts; }
  int64_t end(int64_t i) const { return total * (i + 1) / parts; }
};

struct Conv2dPlan {
  Conv2dAlgo algo;         // forward (and the stride-1 input gradient, a forward pass)
  Conv2dAlgo weight_algo;  // weight gradient: Dense, Depthwise, Direct, PaddedGemm, Winograd,
                           // or the im2col/plane source of Pointwise and ImplicitGemm
  const kernels::KernelTable* kernels;

  // Forward: units = groups x position chunks x row slabs of Kg.
  int64_t images_per_chunk;  // >= 1; 1 with pieces_per_image >= 1 for large images
  int64_t pieces_per_image;  // splits of one image's positions (when images are few)
  int64_t forward_slabs;     // splits of the Kg output rows

  // Backward data: units = groups x image chunks, each walking its positions
  // in pieces of col_chunk (whole images where one fits) through a
  // [crs, col_chunk] im2col-gradient buffer.
  // With fewer units than threads, each piece is shared instead: its GEMM
  // split by rows, its col2im by channels.
  int64_t bwd_images_per_chunk;
  bool bwd_share_pieces;
  int64_t col_chunk;

  // Direct forward: units = images x groups x pieces of the output rows;
  // tiles of direct_vectors (1, 2 or 4) vectors of output channels, as the
  // direct weight gradient's (whose units are images), with the kernels of
  // direct_kernels (direct_kernels_for).
  const kernels::KernelTable* direct_kernels;
  int64_t direct_row_pieces, direct_vectors;
  // Rows mode (conv2d_direct.cpp), for stride 1 with at most one vector of
  // output channels: the positions along the lanes of the level's own
  // kernels, tiles of rows_vectors output vectors by rows_channels channels.
  // The weight gradient in rows mode (direct_rows_weight: with at most half
  // a vector of channels, where the channel-lane tiles idle lanes or drop to
  // a narrower level): tiles of rows_weight_channels (KT) channels by
  // direct_max_tile / KT taps.
  bool direct_rows, direct_rows_weight;
  int64_t rows_vectors, rows_channels, rows_weight_channels;

  // Weight gradient: per group, the N * OH * OW positions (whole images for
  // weight_algo PaddedGemm) in weight_parts ranges, and dw's columns in weight_col_parts
  // ranges (when positions are fewer than weights, or images than threads).
  int64_t weight_parts, weight_col_parts;

  // Winograd: units = blocks of winograd_block tiles (a multiple of the
  // kernels' lanes) x winograd_slabs splits of the output channels; the
  // weight gradient's units are blocks of winograd_weight_block tiles.
  // winograd_batch: lanes run along images (narrow maps, conv2d_winograd.cpp);
  // winograd_tiles: the tiles in all, lanes past the last image included.
  bool winograd_batch;
  int64_t winograd_tiles, winograd_block, winograd_slabs, winograd_weight_block;

  int64_t forward_chunks(const Conv2dGeometry& g) const;  // position chunks per group
};

// Whether rows mode (Conv2dPlan::direct_rows) suits a stride-1 direct
// convolution of `channels` output channels per group on rows `width`
// wide: the channels fill at most one vector of kt's (so the channel-lane
// tiles would broadcast one input per FMA), and the rows' vectors are at
// least kMinRowLanesTenths / 10 full (LeNet's 14-wide rows in 16 lanes).
constexpr int64_t kMinRowLanesTenths = 8;
bool direct_rows_suit(int64_t channels, int64_t width, const kernels::KernelTable& kt);

// The direct kernels for `channels` output channels along the lanes under
// `isa`: that level's, or on AVX-512 with at most 8 channels the AVX2 ones,
// whose 8-lane vectors idle fewer lanes (LeNet's 6-channel C1: 6 of 8
// instead of 6 of 16).
const kernels::KernelTable& direct_kernels_for(int64_t channels, Isa isa);

// Winograd's 4x4 output tiles: N * ceil(OH/4) * ceil(OW/4).
int64_t winograd_tiles(const Conv2dGeometry& g);

// The plan for this geometry under the current instruction set, threads and
// Winograd setting.
const Conv2dPlan& conv2d_plan(const Conv2dGeometry& g);

}  // namespace convcore
