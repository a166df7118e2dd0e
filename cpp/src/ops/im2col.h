// im2col as GEMM packers, and its adjoint col2im.
//
// The im2col matrix of one group of a batch has a row per kernel tap
// crs = (c, r, s) and a column per output position q = n * OH * OW + oh * OW + ow:
//   col[crs][q] = x[n][c][oh*sh + r*dh - pt][ow*sw + s*dw - pl]   (0 outside the image)
// It is never stored whole: the GEMM packers below read runs of it straight
// from x, which is implicit GEMM.
#pragma once

#include <cstdint>

#include "kernels/kernels.h"
#include "ops/conv2d_geometry.h"

namespace convcore {

// GEMM packers over the im2col matrix of one group (see gemm.h for the
// packer contract). Both cut the positions they read into runs along one
// output row once per call, then copy every tap's row run by run: the
// position bookkeeping (divisions included) is paid per run, not per
// element or per tap.
struct Im2colGroup {
  const Conv2dGeometry* g;
  const float* x;        // image 0's first channel of this group: [Cg, H, W]
  int64_t image_stride;  // floats from one image to the next (C * H * W)
};

// B[k = tap][n = position] (the forward): taps [p0, p0 + k) at positions
// [j0, j0 + n), in slivers of NR positions.
struct Im2colColumns {
  Im2colGroup src;
  void operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) const;
};

// B[k = position][n = tap] (the weight gradient): positions [p0, p0 + k) of
// taps [j0, j0 + n), in slivers of NR taps. Each sliver's taps are copied as
// rows, then turned by the transpose kernel (a strided scalar store per
// element cost as much as the GEMM on a 1x1 stride-2 layer).
struct Im2colRowsTransposed {
  Im2colGroup src;
  kernels::TransposeKernel transpose;
  void operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) const;
};

// The adjoint of reading one im2col row: dx[...] += col_row[t] for
// positions q0 .. q0 + count of tap crs. dx points like Im2colGroup::x.
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
