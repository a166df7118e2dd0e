// The passes of conv3d on raw pointers, shared between conv3d.cpp (the op,
// its padding modes and autograd node) and the files that implement them.
// Shapes come from the geometry; arguments are already checked; padding is
// zero padding.
#pragma once

#include "ops/conv3d_geometry.h"

namespace convcore {

// x: [N, C, D, H, W], w: [K, Cg, T, R, S], bias: [K] or null -> y: [N, K, OD, OH, OW]
void conv3d_forward_raw(const Conv3dGeometry& g, const float* x, const float* w, const float* bias,
                        float* y);
// dy: [N, K, OD, OH, OW], w: [K, Cg, T, R, S] -> dx: [N, C, D, H, W] (overwritten)
void conv3d_backward_data_raw(const Conv3dGeometry& g, const float* dy, const float* w, float* dx);
// dy: [N, K, OD, OH, OW], x: [N, C, D, H, W] -> dw: [K, Cg, T, R, S] (overwritten)
void conv3d_backward_weight_raw(const Conv3dGeometry& g, const float* dy, const float* x, float* dw);

// Output positions per GEMM call below which the micro-kernel starves.
constexpr int64_t kConv3dMinColumns = 256;

}  // namespace convcore
