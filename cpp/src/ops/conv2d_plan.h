// The algorithm choice for one convolution shape, made once and cached.
//
//   Depthwise     groups == C, one input channel per group: direct kernel.
//   Pointwise     1x1, stride 1, no padding: the image is already the GEMM
//                 operand, a plain matrix product per image.
//   ImplicitGemm  everything else: GEMM whose B operand is packed straight
//                 from the image by the im2col packers.
//
// Threads go over images (and groups) when there are at least as many as
// threads; otherwise each GEMM is split across threads.
#pragma once

#include "kernels/kernels.h"
#include "ops/conv2d_geometry.h"

namespace convcore {

enum class Conv2dAlgo { Depthwise, Pointwise, ImplicitGemm };
const char* conv2d_algo_name(Conv2dAlgo algo);

struct Conv2dPlan {
  Conv2dAlgo algo;
  const kernels::KernelTable* kernels;
  int threads;                // threads the plan was made for
  bool parallel_over_images;  // else: parallel inside each GEMM
  int64_t col_chunk;          // output positions per col2im chunk (backward data)
};

// The plan for this geometry, instruction set and thread count.
const Conv2dPlan& conv2d_plan(const Conv2dGeometry& g);

}  // namespace convcore
