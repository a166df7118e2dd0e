// The passes of conv2d, shared between conv2d.cpp (the op and its autograd
// node) and the files that implement them. Raw pointers, shapes from the
// geometry, arguments already checked.
#pragma once

#include "ops/conv2d_geometry.h"
#include "ops/conv2d_plan.h"

namespace convcore {

// x: [N, C, H, W], w: [K, Cg, R, S], bias: [K] or null -> y: [N, K, OH, OW]
// conv2d_forward runs the plan's algorithm; the others are the algorithms.
void conv2d_forward(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x, const float* w,
                    const float* bias, float* y);
void conv2d_forward_gemm(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                         const float* w, const float* bias, float* y);

// Direct (conv2d_direct.cpp). dw: [K, Cg, R, S], accumulated into.
void conv2d_forward_direct(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                           const float* w, const float* bias, float* y);
void conv2d_backward_weight_direct(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                                   const float* x, float* dw);

// Winograd F(4x4, 3x3) (conv2d_winograd.cpp): 3x3, stride 1, dilation 1,
// one group.
// dw: [K, C, 3, 3], accumulated into.
void conv2d_forward_winograd(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                             const float* w, const float* bias, float* y);
void conv2d_backward_weight_winograd(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                                     const float* x, float* dw);

// Dense: the kernel covers the whole input (conv2d_dense.cpp). dx: [N, C, H, W]
// overwritten; dw: [K, Cg, R, S] accumulated into.
void conv2d_forward_dense(const Conv2dGeometry& g, const float* x, const float* w,
                          const float* bias, float* y);
void conv2d_backward_data_dense(const Conv2dGeometry& g, const float* dy, const float* w,
                                float* dx);
void conv2d_backward_weight_dense(const Conv2dGeometry& g, const float* dy, const float* x,
                                  float* dw);

// Depthwise (conv2d_depthwise.cpp). dx: [N, C, H, W] overwritten; dw: [K, 1, R, S] accumulated into.
void conv2d_forward_depthwise(const Conv2dGeometry& g, const Conv2dPlan& p, const float* x,
                              const float* w, const float* bias, float* y);
void conv2d_backward_data_depthwise(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                                    const float* w, float* dx);
void conv2d_backward_weight_depthwise(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                                      const float* x, float* dw);

}  // namespace convcore
