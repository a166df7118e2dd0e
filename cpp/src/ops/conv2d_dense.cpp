// conv2d whose kernel covers the whole unpadded input (Conv2dAlgo::Dense):
// one output position per image, so the layer is a fully connected one
// (LeNet-5's C5, a classifier written as a convolution). Each image is one
// row of crs = Cg*R*S values per group, and every pass is a single GEMM over
// the batch, instead of a direct or im2col kernel doing per-position work
// for one position, or a backward-data pass through a mostly zero padded grid.
//
// Per group grp (x row n: [G, crs]; w: [K, crs]; y, dy row n: [K]):
//   forward        y [N, Kg]    = x [N, crs] * w_g^T [crs, Kg] (+ bias)
//   backward data  dx [N, crs]  = dy [N, Kg] * w_g [Kg, crs]
//   weight grad    dw_g [Kg, crs] += dy^T [Kg, N] * x [N, crs]
#include "ops/conv2d_internal.h"
#include "ops/gemm.h"

namespace convcore {

void conv2d_forward_dense(const Conv2dGeometry& g, const float* x, const float* w,
                          const float* bias, float* y) {
  const int64_t crs = g.crs(), row = g.G * crs;
  for (int64_t grp = 0; grp < g.G; ++grp)
    sgemm(g.N, g.Kg, crs, x + grp * crs, row, 1, w + grp * g.Kg * crs, 1, crs, y + grp * g.Kg, g.K,
          false);
  if (bias)
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t k = 0; k < g.K; ++k) y[n * g.K + k] += bias[k];
}

void conv2d_backward_data_dense(const Conv2dGeometry& g, const float* dy, const float* w,
                                float* dx) {
  const int64_t crs = g.crs(), row = g.G * crs;
  for (int64_t grp = 0; grp < g.G; ++grp)
    sgemm(g.N, crs, g.Kg, dy + grp * g.Kg, g.K, 1, w + grp * g.Kg * crs, crs, 1, dx + grp * crs, row,
          false);
}

void conv2d_backward_weight_dense(const Conv2dGeometry& g, const float* dy, const float* x,
                                  float* dw) {
  const int64_t crs = g.crs(), row = g.G * crs;
  for (int64_t grp = 0; grp < g.G; ++grp)
    sgemm(g.Kg, crs, g.N, dy + grp * g.Kg, 1, g.K, x + grp * crs, row, 1, dw + grp * g.Kg * crs, crs,
          true);
}

}  // namespace convcore
