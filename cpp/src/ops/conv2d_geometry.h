// The validated sizes of one 2D convolution, shared by forward, backward,
// the plan and the im2col packers. Built once per call by
// make_conv2d_geometry, which performs every argument check.
#pragma once

#include <cstdint>

#include "convcore/ops/conv.h"
#include "kernels/kernels.h"

namespace convcore {

struct Conv2dGeometry {
  int64_t N, C, H, W;      // input
  int64_t K, R, S;         // output channels, kernel height and width
  int64_t OH, OW;          // output
  int64_t G, Cg, Kg;       // groups, channels per group in and out
  int64_t sh, sw, dh, dw;  // stride, dilation
  int64_t pt, pb, pl, pr;  // zero padding: top, bottom, left, right

  int64_t crs() const { return Cg * R * S; }  // GEMM reduction size per group
  int64_t hw() const { return OH * OW; }
  int64_t in_plane() const { return H * W; }
  bool is_pointwise() const {  // a 1x1 convolution that is a plain matrix product
    return R == 1 && S == 1 && sh == 1 && sw == 1 && pt == 0 && pb == 0 && pl == 0 && pr == 0;
  }
  bool is_dense() const {  // the kernel covers the whole input: a fully connected layer
    return OH == 1 && OW == 1 && R == H && S == W && dh == 1 && dw == 1 && pt == 0 && pb == 0 &&
           pl == 0 && pr == 0;
  }
  bool is_depthwise() const { return G == C && Cg == 1 && G > 1; }
};

inline kernels::DepthwiseGeometry depthwise_geometry(const Conv2dGeometry& g) {
  return {g.H, g.W, g.OH, g.OW, g.R, g.S, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw};
}

// Checks input/weight/bias against each other and the options (with padding
// already resolved to zero padding) and returns the geometry. `op` prefixes
// error messages. Throws ValueError / TypeError.
Conv2dGeometry make_conv2d_geometry(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                    const Conv2dOptions& options, const char* op);

// The same checks from shapes alone, for callers that hold only a shape on
// one side (the transposed convolution: conv2d_backward_input/_weight).
Conv2dGeometry make_conv2d_geometry(const Shape& input, const Shape& weight,
                                    const Conv2dOptions& options, const char* op);

// Options with padding='same' turned into explicit per-side padding.
Conv2dOptions resolve_same_padding(const Conv2dOptions& options, int64_t R, int64_t S,
                                   const char* op);

}  // namespace convcore
