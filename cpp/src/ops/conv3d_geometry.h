// The validated sizes of one 3D convolution, shared by forward, backward and
// the vol2col packers. make_conv3d_geometry performs every argument check.
#pragma once

#include <cstdint>

#include "convcore/ops/conv3d.h"

namespace convcore {

struct Conv3dGeometry {
  int64_t N, C, D, H, W;           // input
  int64_t K, T, R, S;              // output channels, kernel depth, height, width
  int64_t OD, OH, OW;              // output
  int64_t G, Cg, Kg;               // groups, channels per group in and out
  int64_t sd, sh, sw, dd, dh, dw;  // stride, dilation
  int64_t pf, pk, pt, pb, pl, pr;  // zero padding: front, back, top, bottom, left, right

  int64_t taps() const { return T * R * S; }
  int64_t ctrs() const { return Cg * T * R * S; }  // GEMM reduction size per group
  int64_t out_volume() const { return OD * OH * OW; }
  int64_t in_volume() const { return D * H * W; }
};

// Checks the shapes of input [N, C, D, H, W] and weight [K, C/groups, T, R,
// S] against each other and the options (padding already resolved to zero
// padding) and returns the geometry. `op` prefixes error messages.
Conv3dGeometry make_conv3d_geometry(const Shape& input, const Shape& weight,
                                    const Conv3dOptions& options, const char* op);

// Options with padding='same' turned into explicit per-side padding.
Conv3dOptions resolve_same_padding(const Conv3dOptions& options, int64_t T, int64_t R, int64_t S,
                                   const char* op);

// At stride 1 with p <= d*(r-1) on every side, the input gradient is itself
// a stride-1 convolution of grad_output, padded by d*(r-1) - p, with the
// kernel flipped and its in/out channels swapped per group:
// backward_input_as_forward gives that convolution's geometry.
bool backward_input_is_forward(const Conv3dGeometry& g);
Conv3dGeometry backward_input_as_forward(const Conv3dGeometry& g);

}  // namespace convcore
