// Pooling with PyTorch's semantics: max, average, power-average (LP),
// adaptive, global, max-unpooling, spatial pyramid, mixed max/average and
// maxout. Every op records an autograd node when its input requires grad;
// the explicit backward beside it is the function that node calls.
//
// `dims` is the number of spatial dims (1, 2 or 3): input [N, C, W],
// [N, C, H, W] or [N, C, D, H, W], or the same without N (unbatched, as
// PyTorch; the result then has no N either). Per-dim arguments hold one
// entry per spatial dim, in (D, H, W) order, or one entry shared by all.
// Output size along a dim, as PyTorch (ceil_mode keeps a partial last
// window only if it starts inside the input or its left padding):
//   out = floor_or_ceil((in + 2p - d*(k-1) - 1) / s) + 1
// Indices (max pooling) are flat positions inside each input plane
// ([W], [H][W] or [D][H][W]), as PyTorch's `indices`.
// Bad arguments throw ValueError/TypeError naming the argument.
// Deliberately left out: fractional max pooling, channels-last layouts,
// integer dtypes, and padding wider than half the kernel (PyTorch refuses
// it too).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convcore/tensor.h"

namespace convcore {

struct MaxPoolOptions {
  std::vector<int64_t> kernel_size;  // each > 0
  std::vector<int64_t> stride;       // each > 0; empty: kernel_size (PyTorch's default)
  std::vector<int64_t> padding{0};   // implicit -inf on both sides, each <= kernel_size / 2
  std::vector<int64_t> dilation{1};  // each > 0
  bool ceil_mode = false;
};

struct AvgPoolOptions {
  std::vector<int64_t> kernel_size;
  std::vector<int64_t> stride;       // empty: kernel_size
  std::vector<int64_t> padding{0};   // implicit zeros, each <= kernel_size / 2
  bool ceil_mode = false;
  bool count_include_pad = true;     // padding counts in the divisor
  int64_t divisor_override = 0;      // 0: none; else every window divides by it (any sign)
};

// A max-pooled tensor and, for each of its elements, the flat index within
// its input plane of the element it came from (-1 for a window that holds
// no input element, possible only with dilation; its output is -inf).
struct PoolWithIndices {
  Tensor output;
  std::vector<int64_t> indices;  // output.numel() entries, in output order
};

// ---- max pooling (max_pool.cpp) ----
// input: [N, C, *in] -> [N, C, *out]. Ties go to the first element in scan
// order; a NaN in the window is the result.
Tensor max_pool(const Tensor& input, int dims, const MaxPoolOptions& options);
PoolWithIndices max_pool_with_indices(const Tensor& input, int dims, const MaxPoolOptions& options);
inline Tensor max_pool1d(const Tensor& x, const MaxPoolOptions& o) { return max_pool(x, 1, o); }
inline Tensor max_pool2d(const Tensor& x, const MaxPoolOptions& o) { return max_pool(x, 2, o); }
inline Tensor max_pool3d(const Tensor& x, const MaxPoolOptions& o) { return max_pool(x, 3, o); }
// grad_output: [N, C, *out]; indices: one per element of grad_output, as
// returned by max_pool_with_indices or adaptive_max_pool_with_indices
// -> [input_shape]: each gradient added to the element its index names
// (overlapping windows add up; index -1 sends nothing).
Tensor max_pool_backward(const Tensor& grad_output, const std::vector<int64_t>& indices,
                         const Shape& input_shape, int dims);

// ---- average pooling (avg_pool.cpp) ----
// input: [N, C, *in] -> [N, C, *out]. The divisor of a window is
// divisor_override if set, else its size clipped to the padded input
// (count_include_pad) or to the input.
Tensor avg_pool(const Tensor& input, int dims, const AvgPoolOptions& options);
inline Tensor avg_pool1d(const Tensor& x, const AvgPoolOptions& o) { return avg_pool(x, 1, o); }
inline Tensor avg_pool2d(const Tensor& x, const AvgPoolOptions& o) { return avg_pool(x, 2, o); }
inline Tensor avg_pool3d(const Tensor& x, const AvgPoolOptions& o) { return avg_pool(x, 3, o); }
// grad_output: [N, C, *out] -> [input_shape]
Tensor avg_pool_backward(const Tensor& grad_output, const Shape& input_shape, int dims,
                         const AvgPoolOptions& options);

// ---- power-average pooling (lp_pool.cpp) ----
// input: [N, C, *in] -> [N, C, *out], PyTorch's lp_pool: no padding, and
//   y = (prod(kernel_size) * avg_pool(x^p))^(1/p),
// which is (sum of x^p over the window)^(1/p) for every full window (p = 2:
// the square root of the sum of squares); a partial ceil_mode window is
// scaled by prod(kernel_size) / its size, as PyTorch does. norm_type p:
// finite and nonzero. The gradient is 0 where y is 0.
Tensor lp_pool(const Tensor& input, int dims, double norm_type, const std::vector<int64_t>& kernel_size,
               const std::vector<int64_t>& stride = {}, bool ceil_mode = false);
// grad_output, output: [N, C, *out]; input: [N, C, *in] -> [N, C, *in]
Tensor lp_pool_backward(const Tensor& grad_output, const Tensor& input, const Tensor& output,
                        int dims, double norm_type, const std::vector<int64_t>& kernel_size,
                        const std::vector<int64_t>& stride = {}, bool ceil_mode = false);

// ---- adaptive and global pooling (adaptive_pool.cpp) ----
// input: [N, C, *in] -> [N, C, *output_size]; output window i along a dim
// of size `in` covers [floor(i*in/out), ceil((i+1)*in/out)). Sizes >= 0.
Tensor adaptive_avg_pool(const Tensor& input, int dims, const std::vector<int64_t>& output_size);
Tensor adaptive_max_pool(const Tensor& input, int dims, const std::vector<int64_t>& output_size);
PoolWithIndices adaptive_max_pool_with_indices(const Tensor& input, int dims,
                                               const std::vector<int64_t>& output_size);
// grad_output: [N, C, *out] -> [input_shape]. The max's backward is
// max_pool_backward with the indices.
Tensor adaptive_avg_pool_backward(const Tensor& grad_output, const Shape& input_shape, int dims);
// input: [N, C, H, W] (or [C, H, W]) -> [N, C, 1, 1]: the mean / max of
// each channel plane (adaptive pooling to 1 x 1).
Tensor global_avg_pool2d(const Tensor& input);
Tensor global_max_pool2d(const Tensor& input);

// ---- max unpooling (max_unpool.cpp) ----
struct MaxUnpoolOptions {
  std::vector<int64_t> kernel_size;
  std::vector<int64_t> stride;       // empty: kernel_size
  std::vector<int64_t> padding{0};
  // Spatial size of the result; empty: (in - 1)*stride - 2*padding + kernel
  // per dim. Otherwise each must lie strictly within that default +- stride.
  std::vector<int64_t> output_size;
};
// input: [N, C, *in]; indices: input.numel() flat positions in each output
// plane (max_pool's indices) -> [N, C, *output_size], zero except
// out[n, c, indices[i]] = input[i] (a position named twice keeps the last).
Tensor max_unpool(const Tensor& input, const std::vector<int64_t>& indices, int dims,
                  const MaxUnpoolOptions& options);
// grad_output: [N, C, *out] -> [input_shape]: grad_input[i] = grad_output[indices[i]].
Tensor max_unpool_backward(const Tensor& grad_output, const std::vector<int64_t>& indices,
                           const Shape& input_shape, int dims);
// The spatial output size max_unpool uses for these options.
std::vector<int64_t> max_unpool_output_size(const Shape& input_shape, int dims,
                                            const MaxUnpoolOptions& options);

// ---- spatial pyramid, mixed and feature pooling ----
enum class PoolMode { Max, Avg };
PoolMode parse_pool_mode(const std::string& name);  // "max" or "avg"

// input: [N, C, H, W] -> [N, C * sum(l*l)], the same length for any H, W:
// for each level l in order, adaptive pooling to l x l flattened as
// [C, l, l] (channel-major), the levels concatenated (pyramid_pool.cpp).
// Composed of recorded ops; its gradient flows through them.
Tensor spatial_pyramid_pool2d(const Tensor& input, const std::vector<int64_t>& levels = {1, 2, 4},
                              PoolMode mode = PoolMode::Max);
// grad_output: [N, C * sum(l*l)] (or [C * sum(l*l)] for an unbatched input)
// -> [input's shape]: each level's slice sent back through its pooling.
Tensor spatial_pyramid_pool2d_backward(const Tensor& grad_output, const Tensor& input,
                                       const std::vector<int64_t>& levels = {1, 2, 4},
                                       PoolMode mode = PoolMode::Max);

// input: [N, C, H, W] -> [N, C, OH, OW]:
//   alpha * max_pool2d(x) + (1 - alpha) * avg_pool2d(x)
// with the windows of `options` (the max part ignores count_include_pad and
// divisor_override). alpha: a one-element tensor (learnable: it receives
// sum(grad * (max - avg))) or a number. Composed of recorded ops
// (mixed_pool.cpp).
Tensor mixed_pool2d(const Tensor& input, const Tensor& alpha, const AvgPoolOptions& options);
Tensor mixed_pool2d(const Tensor& input, double alpha, const AvgPoolOptions& options);
// grad_output: [N, C, OH, OW] -> the gradients of input (its shape) and of
// alpha: sum(grad_output * (max_pool2d(x) - avg_pool2d(x))).
struct MixedPoolGrads {
  Tensor input;
  double alpha;
};
MixedPoolGrads mixed_pool2d_backward(const Tensor& grad_output, const Tensor& input, double alpha,
                                     const AvgPoolOptions& options);

// input: [N, C, ...] -> [N, C / groups, ...]: output channel j is the max
// over input channels j*groups .. (j+1)*groups - 1 (consecutive channels);
// C must be a multiple of groups. Ties and NaN go to the first such channel,
// as torch.max(dim) (maxout.cpp).
Tensor maxout(const Tensor& input, int64_t groups);
// grad_output: [N, C / groups, ...], input: [N, C, ...] -> [N, C, ...]
Tensor maxout_backward(const Tensor& grad_output, const Tensor& input, int64_t groups);

}  // namespace convcore
