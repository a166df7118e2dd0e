// im2col / col2im for one image and one group, and the GEMM packers that
// read im2col rows straight from the image (implicit GEMM).
//
// The im2col matrix of an image x: [Cg, H, W] has one row per (c, r, s)
// kernel tap ("crs") and one column per output position (oh, ow):
//   col[crs][oh * OW + ow] = x[c][oh*sh + r*dh - pt][ow*sw + s*dw - pl]  (0 outside)
#pragma once

#include <cstdint>

#include "ops/conv2d_geometry.h"

namespace convcore {

// Writes col[crs][hw0 .. hw0+count) for x: [Cg, H, W]. Element t of the run
// goes to dst[(t / seg) * seg_stride + (t % seg) * elem_stride], which covers
// a plain row (seg = count, elem_stride = 1), packed GEMM slivers
// (seg = NR, seg_stride = k * NR) and a transposed column (elem_stride = NR).
void im2col_run(const Conv2dGeometry& g, const float* x, int64_t crs, int64_t hw0, int64_t count,
                float* dst, int64_t seg, int64_t seg_stride, int64_t elem_stride);

// The adjoint of a plain-row im2col_run: dx[...] += col_row[t] for each t.
// dx: [Cg, H, W]
void col2im_run_add(const Conv2dGeometry& g, const float* col_row, int64_t crs, int64_t hw0,
                    int64_t count, float* dx);

// GEMM B operand for the forward pass: B[crs][hw] = im2col(x).
struct Im2colPackB {
  const Conv2dGeometry* g;
  const float* x;  // [Cg, H, W]
  void operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) const;
};

// GEMM B operand for the weight gradient: B[hw][crs] = im2col(x) transposed.
struct Im2colTransposedPackB {
  const Conv2dGeometry* g;
  const float* x;  // [Cg, H, W]
  void operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) const;
};

}  // namespace convcore
