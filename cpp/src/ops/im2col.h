// im2col as a GEMM source, and its adjoint col2im.
//
// The im2col matrix of one group of a batch has a row per kernel tap
// crs = (c, r, s) and a column per output position q = n * OH * OW + oh * OW + ow:
//   col[crs][q] = x[n][c][oh*sh + r*dh - pt][ow*sw + s*dw - pl]   (0 outside the image)
// It is never stored whole: the GEMM packers read runs of it straight from x
// (see gemm_operands.h), which is implicit GEMM.
#pragma once

#include <cstdint>

#include "ops/conv2d_geometry.h"

namespace convcore {

struct Im2colSource {
  const Conv2dGeometry* g;
  const float* x;        // image 0's first channel of this group: [Cg, H, W]
  int64_t image_stride;  // floats from one image to the next (C * H * W)
  void read_row(int64_t crs, int64_t q0, int64_t count, float* dst, int64_t seg, int64_t seg_stride,
                int64_t elem_stride) const;
};

// The adjoint of a plain-row read: dx[...] += col_row[t] for positions
// q0 .. q0 + count of tap crs. dx points like Im2colSource::x.
void col2im_run_add(const Conv2dGeometry& g, const float* col_row, int64_t crs, int64_t q0,
                    int64_t count, float* dx, int64_t image_stride);

// The same for whole images, plane by plane: col [crs][len] holds positions
// q0 .. q0 + len (both multiples of OH * OW); the planes of channels
// [c0, c1) of those images take all their R * S taps in turn while they
// sit in L1 (tap by tap, each plane would pass through the cache R * S
// times, and short rows paid the per-run bookkeeping). Each element adds
// its taps in the same order as col2im_run_add row by row: equal results.
void col2im_images_add(const Conv2dGeometry& g, const float* col, int64_t len, int64_t q0,
                       int64_t c0, int64_t c1, float* dx, int64_t image_stride);

}  // namespace convcore
