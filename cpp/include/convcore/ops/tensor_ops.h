// Differentiable tensor operations: elementwise arithmetic with NumPy
// broadcasting, unary maths, reductions, matrix products and shape changes.
// Every function records an autograd node when an input requires grad and
// grad mode is on. Results are new contiguous tensors, except reshape/view,
// select and step-1 slices, which share the input's memory.
// Bad shapes, dims or indices throw convcore::ValueError (an out-of-range
// index throws convcore::IndexError, a ValueError) naming the argument.
// Deliberately left out: in-place variants, integer/bool dtypes, tensor
// exponents for pow, indexing of any dimension but the first.
#pragma once

#include <cstdint>
#include <vector>

#include "convcore/tensor.h"

namespace convcore {

// ---- elementwise, with NumPy broadcasting (elementwise.cpp) ----
// a: [...A], b: [...B] -> broadcast(A, B); a 0-d tensor broadcasts anywhere.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
// With a scalar on either side; x: [...] -> [...].
Tensor add(const Tensor& a, float b);
Tensor add(float a, const Tensor& b);
Tensor sub(const Tensor& a, float b);
Tensor sub(float a, const Tensor& b);
Tensor mul(const Tensor& a, float b);
Tensor mul(float a, const Tensor& b);
Tensor div(const Tensor& a, float b);
Tensor div(float a, const Tensor& b);

// The shape NumPy broadcasting gives a and b; ValueError when they do not
// broadcast. `what` prefixes the message ("add").
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what);
// Sums g: [...] over the dimensions that broadcasting added or stretched, so
// that the result has `shape` (the backward of broadcasting). Not recorded.
Tensor sum_to_shape(const Tensor& g, const Shape& shape);
// x broadcast to `shape` as a new contiguous tensor. Not recorded.
Tensor expand_copy(const Tensor& x, const Shape& shape);

// ---- unary (elementwise.cpp); x: [...] -> [...] ----
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor pow(const Tensor& x, float exponent);

// ---- reductions (reduce.cpp) ----
// x: [...] -> [] (0-d).
Tensor sum(const Tensor& x);
Tensor mean(const Tensor& x);
// x: [...] -> x's shape without `dims` (kept as size 1 with keepdim).
// Negative dims count from the end; an empty list reduces every dim.
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);

// ---- matrix product (matmul.cpp) ----
// a: [..., M, K], b: [..., K, N] -> [broadcast(...), M, N]; a 1-D a is a row
// [K] and a 1-D b a column [K], their dimension dropped from the result, as
// numpy.matmul (1-D x 1-D is a dot product, 0-d).
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- shape changes (shape_ops.cpp) ----
// x: [...] -> shape, same memory; one entry may be -1 (inferred).
Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape);
inline Tensor view(const Tensor& x, const std::vector<int64_t>& shape) { return reshape(x, shape); }
// x: [d0, ..., dn] -> dims start_dim..end_dim merged into one; same memory.
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
// x: [...] -> dims permuted (out dim i = x dim dims[i]); a contiguous copy.
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
// x: [...] -> dims dim0 and dim1 swapped; a contiguous copy.
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
// x: [B, ...] -> [...], row `index` of the first dim (negative from the end);
// same memory. IndexError (a ValueError) when out of range.
Tensor select(const Tensor& x, int64_t index);
// x: [B, ...] -> [L, ...], rows start, start+step, ... before end of the
// first dim; start/end as Python slices (negative from the end, clamped).
// step must be positive; step 1 shares memory, other steps copy.
Tensor slice(const Tensor& x, int64_t start, int64_t end, int64_t step = 1);

// torch.cat: xs[i]: [..., c_i, ...] (equal shapes outside `dim`) -> [..., sum c_i, ...].
// Each piece is copied once into its slice; backward hands each its slice back.
Tensor cat(const std::vector<Tensor>& xs, int64_t dim);

// ---- C++ operators, for convenience ----
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator+(const Tensor& a, float b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, float b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, float b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, float b) { return div(a, b); }
inline Tensor operator+(float a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(float a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(float a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(float a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }

}  // namespace convcore
