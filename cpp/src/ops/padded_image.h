// A zero-padded copy of one image's channels of a group, and where each
// filter tap (c, r, s) reads it. Stride-1 GEMM convolution and the direct
// kernels work on such copies: with the padding materialised, every tap is
// a fixed offset and no inner loop checks bounds. On the "padded grid" of
// positions q = oh * Wp + ow (ow < Wp), im2col row i of a stride-1
// convolution is the contiguous run starting at off[i].
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ops/conv2d_geometry.h"

namespace convcore {

struct PaddedImage {
  int64_t Hp, Wp;
  std::vector<int64_t> off;  // [crs]: tap (c, r, s) at c*Hp*Wp + r*dh*Wp + s*dw

  explicit PaddedImage(const Conv2dGeometry& g)
      : Hp(g.H + g.pt + g.pb), Wp(g.W + g.pl + g.pr), off(tap_offsets(g, Hp)) {}
  int64_t size(const Conv2dGeometry& g) const { return g.Cg * Hp * Wp; }  // floats per image
  int64_t grid(const Conv2dGeometry& g) const { return g.OH * Wp; }       // padded-grid positions

  // Tap offsets when each channel holds `rows` padded rows (a band of the image).
  std::vector<int64_t> tap_offsets(const Conv2dGeometry& g, int64_t rows) const {
    std::vector<int64_t> o(static_cast<size_t>(g.crs()));
    for (int64_t i = 0; i < g.crs(); ++i)
      o[static_cast<size_t>(i)] =
          (i / (g.R * g.S)) * rows * Wp + ((i / g.S) % g.R) * g.dh * Wp + (i % g.S) * g.dw;
    return o;
  }

  // Padded rows [row0, row0 + rows) of channels [grp*Cg, (grp+1)*Cg) of image
  // n of x [N, C, H, W] into dst [Cg][rows][Wp] (the whole image by default).
  void fill(const Conv2dGeometry& g, const float* x, int64_t n, int64_t grp, float* dst,
            int64_t row0 = 0, int64_t rows = -1) const {
    if (rows < 0) rows = Hp;
    for (int64_t c = 0; c < g.Cg; ++c) {
      const float* src = x + (n * g.C + grp * g.Cg + c) * g.in_plane();
      for (int64_t r = 0; r < rows; ++r) {
        float* row = dst + (c * rows + r) * Wp;
        const int64_t h = row0 + r - g.pt;
        if (h < 0 || h >= g.H) {
          std::fill(row, row + Wp, 0.0f);
          continue;
        }
        std::fill(row, row + g.pl, 0.0f);
        std::copy(src + h * g.W, src + (h + 1) * g.W, row + g.pl);
        std::fill(row + g.pl + g.W, row + Wp, 0.0f);
      }
    }
  }
};

}  // namespace convcore
