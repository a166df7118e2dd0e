// Argument checks and output sizes shared by the pooling ops: the input's
// layout, the per-dim window arguments, PyTorch's output-size rule, and the
// mapping of 1-, 2- and 3-D windows onto the kernels' D x H x W volume.
#pragma once

#include <string>
#include <vector>

#include "convcore/tensor.h"
#include "kernels/kernels.h"

namespace convcore {

// "max_pool" with dims 2 -> "max_pool2d": the name error messages start with.
std::string pool_name(const char* family, int dims);

// Checks that input is a defined CPU tensor [N, C, *spatial] or [C, *spatial]
// with `dims` (1..3) spatial dims, C and every spatial size positive.
// Returns true for the unbatched form.
bool check_pool_input(const Tensor& input, int dims, const std::string& what);

// [C, ...] -> [1, C, ...] and back; recorded, sharing memory.
Tensor add_batch_dim(const Tensor& x);
Tensor drop_batch_dim(const Tensor& x);

// The `dims` values of a per-dim argument given with 1 or `dims` entries.
std::vector<int64_t> per_dim(const std::vector<int64_t>& values, int dims, const char* arg,
                             const std::string& what);

// Product of the last `dims` sizes of s (one plane), and of the others.
int64_t plane_numel(const Shape& s, int dims);
int64_t plane_count(const Shape& s, int dims);

// out = floor((in + 2p - d*(k-1) - 1 + (ceil ? s-1 : 0)) / s) + 1, minus one
// in ceil mode when the last window would start past the left padding plus
// the input (PyTorch's pooling_output_shape). May be < 1; callers check.
int64_t pool_output_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode);

struct PoolGeometry {
  int dims;
  int64_t planes;           // N * C
  kernels::PoolWindow win;  // the spatial dims right-aligned into (D, H, W)
  Shape output_shape;       // [N, C, *out]
  int64_t in_plane() const { return win.D * win.H * win.W; }
  int64_t out_plane() const { return win.OD * win.OH * win.OW; }
};

// Checks the windows of a max pooling (any dilation) or average pooling
// (dilation {1}) of a batched input [N, C, *spatial] and sizes the output.
// An empty stride means stride = kernel.
PoolGeometry make_pool_geometry(const Shape& input, int dims, const std::vector<int64_t>& kernel,
                                const std::vector<int64_t>& stride,
                                const std::vector<int64_t>& padding,
                                const std::vector<int64_t>& dilation, bool ceil_mode,
                                const std::string& what);

// grad_output must have `expected` shape (the output of the forward).
void check_grad_shape(const Tensor& grad_output, const Shape& expected, const std::string& what);

}  // namespace convcore
