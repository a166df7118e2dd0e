// vol2col as a GEMM source, and its adjoint col2vol: im2col (im2col.h) with
// a depth dimension.
//
// The vol2col matrix of one group of a batch has a row per kernel tap
// ctrs = (c, t, r, s) and a column per output position
// q = n * OD*OH*OW + od * OH*OW + oh * OW + ow:
//   col[ctrs][q] = x[n][c][od*sd + t*dd - pf][oh*sh + r*dh - pt][ow*sw + s*dw - pl]
// (0 outside the volume). It is never stored: the GEMM packers of
// gemm_operands.h read runs of it straight from x (implicit GEMM).
#pragma once

#include <cstdint>

#include "ops/conv3d_geometry.h"

namespace convcore {

// A source for PositionsAsColumns (forward) and RowsAsColumnsTransposed
// (weight gradient); see gemm_operands.h for the read_row contract.
struct Vol2colSource {
  const Conv3dGeometry* g;
  const float* x;        // image 0's first channel of this group: [Cg, D, H, W]
  int64_t image_stride;  // floats from one image to the next (C * D * H * W)
  void read_row(int64_t ctrs, int64_t q0, int64_t count, float* dst, int64_t seg, int64_t seg_stride,
                int64_t elem_stride) const;
};

// The adjoint of a plain-row read: dx[...] += col_row[t] for positions
// q0 .. q0 + count of tap ctrs. dx points like Vol2colSource::x.
void col2vol_run_add(const Conv3dGeometry& g, const float* col_row, int64_t ctrs, int64_t q0,
                     int64_t count, float* dx, int64_t image_stride);

}  // namespace convcore
